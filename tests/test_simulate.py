"""The simulator: shapes, reproducibility, sensor effects, and physics checked against its truth."""

from __future__ import annotations

import itertools
import math
from functools import cache

import numpy as np
import pandas as pd
import pytest
from scipy import ndimage
from scipy.spatial.transform import Rotation

from sensorlab.drills import catalogue, get_drill
from sensorlab.errors import DrillError, UsageError
from sensorlab.signal.filters import lowpass
from sensorlab.signal.orientation import vertical_component
from sensorlab.simulate import (
    SimulatedSet,
    SimulationConfig,
    sensors,
    simulate_set,
    stream_chunks,
    write_truth,
)
from sensorlab.units import G_MS2

DRILLS = list(catalogue())
PLACEMENTS = ["foot", "shank", "sacrum"]
RUNNING = [d for d in DRILLS if get_drill(d).pattern == "alternating"]
WALKING = [d for d in DRILLS if get_drill(d).pattern == "walking"]


def simulate(drill: str, **kw: object) -> SimulatedSet:
    return simulate_set(SimulationConfig(drill=drill, **kw))  # type: ignore[arg-type]


@cache
def clean(drill: str, placement: str, rate_hz: float = 1000.0) -> SimulatedSet:
    """Noise-free, aligned, unclipped set: the signals are the segment's physics."""
    return simulate(
        drill,
        placement=placement,
        sampling_rate_hz=rate_hz,
        duration_s=8.0,
        noise=0.0,
        mounting="aligned",
        acc_range_g=None,
        seed=3,
    )


def norm_g(sim: SimulatedSet) -> np.ndarray:
    return np.linalg.norm(sim.recording.acc_ms2, axis=1) / G_MS2


def between(t: np.ndarray, a: float, b: float) -> np.ndarray:
    return (t >= a) & (t <= b)


# --------------------------------------------------------------------------- every drill


@pytest.mark.parametrize("rate_hz", [100.0, 400.0])
@pytest.mark.parametrize("placement", PLACEMENTS)
@pytest.mark.parametrize("drill", DRILLS)
def test_every_drill_and_placement_generates(drill, placement, rate_hz):
    duration_s = 10.0
    sim = simulate(drill, placement=placement, sampling_rate_hz=rate_hz, duration_s=duration_s)
    rec = sim.recording
    n = math.floor((2.0 + duration_s + 2.0) * rate_hz) + 1
    assert rec.n_samples == n
    assert rec.acc_ms2.shape == (n, 3)
    assert rec.gyr_dps is not None
    assert rec.gyr_dps.shape == (n, 3)
    assert np.all(np.isfinite(rec.acc_ms2))
    assert np.all(np.isfinite(rec.gyr_dps))
    assert rec.time_s[0] == 0.0
    np.testing.assert_allclose(np.diff(rec.time_s), 1.0 / rate_hz, rtol=1e-9)
    assert rec.metadata["drill"] == drill
    assert rec.metadata["placement"] == placement

    truth = sim.truth
    drill_info = get_drill(drill)
    assert list(truth.columns) == ["side", "ic_s", "to_s", "bout"]
    assert truth["ic_s"].is_monotonic_increasing
    assert (truth["to_s"] > truth["ic_s"]).all()
    assert truth["ic_s"].min() >= 2.0
    assert truth["to_s"].max() <= 2.0 + duration_s
    expected = duration_s * drill_info.typical_cadence_spm / 60.0
    assert 0.7 * expected <= len(truth) <= expected + 1
    contact_ms = 1e3 * (truth["to_s"] - truth["ic_s"]).mean()
    assert contact_ms == pytest.approx(drill_info.typical_contact_ms, rel=0.1)
    sides = truth["side"].tolist()
    if drill_info.pattern == "unilateral":
        assert set(sides) == {"right"}
    elif drill_info.pattern == "skip":  # R R L L R R ...: two contacts per foot per cycle
        pairs = [sides[i : i + 2] for i in range(0, len(sides) - 1, 2)]
        assert all(a == b for a, b in pairs)
        assert all(p[0] != q[0] for p, q in itertools.pairwise(pairs))
    else:
        assert all(a != b for a, b in itertools.pairwise(sides))
    for side in set(sides):  # a foot's contacts never overlap
        own = truth[truth["side"] == side]
        assert (own["ic_s"].to_numpy()[1:] > own["to_s"].to_numpy()[:-1]).all()


