"""`mldebt ingest`, `mldebt incidents`, `mldebt token` in-process through `main()`."""

import json
import shutil
from pathlib import Path

import pytest

from mldebt.settings import SETTINGS_FILE, source_secret
from tests.support.cli import enter_tmp, run

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "examples" / "storefront" / "events"
FIXTURES = ROOT / "tests" / "fixtures" / "ingest"


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    enter_tmp(tmp_path, monkeypatch)
    shutil.copy(ROOT / "examples" / "storefront" / "mldebt.yaml", tmp_path / "mldebt.yaml")
    return tmp_path


def test_ingest_file_shorthand_backfills_and_is_idempotent(capsys):
    code, out, _ = run(capsys, "ingest", str(EVENTS / "alertmanager.ndjson"), "--source", "alertmanager")
    assert code == 0 and "52 records from alertmanager: 52 parsed" in out
    code, out, _ = run(capsys, "ingest", "file", str(EVENTS / "alertmanager.ndjson"), "--source", "alertmanager",
                       "--format", "json")
    assert code == 0 and json.loads(out)["statuses"] == {"duplicate": 52}


def test_bad_lines_are_kept_as_failed_and_replayed(capsys, tmp_path):
    good = (FIXTURES / "alertmanager_firing.json").read_text().replace("\n", " ")
    (tmp_path / "mixed.ndjson").write_text(f"{good}\n{{not json\n")
    code, out, _ = run(capsys, "ingest", "mixed.ndjson", "--source", "alertmanager", "--format", "json")
    result = json.loads(out)
    assert code == 0 and result["statuses"] == {"failed": 1, "parsed": 1}
    assert result["errors"] == ["mixed.ndjson:2: body is not JSON: Expecting property name enclosed in double quotes "
                                "at line 1 column 2"]
    code, out, _ = run(capsys, "ingest", "replay")
    assert code == 0 and out.splitlines() == [
        "replayed: 0 parsed, 0 duplicate, 1 still failing",
        "  raw event 2 (alertmanager): body is not JSON: Expecting property name enclosed in double quotes at line 1 "
        "column 2"]


def test_unknown_source_is_one_line(capsys):
    code, out, err = run(capsys, "ingest", str(EVENTS / "sentry.ndjson"), "--source", "nagios")
    assert (code, out) == (2, "")
    assert err.strip() == ("error: --source: 'nagios' is not one of sentry, alertmanager, zendesk, zigpoll, "
                           "bigcommerce")


def test_a_file_where_nothing_parses_exits_2_and_names_the_source_it_looks_like(capsys):
    code, out, err = run(capsys, "ingest", str(EVENTS / "sentry.ndjson"), "--source", "zendesk")
    assert code == 2 and "46 records from zendesk: 46 failed" in out
    assert err.splitlines() == ["error: none of the 46 record(s) parsed as zendesk (they look like sentry payloads: "
                                "try --source sentry); they are kept as failed raw events"]
    code, out, _ = run(capsys, "ingest", str(EVENTS / "sentry.ndjson"), "--source", "zendesk", "--format", "json")
    assert code == 2 and json.loads(out)["looks_like"] == ["sentry"]


def test_a_file_of_no_payloads_at_all_names_every_source(capsys, tmp_path):
    (tmp_path / "notes.ndjson").write_text('{"hello": "world"}\nplain text\n')
    code, _, err = run(capsys, "ingest", "notes.ndjson", "--source", "alertmanager")
    assert code == 2 and err.splitlines() == [
        "error: none of the 2 record(s) parsed as alertmanager (they look like none of sentry, alertmanager, zendesk, "
        "zigpoll, bigcommerce); they are kept as failed raw events"]


def test_incidents_mttr_list_unlinked_recurring(capsys):
    run(capsys, "ingest", str(EVENTS / "sentry.ndjson"), "--source", "sentry")
    code, out, _ = run(capsys, "incidents", "--format", "json")
    groups = {row["group"]: row for row in json.loads(out)}
    assert code == 0 and set(groups) == {"(unlinked)", "fraud-model", "order-bot-nlp", "recs-api"}
    assert groups["recs-api"]["resolved"] == 9
    code, out, _ = run(capsys, "incidents", "--component", "recs-api", "--since", "2026-10-01")
    assert code == 0 and "MTTR per component" in out and "recs-api" in out
    code, out, _ = run(capsys, "incidents", "unlinked", "--format", "json")
    assert [i["attributes"]["project"] for i in json.loads(out)] == ["search-api"]
    code, out, _ = run(capsys, "incidents", "recurring", "--as-of", "2026-11-24")
    assert code == 0 and "recs-api: recurring failure: TimeoutError" in out
    code, _, err = run(capsys, "incidents", "--since", "last week")
    assert code == 2 and err.strip() == "error: --since: bad date 'last week', expected YYYY-MM-DD"


def test_token_create_prints_the_token_once_and_stores_a_hash(capsys):
    code, out, _ = run(capsys, "token", "create", "--role", "editor", "--name", "ci")
    token = out.splitlines()[0]
    assert code == 0 and token.startswith("mldt_") and len(token) > 40
    code, out, _ = run(capsys, "token", "list", "--format", "json")
    [row] = json.loads(out)
    assert (row["role"], row["name"], row["revoked"]) == ("editor", "ci", False) and token not in out
    assert run(capsys, "token", "revoke", str(row["id"]))[0] == 0
    code, _, err = run(capsys, "token", "create", "--role", "root")
    assert code == 2 and err.strip() == "error: --role: 'root' is not one of viewer, editor, admin"


def test_secret_from_the_settings_file(tmp_path, monkeypatch):
    monkeypatch.delenv("MLDEBT_SENTRY_SECRET", raising=False)
    (tmp_path / "settings.toml").write_text('sentry_secret = "from-file"\n')
    monkeypatch.setenv(SETTINGS_FILE.env, str(tmp_path / "settings.toml"))
    assert source_secret("sentry") == "from-file"
    monkeypatch.setenv("MLDEBT_SENTRY_SECRET", "from-env")
    assert source_secret("sentry") == "from-env"
    assert source_secret("zendesk") is None
