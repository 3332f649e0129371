"""Foot detector paths on small synthetic signals with known events."""

from __future__ import annotations

import numpy as np

from sensorlab.analysis import contact_params
from sensorlab.drills import get_drill
from sensorlab.signal.contacts import detect_segment_gyro
from sensorlab.signal.events import gate_contacts


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


def test_a_stretchs_last_landing_without_push_off_is_not_a_rejected_contact() -> None:
    # The landing back into standing has no push-off after it; a candidate with no TO
    # anywhere else, or with an implausible duration, is a rejected contact.
    params = contact_params(get_drill("run"), "foot")
    ic_s = np.array([1.0, 1.7, 2.4, 3.1, 3.8])
    to_s = np.array([1.2, np.nan, 2.6, 3.1 + 2.0, np.nan])
    events = gate_contacts(ic_s, to_s, params, "segment-gyro")
    assert events.ic_s.tolist() == [1.0, 2.4]
    assert events.rejected == 2
