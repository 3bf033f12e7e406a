"""`mldebt retrain approve|list`: a failed retrain shows its exit code and output tail and exits 1;
a running request is one line and exit 2."""

import datetime as dt
import json
import textwrap

import pytest

from mldebt.domain.component import RetrainTrigger
from mldebt.service.retrain import STALE_AFTER, fire
from mldebt.store.database import open_store
from mldebt.store.drift import claim_request
from tests.service.test_retrain import NOW
from tests.support.cli import enter_tmp, run


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    enter_tmp(tmp_path, monkeypatch)
    return tmp_path


def pending(tmp_path, command: str) -> int:
    store = open_store("sqlite:///.mldebt/mldebt.db")
    with store.session() as session:
        fired = fire(session, "recs-model", RetrainTrigger(mode="approve", command=command), None, {}, NOW, tmp_path)
    store.close()
    return fired.request_id


def test_a_failed_retrain_prints_its_exit_code_and_last_lines_and_exits_1(capsys, tmp_path):
    (tmp_path / "train.py").write_text(textwrap.dedent("""\
        import sys
        for i in range(1, 26):
            print(f"epoch {i}")
        sys.exit("out of memory")
        """))
    request_id = pending(tmp_path, "{python} train.py")
    code, out, err = run(capsys, "retrain", "approve", "recs-model")
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        f"retrain request {request_id} for recs-model: failed (attempt 1, exit code 1)",
        "last lines of the output:",
        *[f"  epoch {i}" for i in range(7, 26)],
        "  out of memory",
        f"fix the cause, then retry with `mldebt retrain approve {request_id}`",
    ]
    code, out, _ = run(capsys, "retrain", "approve", str(request_id), "--format", "json")
    result = json.loads(out)
    assert (code, result["status"], result["attempts"]) == (1, "failed", 2)
    assert (result["outcome"]["exit_code"], result["outcome"]["output_tail"].splitlines()[-2:]) == (
        1, ["epoch 25", "out of memory"])
    code, out, _ = run(capsys, "retrain", "list")
    assert code == 0
    row = next(line for line in out.splitlines() if line.startswith(f"│ {request_id} "))
    assert [cell.strip() for cell in row.strip("│").split("│")][:6] == [
        str(request_id), "recs-model", "approve", "failed", "2", "exit code 1"]
    assert f"request {request_id} (recs-model), last lines of the output:" in out


def test_approving_a_running_request_is_one_line_and_exit_2(capsys, tmp_path):
    request_id = pending(tmp_path, "true")
    started = dt.datetime.now(dt.UTC)  # running for less than the timeout: not stale
    store = open_store("sqlite:///.mldebt/mldebt.db")
    with store.session() as session:
        claim_request(session, request_id, started, stale_before=started - STALE_AFTER)
    store.close()
    code, out, err = run(capsys, "retrain", "approve", "recs-model")
    assert (code, out) == (2, "")
    assert err == (f"error: retrain request {request_id} for recs-model is already running (attempt 1, started "
                   f"{started:%Y-%m-%d %H:%M:%S} UTC); see `mldebt retrain list`\n")
