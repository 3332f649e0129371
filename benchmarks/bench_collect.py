"""Sustained rate and CPU share of the collector, in real time, with no loss allowed.

Two scenarios, each a session recorded in real time (speed 1) for ``--seconds``:

* ``2 x 416 Hz``: two Polar Verity Sense emulators (left and right foot, acc + gyro,
  delta-compressed PMD frames);
* ``1 x 1600 Hz``: one DIY-footpod emulator (acc + gyro, 19 samples per notification).

Each device runs the production path: notification callback -> queue -> writer task (decode,
times, rows, ``RecordingWriter.append`` with fsync per batch) -> live contact detection every
0.5 s. The link is the in-process loopback (``--link loopback``, default) or bleak's
``BleakClient`` over the tests' bumble backend (``--link bumble``: adds a whole BLE stack in
Python, so it measures bumble as much as the collector).

Printed per scenario: samples written per device and per second, samples the emulators sent,
gaps and lost samples (must be 0), and the CPU share = process CPU time / wall time over the
recording. The emulators' own work (encoding frames) is inside that share: it is an upper
bound of the collector's.

Usage::

    python benchmarks/bench_collect.py [--seconds 15] [--link loopback|bumble]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sensorlab.collect.emulate import (
    DiyFootpodDevice,
    EmulatedDevice,
    LoopbackTransport,
    PolarVeritySenseDevice,
    SimulatedDrill,
)
from sensorlab.collect.session import DeviceSetup, record_session
from sensorlab.io.csv_format import read_recording
from sensorlab.profiles.loader import load_profile
from sensorlab.simulate import SimulationConfig

DRILL = "heels-to-glutes"


async def _scenario(
    name: str,
    devices: list[tuple[str, type[EmulatedDevice], float, str]],
    seconds: float,
    folder: Path,
    link: str,
) -> bool:
    world: Any = None
    if link == "bumble":
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
        from ble_emulators.bleak_backend import BumbleBleakClient
        from ble_emulators.world import BumbleWorld

        from sensorlab.collect.bleak_transport import BleakTransport

        world = BumbleWorld()
        await world.start()
    setups, emulators = [], []
    for profile_id, cls, rate, side in devices:
        profile = load_profile(profile_id)
        params = profile.params(rate_hz=rate)
        drill = SimulatedDrill(
            SimulationConfig(
                drill=DRILL,
                side=side,
                leading_side="right",
                duration_s=seconds + 10.0,
                seed=3,
            )
        )
        drill.samples(rate)  # simulate before the clock starts
        emulated = cls(drill)
        emulators.append(emulated)
        if world is not None:
            address = await world.add(emulated)
            transport: Any = BleakTransport(
                address, backend=BumbleBleakClient, backend_kwargs={"world": world}
            )
        else:
            transport = LoopbackTransport(emulated)
        path = folder / f"{name.replace(' ', '')}-{side}.csv"
        meta = {"device": profile.id, "drill": DRILL, "placement": "foot", "side": side}
        setups.append(DeviceSetup(transport, profile, params, path, meta, label=f"{side} "))

    cpu0, wall0 = time.process_time(), time.monotonic()
    result = await record_session(setups, drill=DRILL, placement="foot", duration_s=seconds)
    cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
    if world is not None:
        await world.close()
    for emulated in emulators:
        await emulated.aclose()

    ok = True
    print(f"\n{name}  ({link} link, {wall:.1f} s wall)")
    for setup, stats, emulated in zip(setups, result.stats, emulators, strict=True):
        rec = read_recording(setup.path, allow_gaps=True)
        span_s = float(rec.time_s[-1] - rec.time_s[0])
        rate = (rec.n_samples - 1) / span_s
        lossless = stats.gaps == 0 and stats.lost_samples == 0 and stats.malformed == 0
        lossless &= stats.samples == stats.received_samples == rec.n_samples
        ok &= lossless
        print(
            f"  {setup.label}{setup.profile.id}: {rec.n_samples} samples written "
            f"({emulated.sent_samples} sent), {rate:.1f} samples/s sustained, "
            f"gaps {stats.gaps}, lost {stats.lost_samples}, malformed {stats.malformed}"
            f" -> {'no loss' if lossless else 'LOSS'}"
        )
    print(f"  CPU share: {cpu:.2f} s CPU / {wall:.2f} s wall = {100 * cpu / wall:.1f} % of a core")
    return ok


async def _main(seconds: float, link: str) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ok = await _scenario(
            "2 x 416 Hz",
            [
                ("polar-verity-sense", PolarVeritySenseDevice, 416.0, "left"),
                ("polar-verity-sense", PolarVeritySenseDevice, 416.0, "right"),
            ],
            seconds,
            folder,
            link,
        )
        ok &= await _scenario(
            "1 x 1600 Hz",
            [("diy-footpod", DiyFootpodDevice, 1600.0, "right")],
            seconds,
            folder,
            link,
        )
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="recording length in s")
    parser.add_argument("--link", choices=("loopback", "bumble"), default="loopback")
    args = parser.parse_args()
    return asyncio.run(_main(args.seconds, args.link))


if __name__ == "__main__":
    sys.exit(main())
