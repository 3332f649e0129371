"""Record one device to a canonical CSV as the samples arrive, crash-safe.

Data flow (STYLE §7)::

    notification callback --(role, bytes, host time)--> asyncio.Queue --> writer task
        stamps and queues only                                   decode -> time -> rows
                                                                 -> RecordingWriter.append
                                                                    (flush + fsync per batch)

The writer takes everything that is queued, writes it in one append and flushes, so the file
on disk trails the radio by one batch (milliseconds): ``kill -9`` leaves a file that
``analyze`` reads up to the last packet written. A malformed packet
(:class:`~sensorlab.errors.DecodeError`) is counted and skipped. A dropped link is
reconnected with exponential backoff and the start script is run again; the gap shows as a
jump of ``time_s`` (DESIGN §3: no rows are invented) and is counted. Stopping (Ctrl-C,
``--duration``) runs the stop script, disconnects, writes what is queued and closes the file.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Protocol

import numpy as np

from sensorlab.collect.rows import RowAssembler, Rows
from sensorlab.collect.timing import SampleClock
from sensorlab.collect.transport import Transport
from sensorlab.errors import DecodeError, DeviceError, RecordingError
from sensorlab.io.csv_format import RecordingWriter, create_new
from sensorlab.profiles.model import SampleBlock, StreamDecoder

__all__ = [
    "HOST_TIME_COLUMN",
    "Backoff",
    "CadenceWriter",
    "DeviceRecorder",
    "DeviceStats",
    "Driver",
]

HOST_TIME_COLUMN: Final = "host_time_s"
"""Extra CSV column: host arrival time of the packet that carried each sample, in s."""


class Driver(Protocol):
    """Starts and stops a device and makes decoders (see :class:`ProfileDriver`)."""

    @property
    def data_roles(self) -> tuple[str, ...]:
        """Roles whose notifications carry samples."""
        ...

    async def start(self, transport: Transport, sink: Callable[[str, bytes], None]) -> None:
        """Subscribe and start streaming; notifications go to ``sink(role, payload)``."""
        ...

    async def stop(self, transport: Transport) -> None:
        """Stop streaming."""
        ...

    def new_decoder(self) -> StreamDecoder:
        """A decoder for the connection just started."""
        ...


@dataclass(frozen=True)
class Backoff:
    """Delays between connection attempts, in s: ``first_s`` doubling up to ``max_s``.

    Attributes
    ----------
    first_s : float
        Delay before the first retry, in s.
    max_s : float
        Longest delay, in s.
    initial_attempts : int
        Attempts to make the first connection before giving up (reconnections after a
        successful connection are retried until the recording is stopped).
    """

    first_s: float = 0.25
    max_s: float = 5.0
    initial_attempts: int = 3

    def delay_s(self, attempt: int) -> float:
        """Delay before retry number ``attempt`` (1-based), in s."""
        return float(min(self.max_s, self.first_s * 2.0 ** max(0, attempt - 1)))


@dataclass
class DeviceStats:
    """Counters of one device's recording (updated live)."""

    packets: int = 0
    """Notifications received on data roles."""
    received_samples: int = 0
    """Acceleration samples decoded from the packets received."""
    samples: int = 0
    """Rows written to the file (flushed)."""
    malformed: int = 0
    """Packets the decoder rejected (skipped)."""
    gaps: int = 0
    """Jumps of ``time_s`` longer than 2.5 sample periods (lost packets, reconnections)."""
    lost_samples: int = 0
    """Samples missing in those gaps, estimated from the nominal rate."""
    dropped_samples: int = 0
    """Samples dropped as duplicates or without a partner on the other channel."""
    disconnects: int = 0
    """Unsolicited disconnections."""
    before_start: int = 0
    """Data packets discarded because they came before the start script completed."""
    last_error: str = ""
    """The last decode or device error, for the live view."""
    time_source: str = "unknown"
    """What sample times come from: device-clock, counter or arrival."""
    last_time_s: float = float("nan")
    """Time of the last row written, in s."""
    cadence_spm: float | None = None
    """Last cadence a cadence-only device (RSC footpod) reported, in steps/min."""
    speed_mps: float | None = None
    """Last speed a cadence-only device reported, in m/s."""


