"""Read and write the canonical recording CSV (DESIGN.md section 3).

The file is a few ``#`` lines (format version, then ``# key: value`` metadata), one header row
and numeric rows::

    # sensorlab recording 1
    # placement: foot
    time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2,gyr_x_dps,gyr_y_dps,gyr_z_dps
    0.000000,1.21,-0.35,9.79,3.1,-0.4,1.2

Reading is fast on the happy path (the ``#`` lines are read in Python, the rows by the pandas C
parser); only when the parser fails or yields a missing or non-finite value does a slower scan
locate the first bad cell, so that every error names its line and column. Writing goes through a
vectorised number formatter and a temporary file that is moved into place, so that a crash never
leaves half a file under the final name. :class:`RecordingWriter` appends rows as they arrive
(the live collector); a file it leaves behind when the process is killed stays readable up to the
last complete line.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import math
import os
import re
import secrets
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Final

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from sensorlab import units
from sensorlab.errors import RecordingError, UsageError
from sensorlab.recording import FloatArray, Recording

__all__ = [
    "FORMAT_VERSION",
    "RecordingWriter",
    "read_metadata",
    "read_recording",
    "write_recording",
]

FORMAT_VERSION: Final = 1
"""The version written in the ``# sensorlab recording N`` line; readers accept only this one."""

_VERSION_LINE: Final = f"# sensorlab recording {FORMAT_VERSION}"
_VERSION_RE: Final = re.compile(r"sensorlab\s+recording\s+(\S+)", re.IGNORECASE)
_AXIS_COLUMN_RE: Final = re.compile(r"(acc|gyr)_([xyz])_(.*)")
_NUMBER_RE: Final = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_NON_FINITE: Final = frozenset({"nan", "inf", "infinity"})

_SNIFF_BYTES: Final = 65536
_MAX_PREAMBLE_LINE_BYTES: Final = 1 << 20
_BINARY_MESSAGE: Final = "expected a UTF-8 text CSV, found binary data"

_TIME_DECIMALS: Final = 6
"""Decimals written for ``time_s`` (always all six: microsecond resolution)."""
_VALUE_DECIMALS: Final = 6
"""Decimals written for every other column, trailing zeros dropped (absolute precision 5e-7)."""
_FAST_FORMAT_LIMIT: Final = 9e18
"""Blocks of rows holding a larger magnitude (beyond 64-bit integers) are formatted by Python."""
_CHUNK_ROWS: Final = 65536
_LOCATE_CHUNK_ROWS: Final = 100_000

PathLike = str | os.PathLike[str]


# --------------------------------------------------------------------------------------------
# reading
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """What the ``#`` lines and the header row of a file say."""

    metadata: dict[str, str]
    columns: tuple[str, ...]
    header_line: int
    """1-based line number of the header row (= number of lines before the data rows)."""
    data_offset: int
    """Byte offset of the first data line."""
    time_index: int
    acc_indices: tuple[int, int, int]
    acc_factor: float
    gyr_indices: tuple[int, int, int] | None
    gyr_factor: float
    extra_indices: tuple[int, ...]

    @property
    def core_indices(self) -> tuple[int, ...]:
        """0-based indices of the columns that must hold finite numbers."""
        gyr = self.gyr_indices or ()
        return (self.time_index, *self.acc_indices, *gyr)


def read_recording(
    path: PathLike,
    *,
    max_gap_s: float = units.MAX_GAP_S,
    allow_gaps: bool = False,
) -> Recording:
    """Read and validate a recording CSV.

    Parameters
    ----------
    path : str or path-like
        The CSV file.
    max_gap_s : float, optional
        Longest accepted time step between consecutive samples, in s.
    allow_gaps : bool, optional
        Accept steps longer than ``max_gap_s`` (they are reported in
        :attr:`Recording.warnings`); the analysis then treats the parts separately.

    Returns
    -------
    Recording
        Time in s, acceleration in m/s², angular rate in deg/s (or None without gyro columns),
        the ``# key: value`` metadata, extra numeric columns, and warnings (e.g. an incomplete
        last line that was dropped).

    Raises
    ------
    RecordingError
        If the file is missing, not UTF-8 text, or breaks the format: the message says what was
        expected and what was found, and the error carries ``path``, ``line`` and ``column``
        (1-based CSV field index) where they are known.
    UsageError
        If ``max_gap_s`` is not positive.
    """
    if not max_gap_s > 0:
        raise UsageError(f"expected max_gap_s > 0, found {max_gap_s}")
    path = Path(path)
    notes: list[str] = []
    try:
        with _open_for_reading(path) as fh:
            _check_text(fh, path)
            layout = _read_layout(fh, path)
            data_end = _incomplete_last_line_offset(fh, path, layout, notes)
            frame = _parse_rows(fh, path, layout, data_end)
    except OSError as exc:
        raise RecordingError(f"cannot read the file: {exc.strerror or exc}", path=path) from exc

    n = len(frame.index)
    if n == 0:
        raise RecordingError("expected data rows after the header, found none", path=path)
    table = frame.iloc[:, list(layout.core_indices)].to_numpy(dtype=np.float64)
    finite = np.isfinite(table)
    if not finite.all():
        row = int(np.flatnonzero(~finite.all(axis=1))[0])
        raise _error_at_row(path, layout, row, table[row])
    if n < 2:
        raise RecordingError(f"expected at least 2 samples, found {n}", path=path)

    extra: dict[str, FloatArray] = {}
    for index in layout.extra_indices:
        name = layout.columns[index]
        column = frame.iloc[:, index]
        if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
            extra[name] = column.to_numpy(dtype=np.float64)
        else:
            notes.append(f"column '{name}' is not numeric and was ignored")
    del frame  # the table holds the sensor columns; an hour at 1 kHz is 200 MB per copy

    time_s = np.ascontiguousarray(table[:, 0])
    _check_time(path, layout, time_s, max_gap_s=max_gap_s, allow_gaps=allow_gaps, out=notes)

    # scale in place: acc and gyro stay views of the one table instead of new copies
    if layout.acc_factor != 1.0:
        table[:, 1:4] *= layout.acc_factor
    acc_ms2 = table[:, 1:4]
    gyr_dps = None
    if layout.gyr_indices is not None:
        if layout.gyr_factor != 1.0:
            table[:, 4:7] *= layout.gyr_factor
        gyr_dps = table[:, 4:7]
    return Recording(
        time_s=time_s,
        acc_ms2=acc_ms2,
        gyr_dps=gyr_dps,
        metadata=layout.metadata,
        source=str(path),
        extra=extra,
        warnings=tuple(notes),
    )


