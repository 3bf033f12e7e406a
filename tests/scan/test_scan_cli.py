"""`mldebt scan` end to end: formats, SARIF schema, baselines, --fail-on, config errors."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tests.support.cli import enter_tmp, run

SCHEMA = Path(__file__).resolve().parents[1] / "fixtures" / "scan" / "sarif-schema-2.1.0.json"


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    enter_tmp(tmp_path, monkeypatch)


def test_sarif_output_validates_against_the_official_schema(capsys, storefront_repo):
    code, out, _ = run(capsys, "scan", str(storefront_repo), "--format", "sarif", "--no-store")
    assert code == 0
    sarif = json.loads(out)
    schema = json.loads(SCHEMA.read_text())
    jsonschema.validators.validator_for(schema)(schema).validate(sarif)
    run_ = sarif["runs"][0]
    rules = {r["id"] for r in run_["tool"]["driver"]["rules"]}
    assert {"MLD101", "MLD406", "MLD801"} <= rules
    assert all(r["help"]["text"] for r in run_["tool"]["driver"]["rules"])
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run_["results"])
    results = run_["results"]
    assert len(results) == 42
    assert all(len(r["partialFingerprints"]["mldebt/v1"]) == 32 for r in results)
    leak = next(r for r in results if r["ruleId"] == "MLD403")
    assert leak["level"] == "error"
    assert leak["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "training/recs/train.py", "uriBaseId": "%SRCROOT%"}
    assert run_["originalUriBaseIds"]["%SRCROOT%"]["uri"] == storefront_repo.resolve().as_uri() + "/"


def test_baseline_then_one_new_problem_reports_exactly_that_one(capsys, storefront_repo, tmp_path):
    baseline = tmp_path / "baseline.json"
    code, _, err = run(capsys, "scan", str(storefront_repo), "--no-store", "--write-baseline", str(baseline),
                       "--format", "json", "--fail-on", "high", "--baseline", str(baseline) + ".none")
    assert code == 2 and "no baseline file at" in err
    code, _, err = run(capsys, "scan", str(storefront_repo), "--no-store", "--write-baseline", str(baseline),
                       "--format", "json")
    assert code == 0 and "wrote 42 fingerprints" in err
    code, out, _ = run(capsys, "scan", str(storefront_repo), "--no-store", "--baseline", str(baseline),
                       "--fail-on", "high", "--format", "json")
    assert code == 0 and json.loads(out)["new_findings"] == 0
    path = storefront_repo / "services/recs/app.py"
    path.write_text("import pickle\n\n" + path.read_text() + "\n\ndef load(handle):\n    return pickle.load(handle)\n")
    code, out, err = run(capsys, "scan", str(storefront_repo), "--no-store", "--baseline", str(baseline),
                         "--fail-on", "high", "--format", "json")
    assert code == 1
    assert err.strip().splitlines()[-1] == "1 new finding(s) at or above high: failing (--fail-on high)"
    report = json.loads(out)
    new = [f for f in report["runs"][0]["findings"] if not f["baseline"]]
    assert [(f["rule_id"], f["file"]) for f in new] == [("MLD405", "services/recs/app.py")]
    code, out, _ = run(capsys, "scan", str(storefront_repo), "--no-store", "--baseline", str(baseline),
                       "--format", "sarif")
    states = [r["baselineState"] for r in json.loads(out)["runs"][0]["results"]]
    assert states.count("new") == 1 and states.count("unchanged") == 42


def test_fail_on_without_baseline_counts_everything(capsys, storefront_repo):
    code, _, err = run(capsys, "scan", str(storefront_repo), "--no-store", "--fail-on", "critical", "--format", "md",
                       "--output", "report.md")
    assert code == 1 and "3 finding(s) at or above critical" in err
    text = Path("report.md").read_text()
    assert text.startswith("# mldebt scan") and "| critical | MLD406 | recs-service |" in text
    assert "### ML Test Score" in text
    assert "| final | missing | governance |" in text
    assert " | not reviewed: fairness missing, explainability missing, privacy missing |" in text


def test_table_output_and_stored_runs_mark_fixed_findings(capsys, storefront_repo):
    code, out, _ = run(capsys, "scan", str(storefront_repo), "--as-of", "2026-11-25")
    assert code == 0 and "42 findings, 1 suppressed" in out and "stored: 42 new, 0 reopened, 0 fixed" in out
    assert "Debt per component" in out and "ML Test Score" in out and "Hotspots" in out
    (storefront_repo / "broken.py").unlink()
    code, out, _ = run(capsys, "scan", str(storefront_repo), "--as-of", "2026-11-25")
    assert "stored: 0 new, 0 reopened, 1 fixed since the last scan" in out


@pytest.mark.parametrize(("yaml", "message"), [
    ("scan:\n  disable: [MLD999]\n", "error: scan: unknown rule id(s) MLD999 (see `mldebt rules`)"),
    ("scan:\n  severity: {MLD401: urgent}\n", "error: scan.severity.MLD401: unknown severity 'urgent'"),
    ("scan:\n  colour: red\n", "error: scan: unknown key(s) colour (expected artifacts, disable, exclude, hotspots, "
     "ml_test_score, severity)"),
])
def test_bad_scan_config_is_one_line_exit_2(capsys, tmp_path, yaml, message):
    (tmp_path / "src").mkdir()
    (tmp_path / "mldebt.yaml").write_text("version: 1\n" + yaml)
    code, out, err = run(capsys, "scan", "src", "--config", "mldebt.yaml", "--no-store")
    assert (code, out) == (2, "")
    assert err.splitlines() == [message]


def test_config_disables_and_reranks_rules(capsys, storefront_repo):
    inventory = storefront_repo / "mldebt.yaml"
    inventory.write_text(inventory.read_text().replace(
        "scan:\n", "scan:\n  disable: [MLD501, MLD502]\n  severity: {MLD401: critical}\n  exclude: ['lib/**']\n"))
    code, out, _ = run(capsys, "scan", str(storefront_repo), "--no-store", "--format", "json")
    assert code == 0
    findings = json.loads(out)["runs"][0]["findings"]
    assert not [f for f in findings if f["rule_id"] in ("MLD501", "MLD502")]
    assert not [f for f in findings if (f["file"] or "").startswith("lib/")]
    assert {f["severity"] for f in findings if f["rule_id"] == "MLD401"} == {"critical"}


def test_several_roots_and_no_hotspots(capsys, storefront_repo):
    code, out, _ = run(capsys, "scan", str(storefront_repo / "services"), str(storefront_repo / "training"),
                       "--config", str(storefront_repo / "mldebt.yaml"), "--no-store", "--no-hotspots",
                       "--format", "json")
    assert code == 0
    runs = json.loads(out)["runs"]
    assert [Path(r["root"]).name for r in runs] == ["services", "training"]
    assert not [f for r in runs for f in r["findings"] if f["rule_id"] == "MLD801"]
    leak = next(f for f in runs[1]["findings"] if f["rule_id"] == "MLD403")
    assert (leak["file"], leak["component"]) == ("recs/train.py", "recs-model")  # paths are repo-relative


def test_missing_folder_is_a_user_error(capsys):
    code, _, err = run(capsys, "scan", "nowhere", "--no-store")
    assert code == 2 and err.strip() == "error: nowhere is not a folder to scan"


def test_rules_command_and_generated_docs_match(capsys):
    code, out, _ = run(capsys, "rules", "--format", "md")
    assert code == 0
    docs = Path(__file__).resolve().parents[2] / "docs" / "rules.md"
    assert out == docs.read_text(), "docs/rules.md is stale: run `mldebt rules --format md > docs/rules.md`"
    code, out, _ = run(capsys, "rules", "--format", "json")
    assert [r["id"] for r in json.loads(out)][:2] == ["MLD101", "MLD102"]
