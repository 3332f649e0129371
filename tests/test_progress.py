"""`progress --json` on a library of eight weeks, three drills, two athletes.

The expected weekly figures are computed here from the schedule this test writes (its own
local dates, so its own ISO weeks) and from each file's ``analyze`` result, with plain
``statistics``: not by the history code.
"""

from __future__ import annotations

import json
import statistics
from datetime import date, datetime, timedelta

import matplotlib

matplotlib.use("Agg")

import pytest

from sensorlab.analysis import analyze_recording
from sensorlab.cli import main
from sensorlab.drills import get_drill
from sensorlab.io import read_recording, write_recording
from sensorlab.simulate import SimulationConfig, simulate_set

FIRST_MONDAY = date(2026, 9, 7)  # ISO 2026-W37
WEEKS = 8
ATHLETES = {"ana": "+02:00", "ben": "-05:00"}
# drill -> (contact time in week 0 [ms], change per week [ms], cadence week 0, change/week)
DRILLS = {
    "heels-to-glutes": (138.0, -3.0, None, 0.0),
    "tiptoe-walk": (None, 0.0, 122.0, 3.0),
    "one-leg-skipping": (185.0, -3.0, None, 0.0),
}
# local wall-clock starts per week: (day offset from Monday, hour, minute); the Sunday-late and
# Monday-early sets fall into another ISO week in UTC than in the athlete's time zone
SLOTS = [(0, 0, 30), (6, 22, 45)]


def schedule():
    """(athlete, drill, week index, local start, seed) of every set file."""
    out = []
    seed = 100
    for athlete in ATHLETES:
        for drill in DRILLS:
            for week in range(WEEKS):
                n_sets = 1 + (week + len(drill) + len(athlete)) % 2  # 1 or 2 sets a week
                if athlete == "ben" and drill == "tiptoe-walk" and week == 3:
                    continue  # a week without this drill: change compares with week 2
                for k in range(n_sets):
                    day, hour, minute = SLOTS[k]
                    local = datetime.combine(FIRST_MONDAY, datetime.min.time()) + timedelta(
                        weeks=week, days=day, hours=hour, minutes=minute
                    )
                    seed += 1
                    out.append((athlete, drill, week, local, seed))
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("library")
    (folder / "ana").mkdir()
    (folder / "ben").mkdir()
    expected_rows = []
    for athlete, drill, week, local, seed in schedule():
        contact0, contact_step, cadence0, cadence_step = DRILLS[drill]
        config = SimulationConfig(
            drill=drill,
            sampling_rate_hz=200.0,
            duration_s=6.0,
            standing_s=(0.5, 0.5),
            contact_ms=None if contact0 is None else contact0 + contact_step * week,
            cadence_spm=None if cadence0 is None else cadence0 + cadence_step * week,
            seed=seed,
        )
        rec = simulate_set(config).recording.with_metadata(
            athlete=athlete, started_at=local.isoformat() + ATHLETES[athlete]
        )
        path = write_recording(rec, folder / athlete / f"{drill}-{seed}.csv")
        analysis = analyze_recording(read_recording(path))
        metric = analysis.drill.primary_metric
        for s in analysis.sets:
            expected_rows.append(
                {
                    "athlete": athlete,
                    "drill": drill,
                    "week_monday": FIRST_MONDAY + timedelta(weeks=week),
                    "value": s.summary.metric(metric),
                    "cadence": s.summary.cadence_spm,
                    "contacts": s.summary.contacts,
                }
            )
    return folder, expected_rows


def expected_weeks(rows, drill_id):
    drill = get_drill(drill_id)
    by_week = {}
    for r in rows:
        by_week.setdefault(r["week_monday"], []).append(r)
    out = []
    previous = None
    for monday in sorted(by_week):
        week_rows = by_week[monday]
        values = [r["value"] for r in week_rows]
        median = statistics.median(values)
        met = [
            (v <= drill.target) if drill.better == "lower" else (v >= drill.target) for v in values
        ]
        iso = monday.isocalendar()
        out.append(
            {
                "week": f"{iso.year}-W{iso.week:02d}",
                "week_start": monday.isoformat(),
                "sets": len(week_rows),
                "contacts": sum(r["contacts"] for r in week_rows),
                "median": median,
                "best": min(values) if drill.better == "lower" else max(values),
                "cadence": statistics.median([r["cadence"] for r in week_rows]),
                "met_share": sum(met) / len(met),
                "change": None if previous is None else median - previous,
            }
        )
        previous = median
    return out


