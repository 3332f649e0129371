"""Channel units of firmware profiles and their factors to sensorlab's canonical units.

Canonical units (DESIGN §3): acceleration m/s², angular rate deg/s, cadence steps/min,
speed m/s.
"""

from __future__ import annotations

import math
from typing import Final

from sensorlab.units import G_MS2

CHANNEL_UNITS: Final[dict[str, dict[str, float]]] = {
    "acc": {"m/s2": 1.0, "g": G_MS2, "mg": G_MS2 / 1000.0},
    "gyr": {"deg/s": 1.0, "rad/s": 180.0 / math.pi, "mdeg/s": 1e-3},
    "cadence": {"1/min": 1.0},
    "speed": {"m/s": 1.0, "km/h": 1.0 / 3.6},
}
"""Per channel: accepted unit name -> factor to the canonical unit."""

CHANNEL_WIDTH: Final[dict[str, int]] = {"acc": 3, "gyr": 3, "cadence": 1, "speed": 1}
"""Number of components of each channel."""


def to_canonical(channel: str, unit: str) -> float:
    """Factor that converts ``unit`` of ``channel`` to the canonical unit."""
    return CHANNEL_UNITS[channel][unit]
