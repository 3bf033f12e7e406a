"""Retrain the storefront's recommender (demo): the command of `recs-model`'s retrain trigger.

Fits "popular in your channel" (the top 20 products per channel) on the drifted window, holds out
its last day to measure recall@20, and writes `model.json` and `metrics.json` into a `recs-model/`
folder next to the data. mldebt runs it as `{python} ml/recs/retrain.py` in this folder and says
which data drifted in MLDEBT_DRIFT_CURRENT (and MLDEBT_DRIFT_REFERENCE); by hand, pass the file:

    python ml/recs/retrain.py .mldebt/demo-data/clickstream-current.parquet
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pyarrow.parquet as pq

TOP_K = 20
ENGAGED = {"add_to_cart", "checkout", "purchase"}


def main(argv: list[str]) -> int:
    source = argv[1] if len(argv) > 1 else os.environ.get("MLDEBT_DRIFT_CURRENT")
    if not source:
        print("usage: retrain.py CLICKSTREAM.parquet (or set MLDEBT_DRIFT_CURRENT)", file=sys.stderr)
        return 2
    rows = pq.read_table(source, columns=["product_id", "event", "channel", "ts"]).to_pylist()
    if not rows:
        print(f"{source}: no rows to train on", file=sys.stderr)
        return 1
    cutoff = max(r["ts"] for r in rows) - dt.timedelta(days=1)
    train = [r for r in rows if r["ts"] < cutoff]
    holdout = [r for r in rows if r["ts"] >= cutoff and r["event"] in ENGAGED]
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for r in train:
        counts[r["channel"]][r["product_id"]] += 1
    top = {channel: [p for p, _ in c.most_common(TOP_K)] for channel, c in sorted(counts.items())}
    hits = sum(1 for r in holdout if r["product_id"] in top.get(r["channel"], []))
    metrics = {"recall_at_20": round(hits / len(holdout), 4) if holdout else None,
               "train_rows": len(train), "holdout_rows": len(holdout)}
    target = Path(source).resolve().parent / "recs-model"
    target.mkdir(parents=True, exist_ok=True)
    model = {"component": "recs-model", "kind": "top-k per channel", "k": TOP_K, "trained_on": str(source),
             "request_id": os.environ.get("MLDEBT_RETRAIN_REQUEST_ID"), "top_products": top}
    (target / "model.json").write_text(json.dumps(model, indent=2) + "\n", "utf-8")
    (target / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", "utf-8")
    print(f"trained on {len(train)} events of {source}; recall@20 on the last day: {metrics['recall_at_20']}")
    print(f"wrote {target / 'model.json'} and {target / 'metrics.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
