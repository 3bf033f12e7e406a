"""Retrain requests: commit, act, record (no transaction open while a command runs), one run per
claim even with two approvals at once, the output's tail on failure, and retries."""

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import mldebt
from mldebt.domain.component import RetrainTrigger
from mldebt.errors import NotFoundError, UserInputError
from mldebt.service import retrain
from mldebt.service.drift import DriftRequest, run_drift
from mldebt.service.retrain import approve, fire, list_requests
from mldebt.store.database import open_store
from mldebt.store.drift import add_drift_run, claim_request

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
REPORT = {"dataset_drift": True, "drift_share": 1.0, "drifted_columns": ["price"]}


@pytest.fixture
def sqlite_store(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'mldebt.db'}")
    yield store
    store.close()


def code_under_test() -> str:
    """PYTHONPATH for a subprocess that runs in another folder: this mldebt, not another install."""
    return os.pathsep.join([str(Path(mldebt.__file__).resolve().parents[1]), os.environ.get("PYTHONPATH", "")])


def script(tmp_path: Path, name: str, body: str) -> str:
    """A Python script in tmp_path; returns the retrain command that runs it with mldebt's Python."""
    (tmp_path / name).write_text(textwrap.dedent(body))
    return f"{{python}} {name}"


def pending_request(store, command: str, cwd: Path, component: str = "shop-model") -> int:
    with store.session() as session:
        run = add_drift_run(session, component, "ref.parquet", "cur.parquet", REPORT, NOW)
        fired = fire(session, component, RetrainTrigger(mode="approve", command=command), run.id,
                     {"drift_run_id": run.id}, NOW, cwd)
    assert fired.status == "pending"
    return fired.request_id


def write_drift_inputs(tmp_path: Path, command: str, mode: str) -> DriftRequest:
    catalog = tmp_path / "mldebt.yaml"
    catalog.write_text(textwrap.dedent(f"""\
        version: 1
        components:
          - name: shop-model
            kind: model
            owner: team
            lifecycle: production
            training_data: shop-data
            retrain: {{mode: {mode}, command: {json.dumps(command)}}}
          - name: shop-data
            kind: dataset
            owner: team
            lifecycle: production
            schema:
              - {{name: price, type: float}}
        """))
    rng = np.random.default_rng(0)
    for name, shift in (("ref", 0.0), ("cur", 1.0)):
        pq.write_table(pa.table({"price": rng.normal(10 + shift, 1, 2000)}), tmp_path / f"{name}.parquet")
    return DriftRequest(tmp_path / "ref.parquet", tmp_path / "cur.parquet", component="shop-model", catalog=catalog)


# The command writes to the store through its own connection with a 1 s lock timeout, and records
# what it saw: the request's status, and whether the write got through.
PROBE = """\
    import os, sqlite3, sys
    db = sqlite3.connect(sys.argv[1], timeout=1.0)
    request = os.environ["MLDEBT_RETRAIN_REQUEST_ID"]
    status = db.execute("SELECT status FROM retrain_requests WHERE id = ?", (request,)).fetchone()
    try:
        db.execute("CREATE TABLE probe (x INTEGER)")
        db.commit()
        wrote = "wrote"
    except sqlite3.OperationalError as exc:
        wrote = str(exc)
    open("seen.txt", "w").write(f"{status[0] if status else None} {wrote}")
    sys.exit(0 if wrote == "wrote" else 1)
    """


def test_an_auto_retrain_runs_after_the_drift_run_committed_with_the_store_writable(sqlite_store, tmp_path):
    command = script(tmp_path, "probe.py", PROBE) + f" {tmp_path / 'mldebt.db'}"
    outcome = run_drift(sqlite_store, write_drift_inputs(tmp_path, command, "auto"))
    assert (tmp_path / "seen.txt").read_text() == "running wrote"
    assert [(r.status, r.detail["exit_code"], r.detail["attempt"]) for r in outcome.retrain] == [("succeeded", 0, 1)]
    [row] = list_requests(sqlite_store)
    assert (row["status"], row["attempts"], row["drift_run_id"]) == ("succeeded", 1, outcome.run_id)


def test_an_approved_retrain_runs_with_the_request_running_and_the_store_writable(sqlite_store, tmp_path):
    command = script(tmp_path, "probe.py", PROBE) + f" {tmp_path / 'mldebt.db'}"
    request_id = pending_request(sqlite_store, command, tmp_path)
    result = approve(sqlite_store, str(request_id))
    assert (tmp_path / "seen.txt").read_text() == "running wrote"
    assert (result["status"], result["attempts"], result["outcome"]["exit_code"]) == ("succeeded", 1, 0)


