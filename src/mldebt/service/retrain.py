"""Retrain triggers: what happens when a component's data drifts.

Per the component's `retrain.mode` in mldebt.yaml: `off` only reports; `approve` records a
pending request that `mldebt retrain approve` releases; `auto` runs the command (an argument
list split with shlex, no shell) or POSTs JSON to the webhook right after the drift run is stored.
While a request is pending or running, more drift adds none.

Commit, act, record: a retrain may run for an hour, and a transaction open meanwhile would hold
SQLite's write lock (webhook deliveries would answer 503). So a request moves to `running` in one
short transaction (one UPDATE that only a pending or failed request passes: of two approvals at
once, one runs the command and the other is told it is already running), the command or webhook
runs with no transaction open, and its outcome (exit code and output tail, or HTTP status) is
recorded in a second transaction. A failed request can be approved again: a retry, counted in
`attempts`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from mldebt.domain.component import RetrainTrigger
from mldebt.errors import NotFoundError, UserInputError
from mldebt.service.units import Units, direct_units
from mldebt.store.database import Store
from mldebt.store.drift import (
    FAILED,
    PENDING,
    RUNNING,
    add_request,
    approvable_request,
    claim_request,
    finish_request,
    get_request,
    open_request,
    retrain_requests,
)
from mldebt.store.models import RetrainRequestRow

COMMAND_TIMEOUT = 3600.0
WEBHOOK_TIMEOUT = 30.0
# A request still `running` this long after it started was left by a process that died (the
# command itself is killed at COMMAND_TIMEOUT): it may be approved again.
STALE_AFTER = dt.timedelta(seconds=COMMAND_TIMEOUT + 300)
TAIL_LINES = 20
TAIL_BYTES = 4096
# A command whose program is `{python}` runs with the interpreter that runs mldebt, so a script
# that needs mldebt's libraries (pyarrow) works whether or not the virtualenv is activated.
PYTHON_PLACEHOLDER = "{python}"
SUCCEEDED = "succeeded"


@dataclass(frozen=True)
class TriggerOutcome:
    component: str
    mode: str
    status: str  # reported | pending | already-pending | already-running | running | succeeded | failed
    request_id: int | None = None
    detail: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"component": self.component, "mode": self.mode, "status": self.status, "request_id": self.request_id,
                "detail": self.detail or {}}


@dataclass(frozen=True)
class Claimed:
    """A request this process moved to running: what the attempt needs, read before the commit."""

    id: int
    component: str
    mode: str
    target: str
    context: dict[str, Any]
    attempt: int
    drift_run_id: int | None


def fire(session: Session, component: str, trigger: RetrainTrigger | None, run_id: int | None,
         payload: dict[str, Any], now: dt.datetime, cwd: Path | None = None) -> TriggerOutcome:
    """React to drift of `component` according to its trigger, inside the drift run's transaction.

    Nothing runs here: an auto-mode request is recorded as `running` and the caller runs it with
    `run_started` once that transaction committed.
    """
    mode = trigger.mode.value if trigger else "off"
    if trigger is None or mode == "off":
        return TriggerOutcome(component, "off", "reported")
    target = trigger.command or trigger.webhook or ""
    existing = open_request(session, component)
    if existing is not None:
        return TriggerOutcome(component, mode, f"already-{existing.status}", existing.id)
    context = {"cwd": str(cwd) if cwd else None, "payload": payload}
    status = PENDING if mode == "approve" else RUNNING
    row = add_request(session, component, run_id, mode, target, status, now, context)
    return TriggerOutcome(component, mode, status, row.id)


def run_started(store: Store, fired: TriggerOutcome) -> TriggerOutcome:
    """Run an auto-mode request that `fire` recorded as running (its transaction committed)."""
    return run_started_units(direct_units(store), fired)


def run_started_units(units: Units, fired: TriggerOutcome) -> TriggerOutcome:
    """`run_started` writing through `units`: a monitor run's post-commit step (under `mldebt serve`
    its two short transactions go to the server's one writer; the command runs between them)."""
    if fired.status != RUNNING or fired.request_id is None:
        return fired
    request_id = fired.request_id

    def read(session: Session) -> Claimed:
        row = get_request(session, request_id)
        if row is None:
            raise NotFoundError(f"no retrain request {request_id}")
        return _claimed(row)

    claimed = units(read)
    result = _attempt(units, claimed)
    return TriggerOutcome(fired.component, fired.mode, result["status"], claimed.id, result["outcome"])


