"""Weekly progress per athlete and drill, from the sets of the library index.

Definitions (one *set* is one physical set: the rows of a left and a right foot file of one
session analysed together count once, see :attr:`SetRow.group_key`):

- week: ISO 8601 week of the set's start date in the athlete's time zone (the UTC offset
  of the recording's ``started_at``);
- ``sets``: sets that week; ``contacts``: contacts of all its files (both feet);
- ``metric_median`` / ``metric_best``: median and best (lowest or highest, as the drill's
  ``better`` says) of the sets' values of the drill's primary metric, in its unit; a set's
  value is the one ``analyze`` reports (median contact time for ``contact_ms``), the mean
  of the two feet for a left/right pair;
- ``cadence_spm``: median of the sets' cadences;
- ``met_share``: share of the sets judged against the target that meet it; targets are the
  current ones (catalogue default, or the athlete's override from the targets file), not
  those in force when the set was indexed;
- ``change`` / ``change_pct``: ``metric_median`` minus that of the previous week listed for
  the drill (the latest earlier week with sets), absolute and in % of it; ``improved`` says
  whether the change goes the drill's better way;
- ``trend_per_week``: least-squares slope of ``metric_median`` over the weeks listed, in the
  metric's unit per week.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sensorlab.drills import (
    Drill,
    drill_with_target,
    evaluate_target,
    get_drill,
    load_target_overrides,
)
from sensorlab.history.index import SetRow

METRIC_UNITS: dict[str, str] = {
    "contact_ms": "ms",
    "cadence_spm": "steps/min",
    "flight_contact_ratio": "",
    "symmetry_pct": "%",
}
"""Unit of each primary metric ('' for a ratio)."""

METRIC_NAMES: dict[str, tuple[str, str]] = {
    "contact_ms": ("contact time", "ms"),
    "cadence_spm": ("cadence", "steps/min"),
    "flight_contact_ratio": ("flight/contact", ""),
    "symmetry_pct": ("asymmetry", "%"),
}


def goal_text(drill: Drill) -> str:
    """The drill's target in words, e.g. ``"contact time ≤ 160 ms"``, or ``"no target"``."""
    if drill.target is None:
        return "no target"
    name, unit = METRIC_NAMES.get(drill.primary_metric, (drill.primary_metric, ""))
    op = "≤" if drill.better == "lower" else "≥"
    return f"{name} {op} {drill.target:g}" + (f" {unit}" if unit else "")


@dataclass(frozen=True)
class PhysicalSet:
    """One set as the athlete did it: one file, or the left and right file of a session.

    Attributes
    ----------
    rows : tuple of SetRow
        The index rows (one per sensor file).
    week : str
        ISO week label of the set's start, e.g. ``"2026-W05"``.
    week_monday : date
        Monday of that week.
    contacts : int
        Contacts of all rows.
    metric_value : float or None
        Primary-metric value (mean over the rows that have one), in the metric's unit.
    cadence_spm : float or None
        Cadence (mean over the rows that have one), in steps/min.
    """

    rows: tuple[SetRow, ...]
    week: str
    week_monday: date
    contacts: int
    metric_value: float | None
    cadence_spm: float | None


def _mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return statistics.fmean(present) if present else None


def physical_sets(rows: Sequence[SetRow]) -> list[PhysicalSet]:
    """Merge the rows of a left/right pair into one set each, keeping time order."""
    grouped: dict[tuple[str, int], list[SetRow]] = defaultdict(list)
    for row in rows:
        grouped[(row.group_key, row.set_number)].append(row)
    out = []
    for members in grouped.values():
        first = members[0]
        out.append(
            PhysicalSet(
                rows=tuple(members),
                week=first.week,
                week_monday=date.fromisocalendar(first.iso_year, first.iso_week, 1),
                contacts=sum(r.contacts for r in members),
                metric_value=_mean([r.metric_value for r in members]),
                cadence_spm=_mean([r.cadence_spm for r in members]),
            )
        )
    return sorted(out, key=lambda s: (s.rows[0].start_utc_s, s.rows[0].path, s.rows[0].set_number))


@dataclass(frozen=True)
class WeekFigures:
    """One drill's figures for one ISO week (see the module docstring for definitions).

    Attributes
    ----------
    week : str
        ISO week, e.g. ``"2026-W05"``.
    week_start : str
        Its Monday, ``YYYY-MM-DD``.
    sets, contacts : int
        Sets and contacts that week.
    metric_median, metric_best : float or None
        Median and best set value of the primary metric, in its unit.
    cadence_spm : float or None
        Median set cadence, in steps/min.
    sets_judged, sets_met : int
        Sets with a verdict, and those meeting the target.
    met_share : float or None
        ``sets_met / sets_judged`` (0 to 1); None when no set was judged.
    previous_week : str or None
        The week ``change`` compares with.
    change, change_pct : float or None
        Change of ``metric_median`` from ``previous_week``, in the unit and in %.
    improved : bool or None
        Whether ``change`` goes the drill's better way (None without a previous week).
    """

    week: str
    week_start: str
    sets: int
    contacts: int
    metric_median: float | None
    metric_best: float | None
    cadence_spm: float | None
    sets_judged: int
    sets_met: int
    met_share: float | None
    previous_week: str | None
    change: float | None
    change_pct: float | None
    improved: bool | None


