"""The `slo` monitor kind (to be built)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from mldebt.domain.alerts import MonitorStatus
from mldebt.service.monitors.base import Evaluation, MonitorJob


class SloMonitorKind:
    name = "slo"

    def evaluate(self, job: MonitorJob) -> Evaluation:
        return Evaluation(MonitorStatus.ERROR, "not built yet")

    def record(self, session: Session, job: MonitorJob, evaluation: Evaluation) -> Evaluation:
        return evaluation


KIND = SloMonitorKind()
