"""A tiny fake device, decoder and transport for the collector tests (no radio, no profile).

Packet layout of the fake device (little endian): ``u32 first sample index`` then, per sample,
six ``i16``: acc x, y, z in cm/s² and gyr x, y, z in 0.1 deg/s. The decoder derives device
times from the sample index at the nominal rate.
"""

from __future__ import annotations

import asyncio
import struct
from collections.abc import Callable

import numpy as np

from sensorlab.errors import DecodeError, DeviceError
from sensorlab.profiles.model import SampleBlock, StreamDecoder

RATE_HZ = 100.0
PER_PACKET = 5


def sample_values(index: np.ndarray) -> np.ndarray:
    """Deterministic (n, 6) int16 values of samples ``index``."""
    i = index.astype(np.int64)[:, None]
    k = np.arange(6, dtype=np.int64)[None, :]
    return ((i * 37 + k * 101) % 2001 - 1000).astype(np.int16)


def encode(first: int, n: int) -> bytes:
    values = sample_values(np.arange(first, first + n))
    return struct.pack("<I", first) + values.astype("<i2").tobytes()


class FakeDecoder(StreamDecoder):
    roles = ("data",)

    def feed(self, role: str, payload: bytes) -> list[SampleBlock]:
        if role != "data":
            return []
        if len(payload) < 4 + 12 or (len(payload) - 4) % 12:
            raise DecodeError(f"expected 4 + 12k bytes, found {len(payload)}")
        (first,) = struct.unpack_from("<I", payload)
        raw = np.frombuffer(payload, dtype="<i2", offset=4).reshape(-1, 6).astype(np.float64)
        t = (first + np.arange(raw.shape[0])) / RATE_HZ
        return [
            SampleBlock("acc", raw[:, :3] / 100.0, t, None),
            SampleBlock("gyr", raw[:, 3:] / 10.0, t, None),
        ]


class FakeDriver:
    data_roles = ("data",)

    def __init__(self) -> None:
        self.starts = 0
        self.stops = 0

    async def start(self, transport: FakeTransport, sink: Callable[[str, bytes], None]) -> None:
        await transport.start_notify("data-uuid", lambda b: sink("data", b))
        await transport.write("cp-uuid", b"\x01", response=True)
        self.starts += 1

    async def stop(self, transport: FakeTransport) -> None:
        await transport.write("cp-uuid", b"\x00", response=True)
        self.stops += 1

    def new_decoder(self) -> StreamDecoder:
        return FakeDecoder()


class FakeTransport:
    """Streams packets of the fake device once started; can drop the link on demand.

    ``script`` is a list of packets (bytes) or the string ``"drop"`` (an unsolicited
    disconnect); after the script the device keeps silent.
    """

    def __init__(self, script: list[bytes | str], *, fail_connects: int = 0) -> None:
        self.address = "FA:KE:00:00:00:01"
        self.script = list(script)
        self.sent: list[bytes] = []
        self.fail_connects = fail_connects
        self.is_connected = False
        self.connects = 0
        self._callback: Callable[[bytes], None] | None = None
        self._on_lost: Callable[[], None] | None = None
        self._task: asyncio.Task[None] | None = None
        self.finished = asyncio.Event()

    def set_disconnected_callback(self, callback: Callable[[], None] | None) -> None:
        self._on_lost = callback

    async def connect(self) -> None:
        if self.fail_connects:
            self.fail_connects -= 1
            raise DeviceError("fake: connection refused")
        self.connects += 1
        self.is_connected = True

    async def disconnect(self) -> None:
        self.is_connected = False
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def start_notify(self, uuid: str, callback: Callable[[bytes], None]) -> None:
        self._callback = callback

    async def stop_notify(self, uuid: str) -> None:
        self._callback = None

    async def write(self, uuid: str, data: bytes, *, response: bool) -> None:
        if data == b"\x01":
            self._task = asyncio.create_task(self._stream())

    async def _stream(self) -> None:
        while self.script:
            item = self.script.pop(0)
            await asyncio.sleep(0)
            if item == "drop":
                self.is_connected = False
                self._task = None
                if self._on_lost is not None:
                    self._on_lost()
                return
            assert isinstance(item, bytes)
            self.sent.append(item)
            if self._callback is not None:
                self._callback(item)
        self.finished.set()
