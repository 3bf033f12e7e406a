"""JUnit and Cobertura parsers, and `mldebt ingest junit|coverage` recording them (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mldebt.cli import main
from mldebt.ingest.cobertura import parse_cobertura
from mldebt.ingest.junit import ReportError, parse_junit
from mldebt.service.test_reports import record_coverage, record_junit
from mldebt.store.scans import list_test_reports

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "scan"


def test_junit_counts_from_test_cases():
    report = parse_junit((FIXTURES / "junit.xml").read_bytes())
    assert (report.tests, report.failures, report.errors, report.skipped, report.passed) == (5, 1, 1, 1, 2)
    assert report.pass_rate == round(2 / 4, 6)
    assert report.seconds == 3.5
    assert report.failed == ["tests.test_retrain::test_metrics_above_threshold", "tests.test_retrain::test_exports"]


def test_junit_single_suite_without_cases_uses_attributes():
    report = parse_junit(b'<testsuite name="x" tests="4" failures="1" errors="0" skipped="0" time="1"/>')
    assert (report.tests, report.passed, report.pass_rate) == (4, 3, 0.75)


@pytest.mark.parametrize(("data", "message"), [
    (b"<testsuites><testsuite>", "not well-formed XML"),
    (b"<coverage/>", "root element <coverage> is not one of <testsuites>, <testsuite>"),
    (b'<!DOCTYPE x [<!ENTITY a "b">]><testsuites>&a;</testsuites>', "not well-formed XML"),
])
def test_bad_junit_is_a_clear_error(data, message):
    with pytest.raises(ReportError, match=message):
        parse_junit(data)


def test_cobertura_overall_and_per_component_files():
    report = parse_cobertura((FIXTURES / "coverage.xml").read_bytes())
    assert (report.line_rate, report.branch_rate, report.lines_valid, report.lines_covered) == (0.6, 0.25, 10, 6)
    assert report.files == {"training/recs/train.py": (4, 3), "services/recs/app.py": (6, 3)}
    training = report.restricted(lambda name: name.startswith("training/"))
    assert (training.line_rate, training.lines_valid, training.lines_covered) == (0.75, 4, 3)


def test_reports_are_stored_once_per_file(store, tmp_path):
    first = record_junit(store, FIXTURES / "junit.xml", "recs-model")
    again = record_junit(store, FIXTURES / "junit.xml", "recs-model")
    inventory = tmp_path / "mldebt.yaml"
    inventory.write_text("version: 1\ncomponents:\n  - {name: recs-model, kind: model, paths: ['training/recs/**']}\n")
    coverage = record_coverage(store, FIXTURES / "coverage.xml", "recs-model", inventory)
    assert (first.created, again.created, coverage.created) == (True, False, True)
    with store.session() as session:
        rows = list_test_reports(session)
        assert [(r.kind, r.component, r.tests, r.pass_rate, r.line_rate, r.lines_valid) for r in rows] == [
            ("junit", "recs-model", 5, 0.5, None, None), ("coverage", "recs-model", None, None, 0.75, 4)]


def test_ingest_cli(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    db = f"sqlite:///{tmp_path / 'x.db'}"
    assert main(["--db", db, "ingest", "junit", str(FIXTURES / "junit.xml"), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["pass_rate"] == 0.5
    assert main(["--db", db, "ingest", "coverage", str(FIXTURES / "coverage.xml")]) == 0
    assert "recorded as coverage: line_rate 0.6" in capsys.readouterr().out
    assert main(["--db", db, "ingest", "junit", str(tmp_path / "none.xml")]) == 2
    assert capsys.readouterr().err.strip() == f"error: no report file at {tmp_path / 'none.xml'}"
    (tmp_path / "bad.xml").write_text("<html/>")
    assert main(["--db", db, "ingest", "coverage", str(tmp_path / "bad.xml")]) == 2
    assert capsys.readouterr().err.strip() == (f"error: {tmp_path / 'bad.xml'}: root element <html> is not one of "
                                                "<coverage>")
