"""Assemble CSV rows from timed acc and gyro blocks of one device.

Devices that send acceleration and angular rate in separate packets (Polar PMD, Movesense)
give two streams with their own times. A row holds one acc and one gyro sample taken within
half a sample period of each other; a sample without a partner is dropped once the other
stream has moved past it (counted), never paired with a sample of another instant.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sensorlab.collect.timing import TimedBlock
from sensorlab.recording import FloatArray

__all__ = ["RowAssembler", "Rows"]


@dataclass(frozen=True)
class Rows:
    """Complete rows ready for the CSV.

    Attributes
    ----------
    time_s : ndarray, shape (n,)
        Sample times in s (from the acc stream).
    acc_ms2 : ndarray, shape (n, 3)
        Acceleration in m/s².
    gyr_dps : ndarray, shape (n, 3) or None
        Angular rate in deg/s; None for a device without gyro.
    host_time_s : ndarray, shape (n,)
        Host arrival time of the packet that carried each acc sample, in s.
    """

    time_s: FloatArray
    acc_ms2: FloatArray
    gyr_dps: FloatArray | None
    host_time_s: FloatArray

    @property
    def n(self) -> int:
        """Number of rows."""
        return int(self.time_s.shape[0])


def _empty(width: int = 3) -> FloatArray:
    return np.empty((0, width), dtype=np.float64)


@dataclass
class _Stream:
    time_s: FloatArray = field(default_factory=lambda: np.empty(0, dtype=np.float64))
    values: FloatArray = field(default_factory=_empty)
    host_s: FloatArray = field(default_factory=lambda: np.empty(0, dtype=np.float64))

    def push(self, block: TimedBlock) -> None:
        n = block.time_s.shape[0]
        self.time_s = np.concatenate((self.time_s, block.time_s))
        self.values = np.concatenate((self.values, np.asarray(block.values, dtype=np.float64)))
        self.host_s = np.concatenate((self.host_s, np.full(n, block.host_time_s)))

    def take(self, keep_from: int) -> None:
        self.time_s = self.time_s[keep_from:]
        self.values = self.values[keep_from:]
        self.host_s = self.host_s[keep_from:]


@dataclass
class RowAssembler:
    """Pair acc and gyro samples into rows.

    Parameters
    ----------
    has_gyro : bool
        Whether rows carry angular rate.
    nominal_rate_hz : float
        Sample rate in Hz; two samples pair when their times differ by at most half a period.
    """

    has_gyro: bool
    nominal_rate_hz: float
    unpaired_samples: int = 0
    """Samples dropped because the other channel had no sample at their instant."""
    _acc: _Stream = field(default_factory=_Stream)
    _gyr: _Stream = field(default_factory=_Stream)

    def push(self, block: TimedBlock) -> None:
        """Add a timed block of channel ``acc`` or ``gyr`` (other channels are ignored)."""
        if block.channel == "acc":
            self._acc.push(block)
        elif block.channel == "gyr" and self.has_gyro:
            self._gyr.push(block)

    def pop_rows(self) -> Rows:
        """Return every row that is complete now, in time order."""
        acc = self._acc
        if not self.has_gyro:
            rows = Rows(acc.time_s, acc.values, None, acc.host_s)
            self._acc = _Stream()
            return rows
        gyr = self._gyr
        tolerance_s = 0.5 / self.nominal_rate_hz
        ta, tg = acc.time_s, gyr.time_s
        pairs_a: list[int] = []
        pairs_g: list[int] = []
        i = j = 0
        na, ng = ta.shape[0], tg.shape[0]
        while i < na and j < ng:
            d = ta[i] - tg[j]
            if abs(d) <= tolerance_s:
                pairs_a.append(i)
                pairs_g.append(j)
                i += 1
                j += 1
            elif d < 0:
                i += 1  # acc sample without gyro partner
                self.unpaired_samples += 1
            else:
                j += 1
                self.unpaired_samples += 1
        ia = np.asarray(pairs_a, dtype=np.intp)
        ig = np.asarray(pairs_g, dtype=np.intp)
        rows = Rows(ta[ia], acc.values[ia], gyr.values[ig], acc.host_s[ia])
        acc.take(i)
        gyr.take(j)
        return rows

    def pending(self) -> int:
        """Samples waiting for a partner."""
        return int(self._acc.time_s.shape[0] + self._gyr.time_s.shape[0])
