"""Profiling files in batches: memory stays bounded by the batch size, not the file size.

Parquet is read through `ParquetFile.iter_batches` (row group by row group), CSV through pyarrow's
streaming CSV reader; each batch is profiled and merged into the running profile. The streaming CSV
reader infers column types from its first block, so a column that changes type later is an error
(the message names the file); an empty field is missing, in text columns too; a column with no
values in the first block adopts the type that follows (see `profiles.merge_columns`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa

from mldebt.drift.profiles import Profile, from_json, merge, profile_table, to_json
from mldebt.errors import UserInputError

DEFAULT_BATCH_ROWS = 65_536
Progress = Callable[[int, int | None], None]  # (rows done, total rows or None when unknown)


def profile_file(path: Path, batch_rows: int = DEFAULT_BATCH_ROWS, progress: Progress | None = None) -> Profile:
    """The profile of a Parquet or CSV file, read `batch_rows` rows at a time."""
    if batch_rows < 1:
        raise UserInputError(f"batch rows must be at least 1, got {batch_rows}")
    if not path.is_file():
        raise UserInputError(f"{path}: no such file")
    batches, total = _open(path, batch_rows)
    profile: Profile | None = None
    done = 0
    try:
        for batch in batches:
            part = profile_table(pa.Table.from_batches([batch]))
            profile = part if profile is None else merge(profile, part)
            done += batch.num_rows
            if progress is not None:
                progress(done, total)
    except pa.ArrowInvalid as exc:
        raise UserInputError(f"{path}: cannot read row {done + 1} on: {' '.join(str(exc).split())}") from None
    if profile is None:
        raise UserInputError(f"{path}: no rows to profile")
    return profile


def read_profile(path: Path) -> Profile:
    """A profile written by `write_profile` (`mldebt profile --output`); errors name the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserInputError(f"{path}: cannot read the profile: {exc}") from None
    return from_json(text, source=str(path))


def write_profile(profile: Profile, path: Path) -> None:
    path.write_text(to_json(profile) + "\n", encoding="utf-8")


def _open(path: Path, batch_rows: int) -> tuple[Iterator[pa.RecordBatch], int | None]:
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            import pyarrow.parquet as pq

            parquet = pq.ParquetFile(path)
            return parquet.iter_batches(batch_size=batch_rows), parquet.metadata.num_rows
        if suffix in (".csv", ".tsv", ".txt", ".gz"):  # the suffixes drift.tables.read_table reads
            import pyarrow.csv as pacsv

            # a block of about batch_rows short rows; the reader yields one batch per block
            block = max(1 << 16, min(batch_rows * 64, 1 << 26))
            parse = pacsv.ParseOptions(delimiter="\t" if suffix == ".tsv" else ",")
            reader = pacsv.open_csv(path, read_options=pacsv.ReadOptions(block_size=block), parse_options=parse,
                                    convert_options=pacsv.ConvertOptions(strings_can_be_null=True))
            return iter(reader), None
    except (pa.ArrowInvalid, OSError) as exc:
        raise UserInputError(f"{path}: cannot read: {' '.join(str(exc).split())}") from None
    raise UserInputError(f"{path}: unknown file type {suffix or '(none)'}: expected .parquet, .csv or .tsv")
