"""Who closed a debt item whose evidence disappeared: an automatic action, or a person.

`fixed_by: automated` when, after the item opened and by the time its evidence was gone, an
automatic action touched its component:
- a retrain request in mode `auto` that succeeded (only for `data` and `model` items: a retrain
  refreshes a model and its data, it cannot pin a dependency or delete a notebook);
- a change-log entry of the component whose author is a bot (any name ending in `[bot]`, which is
  how GitHub names app accounts, or one of `MLDEBT_BOT_AUTHORS`: dependabot and renovate by
  default), e.g. a dependency bump merged by Renovate.
Otherwise `manual`: a person did. The action found is kept as the item's evidence.

Everything is read in two queries for all the items a rebuild resolves (no query per item).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from mldebt.domain.debt import DebtCategory, Evidence, EvidenceKind, FixedBy
from mldebt.settings import BOT_AUTHORS
from mldebt.store.debt_tables import DebtItemRow
from mldebt.store.models import ChangeRow, ComponentRow, RetrainRequestRow

BOT_NAMES = ("dependabot", "renovate")
BOT_SUFFIX = "[bot]"
RETRAIN_FIXES = (DebtCategory.DATA, DebtCategory.MODEL)
AUTO_MODE = "auto"
SUCCEEDED = "succeeded"  # service.retrain.SUCCEEDED (the retrain service imports subprocess machinery)


def bot_names() -> frozenset[str]:
    """The authors that are bots besides `name[bot]`: `MLDEBT_BOT_AUTHORS` (default dependabot, renovate)."""
    return frozenset(name.strip().lower() for name in BOT_AUTHORS.value().split(",") if name.strip())


def is_bot(author: str | None, names: frozenset[str] = frozenset(BOT_NAMES)) -> bool:
    """A change made by a bot account: GitHub's `name[bot]`, or one of `names`."""
    name = (author or "").strip().lower()
    return name.endswith(BOT_SUFFIX) or name in names


@dataclass(frozen=True)
class AutomaticAction:
    component: str
    at: dt.datetime
    kind: EvidenceKind  # retrain | change
    ref: str
    summary: str

    def evidence(self) -> Evidence:
        return Evidence(self.kind, self.ref, self.summary, self.at)


def automatic_actions(session: Session, components: Sequence[str], since: dt.datetime, now: dt.datetime
                      ) -> dict[str, list[AutomaticAction]]:
    """Successful auto retrains and bot change-log entries of `components` between `since` and `now`."""
    found: dict[str, list[AutomaticAction]] = {}
    names = sorted(set(components))
    if not names:
        return found
    retrains = select(RetrainRequestRow.id, RetrainRequestRow.component, RetrainRequestRow.decided_at).where(
        RetrainRequestRow.component.in_(names), RetrainRequestRow.mode == AUTO_MODE,
        RetrainRequestRow.status == SUCCEEDED, RetrainRequestRow.decided_at >= since,
        RetrainRequestRow.decided_at <= now)
    for request_id, component, decided_at in session.execute(retrains):
        if decided_at is None:
            continue
        found.setdefault(component, []).append(AutomaticAction(
            component, decided_at, EvidenceKind.RETRAIN, str(request_id),
            f"automatic retrain #{request_id} succeeded"))
    changes = (select(ChangeRow.id, ComponentRow.name, ChangeRow.date, ChangeRow.author, ChangeRow.version,
                      ChangeRow.description)
               .join(ComponentRow, ChangeRow.component_id == ComponentRow.id)
               .where(ComponentRow.name.in_(names), ChangeRow.date >= since.date(), ChangeRow.date <= now.date()))
    bots = bot_names()
    for change_id, component, day, author, version, description in session.execute(changes):
        if is_bot(author, bots):
            at = dt.datetime.combine(day, dt.time(), dt.UTC)
            found.setdefault(component, []).append(AutomaticAction(
                component, at, EvidenceKind.CHANGE, str(change_id),
                f"{version} by {author}: {description}"[:300]))
    return found


def closing_action(item: DebtItemRow, opened_at: dt.datetime, actions: Sequence[AutomaticAction]
                   ) -> AutomaticAction | None:
    """The latest automatic action that can have closed `item` (opened at `opened_at`), if any."""
    day = opened_at.date()
    fitting = [a for a in actions
               if (a.at >= opened_at if a.kind == EvidenceKind.RETRAIN else a.at.date() >= day)
               and (a.kind != EvidenceKind.RETRAIN or item.category in RETRAIN_FIXES)]
    return max(fitting, key=lambda a: (a.at, a.ref)) if fitting else None


def fixed_by(action: AutomaticAction | None) -> FixedBy:
    return FixedBy.AUTOMATED if action is not None else FixedBy.MANUAL
