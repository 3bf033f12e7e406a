"""Satisfaction from poll answers: each answer maps to a score in [0, 1], per poll when configured.

Numbers are read on their scale (1-5 stars, 0-10 NPS); words through a mapping ("very satisfied" = 1).
A poll's own mapping (`{answer: score}`) replaces the defaults for that poll; answers that map to
nothing are kept but not scored.
"""

from __future__ import annotations

from collections.abc import Mapping

DEFAULT_WORDS: dict[str, float] = {
    "very satisfied": 1.0, "satisfied": 0.75, "neutral": 0.5, "dissatisfied": 0.25, "very dissatisfied": 0.0,
    "yes": 1.0, "no": 0.0, "helpful": 1.0, "not helpful": 0.0, "love it": 1.0, "hate it": 0.0,
    "great": 1.0, "good": 0.75, "okay": 0.5, "ok": 0.5, "bad": 0.25, "terrible": 0.0,
}


def score_answer(answer: str, value_type: str | None = None,
                 mapping: Mapping[str, float] | None = None) -> float | None:
    """The answer's score in [0, 1], or None when it is free text nobody mapped."""
    key = answer.strip().lower()
    if mapping is not None:
        lowered = {str(k).strip().lower(): float(v) for k, v in mapping.items()}
        return lowered.get(key)
    try:
        number = float(key)
    except ValueError:
        return DEFAULT_WORDS.get(key)
    if value_type in ("nps", "net-promoter-score") or 5 < number <= 10:
        return max(0.0, min(1.0, number / 10.0))
    if 1 <= number <= 5:
        return (number - 1.0) / 4.0
    return None
