"""Firmware profile objects: what the collector needs to talk to a device and decode it.

Interface (stable; the collector builds on it)
----------------------------------------------
::

    load_profile(name_or_path: str) -> Profile       # by id ("polar-verity-sense") or TOML path
    list_profiles() -> list[Profile]

    Profile (frozen)
        id, name, schema_version, family, source_path
        measures: frozenset[str]              # subset of {"acc", "gyr", "cadence", "speed"}
        placements: tuple[str, ...]           # where it can be worn ("foot", "chest", ...)
        advertised_names: tuple[str, ...]     # name prefixes for scan matching
        advertised_services: tuple[str, ...]  # 128-bit UUID strings, lower case
        characteristics: Mapping[str, Characteristic]   # role -> Characteristic(uuid, properties)
        start_script, stop_script: tuple[Step, ...]
        nominal_rates_hz, default_rate_hz, acc_ranges_g, default_acc_range_g (0.0 = no acc)
        axis_mapping: AxisMapping             # applied by the decoder
        timestamp: TimestampSpec | None       # None: use arrival time + nominal rate
        limitations: tuple[str, ...]          # what the device cannot measure (user-facing)
        profile.default_params() -> dict      # rate_hz, range_g and every capture default
        profile.params(rate_hz=None, range_g=None) -> dict   # validated against the profile
        profile.render_write(step: Write, params) -> bytes
        profile.make_decoder(params) -> StreamDecoder
        profile.data_roles: tuple[str, ...]   # roles whose notifications carry samples
        profile.counter_bits: int | None      # SampleBlock.counter wraps at 2**counter_bits
        profile.captures() -> dict            # parameters the start script captures (defaults)
        also: description, codes (code tables of templates), decoder (DecoderSpec),
              examples (packets with expected values), source_path

    Steps (frozen dataclasses; ``Step`` is their union)
        Subscribe(role) ; Unsubscribe(role)
        Write(role, hex_template, with_response)   # fields: {rate_code} {rate_hz:u16le} ...
        Expect(role, prefix_hex, capture, timeout_s)
            expect.matches(payload) -> bool ; expect.captured(payload) -> dict[str, float]
        Wait(seconds)

    StreamDecoder (stateful: delta frames, counters, reassembly)
        feed(role, payload) -> list[SampleBlock]   # DecodeError on a malformed payload; the
                                                   # decoder stays usable afterwards
        reset()                                    # forget state after a reconnect

    SampleBlock (frozen)
        channel: str                  # "acc" | "gyr" | "cadence" | "speed"
        values: ndarray (n, 3) float64 for acc (m/s²) and gyr (deg/s); (n, 1) for cadence
                (steps/min) and speed (m/s)
        device_time_s: ndarray (n,) | None   # seconds on the device clock since the
                                      # TimestampSpec epoch; clock wraps already unwrapped
        counter: int | None           # packet sequence number as sent (wraps, see
                                      # profile.counter_bits), for loss detection

All user errors derive from :class:`sensorlab.errors.SensorlabError`: invalid profile files
raise :class:`~sensorlab.errors.ProfileError` (with ``path`` set and the key in the message),
bad packets raise :class:`~sensorlab.errors.DecodeError`.
"""

from __future__ import annotations

import math
import struct
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
from numpy.typing import NDArray

from sensorlab.errors import DecodeError, UsageError

if TYPE_CHECKING:
    from sensorlab.profiles.decoders import DecoderSpec

SCHEMA_VERSION = 1
"""The profile schema version this code reads."""

MEASURES: tuple[str, ...] = ("acc", "gyr", "cadence", "speed")
PROPERTIES: tuple[str, ...] = ("read", "write", "write-without-response", "notify", "indicate")

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Characteristic:
    """One GATT characteristic the profile uses, under a role name.

    Attributes
    ----------
    uuid : str
        128-bit UUID, lower case.
    properties : frozenset of str
        Subset of ``{"read", "write", "write-without-response", "notify", "indicate"}``.
    """

    uuid: str
    properties: frozenset[str]


@dataclass(frozen=True)
class Subscribe:
    """Enable notifications or indications of the characteristic with ``role``."""

    role: str


@dataclass(frozen=True)
class Unsubscribe:
    """Disable notifications or indications of the characteristic with ``role``."""

    role: str