@dataclass(frozen=True)
class _Packet:
    role: str
    payload: bytes
    host_time_s: float
    epoch: _Epoch


@dataclass
class _Epoch:
    """One connection: its decoder is made once the start script has run."""

    number: int
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    decoder: StreamDecoder | None = None
    started_s: float = float("inf")
    """Host time at which the start script completed: earlier packets predate the
    configuration (e.g. a sensor streaming at its power-on rate) and are discarded."""


_STOP: Final = object()


@dataclass
class DeviceRecorder:
    """Record one device into a new CSV file.

    Parameters
    ----------
    transport : Transport
        The link to the device.
    driver : Driver
        Runs the profile's start/stop scripts and makes decoders.
    path : Path
        The CSV to create (never overwritten).
    metadata : mapping of str to str
        ``# key: value`` lines written first.
    nominal_rate_hz : float
        The rate the device streams at, in Hz.
    has_gyro : bool
        Whether the device sends angular rate.
    session_start_s : float
        Host monotonic time of the session start, in s: ``time_s`` and ``host_time_s`` are
        measured from it (shared by the devices of one session).
    on_rows : callable, optional
        Called with each batch of rows after it is on disk (live analysis, progress).
    cadence_only : bool
        The device sends cadence and speed only (RSC footpod): the file gets
        ``time_s,cadence_spm,speed_mps,host_time_s`` rows (see :class:`CadenceWriter`).
    counter_bits : int, optional
        Width of the device's wrapping packet counter (``Profile.counter_bits``).
    backoff : Backoff
        Reconnection delays.
    fsync : bool
        ``os.fsync`` after every batch.
    clock : callable
        Host monotonic clock in s (injectable for tests).
    """

    transport: Transport
    driver: Driver
    path: Path
    metadata: Mapping[str, str]
    nominal_rate_hz: float
    has_gyro: bool
    session_start_s: float
    on_rows: Callable[[Rows, DeviceStats], None] | None = None
    cadence_only: bool = False
    counter_bits: int | None = None
    backoff: Backoff = field(default_factory=Backoff)
    fsync: bool = True
    clock: Callable[[], float] = time.monotonic
    stats: DeviceStats = field(default_factory=DeviceStats)
    _queue: asyncio.Queue[Any] = field(default_factory=asyncio.Queue)
    _epoch: _Epoch | None = None

    def _sink(self, epoch: _Epoch) -> Callable[[str, bytes], None]:
        """The notification path: stamp, queue, return (never blocks)."""
        clock, start, queue = self.clock, self.session_start_s, self._queue

        def sink(role: str, payload: bytes) -> None:
            queue.put_nowait(_Packet(role, payload, clock() - start, epoch))

        return sink

    async def run(self, stop: asyncio.Event) -> DeviceStats:
        """Record until ``stop`` is set; return the counters.

        Raises
        ------
        DeviceError
            If the first connection fails ``backoff.initial_attempts`` times.
        RecordingError
            If the file exists or cannot be written.
        """
        writer: RecordingWriter | CadenceWriter
        if self.cadence_only:
            writer = CadenceWriter(self.path, metadata=self.metadata, fsync=self.fsync)
        else:
            writer = RecordingWriter(
                self.path,
                metadata=self.metadata,
                has_gyro=self.has_gyro,
                extra_columns=(HOST_TIME_COLUMN,),
                fsync=self.fsync,
            )
        write_task = asyncio.create_task(self._write_loop(writer))

        def stop_if_writing_failed(task: asyncio.Task[None]) -> None:
            # a full disk must stop the recording, not let the queue grow unnoticed
            if not task.cancelled() and task.exception() is not None:
                stop.set()

        write_task.add_done_callback(stop_if_writing_failed)
        try:
            await self._connection_loop(stop)
        finally:
            self._queue.put_nowait(_STOP)
            if self._epoch is not None:
                self._epoch.ready.set()
            await write_task
        return self.stats

    async def _connection_loop(self, stop: asyncio.Event) -> None:
        transport = self.transport
        connected_once = False
        attempt = 0
        epochs = 0
        while not stop.is_set():
            lost = asyncio.Event()
            transport.set_disconnected_callback(lost.set)
            epochs += 1
            epoch = _Epoch(epochs)
            self._epoch = epoch
            try:
                await transport.connect()
                await self.driver.start(transport, self._sink(epoch))
                epoch.decoder = self.driver.new_decoder()
                epoch.started_s = self.clock() - self.session_start_s
                epoch.ready.set()
            except DeviceError as exc:
                epoch.ready.set()  # packets of a failed start are dropped
                self.stats.last_error = exc.message
                with contextlib.suppress(DeviceError):
                    await transport.disconnect()
                attempt += 1
                if not connected_once and attempt >= self.backoff.initial_attempts:
                    raise
                await _wait_or_stop(stop, self.backoff.delay_s(attempt))
                continue
            connected_once = True
            attempt = 0
            await _first_of(stop, lost)
            if stop.is_set():
                break
            self.stats.disconnects += 1
            self.stats.last_error = "disconnected; reconnecting"
        if self.transport.is_connected:
            try:
                await self.driver.stop(transport)
            except DeviceError as exc:
                self.stats.last_error = f"stop script: {exc.message}"
            finally:
                transport.set_disconnected_callback(None)
                with contextlib.suppress(DeviceError):
                    await transport.disconnect()

    async def _write_loop(self, writer: RecordingWriter | CadenceWriter) -> None:
        clock = SampleClock(self.nominal_rate_hz, counter_bits=self.counter_bits)
        rows = RowAssembler(self.has_gyro, self.nominal_rate_hz)
        data_roles = set(self.driver.data_roles)
        current: _Epoch | None = None
        step_s = 1.0 / self.nominal_rate_hz
        last_time_s = -np.inf
        done = False
        try:
            while not done:
                batch = [await self._queue.get()]
                while not self._queue.empty():
                    batch.append(self._queue.get_nowait())
                for item in batch:
                    if item is _STOP:
                        done = True
                        continue
                    packet: _Packet = item
                    if packet.role not in data_roles:
                        continue
                    if packet.epoch is not current:
                        await packet.epoch.ready.wait()
                        if current is not None:
                            clock.reconnected()
                        current = packet.epoch
                    decoder = packet.epoch.decoder
                    if decoder is None:
                        continue
                    if packet.host_time_s < packet.epoch.started_s:
                        self.stats.before_start += 1
                        continue
                    self.stats.packets += 1
                    try:
                        blocks = decoder.feed(packet.role, packet.payload)
                    except DecodeError as exc:
                        self.stats.malformed += 1
                        self.stats.last_error = exc.message
                        continue
                    if isinstance(writer, CadenceWriter):
                        self._write_cadence(writer, clock, blocks, packet.host_time_s)
                        continue
                    for block in blocks:
                        if block.channel not in ("acc", "gyr"):
                            continue
                        if block.channel == "acc":
                            self.stats.received_samples += len(block.values)
                        rows.push(
                            clock.time_block(
                                block.channel,
                                block.values,
                                host_time_s=packet.host_time_s,
                                device_time_s=block.device_time_s,
                                counter=block.counter,
                            )
                        )
                ready = rows.pop_rows()
                if ready.n and isinstance(writer, RecordingWriter):
                    writer.append(
                        ready.time_s,
                        ready.acc_ms2,
                        ready.gyr_dps,
                        extra={HOST_TIME_COLUMN: ready.host_time_s},
                    )
                    steps = np.diff(np.concatenate(([last_time_s], ready.time_s)))
                    gaps = steps[np.isfinite(steps) & (steps > 2.5 * step_s)]
                    self.stats.gaps += int(gaps.size)
                    self.stats.lost_samples += int(np.rint(gaps / step_s).sum() - gaps.size)
                    last_time_s = float(ready.time_s[-1])
                    self.stats.samples = writer.n_rows
                    self.stats.last_time_s = last_time_s
                self.stats.dropped_samples = clock.dropped_samples + rows.unpaired_samples
                self.stats.time_source = clock.source
                if ready.n and self.on_rows is not None:
                    self.on_rows(ready, self.stats)
        finally:
            writer.close()

    def _write_cadence(
        self,
        writer: CadenceWriter,
        clock: SampleClock,
        blocks: list[SampleBlock],
        host_time_s: float,
    ) -> None:
        values = {b.channel: float(b.values[-1, 0]) for b in blocks if len(b)}
        if "cadence" not in values:
            return
        timed = clock.time_block("cadence", np.zeros((1, 3)), host_time_s=host_time_s)
        if not timed.time_s.size:
            return
        speed = values.get("speed", float("nan"))
        writer.append(float(timed.time_s[0]), values["cadence"], speed, host_time_s)
        self.stats.samples = writer.n_rows
        self.stats.received_samples += 1
        self.stats.last_time_s = float(timed.time_s[0])
        self.stats.cadence_spm = values["cadence"]
        self.stats.speed_mps = None if np.isnan(speed) else speed


