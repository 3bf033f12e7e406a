"""Running the CLI in-process from tests: exact exit codes and captured output."""

from __future__ import annotations

from pathlib import Path

import pytest

from mldebt.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`mldebt ARGS...` through the console entry point: (exit status, stdout, stderr)."""
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def enter_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty folder with the default store, and wide tables for stable assertions."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLDEBT_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    return tmp_path
