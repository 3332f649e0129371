"""`compare`: numbers per set, best set, one-drill rule, and its figure (Agg, readable)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from matplotlib.text import Text
from test_figures import overlapping_texts

from sensorlab.analysis import analyze_recording
from sensorlab.cli import main
from sensorlab.drills import catalogue, evaluate_target, get_drill
from sensorlab.history.compare import ComparedSet, Comparison, best_index
from sensorlab.history.progress import DrillProgress, WeekFigures
from sensorlab.io import read_recording, write_recording
from sensorlab.report.history_figures import compare_figure, progress_figure
from sensorlab.simulate import SimulationConfig, simulate_set


@pytest.fixture(scope="module")
def three_sets(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cmp")
    config = SimulationConfig(
        drill="one-leg-skipping",
        sampling_rate_hz=200.0,
        duration_s=5.0,
        standing_s=(0.5, 0.5),
        bouts=3,
        rest_s=8.0,
        seed=21,
    )
    return write_recording(simulate_set(config).recording, folder / "ols.csv")


def test_compare_json_has_every_set_with_the_analyze_numbers(three_sets, capsys):
    assert main(["compare", str(three_sets), "--json"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    payload = json.loads(out)
    analysis = analyze_recording(read_recording(three_sets))
    assert payload["drill"] == "one-leg-skipping"
    assert payload["metric"] == "contact_ms"
    assert len(payload["sets"]) == len(analysis.sets) == 3
    for got, s in zip(payload["sets"], analysis.sets, strict=True):
        assert got["set"] == s.number
        assert got["contacts"] == s.summary.contacts
        assert got["contact_ms"] == [c.contact_ms for c in s.contacts]
        assert got["cadence_spm"] == s.summary.cadence_spm
        assert got["metric_value"] == s.summary.contact_ms_median
        assert got["target"]["met"] == s.target.met
    medians = [s.summary.contact_ms_median for s in analysis.sets]
    best = int(np.argmin(medians))
    assert [s["best"] for s in payload["sets"]] == [k == best for k in range(3)]
    assert payload["best_set"] == f"set {best + 1}"


def test_compare_text_and_plot(three_sets, capsys, tmp_path):
    out_png = tmp_path / "cmp.png"
    assert main(["compare", str(three_sets), "--plot", str(out_png)]) == 0
    out, _ = capsys.readouterr()
    assert "One-leg skipping: 3 set(s), target contact time ≤ 180 ms" in out
    assert out.count("\n* ") == 1  # one best set marked
    assert out_png.stat().st_size > 10_000


def test_compare_of_two_drills_is_one_clean_error(three_sets, tmp_path, capsys):
    other = tmp_path / "hs.csv"
    config = SimulationConfig(
        drill="heels-to-glutes", sampling_rate_hz=200.0, duration_s=4.0, seed=3
    )
    write_recording(simulate_set(config).recording, other)
    assert main(["compare", str(three_sets), str(other)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert "expects sets of one drill" in err
    assert "one-leg-skipping (ols.csv)" in err
    assert "Traceback" not in err
    # --drill analyses both as one drill: then they compare
    assert main(["compare", str(three_sets), str(other), "--drill", "heels-to-glutes"]) == 0
    out, _ = capsys.readouterr()
    assert "ols.csv · set 1" in out
    assert "hs.csv · set 1" in out


def test_best_index_follows_the_drills_direction():
    assert best_index(get_drill("heels-to-glutes"), [150.0, None, 140.0, 140.0]) == 2
    assert best_index(get_drill("low-skipping"), [150.0, 210.0, None]) == 1
    assert best_index(get_drill("low-skipping"), [None, None]) is None


# ---------------------------------------------------------------------------------------------
# figures from synthetic numbers


def comparison(n_sets: int, drill_id: str = "heels-to-glutes", seed: int = 0) -> Comparison:
    drill = get_drill(drill_id)
    rng = np.random.default_rng(seed)
    sets = []
    for k in range(n_sets):
        ct = tuple(float(v) for v in rng.normal(150 + 2 * k % 30, 10, 12).round(2))
        value = float(np.median(ct)) if drill.primary_metric == "contact_ms" else 190.0 + k
        sets.append(
            ComparedSet(
                label=f"2026-10-{1 + k % 28:02d} 18:{k % 60:02d}",
                file=f"f{k}.csv",
                set_number=1,
                side="right",
                started_at=None,
                contact_ms=ct,
                cadence_spm=200.0 + k,
                contact_ms_median=float(np.median(ct)),
                contact_ms_best=min(ct),
                metric_value=value,
                verdict=evaluate_target(drill, value),
            )
        )
    return Comparison(drill, "ms", sets, best_index(drill, [s.metric_value for s in sets]))


def texts(fig):
    return [t.get_text() for t in fig.findobj(Text)]


@pytest.mark.parametrize("n_sets", [1, 3, 12, 50])
def test_compare_figure_is_readable(n_sets):
    c = comparison(n_sets)
    fig = compare_figure(c)
    assert overlapping_texts(fig) == []
    shown = texts(fig)
    assert any("Heels to glutes" in t for t in shown)
    assert "Contact time [ms]" in [ax.get_ylabel() for ax in fig.axes]
    assert "Cadence [steps/min]" in shown
    for s in c.sets:
        assert f"{s.cadence_spm:.0f}" in shown
    target = [ln for ax in fig.axes for ln in ax.lines if ln.get_gid() == "target"]
    assert target[0].get_ydata()[0] == 160.0


def test_compare_figure_highlights_the_best_set():
    c = comparison(6)
    fig = compare_figure(c)
    spans = [p for ax in fig.axes for p in ax.patches if p.get_gid() == "best-set"]
    assert len(spans) == 2  # the contact panel and the cadence/verdict rows
    assert {p.get_x() + p.get_width() / 2 for p in spans} == {float(c.best)}
    assert c.best == int(np.argmin([s.metric_value for s in c.sets]))
    bold = [t.get_text() for t in fig.axes[-1].get_xticklabels() if t.get_fontweight() == "bold"]
    assert bold == [c.sets[c.best].label]


def test_compare_figure_of_a_cadence_drill_has_a_metric_panel():
    fig = compare_figure(comparison(8, "low-skipping"))
    labels = [ax.get_ylabel() for ax in fig.axes]
    assert "Cadence [steps/min]" in labels
    assert overlapping_texts(fig) == []


def progress_blocks(drill_ids, athletes=("ana", "ben"), n_weeks=10):
    out = []
    for drill_id in drill_ids:
        drill = get_drill(drill_id)
        for a, athlete in enumerate(athletes):
            weeks = []
            for w in range(n_weeks):
                monday = date(2026, 1, 5) + timedelta(weeks=w)
                iso = monday.isocalendar()
                value = (drill.target or 100.0) * (1.1 - 0.02 * w + 0.01 * a)
                weeks.append(
                    WeekFigures(
                        f"{iso.year}-W{iso.week:02d}", monday.isoformat(), 2, 30, value,
                        value * 0.97, 200.0, 2, 1, 0.5, None, None, None, None,
                    )
                )  # fmt: skip
            out.append(DrillProgress(athlete, drill, "", weeks, -1.0, weeks[0].metric_median, 1.0))
    return out


def test_progress_figure_with_ten_drills_is_readable():
    drills = [d for d in catalogue() if d not in ("walk", "run")]
    assert len(drills) == 10
    fig = progress_figure(progress_blocks(drills, n_weeks=30))
    assert overlapping_texts(fig) == []
    titles = {ax.get_title(loc="left") for ax in fig.axes if ax.get_visible()}
    assert titles == {get_drill(d).name for d in drills}
    for ax in fig.axes:
        if ax.get_visible():
            assert "[" in ax.get_ylabel() or "ratio" in ax.get_ylabel()
            assert "week" in ax.get_xlabel().lower()


def test_progress_figure_of_nothing_renders():
    fig = progress_figure([])
    assert "no sets" in " ".join(texts(fig))


def test_left_and_right_file_of_a_session_compare_as_one_set_per_bout(tmp_path, capsys):
    from sensorlab.analysis import analyze_many

    paths = []
    for side in ("left", "right"):
        config = SimulationConfig(
            drill="side-run",
            sampling_rate_hz=200.0,
            duration_s=5.0,
            standing_s=(0.5, 0.5),
            side=side,
            leading_side="left",
            bouts=2,
            seed=9,
        )
        paths.append(write_recording(simulate_set(config).recording, tmp_path / f"{side}.csv"))
    left, right = analyze_many([read_recording(p) for p in paths])
    assert main(["compare", *map(str, paths), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert [s["label"] for s in payload["sets"]] == [
        f"set {s.number} (left + right)" for s in left.sets
    ]
    for got, s_left in zip(payload["sets"], left.sets, strict=True):
        (s_right,) = [
            o for o in right.sets if o.start_s < s_left.end_s and s_left.start_s < o.end_s
        ]
        assert got["contacts"] == s_left.summary.contacts + s_right.summary.contacts
        assert got["metric_value"] == s_left.summary.symmetry_pct == s_right.summary.symmetry_pct
