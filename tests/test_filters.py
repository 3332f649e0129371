"""The zero-phase filters equal scipy's ``sosfiltfilt`` (they only cache its set-up)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import signal as sps

from sensorlab.signal.filters import highpass, lowpass


@pytest.mark.parametrize("n_samples", [16, 17, 250, 4001])
@pytest.mark.parametrize("n_channels", [0, 3])
def test_lowpass_and_highpass_equal_sosfiltfilt(n_samples: int, n_channels: int) -> None:
    rng = np.random.default_rng(n_samples + n_channels)
    shape = (n_samples,) if n_channels == 0 else (n_samples, n_channels)
    x = rng.normal(size=shape).cumsum(axis=0)
    fs_hz = 200.0
    expected_low = sps.sosfiltfilt(sps.butter(4, 20.0 / 100.0, output="sos"), x, axis=0)
    expected_high = sps.sosfiltfilt(
        sps.butter(2, 0.5 / 100.0, btype="high", output="sos"), x, axis=0
    )
    np.testing.assert_allclose(
        lowpass(x, cutoff_hz=20.0, sampling_rate_hz=fs_hz), expected_low, rtol=0, atol=1e-12
    )
    np.testing.assert_allclose(
        highpass(x, cutoff_hz=0.5, sampling_rate_hz=fs_hz), expected_high, rtol=0, atol=1e-12
    )


def test_too_short_signals_are_returned_unfiltered() -> None:
    x = np.arange(15.0)
    np.testing.assert_array_equal(lowpass(x, cutoff_hz=20.0, sampling_rate_hz=200.0), x)
    np.testing.assert_allclose(highpass(x[:9], cutoff_hz=0.5, sampling_rate_hz=200.0), x[:9] - 4.0)