def read_metadata(path: PathLike) -> dict[str, str]:
    """Read only the ``# key: value`` metadata of a recording, without parsing its rows.

    Parameters
    ----------
    path : str or path-like
        The CSV file.

    Returns
    -------
    dict of str to str
        The metadata, as :func:`read_recording` would return it.

    Raises
    ------
    RecordingError
        If the file is missing or not UTF-8 text, or its ``#`` lines or header row are invalid
        (the same checks and messages as :func:`read_recording`).
    """
    path = Path(path)
    try:
        with _open_for_reading(path) as fh:
            _check_text(fh, path)
            return dict(_read_layout(fh, path).metadata)
    except OSError as exc:
        raise RecordingError(f"cannot read the file: {exc.strerror or exc}", path=path) from exc


@contextlib.contextmanager
def _open_for_reading(path: Path) -> Iterator[BinaryIO]:
    if path.is_dir():
        raise RecordingError("expected a recording file, found a directory", path=path)
    if not path.exists():
        raise RecordingError("expected an existing recording file, found nothing", path=path)
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise RecordingError(f"cannot open the file: {exc.strerror or exc}", path=path) from exc
    with fh:
        yield fh


def _check_text(fh: BinaryIO, path: Path) -> None:
    """Reject binary files from their first 64 kB (NUL bytes or invalid UTF-8)."""
    head = fh.read(_SNIFF_BYTES)
    fh.seek(0)
    if b"\x00" in head:
        raise RecordingError(_BINARY_MESSAGE, path=path, hint="is this really a recording CSV?")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=len(head) < _SNIFF_BYTES)
    except UnicodeDecodeError as exc:
        raise RecordingError(
            _BINARY_MESSAGE,
            path=path,
            hint=f"byte 0x{head[exc.start]:02x} at offset {exc.start} is not UTF-8 text",
        ) from exc


def _read_layout(fh: BinaryIO, path: Path) -> _Layout:
    """Read the ``#`` lines and the header row; leave ``fh`` at the first data line."""
    metadata: dict[str, str] = {}
    line_no = 0
    saw_comment = False
    while True:
        raw = fh.readline(_MAX_PREAMBLE_LINE_BYTES)
        if not raw:
            if saw_comment:
                raise RecordingError(
                    "expected a header row (time_s,acc_x_ms2,...) after the # lines, "
                    "found the end of the file",
                    path=path,
                )
            raise RecordingError("expected a recording CSV, found an empty file", path=path)
        line_no += 1
        if len(raw) == _MAX_PREAMBLE_LINE_BYTES and not raw.endswith(b"\n"):
            raise RecordingError(
                "expected a header row, found a line longer than 1 MB", path=path, line=line_no
            )
        text = _decode(raw, path, line_no)
        if line_no == 1:
            text = text.removeprefix("\ufeff")
        stripped = text.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            saw_comment = True
            _parse_comment(stripped[1:].strip(), metadata, path, line_no, stripped)
            continue
        return _parse_header(stripped, metadata, path, line_no, fh.tell())


