"""`mldebt serve` and `mldebt token ...`: the web service and its API tokens."""

from __future__ import annotations

import os
from pathlib import Path

import typer
from rich.table import Table

from mldebt.cli.common import FORMAT_OPTION, OutputFormat, out, print_json, state
from mldebt.domain.roles import ROLE_NAMES as ROLES
from mldebt.errors import UserInputError
from mldebt.settings import CATALOG_FILE, DATABASE_URL

APP_FACTORY = "mldebt.web.app:app_from_settings"
HTTP_PROTOCOL = "mldebt.web.http_protocol:LimitedHttpToolsProtocol"  # bounded request heads: 431/414, not a reset


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", min=0, max=65535, help="Port to listen on."),
    catalog: Path = typer.Option(None, "--catalog", help="Inventory whose `sources` rules link events "
                                 "(default: $MLDEBT_CATALOG or ./mldebt.yaml)."),
) -> None:
    """Run the web service: webhooks at /hooks/{source}, the API at /api/v1, /metrics, health at /healthz.

    One process writes the store (one writer per SQLite file, group commit). Webhook secrets come
    from MLDEBT_<SOURCE>_SECRET; a source without one refuses deliveries (401).

    Example:

      MLDEBT_ALERTMANAGER_SECRET=s3cret mldebt serve --port 8000
    """
    run_server(ctx, host, port, catalog)


def run_server(ctx: typer.Context, host: str, port: int, catalog: Path | None) -> None:
    """Serve the store of `ctx` until interrupted: what `mldebt serve` and `mldebt demo` both run."""
    import uvicorn

    # The CLI and the web layer are siblings (no imports between them): hand the settings over through
    # the environment and let uvicorn build the app from its factory.
    if state(ctx).db:
        os.environ[DATABASE_URL.env] = state(ctx).db or ""
    if catalog is not None:
        os.environ[CATALOG_FILE.env] = str(catalog)
    state(ctx).store().close()  # migrate and fail early with a one-line error when the store is unreachable
    out.print(f"mldebt serving on http://{host}:{port} (OpenAPI, with a token: /api/v1/openapi.json)", highlight=False)
    uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, log_level="warning", access_log=False,
                http=HTTP_PROTOCOL)


token_app = typer.Typer(help="API tokens: every /api/v1 call needs one.", no_args_is_help=True)


@token_app.command("create")
def create(
    ctx: typer.Context,
    role: str = typer.Option(..., "--role", help=f"One of {', '.join(ROLES)}; viewers cannot write."),
    name: str = typer.Option("api", "--name", help="What the token is for."),
    fmt: OutputFormat = FORMAT_OPTION,
) -> None:
    """Create an API token and print it once; only its hash is stored.

    Example:

      mldebt token create --role viewer --name grafana
    """
    from mldebt.service.tokens import create_api_token

    if role not in ROLES:
        raise UserInputError(f"--role: {role!r} is not one of {', '.join(ROLES)}")
    created = create_api_token(state(ctx).store(), role, name)
    if fmt == OutputFormat.JSON:
        print_json(created)
        return
    print(created["token"])
    out.print(f"token {created['id']} ({role}, {name}): shown once, store it now", highlight=False, style="dim")


@token_app.command("list")
def list_(ctx: typer.Context, fmt: OutputFormat = FORMAT_OPTION) -> None:
    """List API tokens (never the tokens themselves).

    Example:

      mldebt token list
    """
    from mldebt.service.tokens import token_list

    rows = token_list(state(ctx).store())
    if fmt == OutputFormat.JSON:
        print_json(rows)
        return
    table = Table("id", "name", "role", "created", "revoked")
    for r in rows:
        table.add_row(str(r["id"]), r["name"], r["role"], r["created_at"][:19], "yes" if r["revoked"] else "no")
    out.print(table)


@token_app.command("revoke")
def revoke_command(ctx: typer.Context, token_id: int = typer.Argument(..., metavar="ID")) -> None:
    """Revoke an API token by id.

    Example:

      mldebt token revoke 3
    """
    from mldebt.service.tokens import revoke

    revoke(state(ctx).store(), token_id)
    out.print(f"token {token_id} revoked", highlight=False)
