"""MetaWear protocol frames: ``[module id][register id][payload]``.

Streamed accelerometer data is decoded declaratively (see the ``metamotion-*`` profiles);
this module splits any frame so read responses (register bit 7 set) and other modules'
messages can be recognised, e.g. the BMI160 step counter read (module 0x03, register 0x1A).
"""

from __future__ import annotations

from dataclasses import dataclass

from sensorlab.profiles.model import decode_error

ACCELEROMETER_MODULE = 0x03
READ_FLAG = 0x80


@dataclass(frozen=True)
class MetaWearFrame:
    """One MetaWear notification.

    Attributes
    ----------
    module : int
        Module id (0x03 accelerometer).
    register : int
        Register id without the read flag.
    read_response : bool
        Whether the register byte had the read flag (0x80) set.
    payload : bytes
        The bytes after module and register.
    """

    module: int
    register: int
    read_response: bool
    payload: bytes

    def uint(self) -> int:
        """The payload as an unsigned little-endian integer (e.g. a step count)."""
        return int.from_bytes(self.payload, "little")


def parse_frame(data: bytes) -> MetaWearFrame:
    """Split a MetaWear notification into module, register and payload.

    Raises
    ------
    DecodeError
        If the frame is shorter than its 2-byte header.
    """
    if len(data) < 2:
        raise decode_error("a MetaWear frame needs a module and a register byte", data)
    return MetaWearFrame(data[0], data[1] & 0x7F, bool(data[1] & READ_FLAG), bytes(data[2:]))
