"""Sets of one drill side by side: per-set numbers for ``compare`` and the report.

A :class:`Comparison` holds, for every set (every set of every file, in the order given),
its contact times, cadence, primary-metric value and target verdict, and which set is best:
the one whose primary-metric value is best in the drill's direction (the first of equals).
It is built from analyses (``compare REC...``) or from library rows (the report).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sensorlab.drills import Drill, TargetVerdict, evaluate_target
from sensorlab.errors import UsageError
from sensorlab.history.progress import METRIC_UNITS, goal_text

if TYPE_CHECKING:
    from sensorlab.analysis import RecordingAnalysis
    from sensorlab.history.index import ContactRow, SetRow


@dataclass(frozen=True)
class ComparedSet:
    """One set in a comparison.

    Attributes
    ----------
    label : str
        Short label for figures and tables, e.g. ``"set 2"`` or ``"a.csv · set 2"``.
    file : str
        The recording.
    set_number : int
        1-based set inside the file.
    side : str or None
        Sensor side.
    started_at : str or None
        Start of the set (library sets), ISO 8601.
    contact_ms : tuple of float
        Contact time of every contact, in ms, in time order.
    cadence_spm : float or None
        Cadence, in steps/min.
    contact_ms_median, contact_ms_best : float or None
        Median and shortest contact time, in ms.
    metric_value : float or None
        The set's value of the drill's primary metric, in its unit.
    verdict : TargetVerdict
        The set against the drill's target.
    """

    label: str
    file: str
    set_number: int
    side: str | None
    started_at: str | None
    contact_ms: tuple[float, ...]
    cadence_spm: float | None
    contact_ms_median: float | None
    contact_ms_best: float | None
    metric_value: float | None
    verdict: TargetVerdict


@dataclass(frozen=True)
class Comparison:
    """Sets of one drill, side by side.

    Attributes
    ----------
    drill : Drill
        The drill, with the target in force.
    unit : str
        Unit of the primary metric ('' for a ratio).
    sets : list of ComparedSet
        The sets, in order.
    best : int or None
        Index in ``sets`` of the best set; None when no set has a primary-metric value.
    """

    drill: Drill
    unit: str
    sets: list[ComparedSet]
    best: int | None

    def to_json_dict(self) -> dict[str, Any]:
        """The ``compare --json`` object."""
        return {
            "drill": self.drill.id,
            "drill_name": self.drill.name,
            "metric": self.drill.primary_metric,
            "unit": self.unit,
            "better": self.drill.better,
            "target": self.drill.target,
            "goal": self.drill.goal,
            "best_set": None if self.best is None else self.sets[self.best].label,
            "sets": [
                {
                    "label": s.label,
                    "file": s.file,
                    "set": s.set_number,
                    "side": s.side,
                    "started_at": s.started_at,
                    "contacts": len(s.contact_ms),
                    "cadence_spm": s.cadence_spm,
                    "contact_ms_median": s.contact_ms_median,
                    "contact_ms_best": s.contact_ms_best,
                    "metric_value": s.metric_value,
                    "target": asdict(s.verdict),
                    "best": k == self.best,
                    "contact_ms": list(s.contact_ms),
                }
                for k, s in enumerate(self.sets)
            ],
        }


def best_index(drill: Drill, values: Sequence[float | None]) -> int | None:
    """Index of the best value in the drill's direction (first of equals), None if none."""
    present = [(v, k) for k, v in enumerate(values) if v is not None]
    if not present:
        return None
    if drill.better == "lower":
        return min(present, key=lambda p: (p[0], p[1]))[1]
    return min(present, key=lambda p: (-p[0], p[1]))[1]


def _labels(files: Sequence[str], numbers: Sequence[int], sides: Sequence[str | None]) -> list[str]:
    many_files = len(set(files)) > 1
    names = [Path(f).name for f in files]
    out = []
    for name, number in zip(names, numbers, strict=True):
        label = f"set {number}"
        if many_files:
            label = f"{name} · {label}"
        out.append(label)
    if len(set(out)) < len(out):  # same file name in two folders, or a side pair
        out = [
            f"{label} ({side})" if side else f"{label} #{k + 1}"
            for k, (label, side) in enumerate(zip(out, sides, strict=True))
        ]
    return out


def _pair_sets(analyses: Sequence[RecordingAnalysis]) -> list[ComparedSet] | None:
    """A left and a right foot file of one session: each set once, both feet's contacts.

    Returns None unless ``analyses`` is such a pair (two analyses, sides left and right, the
    pair's symmetry computed). A set of the left file and the right file's set that overlaps
    it in time become one entry, summarised over both feet (as ``analyze --plot`` does).
    """
    from sensorlab.metrics import summarize

    if len(analyses) != 2 or {a.side for a in analyses} != {"left", "right"}:
        return None
    left, right = sorted(analyses, key=lambda a: a.side != "left")
    if left.summary.symmetry_pct is None:
        return None
    out = []
    for s in left.sets:
        partner = [o for o in right.sets if o.start_s < s.end_s and s.start_s < o.end_s]
        merged = sorted(s.contacts + (partner[0].contacts if partner else []), key=lambda c: c.ic_s)
        summary = summarize(merged, drill=left.drill, placement=left.placement, n_sensors=2)
        value = s.target.value if left.drill.primary_metric == "symmetry_pct" else None
        if value is None:
            value = summary.metric(left.drill.primary_metric)
        out.append(
            ComparedSet(
                label=f"set {s.number} (left + right)",
                file=f"{left.file} + {right.file}",
                set_number=s.number,
                side=None,
                started_at=None,
                contact_ms=tuple(c.contact_ms for c in merged),
                cadence_spm=summary.cadence_spm,
                contact_ms_median=summary.contact_ms_median,
                contact_ms_best=summary.contact_ms_best,
                metric_value=value,
                verdict=evaluate_target(left.drill, value),
            )
        )
    return out


