"""Map outside identifiers (a Sentry project, an alert label, a ticket tag) to components.

The inventory's `sources` section holds, per source, rules of the form
`{match: {key: pattern}, component: name}`; a rule applies when every key of `match` is present
in the event's attributes and equals the pattern (shell-style globs allowed: `recs-*`). The first
rule that applies wins, so specific rules go first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fnmatch import fnmatchcase

from mldebt.domain.component import SourceRule


def resolve_component(rules: Sequence[SourceRule], attributes: Mapping[str, object]) -> str | None:
    """The component of the first rule whose every `match` key fits `attributes`, or None."""
    for rule in rules:
        if all(
            key in attributes and attributes[key] is not None and fnmatchcase(str(attributes[key]), pattern)
            for key, pattern in rule.match.items()
        ):
            return rule.component
    return None