def _decode(raw: bytes, path: Path, line_no: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordingError(_BINARY_MESSAGE, path=path, line=line_no) from exc


def _parse_comment(
    body: str, metadata: dict[str, str], path: Path, line_no: int, line: str
) -> None:
    version = _VERSION_RE.fullmatch(body)
    if version is not None:
        if version.group(1) != str(FORMAT_VERSION):
            raise RecordingError(
                f"expected format version '{_VERSION_LINE}', found '{line}'",
                path=path,
                line=line_no,
                hint="the file was written by a newer sensorlab; update sensorlab",
            )
        return
    key, colon, value = body.partition(":")
    if colon and key.strip():
        metadata[key.strip()] = value.strip()
    # other "#" lines are free comments


def _parse_header(
    text: str, metadata: dict[str, str], path: Path, line_no: int, data_offset: int
) -> _Layout:
    columns = tuple(_unquote(name) for name in text.split(","))
    found = ", ".join(columns)
    seen: dict[str, int] = {}
    for index, name in enumerate(columns):
        if not name:
            raise RecordingError(
                f"expected a column name in column {index + 1} of the header, found an empty one",
                path=path,
                line=line_no,
                column=index + 1,
            )
        if name in seen:
            raise RecordingError(
                f"expected unique column names, found '{name}' in columns "
                f"{seen[name] + 1} and {index + 1}",
                path=path,
                line=line_no,
                column=index + 1,
            )
        seen[name] = index
    if units.TIME_COLUMN not in seen:
        hint = "the first line that does not start with # is the header row"
        for separator, label in ((";", "';'"), ("\t", "tabs")):
            if len(columns) == 1 and separator in text:
                hint = f"columns must be separated by ',', this file seems to use {label}"
        raise RecordingError(
            f"expected a '{units.TIME_COLUMN}' column, found columns: {found}",
            path=path,
            line=line_no,
            hint=hint,
        )

    axis_columns: dict[str, dict[str, tuple[int, str]]] = {"acc": {}, "gyr": {}}
    extra: list[int] = []
    for index, name in enumerate(columns):
        if name == units.TIME_COLUMN:
            continue
        sensor = name[:3]
        if not name.startswith(("acc_", "gyr_")):
            extra.append(index)
            continue
        allowed = units.ACC_UNITS if sensor == "acc" else units.GYR_UNITS
        match = _AXIS_COLUMN_RE.fullmatch(name)
        if match is None:
            what = "acceleration" if sensor == "acc" else "angular-rate"
            raise RecordingError(
                f"unknown {what} column '{name}': expected {sensor}_<x|y|z>_<unit> "
                f"with unit one of {', '.join(allowed)}",
                path=path,
                line=line_no,
                column=index + 1,
            )
        axis, unit = match.group(2), match.group(3)
        if unit not in allowed:
            options = " or ".join(f"{sensor}_{axis}_{u}" for u in allowed)
            raise RecordingError(
                f"unknown unit suffix '{unit}' in column '{name}': expected {options}",
                path=path,
                line=line_no,
                column=index + 1,
            )
        if axis in axis_columns[sensor]:
            other = columns[axis_columns[sensor][axis][0]]
            raise RecordingError(
                f"expected one {sensor}_{axis}_* column, found '{other}' and '{name}'",
                path=path,
                line=line_no,
                column=index + 1,
            )
        axis_columns[sensor][axis] = (index, unit)

    acc = axis_columns["acc"]
    if not acc and "cadence_spm" in seen:
        raise RecordingError(
            "expected acceleration columns, found a cadence-only recording (cadence_spm: a "
            "Running Speed and Cadence footpod): contacts and contact time need a device that "
            "streams raw acceleration (see 'sensorlab profiles list')",
            path=path,
            line=line_no,
        )
    if not acc:
        expected = " or ".join(
            ", ".join(f"acc_{a}_{u}" for a in units.AXES) for u in units.ACC_UNITS
        )
        raise RecordingError(
            f"expected acceleration columns {expected}, found columns: {found}",
            path=path,
            line=line_no,
        )
    acc_indices, acc_unit = _axis_triplet("acc", acc, path, line_no, required=True)
    gyr_indices: tuple[int, int, int] | None = None
    gyr_factor = 1.0
    if axis_columns["gyr"]:
        gyr_indices, gyr_unit = _axis_triplet(
            "gyr", axis_columns["gyr"], path, line_no, required=False
        )
        gyr_factor = units.GYR_UNITS[gyr_unit]
    return _Layout(
        metadata=metadata,
        columns=columns,
        header_line=line_no,
        data_offset=data_offset,
        time_index=seen[units.TIME_COLUMN],
        acc_indices=acc_indices,
        acc_factor=units.ACC_UNITS[acc_unit],
        gyr_indices=gyr_indices,
        gyr_factor=gyr_factor,
        extra_indices=tuple(extra),
    )


def _axis_triplet(
    sensor: str,
    found: Mapping[str, tuple[int, str]],
    path: Path,
    line_no: int,
    *,
    required: bool,
) -> tuple[tuple[int, int, int], str]:
    """Check that x, y and z are all present with one unit; return their indices and unit."""
    names = [f"{sensor}_{axis}_{unit}" for axis, (_, unit) in sorted(found.items())]
    unit_seen = {unit for _, unit in found.values()}
    if len(unit_seen) > 1:
        raise RecordingError(
            f"expected one unit for all {sensor}_* columns, found {', '.join(names)}",
            path=path,
            line=line_no,
        )
    unit = unit_seen.pop()
    missing = [axis for axis in units.AXES if axis not in found]
    if missing:
        expected = ", ".join(f"{sensor}_{axis}_{unit}" for axis in units.AXES)
        rule = "" if required else " (all three or none)"
        raise RecordingError(
            f"expected {expected}{rule}, found only {', '.join(names)}",
            path=path,
            line=line_no,
        )
    x, y, z = (found[axis][0] for axis in units.AXES)
    return (x, y, z), unit


def _unquote(cell: str) -> str:
    cell = cell.strip()
    if len(cell) >= 2 and cell[0] == cell[-1] == '"':
        cell = cell[1:-1].strip()
    return cell


def _incomplete_last_line_offset(
    fh: BinaryIO, path: Path, layout: _Layout, notes: list[str]
) -> int | None:
    """Return where to stop parsing if the last line is unterminated and malformed, else None.

    A recorder killed mid-write leaves a last line without its newline; when that line is also
    malformed (wrong field count or an unparsable cell) it is dropped with a warning.
    """
    size = fh.seek(0, os.SEEK_END)
    if size <= layout.data_offset:
        return None
    fh.seek(size - 1)
    if fh.read(1) == b"\n":
        return None
    start = max(layout.data_offset, size - _SNIFF_BYTES)
    fh.seek(start)
    tail = fh.read()
    newline = tail.rfind(b"\n")
    if newline < 0 and start > layout.data_offset:
        raise RecordingError(
            "expected data lines shorter than 64 kB, found an unterminated last line longer "
            "than that",
            path=path,
        )
    line_start = start + newline + 1
    text = tail[newline + 1 :].decode("utf-8", errors="replace")
    if _check_line(text, layout, path, 0, malformed_only=True) is None:
        return None
    fh.seek(0)
    line_no = 1 + sum(chunk.count(b"\n") for chunk in _chunks(fh, line_start))
    notes.append(
        f"dropped an incomplete last line {line_no} (the recording was probably interrupted)"
    )
    return line_start


def _chunks(fh: BinaryIO, stop: int, size: int = 1 << 22) -> Iterator[bytes]:
    """Yield the bytes of ``fh`` from its position up to offset ``stop``."""
    left = stop - fh.tell()
    while left > 0:
        chunk = fh.read(min(size, left))
        if not chunk:
            return
        left -= len(chunk)
        yield chunk


def _parse_rows(fh: BinaryIO, path: Path, layout: _Layout, data_end: int | None) -> pd.DataFrame:
    """Parse the data rows with the pandas C parser; locate the first bad cell if it fails."""
    names = [f"c{i}" for i in range(len(layout.columns))]
    if data_end is None:
        source: Path | bytes = path
        skiprows = layout.header_line
    else:  # the incomplete last line is left out
        fh.seek(layout.data_offset)
        source = fh.read(data_end - layout.data_offset)
        skiprows = 0
    try:
        frame = _read_csv(source, names, layout, skiprows=skiprows)
    except UnicodeDecodeError as exc:
        raise RecordingError(_BINARY_MESSAGE, path=path) from exc
    except pd.errors.EmptyDataError:
        return pd.DataFrame({name: pd.Series(dtype=np.float64) for name in names})
    except (ValueError, OverflowError) as exc:
        first_row = _first_row_of_failing_chunk(source, names, layout, skiprows=skiprows)
        problem = _scan_for_problem(path, layout, data_end, first_row=first_row)
        if problem is not None:
            raise problem from exc
        raise RecordingError(
            f"expected numeric CSV rows, found rows the CSV parser rejects: {exc}", path=path
        ) from exc
    return frame


def _csv_options(names: list[str], layout: _Layout) -> dict[str, Any]:
    return {
        "header": None,
        "names": names,
        "index_col": False,
        "dtype": {names[i]: np.float64 for i in layout.core_indices},
        "engine": "c",
        "encoding": "utf-8",
        "skip_blank_lines": True,
    }


def _read_csv(
    source: Path | bytes, names: list[str], layout: _Layout, *, skiprows: int
) -> pd.DataFrame:
    """Run the pandas C parser over the data rows (float64 for the sensor columns)."""
    with warnings.catch_warnings():
        # an extra column of mixed content is ignored anyway (it is not numeric)
        warnings.simplefilter("ignore", pd.errors.DtypeWarning)
        frame: pd.DataFrame = pd.read_csv(
            io.BytesIO(source) if isinstance(source, bytes) else source,
            skiprows=skiprows,
            memory_map=isinstance(source, Path),
            **_csv_options(names, layout),
        )
    return frame


def _first_row_of_failing_chunk(
    source: Path | bytes, names: list[str], layout: _Layout, *, skiprows: int
) -> int:
    """Re-parse in chunks to find roughly where the parser fails: the first row to scan."""
    rows_before = 0
    try:
        with (
            warnings.catch_warnings(),
            pd.read_csv(
                io.BytesIO(source) if isinstance(source, bytes) else source,
                skiprows=skiprows,
                chunksize=_LOCATE_CHUNK_ROWS,
                **_csv_options(names, layout),
            ) as reader,
        ):
            warnings.simplefilter("ignore", pd.errors.DtypeWarning)
            for chunk in reader:
                rows_before += len(chunk.index)
    except (ValueError, OverflowError):
        return rows_before
    return 0  # no failure in chunks: scan everything


def _data_lines(
    path: Path, layout: _Layout, data_end: int | None = None, *, first_row: int = 0
) -> Iterator[tuple[int, int, str]]:
    """Yield ``(row, line_no, text)`` for the non-blank data lines (the parser's rows).

    Rows before ``first_row`` are counted but not decoded or yielded.
    """
    row = 0
    with path.open("rb") as fh:
        fh.seek(layout.data_offset)
        offset = layout.data_offset
        for line_no, raw in enumerate(fh, start=layout.header_line + 1):
            if data_end is not None and offset >= data_end:
                return
            offset += len(raw)
            if not raw.strip():
                continue
            if row >= first_row:
                yield row, line_no, raw.decode("utf-8", errors="replace").rstrip("\r\n")
            row += 1


def _scan_for_problem(
    path: Path, layout: _Layout, data_end: int | None, *, first_row: int = 0
) -> RecordingError | None:
    """Slow path: check the data lines from ``first_row`` on and return the first problem."""
    for _, line_no, text in _data_lines(path, layout, data_end, first_row=first_row):
        problem = _check_line(text, layout, path, line_no)
        if problem is not None:
            return problem
    return None


def _check_line(
    text: str, layout: _Layout, path: Path, line_no: int, *, malformed_only: bool = False
) -> RecordingError | None:
    """Return the first problem of one data line, or None if it is valid.

    With ``malformed_only`` (the check of an unterminated last line) a NaN or infinite value is
    not a problem, but a wrong field count, an unparsable sensor cell or an empty last field
    (the line was cut right after a comma) is.
    """
    if not text.strip():
        return None
    cells = text.split(",")
    if len(cells) != len(layout.columns):
        return RecordingError(
            f"expected {len(layout.columns)} fields as in the header, found {len(cells)}",
            path=path,
            line=line_no,
        )
    if malformed_only and not cells[-1].strip():  # cut right after a comma
        return RecordingError("expected a value in the last field, found none", line=line_no)
    for index in layout.core_indices:
        cell = _unquote(cells[index])
        name = layout.columns[index]
        if _NUMBER_RE.fullmatch(cell):
            if math.isfinite(float(cell)) or malformed_only:
                continue
        elif cell.lower().lstrip("+-") in _NON_FINITE:
            if malformed_only:
                continue
        else:
            found = f"'{_show(cell)}'" if cell else "an empty cell"
            return RecordingError(
                f"expected a number in column '{name}', found {found}",
                path=path,
                line=line_no,
                column=index + 1,
            )
        return RecordingError(
            f"expected a finite number in column '{name}', found '{_show(cell)}'",
            path=path,
            line=line_no,
            column=index + 1,
        )
    return None


def _show(text: str, limit: int = 40) -> str:
    """Render a cell for a one-line message: escaped, and shortened if long."""
    text = text.encode("unicode_escape").decode("ascii")
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _error_at_row(path: Path, layout: _Layout, row: int, values: FloatArray) -> RecordingError:
    """Build the error for the first row with a missing or non-finite sensor value."""
    for _, line_no, text in _data_lines(path, layout, first_row=row):
        problem = _check_line(text, layout, path, line_no)
        if problem is not None:
            return problem
        break
    bad = int(np.flatnonzero(~np.isfinite(values))[0])
    index = layout.core_indices[bad]
    return RecordingError(
        f"expected a finite number in column '{layout.columns[index]}', found {values[bad]}",
        path=path,
        line=_line_numbers(path, layout, [row])[row],
        column=index + 1,
    )


def _line_numbers(path: Path, layout: _Layout, rows: Iterable[int]) -> dict[int, int]:
    """Map 0-based data rows to 1-based line numbers (blank lines do not count as rows)."""
    wanted = set(rows)
    out: dict[int, int] = {}
    if not wanted:
        return out
    last = max(wanted)
    for row, line_no, _ in _data_lines(path, layout, first_row=min(wanted)):
        if row in wanted:
            out[row] = line_no
        if row >= last:
            break
    return out


def _check_time(
    path: Path,
    layout: _Layout,
    time_s: FloatArray,
    *,
    max_gap_s: float,
    allow_gaps: bool,
    out: list[str],
) -> None:
    """Check that time increases, the rate is high enough and (unless allowed) there is no gap."""
    step_s = np.diff(time_s)
    column = layout.time_index + 1
    not_increasing = np.flatnonzero(step_s <= 0)
    if not_increasing.size:
        row = int(not_increasing[0]) + 1
        lines = _line_numbers(path, layout, [row - 1, row])
        before, after = _fmt_time(time_s[row - 1]), _fmt_time(time_s[row])
        if time_s[row] == time_s[row - 1]:
            message = (
                f"duplicate timestamp: expected time_s to increase after {before} "
                f"(line {lines[row - 1]}), found the same value again"
            )
        else:
            message = (
                f"time goes backwards: expected time_s to increase after {before} "
                f"(line {lines[row - 1]}), found {after}"
            )
        raise RecordingError(message, path=path, line=lines[row], column=column)

    rate_hz = 1.0 / float(np.median(step_s))
    if rate_hz < units.MIN_SAMPLING_RATE_HZ:
        raise RecordingError(
            f"expected a sampling rate of at least {units.MIN_SAMPLING_RATE_HZ:g} Hz, "
            f"found {rate_hz:.3g} Hz (median time step {_fmt_s(1.0 / rate_hz)} s)",
            path=path,
            hint="contacts last 80-300 ms; record at 200 Hz or more",
        )

    gaps = np.flatnonzero(step_s > max_gap_s)
    if not gaps.size:
        return
    row = int(gaps[0]) + 1
    gap_s = _fmt_s(step_s[row - 1])
    if not allow_gaps:
        lines = _line_numbers(path, layout, [row - 1, row])
        raise RecordingError(
            f"expected time steps of at most {max_gap_s:g} s, found a gap of {gap_s} s "
            f"between line {lines[row - 1]} (time_s {_fmt_time(time_s[row - 1])}) and "
            f"line {lines[row]} (time_s {_fmt_time(time_s[row])})",
            path=path,
            line=lines[row],
            column=column,
            hint="pass --allow-gaps to analyse the parts separately",
        )
    longest = _fmt_s(float(step_s[gaps].max()))
    out.append(
        f"{gaps.size} gap(s) longer than {max_gap_s:g} s in time_s (first at "
        f"time_s {_fmt_time(time_s[row - 1])}, {gap_s} s long; longest {longest} s)"
    )


def _fmt_s(value: float | np.float64) -> str:
    """Render a duration for a message."""
    return f"{float(value):.6g}"


def _fmt_time(value: float | np.float64) -> str:
    """Render a time read from the file for a message (as written there, in most cases)."""
    return repr(float(value))


# --------------------------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------------------------


def write_recording(recording: Recording, path: PathLike, *, overwrite: bool = False) -> Path:
    """Write a recording as canonical CSV (acceleration in m/s², angular rate in deg/s).

    Parameters
    ----------
    recording : Recording
        What to write; its ``metadata`` become ``# key: value`` lines and its ``extra`` columns
        follow the sensor columns.
    path : str or path-like
        Destination file.
    overwrite : bool, optional
        Replace an existing file. Without it an existing file is never touched.

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    RecordingError
        If the file exists and ``overwrite`` is False, the folder does not exist, a value is
        not finite, or a metadata key or extra column name cannot be written.

    Notes
    -----
    ``time_s`` is written with 6 decimals, every other value with at most 6 decimals (trailing
    zeros dropped), i.e. to 5e-7 of its unit. The rows go to a temporary file in the same
    folder that is moved into place when complete, so an interrupted write never leaves a
    partial file under ``path``.
    """
    path = Path(path)
    if path.is_dir():
        raise RecordingError("expected a file name to write, found a directory", path=path)
    if path.exists() and not overwrite:
        raise RecordingError(
            "expected a new file, found an existing one",
            path=path,
            hint="choose another name or allow overwriting",
        )
    if not path.parent.is_dir():
        raise RecordingError("expected an existing folder to write into, found none", path=path)
    columns = [recording.time_s, *recording.acc_ms2.T]
    if recording.gyr_dps is not None:
        columns.extend(recording.gyr_dps.T)
    n = recording.n_samples
    if n < 2:
        raise RecordingError(f"expected at least 2 samples to write, found {n}", path=path)
    for name, values in recording.extra.items():
        extra = np.asarray(values, dtype=np.float64)
        if extra.shape != (n,):
            raise RecordingError(
                f"expected extra column '{name}' of shape ({n},), found {extra.shape}", path=path
            )
        columns.append(extra)
    _check_finite(columns, _header(recording.has_gyro, list(recording.extra)), path)
    _check_increasing(recording.time_s, -np.inf, path)
    head = _preamble(recording.metadata, recording.has_gyro, list(recording.extra), path)

    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as exc:
        raise RecordingError(f"cannot write the file: {exc.strerror or exc}", path=path) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(head)
            for block in _format_rows(columns):
                fh.write(block)
            fh.flush()
            os.fsync(fh.fileno())
        _move_into_place(tmp, path, overwrite=overwrite)
    except OSError as exc:
        raise RecordingError(f"cannot write the file: {exc.strerror or exc}", path=path) from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return path


def _move_into_place(tmp: Path, path: Path, *, overwrite: bool) -> None:
    """Give the finished temporary file its final name, atomically."""
    if overwrite:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)  # fails if ``path`` appeared meanwhile: never overwrite
    except FileExistsError as exc:
        raise RecordingError(
            "expected a new file, found an existing one",
            path=path,
            hint="choose another name or allow overwriting",
        ) from exc
    except OSError:  # file system without hard links
        if path.exists():
            raise RecordingError("expected a new file, found an existing one", path=path) from None
        os.replace(tmp, path)


