"""Decoders against the shared BLE test vectors, and robustness of every profile's decoder.

The vectors live in ``../shared/ble_vectors`` (beside the repository) or in
``$SENSORLAB_SHARED/ble_vectors``. Without them the vector tests skip, except under
``CI=true`` where their absence fails the run.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import struct
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sensorlab.errors import DecodeError
from sensorlab.profiles import Expect, Profile, Write, list_profiles, load_profile
from sensorlab.profiles.codecs import metawear, polar_pmd, rsc
from sensorlab.profiles.codecs.movesense import GspSpec
from sensorlab.profiles.decoders import read_components
from sensorlab.units import G_MS2

SHARED = Path(
    os.environ.get("SENSORLAB_SHARED") or Path(__file__).resolve().parents[1].parent / "shared"
)
VECTOR_DIR = SHARED / "ble_vectors"
FAMILIES = (
    "polar_pmd",
    "rsc",
    "metawear",
    "witmotion",
    "movesense_gsp",
    "thingy52_motion",
)


def _load(family: str) -> list[dict[str, Any]]:
    path = VECTOR_DIR / f"{family}.json"
    if not path.is_file():
        return []
    vectors: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))["vectors"]
    return vectors


VECTORS = [(f, v) for f in FAMILIES for v in _load(f)]


def _asserted_keys(obj: Any, prefix: str = "") -> list[str]:
    """Every key ending in ``_asserted`` with a non-null value, anywhere in ``obj``."""
    found: list[str] = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k.endswith("_asserted") and v is not None:
                found.append(prefix + k)
            found += _asserted_keys(v, f"{prefix}{k}.")
    return found


def _b(text: str) -> bytes:
    return bytes.fromhex(text)


def test_vectors_present() -> None:
    if not VECTOR_DIR.is_dir():
        message = f"BLE vectors not found at {VECTOR_DIR} (set SENSORLAB_SHARED)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    missing = [f for f in FAMILIES if not (VECTOR_DIR / f"{f}.json").is_file()]
    assert not missing


# ---------------------------------------------------------------------------------------------
# Polar PMD


def _mg(values_ms2: np.ndarray) -> np.ndarray:
    return values_ms2 / G_MS2 * 1000.0


def _rows(expected: Any, n: int) -> list[tuple[int, list[float]]]:
    """(index, sample) pairs from a {"0": [...]} mapping or a full list."""
    if isinstance(expected, dict):
        return [(int(k), v) for k, v in expected.items()]
    assert len(expected) == n
    return list(enumerate(expected))


def _check_pmd_data_frame(v: dict[str, Any]) -> None:
    ctx, exp = v["context"], v["expected"]
    payload = _b(v["hex"])
    header = polar_pmd.parse_header(payload)
    assert header.measurement_type == exp["measurement_type"]
    assert header.timestamp_ns == exp["timestamp_ns"]
    assert payload[9] == exp["frame_type_byte"]
    assert header.compressed == exp["compressed"]
    if "frame_type" in exp:
        assert header.frame_type == exp["frame_type"]
    factor = ctx.get("factor", ctx.get("factor_from_start_response", 1.0))
    previous = ctx.get("previous_frame_timestamp_ns")
    rate_hz = ctx.get("sample_rate_hz") or None
    if rate_hz is None and "settings" in ctx:  # e.g. "200 Hz, 16 bit, 8 G"
        rate_hz = float(ctx["settings"].split(" Hz")[0])
    frame = polar_pmd.decode_frame(
        payload,
        previous_ns=previous,
        sample_rate_hz=rate_hz,
        factors={exp["measurement_type"]: factor},
    )
    n = exp["sample_count"]
    assert frame.raw.shape == (n, 3)
    if "delta_blocks" in exp:
        assert [(b.delta_bits, b.sample_count) for b in frame.blocks] == [
            (b["delta_bits"], b["sample_count"]) for b in exp["delta_blocks"]
        ]
    for key in ("raw_asserted", "raw", "raw_all_derived"):
        for i, row in _rows(exp.get(key, {}), n):
            assert frame.raw[i].tolist() == row, (key, i)
    if exp["measurement_type"] == 5:  # gyro, deg/s
        for i, row in _rows(exp["samples_asserted"], n):
            np.testing.assert_allclose(frame.values[i], row, rtol=0, atol=1e-12)
    else:
        mg = _mg(frame.values)
        exact = not header.compressed or (header.frame_type == 1 and factor == 1.0)
        for key in (
            "samples_asserted",
            "samples_mG_asserted",
            "samples_mG_all_derived",
            "samples_mG",
        ):
            for i, row in _rows(exp.get(key, {}), n):
                if exact:  # integers in mG
                    np.testing.assert_allclose(mg[i], row, rtol=0, atol=1e-9)
                else:  # the SDK truncates raw * factor * 1000 to whole mG
                    assert np.trunc(mg[i]).tolist() == row, (key, i, mg[i])
        for i, row in _rows(exp.get("samples_mG_float", {}), n):
            np.testing.assert_allclose(mg[i], row, rtol=0, atol=5e-4)  # printed to 3 decimals
        if "all_abs_mG_le" in exp:
            assert np.all(np.abs(mg) <= exp["all_abs_mG_le"])
    for key in ("sample_timestamps_ns_asserted", "sample_timestamps_ns_derived"):
        if key in exp:
            assert frame.timestamps_ns == exp[key]
    if "first_sample_timestamp_ns" in exp:
        assert frame.timestamps_ns[0] == exp["first_sample_timestamp_ns"]
    if "last_sample_timestamp_ns" in exp:
        assert frame.timestamps_ns[-1] == exp["last_sample_timestamp_ns"]


def _check_pmd_delta_payload(v: dict[str, Any]) -> None:
    ctx, exp = v["context"], v["expected"]
    samples, blocks = polar_pmd.parse_delta_payload(
        _b(v["hex"]), channels=ctx["channels"], resolution_bits=ctx["resolution_bits"]
    )
    assert samples.shape == (exp["sample_count"], ctx["channels"])
    assert [(b.delta_bits, b.sample_count) for b in blocks] == [
        (b["delta_bits"], b["sample_count"]) for b in exp["delta_blocks"]
    ]
    n = exp["sample_count"]
    for key in ("samples_asserted", "samples_all_derived"):
        for i, row in _rows(exp.get(key, {}), n):
            assert samples[i].tolist() == row, (key, i)
    for key in ("samples_u32_hex_asserted", "samples_u32_hex_all_derived"):
        for i, row in _rows(exp.get(key, {}), n):
            assert [int(x) & 0xFFFFFFFF for x in samples[i]] == [int(h, 16) for h in row]


def _check_pmd_reference(v: dict[str, Any]) -> None:
    ctx = v["context"]
    samples, blocks = polar_pmd.parse_delta_payload(
        _b(v["hex"]), channels=ctx["channels"], resolution_bits=ctx["resolution_bits"]
    )
    assert blocks == ()
    assert samples.tolist() == [v["expected"]["reference_sample"]]


def _check_pmd_header(v: dict[str, Any]) -> None:
    exp = v["expected"]
    payload = _b(v["hex"])
    header = polar_pmd.parse_header(payload)
    assert header.measurement_type == exp["measurement_type"]
    assert payload[9] == exp["frame_type_byte"]
    if "timestamp_ns" in exp:
        assert header.timestamp_ns == exp["timestamp_ns"]
        assert header.compressed == exp["compressed"]
        assert header.frame_type == exp["frame_type"]
        assert header.content == _b(exp["content_hex"])
    if header.measurement_type in (2, 5) or "error" in exp:
        # unsupported frame types of ACC, unknown frame types: one typed error
        with pytest.raises(DecodeError):
            polar_pmd.decode_frame(payload, previous_ns=None, sample_rate_hz=52, factors={})


def _check_pmd_timestamps(v: dict[str, Any]) -> None:
    inp, exp = v["inputs"], v["expected"]
    args = (
        inp["previous_frame_timestamp_ns"],
        inp["frame_timestamp_ns"],
        inp["samples"],
        inp["sample_rate_hz"],
    )
    if "error" in exp:
        with pytest.raises(DecodeError):
            polar_pmd.sample_timestamps_ns(*args)
    else:
        assert polar_pmd.sample_timestamps_ns(*args) == exp["timestamps_ns"]


def _settings_equal(parsed: dict[str, list[float]], expected: dict[str, Any]) -> None:
    for name, want in expected.items():
        if name == "FACTOR":
            assert struct.pack("<f", parsed["FACTOR"][0]) == struct.pack("<I", int(want["u32"], 16))
            assert parsed["FACTOR"][0] == want["float32"]
        elif name == "RANGE_MILLIUNIT":
            assert parsed[name] == want["android_signed"]
        else:
            assert parsed[name] == (want if isinstance(want, list) else [want]), name
    assert set(parsed) == set(expected)


def _check_pmd_indication(v: dict[str, Any]) -> None:
    exp = v["expected"]
    payload = _b(v["hex"])
    r = polar_pmd.parse_response(payload)
    if "first_byte" in exp:  # device-initiated command
        assert r.response_code == exp["first_byte"]
        assert list(r.parameters) == exp["stopped_measurement_types"]
        return
    assert r.response_code == exp.get("response_code", 0xF0)
    assert r.op_code == exp["op_code"]
    assert r.measurement_type == exp["measurement_type"]
    assert r.status == exp["status"]
    if "more" in exp:
        assert r.more == exp["more"]
    if "status_name" in exp:
        assert r.status_name == exp["status_name"]
    if "parameters_hex" in exp:
        assert r.parameters == _b(exp["parameters_hex"])
    if "trailing_bytes" in exp:
        assert r.parameters == _b(exp["trailing_bytes"])
    if "settings" in exp:
        _settings_equal(polar_pmd.parse_settings(r.parameters), exp["settings"])
    # the profiles' start-script expectations accept what the devices answer
    if r.op_code == 2 and r.measurement_type in (2, 9) and r.status == 0:
        profile = load_profile("polar-verity-sense")
        expects = [s for s in profile.start_script if isinstance(s, Expect) and s.matches(payload)]
        assert expects
        captured = {k: val for s in expects for k, val in s.captured(payload).items()}
        if "settings" in exp and "FACTOR" in exp["settings"]:
            assert captured["acc_factor"] == exp["settings"]["FACTOR"]["float32"]


def _rendered(profile_ids: tuple[str, ...]) -> set[bytes]:
    """Every write any script of these profiles sends, at every rate and range."""
    out: set[bytes] = set()
    for pid in profile_ids:
        p = load_profile(pid)
        for rate in p.nominal_rates_hz:
            for rng in p.acc_ranges_g or (None,):
                params = p.params(rate_hz=rate, range_g=rng)
                for step in (*p.start_script, *p.stop_script):
                    if isinstance(step, Write):
                        out.add(p.render_write(step, params))
    return out


POLAR = ("polar-h10", "polar-verity-sense")


def _check_pmd_write(v: dict[str, Any]) -> None:
    exp = v["expected"]
    payload = _b(v["hex"])
    assert payload[0] == exp["op_code"]
    assert payload[1] == exp["measurement_type"]
    if "settings" in exp:
        settings_ = polar_pmd.parse_settings(payload[2:])
        _settings_equal(settings_, exp["settings"])
        if payload[0] == 2 and payload[1] == 2:
            # a start command our profiles send carries exactly these settings
            sent = [
                polar_pmd.parse_settings(b[2:]) for b in _rendered(POLAR) if b[:2] == payload[:2]
            ]
            assert settings_ in sent
    elif payload[0] in (2, 3):  # start/stop SDK mode, stop ACC: sent verbatim by a profile
        assert payload in _rendered(POLAR)


# ---------------------------------------------------------------------------------------------
# RSC


def _check_rsc_measurement(v: dict[str, Any]) -> None:
    payload = _b(v["hex"])
    asserted = v.get("expected_asserted") or {}
    derived = v.get("decoded_derived") or {}
    if asserted.get("valid") is False or "error" in derived:
        with pytest.raises(DecodeError):
            rsc.parse_measurement(payload)
        with pytest.raises(DecodeError):
            load_profile("ble-rsc-footpod").make_decoder().feed("measurement", payload)
        return
    m = rsc.parse_measurement(payload)
    both = {**derived, **asserted}
    checks = {
        "running": m.running,
        "speed_mps": m.speed_mps,
        "cadence": m.cadence_spm,
        "cadence_spm": m.cadence_spm,
        "flags": m.flags,
        "stride_length_present": m.stride_length_m is not None,
        "total_distance_present": m.total_distance_m is not None,
        "stride_length_raw": m.stride_length_cm,
        "stride_length_raw_cm": m.stride_length_cm,
        "total_distance_raw": m.total_distance_dm,
        "total_distance_raw_dm": m.total_distance_dm,
        "stride_length_m": m.stride_length_m,
        "total_distance_m": m.total_distance_m,
        "speed_raw": round(m.speed_mps * 256),
    }
    for key, value in both.items():
        if key in checks:
            want = value
            got = checks[key]
            if isinstance(want, float) and got is not None:
                assert math.isclose(float(got), want, rel_tol=1e-12, abs_tol=1e-12), key
            else:
                assert got == want, key
    blocks = load_profile("ble-rsc-footpod").make_decoder().feed("measurement", payload)
    by = {b.channel: b.values for b in blocks}
    assert by["cadence"].tolist() == [[float(m.cadence_spm)]]
    assert by["speed"].tolist() == [[m.speed_mps]]


def _check_rsc_feature(v: dict[str, Any]) -> None:
    payload = _b(v["hex"])
    asserted = v.get("expected_asserted") or {}
    if asserted.get("valid") is False:
        with pytest.raises(DecodeError):
            rsc.parse_feature(payload)
        return
    f = rsc.parse_feature(payload)
    for key, want in {**(v.get("decoded_derived") or {}), **asserted}.items():
        assert getattr(f, key) == want, key


# ---------------------------------------------------------------------------------------------
# MetaWear, WitMotion, Movesense, Thingy:52


def _check_metawear_notification(v: dict[str, Any]) -> None:
    payload = _b(v["hex"])
    derived = v["decoded_derived"]
    frame = metawear.parse_frame(payload)
    assert frame.module == derived["module"]
    assert frame.register == derived["register"]
    if "step_count" in v["expected_asserted"]:
        assert frame.read_response
        assert frame.uint() == v["expected_asserted"]["step_count"]
        return
    board = "bmi270" if "BMI270" in v["context"]["sensor"] else "bmi160"
    profile = load_profile(f"metamotion-{board}")
    range_g = v["context"]["range_g"]
    blocks = profile.make_decoder({"range_g": range_g}).feed("data", payload)
    assert [b.channel for b in blocks] == ["acc"]
    g = blocks[0].values / G_MS2
    raw = g * 32768 / range_g
    np.testing.assert_allclose(raw, derived["raw"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(g, v["expected_asserted"]["samples_g"], rtol=0, atol=5e-4)
    np.testing.assert_allclose(g, derived["samples_g"], rtol=0, atol=5e-7)


METAWEAR = ("metamotion-bmi160", "metamotion-bmi270")
COMMANDS_NOT_SENT = {
    # single-sample subscription: the profiles stream the packed register instead
    "mw_acc_subscribe_data",
    "mw_acc_unsubscribe_data",
    # register reads and a filter setting the profile does not change
    "wit_read_reg_mag",
    "wit_read_reg_quat",
    "wit_read_reg_rate",
    "wit_bandwidth_20hz",
    # GSP commands for resources the profile does not subscribe to
    "gsp_hello",
    "gsp_subscribe_acc_13",
    "gsp_subscribe_acc_104",
}


def _check_command(v: dict[str, Any], family: tuple[str, ...]) -> None:
    payload = _b(v["hex"])
    if v["id"] in COMMANDS_NOT_SENT:
        assert not _asserted_keys(v)
        return
    sent = _rendered(family)
    if family == ("movesense",):  # the client reference byte is the client's choice
        sent = {b[:1] + b[2:] for b in sent}
        payload = payload[:1] + payload[2:]
    assert payload in sent, v["id"]


def _check_witmotion_frame(v: dict[str, Any]) -> None:
    payload = _b(v["hex"])
    derived = v["decoded_derived"]
    decoder = load_profile("witmotion-wt901ble").make_decoder()
    blocks = decoder.feed("data", payload)
    values = read_components(payload, 4, 0, 1, "i16", 8, "<")[0]
    if v["kind"] == "witmotion_0x71_frame":
        assert blocks == []  # register answers carry no samples
        assert int.from_bytes(payload[2:4], "little") == derived["start_register"]
        assert values.tolist() == derived["values_int16"]
        return
    by = {b.channel: b.values[0] for b in blocks}
    np.testing.assert_allclose(by["acc"] / G_MS2, derived["acc_g"], rtol=0, atol=5e-7)
    np.testing.assert_allclose(by["gyr"], derived["gyro_dps"], rtol=0, atol=5e-7)
    raw = read_components(payload, 2, 0, 1, "i16", 9, "<")[0]
    assert raw.tolist() == derived["raw"]
    angle_deg = raw[6:] * 180.0 / 32768.0  # not a sensorlab channel; documented layout
    np.testing.assert_allclose(angle_deg, derived["angle_deg"], rtol=0, atol=5e-6)
    if v.get("expected_asserted"):
        assert angle_deg[0] == v["expected_asserted"]["angle_x_deg"]


def _movesense(blocks: tuple[str, ...]) -> Profile:
    p = load_profile("movesense")
    return replace(p, decoder=GspSpec(("data",), 99, blocks), measures=frozenset(blocks) - {"magn"})


def _check_gsp_notification(v: dict[str, Any]) -> None:
    payload = _b(v["hex"])
    decoder = load_profile("movesense").make_decoder()
    if payload[0] == 1:  # command results carry no samples
        assert decoder.feed("data", payload) == []
        return
    acc_only = _movesense(("acc",)).make_decoder({"rate_hz": 13})
    (block,) = acc_only.feed("data", payload)
    decoded = v["decoded"]
    np.testing.assert_allclose(block.values, decoded["acc_mps2"], rtol=1e-6)
    assert block.device_time_s is not None
    assert block.device_time_s[0] == decoded["timestamp_ms"] / 1000.0


def _check_gsp_sequence(v: dict[str, Any]) -> None:
    decoder = _movesense(("acc", "gyr", "magn")).make_decoder({"rate_hz": 104})
    first, second = (_b(h) for h in v["hex_parts"])
    assert decoder.feed("data", first) == []
    blocks = decoder.feed("data", second)
    decoded = v["decoded"]
    by = {b.channel: b for b in blocks}
    assert set(by) == {"acc", "gyr"}
    assert len(by["acc"]) == decoded["samples"]
    np.testing.assert_allclose(by["acc"].values[0], decoded["acc_mps2_first"], rtol=1e-6)
    np.testing.assert_allclose(by["gyr"].values[0], decoded["gyro_dps_first"], rtol=1e-6)
    times = by["acc"].device_time_s
    assert times is not None
    assert times[0] == decoded["timestamp_ms"] / 1000.0
    np.testing.assert_allclose(np.diff(times), 1 / 104)


def _check_thingy_raw(v: dict[str, Any]) -> None:
    derived = v["decoded_derived"]
    blocks = load_profile("nordic-thingy52").make_decoder().feed("data", _b(v["hex"]))
    by = {b.channel: b.values[0] for b in blocks}
    np.testing.assert_allclose(by["acc"] / G_MS2, derived["acc_g"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(by["gyr"], derived["gyro_dps"], rtol=0, atol=1e-12)


NOT_DECODED = {
    # feature read of the PMD control point: not needed to stream
    "pmd_control_point_read",
    # SC control point and sensor location: the collector only reads RSC measurements
    "sc_control_point",
    "sensor_location",
    "layout_note",
}


def _check(family: str, v: dict[str, Any]) -> None:
    kind = v["kind"]
    if kind in NOT_DECODED:
        assert not _asserted_keys(v), "a vector with asserted values must be decoded"
        return
    handlers: dict[str, Any] = {
        "pmd_data_frame": _check_pmd_data_frame,
        "pmd_delta_payload": _check_pmd_delta_payload,
        "pmd_delta_payload_reference_only": _check_pmd_reference,
        "pmd_data_frame_header": _check_pmd_header,
        "pmd_sample_timestamps": _check_pmd_timestamps,
        "pmd_control_point_indication": _check_pmd_indication,
        "pmd_control_point_write": _check_pmd_write,
        "pmd_settings_parameters": lambda v: _settings_equal(
            polar_pmd.parse_settings(_b(v["hex"])), v["expected"]
        ),
        "rsc_measurement": _check_rsc_measurement,
        "rsc_feature": _check_rsc_feature,
        "metawear_notification": _check_metawear_notification,
        "metawear_command": lambda v: _check_command(v, METAWEAR),
        "witmotion_0x61_frame": _check_witmotion_frame,
        "witmotion_0x71_frame": _check_witmotion_frame,
        "witmotion_command": lambda v: _check_command(v, ("witmotion-wt901ble",)),
        "gsp_command": lambda v: _check_command(v, ("movesense",)),
        "gsp_notification": _check_gsp_notification,
        "gsp_notification_sequence": _check_gsp_sequence,
        "thingy_raw_data": _check_thingy_raw,
        "thingy_config_write": lambda v: _check_command(v, ("nordic-thingy52",)),
    }
    assert kind in handlers, f"no check for vector kind {kind}"
    handlers[kind](v)


@pytest.mark.parametrize(("family", "vector"), VECTORS, ids=[v["id"] for _, v in VECTORS])
def test_vector(family: str, vector: dict[str, Any]) -> None:
    _check(family, vector)


def test_gsp_subscribe_matches_the_documented_path() -> None:
    """The profile's IMU6 subscription has the documented shape (ref 99, ASCII path)."""
    p = load_profile("movesense")
    step = next(s for s in p.start_script if isinstance(s, Write))
    data = p.render_write(step, p.params(rate_hz=208))
    assert data == bytes([1, 99]) + b"/Meas/IMU6/208"


