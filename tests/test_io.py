from __future__ import annotations

import math
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from bad_inputs import BAD_INPUTS, HEADER, VERSION, rows, steady
from hypothesis import given, settings
from hypothesis import strategies as st

from sensorlab import units
from sensorlab.errors import RecordingError, UsageError
from sensorlab.io import RecordingWriter, read_metadata, read_recording, write_recording
from sensorlab.io.csv_format import _format_rows
from sensorlab.recording import Recording


def write_bytes(tmp_path: Path, data: bytes, name: str = "recording.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def make_recording(n: int = 500, *, gyro: bool = True, seed: int = 0) -> Recording:
    rng = np.random.default_rng(seed)
    time_s = 12.5 + np.arange(n) / 416.0 + rng.uniform(-2e-4, 2e-4, n)
    acc = rng.normal(0.0, 20.0, (n, 3)) + np.array([0.0, 0.0, units.G_MS2])
    gyr = rng.normal(0.0, 300.0, (n, 3)) if gyro else None
    return Recording(
        time_s=time_s,
        acc_ms2=acc,
        gyr_dps=gyr,
        metadata={"device": "polar-verity-sense", "placement": "foot", "set": "2"},
        extra={"host_time_s": 1.7e9 + time_s, "packet": np.arange(n) // 36 * 1.0},
    )


# --------------------------------------------------------------------------------------------
# bad inputs
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "fragment", "line", "column"),
    [case[1:] for case in BAD_INPUTS],
    ids=[case[0] for case in BAD_INPUTS],
)
def test_bad_input_is_rejected_with_location(
    tmp_path: Path, data: bytes, fragment: str, line: int | None, column: int | None
) -> None:
    path = write_bytes(tmp_path, data)
    with pytest.raises(RecordingError) as info:
        read_recording(path)
    err = info.value
    assert fragment in err.message
    assert (err.line, err.column) == (line, column)
    assert err.path == str(path)
    text = str(err)
    assert "\n" not in text
    assert text.startswith(str(path))
    assert err.exit_status == 2


def test_bad_input_case_ids_are_unique() -> None:
    ids = [case[0] for case in BAD_INPUTS]
    assert len(ids) == len(set(ids))
    assert all(len(case[1]) < 1000 for case in BAD_INPUTS)


def test_message_has_line_and_column_prefix(tmp_path: Path) -> None:
    data = HEADER + rows(steady(12)) + b"0.120,0.1,abc,9.8\n"
    path = write_bytes(tmp_path, data)
    with pytest.raises(RecordingError) as info:
        read_recording(path)
    assert str(info.value) == f"{path}:14:3: expected a number in column 'acc_y_ms2', found 'abc'"


def test_gap_error_has_allow_gaps_hint(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, HEADER + rows(steady(3) + steady(3, start_s=1.0)))
    with pytest.raises(RecordingError, match=r"gap of 0\.98 s") as info:
        read_recording(path)
    assert info.value.hint == "pass --allow-gaps to analyse the parts separately"
    assert str(info.value).endswith("(pass --allow-gaps to analyse the parts separately)")


def test_semicolon_separated_file_gets_a_hint(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, b"time_s;acc_x_ms2;acc_y_ms2;acc_z_ms2\n0;1;2;3\n")
    with pytest.raises(RecordingError) as info:
        read_recording(path)
    assert info.value.hint == "columns must be separated by ',', this file seems to use ';'"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="expected an existing recording file, found nothing"):
        read_recording(tmp_path / "nope.csv")


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="expected a recording file, found a directory"):
        read_recording(tmp_path)


def test_binary_after_the_first_64_kb(tmp_path: Path) -> None:
    data = HEADER + rows(steady(3000)) + b"\xff\xfe garbage\n"
    assert len(data) > 65536
    with pytest.raises(RecordingError, match="expected a UTF-8 text CSV, found binary data"):
        read_recording(write_bytes(tmp_path, data))


def test_nul_byte_after_the_first_64_kb(tmp_path: Path) -> None:
    data = HEADER + rows(steady(3000)) + b"30.000,0.1,\x00,9.8\n"
    with pytest.raises(RecordingError) as info:
        read_recording(write_bytes(tmp_path, data))
    assert info.value.line == 3002
    assert info.value.column == 3
    assert "\\x00" in info.value.message