def _header(has_gyro: bool, extra_columns: Sequence[str]) -> list[str]:
    names = [units.TIME_COLUMN, *units.ACC_COLUMNS_MS2]
    if has_gyro:
        names.extend(units.GYR_COLUMNS_DPS)
    names.extend(extra_columns)
    return names


def _preamble(
    metadata: Mapping[str, str], has_gyro: bool, extra_columns: Sequence[str], path: Path
) -> bytes:
    """Render the version, metadata and header lines, checked so the reader accepts them."""
    core = set(_header(has_gyro, ()))
    for name in extra_columns:
        if (
            not name
            or name != name.strip()
            or name in core
            or name.startswith(("acc_", "gyr_", "#"))
            or any(c in name for c in ',"\r\n')
        ):
            raise RecordingError(
                f"expected an extra column name without commas, quotes or line breaks that is "
                f"not a time_s/acc_*/gyr_* name, found '{_show(name)}'",
                path=path,
            )
    if len(set(extra_columns)) != len(extra_columns):
        raise RecordingError(
            f"expected unique extra column names, found {list(extra_columns)}", path=path
        )
    lines = [_VERSION_LINE]
    for key, value in metadata.items():
        key_s, value_s = str(key).strip(), str(value).strip()
        if not key_s or ":" in key_s or any(c in key_s + value_s for c in "\r\n"):
            raise RecordingError(
                "expected metadata keys without ':' and keys and values without line breaks, "
                f"found {_show(key_s)!r}: {_show(value_s)!r}",
                path=path,
            )
        lines.append(f"# {key_s}: {value_s}")
    lines.append(",".join(_header(has_gyro, extra_columns)))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _check_increasing(time_s: FloatArray, previous_s: float, path: Path) -> None:
    """Check that time increases at the written (microsecond) resolution, also after ``previous_s``.

    Otherwise the file would hold duplicate or decreasing times, which the reader rejects.
    """
    ticks = np.rint(np.concatenate(([previous_s], time_s)) * 10.0**_TIME_DECIMALS)
    bad = np.flatnonzero(np.diff(ticks) <= 0)
    if bad.size:
        i = int(bad[0])
        if i == 0:
            earlier = f"{previous_s:.7g} (the last time already written)"
        else:
            earlier = f"{time_s[i - 1]:.7g} (sample {i - 1})"
        raise RecordingError(
            f"expected time_s to increase by at least 1 µs per sample, found "
            f"{time_s[i]:.7g} (sample {i}) after {earlier}",
            path=path,
        )