# ---------------------------------------------------------------------------------------------
# Stateful behaviour


def _pmd_frame(ts_ns: int, samples: list[tuple[int, int, int]]) -> bytes:
    body = b"".join(struct.pack("<3h", *s) for s in samples)
    return bytes([2]) + ts_ns.to_bytes(8, "little") + bytes([1]) + body


def test_pmd_decoder_spaces_samples_from_the_previous_frame() -> None:
    decoder = load_profile("polar-h10").make_decoder({"rate_hz": 100})
    first = decoder.feed("data", _pmd_frame(10**9, [(0, 0, 1000)] * 4))
    assert first[0].device_time_s is not None
    np.testing.assert_allclose(first[0].device_time_s, [0.97, 0.98, 0.99, 1.0])
    # the device clock runs 1 % fast: spacing follows the device, not the nominal rate
    (block,) = decoder.feed("data", _pmd_frame(10**9 + 40_400_000, [(0, 0, 1000)] * 4))
    assert block.device_time_s is not None
    np.testing.assert_allclose(np.diff(block.device_time_s), 0.0101, rtol=1e-9)


def test_pmd_decoder_uses_the_rate_after_a_lost_frame() -> None:
    decoder = load_profile("polar-h10").make_decoder({"rate_hz": 100})
    decoder.feed("data", _pmd_frame(10**9, [(0, 0, 1000)] * 4))
    # one 4-sample frame lost: the next frame ends 80 ms later, its samples are still 10 ms apart
    (block,) = decoder.feed("data", _pmd_frame(10**9 + 80_000_000, [(0, 0, 1000)] * 4))
    assert block.device_time_s is not None
    np.testing.assert_allclose(np.diff(block.device_time_s), 0.01, rtol=1e-9)
    assert block.device_time_s[-1] == pytest.approx(1.08)


