"""`/monitors`: every declared monitor with its last result and next run, the firing alerts with
their acknowledgement and deliveries, and the noisy monitors of the last 30 days; `?key=` adds that
monitor's recent runs.

Thin: `service.monitor_view` reads and checks the filter; this module formats moments and numbers
and keeps only safe links (a monitor's evidence URL is data: a `javascript:` one is not a link).
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from mldebt.service import monitor_view as view
from mldebt.web.context import context
from mldebt.web.pages.base import AsPageViewer, render
from mldebt.web.security import local_path

router = APIRouter(include_in_schema=False)
NOISY_SHOWN = 50  # rows of the "Noisy monitors" table
STATUS_BADGES = {"ok": "good", "breach": "bad", "error": "warn", "abandoned": "warn"}
"""The badge colour of a run status; the status is always written out too (colour is never alone)."""


def when(iso: str | None) -> str:
    """An ISO timestamp of the view as "2026-11-02 08:00 UTC" ("" for none)."""
    if not iso:
        return ""
    return dt.datetime.fromisoformat(iso).astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def number(value: float | None) -> str:
    if value is None or isinstance(value, bool) or not math.isfinite(value):
        return "-"
    return f"{value:.4g}"


def rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def evidence_href(url: str | None) -> str | None:
    """A path on this site or an http(s) URL, else None (shown without a link)."""
    if not url or len(url) > 2000:
        return None
    if url.startswith("/"):
        return local_path(url, "") or None
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc and not any(ord(c) < 0x21 or c == "\x7f" for c in url):
        return url
    return None


def key_link(key: str) -> str:
    return "/monitors?" + urlencode({"key": key})


@router.get("/monitors", response_class=HTMLResponse)
def monitors_page(request: Request, user: AsPageViewer,
                  key: Annotated[str | None, Query(max_length=view.MAX_KEY)] = None) -> HTMLResponse:
    key = view.check_key(key)
    store = context(request).store
    noisy = view.monitor_noise(store, view.NOISE_DAYS, dt.datetime.now(dt.UTC))
    return render(request, "monitors.html.j2", user, title="Monitors", key=key,
                  schedules=view.monitor_list(store), alerts=view.monitor_alerts(store, "firing"),
                  noisy=noisy[:NOISY_SHOWN], noisy_total=len(noisy), noise_days=view.NOISE_DAYS,
                  runs=view.monitor_runs(store, key) if key else [], badges=STATUS_BADGES, when=when,
                  number=number, rate=rate, evidence_href=evidence_href, key_link=key_link)
