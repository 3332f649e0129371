"""Active-bout detection: where the athlete is doing the drill, and where they stand still."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sensorlab.signal.filters import highpass, moving_rms

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class ActivityParams:
    """Parameters of :func:`find_active_bouts`.

    Attributes
    ----------
    window_s : float
        Length of the moving RMS window in s.
    threshold_ms2 : float
        Moving RMS of the high-passed acceleration norm above which the athlete is moving,
        in m/s². Quiet standing stays below 0.2 m/s²; walking at the sacrum is above 1 m/s².
        The threshold rises to ``relative_threshold`` of the recording's 95th percentile of
        that level when it is higher, so that the smearing of a vigorous drill by the RMS
        window does not eat the rest between two sets.
    relative_threshold : float
        Fraction of the 95th percentile of the activity level, see ``threshold_ms2``.
    min_bout_s : float
        Shorter active stretches are ignored (a shuffle, a turn on the spot), in s.
    min_rest_s : float
        Pauses shorter than this stay inside one set, in s; longer ones split sets.
    """

    window_s: float = 1.0
    threshold_ms2: float = 0.6
    relative_threshold: float = 0.05
    min_bout_s: float = 2.0
    min_rest_s: float = 3.0


@dataclass(frozen=True)
class Bout:
    """One active stretch of a signal.

    Attributes
    ----------
    start_index, stop_index : int
        Sample range ``[start_index, stop_index)``.
    """

    start_index: int
    stop_index: int


def activity_level_ms2(
    acc_ms2: FloatArray, *, sampling_rate_hz: float, window_s: float
) -> FloatArray:
    """Moving RMS of the high-passed acceleration norm.

    Parameters
    ----------
    acc_ms2 : ndarray, shape (n_samples, 3)
        Specific force in m/s².
    sampling_rate_hz : float
        Sampling rate in Hz.
    window_s : float
        RMS window in s.

    Returns
    -------
    ndarray, shape (n_samples,)
        Activity level in m/s² (orientation-free).
    """
    norm = np.linalg.norm(acc_ms2, axis=1)
    varying = highpass(norm, cutoff_hz=0.5, sampling_rate_hz=sampling_rate_hz)
    return moving_rms(varying, window_s=window_s, sampling_rate_hz=sampling_rate_hz)


def active_runs(
    acc_ms2: FloatArray, *, sampling_rate_hz: float, params: ActivityParams | None = None
) -> list[Bout]:
    """Stretches of samples above the activity threshold, before any merging.

    Parameters
    ----------
    acc_ms2 : ndarray, shape (n_samples, 3)
        Specific force in m/s², uniformly sampled.
    sampling_rate_hz : float
        Sampling rate in Hz.
    params : ActivityParams, optional
        Thresholds; defaults to ``ActivityParams()``.

    Returns
    -------
    list of Bout
        Active stretches in time order.
    """
    p = params or ActivityParams()
    level = activity_level_ms2(acc_ms2, sampling_rate_hz=sampling_rate_hz, window_s=p.window_s)
    threshold = max(p.threshold_ms2, p.relative_threshold * float(np.percentile(level, 95)))
    active = level > threshold
    edges = np.diff(np.concatenate(([0], active.astype(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    stops = np.flatnonzero(edges == -1)
    return [Bout(a, b) for a, b in zip(starts.tolist(), stops.tolist(), strict=True)]


def merge_runs_s(
    runs_s: list[tuple[float, float]], *, params: ActivityParams | None = None
) -> list[tuple[float, float]]:
    """Merge active stretches (in s) separated by less than a rest into bouts.

    Parameters
    ----------
    runs_s : list of (float, float)
        Active stretches as (start, end) times in s, from one or several gap-free parts.
    params : ActivityParams, optional
        ``min_rest_s`` and ``min_bout_s``.

    Returns
    -------
    list of (float, float)
        Bouts (start, end) in s, in time order, each at least ``min_bout_s`` long.
    """
    p = params or ActivityParams()
    merged: list[list[float]] = []
    for start, end in sorted(runs_s):
        if merged and start - merged[-1][1] < p.min_rest_s:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged if b - a >= p.min_bout_s]


def find_active_bouts(
    acc_ms2: FloatArray, *, sampling_rate_hz: float, params: ActivityParams | None = None
) -> list[Bout]:
    """Split a gap-free signal into active bouts separated by rests.

    Parameters
    ----------
    acc_ms2 : ndarray, shape (n_samples, 3)
        Specific force in m/s², uniformly sampled.
    sampling_rate_hz : float
        Sampling rate in Hz.
    params : ActivityParams, optional
        Thresholds; defaults to ``ActivityParams()``.

    Returns
    -------
    list of Bout
        Active bouts in time order; empty when the athlete never moves.
    """
    runs = active_runs(acc_ms2, sampling_rate_hz=sampling_rate_hz, params=params)
    runs_s = [(r.start_index / sampling_rate_hz, r.stop_index / sampling_rate_hz) for r in runs]
    return [
        Bout(round(a * sampling_rate_hz), round(b * sampling_rate_hz))
        for a, b in merge_runs_s(runs_s, params=params)
    ]