def run_progress(capsys, folder, *extra):
    assert main(["progress", "--library", str(folder), "--json", *extra]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return json.loads(out)


def test_progress_json_matches_independently_computed_weekly_figures(built, capsys):
    folder, rows = built
    payload = run_progress(capsys, folder)
    assert payload["index"]["new_errors"] == []
    got = {(p["athlete"], p["drill"]): p for p in payload["progress"]}
    assert set(got) == {(a, d) for a in ATHLETES for d in DRILLS}
    for (athlete, drill), block in got.items():
        mine = [r for r in rows if r["athlete"] == athlete and r["drill"] == drill]
        want = expected_weeks(mine, drill)
        assert [w["week"] for w in block["weeks"]] == [w["week"] for w in want]
        for w_got, w_want in zip(block["weeks"], want, strict=True):
            assert w_got["week_start"] == w_want["week_start"]
            assert w_got["sets"] == w_want["sets"]
            assert w_got["contacts"] == w_want["contacts"]
            assert w_got["metric_median"] == pytest.approx(w_want["median"], abs=1e-3)
            assert w_got["metric_best"] == pytest.approx(w_want["best"], abs=1e-3)
            assert w_got["cadence_spm"] == pytest.approx(w_want["cadence"], abs=1e-3)
            assert w_got["met_share"] == pytest.approx(w_want["met_share"], abs=1e-4)
            if w_want["change"] is None:
                assert w_got["change"] is None
            else:
                assert w_got["change"] == pytest.approx(w_want["change"], abs=2e-3)
    # the gap week: ben's tiptoe-walk week 4 compares with week 2
    weeks = got[("ben", "tiptoe-walk")]["weeks"]
    assert len(weeks) == WEEKS - 1
    assert weeks[3]["previous_week"] == weeks[2]["week"]
    # simulated: contact times shrink by 3 ms a week, tiptoe cadence grows by 3 steps/min
    for athlete in ATHLETES:
        assert got[(athlete, "one-leg-skipping")]["trend_per_week"] == pytest.approx(-3.0, abs=2)
        assert got[(athlete, "heels-to-glutes")]["trend_per_week"] < -1.0
        assert got[(athlete, "tiptoe-walk")]["trend_per_week"] == pytest.approx(3.0, abs=1)


def test_progress_filters_and_weeks_window(built, capsys):
    folder, _ = built
    payload = run_progress(capsys, folder, "--athlete", "ben", "--drill", "tiptoe-walk")
    assert [(p["athlete"], p["drill"]) for p in payload["progress"]] == [("ben", "tiptoe-walk")]
    payload = run_progress(capsys, folder, "--weeks", "3")
    last_mondays = {(FIRST_MONDAY + timedelta(weeks=w)).isoformat() for w in range(5, 8)}
    for block in payload["progress"]:
        assert {w["week_start"] for w in block["weeks"]} == last_mondays
        assert block["weeks"][0]["previous_week"] is None


def test_progress_target_override_changes_the_verdicts_not_the_index(built, capsys, tmp_path):
    folder, _ = built
    targets = tmp_path / "t.toml"
    targets.write_text("[athletes.ana.targets]\nheels-to-glutes = 1.0\n", encoding="utf-8")
    payload = run_progress(capsys, folder, "--drill", "heels-to-glutes", "--targets", str(targets))
    by_athlete = {p["athlete"]: p for p in payload["progress"]}
    assert by_athlete["ana"]["target"] == 1.0
    assert all(w["met_share"] == 0.0 for w in by_athlete["ana"]["weeks"])
    assert by_athlete["ben"]["target"] == get_drill("heels-to-glutes").target
    assert payload["index"]["analysed"] == 0


def test_progress_chart_shows_the_weekly_medians(built, capsys, tmp_path):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from sensorlab.history.index import open_library
    from sensorlab.history.progress import weekly_progress
    from sensorlab.report.history_figures import progress_figure

    folder, _ = built
    out = tmp_path / "progress.png"
    assert main(["progress", "--library", str(folder), "--plot", str(out)]) == 0
    capsys.readouterr()
    assert out.stat().st_size > 10_000
    with open_library(folder) as (lib, _):
        progress = weekly_progress(lib.sets(athlete="ana"))
    fig = progress_figure(progress)
    FigureCanvasAgg(fig)
    fig.canvas.draw()
    axes = [ax for ax in fig.axes if ax.get_visible() and ax.lines]
    assert len(axes) == len(DRILLS)
    names = {ax.get_title(loc="left") for ax in axes}
    assert names == {get_drill(d).name for d in DRILLS}
    for ax in axes:
        assert ax.get_ylabel()
        assert ax.get_xlabel() or ax.get_xticklabels()
        drill = next(d for d in DRILLS if get_drill(d).name == ax.get_title(loc="left"))
        block = next(p for p in progress if p.drill.id == drill)
        line = next(ln for ln in ax.lines if ln.get_gid() == "median-ana")
        assert list(line.get_ydata()) == pytest.approx([w.metric_median for w in block.weeks])
