"""Device emulators: a simulated drill streamed with a real device's GATT table and bytes.

An :class:`EmulatedDevice` knows its GATT services and characteristics, its MTU, how many
samples go in one notification, the command bytes it accepts (it rejects others, as the
device answers with an error or ignores them) and how it encodes samples. It streams the
samples of a :class:`SampleSource` at its configured rate in (optionally sped-up) real time:
while the link is down, the samples that fall due are lost, as with a real sensor.

The emulators are transport-free; a link attaches to them through :attr:`notify_hook`,
:meth:`write`, :meth:`set_subscribed` and :meth:`link_lost`. :class:`LoopbackTransport` is
the in-process link used by ``sensorlab record --simulate``; the test suite attaches the same
emulators to a bumble GATT server on an in-process BLE link.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import struct
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import ClassVar, Final

import numpy as np
from numpy.typing import NDArray

from sensorlab.collect.transport import DisconnectCallback, NotifyCallback
from sensorlab.errors import DeviceError, UsageError
from sensorlab.recording import FloatArray
from sensorlab.simulate import SimulatedSet, SimulationConfig, simulate_set
from sensorlab.units import G_MS2

__all__ = [
    "EMULATORS",
    "CommandRejectedError",
    "EmulatedDevice",
    "GattCharacteristic",
    "GattService",
    "LoopbackTransport",
    "ScaledClock",
    "SimulatedDrill",
    "emulator_for",
]


class CommandRejectedError(DeviceError):
    """The emulated device refuses a write (a real device answers with an ATT error)."""


@dataclass(frozen=True)
class GattCharacteristic:
    """A characteristic of an emulated device: 128-bit UUID and properties."""

    uuid: str
    properties: frozenset[str]


@dataclass(frozen=True)
class GattService:
    """A primary service of an emulated device."""

    uuid: str
    characteristics: tuple[GattCharacteristic, ...]


_MIN_SIM_RATE_HZ: Final = 25.0


def _uuid16(short: int) -> str:
    return f"0000{short:04x}-0000-1000-8000-00805f9b34fb"


@dataclass
class SimulatedDrill:
    """A simulated drill, simulated on demand at the rate a device is configured for.

    Parameters
    ----------
    config : SimulationConfig
        What to simulate; its ``sampling_rate_hz`` is replaced by the device's rate.
    """

    config: SimulationConfig
    _cache: dict[float, SimulatedSet] = field(default_factory=dict)

    def at_rate(self, rate_hz: float) -> SimulatedSet:
        """The simulated set at ``rate_hz`` (cached; 25 to 1600 Hz)."""
        if rate_hz not in self._cache:
            self._cache[rate_hz] = simulate_set(replace(self.config, sampling_rate_hz=rate_hz))
        return self._cache[rate_hz]

    def samples(self, rate_hz: float) -> tuple[FloatArray, FloatArray | None]:
        """Acceleration (m/s²) and angular rate (deg/s), shape (n, 3), at ``rate_hz``.

        Rates below the simulator's 25 Hz (a device's power-on default) are taken from a
        multiple of the rate by keeping every k-th sample.
        """
        k = max(1, math.ceil(_MIN_SIM_RATE_HZ / rate_hz))
        rec = self.at_rate(rate_hz * k).recording
        gyr = None if rec.gyr_dps is None else rec.gyr_dps[::k]
        return rec.acc_ms2[::k], gyr


@dataclass
class ScaledClock:
    """A monotonic clock running ``speed`` times faster than real time, in s.

    Tests stream emulated drills faster than real time; the recorder then takes its arrival
    times from this clock so they stay consistent with the device's rate.
    """

    speed: float = 1.0
    _origin_s: float = field(default_factory=time.monotonic)

    def __call__(self) -> float:
        """Current time in s."""
        return self._origin_s + (time.monotonic() - self._origin_s) * self.speed


class EmulatedDevice(ABC):
    """A BLE sensor streaming a simulated drill.

    Parameters
    ----------
    drill : SimulatedDrill
        The movement the sensor measures.
    speed : float
        Time compression: 1 streams in real time, 10 ten times faster.
    name : str, optional
        Advertised name (default: the family's usual name).
    """

    family: ClassVar[str]
    default_name: ClassVar[str]
    services: ClassVar[tuple[GattService, ...]]
    mtu: ClassVar[int] = 247
    advertised_services: ClassVar[tuple[str, ...]] = ()

    def __init__(self, drill: SimulatedDrill, *, speed: float = 1.0, name: str = "") -> None:
        if not speed > 0:
            raise UsageError(f"expected speed > 0, found {speed}")
        self.drill = drill
        self.speed = speed
        self.name = name or self.default_name
        self.notify_hook: Callable[[str, bytes], None] | None = None
        self.subscribed: set[str] = set()
        self.malformed_every = 0
        """Send a truncated copy of every n-th data notification before it (0: never)."""
        self.malformed_sent = 0
        self.writes: list[bytes] = []
        """Every write received, in order."""
        self.rejected_writes: list[bytes] = []
        self.sent_samples = 0
        self.finished = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._origin_s: float | None = None
        self._next_index = 0
        self._rate_hz = 0.0
        self._packets = 0

    # --- link side -------------------------------------------------------------------------

    def characteristic(self, uuid: str) -> GattCharacteristic:
        """The characteristic with ``uuid`` (lower-case 128-bit)."""
        for service in self.services:
            for char in service.characteristics:
                if char.uuid == uuid.lower():
                    return char
        raise CommandRejectedError(f"{self.name}: no characteristic {uuid}")

    def write(self, uuid: str, data: bytes) -> None:
        """Handle a write from the central.

        Raises
        ------
        CommandRejectedError
            If the device does not accept these bytes on this characteristic.
        """
        char = self.characteristic(uuid)
        if not char.properties & {"write", "write-without-response"}:
            raise CommandRejectedError(f"{self.name}: {uuid} is not writable")
        self.writes.append(bytes(data))
        try:
            self.on_write(uuid, bytes(data))
        except CommandRejectedError:
            self.rejected_writes.append(bytes(data))
            raise

    def set_subscribed(self, uuid: str, enabled: bool) -> None:
        """The central enabled or disabled notifications/indications of ``uuid``."""
        if enabled:
            self.subscribed.add(uuid)
        else:
            self.subscribed.discard(uuid)
        self.on_subscription(uuid, enabled)

    def link_lost(self) -> None:
        """The link dropped: stop streaming and forget the session state."""
        self.subscribed.clear()
        self.stop_stream()
        self.on_link_lost()

    def send(self, uuid: str, data: bytes) -> None:
        """Notify ``data`` on ``uuid`` if the central subscribed to it."""
        if uuid in self.subscribed and self.notify_hook is not None:
            self.notify_hook(uuid, data)

    # --- streaming -------------------------------------------------------------------------

    @property
    def streaming(self) -> bool:
        """Whether samples are being sent."""
        return self._task is not None

    def start_stream(self, rate_hz: float) -> None:
        """Start sending samples at ``rate_hz`` (the movement's clock starts at the first call)."""
        self.stop_stream()
        samples = self.drill.samples(rate_hz)
        if self._origin_s is None or rate_hz != self._rate_hz:
            self._origin_s = time.monotonic()
            self._next_index = 0
        self._rate_hz = rate_hz
        self._task = asyncio.get_running_loop().create_task(self._stream(*samples))

    def stop_stream(self) -> None:
        """Stop sending samples."""
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def aclose(self) -> None:
        """Stop streaming and wait for the streaming task to end."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _due_index(self) -> int:
        assert self._origin_s is not None
        elapsed_s = (time.monotonic() - self._origin_s) * self.speed
        return math.floor(elapsed_s * self._rate_hz) + 1

    async def _stream(self, acc_ms2: FloatArray, gyr_dps: FloatArray | None) -> None:
        n_total = int(acc_ms2.shape[0])
        per_packet = self.samples_per_packet(self._rate_hz)
        period_s = per_packet / self._rate_hz / self.speed
        # samples that fell due while the link was down are lost
        self._next_index = max(self._next_index, min(self._due_index() - 1, n_total))
        while self._next_index < n_total:
            due = min(self._due_index(), n_total)
            while due - self._next_index >= per_packet or (
                due == n_total and self._next_index < n_total
            ):
                i = self._next_index
                j = min(i + per_packet, n_total)
                gyr = None if gyr_dps is None else gyr_dps[i:j]
                for uuid, payload in self.encode(i, acc_ms2[i:j], gyr):
                    self._packets += 1
                    if self.malformed_every and self._packets % self.malformed_every == 0:
                        self.send(uuid, self.malformed(payload))
                        self.malformed_sent += 1
                    self.send(uuid, payload)
                self._next_index = j
                self.sent_samples += j - i
            await asyncio.sleep(period_s)
        self.finished.set()

    # --- family specifics -----------------------------------------------------------------

    def malformed(self, payload: bytes) -> bytes:
        """A broken version of a data notification (for tests): the first third of it."""
        return payload[: max(1, len(payload) // 3)]

    @abstractmethod
    def on_write(self, uuid: str, data: bytes) -> None:
        """Handle a command (raise :class:`CommandRejectedError` for a wrong one)."""

    def on_subscription(self, uuid: str, enabled: bool) -> None:  # noqa: B027
        """React to a subscription change (default: nothing)."""

    def on_link_lost(self) -> None:  # noqa: B027
        """Forget per-connection state (default: nothing)."""

    @abstractmethod
    def samples_per_packet(self, rate_hz: float) -> int:
        """Samples in one data notification at ``rate_hz``."""

    @abstractmethod
    def encode(
        self, first_index: int, acc_ms2: FloatArray, gyr_dps: FloatArray | None
    ) -> list[tuple[str, bytes]]:
        """The notifications (uuid, bytes) carrying samples ``first_index`` onwards.

        Parameters
        ----------
        first_index : int
            Index of the first sample in the simulated recording.
        acc_ms2 : ndarray, shape (k, 3)
            Acceleration in m/s².
        gyr_dps : ndarray, shape (k, 3) or None
            Angular rate in deg/s.
        """


def _int16(values: FloatArray) -> np.ndarray:
    return np.clip(np.rint(values), -32768, 32767).astype("<i2")


class WitMotionDevice(EmulatedDevice):
    """WitMotion WT901BLE: 20-byte ``55 61`` frames (acc ±16 g, gyro ±2000 deg/s, angles).

    Streams as soon as notifications are enabled, at 10 Hz until the rate register is set;
    register writes are obeyed only after the unlock command (``FF AA 69 88 B5``); bytes that
    are not a ``FF AA`` register command are rejected.
    """

    family = "witmotion"
    default_name = "WT901BLE68"
    SERVICE: Final = "0000ffe5-0000-1000-8000-00805f9a34fb"
    DATA: Final = "0000ffe4-0000-1000-8000-00805f9a34fb"
    COMMAND: Final = "0000ffe9-0000-1000-8000-00805f9a34fb"
    services = (
        GattService(
            SERVICE,
            (
                GattCharacteristic(DATA, frozenset({"notify"})),
                GattCharacteristic(COMMAND, frozenset({"write", "write-without-response"})),
            ),
        ),
    )
    advertised_services = (SERVICE,)
    RATE_CODES: Final = {0x06: 10.0, 0x07: 20.0, 0x08: 50.0, 0x09: 100.0, 0x0B: 200.0}

    def __init__(self, drill: SimulatedDrill, *, speed: float = 1.0, name: str = "") -> None:
        super().__init__(drill, speed=speed, name=name)
        self.rate_hz = 10.0
        self.unlocked = False

    def on_write(self, uuid: str, data: bytes) -> None:
        if len(data) != 5 or data[:2] != b"\xff\xaa":
            raise CommandRejectedError(
                f"{self.name}: expected 'FF AA reg lo hi', found {data.hex(' ')}"
            )
        register, low = data[2], data[3]
        if data == b"\xff\xaa\x69\x88\xb5":
            self.unlocked = True
        elif register == 0x03:
            if low not in self.RATE_CODES:
                raise CommandRejectedError(f"{self.name}: unknown rate code {low:#04x}")
            if self.unlocked:
                self.rate_hz = self.RATE_CODES[low]
                if self.streaming:
                    self.start_stream(self.rate_hz)

    def on_subscription(self, uuid: str, enabled: bool) -> None:
        if uuid == self.DATA:
            if enabled:
                self.start_stream(self.rate_hz)
            else:
                self.stop_stream()

    def on_link_lost(self) -> None:
        self.unlocked = False

    def samples_per_packet(self, rate_hz: float) -> int:
        return 1

    def encode(
        self, first_index: int, acc_ms2: FloatArray, gyr_dps: FloatArray | None
    ) -> list[tuple[str, bytes]]:
        acc = _int16(acc_ms2 / G_MS2 * 32768.0 / 16.0)
        gyr = _int16((np.zeros_like(acc_ms2) if gyr_dps is None else gyr_dps) * 32768.0 / 2000.0)
        out = []
        for a, g in zip(acc, gyr, strict=True):
            body = a.tobytes() + g.tobytes() + bytes(6)
            out.append((self.DATA, b"\x55\x61" + body))
        return out


_PMD_SERVICE: Final = "fb005c80-02e7-f387-1cad-8acd2d8df0c8"
_PMD_CONTROL: Final = "fb005c81-02e7-f387-1cad-8acd2d8df0c8"
_PMD_DATA: Final = "fb005c82-02e7-f387-1cad-8acd2d8df0c8"
_HEART_RATE_SERVICE: Final = _uuid16(0x180D)
_PMD_EPOCH_OFFSET_NS: Final = 946_684_800_000_000_000
"""ns from 1970-01-01 to 2000-01-01, the PMD clock's epoch."""


def _delta_payload(raw: NDArray[np.int64]) -> bytes:
    """Delta-compress int samples (shape (n, 3)): int16 reference, then one block."""
    reference: bytes = raw[0].astype("<i2").tobytes()
    if raw.shape[0] == 1:
        return reference
    deltas: NDArray[np.int64] = np.diff(raw, axis=0)
    peak = int(np.abs(deltas).max(initial=0))
    bits = max(2, peak.bit_length() + 1)
    fields = np.bitwise_and(deltas.ravel(), (1 << bits) - 1)
    bit_rows = (fields[:, None] >> np.arange(bits, dtype=np.int64)) & 1
    packed: bytes = np.packbits(bit_rows.astype(np.uint8).ravel(), bitorder="little").tobytes()
    return reference + bytes([bits, deltas.shape[0]]) + packed


class PolarPmdDevice(EmulatedDevice):
    """A Polar sensor speaking the Polar Measurement Data (PMD) protocol.

    The control point (indicate) answers every command with ``F0 op type status more
    [parameters]``: unknown op codes, measurement types, rates, resolutions, ranges or channel
    counts get the PMD error status instead of success, and the stream does not start. Data
    frames carry the device time (ns since 2000) of their last sample.
    """

    family = "polar-pmd"
    services = (
        GattService(
            _HEART_RATE_SERVICE, (GattCharacteristic(_uuid16(0x2A37), frozenset({"notify"})),)
        ),
        GattService(
            _PMD_SERVICE,
            (
                GattCharacteristic(_PMD_CONTROL, frozenset({"read", "write", "indicate"})),
                GattCharacteristic(_PMD_DATA, frozenset({"notify"})),
            ),
        ),
    )
    advertised_services = (_HEART_RATE_SERVICE,)
    mtu = 232
    sdk_rates_hz: ClassVar[tuple[float, ...]] = ()
    rates_hz: ClassVar[tuple[float, ...]] = ()
    acc_ranges_g: ClassVar[tuple[int, ...]] = ()
    gyro: ClassVar[bool] = False
    compressed: ClassVar[bool] = False
    max_samples_per_frame: ClassVar[int] = 32

    def __init__(self, drill: SimulatedDrill, *, speed: float = 1.0, name: str = "") -> None:
        super().__init__(drill, speed=speed, name=name)
        self.sdk_mode = False
        self.acc_on = False
        self.gyr_on = False
        self.range_g = 8
        self.clock_origin_ns = 846_000_000_000_000_000  # device clock at the movement's start

    def on_link_lost(self) -> None:
        self.acc_on = self.gyr_on = False
        self.sdk_mode = False

    def _answer(self, op: int, mtype: int, status: int, params: bytes = b"") -> None:
        self.send(_PMD_CONTROL, bytes([0xF0, op, mtype, status, 0]) + params)

    def on_write(self, uuid: str, data: bytes) -> None:
        if uuid != _PMD_CONTROL or len(data) < 2:
            raise CommandRejectedError(f"{self.name}: not a PMD command: {data.hex(' ')}")
        op, mtype = data[0], data[1]
        if op == 0x02 and mtype == 0x09 and self.sdk_rates_hz:
            self._answer(op, mtype, 6 if self.sdk_mode else 0)
            self.sdk_mode = True
        elif op == 0x02 and mtype in (2, 5):
            self._start(mtype, data[2:])
        elif op == 0x03 and mtype in (2, 5, 9):
            if mtype == 2:
                self.acc_on = False
                self.stop_stream()
            elif mtype == 5:
                self.gyr_on = False
            else:
                self.sdk_mode = False
            self._answer(op, mtype, 0)
        elif op == 0x01 and mtype in (2, 5):
            self._answer(op, mtype, 0)
        else:
            self._answer(op, mtype, 1 if op not in (1, 2, 3) else 2)

    def _start(self, mtype: int, settings: bytes) -> None:
        values: dict[int, int] = {}
        i = 0
        while i + 2 <= len(settings):
            kind, count = settings[i], settings[i + 1]
            size = {0: 2, 1: 2, 2: 2, 4: 1}.get(kind)
            if size is None or count != 1 or i + 2 + size > len(settings):
                self._answer(2, mtype, 5)  # invalid parameter
                return
            values[kind] = int.from_bytes(settings[i + 2 : i + 2 + size], "little")
            i += 2 + size
        rates = self.sdk_rates_hz if self.sdk_mode else self.rates_hz
        status = 0
        if mtype == 5 and not (self.gyro and self.sdk_mode):
            status = 2  # invalid measurement type
        elif float(values.get(0, -1)) not in rates:
            status = 8
        elif values.get(1) != 16:
            status = 7
        elif values.get(2) not in (self.acc_ranges_g if mtype == 2 else (2000,)):
            status = 9
        elif self.compressed and values.get(4) != 3:
            status = 11
        if status:
            self._answer(2, mtype, status)
            return
        rate = float(values[0])
        if mtype == 2:
            self.range_g = values[2]
            factor = self.range_g / 32768.0
            self.acc_on = True
            params = b"\x05\x01" + struct.pack("<f", factor) if self.compressed else b"\x01"
            self._answer(2, 2, 0, params)
            self.start_stream(rate)
        else:
            self.gyr_on = True
            self._answer(2, 5, 0, b"\x05\x01" + struct.pack("<f", 2000.0 / 32768.0))

    def samples_per_packet(self, rate_hz: float) -> int:
        return max(1, min(self.max_samples_per_frame, round(rate_hz * 0.08)))

    def _frame(self, mtype: int, last_index: int, raw: np.ndarray) -> bytes:
        stamp_ns = self.clock_origin_ns + round(last_index * 1e9 / self._rate_hz)
        if self.compressed:
            return bytes([mtype]) + stamp_ns.to_bytes(8, "little") + b"\x80" + _delta_payload(raw)
        return (
            bytes([mtype]) + stamp_ns.to_bytes(8, "little") + b"\x01" + raw.astype("<i2").tobytes()
        )

    def encode(
        self, first_index: int, acc_ms2: FloatArray, gyr_dps: FloatArray | None
    ) -> list[tuple[str, bytes]]:
        last = first_index + acc_ms2.shape[0] - 1
        out: list[tuple[str, bytes]] = []
        if self.acc_on:
            acc_g = acc_ms2 / G_MS2
            counts = acc_g * (32768.0 / self.range_g) if self.compressed else acc_g * 1000.0
            limit = 32767 if self.compressed else self.range_g * 1000
            raw = np.clip(np.rint(counts), -limit, limit).astype(np.int64)
            out.append((_PMD_DATA, self._frame(2, last, raw)))
        if self.gyr_on and gyr_dps is not None:
            raw = np.clip(np.rint(gyr_dps * (32768.0 / 2000.0)), -32768, 32767).astype(np.int64)
            out.append((_PMD_DATA, self._frame(5, last, raw)))
        return out


class PolarVeritySenseDevice(PolarPmdDevice):
    """Polar Verity Sense: SDK mode, delta-compressed ACC and GYRO frames, 26-416 Hz."""

    default_name = "Polar Sense 8A2B3C4D"
    sdk_rates_hz = (26.0, 52.0, 104.0, 208.0, 416.0)
    rates_hz = (52.0,)
    acc_ranges_g = (2, 4, 8, 16)
    gyro = True
    compressed = True


class PolarH10Device(PolarPmdDevice):
    """Polar H10: raw int16 ACC frames in mG, 25-200 Hz, no gyroscope."""

    default_name = "Polar H10 1A2B3C4D"
    rates_hz = (25.0, 50.0, 100.0, 200.0)
    acc_ranges_g = (2, 4, 8)
    max_samples_per_frame = 36


class DiyFootpodDevice(EmulatedDevice):
    """The open sensorlab DIY footpod: ``01 00 seq:u16 t_us:u32`` + int16 acc and gyro samples.

    The control characteristic takes ``01 rate:u16 range:u8`` (answers ``81 00``, or ``81 01``
    for a rate or range it cannot do) and ``02`` (answers ``82 00``); anything else is refused.
    """

    family = "sensorlab-diy"
    default_name = "SL-Pod 01"
    SERVICE: Final = "76fd0001-b55a-478d-8bd4-4ed1152cffd6"
    DATA: Final = "76fd0002-b55a-478d-8bd4-4ed1152cffd6"
    CONTROL: Final = "76fd0003-b55a-478d-8bd4-4ed1152cffd6"
    services = (
        GattService(
            SERVICE,
            (
                GattCharacteristic(DATA, frozenset({"notify"})),
                GattCharacteristic(CONTROL, frozenset({"write", "notify"})),
            ),
        ),
    )
    advertised_services = (SERVICE,)
    RATES_HZ: Final = (100.0, 200.0, 400.0, 416.0, 800.0, 833.0, 1000.0, 1600.0)
    RANGES_G: Final = (2, 4, 8, 16)

    def __init__(self, drill: SimulatedDrill, *, speed: float = 1.0, name: str = "") -> None:
        super().__init__(drill, speed=speed, name=name)
        self.range_g = 16
        self.seq = 0

    def on_write(self, uuid: str, data: bytes) -> None:
        if uuid != self.CONTROL or not data:
            raise CommandRejectedError(f"{self.name}: not a control command")
        if data[0] == 0x01 and len(data) == 4:
            rate = float(int.from_bytes(data[1:3], "little"))
            if rate not in self.RATES_HZ or data[3] not in self.RANGES_G:
                self.send(self.CONTROL, b"\x81\x01")
                return
            self.range_g = data[3]
            self.seq = 0
            self.send(self.CONTROL, b"\x81\x00")
            self.start_stream(rate)
        elif data == b"\x02":
            self.stop_stream()
            self.send(self.CONTROL, b"\x82\x00")
        else:
            raise CommandRejectedError(f"{self.name}: unknown command {data.hex(' ')}")

    def samples_per_packet(self, rate_hz: float) -> int:
        return max(1, min((self.mtu - 3 - 8) // 12, round(rate_hz * 0.025)))

    def encode(
        self, first_index: int, acc_ms2: FloatArray, gyr_dps: FloatArray | None
    ) -> list[tuple[str, bytes]]:
        acc = _int16(acc_ms2 / G_MS2 * (32768.0 / self.range_g))
        gyr = _int16((np.zeros_like(acc_ms2) if gyr_dps is None else gyr_dps) * (32768.0 / 2000.0))
        t_us = round(first_index * 1e6 / self._rate_hz) % (1 << 32)
        header = b"\x01\x00" + struct.pack("<HI", self.seq % 65536, t_us)
        self.seq += 1
        return [(self.DATA, header + np.hstack([acc, gyr]).astype("<i2").tobytes())]


class MovesenseDevice(EmulatedDevice):
    """Movesense with the GATT SensorData Protocol firmware (``gatt_sensordata_app``).

    ``01 ref /Meas/IMU6/<rate>`` subscribes (result ``01 ref`` + status 200, or 404 for an
    unknown resource or rate, and no data); ``02 ref`` unsubscribes. Data: ``02 ref ts:u32``
    (ms since boot, first sample) + acc then gyro float32 triplets, 8 samples per message; a
    message longer than the ATT payload continues in a ``03 ref`` notification.
    """

    family = "movesense"
    default_name = "Movesense 212330000123"
    SERVICE: Final = "34802252-7185-4d5d-b431-630e7050e8f0"
    COMMAND: Final = "34800001-7185-4d5d-b431-630e7050e8f0"
    DATA: Final = "34800002-7185-4d5d-b431-630e7050e8f0"
    services = (
        GattService(
            SERVICE,
            (
                GattCharacteristic(COMMAND, frozenset({"write", "write-without-response"})),
                GattCharacteristic(DATA, frozenset({"notify"})),
            ),
        ),
    )
    advertised_services = (SERVICE,)
    mtu = 161
    RATES_HZ: Final = (13, 26, 52, 104, 208, 416, 833, 1666)

    def __init__(self, drill: SimulatedDrill, *, speed: float = 1.0, name: str = "") -> None:
        super().__init__(drill, speed=speed, name=name)
        self.reference = 0
        self.boot_ms = 123_456

    def on_write(self, uuid: str, data: bytes) -> None:
        if uuid != self.COMMAND or len(data) < 2:
            raise CommandRejectedError(f"{self.name}: not a GSP command: {data.hex(' ')}")
        command, ref = data[0], data[1]
        if command == 0x01:
            path = data[2:].decode("ascii", errors="replace")
            prefix = "/Meas/IMU6/"
            rate_text = path.removeprefix(prefix)
            ok = path.startswith(prefix) and rate_text.isdigit() and int(rate_text) in self.RATES_HZ
            self.send(self.DATA, bytes([0x01, ref]) + (200 if ok else 404).to_bytes(2, "little"))
            if ok:
                self.reference = ref
                self.start_stream(float(rate_text))
        elif command == 0x02:
            self.stop_stream()
            self.send(self.DATA, bytes([0x01, ref]) + (200).to_bytes(2, "little"))
        elif command != 0x00:
            raise CommandRejectedError(f"{self.name}: unknown GSP command {command}")

    def samples_per_packet(self, rate_hz: float) -> int:
        return 8

    def malformed(self, payload: bytes) -> bytes:
        """A notification of an unknown GSP type (a truncated part would join a message)."""
        return b"\x07" + payload[1:]

    def encode(
        self, first_index: int, acc_ms2: FloatArray, gyr_dps: FloatArray | None
    ) -> list[tuple[str, bytes]]:
        gyr = np.zeros_like(acc_ms2) if gyr_dps is None else gyr_dps
        stamp_ms = (self.boot_ms + round(first_index * 1000.0 / self._rate_hz)) % (1 << 32)
        body = (
            stamp_ms.to_bytes(4, "little")
            + np.clip(acc_ms2, -8 * G_MS2, 8 * G_MS2).astype("<f4").tobytes()
            + gyr.astype("<f4").tobytes()
        )
        room = self.mtu - 3 - 2
        parts = [body[i : i + room] for i in range(0, len(body), room)]
        kinds = [0x02] + [0x03] * (len(parts) - 1)
        return [
            (self.DATA, bytes([k, self.reference]) + p) for k, p in zip(kinds, parts, strict=True)
        ]


class MetaMotionDevice(EmulatedDevice):
    """MbientLab MetaMotion: packed acceleration, three samples per 20-byte notification.

    Module 0x03 (accelerometer) registers: ``03 03 odr range`` configures, the packed-data
    register (``03 1C`` on the BMI160, ``03 05`` on the BMI270) is enabled with ``01``,
    ``03 02 01 00`` enables sampling and ``03 01 01`` starts; unknown ODR or range codes and
    bytes for other modules are refused. No timestamps (times come from arrival).
    """

    family = "metawear"
    default_name = "MetaWear"
    SERVICE: Final = "326a9000-85cb-9195-d9dd-464cfbbae75a"
    COMMAND: Final = "326a9001-85cb-9195-d9dd-464cfbbae75a"
    DATA: Final = "326a9006-85cb-9195-d9dd-464cfbbae75a"
    services = (
        GattService(
            SERVICE,
            (
                GattCharacteristic(COMMAND, frozenset({"write", "write-without-response"})),
                GattCharacteristic(DATA, frozenset({"notify"})),
            ),
        ),
    )
    advertised_services = (SERVICE,)
    packed_register: ClassVar[int] = 0x1C
    odr_base: ClassVar[int] = 0x20
    range_codes: ClassVar[dict[int, int]] = {0x03: 2, 0x05: 4, 0x08: 8, 0x0C: 16}
    ODR_HZ: Final = {0x6: 25.0, 0x7: 50.0, 0x8: 100.0, 0x9: 200.0, 0xA: 400.0, 0xB: 800.0}

    def __init__(self, drill: SimulatedDrill, *, speed: float = 1.0, name: str = "") -> None:
        super().__init__(drill, speed=speed, name=name)
        self.rate_hz = 100.0
        self.range_g = 16
        self.packed = self.sampling = False

    def on_link_lost(self) -> None:
        self.packed = self.sampling = False

    def on_write(self, uuid: str, data: bytes) -> None:
        if uuid != self.COMMAND or len(data) < 3 or data[0] != 0x03:
            raise CommandRejectedError(f"{self.name}: not an accelerometer command")
        register, args = data[1], data[2:]
        if register == 0x03 and len(args) == 2:
            odr, rng = args[0], args[1]
            if odr & 0xF0 != self.odr_base or odr & 0x0F not in self.ODR_HZ:
                raise CommandRejectedError(f"{self.name}: unknown ODR code {odr:#04x}")
            if rng not in self.range_codes:
                raise CommandRejectedError(f"{self.name}: unknown range code {rng:#04x}")
            self.rate_hz, self.range_g = self.ODR_HZ[odr & 0x0F], self.range_codes[rng]
        elif register == self.packed_register and args in (b"\x01", b"\x00"):
            self.packed = args == b"\x01"
        elif register == 0x02 and args in (b"\x01\x00", b"\x00\x01"):
            self.sampling = args == b"\x01\x00"
        elif register == 0x01 and args in (b"\x01", b"\x00"):
            if args == b"\x01" and self.packed and self.sampling:
                self.start_stream(self.rate_hz)
            else:
                self.stop_stream()
        else:
            raise CommandRejectedError(f"{self.name}: unknown command {data.hex(' ')}")

    def samples_per_packet(self, rate_hz: float) -> int:
        return 3

    def encode(
        self, first_index: int, acc_ms2: FloatArray, gyr_dps: FloatArray | None
    ) -> list[tuple[str, bytes]]:
        raw = _int16(acc_ms2 / G_MS2 * (32768.0 / self.range_g))
        if raw.shape[0] < 3:  # the last, short packet: the device only sends whole ones
            return []
        return [(self.DATA, bytes([0x03, self.packed_register]) + raw.tobytes())]


class MetaMotionSDevice(MetaMotionDevice):
    """MetaMotion S (BMI270): packed register ``03 05``, ODR codes ``0xA6``..``0xAB``."""

    packed_register = 0x05
    odr_base = 0xA0
    range_codes: ClassVar[dict[int, int]] = {0x00: 2, 0x01: 4, 0x02: 8, 0x03: 16}


class Thingy52Device(EmulatedDevice):
    """Nordic Thingy:52 motion service: 18-byte raw-data notifications, one sample each.

    The 9-byte configuration (step, temperature and magnetometer intervals, motion processing
    frequency in Hz, wake-on-motion) must carry a supported frequency, else the write is
    refused. Accelerometer Q6.10 g (the sensor saturates at ±2 g here), gyroscope Q11.5
    deg/s, no timestamps.
    """

    family = "thingy52"
    default_name = "Thingy"
    SERVICE: Final = "ef680400-9b35-4933-9b10-52ffa9740042"
    CONFIG: Final = "ef680401-9b35-4933-9b10-52ffa9740042"
    RAW: Final = "ef680406-9b35-4933-9b10-52ffa9740042"
    ADVERTISED: Final = "ef680100-9b35-4933-9b10-52ffa9740042"
    services = (
        GattService(
            SERVICE,
            (
                GattCharacteristic(CONFIG, frozenset({"read", "write"})),
                GattCharacteristic(RAW, frozenset({"notify"})),
            ),
        ),
    )
    advertised_services = (ADVERTISED,)
    RATES_HZ: Final = (5, 10, 20, 50, 100, 200)

    def __init__(self, drill: SimulatedDrill, *, speed: float = 1.0, name: str = "") -> None:
        super().__init__(drill, speed=speed, name=name)
        self.rate_hz = 20.0

    def on_write(self, uuid: str, data: bytes) -> None:
        if uuid != self.CONFIG or len(data) != 9:
            raise CommandRejectedError(f"{self.name}: expected a 9-byte motion configuration")
        rate = int.from_bytes(data[6:8], "little")
        if rate not in self.RATES_HZ:
            raise CommandRejectedError(f"{self.name}: unsupported motion frequency {rate} Hz")
        self.rate_hz = float(rate)
        if self.streaming:
            self.start_stream(self.rate_hz)

    def on_subscription(self, uuid: str, enabled: bool) -> None:
        if uuid == self.RAW:
            if enabled:
                self.start_stream(self.rate_hz)
            else:
                self.stop_stream()

    def samples_per_packet(self, rate_hz: float) -> int:
        return 1

    def encode(
        self, first_index: int, acc_ms2: FloatArray, gyr_dps: FloatArray | None
    ) -> list[tuple[str, bytes]]:
        acc_g = np.clip(acc_ms2 / G_MS2, -2.0, 2.0)
        gyr = np.zeros_like(acc_ms2) if gyr_dps is None else gyr_dps
        out = []
        for a, g in zip(_int16(acc_g * 1024.0), _int16(gyr * 32.0), strict=True):
            out.append((self.RAW, a.tobytes() + g.tobytes() + bytes(6)))
        return out


class RscFootpodDevice(EmulatedDevice):
    """A standard Running Speed and Cadence footpod (service 0x1814), about 1 value per second.

    Notifies RSC Measurement (``flags``, speed in 1/256 m/s, cadence in 1/min, stride length
    in cm) while subscribed; the cadence is the simulated drill's, counted over the last
    3 s of contacts of both feet, as the pod's own step detector would report it. The only
    writable characteristic is the SC Control Point, and no procedure is supported: writes
    are refused.
    """

    family = "ble-rsc"
    default_name = "Stryd"
    SERVICE: Final = _uuid16(0x1814)
    MEASUREMENT: Final = _uuid16(0x2A53)
    FEATURE: Final = _uuid16(0x2A54)
    services = (
        GattService(
            SERVICE,
            (
                GattCharacteristic(MEASUREMENT, frozenset({"notify"})),
                GattCharacteristic(FEATURE, frozenset({"read"})),
            ),
        ),
    )
    advertised_services = (SERVICE,)
    RATE_HZ: Final = 25.0
    """The movement is sampled at this rate; one measurement goes out per second."""
    SPEED_MPS: Final = 3.2

    def on_write(self, uuid: str, data: bytes) -> None:
        raise CommandRejectedError(f"{self.name}: no procedure supported")

    def on_subscription(self, uuid: str, enabled: bool) -> None:
        if uuid == self.MEASUREMENT:
            if enabled:
                self.start_stream(self.RATE_HZ)
            else:
                self.stop_stream()

    def samples_per_packet(self, rate_hz: float) -> int:
        return round(rate_hz)

    def cadence_spm(self, time_s: float) -> float:
        """Contacts of both feet per minute over the 3 s before ``time_s``."""
        truth = self.drill.at_rate(self.RATE_HZ).truth
        ic = truth["ic_s"].to_numpy()
        recent = ic[(ic > time_s - 3.0) & (ic <= time_s)]
        if recent.size < 2:
            return 0.0
        return float((recent.size - 1) / (recent[-1] - recent[0]) * 60.0)

    def encode(
        self, first_index: int, acc_ms2: FloatArray, gyr_dps: FloatArray | None
    ) -> list[tuple[str, bytes]]:
        end_s = (first_index + acc_ms2.shape[0]) / self.RATE_HZ
        cadence = self.cadence_spm(end_s)
        running = cadence > 0
        speed = self.SPEED_MPS if running else 0.0
        stride_cm = round(100.0 * 2.0 * speed / (cadence / 60.0)) if running else 0
        flags = 0x01 | (0x04 if running else 0)
        payload = struct.pack(
            "<BHBH", flags, round(speed * 256), min(255, round(cadence)), stride_cm
        )
        return [(self.MEASUREMENT, payload)]


EMULATORS: dict[str, type[EmulatedDevice]] = {
    "witmotion": WitMotionDevice,
    "polar-pmd": PolarVeritySenseDevice,
    "sensorlab-diy": DiyFootpodDevice,
    "movesense": MovesenseDevice,
    "metawear": MetaMotionDevice,
    "thingy52": Thingy52Device,
    "ble-rsc": RscFootpodDevice,
}
"""Emulator class by profile family."""


EMULATORS_BY_PROFILE: dict[str, type[EmulatedDevice]] = {
    "polar-verity-sense": PolarVeritySenseDevice,
    "polar-h10": PolarH10Device,
    "metamotion-bmi160": MetaMotionDevice,
    "metamotion-bmi270": MetaMotionSDevice,
}
"""Emulator class by profile id, where a family has several devices."""


def emulator_for(family: str, profile_id: str = "") -> type[EmulatedDevice]:
    """The emulator class of a profile (by id, else by family).

    Raises
    ------
    UsageError
        If there is no emulator for ``family``.
    """
    if profile_id in EMULATORS_BY_PROFILE:
        return EMULATORS_BY_PROFILE[profile_id]
    try:
        return EMULATORS[family]
    except KeyError:
        raise UsageError(
            f"no simulated device for profile family '{family}'; simulated families: "
            f"{', '.join(sorted(EMULATORS))}"
        ) from None


@dataclass
class LoopbackTransport:
    """A :class:`~sensorlab.collect.transport.Transport` wired straight to an emulator.

    No BLE stack in between: used by ``record --simulate`` and tests of the recorder.
    :meth:`drop` simulates the link dropping.
    """

    device: EmulatedDevice
    connects: int = 0
    _connected: bool = False
    _callbacks: dict[str, NotifyCallback] = field(default_factory=dict)
    _on_lost: DisconnectCallback | None = None

    @property
    def address(self) -> str:
        """The emulated device's name."""
        return self.device.name

    @property
    def is_connected(self) -> bool:
        """Whether the loopback link is up."""
        return self._connected

    def set_disconnected_callback(self, callback: DisconnectCallback | None) -> None:
        """Register the function called by :meth:`drop`."""
        self._on_lost = callback

    async def connect(self) -> None:
        """Attach to the emulator."""
        self.device.notify_hook = self._deliver
        self._connected = True
        self.connects += 1

    async def disconnect(self) -> None:
        """Detach from the emulator (the device stops streaming)."""
        if self._connected:
            self._connected = False
            self._callbacks.clear()
            self.device.link_lost()

    def drop(self) -> None:
        """Simulate an unsolicited disconnection."""
        if self._connected:
            self._connected = False
            self._callbacks.clear()
            self.device.link_lost()
            if self._on_lost is not None:
                self._on_lost()

    def _need_link(self) -> None:
        if not self._connected:
            raise DeviceError(f"{self.device.name}: not connected")

    async def start_notify(self, uuid: str, callback: NotifyCallback) -> None:
        """Subscribe to ``uuid``."""
        self._need_link()
        char = self.device.characteristic(uuid)
        if not char.properties & {"notify", "indicate"}:
            raise DeviceError(f"{self.device.name}: {uuid} cannot notify")
        self._callbacks[uuid] = callback
        self.device.set_subscribed(uuid, True)

    async def stop_notify(self, uuid: str) -> None:
        """Unsubscribe from ``uuid``."""
        self._need_link()
        self._callbacks.pop(uuid, None)
        self.device.set_subscribed(uuid, False)

    async def write(self, uuid: str, data: bytes, *, response: bool) -> None:
        """Write to ``uuid``; a rejected write with response raises DeviceError."""
        self._need_link()
        try:
            self.device.write(uuid, data)
        except CommandRejectedError:
            if response:
                raise

    def _deliver(self, uuid: str, data: bytes) -> None:
        callback = self._callbacks.get(uuid)
        if callback is not None:
            callback(data)
