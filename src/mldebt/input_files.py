"""Reading a file the user named: only regular files, and never more than a bound.

`Path.read_text()` on `/dev/zero` grows until the kernel kills the process, on a FIFO it blocks
until a writer comes, and `Path.is_file()` turns a directory into "no such file". Every input a
user names (the inventory, ingest and backfill files, JUnit and Cobertura reports, drift tables,
baselines, rule files) goes through this module, so each such case is one line naming the file
and the problem. It sits beside `errors.py`, below every layer, so detectors and services share it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from mldebt.errors import NotFoundError, UserInputError

MIB = 1024 * 1024
MAX_INPUT_BYTES = 5 * MIB  # inventory, baselines, rule files: text a person writes
MAX_REPORT_BYTES = 100 * MIB  # JUnit / Cobertura reports, ingest and backfill exports
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # POSIX: opening a FIFO must not wait for a writer

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "a special file")


def _refuse(path: Path, mode: int) -> UserInputError:
    if stat.S_ISDIR(mode):
        return UserInputError(f"{path}: is a directory")
    return UserInputError(f"{path}: is not a regular file ({_kind(mode)})")


def _size_text(limit: int) -> str:
    return f"{limit // MIB} MiB" if limit % MIB == 0 else f"{limit} bytes"


def require_regular_file(path: Path | str, limit: int | None = None) -> int:
    """The size of `path`, or one-line errors: missing, a directory, a device, FIFO or socket, too large.

    For files handed to a library that opens them itself (pyarrow); `limit=None` means no size bound.
    """
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise NotFoundError(f"{path}: no such file") from None
    except OSError as exc:
        raise UserInputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(path, info.st_mode)
    if limit is not None and info.st_size > limit:
        raise UserInputError(f"{path}: larger than {_size_text(limit)} ({info.st_size} bytes)")
    return info.st_size


def read_input_bytes(path: Path | str, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes.

    The file is opened without blocking (a FIFO would wait for a writer) and checked on the open
    descriptor, so what is read is what was checked; at most `limit + 1` bytes are ever read, so
    a file that grows while being read is refused too.
    """
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise NotFoundError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserInputError(f"{path}: is a directory") from None
    except OSError as exc:
        raise UserInputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise _refuse(path, mode)
    if _NONBLOCK:
        os.set_blocking(fd, True)
    with os.fdopen(fd, "rb", buffering=0) as handle:
        chunks: list[bytes] = []
        remaining = limit + 1
        while remaining > 0:
            chunk = handle.read(min(remaining, MIB))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    data = b"".join(chunks)
    if len(data) > limit:
        raise UserInputError(f"{path}: larger than {_size_text(limit)}")
    return data


def read_input_text(path: Path | str, limit: int = MAX_INPUT_BYTES) -> str:
    """The UTF-8 text of a regular file of at most `limit` bytes (see `read_input_bytes`)."""
    data = read_input_bytes(path, limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserInputError(f"{path}: not UTF-8 text (byte {exc.start})") from None
