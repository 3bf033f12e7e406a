"""Baseline files: today's fingerprints, so that CI fails only on findings that are new.

A baseline is a small JSON document (sorted, one entry per fingerprint, with the rule and file for
humans reviewing the diff). Because fingerprints ignore line numbers, editing code around an old
finding does not make it new.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from mldebt.domain.finding import Finding

FORMAT_VERSION = 1


def baseline_document(findings: Iterable[Finding]) -> dict[str, Any]:
    entries = {f.fingerprint: {"rule": f.rule_id, "file": f.file, "message": f.message} for f in findings}
    return {"tool": "mldebt", "version": FORMAT_VERSION, "fingerprints": dict(sorted(entries.items()))}


def parse_baseline(text: str) -> set[str]:
    """The fingerprints of a baseline file; ValueError naming the problem when it is not one."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(data, dict) or data.get("tool") != "mldebt" or not isinstance(data.get("fingerprints"), dict):
        raise ValueError("not an mldebt baseline (expected {\"tool\": \"mldebt\", \"fingerprints\": {...}})")
    if data.get("version") != FORMAT_VERSION:
        raise ValueError(f"unsupported baseline version {data.get('version')!r} (expected {FORMAT_VERSION})")
    return set(data["fingerprints"])
