"""What ingest needs from configuration: the inventory's `sources` rules, category rules, poll score maps.

Built once (at server start, per CLI run) from the inventory file and optional rule files, then used
for every delivery. With no inventory every signal is kept unlinked and waits in the unlinked list.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mldebt.domain.categories import DEFAULT_RULES, CategoryRule, categorize, rules_from_data
from mldebt.domain.component import Catalog, SourceRule
from mldebt.domain.feedback import score_answer
from mldebt.domain.incident import Category, IncidentSignal
from mldebt.domain.linking import link
from mldebt.errors import MldebtError, UserInputError
from mldebt.input_files import read_input_text
from mldebt.service.catalog import require_catalog
from mldebt.settings import CATALOG_FILE, CATEGORY_RULES_FILE, FEEDBACK_SCORES_FILE


@dataclass
class Linker:
    sources: Mapping[str, Sequence[SourceRule]] = field(default_factory=dict)
    components: Sequence[str] = ()
    category_rules: Sequence[CategoryRule] = DEFAULT_RULES
    poll_scores: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    def component(self, source: str, attributes: Mapping[str, Any]) -> str | None:
        return link(self.sources.get(source, ()), attributes)

    def component_of(self, signal: IncidentSignal) -> str | None:
        """The component a signal names itself (a monitor's, or its alert coming back) when the
        inventory knows it, else the one the `sources` rules link it to: a label cannot invent one."""
        if signal.component and (not self.components or signal.component in self.components):
            return signal.component
        return self.component(signal.source, signal.attributes)

    def category(self, text: str, attributes: Mapping[str, Any]) -> Category:
        return categorize(text, attributes, self.category_rules)

    def score(self, poll_id: str, answer: str, value_type: str | None) -> float | None:
        return score_answer(answer, value_type, self.poll_scores.get(poll_id))

    @classmethod
    def from_catalog(cls, catalog: Catalog, **kwargs: Any) -> Linker:
        sources: dict[str, Sequence[SourceRule]] = dict(catalog.sources.items())
        return cls(sources=sources, components=[c.name for c in catalog.components], **kwargs)


def load_linker(catalog_path: Path | None = None, required: bool = False) -> Linker:
    """The linker from the inventory file (when present) and the rule files named in the settings."""
    path = catalog_path or Path(CATALOG_FILE.value())
    extras: dict[str, Any] = {}
    rules_file = CATEGORY_RULES_FILE.value()
    if rules_file:
        try:
            extras["category_rules"] = rules_from_data(_read_json(Path(rules_file), CATEGORY_RULES_FILE.env))
        except ValueError as exc:
            raise UserInputError(f"{rules_file}: {exc}") from None
    scores_file = FEEDBACK_SCORES_FILE.value()
    if scores_file:
        extras["poll_scores"] = _read_json(Path(scores_file), FEEDBACK_SCORES_FILE.env)
    if not path.exists():
        if required:
            raise UserInputError(f"no inventory file at {path}: the sources rules that link events come from it")
        return Linker(**extras)
    return Linker.from_catalog(require_catalog(path), **extras)


def _read_json(path: Path, env: str) -> Any:
    try:
        text = read_input_text(path)
    except MldebtError as exc:  # missing, a directory, a device, too large: named with the setting
        raise UserInputError(f"{env}={exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserInputError(f"{env}={path}: cannot read JSON ({exc})") from None
