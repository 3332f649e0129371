"""What a real IMU does to a segment's motion.

Filtering and decimation, mounting on the segment, noise, saturation and lost BLE packets.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache

import numpy as np
from numpy.typing import NDArray
from scipy.signal import firwin, kaiserord, resample_poly
from scipy.spatial.transform import Rotation

from sensorlab.units import G_MS2

FloatArray = NDArray[np.float64]

INTERNAL_RATE_HZ = 4000.0
"""Lowest rate at which the kinematics are computed before the sensor's filter."""
CHUNK_SAMPLES = 1 << 18
"""Internal samples computed at once (bounds the memory of long recordings)."""

ACC_WHITE_MS2 = 0.05
"""RMS white noise of the accelerometer at ``noise=1``, in m/s²."""
GYR_WHITE_DPS = 0.5
"""RMS white noise of the gyroscope at ``noise=1``, in deg/s."""
ACC_BIAS_MS2 = 0.08
"""SD of the accelerometer's turn-on bias per axis at ``noise=1``, in m/s²."""
GYR_BIAS_DPS = 0.5
"""SD of the gyroscope's turn-on bias per axis at ``noise=1``, in deg/s."""
ACC_WALK_MS2_RTS = 0.004
"""Bias random walk of the accelerometer at ``noise=1``, in m/s² per sqrt(s)."""
GYR_WALK_DPS_RTS = 0.03
"""Bias random walk of the gyroscope at ``noise=1``, in deg/s per sqrt(s)."""


def oversampling(sampling_rate_hz: float) -> int:
    """Integer factor between the internal rate (at least 4 kHz) and the output rate."""
    return max(2, math.ceil(INTERNAL_RATE_HZ / sampling_rate_hz - 1e-9))


@cache
def _decimation_filter(factor: int) -> FloatArray:
    """Linear-phase low-pass FIR: flat to 0.37 x output rate, -60 dB from 0.47 x output rate."""
    width = 0.1 * 2.0 / factor  # transition width relative to the internal Nyquist frequency
    numtaps, beta = kaiserord(60.0, width)
    numtaps |= 1
    taps = firwin(numtaps, 0.42 * 2.0 / factor, window=("kaiser", beta))
    return np.asarray(taps, dtype=np.float64)


def sample(
    signal: Callable[[FloatArray], FloatArray], *, n_samples: int, sampling_rate_hz: float
) -> FloatArray:
    """Sample a continuous-time signal like an IMU: fast, low-pass, decimate, without delay.

    The signal is evaluated at ``k * sampling_rate_hz`` (:func:`oversampling`), low-passed
    below 0.42 x the output rate by a linear-phase FIR and decimated, in chunks of bounded
    memory; the filter sees real samples beyond each chunk's ends, so the result does not
    depend on the chunking.

    Parameters
    ----------
    signal : callable
        Maps sorted times in s, shape (m,), to values of shape (m, k).
    n_samples : int
        Number of output samples; output sample i is at ``i / sampling_rate_hz`` s.
    sampling_rate_hz : float
        Output rate in Hz.

    Returns
    -------
    ndarray, shape (n_samples, k)
        The sampled signal.
    """
    factor = oversampling(sampling_rate_hz)
    rate_hz = sampling_rate_hz * factor
    taps = _decimation_filter(factor)
    pad = -(-(taps.shape[0] // 2) // factor) * factor
    chunk = max(1, CHUNK_SAMPLES // factor)
    out = []
    for n0 in range(0, n_samples, chunk):
        n1 = min(n_samples, n0 + chunk)
        t = np.arange(n0 * factor - pad, n1 * factor + pad, dtype=np.float64) / rate_hz
        low = resample_poly(signal(t), 1, factor, axis=0, window=taps, padtype="line")
        out.append(low[pad // factor : pad // factor + n1 - n0])
    return np.asarray(np.concatenate(out), dtype=np.float64)


def mounting_rotation(mounting: str, rng: np.random.Generator) -> FloatArray:
    """Sensor axes in the segment frame (columns), as a rotation matrix.

    ``"random"`` draws a uniformly distributed rotation; ``"aligned"`` is the identity.
    """
    if mounting == "aligned":
        return np.eye(3)
    return np.asarray(Rotation.random(rng=rng).as_matrix(), dtype=np.float64)


def sensor_noise(
    n: int,
    sampling_rate_hz: float,
    scale: float,
    white: float,
    bias: float,
    walk: float,
    rng: np.random.Generator,
) -> FloatArray:
    """White noise plus a slowly drifting bias (turn-on offset + random walk), shape (n, 3)."""
    if scale == 0.0:
        return np.zeros((n, 3))
    dt = 1.0 / sampling_rate_hz
    drift = np.cumsum(rng.standard_normal((n, 3)) * walk * math.sqrt(dt), axis=0)
    offset = rng.standard_normal(3) * bias
    return np.asarray(
        scale * (rng.standard_normal((n, 3)) * white + offset + drift), dtype=np.float64
    )


def packet_mask(
    n: int, sampling_rate_hz: float, packet_loss: float, rng: np.random.Generator
) -> NDArray[np.bool_]:
    """Which samples survive when whole BLE packets (about rate / 25 samples) are lost.

    The first packet is always kept, so that the time axis still starts at 0.
    """
    size = max(1, round(sampling_rate_hz / 25.0))
    n_packets = -(-n // size)
    kept = rng.random(n_packets) >= packet_loss
    kept[0] = True
    return np.repeat(kept, size)[:n]


def clip_acc(acc_ms2: FloatArray, acc_range_g: float | None) -> FloatArray:
    """Saturate each axis at the accelerometer's range."""
    if acc_range_g is None:
        return acc_ms2
    limit = acc_range_g * G_MS2
    return np.clip(acc_ms2, -limit, limit)