@pytest.mark.parametrize("side", ["left", "right"])
def test_one_leg_drills_load_only_the_working_leg(side):
    for drill in ("one-leg-skipping", "one-leg-pedaling"):
        sim = simulate(drill, side=side, duration_s=6.0, placement="sacrum")
        assert set(sim.truth["side"]) == {side}


def test_skip_hops_have_shorter_flights_than_switches():
    truth = simulate("high-skipping", duration_s=8.0).truth
    flights = truth["ic_s"].to_numpy()[1:] - truth["to_s"].to_numpy()[:-1]
    same = truth["side"].to_numpy()[1:] == truth["side"].to_numpy()[:-1]
    assert flights[same].max() < flights[~same].min()


def test_cadence_and_contact_time_overrides():
    sim = simulate("run", cadence_spm=180.0, contact_ms=200.0, duration_s=12.0)
    ic = sim.truth["ic_s"].to_numpy()
    assert 60.0 / np.diff(ic).mean() == pytest.approx(180.0, rel=0.03)
    contact_ms = 1e3 * (sim.truth["to_s"] - sim.truth["ic_s"]).mean()
    assert contact_ms == pytest.approx(200.0, rel=0.03)
    steady = simulate("run", variability=0.0, duration_s=6.0).truth
    assert (steady["to_s"] - steady["ic_s"]).std() == pytest.approx(0.0, abs=1e-9)


def test_multi_jumps_default_flight_contact_ratio_meets_its_target():
    truth = simulate("multi-jumps", duration_s=10.0).truth
    flight = truth["ic_s"].to_numpy()[1:] - truth["to_s"].to_numpy()[:-1]
    contact = (truth["to_s"] - truth["ic_s"]).to_numpy()
    assert 1.5 <= flight.mean() / contact.mean() <= 2.0


def test_several_bouts_are_separated_by_rest_without_contacts():
    sim = simulate("heels-to-glutes", bouts=3, duration_s=6.0, rest_s=5.0, placement="sacrum")
    truth = sim.truth
    assert sorted(truth["bout"].unique()) == [1, 2, 3]
    for b in (1, 2):
        gap = truth[truth["bout"] == b + 1]["ic_s"].min() - truth[truth["bout"] == b]["to_s"].max()
        assert gap >= 5.0
    assert sim.recording.duration_s == pytest.approx(2 + 3 * 6 + 2 * 5 + 2, abs=0.01)


# --------------------------------------------------------------------------- reproducibility


def test_same_seed_gives_identical_output_and_another_seed_differs():
    a = simulate("low-skipping", seed=5, duration_s=6.0)
    b = simulate("low-skipping", seed=5, duration_s=6.0)
    c = simulate("low-skipping", seed=6, duration_s=6.0)
    np.testing.assert_array_equal(a.recording.time_s, b.recording.time_s)
    np.testing.assert_array_equal(a.recording.acc_ms2, b.recording.acc_ms2)
    np.testing.assert_array_equal(a.recording.gyr_dps, b.recording.gyr_dps)
    pd.testing.assert_frame_equal(a.truth, b.truth)
    assert dict(a.recording.metadata) == dict(b.recording.metadata)
    assert not np.array_equal(a.recording.acc_ms2, c.recording.acc_ms2)
    assert not a.truth["ic_s"].equals(c.truth["ic_s"])
    assert a.recording.metadata["started_at"] != c.recording.metadata["started_at"]


