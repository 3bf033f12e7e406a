"""The drift page's data: a run's columns most drifted first, odd stored reports read without errors."""

import datetime as dt

import pytest

from mldebt.errors import NotFoundError, UserInputError
from mldebt.service.drift_view import check_component, drift_overview, drift_run_view
from mldebt.store.drift import add_drift_run

T0 = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)


def test_the_component_filter_is_absent_when_empty_and_bounded():
    assert (check_component(None), check_component(""), check_component("recs")) == (None, None, "recs")
    with pytest.raises(UserInputError, match="component: at most 100 characters, got 101"):
        check_component("x" * 101)


def test_columns_are_ranked_drifted_then_tested_by_effect_then_name(store):
    columns = [{"name": "untested", "method": None}, {"name": "b", "method": "ks", "effect": 0.1},
               {"name": "a", "method": "ks", "effect": 0.1}, {"name": "big", "method": "ks", "effect": 0.9},
               {"name": "drifted", "method": "psi", "effect": 0.05, "drifted": True}]
    with store.session() as session:
        run = add_drift_run(session, "m", "r", "c", {"dataset_drift": False, "drift_share": 0.2,
                                                     "drifted_columns": ["drifted"], "columns": columns}, T0).id
    view = drift_run_view(store, run)
    assert [c["name"] for c in view["columns"]] == ["drifted", "big", "a", "b", "untested"]
    assert (view["tested"], view["columns_total"], view["charted"], view["charts_left_out"]) == (4, 5, [], 0)


def test_a_stored_report_with_odd_values_reads_as_dashes(store):
    odd = {"dataset_drift": True, "drift_share": 1.0, "drifted_columns": ["x"], "errors": ["boom"],
           "columns": ["not a column", {"name": "x", "method": "ks", "statistic": "NaN", "pvalue": None,
                                        "effect": True, "drifted": True, "chart": {"labels": "oops"}}]}
    with store.session() as session:
        run = add_drift_run(session, "m", "r", "c", odd, T0).id
    view = drift_run_view(store, run)
    [column] = view["columns"]
    assert (column["statistic"], column["pvalue"], column["effect"], column["chart"]) == ("-", "-", "-", None)
    assert (view["errors"], view["threshold"], view["n_reference"]) == (["boom"], "-", None)


def test_an_unknown_run_is_not_found(store):
    with pytest.raises(NotFoundError, match="no drift run 7"):
        drift_run_view(store, 7)


def test_an_empty_store_has_no_components_windows_or_runs(store):
    view = drift_overview(store, None, 50, 0)
    assert (view["components"], view["windows"], view["runs"], view["total"], view["components_total"]) == (
        [], [], [], 0, 0)
