"""The drill catalogue and the evaluation of a set against its drill's target.

The catalogue is a data file shipped in the package (``catalogue.toml``). Athletes override
targets in their own TOML file, never in the package::

    # targets.toml: applies to everyone in this file ...
    [targets]
    heels-to-glutes = 150.0     # in the unit of the drill's primary metric (here ms)

    # ... unless an athlete has their own (``athlete:`` metadata line of the recording)
    [athletes.alice.targets]
    low-skipping = 210.0
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from sensorlab.errors import DrillError, check_option

Pattern = Literal["walking", "alternating", "skip", "unilateral"]
Metric = Literal["contact_ms", "cadence_spm", "flight_contact_ratio", "symmetry_pct"]

PATTERNS: tuple[Pattern, ...] = ("walking", "alternating", "skip", "unilateral")
METRICS: tuple[Metric, ...] = ("contact_ms", "cadence_spm", "flight_contact_ratio", "symmetry_pct")
METRIC_LABELS: dict[str, str] = {
    "contact_ms": "Contact time [ms]",
    "cadence_spm": "Cadence [steps/min]",
    "flight_contact_ratio": "Flight / contact ratio",
    "symmetry_pct": "Left/right asymmetry [%]",
}
DEFAULT_DRILL = "run"
TARGETS_ENV = "SENSORLAB_TARGETS"


@dataclass(frozen=True)
class Drill:
    """One drill of the catalogue.

    Attributes
    ----------
    id : str
        Stable identifier used on the command line and in files, e.g. ``"heels-to-glutes"``.
    name : str
        Human-readable name for reports.
    pattern : {"walking", "alternating", "skip", "unilateral"}
        How contacts follow each other (see ``catalogue.toml``).
    cues : tuple of str
        Coaching cues.
    primary_metric : str
        The metric the drill is judged on.
    better : {"lower", "higher"}
        Direction in which ``primary_metric`` improves.
    target : float or None
        Target value of ``primary_metric`` (a bound: at most for "lower", at least for
        "higher"), in the metric's unit; None when the drill has no target.
    has_flight : bool
        Whether contacts are separated by a flight phase.
    cadence_spm_range, contact_ms_range : tuple of float
        Plausible (low, high) ranges used to gate detections, in steps/min and ms.
    typical_cadence_spm, typical_contact_ms : float
        Mid values for an athlete doing the drill well.
    """

    id: str
    name: str
    pattern: Pattern
    cues: tuple[str, ...]
    primary_metric: Metric
    better: Literal["lower", "higher"]
    target: float | None
    has_flight: bool
    cadence_spm_range: tuple[float, float]
    contact_ms_range: tuple[float, float]
    typical_cadence_spm: float
    typical_contact_ms: float

    @property
    def contacts_per_detected(self) -> float:
        """Steps of both feet represented by one contact seen by a single foot/shank sensor."""
        return 1.0 if self.pattern == "unilateral" else 2.0

    @property
    def goal(self) -> str:
        """The target as a sentence, e.g. ``"contact_ms <= 160"``."""
        if self.target is None:
            return "no target"
        op = "<=" if self.better == "lower" else ">="
        return f"{self.primary_metric} {op} {self.target:g}"


def _require(table: Mapping[str, Any], key: str, kind: type, where: str) -> Any:
    if key not in table:
        raise DrillError(f"{where}: missing key '{key}'")
    value = table[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind):
        raise DrillError(
            f"{where}: key '{key}' expected {kind.__name__}, found {type(value).__name__}"
        )
    return value


def _range(table: Mapping[str, Any], key: str, where: str) -> tuple[float, float]:
    value = _require(table, key, list, where)
    if len(value) != 2 or not all(isinstance(v, int | float) for v in value):
        raise DrillError(f"{where}: key '{key}' expected [low, high], found {value!r}")
    low, high = float(value[0]), float(value[1])
    if not low < high:
        raise DrillError(f"{where}: key '{key}' expected low < high, found {value!r}")
    return low, high


_KEYS = {
    "name",
    "pattern",
    "cues",
    "primary_metric",
    "better",
    "target",
    "has_flight",
    "cadence_spm_range",
    "contact_ms_range",
    "typical_cadence_spm",
    "typical_contact_ms",
}


def parse_catalogue(data: Mapping[str, Any], source: str) -> dict[str, Drill]:
    """Validate a parsed catalogue TOML document into drills.

    Parameters
    ----------
    data : mapping
        The parsed TOML document.
    source : str
        Name of the file, for error messages.

    Returns
    -------
    dict of str to Drill
        Drills by id, in file order.
    """
    if data.get("schema") != 1:
        raise DrillError(f"{source}: expected schema = 1, found {data.get('schema')!r}")
    drills: dict[str, Drill] = {}
    for drill_id, table in _require(data, "drills", dict, source).items():
        where = f"{source}: [drills.{drill_id}]"
        unknown = sorted(set(table) - _KEYS)
        if unknown:
            raise DrillError(f"{where}: unknown key(s) {', '.join(unknown)}")
        target = table.get("target")
        if target is not None and not isinstance(target, int | float):
            raise DrillError(f"{where}: key 'target' expected a number, found {target!r}")
        drills[drill_id] = Drill(
            id=drill_id,
            name=_require(table, "name", str, where),
            pattern=check_option("pattern", _require(table, "pattern", str, where), PATTERNS),  # type: ignore[arg-type]
            cues=tuple(_require(table, "cues", list, where)),
            primary_metric=check_option(  # type: ignore[arg-type]
                "metric", _require(table, "primary_metric", str, where), METRICS
            ),
            better=check_option(
                "direction", _require(table, "better", str, where), ("lower", "higher")
            ),  # type: ignore[arg-type]
            target=None if target is None else float(target),
            has_flight=_require(table, "has_flight", bool, where),
            cadence_spm_range=_range(table, "cadence_spm_range", where),
            contact_ms_range=_range(table, "contact_ms_range", where),
            typical_cadence_spm=_require(table, "typical_cadence_spm", float, where),
            typical_contact_ms=_require(table, "typical_contact_ms", float, where),
        )
    return drills


@cache
def catalogue() -> dict[str, Drill]:
    """Return the shipped drill catalogue, by id."""
    text = resources.files("sensorlab.drills").joinpath("catalogue.toml").read_text("utf-8")
    return parse_catalogue(tomllib.loads(text), "catalogue.toml")


def get_drill(drill_id: str) -> Drill:
    """Return a drill of the catalogue by id.

    Raises
    ------
    DrillError
        If the id is unknown; the message suggests the closest id.
    """
    drills = catalogue()
    if drill_id not in drills:
        import difflib

        close = difflib.get_close_matches(drill_id, list(drills), n=1, cutoff=0.4)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise DrillError(f"Unknown drill '{drill_id}'.{hint} Run 'sensorlab drills' for the list.")
    return drills[drill_id]


def load_target_overrides(
    path: str | Path | None = None, athlete: str | None = None
) -> dict[str, float]:
    """Read an athlete's target overrides.

    Parameters
    ----------
    path : str or Path, optional
        The overrides TOML file; defaults to the ``SENSORLAB_TARGETS`` environment variable,
        and to no overrides when neither is set.
    athlete : str, optional
        Athlete name; their ``[athletes.NAME.targets]`` table wins over ``[targets]``.

    Returns
    -------
    dict of str to float
        Target by drill id, in the unit of each drill's primary metric.
    """
    if path is None:
        env = os.environ.get(TARGETS_ENV)
        if not env:
            return {}
        path = env
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        raise DrillError(f"{path}: targets file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DrillError(
            f"{path}: expected a TOML targets file, found invalid TOML: {exc}"
        ) from None
    unknown = sorted(set(data) - {"targets", "athletes"})
    if unknown:
        raise DrillError(
            f"{path}: unknown table(s) {', '.join(unknown)}; "
            "expected [targets] or [athletes.NAME.targets]"
        )
    merged: dict[str, Any] = dict(data.get("targets", {}))
    if athlete is not None:
        merged.update(data.get("athletes", {}).get(athlete, {}).get("targets", {}))
    result: dict[str, float] = {}
    for drill_id, value in merged.items():
        try:
            get_drill(drill_id)
        except DrillError as exc:
            raise DrillError(f"{path}: {exc.message}") from None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise DrillError(f"{path}: target for '{drill_id}' expected a number, found {value!r}")
        result[drill_id] = float(value)
    return result


def drill_with_target(drill: Drill, overrides: Mapping[str, float]) -> Drill:
    """Return ``drill`` with its target replaced by the override, if any."""
    if drill.id in overrides:
        return replace(drill, target=overrides[drill.id])
    return drill


@dataclass(frozen=True)
class TargetVerdict:
    """How a set did against its drill's target.

    Attributes
    ----------
    metric : str
        The primary metric judged.
    goal : str
        The target as text, e.g. ``"contact_ms <= 160"``.
    target : float or None
        The bound, in the metric's unit.
    value : float or None
        The set's value of the metric (median contact time for ``contact_ms``); None when it
        cannot be measured from this recording (e.g. symmetry from one foot).
    met : bool or None
        Whether the target is met; None when there is no target or no value.
    margin : float or None
        How far inside (positive) or outside (negative) the target the value is, in the
        metric's unit.
    note : str
        Why ``met`` is None, when it is.
    """

    metric: str
    goal: str
    target: float | None
    value: float | None
    met: bool | None
    margin: float | None
    note: str = ""


def evaluate_target(drill: Drill, value: float | None, note: str = "") -> TargetVerdict:
    """Judge a set's value of the drill's primary metric against the target.

    Parameters
    ----------
    drill : Drill
        The drill, with any athlete override applied.
    value : float or None
        The set's value of ``drill.primary_metric``.
    note : str
        Explanation to keep when ``value`` is None.
    """
    if drill.target is None:
        return TargetVerdict(
            drill.primary_metric,
            drill.goal,
            None,
            value,
            None,
            None,
            note or "this drill has no target",
        )
    if value is None or not math.isfinite(value):
        return TargetVerdict(
            drill.primary_metric,
            drill.goal,
            drill.target,
            None,
            None,
            None,
            note or f"{drill.primary_metric} could not be measured",
        )
    margin = drill.target - value if drill.better == "lower" else value - drill.target
    return TargetVerdict(
        drill.primary_metric, drill.goal, drill.target, value, margin >= 0, margin, note
    )
