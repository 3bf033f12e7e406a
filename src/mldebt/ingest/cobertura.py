"""Cobertura XML coverage (coverage.py `coverage xml`, pytest-cov, JaCoCo converters).

Overall rates come from the `<coverage>` element; per-file line counts from the `<line>` elements
of each `<class>`, so the coverage of one component's files (its retraining code) can be computed
from the same report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mldebt.ingest.junit import ReportError, parse_xml

__all__ = ["CoberturaReport", "ReportError", "parse_cobertura"]


@dataclass(frozen=True)
class CoberturaReport:
    line_rate: float | None
    branch_rate: float | None
    lines_valid: int
    lines_covered: int
    files: dict[str, tuple[int, int]] = field(default_factory=dict)

    def restricted(self, keep: Callable[[str], bool]) -> CoberturaReport:
        """The coverage of the files `keep` selects (e.g. one component's paths)."""
        files = {name: counts for name, counts in self.files.items() if keep(name)}
        valid = sum(v for v, _ in files.values())
        covered = sum(c for _, c in files.values())
        return CoberturaReport(round(covered / valid, 6) if valid else None, None, valid, covered, files)

    def to_dict(self) -> dict[str, Any]:
        return {"line_rate": self.line_rate, "branch_rate": self.branch_rate, "lines_valid": self.lines_valid,
                "lines_covered": self.lines_covered,
                "files": {name: {"lines": v, "covered": c} for name, (v, c) in sorted(self.files.items())}}


def _rate(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        raise ReportError(f"bad rate {value!r} in <coverage>") from None


def parse_cobertura(data: bytes) -> CoberturaReport:
    root = parse_xml(data, ("coverage",))
    lines: dict[str, dict[int, bool]] = {}
    for cls in root.iter("class"):
        name = cls.get("filename") or cls.get("name") or "?"
        seen = lines.setdefault(name, {})
        for line in cls.iter("line"):
            try:
                number, hits = int(line.get("number", "0")), int(line.get("hits", "0"))
            except ValueError:
                continue
            seen[number] = seen.get(number, False) or hits > 0
    files = {name: (len(seen), sum(seen.values())) for name, seen in lines.items()}
    valid = sum(v for v, _ in files.values())
    covered = sum(c for _, c in files.values())
    lines_valid = int(root.get("lines-valid", valid) or 0)
    lines_covered = int(root.get("lines-covered", covered) or 0)
    line_rate = _rate(root.get("line-rate"))
    if line_rate is None and lines_valid:
        line_rate = round(lines_covered / lines_valid, 6)
    return CoberturaReport(line_rate, _rate(root.get("branch-rate")), lines_valid, lines_covered, files)
