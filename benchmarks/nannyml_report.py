"""The tables of benchmarks/nannyml_bench.py: printed with Rich and written as Markdown (for a closing note).

Cells holding both tools read "mldebt / NannyML"; ratios are mldebt's value over NannyML's (below 1:
mldebt is faster, lighter or closer to the realized value).
"""

from __future__ import annotations

import math
from pathlib import Path

TOOLS = ("mldebt", "NannyML")


def _f(value: float | None, digits: int = 4) -> str:
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.{digits}f}"


def _ratio(ours: float | None, theirs: float | None) -> str:
    if ours is None or theirs is None or not theirs or math.isnan(ours) or math.isnan(theirs):
        return "-"
    return f"{ours / theirs:.2f}"


def _tables(entry: dict) -> list[tuple[str, list[str], list[list[str]]]]:
    tools = entry["tools"]
    ok = {t: r for t, r in tools.items() if "error" not in r}
    title = f"{entry['dataset']}: {entry['rows']:,} analysis rows, chunks of {entry['chunk_size']:,}"
    tables = []
    cost_rows = [["-", t, "not measured: " + tools[t]["error"], "", "", "", ""] for t in TOOLS if t not in ok]
    for method in ("cbpe", "reconstruction"):
        for t in TOOLS:
            if t in ok:
                run, other = ok[t][method], ok.get("NannyML" if t == "mldebt" else "mldebt", {}).get(method)
                mine = t == "mldebt" and other
                cost_rows.append([method, t, _f(run["seconds"], 3),
                                  _ratio(run["seconds"], other["seconds"]) if mine else "", f"{run['base_mb']:.0f}",
                                  f"{run['peak_mb']:.0f}", _ratio(run["peak_mb"], other["peak_mb"]) if mine else ""])
    tables.append((f"{title}: time and memory (fit + estimate, fastest run)",
                   ["method", "tool", "time (s)", "time ratio", "RSS data loaded (MB)", "peak RSS (MB)",
                    "peak ratio"], cost_rows))
    if ok:
        blank = {"mae": math.nan, **dict.fromkeys(("outside", "chunks", "realized_alerts", "raised", "false",
                                                   "missed", "own_alerts"), "-")}
        ours, theirs = (ok[t]["scores"] if t in ok else {} for t in TOOLS)
        rows = []
        for m in ours or theirs:
            a, b = ours.get(m, blank), theirs.get(m, blank)
            real = a if m in ours else b
            rows.append([m, _f(a["mae"]), _f(b["mae"]), _ratio(a["mae"], b["mae"]),
                         f"{a['outside']} / {b['outside']} of {real['chunks']}", str(real["realized_alerts"]),
                         f"{a['raised']} / {b['raised']}", f"{a['false']} / {b['false']}",
                         f"{a['missed']} / {b['missed']}", f"{a['own_alerts']} / {b['own_alerts']}",
                         f"{_f(a.get('band'), 3)} / {_f(b.get('band'), 3)}",
                         f"{_f(a.get('threshold', [None])[0], 3)} / {_f(b.get('threshold', [None])[0], 3)}"])
        tables.append((f"{title}: CBPE, estimate vs realized per chunk (mldebt / NannyML)",
                       ["metric", "MAE mldebt", "MAE NannyML", "MAE ratio", "realized outside band",
                        "realized alerts", "alarms raised", "false alarms", "missed", "own alert flags",
                        "mean band width", "own lower threshold"], rows))
    if ok:
        expected = entry.get("expected") or {}
        kind = {i: k for k, chunks in expected.items() for i in chunks}
        by_tool = {t: {c["start_row"]: c for c in r["reconstruction"]["chunks"]} for t, r in ok.items()}
        starts = sorted(set().union(*(set(c) for c in by_tool.values())))
        rows = []
        for n, start in enumerate(starts):
            row = [str(n), f"{start:,}", kind.get(n, "")]
            for t in TOOLS:
                c = by_tool.get(t, {}).get(start)
                row += [_f(c["error"]), "ALERT" if c["alert"] else ""] if c else ["-", ""]
            row += [",".join(ok[t]["univariate"].get(start, [])) if t in ok else "-" for t in TOOLS]
            rows.append(row)
        tables.append((f"{title}: reconstruction error per chunk",
                       ["chunk", "first row", "known answer", "mldebt error", "mldebt", "NannyML error", "NannyML",
                        "univariate drift: mldebt", "NannyML (JS)"],
                       rows))
    return tables


