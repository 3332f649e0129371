"""`report`: one self-contained HTML file plus CSV tables; the demo ends with one."""

from __future__ import annotations

import base64
import csv
import re
import statistics

import matplotlib

matplotlib.use("Agg")

import pytest
from test_history import write_set

from sensorlab.cli import main
from sensorlab.demo import run_demo
from sensorlab.history.index import open_library


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    folder = tmp_path_factory.mktemp("replib")
    plan = [
        ("a1.csv", "heels-to-glutes", "ana", "2026-03-02T18:00:00+01:00", "s1"),
        ("a2.csv", "heels-to-glutes", "ana", "2026-03-02T18:10:00+01:00", "s1"),
        ("a3.csv", "tiptoe-walk", "ana", "2026-03-09T07:30:00+01:00", "s2"),
        ("b1.csv", "heels-to-glutes", "ben", "2026-03-04T19:00:00-05:00", "s3"),
    ]
    for seed, (name, drill, athlete, started_at, session) in enumerate(plan, start=30):
        write_set(
            folder, name, drill=drill, seed=seed, athlete=athlete, started_at=started_at,
            session=session,
        )  # fmt: skip
    (folder / "broken.csv").write_text("# sensorlab recording 1\ntime_s,acc_x_ms2\n1,2\n")
    return folder


def read_csv(path):
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_report_is_self_contained_with_csv_tables(library, tmp_path, capsys):
    out = tmp_path / "out" / "week.html"
    assert main(["report", "--library", str(library), "--out", str(out)]) == 0
    stdout, err = capsys.readouterr()
    assert "broken.csv" in err  # reported once, on the update that found it
    assert str(out) in stdout
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    # nothing to fetch: no external scripts, styles, fonts or images
    assert not re.search(r"<script|<link|<iframe|url\(|src=\"(?!data:)", page)
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == 1 + 3  # weekly progress + one comparison per athlete and drill
    assert all(base64.b64decode(b).startswith(b"\x89PNG") for b in images)
    for text in ["Heels to glutes", "Tiptoe walk", "ana", "ben", "broken.csv", "week-sets.csv"]:
        assert text in page

    with open_library(library) as (lib, _):
        sets = lib.sets()
        contacts = lib.contacts([s.id for s in sets])
    set_rows = read_csv(out.with_name("week-sets.csv"))
    contact_rows = read_csv(out.with_name("week-contacts.csv"))
    assert len(set_rows) == len(sets) == 4
    assert len(contact_rows) == sum(s.contacts for s in sets)
    for row in set_rows:
        mine = [float(c["contact_ms"]) for c in contact_rows if c["path"] == row["path"]]
        assert len(mine) == int(row["contacts"])
        assert float(row["contact_ms_median"]) == pytest.approx(statistics.median(mine), abs=1e-3)
        if row["primary_metric"] == "contact_ms":
            assert row["met"] == ("true" if float(row["metric_value"]) <= 160 else "false")
    assert {r["week"] for r in set_rows} == {"2026-W10", "2026-W11"}
    assert sum(len(v) for v in contacts.values()) == len(contact_rows)


def test_report_filters_by_dates_and_session(library, tmp_path, capsys):
    out = tmp_path / "r.html"
    argv = ["report", "--library", str(library), "--out", str(out)]
    assert main([*argv, "--from", "2026-03-03", "--to", "2026-03-08"]) == 0
    assert [r["path"] for r in read_csv(tmp_path / "r-sets.csv")] == ["b1.csv"]
    assert main([*argv, "--session", "s1"]) == 0
    assert sorted(r["path"] for r in read_csv(tmp_path / "r-sets.csv")) == ["a1.csv", "a2.csv"]
    capsys.readouterr()
    assert main([*argv, "--from", "2027-01-01"]) == 2
    _, err = capsys.readouterr()
    assert err.count("\n") == 1
    assert "no indexed set" in err
    assert main([*argv, "--from", "2026-03-09", "--to", "2026-03-01"]) == 2
    assert main(["report", "--library", str(library), "--out", str(tmp_path / "r.txt")]) == 2
    assert main([*argv, "--from", "March"]) == 2


def test_demo_ends_with_a_report(tmp_path, capsys):
    recordings = tmp_path / "rec"
    recordings.mkdir()
    write_set(recordings, "h.csv", seed=3, athlete="demo")
    write_set(recordings, "t.csv", drill="tiptoe-walk", seed=4, athlete="demo")
    out = run_demo(recordings_dir=recordings, out_dir=tmp_path / "demo")
    assert "shareable report" in capsys.readouterr().out
    assert (out / "report.html").stat().st_size > 10_000
    assert len(read_csv(out / "report-sets.csv")) == 2
    assert sorted(p.name for p in recordings.iterdir()) == ["h.csv", "t.csv"]  # untouched


def test_readme_documents_the_history_commands_and_their_options():
    from pathlib import Path

    from sensorlab.cli import build_parser

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    for command in ("compare", "progress", "report"):
        start = readme.index(f"### `sensorlab {command} ")
        section = readme[start : readme.find("\n### ", start + 1)]
        for action in sub.choices[command]._actions:
            long = [o for o in action.option_strings if o.startswith("--") and o != "--help"]
            assert not long or long[0] in section, f"{command} {long[0]} is not in its section"
        assert f"$ sensorlab {command}" in section  # an example with its real output
