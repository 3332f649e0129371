"""The production recording path (BleakClient) against bumble device emulators, no radio."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from ble_emulators.harness import contact_agreement, make_rig, record_rigs, stream_index

from sensorlab.cli import main
from sensorlab.io.csv_format import read_recording

SPEED = {
    "polar-verity-sense": 8.0,
    "polar-h10": 8.0,
    "witmotion-wt901ble": 4.0,
    "diy-footpod": 8.0,
    "movesense": 8.0,
    "metamotion-bmi160": 4.0,
    "metamotion-bmi270": 4.0,
    "nordic-thingy52": 4.0,
}


@pytest.mark.parametrize("profile_id", sorted(SPEED))
def test_a_recording_through_each_emulator_finds_the_simulated_contacts(tmp_path, profile_id):
    rig = make_rig(profile_id, tmp_path, speed=SPEED[profile_id])
    result = asyncio.run(record_rigs([rig], speed=SPEED[profile_id]))
    stats = result.stats[0]
    assert stats.malformed == 0
    assert stats.gaps == 0
    assert stats.samples == stats.received_samples  # every sample received is on disk
    assert rig.emulated.rejected_writes == []
    agreement = contact_agreement(rig)
    assert agreement.recall >= 0.99
    assert agreement.precision >= 0.85


def test_two_feet_in_one_session_are_paired_by_analyze(tmp_path, capsys):
    rigs = [make_rig("polar-verity-sense", tmp_path, side=s, speed=5.0) for s in ("left", "right")]
    result = asyncio.run(record_rigs(rigs, speed=5.0))
    assert [s.samples for s in result.stats] == [s.received_samples for s in result.stats]
    for rig in rigs:
        assert contact_agreement(rig).recall >= 0.99
        assert read_recording(rig.path).metadata["session"] == "test-session"
    left, right = (read_recording(r.path) for r in rigs)
    # one host clock: both files start within a packet of each other
    assert abs(left.time_s[0] - right.time_s[0]) < 0.2
    assert main(["analyze", str(rigs[0].path), str(rigs[1].path), "--json"]) == 0
    out = capsys.readouterr().out
    assert '"symmetry' in out


def test_a_dropped_link_reconnects_and_loses_none_of_the_received_samples(tmp_path):
    rig = make_rig("polar-verity-sense", tmp_path, speed=5.0)

    async def drop_once(world, rigs):
        peripheral = world.peripherals[rigs[0].address]
        while rigs[0].emulated.sent_samples < 1200:
            await asyncio.sleep(0.01)
        await peripheral.drop_link()

    result = asyncio.run(record_rigs([rig], speed=5.0, during=drop_once))
    stats = result.stats[0]
    assert stats.disconnects == 1
    assert stats.gaps == 1
    assert stats.samples == stats.received_samples
    rec = read_recording(rig.path, allow_gaps=True)
    sim = rig.drill.at_rate(416.0).recording
    # the rows are the device's samples in order, with one jump where the link was down
    k = stream_index(rec, rig, 416.0)
    step = np.diff(rec.time_s)
    jump = int(np.argmax(step))
    before = rec.acc_ms2[: jump + 1]
    np.testing.assert_allclose(before, sim.acc_ms2[k : k + jump + 1], atol=0.01)
    missing = round(step[jump] * 416.0) - 1
    after = rec.acc_ms2[jump + 1 :]
    start = k + jump + 1 + missing
    np.testing.assert_allclose(after, sim.acc_ms2[start : start + len(after)], atol=0.01)
    assert contact_agreement(rig, allow_gaps=True).recall >= 0.8
