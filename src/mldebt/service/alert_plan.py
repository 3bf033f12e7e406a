"""Who hears about which alert, decided in one transaction before anything is sent.

`service.alerting` hands this module the alerts that changed (or breached again) in a batch; for
each alert and each channel it routes to, one decision:

- a new firing -> `firing`; a firing that never reached the channel (it failed) -> `firing` again;
- a firing already notified: Alertmanager gets a `resend` once `resend_every` has passed (it forgets
  alerts it stops hearing about), every other channel is `suppressed` (reason `cooldown`) until
  `cooldown` has passed since the last notification, then gets a `firing` again, unless the
  firing was acknowledged (`suppressed`, reason `acknowledged`);
- a resolve -> `resolved` where the firing was notified, `folded` where it was folded into a
  digest, `suppressed` where it never arrived (a failed send): nobody is told "resolved" about an
  alert they never saw.

Then, per (channel, component), the firings spend the day's budget (the channel's `budget_per_day`,
else `monitoring.budget_per_day`); the ones beyond it are `folded`: the first time in a UTC day into
one digest message, after that logged against that digest without another message. Everything
that goes out to a channel for a component goes in one grouped `Notification`. Messages to send are
logged `pending` here; `service.alerting` sends them with no transaction open and records the outcome.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from mldebt.domain.alerts import Alert
from mldebt.domain.monitoring import Channel, MonitoringSettings
from mldebt.integrations.alert_channels.base import AlertChannel, ChannelTarget, Notification
from mldebt.store import alerts as repo
from mldebt.store.monitor_tables import AlertRow

ALERTMANAGER = "alertmanager"


@dataclass(frozen=True)
class DeliveryRecord:
    """One decision or message in a batch: what went (or did not go) where, and why."""

    channel: str
    component: str
    kind: str  # firing | resolved | resend | digest
    status: str  # sent | failed | suppressed | folded
    alert_count: int
    reason: str | None = None
    keys: tuple[str, ...] = ()


@dataclass
class Message:
    """A notification to send, and the pending delivery rows that its outcome completes."""

    channel: Channel
    target: ChannelTarget
    notification: Notification
    kind: str
    delivery_ids: list[int]
    alert_ids: list[int]  # the alerts whose `notified` the outcome updates (none for a digest)
    row_kinds: list[str]  # per alert id: firing | resolved | resend


@dataclass
class Want:
    """An alert that wants out to one channel."""

    row: AlertRow
    alert: Alert
    kind: str  # firing | resolved | resend


@dataclass
class Plan:
    messages: list[Message] = field(default_factory=list)
    records: list[DeliveryRecord] = field(default_factory=list)  # the decisions that send nothing
    _groups: dict[tuple[str, str], list[Want]] = field(default_factory=dict)

    def want(self, channel: Channel, want: Want) -> None:
        self._groups.setdefault((channel.name, want.alert.component), []).append(want)


def routes(settings: MonitoringSettings, names: list[str] | None) -> list[Channel]:
    """The channels a monitor's alerts go to: the ones it names, else all of them."""
    return [c for c in settings.channels if names is None or c.name in names]


def resolve_target(channel: Channel, env: Mapping[str, str], channels: Mapping[str, AlertChannel]
                   ) -> tuple[ChannelTarget | None, str | None]:
    """(target, None), or (None, why it cannot be sent): a missing variable, an unknown kind."""
    if channel.kind not in channels:
        return None, f"no alert channel of kind {channel.kind!r}"
    url = channel.url
    if channel.url_env is not None:
        url = env.get(channel.url_env) or None
        if url is None:
            return None, f"environment variable {channel.url_env} (the URL of channel {channel.name}) is not set"
    secret = None
    if channel.secret_env is not None:
        secret = env.get(channel.secret_env) or None
        if secret is None:
            return None, f"environment variable {channel.secret_env} (the secret of channel {channel.name}) is not set"
    assert url is not None  # Channel's validator: url or url_env
    return ChannelTarget(channel.name, channel.kind, url, secret, channel.timeout.total_seconds()), None


def decide_firing(session: Session, row: AlertRow, new_firing: bool, channel: Channel,
                  settings: MonitoringSettings, now: dt.datetime) -> tuple[str, str | None]:
    """What a breach means for one channel: (firing | resend | suppressed, reason)."""
    if new_firing:
        return repo.FIRING_KIND, None
    last = repo.last_notification(session, row.key, channel.name, since=row.starts_at)
    if last is None:
        return repo.FIRING_KIND, None
    elapsed = now - (last.sent_at or last.created_at)
    if channel.kind == ALERTMANAGER:
        if elapsed >= settings.resend_every:
            return repo.RESEND_KIND, None
        return repo.SUPPRESSED, "resend_every"
    if repo.acknowledged_in_firing(row):
        return repo.SUPPRESSED, "acknowledged"
    if elapsed < settings.cooldown:
        return repo.SUPPRESSED, "cooldown"
    return repo.FIRING_KIND, None


