"""Which inventory component owns a file: the component whose `paths` glob matches it most specifically.

Globs use `**` for any number of folders and `*` within one folder, like `.gitignore`; a pattern
without a wildcard means that file or everything under that folder. Files no component claims
belong to "unassigned". A path is tried relative to the scanned folder and, when that folder is
inside a git work tree, relative to the top of the work tree, so scanning `repo/training` still
matches `paths: ["training/**"]`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=512)
def glob_regex(pattern: str) -> re.Pattern[str]:
    pattern = pattern.strip().rstrip("/")
    pattern = pattern[2:] if pattern.startswith("./") else pattern
    if not any(ch in pattern for ch in "*?["):
        pattern += "/**"
        exact = re.escape(pattern[:-3])
    else:
        exact = None
    parts = pattern.split("/")
    out = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part == "**":
            out.append(".*" if last else "(?:.*/)?")
            continue
        segment = "".join("[^/]*" if ch == "*" else "[^/]" if ch == "?" else re.escape(ch) for ch in part)
        out.append(segment if last else segment + "/")
    body = "".join(out)
    return re.compile(f"^(?:{exact}|{body})$" if exact else f"^{body}$")


class ComponentIndex:
    """Looks up the owning component of a path relative to the scanned root."""

    def __init__(self, components: list[Any], prefix: str = "") -> None:
        self.components = components
        self.prefix = prefix
        self._rules = [(c, p, glob_regex(p), len(p.replace("*", ""))) for c in components for p in c.paths]
        self._cache: dict[str, Any] = {}

    @property
    def has_components(self) -> bool:
        return bool(self._rules)

    def component_for(self, rel: str) -> Any | None:
        if rel in self._cache:
            return self._cache[rel]
        best = None
        best_len = -1
        candidates = (rel, self.prefix + rel) if self.prefix else (rel,)
        for component, _pattern, regex, weight in self._rules:
            if weight > best_len and any(regex.match(c) for c in candidates):
                best, best_len = component, weight
        self._cache[rel] = best
        return best

    def name_for(self, rel: str) -> str | None:
        component = self.component_for(rel)
        return component.name if component is not None else None
