"""The drift report draws estimated performance per chunk (estimate, band, realized, thresholds)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from mldebt.drift.compare import Options, compare
from mldebt.report.drift_chunk_charts import estimate_charts
from mldebt.report.drift_html import render_drift_html


def _table(rng: np.random.Generator, rows: int, shift: float, labelled: bool = True) -> pa.Table:
    x = rng.normal(shift, 1, rows)
    p = 1 / (1 + np.exp(-2 * x))
    columns = {"x": x, "p": p, "pred": (p > 0.5).astype(int)}
    if labelled:
        columns["y"] = (rng.random(rows) < p).astype(int)
    return pa.table(columns)


def _estimated(labelled: bool) -> dict:
    rng = np.random.default_rng(7)
    options = Options(label="y", prediction="pred", scores=["p"], estimate_performance=True)
    report = compare(_table(rng, 4000, 0.0), _table(rng, 2000, 0.8, labelled), options)
    assert report.estimated_performance is not None
    return report.estimated_performance


def test_one_chart_per_metric_with_band_thresholds_and_realized():
    estimated = _estimated(labelled=True)
    charts = estimate_charts(estimated)
    assert [c.title for c in charts] == [f"estimated {m} per chunk" for m in
                                         ("roc_auc", "f1", "precision", "recall", "accuracy")]
    assert [item.label for item in charts[0].legend] == [
        "estimated", "band lower", "band upper", "realized", "threshold lower", "threshold upper"]
    assert len(charts[0].table.rows) == len(estimated["chunks"]) == 10
    assert charts[0].table.rows[0][0] == "rows 0-199"


def test_without_labels_there_is_no_realized_line_and_the_report_shows_the_section():
    estimated = _estimated(labelled=False)
    assert "realized" not in [item.label for item in estimate_charts(estimated)[0].legend]
    rng = np.random.default_rng(7)
    options = Options(label="y", prediction="pred", scores=["p"], estimate_performance=True)
    report = compare(_table(rng, 4000, 0.0), _table(rng, 2000, 0.8, labelled=False), options)
    html = render_drift_html(report, "ref.parquet", "cur.parquet")
    assert "Estimated performance without labels (CBPE)" in html
    assert html.count('id="cbpe-') >= 5
