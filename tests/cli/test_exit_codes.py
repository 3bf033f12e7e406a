"""Exit statuses CI can trust (docs/cli.md): 0 ok, 1 a gate tripped, 2 bad input or usage, 3 a bug, 130 Ctrl-C."""

import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.main import get_command

from mldebt.cli import app
from tests.support.cli import enter_tmp, run

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "storefront" / "mldebt.yaml"


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    return enter_tmp(tmp_path, monkeypatch)


def command_paths(command: object, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every group and command of the Typer app: the app itself is the one list of commands."""
    yield path
    for name, sub in getattr(command, "commands", {}).items():
        yield from command_paths(sub, (*path, name))


COMMANDS = list(command_paths(get_command(app)))


def test_the_app_has_every_command_group_and_leaf():
    assert len(COMMANDS) > 30 and ("catalog", "list") in COMMANDS and ("ingest", "file") in COMMANDS


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "mldebt")
def test_every_command_answers_help_with_0_and_bad_usage_with_2(capsys, path):
    code, out, _ = run(capsys, *path, "--help")
    assert code == 0 and "Usage:" in out
    code, out, err = run(capsys, *path, "--qqqq")
    assert (code, out) == (2, "")
    assert err.splitlines() == [f"error: No such option: --qqqq (see `{' '.join(('mldebt', *path))} --help`)"]


def test_an_unexpected_exception_is_one_line_and_exit_3(capsys, monkeypatch):
    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("list index out of range\nsecond line that must not show")

    monkeypatch.setattr("mldebt.service.catalog_status.list_catalog", broken)
    code, out, err = run(capsys, "catalog", "list")
    assert (code, out) == (3, "")
    assert err.splitlines() == [
        "internal error: ValueError: list index out of range (run with --debug for a traceback)"]
    code, _, err = run(capsys, "--debug", "catalog", "list")
    assert code == 3 and "Traceback (most recent call last)" in err and "second line that must not show" in err


def test_ctrl_c_exits_130(capsys, monkeypatch):
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("mldebt.service.catalog_status.list_catalog", interrupted)
    code, _, _ = run(capsys, "catalog", "list")
    assert code == 130


def test_a_tripped_gate_exits_1_and_a_clean_run_0(capsys, tmp_path):
    code_dir = tmp_path / "code"
    code_dir.mkdir()
    (code_dir / "train.py").write_text("import pickle\nmodel = pickle.load(open('m.pkl', 'rb'))\n")
    code, _, err = run(capsys, "scan", str(code_dir), "--no-store", "--no-hotspots", "--fail-on", "high")
    assert (code, err.splitlines()[-1]) == (1, "1 finding(s) at or above high: failing (--fail-on high)")
    (code_dir / "train.py").write_text("x = 1\n")  # only a medium finding is left (MLD701: no test imports train)
    assert run(capsys, "scan", str(code_dir), "--no-store", "--no-hotspots", "--fail-on", "high")[0] == 0


def fixed_token(monkeypatch: pytest.MonkeyPatch) -> str:
    """Make `token create` draw the same token every time, so the second insert violates the unique hash."""
    monkeypatch.setattr("secrets.token_urlsafe", lambda nbytes=None: "same-token-every-time")
    return hashlib.sha256(b"mldt_same-token-every-time").hexdigest()


def assert_no_internals(text: str, token_hash: str) -> None:
    for leaked in ("INSERT", "SELECT", "sqlalche.me", "[SQL:", "parameters", token_hash):
        assert leaked not in text


def test_a_database_bug_on_a_write_shows_no_sql_no_parameters_no_docs_link(capsys, monkeypatch):
    token_hash = fixed_token(monkeypatch)
    assert run(capsys, "token", "create", "--role", "viewer")[0] == 0
    code, out, err = run(capsys, "token", "create", "--role", "viewer")
    assert (code, out) == (3, "")
    assert err.splitlines() == ["internal error: IntegrityError: UNIQUE constraint failed: api_tokens.token_hash "
                                "(run with --debug for a traceback)"]
    assert_no_internals(err, token_hash)


def test_a_damaged_store_is_the_users_problem_exit_2_without_sql(capsys, monkeypatch):
    token_hash = fixed_token(monkeypatch)
    assert run(capsys, "db", "upgrade")[0] == 0
    with sqlite3.connect(".mldebt/mldebt.db") as connection:
        connection.execute("DROP TABLE api_tokens")
    code, out, err = run(capsys, "token", "create", "--role", "viewer")
    assert (code, out) == (2, "")
    assert err.splitlines() == ["error: the store refused: OperationalError: no such table: api_tokens (check that "
                                "the database and its folder are writable and migrated: `mldebt db upgrade`)"]
    assert_no_internals(err, token_hash)


def test_a_read_only_store_is_exit_2_without_sql(capsys, monkeypatch, tmp_path):
    token_hash = fixed_token(monkeypatch)
    assert run(capsys, "db", "upgrade")[0] == 0
    read_only = f"sqlite:///file:{tmp_path / '.mldebt' / 'mldebt.db'}?mode=ro&uri=true"
    code, out, err = run(capsys, "--db", read_only, "token", "create", "--role", "viewer")
    assert (code, out) == (2, "")
    [line] = err.splitlines()  # the store names the problem (store/database.py), one line
    assert line.startswith("error: cannot open the store at sqlite:///")
    assert line.endswith(": the database is read-only")
    assert_no_internals(err, token_hash)
