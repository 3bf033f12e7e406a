"""`mldebt demo` (what `make demo` runs) loads the scenario, prints the URL and a fresh editor token, and
serves the dashboard like `mldebt serve`; running it again revokes the earlier demo token."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from mldebt.service.tokens import token_list
from mldebt.store.database import open_store
from tests.support.postgres import free_port

TOKEN_LINE = re.compile(r"^Sign in with token: (mldt_\S+)$", re.M)


def run_demo_until_served(workdir: Path, database_url: str) -> str:
    """Start `mldebt demo`, wait until it serves, check the printed URL and that the dashboard answers the
    printed token; stop it with Ctrl-C and return what it printed."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLDEBT_")}
    env |= {"MLDEBT_SETTINGS_FILE": str(workdir / "none.toml"), "COLUMNS": "200"}
    log = workdir / f"demo-{port}.log"
    exe = Path(sys.executable).with_name("mldebt")
    with log.open("wb") as out:
        process = subprocess.Popen([str(exe), "--db", database_url, "demo", "--port", str(port)], cwd=workdir,
                                   env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, f"mldebt demo exited {process.returncode}: {log.read_text()[-2000:]}"
            assert time.monotonic() < deadline, f"mldebt demo did not serve: {log.read_text()[-2000:]}"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        said = log.read_text()
        found = TOKEN_LINE.search(said)
        assert found is not None and f"Dashboard: http://127.0.0.1:{port}\n" in said, said[-2000:]
        token = found[1]
        page = httpx.get(f"http://127.0.0.1:{port}/", headers={"authorization": f"Bearer {token}"}, timeout=10)
        assert page.status_code == 200 and "<h1>Overview: " in page.text
        return said
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C, as a person stops it
        process.wait(timeout=20)


def test_mldebt_demo_prints_the_url_and_an_editor_token_and_serves_the_dashboard(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'mldebt.db'}"
    said = run_demo_until_served(tmp_path, database_url)
    assert "Debt backlog: " in said and said.index("Debt backlog: ") < said.index("Sign in with token: ")
    store = open_store(database_url)
    try:
        assert [(t["name"], t["role"], t["revoked"]) for t in token_list(store)] == [("demo", "editor", False)]
    finally:
        store.close()


def test_a_new_demo_token_revokes_the_earlier_demo_tokens_and_no_other(tmp_path: Path) -> None:
    from mldebt.cli.demo import demo_token
    from mldebt.service.tokens import create_api_token

    store = open_store(f"sqlite:///{tmp_path / 'mldebt.db'}")
    try:
        create_api_token(store, "viewer", "grafana")
        first, second = demo_token(store), demo_token(store)
        assert first != second
        assert [(t["name"], t["role"], t["revoked"]) for t in token_list(store)] == [
            ("grafana", "viewer", False), ("demo", "editor", True), ("demo", "editor", False)]
    finally:
        store.close()


def test_mldebt_demo_defaults_to_the_loopback_address_and_port_8000() -> None:
    from typer.main import get_command

    from mldebt.cli.app import app

    options = {p.name: p.default for p in get_command(app).commands["demo"].params}
    assert (options["host"], options["port"], options["no_serve"]) == ("127.0.0.1", 8000, False)
