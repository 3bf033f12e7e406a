"""`mldebt report`: the file it writes (default name, --output, stdout), what it asks the builder for,
and one-line exit-2 errors. The builder is replaced by the hand-built sample here (its own tests are
tests/service/test_board_*.py; tests/report/test_board_demo.py runs the real one on the demo store)."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from mldebt.domain.costs import CostRates
from mldebt.service import board_report
from tests.support.board_sample import full_report
from tests.support.cli import enter_tmp, run


@pytest.fixture
def calls(tmp_path, monkeypatch):
    """Run in an empty folder; the builder returns the sample and records what it was asked."""
    enter_tmp(tmp_path, monkeypatch)
    asked: list[dict[str, object]] = []

    def build(store, quarter, now, compare=None, rates=None):
        asked.append({"quarter": quarter, "now": now, "compare": compare, "rates": rates})
        return full_report(quarter=quarter)

    monkeypatch.setattr(board_report, "build_board_report", build)
    return asked


def test_default_is_a_pdf_of_the_current_quarter_in_the_current_folder(capsys, calls, tmp_path):
    code, out, err = run(capsys, "report", "--as-of", "2026-12-01")
    assert (code, out, err) == (0, "wrote mldebt-report-2026Q4.pdf\n", "")
    assert (tmp_path / "mldebt-report-2026Q4.pdf").read_bytes().startswith(b"%PDF-")
    assert calls == [{"quarter": "2026Q4", "now": dt.datetime(2026, 12, 2, tzinfo=dt.UTC), "compare": None,
                      "rates": CostRates()}]


def test_quarter_compare_and_output_reach_the_builder_and_the_file(capsys, calls, tmp_path):
    code, out, _ = run(capsys, "report", "--quarter", "2026q3", "--compare", "2025Q4", "--format", "html",
                       "--output", "board.html", "--page-size", "Letter", "--as-of", "2026-12-01")
    assert (code, out) == (0, "wrote board.html\n")
    assert [(c["quarter"], c["compare"]) for c in calls] == [("2026Q3", "2025Q4")]
    html = (tmp_path / "board.html").read_text("utf-8")
    assert html.startswith("<!doctype html>") and "@page { size: letter; }" in html
    assert "<h1>AI debt report 2026Q3</h1>" in html


def test_html_to_stdout_with_output_dash(capsys, calls, tmp_path):
    code, out, err = run(capsys, "report", "--format", "html", "--output", "-", "--as-of", "2026-12-01")
    assert (code, err) == (0, "")
    assert out.startswith("<!doctype html>") and out.rstrip().endswith("</html>")
    assert list(tmp_path.glob("mldebt-report-*")) == []


def test_markdown_to_stdout_is_the_markdown_renderers(capsys, calls):
    from mldebt.report.board_md import render_board_markdown

    code, out, _ = run(capsys, "report", "--format", "md", "--output", "-", "--as-of", "2026-12-01")
    assert code == 0 and out.startswith("# AI debt report 2026Q4\n")
    assert out.rstrip("\n") == render_board_markdown(full_report(quarter="2026Q4")).rstrip("\n")


def test_rates_come_from_the_catalog_like_the_backlog(capsys, calls, tmp_path):
    catalog = Path(__file__).resolve().parents[2] / "examples" / "storefront" / "mldebt.yaml"
    code, _, _ = run(capsys, "report", "--format", "html", "--catalog", str(catalog), "--as-of", "2026-12-01")
    assert code == 0
    assert calls[0]["rates"] == CostRates(currency="USD", engineer_hour=110, incident_hour=450, ticket_handling=9,
                                          ai_revenue_share=0.12, dissatisfied_order_loss=0.25, window_days=90)


@pytest.mark.parametrize(("args", "message"), [
    (["--quarter", "2026Q5"], "error: bad quarter '2026Q5': expected YYYYQ1 to YYYYQ4, e.g. 2026Q4"),
    (["--quarter", "last"], "error: bad quarter 'last': expected YYYYQ1 to YYYYQ4, e.g. 2026Q4"),
    (["--compare", "Q3"], "error: bad quarter 'Q3': expected YYYYQ1 to YYYYQ4, e.g. 2026Q4"),
    (["--quarter", "2027Q1"],
     "error: quarter 2027Q1 has not started yet (as of 2026-12-02 00:00 UTC, the current quarter is 2026Q4)"),
    (["--page-size", "A3"], "error: --page-size: unknown page size 'A3', expected A4 or Letter"),
    (["--output", "-"], "error: --output -: a PDF is not written to stdout; give a file name, or --format html or md"),
    (["--output", "missing/r.pdf"], "error: --output: cannot write missing/r.pdf: folder missing does not exist"),
])
def test_bad_input_is_one_line_and_exit_2(capsys, calls, args, message):
    code, out, err = run(capsys, "report", *args, "--as-of", "2026-12-01")
    assert (code, out, err.splitlines()) == (2, "", [message])
    assert calls == []


def test_pdf_without_weasyprint_is_exit_2_naming_the_packages(capsys, calls, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    code, out, err = run(capsys, "report", "--as-of", "2026-12-01")
    assert (code, out) == (2, "")
    assert err.startswith("error: cannot write PDF: WeasyPrint does not load (")
    assert err.endswith("install the Debian packages libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core "
                        "(scripts/ensure-services as root), or use --format html\n")
    assert list(tmp_path.glob("mldebt-report-*")) == []


def test_help_has_an_example(capsys):
    code, out, _ = run(capsys, "report", "--help")
    assert code == 0
    assert "Example:" in out and "mldebt report --quarter 2026Q4" in out
