"""Per-sample times of a device's stream, on the session's host-clock axis.

A block of samples arrives in one packet. Its sample times come from, in order of preference:

1. the device's own clock (``device_time_s`` per sample): exact spacing, and lost packets
   show as jumps of the device clock;
2. a device packet counter (``counter``: sequence number of the packet): spacing
   ``1 / nominal rate``; a counter jump of ``k`` means ``k - 1`` packets were lost, and the
   samples after it start that many packets later;
3. host arrival time and the nominal rate: samples are spaced by ``1 / nominal rate``; the
   run follows the least delayed packets slowly (a burst after a host stall is not a gap,
   since a BLE connection delivers late rather than never), and starts anew at a
   reconnection or after a silence of several seconds.

Device clocks and counters are mapped onto the host axis once (at the first block, and again
after a reconnection if the device restarted its clock), so the files of two devices of one
session share one time axis. Times never decrease: a sample whose time is not after the last
one of its channel (a duplicated packet) is dropped and counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numpy as np

from sensorlab.recording import FloatArray

__all__ = ["SampleClock", "TimedBlock"]

_MIN_STEP_S: Final = 1e-6
"""The CSV writes microseconds: consecutive samples must be at least this far apart."""
_DRIFT_GAIN: Final = 0.05
"""Share of the lag floor that arrival-timed blocks catch up per packet."""
_MAX_SHIFT: Final = 0.01
"""Largest correction per packet, as a share of the packet's duration; it is spread over the
packet's steps, so the spacing stays within 1 % of the nominal one."""
_FLOOR_RISE: Final = 0.02
"""How fast the lag floor may rise, in s per s of samples (a slower device's lag grows)."""
_ARRIVAL_RESTART_S: Final = 3.0
"""A packet this late (s) starts a new run at its arrival time: longer than any delivery delay
of a live connection (the link would have timed out)."""


@dataclass(frozen=True)
class TimedBlock:
    """Samples of one channel with their reconstructed times.

    Attributes
    ----------
    channel : str
        ``"acc"`` or ``"gyr"`` (or another channel name of the profile).
    time_s : ndarray, shape (n,)
        Sample times on the session axis, in s; strictly increasing.
    values : ndarray, shape (n, 3)
        The samples (acc in m/s², gyr in deg/s).
    host_time_s : float
        Host arrival time of the packet on the session axis, in s.
    """

    channel: str
    time_s: FloatArray
    values: FloatArray
    host_time_s: float


@dataclass
class _ChannelState:
    last_time_s: float = -np.inf
    next_time_s: float | None = None
    last_counter: int | None = None
    last_block_n: int = 0
    lag_floor_s: float = 0.0