@pytest.mark.parametrize("placement", ["foot", "shank", "sacrum", "chest"])
def test_random_mounting_rotates_axes_but_keeps_the_norms(placement):
    kw = dict(placement=placement, noise=0.0, acc_range_g=None, duration_s=5.0, seed=11)
    aligned = simulate("heels-to-glutes", mounting="aligned", **kw)
    rotated = simulate("heels-to-glutes", mounting="random", **kw)
    for field in ("acc_ms2", "gyr_dps"):
        x, y = getattr(aligned.recording, field), getattr(rotated.recording, field)
        np.testing.assert_allclose(
            np.linalg.norm(x, axis=1), np.linalg.norm(y, axis=1), rtol=0, atol=1e-9
        )
        assert np.abs(x - y).max() > 1.0
    pd.testing.assert_frame_equal(aligned.truth, rotated.truth)


def test_metadata_and_no_gyro():
    sim = simulate("walk", gyro=False, seed=42, duration_s=5.0)
    meta = sim.recording.metadata
    assert sim.recording.gyr_dps is None
    assert meta["simulated"] == "true"
    assert meta["device"] == "sensorlab-simulator"
    assert meta["seed"] == "42"
    assert meta["sampling_rate_hz"] == "400"
    assert meta["set"] == "1"
    assert (
        meta["started_at"]
        == simulate("run", seed=42, duration_s=5.0).recording.metadata["started_at"]
    )
    assert sim.config.drill == "walk"


# --------------------------------------------------------------------------- physics vs truth


@pytest.mark.parametrize("drill", DRILLS)
def test_foot_physics(drill):
    sim = clean(drill, "foot")
    t = sim.recording.time_s
    acc = norm_g(sim)
    gyr = np.linalg.norm(sim.recording.gyr_dps, axis=1)
    truth = sim.truth[sim.truth["side"] == "right"]
    # quiet standing: gravity only
    np.testing.assert_allclose(acc[t < 1.5] * G_MS2, G_MS2, atol=0.01)
    np.testing.assert_allclose(gyr[t < 1.5], 0.0, atol=1e-6)
    # the impact peak of the acceleration norm follows each initial contact within 15 ms
    for ic in truth["ic_s"]:
        win = between(t, ic - 0.025, ic + 0.025)
        lag_s = t[win][np.argmax(acc[win])] - ic
        assert 0.0 <= lag_s <= 0.015, (ic, lag_s)
        assert acc[win].max() > 3.0


@pytest.mark.parametrize("drill", RUNNING)
def test_foot_rotates_little_mid_contact_and_much_mid_swing(drill):
    sim = clean(drill, "foot")
    t = sim.recording.time_s
    gyr = np.linalg.norm(sim.recording.gyr_dps, axis=1)
    truth = sim.truth[sim.truth["side"] == "right"]
    ic, to = truth["ic_s"].to_numpy(), truth["to_s"].to_numpy()
    quiet = [
        gyr[between(t, a + 0.2 * (b - a), b - 0.2 * (b - a))].min()
        for a, b in zip(ic, to, strict=True)
    ]
    swing = [
        gyr[between(t, b + 0.2 * (a - b), a - 0.2 * (a - b))].max()
        for b, a in zip(to[:-1], ic[1:], strict=True)
    ]
    assert np.median(quiet) < 0.3 * np.median(swing)
    assert np.median(swing) > 200.0


@pytest.mark.parametrize("drill", RUNNING)
def test_sacrum_free_falls_in_flight_and_peaks_in_contact(drill):
    sim = clean(drill, "sacrum")
    t = sim.recording.time_s
    acc = norm_g(sim)
    truth = sim.truth
    ic, to = truth["ic_s"].to_numpy(), truth["to_s"].to_numpy()
    for a, b in zip(ic, to, strict=True):
        assert acc[between(t, a, b)].max() > 1.5
    for b, a in zip(to[:-1], ic[1:], strict=True):
        assert acc[between(t, b + 0.01, a - 0.01)].max() < 0.3


