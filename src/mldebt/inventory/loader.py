"""Load `mldebt.yaml` and report *every* problem at once, each at `file:line:column`.

ruamel.yaml's round-trip loader keeps the position of every key and item, so a pydantic error
location such as `("components", 2, "trained_at")` can be turned back into the place in the file
where the user typed the bad value. Schema errors and cross-component problems come out together.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from pydantic import TypeAdapter, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError

from mldebt.domain.catalog_rules import CatalogProblem, check_components
from mldebt.domain.component import Catalog, Component, Lifecycle, SourceRule
from mldebt.input_files import MAX_INPUT_BYTES, read_input_bytes
from mldebt.inventory.yaml_limits import BoundedComposer, YamlBoundError

COMPONENT_KINDS = ("model", "dataset", "service", "pipeline", "feature")
_COMPONENT: TypeAdapter[Any] = TypeAdapter(Component)
_SOURCE_RULES: TypeAdapter[list[SourceRule]] = TypeAdapter(list[SourceRule])
# Problems found by cross-component rules: the file still parses into a `Catalog` with them.
_NON_SCHEMA = {"duplicate_name", "unknown_name", "wrong_kind", "no_owner", "dependency_cycle"}


@dataclass(frozen=True)
class LocatedProblem:
    """A catalog problem with its place in the file (1-based line and column)."""

    file: str
    line: int
    column: int
    path: str
    message: str
    blocking: bool = True
    code: str = "invalid"

    def __str__(self) -> str:
        where = f" ({self.path})" if self.path else ""
        return f"{self.file}:{self.line}:{self.column}: {self.message}{where}"

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column, "path": self.path,
                "message": self.message, "blocking": self.blocking, "code": self.code}


@dataclass
class LoadedCatalog:
    file: str
    catalog: Catalog | None
    problems: list[LocatedProblem] = field(default_factory=list)

    @property
    def blocking(self) -> list[LocatedProblem]:
        return [p for p in self.problems if p.blocking]


class _DatesAsText(RoundTripConstructor):
    """Leave timestamps as text: ruamel raises on `2026-02-30`; pydantic reports it, located."""


_DatesAsText.add_constructor("tag:yaml.org,2002:timestamp", RoundTripConstructor.construct_yaml_str)


def load_catalog_text(text: str, file: str = "mldebt.yaml", today: dt.date | None = None) -> LoadedCatalog:
    """Parse and validate catalog text; never raises for bad content.

    `today` (default: today in UTC) bounds dates: a `trained_at`, a change or a governance review after
    tomorrow is an error.
    """
    context = {"today": today} if today is not None else None
    yaml = YAML(typ="rt")
    yaml.Constructor = _DatesAsText
    yaml.Composer = BoundedComposer
    try:
        document = yaml.load(text)
    except YamlBoundError as exc:
        mark = exc.problem_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        return LoadedCatalog(file, None, [LocatedProblem(file, line, col, "", str(exc.problem), code=exc.code)])
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        reason = " ".join(str(part) for part in (exc.problem, exc.context) if part)
        return LoadedCatalog(file, None, [LocatedProblem(file, line, col, "", f"YAML syntax error: {reason}",
                                                         code="yaml_syntax")])
    if not isinstance(document, CommentedMap):
        return LoadedCatalog(file, None, [LocatedProblem(
            file, 1, 1, "", "expected a mapping with `version: 1` and `components:` at the top", code="not_a_mapping")])
    plain = _to_plain(document)
    raw_components = plain.get("components")
    shell = {**plain, "components": []} if isinstance(raw_components, list) else plain
    problems: list[LocatedProblem] = []
    try:
        Catalog.model_validate(shell, context=context)
    except ValidationError as exc:
        problems += [_locate_pydantic(file, document, err) for err in exc.errors()]
    valid: list[tuple[int, Any]] = []  # valid components, and readable parts of invalid ones
    invalid_names: dict[int, str] = {}
    for i, raw in enumerate(raw_components if isinstance(raw_components, list) else []):
        component, errors = _validate_component(raw, context)
        problems += [_locate_pydantic(file, document, {**err, "loc": ("components", i, *err["loc"])})
                     for err in errors]
        partial = component if component is not None else _partial(raw)
        if partial is not None:
            valid.append((i, partial))
        elif isinstance(raw, dict) and isinstance(raw.get("name"), str):
            invalid_names[i] = raw["name"]
    sources = _valid_sources(plain.get("sources"))
    problems += [_locate(file, document, p) for p in check_components(valid, sources, invalid_names)]
    schema_valid = not any(p.code not in _NON_SCHEMA for p in problems)
    catalog = Catalog.model_validate(plain, context=context) if schema_valid else None
    return LoadedCatalog(file, catalog, _sorted_unique(problems))


def _validate_component(raw: Any, context: dict[str, Any] | None) -> tuple[Any, list[Any]]:
    """(component or None, pydantic errors). A misspelt kind (`modle`) is reported, then the
    component is validated as the kind it most resembles, so its other mistakes show up too."""
    try:
        return _COMPONENT.validate_python(raw, context=context), []
    except ValidationError as exc:
        errors = list(exc.errors())
    tag_errors = [e for e in errors if e["type"] == "union_tag_invalid"]
    guess = difflib.get_close_matches(str(raw.get("kind")), COMPONENT_KINDS, n=1) if tag_errors else []
    if not guess:
        return None, errors
    errors = [{**e, "ctx": {**e["ctx"], "guess": guess[0]}} for e in tag_errors]
    try:
        _COMPONENT.validate_python({**raw, "kind": guess[0]}, context=context)
    except ValidationError as exc:
        errors += exc.errors()
    return None, errors


def _partial(raw: Any) -> SimpleNamespace | None:
    """What cross-component rules need from a component that failed validation, when it can be
    read: its name, kind, references, lifecycle and owner. Lets `depends_on` mistakes in a
    component with another error still be reported in the same run."""
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        return None
    kind = difflib.get_close_matches(str(raw.get("kind")), COMPONENT_KINDS, n=1)
    deps = raw.get("depends_on")
    lifecycle = raw.get("lifecycle", Lifecycle.EXPERIMENTAL.value)
    return SimpleNamespace(
        name=raw["name"],
        kind=kind[0] if kind else "unknown",
        depends_on=[d for d in deps if isinstance(d, str)] if isinstance(deps, list) else [],
        training_data=raw.get("training_data") if isinstance(raw.get("training_data"), str) else None,
        lifecycle=lifecycle if lifecycle in {v.value for v in Lifecycle} else None,
        owner=raw.get("owner", "?"),
    )


def _valid_sources(raw: Any) -> dict[str, list[SourceRule]]:
    """The source sections that validate on their own, for cross-checking component names."""
    valid: dict[str, list[SourceRule]] = {}
    for name, rules in (raw.items() if isinstance(raw, dict) else ()):
        try:
            valid[name] = _SOURCE_RULES.validate_python(rules)
        except ValidationError:
            continue
    return valid


def load_catalog_file(path: Path, today: dt.date | None = None) -> LoadedCatalog:
    """Read a file; text that is not UTF-8 is one problem at line 1. `today` as for `load_catalog_text`.

    A directory, a device, a FIFO or a file over 5 MiB is not an inventory at all: that raises a
    one-line `UserInputError` naming the file (see `mldebt.input_files`).
    """
    data = read_input_bytes(path, MAX_INPUT_BYTES)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        reason = str(exc)
        return LoadedCatalog(str(path), None, [LocatedProblem(str(path), 1, 1, "", f"cannot read file: {reason}",
                                                              code="unreadable")])
    return load_catalog_text(text, str(path), today)


def _to_plain(node: Any) -> Any:
    """ruamel's commented containers to plain dicts and lists (dates stay `datetime.date`)."""
    if isinstance(node, CommentedMap):
        return {str(k): _to_plain(v) for k, v in node.items()}
    if isinstance(node, CommentedSeq):
        return [_to_plain(v) for v in node]
    return node


