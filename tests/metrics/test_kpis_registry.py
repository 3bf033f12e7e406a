"""The registry is the one list of KPIs: stable ids, and docs/kpis.md documents exactly them."""

import datetime as dt
from pathlib import Path

import pytest

from mldebt.errors import UserInputError
from mldebt.metrics.kpis import KPI_IDS, KPIS, Direction, Quarter, parse_quarter
from mldebt.metrics.kpis.registry import markdown_table

DOC = Path(__file__).resolve().parents[2] / "docs" / "kpis.md"
NOW = dt.datetime(2026, 12, 2, 3, 0, tzinfo=dt.UTC)


def test_the_issue_s_kpi_ids_in_order():
    assert KPI_IDS == ("mttr_ai_incidents", "models_retrained_share", "ai_linked_tickets", "pipeline_test_pass_rate",
                       "retraining_coverage", "automated_fix_rate", "satisfaction_by_feature", "open_debt",
                       "drift_alerts")


def test_every_kpi_has_a_name_unit_definition_and_direction():
    for spec in KPIS:
        assert spec.name and spec.unit and spec.definition.endswith(".") and spec.direction in Direction


def test_docs_table_is_the_generated_registry_table():
    assert markdown_table() in DOC.read_text()


def test_every_kpi_id_has_a_definition_section_in_the_docs():
    text = DOC.read_text()
    assert [i for i in KPI_IDS if f"### `{i}`" not in text] == []


@pytest.mark.parametrize(("value", "previous", "higher", "lower"), [
    (2.0, 1.0, True, False), (1.0, 2.0, False, True), (1.0, 1.0, None, None), (None, 1.0, None, None),
    (1.0, None, None, None)])
def test_change_is_good_follows_the_direction(value, previous, higher, lower):
    by_direction = {s.direction: s for s in KPIS}
    assert by_direction[Direction.HIGHER_IS_BETTER].change_is_good(value, previous) is higher
    assert by_direction[Direction.LOWER_IS_BETTER].change_is_good(value, previous) is lower


def test_quarters_parse_with_their_utc_bounds_and_neighbours():
    q = parse_quarter("2026Q4", NOW)
    assert (str(q), q.start, q.end) == ("2026Q4", dt.datetime(2026, 10, 1, tzinfo=dt.UTC),
                                        dt.datetime(2027, 1, 1, tzinfo=dt.UTC))
    assert (str(q.previous()), str(Quarter(2026, 1).previous()), str(parse_quarter("2026q1"))) == (
        "2026Q3", "2025Q4", "2026Q1")
    assert Quarter.of(dt.date(2026, 3, 31)) == Quarter(2026, 1)


@pytest.mark.parametrize("bad", ["2026Q5", "2026-Q4", "Q4", "26Q4", "2026Q0", "", "2026Q4x", "0999Q1"])
def test_a_bad_quarter_is_an_error_naming_it(bad):
    with pytest.raises(UserInputError) as raised:
        parse_quarter(bad)
    assert str(raised.value) == f"bad quarter {bad!r}: expected YYYYQ1 to YYYYQ4, e.g. 2026Q4"


def test_a_quarter_that_has_not_started_is_refused():
    with pytest.raises(UserInputError) as raised:
        parse_quarter("2027Q1", NOW)
    assert str(raised.value) == ("quarter 2027Q1 has not started yet (as of 2026-12-02 03:00 UTC, the current "
                                 "quarter is 2026Q4)")


def test_a_huge_bad_quarter_is_named_by_its_start_only():
    with pytest.raises(UserInputError) as raised:
        parse_quarter("x" * 100_000)
    assert str(raised.value) == f"bad quarter {'x' * 40 + '...'!r}: expected YYYYQ1 to YYYYQ4, e.g. 2026Q4"