@pytest.mark.parametrize("drill", WALKING)
def test_walking_drills_have_double_support_and_no_flight(drill):
    sim = clean(drill, "sacrum")
    truth = sim.truth
    ic, to = truth["ic_s"].to_numpy(), truth["to_s"].to_numpy()
    assert (to[:-1] > ic[1:]).all()  # the next foot lands before this one leaves
    t = sim.recording.time_s
    acc = norm_g(sim)
    assert acc[between(t, ic[0], to[-1])].min() > 0.4
    if drill == "tiptoe-walk":
        assert (to - ic).min() >= 0.25


def test_walking_sacrum_has_the_real_lower_back_loading_pattern():
    # IPOL L5 recordings (medians over 3115 steps): heel-strike transient 40 ms after IC,
    # loading hump 30 ms after the other foot's toe-off, about 1.5 m/s² below g in single
    # support
    sim = clean("walk", "sacrum")
    t = sim.recording.time_s
    rate_hz = 1.0 / float(np.median(np.diff(t)))
    vertical = lowpass(
        vertical_component(sim.recording.acc_ms2), cutoff_hz=20.0, sampling_rate_hz=rate_hz
    )
    truth = sim.truth
    ic, to = truth["ic_s"].to_numpy(), truth["to_s"].to_numpy()
    for k in range(1, ic.size - 1):
        other_to = to[k - 1]  # the trailing foot leaves during this double support
        near = between(t, ic[k], ic[k] + 0.08)
        transient_s = t[near][np.argmax(vertical[near])] - ic[k]
        assert 0.025 <= transient_s <= 0.055
        later = between(t, ic[k] + 0.08, ic[k] + 0.35)
        hump_s = t[later][np.argmax(vertical[later])] - other_to
        assert -0.02 <= hump_s <= 0.08
        assert vertical[later].max() > G_MS2 + 1.0
        single = between(t, other_to + 0.2, ic[k + 1] - 0.1)
        assert np.median(vertical[single]) < G_MS2 - 0.5


def test_walking_sacrum_loading_starts_before_the_heel_strike_and_stays_with_it():
    # IPOL L5 recordings (medians): the vertical specific force starts rising 110 ms before
    # IC (trailing leg's push-off) and is 0.56 of the way from the single-support level to
    # the loading hump 10 ms before IC; within a trial, the loading peak (Gaussian, sigma
    # 100 ms) moves 0.29 ms per ms of longer double support (2872 steps). With the whole
    # loading tied to the trailing toe-off the simulator had 0.33, 68 ms and 1.11 ms per ms.
    sim = simulate(
        "walk",
        placement="sacrum",
        sampling_rate_hz=200.0,
        duration_s=40.0,
        noise=0.0,
        mounting="aligned",
        acc_range_g=None,
        seed=3,
    )
    t = sim.recording.time_s
    vertical = vertical_component(sim.recording.acc_ms2)
    v20 = lowpass(vertical, cutoff_hz=20.0, sampling_rate_hz=200.0)
    loading = ndimage.gaussian_filter1d(vertical - np.mean(vertical), 0.1 * 200.0)
    truth = sim.truth.sort_values("ic_s")
    ic, to = truth["ic_s"].to_numpy(), truth["to_s"].to_numpy()
    fractions, double_s, peak_s = [], [], []
    for k in range(1, ic.size - 1):
        other_to = to[k - 1]
        single = float(np.median(v20[between(t, ic[k] - 0.3, ic[k] - 0.18)]))
        hump = float(v20[between(t, other_to - 0.02, other_to + 0.08)].max())
        before = float(np.interp(ic[k] - 0.01, t, v20))
        fractions.append((before - single) / (hump - single))
        near = between(t, ic[k] - 0.05, ic[k] + 0.3)
        double_s.append(other_to - ic[k])
        peak_s.append(t[near][np.argmax(loading[near])] - ic[k])
    assert 0.4 <= np.median(fractions) <= 0.75
    assert np.polyfit(double_s, peak_s, 1)[0] < 0.6


