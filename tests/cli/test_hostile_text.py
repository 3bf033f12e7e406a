"""Hostile text is printed as it is: never Rich markup, never a terminal control sequence.

A drift column named `[/bold]` once crashed the table (Rich's MarkupError, exit 3); an incident
title from a webhook could clear the operator's screen (`\\x1b[2J`) or rewrite a line (`\\r`). Every
command that prints user data shows it literally, control characters escaped; JSON keeps the exact
values.
"""

import json
import shutil
import textwrap
from pathlib import Path

import pytest

from mldebt.cli.common import out, visible
from tests.support.cli import enter_tmp, run

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = "[/bold][red][link=x]y[/link]\x1b[2J\r:warning:"
SHOWN = r"[/bold][red][link=x]y[/link]\x1b[2J\r:warning:"


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    enter_tmp(tmp_path, monkeypatch)
    monkeypatch.setattr(out, "width", 300)  # wide enough that no hostile cell wraps or is cut with an ellipsis
    shutil.copy(ROOT / "examples" / "storefront" / "mldebt.yaml", tmp_path / "mldebt.yaml")
    return tmp_path


def printed_safely(text: str) -> bool:
    """No escape, carriage return or other control character but newline reaches the terminal."""
    return all(c == "\n" or c >= " " for c in text) and "\x7f" not in text


def test_visible_escapes_every_terminal_control_but_tab_and_newline():
    assert visible("a\x1b[2J\rb\tc\nd\x00\x08\x7f\x9b\u202eé[/bold]") == (
        "a\\x1b[2J\\rb\tc\nd\\x00\\x08\\x7f\\x9b\\u202eé[/bold]")


def alert(fingerprint: str, service: str, day: int) -> str:
    labels = {"alertname": HOSTILE, "service": service, "severity": "page"}
    return json.dumps({"version": "4", "status": "firing", "receiver": "mldebt", "commonLabels": labels,
                       "alerts": [{"status": "firing", "labels": labels, "annotations": {"summary": HOSTILE},
                                   "startsAt": f"2026-11-{day:02d}T10:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
                                   "fingerprint": fingerprint}]})


@pytest.fixture
def hostile_incidents(capsys, tmp_path):
    """Three alerts of recs-api whose name (the culprit) and summary (the title) are hostile, one unlinked."""
    lines = [alert(f"f{day}", "recs-api", day) for day in (10, 12, 14)] + [alert("f99", HOSTILE, 15)]
    ticket = json.loads((ROOT / "tests" / "fixtures" / "ingest" / "zendesk_ticket_created.json").read_text())
    ticket["detail"].update(subject=HOSTILE, tags=[HOSTILE])
    (tmp_path / "tickets.ndjson").write_text(json.dumps(ticket) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "ingest", "tickets.ndjson", "--source", "zendesk")
    assert (code, err) == (0, "") and "1 parsed" in out
    (tmp_path / "alerts.ndjson").write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "ingest", "alerts.ndjson", "--source", "alertmanager")
    assert (code, err) == (0, "") and "4 parsed" in out


def test_incident_titles_culprits_and_services_print_literally_in_every_incidents_command(capsys, hostile_incidents):
    code, out, err = run(capsys, "incidents", "list")
    assert (code, err) == (0, "") and printed_safely(out)
    assert out.count(SHOWN) == 4 and "(unlinked)" in out
    code, out, err = run(capsys, "incidents", "unlinked")
    assert (code, err) == (0, "") and printed_safely(out)
    assert [line.split("│")[4].strip() for line in out.splitlines() if line.startswith("│")] == [SHOWN, SHOWN]
    code, out, err = run(capsys, "incidents", "recurring", "--as-of", "2026-11-30")
    assert (code, err) == (0, "") and printed_safely(out)
    assert out.splitlines() == [f"medium recs-api: recurring failure: culprit {SHOWN} (3 times in 30 days)"]
    code, out, err = run(capsys, "incidents", "--by", "category")
    assert (code, err) == (0, "") and printed_safely(out)


def test_json_keeps_the_exact_hostile_values(capsys, hostile_incidents):
    code, out, _ = run(capsys, "incidents", "list", "--format", "json")
    assert code == 0 and [r["title"] for r in json.loads(out)] == [HOSTILE] * 4
    assert "\x1b" not in out  # JSON escapes it: \u001b
    code, out, _ = run(capsys, "incidents", "recurring", "--as-of", "2026-11-30", "--format", "json")
    assert code == 0 and json.loads(out)[0]["message"] == f"recurring failure: culprit {HOSTILE} (3 times in 30 days)"


def test_owner_and_version_from_the_inventory_print_literally(capsys, tmp_path):
    catalog = tmp_path / "mldebt.yaml"
    text = catalog.read_text(encoding="utf-8")
    catalog.write_text(text.replace("owner: conversational-ai", f"owner: {json.dumps(HOSTILE)}", 1)
                       .replace('version: "2.3.0"', f"version: {json.dumps(HOSTILE)}", 1), encoding="utf-8")
    code, out, err = run(capsys, "catalog", "import", "--as-of", "2026-11-30")
    assert (code, err) == (0, "") and printed_safely(out)
    code, out, err = run(capsys, "catalog", "list", "--as-of", "2026-11-30")
    assert (code, err) == (0, "") and printed_safely(out)
    row = next(line for line in out.splitlines() if line.startswith("│ order-intent-model "))
    assert [cell.strip() for cell in row.strip("│").split("│")][:5] == [
        "order-intent-model", "model", SHOWN, "production", SHOWN]
    code, out, _ = run(capsys, "catalog", "list", "--format", "json")
    row = next(r for r in json.loads(out) if r["name"] == "order-intent-model")
    assert code == 0 and (row["owner"], row["version"]) == (HOSTILE, HOSTILE)


def test_a_hostile_name_in_an_invalid_inventory_is_one_escaped_error(capsys, tmp_path):
    (tmp_path / "bad.yaml").write_text(f"version: 1\ncomponents:\n  - name: {json.dumps(HOSTILE)}\n    kind: model\n",
                                       encoding="utf-8")
    code, out, err = run(capsys, "catalog", "validate", "bad.yaml")
    assert (code, out) == (2, "") and printed_safely(err) and "components[0].name" in err


def test_scanned_file_names_and_marker_text_print_literally(capsys, tmp_path):
    code_dir = tmp_path / "code"
    code_dir.mkdir()
    (code_dir / "[red]x\x1b[2J.py").write_text("# TODO [/bold] fix \x1b[2J now\n", encoding="utf-8")
    code, out, err = run(capsys, "scan", "code", "--no-store", "--no-hotspots")
    assert (code, err) == (0, "") and printed_safely(out)
    row = next(line for line in out.splitlines() if "MLD301" in line)
    assert [cell.strip() for cell in row.strip("│").split("│")][3:5] == [
        r"[red]x\x1b[2J.py:1", r"TODO: [/bold] fix \x1b[2J now"]
    code, out, err = run(capsys, "scan", "code", "--no-store", "--no-hotspots", "--format", "md")
    assert (code, err) == (0, "") and printed_safely(out)
    assert r"| low | MLD301 | unassigned | `[red]x\x1b[2J.py:1` | TODO: [/bold] fix \x1b[2J now | 15 |" in out
    code, out, _ = run(capsys, "scan", "code", "--no-store", "--no-hotspots", "--format", "json")
    finding = json.loads(out)["runs"][0]["findings"][0]
    assert code == 0 and (finding["file"], finding["message"]) == ("[red]x\x1b[2J.py", "TODO: [/bold] fix \x1b[2J now")


def test_token_names_print_literally(capsys):
    code, out, err = run(capsys, "token", "create", "--role", "viewer", "--name", HOSTILE)
    assert (code, err) == (0, "") and printed_safely(out) and f"(viewer, {SHOWN}): shown once" in out
    code, out, err = run(capsys, "token", "list")
    assert (code, err) == (0, "") and printed_safely(out) and SHOWN in out
    code, out, _ = run(capsys, "token", "list", "--format", "json")
    assert code == 0 and json.loads(out)[0]["name"] == HOSTILE


def test_a_retrain_output_tail_prints_literally(capsys, tmp_path):
    from tests.cli.test_retrain_cli import pending

    (tmp_path / "train.py").write_text(textwrap.dedent("""\
        import sys
        print("[/bold] epoch 1 \\x1b[2J [link=http://evil]x[/link]")
        sys.exit(1)
        """), encoding="utf-8")
    request_id = pending(tmp_path, "{python} train.py")
    code, out, err = run(capsys, "retrain", "approve", "recs-model")
    assert (code, err) == (1, "") and printed_safely(out)
    assert r"  [/bold] epoch 1 \x1b[2J [link=http://evil]x[/link]" in out.splitlines()
    code, out, err = run(capsys, "retrain", "list")
    assert (code, err) == (0, "") and printed_safely(out)
    assert f"request {request_id} (recs-model), last lines of the output:" in out
    assert r"  [/bold] epoch 1 \x1b[2J [link=http://evil]x[/link]" in out.splitlines()


def test_every_console_of_the_cli_is_a_data_console_and_nothing_asks_for_markup():
    """Later commands stay safe too: a plain `Console(...)` or `markup=True` would read data as markup again."""
    sources = {path.name: path.read_text(encoding="utf-8") for path in (ROOT / "src" / "mldebt").rglob("*.py")}
    assert [name for name, text in sources.items() if "Console(" in text.replace("DataConsole(", "")] == []
    assert [name for name, text in sources.items() if "markup=True" in text or "from_markup" in text] == []


def test_drift_column_names_with_control_characters_print_escaped(capsys, tmp_path):
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(5)
    for name, shift in (("ref", 0.0), ("cur", 1.0)):
        pq.write_table(pa.table({HOSTILE: rng.normal(shift, 1, 300)}), tmp_path / f"{name}.parquet")
    code, out, err = run(capsys, "drift", "ref.parquet", "cur.parquet")
    assert (code, err) == (0, "") and printed_safely(out)
    rows = [[cell.strip() for cell in line.split("│")] for line in out.splitlines() if line.startswith("│")]
    assert (rows[0][1], rows[0][8], rows[1][1], rows[1][3]) == (SHOWN, "DRIFT", "medium", SHOWN)  # drift, quality
    code, out, _ = run(capsys, "drift", "ref.parquet", "cur.parquet", "--format", "json")
    assert code == 0 and [c["name"] for c in json.loads(out)["columns"]] == [HOSTILE]


def test_an_error_naming_a_hostile_path_is_one_escaped_line(capsys):
    code, out, err = run(capsys, "catalog", "validate", f"{HOSTILE}.yaml")
    assert (code, out) == (2, "")
    assert err == f"error: no inventory file at {SHOWN}.yaml (create one with `mldebt init`)\n"
