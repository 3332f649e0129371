"""Run the production recording path against emulators on a bumble link; score the result."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ble_emulators.bleak_backend import BumbleBleakClient
from ble_emulators.world import BumbleWorld
from sensorlab.analysis import analyze_recording
from sensorlab.collect.bleak_transport import BleakTransport
from sensorlab.collect.emulate import EmulatedDevice, ScaledClock, SimulatedDrill, emulator_for
from sensorlab.collect.recorder import Backoff
from sensorlab.collect.session import DeviceSetup, SessionResult, record_session
from sensorlab.evaluation import Agreement, match_contacts
from sensorlab.io.csv_format import read_recording
from sensorlab.profiles.loader import load_profile
from sensorlab.recording import Recording
from sensorlab.simulate import SimulationConfig

DRILL = "heels-to-glutes"


@dataclass
class Rig:
    """One emulated device and where its recording goes."""

    profile_id: str
    emulated: EmulatedDevice
    drill: SimulatedDrill
    path: Path
    side: str
    placement: str
    address: str = ""


def make_rig(
    profile_id: str,
    tmp_path: Path,
    *,
    side: str = "right",
    speed: float,
    seed: int = 1,
    duration_s: float = 6.0,
) -> Rig:
    profile = load_profile(profile_id)
    placement = "chest" if "foot" not in profile.placements else "foot"
    config = SimulationConfig(
        drill=DRILL,
        placement=placement,
        side=side,
        leading_side="right",
        duration_s=duration_s,
        seed=seed,
        gyro="gyr" in profile.measures,
        standing_s=(1.5, 1.5),
    )
    drill = SimulatedDrill(config)
    emulated = emulator_for(profile.family, profile.id)(drill, speed=speed)
    return Rig(profile_id, emulated, drill, tmp_path / f"{profile_id}-{side}.csv", side, placement)


async def record_rigs(
    rigs: list[Rig],
    *,
    speed: float,
    during: Callable[[BumbleWorld, list[Rig]], Awaitable[None]] | None = None,
    session: str = "test-session",
) -> SessionResult:
    """Record every rig through BleakClient + the bumble backend until their drills end."""
    world = BumbleWorld()
    await world.start()
    try:
        setups = []
        for rig in rigs:
            rig.address = await world.add(rig.emulated)
            profile = load_profile(rig.profile_id)
            params = profile.params()
            transport = BleakTransport(
                rig.address,
                backend=BumbleBleakClient,
                backend_kwargs={"world": world},
                timeout_s=5.0,
            )
            meta = {
                "device": profile.id,
                "drill": DRILL,
                "placement": rig.placement,
                "side": rig.side,
                "session": session,
                "sampling_rate_hz": f"{params['rate_hz']:g}",
            }
            setups.append(
                DeviceSetup(transport, profile, params, rig.path, meta, label=f"{rig.side} ")
            )
        stop = asyncio.Event()

        async def stop_when_done() -> None:
            if during is not None:
                await during(world, rigs)
            for rig in rigs:
                await rig.emulated.finished.wait()
            await asyncio.sleep(0.3)
            stop.set()

        watcher = asyncio.create_task(stop_when_done())
        try:
            result = await record_session(
                setups,
                drill=DRILL,
                placement=rigs[0].placement,
                stop=stop,
                clock=ScaledClock(speed),
                backoff=Backoff(first_s=0.05, max_s=0.2),
                fsync=False,
            )
        finally:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)
        return result
    finally:
        await world.close()


def stream_index(rec: Recording, rig: Rig, rate_hz: float) -> int:
    """Index in the simulated stream of the first recorded sample (by matching values)."""
    sim = rig.drill.at_rate(rate_hz).recording
    n = min(rec.n_samples, 400)
    errors = [
        float(np.abs(sim.acc_ms2[k : k + n] - rec.acc_ms2[:n]).mean())
        for k in range(sim.n_samples - n + 1)
    ]
    return int(np.argmin(errors))


def contact_agreement(rig: Rig, *, allow_gaps: bool = False) -> Agreement:
    """Contacts analysed from the rig's file against the simulator's truth for its side."""
    rec = read_recording(rig.path, allow_gaps=allow_gaps)
    rate = float(rec.metadata["sampling_rate_hz"])
    sim = rig.drill.at_rate(rate)
    k = stream_index(rec, rig, rate)
    offset_s = rec.time_s[0] - sim.recording.time_s[k]
    analysis = analyze_recording(rec)
    truth = (
        sim.truth
        if rig.placement in ("sacrum", "chest")
        else sim.truth[sim.truth["side"] == rig.side]
    )
    return match_contacts(
        np.array([c.ic_s for c in analysis.contacts]) - offset_s,
        np.array([c.to_s for c in analysis.contacts]) - offset_s,
        truth["ic_s"].to_numpy(),
        truth["to_s"].to_numpy(),
        tolerance_s=0.06,
    )
