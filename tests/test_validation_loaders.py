"""The validation loaders: shapes, units, reference contacts and evaluation windows.

The helpers (windows, scoring) are tested on made-up arrays; the loaders on the shared
datasets (skipped when ``../shared`` is absent, failing under ``CI=true``).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from sensorlab.io import read_recording
from sensorlab.recording import Recording
from sensorlab.units import G_MS2
from sensorlab.validation import (
    DATASETS,
    ReferenceContacts,
    Thresholds,
    ValidationCase,
    alcantara_running,
    gaitmap_walking,
    grouvel_running,
    ipol_gait,
    load_dataset,
    score_contacts,
    windows_from_runs,
)

# --------------------------------------------------------------------------------------------
# helpers, no data needed
# --------------------------------------------------------------------------------------------


def test_windows_break_at_excluded_contacts_and_long_steps() -> None:
    ic = np.array([0.0, 1.0, 2.0, 3.0, 4.0, 8.0, 9.0])
    to = ic + 0.6
    keep = np.array([True, True, False, True, True, True, True])
    windows = windows_from_runs(ic, to, margin_s=0.1, keep=keep)
    np.testing.assert_allclose(windows, [[-0.1, 1.7], [2.9, 4.7], [7.9, 9.7]])


def test_windows_stop_short_of_unscored_contacts_of_the_other_foot() -> None:
    # both feet: each contact ends after the next one starts (double support)
    ic = np.array([0.0, 0.5, 1.0, 1.5, 2.0])
    to = ic + 0.7
    keep = np.array([True, True, False, True, True])
    windows = windows_from_runs(ic, to, margin_s=0.1, keep=keep)
    np.testing.assert_allclose(windows, [[-0.1, 0.9], [1.4, 2.8]])


def test_windows_of_no_contacts_are_empty() -> None:
    assert windows_from_runs(np.empty(0), np.empty(0), margin_s=0.1).shape == (0, 2)


def test_reference_sorts_by_ic_and_rejects_to_before_ic() -> None:
    ref = ReferenceContacts(
        ic_s=np.array([2.0, 1.0]), to_s=np.array([2.5, 1.4]), windows_s=np.array([[0.0, 3.0]])
    )
    np.testing.assert_allclose(ref.ic_s, [1.0, 2.0])
    np.testing.assert_allclose(ref.contact_ms, [400.0, 500.0])
    with pytest.raises(ValueError, match="TO after its IC"):
        ReferenceContacts(ic_s=np.array([1.0]), to_s=np.array([0.9]), windows_s=np.empty((0, 2)))


def test_score_ignores_detections_outside_the_windows() -> None:
    ref = ReferenceContacts(
        ic_s=np.array([1.0, 2.0]), to_s=np.array([1.3, 2.3]), windows_s=np.array([[0.9, 2.4]])
    )
    detected_ic = np.array([0.2, 1.01, 2.02, 5.0])  # 0.2 and 5.0 lie where nobody annotated
    detected_to = detected_ic + 0.3
    agreement = score_contacts(ref, detected_ic, detected_to, tolerance_s=0.05)
    assert agreement.n_detected == 2
    assert agreement.recall == 1.0
    assert agreement.precision == 1.0
    np.testing.assert_allclose(agreement.ic_error_ms, [10.0, 20.0])


def test_thresholds_name_each_missed_figure() -> None:
    bar = Thresholds(90.0, 90.0, max_ic_medae_ms=20.0, max_abs_contact_bias_ms=15.0)
    stats = {
        "recall_pct": 95.0,
        "precision_pct": 80.0,
        "ic_medae_ms": 25.0,
        "to_medae_ms": 1.0,
        "contact_bias_ms": -16.0,
        "contact_sd_ms": 99.0,
    }
    failures = bar.failures(stats)
    assert len(failures) == 3
    assert failures[0].startswith("precision 80.0")
    assert "IC median" in failures[1]
    assert "-16.0" in failures[2]


# --------------------------------------------------------------------------------------------
# loaders on the shared datasets
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared() -> Path:
    env = os.environ.get("SENSORLAB_SHARED")
    folder = Path(env) if env else Path(__file__).resolve().parents[1].parent / "shared"
    if not (folder / "datasets").is_dir():
        reason = f"shared datasets not found at {folder} (set SENSORLAB_SHARED)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return folder


def _standing_acc_norm_ms2(rec: Recording, start_s: float, end_s: float) -> float:
    inside = (rec.time_s >= start_s) & (rec.time_s < end_s)
    return float(np.median(np.linalg.norm(rec.acc_ms2[inside], axis=1)))


def _check_case(case: ValidationCase) -> None:
    rec = case.recording
    assert rec.acc_ms2.shape == (rec.n_samples, 3)
    assert np.all(np.diff(rec.time_s) > 0)
    assert case.placement in ("foot", "shank", "sacrum")
    assert (case.side is None) == (case.placement == "sacrum")
    assert case.drill in ("walk", "run")
    ref = case.reference
    # every reference contact lies in the recording and inside an evaluation window
    assert ref.n_contacts > 0
    assert ref.ic_s[0] >= rec.time_s[0]
    assert ref.to_s[-1] <= rec.time_s[-1]
    assert ref.in_windows(ref.ic_s).all()
    if case.side is not None:
        # one sensor's contacts never overlap
        assert np.all(ref.ic_s[1:] >= ref.to_s[:-1])


def test_gaitmap_raw_frame_both_feet(shared: Path) -> None:
    cases = load_dataset(gaitmap_walking.NAME, shared)
    assert [c.side for c in cases] == ["left", "right"]
    for case in cases:
        _check_case(case)
        rec = case.recording
        assert rec.gyr_dps is not None
        assert rec.n_samples == 7928
        assert rec.nominal_sampling_rate_hz == pytest.approx(204.8)
        # quiet standing before the walk: gravity only
        assert _standing_acc_norm_ms2(rec, 0.0, 1.0) == pytest.approx(G_MS2, abs=0.3)
        # gyro in deg/s: swing reaches several hundred deg/s (rad/s would be < 15)
        assert 250.0 < np.percentile(np.linalg.norm(rec.gyr_dps, axis=1), 99) < 2000.0
        assert np.all((case.reference.contact_ms > 690) & (case.reference.contact_ms < 810))
    assert [c.reference.n_contacts for c in cases] == [28, 29]


def test_ipol_trial_units_and_straight_walking_contacts(shared: Path) -> None:
    root = shared / "datasets" / ipol_gait.NAME
    cases = ipol_gait.load_trial(root, "1-1", sensors=("lf", "rf", "lb"))
    assert [c.placement for c in cases] == ["foot", "foot", "sacrum"]
    meta_uturn_s = (13.16, 14.74)  # UTurnBoundaries of 1-1 / 100 Hz
    for case in cases:
        _check_case(case)
        rec = case.recording
        assert rec.nominal_sampling_rate_hz == pytest.approx(100.0)
        # m/s²: the left-foot unit reads 10.27 at rest in every trial (its calibration)
        assert _standing_acc_norm_ms2(rec, 0.0, 2.0) == pytest.approx(G_MS2, rel=0.06)
        assert rec.gyr_dps is not None
        # converted from rad/s: a walking foot turns at several hundred deg/s, L5 at ~100
        low_dps = 200.0 if case.placement == "foot" else 50.0
        assert low_dps < np.abs(rec.gyr_dps).max() < 2000.0
        ref = case.reference
        # no scored contact overlaps the U-turn; the windows break around it
        assert not np.any((ref.ic_s < meta_uturn_s[1]) & (ref.to_s > meta_uturn_s[0]))
        assert not ref.in_windows(np.array([np.mean(meta_uturn_s)]))[0]
        assert ref.windows_s.shape[0] >= 2
    feet = cases[:2]
    for foot in feet:
        assert 0.5 < np.median(foot.reference.contact_ms) / 1000 < 0.9
    assert cases[2].reference.n_contacts == sum(f.reference.n_contacts for f in feet)


def test_ipol_contact_is_hs_to_next_to_of_the_same_foot() -> None:
    swings = [[100, 150], [210, 260], [320, 370], [430, 480]]
    ic_s, to_s, straight = ipol_gait.foot_contacts(swings, uturn=[300, 340], trial=[90, 500])
    np.testing.assert_allclose(ic_s, [1.5, 2.6, 3.7])
    np.testing.assert_allclose(to_s, [2.1, 3.2, 4.3])
    assert straight.tolist() == [True, False, True]
    _, _, inside = ipol_gait.foot_contacts(swings, uturn=[0, 1], trial=[90, 400])
    assert inside.tolist() == [True, True, False]


def test_ipol_quick_trials_exist(shared: Path) -> None:
    names = ipol_gait.trial_names(shared / "datasets" / ipol_gait.NAME)
    assert len(names) == 110
    assert set(ipol_gait.QUICK_TRIALS) <= set(names)


def test_alcantara_windows_and_force_contacts(shared: Path) -> None:
    cases = load_dataset(alcantara_running.NAME, shared)
    assert len(cases) == 31
    total = 0
    for case in cases:
        _check_case(case)
        rec = case.recording
        assert rec.gyr_dps is None
        assert rec.nominal_sampling_rate_hz == pytest.approx(500.0)
        assert np.all(rec.acc_ms2[:, 2] == 0.0)  # no medio-lateral axis
        # running: mean vertical specific force ~ 1 g (README: 1.18 g, flight clipped at 0)
        assert 0.9 * G_MS2 < np.mean(rec.acc_ms2[:, 0]) < 1.4 * G_MS2
        n = case.reference.n_contacts
        assert 11 <= n <= 20
        assert np.all((case.reference.contact_ms > 160) & (case.reference.contact_ms < 280))
        total += n
    assert 440 <= total <= 470
    assert len(load_dataset(alcantara_running.NAME, shared, quick=True)) == len(
        alcantara_running.QUICK_TRIALS
    )


def test_alcantara_threshold_drops_partial_contacts() -> None:
    grf = np.array([0.5, 0.5, 0.0, 0.0, 1.2, 1.5, 0.05, 0.0, 0.9, 0.9])
    ic_s, to_s = alcantara_running.grf_contacts(grf, sampling_rate_hz=10.0)
    np.testing.assert_allclose(ic_s, [0.4])
    np.testing.assert_allclose(to_s, [0.6])


def test_grouvel_trials_at_20_hz_or_more(shared: Path) -> None:
    root = shared / "datasets" / grouvel_running.NAME
    trials = grouvel_running.usable_trials(root)
    assert len(trials) == 8
    assert "P03_S01_Running_01" not in trials  # 19.7 Hz
    assert "P04_S01_Running_02" not in trials  # 16.9 Hz
    cases = load_dataset(grouvel_running.NAME, shared)
    assert len(cases) == 5 * len(trials)
    for case in cases:
        _check_case(case)
        rec = case.recording
        assert rec.nominal_sampling_rate_hz >= 20.0
        # quiet standing at the start of every trial
        assert _standing_acc_norm_ms2(rec, 0.0, 1.0) == pytest.approx(G_MS2, abs=0.5)
        assert np.all(case.reference.contact_ms <= 600.0)
        assert np.median(case.reference.contact_ms) == pytest.approx(300.0, abs=80.0)
    by_trial: dict[str, list[ValidationCase]] = {}
    for case in cases:
        by_trial.setdefault(case.session, []).append(case)
    for group in by_trial.values():
        left_foot, right_foot, _, _, sacrum = group
        assert sacrum.reference.n_contacts == (
            left_foot.reference.n_contacts + right_foot.reference.n_contacts
        )


@pytest.mark.parametrize("name", list(DATASETS))
def test_canonical_csv_round_trip(shared: Path, tmp_path: Path, name: str) -> None:
    case = load_dataset(name, shared, quick=True)[0]
    rec = read_recording(case.write_csv(tmp_path), allow_gaps=True)
    assert rec.metadata["placement"] == case.placement
    assert rec.metadata["drill"] == case.drill
    assert rec.metadata.get("side") == case.side
    np.testing.assert_allclose(rec.time_s, case.recording.time_s, atol=1e-6)
    np.testing.assert_allclose(rec.acc_ms2, case.recording.acc_ms2, atol=1e-5)
    assert rec.has_gyro == case.recording.has_gyro


def test_ipol_events_line_up_on_the_packet_counter_clock(shared: Path) -> None:
    """7-1 left foot loses 10 % of its packets: events must still fall on stance and swing."""
    root = shared / "datasets" / ipol_gait.NAME
    case = ipol_gait.load_trial(root, "7-1", sensors=("lf",))[0]
    rec = case.recording
    assert rec.gyr_dps is not None
    assert np.diff(rec.time_s).max() > 0.025  # lost packets are gaps, not squeezed rows
    ref = case.reference
    gyro_norm_dps = np.linalg.norm(rec.gyr_dps, axis=1)

    def at(t_s: np.ndarray) -> np.ndarray:
        return np.interp(t_s, rec.time_s, gyro_norm_dps)

    mid_stance_dps = at((ref.ic_s + ref.to_s) / 2)
    mid_swing_dps = at((ref.to_s[:-1] + ref.ic_s[1:]) / 2)
    straight_swing = ref.ic_s[1:] - ref.to_s[:-1] < 0.6
    assert np.all(mid_stance_dps < 60.0)
    assert np.all(mid_swing_dps[straight_swing] > 150.0)
