"""Retrain triggers: what happens when a component's data drifts.

Per the component's `retrain.mode` in mldebt.yaml: `off` only reports; `approve` records a
pending request that `mldebt retrain approve` releases; `auto` runs the command (an argument
list split with shlex, no shell) or POSTs JSON to the webhook right away. The outcome (exit code
and output tail, or HTTP status) is recorded. While a request is pending, more drift adds none.
"""

from __future__ import annotations

import datetime as dt
import json
import shlex
import subprocess
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from mldebt.domain.component import RetrainTrigger
from mldebt.errors import NotFoundError, UserInputError
from mldebt.store.database import Store
from mldebt.store.drift import PENDING, add_request, get_request, pending_request, retrain_requests
from mldebt.store.models import RetrainRequestRow

COMMAND_TIMEOUT = 3600.0
WEBHOOK_TIMEOUT = 30.0


@dataclass(frozen=True)
class TriggerOutcome:
    component: str
    mode: str
    status: str  # reported | pending | already-pending | succeeded | failed
    request_id: int | None = None
    detail: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"component": self.component, "mode": self.mode, "status": self.status, "request_id": self.request_id,
                "detail": self.detail or {}}


def fire(session: Session, component: str, trigger: RetrainTrigger | None, run_id: int, payload: dict[str, Any],
         now: dt.datetime, cwd: Path | None = None) -> TriggerOutcome:
    """React to drift of `component` according to its trigger."""
    mode = trigger.mode.value if trigger else "off"
    if trigger is None or mode == "off":
        return TriggerOutcome(component, "off", "reported")
    target = trigger.command or trigger.webhook or ""
    existing = pending_request(session, component)
    if existing is not None:
        return TriggerOutcome(component, mode, "already-pending", existing.id)
    if mode == "approve":
        row = add_request(session, component, run_id, mode, target, PENDING, now)
        row.outcome = {"cwd": str(cwd) if cwd else None}
        return TriggerOutcome(component, mode, "pending", row.id)
    row = add_request(session, component, run_id, mode, target, "running", now)
    execute(row, payload, now, cwd)
    return TriggerOutcome(component, mode, row.status, row.id, row.outcome)


def execute(row: RetrainRequestRow, payload: dict[str, Any], now: dt.datetime, cwd: Path | None = None) -> None:
    """Run the request's command or call its webhook; record status and outcome on the row."""
    if row.target.startswith(("http://", "https://")):
        row.outcome = call_webhook(row.target, {**payload, "request_id": row.id, "component": row.component})
        ok = 200 <= int(row.outcome.get("http_status") or 0) < 300
    else:
        row.outcome = run_command(row.target, cwd)
        ok = row.outcome.get("exit_code") == 0
    row.status = "succeeded" if ok else "failed"
    row.decided_at = now


def run_command(command: str, cwd: Path | None = None) -> dict[str, Any]:
    try:
        argv = shlex.split(command)
        done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False)
    except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
        return {"command": command, "exit_code": None, "error": f"{type(exc).__name__}: {exc}"}
    return {"command": command, "exit_code": done.returncode, "output_tail": (done.stdout + done.stderr)[-2000:]}


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


def approve(store: Store, key: str, now: dt.datetime | None = None) -> dict[str, Any]:
    """Release a pending request, given its id or its component's name, and run it.

    A command runs in the folder of the inventory file whose drift run created the request.
    """
    now = now or dt.datetime.now(dt.UTC)
    with store.session() as session:
        row = get_request(session, int(key)) if key.isdigit() else pending_request(session, key)
        if row is None:
            raise NotFoundError(f"no pending retrain request for {key!r} (see `mldebt retrain list`)")
        if row.status != PENDING:
            raise UserInputError(f"retrain request {row.id} is {row.status}, not pending")
        cwd = (row.outcome or {}).get("cwd")
        execute(row, {"approved": True, "drift_run_id": row.drift_run_id}, now, Path(cwd) if cwd else None)
        return request_dict(row)


def list_requests(store: Store, component: str | None = None) -> list[dict[str, Any]]:
    with store.session() as session:
        return [request_dict(r) for r in retrain_requests(session, component)]


def request_dict(row: RetrainRequestRow) -> dict[str, Any]:
    return {"id": row.id, "component": row.component, "mode": row.mode, "target": row.target, "status": row.status,
            "drift_run_id": row.drift_run_id, "created_at": row.created_at, "decided_at": row.decided_at,
            "outcome": row.outcome}
