"""Record one or more devices (e.g. left and right foot) in one session.

Each device gets its own :class:`~sensorlab.collect.recorder.DeviceRecorder` and file; all
share one host time origin and one ``session`` id, so ``analyze`` pairs the files and their
``time_s`` axes agree. A live view is refreshed every ``refresh_s`` from the counters and a
:class:`~sensorlab.collect.live.LiveAnalyzer` per device.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sensorlab import __version__
from sensorlab.collect.live import LiveAnalyzer, LiveSummary, status_line
from sensorlab.collect.recorder import Backoff, DeviceRecorder, DeviceStats
from sensorlab.collect.rows import Rows
from sensorlab.collect.script import ProfileDriver
from sensorlab.collect.transport import Transport
from sensorlab.profiles.model import Profile

__all__ = ["DeviceSetup", "SessionResult", "new_session_id", "record_session", "recording_metadata"]


def new_session_id(started_at: datetime) -> str:
    """A session id: the start time and a random suffix (shared by the files of a session)."""
    return f"{started_at:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


def recording_metadata(
    profile: Profile,
    params: Mapping[str, Any],
    *,
    drill: str,
    placement: str,
    side: str | None,
    session: str,
    started_at: datetime,
    address: str,
    set_number: int | None = None,
    athlete: str | None = None,
    simulated: bool = False,
) -> dict[str, str]:
    """The ``# key: value`` lines of a recording made by the collector."""
    meta = {
        "device": profile.id,
        "device_name": profile.name,
        "address": address,
        "drill": drill,
        "placement": placement,
    }
    if side:
        meta["side"] = side
    if set_number is not None:
        meta["set"] = str(set_number)
    if athlete:
        meta["athlete"] = athlete
    meta["session"] = session
    meta["started_at"] = started_at.isoformat(timespec="seconds")
    meta["sampling_rate_hz"] = f"{float(params['rate_hz']):g}"
    if profile.default_acc_range_g:
        meta["acc_range_g"] = f"{float(params['range_g']):g}"
    meta["time_source"] = "device clock" if profile.timestamp is not None else "arrival time"
    meta["recorder"] = f"sensorlab {__version__}"
    if simulated:
        meta["simulated"] = "true"
    return meta


@dataclass
class DeviceSetup:
    """One device of a session.

    Parameters
    ----------
    transport : Transport
        The link to the device.
    profile : Profile
        Its firmware profile.
    params : mapping
        ``profile.params(rate_hz=..., range_g=...)``.
    path : Path
        The CSV to create.
    metadata : mapping of str to str
        The file's metadata (see :func:`recording_metadata`).
    label : str
        Prefix of its live-view line (e.g. ``"left "``).
    """

    transport: Transport
    profile: Profile
    params: Mapping[str, Any]
    path: Path
    metadata: Mapping[str, str]
    label: str = ""


@dataclass
class SessionResult:
    """What a session recorded: per device, its file, counters and last live numbers."""

    paths: list[Path]
    stats: list[DeviceStats]
    live: list[LiveSummary | None]
    elapsed_s: float


@dataclass
class _Live:
    analyzer: LiveAnalyzer | None
    summary: LiveSummary | None = None
    stats: DeviceStats = field(default_factory=DeviceStats)

    def on_rows(self, rows: Rows, stats: DeviceStats) -> None:
        self.stats = stats
        if self.analyzer is not None:
            self.analyzer.push(rows.time_s, rows.acc_ms2, rows.gyr_dps)
            self.summary = self.analyzer.update()


async def record_session(
    setups: list[DeviceSetup],
    *,
    drill: str,
    placement: str,
    stop: asyncio.Event | None = None,
    duration_s: float | None = None,
    show: Callable[[list[str]], None] | None = None,
    refresh_s: float = 0.5,
    clock: Callable[[], float] = time.monotonic,
    backoff: Backoff | None = None,
    fsync: bool = True,
) -> SessionResult:
    """Record every device until ``stop`` is set or ``duration_s`` has passed.

    Parameters
    ----------
    setups : list of DeviceSetup
        The devices, each with its own file.
    drill, placement : str
        For the live contact detection.
    stop : asyncio.Event, optional
        Set it to stop (Ctrl-C).
    duration_s : float, optional
        Stop after this long, in s (on ``clock``).
    show : callable, optional
        Called every ``refresh_s`` with one status line per device.
    refresh_s : float
        Live view period, in s.
    clock : callable
        Host monotonic clock in s.
    backoff : Backoff, optional
        Reconnection delays.
    fsync : bool
        ``os.fsync`` after every written batch.

    Returns
    -------
    SessionResult
        Files, counters and final live numbers.

    Raises
    ------
    DeviceError
        If a device cannot be connected and started.
    RecordingError
        If a file exists or cannot be written.
    """
    stop = stop or asyncio.Event()
    start_s = clock()
    lives: list[_Live] = []
    recorders: list[DeviceRecorder] = []
    for setup in setups:
        rate = float(setup.params["rate_hz"])
        has_acc = "acc" in setup.profile.measures
        has_gyro = "gyr" in setup.profile.measures
        analyzer = (
            LiveAnalyzer(drill=drill, placement=placement, has_gyro=has_gyro, sampling_rate_hz=rate)
            if has_acc
            else None
        )
        live = _Live(analyzer)
        lives.append(live)
        recorders.append(
            DeviceRecorder(
                transport=setup.transport,
                driver=ProfileDriver(setup.profile, setup.params),
                path=setup.path,
                metadata=setup.metadata,
                nominal_rate_hz=rate,
                has_gyro=has_gyro,
                session_start_s=start_s,
                on_rows=live.on_rows,
                cadence_only=not has_acc,
                counter_bits=setup.profile.counter_bits,
                backoff=backoff or Backoff(),
                fsync=fsync,
                clock=clock,
            )
        )
        live.stats = recorders[-1].stats

    def lines() -> list[str]:
        elapsed = clock() - start_s
        return [
            status_line(
                elapsed_s=elapsed,
                samples=lv.stats.samples,
                lost_samples=lv.stats.lost_samples,
                malformed=lv.stats.malformed,
                summary=lv.summary if lv.analyzer is not None else None,
                label=setup.label,
                cadence_spm=lv.stats.cadence_spm,
                speed_mps=lv.stats.speed_mps,
            )
            for lv, setup in zip(lives, setups, strict=True)
        ]

    async def ticker() -> None:
        while not stop.is_set():
            if duration_s is not None and clock() - start_s >= duration_s:
                stop.set()
                break
            if show is not None:
                show(lines())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), refresh_s)

    tick = asyncio.create_task(ticker())
    tasks = [asyncio.create_task(r.run(stop)) for r in recorders]

    def stop_all_on_failure(task: asyncio.Task[DeviceStats]) -> None:
        if not task.cancelled() and task.exception() is not None:
            stop.set()

    for task in tasks:
        task.add_done_callback(stop_all_on_failure)
    try:
        done = await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        stop.set()
        await tick
    for outcome in done:
        if isinstance(outcome, BaseException):
            raise outcome
    if show is not None:
        show(lines())
    return SessionResult(
        paths=[s.path for s in setups],
        stats=[r.stats for r in recorders],
        live=[lv.summary for lv in lives],
        elapsed_s=clock() - start_s,
    )


def started_now() -> datetime:
    """The current UTC time, to the second."""
    return datetime.now(UTC).replace(microsecond=0)
