"""Rules of the foot detector (``segment-gyro``) on synthetic signals with known events.

Each signal is built from the physics a rule relies on, not from the simulator: a gradual
unloading before toe-off, an impact spread over neighbouring samples by a sensor's
anti-alias filter, a toe-off jerk as large as the landing's.
"""

from __future__ import annotations

import numpy as np

from sensorlab.analysis import contact_params
from sensorlab.drills import get_drill
from sensorlab.signal.contacts import (
    STRIKE_RISE_MS,
    _first_rotation_votes,
    _force_growing,
    _push_off_peaks,
    _skip_lift_offs,
    detect_segment_gyro,
    find_impacts,
)
from sensorlab.signal.events import ContactEvents

FINE_HZ = 10_000.0
"""Rate at which the synthetic motions are built before they are sampled."""


def _sample(fine: np.ndarray, fs_hz: float) -> np.ndarray:
    """A signal built at ``FINE_HZ`` as a sensor samples it at ``fs_hz``.

    Each sample is the mean over one sample period centred on it (a crude anti-alias
    filter: a 5 ms impact is spread over the sample, not caught or missed by chance).
    """
    step = round(FINE_HZ / fs_hz)
    kernel = np.ones(step) / step
    smooth = np.apply_along_axis(lambda x: np.convolve(x, kernel, mode="same"), 0, fine)
    return smooth[::step]


def _detect(
    acc_fine: np.ndarray, gyr_fine: np.ndarray, fs_hz: float, drill: str, seed: int
) -> ContactEvents:
    """Sample both signals at ``fs_hz``, add sensor noise (acc then gyro) and detect."""
    rng = np.random.default_rng(seed)
    acc_s = _sample(acc_fine, fs_hz)
    gyr_s = _sample(gyr_fine, fs_hz)
    acc_s += rng.normal(0.0, 0.05, acc_s.shape)
    gyr_s += rng.normal(0.0, 0.5, gyr_s.shape)
    params = contact_params(get_drill(drill), "foot")
    return detect_segment_gyro(acc_s, gyr_s, sampling_rate_hz=fs_hz, params=params)


def _ic_errors_ms(events: ContactEvents, truth_ic_s: np.ndarray) -> np.ndarray:
    """Detected minus true IC of the detection nearest each true IC, in ms."""
    nearest = np.array([np.argmin(np.abs(events.ic_s - ic)) for ic in truth_ic_s])
    return np.asarray(1000.0 * (events.ic_s[nearest] - truth_ic_s))


def _gradual_unloading_rate(
    ic_s: np.ndarray, to_s: np.ndarray, duration_s: float, after_s: float = 0.05
) -> np.ndarray:
    """Sagittal rate (deg/s) at ``FINE_HZ`` whose push-off ends in a gradual unloading.

    In stance the foot's plantar-flexion rate grows at a constant angular acceleration,
    which fades linearly to the swing's small value over the last 40 ms before TO (the
    ground unloading the foot); after TO the swing keeps the foot rotating for ``after_s``
    more (50 ms: heels to glutes) before the rate turns over and reverses into the swing.
    """
    dt = 1.0 / FINE_HZ
    t = np.arange(0.0, duration_s, dt)
    rate = np.zeros_like(t)
    fade_s, swing_dps2 = 0.04, 1200.0
    for k, (ic, to) in enumerate(zip(ic_s, to_s, strict=True)):
        start = ic + 0.05
        # the rate reaches 700 deg/s at TO
        push_dps2 = (700.0 - 0.5 * swing_dps2 * fade_s) / ((to - start) - 0.5 * fade_s)
        cycle = (t >= ic) & (t < to + after_s)
        u = t[cycle]
        acc_dps2 = np.zeros_like(u)
        m = (u >= start) & (u < to - fade_s)
        acc_dps2[m] = push_dps2
        m = (u >= to - fade_s) & (u < to)
        acc_dps2[m] = push_dps2 + (swing_dps2 - push_dps2) * (u[m] - (to - fade_s)) / fade_s
        m = u >= to
        acc_dps2[m] = swing_dps2 * (1.0 - (u[m] - to) / after_s)
        rate[cycle] = np.cumsum(acc_dps2) * dt
        # the swing brings the rotation back (a smooth lobe) before the next landing
        a = to + after_s
        b = ic_s[k + 1] - 0.02 if k + 1 < ic_s.size else a + 0.3
        m = (t >= a) & (t < b)
        top = float(rate[cycle][-1])
        w = (t[m] - a) / (b - a)
        rate[m] = top * (1.0 - w) - 600.0 * np.sin(np.pi * w) ** 2
    return rate


