"""The production recording path (BleakClient) against bumble device emulators, no radio."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from ble_emulators.harness import contact_agreement, make_rig, record_rigs, stream_index

from sensorlab.cli import main
from sensorlab.io.csv_format import read_recording
from sensorlab.profiles.loader import load_profile
from sensorlab.profiles.model import Write

SPEED = {
    "polar-verity-sense": 8.0,
    "polar-h10": 8.0,
    "witmotion-wt901ble": 3.0,
    "diy-footpod": 8.0,
    "movesense": 8.0,
    "metamotion-bmi160": 2.0,
    "metamotion-bmi270": 2.0,
    "nordic-thingy52": 3.0,
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
    # the device got the stop script's commands last (Ctrl-C / --duration path)
    profile = load_profile(profile_id)
    stop_writes = [
        profile.render_write(step, profile.params())
        for step in profile.stop_script
        if isinstance(step, Write)
    ]
    if stop_writes:
        assert rig.emulated.writes[-len(stop_writes) :] == stop_writes
    assert not rig.emulated.streaming
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
    for rig in rigs:
        # one host clock: sample times are on the session's host axis, next to arrival times
        # (within the delay of the packet the device clock was anchored on: the first)
        rec = read_recording(rig.path)
        lateness_s = rec.extra["host_time_s"] - rec.time_s
        assert abs(np.median(lateness_s)) < 1.0
        assert np.ptp(lateness_s[100:]) < 1.0  # no drift between the two axes
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


@pytest.mark.parametrize("profile_id", ["polar-verity-sense", "movesense"])
def test_malformed_notifications_are_counted_and_skipped(tmp_path, profile_id):
    rig = make_rig(profile_id, tmp_path, speed=8.0, duration_s=4.0)
    rig.emulated.malformed_every = 7
    result = asyncio.run(record_rigs([rig], speed=8.0))
    stats = result.stats[0]
    assert rig.emulated.malformed_sent > 5
    assert stats.malformed == rig.emulated.malformed_sent
    assert stats.gaps == 0  # the good packets around them are all there
    assert stats.samples == stats.received_samples == rig.emulated.sent_samples
    assert contact_agreement(rig).recall >= 0.99


async def _with_device(emulated, body):
    """Connect BleakTransport (bumble backend) to ``emulated``, run ``body(transport)``."""
    from ble_emulators.bleak_backend import BumbleBleakClient
    from ble_emulators.world import BumbleWorld

    from sensorlab.collect.bleak_transport import BleakTransport

    world = BumbleWorld()
    await world.start()
    try:
        address = await world.add(emulated)
        transport = BleakTransport(
            address, backend=BumbleBleakClient, backend_kwargs={"world": world}, timeout_s=5.0
        )
        await transport.connect()
        try:
            return await body(transport)
        finally:
            await transport.disconnect()
    finally:
        await world.close()


def test_a_device_refuses_a_start_command_it_cannot_do():
    from sensorlab.collect.emulate import PolarVeritySenseDevice, SimulatedDrill
    from sensorlab.collect.script import ProfileDriver
    from sensorlab.errors import DeviceError
    from sensorlab.profiles.loader import load_profile
    from sensorlab.simulate import SimulationConfig

    profile = load_profile("polar-verity-sense")
    device = PolarVeritySenseDevice(SimulatedDrill(SimulationConfig(drill="heels-to-glutes")))
    params = {**profile.params(), "rate_hz": 500.0}  # not a Verity Sense rate

    async def start(transport):
        await ProfileDriver(profile, params).start(transport, lambda role, data: None)

    with pytest.raises(DeviceError, match=r"found f0 02 02 08"):  # ERROR_INVALID_SAMPLE_RATE
        asyncio.run(_with_device(device, start))
    assert not device.streaming


def test_a_write_the_device_refuses_is_a_device_error():
    from sensorlab.collect.emulate import RscFootpodDevice, SimulatedDrill
    from sensorlab.errors import DeviceError
    from sensorlab.simulate import SimulationConfig

    device = RscFootpodDevice(SimulatedDrill(SimulationConfig(drill="heels-to-glutes")))

    async def write(transport):
        await transport.write(device.FEATURE, b"\x01", response=True)

    with pytest.raises(DeviceError, match="write 01"):
        asyncio.run(_with_device(device, write))


def test_the_rsc_footpod_reports_the_simulated_cadence():
    from sensorlab.collect.emulate import RscFootpodDevice, SimulatedDrill
    from sensorlab.collect.script import ProfileDriver
    from sensorlab.profiles.loader import load_profile
    from sensorlab.simulate import SimulationConfig

    profile = load_profile("ble-rsc-footpod")
    drill = SimulatedDrill(
        SimulationConfig(drill="heels-to-glutes", duration_s=8.0, standing_s=(2.0, 2.0), seed=2)
    )
    device = RscFootpodDevice(drill, speed=8.0)
    driver = ProfileDriver(profile, profile.params())
    received: list[tuple[str, bytes]] = []

    async def stream(transport):
        await driver.start(transport, lambda role, data: received.append((role, data)))
        await device.finished.wait()
        await driver.stop(transport)

    asyncio.run(_with_device(device, stream))
    decoder = driver.new_decoder()
    cadence = [
        float(block.values[0, 0])
        for role, data in received
        for block in decoder.feed(role, data)
        if block.channel == "cadence"
    ]
    truth_ic = drill.at_rate(device.RATE_HZ).truth["ic_s"].to_numpy()
    truth_spm = (truth_ic.size - 1) / (truth_ic[-1] - truth_ic[0]) * 60.0
    assert len(cadence) >= 10  # about one value per second of the 12 s drill
    assert cadence[0] == 0.0  # standing still before the set
    running = [c for c in cadence if c > 0]
    assert np.median(running) == pytest.approx(truth_spm, rel=0.05)
