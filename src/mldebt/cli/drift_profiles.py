"""`mldebt drift --reference-profile REF.json CURRENT`: drift from profiles (kept apart from cli/drift.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table

from mldebt.cli.common import out

if TYPE_CHECKING:
    from mldebt.drift.profiles import Profile


def _profile(path: Path) -> Profile:
    """A profile JSON as is; any other file (CSV, Parquet) is profiled on the fly."""
    from mldebt.drift.profile_io import profile_file, read_profile

    return read_profile(path) if path.suffix.lower() == ".json" else profile_file(path)


def run_profile_drift(reference_profile: Path, current: Path, json_format: bool, output: Path | None,
                      fail_on_drift: bool) -> None:
    """Compare CURRENT (data or a profile) with the reference profile; print a table or JSON."""
    from mldebt.drift.profile_drift import compare_profiles
    from mldebt.drift.profile_io import read_profile

    report = compare_profiles(read_profile(reference_profile), _profile(current))
    if json_format:
        text = json.dumps(report.to_dict(), indent=2, default=str) + "\n"
        if output is None:
            sys.stdout.write(text)
        else:
            output.write_text(text, "utf-8")
    else:
        table = Table("column", "type", "method", "statistic", "error bound", "adj. p", "effect", "drifted")
        for c in report.columns:
            verdict = "uncertain" if c.uncertain else ("yes" if c.drifted else "no")
            table.add_row(c.name, c.type, c.method or "", _g(c.statistic), _g(c.error_bound),
                          _g(c.adjusted_pvalue), _g(c.effect), verdict)
        out.print(table)
        out.print(f"dataset drift: {'yes' if report.dataset_drift else 'no'} "
                  f"(share {report.drift_share:.2f}, threshold {report.drift_share_threshold:g})", highlight=False)
    if fail_on_drift and report.dataset_drift:
        raise typer.Exit(1)


def _g(value: float | None) -> str:
    return "-" if value is None else f"{value:.4g}"
