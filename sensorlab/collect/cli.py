"""``sensorlab record`` and ``sensorlab scan``: the collector's commands.

bleak (the ``ble`` extra) is imported only when a real device is used: ``record --simulate``
streams a simulated drill from a device emulator and needs no Bluetooth at all.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from sensorlab.cli import positive_float
from sensorlab.errors import DeviceError, UsageError
from sensorlab.units import PLACEMENTS, SIDES

Handler = Callable[[argparse.Namespace], int]

DEFAULT_FOLDER = "recordings"


def add_commands(sub: Any) -> dict[str, Handler]:
    """Add ``record`` and ``scan`` to the sub-parsers ``sub``; return their handlers."""
    p = sub.add_parser(
        "record",
        help="record a drill set from a BLE sensor (or a simulated one) to a recording CSV",
        description=(
            "Connect, start streaming, show contacts, cadence and contact time live, and append "
            "every sample to a new CSV as it arrives. Ctrl-C (or --duration) stops the device "
            "and closes the file. A dropped link is reconnected; the gap stays in the file."
        ),
    )
    p.add_argument(
        "--profile", required=True, help="firmware profile id (see 'sensorlab profiles list')"
    )
    p.add_argument("--drill", required=True, help="drill id (see 'sensorlab drills')")
    p.add_argument("--address", help="device address (default: the first one found by a scan)")
    p.add_argument(
        "--left", metavar="ADDRESS", help="left-foot device address (with --right: both feet)"
    )
    p.add_argument("--right", metavar="ADDRESS", help="right-foot device address")
    p.add_argument("--placement", choices=PLACEMENTS, help="where the sensor is worn")
    p.add_argument("--side", choices=SIDES, help="side of a foot/shank sensor")
    p.add_argument("--set", type=int, dest="set_number", metavar="N", help="set number")
    p.add_argument("--athlete", help="athlete name or id (stored in the file)")
    p.add_argument(
        "--rate", type=positive_float, metavar="HZ", help="sampling rate (default: profile's)"
    )
    p.add_argument("--range", type=positive_float, metavar="G", help="accelerometer range in g")
    p.add_argument("--duration", type=positive_float, metavar="S", help="stop after S seconds")
    p.add_argument(
        "--out",
        metavar="CSV",
        help=f"output file (default: a new file in ./{DEFAULT_FOLDER}/); never overwritten",
    )
    p.add_argument(
        "--simulate",
        action="store_true",
        help="no hardware: stream a simulated drill from an emulator of the profile's device",
    )
    p.add_argument(
        "--both-feet",
        action="store_true",
        help="with --simulate: two simulated devices, left and right foot, in one session",
    )
    p.add_argument("--seed", type=int, default=0, help="with --simulate: simulation seed")
    p.add_argument(
        "--speed",
        type=positive_float,
        default=1.0,
        metavar="X",
        help="with --simulate: stream X times faster than real time (default: 1)",
    )

    s = sub.add_parser("scan", help="list nearby BLE devices that match a firmware profile")
    s.add_argument(
        "--timeout", type=positive_float, default=8.0, metavar="S", help="scan time in s"
    )
    s.add_argument("--json", action="store_true", help="print JSON")
    return {"record": _cmd_record, "scan": _cmd_scan}


def _cmd_scan(args: argparse.Namespace) -> int:
    from sensorlab.collect.bleak_transport import require_bleak, scan
    from sensorlab.profiles.loader import list_profiles

    require_bleak()
    profiles = list_profiles()
    results = asyncio.run(scan(args.timeout, profiles))
    if args.json:
        print(json.dumps([r.__dict__ for r in results], indent=2, default=list))
        return 0
    if not results:
        print(f"no device matching a firmware profile found in {args.timeout:g} s", file=sys.stderr)
        return 0
    for r in results:
        rssi = "" if r.rssi_dbm is None else f"{r.rssi_dbm} dBm"
        print(f"{r.address}  {r.name or '(no name)'}  {rssi}  profiles: {', '.join(r.profile_ids)}")
    return 0


def _default_path(
    folder: Path, started: datetime, drill: str, profile_id: str, side: str | None
) -> Path:
    stem = f"{started:%Y%m%d-%H%M%S}-{drill}-{profile_id}" + (f"-{side}" if side else "")
    path = folder / f"{stem}.csv"
    n = 2
    while path.exists():
        path = folder / f"{stem}-{n}.csv"
        n += 1
    return path


def _devices(args: argparse.Namespace) -> list[tuple[str | None, str | None]]:
    """(address, side) of every device to record."""
    if args.both_feet and not args.simulate:
        raise UsageError("--both-feet needs --simulate (real devices: --left and --right)")
    if args.speed != 1.0 and not args.simulate:
        raise UsageError("--speed needs --simulate")
    if args.left or args.right or args.both_feet:
        if args.address or args.side:
            raise UsageError(
                "--left/--right/--both-feet cannot be combined with --address or --side"
            )
        if args.simulate:
            if args.left or args.right:
                raise UsageError("with --simulate use --both-feet instead of --left/--right")
            return [(None, "left"), (None, "right")]
        if not (args.left and args.right):
            raise UsageError("give both --left ADDRESS and --right ADDRESS (or --address)")
        return [(args.left, "left"), (args.right, "right")]
    return [(args.address, args.side)]


def _cmd_record(args: argparse.Namespace) -> int:
    from sensorlab.collect.session import (
        DeviceSetup,
        new_session_id,
        recording_metadata,
        started_now,
    )
    from sensorlab.drills import get_drill
    from sensorlab.profiles.loader import load_profile

    get_drill(args.drill)
    profile = load_profile(args.profile)
    params = profile.params(rate_hz=args.rate, range_g=args.range)
    placement = args.placement or (profile.placements[0] if profile.placements else "foot")
    devices = _devices(args)
    if args.out and len(devices) > 1:
        raise UsageError("--out names one file; two devices get default names (omit --out)")
    if args.out and Path(args.out).exists():
        raise UsageError(
            f"{args.out}: expected a new file, found an existing one (a recording is never "
            "overwritten; choose another name)"
        )
    for note in profile.limitations:
        print(f"note: {profile.name}: {note}", file=sys.stderr)
    if "acc" not in profile.measures:
        print(
            f"note: {profile.name} measures only {', '.join(sorted(profile.measures))}: the file "
            "gets cadence and speed, and 'analyze' cannot find contacts or contact times in it. "
            "Use a raw-IMU profile for those (see 'sensorlab profiles list').",
            file=sys.stderr,
        )

    started = started_now()
    session = new_session_id(started)
    setups = []
    emulators = []
    for address, side in devices:
        transport, shown_address, emulated = _transport(args, profile, address, side, placement)
        if emulated is not None:
            emulators.append(emulated)
        path = (
            Path(args.out)
            if args.out
            else _default_path(Path(DEFAULT_FOLDER), started, args.drill, profile.id, side)
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        meta = recording_metadata(
            profile,
            params,
            drill=args.drill,
            placement=placement,
            side=side,
            session=session,
            started_at=started,
            address=shown_address,
            set_number=args.set_number,
            athlete=args.athlete,
            simulated=args.simulate,
        )
        label = f"{side} " if len(devices) > 1 and side else ""
        setups.append(DeviceSetup(transport, profile, params, path, meta, label=label))

    # with --simulate and no --duration, the end of the simulated drill stops the recording
    try:
        return asyncio.run(_record(setups, args, placement, args.duration, emulators))
    except asyncio.CancelledError:
        raise DeviceError(
            "stopped by a second Ctrl-C before the device's stop script finished",
            hint="the file holds every sample written so far",
        ) from None


def _transport(
    args: argparse.Namespace, profile: Any, address: str | None, side: str | None, placement: str
) -> tuple[Any, str, Any]:
    if args.simulate:
        from sensorlab.collect.emulate import LoopbackTransport, SimulatedDrill, emulator_for
        from sensorlab.simulate import SimulationConfig

        emulator = emulator_for(profile.family, profile.id)
        drill = SimulatedDrill(
            SimulationConfig(
                drill=args.drill,
                placement=placement,
                side=side or "right",
                leading_side="right",
                duration_s=max(4.0, (args.duration or 20.0) - 4.0),
                gyro="gyr" in profile.measures,
                seed=args.seed,
            )
        )
        device = emulator(drill, speed=args.speed)
        return LoopbackTransport(device), f"simulated {device.name}", device
    from sensorlab.collect.bleak_transport import BleakTransport, require_bleak, scan

    require_bleak()
    if address is None:
        print(f"scanning for a {profile.name}...", file=sys.stderr)
        found = asyncio.run(scan(8.0, [profile]))
        if not found:
            raise DeviceError(
                f"expected a {profile.name} nearby, found none in 8 s",
                hint="is it awake, charged and not connected to another app? try 'sensorlab scan'",
            )
        address = found[0].address
    return BleakTransport(address), address, None


async def _record(
    setups: list[Any],
    args: argparse.Namespace,
    placement: str,
    duration: float | None,
    emulators: list[Any],
) -> int:
    from sensorlab.collect.emulate import ScaledClock
    from sensorlab.collect.session import record_session

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    main_task = asyncio.current_task()

    def on_signal() -> None:
        # the first Ctrl-C stops cleanly (stop script, file closed); a second one cancels
        if stop.is_set() and main_task is not None:
            main_task.cancel()
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal)

    async def end_of_simulation() -> None:
        for device in emulators:
            await device.finished.wait()
        await asyncio.sleep(0.3)
        stop.set()

    watcher = asyncio.create_task(end_of_simulation()) if emulators else None
    view = _LiveView(sys.stderr)
    # a sped-up simulation runs the recorder's clock at the same speed
    clock = ScaledClock(args.speed) if args.simulate else time.monotonic
    try:
        result = await record_session(
            setups,
            drill=args.drill,
            placement=placement,
            stop=stop,
            duration_s=duration,
            show=view.show,
            clock=clock,
        )
    finally:
        view.close()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        if watcher is not None:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)
        for device in emulators:
            await device.aclose()
    for path, stats, live in zip(result.paths, result.stats, result.live, strict=True):
        parts = [f"{stats.samples} samples", f"lost {stats.lost_samples} in {stats.gaps} gap(s)"]
        if stats.malformed:
            parts.append(f"{stats.malformed} bad packet(s) skipped")
        if stats.disconnects:
            parts.append(f"{stats.disconnects} reconnection(s)")
        if live is None and stats.cadence_spm is not None:
            parts.append(f"last cadence {stats.cadence_spm:.0f} spm (cadence only, no contacts)")
        if live is not None:
            cadence = "--" if live.cadence_spm is None else f"{live.cadence_spm:.0f} spm"
            contact = "--" if live.contact_ms is None else f"{live.contact_ms:.0f} ms"
            parts.append(f"{live.contacts} contacts, cadence {cadence}, contact {contact}")
        print(f"wrote {path}: {', '.join(parts)}")
    if len(result.paths) == 2:
        print(f"analyse both feet: sensorlab analyze {result.paths[0]} {result.paths[1]}")
    elif result.paths and "acc" in setups[0].profile.measures:
        print(f"analyse it: sensorlab analyze {result.paths[0]}")
    return 0


class _LiveView:
    """A refreshing status line on a terminal; one line per refresh elsewhere (logs, pipes)."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self._width = 0

    def show(self, lines: list[str]) -> None:
        text = "  ||  ".join(lines)
        if self.tty:
            pad = max(0, self._width - len(text))
            self.stream.write("\r" + text + " " * pad)
            self._width = len(text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty and self._width:
            self.stream.write("\n")
            self.stream.flush()
