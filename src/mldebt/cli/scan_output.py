"""Drawing a scan report: Rich tables for people, Markdown for pull-request comments."""

from __future__ import annotations

from rich.table import Table

from mldebt.cli.common import out, severity_text, visible
from mldebt.domain.finding import Finding
from mldebt.scan.ml_test_score import SECTIONS
from mldebt.service.scan import ScanReport


def _location(f: Finding) -> str:
    return f"{f.file}:{f.line}" if f.file and f.line else (f.file or "-")


def _ordered(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (-f.severity.rank, f.component, f.file or "", f.line or 0))


def print_table(report: ScanReport) -> None:
    for outcome in report.outcomes:
        result = outcome.result
        table = Table(title=f"Findings in {result.root}", title_justify="left")
        for column in ("severity", "rule", "component", "location", "message", "effort"):
            table.add_column(column, justify="right" if column == "effort" else "left")
        for f in _ordered(result.findings):
            new = report.baseline is not None and f.fingerprint not in report.baseline
            table.add_row(severity_text(f.severity), f.rule_id + (" (new)" if new else ""),
                          f.component, _location(f), f.message, f"{f.effort_minutes}m", )
        out.print(table)
        debt = Table(title="Debt per component (SQALE: effort; ratio = effort / 30 min per line)", title_justify="left")
        for column in ("component", "findings", "hours", "lines", "debt ratio", "rating"):
            debt.add_column(column, justify="left" if column == "component" else "right")
        for d in result.debt:
            debt.add_row(d.component, str(d.findings), f"{d.hours:.1f}", str(d.lines),
                         "-" if d.ratio is None else f"{d.ratio:.2%}", d.rating)
        out.print(debt)
        if result.hotspots:
            spots = Table(title="Hotspots (changes x cyclomatic complexity)", title_justify="left")
            for column in ("file", "changes", "complexity", "score"):
                spots.add_column(column, justify="left" if column == "file" else "right")
            for h in result.hotspots:
                spots.add_row(h.file, str(h.changes), str(h.complexity), str(h.score))
            out.print(spots)
        if result.test_scores:
            scores = Table(title="ML Test Score (Breck et al. 2017; final = minimum of the sections)",
                           title_justify="left")
            for column in ("component", *SECTIONS, "final", "missing", "governance"):
                scores.add_column(column, justify="right" if column in (*SECTIONS, "final") else "left")
            for s in result.test_scores:
                scores.add_row(s.component, *(f"{s.section(x):g}" for x in SECTIONS), f"{s.final:g}",
                               ", ".join(s.missing), s.governance)
            out.print(scores)
        suppressed = sum(result.suppressed.values())
        stored = ""
        if outcome.synced is not None:
            stored = (f"; stored: {len(outcome.synced.new)} new, {len(outcome.synced.reopened)} reopened, "
                      f"{len(outcome.synced.fixed)} fixed since the last scan")
        out.print(f"{len(result.findings)} findings, {suppressed} suppressed, {result.debt_minutes / 60:.1f} h of debt "
                  f"in {result.files} files ({result.lines} lines of Python) in {result.seconds:.2f} s{stored}",
                  highlight=False, markup=False)


def markdown(report: ScanReport) -> str:
    lines = ["# mldebt scan", ""]
    for outcome in report.outcomes:
        result = outcome.result
        lines += [f"## {result.root}", "",
                  f"{len(result.findings)} findings, {sum(result.suppressed.values())} suppressed, "
                  f"{result.debt_minutes / 60:.1f} hours of debt in {result.files} files.", "",
                  "| severity | rule | component | location | message | effort (min) |", "|---|---|---|---|---|---|"]
        lines += [f"| {f.severity} | {f.rule_id} | {f.component} | `{_location(f)}` | "
                  f"{f.message.replace('|', '/')} | {f.effort_minutes} |" for f in _ordered(result.findings)]
        lines += ["", "### Debt per component", "", "| component | findings | hours | debt ratio | rating |",
                  "|---|---|---|---|---|"]
        lines += [f"| {d.component} | {d.findings} | {d.hours:.1f} | "
                  f"{'-' if d.ratio is None else f'{d.ratio:.2%}'} | {d.rating} |" for d in result.debt]
        if result.hotspots:
            lines += ["", "### Hotspots", "", "| file | changes | complexity |", "|---|---|---|"]
            lines += [f"| `{h.file}` | {h.changes} | {h.complexity} |" for h in result.hotspots]
        if result.test_scores:
            lines += ["", "### ML Test Score", "",
                      "| component | " + " | ".join(SECTIONS) + " | final | missing | governance |",
                      "|---" * (len(SECTIONS) + 4) + "|"]
            lines += [f"| {s.component} | " + " | ".join(f"{s.section(x):g}" for x in SECTIONS)
                      + f" | {s.final:g} | {', '.join(s.missing)} | {s.governance} |" for s in result.test_scores]
        lines.append("")
    return visible("\n".join(lines))  # file names and messages are data: no control character reaches a terminal
