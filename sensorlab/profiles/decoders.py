"""Packet decoders: a declarative struct layout, and named codecs where a layout cannot cope.

The ``[decoder]`` table of a profile either says ``codec = "struct"`` and describes its
messages (prefix, header fields, a repeated sample record, channels with type, scale and
unit), or names a codec of :data:`CODECS` (``polar-pmd``, ``movesense-gsp``, ``ble-rsc``)
with that codec's own options.

A struct message::

    [[decoder.messages]]
    prefix = "55 61"            # leading bytes that identify the message
    record_offset = 2           # first sample record starts here
    record_bytes = 18           # size of one sample record
    samples = 1                 # records per message; 0 = as many as fill the message
    header = [{ name = "seq", type = "u16", offset = 2 }]    # optional
    [[decoder.messages.channels]]
    channel = "acc"             # acc | gyr | cadence | speed
    type = "i16"                # i8 u8 i16 u16 i24 i32 u32 f32
    offset = 0                  # within the record
    scale = 0.00048828125       # raw -> unit; or scale_full_range = true: range_g / 2**(bits-1)
    unit = "g"
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

from sensorlab.profiles._toml import Table, parse_hex
from sensorlab.profiles.model import (
    FloatArray,
    SampleBlock,
    StreamDecoder,
    TimestampSpec,
    decode_error,
)
from sensorlab.profiles.units import CHANNEL_UNITS, CHANNEL_WIDTH, to_canonical

if TYPE_CHECKING:
    from sensorlab.profiles.model import Profile

FIELD_TYPES: dict[str, tuple[str, int]] = {
    "i8": ("i1", 1),
    "u8": ("u1", 1),
    "i16": ("i2", 2),
    "u16": ("u2", 2),
    "i24": ("i3", 3),
    "i32": ("i4", 4),
    "u32": ("u4", 4),
    "u64": ("u8", 8),
    "f32": ("f4", 4),
}
"""Field type name -> (numpy kind code, size in bytes); ``i24`` is decoded by hand."""


class DecoderSpec(ABC):
    """The validated ``[decoder]`` table of a profile."""

    codec: ClassVar[str]
    roles: tuple[str, ...]

    @abstractmethod
    def build(self, profile: Profile, params: Mapping[str, Any]) -> StreamDecoder:
        """A fresh :class:`StreamDecoder` for ``params`` (rate_hz, range_g, captures)."""

    def channels(self) -> frozenset[str]:
        """Channels this decoder can emit."""
        return frozenset()


@dataclass(frozen=True)
class ChannelSpec:
    """One channel of a struct record.

    Attributes
    ----------
    channel : str
        ``acc``, ``gyr``, ``cadence`` or ``speed``.
    type : str
        Field type of each component (a key of :data:`FIELD_TYPES`).
    offset : int
        Byte offset of the first component inside the record.
    scale : float or None
        Raw count -> ``unit``; None when ``scale_full_range`` is used.
    scale_full_range : bool
        Scale is ``range_g / 2**(bits - 1)`` (g per count) for the configured range.
    unit : str
        Unit after scaling (see :data:`sensorlab.profiles.units.CHANNEL_UNITS`).
    offset_value : float
        Added after scaling, in ``unit``.
    """

    channel: str
    type: str
    offset: int
    scale: float | None
    scale_full_range: bool
    unit: str
    offset_value: float = 0.0

    @property
    def width(self) -> int:
        """Number of components."""
        return CHANNEL_WIDTH[self.channel]

    @property
    def nbytes(self) -> int:
        """Bytes of all components."""
        return FIELD_TYPES[self.type][1] * self.width

    def unit_scale(self, params: Mapping[str, Any]) -> float:
        """Factor raw count -> ``unit`` for ``params``."""
        if self.scale_full_range:
            bits = 8 * FIELD_TYPES[self.type][1]
            return float(params["range_g"]) / float(2 ** (bits - 1))
        return float(self.scale if self.scale is not None else 1.0)


def parse_channel(t: Table, byte_order: str) -> ChannelSpec:
    """Validate one ``channels`` entry."""
    channel = t.text("channel", choices=tuple(CHANNEL_UNITS))
    ftype = t.text("type", choices=tuple(FIELD_TYPES))
    offset = t.integer("offset", minimum=0)
    full = t.flag("scale_full_range", False)
    scale = None if full else t.number("scale", 1.0)
    if full and t.has("scale"):
        raise t.error("scale", "give either scale or scale_full_range = true, not both")
    if full and channel != "acc":
        raise t.error("scale_full_range", "only an acc channel scales with the g range")
    unit = t.text("unit", choices=tuple(CHANNEL_UNITS[channel]))
    if full and unit != "g":
        raise t.error("unit", "scale_full_range gives g per count; the unit must be 'g'")
    offset_value = t.number("offset_value", 0.0)
    t.finish()
    return ChannelSpec(channel, ftype, offset, scale, full, unit, offset_value)


@dataclass(frozen=True)
class HeaderField:
    """A named field of a message header (timestamp, counter)."""

    name: str
    type: str
    offset: int


@dataclass(frozen=True)
class MessageSpec:
    """One kind of message of a struct decoder (see the module docstring)."""

    prefix: bytes
    record_offset: int
    record_bytes: int
    samples: int
    header: tuple[HeaderField, ...]
    channels: tuple[ChannelSpec, ...]

    def expected_length(self) -> int | None:
        """Exact length of the message in bytes, or None for a variable record count."""
        if self.samples == 0:
            return None
        return self.record_offset + self.samples * self.record_bytes

    @property
    def min_length(self) -> int:
        """Shortest valid message, in bytes."""
        ends = [f.offset + FIELD_TYPES[f.type][1] for f in self.header]
        return max([self.record_offset + self.record_bytes, len(self.prefix), *ends])


@dataclass(frozen=True)
class StructSpec(DecoderSpec):
    """Declarative decoder: fixed messages with a repeated sample record."""

    codec: ClassVar[str] = "struct"
    roles: tuple[str, ...]
    byte_order: Literal["<", ">"]
    framing: Literal["packet", "stream"]
    messages: tuple[MessageSpec, ...]
    counter_field: str | None
    counter_bits: int | None

    def channels(self) -> frozenset[str]:
        """Channels of all messages."""
        return frozenset(c.channel for m in self.messages for c in m.channels)

    def build(self, profile: Profile, params: Mapping[str, Any]) -> StreamDecoder:
        """A :class:`StructDecoder`."""
        return StructDecoder(self, profile, params)


def parse_struct(t: Table) -> StructSpec:
    """Validate a ``codec = "struct"`` decoder table."""
    roles = (t.text("role"),)
    order: Literal["<", ">"] = (
        "<" if t.text("byte_order", "little", choices=("little", "big")) == "little" else ">"
    )
    framing = t.text("framing", "packet", choices=("packet", "stream"))
    counter_field = t.text("counter_field", None)
    messages: list[MessageSpec] = []
    for m in t.tables("messages"):
        prefix = bytes.fromhex(parse_hex(m, "prefix", ""))
        record_offset = m.integer("record_offset", minimum=0)
        record_bytes = m.integer("record_bytes", minimum=1)
        samples = m.integer("samples", minimum=0)
        header: list[HeaderField] = []
        for h in m.tables("header", []):
            header.append(
                HeaderField(
                    h.text("name"),
                    h.text("type", choices=tuple(FIELD_TYPES)),
                    h.integer("offset", minimum=0),
                )
            )
            h.finish()
        channels = tuple(parse_channel(c, order) for c in m.tables("channels", []))
        for c in channels:
            if c.offset + c.nbytes > record_bytes:
                raise m.error(
                    "channels",
                    f"{c.channel} needs bytes {c.offset}..{c.offset + c.nbytes - 1} but "
                    f"record_bytes is {record_bytes}",
                )
        if framing == "stream" and (samples == 0 or not prefix):
            raise m.error("samples", "stream framing needs a prefix and a fixed sample count")
        m.finish()
        messages.append(
            MessageSpec(prefix, record_offset, record_bytes, samples, tuple(header), channels)
        )
    if not messages:
        raise t.error("messages", "at least one message is required")
    counter_bits = None
    if counter_field is not None:
        found = [f for m in messages for f in m.header if f.name == counter_field]
        if not found:
            raise t.error("counter_field", f"no header field is named '{counter_field}'")
        counter_bits = 8 * FIELD_TYPES[found[0].type][1]
    t.finish()
    return StructSpec(
        roles,
        order,
        framing,
        tuple(messages),
        counter_field,
        counter_bits,
    )


def read_field(payload: bytes, offset: int, ftype: str, byte_order: str) -> float:
    """One scalar field of ``payload``."""
    kind = FIELD_TYPES[ftype][0]
    if ftype == "i24":
        return float(
            int.from_bytes(
                payload[offset : offset + 3], "little" if byte_order == "<" else "big", signed=True
            )
        )
    return float(np.frombuffer(payload, dtype=byte_order + kind, count=1, offset=offset)[0])


def read_components(
    payload: bytes, start: int, stride: int, n: int, ftype: str, width: int, byte_order: str
) -> FloatArray:
    """Read ``n`` records of ``width`` consecutive fields starting at ``start``.

    Returns
    -------
    ndarray, shape (n, width), float64
        Raw counts.
    """
    kind, size = FIELD_TYPES[ftype]
    buf = np.frombuffer(payload, dtype=np.uint8)
    idx = start + np.arange(n)[:, None] * stride + np.arange(width * size)[None, :]
    raw = buf[idx].reshape(n, width, size)
    if ftype == "i24":
        order = raw if byte_order == "<" else raw[:, :, ::-1]
        u = (
            order[:, :, 0].astype(np.int64)
            | (order[:, :, 1].astype(np.int64) << 8)
            | (order[:, :, 2].astype(np.int64) << 16)
        )
        out: FloatArray = np.where(u >= 1 << 23, u - (1 << 24), u).astype(np.float64)
        return out
    flat = np.ascontiguousarray(raw).reshape(n, width * size)
    values = flat.view(np.dtype(byte_order + kind)).reshape(n, width)
    with np.errstate(invalid="ignore"):  # float fields: NaNs are rejected by the caller
        out = values.astype(np.float64)
    return out


class Clock:
    """Turns packet stamps into per-sample device times, unwrapping counters that wrap.

    Parameters
    ----------
    spec : TimestampSpec
        The profile's timestamp description.
    rate_hz : float
        Nominal sampling rate, in Hz.
    """

    def __init__(self, spec: TimestampSpec, rate_hz: float) -> None:
        self.spec = spec
        self.rate_hz = rate_hz
        self.reset()

    def reset(self) -> None:
        """Forget the wrap state."""
        self._previous: float | None = None
        self._wraps = 0

    def sample_times_s(self, raw_stamp: float, n: int) -> FloatArray:
        """Per-sample times in s for a packet of ``n`` samples stamped ``raw_stamp``.

        Returns
        -------
        ndarray, shape (n,)
            Device time of every sample, in s since the profile's epoch.
        """
        bits = self.spec.wrap_bits
        if bits is not None:
            span = float(2**bits)
            if self._previous is not None and raw_stamp < self._previous - span / 2:
                self._wraps += 1
            self._previous = raw_stamp
            raw_stamp += self._wraps * span
        stamp_s = raw_stamp * self.spec.seconds_per_unit
        step = np.arange(n, dtype=np.float64) / self.rate_hz
        if self.spec.sample == "first":
            out: FloatArray = stamp_s + step
        else:
            out = stamp_s - step[::-1]
        return out


class StructDecoder(StreamDecoder):
    """Decoder of a :class:`StructSpec`."""

    MAX_BUFFER = 4096

    def __init__(self, spec: StructSpec, profile: Profile, params: Mapping[str, Any]) -> None:
        self.spec = spec
        self.roles = spec.roles
        self.mapping = profile.axis_mapping
        self.rate_hz = float(params["rate_hz"])
        self.clock = (
            Clock(profile.timestamp, self.rate_hz) if profile.timestamp is not None else None
        )
        self.stamp_field = profile.timestamp.field if profile.timestamp is not None else None
        self.factors = {
            id(c): c.unit_scale(params) * to_canonical(c.channel, c.unit)
            for m in spec.messages
            for c in m.channels
        }
        self.by_prefix = sorted(spec.messages, key=lambda m: -len(m.prefix))
        self._buffer = bytearray()
        self.discarded_bytes = 0

    def reset(self) -> None:
        """Clear the reassembly buffer and the clock."""
        self._buffer.clear()
        if self.clock is not None:
            self.clock.reset()

    def feed(self, role: str, payload: bytes) -> list[SampleBlock]:
        """Decode one notification (see :meth:`StreamDecoder.feed`)."""
        if role not in self.roles:
            return []
        payload = bytes(payload)
        if self.spec.framing == "packet":
            return self._message(payload, self._match(payload))
        return self._stream(payload)

    def _match(self, payload: bytes) -> MessageSpec:
        for m in self.by_prefix:
            if payload.startswith(m.prefix):
                return m
        raise decode_error("no message of this profile starts with these bytes", payload)

    def _stream(self, payload: bytes) -> list[SampleBlock]:
        buf = self._buffer
        buf += payload
        out: list[SampleBlock] = []
        while buf:
            starts = [(buf.find(m.prefix), m) for m in self.by_prefix]
            found = [(i, m) for i, m in starts if i >= 0]
            if not found:
                keep = max(len(m.prefix) for m in self.spec.messages) - 1
                self.discarded_bytes += max(0, len(buf) - keep)
                del buf[: max(0, len(buf) - keep)]
                break
            i, m = min(found, key=lambda x: x[0])
            if i > 0:
                self.discarded_bytes += i
                del buf[:i]
            length = m.expected_length() or 0
            if len(buf) < length:
                break
            frame = bytes(buf[:length])
            del buf[:length]
            out += self._message(frame, m)
        if len(buf) > self.MAX_BUFFER:
            buf.clear()
        return out

    def _message(self, payload: bytes, m: MessageSpec) -> list[SampleBlock]:
        order = self.spec.byte_order
        exact = m.expected_length()
        if len(payload) < m.min_length or (exact is not None and len(payload) != exact):
            want = exact if exact is not None else f"at least {m.min_length}"
            raise decode_error(f"expected {want} bytes", payload)
        if exact is None and (len(payload) - m.record_offset) % m.record_bytes:
            raise decode_error(
                f"expected {m.record_offset} header bytes plus whole {m.record_bytes}-byte records",
                payload,
            )
        n = m.samples or (len(payload) - m.record_offset) // m.record_bytes
        header = {f.name: read_field(payload, f.offset, f.type, order) for f in m.header}
        counter = None
        if self.spec.counter_field is not None and self.spec.counter_field in header:
            counter = int(header[self.spec.counter_field])
        times = None
        if self.clock is not None and self.stamp_field in header:
            times = self.clock.sample_times_s(header[str(self.stamp_field)], n)
        out: list[SampleBlock] = []
        for c in m.channels:
            raw = read_components(
                payload, m.record_offset + c.offset, m.record_bytes, n, c.type, c.width, order
            )
            if c.type == "f32" and not np.all(np.isfinite(raw)):
                raise decode_error(f"{c.channel} holds NaN or infinite values", payload)
            values = raw * self.factors[id(c)]
            if c.offset_value:
                values = values + c.offset_value * to_canonical(c.channel, c.unit)
            if c.channel in ("acc", "gyr"):
                values = self.mapping.apply(c.channel, values)
            out.append(SampleBlock(c.channel, values, times, counter))
        return out


def parse_decoder(t: Table) -> DecoderSpec:
    """Validate the ``[decoder]`` table into the spec of its codec."""
    codec = t.text("codec", choices=("struct", *CODECS))
    if codec == "struct":
        return parse_struct(t)
    import importlib

    module = importlib.import_module(CODECS[codec])
    spec: DecoderSpec = module.parse(t)
    return spec


CODECS: dict[str, str] = {
    "polar-pmd": "sensorlab.profiles.codecs.polar_pmd",
    "movesense-gsp": "sensorlab.profiles.codecs.movesense",
    "ble-rsc": "sensorlab.profiles.codecs.rsc",
}
"""Named codecs -> module defining ``parse(table) -> DecoderSpec``."""