def _check_finite(columns: Sequence[FloatArray], names: Sequence[str], path: Path | None) -> None:
    for name, values in zip(names, columns, strict=True):
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            raise RecordingError(
                f"expected finite values in column '{name}', found {values[bad[0]]} "
                f"at sample {int(bad[0])}",
                path=path,
            )


def _format_rows(columns: Sequence[FloatArray]) -> Iterator[bytes]:
    """Yield CSV text for the rows of ``columns`` (time first), in blocks of rows."""
    n = len(columns[0])
    decimals = [_TIME_DECIMALS] + [_VALUE_DECIMALS] * (len(columns) - 1)
    strip = [False] + [True] * (len(columns) - 1)
    for start in range(0, n, _CHUNK_ROWS):
        block = [np.asarray(c[start : start + _CHUNK_ROWS], dtype=np.float64) for c in columns]
        if max(float(np.abs(c).max(initial=0.0)) for c in block) < _FAST_FORMAT_LIMIT:
            yield _format_block_fast(block, decimals, strip)
        else:
            yield _format_block_exact(block)


def _format_block_exact(block: Sequence[FloatArray]) -> bytes:
    """Slow fallback for huge magnitudes: ``%.6f`` for time, ``repr`` (exact) for the rest."""
    row = ",".join(["%.6f"] + ["%r"] * (len(block) - 1)) + "\n"
    values = np.column_stack(block).ravel().tolist()
    text: str = (row * len(block[0])) % tuple(values)
    return text.encode("ascii")


