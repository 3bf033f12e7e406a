"""The PromQL of the Grafana dashboard: every expression, and the metric names a PromQL expression reads.

`metric_names` is a small tokenizer, not a parser: it drops string literals, label matchers `{...}`,
ranges and subqueries `[...]`, the label lists of `by`/`without`/`on`/`ignoring`/`group_left`/
`group_right`, numbers and durations, Grafana's `$variables`, function names (an identifier before
`(`) and keywords; what is left are metric names. The real Prometheus of the e2e test parses the
same expressions, so a tokenizer that missed a construct would not let a bad name through unseen.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "mldebt.json"

AGGREGATIONS = {"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk",
                "quantile", "limitk", "limit_ratio"}  # may take `by (...)` between their name and `(`
KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "and", "or",
            "unless", "atan2", "inf", "nan", "start", "end", *AGGREGATIONS}
LABEL_LISTS = {"by", "without", "on", "ignoring", "group_left", "group_right"}
TOKEN = re.compile(r"""
    (?P<string>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`)
  | (?P<braces>\{(?:"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|[^}"'])*\})
  | (?P<brackets>\[[^\]]*\])
  | (?P<variable>\$\{?\w+\}?)
  | (?P<number>\d[\w.]*)
  | (?P<ident>[A-Za-z_:][A-Za-z0-9_:]*)
  | (?P<paren>\()
  | (?P<other>\S)
""", re.VERBOSE)
SUBSTITUTIONS = {"$__rate_interval": "1m", "$__interval": "1m", "$__range": "1h", "$component": ".*"}


def metric_names(expression: str) -> set[str]:
    tokens = [(m.lastgroup, m.group()) for m in TOKEN.finditer(expression)]
    names: set[str] = set()
    skip_list = False
    for index, (kind, text) in enumerate(tokens):
        following = tokens[index + 1][1] if index + 1 < len(tokens) else ""
        if kind == "paren" and skip_list:
            depth = 0
            skip_list = False
            for later in range(index, len(tokens)):  # blank out the label list up to its `)`
                depth += {"(": 1, ")": -1}.get(tokens[later][1], 0)
                tokens[later] = ("other", "")
                if depth == 0:
                    break
            continue
        if kind != "ident":
            continue
        word = text.lower()
        if word in LABEL_LISTS:
            skip_list = following == "("
            continue
        if word in KEYWORDS or following == "(":
            continue
        names.add(text)
    return names


def dashboard() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DASHBOARD.read_text())
    return data


def _panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in panels:
        yield panel
        yield from _panels(panel.get("panels", []))


def panel_expressions(board: dict[str, Any]) -> list[tuple[str, str]]:
    """(panel title, expr) of every target of every panel, rows' nested panels included."""
    return [(p.get("title", ""), t["expr"]) for p in _panels(board["panels"]) for t in p.get("targets", [])]


def variable_metrics(board: dict[str, Any]) -> list[str]:
    """The metric of every `label_values(metric, label)` query variable."""
    found = []
    for variable in board["templating"]["list"]:
        if variable["type"] == "query":
            query = variable["query"]["query"] if isinstance(variable["query"], dict) else variable["query"]
            match = re.fullmatch(r"label_values\(\s*([A-Za-z_:][\w:]*)\s*(?:\{[^}]*\})?\s*,\s*\w+\s*\)", query)
            assert match, f"unexpected variable query {query!r}"
            found.append(match.group(1))
    return found


def substituted(expression: str) -> str:
    """The expression as Grafana sends it, with the dashboard's variables replaced by plausible values."""
    for variable, value in SUBSTITUTIONS.items():
        expression = expression.replace(variable, value)
    assert "$" not in expression, f"unknown variable in {expression!r}"
    return expression
