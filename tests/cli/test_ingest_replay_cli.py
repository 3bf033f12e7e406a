"""`mldebt ingest replay` goes on past a stored delivery that crashes the parser."""

import json
import shutil
from pathlib import Path

import pytest

from mldebt.errors import PayloadError
from mldebt.ingest import alertmanager
from tests.support.cli import enter_tmp, run

ROOT = Path(__file__).resolve().parents[2]
FIRING = json.loads((ROOT / "tests" / "fixtures" / "ingest" / "alertmanager_firing.json").read_text())


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    enter_tmp(tmp_path, monkeypatch)
    shutil.copy(ROOT / "examples" / "storefront" / "mldebt.yaml", tmp_path / "mldebt.yaml")
    return tmp_path


def test_replay_marks_the_delivery_that_crashes_the_parser_failed_and_applies_the_other(capsys, tmp_path,
                                                                                          monkeypatch):
    crashing = {**FIRING, "groupKey": "deep"}
    (tmp_path / "two.ndjson").write_text(f"{json.dumps(crashing)}\n{json.dumps(FIRING)}\n")
    original = alertmanager.parse

    def old_parser(delivery):
        raise PayloadError("the parser had a bug")

    def parser_with_a_crash(delivery):
        if b'"deep"' in delivery.body:
            raise RecursionError("maximum recursion depth exceeded")
        return original(delivery)

    monkeypatch.setattr(alertmanager, "parse", old_parser)
    code, out, _ = run(capsys, "ingest", "two.ndjson", "--source", "alertmanager", "--format", "json")
    assert json.loads(out)["statuses"] == {"failed": 2}
    monkeypatch.setattr(alertmanager, "parse", parser_with_a_crash)
    code, out, _ = run(capsys, "ingest", "replay")
    assert code == 0 and out.splitlines() == [
        "replayed: 1 parsed, 0 duplicate, 1 still failing",
        "  raw event 1 (alertmanager): payload could not be parsed (RecursionError: maximum recursion depth exceeded)"]
