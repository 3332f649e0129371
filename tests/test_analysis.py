"""The analysis chain end to end: sets, quality checks, invariants, metrics, demo."""

from dataclasses import replace

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from sensorlab.analysis import analyze_recording
from sensorlab.demo import run_demo
from sensorlab.drills import get_drill
from sensorlab.metrics import contact_metrics, summarize
from sensorlab.recording import Recording
from sensorlab.simulate import SimulationConfig, simulate_set


def sim(**kw):
    base = {
        "drill": "run",
        "placement": "foot",
        "side": "right",
        "sampling_rate_hz": 400.0,
        "duration_s": 12.0,
        "seed": 11,
    }
    base.update(kw)
    return simulate_set(SimulationConfig(**base))


def right_truth(s):
    return s.truth[s.truth["side"] == "right"]


def test_several_bouts_become_several_sets_and_standing_is_trimmed():
    s = sim(bouts=3, rest_s=8.0)
    result = analyze_recording(s.recording)
    assert len(result.sets) == 3
    truth = right_truth(s)
    for number, bout in enumerate(result.sets, start=1):
        t = truth[truth["bout"] == number]
        assert bout.contacts[0].ic_s == pytest.approx(t["ic_s"].iloc[0], abs=0.01)
        assert bout.contacts[-1].to_s == pytest.approx(t["to_s"].iloc[-1], abs=0.02)
        assert {c.set for c in bout.contacts} == {number}
        assert bout.summary.contacts == len(t)
    assert result.summary.contacts == len(truth)


def test_contacts_are_ordered_and_never_overlap():
    for drill in ["heels-to-glutes", "high-skipping", "tiptoe-walk", "multi-jumps"]:
        result = analyze_recording(sim(drill=drill, seed=5).recording)
        ic = np.array([c.ic_s for c in result.contacts])
        to = np.array([c.to_s for c in result.contacts])
        assert ic.size > 5
        assert np.all(ic < to)
        assert np.all(np.diff(ic) > 0)
        assert np.all(ic[1:] >= to[:-1])


def test_rotating_the_sensor_does_not_change_the_contacts():
    s = sim(drill="heels-to-glutes", mounting="aligned", seed=2)
    rec = s.recording
    base = analyze_recording(rec)
    step_s = 1.0 / 400.0
    for seed in range(3):
        rot = Rotation.random(random_state=seed)
        turned = Recording(
            rec.time_s,
            rot.apply(np.array(rec.acc_ms2)),
            rot.apply(np.array(rec.gyr_dps)),
            rec.metadata,
        )
        other = analyze_recording(turned)
        assert len(other.contacts) == len(base.contacts)
        for a, b in zip(base.contacts, other.contacts, strict=True):
            assert abs(a.ic_s - b.ic_s) <= step_s
            assert abs(a.to_s - b.to_s) <= step_s


def test_packet_loss_is_reported_and_does_not_invent_contacts():
    s = sim(packet_loss=0.03, seed=4)
    result = analyze_recording(s.recording)
    assert result.quality.gaps > 0
    assert any("gap" in w for w in result.quality.warnings)
    truth = right_truth(s)
    assert 0.8 * len(truth) <= result.summary.contacts <= len(truth)


def test_lost_packets_keep_cadence_and_no_event_rests_on_interpolated_samples():
    clean = analyze_recording(sim(seed=5, sampling_rate_hz=200.0, duration_s=15.0).recording)
    lossy_sim = sim(seed=5, sampling_rate_hz=200.0, duration_s=15.0, packet_loss=0.05)
    lossy = analyze_recording(lossy_sim.recording)
    truth = right_truth(lossy_sim)
    # every lost packet used to split the signal: 42 % of the contacts were found
    assert lossy.summary.contacts >= 0.75 * len(truth)
    # a contact lost to a gap is counted in the cadence, and no step spans it
    assert lossy.summary.cadence_spm == pytest.approx(clean.summary.cadence_spm, rel=0.02)
    steps_ms = [c.step_ms for c in lossy.contacts if c.step_ms is not None]
    assert max(steps_ms) < 1.3 * float(np.median(steps_ms))
    # no reported IC or TO lies in a gap
    t = lossy_sim.recording.time_s
    steps_s = np.diff(t)
    starts, ends = t[:-1][steps_s > 0.02], t[1:][steps_s > 0.02]
    assert starts.size > 5
    for c in lossy.contacts:
        for event_s in (c.ic_s, c.to_s):
            assert not np.any((event_s > starts) & (event_s < ends))
    assert any("fell in a gap" in w for w in lossy.quality.warnings)


