"""The multivariate section of the HTML drift report: verdict, chunk chart with thresholds, columns, escaped."""

import numpy as np

from mldebt.drift.compare import Options, compare
from mldebt.report.drift_html import render_drift_html
from tests.drift.test_reconstruction import table
from tests.report.test_drift_html import ESCAPED, SCRIPT, assert_escaped, hostile_tables


def test_the_section_draws_chunks_and_thresholds():
    rng = np.random.default_rng(1)
    report = compare(table(rng, 3000, 0.9), table(rng, 1000, -0.9), Options(multivariate=True))
    html = render_drift_html(report, "ref.parquet", "cur.parquet")
    assert "<h2>Multivariate drift (PCA reconstruction error)</h2>" in html
    assert "<strong>Multivariate drift.</strong>\n10 of 10 current chunks of 100 rows above the threshold" in html
    assert ("0.3116 (reference chunks' mean &plusmn; 3 sd).\n2 of 3 components kept, 97% of the reference's "
            "variance.") in html
    assert 'title">reconstruction error per chunk</title>' in html
    for series in ("reference", "current", "upper threshold", "lower threshold"):
        assert f">{series}</text>" in html, series
    assert "ref 29: reference" in html and "cur 9: current" in html  # the points' tooltips
    assert "<tr><th>column (changed most)</th>" in html
    assert "<h2>Multivariate drift" not in render_drift_html(compare(table(rng, 300, 0.9), table(rng, 300, 0.9)),
                                                             "r", "c")


def test_hostile_column_names_in_the_section_are_escaped():
    ref, cur = hostile_tables(np.random.default_rng(7))
    report = compare(ref, cur, Options(multivariate=True))
    assert report.multivariate["drifted"] and SCRIPT in [c["column"] for c in report.multivariate["contributions"]]
    html = render_drift_html(report, "ref.parquet", "cur.parquet")
    assert_escaped(html)
    assert f"<tr><td>{ESCAPED[SCRIPT]}</td>" in html
