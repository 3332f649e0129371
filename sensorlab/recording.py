"""The in-memory recording: arrays in SI units plus the file's metadata."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
from numpy.typing import NDArray

from sensorlab.errors import RecordingError

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Recording:
    """One sensor's samples, as read from a recording file or produced by the simulator.

    Parameters
    ----------
    time_s : ndarray, shape (n_samples,)
        Sample times in s from any origin, non-decreasing. May be irregular and have gaps.
    acc_ms2 : ndarray, shape (n_samples, 3)
        Specific force (gravity included) along the sensor's own axes, in m/s².
    gyr_dps : ndarray, shape (n_samples, 3) or None
        Angular rate along the sensor's own axes, in deg/s, when the sensor has a gyroscope.
    metadata : mapping of str to str
        The ``# key: value`` lines of the file (device, placement, side, drill, set, ...).
        Unknown keys are kept.
    source : str or None
        Where the samples came from (a path), for messages.
    extra : mapping of str to ndarray, shape (n_samples,)
        Extra numeric columns of the file (e.g. ``host_time_s``), kept and otherwise ignored.
    warnings : tuple of str
        Problems found while reading that did not stop it (e.g. a truncated last line).
    """

    time_s: FloatArray
    acc_ms2: FloatArray
    gyr_dps: FloatArray | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    source: str | None = None
    extra: Mapping[str, FloatArray] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        time_s = np.asarray(self.time_s, dtype=np.float64)
        acc = np.asarray(self.acc_ms2, dtype=np.float64)
        n = time_s.shape[0]
        if time_s.ndim != 1:
            raise RecordingError(f"expected time_s of shape (n,), found {time_s.shape}")
        if acc.shape != (n, 3):
            raise RecordingError(f"expected acc_ms2 of shape ({n}, 3), found {acc.shape}")
        gyr = None
        if self.gyr_dps is not None:
            gyr = np.asarray(self.gyr_dps, dtype=np.float64)
            if gyr.shape != (n, 3):
                raise RecordingError(f"expected gyr_dps of shape ({n}, 3), found {gyr.shape}")
            gyr.setflags(write=False)
        time_s.setflags(write=False)
        acc.setflags(write=False)
        object.__setattr__(self, "time_s", time_s)
        object.__setattr__(self, "acc_ms2", acc)
        object.__setattr__(self, "gyr_dps", gyr)
        object.__setattr__(self, "metadata", MappingProxyType(dict(self.metadata)))
        object.__setattr__(self, "extra", MappingProxyType(dict(self.extra)))
        object.__setattr__(self, "warnings", tuple(self.warnings))

    @property
    def n_samples(self) -> int:
        """Number of samples."""
        return int(self.time_s.shape[0])

    @property
    def duration_s(self) -> float:
        """Time from the first to the last sample, in s."""
        return float(self.time_s[-1] - self.time_s[0]) if self.n_samples else 0.0

    @property
    def has_gyro(self) -> bool:
        """Whether angular rate is present."""
        return self.gyr_dps is not None

    @property
    def nominal_sampling_rate_hz(self) -> float:
        """Median sampling rate in Hz, from the median time step (robust to gaps)."""
        if self.n_samples < 2:
            return float("nan")
        steps = np.diff(self.time_s)
        steps = steps[steps > 0]
        return float(1.0 / np.median(steps)) if steps.size else float("nan")

    def with_metadata(self, **updates: str) -> Recording:
        """Return a copy whose metadata has ``updates`` applied (command-line overrides)."""
        merged = dict(self.metadata)
        merged.update(updates)
        return Recording(
            self.time_s, self.acc_ms2, self.gyr_dps, merged, self.source, self.extra, self.warnings
        )
