"""`mldebt db ...`: the store's schema."""

from __future__ import annotations

import typer

from mldebt.cli.common import out, state
from mldebt.settings import DATABASE_URL

app = typer.Typer(help="The store: migrations and status.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Apply pending migrations to the store (SQLite by default, any SQLAlchemy URL with --db).

    Example:

      mldebt --db postgresql+psycopg://mldebt@localhost/mldebt db upgrade
    """
    from mldebt.store.database import open_store

    store = open_store(DATABASE_URL.value(state(ctx).db), migrate=False)
    before = store.current_revisions()
    after = store.upgrade()
    verb = "already at" if before == after else "upgraded to"
    out.print(f"{store.safe_url}: {verb} {', '.join(after)}", highlight=False)


@app.command("current")
def current(ctx: typer.Context) -> None:
    """Print the store's URL, its migration revisions and the newest available.

    Example:

      mldebt db current
    """
    from mldebt.store.database import open_store

    store = open_store(DATABASE_URL.value(state(ctx).db), migrate=False)
    now, heads = store.current_revisions(), store.head_revisions()
    status = "up to date" if now == heads else "behind: run `mldebt db upgrade`"
    out.print(f"{store.safe_url}: {', '.join(now) or 'empty'} ({status})", highlight=False)
