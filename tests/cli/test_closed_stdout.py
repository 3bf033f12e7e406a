"""A reader that goes away (`mldebt scan --format json | head -1`) ends the command quietly with 141.

Real processes with a real pipe whose reading end is closed before mldebt writes: the write fails
with EPIPE, which Typer would turn into exit status 1 (a tripped gate, docs/cli.md).
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[2] / "src")
ENTRY = "from mldebt.cli.app import entry; entry()"


def run_with_closed_stdout(cwd: Path, *args: str) -> tuple[int, bytes]:
    env = {**os.environ, "PYTHONPATH": SRC, "MLDEBT_DATABASE_URL": f"sqlite:///{cwd / 'store.db'}"}
    process = subprocess.Popen([sys.executable, "-c", ENTRY, *args], cwd=cwd, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # like `| head -1` that has had its line: nobody reads what comes next
    stderr = process.stderr.read()
    process.stderr.close()
    return process.wait(timeout=120), stderr


@pytest.mark.parametrize("args", [("rules",), ("rules", "--format", "json"),
                                  ("scan", "code", "--format", "json", "--no-store", "--no-hotspots"),
                                  ("scan", "code", "--no-store", "--no-hotspots")],
                         ids=lambda a: " ".join(a))
def test_a_closed_stdout_ends_quietly_with_141(tmp_path, args):
    code = tmp_path / "code"
    code.mkdir()
    (code / "big.py").write_text("".join(f"# TODO fix {i}\n" for i in range(2000)), encoding="utf-8")
    assert run_with_closed_stdout(tmp_path, *args) == (141, b"")