def _format_block_fast(
    block: Sequence[FloatArray], decimals: Sequence[int], strip: Sequence[bool]
) -> bytes:
    """Format rows as fixed-point decimals with numpy only (no Python loop over rows).

    Each column is rendered into its own slice of a byte matrix, one row per sample, with NUL
    bytes as padding (leading positions of short numbers, dropped trailing zeros); the padding
    is then removed from the flattened matrix.
    """
    prepared = [_split_fixed_point(values, decimals[j]) for j, values in enumerate(block)]
    widths = [
        2 + n_digits + (1 + decimals[j] if decimals[j] else 0)
        for j, (*_, n_digits) in enumerate(prepared)
    ]
    out = np.zeros((len(block[0]), sum(widths)), dtype=np.uint8)
    start = 0
    for j, (negative, integer, fraction, n_digits) in enumerate(prepared):
        view = out[:, start : start + widths[j]]
        _render_column(view, negative, integer, fraction, n_digits, decimals[j], strip=strip[j])
        start += widths[j]
        view[:, -1] = ord("\n") if j == len(block) - 1 else ord(",")
    text = out.ravel()
    rendered: bytes = text[text != 0].tobytes()
    return rendered


def _split_fixed_point(
    values: FloatArray, decimals: int
) -> tuple[NDArray[np.bool_], NDArray[np.unsignedinteger[Any]], NDArray[np.uint32], int]:
    """Split values into sign, integer part and ``decimals`` fraction digits (as integers).

    The integer part is split off first (exactly), so only the fraction is scaled: the digits
    are those of ``printf("%.{decimals}f")`` except, rarely, at a near tie of the last digit.
    """
    magnitude = np.abs(values)
    whole = np.trunc(magnitude)
    scaled = np.rint((magnitude - whole) * 10.0**decimals)
    carry = scaled >= 10**decimals
    integer = whole.astype(np.uint64) + carry
    fraction = np.where(carry, 0.0, scaled).astype(np.uint32)
    negative = (values < 0) & ((integer != 0) | (fraction != 0))
    largest = int(integer.max(initial=0))
    # digit extraction is several times faster on 32-bit integers
    small = integer.astype(np.uint32) if largest < 2**32 else integer
    return negative, small, fraction, len(str(largest))