@pytest.mark.parametrize("placement", ["foot", "shank", "sacrum"])
def test_a_sensor_that_slips_45_degrees_mid_set_keeps_its_contacts(placement):
    s = sim(placement=placement, sampling_rate_hz=200.0, duration_s=15.0, seed=2)
    rec = s.recording
    slipped = rec.time_s > rec.time_s[-1] / 2
    turn = Rotation.from_rotvec(np.deg2rad(45.0) * np.array([0.6, 0.8, 0.0])).as_matrix()
    acc, gyr = rec.acc_ms2.copy(), rec.gyr_dps.copy()
    acc[slipped] = acc[slipped] @ turn.T
    gyr[slipped] = gyr[slipped] @ turn.T
    result = analyze_recording(replace(rec, acc_ms2=acc, gyr_dps=gyr))
    truth = s.truth if placement == "sacrum" else right_truth(s)
    ic = np.array([c.ic_s for c in result.contacts])
    nearest_ms = 1000 * np.min(np.abs(ic[:, None] - truth["ic_s"].to_numpy()[None, :]), axis=0)
    assert np.mean(nearest_ms < 50) >= 0.97
    assert len(ic) <= len(truth)


def test_a_foot_below_50_hz_is_told_impacts_may_be_missed():
    slow = analyze_recording(sim(sampling_rate_hz=30.0, duration_s=10.0).recording)
    assert any("falls between samples" in w for w in slow.quality.warnings)
    fast = analyze_recording(sim(sampling_rate_hz=100.0, duration_s=10.0).recording)
    assert not any("falls between samples" in w for w in fast.quality.warnings)


def test_clipping_and_low_rate_are_flagged():
    clipped = analyze_recording(sim(drill="high-skipping", acc_range_g=8.0).recording)
    assert clipped.quality.clipped_fraction > 0
    assert any("clipped" in w for w in clipped.quality.warnings)
    slow = analyze_recording(sim(sampling_rate_hz=50.0).recording)
    assert slow.quality.low_precision
    assert any("low precision" in w for w in slow.quality.warnings)


@pytest.mark.parametrize("drill", ["run", "walk"])
def test_low_rate_shank_is_segmented_stride_by_stride(drill):
    # at 30 Hz the shank's landing impact falls between samples: every stride is still found
    s = sim(drill=drill, placement="shank", sampling_rate_hz=30.0, duration_s=15.0, seed=3)
    result = analyze_recording(s.recording)
    truth = right_truth(s)
    ic = np.array([c.ic_s for c in result.contacts])
    nearest_ms = 1000 * np.min(np.abs(ic[:, None] - truth["ic_s"].to_numpy()[None, :]), axis=0)
    assert np.mean(nearest_ms < 100) >= 0.95
    assert len(ic) <= len(truth)
    assert result.quality.low_precision


def test_dropouts_of_a_few_samples_do_not_split_a_set():
    s = sim(drill="walk", sampling_rate_hz=100.0, duration_s=15.0)
    rec = s.recording
    # drop 3 samples out of every 40 (30 ms holes, 7.5 % of the data)
    keep = (np.arange(rec.time_s.size) % 40) >= 3
    holed = Recording(rec.time_s[keep], rec.acc_ms2[keep], rec.gyr_dps[keep], rec.metadata)
    result = analyze_recording(holed)
    assert len(result.sets) == 1
    assert any("short dropout" in w for w in result.quality.warnings)
    assert result.summary.contacts >= 0.8 * len(right_truth(s))


def test_standing_still_gives_no_set():
    rng = np.random.default_rng(0)
    t = np.arange(0, 10, 0.005)
    acc = np.tile([0.0, 0.0, 9.80665], (t.size, 1)) + rng.normal(0, 0.03, (t.size, 3))
    result = analyze_recording(Recording(t, acc, None, {"placement": "foot"}))
    assert result.sets == []
    assert any("no active set" in w for w in result.quality.warnings)


