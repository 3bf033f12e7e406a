"""Where each piece of an item's evidence is shown: a dashboard path, or the http(s) URL it names.

Evidence refs are ids in their own tables (finding, incident, ticket, drift run, retrain request,
change-log entry), outside ids (order numbers) or, for evidence added by hand, any text a person
typed. So a link is built only from what is known to be safe: a local path made of an id that is
all digits or a component name quoted into the path, or a ref that parses as an `http`/`https` URL
with a host. Anything else (`javascript:`, `data:`, a relative path, text with spaces) is shown as
text and never linked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from mldebt.domain.debt import EvidenceKind
from mldebt.store.backlog_queries import CitedFinding

MAX_URL = 2_000
# Where the pages of a finding's source list it; a scan finding goes to the scan page by rule.
_FINDING_PAGES = {"drift": "/drift", "incidents": "/incidents", "feedback": "/feedback"}


@dataclass(frozen=True)
class Link:
    text: str
    href: str | None  # None: shown as text
    external: bool = False  # an outside URL: opened with rel="noopener noreferrer"

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "href": self.href, "external": self.external}


def web_url(ref: str) -> str | None:
    """`ref` when it is an absolute http(s) URL with a host and nothing that could break out of it."""
    if len(ref) > MAX_URL or any(ord(c) <= 0x20 or c in "\\\x7f\"'<>`" for c in ref):
        return None
    try:
        parts = urlsplit(ref)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or parts.netloc.startswith("@"):
        return None
    return ref


def component_path(name: str) -> str:
    return "/inventory/" + quote(name, safe="")


def incident_path(ref: str | int) -> str | None:
    text = str(ref)
    return f"/incidents#incident-{text}" if text.isdigit() and len(text) < 19 else None


def finding_path(finding: CitedFinding) -> str:
    page = _FINDING_PAGES.get(finding.source)
    if finding.source == "inventory":
        return component_path(finding.component)
    if page is not None:
        return f"{page}?{urlencode({'component': finding.component})}"
    return "/scan?" + urlencode({"rule": finding.rule_id, "component": finding.component})


def finding_ids(evidence: Iterable[Mapping[str, Any]]) -> list[int]:
    ids = []
    for entry in evidence:
        ref = str(entry.get("ref", ""))
        if entry.get("kind") == str(EvidenceKind.FINDING) and ref.isdigit() and len(ref) < 19:
            ids.append(int(ref))
    return ids


def evidence_link(entry: Mapping[str, Any], component: str, findings: Mapping[int, CitedFinding]) -> Link:
    """The link of one evidence entry of an item of `component` (its text: the kind and ref)."""
    kind, ref = str(entry.get("kind", "")), str(entry.get("ref", ""))
    text = f"{kind.replace('_', ' ')} {ref}"
    url = web_url(ref)
    if url is not None:
        return Link(ref, url, external=True)
    numeric = ref.isdigit() and len(ref) < 19
    if kind == EvidenceKind.FINDING and numeric and int(ref) in findings:
        found = findings[int(ref)]
        place = f" ({found.file}:{found.line})" if found.file and found.line else (f" ({found.file})" if found.file
                                                                                  else "")
        return Link(f"finding {ref}: {found.rule_id}{place}", finding_path(found))
    if kind == EvidenceKind.DRIFT_RUN and numeric:
        return Link(f"drift run {ref}", f"/drift/{ref}")
    if kind == EvidenceKind.INCIDENT and numeric:
        return Link(f"incident {ref}", incident_path(ref))
    if kind == EvidenceKind.FEEDBACK:
        return Link(text, "/feedback?" + urlencode({"component": component}))
    if kind in (EvidenceKind.TICKET, EvidenceKind.RETRAIN, EvidenceKind.CHANGE, EvidenceKind.ORDER):
        return Link(text, component_path(component))  # the component page lists its tickets, changes, retrains
    return Link(text, None)  # a finding that is gone, or a ref no page shows


def evidence_rows(evidence: Iterable[Mapping[str, Any]], component: str,
                  findings: Mapping[int, CitedFinding]) -> list[dict[str, Any]]:
    """Each entry as {kind, summary, at, link} for the item page's evidence table."""
    rows = []
    for entry in evidence:
        if not isinstance(entry, Mapping):
            continue
        rows.append({"kind": str(entry.get("kind", "")).replace("_", " "), "summary": str(entry.get("summary") or ""),
                     "at": entry.get("at"), "link": evidence_link(entry, component, findings).to_dict()})
    return rows
