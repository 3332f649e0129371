"""Firmware profiles and packet decoders.

One TOML file per device family (``firmware_profiles/*.toml``) says how to find the device,
which GATT characteristics to use, how to start and stop streaming, and how to decode its
packets into acceleration (m/s²), angular rate (deg/s), cadence (steps/min) or speed (m/s).
The interface the collector builds on is written at the top of
:mod:`sensorlab.profiles.model`.

Names are imported lazily, so ``sensorlab.profiles.cli`` can register its command without
loading numpy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_WHERE = {
    "DecodeError": "sensorlab.errors",
    "ProfileError": "sensorlab.errors",
    "list_profiles": "sensorlab.profiles.loader",
    "load_profile": "sensorlab.profiles.loader",
    "parse_profile": "sensorlab.profiles.loader",
    "profile_dirs": "sensorlab.profiles.loader",
    **{
        name: "sensorlab.profiles.model"
        for name in (
            "SCHEMA_VERSION",
            "AxisMapping",
            "Capture",
            "Characteristic",
            "Expect",
            "Profile",
            "SampleBlock",
            "Step",
            "StreamDecoder",
            "Subscribe",
            "TimestampSpec",
            "Unsubscribe",
            "Wait",
            "Write",
        )
    },
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'sensorlab.profiles' has no attribute '{name}'")


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