def _clean_loc(document: CommentedMap, loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    """Drop pydantic's discriminator tags and wrapper names that are not keys in the file."""
    cleaned: list[str | int] = []
    node: Any = document
    for part in loc:
        if _has(node, part):
            cleaned.append(part)
            node = node[part]
        elif isinstance(node, CommentedMap) and part == "schema_" and "schema" in node:
            cleaned.append("schema")
            node = node["schema"]
        elif isinstance(part, str) and (part in COMPONENT_KINDS or "[" in part or part.startswith("function-")):
            continue
        else:
            cleaned.append(part)
            node = None
    return tuple(cleaned)


def _has(node: Any, part: Any) -> bool:
    """Whether `part` is a key of a mapping node or an index of a sequence node."""
    if isinstance(node, CommentedMap):
        return part in node
    return isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node)


def _position(document: CommentedMap, path: tuple[str | int, ...]) -> tuple[int, int]:
    """Line and column (1-based) of the deepest node of `path` present in the file."""
    node: Any = document
    line, col = 1, 1
    for part in path:
        if isinstance(node, CommentedMap) and part in node:
            key_line, key_col, val_line, val_col = node.lc.data[part]
            value = node[part]
            if isinstance(value, CommentedMap | CommentedSeq) or val_line is None:
                line, col = key_line + 1, key_col + 1
            else:
                line, col = val_line + 1, val_col + 1
            node = value
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and 0 <= part < len(node):
            item_line, item_col = node.lc.data[part]
            line, col = item_line + 1, item_col + 1
            node = node[part]
        else:
            break
    return line, col


