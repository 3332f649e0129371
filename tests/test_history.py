"""History index: indexing, re-analysis on change, corrupt files, pairs, interruption."""

from __future__ import annotations

import json
import os
import sqlite3

import pytest

from sensorlab.cli import main
from sensorlab.history.index import INDEX_NAME, LIBRARY_ENV, open_library
from sensorlab.io import write_recording
from sensorlab.simulate import SimulationConfig, simulate_set


def write_set(folder, name, *, drill="heels-to-glutes", seed=1, side="right", **meta):
    config = SimulationConfig(
        drill=drill,
        sampling_rate_hz=100.0,
        duration_s=5.0,
        standing_s=(0.5, 0.5),
        side=side,
        leading_side=meta.pop("leading_side", None),
        seed=seed,
    )
    rec = simulate_set(config).recording
    if meta:
        rec = rec.with_metadata(**meta)
    return write_recording(rec, folder / name, overwrite=True)


@pytest.fixture
def library(tmp_path):
    folder = tmp_path / "lib"
    folder.mkdir()
    write_set(folder, "a.csv", seed=1, athlete="ana")
    write_set(folder, "b.csv", drill="low-skipping", seed=2, athlete="ana")
    write_set(folder, "c.csv", seed=3, athlete="ben")
    return folder


def update(folder, **kw):
    with open_library(folder, update=False) as (lib, _):
        report = lib.update(**kw)
        return report, lib.sets(), lib.errors()


def test_first_update_indexes_every_file_and_second_changes_nothing(library):
    report, sets, errors = update(library)
    assert sorted(report.analysed) == ["a.csv", "b.csv", "c.csv"]
    assert errors == []
    assert {(s.path, s.athlete, s.drill) for s in sets} == {
        ("a.csv", "ana", "heels-to-glutes"),
        ("b.csv", "ana", "low-skipping"),
        ("c.csv", "ben", "heels-to-glutes"),
    }
    assert all(s.contacts >= 3 for s in sets)
    assert (library / INDEX_NAME).exists()
    again, sets2, _ = update(library)
    assert again.analysed == []
    assert again.unchanged == 3
    assert [s.id for s in sets2] == [s.id for s in sets]


