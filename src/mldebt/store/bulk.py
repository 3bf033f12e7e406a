"""Set-based inserts for group commit whose SQL does not grow with the batch.

The generic form, `INSERT ... VALUES (...), (...) RETURNING`, is rendered per batch size; on
PostgreSQL psycopg then parses every such long text in Python (its query cache skips statements
over 50 parameters), which cost more CPU per delivery than the work itself (py-spy,
benchmarks/ingest_bench.py). On PostgreSQL the rows are therefore sent as one array per column,
`INSERT ... SELECT * FROM unnest(...) ... ORDER BY ordinality`: one statement text for every batch,
parsed once. Generated ids ascend in insertion order, which is how SQLAlchemy itself matches
RETURNING rows to parameters there. SQLite keeps the plain form (no driver-side parsing). For the
same reason `member_of` binds a list as one array on PostgreSQL instead of one parameter per item.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Connection, Table, any_, bindparam, cast, func, insert, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.types import Text

_CACHE: dict[tuple[Any, ...], Any] = {}


def insert_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]], returning: str | Sequence[str],
                ignore_conflicts: bool = False) -> list[Any]:
    """Insert `rows` (all with the same keys) in one statement.

    `returning` names the column(s) to give back: without `ignore_conflicts`, one value (or tuple)
    per row in row order; with it, the values of the rows actually inserted (conflicting rows are
    skipped), in no particular order.
    """
    if not rows:
        return []
    names = tuple(rows[0])
    wanted = (returning,) if isinstance(returning, str) else tuple(returning)
    dialect = connection.dialect.name
    key = (dialect, table.name, names, wanted, ignore_conflicts)
    if key not in _CACHE:
        _CACHE[key] = (_unnest_insert if dialect == "postgresql" else _values_insert)(
            table, names, wanted, ignore_conflicts)
    statement = _CACHE[key]
    if dialect == "postgresql":
        result = connection.execute(statement, _columns(table, names, rows))
        found = [row[0] if len(wanted) == 1 else tuple(row) for row in result]
        return found if ignore_conflicts else sorted(found)
    result = connection.execute(statement, list(rows))
    return [row[0] if len(wanted) == 1 else tuple(row) for row in result]


def member_of(column: Any, name: str, dialect: str) -> Any:
    """`column IN (...)` with the list bound as `name`, written so that its SQL text does not change
    with the list's length on PostgreSQL (`= ANY(array)`), so the server's prepared statements are reused."""
    if dialect == "postgresql":
        return column == any_(bindparam(name, type_=postgresql.ARRAY(column.type)))
    return column.in_(bindparam(name, expanding=True))


def _values_insert(table: Table, names: tuple[str, ...], wanted: tuple[str, ...], ignore_conflicts: bool) -> Any:
    columns = [table.c[name] for name in wanted]
    if ignore_conflicts:
        return sqlite.insert(table).on_conflict_do_nothing().returning(*columns)
    return insert(table).returning(*columns, sort_by_parameter_order=True)


def _unnest_insert(table: Table, names: tuple[str, ...], wanted: tuple[str, ...], ignore_conflicts: bool) -> Any:
    arrays = [bindparam(f"a_{name}", type_=postgresql.ARRAY(Text if _is_json(table, name) else table.c[name].type))
              for name in names]
    source = func.unnest(*arrays).table_valued(*names, with_ordinality="position").render_derived()
    values = [cast(source.c[name], table.c[name].type) if _is_json(table, name) else source.c[name] for name in names]
    query = select(*values).order_by(literal_column("position"))
    statement = postgresql.insert(table).from_select(list(names), query)
    if ignore_conflicts:
        statement = statement.on_conflict_do_nothing()
    return statement.returning(*(table.c[name] for name in wanted))


def _is_json(table: Table, name: str) -> bool:
    return isinstance(table.c[name].type, JSON)


def _columns(table: Table, names: tuple[str, ...], rows: Sequence[dict[str, Any]]) -> dict[str, list[Any]]:
    arrays: dict[str, list[Any]] = {}
    for name in names:
        values = [row[name] for row in rows]
        if _is_json(table, name):
            values = [None if v is None else json.dumps(v) for v in values]
        arrays[f"a_{name}"] = values
    return arrays
