"""The board report as one standalone HTML document (and the source of the PDF, `report.board_pdf`).

It renders a `service.board_model.BoardReport` through the shared autoescaped environment
(`report.environment`) and the template `board.html.j2`; the stylesheet `board.css` is a package file
the template includes into a `<style>` element, so the file needs nothing beside it: no external URL,
no script. It computes nothing: every number and sentence is in the report; this module only
formats values for reading (money as rounded ranges, shares as percentages) and draws the charts
with the shared chart module.
"""

from __future__ import annotations

from typing import Any

from mldebt.errors import UserInputError
from mldebt.metrics.kpis.base import format_value
from mldebt.metrics.money import format_hours_range, format_money, format_money_range
from mldebt.report.charts import ChartGeometry, bar_chart, hbar_chart, line_chart
from mldebt.report.environment import template_environment
from mldebt.service.board_model import AMBER, GREEN, NO_STATUS, RED, BoardReport, MoneyRange

PAGE_SIZES = {"A4": "A4", "Letter": "letter"}  # option value -> CSS `size`
STATUS_WORDS = {GREEN: "green", AMBER: "amber", RED: "red", NO_STATUS: "no comparison"}
COMPARE_SOURCES = {"snapshot": "its frozen quarterly review", "computed": "computed from the store",
                   "none": "nothing stored for it"}


def page_size_css(page_size: str) -> str:
    """The CSS page size of `--page-size` A4 or Letter (any case); anything else is a UserInputError."""
    for name, css in PAGE_SIZES.items():
        if page_size.lower() == name.lower():
            return css
    raise UserInputError(f"--page-size: unknown page size {page_size!r}, expected A4 or Letter")


def money_month(value: MoneyRange | None) -> str:
    """A monthly money range as people read it: "$7.4k-12k/month"; "-" without a value."""
    return "-" if value is None else format_money_range(value.low, value.high, value.currency, per="month")


def money_per_hour(value: MoneyRange | None) -> str:
    """Interest avoided per month for each hour of work: "$22-37"; a sentence without a value."""
    return "no effort recorded" if value is None else format_money_range(value.low, value.high, value.currency,
                                                                         per=None)


def kpi_value(value: float | None, unit: str) -> str:
    """A KPI value in its unit: shares as percentages, hours with "h", scores with two decimals."""
    return "no data" if value is None else format_value(value, unit, count_unit=True)


def kpi_change(value: float | None, unit: str) -> str:
    """The change with its sign and direction word: "down 2.8 h", "up 4.3 pts" (shares in points)."""
    if value is None:
        return "no comparison"
    if value == 0:
        return "unchanged"
    word = "up" if value > 0 else "down"
    size = abs(value)
    if unit == "share":
        return f"{word} {size * 100:.1f} pts"
    if unit == "hours":
        return f"{word} {size:.1f} h"
    if unit.startswith("score"):
        return f"{word} {size:.2f}"
    return f"{word} {size:g}"


def param_text(value: object) -> str:
    """A model parameter as text: mappings as "key: value; ...", lists comma-separated."""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {param_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(param_text(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def board_charts(report: BoardReport) -> dict[str, ChartGeometry]:
    """The report's charts, drawn by the shared chart module from the report's own series."""
    p, f = report.progress, report.failures
    return {
        "burn_down": line_chart("Open debt items at each week's end", p.week_labels,
                                {"open items": p.open_at_end}, x_label="week ending", y_label="items",
                                key="board-burn-down"),
        "opened_resolved": bar_chart("Debt items opened and resolved per week", p.week_labels,
                                     {"opened": p.opened, "resolved": p.resolved}, x_label="week ending",
                                     y_label="items", key="board-opened-resolved"),
        "ageing": hbar_chart("Age of open debt", [a for a, _ in p.ageing], [n for _, n in p.ageing],
                             x_label="open items", y_label="items", key="board-ageing"),
        "by_category": hbar_chart("Incidents by failure category", [c for c, _ in f.incidents_by_category],
                                  [n for _, n in f.incidents_by_category], x_label="incidents in the quarter",
                                  y_label="incidents", key="board-incidents-category"),
        "by_component": hbar_chart("Incidents by component", [c for c, _ in f.incidents_by_component],
                                   [n for _, n in f.incidents_by_component], x_label="incidents in the quarter",
                                   y_label="incidents", key="board-incidents-component"),
        "drift": bar_chart("Drift checks and alerts per component", [d.get("component") for d in f.drift_alerts],
                           {"checks": [d.get("runs") for d in f.drift_alerts],
                            "alerts": [d.get("alerts") for d in f.drift_alerts]},
                           x_label="component", y_label="drift checks", key="board-drift"),
        "test_scores": hbar_chart("ML Test Score per component (latest scan)", [c for c, _ in f.test_scores],
                                  [s for _, s in f.test_scores], x_label="ML Test Score", y_label="score",
                                  key="board-test-scores"),
    }


def render_context(report: BoardReport, page_size: str = "A4") -> dict[str, Any]:
    return {
        "r": report, "page_size": page_size_css(page_size), "charts": board_charts(report) if report.has_data else {},
        "status_words": STATUS_WORDS, "compare_source": COMPARE_SOURCES.get(report.compare_source,
                                                                            report.compare_source),
        "money_month": money_month, "money_per_hour": money_per_hour, "money": format_money,
        "hours_range": format_hours_range, "kpi_value": kpi_value, "kpi_change": kpi_change,
        "param_text": param_text, "when": lambda t: t.strftime("%Y-%m-%d %H:%M UTC"),
    }


def render_board_html(report: BoardReport, page_size: str = "A4") -> str:
    """The report as one standalone HTML document, printable on A4 or Letter pages."""
    return template_environment().get_template("board.html.j2").render(**render_context(report, page_size))