def test_bad_cell_deep_in_a_long_file(tmp_path: Path) -> None:
    data = HEADER + rows(steady(5000)) + b"50.000,0.1,0.2,oops\n" + rows([50.01])
    with pytest.raises(RecordingError) as info:
        read_recording(write_bytes(tmp_path, data))
    assert (info.value.line, info.value.column) == (5002, 4)


@pytest.mark.parametrize(
    ("bad_row", "fragment"),
    [(b"2300.000,0.1,0.2,oops\n", "found 'oops'"), (b"2300.000,0.1,0.2,9.8,7\n", "found 5")],
)
def test_bad_row_after_several_parser_chunks(tmp_path: Path, bad_row: bytes, fragment: str) -> None:
    data = HEADER + rows(steady(230_000)) + bad_row + rows([2300.01])
    with pytest.raises(RecordingError, match=fragment) as info:
        read_recording(write_bytes(tmp_path, data))
    assert info.value.line == 230_002


def test_line_numbers_count_blank_lines(tmp_path: Path) -> None:
    data = VERSION + b"\n# a: b\n\n" + HEADER + rows(steady(2)) + b"\n\n" + rows([0.02, 0.01])
    with pytest.raises(RecordingError, match=r"after 0.02 \(line 10\), found 0.01") as info:
        read_recording(write_bytes(tmp_path, data))
    assert info.value.line == 11


def test_max_gap_must_be_positive(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, HEADER + rows(steady(3)))
    with pytest.raises(UsageError, match="max_gap_s"):
        read_recording(path, max_gap_s=0.0)


# --------------------------------------------------------------------------------------------
# happy paths
# --------------------------------------------------------------------------------------------


def test_reads_minimal_file(tmp_path: Path) -> None:
    rec = read_recording(write_bytes(tmp_path, HEADER + rows(steady(3))))
    assert rec.n_samples == 3
    np.testing.assert_allclose(rec.time_s, [0.0, 0.01, 0.02])
    np.testing.assert_allclose(rec.acc_ms2, [[0.12, -0.34, 9.81]] * 3)
    assert rec.gyr_dps is None
    assert dict(rec.metadata) == {}
    assert dict(rec.extra) == {}
    assert rec.warnings == ()


def test_g_and_rads_are_converted(tmp_path: Path) -> None:
    data = (
        b"time_s,acc_x_g,acc_y_g,acc_z_g,gyr_x_rads,gyr_y_rads,gyr_z_rads\n"
        b"0.00,0,0.5,1,3.141592653589793,0,-1\n"
        b"0.01,0,0.5,1,0,1.5707963267948966,0\n"
    )
    rec = read_recording(write_bytes(tmp_path, data))
    np.testing.assert_allclose(rec.acc_ms2[0], [0.0, 0.5 * units.G_MS2, units.G_MS2])
    assert rec.gyr_dps is not None
    np.testing.assert_allclose(rec.gyr_dps[0], [180.0, 0.0, -180.0 / math.pi])
    np.testing.assert_allclose(rec.gyr_dps[1], [0.0, 90.0, 0.0])


def test_metadata_extra_columns_and_any_column_order(tmp_path: Path) -> None:
    data = (
        b"\xef\xbb\xbf# sensorlab recording 1\n"
        b"# device:  polar-verity-sense  \n"
        b"# started_at: 2026-11-23T18:05:12+00:00\n"
        b"# my_own_key: kept too\n"
        b"# a free comment without a key\n"
        b"\n"
        b"packet, acc_z_ms2,time_s,acc_x_ms2,acc_y_ms2,gyr_x_dps,gyr_y_dps,gyr_z_dps,note\r\n"
        b"1,9.8,0.000,1,2,10,20,30,left\r\n"
        b"1,9.7,0.010,1,2,10,20,30,right\r\n"
        b"2,9.6,0.020,1,2,10,20,30,left\r\n"
    )
    rec = read_recording(write_bytes(tmp_path, data))
    assert dict(rec.metadata) == {
        "device": "polar-verity-sense",
        "started_at": "2026-11-23T18:05:12+00:00",
        "my_own_key": "kept too",
    }
    np.testing.assert_allclose(rec.time_s, [0.0, 0.01, 0.02])
    np.testing.assert_allclose(rec.acc_ms2[:, 2], [9.8, 9.7, 9.6])
    np.testing.assert_allclose(rec.extra["packet"], [1.0, 1.0, 2.0])
    assert "note" not in rec.extra
    assert rec.warnings == ("column 'note' is not numeric and was ignored",)
    assert rec.source == str(tmp_path / "recording.csv")


