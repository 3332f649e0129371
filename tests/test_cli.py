"""The command line, driven in-process: contracts of DESIGN §4 and §5, errors, exit codes."""

import json

import pytest
from bad_inputs import BAD_INPUTS

from sensorlab.cli import main


@pytest.mark.parametrize(
    ("case_id", "data", "fragment", "line", "column"), BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS]
)
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, case_id, data, fragment, line, column):
    path = tmp_path / "recording.csv"
    path.write_bytes(data)
    status = main(["analyze", str(path)])
    out, err = capsys.readouterr()
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1, err
    assert fragment in err
    location = (
        str(path) + ("" if line is None else f":{line}") + ("" if column is None else f":{column}")
    )
    assert location + ":" in err
    assert "Traceback" not in err
    assert path.read_bytes() == data  # nothing is touched


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["analyze"], "required"),
        (["analyze", "x.csv", "--placement", "knee"], "invalid choice"),
        (["frobnicate"], "invalid choice"),
        (["drills", "--nope"], "unrecognized arguments"),
        (
            ["simulate", "--drill", "heel-to-glute", "--out", "OUT"],
            "Did you mean 'heels-to-glutes'",
        ),
        (["simulate", "--drill", "run", "--rate", "abc", "--out", "OUT"], "expected a number"),
    ],
)
def test_usage_errors_exit_2_with_one_line(tmp_path, capsys, argv, fragment):
    argv = [str(tmp_path / "o.csv") if a == "OUT" else a for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert fragment in err


def test_version_and_help(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert "sensorlab" in capsys.readouterr().out
    for command in ["demo", "drills", "analyze", "simulate"]:
        with pytest.raises(SystemExit) as info:
            main([command, "-h"])
        assert info.value.code == 0
        assert "usage:" in capsys.readouterr().out


def test_drills_json_lists_the_catalogue(capsys):
    assert main(["drills", "--json"]) == 0
    drills = json.loads(capsys.readouterr().out)
    ids = [d["id"] for d in drills]
    assert "heels-to-glutes" in ids
    assert len(ids) == 12
    h2g = drills[ids.index("heels-to-glutes")]
    assert h2g["primary_metric"] == "contact_ms"
    assert h2g["target"] == 160.0
    assert main(["drills"]) == 0
    assert "Heels to glutes" in capsys.readouterr().out


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sim")
    rec, truth = folder / "h2g.csv", folder / "h2g_truth.csv"
    assert (
        main(
            [
                "simulate",
                "--drill",
                "heels-to-glutes",
                "--rate",
                "400",
                "--duration",
                "12",
                "--seed",
                "3",
                "--out",
                str(rec),
                "--truth",
                str(truth),
            ]
        )
        == 0
    )
    return rec, truth


def test_simulate_refuses_to_overwrite(simulated, capsys):
    rec, _ = simulated
    before = rec.read_bytes()
    assert main(["simulate", "--drill", "run", "--out", str(rec)]) == 2
    assert "refusing to overwrite" in capsys.readouterr().err
    assert rec.read_bytes() == before


def test_analyze_json_follows_the_contract(simulated, capsys):
    rec, truth = simulated
    capsys.readouterr()
    assert main(["analyze", str(rec), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in [
        "file",
        "drill",
        "placement",
        "side",
        "sampling_rate_hz",
        "contacts",
        "summary",
        "target",
        "quality",
    ]:
        assert key in out
    assert out["drill"] == "heels-to-glutes"
    assert out["placement"] == "foot"
    assert out["side"] == "right"
    assert out["sampling_rate_hz"] == pytest.approx(400.0)
    contact = out["contacts"][0]
    assert {"side", "ic_s", "to_s", "contact_ms", "flight_ms"} <= set(contact)
    assert contact["ic_s"] < contact["to_s"]
    assert {"contacts", "cadence_spm", "contact_ms_median", "contact_ms_best"} <= set(
        out["summary"]
    )
    assert out["summary"]["contacts"] == len(out["contacts"])
    assert out["target"]["metric"] == "contact_ms"
    assert out["target"]["met"] in (True, False)
    assert isinstance(out["quality"]["warnings"], list)
    n_truth = sum(1 for line in truth.read_text().splitlines()[1:] if line.startswith("right"))
    assert out["summary"]["contacts"] == n_truth


def test_analyze_text_steps_csv_and_overrides(simulated, tmp_path, capsys):
    rec, _ = simulated
    steps = tmp_path / "steps.csv"
    assert main(["analyze", str(rec), "--steps-csv", str(steps), "--drill", "back-run"]) == 0
    out = capsys.readouterr().out
    assert "Back run" in out
    assert "contact median [ms]" in out
    rows = steps.read_text().splitlines()
    assert rows[0].startswith("file,drill,placement,set,side,ic_s,to_s,contact_ms")
    assert len(rows) > 10
    assert ",back-run," in rows[1]
    assert main(["analyze", str(rec), "--steps-csv", str(steps)]) == 2  # never overwritten


def test_analyze_without_drill_says_run(tmp_path, capsys):
    rec = tmp_path / "plain.csv"
    assert main(["simulate", "--drill", "run", "--duration", "10", "--out", str(rec)]) == 0
    text = rec.read_text().replace("# drill: run\n", "")
    rec.write_text(text)
    capsys.readouterr()
    assert main(["analyze", str(rec), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["drill"] == "run"
    assert any("no drill given" in w for w in out["quality"]["warnings"])


def test_analyze_plot_writes_a_figure(simulated, tmp_path):
    rec, _ = simulated
    png = tmp_path / "set.png"
    assert main(["analyze", str(rec), "--plot", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 20_000