def compare_analyses(analyses: Sequence[RecordingAnalysis]) -> Comparison:
    """Compare every set of the given analyses.

    Parameters
    ----------
    analyses : sequence of RecordingAnalysis
        Analyses of one drill.

    Returns
    -------
    Comparison
        One entry per set, files in the order given; a left and a right foot file of one
        session (paired for symmetry by the analysis) give one entry per set, both feet's
        contacts together.

    Raises
    ------
    UsageError
        If the analyses are of different drills, or no set was found.
    """
    drills = {a.drill.id for a in analyses}
    if len(drills) > 1:
        found = ", ".join(f"{a.drill.id} ({Path(a.file).name})" for a in analyses)
        raise UsageError(
            f"compare expects sets of one drill, found {found}",
            hint="compare each drill separately, or pass --drill to analyse all as one drill",
        )
    entries = [(a, s) for a in analyses for s in a.sets]
    if not entries:
        raise UsageError(
            "compare found no set with at least 3 contacts in "
            + ", ".join(Path(a.file).name for a in analyses)
        )
    drill = analyses[0].drill
    pair = _pair_sets(analyses)
    if pair is not None:
        return Comparison(
            drill=drill,
            unit=METRIC_UNITS.get(drill.primary_metric, ""),
            sets=pair,
            best=best_index(drill, [s.metric_value for s in pair]),
        )
    labels = _labels(
        [a.file for a, _ in entries], [s.number for _, s in entries], [a.side for a, _ in entries]
    )
    sets = [
        ComparedSet(
            label=label,
            file=a.file,
            set_number=s.number,
            side=a.side,
            started_at=None,
            contact_ms=tuple(c.contact_ms for c in s.contacts),
            cadence_spm=s.summary.cadence_spm,
            contact_ms_median=s.summary.contact_ms_median,
            contact_ms_best=s.summary.contact_ms_best,
            metric_value=s.target.value,
            verdict=s.target,
        )
        for label, (a, s) in zip(labels, entries, strict=True)
    ]
    return Comparison(
        drill=drill,
        unit=METRIC_UNITS.get(drill.primary_metric, ""),
        sets=sets,
        best=best_index(drill, [s.metric_value for s in sets]),
    )


def compare_rows(
    drill: Drill,
    rows: Sequence[SetRow],
    contacts: Mapping[int, Sequence[ContactRow]],
) -> Comparison:
    """Compare library sets of one drill (the report's per-drill figure).

    Parameters
    ----------
    drill : Drill
        The drill, with the athlete's target applied.
    rows : sequence of SetRow
        Sets of that drill, in the order to show.
    contacts : mapping of int to sequence of ContactRow
        Contacts by set id.

    Returns
    -------
    Comparison
        Labels are the local start dates and times.
    """
    sets = []
    both_sides = len({r.side for r in rows}) > 1
    for r in rows:
        value = r.metric_value
        sets.append(
            ComparedSet(
                label=f"{r.started_at[:10]} {r.started_at[11:16]}"
                + (f" {r.side}" if both_sides and r.side else "")
                + (f" #{r.set_number}" if r.set_number > 1 else ""),
                file=r.path,
                set_number=r.set_number,
                side=r.side,
                started_at=r.started_at,
                contact_ms=tuple(c.contact_ms for c in contacts.get(r.id, [])),
                cadence_spm=r.cadence_spm,
                contact_ms_median=r.contact_ms_median,
                contact_ms_best=r.contact_ms_best,
                metric_value=value,
                verdict=evaluate_target(drill, value),
            )
        )
    return Comparison(
        drill=drill,
        unit=METRIC_UNITS.get(drill.primary_metric, ""),
        sets=sets,
        best=best_index(drill, [s.metric_value for s in sets]),
    )


def compare_text(comparison: Comparison) -> str:
    """Terminal table of a comparison, best set marked with ``*``."""
    from sensorlab.report.text import render_table, verdict_text

    drill = comparison.drill
    unit = f" [{comparison.unit}]" if comparison.unit else ""
    rows = []
    for k, s in enumerate(comparison.sets):
        rows.append(
            [
                ("* " if k == comparison.best else "  ") + s.label,
                str(len(s.contact_ms)),
                "-" if s.cadence_spm is None else f"{s.cadence_spm:.0f}",
                "-" if s.contact_ms_median is None else f"{s.contact_ms_median:.0f}",
                "-" if s.contact_ms_best is None else f"{s.contact_ms_best:.0f}",
                "-" if s.metric_value is None else f"{s.metric_value:.4g}",
                verdict_text(s.verdict),
            ]
        )
    header = [
        "  set",
        "contacts",
        "cadence [spm]",
        "contact median [ms]",
        "best [ms]",
        f"{drill.primary_metric}{unit}",
        "target",
    ]
    best = (
        "no set has a value" if comparison.best is None else comparison.sets[comparison.best].label
    )
    return (
        f"{drill.name}: {len(comparison.sets)} set(s), target {goal_text(drill)}; "
        f"best (*): {best}\n" + render_table(rows, header)
    )
