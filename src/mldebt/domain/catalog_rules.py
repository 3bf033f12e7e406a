"""Rules that span components of one catalog: names must be unique and resolvable, no cycles.

Each problem carries the path of the offending field (`("components", 3, "depends_on", 1)`),
so whoever read the file can turn it into `file:line:column`. A *blocking* problem makes the
catalog meaningless (an unknown name); a non-blocking one (a cycle, a production model with no
owner) is still a real inventory that can be imported, and is then also tracked as a finding.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from mldebt.domain.component import Catalog, Kind, Lifecycle, SourceRule
from mldebt.domain.graph import find_cycles

Path = tuple[str | int, ...]
# A source's name: a plain `str` from a raw file, a `SourceName` literal from a validated `Catalog`.
SourceKey = TypeVar("SourceKey", bound=str)


@dataclass(frozen=True)
class CatalogProblem:
    path: Path
    message: str
    blocking: bool = True
    code: str = "invalid"


def check_catalog(catalog: Catalog) -> list[CatalogProblem]:
    """Every cross-component problem of a fully valid `catalog`, in file order."""
    return check_components(list(enumerate(catalog.components)), catalog.sources)


def check_components(
    components: Sequence[tuple[int, Any]],
    sources: Mapping[SourceKey, Sequence[SourceRule]],
    invalid_names: Mapping[int, str] | None = None,
) -> list[CatalogProblem]:
    """Cross-component problems of the components that passed schema validation.

    `components` pairs each valid component with its index in the file, so that problems point
    at the right place even when other components failed validation; `invalid_names` holds the
    names (by index) of those invalid components, so that duplicates among them are still found
    and references to them are not reported a second time.
    """
    problems: list[CatalogProblem] = []
    first_index: dict[str, int] = {}
    named = sorted([(i, comp.name) for i, comp in components] + list((invalid_names or {}).items()))
    for i, name in named:
        if name in first_index:
            problems.append(CatalogProblem(
                ("components", i, "name"),
                f"duplicate component name {name!r} (first defined as component #{first_index[name] + 1})",
                code="duplicate_name",
            ))
        else:
            first_index[name] = i
    kind_of = {comp.name: comp.kind for i, comp in components if first_index[comp.name] == i}
    known = set(first_index)
    for i, comp in components:
        for j, dep in enumerate(comp.depends_on):
            if dep not in known:
                problems.append(CatalogProblem(
                    ("components", i, "depends_on", j),
                    f"unknown component {dep!r} in depends_on{_suggest(dep, known)}",
                    code="unknown_name",
                ))
        training_data = getattr(comp, "training_data", None)
        if training_data is not None and training_data not in known:
            problems.append(CatalogProblem(
                ("components", i, "training_data"),
                f"unknown dataset {training_data!r} in training_data{_suggest(training_data, known)}",
                code="unknown_name",
            ))
        elif training_data in kind_of and kind_of[training_data] != Kind.DATASET:
            problems.append(CatalogProblem(
                ("components", i, "training_data"),
                f"training_data {training_data!r} is a {kind_of[training_data]}, expected a dataset",
                code="wrong_kind",
            ))
        if comp.kind == Kind.MODEL and comp.lifecycle == Lifecycle.PRODUCTION and not comp.owner:
            problems.append(CatalogProblem(
                ("components", i), f"production model {comp.name!r} has no owner", blocking=False, code="no_owner"
            ))
    for source, rules in sources.items():
        for k, rule in enumerate(rules):
            if rule.component not in known:
                problems.append(CatalogProblem(
                    ("sources", source, k, "component"),
                    f"unknown component {rule.component!r} in sources.{source}{_suggest(rule.component, known)}",
                    code="unknown_name",
                ))
    graph = {comp.name: list(comp.depends_on) for i, comp in components if first_index[comp.name] == i}
    for cycle in find_cycles(graph):
        problems.append(CatalogProblem(
            ("components", first_index[cycle[0]], "depends_on"),
            "dependency cycle: " + " -> ".join(cycle),
            blocking=False,
            code="dependency_cycle",
        ))
    return problems


def _suggest(name: str, known: set[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
