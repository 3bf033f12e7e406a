"""NannyML's half of benchmarks/nannyml_bench.py, run by the interpreter of NannyML's own venv.

It never imports mldebt (NannyML is not our dependency and lives in its own venv), and mldebt's side
never imports NannyML: the two meet only through the files of a data folder and this script's JSON.

    python nannyml_side.py export --dataset car_loan --out DIR [--every 1]
    python nannyml_side.py run --data DIR --chunk-size 5000 --out result.json [--repeat 1]

A data folder holds reference.parquet (features, score, prediction, label), analysis.parquet (the same
without the label), analysis_targets.parquet (id, label) and spec.json (which column is which).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import sys
import time
from pathlib import Path

METRICS = ["roc_auc", "f1", "precision", "recall", "accuracy"]
# NannyML's bundled synthetic datasets (shipped inside the package, so offline): loader, label, features
DATASETS = {
    "car_loan": ("load_synthetic_car_loan_dataset", "repaid",
                 ["car_value", "salary_range", "debt_to_income_ratio", "loan_length", "repaid_loan_on_prev_car",
                  "size_of_downpayment", "driver_tenure"]),
    "binary_classification": ("load_synthetic_binary_classification_dataset", "work_home_actual",
                              ["distance_from_office", "salary_range", "gas_price_per_litre",
                               "public_transportation_cost", "wfh_prev_workday", "workday", "tenure"]),
}


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _reset_peak() -> float:
    """Reset the peak-RSS mark (Linux clear_refs 5), as drift_bench.py does; returns the RSS then."""
    Path("/proc/self/clear_refs").write_text("5")
    return _status_mb("VmRSS")


def _number(value: object) -> float | None:
    number = float(value)  # type: ignore[arg-type]  # numpy and pandas scalars
    return None if math.isnan(number) else number


def export(dataset: str, out: Path, every: int) -> None:
    """Write NannyML's own synthetic data as the bench's data folder (every `every`-th row, in order)."""
    import nannyml  # type: ignore[import-not-found]  # only in NannyML's venv

    loader, label, features = DATASETS[dataset]
    reference, analysis, targets = getattr(nannyml, loader)()
    keep = ["id", *features, "y_pred_proba", "y_pred"]
    reference = reference[[*keep, label]].iloc[::every].reset_index(drop=True)
    analysis = analysis[keep].iloc[::every].reset_index(drop=True)
    targets = targets.set_index("id").loc[analysis["id"]].reset_index()[["id", label]]
    reference[label] = reference[label].astype("int64")
    targets[label] = targets[label].astype("int64")
    out.mkdir(parents=True, exist_ok=True)
    reference.to_parquet(out / "reference.parquet", index=False)
    analysis.to_parquet(out / "analysis.parquet", index=False)
    targets.to_parquet(out / "analysis_targets.parquet", index=False)
    spec = {"name": f"nannyml {dataset}", "id": "id", "features": features, "score": "y_pred_proba",
            "prediction": "y_pred", "label": label}
    (out / "spec.json").write_text(json.dumps(spec, indent=1))
    print(json.dumps({"reference_rows": len(reference), "analysis_rows": len(analysis)}))


def _chunks(frame, metrics: list[str], with_bands: bool) -> list[dict]:
    rows = []
    for _, row in frame.iterrows():
        start, end = int(row[("chunk", "start_index")]), int(row[("chunk", "end_index")]) + 1
        entry: dict = {"index": int(row[("chunk", "chunk_index")]), "start_row": start, "end_row": end,
                       "rows": end - start}
        if with_bands:
            entry["estimated"] = {m: _number(row[(m, "value")]) for m in metrics}
            entry["lower"] = {m: _number(row[(m, "lower_confidence_boundary")]) for m in metrics}
            entry["upper"] = {m: _number(row[(m, "upper_confidence_boundary")]) for m in metrics}
        else:
            entry["realized"] = {m: _number(row[(m, "value")]) for m in metrics}
        entry["alerts"] = {m: bool(row[(m, "alert")]) for m in metrics}
        rows.append(entry)
    return rows


def _thresholds(frame, metrics: list[str]) -> dict:
    first = frame.iloc[0]
    return {m: [_number(first[(m, "lower_threshold")]), _number(first[(m, "upper_threshold")])] for m in metrics}


def run(data: Path, chunk_size: int, repeat: int) -> dict:
    import nannyml
    import pandas as pd  # type: ignore[import-untyped]  # no pandas-stubs in the suite's venv

    spec = json.loads((data / "spec.json").read_text())
    reference = pd.read_parquet(data / "reference.parquet")
    analysis = pd.read_parquet(data / "analysis.parquet")
    targets = pd.read_parquet(data / "analysis_targets.parquet")
    score, prediction, label, features = spec["score"], spec["prediction"], spec["label"], spec["features"]
    result: dict = {"tool": "nannyml", "version": nannyml.__version__, "chunk_size": chunk_size}

    base = _reset_peak()
    best = math.inf
    for _ in range(repeat):
        started = time.perf_counter()
        estimator = nannyml.CBPE(y_pred_proba=score, y_pred=prediction, y_true=label, metrics=METRICS,
                                 problem_type="classification_binary", chunk_size=chunk_size)
        estimator.fit(reference)
        estimated = estimator.estimate(analysis).filter(period="analysis").to_df()
        best = min(best, time.perf_counter() - started)
    result["cbpe"] = {"seconds": best, "base_mb": base, "peak_mb": _status_mb("VmHWM"),
                      "chunks": _chunks(estimated, METRICS, with_bands=True),
                      "thresholds": _thresholds(estimated, METRICS)}

    started = time.perf_counter()
    calculator = nannyml.PerformanceCalculator(y_pred_proba=score, y_pred=prediction, y_true=label, metrics=METRICS,
                                               problem_type="classification_binary", chunk_size=chunk_size)
    calculator.fit(reference)
    labelled = analysis.merge(targets, on=spec["id"], how="left")
    realized = calculator.calculate(labelled).filter(period="analysis").to_df()
    result["realized"] = {"seconds": time.perf_counter() - started, "chunks": _chunks(realized, METRICS, False),
                          "thresholds": _thresholds(realized, METRICS)}

    base = _reset_peak()
    best = math.inf
    for _ in range(repeat):
        started = time.perf_counter()
        drift = nannyml.DataReconstructionDriftCalculator(column_names=features, chunk_size=chunk_size)
        drift.fit(reference)
        frame = drift.calculate(analysis).filter(period="analysis").to_df()
        best = min(best, time.perf_counter() - started)
    chunks = [{"index": int(row[("chunk", "chunk_index")]), "start_row": int(row[("chunk", "start_index")]),
               "end_row": int(row[("chunk", "end_index")]) + 1,
               "rows": int(row[("chunk", "end_index")]) + 1 - int(row[("chunk", "start_index")]),
               "error": _number(row[("reconstruction_error", "value")]),
               "alert": bool(row[("reconstruction_error", "alert")])} for _, row in frame.iterrows()]
    first = frame.iloc[0]
    result["reconstruction"] = {
        "seconds": best, "base_mb": base, "peak_mb": _status_mb("VmHWM"), "chunks": chunks,
        "thresholds": {"lower": _number(first[("reconstruction_error", "lower_threshold")]),
                       "upper": _number(first[("reconstruction_error", "upper_threshold")])}}
    # univariate drift per chunk (Jensen-Shannon, NannyML's default): what a column-by-column monitor sees
    univariate = nannyml.UnivariateDriftCalculator(column_names=features, chunk_size=chunk_size).fit(reference)
    frame = univariate.calculate(analysis).filter(period="analysis").to_df()
    result["univariate"] = [{"start_row": int(row[("chunk", "chunk", "start_index")]),
                             "drifted_columns": [f for f in features if bool(row[(f, "jensen_shannon", "alert")])]}
                            for _, row in frame.iterrows()]
    # the whole process's high-water mark (getrusage cannot be reset; the per-method peaks above can)
    result["process_max_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def alarms(folders: list[Path], chunk_size: int) -> list[dict]:
    """Alerting analysis chunks of CBPE (per metric) and reconstruction drift, per data folder: on undrifted
    data every one is a false alarm."""
    import nannyml
    import pandas as pd

    counts = []
    for data in folders:
        spec = json.loads((data / "spec.json").read_text())
        reference = pd.read_parquet(data / "reference.parquet")
        analysis = pd.read_parquet(data / "analysis.parquet")
        estimator = nannyml.CBPE(y_pred_proba=spec["score"], y_pred=spec["prediction"], y_true=spec["label"],
                                 metrics=METRICS, problem_type="classification_binary", chunk_size=chunk_size)
        estimated = estimator.fit(reference).estimate(analysis).filter(period="analysis").to_df()
        drift = nannyml.DataReconstructionDriftCalculator(column_names=spec["features"], chunk_size=chunk_size)
        frame = drift.fit(reference).calculate(analysis).filter(period="analysis").to_df()
        counts.append({"cbpe": {m: int(estimated[(m, "alert")].sum()) for m in METRICS},
                       "cbpe_any": int(estimated[[(m, "alert") for m in METRICS]].any(axis=1).sum()),
                       "reconstruction": int(frame[("reconstruction_error", "alert")].sum()), "chunks": len(frame)})
    return counts


def main() -> None:
    os.environ.setdefault("NML_DISABLE_USAGE_LOGGING", "1")
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    exporting = commands.add_parser("export", help="write one of NannyML's bundled datasets as a data folder")
    exporting.add_argument("--dataset", choices=sorted(DATASETS), default="car_loan")
    exporting.add_argument("--out", type=Path, required=True)
    exporting.add_argument("--every", type=int, default=1, help="keep every n-th row (a smaller, quick run)")
    running = commands.add_parser("run", help="CBPE, realized performance and reconstruction drift on a data folder")
    running.add_argument("--data", type=Path, required=True)
    running.add_argument("--chunk-size", type=int, required=True)
    running.add_argument("--repeat", type=int, default=1)
    running.add_argument("--out", type=Path, required=True)
    counting = commands.add_parser("alarms", help="alerting chunks of both methods per data folder")
    counting.add_argument("--data", type=Path, nargs="+", required=True)
    counting.add_argument("--chunk-size", type=int, required=True)
    counting.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "export":
        export(args.dataset, args.out, args.every)
    elif args.command == "alarms":
        args.out.write_text(json.dumps(alarms(args.data, args.chunk_size)))
    else:
        args.out.write_text(json.dumps(run(args.data, args.chunk_size, args.repeat), indent=1))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
