"""A rebuild at a later moment whose numbers did not change moves only `scored_at`: no breakdown is
rewritten and no history entry is added, and the breakdown shown says the new moment."""

import datetime as dt

from sqlalchemy import func, select

from mldebt.service.backlog import item_dict, rebuild_backlog
from mldebt.store.debt_tables import DebtItemChangeRow
from tests.service.test_backlog import T0, components, items, record, unpinned  # noqa: F401  (fixture)

T1 = T0 + dt.timedelta(hours=6)


def test_an_unchanged_score_keeps_its_breakdown_and_only_moves_its_moment(components):  # noqa: F811
    record(components, "scan", [unpinned("shop-api", "flask"), unpinned("shop-api", "requests")], T0)
    rebuild_backlog(components, T0)
    [before] = items(components)
    with components.session() as session:
        entries = session.scalar(select(func.count()).select_from(DebtItemChangeRow))
    result = rebuild_backlog(components, T1)
    [after] = items(components)
    assert (result.created, result.updated, result.scored) == ([], [], 1)
    assert after.breakdown == before.breakdown and "as_of" not in after.breakdown
    assert (before.scored_at, after.scored_at) == (T0, T1)
    assert (after.priority, after.risk, after.interest_high) == (before.priority, before.risk, before.interest_high)
    with components.session() as session:
        assert session.scalar(select(func.count()).select_from(DebtItemChangeRow)) == entries
    shown = item_dict(after)
    assert (shown["breakdown"]["as_of"], shown["scored_at"]) == (T1.isoformat(), T1.isoformat())
    assert shown["breakdown"]["summary"] == before.breakdown["summary"]
