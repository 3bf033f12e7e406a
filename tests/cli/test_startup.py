"""`mldebt --help` starts at once: the heavy libraries load only in the commands that use them.

Behaviour, not timing (benchmarks/cli_startup.py has the numbers): a fresh interpreter imports the
CLI, prints the help of every group, and none of the heavy libraries is in `sys.modules`.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[2] / "src")
HEAVY = ["alembic", "fastapi", "nbformat", "numpy", "pyarrow", "radon", "scipy", "sqlalchemy", "uvicorn", "vulture"]

PROBE = """
import contextlib, io, json, sys
from mldebt.cli.app import main
for args in (["--help"], ["catalog", "--help"], ["ingest", "--help"], ["drift", "--help"], ["scan", "--help"],
             ["incidents", "list", "--help"], ["token", "create", "--help"], ["serve", "--help"]):
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(args) == 0, args
print(json.dumps(sorted(m.split(".")[0] for m in sys.modules)))
"""


def test_help_of_the_cli_loads_no_heavy_library():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (SRC, os.environ.get("PYTHONPATH")) if p)}
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout.splitlines()[-1]))
    assert sorted(loaded & set(HEAVY)) == []