def test_a_running_request_blocks_a_second_trigger(store, tmp_path):
    request_id = pending_request(store, "true", tmp_path)
    with store.session() as session:
        assert claim_request(session, request_id, NOW, stale_before=NOW - retrain.STALE_AFTER)
    with store.session() as session:
        again = fire(session, "shop-model", RetrainTrigger(mode="approve", command="true"), 1, {}, NOW, tmp_path)
        assert (again.status, again.request_id) == ("already-running", request_id)
    with pytest.raises(UserInputError) as caught:
        approve(store, "shop-model", NOW + dt.timedelta(minutes=5))
    assert str(caught.value) == (f"retrain request {request_id} for shop-model is already running (attempt 1, "
                                 "started 2026-11-25 12:00:00 UTC); see `mldebt retrain list`")
    assert [r["status"] for r in list_requests(store)] == ["running"]


def test_a_request_left_running_past_the_timeout_can_be_approved_again(store, tmp_path):
    request_id = pending_request(store, "true", tmp_path)
    with store.session() as session:
        claim_request(session, request_id, NOW, stale_before=NOW - retrain.STALE_AFTER)
    result = approve(store, str(request_id), NOW + retrain.STALE_AFTER + dt.timedelta(seconds=1))
    assert (result["status"], result["attempts"]) == ("succeeded", 2)


