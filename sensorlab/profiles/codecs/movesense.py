"""Movesense GATT SensorData Protocol (GSP) of the ``gatt_sensordata_app`` firmware.

Layout facts (Movesense's documented protocol):

- commands to ``34800001``: ``[command u8][client reference u8][payload]``; HELLO = 0,
  SUBSCRIBE = 1 (payload: the resource path in ASCII, e.g. ``/Meas/IMU6/208``),
  UNSUBSCRIBE = 2;
- notifications from ``34800002``: ``[type u8][reference u8][data]``; type 1 is a command
  result, type 2 data, type 3 the continuation of the previous type-2 message of the same
  reference (its bytes after the 2-byte header are appended);
- data of ``/Meas/Acc``, ``/Meas/Gyro``, ``/Meas/IMU6`` and ``/Meas/IMU9``: a uint32 LE
  timestamp (ms on the sensor clock, of the first sample) followed by one block of float32
  x, y, z triplets per sensor (acc m/s², gyro deg/s, magnetometer µT), blocks one after
  another (not interleaved).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from sensorlab.profiles._toml import Table
from sensorlab.profiles.decoders import Clock, DecoderSpec
from sensorlab.profiles.model import SampleBlock, StreamDecoder, TimestampSpec, decode_error

if TYPE_CHECKING:
    from sensorlab.profiles.model import Profile

TYPE_RESULT = 1
TYPE_DATA = 2
TYPE_DATA_PART2 = 3
MAX_MESSAGE_BYTES = 4096
"""A pending multi-part message longer than this is dropped as malformed."""

_MS_CLOCK = TimestampSpec("timestamp", "ms", None, "boot", "first", 32)


@dataclass(frozen=True)
class GspSpec(DecoderSpec):
    """``codec = "movesense-gsp"``: options ``role``, ``reference`` and ``blocks``.

    ``blocks`` lists the triplet blocks of the subscribed resource in order: ``acc``,
    ``gyr`` or ``magn`` (magnetometer blocks are read past, not emitted).
    """

    codec: ClassVar[str] = "movesense-gsp"
    roles: tuple[str, ...]
    reference: int
    blocks: tuple[str, ...]

    def channels(self) -> frozenset[str]:
        """Channels this decoder emits."""
        return frozenset(b for b in self.blocks if b != "magn")

    def build(self, profile: Profile, params: Mapping[str, Any]) -> StreamDecoder:
        """A :class:`GspDecoder`."""
        return GspDecoder(self, profile, params)


def parse(t: Table) -> GspSpec:
    """Validate a ``movesense-gsp`` decoder table."""
    role = t.text("role")
    reference = t.integer("reference", minimum=1)
    if reference > 255:
        raise t.error("reference", f"a client reference is one byte (1..255), found {reference}")
    blocks = t.str_list("blocks", choices=("acc", "gyr", "magn"))
    if not blocks:
        raise t.error("blocks", "at least one block is required")
    t.finish()
    return GspSpec((role,), reference, blocks)


class GspDecoder(StreamDecoder):
    """Stateful GSP decoder: joins two-part messages and unwraps the 32-bit ms clock."""

    def __init__(self, spec: GspSpec, profile: Profile, params: Mapping[str, Any]) -> None:
        self.spec = spec
        self.roles = spec.roles
        self.mapping = profile.axis_mapping
        self.clock = Clock(profile.timestamp or _MS_CLOCK, float(params["rate_hz"]))
        self.record_bytes = 12 * len(spec.blocks)
        self.dropped_parts = 0
        self.reset()

    def reset(self) -> None:
        """Drop a pending part and the clock state."""
        self._pending: bytearray | None = None
        self.clock.reset()

    def _complete(self, body: bytes | bytearray) -> bool:
        return len(body) > 4 and (len(body) - 4) % self.record_bytes == 0

    def feed(self, role: str, payload: bytes) -> list[SampleBlock]:
        """Decode one notification (see :meth:`StreamDecoder.feed`)."""
        if role not in self.roles:
            return []
        payload = bytes(payload)
        if len(payload) < 2:
            raise decode_error("a GSP notification needs a type and a reference byte", payload)
        kind, ref = payload[0], payload[1]
        if kind == TYPE_RESULT:
            return []
        if kind not in (TYPE_DATA, TYPE_DATA_PART2):
            raise decode_error(f"unknown GSP notification type {kind}", payload)
        if ref != self.spec.reference:
            raise decode_error(f"data for reference {ref}, expected {self.spec.reference}", payload)
        if kind == TYPE_DATA:
            if self._pending is not None:
                self.dropped_parts += 1
            self._pending = bytearray(payload[2:])
        else:
            if self._pending is None:
                raise decode_error("a GSP continuation without a first part", payload)
            self._pending += payload[2:]
        body = self._pending
        if self._complete(body):
            self._pending = None
            return self._decode(bytes(body))
        if len(body) > MAX_MESSAGE_BYTES:
            self._pending = None
            raise decode_error(f"GSP message longer than {MAX_MESSAGE_BYTES} bytes", payload)
        if len(body) < 4:
            self._pending = None
            raise decode_error("GSP data without its 4-byte timestamp", payload)
        return []

    def _decode(self, body: bytes) -> list[SampleBlock]:
        stamp_ms = int.from_bytes(body[:4], "little")
        n = (len(body) - 4) // self.record_bytes
        with np.errstate(invalid="ignore"):  # signalling NaNs are rejected below
            floats = np.frombuffer(body, dtype="<f4", offset=4).astype(np.float64)
            finite = bool(np.all(np.isfinite(floats)))
        if not finite:
            raise decode_error("GSP data holds NaN or infinite values", body)
        times = self.clock.sample_times_s(float(stamp_ms), n)
        out: list[SampleBlock] = []
        for i, name in enumerate(self.spec.blocks):
            if name == "magn":
                continue
            values = floats[i * 3 * n : (i + 1) * 3 * n].reshape(n, 3)
            out.append(SampleBlock(name, self.mapping.apply(name, values), times, None))
        return out
