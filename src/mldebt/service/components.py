"""The component names the store knows, for options that name one (`--component`): refuse unknown names.

A filter on a name the store has never seen answers an empty table, which reads like "no
incidents" when it is a typo; one line naming the problem and the known names is better. A
component is known when the inventory was imported with it, or when anything stored names it
(incidents linked through an inventory file's `sources` rules, drift runs, retrain requests, test
reports, findings), since those commands work without a `catalog import`.
"""

from __future__ import annotations

from sqlalchemy import select, union

from mldebt.errors import UserInputError
from mldebt.store.database import Store
from mldebt.store.ingest_tables import IncidentRow
from mldebt.store.models import ComponentRow, DriftRunRow, FindingRow, PipelineTestReportRow, RetrainRequestRow

NAMED_BY = (ComponentRow.name, IncidentRow.component, DriftRunRow.component, RetrainRequestRow.component,
            PipelineTestReportRow.component, FindingRow.component)


def component_names(store: Store) -> list[str]:
    """Every component name the store holds, retired ones included (their history is still queryable)."""
    query = union(*(select(column.label("name")).where(column.is_not(None)).distinct() for column in NAMED_BY))
    with store.session() as session:
        return sorted(session.scalars(select(query.subquery().c.name)))


def require_component(store: Store, name: str | None, option: str = "--component") -> None:
    """Raise a one-line user error when `name` is given and is not a component the store knows."""
    if name is None:
        return
    names = component_names(store)
    if name not in names:
        known = ", ".join(names) if names else "none yet (run `mldebt catalog import`)"
        raise UserInputError(f"{option}: unknown component {name!r}; known: {known}")
