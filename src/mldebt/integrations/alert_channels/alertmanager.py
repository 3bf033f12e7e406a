"""The `alertmanager` alert channel: `POST {url}/api/v2/alerts` with a JSON list of alerts.

Alertmanager identifies an alert by its whole label set, so the labels are `Alert.labels`, the same
for firing and resolved. A firing alert carries no `endsAt`: Alertmanager then holds it active for
its `resolve_timeout` after the last sending, which is why `service.alerting` re-sends active alerts
(`Notification.resend`) more often than that. A resolved alert carries its `ends_at`, a moment in the
past, which is what resolves it. `generatorURL` is the evidence page, absolute on the dashboard.

A digest (the component's daily budget spent) is one alert of its own, `DIGEST_ALERTNAME`, whose
annotations list the folded alerts; its labels name the component only, so each day's digest for a
component is the same Alertmanager alert.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from mldebt.domain.alerts import ALERT_KEY_LABEL, DIGEST_ALERTNAME, Alert, AlertStatus
from mldebt.integrations.alert_channels.base import (
    ChannelTarget,
    Notification,
    SendResult,
    absolute_url,
    post_json,
    rfc3339,
)

API_PATH = "/api/v2/alerts"
DIGEST_LISTED = 20
"""Folded alerts named one by one in a digest's description; the rest are counted."""
DIGEST_DESCRIPTION_CHARS = 4000


def alerts_url(target: ChannelTarget) -> str:
    return target.url.rstrip("/") + API_PATH


def alert_payload(alert: Alert, notification: Notification) -> dict[str, Any]:
    """One postable alert in Alertmanager's API v2 shape."""
    payload: dict[str, Any] = {"labels": alert.labels, "annotations": alert.annotations,
                               "startsAt": rfc3339(alert.starts_at)}
    if alert.status == AlertStatus.RESOLVED:
        payload["endsAt"] = rfc3339(alert.ends_at or notification.sent_at or dt.datetime.now(dt.UTC))
    payload["generatorURL"] = absolute_url(alert.generator_url, notification.dashboard_url)
    return payload


def digest_labels(component: str) -> dict[str, str]:
    return {"alertname": DIGEST_ALERTNAME, "component": component, "source": "mldebt",
            ALERT_KEY_LABEL: f"{component}/digest"}


def digest_payload(notification: Notification) -> dict[str, Any]:
    """The one alert standing for the folded ones: a count in `summary`, their keys in `description`."""
    alerts = notification.alerts
    count = len(alerts)
    lines = [f"{a.key} ({a.status.value}): {a.summary}" for a in alerts[:DIGEST_LISTED]]
    if count > DIGEST_LISTED:
        lines.append(f"and {count - DIGEST_LISTED} more")
    description = "\n".join(lines)
    if len(description) > DIGEST_DESCRIPTION_CHARS:
        description = description[: DIGEST_DESCRIPTION_CHARS - 1] + "…"
    starts = min((a.starts_at for a in alerts), default=notification.sent_at or dt.datetime.now(dt.UTC))
    return {"labels": digest_labels(notification.component),
            "annotations": {"summary": f"{count} alert{'s' if count != 1 else ''} from {notification.component} "
                                       "folded into a digest: the daily alert budget is spent",
                            "description": description, "folded": str(count)},
            "startsAt": rfc3339(starts),
            "generatorURL": absolute_url("/monitors", notification.dashboard_url)}


def request_body(notification: Notification) -> list[dict[str, Any]]:
    if notification.digest:
        return [digest_payload(notification)]
    return [alert_payload(alert, notification) for alert in notification.alerts]


class AlertmanagerChannel:
    kind = "alertmanager"

    def send(self, target: ChannelTarget, notification: Notification,
             sleep: Callable[[float], None] | None = None) -> SendResult:
        if not notification.alerts:
            return SendResult(ok=True, attempts=0)
        body = json.dumps(request_body(notification), separators=(",", ":")).encode()
        return post_json(target, body, sleep=sleep, url=alerts_url(target))


CHANNEL = AlertmanagerChannel()
