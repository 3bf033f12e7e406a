"""The Grafana dashboard reads only metrics the server exports (names checked against a real exposition)."""

from __future__ import annotations

from prometheus_client.exposition import generate_latest

from mldebt.store.database import open_store
from mldebt.web.metrics_route import ServerMetrics
from tests.support.metrics_data import samples, seed
from tests.support.promql import dashboard, metric_names, panel_expressions, substituted, variable_metrics


def exported_names(tmp_path) -> set[str]:
    """Every series name of the exposition of a seeded store after one request (histogram series included)."""
    store = open_store(f"sqlite:///{tmp_path / 'mldebt.db'}")
    try:
        seed(store)
        metrics = ServerMetrics()
        metrics.watch_store(store)
        metrics.observe("GET", "/metrics", 200, 0.01)
        return {name for name, _ in samples(generate_latest(metrics.registry).decode())}
    finally:
        store.close()


def test_the_tokenizer_keeps_metric_names_and_drops_everything_else():
    expression = ('sum by (route, code) (rate(a_total{code=~"5..", route!="x{y}"}[5m:30s])) / on (job) '
                  'group_left (instance) b_seconds offset 1h > bool 0.5 and topk(3, c) or d unless '
                  'histogram_quantile(0.9, e_bucket{le="+Inf"}) + $__rate_interval * "f_total" - 1e3')
    assert metric_names(expression) == {"a_total", "b_seconds", "c", "d", "e_bucket"}
    assert metric_names("sum without (component) (x)") == {"x"}
    assert metric_names("time() - mldebt_metrics_snapshot_timestamp_seconds") == {
        "mldebt_metrics_snapshot_timestamp_seconds"}


def test_every_dashboard_expression_reads_only_exported_metrics(tmp_path):
    exported = exported_names(tmp_path)
    board = dashboard()
    used = {(title, name) for title, expr in panel_expressions(board) for name in metric_names(expr)}
    used |= {("variable", name) for name in variable_metrics(board)}
    assert sorted((title, name) for title, name in used if name not in exported) == []
    assert len({name for _, name in used}) >= 15  # every family of the issue has a panel
    assert [expr for _, expr in panel_expressions(board) if "__name__" in expr] == []  # names the tokenizer sees


def test_the_dashboard_has_a_datasource_variable_and_every_panel_uses_it():
    board = dashboard()
    variables = {v["name"]: v for v in board["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource" and variables["datasource"]["query"] == "prometheus"
    panels = [p for p in board["panels"] if p["type"] != "row"]
    assert panels and all(p["datasource"]["uid"] == "${datasource}" for p in panels)
    assert all(t["datasource"]["uid"] == "${datasource}" for p in panels for t in p["targets"])
    ids = [p["id"] for p in board["panels"]]
    assert len(ids) == len(set(ids))
    assert all(substituted(expr) for _, expr in panel_expressions(board))  # no unknown variable
