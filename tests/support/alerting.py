"""Alerting test helpers: a catalog with monitors and channels, run outcomes built by hand, and a
channel that records what it is asked to send (a test double of our own `AlertChannel` contract)."""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from mldebt.domain.alerts import MonitorStatus
from mldebt.domain.component import Catalog
from mldebt.integrations.alert_channels.base import ChannelTarget, Notification, SendResult
from mldebt.inventory.loader import load_catalog_file
from mldebt.service.monitors.base import Evaluation, MonitorJob, RunOutcome

T0 = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)

MONITORING = """\
monitoring:
  base_url: https://mldebt.example.com
  cooldown: 1h
  budget_per_day: 10
  resend_every: 1m
  channels:
    - {name: team, kind: slack, url: http://127.0.0.1:9/slack}
"""

COMPONENTS = """\
components:
  - name: recs-model
    kind: model
    owner: ml
    monitors:
      - {name: lag, kind: slo, every: 1m, objective: latency_p95, query: rec_p95, threshold: 0.3, severity: critical}
      - {name: drift, kind: drift, every: 1d, reference: ref.csv, current: cur.csv}
  - name: fraud-model
    kind: model
    owner: risk
    monitors:
      - {name: drift, kind: drift, every: 1d, reference: ref.csv, current: cur.csv}
"""


def write_catalog(tmp_path: Path, monitoring: str = MONITORING, components: str = COMPONENTS) -> Catalog:
    path = tmp_path / "mldebt.yaml"
    path.write_text("version: 1\n" + textwrap.dedent(monitoring) + textwrap.dedent(components))
    loaded = load_catalog_file(path)
    assert loaded.catalog is not None, [str(p) for p in loaded.problems]
    assert loaded.blocking == [], [str(p) for p in loaded.blocking]
    return loaded.catalog


def outcome(catalog: Catalog, key: str, status: str, now: dt.datetime, *, summary: str = "checked",
            value: float | None = None, threshold: float | None = None, evidence_url: str | None = None,
            category: str | None = None, run_id: int = 1) -> RunOutcome:
    component_name, monitor_name = key.split("/")
    component = catalog.by_name()[component_name]
    monitor = next(m for m in component.monitors if m.name == monitor_name)
    job = MonitorJob(key=key, component=component, monitor=monitor, catalog=catalog, catalog_dir=Path("."),
                     run_id=run_id, due_at=now, now=now)
    evaluation = Evaluation(status=MonitorStatus(status), summary=summary, value=value, threshold=threshold,
                            evidence_url=evidence_url, category=category)
    return RunOutcome(job=job, evaluation=evaluation, trigger="schedule")


@dataclass
class RecordingChannel:
    """Answers every send with `result` and keeps (target, notification, transactions open then)."""

    kind: str
    result: SendResult = field(default_factory=lambda: SendResult(ok=True, attempts=1, http_status=200))
    open_transactions: Callable[[], int] = lambda: 0
    sent: list[tuple[ChannelTarget, Notification, int]] = field(default_factory=list)

    def send(self, target: ChannelTarget, notification: Notification,
             sleep: Callable[[float], None] | None = None) -> SendResult:
        self.sent.append((target, notification, self.open_transactions()))
        return self.result

    @property
    def notifications(self) -> list[Notification]:
        return [n for _, n, _ in self.sent]


def recording_channels(open_transactions: Callable[[], int] = lambda: 0) -> dict[str, RecordingChannel]:
    return {kind: RecordingChannel(kind, open_transactions=open_transactions)
            for kind in ("alertmanager", "slack", "webhook")}
