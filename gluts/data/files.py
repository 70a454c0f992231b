"""Read a CSV or Parquet file into a frame: any common delimiter, a BOM, UTF-16, quoting.

Numbers written with thousands separators (``"1,234.5"``) are read as numbers. Every problem
is a :class:`~gluts.exceptions.DataError` whose one-line message names the file.
:func:`column_names` formats column names for such messages.
"""

from __future__ import annotations

import bz2
import codecs
import csv
import gzip
import lzma
import re
import zipfile
from collections.abc import Hashable, Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import BinaryIO, Literal

import pandas as pd

from gluts.exceptions import DataError

__all__ = ["column_names", "read_table"]

_PARQUET_SUFFIXES = (".parquet", ".pq")
# Compressed CSV files, read through the standard library's decompressors (as pandas does).
_DECOMPRESSORS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
# Tables in formats gluts does not read, named in the error.
_OTHER_FORMATS = {".json": "JSON", ".xlsx": "Excel", ".xls": "Excel", ".ods": "OpenDocument"}
_DELIMITERS = ",;\t|"
_SNIFF_BYTES = 64 * 1024
_GROUPED = r"[-+]?\d{1,3}(?:,\d{3})+(?:\.\d*)?"
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_GROUPED_OR_PLAIN = rf"{_GROUPED}|[-+]?\d*\.?\d+"
_DECIMAL_COMMA = re.compile(r"[-+]?\d+,\d+")
_DECIMAL_POINT = re.compile(r"[-+]?[\d,]*\.\d+")
_NUMBER = re.compile(r"[-+]?\d*[.,]?\d+")
_NO_HEADER = re.compile(r"Unnamed: \d+")  # pandas' name for a CSV column without a header


def read_table(
    path: str | Path,
    *,
    dtype: Mapping[Hashable, object] | None = None,
    decimal: Literal[".", ","] | None = None,
) -> pd.DataFrame:
    """Read a CSV file (any common delimiter and encoding, compressed or not) or a Parquet file.

    Lines that start with ``#`` above a header (the notes some exporters write) are skipped.
    A CSV file's delimiter (comma, semicolon, tab or pipe) is detected from its first 64 KiB;
    its encoding is UTF-16 when it starts with a UTF-16 byte-order mark, else UTF-8 (with or
    without a BOM), falling back to Latin-1 for a file in Latin-1 alone (a file that mixes
    UTF-8 and other bytes is an error naming the first line that is not UTF-8). Text columns
    whose values are numbers written with thousands separators (``"1,234.5"``) are read as numbers.
    Columns that a CSV writer adds without a header are left out: an empty one (a delimiter at
    the end of every line) and a first one of distinct whole numbers (the row labels that
    ``DataFrame.to_csv`` writes unless it is given ``index=False``).
    In a file not separated by commas whose numbers are written with a decimal comma
    (``"101,4"``, as European spreadsheets export them) and never with a decimal point, the
    comma is read as the decimal mark.

    Parameters
    ----------
    path : str or pathlib.Path
        The file; ``.parquet`` / ``.pq`` files are read with pyarrow, anything else as CSV
        (``.gz``, ``.bz2``, ``.xz`` and one-file ``.zip`` decompressed).
    dtype : mapping of column name to dtype or None, default=None
        Types of the named columns (as for :func:`pandas.read_csv`); columns the file does
        not have are ignored. None lets pandas infer every type.
    decimal : {".", ","} or None, default=None
        The decimal mark of a CSV file's numbers; detected when None (see above).

    Returns
    -------
    pandas.DataFrame
        The rows; at least one row and one column.

    Raises
    ------
    DataError
        When the file cannot be read (binary data, a malformed CSV or Parquet file, a value
        that does not fit ``dtype``, Parquet without pyarrow installed), is empty, or has a
        header but no rows. The one-line message starts with the file's name.

    Examples
    --------
    >>> from pathlib import Path
    >>> from tempfile import TemporaryDirectory
    >>> from gluts.data import read_table
    >>> with TemporaryDirectory() as folder:
    ...     path = Path(folder) / "sales.csv"
    ...     _ = path.write_text("store;ds;y\\nA;2024-01-01;1,234.5\\n")
    ...     read_table(path)
      store          ds       y
    0     A  2024-01-01  1234.5
    """
    path = Path(path)
    if path.suffix.lower() in _OTHER_FORMATS:
        kind = _OTHER_FORMATS[path.suffix.lower()]
        raise DataError(
            f"{path.name}: gluts reads CSV and Parquet files, not {kind}; export it as CSV."
        )
    if path.suffix.lower() in _PARQUET_SUFFIXES:
        frame = _read_parquet(path, dtype)
    else:
        frame = _without_headerless_columns(_read_csv(path, dtype, decimal))
    if frame.shape[1] == 0:
        raise DataError(f"{path.name}: the file is empty.")
    if len(frame) == 0:
        raise DataError(f"{path.name}: the file has a header ({column_names(frame)}) but no rows.")
    return frame


