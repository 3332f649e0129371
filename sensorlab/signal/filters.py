"""Zero-phase filters and small array helpers used by the detectors."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from scipy import signal as sps

FloatArray = NDArray[np.float64]


@lru_cache(maxsize=64)
def _butter_sos(order: int, normalized_cutoff: float, btype: str) -> FloatArray:
    """Second-order sections of a Butterworth design, cached.

    The design costs more than filtering a short bout, and the same few designs recur for
    every file.
    """
    return np.asarray(sps.butter(order, normalized_cutoff, btype=btype, output="sos"))


def lowpass(
    x: FloatArray, *, cutoff_hz: float, sampling_rate_hz: float, order: int = 4
) -> FloatArray:
    """Zero-phase Butterworth low-pass filter along the first axis.

    Parameters
    ----------
    x : ndarray, shape (n_samples,) or (n_samples, n_channels)
        Signal, any unit.
    cutoff_hz : float
        -3 dB cut-off in Hz. A cut-off at or above the Nyquist frequency returns ``x``.
    sampling_rate_hz : float
        Sampling rate of ``x`` in Hz.
    order : int
        Filter order (applied twice, forward and backward).

    Returns
    -------
    ndarray, same shape as ``x``
        Filtered signal, same unit.
    """
    nyquist_hz = sampling_rate_hz / 2.0
    if cutoff_hz >= 0.95 * nyquist_hz or x.shape[0] < 3 * (order + 1):
        return np.array(x, dtype=np.float64, copy=True)
    sos = _butter_sos(order, cutoff_hz / nyquist_hz, "low").copy()
    return np.asarray(sps.sosfiltfilt(sos, x, axis=0), dtype=np.float64)


def highpass(
    x: FloatArray, *, cutoff_hz: float, sampling_rate_hz: float, order: int = 2
) -> FloatArray:
    """Zero-phase Butterworth high-pass filter along the first axis.

    Parameters
    ----------
    x : ndarray, shape (n_samples,) or (n_samples, n_channels)
        Signal, any unit.
    cutoff_hz : float
        -3 dB cut-off in Hz.
    sampling_rate_hz : float
        Sampling rate of ``x`` in Hz.
    order : int
        Filter order (applied twice, forward and backward).

    Returns
    -------
    ndarray, same shape as ``x``
        Filtered signal, same unit.
    """
    if x.shape[0] < 3 * (order + 1):
        return np.asarray(x - np.mean(x, axis=0), dtype=np.float64)
    sos = _butter_sos(order, cutoff_hz / (sampling_rate_hz / 2.0), "high").copy()
    return np.asarray(sps.sosfiltfilt(sos, x, axis=0), dtype=np.float64)


def moving_rms(x: FloatArray, *, window_s: float, sampling_rate_hz: float) -> FloatArray:
    """Centred moving root-mean-square of a 1-D signal.

    Parameters
    ----------
    x : ndarray, shape (n_samples,)
        Signal, any unit.
    window_s : float
        Window length in s.
    sampling_rate_hz : float
        Sampling rate of ``x`` in Hz.

    Returns
    -------
    ndarray, shape (n_samples,)
        Moving RMS, same unit as ``x``.
    """
    n = max(1, round(window_s * sampling_rate_hz))
    csum = np.concatenate(([0.0], np.cumsum(x * x)))
    half = n // 2
    idx = np.arange(x.shape[0])
    lo = np.clip(idx - half, 0, x.shape[0])
    hi = np.clip(idx - half + n, 0, x.shape[0])
    return np.asarray(np.sqrt((csum[hi] - csum[lo]) / np.maximum(hi - lo, 1)), dtype=np.float64)


def parabolic_peak(y: FloatArray, index: int) -> float:
    """Sub-sample position of an extremum by a parabola through three samples.

    Parameters
    ----------
    y : ndarray, shape (n_samples,)
        Signal.
    index : int
        Sample index of a local extremum of ``y``.

    Returns
    -------
    float
        Refined index (fractional samples), within ``index ± 0.5``.
    """
    if index <= 0 or index >= y.shape[0] - 1:
        return float(index)
    a, b, c = y[index - 1], y[index], y[index + 1]
    denom = a - 2.0 * b + c
    if denom == 0.0:
        return float(index)
    offset = 0.5 * (a - c) / denom
    return float(index + np.clip(offset, -0.5, 0.5))
