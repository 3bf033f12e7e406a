"""Inputs as Arrow tables, and the type of each column.

Files (CSV, Parquet) are read with pyarrow; in Python an Arrow table, a pandas or a polars
DataFrame is accepted (pandas and polars are optional and never imported here unless the object
comes from them). Types are declared by the component's schema in mldebt.yaml or inferred:
numbers are numeric, booleans boolean, timestamps and dates datetime, strings categorical unless
they read like sentences (text).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from mldebt.errors import UserInputError
from mldebt.input_files import require_regular_file

COLUMN_TYPES = ("numeric", "categorical", "boolean", "datetime", "text")
DECLARED_TYPES = {"numeric": "numeric", "integer": "numeric", "float": "numeric", "categorical": "categorical",
                  "boolean": "boolean", "datetime": "datetime", "text": "text"}
TEXT_MIN_WORDS = 4.0  # strings averaging at least this many words are free text, not categories


def read_table(path: Path | str) -> pa.Table:
    """A CSV or Parquet file as an Arrow table; a one-line UserInputError when it cannot be read."""
    path = Path(path)
    if not path.exists():
        raise UserInputError(f"no such file: {path}")
    require_regular_file(path)  # a directory, device or FIFO is named, not read forever
    suffix = path.suffix.lower()
    try:
        if suffix in (".parquet", ".pq"):
            return pq.read_table(path)
        if suffix in (".csv", ".tsv", ".txt", ".gz"):
            return _read_csv(path, pacsv.ParseOptions(delimiter="\t" if suffix == ".tsv" else ","))
    except (pa.ArrowInvalid, pa.ArrowTypeError, OSError) as exc:
        reason = " ".join(str(exc).split())[:300]
        raise UserInputError(f"cannot read {path}: {reason}") from None
    raise UserInputError(f"cannot read {path}: expected a .csv or .parquet file")


def _read_csv(path: Path, parse: pacsv.ParseOptions) -> pa.Table:
    """Read a CSV; a column whose later values do not fit the type inferred from the first block
    (numbers, then text) is read as strings instead of failing: a mixed-type data-quality finding."""
    as_text: dict[str, pa.DataType] = {}
    while True:
        try:
            return pacsv.read_csv(path, parse_options=parse, convert_options=pacsv.ConvertOptions(column_types=as_text))
        except pa.ArrowInvalid as exc:
            match = re.search(r"In CSV column #(\d+): CSV conversion error", str(exc))
            if match is None or len(as_text) >= 100:
                raise
            names = pacsv.open_csv(path, parse_options=parse).schema.names
            as_text[names[int(match.group(1))]] = pa.string()


def to_table(data: Any) -> pa.Table:
    """An Arrow table from a table, a pandas or polars DataFrame, or a file path."""
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, str | Path):
        return read_table(data)
    module = type(data).__module__.split(".")[0]
    if module == "polars":
        return data.to_arrow()
    if module == "pandas":
        return _from_pandas(data)
    raise UserInputError(f"cannot compare a {type(data).__name__}: expected a file, an Arrow table or a DataFrame")


def _from_pandas(frame: Any) -> pa.Table:
    """pandas to Arrow; object columns mixing types become strings instead of failing."""
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        mixed = {name: frame[name].map(lambda v: None if v is None or v != v else str(v))
                 for name in frame.columns if frame[name].dtype == object}
        return pa.Table.from_pandas(frame.assign(**mixed), preserve_index=False)


def infer_type(column: pa.ChunkedArray) -> str:
    """numeric, boolean, datetime, categorical or text, from the Arrow type (and string content)."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        kind = kind.value_type
    if pa.types.is_boolean(kind):
        return "boolean"
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return "numeric"
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        return "datetime"
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return "text" if _mean_words(column) >= TEXT_MIN_WORDS else "categorical"
    if pa.types.is_null(kind):
        return "categorical"
    return "categorical"


def _mean_words(column: pa.ChunkedArray, sample: int = 2000) -> float:
    values = column.slice(0, sample).drop_null()
    if len(values) == 0:
        return 0.0
    if pa.types.is_dictionary(values.type):
        values = values.cast(values.type.value_type)
    words = pc.list_value_length(pc.utf8_split_whitespace(values))
    return float(pc.mean(words).as_py() or 0.0)


def numeric_values(column: pa.ChunkedArray) -> np.ndarray:
    """float64 values with nulls as NaN (zero-copy when the column is float64 without nulls)."""
    if pa.types.is_timestamp(column.type) or pa.types.is_date(column.type):
        column = column.cast(pa.timestamp("us") if pa.types.is_date(column.type) else column.type)
        column = column.cast(pa.int64())
    if column.num_chunks == 1 and column.null_count == 0 and pa.types.is_float64(column.type):
        return column.chunk(0).to_numpy()
    return column.cast(pa.float64()).to_numpy()


def as_strings(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """The column as plain strings (categories compared by their text)."""
    if pa.types.is_dictionary(column.type):
        column = column.cast(column.type.value_type)
    if pa.types.is_string(column.type):
        return column
    return column.cast(pa.string())


def numeric_share_of_strings(column: pa.ChunkedArray, sample: int = 5000) -> float:
    """Share of non-null values in a string column that parse as numbers (mixed-type detection)."""
    values = as_strings(column.slice(0, sample)).drop_null()
    if len(values) == 0:
        return 0.0
    numeric = pc.match_substring_regex(values, r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")
    return float(pc.mean(numeric.cast(pa.int8())).as_py())
