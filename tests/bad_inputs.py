"""Small recording files that must each be rejected with one clear message.

``BAD_INPUTS`` holds ``(case_id, file_bytes, expected_fragment, expected_line, expected_column)``:
reading ``file_bytes`` from a file must raise ``RecordingError`` whose message contains
``expected_fragment`` and whose ``line``/``column`` (1-based) are the expected ones (None: not
known). Used by ``tests/test_io.py`` and by the command-line tests (exit status 2, one line).
"""

from __future__ import annotations

VERSION = b"# sensorlab recording 1\n"
HEADER = b"time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2\n"
HEADER_GYRO = b"time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2,gyr_x_dps,gyr_y_dps,gyr_z_dps\n"


def rows(times: list[float], *, gyro: bool = False) -> bytes:
    """Valid data rows at the given times (acc near gravity, gyro small)."""
    values = ",0.12,-0.34,9.81,1.5,-2.5,0.25" if gyro else ",0.12,-0.34,9.81"
    return b"".join(f"{t:.3f}{values}\n".encode("ascii") for t in times)


def steady(n: int, *, start_s: float = 0.0, step_s: float = 0.01) -> list[float]:
    """``n`` times at a regular step (100 Hz by default)."""
    return [start_s + i * step_s for i in range(n)]


# A few real file signatures, so that "binary" means the files users actually pick by mistake.
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00!\x00recording.csv\x00\x00\x00\x00PK\x05\x06"

