"""The board report's executive summary: plain sentences generated from the report's numbers.

Written for people who fund the work, not for those who do it: no KPI ids, no formulas, every number
beside the number it is compared with (the comparison quarter, the total, what appeared meanwhile).
Money is a rounded range per month (`metrics.money.format_money_range`), as everywhere in the report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from mldebt.metrics.money import format_money_range, round_significant
from mldebt.service.board_model import MoneyRange, Progress, RiskRow

RISKS_NAMED = 3
NUMBER_WORDS = {1: "risk that matters most", 2: "two risks that matter most", 3: "three risks that matter most"}


@dataclass(frozen=True)
class SummaryFacts:
    """The numbers the summary speaks of (all taken from the report, so the text cannot disagree with it)."""

    quarter: str
    compare: str
    as_of: dt.datetime
    complete: bool
    has_data: bool
    has_previous: bool
    open_items: int
    open_items_previous: int | None
    interest_month: MoneyRange
    interest_month_previous: MoneyRange | None
    risks: Sequence[RiskRow]
    progress: Progress


def money(value: MoneyRange) -> str:
    return format_money_range(value.low, value.high, value.currency, per="month")


def _items(n: int) -> str:
    return f"{n} item" if n == 1 else f"{n} items"


def _percent(part: float, whole: float) -> str:
    return f"{round(100 * part / whole):.0f}%"


def _hours(hours: float) -> str:
    shown = round_significant(hours)
    return f"{shown:g} h" if shown < 1000 else f"{shown:,.0f} h"


def _midpoint(value: MoneyRange) -> float:
    return (value.low + value.high) / 2


def shown_day(as_of: dt.datetime, complete: bool) -> dt.date:
    """The last day the figures cover: a complete quarter's `as_of` is the first instant after it."""
    return (as_of - dt.timedelta(microseconds=1)).date() if complete else as_of.date()


def no_data_sentence(quarter: str, as_of: dt.datetime, complete: bool = False) -> str:
    return (f"{quarter} has no recorded data: no incidents, support tickets, survey answers, scan findings or "
            f"debt items were recorded in it up to {shown_day(as_of, complete):%d %b %Y}, so there is nothing to "
            f"report.")


def debt_sentence(f: SummaryFacts) -> str:
    now = f.open_items
    if not f.has_previous or f.open_items_previous is None:
        return (f"There is nothing to compare with: the store holds no records of {f.compare}. "
                f"Open AI debt stands at {_items(now)}.")
    before = f.open_items_previous
    since = f"since the end of {f.compare}"
    if now == before:
        return f"Open AI debt is unchanged {since}, at {_items(now)}."
    change = now - before
    share = f", {'+' if change > 0 else '-'}{_percent(abs(change), before)}" if before else ""
    verb = "rose" if change > 0 else "fell"
    return f"Open AI debt {verb} from {before} to {_items(now)} {since} ({change:+d}{share})."


def cost_sentence(f: SummaryFacts) -> str:
    if f.open_items == 0:
        return "With no debt open, nothing is adding to the cost of delay."
    text = (f"Leaving it unpaid costs an estimated {money(f.interest_month)} in incident time, support work, "
            f"sales at risk and slower engineering")
    before = f.interest_month_previous
    if before is None:
        reason = "no frozen review" if f.has_previous else "no records"
        return text + f"; there is no cost for {f.compare} to compare with ({reason} of that quarter)."
    now_mid, before_mid = _midpoint(f.interest_month), _midpoint(before)
    if money(f.interest_month) == money(before):
        return text + f", the same as at the end of {f.compare}."
    direction = "up" if now_mid > before_mid else "down"
    return text + f", {direction} from {money(before)} at the end of {f.compare}."


def risk_sentences(f: SummaryFacts) -> list[str]:
    named = list(f.risks[:RISKS_NAMED])
    if not named:
        return ["No debt is open, so there is no risk to name."]
    total = _midpoint(f.interest_month)
    carried = sum(_midpoint(r.interest_month) for r in named)
    intro = f"The {NUMBER_WORDS[len(named)]}"
    if total > 0:
        intro += f" carry {_percent(carried, total)} of that cost:" if len(named) > 1 else \
            f" carries {_percent(carried, total)} of that cost:"
    else:
        intro += ", none of which has a measured cost yet:"
    sentences = [intro]
    for r in named:
        share = f" ({_percent(_midpoint(r.interest_month), total)} of the total)" if total > 0 else ""
        reason = r.reason[:1].lower() + r.reason[1:] if r.reason else ""
        sentences.append(f"{r.title} costs an estimated {money(r.interest_month)}{share}: {reason}.")
    return sentences


def paid_down_sentence(f: SummaryFacts) -> str:
    p = f.progress
    appeared = f"while {_items(p.opened_total)} appeared" if p.opened_total != 1 else "while 1 item appeared"
    if p.resolved_total == 0:
        if p.opened_total == 0:
            return f"No debt was paid down in {f.quarter}, and no new debt appeared."
        return f"No debt was paid down in {f.quarter}, {appeared}."
    text = (f"In {f.quarter} the team resolved {_items(p.resolved_total)} ({appeared}), removing an estimated "
            f"{money(p.interest_removed_month)} of cost")
    if p.return_per_hour is None or p.effort_spent_hours <= 0:
        return text + "."
    return (text + f" for about {_hours(p.effort_spent_hours)} of work: "
            f"{money(p.return_per_hour)} saved for each hour spent.")


def summary(f: SummaryFacts) -> list[str]:
    """The executive summary: debt up or down, the cost of delay, the risks that matter most, what was
    paid down and what it bought; one sentence when the quarter holds no data."""
    if not f.has_data:
        return [no_data_sentence(f.quarter, f.as_of, f.complete)]
    sentences = []
    if not f.complete:
        sentences.append(f"{f.quarter} is still running: the figures are as of {f.as_of:%d %b %Y}.")
    sentences += [debt_sentence(f), cost_sentence(f), *risk_sentences(f), paid_down_sentence(f)]
    return sentences