@dataclass(frozen=True)
class Write:
    """Write bytes rendered from ``hex_template`` (see :meth:`Profile.render_write`).

    Attributes
    ----------
    role : str
        Characteristic role to write to.
    hex_template : str
        Hex bytes with ``{field}`` or ``{field:format}`` placeholders.
    with_response : bool
        ATT write request (True) or write command without response (False).
    """

    role: str
    hex_template: str
    with_response: bool


CaptureFormat = Literal["u8", "i8", "u16le", "i16le", "u32le", "i32le", "f32le"]
_CAPTURE_STRUCT: dict[str, str] = {
    "u8": "<B",
    "i8": "<b",
    "u16le": "<H",
    "i16le": "<h",
    "u32le": "<I",
    "i32le": "<i",
    "f32le": "<f",
}


@dataclass(frozen=True)
class Capture:
    """A value read from a response, e.g. the Polar FACTOR returned at stream start.

    Attributes
    ----------
    format : str
        One of ``u8 i8 u16le i16le u32le i32le f32le``.
    offset : int or None
        Byte offset in the response; or None when ``marker_hex`` locates the value.
    marker_hex : str or None
        Bytes searched for after the expected prefix; the value follows them.
    default : float
        Value used when the response does not carry the field (older firmware, other model).
    """

    format: CaptureFormat
    offset: int | None
    marker_hex: str | None
    default: float

    def read(self, payload: bytes, *, prefix_len: int) -> float:
        """The captured value in ``payload``, or :attr:`default` when it is absent."""
        fmt = _CAPTURE_STRUCT[self.format]
        size = struct.calcsize(fmt)
        if self.offset is not None:
            start = self.offset
        else:
            marker = bytes.fromhex(self.marker_hex or "")
            found = payload.find(marker, prefix_len)
            if found < 0:
                return self.default
            start = found + len(marker)
        if start + size > len(payload):
            return self.default
        value = float(struct.unpack_from(fmt, payload, start)[0])
        return value if math.isfinite(value) else self.default


@dataclass(frozen=True)
class Expect:
    """Wait for a notification/indication on ``role`` that starts with ``prefix_hex``.

    Attributes
    ----------
    role : str
        Characteristic role the response arrives on.
    prefix_hex : str
        Expected leading bytes (hex); a response with another status is a failure.
    capture : Mapping[str, Capture] or None
        Parameters to read from the response (name -> where); they are passed to
        :meth:`Profile.render_write` and :meth:`Profile.make_decoder` afterwards.
    timeout_s : float
        How long to wait, in s.
    """

    role: str
    prefix_hex: str
    capture: Mapping[str, Capture] | None
    timeout_s: float

    def __hash__(self) -> int:
        return hash((self.role, self.prefix_hex, self.timeout_s))

    @property
    def prefix(self) -> bytes:
        """The expected prefix as bytes."""
        return bytes.fromhex(self.prefix_hex)

    def matches(self, payload: bytes) -> bool:
        """Whether ``payload`` is the expected response."""
        return bytes(payload).startswith(self.prefix)

    def captured(self, payload: bytes) -> dict[str, float]:
        """The captured parameters of a matching ``payload`` (defaults where absent)."""
        prefix_len = len(self.prefix)
        return {
            name: cap.read(bytes(payload), prefix_len=prefix_len)
            for name, cap in (self.capture or {}).items()
        }


@dataclass(frozen=True)
class Wait:
    """Pause the script for ``seconds`` (s)."""

    seconds: float


Step = Subscribe | Unsubscribe | Write | Expect | Wait


