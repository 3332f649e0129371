"""``sensorlab record`` / ``scan``: in-process runs, missing bleak, Ctrl-C and kill -9."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from sensorlab.cli import main
from sensorlab.io.csv_format import read_recording
from sensorlab.simulate import SimulationConfig, simulate_set

RECORD = ["record", "--simulate", "--profile", "polar-verity-sense", "--drill", "heels-to-glutes"]


def test_record_simulate_writes_an_analysable_file(tmp_path, capsys):
    out = tmp_path / "set.csv"
    status = main([*RECORD, "--speed", "8", "--duration", "9", "--side", "left", "--out", str(out)])
    assert status == 0
    stdout, stderr = capsys.readouterr()
    assert f"wrote {out}" in stdout
    assert "contacts" in stderr
    assert "samples" in stderr
    rec = read_recording(out)
    assert rec.metadata["side"] == "left"
    assert rec.metadata["simulated"] == "true"
    assert rec.metadata["device"] == "polar-verity-sense"
    assert rec.nominal_sampling_rate_hz == pytest.approx(416.0, rel=1e-3)
    written = int(re.search(r"(\d+) samples", stdout).group(1))
    assert rec.n_samples == written
    assert main(["analyze", str(out)]) == 0


def test_an_rsc_footpod_records_cadence_and_says_it_has_no_contacts(tmp_path, capsys):
    out = tmp_path / "pod.csv"
    argv = ["record", "--simulate", "--profile", "ble-rsc-footpod", "--drill", "heels-to-glutes"]
    assert main([*argv, "--speed", "8", "--duration", "14", "--out", str(out)]) == 0
    stdout, stderr = capsys.readouterr()
    assert "cadence only" in stdout
    assert "cannot find contacts" in stderr
    lines = out.read_text().splitlines()
    header = lines.index("time_s,cadence_spm,speed_mps,host_time_s")
    rows = np.array([[float(v) for v in line.split(",")] for line in lines[header + 1 :]])
    assert len(rows) >= 10  # about one value per second
    assert np.all(np.diff(rows[:, 0]) > 0)
    sim = simulate_set(
        SimulationConfig(
            drill="heels-to-glutes",
            placement="foot",
            side="right",
            leading_side="right",
            duration_s=10.0,
            seed=0,
            sampling_rate_hz=25.0,
        )
    )
    ic = sim.truth["ic_s"].to_numpy()
    truth_spm = (ic.size - 1) / (ic[-1] - ic[0]) * 60.0
    running = rows[rows[:, 1] > 0, 1]
    assert np.median(running) == pytest.approx(truth_spm, rel=0.05)
    assert main(["analyze", str(out)]) == 2  # no acceleration: analyze names the columns
    assert "cadence_spm" in capsys.readouterr().err


def test_record_never_overwrites(tmp_path, capsys):
    out = tmp_path / "set.csv"
    out.write_text("keep")
    assert main([*RECORD, "--out", str(out)]) == 2
    assert "existing" in capsys.readouterr().err
    assert out.read_text() == "keep"


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--rate", "500"], "cannot sample at 500 Hz"),
        (["--both-feet", "--out", "x.csv"], "--out names one file"),
    ],
)
def test_record_usage_errors(tmp_path, capsys, argv, fragment):
    assert main([*RECORD, *argv]) == 2
    err = capsys.readouterr().err
    assert fragment in err


def test_without_bleak_scan_and_record_say_how_to_install(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "bleak", None)  # import bleak -> ImportError
    assert main(["scan", "--timeout", "1"]) == 1
    assert "pip install 'sensorlab[ble]'" in capsys.readouterr().err
    assert (
        main(
            [
                "record",
                "--profile",
                "polar-verity-sense",
                "--drill",
                "heels-to-glutes",
                "--address",
                "AA:BB:CC:DD:EE:FF",
            ]
        )
        == 1
    )
    err = capsys.readouterr().err
    assert "pip install 'sensorlab[ble]'" in err
    assert err.count("\n") == err.count("note:") + 1


def _child(out, *extra):
    argv = [sys.executable, "-m", "sensorlab.cli", *RECORD, "--out", str(out), *extra]
    return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_samples(child, at_least):
    """Read the child's live lines until it reports ``at_least`` samples; return the last count."""
    reported = 0
    deadline = time.monotonic() + 60
    while reported < at_least and time.monotonic() < deadline:
        line = child.stderr.readline()
        if not line:
            break
        match = re.search(r"(\d+) samples", line)
        if match:
            reported = int(match.group(1))
    return reported


def test_kill_9_mid_recording_loses_no_reported_sample(tmp_path):
    out = tmp_path / "killed.csv"
    child = _child(out, "--speed", "6")
    try:
        reported = _wait_for_samples(child, 1500)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
        child.stdout.close()
        child.stderr.close()
    assert child.returncode == -signal.SIGKILL
    assert reported >= 1500
    rec = read_recording(out)
    assert rec.n_samples >= reported
    # the rows are exactly the device's samples, in order, without a hole
    sim = simulate_set(
        SimulationConfig(
            drill="heels-to-glutes",
            placement="foot",
            side="right",
            leading_side="right",
            duration_s=16.0,
            seed=0,
            sampling_rate_hz=416.0,
        )
    ).recording
    n = rec.n_samples
    errors = [np.abs(sim.acc_ms2[k : k + 50] - rec.acc_ms2[:50]).max() for k in range(200)]
    k = int(np.argmin(errors))
    np.testing.assert_allclose(rec.acc_ms2, sim.acc_ms2[k : k + n], atol=0.01)
    np.testing.assert_allclose(rec.gyr_dps, sim.gyr_dps[k : k + n], atol=0.1)
    np.testing.assert_allclose(np.diff(rec.time_s), 1 / 416.0, atol=1e-4)


def test_ctrl_c_runs_the_stop_script_and_closes_the_file(tmp_path):
    out = tmp_path / "stopped.csv"
    child = _child(out, "--speed", "6")
    try:
        reported = _wait_for_samples(child, 800)
        child.send_signal(signal.SIGINT)
        stdout, stderr = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0, stderr
    assert f"wrote {out}" in stdout
    rec = read_recording(out)
    assert rec.n_samples >= reported
    assert not rec.warnings  # closed cleanly: no incomplete last line
