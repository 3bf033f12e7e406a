"""`build_board_report`: the quarter's board report content from the store (see `service.board_model`).

Renderers and the CLI call exactly this. It reads the store once per section with bounded, aggregated
queries (`store.board_queries`), and fills every field of `BoardReport`: the renderers only format.

- The quarter is read as of `now` capped at its end (`as_of`); a quarter that has not started is
  refused, as by `mldebt kpis` and `mldebt review` (there is nothing it could hold).
- Comparison: `compare` (default: the quarter before), which must come before the quarter. Its KPI
  values are those frozen in its review when there is one, else computed from the store.
- Open debt: items that had appeared by the moment and were not resolved by then, priced at their last
  scores (interest per week x 52 / 12 per month). The comparison quarter's interest is the one frozen
  in its review; without a review it is unknown (the store keeps no history of scores).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from mldebt.domain.costs import CostRates
from mldebt.errors import UserInputError
from mldebt.metrics import interest as interest_model
from mldebt.metrics import priority as priority_model
from mldebt.metrics.debt_score import BREAKDOWN_VERSION, MODEL_DOC
from mldebt.metrics.kpis import KPIS, Period, Quarter, parse_quarter
from mldebt.service.board_kpis import OPEN_DEBT, compare_source, frozen_values, kpi_table, with_open_debt
from mldebt.service.board_model import WEEKS_PER_MONTH, Appendix, BoardReport, MoneyRange
from mldebt.service.board_risks import top_risks
from mldebt.service.board_sections import failures, progress
from mldebt.service.board_summary import SummaryFacts, summary
from mldebt.store import board_queries as q
from mldebt.store.database import Store

MAX_SHOWN_CHARS = 40  # of a bad quarter string in an error message


def read_quarter(option: str, value: str, now: dt.datetime) -> Quarter:
    """`value` as a quarter, or a UserInputError naming the option and the value."""
    shown = value if len(value) <= MAX_SHOWN_CHARS else value[:MAX_SHOWN_CHARS] + "..."
    try:
        quarter = parse_quarter(value)
    except UserInputError:
        raise UserInputError(f"{option}: {shown!r} is not a quarter like {Quarter.of(now)}") from None
    if quarter > Quarter.of(now):
        raise UserInputError(f"{option}: {quarter} has not started yet (as of {now:%Y-%m-%d} the current quarter "
                             f"is {Quarter.of(now)})")
    return quarter


def default_rates() -> CostRates:
    """The inventory file's `costs:` (`MLDEBT_CATALOG`, default mldebt.yaml), as `mldebt debt` reads them."""
    from mldebt.service.backlog import load_rates
    from mldebt.settings import CATALOG_FILE

    return load_rates(Path(CATALOG_FILE.value()))


def model_parameters(rates: CostRates) -> dict[str, Any]:
    """The prioritization model as used: every constant a reader needs to check a figure, by plain name."""
    windows = interest_model.Windows.of(rates.window_days)
    defaults = rates.defaults_used()
    return {
        "Method": "priority = interest per week / effort in hours (CD3); ties broken by risk = impact x likelihood",
        "Model version": BREAKDOWN_VERSION,
        "Documentation": MODEL_DOC,
        "Evidence window (days)": windows.days,
        "Recent window (days)": windows.recent_days,
        "Interest per month": "interest per week x 52 / 12",
        "Relevance of a mismatched signal (MISMATCH_RELEVANCE)": interest_model.MISMATCH_RELEVANCE,
        "Relevance when the signal names another cause (SIBLING_RELEVANCE)": interest_model.SIBLING_RELEVANCE,
        "Weight of a dependency's evidence": interest_model.RELATION_WEIGHTS["upstream"],
        "Most of a cost dependencies take (UPSTREAM_CAP)": interest_model.UPSTREAM_CAP,
        "Cost of each change of a file with debt (share of the fix's effort)": interest_model.DRAG_SHARE_PER_CHANGE,
        "Base likelihood": priority_model.BASE_LIKELIHOOD,
        "Smallest effort (hours)": priority_model.MIN_EFFORT_HOURS,
        "Severity weights": dict(priority_model.SEVERITY_WEIGHTS),
        "Lifecycle weights": dict(priority_model.LIFECYCLE_WEIGHTS),
        "Likelihood half-points": {s.name: s.half for s in priority_model.SIGNALS.values()},
        "Cost rates": rates.model_dump(),
        "Rates left at their defaults": ", ".join(defaults) if defaults else "none",
    }


def _compare(compare: str | None, quarter: Quarter, now: dt.datetime) -> Quarter:
    if compare is None:
        return quarter.previous()
    wanted = read_quarter("--compare", compare, now)
    if wanted >= quarter:
        raise UserInputError(f"--compare: {wanted} is not before {quarter} (compare a quarter with an earlier one)")
    return wanted


def _money(low: float, high: float, currency: str) -> MoneyRange:
    return MoneyRange(low * WEEKS_PER_MONTH, high * WEEKS_PER_MONTH, currency)


def _until(period: Period) -> dt.datetime:
    """The exclusive end of what the quarter has recorded: its end, or just after `as_of` while it runs
    (what was stored at the moment of reading counts)."""
    return period.end if period.complete else period.as_of + dt.timedelta(microseconds=1)


def _previous_debt(session: Session, snapshot: q.Snapshot | None, period: Period, has_previous: bool,
                   currency: str) -> tuple[int | None, MoneyRange | None]:
    """Open debt at the end of the comparison quarter: as frozen in its review (count and interest);
    without one, counted from the store (its interest then is unknown); None when nothing is stored."""
    frozen = frozen_values(snapshot).get(OPEN_DEBT)
    if frozen is None:
        return (q.open_debt_at(session, period.as_of).items if has_previous else None), None
    details = frozen["details"]
    items = int(frozen["value"]) if frozen["value"] is not None else None
    low, high = details.get("interest_low"), details.get("interest_high")
    if isinstance(low, int | float) and isinstance(high, int | float):
        return items, _money(float(low), float(high), str(details.get("currency") or currency))
    return items, None


def build_board_report(store: Store, quarter: str, now: dt.datetime, compare: str | None = None,
                       rates: CostRates | None = None) -> BoardReport:
    """The report of `quarter` ("2026Q4") as of `now` (capped at the quarter's end), compared with
    `compare` (default: the quarter before). An unknown quarter string is a UserInputError (exit 2)."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.UTC)  # a naive moment is UTC, as everywhere in the store
    wanted = read_quarter("--quarter", quarter, now)
    before = _compare(compare, wanted, now)
    rates = rates if rates is not None else default_rates()
    period, previous_period = Period.for_quarter(wanted, now), Period.for_quarter(before, now)
    table = kpi_table(store, wanted, before, now)
    notes: list[str] = []
    with store.session() as session:
        has_data = q.has_records(session, period.start, _until(period))
        has_previous = table.compare_snapshot is not None or q.has_records(session, previous_period.start,
                                                                            previous_period.end)
        debt = q.open_debt_at(session, period.as_of)
        currency = debt.currency or rates.currency
        previous_items, previous_interest = _previous_debt(session, table.compare_snapshot, previous_period,
                                                           has_previous, currency)
        burn = progress(session, period, currency)
        failed, failure_notes = failures(session, period, _until(period))
        scored_with = q.scoring_rates(session)
    notes += failure_notes
    risks = top_risks(store, period.as_of)
    if period.complete and risks:
        notes.append(f"The top risks are the items open at the end of {wanted}, ranked and priced by their latest "
                     f"scores ({now:%Y-%m-%d}): the store keeps no history of scores.")
    if previous_interest is None and has_previous:
        notes.append(f"{before} was not frozen (`mldebt review --quarter {before}`), so its debt's cost is unknown: "
                     f"the store keeps no history of scores.")
    if scored_with is not None and scored_with != rates.model_dump():
        notes.append("The backlog was last scored with other cost rates than the appendix lists; its money figures "
                     "follow the rates it was scored with until the backlog is rebuilt (`mldebt debt`).")
    interest_now = _money(debt.interest_low, debt.interest_high, currency)
    facts = SummaryFacts(str(wanted), str(before), period.as_of, period.complete, has_data, has_previous,
                         debt.items, previous_items, interest_now, previous_interest, risks, burn)
    return BoardReport(
        store=store.safe_url, quarter=str(wanted), compare=str(before),
        compare_source=compare_source(table, before, wanted, has_previous),
        period_start=period.start.date(), period_end=(period.end - dt.timedelta(days=1)).date(),
        as_of=period.as_of, complete=period.complete, generated_at=now, has_data=has_data,
        has_previous=has_previous, currency=currency, summary=summary(facts),
        kpis=with_open_debt(table.rows, debt.items, previous_items),
        open_debt_items=debt.items, open_debt_items_previous=previous_items, interest_month=interest_now,
        interest_month_previous=previous_interest, risks=risks, progress=burn, failures=failed,
        appendix=Appendix([(spec.name, spec.unit, spec.definition) for spec in KPIS], model_parameters(rates)),
        notes=notes)
