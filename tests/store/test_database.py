"""Which engine the web server's writer gets: asyncpg on PostgreSQL (same URL), none on SQLite."""

import asyncio
import os
import stat

import pytest

from mldebt.store.database import Store, open_store
from tests.support.cli import enter_tmp, run


def test_postgresql_writer_engine_is_asyncpg_on_the_same_database(tmp_path):
    store = Store("postgresql+psycopg://ops:pw@db.example:6543/mldebt?sslmode=require&application_name=x")
    engine = store.async_engine()
    assert engine is not None
    url = engine.url
    assert (url.drivername, url.username, url.password, url.host, url.port, url.database) == (
        "postgresql+asyncpg", "ops", "pw", "db.example", 6543, "mldebt")
    assert dict(url.query) == {"ssl": "require", "application_name": "x"}
    asyncio.run(engine.dispose())
    store.close()
    assert Store(f"sqlite:///{tmp_path / 'x.db'}").async_engine() is None


def _cli(capsys, url: str) -> tuple[int, str, str]:
    return run(capsys, "--db", url, "catalog", "list")


def _as_unprivileged_user(monkeypatch: pytest.MonkeyPatch) -> None:
    """`os.access` as a user without root's override, whoever runs the tests (root may write anything)."""
    def access(path: str | os.PathLike[str], mode: int) -> bool:
        bits = os.stat(path).st_mode
        wanted = {os.R_OK: stat.S_IRUSR, os.W_OK: stat.S_IWUSR, os.X_OK: stat.S_IXUSR}
        return all(bits & flag for m, flag in wanted.items() if mode & m)
    monkeypatch.setattr("mldebt.store.database.os.access", access)


def test_a_file_that_is_not_sqlite_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    enter_tmp(tmp_path, monkeypatch)
    (tmp_path / "README.md").write_text("# not a database\n")
    assert _cli(capsys, "sqlite:///README.md") == (
        2, "", "error: cannot open the store at sqlite:///README.md: README.md is not an SQLite database\n")
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)  # the header, then garbage
    code, out, err = _cli(capsys, f"sqlite:///{corrupt}")
    assert (code, out, err) == (2, "", f"error: cannot open the store at sqlite:///{corrupt}: not an SQLite database\n")


def test_a_directory_or_a_file_in_place_of_the_folder_is_named(tmp_path, monkeypatch, capsys):
    enter_tmp(tmp_path, monkeypatch)
    (tmp_path / "store").mkdir()
    assert _cli(capsys, "sqlite:///store") == (
        2, "", "error: cannot open the store at sqlite:///store: store is a directory\n")
    (tmp_path / "plain").write_text("x")
    assert _cli(capsys, "sqlite:///plain/sub/x.db") == (
        2, "", "error: cannot open the store at sqlite:///plain/sub/x.db: plain is not a folder\n")


def test_a_read_only_database_or_folder_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    enter_tmp(tmp_path, monkeypatch)
    db = tmp_path / "ro" / "mldebt.db"
    open_store(f"sqlite:///{db}").close()
    _as_unprivileged_user(monkeypatch)
    db.chmod(0o444)
    assert _cli(capsys, f"sqlite:///{db}") == (
        2, "", f"error: cannot open the store at sqlite:///{db}: {db} is read-only\n")
    db.chmod(0o644)
    db.parent.chmod(0o555)
    try:
        assert _cli(capsys, f"sqlite:///{db}") == (
            2, "", f"error: cannot open the store at sqlite:///{db}: the folder {db.parent} is read-only\n")
    finally:
        db.parent.chmod(0o755)


def test_a_write_to_a_store_opened_read_only_is_a_store_error(tmp_path, monkeypatch, capsys):
    """SQLite's own refusal (here through `mode=ro`) is translated too, not reported as a bug."""
    enter_tmp(tmp_path, monkeypatch)
    db = tmp_path / "mldebt.db"
    open_store(f"sqlite:///{db}").close()
    (tmp_path / "mldebt.yaml").write_text("version: 1\ncomponents:\n  - {name: a, kind: service}\n")
    url = f"sqlite:///file:{db}?mode=ro&uri=true"
    assert run(capsys, "--db", url, "catalog", "import") == (
        2, "", f"error: cannot open the store at sqlite:///file%3A{db}?mode=ro&uri=true: the database is read-only\n")