def _read_csv(
    path: Path, dtype: Mapping[Hashable, object] | None, decimal: str | None
) -> pd.DataFrame:
    """Parse a CSV straight from disk (a decoded copy of a large file would triple memory)."""
    with _open_decompressed(path) as f:
        head = f.read(_SNIFF_BYTES)
    encoding = _encoding(path, head)
    sample = head.decode(encoding, errors="ignore")
    lines = sample.splitlines(keepends=True)
    notes = _notes_above_header(lines)
    sample = "".join(lines[notes:])
    if not sample.strip() and len(head) < _SNIFF_BYTES:
        raise DataError(f"{path.name}: the file is empty.")
    sep = _sniff_delimiter(sample)
    _check_header_names(path, sample, sep)
    options = dict(
        sep=sep,
        skipinitialspace=True,
        dtype=dtype,
        decimal=decimal or _sniff_decimal(sample, sep),
        skiprows=notes,
    )
    try:
        try:
            frame = pd.read_csv(path, encoding=encoding, **options)
        except UnicodeDecodeError:
            _check_single_encoding(path)
            frame = pd.read_csv(path, encoding="latin-1", **options)
    except DataError:
        raise
    except (pd.errors.ParserError, ValueError) as exc:
        detail = str(exc).strip().splitlines()[-1]
        raise DataError(f"{path.name}: not a readable CSV file ({detail}).") from exc
    return _drop_thousands_separators(frame)


def _check_header_names(path: Path, sample: str, sep: str) -> None:
    """Refuse a header that repeats a column name (pandas would rename the second ``a.1``)."""
    import csv

    header = next(csv.reader(sample.splitlines()[:1], delimiter=sep, skipinitialspace=True), [])
    names = [name for name in header if name]
    repeated = next((name for i, name in enumerate(names) if name in names[:i]), None)
    if repeated is not None:
        raise DataError(
            f"{path.name}: the header names column {repeated!r} twice; give each column "
            "its own name."
        )


def _notes_above_header(lines: list[str]) -> int:
    """How many ``#`` lines (an exporter's notes) open the file above a header.

    None are skipped when a line with a number follows them: then the last of them is the
    header itself, commented out (``#ds,y``), and pandas reads it as one.
    """
    notes = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    if notes == len(lines):
        return 0
    fields = (f.strip().strip('"') for f in re.split(f"[{_DELIMITERS}]", lines[notes]))
    return 0 if any(_NUMBER.fullmatch(f) for f in fields) else notes


def _check_single_encoding(path: Path) -> None:
    """Refuse a file that is not UTF-8 yet holds UTF-8 characters: two encodings mixed.

    Decoding it as Latin-1 would read ``Zürich`` written in UTF-8 as ``ZÃ¼rich``, a different
    series from the ``Zürich`` written in Latin-1; a file in Latin-1 alone has (in practice)
    no byte pairs that form a UTF-8 character.
    """
    with _open_decompressed(path) as f:
        data = f.read()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if _UTF8_MULTIBYTE.search(data) is None:
            return
        line = data.count(b"\n", 0, exc.start) + 1
        raise DataError(
            f"{path.name}: line {line} is not UTF-8 (byte 0x{data[exc.start]:02x}) while other "
            "lines are: the file mixes encodings. Save it again as UTF-8."
        ) from None