def decide_resolve(session: Session, row: AlertRow, channel: Channel) -> tuple[str, str | None]:
    """What a resolve means for one channel: (resolved | folded | suppressed, reason)."""
    if repo.last_notification(session, row.key, channel.name, since=row.starts_at) is not None:
        return repo.RESOLVED_KIND, None
    if repo.last_notification(session, row.key, channel.name, since=row.starts_at,
                              kinds=(repo.FIRING_KIND,), statuses=(repo.FOLDED,)) is not None:
        return repo.FOLDED, "its firing was folded into a digest"
    return repo.SUPPRESSED, "its firing never reached this channel"


def log_decision(session: Session, plan: Plan, channel: Channel, row: AlertRow, kind: str, status: str,
                 reason: str | None, now: dt.datetime, digest_id: int | None = None) -> None:
    """A decision that sends nothing: logged now, reported, and (unless suppressed) cached on the alert."""
    repo.add_delivery(session, channel=channel.name, channel_kind=channel.kind, component=row.component, kind=kind,
                      status=status, now=now, alert=row, reason=reason, digest_id=digest_id)
    if status != repo.SUPPRESSED:
        repo.set_notified(row, channel.name, status, kind, now)
    plan.records.append(DeliveryRecord(channel.name, row.component, kind, status, 1, reason, (row.key,)))


def build_messages(session: Session, plan: Plan, settings: MonitoringSettings, env: Mapping[str, str],
                   channels: Mapping[str, AlertChannel], now: dt.datetime) -> None:
    """Turn the wants of each (channel, component) into at most one grouped message and one digest."""
    by_name = {c.name: c for c in settings.channels}
    for (name, component), wants in plan._groups.items():
        channel = by_name[name]
        target, problem = resolve_target(channel, env, channels)
        if target is None:
            for want in wants:
                log_decision(session, plan, channel, want.row, want.kind, repo.FAILED, problem, now)
            continue
        firing = [w for w in wants if w.kind == repo.FIRING_KIND]
        budget = channel.budget_per_day or settings.budget_per_day
        room = max(0, budget - repo.sent_today(session, name, component, now))
        over = firing[room:]
        out = firing[:room] + [w for w in wants if w.kind != repo.FIRING_KIND]
        if out:
            _message(session, plan, channel, target, component, out, settings, now)
        if over:
            _fold(session, plan, channel, target, component, over, settings, now)


def _fold(session: Session, plan: Plan, channel: Channel, target: ChannelTarget, component: str,
          over: list[Want], settings: MonitoringSettings, now: dt.datetime) -> None:
    digest = repo.todays_digest(session, channel.name, component, now)
    if digest is not None:
        for want in over:
            log_decision(session, plan, channel, want.row, repo.FIRING_KIND, repo.FOLDED,
                         "budget spent: in today's digest", now, digest_id=digest.id)
        return
    digest = repo.add_delivery(session, channel=channel.name, channel_kind=channel.kind, component=component,
                               kind=repo.DIGEST_KIND, status=repo.PENDING, now=now, alert_count=len(over))
    for want in over:
        log_decision(session, plan, channel, want.row, repo.FIRING_KIND, repo.FOLDED,
                     "budget spent: folded into the day's digest", now, digest_id=digest.id)
    notification = Notification(channel.name, component, tuple(w.alert for w in over), digest=True,
                                dashboard_url=settings.base_url, sent_at=now)
    plan.messages.append(Message(channel, target, notification, repo.DIGEST_KIND, [digest.id], [], []))


def _message(session: Session, plan: Plan, channel: Channel, target: ChannelTarget, component: str,
             out: list[Want], settings: MonitoringSettings, now: dt.datetime) -> None:
    ids = [repo.add_delivery(session, channel=channel.name, channel_kind=channel.kind, component=component,
                             kind=w.kind, status=repo.PENDING, now=now, alert=w.row, alert_count=len(out)).id
           for w in out]
    kinds = {w.kind for w in out}
    kind = kinds.pop() if len(kinds) == 1 else repo.FIRING_KIND
    notification = Notification(channel.name, component, tuple(w.alert for w in out),
                                resend=kind == repo.RESEND_KIND, dashboard_url=settings.base_url, sent_at=now)
    plan.messages.append(Message(channel, target, notification, kind, ids, [w.row.id for w in out],
                                 [w.kind for w in out]))
