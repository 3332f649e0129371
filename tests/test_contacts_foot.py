"""Foot detector paths on small synthetic signals with known events."""

from __future__ import annotations

import numpy as np

from sensorlab.analysis import contact_params
from sensorlab.drills import get_drill
from sensorlab.signal.contacts import detect_segment_gyro


def _low_rate_run(fs_hz: float, weak_stride: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A foot running at 80 strides/min sampled at ``fs_hz``: (acc m/s², gyro deg/s, IC s)."""
    n_strides = 10
    ic_s = 1.0 + 0.75 * np.arange(n_strides)
    t = np.arange(0.0, ic_s[-1] + 1.0, 1.0 / fs_hz)
    pitch_dps = np.zeros_like(t)
    for ic in ic_s:
        pitch_dps += 450.0 * np.exp(-0.5 * ((t - (ic - 0.2)) / 0.08) ** 2)  # swing
        pitch_dps -= 400.0 * np.exp(-0.5 * ((t - (ic + 0.18)) / 0.05) ** 2)  # push-off
    gyr = np.zeros((t.size, 3))
    gyr[:, 1] = pitch_dps
    acc = np.tile([0.0, 0.0, 9.81], (t.size, 1))
    rng = np.random.default_rng(0)
    acc += rng.normal(0.0, 0.05, acc.shape)
    for k, ic in enumerate(ic_s):
        i = int(np.ceil(ic * fs_hz))
        acc[i, 0] += 8.0 if k == weak_stride else 60.0  # the landing's one-sample impact
    return acc, gyr, ic_s


def test_low_rate_foot_finds_the_stride_whose_impact_was_not_sampled() -> None:
    fs_hz = 25.0
    acc, gyr, truth_ic_s = _low_rate_run(fs_hz, weak_stride=4)
    params = contact_params(get_drill("run"), "foot")
    events = detect_segment_gyro(acc, gyr, sampling_rate_hz=fs_hz, params=params)
    # every stride with a following push-off is found, the weak one included
    found = np.array([np.min(np.abs(events.ic_s - ic)) for ic in truth_ic_s])
    assert np.all(found < 1.5 / fs_hz), np.round(found, 3)
    assert events.ic_s.size == truth_ic_s.size