def approve(store: Store, key: str, now: dt.datetime | None = None) -> dict[str, Any]:
    """Release a pending request, or retry a failed one, given its id or its component's name.

    A command runs in the folder of the inventory file whose drift run created the request; `now`
    is the attempt's start (the end is recorded when it ends).
    """
    now = now or dt.datetime.now(dt.UTC)
    with store.session() as session:
        row = get_request(session, int(key)) if key.isdigit() else approvable_request(session, key)
        if row is None:
            what = f"retrain request {key}" if key.isdigit() else f"pending or failed retrain request for {key!r}"
            raise NotFoundError(f"no {what} (see `mldebt retrain list`)")
        request_id = row.id
    with store.session() as session:  # the claim is this transaction's first statement: it takes the write lock
        won = claim_request(session, request_id, now, stale_before=now - STALE_AFTER)
        row = get_request(session, request_id)
        if row is None:
            raise NotFoundError(f"no retrain request {request_id}")
        if not won:
            raise _not_runnable(row)
        claimed = _claimed(row)
    return _attempt(direct_units(store), claimed)


def _not_runnable(row: RetrainRequestRow) -> UserInputError:
    if row.status == RUNNING:
        started = f", started {row.started_at:%Y-%m-%d %H:%M:%S} UTC" if row.started_at else ""
        return UserInputError(f"retrain request {row.id} for {row.component} is already running "
                              f"(attempt {row.attempts}{started}); see `mldebt retrain list`")
    return UserInputError(f"retrain request {row.id} for {row.component} already {row.status}; "
                          "only a pending or failed request can be approved")


def _claimed(row: RetrainRequestRow) -> Claimed:
    return Claimed(row.id, row.component, row.mode, row.target, dict(row.context or {}), row.attempts,
                   row.drift_run_id)


def _attempt(units: Units, claimed: Claimed) -> dict[str, Any]:
    """Run one claimed attempt with no transaction open, then record its outcome (and when it
    ended) in a new one. An interruption (Ctrl-C) is recorded as a failure, so the request does not
    stay running.
    """
    try:
        status, outcome = execute(claimed)
    except BaseException as exc:
        interrupted = {"attempt": claimed.attempt, "exit_code": None, "error": f"interrupted ({type(exc).__name__})"}
        units(lambda session: _finish(session, claimed.id, FAILED, interrupted))
        raise
    return units(lambda session: _finish(session, claimed.id, status, outcome))


def _finish(session: Session, request_id: int, status: str, outcome: dict[str, Any]) -> dict[str, Any]:
    """Record an attempt's outcome, ended now; the request as plain data (no row leaves the unit)."""
    return request_dict(finish_request(session, request_id, status, outcome, dt.datetime.now(dt.UTC)))


def execute(claimed: Claimed) -> tuple[str, dict[str, Any]]:
    """Run the request's command or call its webhook: (succeeded | failed, outcome). No database."""
    payload = {"drift_run_id": claimed.drift_run_id, **(claimed.context.get("payload") or {}),
               "request_id": claimed.id, "component": claimed.component, "attempt": claimed.attempt,
               "approved": claimed.mode == "approve"}
    if claimed.target.startswith(("http://", "https://")):
        outcome = call_webhook(claimed.target, payload)
        ok = 200 <= int(outcome.get("http_status") or 0) < 300
    else:
        cwd = claimed.context.get("cwd")
        outcome = run_command(claimed.target, Path(cwd) if cwd else None, command_env(payload))
        ok = outcome.get("exit_code") == 0
    return (SUCCEEDED if ok else FAILED), {"attempt": claimed.attempt, **outcome}