def test_two_approvals_at_once_run_the_command_once(tmp_path):
    """Two `mldebt retrain approve` processes on one SQLite file: one runs the command (which
    waits for the test's go), the other is told it is already running and exits 2."""
    url = f"sqlite:///{tmp_path / 'mldebt.db'}"
    store = open_store(url)
    command = script(tmp_path, "once.py", """\
        import pathlib, time
        with open("runs.txt", "a") as runs:
            runs.write("ran\\n")
        deadline = time.monotonic() + 120
        while not pathlib.Path("go").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        """)
    request_id = pending_request(store, command, tmp_path)
    store.close()
    exe = Path(sys.executable).with_name("mldebt")
    env = {**os.environ, "MLDEBT_DATABASE_URL": url, "COLUMNS": "200", "PYTHONPATH": code_under_test()}
    procs = [subprocess.Popen([str(exe), "retrain", "approve", "shop-model"], cwd=tmp_path, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    try:
        deadline = time.monotonic() + 120
        while all(p.poll() is None for p in procs) and time.monotonic() < deadline:
            time.sleep(0.05)
        [loser] = [p for p in procs if p.poll() is not None]
        [winner] = [p for p in procs if p is not loser]
        assert winner.poll() is None  # still running its command: the loser did not wait for it
        (tmp_path / "go").touch()
        won_out, _ = winner.communicate(timeout=120)
        lost_out, lost_err = loser.communicate(timeout=10)
    finally:
        (tmp_path / "go").touch()
        for p in procs:
            p.kill() if p.poll() is None else None
            p.wait()
    assert winner.returncode == 0, (won_out, lost_out, lost_err)
    assert (tmp_path / "runs.txt").read_text() == "ran\n"
    assert won_out.splitlines()[0] == f"retrain request {request_id} for shop-model: succeeded (attempt 1, exit code 0)"
    assert loser.returncode == 2 and lost_out == ""
    assert lost_err.startswith(f"error: retrain request {request_id} for shop-model is already running (attempt 1, ")


def test_a_failed_retrain_records_its_exit_code_and_the_last_20_lines(sqlite_store, tmp_path):
    command = script(tmp_path, "fail.py", """\
        import sys
        for i in range(1, 31):
            print(f"line {i}", file=sys.stderr if i % 2 else sys.stdout, flush=True)
        sys.exit(3)
        """)
    result = approve(sqlite_store, str(pending_request(sqlite_store, command, tmp_path)))
    assert (result["status"], result["attempts"], result["outcome"]["exit_code"]) == ("failed", 1, 3)
    assert result["outcome"]["output_tail"] == "\n".join(f"line {i}" for i in range(11, 31))


def test_the_output_tail_is_at_most_4_kb(sqlite_store, tmp_path):
    command = script(tmp_path, "loud.py", """\
        import sys
        sys.stdout.write("x" * 1_000_000 + "\\n" + "y" * 5000)
        sys.exit(1)
        """)
    result = approve(sqlite_store, str(pending_request(sqlite_store, command, tmp_path)))
    assert result["outcome"]["output_tail"] == "y" * 4096


def test_a_failed_request_is_retried_by_approving_it_again(store, tmp_path):
    command = script(tmp_path, "flaky.py", """\
        import pathlib, sys
        if not pathlib.Path("fixed").exists():
            sys.exit("the feature store is down")
        print("retrained")
        """)
    request_id = pending_request(store, command, tmp_path)
    first = approve(store, "shop-model")
    assert (first["id"], first["status"], first["outcome"]["output_tail"]) == (request_id, "failed",
                                                                               "the feature store is down")
    (tmp_path / "fixed").touch()
    second = approve(store, "shop-model")
    assert (second["id"], second["status"], second["attempts"]) == (request_id, "succeeded", 2)
    assert (second["outcome"]["attempt"], second["outcome"]["output_tail"]) == (2, "retrained")
    with pytest.raises(NotFoundError):
        approve(store, "shop-model")
    with pytest.raises(UserInputError, match=f"retrain request {request_id} for shop-model already succeeded"):
        approve(store, str(request_id))


def test_a_missing_program_or_folder_is_a_failure_that_names_it(sqlite_store, tmp_path):
    missing = approve(sqlite_store, str(pending_request(sqlite_store, "no-such-program --x", tmp_path)))
    assert (missing["status"], missing["outcome"]["exit_code"]) == ("failed", None)
    assert missing["outcome"]["error"] == "program 'no-such-program' not found"
    gone = approve(sqlite_store, str(pending_request(sqlite_store, "true", tmp_path / "gone", "other-model")))
    assert gone["outcome"]["error"] == f"folder {tmp_path / 'gone'} does not exist"


def test_an_interrupted_retrain_is_recorded_as_failed_and_its_command_killed(sqlite_store, tmp_path, monkeypatch):
    command = script(tmp_path, "slow.py", """\
        import pathlib, time
        pathlib.Path("started").touch()
        time.sleep(60)
        """)
    real_wait = subprocess.Popen.wait
    seen: list[subprocess.Popen] = []

    def interrupted_wait(process, timeout=None):
        if timeout is None:  # the kill's own wait
            return real_wait(process)
        seen.append(process)
        while not (tmp_path / "started").exists():
            time.sleep(0.02)
        raise KeyboardInterrupt

    request_id = pending_request(sqlite_store, command, tmp_path)
    monkeypatch.setattr(subprocess.Popen, "wait", interrupted_wait)
    with pytest.raises(KeyboardInterrupt):
        approve(sqlite_store, str(request_id))
    [row] = list_requests(sqlite_store)
    assert (row["status"], row["outcome"]["error"]) == ("failed", "interrupted (KeyboardInterrupt)")
    assert seen[0].returncode == -9


def test_a_command_over_the_timeout_is_killed_with_what_it_started(sqlite_store, tmp_path, monkeypatch):
    command = script(tmp_path, "spawn.py", """\
        import pathlib, subprocess, sys, time
        subprocess.Popen([sys.executable, "-c", "import pathlib, time\\n"
                          "while True: pathlib.Path('heartbeat').write_text(str(time.monotonic())); time.sleep(0.05)"])
        while not pathlib.Path("heartbeat").exists():
            time.sleep(0.02)
        print("training", flush=True)
        time.sleep(60)
        """)
    monkeypatch.setattr(retrain, "COMMAND_TIMEOUT", 3.0)
    result = approve(sqlite_store, str(pending_request(sqlite_store, command, tmp_path)))
    assert (result["status"], result["outcome"]["exit_code"]) == ("failed", None)
    assert (result["outcome"]["error"], result["outcome"]["output_tail"]) == ("timed out after 3 s (killed)",
                                                                              "training")
    beat = (tmp_path / "heartbeat").read_text()
    time.sleep(0.5)
    assert (tmp_path / "heartbeat").read_text() == beat  # the grandchild is gone too


def test_the_command_learns_its_request_from_the_environment(sqlite_store, tmp_path):
    command = script(tmp_path, "env.py", """\
        import os
        print(" ".join(os.environ[k] for k in ("MLDEBT_RETRAIN_REQUEST_ID", "MLDEBT_RETRAIN_ATTEMPT",
                                                "MLDEBT_COMPONENT", "MLDEBT_DRIFT_CURRENT")))
        """)
    request = write_drift_inputs(tmp_path, command, "approve")
    run_drift(sqlite_store, request)
    result = approve(sqlite_store, "shop-model")
    assert result["outcome"]["output_tail"] == f"{result['id']} 1 shop-model {tmp_path / 'cur.parquet'}"
