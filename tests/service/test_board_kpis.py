"""The board report's KPI colours: green better or unchanged, amber slightly worse, red worse by 10% or more."""

from __future__ import annotations

import pytest

from mldebt.service.board_kpis import frozen_values, kpi_status
from mldebt.service.board_model import AMBER, GREEN, NO_STATUS, RED
from mldebt.store.board_queries import Snapshot


@pytest.mark.parametrize(("value", "previous", "direction", "status"), [
    (4.0, 5.0, "lower", GREEN),  # better
    (5.0, 5.0, "lower", GREEN),  # unchanged
    (5.4, 5.0, "lower", AMBER),  # worse by 8%
    (5.5, 5.0, "lower", RED),  # worse by exactly 10%
    (9.0, 5.0, "lower", RED),
    (0.95, 0.9, "higher", GREEN),
    (0.85, 0.9, "higher", AMBER),  # worse by 5.6%
    (0.80, 0.9, "higher", RED),  # worse by 11%
    (1.0, 0.0, "lower", RED),  # any worsening from nothing
    (0.0, 0.0, "higher", GREEN),
    (None, 5.0, "lower", NO_STATUS),
    (5.0, None, "higher", NO_STATUS),
])
def test_kpi_status_against_the_comparison_value(value, previous, direction, status):
    assert kpi_status(value, previous, direction) == status


def test_frozen_values_keep_numbers_and_their_details_and_drop_the_rest():
    snapshot = Snapshot("2026Q3", None, {"kpis": [  # type: ignore[arg-type]
        {"id": "open_debt", "value": 3, "details": {"interest_low": 1.5}},
        {"id": "automated_fix_rate", "value": None},
        {"id": "odd", "value": True},
        "not an entry"]})
    assert frozen_values(snapshot) == {"open_debt": {"value": 3.0, "details": {"interest_low": 1.5}},
                                       "automated_fix_rate": {"value": None, "details": {}},
                                       "odd": {"value": None, "details": {}}}
    assert frozen_values(None) == {}
