"""Firmware profiles: the shipped files, the loader's errors, templates, scripts and the CLI."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from sensorlab.cli import main
from sensorlab.errors import ProfileError, UsageError
from sensorlab.profiles import (
    SCHEMA_VERSION,
    Expect,
    Subscribe,
    Write,
    list_profiles,
    load_profile,
    parse_profile,
)
from sensorlab.profiles.check import check_profile
from sensorlab.profiles.loader import PROFILE_PATH_ENV, profile_dirs, profile_files
from sensorlab.units import G_MS2

REPO = Path(__file__).resolve().parents[1]
SHIPPED = sorted((REPO / "firmware_profiles").glob("*.toml"))
REQUIRED = {
    "polar-h10",
    "polar-verity-sense",
    "movesense",
    "witmotion-wt901ble",
    "metamotion-bmi160",
    "metamotion-bmi270",
    "nordic-thingy52",
    "ble-rsc-footpod",
    "diy-footpod",
}


def test_every_required_device_family_has_a_profile() -> None:
    assert {p.stem for p in SHIPPED} >= REQUIRED
    assert {p.id for p in list_profiles()} >= REQUIRED


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_profile_is_valid_and_self_consistent(path: Path) -> None:
    p = parse_profile(path)
    assert p.id == path.stem
    assert p.schema_version == SCHEMA_VERSION
    assert p.examples, "every profile carries example packets"
    assert check_profile(p) == []
    for uuid in [*p.advertised_services, *(c.uuid for c in p.characteristics.values())]:
        assert uuid == uuid.lower()
    # a data role is subscribed before anything is expected from it
    subscribed = [s.role for s in p.start_script if isinstance(s, Subscribe)]
    assert set(p.data_roles) <= set(subscribed)
    for step in p.start_script:
        if isinstance(step, Expect):
            assert subscribed.index(step.role) < p.start_script.index(step)


def test_rsc_footpod_measures_cadence_only_and_says_so() -> None:
    p = load_profile("ble-rsc-footpod")
    assert p.measures == frozenset({"cadence", "speed"})
    assert "acc" not in p.measures
    assert any("contact time" in text.lower() for text in p.limitations)


def test_profiles_hash_and_counter_width() -> None:
    profiles = list_profiles()
    assert len(set(profiles)) == len(profiles)
    assert load_profile("diy-footpod").counter_bits == 16
    assert load_profile("polar-h10").counter_bits is None


def test_h10_is_chest_mounted() -> None:
    assert load_profile("polar-h10").placements == ("chest",)


def test_render_write_templates() -> None:
    h10 = load_profile("polar-h10")
    start = next(s for s in h10.start_script if isinstance(s, Write))
    data = h10.render_write(start, h10.params(rate_hz=100, range_g=4))
    assert data == bytes.fromhex("02 02 00 01 64 00 01 01 10 00 02 01 04 00")
    wit = load_profile("witmotion-wt901ble")
    rate_step = [s for s in wit.start_script if isinstance(s, Write)][1]
    assert wit.render_write(rate_step, wit.params(rate_hz=100)) == bytes.fromhex("FF AA 03 09 00")
    mw = load_profile("metamotion-bmi270")
    config = next(s for s in mw.start_script if isinstance(s, Write))
    assert mw.render_write(config, mw.params(rate_hz=800, range_g=2)) == bytes.fromhex(
        "03 03 AB 00"
    )


def test_params_reject_unsupported_rate_and_range() -> None:
    p = load_profile("polar-h10")
    with pytest.raises(UsageError, match="25, 50, 100, 200"):
        p.params(rate_hz=416)
    with pytest.raises(UsageError, match="range"):
        p.params(range_g=16)


def test_expect_captures_factor_or_default() -> None:
    verity = load_profile("polar-verity-sense")
    acc_expect = next(
        s
        for s in verity.start_script
        if isinstance(s, Expect) and s.capture and "acc_factor" in s.capture
    )
    with_factor = bytes.fromhex("F0 02 02 00 00 05 01 00 00 80 39")  # 2**-12 as float32
    assert acc_expect.matches(with_factor)
    assert acc_expect.captured(with_factor) == {"acc_factor": 2**-12}
    without = bytes.fromhex("F0 02 02 00 00")
    assert acc_expect.captured(without)["acc_factor"] == acc_expect.capture["acc_factor"].default
    assert not acc_expect.matches(bytes.fromhex("F0 02 02 08 00"))  # ERROR_INVALID_SAMPLE_RATE


def test_captured_factor_scales_the_decoder() -> None:
    verity = load_profile("polar-verity-sense")
    frame = bytes.fromhex("02 00 E4 0B 54 02 00 00 00 80 00 00 00 00 00 10")  # (0, 0, 4096)
    for factor in (2**-12, 2**-11):
        (block,) = verity.make_decoder({"acc_factor": factor}).feed("data", frame)
        np.testing.assert_allclose(block.values[0], [0, 0, 4096 * factor * G_MS2])


def test_load_unknown_profile_suggests_the_closest() -> None:
    with pytest.raises(UsageError, match="Did you mean 'polar-verity-sense'"):
        load_profile("polar-verity")


def test_profile_path_env_adds_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (REPO / "firmware_profiles" / "diy-footpod.toml").read_text(encoding="utf-8")
    (tmp_path / "my-pod.toml").write_text(text.replace('id = "diy-footpod"', 'id = "my-pod"'))
    monkeypatch.setenv(PROFILE_PATH_ENV, str(tmp_path))
    assert profile_dirs()[0] == tmp_path
    assert load_profile("my-pod").source_path == tmp_path / "my-pod.toml"
    assert "diy-footpod" in profile_files()


def test_installed_profiles_are_found_under_the_prefix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    share = tmp_path / "share" / "sensorlab" / "firmware_profiles"
    share.mkdir(parents=True)
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    monkeypatch.delenv(PROFILE_PATH_ENV, raising=False)
    assert share in profile_dirs()
    assert profile_dirs()[0] == REPO / "firmware_profiles"  # a source tree wins


# ---------------------------------------------------------------------------------------------
# Loader errors name the file, the key and the problem

BASE = (REPO / "firmware_profiles" / "diy-footpod.toml").read_text(encoding="utf-8")


def _sub(old: str, new: str) -> Callable[[str], str]:
    def edit(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return edit


BAD = [
    (
        "unknown_key",
        _sub('family = "sensorlab-diy"', 'family = "sensorlab-diy"\nfamly = "x"'),
        "famly",
        "unknown key",
    ),
    ("missing", _sub('name = "sensorlab DIY footpod"\n', ""), "name", "required"),
    (
        "type",
        _sub("default_rate_hz = 416", 'default_rate_hz = "fast"'),
        "sampling.default_rate_hz",
        "number",
    ),
    (
        "rate_not_listed",
        _sub("default_rate_hz = 416", "default_rate_hz = 500"),
        "sampling.default_rate_hz",
        "not one of",
    ),
    ("schema", _sub("schema_version = 1", "schema_version = 2"), "schema_version", "version 1"),
    ("id", _sub('id = "diy-footpod"', 'id = "other"'), "id", "file name"),
    (
        "uuid",
        _sub('uuid = "76fd0002-b55a-478d-8bd4-4ed1152cffd6"', 'uuid = "2a53"'),
        "characteristics.data.uuid",
        "128-bit",
    ),
    (
        "measure",
        _sub('measures = ["acc", "gyr"]', 'measures = ["acc", "ecg"]'),
        "measures",
        "'ecg'",
    ),
    (
        "measures_vs_decoder",
        _sub('measures = ["acc", "gyr"]', 'measures = ["acc"]'),
        "measures",
        "decoder gives",
    ),
    (
        "role",
        _sub('subscribe = "control"', 'subscribe = "ctrl"'),
        "start[0].subscribe",
        "no characteristic",
    ),
    ("template", _sub("{range_g:u8}", "{range_g:u12}"), "start[2].hex", "unknown format"),
    ("template_param", _sub("{range_g:u8}", "{gain:u8}"), "start[2].hex", "no known parameter"),
    (
        "property",
        _sub('properties = ["write", "notify"]', 'properties = ["notify"]'),
        "start[2].with_response",
        "does not allow write",
    ),
    (
        "channel_bytes",
        _sub("record_bytes = 12", "record_bytes = 8"),
        "decoder.messages[0].channels",
        "record_bytes",
    ),
    ("codec", _sub('codec = "struct"', 'codec = "polar"'), "decoder.codec", "polar-pmd"),
    (
        "axis",
        _sub("[sampling]", '[axes]\nacc = ["+x", "+x", "+z"]\n\n[sampling]'),
        "axes.acc",
        "distinct",
    ),
]


@pytest.mark.parametrize(("edit", "key", "problem"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_invalid_profile_errors_name_file_key_and_problem(
    tmp_path: Path, edit: Callable[[str], str], key: str, problem: str
) -> None:
    path = tmp_path / "diy-footpod.toml"
    path.write_text(edit(BASE), encoding="utf-8")
    with pytest.raises(ProfileError) as info:
        parse_profile(path)
    assert info.value.path == str(path)
    assert f"key '{key}" in info.value.message
    assert problem in info.value.message
    assert "\n" not in info.value.one_line()


def test_invalid_toml_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("id = [", encoding="utf-8")
    with pytest.raises(ProfileError, match="not valid TOML"):
        parse_profile(path)
    with pytest.raises(ProfileError, match="not found"):
        parse_profile(tmp_path / "absent.toml")


def test_check_reports_an_example_that_decodes_differently(tmp_path: Path) -> None:
    path = tmp_path / "diy-footpod.toml"
    path.write_text(
        BASE.replace("first_sample = [0.0, 0.0, 1.0]", "first_sample = [0.0, 0.0, 2.0]")
    )
    problems = check_profile(parse_profile(path))
    assert len(problems) == 1
    assert "[0.0, 0.0, 1.0]" in problems[0]


# ---------------------------------------------------------------------------------------------
# Command line


def test_cli_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profiles", "list"]) == 0
    out = capsys.readouterr().out
    ids = {line.split()[0] for line in out.splitlines()}
    assert ids >= REQUIRED
    assert re.search(r"^ble-rsc-footpod\s+cadence,speed\s", out, re.MULTILINE)


def test_cli_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profiles", "show", "polar-verity-sense"]) == 0
    out = capsys.readouterr().out
    assert "02 02 00 01 A0 01 01 01 10 00 02 01 10 00 04 01 03" in out  # 416 Hz, 16 g
    assert "capture acc_factor" in out


def test_cli_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profiles", "check"]) == 0
    assert capsys.readouterr().out.count(": ok") == len(profile_files())
    bad = tmp_path / "diy-footpod.toml"
    bad.write_text(BASE.replace("samples = 0", "samples = -1"), encoding="utf-8")
    assert main(["profiles", "check", str(bad)]) == 2
    captured = capsys.readouterr()
    assert "decoder.messages[0].samples" in captured.out
    assert captured.err.count("\n") == 1


def test_cli_decode_json(capsys: pytest.CaptureFixture[str]) -> None:
    hex_ = "55 61 00 00 00 00 00 08 00 00 00 00 00 00 00 00 00 00 00 00"
    assert main(["profiles", "decode", "witmotion-wt901ble", hex_, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    acc = next(b for b in out["blocks"] if b["channel"] == "acc")
    assert acc["unit"] == "m/s2"
    np.testing.assert_allclose(acc["values"], [[0, 0, G_MS2]])


def test_cli_decode_with_captured_param(capsys: pytest.CaptureFixture[str]) -> None:
    frame = "02 00 E4 0B 54 02 00 00 00 80 00 00 00 00 00 10"
    args = ["profiles", "decode", "polar-verity-sense", frame, "--json"]
    assert main([*args, "--param", "acc_factor=0.0001220703125"]) == 0
    acc = json.loads(capsys.readouterr().out)["blocks"][0]
    np.testing.assert_allclose(acc["values"], [[0, 0, 0.5 * G_MS2]])
    assert acc["device_time_s"] == [10.0]


def test_cli_decode_malformed_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["profiles", "decode", "ble-rsc-footpod", "07 00 03"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "RSC" in err
    assert main(["profiles", "decode", "ble-rsc-footpod", "zz"]) == 2