BAD_INPUTS: list[tuple[str, bytes, str, int | None, int | None]] = [
    # 1. empty file
    ("empty-file", b"", "expected a recording CSV, found an empty file", None, None),
    ("whitespace-only", b"  \n\n\t \n", "found an empty file", None, None),
    # 2. metadata / header only
    (
        "header-only",
        VERSION + b"# drill: run\n" + HEADER,
        "expected data rows after the header, found none",
        None,
        None,
    ),
    (
        "header-and-blank-lines-only",
        HEADER + b"\n  \n",
        "expected data rows after the header, found none",
        None,
        None,
    ),
    (
        "metadata-only",
        VERSION + b"# drill: run\n",
        "expected a header row (time_s,acc_x_ms2,...) after the # lines, found the end of the file",
        None,
        None,
    ),
    # 3. no time column
    (
        "no-time-column",
        VERSION + b"t,acc_x_ms2,acc_y_ms2,acc_z_ms2\n0,1,2,3\n0.01,1,2,3\n",
        "expected a 'time_s' column, found columns: t, acc_x_ms2, acc_y_ms2, acc_z_ms2",
        2,
        None,
    ),
    (
        "no-header-row",
        rows(steady(3)),
        "expected a 'time_s' column, found columns: 0.000, 0.12, -0.34, 9.81",
        1,
        None,
    ),
    # 4. no acceleration columns
    (
        "no-acc-columns",
        b"time_s,ax,ay,az\n0,1,2,3\n0.01,1,2,3\n",
        "expected acceleration columns acc_x_ms2, acc_y_ms2, acc_z_ms2 or acc_x_g, acc_y_g, "
        "acc_z_g, found columns: time_s, ax, ay, az",
        1,
        None,
    ),
    (
        "cadence-only",
        b"time_s,cadence_spm,speed_mps,host_time_s\n0,170,3.1,0\n1,172,3.2,1\n",
        "found a cadence-only recording (cadence_spm: a Running Speed and Cadence footpod)",
        1,
        None,
    ),
    # 5. unknown unit suffix
    (
        "unknown-acc-unit",
        b"time_s,acc_x_mg,acc_y_mg,acc_z_mg\n0,1,2,3\n0.01,1,2,3\n",
        "unknown unit suffix 'mg' in column 'acc_x_mg': expected acc_x_ms2 or acc_x_g",
        1,
        2,
    ),
    (
        "unknown-gyr-unit",
        b"time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2,gyr_x_deg,gyr_y_deg,gyr_z_deg\n0,1,2,3,4,5,6\n",
        "unknown unit suffix 'deg' in column 'gyr_x_deg': expected gyr_x_dps or gyr_x_rads",
        1,
        5,
    ),
    (
        "unknown-acc-column",
        b"time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2,acc_norm\n0,1,2,3,4\n",
        "unknown acceleration column 'acc_norm': expected acc_<x|y|z>_<unit> with unit one of "
        "ms2, g",
        1,
        5,
    ),
    # 6. non-numeric cells
    (
        "non-numeric-cell",
        VERSION
        + HEADER
        + rows(steady(3))
        + b"0.030,0.12,abc,9.81\n"
        + rows(steady(2, start_s=0.04)),
        "expected a number in column 'acc_y_ms2', found 'abc'",
        6,
        3,
    ),
    (
        "non-numeric-time",
        HEADER + rows(steady(2)) + b"0.02s,0.12,-0.34,9.81\n",
        "expected a number in column 'time_s', found '0.02s'",
        4,
        1,
    ),
    (
        "empty-cell",
        HEADER + rows(steady(2)) + b"0.020,0.12,,9.81\n" + rows([0.03]),
        "expected a number in column 'acc_y_ms2', found an empty cell",
        4,
        3,
    ),
    (
        "decimal-comma",
        b"time_s;acc_x_ms2;acc_y_ms2;acc_z_ms2\n0,00;0,12;-0,34;9,81\n",
        "expected a 'time_s' column, found columns: time_s;acc_x_ms2;acc_y_ms2;acc_z_ms2",
        1,
        None,
    ),
    # 7. NaN or inf
    (
        "nan-cell",
        VERSION + HEADER + rows(steady(2)) + b"0.020,nan,-0.34,9.81\n" + rows([0.03]),
        "expected a finite number in column 'acc_x_ms2', found 'nan'",
        5,
        2,
    ),
    (
        "inf-cell",
        HEADER_GYRO + rows(steady(3), gyro=True) + b"0.030,0.1,0.2,9.8,1,2,-inf\n",
        "expected a finite number in column 'gyr_z_dps', found '-inf'",
        5,
        7,
    ),
    (
        "overflowing-number",
        HEADER + rows(steady(2)) + b"0.020,1e999,-0.34,9.81\n",
        "expected a finite number in column 'acc_x_ms2', found '1e999'",
        4,
        2,
    ),
    # 8. time going backwards
    (
        "time-backwards",
        VERSION + HEADER + rows([0.0, 0.01, 0.02, 0.015, 0.03]),
        "time goes backwards: expected time_s to increase after 0.02 (line 5), found 0.015",
        6,
        1,
    ),
    # 9. duplicate timestamps
    (
        "duplicate-timestamp",
        HEADER + rows([0.0, 0.01, 0.01, 0.02]),
        "duplicate timestamp: expected time_s to increase after 0.01 (line 3), found the same "
        "value again",
        4,
        1,
    ),
    # 10. sampling rate too low
    (
        "rate-too-low",
        HEADER + rows(steady(20, step_s=0.1)),
        "expected a sampling rate of at least 20 Hz, found 10 Hz (median time step 0.1 s)",
        None,
        None,
    ),
    # 11. gap longer than 0.5 s
    (
        "gap",
        VERSION + HEADER + rows(steady(3) + steady(3, start_s=0.82)),
        "expected time steps of at most 0.5 s, found a gap of 0.8 s between line 5 "
        "(time_s 0.02) and line 6 (time_s 0.82)",
        6,
        1,
    ),
    # 12. binary data
    ("binary-png", PNG, "expected a UTF-8 text CSV, found binary data", None, None),
    ("binary-zip", ZIP, "expected a UTF-8 text CSV, found binary data", None, None),
    (
        "latin-1-text",
        b"# note: caf\xe9 au lait\n" + HEADER + rows(steady(3)),
        "expected a UTF-8 text CSV, found binary data",
        None,
        None,
    ),
    # wrong number of fields
    (
        "too-few-fields",
        HEADER + rows(steady(2)) + b"0.020,0.12,-0.34\n" + rows([0.03]),
        "expected 4 fields as in the header, found 3",
        4,
        None,
    ),
    (
        "too-many-fields",
        HEADER + rows(steady(2)) + b"0.020,0.12,-0.34,9.81,7\n" + rows([0.03]),
        "expected 4 fields as in the header, found 5",
        4,
        None,
    ),
    (
        "malformed-last-line-with-newline",
        HEADER + rows(steady(3)) + b"0.030,0.1\n",
        "expected 4 fields as in the header, found 2",
        5,
        None,
    ),
    # format version
    (
        "format-version-2",
        b"# sensorlab recording 2\n" + HEADER + rows(steady(3)),
        "expected format version '# sensorlab recording 1', found '# sensorlab recording 2'",
        1,
        None,
    ),
    # too few samples
    (
        "one-sample",
        HEADER + rows([0.0]),
        "expected at least 2 samples, found 1",
        None,
        None,
    ),
    # column set problems
    (
        "mixed-acc-units",
        b"time_s,acc_x_ms2,acc_y_g,acc_z_ms2\n0,1,2,3\n0.01,1,2,3\n",
        "expected one unit for all acc_* columns, found acc_x_ms2, acc_y_g, acc_z_ms2",
        1,
        None,
    ),
    (
        "missing-acc-axis",
        b"time_s,acc_x_ms2,acc_y_ms2\n0,1,2\n0.01,1,2\n",
        "expected acc_x_ms2, acc_y_ms2, acc_z_ms2, found only acc_x_ms2, acc_y_ms2",
        1,
        None,
    ),
    (
        "partial-gyro",
        b"time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2,gyr_x_dps\n0,1,2,3,4\n0.01,1,2,3,4\n",
        "expected gyr_x_dps, gyr_y_dps, gyr_z_dps (all three or none), found only gyr_x_dps",
        1,
        None,
    ),
    (
        "duplicate-column",
        b"time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2,acc_x_ms2\n0,1,2,3,4\n",
        "expected unique column names, found 'acc_x_ms2' in columns 2 and 5",
        1,
        5,
    ),
    (
        "same-axis-two-units",
        b"time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2,acc_x_g\n0,1,2,3,4\n",
        "expected one acc_x_* column, found 'acc_x_ms2' and 'acc_x_g'",
        1,
        5,
    ),
    (
        "empty-column-name",
        b"time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2,\n0,1,2,3,\n",
        "expected a column name in column 5 of the header, found an empty one",
        1,
        5,
    ),
]
"""Every bad-input case; see the module docstring."""
