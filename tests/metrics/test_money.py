"""Money and hours for people: two significant figures, ranges."""

import pytest

from mldebt.metrics.money import format_hours_range, format_money, format_money_range, short_amount


@pytest.mark.parametrize(("value", "text"), [
    (0, "0"), (0.456, "0.46"), (7, "7"), (12.3, "12"), (950, "950"), (999.6, "1k"), (1234, "1.2k"),
    (12_345, "12k"), (123_456, "120k"), (2_500_000, "2.5M"), (3.4e9, "3.4B"), (-1234, "-1.2k")])
def test_short_amount_keeps_two_significant_figures(value, text):
    assert short_amount(value) == text


def test_money_ranges_share_the_currency_and_collapse_when_the_ends_round_alike():
    assert format_money_range(1234, 3456) == "$1.2k-3.5k/week"
    assert format_money_range(3456, 1234) == "$1.2k-3.5k/week"
    assert format_money_range(0, 0) == "$0/week"
    assert format_money_range(1201, 1249, "EUR") == "€1.2k/week"
    assert format_money_range(10, 20, "CHF", per=None) == "10-20 CHF"
    assert format_money(1500, "GBP", "week") == "£1.5k/week"


def test_hours_ranges():
    assert format_hours_range(4, 12) == "4-12 h"
    assert format_hours_range(0.5, 0.5) == "0.5 h"
    assert format_hours_range(1234, 2000) == "1200-2000 h"
