"""`mldebt report`: the quarter's board report as PDF, standalone HTML or Markdown (docs/report.md)."""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from mldebt.cli.common import check_writable, out, state
from mldebt.cli.debt import CATALOG_OPTION
from mldebt.cli.kpis import AS_OF_OPTION, _now

if TYPE_CHECKING:
    from mldebt.service.board_model import BoardReport
    from mldebt.store.database import Store


class ReportFormat(StrEnum):
    PDF = "pdf"
    HTML = "html"
    MD = "md"


def default_output(quarter: str, fmt: ReportFormat) -> Path:
    """`mldebt-report-2026Q4.pdf` in the current folder."""
    return Path(f"mldebt-report-{quarter}.{fmt.value}")


def build_report(store: Store, quarter: str, now: dt.datetime, compare: str | None = None,
                 catalog: Path | None = None) -> BoardReport:
    """The board report of `quarter`, its money priced with the catalog's rates (as `mldebt backlog` does).
    Both quarter strings are checked first: a bad one is exit 2 with one line."""
    from mldebt.cli.debt import _catalog_rates
    from mldebt.metrics.kpis.period import parse_quarter
    from mldebt.service.board_report import build_board_report

    quarter = str(parse_quarter(quarter, now))
    if compare is not None:
        compare = str(parse_quarter(compare, now))
    return build_board_report(store, quarter, now, compare=compare, rates=_catalog_rates(catalog))


def render(report: BoardReport, fmt: ReportFormat, page_size: str) -> bytes | str:
    """The report in one format: PDF bytes, or HTML / Markdown text."""
    if fmt == ReportFormat.PDF:
        from mldebt.report.board_pdf import render_board_pdf

        return render_board_pdf(report, page_size)
    if fmt == ReportFormat.HTML:
        from mldebt.report.board_html import render_board_html

        return render_board_html(report, page_size)
    from mldebt.report.board_md import render_board_markdown

    return render_board_markdown(report)


def write_report(content: bytes | str, path: Path) -> None:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, "utf-8")


def report(
    ctx: typer.Context,
    quarter: str = typer.Option(None, "--quarter", "-q", metavar="YYYYQN",
                                help="Quarter to report, e.g. 2026Q4 (default: the quarter of --as-of, or of today)."),
    fmt: ReportFormat = typer.Option(ReportFormat.PDF, "--format", "-f", help="pdf, html (standalone) or md."),
    output: str = typer.Option(None, "--output", "-o", metavar="FILE",
                               help="Write to FILE (default: ./mldebt-report-<quarter>.<format>); "
                                    "`-` writes html or md to stdout."),
    compare: str = typer.Option(None, "--compare", metavar="YYYYQN",
                                help="Quarter to compare with (default: the quarter before)."),
    page_size: str = typer.Option("A4", "--page-size", metavar="A4|Letter", help="Page size: A4 or Letter."),
    catalog: Path = CATALOG_OPTION,
    as_of: str = AS_OF_OPTION,
) -> None:
    """The quarter's AI debt in business terms for the board: summary, KPIs, top risks, remediation,
    where failures come from, and an appendix with every definition. Prints the path written.

    Example:

      mldebt report --quarter 2026Q4
      mldebt report --quarter 2026Q4 --format html --compare 2026Q2 --output board.html
      mldebt report --format md --output - > report.md
    """
    from mldebt.errors import UserInputError
    from mldebt.report.board_html import page_size_css
    from mldebt.service.kpis import default_quarter

    page_size_css(page_size)  # a bad size is exit 2 before any work
    to_stdout = output == "-"
    if to_stdout and fmt == ReportFormat.PDF:
        raise UserInputError("--output -: a PDF is not written to stdout; give a file name, or --format html or md")
    now = _now(as_of)
    path = None if to_stdout else Path(output) if output else None
    if path is not None:
        check_writable(path, "--output")
    store = state(ctx).store()
    try:
        report_data = build_report(store, quarter or default_quarter(now), now, compare, catalog)
    finally:
        store.close()  # the PDF takes a second or two to lay out: no connection held through it
    content = render(report_data, fmt, page_size)
    if to_stdout:
        sys.stdout.write(content if isinstance(content, str) else content.decode())
        return
    path = path or default_output(report_data.quarter, fmt)
    check_writable(path, "--output")
    write_report(content, path)
    out.print(f"wrote {path}", highlight=False)
