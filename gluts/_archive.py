"""Model files without pickle: one JSON document and named ``.npy`` arrays in a zip archive.

The GLU forecaster's model files (:mod:`gluts.forecasting.glu.persistence`) and the
detectors' state files (:mod:`gluts.anomaly.persistence`) share this format and its safety:

- :func:`write_archive` builds every byte first, then writes them beside the target and
  renames them over it (:mod:`gluts._atomic`), so a failure leaves an existing file as it
  was; entries carry a fixed time, so the same content gives the same bytes;
- :func:`open_archive` opens only a regular file (a FIFO, a device such as ``/dev/zero`` or a
  directory is refused before anything is read), and any failure to parse it is one
  :class:`~gluts.exceptions.DataError` line naming the file;
- :func:`read_array` reads an array only after checking its declared size, its ``.npy``
  header, shape and dtype against what the caller expects, with ``allow_pickle`` off in
  spirit: a dtype holding Python objects is refused.
"""

from __future__ import annotations

import io
import json
import math
import os
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

from gluts._atomic import replacing
from gluts.exceptions import DataError

__all__ = [
    "first_line",
    "jsonable",
    "npy_bytes",
    "open_archive",
    "read_array",
    "read_json",
    "write_archive",
]

META = "meta.json"
NPY_HEADER = 64 << 10
MAX_RATIO = 50  # an entry over 16 MiB must not compress better than this: a zip bomb
_EPOCH = (1980, 1, 1, 0, 0, 0)  # fixed zip entry times: the same model gives the same bytes

T = TypeVar("T")


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (its type when it has none), shortened."""
    text = str(exc).strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:200]


def jsonable(value):
    """``value`` as plain JSON values: numpy scalars and arrays become numbers and lists."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return value.tolist()
    if isinstance(value, (tuple, list)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float)):
        return value
    raise DataError(f"Cannot save the value {value!r} in a model file.")


def npy_bytes(array: np.ndarray) -> bytes:
    """The ``.npy`` bytes of ``array`` (written without pickle)."""
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return buffer.getvalue()


def write_archive(path: str | Path, meta: dict, arrays: dict[str, np.ndarray]) -> None:
    """Write ``meta`` as ``meta.json`` and each array as ``<name>`` into the file ``path``.

    Parameters
    ----------
    path : str or pathlib.Path
        The file, replaced atomically.
    meta : dict
        Plain JSON values (NaN and inf are refused).
    arrays : dict of str to ndarray
        Entry name (ending in ``.npy``) to array.
    """
    buffer = io.BytesIO()  # every byte is built before the file is touched
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _write(archive, META, json.dumps(meta, indent=1, allow_nan=False).encode("utf-8"))
        for name, array in arrays.items():
            _write(archive, name, npy_bytes(array))
    with replacing(path) as tmp:
        with open(tmp, "wb") as file:
            file.write(buffer.getvalue())
            file.flush()
            os.fsync(file.fileno())


def _write(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_EPOCH)
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def open_archive(path: Path, read: Callable[[zipfile.ZipFile], T], what: str = "model") -> T:
    """Open the regular file ``path`` as a zip archive and return ``read(archive)``.

    Raises
    ------
    FileNotFoundError
        When there is no such file.
    DataError
        When it is not a regular file, or ``read`` fails on it in any way (one line naming
        the file; a ``DataError`` from ``read`` passes unchanged).
    """
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise FileNotFoundError(f"No {what} file {str(path)!r}.") from None
    refused = f"{path} is not a regular file; give the path of a gluts {what} file."
    if not stat.S_ISREG(st.st_mode):
        raise DataError(refused)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):  # replaced since the stat
            raise DataError(refused)
        try:
            with zipfile.ZipFile(file) as archive:
                return read(archive)
        except DataError:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure to parse means a bad file
            raise DataError(
                f"{path} is not a readable gluts {what} file: {first_line(exc)}"
            ) from None


def read_json(archive: zipfile.ZipFile, limit: int) -> dict:
    """The JSON object of the archive's ``meta.json``, refused beyond ``limit`` bytes."""
    info = archive.getinfo(META)
    if info.file_size > limit:
        raise ValueError(f"{META} declares {info.file_size} bytes, more than a model's")
    meta = json.loads(archive.read(META).decode("utf-8"))
    if not isinstance(meta, dict):
        raise ValueError(f"{META} is not a JSON object")
    return meta


def read_array(
    path: Path,
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    shape: tuple,
    dtype: np.dtype,
    what: str = "model",
) -> np.ndarray:
    """The array of entry ``info``, its size and header checked before its data is read.

    Raises
    ------
    DataError
        When the entry is larger than ``shape`` and ``dtype`` allow, is a zip bomb, holds
        another shape or dtype (or Python objects), is truncated, or holds NaN or inf.
    """
    name, damaged = info.filename, f"{path} is a damaged gluts {what} file"
    nbytes = math.prod(shape) * dtype.itemsize
    if info.file_size > nbytes + NPY_HEADER:
        raise DataError(f"{damaged}: {name} is too large.")
    if info.file_size > 16 << 20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise DataError(f"{damaged}: {name} is a zip bomb.")
    with archive.open(info) as stream:
        version = np.lib.format.read_magic(stream)
        read_header = {
            (1, 0): np.lib.format.read_array_header_1_0,
            (2, 0): np.lib.format.read_array_header_2_0,
        }.get(version)
        if read_header is None:
            raise ValueError(f"{name} is .npy version {version}")
        got_shape, fortran, got_dtype = read_header(stream, max_header_size=NPY_HEADER)
        if got_dtype.hasobject:
            raise ValueError(f"{name} holds Python objects, refused with allow_pickle=False")
        if tuple(got_shape) != shape or got_dtype != dtype or fortran:
            raise DataError(
                f"{damaged}: {name} holds {got_dtype} of shape {tuple(got_shape)}, not "
                f"{dtype} of shape {shape}."
            )
        data = stream.read(nbytes)
    if len(data) != nbytes:
        raise DataError(f"{damaged}: {name} is truncated.")
    array = np.frombuffer(data, dtype=dtype).reshape(shape).copy()
    if dtype.kind == "f" and not np.isfinite(array).all():
        raise DataError(f"{damaged}: {name} holds NaN or inf.")
    return array