def _false_alarm_table(entry: dict) -> list[tuple[str, list[str], list[list[str]]]]:
    """Per tool and method: datasets with any alert, and alerting chunks of all, on undrifted data."""
    rows = []
    for tool in TOOLS:
        counts = entry["false_alarms"].get(tool)
        if not isinstance(counts, list):
            rows.append([tool, "not measured: " + str((counts or {}).get("error", "?")), "", ""])
            continue
        chunks = sum(c["chunks"] for c in counts)
        methods = [(f"cbpe {m}", [c["cbpe"][m] for c in counts]) for m in counts[0]["cbpe"]]
        methods.append(("cbpe any metric", [c["cbpe_any"] for c in counts]))
        methods.append(("reconstruction", [c["reconstruction"] for c in counts]))
        rows += [[tool, method, f"{sum(n > 0 for n in alerts)} of {len(counts)}", f"{sum(alerts)} of {chunks}"]
                 for method, alerts in methods]
    return [(f"false alarms: {entry['seeds']} undrifted generated datasets, 16 chunks of {entry['chunk_size']:,} each",
             ["tool", "method", "datasets with an alert", "alerting chunks"], rows)]


def _notes(entry: dict) -> list[str]:
    ok = {t: r for t, r in entry["tools"].items() if "error" not in r}
    notes = []
    for t, r in ok.items():
        notes.append(f"{t}: realized metrics differ from the bench's own by at most {r['realized_gap']:.2g}")
    if entry.get("estimate_gap"):
        notes.append("CBPE point estimates, largest |mldebt - NannyML| per chunk: " + ", ".join(
            f"{m} {gap:.1e}" for m, gap in entry["estimate_gap"].items()))
    alerts = {t: {c["start_row"] for c in r["reconstruction"]["chunks"] if c["alert"]} for t, r in ok.items()}
    if len(ok) == 2:
        starts = {c["start_row"] for r in ok.values() for c in r["reconstruction"]["chunks"]}
        agree = sum((s in alerts["mldebt"]) == (s in alerts["NannyML"]) for s in starts)
        notes.append(f"reconstruction: alerting chunks mldebt {len(alerts['mldebt'])}, NannyML "
                     f"{len(alerts['NannyML'])}; the two agree on {agree} of {len(starts)} chunks")
    expected = entry.get("expected")
    if expected:
        size = entry["chunk_size"]
        for t, found in alerts.items():
            hits = {k: sum(i * size in found for i in chunks) for k, chunks in expected.items()}
            notes.append(f"{t} reconstruction vs known answers: " + ", ".join(
                f"{k} {hits[k]} of {len(chunks)} chunks alert" for k, chunks in expected.items())
                + " (expected: correlation change all, undrifted none)")
    return notes


def _markdown(title: str, headers: list[str], rows: list[list[str]]) -> str:
    lines = [f"**{title}**", "", "| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def report(results: list[dict], markdown: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=200)
    parts = []
    for entry in results:
        tables = _false_alarm_table(entry) if "false_alarms" in entry else _tables(entry)
        for title, headers, rows in tables:
            table = Table(title=title, title_justify="left")
            for n, header in enumerate(headers):
                table.add_column(header, justify="left" if n < 2 else "right")
            for row in rows:
                table.add_row(*row)
            console.print(table)
            parts.append(_markdown(title, headers, rows))
        notes = [] if "false_alarms" in entry else _notes(entry)
        for note in notes:
            console.print(note)
        parts.append("\n".join(f"- {note}" for note in notes) + "\n")
    markdown.write_text("\n".join(parts))
    console.print(f"results: {markdown.with_suffix('.json')}; Markdown tables: {markdown}")
