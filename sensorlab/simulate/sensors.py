"""What a real IMU does to a segment's motion.

Filtering and decimation, mounting on the segment, noise, saturation and lost BLE packets.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache

import numpy as np
from numpy.typing import NDArray
from scipy.signal import butter, sosfilt, sosfilt_zi
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


ANTI_ALIAS_ORDER = 4
"""Order of the sensor's causal Butterworth anti-alias low-pass."""
ANTI_ALIAS_EDGE = 0.4
"""-3 dB edge of the anti-alias low-pass, as a fraction of the output rate."""


@cache
def _anti_alias_sos(factor: int, order: int, edge: float) -> FloatArray:
    """Causal Butterworth low-pass at the internal rate, second-order sections.

    Parameters
    ----------
    factor : int
        Internal rate / output rate.
    order : int
        Filter order.
    edge : float
        -3 dB frequency as a fraction of the output rate.

    Returns
    -------
    ndarray, shape (n_sections, 6)
        Second-order sections for :func:`scipy.signal.sosfilt`.
    """
    sos = butter(order, 2.0 * edge / factor, btype="low", output="sos")
    return np.asarray(sos, dtype=np.float64)


def sample(
    signal: Callable[[FloatArray], FloatArray], *, n_samples: int, sampling_rate_hz: float
) -> FloatArray:
    """Sample a continuous-time signal like an IMU chip: fast, causal low-pass, decimate.

    The signal is evaluated at ``k * sampling_rate_hz`` (:func:`oversampling`), low-passed
    by a causal Butterworth filter (order :data:`ANTI_ALIAS_ORDER`, -3 dB at
    :data:`ANTI_ALIAS_EDGE` x the output rate) and decimated by keeping every k-th sample.
    Like a real chip's digital filter, the output never shows an event before it happens:
    it lags the input by the filter's group delay. The delay is not compensated, so the
    samples lag the physical event times of the truth table.

    Parameters
    ----------
    signal : callable
        Maps sorted times in s, shape (m,), to values of shape (m, k).
    n_samples : int
        Number of output samples; output sample i is at ``i / sampling_rate_hz`` s and
        depends only on the signal at times up to ``i / sampling_rate_hz``.
    sampling_rate_hz : float
        Output rate in Hz.

    Returns
    -------
    ndarray, shape (n_samples, k)
        The sampled signal.

    Notes
    -----
    The filter runs at the internal rate in chunks of bounded memory with its state carried
    from chunk to chunk, so the result does not depend on the chunking. It starts in the
    steady state of the first value (no start-up transient; the simulated sets start at
    rest). Group delay at low frequencies (below 0.1 x the output rate) is about 1.04 output
    samples: 10.4 ms at 100 Hz, 5.2 ms at 200 Hz and 2.6 ms at 400 Hz; it rises towards the
    edge (about 12 ms at 0.2 x and 15 ms at 0.37 x the output rate, at 100 Hz). Attenuation
    is 8 dB at half the output rate and 24 dB at 0.8 x the output rate, so, as on a real chip,
    some content above half the output rate aliases.
    """
    factor = oversampling(sampling_rate_hz)
    rate_hz = sampling_rate_hz * factor
    sos = _anti_alias_sos(factor, ANTI_ALIAS_ORDER, ANTI_ALIAS_EDGE)
    chunk = max(1, CHUNK_SAMPLES // factor)
    state: FloatArray | None = None
    out = []
    for n0 in range(0, n_samples, chunk):
        n1 = min(n_samples, n0 + chunk)
        t = np.arange(n0 * factor, n1 * factor, dtype=np.float64) / rate_hz
        fine = np.asarray(signal(t), dtype=np.float64)
        if state is None:
            state = sosfilt_zi(sos)[:, :, np.newaxis] * fine[0][np.newaxis, np.newaxis, :]
        low, state = sosfilt(sos, fine, axis=0, zi=state)
        out.append(low[::factor])
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
