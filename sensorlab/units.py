"""Column names, units and conversions: the data contract, written once.

Inside sensorlab everything is SI except angular rate: time in s, acceleration in m/s²,
angular rate in deg/s, frequencies in Hz. Recording files may carry acceleration in ``g``
and angular rate in ``rad/s``; readers convert with the factors here.
"""

from __future__ import annotations

import math
from typing import Final

G_MS2: Final = 9.80665
"""Standard gravity in m/s²."""

TIME_COLUMN: Final = "time_s"
AXES: Final = ("x", "y", "z")

ACC_UNITS: Final[dict[str, float]] = {"ms2": 1.0, "g": G_MS2}
"""Accepted acceleration column suffixes and their factor to m/s²."""

GYR_UNITS: Final[dict[str, float]] = {"dps": 1.0, "rads": 180.0 / math.pi}
"""Accepted angular-rate column suffixes and their factor to deg/s."""

ACC_COLUMNS_MS2: Final = tuple(f"acc_{a}_ms2" for a in AXES)
GYR_COLUMNS_DPS: Final = tuple(f"gyr_{a}_dps" for a in AXES)

PLACEMENTS: Final = ("foot", "shank", "sacrum", "chest")
SIDES: Final = ("left", "right")

MIN_SAMPLING_RATE_HZ: Final = 20.0
"""Below this rate a recording is rejected: contacts are shorter than two samples."""

LOW_PRECISION_RATE_HZ: Final = 100.0
"""Below this rate contact times are flagged as low precision."""

MAX_GAP_S: Final = 0.5
"""Gaps longer than this split a recording into segments that are analysed separately."""
