"""Figures render under Agg, label units, draw the target where it is, survive edge cases."""

from __future__ import annotations

import io
from dataclasses import replace
from itertools import combinations
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

from sensorlab.analysis import Quality, RecordingAnalysis, SetResult
from sensorlab.drills import evaluate_target, get_drill
from sensorlab.errors import UsageError
from sensorlab.metrics import contact_metrics, summarize
from sensorlab.recording import Recording
from sensorlab.report.figures import (
    MAX_PLOT_POINTS,
    demo_overview_figure,
    plot_contact_times,
    plot_signal,
    save_figure,
    set_figure,
)
from sensorlab.units import G_MS2

RATE_HZ = 200.0


# ---------------------------------------------------------------------------------------------
# synthetic recordings and analyses, built directly (no reader, detector or simulator involved)


def make_contacts(
    n: int, *, start_s: float = 1.0, interval_s: float = 0.4, contact_s: float = 0.15, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    ic = start_s + interval_s * np.arange(n) + rng.normal(0.0, 0.005, n)
    to = ic + contact_s + rng.normal(0.0, 0.01, n)
    return ic, to


def make_recording(
    duration_s: float,
    sets: list[tuple[np.ndarray, np.ndarray]],
    *,
    rate_hz: float = RATE_HZ,
    gyro: bool = True,
    side: str = "right",
    name: str = "right.csv",
) -> Recording:
    t = np.arange(0.0, duration_s, 1.0 / rate_hz)
    acc = np.zeros((t.size, 3))
    acc[:, 2] = G_MS2
    gyr = np.zeros((t.size, 3))
    for ic, to in sets:
        for a, b in zip(ic, to, strict=True):
            during = (t >= a) & (t <= b)
            acc[during, 2] += 1.5 * G_MS2
            acc[np.argmin(np.abs(t - a)), 2] += 4.0 * G_MS2
            swing = (t > b) & (t < b + 0.2)
            gyr[swing, 1] = 400.0 * np.sin(np.pi * (t[swing] - b) / 0.2)
    return Recording(
        t,
        acc,
        gyr if gyro else None,
        {"placement": "foot", "side": side},
        source=f"/data/session/{name}",
    )


def make_analysis(
    sets: list[tuple[np.ndarray, np.ndarray]],
    *,
    drill_id: str = "heels-to-glutes",
    side: str | None = "right",
    name: str = "right.csv",
    rate_hz: float = RATE_HZ,
    target: float | None = None,
) -> RecordingAnalysis:
    drill = get_drill(drill_id)
    if target is not None:
        drill = replace(drill, target=target)
    results = []
    for k, (ic, to) in enumerate(sets, start=1):
        contacts = contact_metrics(ic, to, drill=drill, placement="foot", side=side, set_number=k)
        summary = summarize(contacts, drill=drill, placement="foot")
        verdict = evaluate_target(drill, summary.metric(drill.primary_metric))
        start = float(ic[0]) - 0.2 if ic.size else 1.0
        end = float(to[-1]) + 0.2 if to.size else 2.0
        results.append(SetResult(k, start, end, contacts, summary, verdict))
    all_contacts = [c for s in results for c in s.contacts]
    overall = summarize(all_contacts, drill=drill, placement="foot")
    quality = Quality([], rate_hz, 0, 0.0, 0.0, 0, False)
    return RecordingAnalysis(
        file=f"/data/session/{name}",
        drill=drill,
        placement="foot",
        side=side,
        method="segment-gyro",
        sampling_rate_hz=rate_hz,
        sets=results,
        summary=overall,
        target=evaluate_target(drill, overall.metric(drill.primary_metric)),
        quality=quality,
    )


@pytest.fixture
def one_set() -> tuple[Recording, RecordingAnalysis]:
    ic, to = make_contacts(50)
    return make_recording(22.0, [(ic, to)]), make_analysis([(ic, to)])


def png_bytes(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return buf.getvalue()


def assert_renders(fig: Figure, min_bytes: int = 20_000) -> None:
    data = png_bytes(fig)
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > min_bytes


def lines_with_gid(fig: Figure, gid: str) -> list[Line2D]:
    return [a for a in fig.findobj(Line2D) if a.get_gid() == gid]


def all_labels(fig: Figure) -> list[str]:
    labels = []
    for ax in fig.axes:
        if not ax.axison:
            continue
        labels += [ax.get_xlabel(), ax.get_ylabel()]
    return [label for label in labels if label]


def legend_texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]


def overlapping_texts(fig: Figure) -> list[tuple[str, str]]:
    """Pairs of visible texts whose boxes overlap, and texts that stick out of the figure."""
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    tick_labels: set[Text] = set()
    drawn: list[Text] = []
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                tick_labels |= {tick.label1, tick.label2}
                if low <= tick.get_loc() <= high:
                    drawn += [label for label in (tick.label1, tick.label2) if label.get_visible()]
    texts = [t for t in fig.findobj(Text) if t not in tick_labels] + drawn
    texts = [t for t in texts if t.get_visible() and t.get_text().strip()]
    boxes = [(t.get_text(), t.get_window_extent(renderer).expanded(0.98, 0.9)) for t in texts]
    page = fig.bbox
    bad = [
        (name, "outside the figure")
        for name, box in boxes
        if box.x0 < page.x0 - 1
        or box.x1 > page.x1 + 1
        or box.y0 < page.y0 - 1
        or box.y1 > page.y1 + 1
    ]
    bad += [(a, b) for (a, box_a), (b, box_b) in combinations(boxes, 2) if box_a.overlaps(box_b)]
    return bad


# ---------------------------------------------------------------------------------------------
# set figure


def test_set_figure_renders_png(one_set: tuple[Recording, RecordingAnalysis]) -> None:
    recording, analysis = one_set
    fig = set_figure(recording, analysis, set_number=1)
    assert isinstance(fig, Figure)
    assert_renders(fig)


def test_header_names_drill_file_summary_and_verdict(
    one_set: tuple[Recording, RecordingAnalysis],
) -> None:
    recording, analysis = one_set
    header = set_figure(recording, analysis, set_number=1).get_suptitle()
    assert "Heels to glutes" in header or analysis.drill.name in header
    assert analysis.drill.id not in header
    assert "right.csv" in header
    assert "foot, right" in header
    assert "200 Hz" in header
    assert "50 contacts" in header
    assert "steps/min" in header
    assert f"median {analysis.sets[0].summary.contact_ms_median:.0f} ms" in header
    assert f"best {analysis.sets[0].summary.contact_ms_best:.0f} ms" in header
    assert "target: contact ≤ 160 ms — met" in header


def test_header_says_not_met_and_no_target() -> None:
    ic, to = make_contacts(20, contact_s=0.2)
    slow = make_analysis([(ic, to)])
    rec = make_recording(10.0, [(ic, to)])
    assert (
        "target: contact ≤ 160 ms — not met" in set_figure(rec, slow, set_number=1).get_suptitle()
    )
    easy = make_analysis([(ic, to)], drill_id="run")
    assert "no target" in set_figure(rec, easy, set_number=1).get_suptitle()


def test_every_axis_label_has_a_unit(one_set: tuple[Recording, RecordingAnalysis]) -> None:
    recording, analysis = one_set
    for fig in (
        set_figure(recording, analysis, set_number=1),
        set_figure(recording, analysis),
        demo_overview_figure([analysis]),
    ):
        labels = all_labels(fig)
        assert labels
        for label in labels:
            assert "[" in label, label
            assert label.endswith("]"), label
    labels = all_labels(set_figure(recording, analysis, set_number=1))
    assert "Acceleration norm [g]" in labels
    assert "Angular rate norm [deg/s]" in labels
    assert "Contact time [ms]" in labels


def test_target_line_is_at_the_target(one_set: tuple[Recording, RecordingAnalysis]) -> None:
    recording, analysis = one_set
    (line,) = lines_with_gid(set_figure(recording, analysis, set_number=1), "target")
    assert np.allclose(line.get_ydata(), 160.0)
    ic, to = make_contacts(30)
    custom = make_analysis([(ic, to)], target=142.5)
    (line,) = lines_with_gid(set_figure(recording, custom, set_number=1), "target")
    assert np.allclose(line.get_ydata(), 142.5)


def test_median_and_best_are_drawn(one_set: tuple[Recording, RecordingAnalysis]) -> None:
    recording, analysis = one_set
    fig = set_figure(recording, analysis, set_number=1)
    summary = analysis.sets[0].summary
    (median,) = lines_with_gid(fig, "median-right")
    assert np.allclose(median.get_ydata(), summary.contact_ms_median)
    (best,) = lines_with_gid(fig, "best")
    assert np.allclose(best.get_ydata(), summary.contact_ms_best, atol=0.01)
    (points,) = lines_with_gid(fig, "contacts-right")
    assert len(points.get_xdata()) == 50
    (ic,) = lines_with_gid(fig, "ic")
    (to,) = lines_with_gid(fig, "to")
    assert len(ic.get_xdata()) == len(to.get_xdata()) == 50


def test_other_primary_metric_stated_and_no_contact_target() -> None:
    ic, to = make_contacts(40, interval_s=0.5, contact_s=0.12)
    analysis = make_analysis([(ic, to)], drill_id="low-skipping")
    fig = set_figure(make_recording(22.0, [(ic, to)]), analysis, set_number=1)
    assert lines_with_gid(fig, "target") == []
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert any("primary metric: cadence" in t and "≥ 200 steps/min" in t for t in titles)
    assert_renders(fig)


def test_without_gyro_there_is_no_twin_axis() -> None:
    ic, to = make_contacts(20)
    fig = set_figure(make_recording(10.0, [(ic, to)], gyro=False), make_analysis([(ic, to)]))
    assert "Angular rate norm [deg/s]" not in all_labels(fig)
    assert_renders(fig)


def test_whole_recording_marks_set_boundaries() -> None:
    first = make_contacts(20, start_s=1.0)
    second = make_contacts(20, start_s=20.0, seed=1)
    recording = make_recording(30.0, [first, second])
    analysis = make_analysis([first, second])
    fig = set_figure(recording, analysis)
    texts = {t.get_text().strip() for t in fig.findobj(Text)}
    assert {"set 1", "set 2"} <= texts
    assert "All 2 sets: 40 contacts" in fig.get_suptitle()
    (points,) = lines_with_gid(fig, "contacts-right")
    assert len(points.get_xdata()) == 40
    assert_renders(fig)


def test_set_number_selects_one_set() -> None:
    first = make_contacts(20, start_s=1.0)
    second = make_contacts(15, start_s=20.0, seed=1)
    recording = make_recording(30.0, [first, second])
    fig = set_figure(recording, make_analysis([first, second]), set_number=2)
    assert "Set 2: 15 contacts" in fig.get_suptitle()
    low, high = fig.axes[0].get_xlim()
    assert low > 15.0
    assert high < 30.0


def test_unknown_set_number_is_a_usage_error(one_set: tuple[Recording, RecordingAnalysis]) -> None:
    recording, analysis = one_set
    with pytest.raises(UsageError, match="set 3 not found"):
        set_figure(recording, analysis, set_number=3)


def test_zero_contacts_do_not_crash() -> None:
    empty = (np.empty(0), np.empty(0))
    recording = make_recording(5.0, [])
    analysis = make_analysis([empty])
    fig = set_figure(recording, analysis, set_number=1)
    assert "0 contacts" in fig.get_suptitle()
    assert any(t.get_text() == "no contacts detected" for t in fig.findobj(Text))
    assert_renders(fig)
    no_sets = make_analysis([])
    assert_renders(set_figure(recording, no_sets))
    assert_renders(demo_overview_figure([no_sets, analysis]))
    ic, to = make_contacts(10)
    partner = (make_recording(6.0, [(ic, to)], side="left"), make_analysis([(ic, to)], side="left"))
    assert_renders(set_figure(recording, analysis, set_number=1, partner=partner))


def test_long_recording_is_decimated() -> None:
    ic, to = make_contacts(800, interval_s=0.4)
    recording = make_recording(330.0, [(ic, to)], rate_hz=1000.0)
    assert recording.n_samples > 300_000
    fig = set_figure(recording, make_analysis([(ic, to)], rate_hz=1000.0))
    for gid in ("acc-norm", "gyr-norm"):
        (line,) = lines_with_gid(fig, gid)
        assert len(line.get_xdata()) <= MAX_PLOT_POINTS + 2
        # min/max decimation keeps the impact peaks
        assert np.nanmax(line.get_ydata()) == pytest.approx(
            np.max(
                np.linalg.norm(
                    recording.acc_ms2 if gid == "acc-norm" else recording.gyr_dps, axis=1
                )
            )
            / (G_MS2 if gid == "acc-norm" else 1.0)
        )
    assert_renders(fig)


def test_gaps_break_the_signal_line() -> None:
    ic, to = make_contacts(20)
    recording = make_recording(10.0, [(ic, to)])
    keep = (recording.time_s < 4.0) | (recording.time_s > 4.6)
    gappy = Recording(recording.time_s[keep], recording.acc_ms2[keep], None, recording.metadata)
    fig = set_figure(gappy, make_analysis([(ic, to)]), set_number=1)
    (line,) = lines_with_gid(fig, "acc-norm")
    assert np.isnan(line.get_ydata()).sum() == 1


# ---------------------------------------------------------------------------------------------
# partner (left + right foot)


def make_pair() -> tuple[tuple[Recording, RecordingAnalysis], tuple[Recording, RecordingAnalysis]]:
    left = make_contacts(30, start_s=1.0, contact_s=0.15, seed=2)
    right = make_contacts(30, start_s=1.2, contact_s=0.165, seed=3)
    return (
        (make_recording(15.0, [right], side="right"), make_analysis([right], side="right")),
        (
            make_recording(15.0, [left], side="left", name="left.csv"),
            make_analysis([left], side="left", name="left.csv"),
        ),
    )


def test_partner_mode_has_both_sides() -> None:
    (rec_r, ana_r), partner = make_pair()
    fig = set_figure(rec_r, ana_r, set_number=1, partner=partner)
    legend = legend_texts(fig)
    assert any(t.startswith("left (n = 30)") for t in legend)
    assert any(t.startswith("right (n = 30)") for t in legend)
    assert lines_with_gid(fig, "contacts-left")
    assert lines_with_gid(fig, "contacts-right")
    header = fig.get_suptitle()
    assert "left.csv + right.csv" in header  # left first, whichever file was passed first
    assert "asymmetry" in header
    assert "%" in header
    titles = [ax.get_title(loc="left") for ax in fig.axes]
    assert titles[0].startswith("Left")
    assert titles[1].startswith("Right")
    (line,) = lines_with_gid(fig, "target")
    assert np.allclose(line.get_ydata(), 160.0)
    assert_renders(fig)


def test_partner_symmetry_drill_states_its_verdict() -> None:
    left = make_contacts(30, start_s=1.0, contact_s=0.15, seed=2)
    right = make_contacts(30, start_s=1.2, contact_s=0.15, seed=3)
    ana_l = make_analysis([left], side="left", drill_id="side-run", name="left.csv")
    ana_r = make_analysis([right], side="right", drill_id="side-run")
    fig = set_figure(
        make_recording(15.0, [left], side="left"),
        ana_l,
        set_number=1,
        partner=(make_recording(15.0, [right]), ana_r),
    )
    header = fig.get_suptitle()
    assert "target: asymmetry ≤ 5 % — met" in header
    titles = " ".join(ax.get_title(loc="left") for ax in fig.axes)
    assert "primary metric: asymmetry" in titles
    assert_renders(fig)


# ---------------------------------------------------------------------------------------------
# overview


DRILLS = [
    "tiptoe-walk", "low-skipping", "one-leg-skipping", "side-run", "high-skipping",
    "heels-to-glutes", "multi-jumps", "one-leg-pedaling", "two-legged-pedaling", "back-run",
    "walk", "run",
]  # fmt: skip


def twelve_analyses() -> list[RecordingAnalysis]:
    analyses = []
    for k, drill_id in enumerate(DRILLS):
        drill = get_drill(drill_id)
        ic, to = make_contacts(
            25 + k,
            interval_s=60.0 / drill.typical_cadence_spm * 2,
            contact_s=drill.typical_contact_ms / 1000.0,
            seed=k,
        )
        analyses.append(make_analysis([(ic, to)], drill_id=drill_id, name=f"{drill_id}.csv"))
    return analyses


def test_overview_renders_twelve_drills_by_name() -> None:
    analyses = twelve_analyses()
    fig = demo_overview_figure(analyses)
    assert_renders(fig)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == [f"{a.drill.name} (right)" for a in analyses]
    assert not any(drill_id in labels for drill_id in DRILLS if "-" in drill_id)
    texts = [t.get_text() for t in fig.axes[1].texts]
    assert "met" in texts
    assert "no target" in texts
    assert any("steps/min" in t for t in texts)


def test_overview_marks_contact_time_targets() -> None:
    analyses = twelve_analyses()
    fig = demo_overview_figure(analyses)
    for i, a in enumerate(analyses):
        marks = lines_with_gid(fig, f"target-{i}")
        if a.drill.primary_metric == "contact_ms" and a.drill.target is not None:
            (mark,) = marks
            assert np.allclose(mark.get_xdata(), a.drill.target)
        else:
            assert marks == []


def test_overview_one_row_per_set() -> None:
    first, second = make_contacts(10), make_contacts(12, start_s=20.0)
    fig = demo_overview_figure([make_analysis([first, second], side=None)])
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["Heels to glutes · set 1", "Heels to glutes · set 2"]


def test_overview_of_nothing_renders() -> None:
    assert_renders(demo_overview_figure([]), min_bytes=5_000)


# ---------------------------------------------------------------------------------------------
# layout


def test_no_overlapping_text_with_50_contacts(one_set: tuple[Recording, RecordingAnalysis]) -> None:
    recording, analysis = one_set
    assert overlapping_texts(set_figure(recording, analysis, set_number=1)) == []
    (rec_r, ana_r), partner = make_pair()
    assert overlapping_texts(set_figure(rec_r, ana_r, set_number=1, partner=partner)) == []
    ic, to = make_contacts(40, interval_s=0.5, contact_s=0.12)
    cadence = make_analysis([(ic, to)], drill_id="multi-jumps")
    assert overlapping_texts(set_figure(make_recording(22.0, [(ic, to)]), cadence)) == []


def test_no_overlapping_text_with_twelve_rows() -> None:
    assert overlapping_texts(demo_overview_figure(twelve_analyses())) == []


# ---------------------------------------------------------------------------------------------
# panels on their own axes, saving


def test_panels_draw_into_a_given_axes(one_set: tuple[Recording, RecordingAnalysis]) -> None:
    recording, analysis = one_set
    fig = Figure()
    top, bottom = fig.subplots(2, 1)
    assert plot_signal(recording, analysis, set_number=1, ax=top) is fig
    assert plot_contact_times(analysis, set_number=1, ax=bottom) is fig
    sub = Figure().subfigures(1, 2)[0]
    assert isinstance(plot_contact_times(analysis, ax=sub.add_subplot()), Figure)
    assert_renders(plot_signal(recording, analysis))


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_save_figure_creates_directories(
    tmp_path: Path, suffix: str, one_set: tuple[Recording, RecordingAnalysis]
) -> None:
    recording, analysis = one_set
    out = save_figure(
        set_figure(recording, analysis, set_number=1), tmp_path / "a" / "b" / f"f{suffix}"
    )
    assert out.exists()
    assert out.stat().st_size > 1000


def test_save_figure_rejects_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"expected a file ending in \.png"):
        save_figure(Figure(), tmp_path / "figure.jpg")
