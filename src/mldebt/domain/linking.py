"""Linking signals to components when an attribute holds several values (a ticket's tags).

`resolve_component` matches scalar attributes; a ticket has many tags, and a rule `{tag: chatbot}`
should match when any tag is `chatbot`. Each combination of list values is tried in order.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from mldebt.domain.component import SourceRule
from mldebt.domain.sources import resolve_component

MAX_COMBINATIONS = 64


def link(rules: Sequence[SourceRule], attributes: Mapping[str, Any]) -> str | None:
    """The component the rules map these attributes to, or None."""
    if not rules:
        return None
    multi = {k: list(v) for k, v in attributes.items() if isinstance(v, list | tuple)}
    if not multi:
        return resolve_component(rules, attributes)
    scalars = {k: v for k, v in attributes.items() if k not in multi}
    keys = list(multi)
    pools = [multi[k] or [None] for k in keys]
    for combo in itertools.islice(itertools.product(*pools), MAX_COMBINATIONS):
        found = resolve_component(rules, {**scalars, **dict(zip(keys, combo, strict=True))})
        if found is not None:
            return found
    return None


def suggest(source: str, attributes: Mapping[str, Any], components: Sequence[str]) -> str:
    """A `sources` rule to add to mldebt.yaml, naming the closest component when one is similar."""
    key, value = _best_identifier(attributes)
    if key is None:
        return f"add a rule under sources.{source} in mldebt.yaml"
    close = difflib.get_close_matches(str(value), list(components), n=1, cutoff=0.4)
    target = close[0] if close else "<component>"
    return f"sources.{source}: - match: {{{key}: {value}}}  component: {target}"


PREFERRED_KEYS = ("project", "service", "job", "alertname", "tag", "poll_id", "scope")


def _best_identifier(attributes: Mapping[str, Any]) -> tuple[str | None, Any]:
    for key in PREFERRED_KEYS:
        value = attributes.get(key)
        if isinstance(value, list | tuple):
            value = value[0] if value else None
        if value:
            return key, value
    for key, value in attributes.items():
        if isinstance(value, str) and value:
            return key, value
    return None, None