def test_added_changed_touched_and_removed_files(library):
    update(library)
    write_set(library, "d.csv", drill="low-skipping", seed=4, athlete="ben")
    report, sets, _ = update(library)
    assert report.analysed == ["d.csv"]
    assert report.unchanged == 3
    assert "d.csv" in {s.path for s in sets}

    # changed content: the same file now holds another drill
    write_set(library, "a.csv", drill="low-skipping", seed=5, athlete="ana")
    report, sets, _ = update(library)
    assert report.analysed == ["a.csv"]
    assert {s.drill for s in sets if s.path == "a.csv"} == {"low-skipping"}

    # touched, not changed: no re-analysis, rows kept
    ids = {s.id for s in sets}
    st = os.stat(library / "b.csv")
    os.utime(library / "b.csv", ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    report, sets, _ = update(library)
    assert report.analysed == []
    assert {s.id for s in sets} == ids

    (library / "c.csv").unlink()
    report, sets, _ = update(library)
    assert report.removed == ["c.csv"]
    assert "c.csv" not in {s.path for s in sets}
    with sqlite3.connect(library / INDEX_NAME) as db:
        orphans = db.execute(
            "SELECT COUNT(*) FROM contacts WHERE set_id NOT IN (SELECT id FROM sets)"
        ).fetchone()[0]
    assert orphans == 0


def test_corrupt_file_is_reported_once_skipped_and_recovers(library, capsys):
    update(library)
    good = (library / "b.csv").read_bytes()
    (library / "b.csv").write_bytes(b"\x00\x01garbage\xff" * 50)
    (library / "foreign.csv").write_text("name,score\nalice,3\n", encoding="utf-8")
    argv = ["progress", "--library", str(library), "--json"]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    payload = json.loads(out)
    assert {e["path"] for e in payload["index"]["new_errors"]} == {"b.csv", "foreign.csv"}
    assert err.count("warning") == 2
    assert "b.csv" in err
    assert "foreign.csv" in err
    drills = {(p["athlete"], p["drill"]) for p in payload["progress"]}
    assert ("ana", "low-skipping") not in drills  # the corrupt file's old rows are gone
    assert ("ana", "heels-to-glutes") in drills

    assert main(argv) == 0  # unchanged bad files: not reported again
    out, err = capsys.readouterr()
    assert err == ""
    assert json.loads(out)["index"]["known_errors"] == 2

    (library / "b.csv").write_bytes(good)  # fixed: indexed again
    report, sets, errors = update(library)
    assert report.analysed == ["b.csv"]
    assert [e.path for e in errors] == ["foreign.csv"]
    assert "low-skipping" in {s.drill for s in sets if s.path == "b.csv"}


def test_analysis_version_change_reanalyses_everything(library):
    update(library)
    report, sets, _ = update(library, analysis_version="next")
    assert sorted(report.analysed) == ["a.csv", "b.csv", "c.csv"]
    assert {s.analysis_version for s in sets} == {"next"}


def test_interrupted_update_leaves_a_consistent_index(library, monkeypatch):
    import sensorlab.analysis

    real = sensorlab.analysis.analyze_many
    calls = []

    def flaky(recordings, **kw):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(recordings, **kw)

    monkeypatch.setattr(sensorlab.analysis, "analyze_many", flaky)
    with pytest.raises(KeyboardInterrupt):
        update(library)
    monkeypatch.setattr(sensorlab.analysis, "analyze_many", real)
    with open_library(library, update=False) as (lib, _):
        assert {s.path for s in lib.sets()} == {"a.csv"}
    report, sets, _ = update(library)
    assert sorted(report.analysed) == ["b.csv", "c.csv"]
    assert len({s.path for s in sets}) == 3


def test_left_right_pair_is_one_set_and_reanalysed_together(tmp_path):
    folder = tmp_path / "lib"
    folder.mkdir()
    for side in ("left", "right"):
        write_set(
            folder,
            f"sr-{side}.csv",
            drill="side-run",
            side=side,
            leading_side="left",
            seed=7,
            athlete="ana",
            session="s1",
        )
    report, sets, _ = update(folder)
    assert len(sets) == 2
    assert {s.group_key for s in sets} == {"ana/s1"}
    assert all(s.symmetry_pct is not None for s in sets)
    with open_library(folder, update=False) as (lib, _):
        from sensorlab.history.progress import weekly_progress

        (progress,) = weekly_progress(lib.sets())
    assert progress.weeks[0].sets == 1
    assert progress.weeks[0].contacts == sum(s.contacts for s in sets)

    write_set(
        folder,
        "sr-left.csv",
        drill="side-run",
        side="left",
        leading_side="left",
        seed=8,
        athlete="ana",
        session="s1",
    )
    report, _, _ = update(folder)
    assert sorted(report.analysed) == ["sr-left.csv", "sr-right.csv"]

    (folder / "sr-left.csv").unlink()  # the survivor is analysed again, alone
    report, sets, _ = update(folder)
    assert report.removed == ["sr-left.csv"]
    assert report.analysed == ["sr-right.csv"]
    assert [(s.path, s.group_key, s.symmetry_pct) for s in sets] == [
        ("sr-right.csv", "sr-right.csv", None)
    ]


def test_library_from_environment_and_missing_library(library, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv(LIBRARY_ENV, str(library))
    assert main(["progress", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["library"] == str(library)
    assert main(["progress", "--library", str(tmp_path / "nope")]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert "expected a library folder" in err


def test_analysis_version_is_read_without_importing_the_analysis():
    from sensorlab.analysis import ANALYSIS_VERSION
    from sensorlab.history.index import current_analysis_version

    assert current_analysis_version() == ANALYSIS_VERSION


def test_unusable_index_file_is_moved_aside_and_rebuilt(library, capsys):
    update(library)
    index = library / INDEX_NAME
    index.write_bytes(b"this is not a database" * 100)
    assert main(["progress", "--library", str(library), "--json"]) == 0
    out, err = capsys.readouterr()
    payload = json.loads(out)
    assert payload["index"]["analysed"] == 3
    assert "moved to" in payload["index"]["rebuilt"]
    assert err.count("\n") == 1
    assert "rebuilt" in err
    assert (library / (INDEX_NAME + ".unusable")).exists()
    assert main(["progress", "--library", str(library), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["index"]["rebuilt"] is None
