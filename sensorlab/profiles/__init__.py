"""Firmware profiles and packet decoders.

One TOML file per device family (``firmware_profiles/*.toml``) says how to find the device,
which GATT characteristics to use, how to start and stop streaming, and how to decode its
packets into acceleration (m/s²), angular rate (deg/s), cadence (steps/min) or speed (m/s).
The interface the collector builds on is written at the top of
:mod:`sensorlab.profiles.model`.
"""

from sensorlab.errors import DecodeError, ProfileError
from sensorlab.profiles.loader import list_profiles, load_profile, parse_profile, profile_dirs
from sensorlab.profiles.model import (
    SCHEMA_VERSION,
    AxisMapping,
    Capture,
    Characteristic,
    Expect,
    Profile,
    SampleBlock,
    Step,
    StreamDecoder,
    Subscribe,
    TimestampSpec,
    Unsubscribe,
    Wait,
    Write,
)

__all__ = [
    "SCHEMA_VERSION",
    "AxisMapping",
    "Capture",
    "Characteristic",
    "DecodeError",
    "Expect",
    "Profile",
    "ProfileError",
    "SampleBlock",
    "Step",
    "StreamDecoder",
    "Subscribe",
    "TimestampSpec",
    "Unsubscribe",
    "Wait",
    "Write",
    "list_profiles",
    "load_profile",
    "parse_profile",
    "profile_dirs",
]