def test_struct_decoder_counter_and_wrapping_clock() -> None:
    p = load_profile("diy-footpod")
    decoder = p.make_decoder({"rate_hz": 400, "range_g": 16})

    def packet(seq: int, t_us: int) -> bytes:
        return (
            bytes([1, 0])
            + struct.pack("<HI", seq, t_us)
            + struct.pack("<6h", 0, 0, 2048, 0, 0, 0) * 2
        )

    a = decoder.feed("data", packet(65535, 2**32 - 2500))
    b = decoder.feed("data", packet(0, 2500))  # the µs clock wrapped
    assert a[0].counter == 65535
    assert b[0].counter == 0
    assert a[0].device_time_s is not None
    assert b[0].device_time_s is not None
    assert b[0].device_time_s[0] - a[0].device_time_s[0] == pytest.approx(0.005)
    np.testing.assert_allclose(np.diff(b[0].device_time_s), 1 / 400)
    np.testing.assert_allclose(b[0].values[0], [0, 0, G_MS2])


def test_witmotion_stream_reassembles_split_and_packed_frames() -> None:
    frame = _b("55 61 EE FF 00 00 04 08 00 00 00 00 00 00 00 00 65 00 D4 30")
    decoder = load_profile("witmotion-wt901ble").make_decoder()
    assert decoder.feed("data", frame[:5]) == []
    blocks = decoder.feed("data", frame[5:] + b"\x00\x13" + frame + frame[:3])
    assert [b.channel for b in blocks] == ["acc", "gyr", "acc", "gyr"]
    assert decoder.feed("data", frame[3:])[0].channel == "acc"