def test_read_metadata_only(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, VERSION + b"# session: s1\n# side: left\n" + HEADER + b"garbage\n")
    assert read_metadata(path) == {"session": "s1", "side": "left"}
    with pytest.raises(RecordingError, match="found an empty file"):
        read_metadata(write_bytes(tmp_path, b"", "empty.csv"))


def test_string_path_is_accepted(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, HEADER + rows(steady(3)))
    assert read_recording(str(path)).n_samples == 3


def test_allow_gaps_accepts_a_gap_and_warns(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, HEADER + rows(steady(50) + steady(50, start_s=2.0)))
    rec = read_recording(path, allow_gaps=True)
    assert rec.n_samples == 100
    assert len(rec.warnings) == 1
    assert "1 gap(s) longer than 0.5 s" in rec.warnings[0]
    assert read_recording(path, max_gap_s=2.0).warnings == ()


def test_drops_incomplete_last_line(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, VERSION + HEADER + rows(steady(3)) + b"0.030,0.12,-0.")
    rec = read_recording(path)
    assert rec.n_samples == 3
    assert rec.warnings == (
        "dropped an incomplete last line 6 (the recording was probably interrupted)",
    )


def test_keeps_complete_last_line_without_newline(tmp_path: Path) -> None:
    rec = read_recording(write_bytes(tmp_path, HEADER + rows(steady(3)) + b"0.030,1,2,3"))
    assert rec.n_samples == 4
    assert rec.warnings == ()


# --------------------------------------------------------------------------------------------
# writing
# --------------------------------------------------------------------------------------------


def assert_same(read: Recording, original: Recording) -> None:
    assert read.n_samples == original.n_samples
    np.testing.assert_allclose(read.time_s, original.time_s, rtol=0, atol=5.1e-7)
    np.testing.assert_allclose(read.acc_ms2, original.acc_ms2, rtol=1e-4, atol=1e-6)
    if original.gyr_dps is None:
        assert read.gyr_dps is None
    else:
        assert read.gyr_dps is not None
        np.testing.assert_allclose(read.gyr_dps, original.gyr_dps, rtol=1e-4, atol=1e-6)
    assert dict(read.metadata) == dict(original.metadata)
    assert list(read.extra) == list(original.extra)
    for name, values in original.extra.items():
        np.testing.assert_allclose(read.extra[name], values, rtol=1e-12, atol=1e-6)


@pytest.mark.parametrize("gyro", [True, False])
def test_write_read_round_trip(tmp_path: Path, gyro: bool) -> None:
    original = make_recording(gyro=gyro)
    path = write_recording(original, tmp_path / "out.csv")
    assert path == tmp_path / "out.csv"
    read = read_recording(path)
    assert_same(read, original)
    assert read.warnings == ()
    lines = path.read_text().splitlines()
    assert lines[0] == "# sensorlab recording 1"
    assert lines[1] == "# device: polar-verity-sense"
    header = "time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2"
    header += ",gyr_x_dps,gyr_y_dps,gyr_z_dps" if gyro else ""
    assert lines[4] == header + ",host_time_s,packet"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]  # no temporary file left


def test_write_formats_numbers_compactly(tmp_path: Path) -> None:
    rec = Recording(
        time_s=np.array([0.0, 0.0025, 1234.5]),
        acc_ms2=np.array([[1.0, -0.5, 9.80665], [-0.0000001, 100.25, -12.0], [0.1, 0.2, 0.3]]),
        extra={"packet": np.array([1.0, 2.0, 3.0])},
    )
    path = write_recording(rec, tmp_path / "out.csv")
    assert path.read_text().splitlines()[2:] == [
        "0.000000,1,-0.5,9.80665,1",
        "0.002500,0,100.25,-12,2",
        "1234.500000,0.1,0.2,0.3,3",
    ]


