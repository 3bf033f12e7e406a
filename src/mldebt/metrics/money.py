"""Money and hours for people to read: two significant figures, ranges, never false precision.

A backlog that prints "$1,234.56/week" claims an accuracy its inputs (rates, estimates, linked
tickets) do not have; "$1.2k-3.4k/week" says what is known. Columns and JSON keep the raw numbers;
only text goes through these functions.
"""

from __future__ import annotations

import math

SIGNIFICANT_DIGITS = 2
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}
_SUFFIXES = ((1e9, "B"), (1e6, "M"), (1e3, "k"))


def round_significant(value: float, digits: int = SIGNIFICANT_DIGITS) -> float:
    """`value` rounded to `digits` significant figures (0 stays 0; NaN and infinities are returned as given)."""
    if value == 0 or not math.isfinite(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def _figures(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def short_amount(value: float, digits: int = SIGNIFICANT_DIGITS) -> str:
    """1234 -> "1.2k", 950 -> "950", 0.456 -> "0.46", 2.5e6 -> "2.5M"."""
    if not math.isfinite(value):
        return str(value)
    rounded = round_significant(value, digits)
    for size, suffix in _SUFFIXES:
        if abs(rounded) >= size:
            return _figures(round_significant(rounded / size, digits)) + suffix
    return _figures(rounded)


def format_money(amount: float, currency: str = "USD", per: str | None = None) -> str:
    """"$1.2k", "$1.2k/week", "1.2k CHF/week" (a currency without a symbol follows the amount)."""
    return _with_currency(short_amount(amount), currency, per)


def format_money_range(low: float, high: float, currency: str = "USD", per: str | None = "week") -> str:
    """"$1.2k-3.4k/week"; one figure when both ends round to the same text ("$0/week")."""
    low_text, high_text = short_amount(min(low, high)), short_amount(max(low, high))
    text = low_text if low_text == high_text else f"{low_text}-{high_text}"
    return _with_currency(text, currency, per)


def format_hours_range(low: float, high: float) -> str:
    """"4-12 h", "0.5 h" (hours to two significant figures, without the k suffix people misread)."""
    low_text = _figures(round_significant(min(low, high)))
    high_text = _figures(round_significant(max(low, high)))
    return f"{low_text} h" if low_text == high_text else f"{low_text}-{high_text} h"


def _with_currency(text: str, currency: str, per: str | None) -> str:
    symbol = CURRENCY_SYMBOLS.get(currency)
    shown = f"{symbol}{text}" if symbol else f"{text} {currency}"
    return f"{shown}/{per}" if per else shown
