"""Sentry integration-platform webhooks: `issue`, `event_alert`, `metric_alert` (and the legacy plugin body).

Verification: `Sentry-Hook-Signature` is the hex HMAC-SHA256 of the raw body keyed with the client
secret. Delivery identity: the `Request-ID` header, else (backfill) the canonical body digest.
Lifecycle: issue `created`/`unresolved`, event alerts and metric alerts `critical|warning` open;
issue `resolved` and metric alert `resolved` resolve; other actions are kept but change nothing.
"""

from __future__ import annotations

from typing import Any

from mldebt.domain.incident import IncidentSignal, SignalAction
from mldebt.errors import PayloadError
from mldebt.ingest.common import (
    Delivery,
    ParsedDelivery,
    canonical_digest,
    load_json,
    obj,
    text,
    timestamp,
    verify_hex_hmac,
)

name = "sentry"
kept_headers = ("sentry-hook-resource", "sentry-hook-timestamp", "sentry-hook-signature", "request-id",
                "content-type", "user-agent")

ISSUE_OPEN = {"created", "unresolved"}
ISSUE_RESOLVE = {"resolved"}
ISSUE_QUIET = {"assigned", "ignored", "archived"}
METRIC_OPEN = {"critical", "warning"}


def verify(delivery: Delivery, secret: str) -> None:
    verify_hex_hmac(delivery.header("sentry-hook-signature"), secret, delivery.body, "Sentry-Hook-Signature")


def parse(delivery: Delivery) -> ParsedDelivery:
    payload = obj(load_json(delivery.body), "body")
    resource = delivery.header("sentry-hook-resource") or _infer_resource(payload)
    delivery_id = delivery.header("request-id") or canonical_digest(
        [resource, payload, delivery.header("sentry-hook-timestamp")])
    hook_time = delivery.header("sentry-hook-timestamp")
    at = timestamp(hook_time, "Sentry-Hook-Timestamp") if hook_time else delivery.received_at
    parsed = ParsedDelivery(delivery_id=delivery_id, kind=resource)
    if resource == "legacy":
        parsed.signals.append(_legacy(payload, at))
        return parsed
    action = text(payload, "action", "body")
    parsed.kind = f"{resource}.{action}"
    data = obj(payload.get("data"), "body.data")
    if resource == "issue":
        signal = _issue(action or "", obj(data.get("issue"), "body.data.issue"), at)
        if signal is not None:
            parsed.signals.append(signal)
    elif resource == "event_alert":
        parsed.signals.append(_event_alert(obj(data.get("event"), "body.data.event"), data, at))
    elif resource == "metric_alert":
        parsed.signals.append(_metric_alert(action or "", obj(data.get("metric_alert"), "body.data.metric_alert"), at))
    return parsed


def _infer_resource(payload: dict[str, Any]) -> str:
    data = payload.get("data")
    if isinstance(data, dict):
        for resource in ("issue", "metric_alert", "event"):
            if resource in data:
                return "event_alert" if resource == "event" else resource
    if "project_slug" in payload and "culprit" in payload:
        return "legacy"
    raise PayloadError("cannot tell the Sentry resource: no Sentry-Hook-Resource header and no data.issue, "
                       "data.event or data.metric_alert", ["Sentry-Hook-Resource"])


def _project(issue: dict[str, Any]) -> dict[str, Any]:
    project = issue.get("project")
    return project if isinstance(project, dict) else {}


