"""One component's page as plain data: its inventory entry, change log, dependencies and every signal about it.

Each list is bounded (`LIMITS`) and comes with the count of all its rows, so the page says "20 of 512"
instead of loading 512. The queries are the store's bounded ones (`store.inventory_queries`), the
incident list of `service.incidents`, and the backlog's own page (`service.debt_view.backlog_page`).
MTTR is measured over the component's latest `MTTR_OUTAGES` outages (incident intervals, the
unit `service.incidents.mttr_report` measures), which bounds what it reads however many it has.
Links from the inventory file (repo, docs, change links) are kept only when they are http(s) URLs:
a `javascript:` link in an inventory must not become a link on a page.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any
from urllib.parse import urlsplit

from mldebt.domain.staleness import retrain_status
from mldebt.errors import NotFoundError, UserInputError
from mldebt.metrics.mttr import mttr
from mldebt.service.debt_view import backlog_page
from mldebt.service.incidents import incident_dicts
from mldebt.store import inventory_queries as queries
from mldebt.store.database import Store

MAX_NAME = 100  # the column's width: a longer name names no component
MTTR_OUTAGES = 500
TEXT = 300  # characters of a free text (answer, subject, message) shown in a list
LIMITS = {"changes": 50, "drift_chart": 30, "drift_runs": 20, "incidents": 20, "tickets": 20, "feedback": 10,
          "findings": 50, "debt": 20}
SPEC_FIELDS = (  # (spec key, label), in the order the page lists them
    ("kind", "Kind"), ("owner", "Owner"), ("lifecycle", "Lifecycle"), ("version", "Version"),
    ("framework", "Framework"), ("trained_at", "Trained"), ("training_data", "Training data"),
    ("retrain_every_days", "Retrain every (days)"), ("model_card", "Model card"), ("schedule", "Schedule"),
    ("reference", "Reference data"), ("current", "Current data"), ("repo", "Repository"), ("docs", "Docs"),
    ("customer_facing", "Customer facing"), ("revenue_critical", "Revenue critical"))


def check_name(name: str) -> str:
    """A name that could be stored: 1 to MAX_NAME characters, no control characters (else a 400 naming why)."""
    if not 1 <= len(name) <= MAX_NAME:
        raise UserInputError(f"name: must be 1 to {MAX_NAME} characters, not {len(name)}")
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise UserInputError("name: must not hold control characters")
    return name


def http_url(value: object) -> str | None:
    """`value` when it is an absolute http(s) URL, else None (shown as text, never as a link)."""
    if not isinstance(value, str) or any(c.isspace() or unicodedata.category(c).startswith("C") for c in value):
        return None
    parts = urlsplit(value)
    return value if parts.scheme in ("http", "https") and parts.netloc else None


def cut(text: object, limit: int = TEXT) -> str:
    value = "" if text is None else str(text)
    return value if len(value) <= limit else value[: limit - 1] + "\u2026"


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return cut(value)


def spec_fields(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The entry's fields worth showing, as {label, text, href (http(s) only)}."""
    fields = []
    for key, label in SPEC_FIELDS:
        value = spec.get(key)
        if value is None or value == "":
            continue
        fields.append({"key": key, "label": label, "text": _text(value), "href": http_url(value)})
    columns = spec.get("schema")
    if isinstance(columns, list) and columns:
        fields.append({"key": "schema", "label": "Columns", "text": str(len(columns)), "href": None})
    return fields


def _metrics(spec: dict[str, Any]) -> list[dict[str, Any]]:
    metrics = spec.get("metrics")
    if not isinstance(metrics, dict):
        return []
    return [{"name": cut(name, 60), **{k: v for k, v in (bounds if isinstance(bounds, dict) else {}).items()
                                      if k in ("value", "min", "max") and isinstance(v, int | float)}}
            for name, bounds in list(metrics.items())[:20]]


def component_page(store: Store, name: str, now: dt.datetime) -> dict[str, Any]:
    """Everything the component page shows; `NotFoundError` when no component has this name."""
    check_name(name)
    with store.session() as session:
        row = queries.component_by_name(session, name)
        if row is None:
            raise NotFoundError(f"no component named {name!r} in the inventory")
        spec = row.spec if isinstance(row.spec, dict) else {}
        graph = queries.dependency_lists(session)
        graph.setdefault(name, [str(n) for n in spec.get("depends_on") or [] if isinstance(n, str)])
        days, stale = retrain_status(row, now.date())
        changes, changes_total = queries.latest_changes(session, row.id, LIMITS["changes"])
        runs, runs_total = queries.latest_drift_runs(session, name, LIMITS["drift_chart"])
        tickets, tickets_total = queries.latest_tickets(session, name, LIMITS["tickets"])
        answers, answers_total, mean_score = queries.latest_feedback(session, name, LIMITS["feedback"])
        findings, findings_total = queries.top_open_findings(session, name, LIMITS["findings"])
        incidents_total = queries.incident_count(session, name)
        outages = queries.latest_outages(session, name, MTTR_OUTAGES)
        page: dict[str, Any] = {
            "name": row.name, "kind": row.kind, "description": row.description, "owner": row.owner,
            "lifecycle": row.lifecycle, "version": row.version, "retired": row.retired_at is not None,
            "last_retrained": _iso(row.last_retrained), "days_since_retrain": days, "stale": stale,
            "model_card": row.model_card_present, "fields": spec_fields(spec), "metrics": _metrics(spec),
            "paths": [cut(p, 120) for p in (spec.get("paths") or [])[:20] if isinstance(p, str)],
            "changes": {"total": changes_total, "rows": [
                {"version": c.version, "date": _iso(c.date), "kind": c.kind, "author": c.author,
                 "description": cut(c.description), "link": c.link, "href": http_url(c.link)} for c in changes]},
            "depends_on": graph,
            "drift": {"total": runs_total, "rows": [
                {"id": r.id, "created_at": _iso(r.created_at), "dataset_drift": bool(r.dataset_drift),
                 "drift_share": float(r.drift_share), "drifted": len(r.drifted_columns or []),
                 "columns": [cut(c, 60) for c in (r.drifted_columns or [])[:5]]} for r in runs]},
            "tickets": {"total": tickets_total, "rows": [
                {"id": t.id, "source": t.source, "external_id": t.external_id, "subject": cut(t.subject),
                 "status": t.status, "priority": t.priority, "category": t.category,
                 "created_at": _iso(t.created_at)} for t in tickets]},
            "feedback": {"total": answers_total, "mean_score": mean_score, "rows": [
                {"id": f.id, "created_at": _iso(f.created_at), "answer": cut(f.answer), "score": f.score,
                 "poll_id": f.poll_id} for f in answers]},
            "findings": {"total": findings_total, "rows": [
                {"id": f.id, "source": f.source, "rule_id": f.rule_id, "severity": f.severity,
                 "message": cut(f.message), "file": cut(f.file, 200) if f.file else None, "line": f.line}
                for f in findings]},
        }
    incidents = incident_dicts(store, component=name, limit=LIMITS["incidents"])
    page["incidents"] = {"total": incidents_total, "mttr": mttr(name, outages).to_dict() if outages else None,
                         "mttr_outages": MTTR_OUTAGES, "rows": [
        {**{k: i[k] for k in ("id", "source", "category", "level", "opened_at", "resolved_at", "reopen_count")},
         "title": cut(i["title"])} for i in incidents]}
    items, debt_total = backlog_page(store, component=name, limit=LIMITS["debt"], now=now)
    page["debt"] = {"total": debt_total, "rows": items}
    return page