def test_walking_foot_has_the_real_heel_strike_and_push_off_timing():
    # gaitmap example walking against motion capture (57 contacts, medians): the foot's
    # pitch rate passes zero at IC at 4.9 deg/s per ms (|rate| < 50 deg/s for 5 ms before
    # IC); it peaks in the push-off 10 ms before TO and is at 86 % of that peak at TO
    sim = clean("walk", "foot")
    t = sim.recording.time_s
    rate_dps = sim.recording.gyr_dps[:, 1]  # aligned: y is the foot's pitch axis
    truth = sim.truth[sim.truth["side"] == "right"]
    for ic, to in zip(truth["ic_s"], truth["to_s"], strict=True):
        i = int(np.searchsorted(t, ic))
        slope_dps_per_ms = (rate_dps[i + 5] - rate_dps[i - 5]) / 10.0
        assert 3.0 < slope_dps_per_ms < 8.0
        before = np.flatnonzero(np.abs(rate_dps[i - 100 : i]) >= 50.0)
        assert before.size
        assert 100 - before[-1] <= 15  # ms at 1 kHz
        push = between(t, to - 0.1, to)
        k = int(np.argmax(rate_dps[push]))
        lead_ms = 1000.0 * (to - t[push][k])
        assert 5.0 <= lead_ms <= 16.0
        ratio = float(np.interp(to, t, rate_dps)) / rate_dps[push][k]
        assert 0.8 <= ratio <= 0.92


def test_shank_impacts_are_softer_than_the_foot():
    foot = clean("run", "foot")
    shank = clean("run", "shank")
    t = foot.recording.time_s
    ics = foot.truth[foot.truth["side"] == "right"]["ic_s"]
    peak = {
        name: np.median([norm_g(s)[between(t, ic, ic + 0.015)].max() for ic in ics])
        for name, s in (("foot", foot), ("shank", shank))
    }
    assert 0.25 * peak["foot"] < peak["shank"] < 0.7 * peak["foot"]


@pytest.mark.parametrize("drill", ["run", "heels-to-glutes", "side-run", "one-leg-pedaling"])
def test_accelerometer_and_gyroscope_agree(drill):
    """Strapdown integration of the foot sensor brings the foot back to rest after the bout."""
    sim = simulate(
        drill,
        sampling_rate_hz=1600.0,
        duration_s=6.0,
        standing_s=(1.0, 1.0),
        noise=0.0,
        mounting="aligned",
        acc_range_g=None,
    )
    rec = sim.recording
    dt = 1.0 / 1600.0
    steps = Rotation.from_rotvec(np.radians(0.5 * (rec.gyr_dps[1:] + rec.gyr_dps[:-1])) * dt)
    rot = np.empty((rec.n_samples, 3, 3))
    rot[0] = np.eye(3)  # standing foot: flat; its heading does not matter
    for i, step in enumerate(steps.as_matrix()):
        rot[i + 1] = rot[i] @ step
    acc = np.einsum("nij,nj->ni", rot, rec.acc_ms2) - np.array([0.0, 0.0, G_MS2])
    velocity = np.cumsum(0.5 * (acc[1:] + acc[:-1]) * dt, axis=0)
    assert np.linalg.norm(velocity, axis=1).max() > 3.0
    assert np.linalg.norm(velocity[-1]) < 0.03


# --------------------------------------------------------------------------- sensor effects


def test_clipping_saturates_foot_impacts():
    sim = simulate("high-skipping", acc_range_g=8.0, duration_s=6.0)
    acc, t = sim.recording.acc_ms2, sim.recording.time_s
    limit = 8.0 * G_MS2
    assert np.abs(acc).max() == pytest.approx(limit)
    clipped = np.any(np.abs(acc) >= limit - 1e-9, axis=1)
    ics = sim.truth[(sim.truth["side"] == "right")]["ic_s"]
    hit = [clipped[between(t, ic, ic + 0.015)].any() for ic in ics]
    assert np.mean(hit) >= 0.5