def _format_path(path: tuple[str | int, ...]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _locate(file: str, document: CommentedMap, problem: CatalogProblem) -> LocatedProblem:
    line, col = _position(document, problem.path)
    return LocatedProblem(file, line, col, _format_path(problem.path), problem.message, problem.blocking, problem.code)


def _locate_pydantic(file: str, document: CommentedMap, err: Any) -> LocatedProblem:
    path = _clean_loc(document, tuple(err["loc"]))
    if err["type"] == "union_tag_invalid":
        path = (*path, "kind")
    line, col = _position(document, path)
    return LocatedProblem(file, line, col, _format_path(path), _explain(err), True, err["type"])


def _explain(err: Any) -> str:
    """Pydantic's message, made to say what was expected and what was found."""
    kind, msg, value = err["type"], err["msg"], err.get("input")
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return f"missing required field {err['loc'][-1]!r}"
    if kind == "union_tag_invalid":
        expected = err.get("ctx", {}).get("expected_tags", "")
        guess = err["ctx"].get("guess")
        hint = f" (did you mean {guess!r}?)" if guess else ""
        return f"unknown kind {err['ctx'].get('tag')!r}{hint}: expected one of {expected}"
    if kind == "union_tag_not_found":
        return "missing required field 'kind' (model, dataset, service, pipeline or feature)"
    if kind == "enum":
        return f"unknown value {value!r}: expected {err['ctx']['expected']}"
    if kind == "literal_error":
        return f"unknown value {value!r}: expected {err['ctx']['expected']}"
    if kind.startswith("date"):
        return f"bad date {value!r}: expected YYYY-MM-DD"
    if kind == "string_pattern_mismatch":
        if err["loc"][-1] == "webhook":
            return f"bad webhook {value!r}: expected an http(s) URL"
        return f"bad name {value!r}: expected a lowercase slug (letters, digits, '.', '_', '-')"
    if kind in ("less_than_equal", "greater_than_equal", "less_than", "greater_than"):
        bound = {"less_than_equal": "at most", "greater_than_equal": "at least", "less_than": "less than",
                 "greater_than": "more than"}[kind]
        limit = next(iter(err.get("ctx", {}).values()), "?")
        return f"out of range {value!r}: expected {bound} {limit}"
    if kind == "finite_number":
        return f"expected a finite number, got {value!r}"
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    shown = f" (got {value!r})" if value is not None and not isinstance(value, dict | list) else ""
    return f"{msg}{shown}"


def _sorted_unique(problems: list[LocatedProblem]) -> list[LocatedProblem]:
    seen: set[tuple[int, int, str]] = set()
    unique = []
    for p in sorted(problems, key=lambda p: (p.line, p.column, p.message)):
        key = (p.line, p.column, p.message)
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique
