"""The board report's executive summary, sentence by sentence, on hand-built numbers."""

from __future__ import annotations

import dataclasses
import datetime as dt

from mldebt.service.board_model import MoneyRange, Progress, RiskRow
from mldebt.service.board_summary import (
    SummaryFacts,
    cost_sentence,
    debt_sentence,
    paid_down_sentence,
    risk_sentences,
    summary,
)

AS_OF = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)


def _progress(opened: int = 3, resolved: int = 0, removed: tuple[float, float] = (0.0, 0.0), effort: float = 0.0,
              per_hour: MoneyRange | None = None) -> Progress:
    return Progress(week_labels=["2026-10-07"], opened=[opened], resolved=[resolved], open_at_end=[opened],
                    opened_total=opened, resolved_total=resolved,
                    interest_removed_month=MoneyRange(removed[0], removed[1], "USD"), effort_spent_hours=effort,
                    return_per_hour=per_hour, ageing=[("< 30 days", opened)])


def _risk(rank: int, title: str, low: float, high: float, reason: str) -> RiskRow:
    return RiskRow(rank=rank, item_id=rank, title=title, component="recs-model", owner=None, category="model",
                   interest_month=MoneyRange(low, high, "USD"), effort_low_hours=1.0, effort_high_hours=2.0,
                   evidence_count=1, reason=reason)


def _facts(**changes) -> SummaryFacts:
    facts = SummaryFacts(quarter="2026Q4", compare="2026Q3", as_of=AS_OF, complete=True, has_data=True,
                         has_previous=True, open_items=12, open_items_previous=10,
                         interest_month=MoneyRange(4000.0, 6000.0, "USD"),
                         interest_month_previous=MoneyRange(3000.0, 5000.0, "USD"), risks=[], progress=_progress())
    return dataclasses.replace(facts, **changes)


def test_debt_that_rose_is_said_with_its_change_and_share():
    assert debt_sentence(_facts()) == "Open AI debt rose from 10 to 12 items since the end of 2026Q3 (+2, +20%)."


def test_debt_that_fell_is_said_with_its_change_and_share():
    assert debt_sentence(_facts(open_items=5)) == ("Open AI debt fell from 10 to 5 items since the end of 2026Q3 "
                                                   "(-5, -50%).")


def test_unchanged_debt_is_said_to_be_unchanged():
    assert debt_sentence(_facts(open_items=10)) == "Open AI debt is unchanged since the end of 2026Q3, at 10 items."


def test_debt_that_rose_from_nothing_gives_no_percentage():
    assert debt_sentence(_facts(open_items_previous=0, open_items=1)) == (
        "Open AI debt rose from 0 to 1 item since the end of 2026Q3 (+1).")


def test_without_a_previous_quarter_the_debt_sentence_says_there_is_nothing_to_compare_with():
    facts = _facts(has_previous=False, open_items_previous=None, interest_month_previous=None)
    assert debt_sentence(facts) == ("There is nothing to compare with: the store holds no records of 2026Q3. "
                                    "Open AI debt stands at 12 items.")
    assert cost_sentence(facts) == ("Leaving it unpaid costs an estimated $4k-6k/month in incident time, support "
                                    "work, sales at risk and slower engineering; there is no cost for 2026Q3 to "
                                    "compare with (no records of that quarter).")


def test_the_cost_of_delay_is_compared_with_the_frozen_quarters():
    assert cost_sentence(_facts()) == ("Leaving it unpaid costs an estimated $4k-6k/month in incident time, support "
                                       "work, sales at risk and slower engineering, up from $3k-5k/month at the end "
                                       "of 2026Q3.")
    lower = _facts(interest_month_previous=MoneyRange(8000.0, 9000.0, "USD"))
    assert cost_sentence(lower).endswith(", down from $8k-9k/month at the end of 2026Q3.")
    same = _facts(interest_month_previous=MoneyRange(4010.0, 6020.0, "USD"))
    assert cost_sentence(same).endswith(", the same as at the end of 2026Q3.")


def test_a_quarter_that_was_not_frozen_has_no_cost_to_compare_with():
    assert cost_sentence(_facts(interest_month_previous=None)).endswith(
        "; there is no cost for 2026Q3 to compare with (no frozen review of that quarter).")


def test_no_open_debt_costs_nothing():
    assert cost_sentence(_facts(open_items=0)) == "With no debt open, nothing is adding to the cost of delay."


def test_the_three_risks_that_matter_most_are_named_with_their_share_of_the_cost_and_why():
    risks = [_risk(1, "Leaky split", 1000.0, 1000.0, "3 incidents (15 h open) in the last 90 days"),
             _risk(2, "Stale model", 500.0, 500.0, "Nothing observed points at it yet"),
             _risk(3, "Old API", 250.0, 250.0, "12 support tickets in the last 90 days"),
             _risk(4, "Not named", 100.0, 100.0, "-")]
    assert risk_sentences(_facts(risks=risks)) == [
        "The three risks that matter most carry 35% of that cost:",
        "Leaky split costs an estimated $1k/month (20% of the total): 3 incidents (15 h open) in the last 90 days.",
        "Stale model costs an estimated $500/month (10% of the total): nothing observed points at it yet.",
        "Old API costs an estimated $250/month (5% of the total): 12 support tickets in the last 90 days."]


def test_one_risk_is_named_alone_and_no_risk_is_said_plainly():
    one = risk_sentences(_facts(risks=[_risk(1, "Leaky split", 5000.0, 5000.0, "reason")]))
    assert one[0] == "The risk that matters most carries 100% of that cost:"
    assert risk_sentences(_facts(risks=[])) == ["No debt is open, so there is no risk to name."]


def test_what_was_paid_down_and_what_it_bought():
    facts = _facts(progress=_progress(opened=4, resolved=2, removed=(520.0, 1040.0), effort=8.0,
                                      per_hour=MoneyRange(65.0, 130.0, "USD")))
    assert paid_down_sentence(facts) == ("In 2026Q4 the team resolved 2 items (while 4 items appeared), removing an "
                                         "estimated $520-1k/month of cost for about 8 h of work: $65-130/month saved "
                                         "for each hour spent.")


def test_nothing_paid_down_is_said_against_what_appeared():
    assert paid_down_sentence(_facts()) == "No debt was paid down in 2026Q4, while 3 items appeared."
    assert paid_down_sentence(_facts(progress=_progress(opened=0))) == (
        "No debt was paid down in 2026Q4, and no new debt appeared.")


def test_a_quarter_without_data_is_one_sentence_not_zeros():
    assert summary(_facts(has_data=False, complete=False)) == [
        "2026Q4 has no recorded data: no incidents, support tickets, survey answers, scan findings or debt items "
        "were recorded in it up to 25 Nov 2026, so there is nothing to report."]


def test_a_running_quarter_says_so_first_then_debt_cost_risks_and_paying_down():
    sentences = summary(_facts(complete=False))
    assert sentences[0] == "2026Q4 is still running: the figures are as of 25 Nov 2026."
    assert sentences[1].startswith("Open AI debt rose")
    assert sentences[2].startswith("Leaving it unpaid costs")
    assert sentences[3] == "No debt is open, so there is no risk to name."
    assert sentences[4].startswith("No debt was paid down")
