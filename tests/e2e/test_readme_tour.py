"""The README's tour, pasted in order into a fresh clone after `make demo`: every command must work.

The commands are read from the README itself (the first ``sh`` block under "A 5-minute tour"), so
the tour cannot drift from what mldebt does. They run in a `git clone` of this checkout (what is
committed, as a new user gets it), with the suite's virtualenv first on PATH in place of
`. .venv/bin/activate`. Three substitutions, each for this machine only:
- `make demo` runs what the Makefile's demo target runs (`mldebt demo`; the venv already exists): it
  loads the scenario, then serves the dashboard, so it gets a free port and is stopped once `/healthz`
  answers (the scenario is loaded before the server starts);
- `pip install -e '.[EXTRA]'` is checked, not run (it would reinstall the suite's own venv): the
  extra must be declared in pyproject.toml and each package it names importable here;
- the PostgreSQL URL points at the suite's throwaway cluster, and `mldebt serve` gets a free port
  and is stopped once `/healthz` answers.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import httpx
import pytest
from packaging.requirements import Requirement

from tests.support.postgres import free_port

ROOT = Path(__file__).resolve().parents[2]
PG_URL = re.compile(r"postgresql\+psycopg://\S+")
PIP_EXTRA = re.compile(r"^pip install -e '\.\[(?P<extra>[a-z]+)\]'$")
IMPORT_NAMES = {"psycopg[binary]": "psycopg", "psycopg": "psycopg"}


def tour_commands(readme: str) -> list[str]:
    """Each command of the tour block, with comments and line continuations resolved."""
    section = readme.split("## A 5-minute tour", 1)[1]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    commands = []
    for line in re.sub(r"\\\n\s*", " ", block).splitlines():
        command = line.split(" #", 1)[0].strip()
        if command and not command.startswith("#"):
            commands.append(command)
    return commands


def test_the_tour_is_read_whole_from_the_readme() -> None:
    commands = tour_commands((ROOT / "README.md").read_text())
    assert commands[:2] == ["make demo", ". .venv/bin/activate"]
    assert commands[-1] == "MLDEBT_ALERTMANAGER_SECRET=s3cret mldebt serve"
    assert "mldebt retrain approve recs-model" in commands
    assert "mldebt monitor run --due --catalog examples/storefront/mldebt.yaml" in commands
    assert len(commands) == 35


def test_make_demo_is_mldebt_demo() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^demo: .*\n\t\$\(BIN\)/mldebt demo\n", makefile, re.M)


def _check_extra(extra: str) -> None:
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert extra in declared, f"the README installs the extra {extra!r}, which pyproject.toml does not declare"
    for requirement in declared[extra]:
        name = Requirement(requirement).name
        module = IMPORT_NAMES.get(name, name.replace("-", "_"))
        assert importlib.util.find_spec(module) is not None, f"{requirement} of [{extra}] is not installed"


def _serve_until_healthy(command: str, cwd: Path, env: dict[str, str]) -> None:
    port = free_port()
    log = cwd / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(["bash", "-c", f"{command} --port {port}"], cwd=cwd, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 120  # `mldebt demo` loads the whole scenario first
        while time.monotonic() < deadline:
            assert process.poll() is None, f"`{command}` exited {process.returncode}: {log.read_text()[-2000:]}"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        pytest.fail(f"`{command}` did not become healthy: {log.read_text()[-2000:]}")
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # bash and the server it started
        process.wait(timeout=20)


@pytest.mark.postgres
def test_every_tour_command_works_in_order_on_a_fresh_clone(tmp_path: Path, pg_cluster) -> None:
    clone = tmp_path / "mldebt"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(clone)], check=True)
    bindir = Path(sys.executable).parent
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLDEBT_")}
    env |= {"PATH": f"{bindir}{os.pathsep}{env.get('PATH', '')}", "COLUMNS": "200", "VIRTUAL_ENV": str(bindir.parent)}
    database = pg_cluster.fresh_database()
    for command in tour_commands((clone / "README.md").read_text()):
        if command == ". .venv/bin/activate":
            continue
        if (extra := PIP_EXTRA.match(command)) is not None:
            _check_extra(extra["extra"])
            continue
        command = "mldebt demo" if command == "make demo" else PG_URL.sub(lambda _: database, command)
        if shlex.split(command)[-1] in ("serve", "demo"):
            _serve_until_healthy(command, clone, env)
            continue
        done = subprocess.run(["bash", "-c", command], cwd=clone, env=env, capture_output=True, text=True,
                              timeout=600)
        said = f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        assert done.returncode == 0, f"`{command}` exited {done.returncode}:\n{said}"
    assert (clone / "mldebt.sarif").is_file() and (clone / "drift.html").is_file()
    sink = (clone / ".mldebt" / "sink.log").read_text()
    assert "firing MldebtDriftDetected recs-model/clickstream-drift:" in sink, sink