@pytest.mark.parametrize("seed", range(5))
def test_fast_number_formatting_matches_printf(seed: int) -> None:
    rng = np.random.default_rng(seed)
    scale = 10.0 ** rng.integers(-8, 9, 3000)
    values = rng.normal(size=3000) * scale
    values[:6] = [0.0, -0.0, 0.5, -0.5, 9.9999996, 999999.9999999]
    time_s = np.sort(rng.uniform(-10, 1e6, 3000))
    text = b"".join(_format_rows([time_s, values])).decode("ascii")
    for line, t, v in zip(text.splitlines(), time_s, values, strict=True):
        t_text, v_text = line.split(",")
        assert t_text == f"{t:.6f}"
        expected = f"{v:.6f}".rstrip("0").rstrip(".")
        assert float(v_text) == float(expected)
        assert v_text == ("0" if expected == "-0" else expected)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.floats(allow_nan=False, allow_infinity=False, min_value=-1e20, max_value=1e20),
        min_size=1,
        max_size=50,
    )
)
def test_property_written_numbers_parse_back_within_half_a_microunit(values: list[float]) -> None:
    column = np.array(values)
    text = b"".join(_format_rows([np.arange(column.size, dtype=float), column]))
    lines = text.decode("ascii").splitlines()
    assert len(lines) == column.size
    parsed = np.array([float(line.split(",")[1]) for line in lines])
    np.testing.assert_allclose(parsed, column, rtol=1e-15, atol=5.000001e-7)


@pytest.mark.parametrize("offset", [1.7e18, 3e19])
def test_huge_values_are_written_exactly(tmp_path: Path, offset: float) -> None:
    rec = Recording(
        time_s=np.array([0.0, 0.01]),
        acc_ms2=np.ones((2, 3)),
        extra={"device_time_ns": np.array([offset + 2048, offset + 10_002_048])},
    )
    read = read_recording(write_recording(rec, tmp_path / "out.csv"))
    np.testing.assert_array_equal(read.extra["device_time_ns"], rec.extra["device_time_ns"])


def test_overwrite_is_refused_and_file_unchanged(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, b"precious", "out.csv")
    with pytest.raises(RecordingError, match="expected a new file, found an existing one") as info:
        write_recording(make_recording(), path)
    assert info.value.exit_status == 2
    assert path.read_bytes() == b"precious"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_overwrite_when_asked(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, b"old", "out.csv")
    write_recording(make_recording(), path, overwrite=True)
    assert_same(read_recording(path), make_recording())
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_write_refuses_non_finite_and_leaves_nothing(tmp_path: Path) -> None:
    acc = np.ones((3, 3))
    acc[1, 2] = np.nan
    rec = Recording(time_s=np.array([0.0, 0.01, 0.02]), acc_ms2=acc)
    with pytest.raises(RecordingError, match="expected finite values in column 'acc_z_ms2'"):
        write_recording(rec, tmp_path / "out.csv")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("metadata", "extra_name"),
    [({"bad:key": "v"}, "x"), ({"k": "two\nlines"}, "x"), ({}, "acc_norm"), ({}, "a,b")],
)
def test_write_refuses_unreadable_names(
    tmp_path: Path, metadata: dict[str, str], extra_name: str
) -> None:
    rec = Recording(
        time_s=np.array([0.0, 0.01]),
        acc_ms2=np.ones((2, 3)),
        metadata=metadata,
        extra={extra_name: np.zeros(2)},
    )
    with pytest.raises(RecordingError, match="expected"):
        write_recording(rec, tmp_path / "out.csv")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("time_s", "match"),
    [
        ([0.0, 0.01, 0.01], "found 0.01 \\(sample 2\\) after 0.01 \\(sample 1\\)"),
        ([0.0, 0.0000001], "increase by at least 1 µs per sample"),
        ([0.0], "expected at least 2 samples to write, found 1"),
    ],
)
def test_write_refuses_what_the_reader_would_reject(
    tmp_path: Path, time_s: list[float], match: str
) -> None:
    rec = Recording(time_s=np.array(time_s), acc_ms2=np.ones((len(time_s), 3)))
    with pytest.raises(RecordingError, match=match):
        write_recording(rec, tmp_path / "out.csv")
    assert list(tmp_path.iterdir()) == []


def test_write_into_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="expected an existing folder"):
        write_recording(make_recording(), tmp_path / "no" / "out.csv")


# --------------------------------------------------------------------------------------------
# streaming writer
# --------------------------------------------------------------------------------------------


def stream(path: Path, original: Recording, chunk: int = 37, *, fsync: bool = False) -> None:
    with RecordingWriter(
        path,
        metadata=original.metadata,
        has_gyro=original.has_gyro,
        extra_columns=list(original.extra),
        fsync=fsync,
    ) as writer:
        for start in range(0, original.n_samples, chunk):
            part = slice(start, start + chunk)
            gyr = None if original.gyr_dps is None else original.gyr_dps[part]
            extra = {name: values[part] for name, values in original.extra.items()}
            writer.append(original.time_s[part], original.acc_ms2[part], gyr, extra)
        assert writer.n_rows == original.n_samples