def test_metrics_from_known_contacts():
    drill = get_drill("heels-to-glutes")
    ic = np.arange(10) * 0.6  # one foot every 0.6 s: 200 steps/min with both feet
    to = ic + 0.15
    contacts = contact_metrics(ic, to, drill=drill, placement="foot", side="left")
    assert [c.contact_ms for c in contacts] == pytest.approx([150.0] * 10)
    assert contacts[0].step_ms == pytest.approx(300.0)
    assert contacts[0].flight_ms == pytest.approx(150.0)
    assert contacts[-1].step_ms is None
    summary = summarize(contacts, drill=drill, placement="foot")
    assert summary.cadence_spm == pytest.approx(200.0)
    assert summary.contact_ms_median == pytest.approx(150.0)
    assert summary.flight_contact_ratio == pytest.approx(1.0)
    unilateral = summarize(
        contact_metrics(ic, to, drill=get_drill("one-leg-skipping"), placement="foot", side="left"),
        drill=get_drill("one-leg-skipping"),
        placement="foot",
    )
    assert unilateral.cadence_spm == pytest.approx(100.0)


def test_a_missing_contact_keeps_cadence_and_leaves_its_step_unknown():
    drill = get_drill("heels-to-glutes")
    ic = np.delete(np.arange(12) * 0.6, 5)  # the sixth contact was lost (a gap)
    contacts = contact_metrics(ic, ic + 0.15, drill=drill, placement="foot", side="left")
    assert contacts[4].step_ms is None
    assert contacts[4].flight_ms is None
    assert contacts[3].step_ms == pytest.approx(300.0)
    assert summarize(contacts, drill=drill, placement="foot").cadence_spm == pytest.approx(200.0)


def test_skip_flight_is_seen_only_from_step_to_hop():
    drill = get_drill("high-skipping")
    # step at 0, hop at 0.3, then the other foot's two contacts unseen, step again at 1.2
    ic = np.array([0.0, 0.3, 1.2, 1.5, 2.4, 2.7])
    to = ic + 0.15
    contacts = contact_metrics(ic, to, drill=drill, placement="foot", side="right")
    assert contacts[0].flight_ms == pytest.approx(150.0)
    assert contacts[1].flight_ms is None
    assert contacts[2].flight_ms == pytest.approx(150.0)


def test_demo_writes_its_report(tmp_path, capsys):
    out = run_demo(out_dir=tmp_path / "demo")
    names = {p.name for p in out.iterdir()}
    assert {"summary.txt", "summary.json", "overview.png"} <= names
    assert sum(n.endswith(".png") for n in names) >= 10
    assert "Heels to glutes" in (out / "summary.txt").read_text()
    assert "Heels to glutes" in capsys.readouterr().out


def test_left_and_right_files_of_one_session_give_symmetry():
    from sensorlab.analysis import analyze_many

    recs = [
        sim(drill="two-legged-pedaling", side=side, leading_side="right", seed=9).recording
        for side in ("left", "right")
    ]
    left, right = analyze_many(recs)
    assert left.side == "left"
    assert right.side == "right"
    # the feet alternate: every left contact lies between two right contacts
    r_ic = np.array([c.ic_s for c in right.contacts])
    for c in left.contacts[1:-1]:
        assert np.any(r_ic < c.ic_s)
        assert np.any(r_ic > c.ic_s)
        assert np.min(np.abs(r_ic - c.ic_s)) > 0.1
    assert left.summary.symmetry_pct is not None
    assert left.summary.symmetry_pct < 5.0
    assert left.target.met is True
    assert left.sets[0].summary.symmetry_pct == right.sets[0].summary.symmetry_pct


def test_implausible_cadence_is_flagged_and_not_judged():
    from sensorlab.analysis import _verdict

    drill = get_drill("high-skipping")
    ic = np.arange(0.0, 10.0, 0.1)  # one foot: 600 per minute, no skip is that fast
    contacts = contact_metrics(ic, ic + 0.06, drill=drill, placement="foot", side="right")
    summary = summarize(contacts, drill=drill, placement="foot")
    low, high = drill.cadence_spm_range
    assert not low <= summary.cadence_spm <= high
    verdict = _verdict(drill, summary, "foot")
    assert verdict.met is None
    assert "not judged" in verdict.note
    plausible = np.arange(0.0, 10.0, 0.6)  # one foot: 100 per minute, 200 for both feet
    ok = summarize(
        contact_metrics(plausible, plausible + 0.06, drill=drill, placement="foot", side="right"),
        drill=drill,
        placement="foot",
    )
    assert low <= ok.cadence_spm <= high
    assert _verdict(drill, ok, "foot").met is not None
