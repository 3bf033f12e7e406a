"""The `slack` alert channel: one incoming-webhook message per notification, in Block Kit.

The message has a plain `text` (Slack shows it in notifications and where blocks cannot render) and
`blocks`: a header, one mrkdwn section per alert (status emoji, value against threshold, a link to
the evidence), and a context line. Slack refuses a message over its limits rather than cutting it,
so the limits are kept here: at most 50 blocks (alerts beyond them fold into one "and N more"
section), 3000 characters of section text, 150 of header text. Every string that comes from
configuration or data (a summary can quote a column name) has `&`, `<` and `>` escaped as Slack
asks, so no text can become a link, a mention (`<!channel>`) or broken markup; clipping never cuts
an escape in half.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from mldebt.domain.alerts import Alert, AlertStatus
from mldebt.integrations.alert_channels.base import (
    ChannelTarget,
    Notification,
    SendResult,
    absolute_url,
    post_json,
    rfc3339,
)

MAX_BLOCKS = 50
SECTION_CHARS = 3000
HEADER_CHARS = 150
TEXT_CHARS = 3000
"""The fallback `text` is allowed far more by Slack; a notification preview needs no more than this."""
SUMMARY_CHARS = 500
LINK_CHARS = 1000
EMOJI = {"critical": ":red_circle:", "warning": ":large_orange_circle:", "info": ":large_blue_circle:"}
RESOLVED_EMOJI = ":white_check_mark:"


def escape(text: str) -> str:
    """Slack's three control characters as entities (and nothing else: Slack decodes only these)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(escaped: str, limit: int) -> str:
    """Escaped text of at most `limit` characters, ending in `…` when cut, never inside an entity."""
    if len(escaped) <= limit:
        return escaped
    cut = escaped[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


def link(url: str, label: str) -> str:
    """`<url|label>`; a `|` in the URL would end it early, so it is percent-encoded."""
    return f"<{escape(url.replace('|', '%7C'))}|{escape(label)}>"


def emoji(alert: Alert) -> str:
    return RESOLVED_EMOJI if alert.status == AlertStatus.RESOLVED else EMOJI.get(alert.severity, ":red_circle:")


def measurement(alert: Alert) -> str:
    if alert.value is None:
        return ""
    against = f" vs threshold {alert.threshold:.6g}" if alert.threshold is not None else ""
    return f" · value *{alert.value:.6g}*{against}"


def alert_section(alert: Alert, dashboard_url: str) -> dict[str, Any]:
    """One alert as a mrkdwn section of at most SECTION_CHARS characters."""
    head = (f"{emoji(alert)} *{alert.status.value.upper()}* {clip(escape(alert.summary), SUMMARY_CHARS)}\n"
            f"`{escape(alert.monitor)}` ({escape(alert.kind)}, {escape(alert.severity)}){measurement(alert)}")
    evidence = link(absolute_url(alert.generator_url, dashboard_url), "Evidence")
    tail = f"\n{evidence}" if len(evidence) <= LINK_CHARS else ""
    room = SECTION_CHARS - len(head) - len(tail) - 1
    description = f"\n{clip(escape(alert.description), room)}" if alert.description and room > 1 else ""
    return _section(head + description + tail)


def counts(alerts: Sequence[Alert]) -> str:
    firing = sum(1 for a in alerts if a.status == AlertStatus.FIRING)
    resolved = len(alerts) - firing
    return ", ".join(part for part in (f"{firing} firing" if firing else "",
                                       f"{resolved} resolved" if resolved else "") if part)


def context_block(notification: Notification) -> dict[str, Any]:
    sent = f" · {rfc3339(notification.sent_at)}" if notification.sent_at else ""
    text = (f"mldebt · component `{clip(escape(notification.component), 500)}`{sent} · "
            f"{link(absolute_url(None, notification.dashboard_url), 'Dashboard')}")
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, SECTION_CHARS)}]}


def message(notification: Notification) -> dict[str, Any]:
    """The webhook body: `text` always, `blocks` within Slack's limits."""
    if notification.digest:
        return digest_message(notification)
    alerts = notification.alerts
    title = f"{notification.component}: {counts(alerts)}"
    shown_max = MAX_BLOCKS - 2  # the header and the context line
    shown = alerts if len(alerts) <= shown_max else alerts[: shown_max - 1]
    blocks = [_header(title)] + [alert_section(a, notification.dashboard_url) for a in shown]
    if len(shown) < len(alerts):
        rest = alerts[len(shown):]
        blocks.append(_section(clip(f"and {len(rest)} more ({counts(rest)}): "
                                    + ", ".join(f"`{escape(a.monitor)}`" for a in rest), SECTION_CHARS)))
    blocks.append(context_block(notification))
    summaries = "; ".join(a.summary for a in alerts)
    return {"text": clip(escape(f"[mldebt] {title}: {summaries}"), TEXT_CHARS), "blocks": blocks}


def digest_message(notification: Notification) -> dict[str, Any]:
    """The folded alerts of a component in one message: a count, then a line per alert while they fit."""
    alerts = notification.alerts
    title = f"{notification.component}: {len(alerts)} alert{'s' if len(alerts) != 1 else ''} in a digest"
    intro = "The daily alert budget for this channel is spent, so these alerts were folded into one message:"
    lines: list[str] = []
    used = len(intro)
    for index, alert in enumerate(alerts):
        line = f"\n{emoji(alert)} `{escape(alert.key)}` {clip(escape(alert.summary), SUMMARY_CHARS)}"
        more = f"\nand {len(alerts) - index} more"
        if used + len(line) + len(more) > SECTION_CHARS:
            lines.append(more)
            break
        lines.append(line)
        used += len(line)
    blocks = [_header(title), _section(intro + "".join(lines)), context_block(notification)]
    return {"text": clip(escape(f"[mldebt] {title} ({counts(alerts)})"), TEXT_CHARS), "blocks": blocks}


def _header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": clip(escape(text), HEADER_CHARS), "emoji": True}}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


class SlackChannel:
    kind = "slack"

    def send(self, target: ChannelTarget, notification: Notification,
             sleep: Callable[[float], None] | None = None) -> SendResult:
        if not notification.alerts:
            return SendResult(ok=True, attempts=0)
        body = json.dumps(message(notification), separators=(",", ":"), ensure_ascii=False).encode()
        return post_json(target, body, sleep=sleep)


CHANNEL = SlackChannel()