def test_recording_writer_streams_a_readable_file(tmp_path: Path) -> None:
    original = make_recording(300)
    path = tmp_path / "live.csv"
    stream(path, original, fsync=True)
    assert_same(read_recording(path), original)
    assert path.read_bytes() == write_recording(original, tmp_path / "batch.csv").read_bytes()


def test_recording_writer_header_is_flushed_immediately(tmp_path: Path) -> None:
    path = tmp_path / "live.csv"
    writer = RecordingWriter(path, metadata={"drill": "back-run"}, has_gyro=False, fsync=False)
    try:
        assert path.read_text().splitlines() == [
            "# sensorlab recording 1",
            "# drill: back-run",
            "time_s,acc_x_ms2,acc_y_ms2,acc_z_ms2",
        ]
        writer.append(np.array([0.0, 0.01]), np.ones((2, 3)))
        assert path.read_text().splitlines()[-1] == "0.010000,1,1,1"
    finally:
        writer.close()
    writer.close()  # idempotent
    with pytest.raises(RecordingError, match="found it closed"):
        writer.append(np.array([0.02]), np.ones((1, 3)))


def test_recording_writer_never_overwrites(tmp_path: Path) -> None:
    path = write_bytes(tmp_path, b"precious", "live.csv")
    with pytest.raises(RecordingError, match="expected a new file, found an existing one"):
        RecordingWriter(path, metadata={}, has_gyro=False)
    assert path.read_bytes() == b"precious"


def test_recording_writer_checks_its_input(tmp_path: Path) -> None:
    with RecordingWriter(
        tmp_path / "live.csv", metadata={}, has_gyro=True, extra_columns=["packet"], fsync=False
    ) as writer:
        t, acc, gyr, extra = np.array([0.0, 0.01]), np.ones((2, 3)), np.ones((2, 3)), np.ones(2)
        with pytest.raises(RecordingError, match="expected angular rate"):
            writer.append(t, acc, None, {"packet": extra})
        with pytest.raises(RecordingError, match="expected extra columns"):
            writer.append(t, acc, gyr)
        with pytest.raises(RecordingError, match="shape"):
            writer.append(t, np.ones((2, 2)), gyr, {"packet": extra})
        writer.append(t, acc, gyr, {"packet": extra})
        with pytest.raises(
            RecordingError, match=r"found 0\.01 \(sample 0\) after 0\.01 \(the last"
        ):
            writer.append(np.array([0.01]), acc[:1], gyr[:1], {"packet": extra[:1]})
        with pytest.raises(RecordingError, match="expected finite values"):
            writer.append(np.array([0.02]), acc[:1] * np.nan, gyr[:1], {"packet": extra[:1]})
        assert writer.n_rows == 2


def test_file_cut_anywhere_reads_up_to_last_complete_line(tmp_path: Path) -> None:
    """Simulate ``kill -9`` during a write: cut a streamed file at every byte of its last lines."""
    original = make_recording(60)
    full = tmp_path / "live.csv"
    stream(full, original, chunk=7)
    data = full.read_bytes()
    line_ends = [i + 1 for i, byte in enumerate(data) if byte == ord("\n")]
    header_end = line_ends[4]  # version, 3 metadata lines, header
    n_commas = data[line_ends[3] : header_end].count(b",")
    cut_path = tmp_path / "cut.csv"
    for cut in range(line_ends[-4], len(data) + 1):
        shutil.copyfile(full, cut_path)
        os.truncate(cut_path, cut)
        rec = read_recording(cut_path)
        complete = sum(1 for end in line_ends if header_end < end <= cut)
        partial = data[max(end for end in line_ends if end <= cut) : cut]
        # a partial line is dropped when malformed; one that still parses (only its last field
        # cut short) is kept as a sample
        assert rec.n_samples in (complete, complete + 1)
        assert (rec.n_samples == complete + 1) == (
            partial.count(b",") == n_commas and not partial.endswith(b",")
        )
        assert bool(rec.warnings) == (rec.n_samples == complete and bool(partial))
        np.testing.assert_allclose(
            rec.acc_ms2[:complete], original.acc_ms2[:complete], rtol=1e-4, atol=1e-6
        )