class CadenceWriter:
    """Append cadence and speed rows of a cadence-only device (RSC footpod), crash-safe.

    The file has the metadata lines of a recording and the columns ``time_s``,
    ``cadence_spm`` (steps per minute), ``speed_mps`` (m/s) and ``host_time_s``: it has no
    acceleration, so ``analyze`` cannot find contacts in it (it says which columns it
    expected). Every row is flushed (and synced) when written.

    Parameters
    ----------
    path : Path
        The file to create; never overwritten.
    metadata : mapping of str to str
        ``# key: value`` lines.
    fsync : bool
        ``os.fsync`` after every row.
    """

    COLUMNS: Final = ("time_s", "cadence_spm", "speed_mps", HOST_TIME_COLUMN)

    def __init__(self, path: Path, *, metadata: Mapping[str, str], fsync: bool = True) -> None:
        self.path = Path(path)
        self.n_rows = 0
        self._fsync = fsync
        lines = ["# sensorlab recording 1"]
        lines += [f"# {k}: {v}" for k, v in metadata.items()]
        lines += [
            "# measures: cadence, speed (no acceleration: no contacts)",
            ",".join(self.COLUMNS),
        ]
        self._fh = create_new(self.path)
        self._write("\n".join(lines) + "\n")

    def append(
        self, time_s: float, cadence_spm: float, speed_mps: float, host_time_s: float
    ) -> None:
        """Write one row (times in s, cadence in steps/min, speed in m/s) and flush it."""
        self._write(f"{time_s:.6f},{cadence_spm:g},{speed_mps:g},{host_time_s:.6f}\n")
        self.n_rows += 1

    def _write(self, text: str) -> None:
        try:
            self._fh.write(text.encode("utf-8"))
            self._fh.flush()
            if self._fsync:
                os.fsync(self._fh.fileno())
        except OSError as exc:
            raise RecordingError(f"cannot write the file: {exc.strerror}", path=self.path) from exc

    def close(self) -> None:
        """Close the file (idempotent)."""
        if not self._fh.closed:
            self._fh.close()


async def _wait_or_stop(stop: asyncio.Event, delay_s: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), delay_s)


async def _first_of(*events: asyncio.Event) -> None:
    tasks = [asyncio.create_task(e.wait()) for e in events]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
