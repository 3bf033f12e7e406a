"""Prometheus Alertmanager webhook receiver (payload version 4).

No signature exists: Alertmanager sends a bearer token (or basic auth) from its `http_config`.
Each alert opens (`firing`) or resolves (`resolved`) the incident keyed by its `fingerprint`. The
delivery identity is the set of (fingerprint, status, startsAt) of its alerts, so a repeated
notification of the same state is a duplicate.

mldebt's own alerts come back here too when Alertmanager routes them to this webhook: an alert with
the `mldebt_alert` label joins the incident its monitor keeps (source `monitor`, fingerprint
`monitor:<component>/<monitor>`, component from the `component` label) instead of opening a second
incident keyed by Alertmanager's fingerprint.
"""

from __future__ import annotations

from typing import Any

from mldebt.domain.alerts import ALERT_KEY_LABEL, DIGEST_ALERTNAME, MONITOR_INCIDENT_SOURCE, incident_fingerprint
from mldebt.domain.incident import IncidentSignal, SignalAction
from mldebt.errors import PayloadError
from mldebt.ingest.common import (
    EPOCH_ZERO_PREFIX,
    Delivery,
    ParsedDelivery,
    canonical_digest,
    load_json,
    obj,
    text,
    timestamp,
    verify_bearer,
)

name = "alertmanager"
kept_headers = ("content-type", "user-agent")
STATUSES = {"firing", "resolved"}
MAX_OWN_KEY = 210  # an alert key is "component/monitor": 100 + 1 + 100 characters at most, as stored


def verify(delivery: Delivery, secret: str) -> None:
    verify_bearer(delivery, secret)


def parse(delivery: Delivery) -> ParsedDelivery:
    payload = obj(load_json(delivery.body), "body")
    alerts = payload.get("alerts")
    if not isinstance(alerts, list) or not alerts:
        raise PayloadError("body.alerts must be a non-empty array", ["body.alerts"])
    common = raw if isinstance(raw := payload.get("commonLabels"), dict) else {}
    read = [_alert(obj(alert, f"body.alerts[{i}]"), i, common) for i, alert in enumerate(alerts)]
    signals = [s for s in read if s is not None]
    identity = sorted(f"{s.key}|{s.action}|{s.started_at.isoformat() if s.started_at else ''}" for s in signals)
    return ParsedDelivery(delivery_id=canonical_digest(identity), signals=signals,
                          kind=f"alerts.{payload.get('status', 'mixed')}")


def _alert(alert: dict[str, Any], index: int, common: dict[str, Any]) -> IncidentSignal | None:
    """The alert's signal; None for mldebt's own digest (a summary of alerts, not a problem of its own)."""
    where = f"body.alerts[{index}]"
    status = text(alert, "status", where)
    if status not in STATUSES:
        raise PayloadError(f"{where}.status must be firing or resolved, got {status!r}", [f"{where}.status"])
    labels = alert.get("labels")
    if not isinstance(labels, dict):
        raise PayloadError(f"{where}.labels must be an object", [f"{where}.labels"])
    annotations = raw if isinstance(raw := alert.get("annotations"), dict) else {}
    started = timestamp(alert.get("startsAt"), f"{where}.startsAt")
    fingerprint = text(alert, "fingerprint", where, required=False) or canonical_digest(sorted(labels.items()))[:16]
    if status == "resolved":
        ends_raw = alert.get("endsAt")
        ended = (timestamp(ends_raw, f"{where}.endsAt")
                 if ends_raw and not str(ends_raw).startswith(EPOCH_ZERO_PREFIX) else started)
    else:
        ended = started
    alertname = str(labels.get("alertname", ""))
    summary = str(annotations.get("summary") or annotations.get("description") or alertname)
    attributes = {str(k): str(v) for k, v in {**common, **labels}.items()}
    source, key, component = name, f"alert:{fingerprint}", None
    own_key = labels.get(ALERT_KEY_LABEL)
    if own_key is not None and labels.get("alertname") == DIGEST_ALERTNAME:
        return None
    if isinstance(own_key, str) and 0 < len(own_key) <= MAX_OWN_KEY:
        source, key = MONITOR_INCIDENT_SOURCE, incident_fingerprint(own_key)
        component = str(labels["component"]) if isinstance(labels.get("component"), str) else None
    return IncidentSignal(
        source=source, key=key, component=component,
        action=SignalAction.OPEN if status == "firing" else SignalAction.RESOLVE,
        at=ended, started_at=started, title=summary, culprit=alertname or None, level=attributes.get("severity"),
        url=str(alert["generatorURL"]) if isinstance(alert.get("generatorURL"), str) else None,
        attributes=attributes,
        text=" ".join([alertname, summary, str(annotations.get("description", ""))]),
    )
