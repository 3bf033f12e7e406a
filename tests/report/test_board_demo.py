"""The demo store's 2026Q4 board report, built by `build_board_report` and rendered to PDF, read back with
poppler: the key figures, computed here independently from the store (the backlog's page, the KPIs),
are in the text; the pages are A4, numbered, none blank; building and rendering take under 10 s.

These need the real builder (service/board_report.py): they fail until it is merged, by design."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from mldebt.report.board_html import kpi_value, render_board_html
from mldebt.report.board_pdf import render_board_pdf
from mldebt.service.board_report import build_board_report
from mldebt.service.debt_view import backlog_page
from mldebt.service.kpis import compute_kpis
from tests.support.demo_store import BACKENDS, NOW, demo_store_fixture
from tests.support.pdf_tools import dark_pixels_per_page, pdf_info, pdf_pages_text, require_poppler

demo_store = pytest.fixture(scope="module", params=BACKENDS)(demo_store_fixture)


@pytest.fixture(scope="module")
def rendered(demo_store, tmp_path_factory):
    """(report, pdf path, seconds to build and render) of the demo's 2026Q4 report on A4."""
    require_poppler()
    started = time.perf_counter()
    report = build_board_report(demo_store, "2026Q4", NOW)
    pdf = tmp_path_factory.mktemp("board-demo") / "report.pdf"
    pdf.write_bytes(render_board_pdf(report))
    return report, pdf, time.perf_counter() - started


def _flat(text: str) -> str:
    """pdftotext drops the hyphen of a word wrapped at it: compare without hyphens, spaces collapsed."""
    return " ".join(text.replace("-", "").split())


def test_open_debt_and_the_top_risk_from_the_backlog_are_in_the_pdf(demo_store, rendered):
    _, pdf, _ = rendered
    top, total = backlog_page(demo_store, limit=1, now=NOW)
    text = " ".join(pdf_pages_text(pdf))
    assert f"Open debt: {total} items" in text
    assert _flat(top[0]["title"]) in _flat(text)


def test_kpi_values_computed_from_the_store_are_in_the_pdf(demo_store, rendered):
    _, pdf, _ = rendered
    kpis = compute_kpis(demo_store, "2026Q4", NOW)
    table = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for kpi_id in ("mttr_ai_incidents", "open_debt", "ai_linked_tickets"):
        entry = kpis.entry(kpi_id)
        # a long name wraps in its cell: the row's first line holds the name's first words and the value
        start = " ".join(entry.spec.name.split()[:3])
        rows = [line for line in table.splitlines() if line.strip().startswith(start)]
        assert any(kpi_value(entry.value, entry.spec.unit) in row for row in rows), (kpi_id, rows)


def test_the_demo_report_is_numbered_a4_pages_none_blank(rendered, tmp_path):
    _, pdf, _ = rendered
    info = pdf_info(pdf)
    pages = int(info["Pages"])
    assert info["Page size"] == "595.276 x 841.89 pts (A4)"
    assert pages >= 5
    texts = pdf_pages_text(pdf)
    assert "page " not in texts[0]
    assert [t.endswith(f"page {n} of {pages}") for n, t in enumerate(texts[1:], 2)] == [True] * (pages - 1)
    assert all(count > 0 for count in dark_pixels_per_page(pdf, tmp_path))


def test_the_demo_report_has_data_a_comparison_and_every_section(rendered):
    report, _, _ = rendered
    assert (report.quarter, report.compare, report.has_data, report.has_previous) == ("2026Q4", "2026Q3", True, True)
    html = render_board_html(report)
    for heading in ("Executive summary", "Key indicators", "Remediation progress", "Where failures come from",
                    "Appendix: how the figures are computed"):
        assert f">{heading}</h2>" in html


def test_building_and_rendering_the_demo_pdf_takes_under_ten_seconds(rendered):
    _, _, seconds = rendered
    assert seconds < 10


def test_the_report_command_writes_the_demo_pdf(demo_store, tmp_path, monkeypatch, capsys):
    from tests.support.cli import run

    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "--db", demo_store.url, "report", "--quarter", "2026Q4", "--as-of", "2026-11-25")
    assert (code, out, err) == (0, "wrote mldebt-report-2026Q4.pdf\n", "")
    assert Path(tmp_path / "mldebt-report-2026Q4.pdf").read_bytes().startswith(b"%PDF-")
