"""The dashboard under a real browser: Debian's chromium driven by Playwright, and a served demo store.

Playwright's own browser download cannot work on this closed network and is never attempted: the
browser is `/usr/bin/chromium` (installed by scripts/ensure-services), launched headless with the
switches that stop its background connections. A missing chromium skips locally and fails under
CI=true (`tests.conftest.missing_service`).
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import missing_service
from tests.support.server import ServerProcess

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run")
LAPTOP = {"width": 1280, "height": 800}
TABLET = {"width": 768, "height": 1024}
SCREENSHOTS_ENV = "MLDEBT_SCREENSHOTS"


def chromium_path() -> Path:
    """The browser binary, or a skip (a failure under CI=true) naming how to install it."""
    if not CHROMIUM.is_file() or not os.access(CHROMIUM, os.X_OK):
        missing_service(f"{CHROMIUM} not installed; run scripts/ensure-services as root")
    return CHROMIUM


def screenshot_dir(default: Path) -> Path:
    """Where screenshots go: $MLDEBT_SCREENSHOTS when set (kept after the run), else `default` (tmp)."""
    folder = Path(os.environ[SCREENSHOTS_ENV]) if os.environ.get(SCREENSHOTS_ENV) else default
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def load_demo_store(database_url: str, workdir: Path) -> None:
    """`mldebt demo --no-serve` into `database_url`, run in `workdir` (it writes `.mldebt/` there)."""
    exe = Path(sys.executable).with_name("mldebt")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MLDEBT_")}
    env["MLDEBT_SETTINGS_FILE"] = str(workdir / "none.toml")
    done = subprocess.run([str(exe), "--db", database_url, "demo", "--no-serve"], cwd=workdir, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"mldebt demo --no-serve failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"


@dataclass
class Dashboard:
    """A served demo store and what the tests need to know about it."""

    server: ServerProcess
    tokens: dict[str, str]  # role -> token
    component: str
    top_item: int
    drift_run: int
    screenshots: Path

    @property
    def url(self) -> str:
        return self.server.url
