"""Satisfaction-drop findings (`FB001`, source "feedback") from the stored poll answers.

Run after poll answers arrive (the demo runs it after loading its events): the scored answers of the
last two windows are read, judged by `metrics.satisfaction`, and synced as findings of one scope, so
a component whose satisfaction recovered has its finding marked fixed.
"""

from __future__ import annotations

import datetime as dt

from mldebt.domain.finding import Finding
from mldebt.metrics.satisfaction import SOURCE, SatisfactionPolicy, ScoredResponse, satisfaction_drops
from mldebt.store import signals as signal_store
from mldebt.store.database import Store
from mldebt.store.findings import SyncResult, sync_findings

SATISFACTION_SCOPE = "feedback"
DEFAULT_POLICY = SatisfactionPolicy()


def satisfaction_findings(store: Store, now: dt.datetime, policy: SatisfactionPolicy = DEFAULT_POLICY
                          ) -> list[Finding]:
    since = now - dt.timedelta(days=2 * policy.window_days)
    with store.session() as session:
        responses = [ScoredResponse(row.response_id, row.component, row.score, row.created_at, row.order_value)
                     for row in signal_store.feedback(session, since)
                     if row.component is not None and row.score is not None]
    return satisfaction_drops(responses, now, policy)


def sync_satisfaction(store: Store, now: dt.datetime, policy: SatisfactionPolicy = DEFAULT_POLICY
                      ) -> tuple[list[Finding], SyncResult]:
    """Record satisfaction drops as findings of source "feedback" (new, reopened, fixed)."""
    findings = satisfaction_findings(store, now, policy)
    with store.session() as session:
        result = sync_findings(session, SOURCE, SATISFACTION_SCOPE, findings, now)
    return findings, result