@dataclass
class SampleClock:
    """Reconstruct sample times for one device.

    Parameters
    ----------
    nominal_rate_hz : float
        The rate the device was asked for, in Hz (required: never a silent default).
    counter_bits : int, optional
        Width of the device's packet counter, which wraps at ``2**counter_bits``.
    """

    nominal_rate_hz: float
    counter_bits: int | None = None
    """Width of the device's packet counter (it wraps at ``2**counter_bits``), if known."""
    source: str = "unknown"
    """``"device-clock"``, ``"counter"`` or ``"arrival"``: what the last block was timed by."""
    dropped_samples: int = 0
    """Samples dropped because their time was not after the previous one of their channel."""
    _offset_s: float | None = None
    _last_device_s: float = -np.inf
    _channels: dict[str, _ChannelState] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.nominal_rate_hz > 0:
            raise ValueError(f"expected nominal_rate_hz > 0, found {self.nominal_rate_hz}")

    @property
    def step_s(self) -> float:
        """Nominal sample period in s."""
        return 1.0 / self.nominal_rate_hz

    def reconnected(self) -> None:
        """Forget the running arrival clocks after a reconnection (device clocks are kept)."""
        for state in self._channels.values():
            state.next_time_s = None
            state.last_counter = None

    def time_block(
        self,
        channel: str,
        values: FloatArray,
        *,
        host_time_s: float,
        device_time_s: FloatArray | None = None,
        counter: int | None = None,
    ) -> TimedBlock:
        """Give the samples of one packet their times.

        Parameters
        ----------
        channel : str
            Channel name (``"acc"``, ``"gyr"``...).
        values : ndarray, shape (n, 3)
            The samples.
        host_time_s : float
            Arrival time of the packet on the session axis, in s.
        device_time_s : ndarray, shape (n,), optional
            The device clock's time of every sample, in s (any epoch).
        counter : int, optional
            The device's sequence number of this packet.

        Returns
        -------
        TimedBlock
            The samples whose times increase on their channel, with those times.
        """
        n = int(values.shape[0])
        state = self._channels.setdefault(channel, _ChannelState())
        if device_time_s is not None and n:
            self.source = "device-clock"
            times = self._from_device(np.asarray(device_time_s, dtype=np.float64), host_time_s)
        elif counter is not None and n:
            self.source = "counter"
            times = self._from_counter(state, n, counter, host_time_s)
        else:
            self.source = "arrival"
            times = self._from_arrival(state, n, host_time_s)
        keep = times > state.last_time_s + _MIN_STEP_S / 2
        if n and not keep.all():
            # also drop samples that would not increase within the kept ones
            keep &= np.concatenate(([True], np.diff(times) > _MIN_STEP_S / 2))
            self.dropped_samples += int(n - keep.sum())
            times, values = times[keep], values[keep]
        if times.size:
            state.last_time_s = float(times[-1])
            state.next_time_s = float(times[-1]) + self.step_s
        return TimedBlock(channel, times, values, host_time_s)

    def _from_device(self, device_s: FloatArray, host_time_s: float) -> FloatArray:
        first, last = float(device_s[0]), float(device_s[-1])
        restarted = first < self._last_device_s - 1.0 or first > self._last_device_s + 3600.0
        if self._offset_s is None or (restarted and np.isfinite(self._last_device_s)):
            # the packet's last sample was taken just before it arrived
            self._offset_s = host_time_s - last
        self._last_device_s = max(self._last_device_s, last)
        out: FloatArray = device_s + self._offset_s
        return out

    def _from_arrival(self, state: _ChannelState, n: int, host_time_s: float) -> FloatArray:
        step = self.step_s
        ks = np.arange(n, dtype=np.float64)
        start = state.next_time_s
        lag_s = 0.0 if start is None else host_time_s - (start + (n - 1) * step)
        if start is None or lag_s > _ARRIVAL_RESTART_S:
            # first block, a reconnection, or a silence no delivery delay explains
            start = max(host_time_s - (n - 1) * step, state.last_time_s + step)
            state.lag_floor_s = 0.0
        else:
            # A BLE link delivers every notification of a connection, late rather than never:
            # a burst after a stall is not a gap. The least delayed packets show where the
            # samples belong; follow that floor of the lag slowly (the device's true rate
            # differs from the nominal one by a fraction of a percent).
            block_s = n * step
            floor = min(lag_s, state.lag_floor_s + _FLOOR_RISE * block_s)
            state.lag_floor_s = floor
            shift = float(np.clip(_DRIFT_GAIN * floor, -_MAX_SHIFT * block_s, _MAX_SHIFT * block_s))
            state.lag_floor_s -= shift
            # spread the shift over the block's steps: no step differs by more than 1 %
            step += shift / n
            start = max(start + shift / n, state.last_time_s + 0.5 * self.step_s)
        out: FloatArray = start + ks * step
        return out

    def _from_counter(
        self, state: _ChannelState, n: int, counter: int, host_time_s: float
    ) -> FloatArray:
        previous, state.last_counter = state.last_counter, counter
        jump = None if previous is None else counter - previous
        if jump is not None and self.counter_bits:
            jump %= 1 << self.counter_bits  # the counter wrapped
        if jump is None or jump < 1 or state.next_time_s is None:
            # first packet, reconnection or a counter that wrapped or restarted
            times = self._from_arrival(_ChannelState(state.last_time_s), n, host_time_s)
        else:
            start = state.next_time_s + (jump - 1) * state.last_block_n * self.step_s
            times = start + np.arange(n, dtype=np.float64) * self.step_s
        state.last_block_n = n
        return times