def _render_column(
    out: NDArray[np.uint8],
    negative: NDArray[np.bool_],
    integer: NDArray[np.unsignedinteger[Any]],
    fraction: NDArray[np.uint32],
    n_digits: int,
    decimals: int,
    *,
    strip: bool,
) -> None:
    """Write one column's digits into ``out`` (shape (n, width), zero-filled)."""
    out[:, 0] = np.where(negative, ord("-"), 0)
    rest = integer
    for k in range(n_digits):
        rest, digit = np.divmod(rest, 10)
        glyph = digit + ord("0")
        out[:, n_digits - k] = glyph if k == 0 else np.where(integer >= 10**k, glyph, 0)
    if not decimals:
        return
    rest_f = fraction
    trailing_zero = np.ones(len(fraction), dtype=bool)
    for k in range(decimals):
        rest_f, digit_f = np.divmod(rest_f, 10)
        glyph_f = digit_f + ord("0")
        if strip:
            trailing_zero &= digit_f == 0
            glyph_f = np.where(trailing_zero, 0, glyph_f)
        out[:, n_digits + 1 + decimals - k] = glyph_f
    out[:, n_digits + 1] = np.where(trailing_zero, 0, ord(".")) if strip else ord(".")


def create_new(path: Path) -> BinaryIO:
    """Create ``path`` for binary writing; an existing file is never opened or overwritten.

    Raises
    ------
    RecordingError
        If the file exists or cannot be created (one line, with the path).
    """
    try:
        return path.open("xb")
    except FileExistsError as exc:
        raise RecordingError(
            "expected a new file, found an existing one",
            path=path,
            hint="a recording is never overwritten; choose another name",
        ) from exc
    except OSError as exc:
        raise RecordingError(f"cannot create the file: {exc.strerror or exc}", path=path) from exc


