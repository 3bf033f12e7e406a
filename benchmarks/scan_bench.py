"""Benchmark: a full `mldebt scan` (hotspots included) of a large synthetic ML repository, and mllint on it.

Builds (once, cached under /tmp) a git repository of 2,000 Python files (> 200,000 lines) with a
5,000-commit history written by `git fast-import`, then times `mldebt scan` as a real process
(wall time, peak RSS from os.wait4) and, when it is installed in benchmarks/.venvs/mllint, mllint
on the same tree in the same run. Prints a table; writes it to benchmarks/out/scan_bench.md.

    python benchmarks/scan_bench.py [--root /tmp/mldebt-scan-bench] [--files 2000] [--commits 5000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MLDEBT = Path(sys.executable).with_name("mldebt")
MLLINT = HERE / ".venvs" / "mllint" / "bin" / "mllint"

TEMPLATE_HEAD = '''"""Module {index}: feature engineering and training for component {component}."""

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

THRESHOLD_{index} = 0.5

'''
TEMPLATE_FUNCTION = '''

def transform_{index}_{n}(frame, column="value_{n}", limit={limit}):
    """Clip, fill and scale one column ({n})."""
    values = frame[column].to_numpy()
    if values.size == 0:
        return frame
    for position in range(min(limit, values.size)):
        if values[position] is None:
            values[position] = 0.0
        elif values[position] > {limit}:
            values[position] = {limit}
    result = frame.copy()
    result[column] = values
    return result
'''
TEMPLATE_TRAIN = '''

def train_{index}(frame, labels):
    # TODO: move the split before the scaling (ticket {index})
    X = StandardScaler().fit_transform(frame)
    X_train, X_test, y_train, y_test = train_test_split(X, labels, random_state={index})
    model = RandomForestClassifier(n_estimators=10, random_state=0).fit(X_train, y_train)
    if model.predict_proba(X_test)[:, 1].mean() > 0.7:
        return model
    return None
'''


def module_text(index: int, rng: random.Random, revision: int = 0) -> str:
    parts = [TEMPLATE_HEAD.format(index=index, component=index % 20)]
    for n in range(6 + rng.randrange(3)):
        parts.append(TEMPLATE_FUNCTION.format(index=index, n=n, limit=10 + n))
    if index % 10 == 0:
        parts.append(TEMPLATE_TRAIN.format(index=index))
    parts.append(f"\nREVISION = {revision}\n")
    return "".join(parts)


def _data(text: str) -> bytes:
    raw = text.encode()
    return b"data %d\n" % len(raw) + raw + b"\n"


def build_repo(root: Path, files: int, commits: int) -> None:
    """A git repo with `files` modules and `commits` commits, written with git fast-import."""
    rng = random.Random(0)
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    paths = [f"pkg{i % 40:02d}/module_{i:04d}.py" for i in range(files)]
    start = int(time.time()) - commits * 3600
    with tempfile.TemporaryFile() as stream:
        for number in range(commits):
            when = start + number * 3600
            stream.write(b"commit refs/heads/main\n")
            stream.write(b"committer Bench <bench@example.com> %d +0000\n" % when)
            stream.write(_data(f"change {number}"))
            if number == 0:
                changed = list(range(files))
                for package in sorted({p.split("/")[0] for p in paths}):
                    stream.write(b"M 100644 inline " + f"{package}/__init__.py".encode() + b"\n" + _data(""))
            else:  # a skewed history: a few files attract most changes (as in real code)
                changed = {min(int(rng.paretovariate(1.2)) - 1, files - 1) * 7 % files for _ in range(2)}
            for index in changed:
                text = module_text(index, random.Random(index), revision=number)
                stream.write(b"M 100644 inline " + paths[index].encode() + b"\n" + _data(text))
            stream.write(b"\n")
        stream.seek(0)
        subprocess.run(["git", "-C", str(root), "fast-import", "--quiet"], stdin=stream, check=True)
    subprocess.run(["git", "-C", str(root), "checkout", "-q", "-f", "main"], check=True)


def timed(args: list[str], cwd: Path, timeout: float) -> tuple[float, float, int, float]:
    """(wall seconds, peak RSS MiB, exit status, CPU seconds incl. its workers) of a child, from os.wait4."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(args, cwd=cwd, stdout=out, stderr=subprocess.DEVNULL)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                status = -9
                break
            time.sleep(0.05)
        seconds = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status) if status != -9 else -9
    return seconds, usage.ru_maxrss / 1024, code, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=Path(tempfile.gettempdir()) / "mldebt-scan-bench")
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--commits", type=int, default=5000)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--mllint-timeout", type=float, default=600)
    args = parser.parse_args()
    marker = args.root / ".bench-built"
    if args.rebuild or not marker.exists() or marker.read_text() != f"{args.files} {args.commits}":
        print(f"building {args.root}: {args.files} files, {args.commits} commits (git fast-import) ...", flush=True)
        started = time.perf_counter()
        build_repo(args.root, args.files, args.commits)
        marker.write_text(f"{args.files} {args.commits}")
        print(f"  built in {time.perf_counter() - started:.1f} s", flush=True)
    commits = int(subprocess.run(["git", "-C", str(args.root), "rev-list", "--count", "HEAD"], capture_output=True,
                                 text=True, check=True).stdout)
    report = args.root.parent / "mldebt-scan-bench.json"
    load = os.getloadavg()[0]
    seconds, rss, code, cpu = timed([str(MLDEBT), "scan", str(args.root), "--no-store", "--format", "json", "--output",
                                   str(report), "--since", "20.years"], args.root, 600)
    data = json.loads(report.read_text())["runs"][0]
    rows = [("mldebt scan (full, hotspots incl.)", seconds, cpu, rss, code, len(data["findings"]))]
    if MLLINT.exists():
        m_seconds, m_rss, m_code, m_cpu = timed([str(MLLINT), "run", "--quiet", "--output", "-", str(args.root)],
                                                args.root, args.mllint_timeout)
        rows.append(("mllint run", m_seconds, m_cpu, m_rss, m_code, None))
    lines = [f"Tree: {data['files']} files, {data['python_files']} Python files, {data['lines']:,} lines, "
             f"{commits:,} commits; {os.cpu_count()} CPUs, load average {load:.1f} when the scan started", "",
             "| tool | wall s | CPU s (all processes) | files/s | lines/s | peak RSS MiB | exit | findings | "
             "wall ratio to mldebt |", "|---|---|---|---|---|---|---|---|---|"]
    for name, secs, cpu_s, peak, status, found in rows:
        lines.append(f"| {name} | {secs:.2f} | {cpu_s:.2f} | {data['files'] / secs:,.0f} | "
                     f"{data['lines'] / secs:,.0f} | {peak:.0f} | {status} | {'-' if found is None else found} | "
                     f"{secs / seconds:.1f}x |")
    if not MLLINT.exists():
        lines.append("")
        lines.append("mllint: not installed in benchmarks/.venvs/mllint (pip install mllint there to compare).")
    lines += ["", "Findings by rule: " + ", ".join(f"{k} {v}" for k, v in data["counts_by_rule"].items()),
              f"Hotspots found: {len(data['hotspots'])}; scanner's own timing: {data['seconds']:.2f} s"]
    text = "\n".join(lines)
    print(text)
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / "scan_bench.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