def test_packet_loss_leaves_gaps_but_keeps_the_truth():
    full = simulate("run", duration_s=8.0)
    lossy = simulate("run", duration_s=8.0, packet_loss=0.05)
    rate = 400.0
    steps = np.diff(lossy.recording.time_s)
    assert steps.max() >= 16.5 / rate
    assert np.all(steps > 0)
    lost = 1.0 - lossy.recording.n_samples / full.recording.n_samples
    assert 0.02 <= lost <= 0.09
    keep = np.isin(full.recording.time_s, lossy.recording.time_s)
    assert keep.sum() == lossy.recording.n_samples  # times are never relabelled
    np.testing.assert_array_equal(full.recording.acc_ms2[keep], lossy.recording.acc_ms2)
    pd.testing.assert_frame_equal(full.truth, lossy.truth)


def test_noise_is_realistic():
    sim = simulate("walk", placement="foot", duration_s=4.0, mounting="aligned", seed=9)
    t = sim.recording.time_s
    still = t < 1.5
    acc_sd = sim.recording.acc_ms2[still].std(axis=0)
    gyr_sd = sim.recording.gyr_dps[still].std(axis=0)
    assert np.all((acc_sd > 0.02) & (acc_sd < 0.15))
    assert np.all((gyr_sd > 0.2) & (gyr_sd < 1.5))


def test_result_does_not_depend_on_the_evaluation_chunks(monkeypatch):
    config = SimulationConfig(drill="high-skipping", placement="shank", duration_s=6.0)
    whole = simulate_set(config)
    monkeypatch.setattr(sensors, "CHUNK_SAMPLES", 3000)
    chunked = simulate_set(config)
    np.testing.assert_array_equal(whole.recording.acc_ms2, chunked.recording.acc_ms2)
    np.testing.assert_array_equal(whole.recording.gyr_dps, chunked.recording.gyr_dps)


# Group delay of the sensor's causal anti-alias filter at low frequencies, documented in
# sensors.sample: about 1.04 output samples.
GROUP_DELAY_MS = {100.0: 10.4, 200.0: 5.2, 400.0: 2.6}


@pytest.mark.parametrize("rate_hz", [100.0, 200.0, 400.0])
def test_sampling_is_causal_and_lags_by_the_documented_group_delay(rate_hz):
    """Like a chip's digital filter: nothing before an event, the response comes late."""
    step_s = 1.0 + 0.37 / rate_hz  # between two output samples

    def step(t: np.ndarray) -> np.ndarray:
        return np.column_stack([G_MS2 + np.where(t >= step_s, 1.0, 0.0), np.zeros_like(t)])

    n = round(2.0 * rate_hz)
    out = sensors.sample(step, n_samples=n, sampling_rate_hz=rate_hz)
    t = np.arange(n) / rate_hz
    before = t < step_s
    # no pre-echo, and no start-up transient (the filter starts in steady state)
    np.testing.assert_allclose(out[before, 0], G_MS2, rtol=0, atol=1e-9)
    np.testing.assert_allclose(out[:, 1], 0.0, rtol=0, atol=1e-12)
    assert out[~before, 0][0] - G_MS2 < 0.5  # the first sample after the step is not there yet
    # a slow sine comes out late by the documented group delay
    freq_hz = 0.05 * rate_hz

    def sine(t: np.ndarray) -> np.ndarray:
        return np.sin(2.0 * np.pi * freq_hz * t)[:, None]

    y = sensors.sample(sine, n_samples=n, sampling_rate_hz=rate_hz)[:, 0]
    late = t > 0.5  # the sine starts abruptly at 0: let its transient die out
    phase = np.angle(np.sum(y[late] * np.exp(-2j * np.pi * freq_hz * t[late])))
    lag_ms = -1e3 * (phase + np.pi / 2.0) / (2.0 * np.pi * freq_hz)
    assert lag_ms == pytest.approx(GROUP_DELAY_MS[rate_hz], abs=0.15)
    assert lag_ms * rate_hz / 1e3 == pytest.approx(1.04, abs=0.02)