class RecordingWriter:
    """Append rows to a new recording file as they arrive (the live collector's writer).

    The metadata and header are written when the writer is created; every :meth:`append` writes
    its rows and flushes them (and by default syncs them to disk), so a recording cut short by a
    crash or ``kill -9`` stays readable by :func:`read_recording` up to its last complete line.

    Parameters
    ----------
    path : str or path-like
        The file to create. It must not exist: a recording is never overwritten.
    metadata : mapping of str to str
        Written as ``# key: value`` lines.
    has_gyro : bool
        Whether rows carry angular rate (``gyr_*_dps`` columns).
    extra_columns : sequence of str, optional
        Names of extra numeric columns written after the sensor columns (e.g. ``host_time_s``).
    fsync : bool, optional
        Call ``os.fsync`` after every append so rows survive a power loss, not only a crash.

    Raises
    ------
    RecordingError
        If the file exists or cannot be created, or the metadata or column names cannot be
        written.
    """

    def __init__(
        self,
        path: PathLike,
        *,
        metadata: Mapping[str, str],
        has_gyro: bool,
        extra_columns: Sequence[str] = (),
        fsync: bool = True,
    ) -> None:
        self.path = Path(path)
        self.has_gyro = has_gyro
        self.extra_columns = tuple(extra_columns)
        self.n_rows = 0
        self._fsync = fsync
        self._last_time_s = -np.inf
        self._names = _header(has_gyro, self.extra_columns)
        head = _preamble(metadata, has_gyro, self.extra_columns, self.path)
        self._fh: BinaryIO | None = create_new(self.path)
        self._write(head)

    def append(
        self,
        time_s: FloatArray,
        acc_ms2: FloatArray,
        gyr_dps: FloatArray | None = None,
        extra: Mapping[str, FloatArray] | None = None,
    ) -> None:
        """Write rows and flush them.

        Parameters
        ----------
        time_s : ndarray, shape (n,)
            Sample times in s; strictly increasing, also across calls.
        acc_ms2 : ndarray, shape (n, 3)
            Acceleration in m/s².
        gyr_dps : ndarray, shape (n, 3) or None
            Angular rate in deg/s; required if and only if the writer has gyro.
        extra : mapping of str to ndarray, shape (n,), optional
            One array per extra column named at creation.

        Raises
        ------
        RecordingError
            If the writer is closed, shapes or extra names do not match, a value is not
            finite, or time does not increase.
        """
        if self._fh is None:
            raise RecordingError("expected an open writer, found it closed", path=self.path)
        time_arr = np.asarray(time_s, dtype=np.float64)
        n = time_arr.shape[0] if time_arr.ndim == 1 else -1
        acc = np.asarray(acc_ms2, dtype=np.float64)
        if n < 0 or acc.shape != (n, 3):
            raise RecordingError(
                f"expected time_s of shape (n,) and acc_ms2 of shape (n, 3), found "
                f"{time_arr.shape} and {acc.shape}",
                path=self.path,
            )
        columns = [time_arr, *acc.T]
        if (gyr_dps is not None) != self.has_gyro:
            expected = "angular rate" if self.has_gyro else "no angular rate"
            raise RecordingError(f"expected {expected} (has_gyro={self.has_gyro})", path=self.path)
        if gyr_dps is not None:
            gyr = np.asarray(gyr_dps, dtype=np.float64)
            if gyr.shape != (n, 3):
                raise RecordingError(
                    f"expected gyr_dps of shape ({n}, 3), found {gyr.shape}", path=self.path
                )
            columns.extend(gyr.T)
        given = dict(extra or {})
        if set(given) != set(self.extra_columns):
            raise RecordingError(
                f"expected extra columns {list(self.extra_columns)}, found {sorted(given)}",
                path=self.path,
            )
        for name in self.extra_columns:
            values = np.asarray(given[name], dtype=np.float64)
            if values.shape != (n,):
                raise RecordingError(
                    f"expected extra column '{name}' of shape ({n},), found {values.shape}",
                    path=self.path,
                )
            columns.append(values)
        if n == 0:
            return
        _check_finite(columns, self._names, self.path)
        _check_increasing(time_arr, self._last_time_s, self.path)
        self._write(b"".join(_format_rows(columns)))
        self._last_time_s = float(time_arr[-1])
        self.n_rows += n

    def close(self) -> None:
        """Flush and close the file (idempotent)."""
        if self._fh is not None:
            fh, self._fh = self._fh, None
            fh.close()

    def __enter__(self) -> RecordingWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _write(self, data: bytes) -> None:
        assert self._fh is not None
        try:
            self._fh.write(data)
            self._fh.flush()
            if self._fsync:
                os.fsync(self._fh.fileno())
        except OSError as exc:
            raise RecordingError(
                f"cannot write the file: {exc.strerror or exc}", path=self.path
            ) from exc