def test_axis_mapping_is_applied() -> None:
    from sensorlab.profiles import AxisMapping

    p = load_profile("nordic-thingy52")
    mapped = replace(p, axis_mapping=AxisMapping(acc=("-z", "+x", "+y")))
    payload = _b("00 01 00 02 00 04 00 00 00 00 00 00 00 00 00 00 00 00")
    (acc, _) = mapped.make_decoder().feed("data", payload)
    np.testing.assert_allclose(acc.values[0] / G_MS2, [-1.0, 0.25, 0.5])


def test_payload_of_another_role_is_ignored() -> None:
    decoder = load_profile("polar-verity-sense").make_decoder()
    assert decoder.feed("control", _b("F0 02 02 00 00")) == []


# ---------------------------------------------------------------------------------------------
# Robustness: random and truncated bytes never crash a decoder; the one error is DecodeError

PROFILES = list_profiles()


def _example_packets(p: Profile) -> list[bytes]:
    return [_b(e.hex) for e in p.examples]


def _feed_or_error(p: Profile, chunks: list[bytes]) -> None:
    decoder = p.make_decoder()
    role = p.data_roles[0]
    for chunk in chunks:
        try:
            blocks = decoder.feed(role, chunk)
        except DecodeError:
            continue
        for b in blocks:
            assert b.values.dtype == np.float64
            assert b.values.ndim == 2
            assert b.device_time_s is None or b.device_time_s.shape == (len(b),)
    # still usable: an example decodes exactly as on a fresh decoder
    for packet in _example_packets(p):
        decoder.reset()
        got = decoder.feed(role, packet)
        want = p.make_decoder().feed(role, packet)
        assert [b.channel for b in got] == [b.channel for b in want]
        for g, w in zip(got, want, strict=True):
            np.testing.assert_array_equal(g.values, w.values)


