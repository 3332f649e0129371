"""Trunk walking contacts on synthetic lower-back signals with exact events."""

from __future__ import annotations

import numpy as np
import pytest

from sensorlab.signal.events import ContactParams
from sensorlab.signal.trunk import detect_trunk, step_period_s
from sensorlab.units import G_MS2

STEP_S = 0.55
FIRST_IC_S = 1.0
N_STEPS = 16
WALK = ContactParams(
    min_contact_ms=245.0, max_contact_ms=1950.0, min_interval_ms=275.0, has_flight=False
)


def _bump(t: np.ndarray, centre_s: float, sigma_s: float, height: float) -> np.ndarray:
    return height * np.exp(-0.5 * ((t - centre_s) / sigma_s) ** 2)


def _lower_back_walk(
    rate_hz: float, *, weight_shift_ms2: float = 0.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Vertical specific force shaped like the IPOL L5 double support, in a tilted sensor.

    Each step: heel-strike transient 40 ms after IC, a dip, then the loading hump 160 ms
    after IC; the other foot leaves half-way between the dip (about 100 ms) and the hump,
    and the trunk sags in single support. The hump is the larger peak, so a narrow
    smoothing sees two peaks per step. The walker stands still before the first step;
    ``weight_shift_ms2`` adds a smooth bump of that height (m/s²) 0.5 s before it, the
    shift onto the stance leg at the first toe-off.
    """
    t = np.arange(0.0, FIRST_IC_S + (N_STEPS + 1) * STEP_S, 1.0 / rate_hz)
    vertical = np.full(t.shape, G_MS2)
    vertical += _bump(t, FIRST_IC_S - 0.5, 0.1, weight_shift_ms2)
    ics = FIRST_IC_S + STEP_S * np.arange(N_STEPS)
    for ic in ics:
        vertical += _bump(t, ic + 0.04, 0.015, 4.0)
        vertical += _bump(t, ic + 0.16, 0.03, 5.0)
        vertical += _bump(t, ic + 0.34, 0.08, -2.5)
    # where the detector's rule puts the other foot's toe-off on this shape
    dense = np.arange(0.0, 0.4, 1e-4)
    one = _bump(dense, 0.04, 0.015, 4.0) + _bump(dense, 0.16, 0.03, 5.0)
    one += _bump(dense, 0.34, 0.08, -2.5)
    peak = int(np.argmax(one[dense < 0.12]))
    dip = peak + int(np.argmin(one[peak : peak + 1500]))
    hump = dip + int(np.argmax(one[dip : dip + 2000]))
    fc_after_ic_s = 0.5 * (dense[dip] + dense[hump])
    tilt = np.deg2rad(20.0)
    acc = np.column_stack(
        [vertical * np.sin(tilt), np.zeros_like(vertical), vertical * np.cos(tilt)]
    )
    return acc, ics, ics[1:] + fc_after_ic_s


@pytest.mark.parametrize("rate_hz", [100.0, 400.0])
def test_walking_one_contact_per_step_and_toe_off_between_dip_and_hump(rate_hz: float) -> None:
    acc, ics, fcs = _lower_back_walk(rate_hz)
    events = detect_trunk(acc, None, sampling_rate_hz=rate_hz, params=WALK)
    # every step but the last (its final contact is not in the stretch)
    assert events.ic_s.size == N_STEPS - 1
    assert np.max(np.abs(events.ic_s - ics[:-1])) < 0.03
    # the foot landing at IC k leaves at the final contact after IC k+1
    assert np.max(np.abs(events.to_s - fcs)) < 0.02
    assert np.all(events.to_s > events.ic_s)


@pytest.mark.parametrize("rate_hz", [100.0, 400.0])
def test_walking_weight_shift_in_standing_before_the_first_step_is_not_a_contact(
    rate_hz: float,
) -> None:
    # 0.4 m/s²: a peak of the loading signal (0.27 SD above the mean, like the weight shift
    # of the simulator and of IPOL L5 trial starts) that the peak search alone takes for a step
    acc, ics, _ = _lower_back_walk(rate_hz, weight_shift_ms2=0.4)
    events = detect_trunk(acc, None, sampling_rate_hz=rate_hz, params=WALK)
    assert events.ic_s.size == N_STEPS - 1
    assert events.ic_s[0] == pytest.approx(ics[0], abs=0.03)


def test_step_period_is_the_step_not_the_stride() -> None:
    rate_hz = 100.0
    acc, _, _ = _lower_back_walk(rate_hz)
    vertical = acc @ np.array([np.sin(np.deg2rad(20.0)), 0.0, np.cos(np.deg2rad(20.0))])
    # make left and right steps differ, so the stride peak of the autocorrelation is higher
    t = np.arange(vertical.size) / rate_hz
    vertical = vertical + 0.8 * np.sin(np.pi * (t - FIRST_IC_S) / STEP_S)
    period = step_period_s(vertical, sampling_rate_hz=rate_hz, min_s=0.275)
    assert period == pytest.approx(STEP_S, abs=0.02)


def test_step_period_of_a_flat_signal_is_nan() -> None:
    assert np.isnan(step_period_s(np.zeros(500), sampling_rate_hz=100.0, min_s=0.3))