def command_env(payload: dict[str, Any]) -> dict[str, str]:
    """What a retrain command learns about its request, as environment variables."""
    names = {"MLDEBT_RETRAIN_REQUEST_ID": "request_id", "MLDEBT_RETRAIN_ATTEMPT": "attempt",
             "MLDEBT_COMPONENT": "component", "MLDEBT_DRIFT_RUN_ID": "drift_run_id",
             "MLDEBT_DRIFT_REFERENCE": "reference", "MLDEBT_DRIFT_CURRENT": "current"}
    return {env: str(payload[key]) for env, key in names.items() if payload.get(key) is not None}


def run_command(command: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run `command` (no shell) in its own process group, killed with everything it started after
    COMMAND_TIMEOUT; stdout and stderr go to one temporary file, so an hour of output costs no
    memory, and its last lines are kept."""
    result: dict[str, Any] = {"command": command, "exit_code": None}
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        return {**result, "error": f"cannot split the command: {exc}"}
    if not argv:
        return {**result, "error": "the command is empty"}
    if argv[0] == PYTHON_PLACEHOLDER:
        argv[0] = sys.executable
    if cwd is not None and not cwd.is_dir():
        return {**result, "error": f"folder {cwd} does not exist"}
    started = time.monotonic()
    with tempfile.TemporaryFile() as log:
        try:
            process = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                       env={**os.environ, **(env or {})}, start_new_session=True)
        except FileNotFoundError:
            return {**result, "error": f"program {argv[0]!r} not found"}
        except OSError as exc:
            return {**result, "error": f"cannot run {argv[0]!r}: {exc.strerror or exc}"}
        try:
            result["exit_code"] = process.wait(timeout=COMMAND_TIMEOUT)
        except subprocess.TimeoutExpired:
            kill_group(process)
            result["error"] = f"timed out after {COMMAND_TIMEOUT:g} s (killed)"
        except BaseException:  # Ctrl-C: the command is in its own session and did not get the signal
            kill_group(process)
            raise
        result["duration_s"] = round(time.monotonic() - started, 1)
        result["output_tail"] = output_tail(log)
    return result


def kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill the command and whatever it started (`make` runs the trainer as its child)."""
    try:
        if hasattr(os, "killpg"):
            os.killpg(process.pid, signal.SIGKILL)
        else:  # Windows: no process groups here
            process.kill()
    except ProcessLookupError:
        pass
    process.wait()


def output_tail(log: IO[bytes]) -> str:
    """The last TAIL_LINES lines of the file, at most TAIL_BYTES of them."""
    size = log.seek(0, os.SEEK_END)
    log.seek(max(0, size - TAIL_BYTES))
    text = log.read().decode("utf-8", errors="replace")
    lines = text.splitlines()
    if size > TAIL_BYTES and len(lines) > 1:
        lines = lines[1:]  # the first one is cut (unless it is all there is)
    return "\n".join(lines[-TAIL_LINES:])


def call_webhook(url: str, payload: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(url, data=json.dumps(payload, default=str).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "User-Agent": "mldebt"})
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:
            body = response.read(2000).decode(errors="replace")
            return {"url": url, "http_status": response.status, "body_tail": body}
    except urllib.error.HTTPError as exc:
        return {"url": url, "http_status": exc.code, "error": str(exc.reason)}
    except (urllib.error.URLError, OSError) as exc:
        return {"url": url, "http_status": None, "error": str(getattr(exc, "reason", exc))}


def list_requests(store: Store, component: str | None = None) -> list[dict[str, Any]]:
    with store.session() as session:
        return [request_dict(r) for r in retrain_requests(session, component)]


def request_dict(row: RetrainRequestRow) -> dict[str, Any]:
    return {"id": row.id, "component": row.component, "mode": row.mode, "target": row.target, "status": row.status,
            "attempts": row.attempts, "drift_run_id": row.drift_run_id, "created_at": row.created_at,
            "started_at": row.started_at, "decided_at": row.decided_at, "outcome": row.outcome}