@pytest.mark.parametrize("profile", PROFILES, ids=[p.id for p in PROFILES])
@settings(max_examples=60, deadline=None, derandomize=True)
@given(chunks=st.lists(st.binary(max_size=300), max_size=6))
def test_random_bytes_never_crash(profile: Profile, chunks: list[bytes]) -> None:
    _feed_or_error(profile, chunks)


@pytest.mark.parametrize("profile", PROFILES, ids=[p.id for p in PROFILES])
@settings(max_examples=40, deadline=None, derandomize=True)
@given(data=st.data())
def test_truncated_and_corrupted_examples_never_crash(profile: Profile, data: Any) -> None:
    packet = data.draw(st.sampled_from(_example_packets(profile)))
    cut = data.draw(st.integers(0, len(packet)))
    flips = data.draw(st.lists(st.tuples(st.integers(0, len(packet) - 1), st.integers(0, 255))))
    corrupted = bytearray(packet)
    for i, value in flips:
        corrupted[i] = value
    _feed_or_error(profile, [packet[:cut], bytes(corrupted), packet[cut:]])


@pytest.mark.parametrize("profile", PROFILES, ids=[p.id for p in PROFILES])
def test_truncated_packet_raises_decode_error(profile: Profile) -> None:
    if profile.decoder.codec == "struct" and profile.decoder.framing == "stream":
        pytest.skip("stream framing waits for the rest of a split frame")
    packet = _example_packets(profile)[0]
    decoder = profile.make_decoder()
    role = profile.data_roles[0]
    if profile.decoder.codec == "movesense-gsp":
        # a short GSP message is held as the first part of a two-part message; a continuation
        # that cannot complete it is an error
        assert decoder.feed(role, packet[:-1]) == []
        with pytest.raises(DecodeError):
            decoder.feed(role, bytes([3, 99]) + b"\x00" * 5000)
        return
    with pytest.raises(DecodeError):
        decoder.feed(role, packet[:-1])


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    previous_ns=st.integers(1, 2**62),
    span_ns=st.integers(1, 10**10),
    n=st.integers(1, 300),
    rate_hz=st.sampled_from([1.0, 25.0, 52.0, 104.0, 208.0, 416.0, 1666.0]),
)
def test_pmd_timestamps_end_at_the_frame_and_match_exact_rounding(
    previous_ns: int, span_ns: int, n: int, rate_hz: float
) -> None:
    from fractions import Fraction

    frame_ns = previous_ns + span_ns
    got = polar_pmd.sample_timestamps_ns(previous_ns, frame_ns, n, rate_hz)
    assert got[-1] == frame_ns
    assert all(a <= b for a, b in itertools.pairwise(got))
    want = [previous_ns + round(Fraction(span_ns, n) * (i + 1)) for i in range(n)]
    assert got == want
    # without a previous frame the nominal rate spaces the samples back from the frame
    by_rate = polar_pmd.sample_timestamps_ns(None, 10**12 + frame_ns, n, rate_hz)
    want_rate = [
        10**12 + frame_ns - round(Fraction(10**9) / Fraction(rate_hz) * (n - 1 - i))
        for i in range(n)
    ]
    assert by_rate == want_rate
