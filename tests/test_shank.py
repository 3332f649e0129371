"""Unit tests of the shank detector (sensorlab.signal.shank) on hand-built signals.

The signals are piecewise linear sagittal rates with known contacts: a forward swing peak
(mid-swing) per stride, a steady stance rotation, a backward rotation into the swing, and a
landing impact (a short acceleration pulse) at each IC.
"""

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from sensorlab.signal.contacts import DETECTORS, choose_method
from sensorlab.signal.events import ContactParams
from sensorlab.signal.shank import detect_shank_gyro

FS_HZ = 200.0
STRIDE_S = 0.9
N_STRIDES = 8
STANDING_S = 1.0


def _stride_keys(skip: bool) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """Rate key points (s from mid-swing, deg/s) of one stride and its contacts (IC, TO)."""
    keys = [(0.0, 400.0), (0.12, 0.0), (0.15, -60.0), (0.18, -100.0)]
    if skip:
        # step, short hop flight (a small forward rotation), hop
        keys += [(0.33, -100.0), (0.36, 80.0), (0.39, -100.0), (0.40, -100.0), (0.55, -100.0)]
        contacts = [(0.18, 0.33), (0.40, 0.55)]
    else:
        keys += [(0.55, -100.0)]
        contacts = [(0.18, 0.55)]
    keys += [(0.60, -300.0), (0.68, 0.0)]
    return keys, contacts


Stride = tuple[list[tuple[float, float]], list[tuple[float, float]]]


def _signals(
    skip: bool, seed: int = 0, last: Stride | None = None
) -> tuple[np.ndarray, np.ndarray, list[tuple[float, float]]]:
    """Acceleration (m/s²), angular rate (deg/s), true contacts (s) of a bout with standing.

    ``last`` replaces the bout's last stride (its rate key points and contacts).
    """
    t_key = [0.0, STANDING_S]
    r_key = [0.0, 0.0]
    truth = []
    first_swing = STANDING_S + 0.3
    for k in range(N_STRIDES):
        keys, contacts = last if last is not None and k == N_STRIDES - 1 else _stride_keys(skip)
        t0 = first_swing + k * STRIDE_S
        t_key += [t0 + dt for dt, _ in keys]
        r_key += [r for _, r in keys]
        truth += [(t0 + ic, t0 + to) for ic, to in contacts]
    end = first_swing + N_STRIDES * STRIDE_S
    t_key += [end, end + 0.3, end + 0.3 + STANDING_S]
    r_key += [400.0, 0.0, 0.0]
    order = np.argsort(t_key, kind="stable")
    t_sorted, r_sorted = np.asarray(t_key)[order], np.asarray(r_key)[order]
    t = np.arange(0.0, t_sorted[-1], 1.0 / FS_HZ)
    rate = np.interp(t, t_sorted, r_sorted)
    rng = np.random.default_rng(seed)
    gyr = np.zeros((t.size, 3))
    gyr[:, 1] = rate
    gyr += rng.normal(0.0, 2.0, gyr.shape)
    acc = np.tile([0.0, 0.0, 9.81], (t.size, 1)) + rng.normal(0.0, 0.2, (t.size, 3))
    for ic, _to in truth:
        i = int(np.ceil(ic * FS_HZ))
        acc[i : i + 2, 0] += 40.0
    return acc, gyr, truth


def _params(pattern: str) -> ContactParams:
    return ContactParams(
        min_contact_ms=70.0,
        max_contact_ms=450.0,
        min_interval_ms=120.0 if pattern == "skip" else 400.0,
        has_flight=True,
        segment="shank",
        pattern=pattern,
    )


def _match(events, truth, tol_s=0.03):
    ic = np.asarray([c[0] for c in truth])
    to = np.asarray([c[1] for c in truth])
    assert events.ic_s.size == ic.size, (events.ic_s, ic)
    np.testing.assert_allclose(events.ic_s, ic, atol=tol_s)
    np.testing.assert_allclose(events.to_s, to, atol=tol_s)


def test_skip_finds_step_and_hop_once_each():
    acc, gyr, truth = _signals(skip=True)
    events = detect_shank_gyro(acc, gyr, sampling_rate_hz=FS_HZ, params=_params("skip"))
    # two contacts per stride: the hop is neither merged into the step nor doubled
    assert events.ic_s.size == 2 * N_STRIDES
    _match(events, truth)


def test_running_finds_one_contact_per_stride():
    acc, gyr, truth = _signals(skip=False)
    events = detect_shank_gyro(acc, gyr, sampling_rate_hz=FS_HZ, params=_params("alternating"))
    _match(events, truth)
    assert events.method == "shank-gyro"


def test_to_is_the_departure_not_the_backward_rotation_peak():
    # the backward rotation peaks 50 ms after TO; TO must stay within 20 ms of the truth
    acc, gyr, truth = _signals(skip=False)
    events = detect_shank_gyro(acc, gyr, sampling_rate_hz=FS_HZ, params=_params("alternating"))
    to_error_ms = 1000.0 * (events.to_s - np.asarray([c[1] for c in truth]))
    assert np.all(np.abs(to_error_ms) <= 20.0), to_error_ms


@pytest.mark.parametrize("seed", [1, 2])
def test_orientation_and_sign_free(seed):
    acc, gyr, truth = _signals(skip=True)
    rot = Rotation.random(random_state=seed).as_matrix()
    events = detect_shank_gyro(
        acc @ rot.T, -(gyr @ rot.T), sampling_rate_hz=FS_HZ, params=_params("skip")
    )
    _match(events, truth)


def test_standing_only_gives_no_contact():
    rng = np.random.default_rng(0)
    acc = np.tile([0.0, 0.0, 9.81], (1000, 1)) + rng.normal(0.0, 0.2, (1000, 3))
    gyr = rng.normal(0.0, 2.0, (1000, 3))
    events = detect_shank_gyro(acc, gyr, sampling_rate_hz=FS_HZ, params=_params("alternating"))
    assert events.ic_s.size == 0


def test_needs_a_gyroscope():
    with pytest.raises(ValueError, match="gyr_dps"):
        detect_shank_gyro(
            np.zeros((10, 3)), None, sampling_rate_hz=FS_HZ, params=_params("alternating")
        )


def test_shank_with_gyro_defaults_to_shank_gyro():
    assert choose_method("shank", has_gyro=True) == "shank-gyro"
    assert choose_method("shank", has_gyro=False) == "segment-acc"
    assert choose_method("foot", has_gyro=True) == "segment-gyro"
    assert "segment-gyro" in DETECTORS
    assert "shank-gyro" in DETECTORS


def test_a_skip_set_ending_on_a_step_without_a_hop_keeps_that_contact_whole():
    # The last contact of a skipping set is a step with no hop after it: the shank's rate
    # holds its stance level (sensor noise only) until the swing; a noise bump is no flight.
    # the last step: stance, then straight up into the swing (no backward rotation)
    last_keys = [(0.0, 400.0), (0.12, 0.0), (0.15, -60.0), (0.18, -100.0), (0.55, -100.0)]
    last_keys += [(0.68, 0.0)]
    acc, gyr, truth = _signals(True, seed=5, last=(last_keys, [(0.18, 0.55)]))
    events = detect_shank_gyro(acc, gyr, sampling_rate_hz=FS_HZ, params=_params("skip"))
    # one contact there, not a step and a hop split at a noise bump
    ic = np.asarray([c[0] for c in truth])
    assert events.ic_s.size == ic.size, (events.ic_s, ic)
    np.testing.assert_allclose(events.ic_s, ic, atol=0.03)