def test_foot_impacts_show_no_pre_echo_and_peak_after_the_group_delay():
    sim = simulate(
        "run",
        placement="foot",
        sampling_rate_hz=100.0,
        duration_s=6.0,
        noise=0.0,
        mounting="aligned",
        acc_range_g=None,
    )
    t = sim.recording.time_s
    acc = norm_g(sim)
    ics = sim.truth[sim.truth["side"] == "right"]["ic_s"]
    for ic in ics:
        win = between(t, ic - 0.03, ic + 0.05)
        lag_s = t[win][np.argmax(acc[win])] - ic
        assert lag_s >= GROUP_DELAY_MS[100.0] / 1e3 - 0.005, (ic, lag_s)
        # the sample just before the contact still sees the swing, not the impact
        assert acc[t < ic][-1] < 0.3 * acc[win].max()


def test_sampling_does_not_depend_on_the_chunks(monkeypatch):
    def signal(t: np.ndarray) -> np.ndarray:
        return np.column_stack([np.sin(7.0 * t) + (t > 0.3), np.cos(40.0 * t)])

    whole = sensors.sample(signal, n_samples=1001, sampling_rate_hz=200.0)
    monkeypatch.setattr(sensors, "CHUNK_SAMPLES", 997)
    chunked = sensors.sample(signal, n_samples=1001, sampling_rate_hz=200.0)
    np.testing.assert_array_equal(whole, chunked)


@pytest.mark.parametrize("rate_hz", [25.0, 1600.0])
def test_extreme_rates_work(rate_hz):
    sim = simulate("run", sampling_rate_hz=rate_hz, duration_s=4.0)
    assert sim.recording.nominal_sampling_rate_hz == pytest.approx(rate_hz)
    assert np.all(np.isfinite(sim.recording.acc_ms2))


@pytest.mark.parametrize(
    "kw",
    [
        {"sampling_rate_hz": 24.0},
        {"sampling_rate_hz": 2000.0},
        {"placement": "wrist"},
        {"side": "middle"},
        {"mounting": "glued"},
        {"duration_s": 0.5},
        {"variability": -0.1},
        {"packet_loss": 1.0},
        {"bouts": 0},
        {"standing_s": (0.0, 2.0)},
        {"seed": -1},
        {"contact_ms": 400.0, "cadence_spm": 200.0},
        {"contact_ms": 300.0, "cadence_spm": 120.0, "drill": "walk"},
    ],
)
def test_bad_options_raise_usage_errors(kw):
    kw = dict(kw)
    drill = kw.pop("drill", "run")
    with pytest.raises(UsageError):
        simulate(drill, **kw)


def test_unknown_drill_suggests_the_closest():
    with pytest.raises(DrillError, match="heels-to-glutes"):
        simulate("heel-to-glute")


# --------------------------------------------------------------------------- outputs


def test_write_truth_round_trips(tmp_path):
    sim = simulate("side-run", duration_s=5.0)
    path = write_truth(sim.truth, tmp_path / "truth.csv")
    lines = path.read_text().splitlines()
    assert lines[0] == "side,ic_s,to_s"
    assert len(lines[1].split(",")[1].split(".")[1]) == 6
    back = pd.read_csv(path)
    assert back["side"].tolist() == sim.truth["side"].tolist()
    np.testing.assert_allclose(back["ic_s"], sim.truth["ic_s"], atol=5e-7)
    np.testing.assert_allclose(back["to_s"], sim.truth["to_s"], atol=5e-7)


def test_stream_chunks_rebuild_the_recording():
    sim = simulate("back-run", duration_s=4.0, packet_loss=0.1)
    chunks = list(stream_chunks(sim, samples_per_packet=16))
    assert all(len(c[0]) == 16 for c in chunks[:-1])
    np.testing.assert_array_equal(np.concatenate([c[0] for c in chunks]), sim.recording.time_s)
    np.testing.assert_array_equal(np.vstack([c[1] for c in chunks]), sim.recording.acc_ms2)
    gyr = [c[2] for c in chunks]
    assert all(g is not None for g in gyr)
    with pytest.raises(UsageError):
        next(stream_chunks(sim, samples_per_packet=0))
