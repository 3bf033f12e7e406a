"""`mldebt demo` writes the current quarter's board report into .mldebt/ and prints its path: a PDF when
WeasyPrint loads, else HTML, saying why. The builder is replaced by the hand-built sample here; the
real one on the demo store is tests/report/test_board_demo.py."""

from __future__ import annotations

import sys

import pytest

from mldebt.cli.demo import write_demo_report
from mldebt.service import board_report
from mldebt.store.database import open_store
from tests.support.board_sample import full_report
from tests.support.cli import enter_tmp, run


@pytest.fixture
def sample_builder(tmp_path, monkeypatch):
    enter_tmp(tmp_path, monkeypatch)
    asked: list[str] = []

    def build(store, quarter, now, compare=None, rates=None):
        asked.append(quarter)
        return full_report(quarter=quarter)

    monkeypatch.setattr(board_report, "build_board_report", build)
    return asked


def test_demo_no_serve_writes_the_pdf_report_and_prints_its_path(capsys, sample_builder, tmp_path):
    code, out, _ = run(capsys, "--db", f"sqlite:///{tmp_path / 'demo.db'}", "demo", "--no-serve",
                       "--as-of", "2026-11-25")
    assert code == 0
    assert sample_builder == ["2026Q4"]
    assert out.splitlines()[-1] == "Board report for 2026Q4 (`mldebt report`): .mldebt/mldebt-report-2026Q4.pdf"
    assert (tmp_path / ".mldebt" / "mldebt-report-2026Q4.pdf").read_bytes().startswith(b"%PDF-")


def test_without_weasyprint_the_demo_writes_html_and_says_why(capsys, sample_builder, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    store = open_store(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        path = write_demo_report(store, tmp_path / "mldebt.yaml", "2026-11-25")
    finally:
        store.close()
    lines = capsys.readouterr().out.splitlines()
    assert str(path) == ".mldebt/mldebt-report-2026Q4.html"
    assert lines[0].startswith("cannot write PDF: WeasyPrint does not load (")
    assert lines[0].endswith("or use --format html: writing the report as HTML instead")
    assert lines[1] == "Board report for 2026Q4 (`mldebt report`): .mldebt/mldebt-report-2026Q4.html"
    assert (tmp_path / path).read_text("utf-8").startswith("<!doctype html>")
