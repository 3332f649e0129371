"""Bluetooth SIG Running Speed and Cadence (RSC) service 0x1814, measurement 0x2A53.

Layout facts (Bluetooth SIG RSC Service 1.0): ``flags u8`` (bit 0 stride length present,
bit 1 total distance present, bit 2 running (1) or walking (0), bits 3-7 reserved and
ignored) | ``speed u16 LE`` in 1/256 m/s | ``cadence u8`` in 1/min | ``stride length u16``
in 1/100 m if bit 0 | ``total distance u32`` in 1/10 m if bit 1. Bytes beyond the fields the
flags call for are ignored. RSC Feature (0x2A54) is a uint16 LE bit field.

A footpod reports cadence and speed about once a second: no contact times.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from sensorlab.profiles._toml import Table
from sensorlab.profiles.decoders import DecoderSpec
from sensorlab.profiles.model import SampleBlock, StreamDecoder, decode_error

if TYPE_CHECKING:
    from sensorlab.profiles.model import Profile


@dataclass(frozen=True)
class RscMeasurement:
    """One RSC Measurement notification.

    Attributes
    ----------
    flags : int
    running : bool
        Flag bit 2 (True = running, False = walking).
    speed_mps : float
        Instantaneous speed, m/s (resolution 1/256 m/s).
    cadence_spm : int
        Instantaneous cadence, steps/min.
    stride_length_m : float or None
        Instantaneous stride length, m, if present.
    total_distance_m : float or None
        Total distance, m, if present.
    """

    flags: int
    running: bool
    speed_mps: float
    cadence_spm: int
    stride_length_m: float | None
    total_distance_m: float | None

    @property
    def stride_length_cm(self) -> int | None:
        """The stride length field as sent (1/100 m), if present."""
        return None if self.stride_length_m is None else round(self.stride_length_m * 100)

    @property
    def total_distance_dm(self) -> int | None:
        """The total distance field as sent (1/10 m), if present."""
        return None if self.total_distance_m is None else round(self.total_distance_m * 10)


def parse_measurement(payload: bytes) -> RscMeasurement:
    """Decode an RSC Measurement.

    Raises
    ------
    DecodeError
        If the value is shorter than its flags require.
    """
    if len(payload) < 4:
        raise decode_error("an RSC measurement needs at least 4 bytes", payload)
    flags = payload[0]
    need = 4 + (2 if flags & 1 else 0) + (4 if flags & 2 else 0)
    if len(payload) < need:
        raise decode_error(f"RSC flags 0x{flags:02X} need {need} bytes", payload)
    pos = 4
    stride = None
    if flags & 1:
        stride = int.from_bytes(payload[pos : pos + 2], "little") / 100.0
        pos += 2
    distance = None
    if flags & 2:
        distance = int.from_bytes(payload[pos : pos + 4], "little") / 10.0
    return RscMeasurement(
        flags=flags,
        running=bool(flags & 4),
        speed_mps=int.from_bytes(payload[1:3], "little") / 256.0,
        cadence_spm=payload[3],
        stride_length_m=stride,
        total_distance_m=distance,
    )


@dataclass(frozen=True)
class RscFeature:
    """RSC Feature (0x2A54) bits."""

    value: int

    @property
    def stride_length_supported(self) -> bool:
        """Bit 0."""
        return bool(self.value & 1)

    @property
    def total_distance_supported(self) -> bool:
        """Bit 1."""
        return bool(self.value & 2)

    @property
    def walking_running_status_supported(self) -> bool:
        """Bit 2."""
        return bool(self.value & 4)

    @property
    def calibration_supported(self) -> bool:
        """Bit 3."""
        return bool(self.value & 8)

    @property
    def multiple_sensor_locations_supported(self) -> bool:
        """Bit 4."""
        return bool(self.value & 16)


def parse_feature(payload: bytes) -> RscFeature:
    """Decode the RSC Feature value (exactly 2 bytes).

    Raises
    ------
    DecodeError
        If the value is not 2 bytes long.
    """
    if len(payload) != 2:
        raise decode_error("RSC Feature is exactly 2 bytes", payload)
    return RscFeature(int.from_bytes(payload, "little"))


@dataclass(frozen=True)
class RscSpec(DecoderSpec):
    """``codec = "ble-rsc"``: option ``role`` (the RSC Measurement characteristic)."""

    codec: ClassVar[str] = "ble-rsc"
    roles: tuple[str, ...]

    def channels(self) -> frozenset[str]:
        """Cadence (steps/min) and speed (m/s)."""
        return frozenset({"cadence", "speed"})

    def build(self, profile: Profile, params: Mapping[str, Any]) -> StreamDecoder:
        """An :class:`RscDecoder`."""
        return RscDecoder(self.roles)


def parse(t: Table) -> RscSpec:
    """Validate a ``ble-rsc`` decoder table."""
    role = t.text("role")
    t.finish()
    return RscSpec((role,))


class RscDecoder(StreamDecoder):
    """Stateless RSC Measurement decoder: one cadence and one speed sample per notification."""

    def __init__(self, roles: tuple[str, ...]) -> None:
        self.roles = roles

    def feed(self, role: str, payload: bytes) -> list[SampleBlock]:
        """Decode one notification (see :meth:`StreamDecoder.feed`)."""
        if role not in self.roles:
            return []
        m = parse_measurement(bytes(payload))
        return [
            SampleBlock("cadence", np.array([[float(m.cadence_spm)]]), None, None),
            SampleBlock("speed", np.array([[m.speed_mps]]), None, None),
        ]