@dataclass(frozen=True)
class TimestampSpec:
    """How the device stamps its packets.

    Attributes
    ----------
    field : str
        Name of the header field (or ``"frame"`` for codec-defined frame timestamps).
    unit : {"ns", "us", "ms", "s", "tick"}
        Unit of the raw field; ``tick`` uses ``tick_hz``.
    tick_hz : float or None
        Tick rate for ``unit = "tick"``, in Hz.
    epoch : str
        What zero means: ``"boot"`` (device start) or an ISO 8601 UTC instant.
    sample : {"first", "last"}
        Whether the stamp belongs to the first or the last sample of the packet.
    wrap_bits : int or None
        Width of a counter that wraps (e.g. 32 for a uint32 ms clock), else None.
    """

    field: str
    unit: Literal["ns", "us", "ms", "s", "tick"]
    tick_hz: float | None
    epoch: str
    sample: Literal["first", "last"]
    wrap_bits: int | None

    @property
    def seconds_per_unit(self) -> float:
        """Factor from one raw unit to seconds."""
        if self.unit == "tick":
            return 1.0 / float(self.tick_hz or 1.0)
        return {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[self.unit]


_AXES = {"x": 0, "y": 1, "z": 2}


@dataclass(frozen=True)
class AxisMapping:
    """Default mapping of device axes to recording axes, e.g. ``("+x", "-z", "+y")``.

    Entry ``i`` names the device axis (with sign) that becomes recording axis ``i``.

    Attributes
    ----------
    acc, gyr : tuple of str
        Three signed axis names each.
    """

    acc: tuple[str, str, str] = ("+x", "+y", "+z")
    gyr: tuple[str, str, str] = ("+x", "+y", "+z")

    def apply(self, channel: str, values: FloatArray) -> FloatArray:
        """Return ``values`` (shape (n, 3)) with this mapping applied for ``channel``."""
        spec = self.acc if channel == "acc" else self.gyr
        if spec == ("+x", "+y", "+z"):
            return values
        index = [_AXES[s[1]] for s in spec]
        signs = np.array([-1.0 if s[0] == "-" else 1.0 for s in spec])
        out: FloatArray = values[:, index] * signs
        return out


@dataclass(frozen=True)
class SampleBlock:
    """Samples of one channel decoded from one packet.

    Attributes
    ----------
    channel : str
        ``"acc"``, ``"gyr"``, ``"cadence"`` or ``"speed"``.
    values : ndarray, shape (n, 3) or (n, 1), float64
        acc in m/s², gyr in deg/s (n, 3); cadence in steps/min, speed in m/s (n, 1).
    device_time_s : ndarray, shape (n,), float64, or None
        Per-sample time on the device clock in s since the epoch of the profile's
        :class:`TimestampSpec` (reconstructed from the packet stamp and the rate, honouring
        first/last-sample stamps); None when the device gives no timestamp.
    counter : int or None
        Packet or frame sequence number (for loss detection), if the device sends one.
    """

    channel: str
    values: FloatArray
    device_time_s: FloatArray | None
    counter: int | None

    def __len__(self) -> int:
        return int(self.values.shape[0])


class StreamDecoder(ABC):
    """Turns the notifications of one device connection into :class:`SampleBlock` s.

    A decoder is stateful (previous frame timestamp, reassembly buffers, counters). A
    malformed payload raises :class:`~sensorlab.errors.DecodeError`; the decoder stays
    usable for the next payload.
    """

    roles: tuple[str, ...] = ()

    @abstractmethod
    def feed(self, role: str, payload: bytes) -> list[SampleBlock]:
        """Decode one notification.

        Parameters
        ----------
        role : str
            Role of the characteristic that sent ``payload``; payloads of roles the
            decoder does not read return an empty list.
        payload : bytes
            The notification value.

        Returns
        -------
        list of SampleBlock
            Zero or more blocks (zero while a multi-part message is incomplete).

        Raises
        ------
        DecodeError
            If ``payload`` is malformed for this profile.
        """

    def reset(self) -> None:  # noqa: B027 - optional hook, stateless decoders keep it
        """Forget per-connection state (call after a reconnect)."""


@dataclass(frozen=True)
class Example:
    """A packet shipped in a profile with the values it must decode to.

    Attributes
    ----------
    role : str
        Role the packet arrives on.
    hex : str
        The bytes.
    channel : str
        Channel whose first decoded sample is checked.
    first_sample : tuple of float
        Expected first sample in the channel's profile unit (before SI conversion).
    unit : str
        Unit of ``first_sample`` (a channel unit, e.g. ``"g"``).
    params : Mapping[str, float]
        Decoder parameters for this example (merged over the defaults).
    """

    role: str
    hex: str
    channel: str
    first_sample: tuple[float, ...]
    unit: str
    params: Mapping[str, float]


@dataclass(frozen=True)
class CodeTable:
    """Maps a numeric parameter to device bytes, e.g. a rate in Hz to a register code.

    Attributes
    ----------
    param : str
        Parameter name (``rate_hz``, ``range_g``).
    codes : Mapping[float, str]
        Parameter value -> hex bytes.
    """

    param: str
    codes: Mapping[float, str]


@dataclass(frozen=True)
class Profile:
    """A validated firmware profile (one TOML file). See the module docstring."""

    id: str
    name: str
    schema_version: int
    family: str
    description: str
    measures: frozenset[str]
    placements: tuple[str, ...]
    limitations: tuple[str, ...]
    advertised_names: tuple[str, ...]
    advertised_services: tuple[str, ...]
    characteristics: Mapping[str, Characteristic]
    start_script: tuple[Step, ...]
    stop_script: tuple[Step, ...]
    nominal_rates_hz: tuple[float, ...]
    default_rate_hz: float
    acc_ranges_g: tuple[float, ...]
    default_acc_range_g: float
    axis_mapping: AxisMapping
    timestamp: TimestampSpec | None
    codes: Mapping[str, CodeTable]
    decoder: DecoderSpec
    examples: tuple[Example, ...] = ()
    source_path: Path | None = field(default=None, compare=False)

    def __hash__(self) -> int:
        return hash((self.id, self.schema_version, self.source_path))

    @property
    def data_roles(self) -> tuple[str, ...]:
        """Roles whose notifications carry samples."""
        roles: tuple[str, ...] = self.decoder.roles
        return roles

    @property
    def counter_bits(self) -> int | None:
        """Width of the packet counter in :attr:`SampleBlock.counter` (it wraps), or None."""
        bits: int | None = getattr(self.decoder, "counter_bits", None)
        return bits

    def captures(self) -> dict[str, float]:
        """Every parameter a start-script :class:`Expect` may capture, with its default."""
        out: dict[str, float] = {}
        for step in self.start_script:
            if isinstance(step, Expect) and step.capture:
                out.update({name: cap.default for name, cap in step.capture.items()})
        return out

    def default_params(self) -> dict[str, Any]:
        """Decoder/template parameters before the device answers: defaults everywhere."""
        return self.params()

    def params(
        self, *, rate_hz: float | None = None, range_g: float | None = None
    ) -> dict[str, Any]:
        """Parameters for a recording, checked against the profile.

        Parameters
        ----------
        rate_hz : float, optional
            Sampling rate in Hz; one of :attr:`nominal_rates_hz` (default
            :attr:`default_rate_hz`).
        range_g : float, optional
            Accelerometer range in g; one of :attr:`acc_ranges_g` (default
            :attr:`default_acc_range_g`).

        Returns
        -------
        dict
            ``rate_hz``, ``range_g`` and the capture defaults.

        Raises
        ------
        UsageError
            If a value is not supported by the device.
        """
        rate = self.default_rate_hz if rate_hz is None else float(rate_hz)
        if rate not in self.nominal_rates_hz:
            allowed = ", ".join(f"{r:g}" for r in self.nominal_rates_hz)
            raise UsageError(f"{self.name} cannot sample at {rate:g} Hz; expected one of {allowed}")
        rng = self.default_acc_range_g if range_g is None else float(range_g)
        if self.acc_ranges_g and rng not in self.acc_ranges_g:
            allowed = ", ".join(f"{r:g}" for r in self.acc_ranges_g)
            raise UsageError(f"{self.name} has no ±{rng:g} g range; expected one of {allowed}")
        out: dict[str, Any] = {"rate_hz": rate, "range_g": rng}
        out.update(self.captures())
        return out

    def render_write(self, step: Write, params: Mapping[str, Any]) -> bytes:
        """The bytes of a :class:`Write` step for ``params``.

        Parameters
        ----------
        step : Write
            A step of :attr:`start_script` or :attr:`stop_script`.
        params : Mapping
            ``rate_hz``, ``range_g`` and captured values.

        Returns
        -------
        bytes

        Raises
        ------
        UsageError
            If a template field cannot be rendered (unknown code for the rate, ...).
        """
        from sensorlab.profiles.template import render

        return render(step.hex_template, params, self.codes, where=self.id)

    def make_decoder(self, params: Mapping[str, Any] | None = None) -> StreamDecoder:
        """A fresh decoder for one connection.

        Parameters
        ----------
        params : Mapping, optional
            ``rate_hz``, ``range_g`` and captured values; missing keys take the defaults.
        """
        merged = self.default_params()
        merged.update(params or {})
        decoder: StreamDecoder = self.decoder.build(self, merged)
        return decoder


def decode_error(message: str, payload: bytes | None = None) -> DecodeError:
    """A :class:`DecodeError` whose message ends with the payload's first bytes."""
    if payload is not None:
        head = bytes(payload[:24]).hex(" ")
        more = " ..." if len(payload) > 24 else ""
        message = f"{message} (payload {len(payload)} bytes: {head}{more})"
    return DecodeError(message)
