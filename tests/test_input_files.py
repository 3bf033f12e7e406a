"""Inputs a user names: a directory, a device, a FIFO or a huge file is one line and exit 2, never a hang."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mldebt.errors import NotFoundError, UserInputError
from mldebt.input_files import read_input_bytes, read_input_text, require_regular_file
from mldebt.service.linker import load_linker
from mldebt.settings import CATALOG_FILE
from tests.support.cli import enter_tmp, run


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    return path


def test_regular_file_is_read_whole(tmp_path):
    target = tmp_path / "a.txt"
    target.write_text("héllo")
    assert read_input_text(target) == "héllo"
    assert require_regular_file(target) == 6


def test_directory_device_fifo_and_missing_file_are_named(tmp_path, fifo):
    with pytest.raises(UserInputError) as directory:
        read_input_bytes(tmp_path)
    assert str(directory.value) == f"{tmp_path}: is a directory"
    with pytest.raises(UserInputError) as device:
        read_input_bytes("/dev/zero")
    assert str(device.value) == "/dev/zero: is not a regular file (a character device)"
    with pytest.raises(UserInputError) as pipe:
        read_input_bytes(fifo)  # returns at once: opened without blocking, then refused
    assert str(pipe.value) == f"{fifo}: is not a regular file (a FIFO)"
    with pytest.raises(UserInputError) as pipe_stat:
        require_regular_file(fifo)
    assert str(pipe_stat.value) == f"{fifo}: is not a regular file (a FIFO)"
    with pytest.raises(NotFoundError) as missing:
        read_input_bytes(tmp_path / "none")
    assert str(missing.value) == f"{tmp_path / 'none'}: no such file"


def test_file_over_the_limit_is_refused_after_reading_at_most_limit_plus_one(tmp_path):
    target = tmp_path / "big.yaml"
    target.write_bytes(b"x" * 101)
    with pytest.raises(UserInputError) as exc:
        read_input_bytes(target, limit=100)
    assert str(exc.value) == f"{target}: larger than 100 bytes"
    with pytest.raises(UserInputError) as stat_exc:
        require_regular_file(target, limit=100)
    assert str(stat_exc.value) == f"{target}: larger than 100 bytes (101 bytes)"
    assert read_input_bytes(target, limit=101) == b"x" * 101


def test_catalog_commands_name_a_directory_a_device_and_a_fifo(tmp_path, monkeypatch, capsys, fifo):
    enter_tmp(tmp_path, monkeypatch)
    (tmp_path / "mldebt.yaml").mkdir()
    assert run(capsys, "catalog", "validate") == (2, "", "error: mldebt.yaml: is a directory\n")
    assert run(capsys, "catalog", "import", "/dev/zero") == (
        2, "", "error: /dev/zero: is not a regular file (a character device)\n")
    assert run(capsys, "catalog", "validate", str(fifo)) == (2, "", f"error: {fifo}: is not a regular file (a FIFO)\n")


def test_every_reader_of_a_named_file_refuses_a_device_or_a_fifo(tmp_path, monkeypatch, capsys, fifo):
    enter_tmp(tmp_path, monkeypatch)
    device = "error: /dev/zero: is not a regular file (a character device)\n"
    assert run(capsys, "ingest", "junit", "/dev/zero") == (2, "", device)
    assert run(capsys, "ingest", "coverage", "/dev/zero") == (2, "", device)
    code, _, err = run(capsys, "ingest", "/dev/zero", "--source", "sentry")
    assert (code, err.strip()) == (2, device.strip())
    assert run(capsys, "drift", "/dev/zero", "/dev/zero")[::2] == (2, device)
    (tmp_path / "src").mkdir()
    assert run(capsys, "scan", "src", "--baseline", str(fifo))[::2] == (
        2, f"error: {fifo}: is not a regular file (a FIFO)\n")
    assert run(capsys, "scan", "src", "--config", str(tmp_path))[::2] == (2, f"error: {tmp_path}: is a directory\n")


def test_rule_and_settings_files_named_by_settings_are_bounded_too(tmp_path, monkeypatch, fifo):
    monkeypatch.setenv("MLDEBT_CATEGORY_RULES", "/dev/zero")
    with pytest.raises(UserInputError) as rules:
        load_linker(tmp_path / "none.yaml")
    assert str(rules.value) == "MLDEBT_CATEGORY_RULES=/dev/zero: is not a regular file (a character device)"
    monkeypatch.delenv("MLDEBT_CATEGORY_RULES")
    monkeypatch.delenv("MLDEBT_CATALOG", raising=False)
    monkeypatch.setenv("MLDEBT_SETTINGS_FILE", str(fifo))  # would block in open() for a writer
    assert CATALOG_FILE.value() == "mldebt.yaml"
