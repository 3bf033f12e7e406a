"""The demo's retrain request really runs: `make demo`, then `mldebt retrain approve recs-model`."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.service.test_retrain import code_under_test
from tests.support.cli import enter_tmp, run


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    enter_tmp(tmp_path, monkeypatch)
    return tmp_path


def test_approving_the_demo_retrain_succeeds_without_an_activated_virtualenv(capsys, tmp_path):
    code, out, _ = run(capsys, "demo", "--no-serve", "--as-of", "2026-11-25")
    assert code == 0 and "retrain recs-model: approve -> pending (request 1)" in out
    # As a user runs it: the console script, with a PATH that has no virtualenv and no `python`.
    env = {**os.environ, "PATH": "/nonexistent", "PYTHONPATH": code_under_test(), "COLUMNS": "200"}
    done = subprocess.run([str(Path(sys.executable).with_name("mldebt")), "retrain", "approve", "recs-model"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    model_dir = tmp_path / ".mldebt" / "demo-data" / "recs-model"
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines() == [
        "retrain request 1 for recs-model: succeeded (attempt 1, exit code 0)",
        "last lines of the output:",
        f"  trained on 17117 events of {tmp_path / '.mldebt/demo-data/clickstream-current.parquet'}; "
        "recall@20 on the last day: 0.6498",
        f"  wrote {model_dir / 'model.json'} and {model_dir / 'metrics.json'}",
    ]
    model = json.loads((model_dir / "model.json").read_text())
    assert (sorted(model["top_products"]), model["request_id"]) == (["email", "mobile_app", "social", "web"], "1")
    assert json.loads((model_dir / "metrics.json").read_text()) == {
        "recall_at_20": 0.6498, "train_rows": 17117, "holdout_rows": 888}
