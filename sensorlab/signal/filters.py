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


@lru_cache(maxsize=64)
def _butter_zi(order: int, normalized_cutoff: float, btype: str) -> FloatArray:
    """Steady-state initial conditions of :func:`_butter_sos`, shape (n_sections, 2), cached."""
    return np.asarray(sps.sosfilt_zi(_butter_sos(order, normalized_cutoff, btype)))


def _zero_phase(x: FloatArray, order: int, normalized_cutoff: float, btype: str) -> FloatArray:
    """Forward-backward Butterworth filter along axis 0, as :func:`scipy.signal.sosfiltfilt`.

    Same odd extension, padding length and initial conditions as ``sosfiltfilt`` with its
    defaults (equal to it within rounding, see the tests); the initial conditions are
    cached with the design, where ``sosfiltfilt`` solves for them on every call, which cost
    a third of the filtering time on short bouts.
    """
    sos = _butter_sos(order, normalized_cutoff, btype)
    zi = _butter_zi(order, normalized_cutoff, btype)
    n_sections = sos.shape[0]
    n_taps = 2 * n_sections + 1 - min(int(np.sum(sos[:, 2] == 0)), int(np.sum(sos[:, 5] == 0)))
    edge = 3 * n_taps
    # odd extension at both ends (what sosfiltfilt's default padding does)
    head = 2.0 * x[:1] - x[edge:0:-1]
    tail = 2.0 * x[-1:] - x[-2 : -edge - 2 : -1]
    ext = np.concatenate([head, x, tail], axis=0)
    zi = zi.reshape((n_sections, 2) + (1,) * (x.ndim - 1))
    y, _ = sps.sosfilt(sos, ext, axis=0, zi=zi * ext[:1])
    y = y[::-1]
    y, _ = sps.sosfilt(sos, y, axis=0, zi=zi * y[:1])
    return np.asarray(y[::-1][edge:-edge], dtype=np.float64)


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
    if cutoff_hz >= 0.95 * nyquist_hz or x.shape[0] <= 3 * (order + 1):
        return np.array(x, dtype=np.float64, copy=True)
    return _zero_phase(np.asarray(x, dtype=np.float64), order, cutoff_hz / nyquist_hz, "low")


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
    if x.shape[0] <= 3 * (order + 1):
        return np.asarray(x - np.mean(x, axis=0), dtype=np.float64)
    normalized = cutoff_hz / (sampling_rate_hz / 2.0)
    return _zero_phase(np.asarray(x, dtype=np.float64), order, normalized, "high")


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
