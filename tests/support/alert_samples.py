"""Sample alerts, notifications and channel targets for the alert channel and sink tests."""

from __future__ import annotations

import datetime as dt

from mldebt.domain.alerts import Alert, AlertStatus, alert_key
from mldebt.integrations.alert_channels.base import ChannelTarget, Notification

STARTED = dt.datetime(2026, 12, 2, 9, 30, tzinfo=dt.UTC)
ENDED = dt.datetime(2026, 12, 2, 10, 15, 30, 250000, tzinfo=dt.UTC)
DASHBOARD = "https://mldebt.example.com"


def drift_alert(status: AlertStatus = AlertStatus.FIRING, monitor: str = "daily-drift", summary: str = "",
                **overrides: object) -> Alert:
    fields: dict[str, object] = dict(
        key=alert_key("fraud-model", monitor), component="fraud-model", monitor=monitor, kind="drift",
        severity="warning", status=status, summary=summary or f"{monitor}: PSI of amount above threshold",
        description="amount drifted (PSI 0.31 > 0.2)", starts_at=STARTED,
        ends_at=ENDED if status == AlertStatus.RESOLVED else None, generator_url="/drift/runs/7",
        value=0.31, threshold=0.2)
    fields.update(overrides)
    return Alert(**fields)  # type: ignore[arg-type]


def notification(*alerts: Alert, digest: bool = False, resend: bool = False, channel: str = "am") -> Notification:
    return Notification(channel=channel, component="fraud-model", alerts=alerts, digest=digest, resend=resend,
                        dashboard_url=DASHBOARD, sent_at=ENDED)


class Sleeps(list[float]):
    """Records the waits a channel asks for instead of sleeping them."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def target(url: str, kind: str = "alertmanager", secret: str | None = None, timeout: float = 5.0) -> ChannelTarget:
    return ChannelTarget(name="am" if kind == "alertmanager" else kind, kind=kind, url=url, secret=secret,
                         timeout=timeout)
