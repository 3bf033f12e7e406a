"""Performance estimation (CBPE) and multivariate drift (PCA reconstruction error): mldebt vs NannyML 0.13.

    PYTHONPATH=src .venv/bin/python benchmarks/nannyml_bench.py            # both datasets
    PYTHONPATH=src .venv/bin/python benchmarks/nannyml_bench.py --quick    # a fifth of the rows, one run

NannyML runs from its own venv (benchmarks/.venvs/nannyml, created on first use with `pip install
nannyml==0.13.*`) through benchmarks/nannyml_side.py; mldebt runs in a subprocess of this interpreter.
Both read the same Parquet files: NannyML's bundled synthetic car-loan data (exported by its own venv,
so offline) and generated data with known answers (a covariate shift that lowers performance, then a
pure correlation change that no single column shows). Every number of realized performance is the
bench's own (numpy, from the labels), so neither tool grades itself.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "nannyml"
SIDE = HERE / "nannyml_side.py"
DEFAULT_VENV = HERE / ".venvs" / "nannyml"  # gitignored (benchmarks/.venvs/)
NANNYML_PACKAGES = ["nannyml==0.13.*", "pandas<3", "statsmodels", "pyarrow"]
METRICS = ["roc_auc", "f1", "precision", "recall", "accuracy"]
SIGMAS = 3.0  # NannyML's StandardDeviationThreshold: reference chunks' mean +- 3 standard deviations


# --- data with known answers ----------------------------------------------------------------------

def generate(folder: Path, chunk: int, seed: int = 14, drifted: bool = True) -> dict[str, list[int]]:
    """Reference 20 chunks; analysis 16: 0-3 as reference, 4-7 a covariate shift (x0 squeezed toward the
    decision boundary: P(y|x) unchanged, performance falls), 8-11 a correlation change (x1 and x3 flip their
    correlation with x0 and x2, marginals unchanged: performance unchanged), 12-15 as reference again."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    effects = np.array([0.0, 0.5, -0.5])

    def draw(n: int, squeeze: float = 1.0, sign: float = 1.0) -> dict[str, np.ndarray]:
        z = rng.standard_normal((6, n))
        x0 = squeeze * z[0]
        category = rng.choice(3, size=n, p=[0.5, 0.3, 0.2])
        logit = 1.2 * x0 - 1.0 * z[2] + 0.6 * z[4] + effects[category] - 0.2
        score = 1 / (1 + np.exp(-1.5 * logit))  # the model is overconfident: calibration matters
        return {"x0": x0, "x1": sign * 0.8 * x0 + 0.6 * z[1], "x2": z[2], "x3": sign * 0.8 * z[2] + 0.6 * z[3],
                "x4": z[4], "x5": z[5], "c": np.array(["a", "b", "c"])[category], "score": score,
                "prediction": (score >= 0.5).astype(np.int64),
                "label": (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)}

    def joined(parts: list[dict[str, np.ndarray]], first_id: int) -> dict[str, np.ndarray]:
        data = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
        return {"id": np.arange(first_id, first_id + len(data["label"])), **data}

    reference = joined([draw(20 * chunk)], 0)
    plan = [(1.0, 1.0)] * 4 + [(0.35, 1.0)] * 4 + [(1.0, -1.0)] * 4 + [(1.0, 1.0)] * 4 if drifted else [(1.0, 1.0)] * 16
    analysis = joined([draw(chunk, squeeze, sign) for squeeze, sign in plan], len(reference["id"]))
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(reference), folder / "reference.parquet")
    pq.write_table(pa.table({k: v for k, v in analysis.items() if k != "label"}), folder / "analysis.parquet")
    pq.write_table(pa.table({"id": analysis["id"], "label": analysis["label"]}), folder / "analysis_targets.parquet")
    spec = {"name": "generated", "id": "id", "features": ["x0", "x1", "x2", "x3", "x4", "x5", "c"],
            "score": "score", "prediction": "prediction", "label": "label"}
    (folder / "spec.json").write_text(json.dumps(spec, indent=1))
    return {"undrifted": [0, 1, 2, 3, 12, 13, 14, 15], "covariate shift": [4, 5, 6, 7],
            "correlation change": [8, 9, 10, 11]}