@contextmanager
def _open_decompressed(path: Path) -> Iterator[BinaryIO]:
    """The bytes of a CSV file, decompressed when it is a ``.gz``, ``.bz2``, ``.xz`` or ``.zip``."""
    suffix = path.suffix.lower()
    if suffix != ".zip" and suffix not in _DECOMPRESSORS:
        with open(path, "rb") as stream:
            yield stream
        return
    with ExitStack() as stack:
        try:
            if suffix == ".zip":
                archive = stack.enter_context(zipfile.ZipFile(path))
                names = [n for n in archive.namelist() if not n.endswith("/")]
                if len(names) != 1:
                    raise DataError(
                        f"{path.name}: a zip file must hold one CSV file; it holds {len(names)}."
                    )
                stream = stack.enter_context(archive.open(names[0]))
            else:
                stream = stack.enter_context(_DECOMPRESSORS[suffix](path, "rb"))
                stream.peek(1)  # a file that is not what its name says fails here
        except (OSError, EOFError, lzma.LZMAError, zipfile.BadZipFile) as exc:
            raise DataError(f"{path.name}: not a readable {suffix[1:]} file ({exc}).") from None
        yield stream


def _encoding(path: Path, head: bytes) -> str:
    """UTF-16 when the file starts with its BOM, else UTF-8 (Latin-1 is tried on failure)."""
    if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16"
    if b"\x00" in head:
        raise DataError(
            f"{path.name}: not a CSV file (it holds binary data); export the table as CSV."
        )
    return "utf-8-sig"


def _drop_thousands_separators(frame: pd.DataFrame) -> pd.DataFrame:
    """Read text columns of numbers written with thousands separators (``1,234.5``) as numbers."""
    for col in frame.columns:
        values = frame[col]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values)):
            continue
        head = values.iloc[:100].dropna().astype(str).str.strip()
        if not head.str.fullmatch(_GROUPED).any():
            continue
        if values.dropna().astype(str).str.strip().str.fullmatch(_GROUPED_OR_PLAIN).all():
            frame[col] = pd.to_numeric(values.str.replace(",", "", regex=False))
    return frame


def _sniff_delimiter(text: str) -> str:
    sample = text[:_SNIFF_BYTES]
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        header = sample.splitlines()[0]
        counts = {d: header.count(d) for d in _DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def _sniff_decimal(text: str, sep: str) -> str:
    """``","`` when a file not separated by commas writes numbers with a decimal comma only."""
    if sep == ",":
        return "."
    fields = [f.strip().strip('"') for line in text.splitlines()[1:] for f in line.split(sep)]
    comma = any(_DECIMAL_COMMA.fullmatch(f) for f in fields)
    point = any(_DECIMAL_POINT.fullmatch(f) for f in fields)
    return "," if comma and not point else "."


def _without_headerless_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` without its header-less empty columns and header-less first row labels."""

    def layout(position: int, name: Hashable) -> bool:
        if not (isinstance(name, str) and _NO_HEADER.fullmatch(name)):
            return False
        values = frame.iloc[:, position]
        if values.isna().all():
            return True
        return position == 0 and pd.api.types.is_integer_dtype(values) and values.is_unique

    return frame.drop(columns=[c for i, c in enumerate(frame.columns) if layout(i, c)])


def _read_parquet(path: Path, dtype: Mapping[Hashable, object] | None) -> pd.DataFrame:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise DataError(
            f"{path.name}: reading Parquet files needs pyarrow; "
            "install it with: pip install pyarrow"
        ) from None
    try:
        frame = pd.read_parquet(path)
        if dtype:
            frame = frame.astype({c: t for c, t in dtype.items() if c in frame.columns})
    except (OSError, ValueError, TypeError) as exc:
        raise DataError(f"{path.name}: not a readable Parquet file ({exc}).") from exc
    return frame


def column_names(columns: pd.DataFrame | Iterable[Hashable]) -> str:
    """Quote the first eight column names of a frame (or names in a list), for messages.

    Parameters
    ----------
    columns : pandas.DataFrame or iterable of hashable
        A frame, whose column names are used, or the names themselves.

    Returns
    -------
    str
        E.g. ``"'ds', 'y'"``; with more than eight names, the first eight and
        ``"and <n> more"``.
    """
    columns = list(columns.columns if isinstance(columns, pd.DataFrame) else columns)
    shown = ", ".join(repr(c) for c in columns[:8])
    return shown + (f" and {len(columns) - 8} more" if len(columns) > 8 else "")
