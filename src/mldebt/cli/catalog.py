"""`mldebt catalog ...` and `mldebt init`: the inventory from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from mldebt.cli.common import (
    AS_OF_OPTION,
    FORMAT_OPTION,
    OutputFormat,
    err,
    out,
    parse_as_of,
    print_json,
    severity_text,
    state,
    styled,
    yes_no,
)
from mldebt.errors import UserInputError
from mldebt.settings import CATALOG_FILE

if TYPE_CHECKING:
    from mldebt.domain.finding import Finding
    from mldebt.service.catalog import CatalogImport
    from mldebt.service.catalog_status import ComponentStatus

app = typer.Typer(help="The inventory of models, datasets, services and pipelines (mldebt.yaml).",
                  no_args_is_help=True)

FILE_ARGUMENT = typer.Argument(None, metavar="[FILE]", help="Inventory file (default: ./mldebt.yaml).")


def _file(path: Path | None) -> Path:
    return path if path is not None else Path(CATALOG_FILE.value())


@app.command("schema")
def schema() -> None:
    """Print the JSON Schema of mldebt.yaml, for editors and CI validators.

    Example:

      mldebt catalog schema > mldebt.schema.json
    """
    from mldebt.domain.component import catalog_json_schema

    print_json(catalog_json_schema())


@app.command("validate")
def validate(file: Path = FILE_ARGUMENT, fmt: OutputFormat = FORMAT_OPTION) -> None:
    """Check the inventory file and report every error at once (exit status 2 when any).

    Each error shows file:line:column, the path of the field and what was expected.

    Example:

      mldebt catalog validate examples/storefront/mldebt.yaml
    """
    from mldebt.service.catalog import validate_catalog

    loaded = validate_catalog(_file(file))
    if fmt == OutputFormat.JSON:
        print_json({"file": loaded.file, "valid": not loaded.problems,
                    "errors": [p.to_dict() for p in loaded.problems]})
    else:
        for problem in loaded.problems:
            err.print(str(problem), markup=False, highlight=False)
        if loaded.problems:
            err.print(f"{len(loaded.problems)} error(s) in {loaded.file}", markup=False, highlight=False)
        else:
            count = len(loaded.catalog.components) if loaded.catalog else 0
            out.print(f"{loaded.file}: valid ({count} components)", markup=False, highlight=False)
    if loaded.problems:
        raise typer.Exit(2)


@app.command("import")
def import_(ctx: typer.Context, file: Path = FILE_ARGUMENT, fmt: OutputFormat = FORMAT_OPTION,
            as_of: str = AS_OF_OPTION) -> None:
    """Load the inventory into the store (idempotent); components gone from this file are retired.

    Example:

      mldebt catalog import mldebt.yaml
    """
    from mldebt.service.catalog import import_catalog

    result = import_catalog(state(ctx).store(), _file(file), parse_as_of(as_of))
    if fmt == OutputFormat.JSON:
        print_json({**result.to_dict(), "health": [f.to_dict() for f in result.health]})
        return
    print_import(result)


def print_import(result: CatalogImport) -> None:
    c = result.components
    out.print(f"Imported {result.file}: {len(c.added)} added, {len(c.updated)} updated, {len(c.unchanged)} unchanged, "
              f"{len(c.retired)} retired, {len(c.restored)} restored, {c.changes_added} change-log entries added",
              highlight=False)
    if c.retired:
        out.print(f"Retired (no longer in {result.file}): {', '.join(c.retired)}", markup=False, highlight=False)
    f = result.findings
    out.print(f"Health findings: {len(result.health)} open ({len(f.new)} new, {len(f.reopened)} reopened, "
              f"{len(f.fixed)} fixed since the last import)", highlight=False)
    if result.health:
        print_findings(result.health)


def print_findings(findings: list[Finding]) -> None:
    table = Table(title="Inventory health findings", title_justify="left")
    for column in ("severity", "rule", "component", "message"):
        table.add_column(column)
    for f in findings:
        table.add_row(severity_text(f.severity), f.rule_id, f.component, f.message)
    out.print(table)


@app.command("list")
def list_(ctx: typer.Context, fmt: OutputFormat = FORMAT_OPTION, as_of: str = AS_OF_OPTION,
          include_retired: bool = typer.Option(False, "--all", help="Include retired components.")) -> None:
    """Show the stored inventory: owner, lifecycle, staleness, model card, open findings.

    Example:

      mldebt catalog list --format json
    """
    from mldebt.service.catalog_status import list_catalog

    rows = list_catalog(state(ctx).store(), parse_as_of(as_of), include_retired)
    if fmt == OutputFormat.JSON:
        print_json([r.to_dict() for r in rows])
        return
    if not rows:
        err.print("the store has no components yet: run `mldebt catalog import [FILE]`", markup=False)
        return
    print_components(rows)


def print_components(rows: list[ComponentStatus]) -> None:
    table = Table(title="Inventory", title_justify="left")
    for column in ("name", "kind", "owner", "lifecycle", "version", "days since retrain", "stale", "model card",
                   "open findings"):
        table.add_column(column, justify="right" if column in ("days since retrain", "open findings") else "left")
    for r in rows:
        table.add_row(
            r.name + (" (retired)" if r.retired else ""), r.kind, r.owner or styled("none", "red"), r.lifecycle,
            r.version or "-", "-" if r.days_since_retrain is None else str(r.days_since_retrain),
            styled("yes", "red") if r.stale else ("no" if r.days_since_retrain is not None else "-"),
            yes_no(r.model_card), str(r.open_findings),
        )
    out.print(table)


def init(path: Path = typer.Argument(Path("mldebt.yaml"), help="Where to write the starter file."),
         force: bool = typer.Option(False, "--force", help="Overwrite an existing file.")) -> None:
    """Write a commented starter mldebt.yaml to describe your models, datasets and services.

    Example:

      mldebt init && mldebt catalog validate
    """
    from mldebt.inventory.starter import starter_catalog

    if path.exists() and not force:
        raise UserInputError(f"{path} already exists (use --force to overwrite)")
    path.write_text(starter_catalog(), encoding="utf-8")
    out.print(f"wrote {path}: edit it, then run `mldebt catalog validate {path}`", highlight=False)
