"""`mldebt ingest junit FILE` and `mldebt ingest coverage FILE`: pipeline test results for the KPIs.

The two commands are plain functions so that they can join another `ingest` group as well.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from mldebt.cli.common import FORMAT_OPTION, OutputFormat, out, print_json, state
from mldebt.settings import CATALOG_FILE

if TYPE_CHECKING:
    from mldebt.service.test_reports import RecordedReport

app = typer.Typer(help="Record outside data: test results and coverage of ML pipelines.", no_args_is_help=True)

COMPONENT_OPTION = typer.Option(None, "--component", "-c", help="The inventory component the report is about.")


def _print(result: RecordedReport, fmt: OutputFormat) -> None:
    if fmt == OutputFormat.JSON:
        print_json(result.to_dict())
        return
    what = "recorded" if result.created else "already recorded (same file)"
    details = ", ".join(f"{k} {v}" for k, v in result.summary.items() if not isinstance(v, list | dict))
    out.print(f"{result.file}: {what} as {result.kind}"
              f"{' for ' + result.component if result.component else ''}: {details}", highlight=False, markup=False)


@app.command("junit")
def junit(ctx: typer.Context, file: Path = typer.Argument(..., help="JUnit XML file."),
          component: str = COMPONENT_OPTION, fmt: OutputFormat = FORMAT_OPTION) -> None:
    """Record a JUnit XML test report (pass rate of a pipeline's tests).

    Example:

      mldebt ingest junit reports/junit.xml --component recs-model
    """
    from mldebt.service.components import require_component
    from mldebt.service.test_reports import record_junit

    store = state(ctx).store()
    require_component(store, component)
    _print(record_junit(store, file, component), fmt)


@app.command("coverage")
def coverage(ctx: typer.Context, file: Path = typer.Argument(..., help="Cobertura XML file (coverage xml)."),
             component: str = COMPONENT_OPTION,
             catalog: Path = typer.Option(None, "--catalog", help="Inventory whose paths select the component's files "
                                          "(default: $MLDEBT_CATALOG or ./mldebt.yaml)."),
             config: Path = typer.Option(None, "--config", hidden=True, help="Old name of --catalog."),
             fmt: OutputFormat = FORMAT_OPTION) -> None:
    """Record a Cobertura XML coverage report; with --component, only that component's files count.

    Example:

      mldebt ingest coverage coverage.xml --component recs-model
    """
    from mldebt.service.components import require_component
    from mldebt.service.test_reports import record_coverage

    catalog_file = catalog or config or Path(CATALOG_FILE.value())
    store = state(ctx).store()
    require_component(store, component)
    _print(record_coverage(store, file, component, catalog_file), fmt)
