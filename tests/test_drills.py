import tomllib
from importlib import resources

import pytest

from sensorlab.drills import (
    DrillError,
    catalogue,
    drill_with_target,
    evaluate_target,
    get_drill,
    load_target_overrides,
    parse_catalogue,
)

TEN_DRILLS = [
    "tiptoe-walk",
    "low-skipping",
    "one-leg-skipping",
    "side-run",
    "high-skipping",
    "heels-to-glutes",
    "multi-jumps",
    "one-leg-pedaling",
    "two-legged-pedaling",
    "back-run",
]


def test_catalogue_has_the_ten_drills_plus_walk_and_run():
    assert list(catalogue()) == [*TEN_DRILLS, "walk", "run"]


@pytest.mark.parametrize(
    ("drill_id", "metric", "better", "target"),
    [
        ("tiptoe-walk", "cadence_spm", "higher", 130.0),
        ("low-skipping", "cadence_spm", "higher", 200.0),
        ("one-leg-skipping", "contact_ms", "lower", 180.0),
        ("side-run", "symmetry_pct", "lower", 5.0),
        ("high-skipping", "cadence_spm", "higher", 180.0),
        ("heels-to-glutes", "contact_ms", "lower", 160.0),
        ("multi-jumps", "flight_contact_ratio", "higher", 1.5),
        ("one-leg-pedaling", "contact_ms", "lower", 180.0),
        ("two-legged-pedaling", "symmetry_pct", "lower", 5.0),
        ("back-run", "contact_ms", "lower", 220.0),
        ("walk", "cadence_spm", "higher", None),
        ("run", "contact_ms", "lower", None),
    ],
)
def test_default_targets_follow_design(drill_id, metric, better, target):
    d = get_drill(drill_id)
    assert (d.primary_metric, d.better, d.target) == (metric, better, target)


def test_patterns_match_the_contact_structure():
    assert get_drill("tiptoe-walk").pattern == "walking"
    assert not get_drill("tiptoe-walk").has_flight
    assert get_drill("low-skipping").pattern == "skip"
    assert get_drill("one-leg-skipping").pattern == "unilateral"
    assert get_drill("one-leg-skipping").contacts_per_detected == 1.0
    assert get_drill("heels-to-glutes").contacts_per_detected == 2.0


def test_typical_values_lie_in_the_plausible_ranges():
    for d in catalogue().values():
        assert d.cadence_spm_range[0] < d.typical_cadence_spm < d.cadence_spm_range[1], d.id
        assert d.contact_ms_range[0] < d.typical_contact_ms < d.contact_ms_range[1], d.id
        assert len(d.cues) >= 1


def test_unknown_drill_suggests_the_closest():
    with pytest.raises(DrillError, match="Did you mean 'heels-to-glutes'"):
        get_drill("heel-to-glute")


def test_catalogue_rejects_unknown_keys():
    data = tomllib.loads(resources.files("sensorlab.drills").joinpath("catalogue.toml").read_text())
    data["drills"]["run"]["colour"] = "red"
    with pytest.raises(DrillError, match="unknown key"):
        parse_catalogue(data, "x.toml")


def test_evaluate_lower_and_higher_is_better():
    h2g = get_drill("heels-to-glutes")
    v = evaluate_target(h2g, 150.0)
    assert v.met is True
    assert v.margin == pytest.approx(10.0)
    v = evaluate_target(h2g, 171.0)
    assert v.met is False
    assert v.margin == pytest.approx(-11.0)
    ls = get_drill("low-skipping")
    assert evaluate_target(ls, 210.0).met is True
    assert evaluate_target(ls, 190.0).met is False
    assert evaluate_target(get_drill("run"), 200.0).met is None
    assert evaluate_target(h2g, None).met is None


def test_target_overrides_per_athlete(tmp_path, monkeypatch):
    f = tmp_path / "targets.toml"
    f.write_text(
        "[targets]\nheels-to-glutes = 150\n\n[athletes.alice.targets]\nheels-to-glutes = 140.5\n"
    )
    assert load_target_overrides(f) == {"heels-to-glutes": 150.0}
    assert load_target_overrides(f, athlete="alice") == {"heels-to-glutes": 140.5}
    assert load_target_overrides(f, athlete="bob") == {"heels-to-glutes": 150.0}
    d = drill_with_target(get_drill("heels-to-glutes"), load_target_overrides(f, athlete="alice"))
    assert d.target == 140.5
    assert get_drill("heels-to-glutes").target == 160.0  # the package is untouched
    monkeypatch.setenv("SENSORLAB_TARGETS", str(f))
    assert load_target_overrides() == {"heels-to-glutes": 150.0}


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[targets]\nheel-to-glutes = 150\n", "Did you mean 'heels-to-glutes'"),
        ("[targets]\nheels-to-glutes = 'fast'\n", "expected a number"),
        ("[target]\nrun = 1\n", "unknown table"),
        ("[targets\n", "invalid TOML"),
    ],
)
def test_bad_target_files(tmp_path, text, fragment):
    f = tmp_path / "t.toml"
    f.write_text(text)
    with pytest.raises(DrillError, match=fragment):
        load_target_overrides(f)
