"""Failure categories by rules: an explicit `category` label or tag wins, then keyword rules in order.

The defaults encode the field's common signs of ML debt (a schema change upstream shows up as a
KeyError, a stale model as "retrain overdue", ...). Teams replace them with their own list, loaded
from the file named by `MLDEBT_CATEGORY_RULES` (see `docs/incidents.md`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mldebt.domain.incident import Category


@dataclass(frozen=True)
class CategoryRule:
    """Applies when any keyword occurs in the text, or any `labels` pair matches the attributes."""

    category: Category
    keywords: tuple[str, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()

    def applies(self, text: str, attributes: Mapping[str, Any]) -> bool:
        if any(keyword in text for keyword in self.keywords):
            return True
        return any(_has_value(attributes.get(key), value) for key, value in self.labels)


def _has_value(attribute: Any, value: str) -> bool:
    if isinstance(attribute, list | tuple | set | frozenset):
        return any(str(item).lower() == value for item in attribute)
    return attribute is not None and str(attribute).lower() == value


DEFAULT_RULES: tuple[CategoryRule, ...] = (
    CategoryRule(Category.API_MISMATCH, ("keyerror", "schema mismatch", "unexpected field", "api version",
                                         "deprecated endpoint", "validationerror", "400 bad request",
                                         "422 unprocessable", "contract")),
    CategoryRule(Category.LATENCY, ("timeout", "timed out", "latency", "slow", "p99", "deadline exceeded")),
    CategoryRule(Category.FALSE_POSITIVES, ("false positive", "wrongly flagged", "legitimate order",
                                            "blocked legitimate", "misrouted", "wrong intent")),
    CategoryRule(Category.DATA_QUALITY, ("null", "nan", "missing value", "drift", "data quality", "freshness",
                                         "stale data", "empty feature", "duplicate rows")),
    CategoryRule(Category.RETRAINING_DELAY, ("retrain", "model age", "stale model", "training job",
                                             "model is overdue")),
    CategoryRule(Category.INFRASTRUCTURE, ("out of memory", "oom", "connection refused", "disk", "crashloop",
                                           "pod ", "node ", "unavailable", "certificate", "dns")),
    CategoryRule(Category.MODEL_ERROR, ("prediction", "inference", "model", "misclassif", "hallucinat",
                                        "wrong answer", "accuracy")),
)

CATEGORY_KEYS = ("category", "mldebt_category")


def categorize(text: str, attributes: Mapping[str, Any], rules: Sequence[CategoryRule] = DEFAULT_RULES) -> Category:
    """The explicit category (label `category`, tag `category:X`) if valid, else the first rule that applies."""
    explicit = _explicit(attributes)
    if explicit is not None:
        return explicit
    lowered = text.lower()
    for rule in rules:
        if rule.applies(lowered, attributes):
            return rule.category
    return Category.OTHER


def _explicit(attributes: Mapping[str, Any]) -> Category | None:
    values: list[str] = [str(attributes[k]) for k in CATEGORY_KEYS if attributes.get(k)]
    for tag in _as_list(attributes.get("tag")):
        if tag.startswith(("category:", "category-")):
            values.append(tag[len("category:"):])
    for value in values:
        try:
            return Category(value.strip().lower())
        except ValueError:
            continue
    return None


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple | set | frozenset):
        return [str(v) for v in value]
    return [str(value)]


def rules_from_data(data: Iterable[Mapping[str, Any]]) -> tuple[CategoryRule, ...]:
    """Rules from plain data (`[{category, keywords, labels: {k: v}}]`); raises ValueError naming the bad entry."""
    rules = []
    for index, entry in enumerate(data):
        try:
            category = Category(str(entry["category"]))
        except (KeyError, ValueError):
            raise ValueError(f"rule {index}: category must be one of {', '.join(c.value for c in Category)}") from None
        keywords = tuple(str(k).lower() for k in entry.get("keywords", ()))
        labels = tuple((str(k), str(v).lower()) for k, v in dict(entry.get("labels", {})).items())
        if not keywords and not labels:
            raise ValueError(f"rule {index}: give keywords or labels")
        rules.append(CategoryRule(category, keywords, labels))
    return tuple(rules)