@dataclass(frozen=True)
class DrillProgress:
    """Weekly figures of one athlete's drill.

    Attributes
    ----------
    athlete : str
        The athlete.
    drill : Drill
        The drill, with the athlete's target applied.
    unit : str
        Unit of the primary metric.
    weeks : list of WeekFigures
        Weeks with sets, oldest first.
    trend_per_week : float or None
        Least-squares slope of the weekly median, in the metric's unit per week.
    trend_start, trend_end : float or None
        The fitted trend line at the first and the last week with a median, in the metric's
        unit (what the chart draws).
    """

    athlete: str
    drill: Drill
    unit: str
    weeks: list[WeekFigures]
    trend_per_week: float | None
    trend_start: float | None = None
    trend_end: float | None = None

    def to_json_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "athlete": self.athlete,
            "drill": self.drill.id,
            "drill_name": self.drill.name,
            "metric": self.drill.primary_metric,
            "unit": self.unit,
            "better": self.drill.better,
            "target": self.drill.target,
            "goal": self.drill.goal,
            "trend_per_week": self.trend_per_week,
            "trend_start": self.trend_start,
            "trend_end": self.trend_end,
            "weeks": [asdict(w) for w in self.weeks],
        }


def _r(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def _fit(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float] | None:
    """Least-squares line ``y = slope * x + intercept``; None with fewer than 2 points."""
    if len(xs) < 2:
        return None
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return None
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    return slope, my - slope * mx


def _week_figures(drill: Drill, sets: Sequence[PhysicalSet]) -> WeekFigures:
    values = [s.metric_value for s in sets if s.metric_value is not None]
    cadences = [s.cadence_spm for s in sets if s.cadence_spm is not None]
    verdicts = [evaluate_target(drill, s.metric_value).met for s in sets]
    judged = [v for v in verdicts if v is not None]
    best = None
    if values:
        best = min(values) if drill.better == "lower" else max(values)
    first = sets[0]
    return WeekFigures(
        week=first.week,
        week_start=first.week_monday.isoformat(),
        sets=len(sets),
        contacts=sum(s.contacts for s in sets),
        metric_median=_r(statistics.median(values)) if values else None,
        metric_best=_r(best),
        cadence_spm=_r(statistics.median(cadences)) if cadences else None,
        sets_judged=len(judged),
        sets_met=sum(judged),
        met_share=_r(sum(judged) / len(judged), 4) if judged else None,
        previous_week=None,
        change=None,
        change_pct=None,
        improved=None,
    )


def _with_changes(drill: Drill, weeks: list[WeekFigures]) -> list[WeekFigures]:
    out: list[WeekFigures] = []
    previous: WeekFigures | None = None
    for w in weeks:
        if previous is not None:
            change = pct = None
            improved = None
            if w.metric_median is not None and previous.metric_median is not None:
                change = w.metric_median - previous.metric_median
                if previous.metric_median != 0:
                    pct = 100.0 * change / abs(previous.metric_median)
                improved = change < 0 if drill.better == "lower" else change > 0
            w = WeekFigures(
                **(
                    asdict(w)
                    | {
                        "previous_week": previous.week,
                        "change": _r(change),
                        "change_pct": _r(pct, 2),
                        "improved": improved,
                    }
                )
            )
        out.append(w)
        previous = w
    return out


def weekly_progress(
    rows: Sequence[SetRow],
    *,
    weeks: int | None = None,
    targets_path: str | Path | None = None,
) -> list[DrillProgress]:
    """Aggregate indexed sets into weekly figures per athlete and drill.

    Parameters
    ----------
    rows : sequence of SetRow
        The sets to aggregate (already filtered by athlete, drill, dates).
    weeks : int, optional
        Keep the last ``weeks`` ISO weeks, ending with the latest week that has a set in
        ``rows`` (so an old library still shows its last weeks).
    targets_path : str or Path, optional
        The athletes' target overrides (TOML); else ``$SENSORLAB_TARGETS``.

    Returns
    -------
    list of DrillProgress
        Sorted by athlete, then by drill in catalogue order.
    """
    sets = physical_sets(rows)
    if weeks is not None and sets:
        last = max(s.week_monday for s in sets)
        first = last - timedelta(weeks=weeks - 1)
        sets = [s for s in sets if s.week_monday >= first]
    by_key: dict[tuple[str, str], list[PhysicalSet]] = defaultdict(list)
    for s in sets:
        by_key[(s.rows[0].athlete, s.rows[0].drill)].append(s)
    from sensorlab.drills import catalogue

    order = {drill_id: k for k, drill_id in enumerate(catalogue())}
    out = []
    overrides: dict[str, dict[str, float]] = {}
    for athlete, drill_id in sorted(by_key, key=lambda k: (k[0], order.get(k[1], 999), k[1])):
        if athlete not in overrides:
            overrides[athlete] = load_target_overrides(targets_path, athlete=athlete)
        drill = drill_with_target(get_drill(drill_id), overrides[athlete])
        by_week: dict[date, list[PhysicalSet]] = defaultdict(list)
        for s in by_key[(athlete, drill_id)]:
            by_week[s.week_monday].append(s)
        figures = _with_changes(drill, [_week_figures(drill, by_week[m]) for m in sorted(by_week)])
        xs: list[float] = []
        ys: list[float] = []
        for w in figures:
            if w.metric_median is not None:
                xs.append((date.fromisoformat(w.week_start) - date(1970, 1, 5)).days / 7.0)
                ys.append(w.metric_median)
        fit = _fit(xs, ys)
        out.append(
            DrillProgress(
                athlete=athlete,
                drill=drill,
                unit=METRIC_UNITS.get(drill.primary_metric, ""),
                weeks=figures,
                trend_per_week=None if fit is None else _r(fit[0]),
                trend_start=None if fit is None else _r(fit[0] * xs[0] + fit[1]),
                trend_end=None if fit is None else _r(fit[0] * xs[-1] + fit[1]),
            )
        )
    return out