# --- mldebt's side (a subprocess of this interpreter) ----------------------------------------------

def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> float:
    """Reset the peak-RSS mark (Linux clear_refs 5) once the data is loaded; returns the RSS then."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status_mb("VmRSS")


def worker(folder: Path, chunk_size: int, repeat: int) -> dict:
    """mldebt on the data folder, timed like nannyml_side.py: fit and estimate, fastest of `repeat`."""
    import pyarrow.parquet as pq

    try:
        from mldebt.drift.cbpe import estimate_performance
        from mldebt.drift.reconstruction import reconstruction_drift
    except ImportError as error:
        return {"error": f"mldebt has no CBPE or reconstruction drift yet ({error}); merge the issue-14 engines"}
    spec = json.loads((folder / "spec.json").read_text())
    reference = pq.read_table(folder / "reference.parquet")
    analysis = pq.read_table(folder / "analysis.parquet")
    targets = pq.read_table(folder / "analysis_targets.parquet")
    result: dict = {"tool": "mldebt", "chunk_size": chunk_size}

    def fastest(call: Callable[[], Any]) -> tuple[Any, dict]:
        base, best, value = _reset_peak(), math.inf, None
        for _ in range(repeat):
            started = time.perf_counter()
            value = call()
            best = min(best, time.perf_counter() - started)
        return value, {"seconds": best, "base_mb": base, "peak_mb": _status_mb("VmHWM")}

    estimate, cost = fastest(lambda: estimate_performance(
        reference, analysis, scores=[spec["score"]], prediction=spec["prediction"], label=spec["label"],
        chunk_size=chunk_size, metrics=tuple(METRICS)))
    result["cbpe"] = {**estimate.to_dict(), **cost}
    assert targets.column(spec["id"]).equals(analysis.column(spec["id"])), "targets out of order"
    labelled = analysis.append_column(spec["label"], targets.column(spec["label"]))
    realized = estimate_performance(reference, labelled, scores=[spec["score"]], prediction=spec["prediction"],
                                    label=spec["label"], chunk_size=chunk_size, metrics=tuple(METRICS))
    result["realized"] = realized.to_dict()
    drift, cost = fastest(lambda: reconstruction_drift(reference, analysis, columns=spec["features"],
                                                       chunk_size=chunk_size))
    found = drift.to_dict()
    # the engine names its analysis chunks `current_chunks` (beside `reference_chunks`); the brief said `chunks`
    found["chunks"] = found.get("current_chunks", found.get("chunks"))
    result["reconstruction"] = {**found, **cost}
    from mldebt.drift.compare import Options, compare

    # univariate drift per chunk with the default policy: what a column-by-column monitor sees
    result["univariate"] = [
        {"start_row": c["start_row"],
         "drifted_columns": compare(reference.select(spec["features"]),
                                    analysis.slice(c["start_row"], c["rows"]).select(spec["features"]),
                                    Options()).drifted_columns} for c in found["chunks"]]
    return result


def worker_alarms(folders: list[Path], chunk_size: int) -> list[dict] | dict:
    """mldebt's alerting chunks per data folder, like nannyml_side.py's `alarms`."""
    import pyarrow.parquet as pq

    try:
        from mldebt.drift.cbpe import estimate_performance
        from mldebt.drift.reconstruction import reconstruction_drift
    except ImportError as error:
        return {"error": f"mldebt has no CBPE or reconstruction drift yet ({error})"}
    counts = []
    for folder in folders:
        spec = json.loads((folder / "spec.json").read_text())
        reference, analysis = pq.read_table(folder / "reference.parquet"), pq.read_table(folder / "analysis.parquet")
        estimate = estimate_performance(reference, analysis, scores=[spec["score"]], prediction=spec["prediction"],
                                        label=spec["label"], chunk_size=chunk_size, metrics=tuple(METRICS)).to_dict()
        drift = reconstruction_drift(reference, analysis, columns=spec["features"], chunk_size=chunk_size).to_dict()
        chunks = drift.get("current_chunks", drift.get("chunks", []))
        counts.append({"cbpe": {m: sum(bool(c["alerts"][m]) for c in estimate["chunks"]) for m in METRICS},
                       "cbpe_any": sum(any(c["alerts"].values()) for c in estimate["chunks"]),
                       "reconstruction": sum(bool(c["alert"]) for c in chunks), "chunks": len(chunks)})
    return counts


# --- the bench's own ground truth ------------------------------------------------------------------

def realized_metrics(y: np.ndarray, score: np.ndarray, prediction: np.ndarray) -> dict[str, float]:
    from scipy.stats import rankdata

    positives, negatives = int(y.sum()), int(len(y) - y.sum())
    tp = int(((prediction == 1) & (y == 1)).sum())
    fp, fn = int(((prediction == 1) & (y == 0)).sum()), int(((prediction == 0) & (y == 1)).sum())
    auc = ((rankdata(score)[y == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives)
           if positives and negatives else math.nan)
    precision = tp / (tp + fp) if tp + fp else math.nan
    recall = tp / (tp + fn) if tp + fn else math.nan
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else math.nan
    return {"roc_auc": float(auc), "f1": f1, "precision": precision, "recall": recall,
            "accuracy": float((prediction == y).mean())}


def ground_truth(folder: Path, chunk_size: int) -> tuple[dict, dict[str, tuple[float, float]]]:
    """(analysis columns, per metric the reference-derived [lower, upper] alert threshold)."""
    import pyarrow.parquet as pq

    spec = json.loads((folder / "spec.json").read_text())
    reference = pq.read_table(folder / "reference.parquet")
    columns = {k: reference.column(spec[k]).to_numpy() for k in ("label", "score", "prediction")}
    chunks = [realized_metrics(*(columns[k][i:i + chunk_size] for k in ("label", "score", "prediction")))
              for i in range(0, reference.num_rows, chunk_size)]
    thresholds = {}
    for m in METRICS:
        values = np.array([c[m] for c in chunks])
        mean, sd = float(np.nanmean(values)), float(np.nanstd(values))
        thresholds[m] = (max(mean - SIGMAS * sd, 0.0), min(mean + SIGMAS * sd, 1.0))
    analysis = pq.read_table(folder / "analysis.parquet")
    targets = pq.read_table(folder / "analysis_targets.parquet")
    return {"label": targets.column(spec["label"]).to_numpy(), "score": analysis.column(spec["score"]).to_numpy(),
            "prediction": analysis.column(spec["prediction"]).to_numpy()}, thresholds


def score_cbpe(run: dict, truth: dict, thresholds: dict) -> dict[str, dict]:
    """Per metric: mean |estimate - realized|, realized outside the band, alarms raised / false / missed.

    A realized alert is a realized value outside the reference-derived threshold; an alarm is an estimate
    outside it; an alarm is missed when the realized value crossed it and the estimate did not."""
    scores: dict[str, dict] = {}
    chunks = run["chunks"]
    realized = [realized_metrics(*(truth[k][c["start_row"]:c["end_row"]] for k in ("label", "score", "prediction")))
                for c in chunks]
    for m in METRICS:
        lo, hi = thresholds[m]
        errors, widths, outside, raised, false, missed, actual, own = [], [], 0, 0, 0, 0, 0, 0
        for chunk, real in zip(chunks, realized, strict=True):
            estimate, value = chunk["estimated"][m], real[m]
            if estimate is None or math.isnan(value):
                continue
            errors.append(abs(estimate - value))
            if chunk["lower"][m] is not None and chunk["upper"][m] is not None:
                widths.append(chunk["upper"][m] - chunk["lower"][m])
            outside += not chunk["lower"][m] <= value <= chunk["upper"][m]
            alarm, alert = not lo <= estimate <= hi, not lo <= value <= hi
            raised, false, actual = raised + alarm, false + (alarm and not alert), actual + alert
            missed += alert and not alarm
            own += bool(chunk["alerts"][m])
        scores[m] = {"mae": float(np.mean(errors)) if errors else math.nan, "outside": outside, "chunks": len(errors),
                     "band": float(np.mean(widths)) if widths else math.nan,
                     "threshold": (run.get("thresholds") or {}).get(m, [None, None]),
                     "raised": raised, "false": false, "missed": missed, "realized_alerts": actual, "own_alerts": own}
    return scores


def realized_gap(run: dict, truth: dict) -> float:
    """Largest |tool's own realized - the bench's| over chunks and metrics: both must compute the same thing."""
    gaps = [0.0]
    for chunk in run["chunks"]:
        real = realized_metrics(*(truth[k][chunk["start_row"]:chunk["end_row"]] for k in ("label", "score",
                                                                                          "prediction")))
        gaps += [abs(v - real[m]) for m, v in chunk["realized"].items() if v is not None and not math.isnan(real[m])]
    return max(gaps)


def estimate_gap(ours: list[dict], theirs: list[dict]) -> dict[str, float]:
    """Per metric the largest |mldebt's estimate - NannyML's| over the chunks both have."""
    by_start = {c["start_row"]: c for c in theirs}
    gaps: dict[str, float] = {}
    for chunk in ours:
        other = by_start.get(chunk["start_row"])
        for m, value in chunk["estimated"].items():
            if other and value is not None and other["estimated"].get(m) is not None:
                gaps[m] = max(gaps.get(m, 0.0), abs(value - other["estimated"][m]))
    return gaps


# --- driver ---------------------------------------------------------------------------------------

def nannyml_python(venv: Path) -> Path:
    python = venv / "bin" / "python"
    if not python.exists():
        base = shutil.which("python3.11") or sys.executable
        print(f"creating NannyML's venv at {venv} ({' '.join(NANNYML_PACKAGES)})", flush=True)
        subprocess.run([base, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *NANNYML_PACKAGES], check=True)
    return python


def call(command: list[str], out: Path, timeout: float) -> dict:
    env = {**os.environ, "NML_DISABLE_USAGE_LOGGING": "1", "PYTHONWARNINGS": "ignore"}
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout)
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["?"])[-1][:200]}
    return json.loads(out.read_text())


def false_alarms(python: Path, seeds: int, chunk_size: int, quick: bool, timeout: float) -> dict:
    """Both tools on `seeds` undrifted generated datasets (16 analysis chunks each): every alert is false."""
    folder = OUT / ("undrifted" + ("-quick" if quick else ""))
    folders = [folder / f"seed-{seed}" for seed in range(seeds)]
    for seed, data in enumerate(folders):
        generate(data, chunk_size, seed=1000 + seed, drifted=False)
    print(f"false alarms: {seeds} undrifted datasets ...", flush=True)
    found = {"NannyML": call([str(python), str(SIDE), "alarms", "--chunk-size", str(chunk_size), "--out",
                              str(folder / "nannyml.json"), "--data", *map(str, folders)], folder / "nannyml.json",
                             timeout),
             "mldebt": call([sys.executable, str(Path(__file__).resolve()), "--chunk-size", str(chunk_size), "--out",
                             str(folder / "mldebt.json"), "--worker-alarms", *map(str, folders)],
                            folder / "mldebt.json", timeout)}
    return {"dataset": "undrifted", "seeds": seeds, "chunk_size": chunk_size, "false_alarms": found}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a fifth of the rows and one run per tool")
    parser.add_argument("--datasets", nargs="+", default=["car_loan", "generated"], choices=["car_loan", "generated"])
    parser.add_argument("--nannyml-venv", type=Path, default=DEFAULT_VENV)
    parser.add_argument("--repeat", type=int, default=3, help="runs per tool and method (fastest kept)")
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--seeds", type=int, default=20,
                        help="undrifted generated datasets for the false-alarm count (0: skip; --quick: 5)")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--worker-alarms", type=Path, nargs="+", help=argparse.SUPPRESS)
    parser.add_argument("--chunk-size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker_alarms:
        args.out.write_text(json.dumps(worker_alarms(args.worker_alarms, args.chunk_size)))
        return
    if args.worker:
        args.out.write_text(json.dumps(worker(args.worker, args.chunk_size, args.repeat)))
        return
    from benchmarks.nannyml_report import report  # the tables; this script stays about measuring

    repeat = 1 if args.quick else args.repeat
    python = nannyml_python(args.nannyml_venv.resolve())
    results = []
    for name in args.datasets:
        folder = OUT / (name + ("-quick" if args.quick else ""))
        if name == "car_loan":
            chunk_size, expected = (1000 if args.quick else 5000), None
            exported = call([str(python), str(SIDE), "export", "--dataset", "car_loan", "--out", str(folder),
                             "--every", "5" if args.quick else "1"], folder / "spec.json", args.timeout)
            if "error" in exported:
                sys.exit(f"exporting NannyML's car-loan data failed: {exported['error']}")
        else:
            chunk_size = 500 if args.quick else 2500
            expected = generate(folder, chunk_size)
        print(f"{name}: NannyML ...", flush=True)
        theirs = call([str(python), str(SIDE), "run", "--data", str(folder), "--chunk-size", str(chunk_size),
                       "--repeat", str(repeat), "--out", str(folder / "nannyml.json")], folder / "nannyml.json",
                      args.timeout)
        print(f"{name}: mldebt ...", flush=True)
        ours = call([sys.executable, str(Path(__file__).resolve()), "--worker", str(folder), "--chunk-size",
                     str(chunk_size), "--repeat", str(repeat), "--out", str(folder / "mldebt.json")],
                    folder / "mldebt.json", args.timeout)
        truth, thresholds = ground_truth(folder, chunk_size)
        entry: dict = {"dataset": name, "folder": str(folder), "chunk_size": chunk_size, "rows": len(truth["label"]),
                       "expected": expected, "thresholds": thresholds, "tools": {}}
        for tool, run in (("mldebt", ours), ("NannyML", theirs)):
            if "error" in run:
                entry["tools"][tool] = {"error": run["error"]}
                continue
            entry["tools"][tool] = {
                "cbpe": {k: run["cbpe"][k] for k in ("seconds", "base_mb", "peak_mb")},
                "scores": score_cbpe(run["cbpe"], truth, thresholds),
                "realized_gap": realized_gap(run["realized"], truth),
                "reconstruction": {**{k: run["reconstruction"][k] for k in ("seconds", "base_mb", "peak_mb")},
                                   "chunks": [{k: c[k] for k in ("index", "start_row", "rows", "error", "alert")}
                                              for c in run["reconstruction"]["chunks"]]},
                "univariate": {c["start_row"]: c["drifted_columns"] for c in run.get("univariate", [])}}
        if "error" not in ours and "error" not in theirs:
            entry["estimate_gap"] = estimate_gap(ours["cbpe"]["chunks"], theirs["cbpe"]["chunks"])
        results.append(entry)
    seeds = min(args.seeds, 5) if args.quick else args.seeds
    if seeds:
        results.append(false_alarms(python, seeds, 500 if args.quick else 2500, args.quick, args.timeout))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "summary.json").write_text(json.dumps(results, indent=1))
    report(results, OUT / "summary.md")


if __name__ == "__main__":
    sys.path.insert(0, str(HERE.parent))
    main()