def _issue(action: str, issue: dict[str, Any], at: Any) -> IncidentSignal | None:
    if action in ISSUE_QUIET:
        return None
    if action not in ISSUE_OPEN | ISSUE_RESOLVE:
        raise PayloadError(f"unknown issue action {action!r}", ["body.action"])
    issue_id = text(issue, "id", "body.data.issue")
    title = text(issue, "title", "body.data.issue") or ""
    culprit = text(issue, "culprit", "body.data.issue", required=False)
    first_seen = issue.get("firstSeen")
    started = timestamp(first_seen, "body.data.issue.firstSeen") if first_seen else None
    project = _project(issue)
    metadata = raw if isinstance(raw := issue.get("metadata"), dict) else {}
    attributes = {"project": project.get("slug"), "project_name": project.get("name"), "culprit": culprit,
                  "level": issue.get("level"), "platform": issue.get("platform") or project.get("platform")}
    if action == "created":
        when = started or at
    elif action == "unresolved":
        last_seen = issue.get("lastSeen")
        when = timestamp(last_seen, "body.data.issue.lastSeen") if last_seen else at
    else:
        when = at
    return IncidentSignal(
        source=name, key=f"issue:{issue_id}",
        action=SignalAction.OPEN if action in ISSUE_OPEN else SignalAction.RESOLVE,
        at=when, started_at=started, title=title, culprit=culprit, level=_str(issue.get("level")),
        url=_str(issue.get("web_url")), attributes={k: v for k, v in attributes.items() if v},
        text=" ".join(filter(None, [title, culprit, _str(metadata.get("type")), _str(metadata.get("value"))])),
    )


def _event_alert(event: dict[str, Any], data: dict[str, Any], at: Any) -> IncidentSignal:
    issue_id = text(event, "issue_id", "body.data.event")
    tags = raw if isinstance(raw := event.get("tags"), list) else []
    attributes: dict[str, Any] = {}
    for pair in tags:
        if isinstance(pair, list | tuple) and len(pair) == 2:
            attributes[str(pair[0])] = str(pair[1])
    if "project" not in attributes and isinstance(event.get("project"), str | int):
        attributes["project"] = str(event["project"])
    when = timestamp(event["datetime"], "body.data.event.datetime") if event.get("datetime") else at
    title = text(event, "title", "body.data.event", required=False) or ""
    culprit = text(event, "culprit", "body.data.event", required=False)
    rule = _str(data.get("triggered_rule"))
    return IncidentSignal(source=name, key=f"issue:{issue_id}", action=SignalAction.OPEN, at=when, started_at=when,
                          title=title, culprit=culprit, level=_str(event.get("level")), url=_str(event.get("web_url")),
                          attributes={**attributes, "culprit": culprit, "rule": rule},
                          text=" ".join(filter(None, [title, culprit, rule])))


def _metric_alert(action: str, alert: dict[str, Any], at: Any) -> IncidentSignal:
    if action not in METRIC_OPEN | {"resolved"}:
        raise PayloadError(f"unknown metric_alert action {action!r}", ["body.action"])
    alert_id = text(alert, "id", "body.data.metric_alert")
    title = text(alert, "title", "body.data.metric_alert", required=False) or ""
    rule = raw if isinstance(raw := alert.get("alert_rule"), dict) else {}
    projects = raw if isinstance(raw := alert.get("projects"), list) else []
    started_raw = alert.get("date_started") or alert.get("date_detected")
    started = timestamp(started_raw, "body.data.metric_alert.date_started") if started_raw else None
    if action == "resolved":
        closed = alert.get("date_closed")
        when = timestamp(closed, "body.data.metric_alert.date_closed") if closed else at
    else:
        when = started or at
    attributes = {"project": str(projects[0]) if projects else None, "alertname": _str(rule.get("name")),
                  "aggregate": _str(rule.get("aggregate"))}
    return IncidentSignal(source=name, key=f"metric_alert:{alert_id}",
                          action=SignalAction.RESOLVE if action == "resolved" else SignalAction.OPEN,
                          at=when, started_at=started, title=title, level=action if action != "resolved" else None,
                          attributes={k: v for k, v in attributes.items() if v},
                          text=" ".join(filter(None, [title, _str(rule.get("name")), _str(rule.get("aggregate"))])))


def _legacy(payload: dict[str, Any], at: Any) -> IncidentSignal:
    issue_id = text(payload, "id", "body")
    culprit = text(payload, "culprit", "body", required=False)
    message = text(payload, "message", "body", required=False) or ""
    return IncidentSignal(source=name, key=f"issue:{issue_id}", action=SignalAction.OPEN, at=at, started_at=at,
                          title=message, culprit=culprit, level=_str(payload.get("level")),
                          url=_str(payload.get("url")),
                          attributes={"project": _str(payload.get("project_slug")), "culprit": culprit},
                          text=" ".join(filter(None, [message, culprit])))


def _str(value: Any) -> str | None:
    return None if value is None or isinstance(value, dict | list) else str(value)
