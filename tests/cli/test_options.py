"""One name per concept, and bad option values refused in one line with exit 2 before any work is stored."""

import datetime as dt
import json
import shutil
import time
from pathlib import Path

import pytest

from mldebt.cli.common import parse_as_of
from tests.support.cli import enter_tmp, run

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "storefront" / "mldebt.yaml"
EVENTS = ROOT / "examples" / "storefront" / "events"
STORE = Path(".mldebt/mldebt.db")
INVENTORY = ('version: 1\ncomponents:\n  - {name: recs-model, kind: model, owner: ml, lifecycle: production, '
             'paths: ["recs/**"]}\n')


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    enter_tmp(tmp_path, monkeypatch)
    (tmp_path / "code" / "recs").mkdir(parents=True)
    (tmp_path / "code" / "recs" / "train.py").write_text("import pickle\nm = pickle.load(open('m.pkl', 'rb'))\n")
    (tmp_path / "inventory.yaml").write_text(INVENTORY)
    return tmp_path


def scan_components(capsys, *args: str) -> set[str]:
    code, out, _ = run(capsys, "scan", "code", "--no-store", "--no-hotspots", "--format", "json", *args)
    assert code == 0
    return {f["component"] for scanned in json.loads(out)["runs"] for f in scanned["findings"]}


def test_scan_takes_the_inventory_as_catalog_and_the_old_config_as_a_hidden_alias(capsys):
    assert scan_components(capsys, "--catalog", "inventory.yaml") == {"recs-model"}
    assert scan_components(capsys, "--config", "inventory.yaml") == {"recs-model"}
    assert scan_components(capsys) == {"unassigned"}
    help_text = run(capsys, "scan", "--help")[1]
    assert "--catalog" in help_text and "--config" not in help_text


def test_ingest_coverage_takes_catalog_and_hides_config(capsys):
    help_text = run(capsys, "ingest", "coverage", "--help")[1]
    assert "--catalog" in help_text and "--config" not in help_text


def test_scan_history_span_is_history_with_since_kept_hidden(capsys):
    help_text = run(capsys, "scan", "--help")[1]
    assert "--history" in help_text and "--since" not in help_text
    for option in ("--history", "--since"):
        code, _, err = run(capsys, "scan", "code", "--no-store", option, "last tuesday")
        assert (code, err.splitlines()) == (2, [
            "error: --history: bad span 'last tuesday', expected N.days, N.weeks, N.months, N.years or YYYY-MM-DD "
            "(e.g. 12.months)"])
    assert run(capsys, "scan", "code", "--no-store", "--history", "6.months", "--format", "json")[0] == 0


def test_incidents_options_before_a_subcommand_are_an_error_not_silently_dropped(capsys):
    code, out, err = run(capsys, "incidents", "--component", "recs-api", "list")
    assert (code, out) == (2, "")
    assert err.splitlines() == ["error: --component before `list` would be ignored: options of a subcommand go "
                                "after it (`mldebt incidents list --component ...`, see its --help)"]
    assert not STORE.exists()


@pytest.mark.parametrize("args", [
    ["scan", "code", "-o", "/nonexistent/x.json", "--format", "json"],
    ["scan", "code", "--write-baseline", "/nonexistent/baseline.json"],
    ["drift", "a.csv", "b.csv", "--output", "/nonexistent/x.json"],
])
def test_an_output_in_a_missing_folder_is_refused_before_any_work_is_stored(capsys, args):
    code, out, err = run(capsys, *args)
    assert (code, out) == (2, "")
    option = "--write-baseline" if "--write-baseline" in args else ("-o" if "-o" in args else "--output")
    path = args[args.index(option) + 1]
    shown = "--write-baseline" if option == "--write-baseline" else "--output"
    assert err.splitlines() == [f"error: {shown}: cannot write {path}: folder /nonexistent does not exist"]
    assert not STORE.exists()


def test_an_output_that_is_a_folder_is_refused(capsys):
    code, _, err = run(capsys, "scan", "code", "--no-store", "-o", "code")
    assert (code, err.splitlines()) == (2, ["error: --output: code is a directory, expected a file path"])


def test_unknown_status_source_component_and_since_are_one_line_exit_2(capsys):
    run(capsys, "catalog", "import", str(EXAMPLE), "--as-of", "2026-11-25")
    cases = {
        ("incidents", "list", "--status", "closed"):
            "error: Invalid value for '--status': 'closed' is not one of 'open', 'resolved'. "
            "(see `mldebt incidents list --help`)",
        ("ingest", "replay", "--source", "nagios"):
            "error: --source: 'nagios' is not one of sentry, alertmanager, zendesk, zigpoll, bigcommerce",
        ("incidents", "list", "--since", "2026-13-01"): "error: --since: bad date '2026-13-01', expected YYYY-MM-DD",
    }
    for args, message in cases.items():
        code, out, err = run(capsys, *args)
        assert (code, out, err.splitlines()) == (2, "", [message]), args
    for args in (["incidents", "--component", "recs"], ["incidents", "list", "--component", "recs"],
                 ["retrain", "list", "--component", "recs"]):
        code, out, err = run(capsys, *args)
        assert (code, out) == (2, ""), args
        assert err.startswith("error: --component: unknown component 'recs'; known: chat-transcripts, clickstream, "
                              "demand-forecast, ")
        assert len(err.splitlines()) == 1 and "recs-model" in err


def test_a_component_named_only_by_linked_incidents_is_known(capsys, tmp_path):
    shutil.copy(EXAMPLE, tmp_path / "mldebt.yaml")
    run(capsys, "ingest", str(EVENTS / "sentry.ndjson"), "--source", "sentry")
    code, out, _ = run(capsys, "incidents", "list", "--component", "recs-api", "--format", "json")
    assert code == 0 and {r["component"] for r in json.loads(out)} == {"recs-api"}
    code, _, err = run(capsys, "incidents", "list", "--component", "nope")
    assert code == 2 and err.startswith("error: --component: unknown component 'nope'; known: fraud-model, ")


@pytest.fixture
def far_from_utc(monkeypatch):
    """A time zone whose local date differs from the UTC date right now (UTC-12 before noon, UTC+14 after)."""
    zone = "Etc/GMT+12" if dt.datetime.now(dt.UTC).hour < 12 else "Etc/GMT-14"
    monkeypatch.setenv("TZ", zone)
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_as_of_defaults_to_today_in_utc(far_from_utc):
    assert dt.date.today() != dt.datetime.now(dt.UTC).date()  # the premise: local and UTC dates differ
    assert parse_as_of(None) == dt.datetime.now(dt.UTC).date()
