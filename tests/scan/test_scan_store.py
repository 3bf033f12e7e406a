"""Scan runs in the store (SQLite and PostgreSQL): fixed findings, reopened ones, run history."""

from __future__ import annotations

import datetime as dt

from mldebt.service.scan import run_scan
from mldebt.store.findings import open_findings
from mldebt.store.scans import scan_runs

T0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


def test_a_finding_gone_from_a_later_scan_is_marked_fixed_and_can_reopen(store, storefront_repo):
    first = run_scan(store, [storefront_repo], now=T0, as_of=dt.date(2026, 11, 25)).outcomes[0]
    assert len(first.synced.new) == 42
    pkl = storefront_repo / "models" / "fraud.pkl"
    data = pkl.read_bytes()
    pkl.unlink()
    second = run_scan(store, [storefront_repo], now=T0 + dt.timedelta(days=1), as_of=dt.date(2026, 11, 25)).outcomes[0]
    assert len(second.synced.fixed) == 2 and second.synced.new == []
    pkl.write_bytes(data)
    third = run_scan(store, [storefront_repo], now=T0 + dt.timedelta(days=2), as_of=dt.date(2026, 11, 25)).outcomes[0]
    assert len(third.synced.reopened) == 2
    with store.session() as session:
        runs = scan_runs(session, str(storefront_repo.resolve()))
        assert [(r.findings, r.new, r.fixed) for r in runs] == [(42, 42, 0), (40, 0, 2), (42, 2, 0)]
        assert runs[0].summary["counts_by_rule"]["MLD402"] == 2
        assert {r["component"] for r in runs[0].summary["ml_test_score"]} == {"recs-model", "fraud-model"}
        assert len(open_findings(session, source="scan")) == 42
        assert {f.component for f in open_findings(session, component="recs-model", source="scan")} == {"recs-model"}
