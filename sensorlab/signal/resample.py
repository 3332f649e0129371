"""Gaps and uniform resampling of irregularly sampled signals.

BLE sensors drop packets and their timestamps jitter; the detectors downstream want a uniform
grid. This module finds the gaps (steps much longer than the nominal step), splits the signal
there and resamples each gap-free part by linear interpolation, never across a gap: the data of
a gap are missing and are not invented. Pure numpy, no knowledge of files.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sensorlab.errors import AnalysisError, UsageError

__all__ = [
    "Gap",
    "Segment",
    "estimate_sampling_rate_hz",
    "find_gaps",
    "nominal_step_s",
    "uniform_segments",
]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Gap:
    """A time step much longer than the nominal one (lost samples).

    Parameters
    ----------
    index : int
        Index of the last sample before the gap; the gap lies between samples ``index`` and
        ``index + 1``.
    start_s : float
        Time of sample ``index``, in s.
    end_s : float
        Time of sample ``index + 1``, in s.
    duration_s : float
        ``end_s - start_s``, in s.
    missing_samples : int
        Estimated number of samples lost: ``round(duration_s / nominal step) - 1``.
    """

    index: int
    start_s: float
    end_s: float
    duration_s: float
    missing_samples: int


@dataclass(frozen=True, eq=False)
class Segment:
    """One gap-free part of a signal, resampled onto a uniform grid.

    Parameters
    ----------
    start_index : int
        Index of the first original sample of the part.
    stop_index : int
        One past the index of its last original sample: the part is
        ``time_s[start_index:stop_index]`` of the input.
    time_s : ndarray, shape (n_grid,)
        The uniform grid, on the input's own time axis, in s. It starts at the part's first
        sample time and never goes beyond its last one.
    sampling_rate_hz : float
        Rate of the grid, in Hz (the grid step is ``1 / sampling_rate_hz``).
    channels : ndarray, shape (n_grid, n_channels)
        The channels linearly interpolated onto ``time_s``, in their input units.
    """

    start_index: int
    stop_index: int
    time_s: FloatArray
    sampling_rate_hz: float
    channels: FloatArray

    @property
    def duration_s(self) -> float:
        """Time from the first to the last grid point, in s."""
        return float(self.time_s[-1] - self.time_s[0])

    @property
    def n_samples(self) -> int:
        """Number of grid points."""
        return int(self.time_s.shape[0])


def nominal_step_s(time_s: ArrayLike) -> float:
    """Return the nominal sampling step: the median of the positive time steps.

    Parameters
    ----------
    time_s : array_like, shape (n_samples,)
        Sample times in s.

    Returns
    -------
    float
        Median positive step in s; robust to gaps and jitter.

    Raises
    ------
    AnalysisError
        If there are fewer than two distinct sample times.
    """
    time = _as_time(time_s)
    steps = np.diff(time)
    steps = steps[steps > 0]
    if steps.size == 0:
        raise AnalysisError(
            f"expected at least two distinct sample times, found {time.size} sample(s) "
            f"with {np.unique(time).size} distinct time(s)"
        )
    return float(np.median(steps))


def estimate_sampling_rate_hz(time_s: ArrayLike) -> float:
    """Return the nominal sampling rate, ``1 / nominal_step_s(time_s)``.

    Parameters
    ----------
    time_s : array_like, shape (n_samples,)
        Sample times in s.

    Returns
    -------
    float
        Sampling rate in Hz.

    Raises
    ------
    AnalysisError
        If there are fewer than two distinct sample times.
    """
    return 1.0 / nominal_step_s(time_s)


def find_gaps(time_s: ArrayLike, *, gap_factor: float = 2.5) -> list[Gap]:
    """Find time steps longer than ``gap_factor`` times the nominal step.

    Parameters
    ----------
    time_s : array_like, shape (n_samples,)
        Sample times in s, increasing.
    gap_factor : float, optional
        A step longer than ``gap_factor * nominal_step_s(time_s)`` is a gap; must be > 1.

    Returns
    -------
    list of Gap
        In time order; empty if the signal has no gap.

    Raises
    ------
    UsageError
        If ``gap_factor`` is not greater than 1.
    AnalysisError
        If there are fewer than two distinct sample times.
    """
    if not gap_factor > 1:
        raise UsageError(f"expected gap_factor > 1, found {gap_factor}")
    time = _as_time(time_s)
    step_s = nominal_step_s(time)
    steps = np.diff(time)
    gaps = []
    for index in np.flatnonzero(steps > gap_factor * step_s).tolist():
        duration_s = float(steps[index])
        gaps.append(
            Gap(
                index=index,
                start_s=float(time[index]),
                end_s=float(time[index + 1]),
                duration_s=duration_s,
                missing_samples=max(round(duration_s / step_s) - 1, 0),
            )
        )
    return gaps


def uniform_segments(
    time_s: ArrayLike,
    channels: ArrayLike,
    *,
    sampling_rate_hz: float,
    gap_factor: float = 2.5,
    min_duration_s: float = 1.0,
    bridge_s: float = 0.0,
) -> list[Segment]:
    """Split a signal at its gaps and resample each part onto a uniform grid.

    Parameters
    ----------
    time_s : array_like, shape (n_samples,)
        Sample times in s, strictly increasing; may be irregular and have gaps.
    channels : array_like, shape (n_samples, n_channels)
        The signals sampled at ``time_s`` (any units; they are kept).
    sampling_rate_hz : float
        Rate of the output grids in Hz. Required: a silent default would give wrong timings.
    gap_factor : float, optional
        A step longer than ``gap_factor`` times the nominal step splits the signal (see
        :func:`find_gaps`).
    min_duration_s : float, optional
        Parts shorter than this (first to last sample), in s, are dropped.
    bridge_s : float, optional
        Gaps no longer than this, in s, do not split the signal: the samples lost there are
        interpolated like the rest. The caller decides what may rest on them (the analysis
        reports no contact whose IC or TO falls in a gap longer than a few samples). Longer
        gaps are never bridged. Default 0: every gap splits.

    Returns
    -------
    list of Segment
        The gap-free parts in time order, each resampled onto ``t0 + k / sampling_rate_hz``
        for ``t0`` its first sample time and all ``k >= 0`` that stay within its last sample.

    Raises
    ------
    UsageError
        If the shapes do not match, a value is not finite, time does not strictly increase,
        or a parameter is out of range.
    AnalysisError
        If there are fewer than two distinct sample times.

    Notes
    -----
    Interpolation is linear and there is no anti-aliasing filter: when ``sampling_rate_hz``
    is well below the input rate, low-pass filter the input first. Nothing is interpolated
    across a gap longer than ``bridge_s``; the grid of each part lies inside its own first and
    last sample.
    """
    if not (np.isfinite(sampling_rate_hz) and sampling_rate_hz > 0):
        raise UsageError(f"expected sampling_rate_hz > 0, found {sampling_rate_hz}")
    if not min_duration_s >= 0:
        raise UsageError(f"expected min_duration_s >= 0, found {min_duration_s}")
    time = _as_time(time_s)
    values = np.asarray(channels, dtype=np.float64)
    if values.ndim != 2 or values.shape[0] != time.shape[0]:
        raise UsageError(
            f"expected channels of shape ({time.shape[0]}, n_channels), found {values.shape}"
        )
    if not np.isfinite(values).all():
        raise UsageError("expected finite channel values, found NaN or inf")
    steps = np.diff(time)
    if (steps <= 0).any():
        i = int(np.flatnonzero(steps <= 0)[0])
        raise UsageError(
            f"expected strictly increasing time_s, found {time[i + 1]} after {time[i]} "
            f"at index {i + 1}"
        )

    if not bridge_s >= 0:
        raise UsageError(f"expected bridge_s >= 0, found {bridge_s}")
    splits = [g for g in find_gaps(time, gap_factor=gap_factor) if g.duration_s > bridge_s]
    bounds = [0] + [gap.index + 1 for gap in splits]
    bounds.append(time.shape[0])
    step_s = 1.0 / sampling_rate_hz
    segments = []
    for start, stop in itertools.pairwise(bounds):
        t_first, t_last = float(time[start]), float(time[stop - 1])
        if t_last - t_first < min_duration_s:
            continue
        n_grid = int(np.floor((t_last - t_first) * sampling_rate_hz)) + 1
        grid: FloatArray = t_first + np.arange(n_grid, dtype=np.float64) * step_s
        grid = grid[grid <= t_last]  # rounding may push the last point just past the data
        segments.append(
            Segment(
                start_index=start,
                stop_index=stop,
                time_s=_read_only(grid),
                sampling_rate_hz=float(sampling_rate_hz),
                channels=_read_only(_interpolate(time[start:stop], values[start:stop], grid)),
            )
        )
    return segments


def _interpolate(time_s: FloatArray, values: FloatArray, grid_s: FloatArray) -> FloatArray:
    """Linearly interpolate all columns of ``values`` at ``grid_s`` (inside ``time_s``)."""
    if time_s.shape[0] == 1:
        return np.repeat(values, grid_s.shape[0], axis=0)
    # one column at a time: the temporaries stay one column long (an hour at 1 kHz is
    # 3.6 M rows; whole-matrix fancy indexing needed four copies of all channels)
    result: FloatArray = np.empty((grid_s.shape[0], values.shape[1]), dtype=np.float64)
    for j in range(values.shape[1]):
        result[:, j] = np.interp(grid_s, time_s, values[:, j])
    return result


def _as_time(time_s: ArrayLike) -> FloatArray:
    time = np.asarray(time_s, dtype=np.float64)
    if time.ndim != 1:
        raise UsageError(f"expected time_s of shape (n_samples,), found {time.shape}")
    if not np.isfinite(time).all():
        raise UsageError("expected finite time_s values, found NaN or inf")
    return time


def _read_only(array: FloatArray) -> FloatArray:
    array.setflags(write=False)
    return array