def _impacts_acc(ic_s: np.ndarray, n_fine: int, height_ms2: float = 60.0) -> np.ndarray:
    """Specific force (m/s², ``FINE_HZ``) at rest on 1 g with a 5 ms landing spike at each IC."""
    t = np.arange(n_fine) / FINE_HZ
    acc = np.tile([0.0, 0.0, 9.81], (n_fine, 1))
    for ic in ic_s:
        u = t - ic
        m = (u >= 0.0) & (u < 0.03)
        acc[m, 0] += height_ms2 * (u[m] / 0.003) * np.exp(1.0 - u[m] / 0.003)
    return acc


def _unloading_strides(
    first_ic_s: float = 0.5, height_ms2: float = 60.0, **shape: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """12 contacts (0.6 s apart, 150 ms long) with a gradual unloading before each TO.

    Returns IC and TO times (s), gyro (deg/s) and specific force with a landing spike of
    ``height_ms2`` at each IC (m/s²), both at ``FINE_HZ``; ``shape`` goes to
    :func:`_gradual_unloading_rate`.
    """
    ic_s = first_ic_s + 0.6 * np.arange(12)
    to_s = ic_s + 0.15
    rate_fine = _gradual_unloading_rate(ic_s, to_s, ic_s[-1] + 1.0, **shape)
    gyr = np.zeros((rate_fine.size, 3))
    gyr[:, 1] = rate_fine
    return ic_s, to_s, gyr, _impacts_acc(ic_s, rate_fine.size, height_ms2)


def _unloading_to_errors_ms(fs_hz: float, drill: str, seed: int, **shape: float) -> np.ndarray:
    """Detected minus true TO (ms) of 12 contacts whose push-off ends in a gradual unloading.

    ``shape`` goes to :func:`_gradual_unloading_rate`; at most one contact may be missed.
    """
    ic_s, to_s, gyr, acc = _unloading_strides(**shape)
    events = _detect(acc, gyr, fs_hz, drill, seed=seed)
    assert events.ic_s.size >= ic_s.size - 1
    nearest = np.array([np.argmin(np.abs(ic_s - ic)) for ic in events.ic_s])
    return np.asarray(1000.0 * (events.to_s - to_s[nearest]))


def test_toe_off_is_the_end_of_a_gradual_unloading_not_its_middle() -> None:
    err_ms = _unloading_to_errors_ms(400.0, "heels-to-glutes", seed=1)
    # the steepest fall of angular acceleration is 20 ms before TO; its end is TO
    assert np.all(np.abs(err_ms) < 4.0), np.round(err_ms, 1)


def test_toe_off_is_found_when_the_swing_carries_the_push_off_rotation_on() -> None:
    # Side-run: the foot's roll into the swing keeps the rotation speeding up slowly for
    # 110 ms after TO, so the push-off peak lies longer after TO than a sharp peak would.
    err_ms = _unloading_to_errors_ms(200.0, "side-run", seed=8, after_s=0.11)
    assert np.all(np.abs(err_ms) < 6.0), np.round(err_ms, 1)


def _run_from_standing(fs_hz: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A foot that stands, rises onto its toes, lifts off and runs: (acc, gyro, landings s).

    The lift from standing jerks as hard as a landing and is followed by a push-off
    rotation, but no swing (rotation against the push-off) comes before it.
    """
    lift_s = 1.5
    ic_s = lift_s + 0.35 + 0.7 * np.arange(8)
    t = np.arange(0.0, ic_s[-1] + 1.0, 1.0 / fs_hz)
    push_dps = np.zeros_like(t)
    # heel rise: a slow push-off rotation over the 250 ms before the lift
    rise = (t > lift_s - 0.25) & (t < lift_s)
    push_dps[rise] = 200.0 * (t[rise] - (lift_s - 0.25)) / 0.25
    push_dps += 600.0 * np.exp(-0.5 * ((t - (lift_s + 0.06)) / 0.03) ** 2)
    for ic in ic_s:
        push_dps -= 450.0 * np.exp(-0.5 * ((t - (ic - 0.2)) / 0.08) ** 2)  # swing
        push_dps += 600.0 * np.exp(-0.5 * ((t - (ic + 0.18)) / 0.04) ** 2)  # push-off
    gyr = np.zeros((t.size, 3))
    gyr[:, 1] = push_dps
    rng = np.random.default_rng(2)
    gyr += rng.normal(0.0, 0.5, gyr.shape)
    acc = np.tile([0.0, 0.0, 9.81], (t.size, 1)) + rng.normal(0.0, 0.05, (t.size, 3))
    moving = t > lift_s
    acc[moving, 0] += 15.0 * np.sin(2.0 * np.pi * 1.4 * (t[moving] - lift_s))  # the swing
    for event_s in [lift_s, *ic_s]:
        i = int(np.ceil(event_s * fs_hz))
        acc[i : i + 2, 2] += 60.0  # the jerk of the lift and of each landing
    return acc, gyr, ic_s


def test_the_lift_from_standing_is_not_a_landing() -> None:
    fs_hz = 200.0
    acc, gyr, truth_ic_s = _run_from_standing(fs_hz)
    params = contact_params(get_drill("run"), "foot")
    events = detect_segment_gyro(acc, gyr, sampling_rate_hz=fs_hz, params=params)
    assert events.ic_s.size >= truth_ic_s.size - 1
    # the first contact is the first landing, not the lift at 1.5 s
    assert abs(events.ic_s[0] - truth_ic_s[0]) < 0.02, np.round(events.ic_s, 3)


def test_a_toe_off_jerk_larger_than_the_landing_does_not_hide_the_landing() -> None:
    # At 100 Hz a landing's jerk is smoothed to the size of the toe-off's (heels to glutes
    # whips the foot up at TO); the toe-off must not replace the landing as the contact's IC.
    fs_hz = 100.0
    ic_s, to_s, gyr, acc = _unloading_strides(0.5, height_ms2=50.0)
    t = np.arange(gyr.shape[0]) / FINE_HZ
    for k, to in enumerate(to_s):
        u = t - to
        m = (u >= 0.0) & (u < 0.03)
        height_ms2 = 80.0 if k % 3 == 1 else 20.0  # every third toe-off jerks harder
        acc[m, 2] += height_ms2 * (u[m] / 0.003) * np.exp(1.0 - u[m] / 0.003)
    events = _detect(acc, gyr, fs_hz, "heels-to-glutes", seed=3)
    # (the first landing, from rest with no swing before it, counts as leaving standing)
    found = np.array([np.min(np.abs(events.ic_s - ic)) for ic in ic_s[1:-1]])
    assert np.all(found < 0.02), np.round(found, 3)
    assert events.ic_s.size >= ic_s.size - 2


def test_a_broad_swing_jerk_just_before_a_landing_is_not_its_first_strike() -> None:
    # One-leg pedaling paws the foot back and down: its acceleration swings through a deep
    # dip that ends 20 ms before the landing. At 100 Hz that dip's jerk is more than half the
    # impact's, but it rises over several samples; the landing's strike rises within two.
    fs_hz = 100.0
    ic_s, _to_s, gyr, acc = _unloading_strides(0.7, height_ms2=80.0)
    t = np.arange(gyr.shape[0]) / FINE_HZ
    for ic in ic_s:
        m = (t >= ic - 0.07) & (t < ic - 0.02)
        acc[m, 1] += 60.0 * np.sin(np.pi * (t[m] - (ic - 0.07)) / 0.05) ** 2
    events = _detect(acc, gyr, fs_hz, "run", seed=4)
    err_ms = _ic_errors_ms(events, ic_s[1:-1])
    assert np.all(np.abs(err_ms) <= 10.0), np.round(err_ms, 1)


def test_a_landing_that_strikes_twice_starts_at_its_first_strike() -> None:
    # Heel, then a larger forefoot slap 15 ms later: both rise abruptly, the first counts.
    fs_hz = 400.0
    ic_s, _to_s, gyr, acc = _unloading_strides(0.7, height_ms2=60.0)
    acc += _impacts_acc(ic_s + 0.015, gyr.shape[0], height_ms2=90.0) - [0.0, 0.0, 9.81]
    events = _detect(acc, gyr, fs_hz, "run", seed=5)
    err_ms = _ic_errors_ms(events, ic_s[1:-1])
    assert np.all(np.abs(err_ms) <= 3.0), np.round(err_ms, 1)


def test_a_toe_off_jerk_does_not_hide_the_next_landing() -> None:
    # Tiptoe walking at 100 Hz: the foot never rests flat, its toe-off jerks harder than its
    # soft landing 320 ms later, within the drill's shortest interval between landings.
    fs_hz = 100.0
    ic_s = 0.8 + 0.85 * np.arange(12)
    to_s = ic_s + 0.53
    t = np.arange(0.0, ic_s[-1] + 1.2, 1.0 / FINE_HZ)
    rate = np.zeros_like(t)
    for ic, to in zip(ic_s, to_s, strict=True):
        stance = (t > ic + 0.03) & (t < to)
        rate[stance] += 80.0  # the heel stays up: the foot keeps rotating slowly
        rate += 520.0 * np.exp(-0.5 * ((t - to) / 0.04) ** 2)  # push-off
        rate -= 400.0 * np.exp(-0.5 * ((t - (to + 0.16)) / 0.06) ** 2)  # swing
    gyr = np.zeros((t.size, 3))
    gyr[:, 1] = rate
    acc = _impacts_acc(ic_s, t.size, height_ms2=40.0)
    acc += _impacts_acc(to_s, t.size, height_ms2=70.0) - [0.0, 0.0, 9.81]
    events = _detect(acc, gyr, fs_hz, "tiptoe-walk", seed=6)
    found = np.array([np.min(np.abs(events.ic_s - ic)) for ic in ic_s[1:-1]])
    assert np.all(found < 0.03), np.round(found, 3)


def test_a_hops_toe_off_jerk_is_not_taken_for_the_next_hop() -> None:
    # High skipping: step, lift-off, hop, then the hop's push-off into a long swing. The
    # toe-off of the hop jerks too; it must not pair with the hop as a step with its hop.
    fs_hz = 200.0
    cycle_s = 0.5 + 1.0 * np.arange(10)
    t = np.arange(0.0, cycle_s[-1] + 1.5, 1.0 / FINE_HZ)
    rate = np.zeros_like(t)
    for c in cycle_s:
        rate += 100.0 * np.exp(-0.5 * ((t - (c + 0.14)) / 0.02) ** 2)  # the step's push-off
        rate += 600.0 * np.exp(-0.5 * ((t - (c + 0.40)) / 0.035) ** 2)  # the hop's
        rate -= 400.0 * np.exp(-0.5 * ((t - (c + 0.70)) / 0.1) ** 2)  # the swing
    gyr = np.zeros((t.size, 3))
    gyr[:, 1] = rate
    one_g = np.array([0.0, 0.0, 9.81])
    acc = _impacts_acc(cycle_s, t.size, height_ms2=60.0)  # step landings
    acc += _impacts_acc(cycle_s + 0.15, t.size, height_ms2=12.0) - one_g  # step lift-offs
    acc += _impacts_acc(cycle_s + 0.24, t.size, height_ms2=50.0) - one_g  # hop landings
    acc += _impacts_acc(cycle_s + 0.40, t.size, height_ms2=35.0) - one_g  # hop toe-offs
    events = _detect(acc, gyr, fs_hz, "high-skipping", seed=7)
    hops = cycle_s[1:-1] + 0.24
    k = np.array([np.argmin(np.abs(events.ic_s - h)) for h in hops])
    assert np.all(np.abs(events.ic_s[k] - hops) < 0.01), np.round(events.ic_s[k] - hops, 3)
    err_ms = 1000.0 * (events.to_s[k] - (hops + 0.16))
    assert np.all(np.abs(err_ms) < 10.0), np.round(err_ms, 1)


def _strides_gyro(
    ic_s: np.ndarray, stride: list[tuple[float, float]], tail: list[tuple[float, float]]
) -> np.ndarray:
    """Gyro (deg/s, ``FINE_HZ``) whose sagittal rate is linear between knots.

    ``stride`` holds (time after IC in s, rate in deg/s) repeated for every IC; ``tail``
    holds (time after the last IC, rate) knots that end the signal.
    """
    knots = [(0.0, 0.0)]
    knots += [(ic + dt_s, rate_dps) for ic in ic_s for dt_s, rate_dps in stride]
    knots += [(ic_s[-1] + dt_s, rate_dps) for dt_s, rate_dps in tail]
    knots_s, knots_dps = zip(*knots, strict=True)
    t_fine = np.arange(0.0, knots_s[-1], 1.0 / FINE_HZ)
    gyr = np.zeros((t_fine.size, 3))
    gyr[:, 1] = np.interp(t_fine, knots_s, knots_dps)
    return gyr


def test_a_walking_push_off_is_the_first_rotation_after_foot_flat_not_the_largest() -> None:
    # A slow walker pushes off gently and then swings the foot through faster in the
    # opposite sense: within the same 0.4 s after foot flat, the swing lobe is the larger
    # extreme. The push-off's sign must come from the rotation that comes first.
    fs_hz = 200.0
    ic_s = 0.8 + 1.1 * np.arange(10)
    # swing lobe, heel rocker, foot flat, push-off peak, back toward the next swing
    stride = [(-0.35, -500.0), (0.0, 0.0), (0.05, 200.0), (0.10, 0.0), (0.40, 0.0), (0.55, 300.0)]
    gyr = _strides_gyro(ic_s, stride, [(0.75, -500.0), (0.9, 0.0)])
    acc = _impacts_acc(ic_s, gyr.shape[0])
    # TO: the rate falls linearly from its 300 deg/s peak (IC + 0.55 s) to -500 deg/s at
    # IC + 0.75 s; at 80 % of the peak the toes are off
    truth_to_s = ic_s + 0.55 + 0.2 * (0.2 * 300.0) / 800.0
    events = _detect(acc, gyr, fs_hz, "walk", seed=3)
    # every contact but the last (no swing follows it, so it has no push-off) is found
    assert events.ic_s.size >= ic_s.size - 1, np.round(events.ic_s, 3)
    assert np.all(np.abs(_ic_errors_ms(events, ic_s[:-1])) < 10.0)
    nearest = np.array([np.argmin(np.abs(ic_s - ic)) for ic in events.ic_s])
    to_err_ms = 1000.0 * (events.to_s - truth_to_s[nearest])
    assert np.all(np.abs(to_err_ms) < 10.0), np.round(to_err_ms, 1)


def test_the_walking_push_off_vote_goes_by_the_first_rotation_not_the_largest() -> None:
    # After each foot flat (ending 0.4 s after IC) a 300 deg/s push-off comes first and a
    # 500 deg/s swing lobe follows within the 0.4 s window: every window votes positive.
    fs_hz = 200.0
    ic_s = 0.8 + 1.1 * np.arange(10)
    stride = [(-0.35, -500.0), (0.0, 0.0), (0.05, 200.0), (0.10, 0.0), (0.40, 0.0), (0.55, 300.0)]
    rate_dps = _sample(_strides_gyro(ic_s, stride, [(0.75, -500.0), (0.9, 0.0)]), fs_hz)[:, 1]
    flat_ends = [round((ic + 0.4) * fs_hz) for ic in ic_s[:-1]]
    assert _first_rotation_votes(rate_dps, flat_ends, round(0.4 * fs_hz)) == len(flat_ends)
    assert _first_rotation_votes(-rate_dps, flat_ends, round(0.4 * fs_hz)) == -len(flat_ends)


def test_a_soft_landing_starts_where_the_force_grows_not_in_the_swing_fading_before_it() -> None:
    # Tiptoe walking at 100 Hz: the swing's deceleration (a 3.5 g hump along the foot)
    # fades steeply into a soft landing whose jerk is hardly larger. Walking back from the
    # landing's jerk peak into that fade put the onset up to 17 ms early; the fade shrinks
    # the specific force, the ground's push makes it grow.
    fs_hz = 100.0
    ic_s = 0.5 + 0.9 * np.arange(10) + 0.0037 * np.arange(10)  # IC anywhere in a sample
    t = np.arange(0.0, ic_s[-1] + 0.5, 1.0 / FINE_HZ)
    acc = _impacts_acc(ic_s, t.size, height_ms2=0.0)
    for ic in ic_s:
        acc[:, 0] += 35.0 * np.exp(-0.5 * ((t - (ic - 0.045)) / 0.02) ** 2)  # the swing
        u = t - ic
        m = (u >= 0.0) & (u < 0.03)
        acc[m, 2] += 25.0 * (u[m] / 0.003) * np.exp(1.0 - u[m] / 0.003)  # the landing
    sampled = _sample(acc, fs_hz)
    kw = {"sampling_rate_hz": fs_hz, "min_interval_ms": 300.0, "strike_rise_ms": None}
    found_s = find_impacts(sampled, rising=_force_growing(sampled), **kw)
    err_ms = 1000.0 * (found_s[:, None] - ic_s[None, :])
    nearest_ms = err_ms[np.argmin(np.abs(err_ms), axis=0), np.arange(ic_s.size)]
    # within a sample of the true IC (this sampling spreads the landing half a sample back)
    assert np.all(np.abs(nearest_ms) < 10.0), np.round(nearest_ms, 1)


def _tiptoe_walk(fs_hz: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A foot walking on its toes, never resting flat: (acc, gyro, IC s, TO s) at ``fs_hz``.

    In stance the heel drops a little, then the push-off rotation peaks and falls steeply
    as the swing takes over; TO is where it has fallen to 80 % of its peak, and the toes
    leave with a smaller jerk than the landing's 20 ms later, when the rotation is below
    half its peak.
    """
    ic_s = 0.8 + 1.1 * np.arange(10)
    stride = [(-0.3, -300.0), (0.0, -60.0), (0.08, -80.0), (0.5, 250.0), (0.55, -200.0)]
    gyr = _strides_gyro(ic_s, stride, [(0.9, 0.0)])
    to_s = ic_s + 0.5 + 0.2 * 250.0 / (450.0 / 0.05)
    t_fine = np.arange(gyr.shape[0]) / FINE_HZ
    acc = _impacts_acc(ic_s, t_fine.size)
    for to in to_s:
        u = t_fine - (to + 0.02)
        m = (u >= 0.0) & (u < 0.03)
        acc[m, 1] += 30.0 * (u[m] / 0.003) * np.exp(1.0 - u[m] / 0.003)  # toe-off jerk
    return acc, gyr, ic_s, to_s


def test_a_walking_toe_off_is_where_the_push_off_has_slowed_even_without_a_flat_foot() -> None:
    # Walking drills take TO where the push-off rotation has fallen back to 80 % of its
    # peak (motion capture: TO 10 ms after the peak), whether or not the foot rested flat;
    # the toe-off's own jerk, when the rotation has already slowed below half its peak,
    # is not a landing.
    for fs_hz in (100.0, 400.0):
        acc, gyr, ic_s, to_s = _tiptoe_walk(fs_hz)
        events = _detect(acc, gyr, fs_hz, "tiptoe-walk", seed=4)
        # every landing, and nothing else
        assert events.ic_s.size == ic_s.size, np.round(events.ic_s, 3)
        assert np.all(np.abs(_ic_errors_ms(events, ic_s)) < 10.0)
        to_err_ms = 1000.0 * (events.to_s - to_s)
        assert np.all(np.abs(to_err_ms) < 5.0), (fs_hz, np.round(to_err_ms, 1))


def _landings_at_every_phase() -> tuple[np.ndarray, np.ndarray]:
    """12 landing times (s) at every 100 Hz sampling phase, and the ``FINE_HZ`` time axis."""
    ic_s = 0.7 + 0.6 * np.arange(12) + 0.002 * (np.arange(12) % 5)
    t = np.arange(round((ic_s[-1] + 0.5) * FINE_HZ)) / FINE_HZ
    return ic_s, t


def _flight_impact_errors_ms(
    acc: np.ndarray, ic_s: np.ndarray, fs_hz: float, seed: int
) -> np.ndarray:
    """IC error (ms) of the impact found nearest each landing, for a drill with flight."""
    acc_s = _sample(acc, fs_hz)
    acc_s += np.random.default_rng(seed).normal(0.0, 0.05, acc_s.shape)
    ic_found = find_impacts(
        acc_s, sampling_rate_hz=fs_hz, min_interval_ms=300.0, strike_rise_ms=STRIKE_RISE_MS
    )
    return np.array([1000.0 * (ic_found[np.argmin(np.abs(ic_found - ic))] - ic) for ic in ic_s])


def test_a_swing_transition_just_before_a_landing_is_not_its_first_strike() -> None:
    # One-leg skipping at 100 Hz: the foot's acceleration swings through 120 m/s² in 50 ms,
    # ending 10 ms before the landing. Sampled, that transition's jerk is more than half the
    # impact's and crosses half its height within two samples, but it climbs from the quiet
    # level over three; the landing's strike climbs within two.
    ic_s, t = _landings_at_every_phase()
    acc = _impacts_acc(ic_s, t.size, height_ms2=100.0)
    swing_ms2, width_s, gap_s = 120.0, 0.05, 0.01
    for ic in ic_s:
        a = ic - gap_s - width_s
        m = (t >= a) & (t < ic - gap_s)
        acc[m, 1] += 0.5 * swing_ms2 * (1.0 - np.cos(np.pi * (t[m] - a) / width_s))
        m = (t >= ic - gap_s) & (t < ic)
        acc[m, 1] += swing_ms2
        m = (t >= ic) & (t < ic + 0.005)  # the landing stops 40 % of it at once
        acc[m, 1] += swing_ms2 * (1.0 - 0.4 * (t[m] - ic) / 0.005)
        m = (t >= ic + 0.005) & (t < ic + 0.105)  # the rest fades in the contact
        acc[m, 1] += 0.6 * swing_ms2 * 0.5 * (1.0 + np.cos(np.pi * (t[m] - ic - 0.005) / 0.1))
    err_ms = _flight_impact_errors_ms(acc, ic_s, 100.0, seed=9)
    assert np.all(np.abs(err_ms) <= 10.0), np.round(err_ms, 1)


def test_a_short_heel_strike_before_a_larger_loading_starts_the_contact() -> None:
    # Running heel strike at 100 Hz: a 3 ms heel transient, then the forefoot's longer and
    # larger loading 25 ms later. Sampled, the heel's jerk is a quarter to a third of the
    # loading's, but it rises abruptly from the quiet level: it is the first strike.
    ic_s, t = _landings_at_every_phase()
    acc = _impacts_acc(ic_s, t.size, height_ms2=60.0)
    tau_s = 0.012
    for ic in ic_s:
        u = t - (ic + 0.025)
        m = (u >= 0.0) & (u < 8.0 * tau_s)
        acc[m, 2] += 150.0 * (u[m] / tau_s) * np.exp(1.0 - u[m] / tau_s)
    err_ms = _flight_impact_errors_ms(acc, ic_s, 100.0, seed=10)
    # (at one sampling phase the transient splits over two samples and does not stand out)
    assert np.median(np.abs(err_ms)) <= 6.0, np.round(err_ms, 1)


# Skip rules (``_skip_lift_offs``) on one foot's skip cycles sampled at 100 Hz, where the
# step's lift-off, the short flight and the hop's landing lie a few samples apart. Jerk
# norm and sagittal rate (push-off positive) are built directly: a step landing, the step's
# push-off rotation, the foot's quick turn back against push-off (dorsiflexion) in the
# flight, the hop's landing, the hop's push-off into the long swing.
SKIP_HZ = 100.0
SKIP_CYCLE_S = 1.05
SKIP_TYPICAL_DPS = 600.0


def _skip_cycles(n_cycles: int = 6) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cycle starts (step landings, s), quiet jerk (m/s³) and sagittal rate (deg/s)."""
    starts = 0.5 + SKIP_CYCLE_S * np.arange(n_cycles)
    t = np.arange(0.0, starts[-1] + 1.5, 1.0 / SKIP_HZ)
    rate = np.zeros(t.size)
    for c in starts:
        rate += 270.0 * np.exp(-0.5 * ((t - (c + 0.11)) / 0.03) ** 2)  # step push-off
        rate -= 200.0 * np.exp(-0.5 * ((t - (c + 0.21)) / 0.025) ** 2)  # turn back to land
        rate += 600.0 * np.exp(-0.5 * ((t - (c + 0.36)) / 0.05) ** 2)  # hop push-off
        rate -= 250.0 * np.exp(-0.5 * ((t - (c + 0.70)) / 0.15) ** 2)  # swing
    return starts, np.full(t.size - 1, 100.0), rate


def _jolt(jerk: np.ndarray, onset_s: float, peak_ms3: float, rise: int = 1) -> None:
    """Add a jerk burst starting at ``onset_s`` and peaking ``rise`` samples later."""
    i = round(onset_s * SKIP_HZ)
    for r in range(rise):
        jerk[i + r] = max(jerk[i + r], (0.6 + 0.4 * r / rise) * peak_ms3)
    for d, share in enumerate((1.0, 0.5, 0.3)):
        jerk[i + rise + d] = max(jerk[i + rise + d], share * peak_ms3)


def _skip(jerk: np.ndarray, candidates_s: np.ndarray, rate: np.ndarray):  # type: ignore[no-untyped-def]
    params = contact_params(get_drill("low-skipping"), "foot")
    return _skip_lift_offs(jerk, candidates_s, rate, SKIP_TYPICAL_DPS, SKIP_HZ, params)


def _skip_cycles_with_jolts() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_skip_cycles` with, per cycle, the step's landing, a 600 m/s³ jolt in its
    push-off at 80 ms, the lift-off at 150 ms and the hop's landing at 230 ms."""
    starts, jerk, rate = _skip_cycles()
    for c in starts:
        for onset_s, peak in ((c, 3000.0), (c + 0.08, 600.0), (c + 0.15, 2500.0)):
            _jolt(jerk, onset_s, peak)
        _jolt(jerk, c + 0.23, 2800.0)
    return starts, jerk, rate


def test_a_skip_landing_comes_after_the_push_off_rotation_not_in_the_lift_off_jerk() -> None:
    # A jolt in the step's push-off and the larger jerk of leaving the ground both became
    # candidates; the push-off rotation still runs at both, so neither is a landing.
    starts, jerk, rate = _skip_cycles_with_jolts()
    cands = []
    for c in starts:
        cands += [c + 0.005, c + 0.085, c + 0.155, c + 0.235]
    ic_s, lift_off_s = _skip(jerk, np.asarray(cands), rate)
    expected = np.sort(np.concatenate([starts, starts + 0.23])) + 0.005
    assert ic_s.size == expected.size, np.round(ic_s, 3)
    assert np.allclose(ic_s, expected), np.round(ic_s - expected, 3)
    assert np.allclose(lift_off_s[::2], starts + 0.155), np.round(lift_off_s[::2] - starts, 3)


def test_a_skip_lift_off_is_the_larger_jerk_after_a_push_off_jolt() -> None:
    # Only the push-off jolt became a candidate (the lift-off jerk lies within the shortest
    # interval of the hop's larger one); the foot leaves the ground with the larger jerk.
    starts, jerk, rate = _skip_cycles_with_jolts()
    cands = []
    for c in starts:
        cands += [c + 0.005, c + 0.085, c + 0.235]
    _ic_s, lift_off_s = _skip(jerk, np.asarray(cands), rate)
    err_ms = 1000.0 * (lift_off_s[::2] - (starts + 0.155))
    assert np.all(np.abs(err_ms) < 1.0), np.round(err_ms, 1)


def test_a_hop_hidden_by_its_step_lift_off_jerk_is_found_in_the_turn_back() -> None:
    # The hop's impact lies within the shortest interval of the larger lift-off jerk, so
    # it never became a candidate; it is the jerk once the foot has turned back.
    starts, jerk, rate = _skip_cycles()
    cands = []
    for c in starts:
        _jolt(jerk, c, 3000.0)
        _jolt(jerk, c + 0.15, 3300.0)
        _jolt(jerk, c + 0.20, 2300.0)
        cands += [c + 0.005, c + 0.155]
    ic_s, _lift_off_s = _skip(jerk, np.asarray(cands), rate)
    hops = starts + 0.205
    k = np.array([np.argmin(np.abs(ic_s - h)) for h in hops])
    assert np.all(np.abs(ic_s[k] - hops) < 0.006), np.round(ic_s[k] - hops, 3)


def test_a_skip_lift_off_found_between_step_and_hop_is_its_jerk_onset_not_peak() -> None:
    # No candidate for the lift-off: it is the largest jerk between step and hop, and like
    # every impact candidate it is timed at its onset, two samples before the peak.
    starts, jerk, rate = _skip_cycles()
    cands = []
    for c in starts:
        _jolt(jerk, c, 3000.0)
        _jolt(jerk, c + 0.15, 2000.0, rise=2)
        _jolt(jerk, c + 0.23, 2800.0)
        cands += [c + 0.005, c + 0.235]
    _ic_s, lift_off_s = _skip(jerk, np.asarray(cands), rate)
    err_ms = 1000.0 * (lift_off_s[::2] - (starts + 0.155))
    assert np.all(np.abs(err_ms) < 1.0), np.round(err_ms, 1)


def test_walking_toe_off_candidates_have_no_say_in_the_push_off_sense() -> None:
    # Half the impact candidates of a walking foot can be toe-offs; after a toe-off the
    # swing's rotation comes first, so each votes against the push-off's sense. A walking
    # foot lands with its rotation slowed and leaves at the push-off's peak: only the slow
    # candidates vote. Here the push-off is negative and the votes would tie.
    fs_hz = 200.0
    _acc, gyr, ic_s, to_s = _tiptoe_walk(fs_hz)
    rate_dps = -_sample(gyr, fs_hz)[:, 1]
    candidates_s = np.sort(np.concatenate([ic_s, to_s]))  # toe-off jerks at TO
    params = contact_params(get_drill("tiptoe-walk"), "foot")
    signed, _to_s, _strength = _push_off_peaks(candidates_s, rate_dps, fs_hz, params, bounded=False)
    peaks = np.round((ic_s + 0.5) * fs_hz).astype(int)  # the push-off peaks
    assert np.all(signed[peaks] > 0.0)
