"""The board report as GitHub-flavoured Markdown, for a wiki page or a pull request.

Renders a `BoardReport` (service.board_model) and computes nothing: every number and sentence comes
from the model; this module only formats them (units, money ranges) and lays them out. Titles, component
names, owners and reasons come from webhooks, scans and the inventory, so every piece of text goes through
`escape`: a `|` cannot split a table cell, a newline cannot end a row, and `<script>` or
`[x](javascript:alert(1))` shows as text instead of becoming HTML or a link. The output holds no HTML.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from mldebt.metrics.kpis.base import format_value
from mldebt.metrics.money import format_hours_range, format_money_range
from mldebt.service.board_model import (
    AMBER,
    GREEN,
    NO_STATUS,
    RED,
    BoardReport,
    KpiRow,
    MoneyRange,
    Progress,
)

MAX_CELL = 200  # characters of one table cell or list item, before escaping
MAX_PROSE = 1000  # a summary sentence, a note, a KPI definition
MAX_ROWS = 500  # rows of one table (the model's lists are short; this only bounds a surprise)
ELLIPSIS = "…"
STATUS_WORDS = {GREEN: "green", AMBER: "amber", RED: "red", NO_STATUS: "no comparison"}
COMPARE_SOURCES = {"snapshot": "its frozen quarterly review", "computed": "computed from the store"}

_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")  # newlines, tabs, escapes: one space
_MARKUP = re.compile(r"([*_\[\]()#`|~])")  # emphasis, links, headings, code, table cells, strikethrough


def escape(text: object, limit: int = MAX_CELL) -> str:
    """`text` as literal Markdown on one line: control characters become spaces, text longer than `limit`
    ends with an ellipsis, `<`, `>` and `&` become entities and markup characters are backslash-escaped."""
    flat = _CONTROL.sub(" ", str(text)).strip()
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + ELLIPSIS
    flat = flat.replace("\\", "\\\\").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKUP.sub(r"\\\1", flat)


def table(header: Sequence[str], rows: Iterable[Sequence[object]], limit: int = MAX_CELL) -> list[str]:
    """A GFM table (then a blank line): every cell escaped, every row as wide as the header."""
    lines = [_table_row(header, limit), "|" + "---|" * len(header)]
    for index, row in enumerate(rows):
        if index == MAX_ROWS:
            break
        if len(row) != len(header):
            raise ValueError(f"a row of {len(row)} cells under a header of {len(header)}")
        lines.append(_table_row(row, limit))
    return [*lines, ""]


def _table_row(cells: Sequence[object], limit: int) -> str:
    return "| " + " | ".join(escape(cell, limit) for cell in cells) + " |"


def _bullets(items: Iterable[object], limit: int = MAX_PROSE) -> list[str]:
    return [*(f"- {escape(item, limit)}" for item in items), ""]


def render_board_markdown(report: BoardReport) -> str:
    """The whole report; a quarter without data is its title, one sentence saying so and the appendix."""
    lines = _title(report)
    if report.has_data:
        lines += _summary(report) + _kpis(report) + _risks(report) + _progress(report) + _failures(report)
    else:
        lines += [f"No data is recorded for {escape(report.quarter)} ({_period(report)}): no incidents, tickets, "
                  "feedback, findings or debt.", ""]
    lines += _appendix(report) + _notes(report)
    return "\n".join(lines).rstrip("\n") + "\n"


# -- formatting of the model's values ------------------------------------------------------------------


def _money(amount: MoneyRange | None, per: str = "month") -> str:
    return "-" if amount is None else format_money_range(amount.low, amount.high, amount.currency, per)


def _moment(moment: dt.datetime) -> str:
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _number(value: float | None, unit: str) -> str:
    return "-" if value is None else format_value(value, unit)


def _change(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "share":
        return f"{value * 100:+.1f} pp"
    if unit == "hours":
        return f"{value:+.1f} h"
    if unit.startswith("score"):
        return f"{value:+.2f}"
    return f"{value:+g}"


def _direction(kpi: KpiRow, compared: bool) -> str:
    better = f"{kpi.direction} is better"
    if not compared or kpi.change is None:
        return better
    moved = "up" if kpi.change > 0 else "down" if kpi.change < 0 else "unchanged"
    return f"{moved}; {better}"


def _plain(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dt.datetime):
        return _moment(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(_plain(item) for item in value) or "-"
    return str(value)


# -- the sections --------------------------------------------------------------------------------------


def _title(report: BoardReport) -> list[str]:
    state = "complete" if report.complete else "still running"
    if report.has_previous:
        compared = f"{escape(report.compare)} ({COMPARE_SOURCES.get(report.compare_source, 'stored')})"
    else:
        compared = f"{escape(report.compare)} (nothing is stored for it: no comparison)"
    return [f"# AI debt report {escape(report.quarter)}", "",
            f"- Store: {escape(report.store)}",
            f"- Quarter: {escape(report.quarter)}, {_period(report)} ({state})",
            f"- Compared with: {compared}",
            f"- As of: {_moment(report.as_of)}",
            f"- Generated: {_moment(report.generated_at)}", ""]


def _period(report: BoardReport) -> str:
    return f"{report.period_start.isoformat()} to {report.period_end.isoformat()}"


def _summary(report: BoardReport) -> list[str]:
    return ["## Executive summary", "", *_bullets(report.summary)]


def _kpis(report: BoardReport) -> list[str]:
    compared = report.has_previous
    lines = ["## KPIs", "", *table(
        ["KPI", "value", "previous", "change", "direction", "status"],
        [[k.name, _number(k.value, k.unit), _number(k.previous, k.unit) if compared else "-",
          _change(k.change, k.unit) if compared else "-", _direction(k, compared),
          STATUS_WORDS.get(k.status, k.status) if compared else STATUS_WORDS[NO_STATUS]] for k in report.kpis])]
    before = (f" ({escape(report.compare)}: {report.open_debt_items_previous} items, "
              f"{escape(_money(report.interest_month_previous))})"
              if compared and report.open_debt_items_previous is not None else "")
    lines += [f"Open debt: {report.open_debt_items} items, interest {escape(_money(report.interest_month))}{before}.",
              ""]
    for kpi in report.kpis:
        if kpi.by_component:
            lines += [f"### {escape(kpi.name)}: by component", "", *table(
                ["component", kpi.unit], [[name, _number(value, kpi.unit)] for name, value in kpi.by_component.items()],
            )]
    return lines


def _risks(report: BoardReport) -> list[str]:
    if not report.risks:
        return ["## Top 10 risks", "", "No open debt item is priced in the quarter.", ""]
    return ["## Top 10 risks", "", *table(
        ["rank", "item", "title", "component", "owner", "category", "interest per month", "effort", "evidence",
         "why"],
        [[r.rank, r.item_id, r.title, r.component, r.owner or "unassigned", r.category, _money(r.interest_month),
          format_hours_range(r.effort_low_hours, r.effort_high_hours), r.evidence_count, r.reason]
         for r in report.risks])]


def _progress(report: BoardReport) -> list[str]:
    p: Progress = report.progress
    ret = ("not computed: the items resolved record no effort" if p.return_per_hour is None
           else _money(p.return_per_hour, "month per hour"))
    lines = ["## Remediation progress", "",
             f"- Opened in the quarter: {p.opened_total} items; resolved: {p.resolved_total}",
             f"- Interest removed: {escape(_money(p.interest_removed_month))} (the last scored interest of the items "
             "resolved)",
             f"- Effort spent: {format_hours_range(p.effort_spent_hours, p.effort_spent_hours)} (midpoint estimates "
             "of the items resolved)",
             f"- Return on the remediation (interest avoided per month / effort spent): {escape(ret)}", ""]
    lines += ["### Burn-down by week", ""]
    if p.week_labels:
        lines += table(["week ending", "opened", "resolved", "open at the end"],
                       zip(p.week_labels, p.opened, p.resolved, p.open_at_end, strict=True))
    else:
        lines += ["No week of the quarter is recorded yet.", ""]
    lines += ["### Ageing of open debt", "", *table(["age", "open items"], p.ageing)]
    return lines


def _failures(report: BoardReport) -> list[str]:
    f = report.failures
    return ["## Where failures come from", "",
            *_section("Incidents by failure category", ["category", "incidents"], f.incidents_by_category,
                      "No incident was opened in the quarter."),
            *_section("Incidents by component", ["component", "incidents"], f.incidents_by_component,
                      "No incident was opened in the quarter."),
            *_section("Recurring failures", ["component", "failure", "occurrences"],
                      _fields(f.recurring, "component", "title", "count"), "No recurring failure is open."),
            *_section("Drift alerts", ["component", "drift runs", "alerts", "last run"],
                      _fields(f.drift_alerts, "component", "runs", "alerts", "last_at"),
                      "No drift run in the quarter."),
            *_section("ML Test Score per component", ["component", "ML Test Score"],
                      [(name, "not scored" if score is None else f"{score:g}") for name, score in f.test_scores],
                      "No scan recorded an ML Test Score."),
            *_section("Overdue governance reviews", ["component", "review", "due"],
                      _fields(f.overdue_reviews, "component", "what", "due"),
                      "No governance review is overdue (where the inventory records a review date).")]


def _fields(records: list[dict[str, Any]], *keys: str) -> list[list[str]]:
    return [[_plain(record.get(key)) for key in keys] for record in records]


def _section(heading: str, header: list[str], rows: Sequence[Sequence[object]], empty: str) -> list[str]:
    return [f"### {heading}", "", *(table(header, rows) if rows else [empty, ""])]


def _appendix(report: BoardReport) -> list[str]:
    appendix = report.appendix
    return ["## Appendix", "", "### KPI definitions", "",
            *table(["KPI", "unit", "definition"], appendix.kpi_definitions, limit=MAX_PROSE),
            "### Prioritization model", "",
            *(table(["parameter", "value"], _flatten(appendix.model)) if appendix.model
              else ["No model parameters are recorded.", ""])]


def _flatten(mapping: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """Nested parameters as dotted names ("rates.incident_hour"), in the model's order."""
    for key, value in mapping.items():
        if isinstance(value, Mapping):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", _plain(value)


def _notes(report: BoardReport) -> list[str]:
    return ["## Notes", "", *_bullets(report.notes)] if report.notes else []
