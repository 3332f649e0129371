"""Polar Measurement Data (PMD) frames: Polar H10, Verity Sense, OH1.

Layout facts (Polar's published PMD specification and SDK tests):

- data notification: ``[measurement type][uint64 LE timestamp, ns since 2000-01-01 of the
  LAST sample][frame type: bit 7 = delta-compressed, low 7 bits = type][payload]``;
- raw ACC frames (types 0, 1, 2) carry int8 / int16 / int24 LE x, y, z per sample in mG;
- delta-compressed frames carry a reference sample (channels x ceil(resolution/8) bytes,
  signed LE) and then blocks ``[delta bits u8][sample count u8][packed deltas]``; deltas are
  two's-complement fields read LSB first from a little-endian bit stream, x, y, z per sample,
  each added to the previous sample (sums wrap at 32 bits);
- compressed ACC type 0 values times the FACTOR returned at stream start are in G;
  compressed ACC type 1 values times the factor are in mG (factor 1: the values themselves);
  GYRO values times the factor are in deg/s;
- per-sample timestamps: with a previous frame timestamp ``p`` the ``n`` samples of a frame
  stamped ``t`` are spaced ``(t - p) / n`` apart and end at ``t``; without one they are
  spaced ``1 / rate`` apart ending at ``t``; rounding is half to even.

Control point (``fb005c81``) responses are ``F0 [op code][measurement type][status][more]
[parameters]``; settings are TLVs ``[type][count][count values]``.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from sensorlab.profiles._toml import Table
from sensorlab.profiles.decoders import DecoderSpec
from sensorlab.profiles.model import SampleBlock, StreamDecoder, decode_error
from sensorlab.units import G_MS2

if TYPE_CHECKING:
    from sensorlab.profiles.model import Profile

EPOCH_2000_UNIX_NS = 946_684_800_000_000_000
"""Nanoseconds from 1970-01-01 to 2000-01-01 (the PMD clock's epoch), UTC."""

MEASUREMENT_TYPES: dict[int, str] = {
    0: "ECG",
    1: "PPG",
    2: "ACC",
    3: "PPI",
    5: "GYRO",
    6: "MAG",
    9: "SDK_MODE",
}
CHANNEL_OF_TYPE: dict[int, str] = {2: "acc", 5: "gyr"}

SETTING_NAMES: dict[int, str] = {
    0: "SAMPLE_RATE",
    1: "RESOLUTION",
    2: "RANGE",
    3: "RANGE_MILLIUNIT",
    4: "CHANNELS",
    5: "FACTOR",
    6: "SECURITY",
}
_SETTING_SIZE: dict[int, int] = {0: 2, 1: 2, 2: 2, 3: 4, 4: 1, 5: 4, 6: 16}

STATUS_NAMES: dict[int, str] = {
    0: "SUCCESS",
    1: "ERROR_INVALID_OP_CODE",
    2: "ERROR_INVALID_MEASUREMENT_TYPE",
    3: "ERROR_NOT_SUPPORTED",
    4: "ERROR_INVALID_LENGTH",
    5: "ERROR_INVALID_PARAMETER",
    6: "ERROR_ALREADY_IN_STATE",
    7: "ERROR_INVALID_RESOLUTION",
    8: "ERROR_INVALID_SAMPLE_RATE",
    9: "ERROR_INVALID_RANGE",
    10: "ERROR_INVALID_MTU",
    11: "ERROR_INVALID_NUMBER_OF_CHANNELS",
    12: "ERROR_INVALID_STATE",
    13: "ERROR_DEVICE_IN_CHARGER",
}

IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class PmdFrameHeader:
    """The 10-byte header of a PMD data notification.

    Attributes
    ----------
    measurement_type : int
        Low 6 bits of byte 0 (2 = ACC, 5 = GYRO, ...).
    timestamp_ns : int
        Time of the last sample, in ns since 2000-01-01 on the device clock.
    frame_type : int
        Low 7 bits of byte 9.
    compressed : bool
        Bit 7 of byte 9 (delta-compressed payload).
    content : bytes
        The payload after the header.
    """

    measurement_type: int
    timestamp_ns: int
    frame_type: int
    compressed: bool
    content: bytes


def parse_header(payload: bytes) -> PmdFrameHeader:
    """Split a PMD data notification into header fields and payload.

    Raises
    ------
    DecodeError
        If the notification is shorter than the 10-byte header.
    """
    if len(payload) < 10:
        raise decode_error("a PMD data frame needs at least 10 header bytes", payload)
    return PmdFrameHeader(
        measurement_type=payload[0] & 0x3F,
        timestamp_ns=int.from_bytes(payload[1:9], "little"),
        frame_type=payload[9] & 0x7F,
        compressed=bool(payload[9] & 0x80),
        content=bytes(payload[10:]),
    )


@dataclass(frozen=True)
class DeltaBlock:
    """One block of a delta-compressed payload: ``sample_count`` deltas of ``delta_bits``."""

    delta_bits: int
    sample_count: int


def _wrap32(values: IntArray) -> IntArray:
    out: IntArray = ((values + (1 << 31)) % (1 << 32)) - (1 << 31)
    return out


def parse_delta_payload(
    content: bytes, *, channels: int, resolution_bits: int
) -> tuple[IntArray, tuple[DeltaBlock, ...]]:
    """Decode a delta-compressed PMD payload.

    Parameters
    ----------
    content : bytes
        Payload after the 10-byte frame header.
    channels : int
        Values per sample (3 for x, y, z).
    resolution_bits : int
        Resolution of the reference sample; it takes ``ceil(resolution_bits / 8)`` bytes per
        channel.

    Returns
    -------
    samples : ndarray, shape (n, channels), int64
        Reference sample followed by every reconstructed sample (signed 32-bit semantics).
    blocks : tuple of DeltaBlock
        The blocks as read.

    Raises
    ------
    DecodeError
        If the payload is truncated or a block is malformed.
    """
    ref_bytes = math.ceil(resolution_bits / 8)
    need = channels * ref_bytes
    if len(content) < need:
        raise decode_error(
            f"delta frame needs a {need}-byte reference sample, found {len(content)} bytes"
        )
    reference = [
        int.from_bytes(content[i * ref_bytes : (i + 1) * ref_bytes], "little", signed=True)
        for i in range(channels)
    ]
    rows: list[IntArray] = [np.array([reference], dtype=np.int64)]
    blocks: list[DeltaBlock] = []
    pos = need
    last = np.array(reference, dtype=np.int64)
    while pos < len(content):
        if pos + 2 > len(content):
            raise decode_error(f"delta block header truncated at byte {pos}")
        bits, count = content[pos], content[pos + 1]
        if bits > 32:
            raise decode_error(f"delta width {bits} bits at byte {pos} exceeds 32")
        nbytes = math.ceil(bits * channels * count / 8)
        pos += 2
        if pos + nbytes > len(content):
            raise decode_error(
                f"delta block of {count} samples x {bits} bits needs {nbytes} bytes at byte "
                f"{pos}, found {len(content) - pos}"
            )
        blocks.append(DeltaBlock(bits, count))
        n_fields = channels * count
        if count == 0:
            continue
        if bits == 0:
            deltas = np.zeros((count, channels), dtype=np.int64)
        else:
            raw = np.frombuffer(content, dtype=np.uint8, count=nbytes, offset=pos)
            bitfield = np.unpackbits(raw, bitorder="little")[: n_fields * bits]
            weights = np.left_shift(np.int64(1), np.arange(bits, dtype=np.int64))
            fields = bitfield.reshape(n_fields, bits).astype(np.int64) @ weights
            fields = np.where(fields >= (1 << (bits - 1)), fields - (1 << bits), fields)
            deltas = fields.reshape(count, channels)
        block = _wrap32(last + np.cumsum(deltas, axis=0))
        rows.append(block)
        last = block[-1]
        pos += nbytes
    return np.concatenate(rows, axis=0), tuple(blocks)


def _raw_samples(content: bytes, width: int, channels: int) -> IntArray:
    step = width * channels
    if len(content) == 0 or len(content) % step:
        raise decode_error(
            f"raw frame payload of {len(content)} bytes is not a whole number of "
            f"{step}-byte samples"
        )
    n = len(content) // step
    buf = np.frombuffer(content, dtype=np.uint8).reshape(n * channels, width).astype(np.int64)
    u = np.zeros(n * channels, dtype=np.int64)
    for b in range(width):
        u |= buf[:, b] << (8 * b)
    half = 1 << (8 * width - 1)
    signed: IntArray = np.where(u >= half, u - (half << 1), u).reshape(n, channels)
    return signed


def sample_timestamps_ns(
    previous_ns: int | None, frame_ns: int, n: int, sample_rate_hz: float | None
) -> list[int]:
    """Per-sample timestamps of a frame of ``n`` samples whose last sample is at ``frame_ns``.

    Parameters
    ----------
    previous_ns : int or None
        Timestamp of the previous frame of the same measurement, in ns; None or 0 when
        unknown (first frame), in which case ``sample_rate_hz`` spaces the samples.
    frame_ns : int
        Frame timestamp (last sample), in ns.
    n : int
        Samples in the frame.
    sample_rate_hz : float or None
        Nominal sampling rate in Hz.

    Returns
    -------
    list of int
        ``n`` timestamps in ns, the last equal to ``frame_ns``; rounded half to even.

    Raises
    ------
    DecodeError
        If neither a previous timestamp nor a rate is known, or a sample would fall before
        the clock's epoch.
    """
    if n <= 0:
        return []
    if previous_ns:
        span = frame_ns - previous_ns
        out = [previous_ns + _round_half_even(span * (i + 1), n) for i in range(n)]
    else:
        if not sample_rate_hz or sample_rate_hz <= 0:
            raise decode_error("cannot time samples: no previous frame and no sample rate")
        rate = Fraction(sample_rate_hz)  # exact: period = 1e9 * den / num ns
        num, den = rate.numerator, rate.denominator
        out = [frame_ns - _round_half_even(10**9 * den * (n - 1 - i), num) for i in range(n)]
    if out[0] < 0:
        raise decode_error(
            f"the first of {n} samples would be before the clock epoch "
            f"(frame at {frame_ns} ns, rate {sample_rate_hz} Hz)"
        )
    return out


def _round_half_even(numerator: int, denominator: int) -> int:
    """``round(numerator / denominator)`` exactly, ties to even (``denominator`` > 0)."""
    q, r = divmod(numerator, denominator)
    if 2 * r > denominator or (2 * r == denominator and q % 2):
        q += 1
    return q


@dataclass(frozen=True)
class PmdFrame:
    """A decoded PMD data frame.

    Attributes
    ----------
    header : PmdFrameHeader
    raw : ndarray, shape (n, channels), int64
        Samples as sent (after delta reconstruction).
    values : ndarray, shape (n, channels), float64
        acc in m/s², gyr in deg/s.
    timestamps_ns : list of int
        Per-sample device time in ns since 2000-01-01.
    blocks : tuple of DeltaBlock
        Delta blocks (empty for raw frames).
    """

    header: PmdFrameHeader
    raw: IntArray
    values: NDArray[np.float64]
    timestamps_ns: list[int]
    blocks: tuple[DeltaBlock, ...]


def decode_frame(
    payload: bytes,
    *,
    previous_ns: int | None,
    sample_rate_hz: float | None,
    factors: Mapping[int, float],
) -> PmdFrame:
    """Decode one ACC or GYRO data notification.

    Parameters
    ----------
    payload : bytes
        The notification.
    previous_ns : int or None
        Timestamp of the previous frame of the same measurement type (ns), if any.
    sample_rate_hz : float or None
        Nominal rate, used when ``previous_ns`` is unknown.
    factors : Mapping[int, float]
        Measurement type -> FACTOR captured at stream start (1.0 when none was returned).

    Returns
    -------
    PmdFrame

    Raises
    ------
    DecodeError
        For a truncated frame, an unknown measurement or frame type, or impossible times.
    """
    header = parse_header(payload)
    mtype, ftype = header.measurement_type, header.frame_type
    factor = float(factors.get(mtype, 1.0))
    blocks: tuple[DeltaBlock, ...] = ()
    if mtype == 2 and not header.compressed and ftype in (0, 1, 2):
        raw = _raw_samples(header.content, ftype + 1, 3)
        values = raw * (G_MS2 / 1000.0)
    elif mtype == 2 and header.compressed and ftype in (0, 1):
        raw, blocks = parse_delta_payload(header.content, channels=3, resolution_bits=16)
        g_per_count = factor if ftype == 0 else factor / 1000.0
        values = raw * (g_per_count * G_MS2)
    elif mtype == 5 and header.compressed and ftype in (0, 1):
        raw, blocks = parse_delta_payload(header.content, channels=3, resolution_bits=16)
        values = raw * factor
    else:
        name = MEASUREMENT_TYPES.get(mtype, f"type {mtype}")
        kind = "compressed" if header.compressed else "raw"
        raise decode_error(f"PMD {name} {kind} frame type {ftype} is not decoded", payload)
    times = sample_timestamps_ns(previous_ns, header.timestamp_ns, raw.shape[0], sample_rate_hz)
    return PmdFrame(header, raw, values.astype(np.float64), times, blocks)


@dataclass(frozen=True)
class PmdResponse:
    """A control point indication.

    Attributes
    ----------
    response_code : int
        0xF0 for a response; anything else is a device-initiated command (see ``parameters``).
    op_code : int
        1 get settings, 2 start, 3 stop (for responses).
    measurement_type : int
    status : int
        0 = success; see :data:`STATUS_NAMES`.
    more : bool
        More indications follow.
    parameters : bytes
        Bytes after the status/more fields.
    """

    response_code: int
    op_code: int
    measurement_type: int
    status: int
    more: bool
    parameters: bytes

    @property
    def status_name(self) -> str:
        """Name of :attr:`status`."""
        return STATUS_NAMES.get(self.status, f"status {self.status}")


def parse_response(payload: bytes) -> PmdResponse:
    """Parse a control point indication (``F0 op type status more params``).

    Raises
    ------
    DecodeError
        If a response is shorter than its 4 fixed bytes.
    """
    if len(payload) >= 1 and payload[0] != 0xF0:
        # device-initiated command, e.g. 01 = measurement stopped, followed by types
        return PmdResponse(payload[0], payload[0], 0, 0, False, bytes(payload[1:]))
    if len(payload) < 4:
        raise decode_error("a PMD control point response needs at least 4 bytes", payload)
    more = bool(payload[4]) if len(payload) > 4 else False
    return PmdResponse(payload[0], payload[1], payload[2], payload[3], more, bytes(payload[5:]))


def parse_settings(data: bytes) -> dict[str, list[float]]:
    """Parse PMD setting TLVs ``[type][count][count x value]``.

    Returns
    -------
    dict
        Setting name -> values (FACTOR as float32, RANGE_MILLIUNIT as int32, others unsigned).

    Raises
    ------
    DecodeError
        If a TLV is truncated or of unknown type.
    """
    out: dict[str, list[float]] = {}
    pos = 0
    while pos < len(data):
        if pos + 2 > len(data):
            raise decode_error(f"setting header truncated at byte {pos}", data)
        kind, count = data[pos], data[pos + 1]
        if kind not in _SETTING_SIZE:
            raise decode_error(f"unknown setting type {kind} at byte {pos}", data)
        size = _SETTING_SIZE[kind]
        pos += 2
        if pos + size * count > len(data):
            raise decode_error(f"setting {SETTING_NAMES[kind]} truncated", data)
        values: list[float] = []
        for _ in range(count):
            chunk = data[pos : pos + size]
            if kind == 5:
                values.append(float(struct.unpack("<f", chunk)[0]))
            elif kind == 3:
                values.append(float(int.from_bytes(chunk, "little", signed=True)))
            else:
                values.append(float(int.from_bytes(chunk, "little")))
            pos += size
        out[SETTING_NAMES[kind]] = values
    return out


@dataclass(frozen=True)
class PmdSpec(DecoderSpec):
    """``codec = "polar-pmd"``: options ``role`` and ``channels`` (``acc``, ``gyr``)."""

    codec: ClassVar[str] = "polar-pmd"
    roles: tuple[str, ...]
    channel_names: tuple[str, ...]

    def channels(self) -> frozenset[str]:
        """Channels this decoder emits."""
        return frozenset(self.channel_names)

    def build(self, profile: Profile, params: Mapping[str, Any]) -> StreamDecoder:
        """A :class:`PmdDecoder`."""
        return PmdDecoder(self, profile, params)


def parse(t: Table) -> PmdSpec:
    """Validate a ``polar-pmd`` decoder table."""
    role = t.text("role")
    channels = t.str_list("channels", choices=("acc", "gyr"))
    t.finish()
    return PmdSpec((role,), channels)


class PmdDecoder(StreamDecoder):
    """Stateful PMD decoder: remembers the previous frame timestamp per measurement type.

    Parameters
    ----------
    params : Mapping
        ``rate_hz`` and the captured ``acc_factor`` / ``gyr_factor``.

    Notes
    -----
    Unlike the SDK, a previous timestamp is ignored when it implies a sample spacing more
    than 50 % off the nominal rate (a lost frame in between, or a clock jump); the nominal
    rate spaces that frame's samples instead, so a lost packet does not stretch the next one.
    """

    def __init__(self, spec: PmdSpec, profile: Profile, params: Mapping[str, Any]) -> None:
        self.roles = spec.roles
        self.channel_types = {t for t, c in CHANNEL_OF_TYPE.items() if c in spec.channel_names}
        self.rate_hz = float(params["rate_hz"])
        self.factors = {
            2: float(params.get("acc_factor", 1.0)),
            5: float(params.get("gyr_factor", 1.0)),
        }
        self.mapping = profile.axis_mapping
        self.reset()

    def reset(self) -> None:
        """Forget previous frame timestamps."""
        self._previous: dict[int, int] = {}

    def feed(self, role: str, payload: bytes) -> list[SampleBlock]:
        """Decode one data notification (see :meth:`StreamDecoder.feed`)."""
        if role not in self.roles:
            return []
        payload = bytes(payload)
        mtype = parse_header(payload).measurement_type
        if mtype not in self.channel_types:
            name = MEASUREMENT_TYPES.get(mtype, f"type {mtype}")
            raise decode_error(f"PMD {name} frames are not read by this profile", payload)
        previous = self._previous.get(mtype)
        frame_ns = int.from_bytes(payload[1:9], "little")
        if previous is not None:
            nominal_ns = 1e9 / self.rate_hz
            n_guess = self._sample_count_guess(payload)
            if frame_ns <= previous or (
                n_guess and abs((frame_ns - previous) / n_guess - nominal_ns) > 0.5 * nominal_ns
            ):
                previous = None
        frame = decode_frame(
            payload, previous_ns=previous, sample_rate_hz=self.rate_hz, factors=self.factors
        )
        self._previous[mtype] = frame.header.timestamp_ns
        channel = CHANNEL_OF_TYPE[mtype]
        values = self.mapping.apply(channel, frame.values)
        times = np.array(frame.timestamps_ns, dtype=np.float64) * 1e-9
        return [SampleBlock(channel, values, times, None)]

    @staticmethod
    def _sample_count_guess(payload: bytes) -> int:
        """Samples in a frame without decoding it fully (0 when unknown)."""
        if len(payload) < 10:
            return 0
        content = payload[10:]
        if not payload[9] & 0x80:
            width = (payload[9] & 0x7F) + 1
            return len(content) // (3 * width)
        n, pos = 1, 6
        while pos + 2 <= len(content):
            bits, count = content[pos], content[pos + 1]
            n += count
            pos += 2 + math.ceil(bits * 3 * count / 8)
        return n
