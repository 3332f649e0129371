"""Figures of analysed recordings: the per-set figure and the demo overview.

Plots only draw. Every number on a figure was computed by ``sensorlab.analysis``,
``sensorlab.metrics`` or ``sensorlab.drills``; the only arithmetic here is for display: the
norms of the drawn signals and the min/max decimation of long recordings. Figures are built
on :class:`matplotlib.figure.Figure` directly, never through ``pyplot``, so no state leaks
between calls and no GUI backend is needed; nothing here calls ``show()``.

Public API
----------
set_figure
    Signal with IC/TO marks and contact phases, and the contact time of every contact against
    the drill's target, for one set or the whole recording; optionally both feet of a session.
demo_overview_figure
    One row per set of many recordings: contact-time strip and box, cadence and verdict.
plot_signal, plot_contact_times
    The two panels of ``set_figure`` on their own, drawn into a given ``ax``.
save_figure
    Write a figure to PNG, SVG or PDF, creating the parent directories.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure, SubFigure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.textpath import TextPath
from numpy.typing import NDArray

from sensorlab.drills import Drill, TargetVerdict, evaluate_target
from sensorlab.errors import UsageError
from sensorlab.metrics import Contact, SetSummary, summarize
from sensorlab.units import G_MS2

if TYPE_CHECKING:
    from matplotlib.artist import Artist

    from sensorlab.analysis import RecordingAnalysis, SetResult
    from sensorlab.recording import Recording

FloatArray = NDArray[np.float64]

__all__ = [
    "BLACK",
    "BLUE",
    "BLUISH_GREEN",
    "MAX_PLOT_POINTS",
    "ORANGE",
    "REDDISH_PURPLE",
    "SAVE_FORMATS",
    "SKY_BLUE",
    "VERMILLION",
    "YELLOW",
    "demo_overview_figure",
    "plot_contact_times",
    "plot_signal",
    "save_figure",
    "set_figure",
]

# The Okabe-Ito palette: distinguishable with the common colour-vision deficiencies.
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
GREY = "#6E6E6E"

ACC_COLOUR = BLUE
GYRO_COLOUR = ORANGE
IC_COLOUR = VERMILLION
TO_COLOUR = REDDISH_PURPLE
CONTACT_SHADE = SKY_BLUE
TARGET_COLOUR = BLUISH_GREEN
BEST_COLOUR = VERMILLION
SIDE_STYLE: dict[str, tuple[str, str]] = {"left": (BLUE, "o"), "right": (ORANGE, "s")}
"""Colour and marker of each foot in partner (left + right) figures."""
VERDICT_COLOUR: dict[bool | None, str] = {True: BLUISH_GREEN, False: VERMILLION, None: GREY}

MAX_PLOT_POINTS = 20_000
"""Most points drawn per signal line; longer signals are min/max decimated."""

SAVE_FORMATS = (".png", ".svg", ".pdf")
"""File types ``save_figure`` writes."""

SET_FIGSIZE_IN = (12.0, 7.5)
PARTNER_FIGSIZE_IN = (12.0, 10.0)
PANEL_FIGSIZE_IN = (12.0, 3.8)

# short name, unit, number format of each primary metric in sentences
_METRIC_TEXT: dict[str, tuple[str, str, str]] = {
    "contact_ms": ("contact", "ms", ".0f"),
    "cadence_spm": ("cadence", "steps/min", ".0f"),
    "flight_contact_ratio": ("flight/contact", "", ".2f"),
    "symmetry_pct": ("asymmetry", "%", ".1f"),
}


# --------------------------------------------------------------------------------------------
# text helpers


def _number(value: float | None, fmt: str = ".0f", unit: str = "") -> str:
    if value is None or not np.isfinite(value):
        return "–"
    text = format(value, fmt)
    return f"{text} {unit}" if unit else text


def _goal_text(metric: str, target: float, better: str) -> str:
    name, unit, _ = _METRIC_TEXT.get(metric, (metric, "", ".3g"))
    op = "≤" if better == "lower" else "≥"
    return f"{name} {op} {target:g}" + (f" {unit}" if unit else "")


def _state_text(verdict: TargetVerdict) -> str:
    if verdict.target is None:
        return "no target"
    if verdict.met is None:
        return "not measured"
    return "met" if verdict.met else "not met"


def _verdict_text(verdict: TargetVerdict, drill: Drill) -> str:
    """E.g. ``"target: contact ≤ 160 ms — met"``, or ``"no target"``."""
    if verdict.target is None:
        return "no target"
    goal = _goal_text(verdict.metric, verdict.target, drill.better)
    return f"target: {goal} — {_state_text(verdict)}"


def _metric_value_text(metric: str, value: float | None) -> str:
    name, unit, fmt = _METRIC_TEXT.get(metric, (metric, "", ".3g"))
    if value is None:
        return f"{name} not measured"
    return f"{name} {_number(value, fmt, unit)}"


def _file_name(analysis: RecordingAnalysis) -> str:
    return Path(analysis.file).name


def _side_name(analysis: RecordingAnalysis, fallback: str) -> str:
    return analysis.side if analysis.side is not None else fallback


# --------------------------------------------------------------------------------------------
# what to draw: a set, or the whole recording


@dataclass(frozen=True)
class _View:
    """The part of one analysis a figure draws."""

    label: str
    lo_s: float
    hi_s: float
    contacts: list[Contact]
    summary: SetSummary
    target: TargetVerdict
    boundaries: list[tuple[int, float, float]] = field(default_factory=list)


def _empty_summary(drill: Drill, placement: str) -> SetSummary:
    return summarize([], drill=drill, placement=placement)


def _find_set(analysis: RecordingAnalysis, set_number: int) -> SetResult:
    for s in analysis.sets:
        if s.number == set_number:
            return s
    found = ", ".join(str(s.number) for s in analysis.sets) or "none"
    raise UsageError(
        f"set {set_number} not found in {analysis.file}: expected one of its sets ({found})"
    )


def _set_view(s: SetResult, time_range: tuple[float, float] | None) -> _View:
    lo, hi = s.start_s, s.end_s
    if s.contacts:
        lo = min(lo, s.contacts[0].ic_s)
        hi = max(hi, max(c.to_s for c in s.contacts))
    pad = max(0.3, 0.03 * (hi - lo))
    lo, hi = lo - pad, hi + pad
    if time_range is not None:
        lo, hi = max(lo, time_range[0]), min(hi, time_range[1])
    return _View(f"Set {s.number}", lo, hi, list(s.contacts), s.summary, s.target)


def _whole_view(analysis: RecordingAnalysis, time_range: tuple[float, float] | None) -> _View:
    contacts = analysis.contacts
    if time_range is not None:
        lo, hi = time_range
    elif contacts:
        lo, hi = contacts[0].ic_s - 0.5, max(c.to_s for c in contacts) + 0.5
    else:
        lo, hi = 0.0, 1.0
    n_sets = len(analysis.sets)
    label = f"All {n_sets} sets" if n_sets > 1 else "Whole recording"
    bounds = [(s.number, s.start_s, s.end_s) for s in analysis.sets]
    return _View(label, lo, hi, contacts, analysis.summary, analysis.target, bounds)


def _time_range(recording: Recording) -> tuple[float, float] | None:
    if recording.n_samples == 0:
        return None
    return float(recording.time_s[0]), float(recording.time_s[-1])


def _select(
    analysis: RecordingAnalysis,
    set_number: int | None,
    time_range: tuple[float, float] | None,
) -> _View:
    if set_number is None:
        return _whole_view(analysis, time_range)
    return _set_view(_find_set(analysis, set_number), time_range)


def _partner_view(
    analysis: RecordingAnalysis,
    set_number: int | None,
    time_range: tuple[float, float] | None,
    reference: _View,
) -> _View:
    """Select the partner file's part matching the reference view (the files share a clock)."""
    if set_number is None:
        return _whole_view(analysis, time_range)

    def overlap(s: SetResult) -> float:
        return min(s.end_s, reference.hi_s) - max(s.start_s, reference.lo_s)

    best = max(analysis.sets, key=overlap, default=None)
    if best is None or overlap(best) <= 0:
        same = [s for s in analysis.sets if s.number == set_number]
        best = same[0] if same else None
    if best is None:
        verdict = evaluate_target(analysis.drill, None, "no matching set in this file")
        summary = _empty_summary(analysis.drill, analysis.placement)
        return _View(reference.label, reference.lo_s, reference.hi_s, [], summary, verdict)
    return _set_view(best, time_range)


# --------------------------------------------------------------------------------------------
# signal panel


def _decimate(t: FloatArray, y: FloatArray, max_points: int) -> tuple[FloatArray, FloatArray]:
    """Min/max decimation: every bucket keeps its extremes, so impact peaks stay visible."""
    n = t.size
    if n <= max_points:
        return t, y
    n_buckets = max(1, max_points // 2)
    starts = np.linspace(0, n, n_buckets + 1).astype(np.intp)[:-1]
    ends = np.append(starts[1:], n) - 1
    y_min = np.minimum.reduceat(y, starts)
    y_max = np.maximum.reduceat(y, starts)
    t_out = np.column_stack([t[starts], t[ends]]).ravel()
    y_out = np.column_stack([y_min, y_max]).ravel()
    return t_out, y_out


def _trace(t: FloatArray, y: FloatArray, max_points: int) -> tuple[FloatArray, FloatArray]:
    """Decimated line data, broken (NaN) at gaps longer than 2.5 sample periods."""
    if t.size < 2:
        return t, y
    dt = np.diff(t)
    positive = dt[dt > 0]
    if positive.size == 0:
        return _decimate(t, y, max_points)
    breaks = np.flatnonzero(dt > 2.5 * float(np.median(positive))) + 1
    if breaks.size == 0:
        return _decimate(t, y, max_points)
    xs: list[FloatArray] = []
    ys: list[FloatArray] = []
    nan = np.array([np.nan])
    for part in np.split(np.arange(t.size), breaks):
        budget = max(2, int(max_points * part.size / t.size))
        x_part, y_part = _decimate(t[part], y[part], budget)
        xs += [x_part, nan]
        ys += [y_part, nan]
    return np.concatenate(xs[:-1]), np.concatenate(ys[:-1])


def _draw_signal(
    ax: Axes,
    recording: Recording,
    view: _View,
    *,
    title: str,
    max_points: int,
) -> None:
    """Acceleration norm [g], angular-rate norm [deg/s], contact phases and IC/TO marks."""
    t_all = recording.time_s
    i0 = int(np.searchsorted(t_all, view.lo_s, side="left"))
    i1 = int(np.searchsorted(t_all, view.hi_s, side="right"))
    t = np.asarray(t_all[i0:i1], dtype=np.float64)
    acc_g = np.linalg.norm(recording.acc_ms2[i0:i1], axis=1) / G_MS2
    x, y = _trace(t, acc_g, max_points)
    handles: list[Artist] = []
    (acc_line,) = ax.plot(x, y, color=ACC_COLOUR, lw=0.8, label="acceleration norm", zorder=3)
    acc_line.set_gid("acc-norm")
    handles.append(acc_line)
    top_g = float(np.max(acc_g)) if acc_g.size else 2.0
    ax.set_ylim(0.0, max(top_g, 1.5) * 1.2)

    if recording.gyr_dps is not None:
        gyro = ax.twinx()
        gyr_dps = np.linalg.norm(recording.gyr_dps[i0:i1], axis=1)
        gx, gy = _trace(t, gyr_dps, max_points)
        (gyr_line,) = gyro.plot(
            gx, gy, color=GYRO_COLOUR, lw=0.7, alpha=0.6, label="angular rate norm"
        )
        gyr_line.set_gid("gyr-norm")
        handles.append(gyr_line)
        top_dps = float(np.max(gyr_dps)) if gyr_dps.size else 100.0
        gyro.set_ylim(0.0, max(top_dps, 10.0) * 1.2)
        gyro.set_ylabel("Angular rate norm [deg/s]", color=GYRO_COLOUR)
        gyro.tick_params(axis="y", colors=GYRO_COLOUR)
        # acceleration on top of the lighter gyro trace
        ax.set_zorder(gyro.get_zorder() + 1)
        ax.patch.set_visible(False)

    contacts = [c for c in view.contacts if c.to_s >= view.lo_s and c.ic_s <= view.hi_s]
    if contacts:
        blend = ax.get_xaxis_transform()
        spans = [(c.ic_s, c.to_s - c.ic_s) for c in contacts]
        shade = ax.broken_barh(
            spans,
            (0.0, 1.0),
            transform=blend,
            facecolors=CONTACT_SHADE,
            alpha=0.3,
            label="contact phase",
            zorder=1,
        )
        handles.append(shade)
        size = 6.0 if len(contacts) <= 120 else 3.5
        ic = [c.ic_s for c in contacts]
        to = [c.to_s for c in contacts]
        (ic_marks,) = ax.plot(
            ic,
            [0.96] * len(ic),
            ls="none",
            marker="v",
            ms=size,
            color=IC_COLOUR,
            transform=blend,
            label="IC",
            zorder=4,
        )
        (to_marks,) = ax.plot(
            to,
            [0.96] * len(to),
            ls="none",
            marker="^",
            ms=size,
            color=TO_COLOUR,
            transform=blend,
            label="TO",
            zorder=4,
        )
        ic_marks.set_gid("ic")
        to_marks.set_gid("to")
        handles += [ic_marks, to_marks]
    _draw_set_boundaries(ax, view, label=True)

    ax.set_xlim(view.lo_s, view.hi_s)
    ax.set_xlabel("Time [s]")
    ax.set_ylabel("Acceleration norm [g]", color=ACC_COLOUR)
    ax.tick_params(axis="y", colors=ACC_COLOUR)
    ax.set_title(title, loc="left", fontsize=10)
    if t.size == 0:
        ax.text(
            0.5,
            0.5,
            "no samples in this time range",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color=GREY,
        )
    ax.legend(
        handles=handles,
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        ncol=len(handles),
        frameon=False,
        fontsize=8,
        borderaxespad=0.2,
        handlelength=1.5,
    )


def _draw_set_boundaries(ax: Axes, view: _View, *, label: bool) -> None:
    if len(view.boundaries) < 2 and not label:
        return
    blend = ax.get_xaxis_transform()
    for number, start_s, end_s in view.boundaries:
        ax.axvline(start_s, color=BLACK, ls="--", lw=0.8, alpha=0.7, zorder=2)
        ax.axvline(end_s, color=BLACK, ls=":", lw=0.8, alpha=0.7, zorder=2)
        if label and len(view.boundaries) <= 40:
            ax.text(
                start_s,
                0.02,
                f" set {number}",
                transform=blend,
                fontsize=8,
                ha="left",
                va="bottom",
                color=BLACK,
                zorder=5,
            )


# --------------------------------------------------------------------------------------------
# contact-time panel


@dataclass(frozen=True)
class _Series:
    """The contacts of one sensor in the contact-time panel."""

    name: str
    contacts: list[Contact]
    summary: SetSummary
    colour: str
    marker: str


def _contact_title(drill: Drill, verdict: TargetVerdict) -> str:
    title = "Contact time per contact"
    if drill.primary_metric == "contact_ms":
        return title
    value = _metric_value_text(verdict.metric, verdict.value)
    return f"{title}\nprimary metric: {value} · {_verdict_text(verdict, drill)}"


def _draw_contacts(
    ax: Axes,
    series: Sequence[_Series],
    drill: Drill,
    verdict: TargetVerdict,
    view: _View,
) -> None:
    """Contact time of every contact [ms] at its IC time, median, best and target band."""
    handles: list[Artist] = []
    values: list[float] = []
    single = len(series) == 1
    for s in series:
        if not s.contacts:
            continue
        ic = np.array([c.ic_s for c in s.contacts])
        ct = np.array([c.contact_ms for c in s.contacts])
        values += ct.tolist()
        label = f"contacts (n = {ct.size})" if single else f"{s.name} (n = {ct.size})"
        (points,) = ax.plot(
            ic,
            ct,
            ls="none",
            marker=s.marker,
            ms=5.0 if len(s.contacts) <= 200 else 3.0,
            color=s.colour,
            alpha=0.85,
            label=label,
            zorder=3,
        )
        points.set_gid(f"contacts-{s.name}")
        handles.append(points)
        median = s.summary.contact_ms_median
        if median is not None:
            text = f"median {median:.0f} ms" if single else f"{s.name} median {median:.0f} ms"
            med = ax.axhline(
                median, color=BLACK if single else s.colour, ls="--", lw=1.2, label=text, zorder=2
            )
            med.set_gid(f"median-{s.name}")
            handles.append(med)
        if single:
            k = int(np.argmin(ct))
            (best,) = ax.plot(
                [ic[k]],
                [ct[k]],
                ls="none",
                marker="*",
                ms=14,
                color=BEST_COLOUR,
                markeredgecolor=BLACK,
                markeredgewidth=0.6,
                label=f"best {ct[k]:.0f} ms",
                zorder=4,
            )
            best.set_gid("best")
            handles.append(best)

    target = verdict.target if drill.primary_metric == "contact_ms" else None
    bounds = values + ([target] if target is not None else [])
    if bounds:
        low, high = min(bounds), max(bounds)
        pad = max(20.0, 0.15 * (high - low))
        y_lo, y_hi = max(0.0, low - pad), high + pad
    else:
        y_lo, y_hi = 0.0, 300.0 if target is None else 1.6 * target
    ax.set_ylim(y_lo, y_hi)
    if target is not None:
        lower = drill.better == "lower"
        ax.axhspan(
            y_lo if lower else target,
            target if lower else y_hi,
            color=TARGET_COLOUR,
            alpha=0.12,
            lw=0,
            zorder=0,
        )
        goal = _goal_text("contact_ms", target, drill.better)
        line = ax.axhline(target, color=TARGET_COLOUR, lw=2.0, label=f"target: {goal}", zorder=2)
        line.set_gid("target")
        handles.append(line)
    if not values:
        ax.text(
            0.5,
            0.8,
            "no contacts detected",
            transform=ax.transAxes,
            ha="center",
            va="center",
            color=GREY,
            fontsize=11,
            zorder=6,
            bbox={"facecolor": "white", "edgecolor": GREY, "boxstyle": "round"},
        )
    _draw_set_boundaries(ax, view, label=False)
    ax.set_xlim(view.lo_s, view.hi_s)
    ax.set_xlabel("Time of initial contact [s]")
    ax.set_ylabel("Contact time [ms]")
    ax.grid(axis="y", alpha=0.3)
    ax.set_title(_contact_title(drill, verdict), loc="left", fontsize=10)
    if handles:
        ax.legend(
            handles=handles,
            loc="lower right",
            bbox_to_anchor=(1.0, 1.0),
            ncol=min(len(handles), 5),
            frameon=False,
            fontsize=8,
            borderaxespad=0.2,
        )


# --------------------------------------------------------------------------------------------
# public figures


def _root_figure(ax: Axes) -> Figure:
    fig = ax.figure
    while isinstance(fig, SubFigure):
        fig = fig.figure
    if not isinstance(fig, Figure):  # pragma: no cover - an Axes always belongs to a figure
        raise TypeError("expected an Axes that belongs to a Figure")
    return fig


def plot_signal(
    recording: Recording,
    analysis: RecordingAnalysis,
    *,
    set_number: int | None = None,
    ax: Axes | None = None,
    max_points: int = MAX_PLOT_POINTS,
) -> Figure:
    """Draw the signal of a set with its contacts.

    Parameters
    ----------
    recording : Recording
        The samples that were analysed.
    analysis : RecordingAnalysis
        The analysis of ``recording``.
    set_number : int, optional
        1-based set to draw; None draws the whole recording with the set boundaries.
    ax : Axes, optional
        Where to draw; a new figure is made when omitted.
    max_points : int
        Most points drawn per line; longer signals are min/max decimated.

    Returns
    -------
    Figure
        The figure holding ``ax``.
    """
    if ax is None:
        ax = Figure(figsize=PANEL_FIGSIZE_IN, layout="constrained").add_subplot()
    view = _select(analysis, set_number, _time_range(recording))
    title = f"{view.label} · {_file_name(analysis)}"
    _draw_signal(ax, recording, view, title=title, max_points=max_points)
    return _root_figure(ax)


def plot_contact_times(
    analysis: RecordingAnalysis,
    *,
    set_number: int | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Draw the contact time of every contact of a set against the drill's target.

    Parameters
    ----------
    analysis : RecordingAnalysis
        The analysis.
    set_number : int, optional
        1-based set to draw; None draws all sets.
    ax : Axes, optional
        Where to draw; a new figure is made when omitted.

    Returns
    -------
    Figure
        The figure holding ``ax``.
    """
    if ax is None:
        ax = Figure(figsize=PANEL_FIGSIZE_IN, layout="constrained").add_subplot()
    view = _select(analysis, set_number, None)
    name = _side_name(analysis, "sensor")
    series = [_Series(name, view.contacts, view.summary, BLUE, "o")]
    _draw_contacts(ax, series, analysis.drill, view.target, view)
    return _root_figure(ax)


def _header_line1(analyses: Sequence[RecordingAnalysis]) -> str:
    first = analyses[0]
    files = " + ".join(_file_name(a) for a in analyses)
    where = first.placement
    if len(analyses) == 1 and first.side is not None:
        where = f"{where}, {first.side}"
    return f"{first.drill.name} — {files} · {where} · {first.sampling_rate_hz:.0f} Hz"


def _summary_text(summary: SetSummary, *, cadence: bool = True) -> str:
    parts = [f"{summary.contacts} contacts"]
    if summary.contacts == 0:
        return parts[0]
    if cadence:
        parts.append(f"cadence {_number(summary.cadence_spm, '.0f', 'steps/min')}")
    parts.append(
        f"contact median {_number(summary.contact_ms_median, '.0f', 'ms')}, "
        f"best {_number(summary.contact_ms_best, '.0f', 'ms')}"
    )
    return " · ".join(parts)


def set_figure(
    recording: Recording,
    analysis: RecordingAnalysis,
    *,
    set_number: int | None = None,
    partner: tuple[Recording, RecordingAnalysis] | None = None,
) -> Figure:
    """Draw one set: the signal with its contacts, and contact times against the target.

    Parameters
    ----------
    recording : Recording
        The samples that were analysed.
    analysis : RecordingAnalysis
        The analysis of ``recording``.
    set_number : int, optional
        1-based set to draw; None draws the whole recording, set boundaries marked.
    partner : tuple of (Recording, RecordingAnalysis), optional
        The other foot's file of the same session (same clock). Adds its signal panel, draws
        both feet's contact times in one panel and shows the left/right asymmetry.

    Returns
    -------
    Figure
        Header: drill, file, placement, rate, the set's summary and verdict. Panels: signal
        (acceleration norm [g], angular-rate norm [deg/s] when there is a gyroscope, IC/TO
        marks, contact phases shaded), then contact time per contact [ms] with median, best
        and the target band when the drill's primary metric is contact time.

    Raises
    ------
    UsageError
        If ``set_number`` is not a set of ``analysis``.

    Notes
    -----
    Signals longer than ``MAX_PLOT_POINTS`` samples are min/max decimated for drawing.
    """
    view = _select(analysis, set_number, _time_range(recording))
    if partner is None:
        fig = Figure(figsize=SET_FIGSIZE_IN, layout="constrained")
        grid = fig.add_gridspec(2, 1, height_ratios=[1.15, 1.0])
        ax_signal = fig.add_subplot(grid[0])
        ax_contacts = fig.add_subplot(grid[1], sharex=ax_signal)
        _draw_signal(
            ax_signal, recording, view, title=f"{view.label} · signal", max_points=MAX_PLOT_POINTS
        )
        series = [_Series(_side_name(analysis, "sensor"), view.contacts, view.summary, BLUE, "o")]
        _draw_contacts(ax_contacts, series, analysis.drill, view.target, view)
        line2 = f"{view.label}: {_summary_text(view.summary)} · "
        line2 += _verdict_text(view.target, analysis.drill)
        fig.suptitle(f"{_header_line1([analysis])}\n{line2}", fontsize=11)
        return fig

    other_recording, other = partner
    other_view = _partner_view(other, set_number, _time_range(other_recording), view)
    sides: list[tuple[Recording, RecordingAnalysis, _View]] = [
        (recording, analysis, view),
        (other_recording, other, other_view),
    ]
    if analysis.side == "right" and other.side == "left":
        sides.reverse()
    names = [_side_name(a, f"sensor {k + 1}") for k, (_, a, _) in enumerate(sides)]
    merged = sorted(view.contacts + other_view.contacts, key=lambda c: c.ic_s)
    pair = summarize(merged, drill=analysis.drill, placement=analysis.placement, n_sensors=2)
    pair_verdict = evaluate_target(
        analysis.drill,
        pair.metric(analysis.drill.primary_metric),
        "" if merged else "no contacts",
    )

    fig = Figure(figsize=PARTNER_FIGSIZE_IN, layout="constrained")
    grid = fig.add_gridspec(3, 1, height_ratios=[1.0, 1.0, 1.1])
    ax_first = fig.add_subplot(grid[0])
    axes = [ax_first, fig.add_subplot(grid[1], sharex=ax_first)]
    ax_contacts = fig.add_subplot(grid[2], sharex=ax_first)
    series = []
    for ax, name, (rec, a, v) in zip(axes, names, sides, strict=True):
        title = f"{name.capitalize()} · {_file_name(a)} · {v.label} · signal"
        _draw_signal(ax, rec, v, title=title, max_points=MAX_PLOT_POINTS)
        colour, marker = SIDE_STYLE.get(name, (BLUE, "o") if not series else (ORANGE, "s"))
        series.append(_Series(name, v.contacts, v.summary, colour, marker))
    lo = min(v.lo_s for _, _, v in sides)
    hi = max(v.hi_s for _, _, v in sides)
    ax_first.set_xlim(lo, hi)
    pair_view = _View(view.label, lo, hi, merged, pair, pair_verdict, view.boundaries)
    _draw_contacts(ax_contacts, series, analysis.drill, pair_verdict, pair_view)
    ax_first.set_xlim(lo, hi)

    line2 = f"{view.label} · " + " · ".join(
        f"{name}: {_summary_text(v.summary, cadence=False)}"
        for name, (_, _, v) in zip(names, sides, strict=True)
    )
    line3 = (
        f"both feet: cadence {_number(pair.cadence_spm, '.0f', 'steps/min')} · "
        f"asymmetry {_number(pair.symmetry_pct, '.1f', '%')} · "
        f"{_verdict_text(pair_verdict, analysis.drill)}"
    )
    fig.suptitle(f"{_header_line1([a for _, a, _ in sides])}\n{line2}\n{line3}", fontsize=11)
    return fig


@dataclass(frozen=True)
class _Row:
    label: str
    drill: Drill
    contact_ms: FloatArray
    summary: SetSummary
    target: TargetVerdict


def _overview_rows(analyses: Sequence[RecordingAnalysis]) -> list[_Row]:
    rows: list[_Row] = []
    for a in analyses:
        base = a.drill.name + (f" ({a.side})" if a.side is not None else "")
        if not a.sets:
            rows.append(_Row(base, a.drill, np.empty(0), a.summary, a.target))
        for s in a.sets:
            label = base if len(a.sets) == 1 else f"{base} · set {s.number}"
            ct = np.array([c.contact_ms for c in s.contacts], dtype=np.float64)
            rows.append(_Row(label, a.drill, ct, s.summary, s.target))
    return rows


def _text_width_pt(text: str, *, size_pt: float, bold: bool = False) -> float:
    """Width of a one-line text in points, in the default font."""
    prop = FontProperties(size=size_pt, weight="bold" if bold else "normal")
    return float(TextPath((0.0, 0.0), text, prop=prop).get_extents().width)


def _overview_columns(rows: Sequence[_Row]) -> list[tuple[str, list[str], list[str]]]:
    """(header, texts, colours) of the text columns right of the contact-time strips."""
    cadence = [_number(r.summary.cadence_spm, ".0f") for r in rows]
    value = [_metric_value_text(r.target.metric, r.target.value) for r in rows]
    goal = [
        "–"
        if r.target.target is None
        else _goal_text(r.target.metric, r.target.target, r.drill.better).split(" ", 1)[1]
        for r in rows
    ]
    state = [_state_text(r.target) for r in rows]
    return [
        ("Cadence [steps/min]", cadence, [BLACK] * len(rows)),
        ("Primary metric", value, [BLACK] * len(rows)),
        ("Target", goal, [BLACK] * len(rows)),
        ("Verdict", state, [VERDICT_COLOUR[r.target.met] for r in rows]),
    ]


def demo_overview_figure(analyses: Sequence[RecordingAnalysis]) -> Figure:
    """One row per set of many recordings: contact times, cadence and verdict.

    Parameters
    ----------
    analyses : sequence of RecordingAnalysis
        The analyses to show, one row per set (one row for a recording without sets), in
        the order given. Readable up to about 15 rows.

    Returns
    -------
    Figure
        Left: each set's contact times [ms] as a strip of points with a quartile box and
        the median, the target marked where the drill's primary metric is contact time.
        Right: cadence [steps/min], the primary metric, its target and the verdict.
    """
    rows = _overview_rows(analyses)
    n = len(rows)
    size_pt = 9.0
    gap_pt = 14.0
    columns = _overview_columns(rows)
    widths_pt = [
        max(
            [_text_width_pt(head, size_pt=size_pt, bold=True)]
            + [_text_width_pt(t, size_pt=size_pt, bold=k == len(columns) - 1) for t in texts]
        )
        + gap_pt
        for k, (head, texts, _) in enumerate(columns)
    ]
    labels = [r.label for r in rows]
    label_in = max([_text_width_pt(t, size_pt=10.0) for t in labels] + [0.0]) / 72.0
    strip_in = 5.0
    text_in = sum(widths_pt) / 72.0
    width_in = label_in + strip_in + text_in + 0.8
    fig = Figure(figsize=(max(width_in, 9.0), 1.6 + 0.42 * max(n, 1)), layout="constrained")
    grid = fig.add_gridspec(1, 2, width_ratios=[strip_in, text_in])
    ax = fig.add_subplot(grid[0])
    text_ax = fig.add_subplot(grid[1], sharey=ax)
    text_ax.set_axis_off()
    fig.suptitle("Drills overview: contact time, cadence and target per set", fontsize=12)
    if n == 0:
        ax.text(0.5, 0.5, "no recordings", transform=ax.transAxes, ha="center", va="center")
        ax.set_xlabel("Contact time [ms]")
        ax.set_yticks([])
        return fig

    all_ct = [v for r in rows for v in r.contact_ms.tolist()]
    targets = [
        r.target.target
        for r in rows
        if r.drill.primary_metric == "contact_ms" and r.target.target is not None
    ]
    x_hi = 1.08 * max(all_ct + targets + [100.0])
    for i, row in enumerate(rows):
        target = row.target.target if row.drill.primary_metric == "contact_ms" else None
        if target is not None:
            lower = row.drill.better == "lower"
            x0, x1 = (0.0, target) if lower else (target, x_hi)
            ax.add_patch(
                Rectangle(
                    (x0, i - 0.42), x1 - x0, 0.84, color=TARGET_COLOUR, alpha=0.12, lw=0, zorder=0
                )
            )
            (mark,) = ax.plot(
                [target, target], [i - 0.42, i + 0.42], color=TARGET_COLOUR, lw=2.2, zorder=2
            )
            mark.set_gid(f"target-{i}")
        ct = row.contact_ms
        if ct.size == 0:
            ax.text(
                0.01 * x_hi,
                i,
                "no contacts",
                va="center",
                ha="left",
                color=GREY,
                fontsize=9,
                style="italic",
            )
            continue
        jitter = ((np.arange(ct.size) * 0.6180339887) % 1.0 - 0.5) * 0.5
        ax.plot(
            ct,
            i + jitter,
            ls="none",
            marker="o",
            ms=3.5,
            color=BLUE,
            alpha=0.55,
            markeredgewidth=0,
            zorder=3,
        )
        q1, median, q3 = np.percentile(ct, [25.0, 50.0, 75.0])
        ax.add_patch(
            Rectangle((q1, i - 0.3), q3 - q1, 0.6, fill=False, edgecolor=BLACK, lw=1.2, zorder=4)
        )
        ax.plot([median, median], [i - 0.3, i + 0.3], color=BLACK, lw=2.4, zorder=5)

    ax.set_xlim(0.0, x_hi)
    ax.set_ylim(n - 0.5, -0.5)
    ax.set_yticks(range(n), labels)
    ax.set_xlabel("Contact time [ms]")
    ax.grid(axis="x", alpha=0.3)
    legend = [
        Line2D([], [], ls="none", marker="o", ms=4, color=BLUE, alpha=0.7, label="contact"),
        Patch(fill=False, edgecolor=BLACK, label="quartiles"),
        Line2D([], [], color=BLACK, lw=2.4, label="median"),
        Line2D([], [], color=TARGET_COLOUR, lw=2.2, label="contact-time target"),
        Patch(color=TARGET_COLOUR, alpha=0.2, label="target zone"),
    ]
    ax.legend(
        handles=legend,
        loc="lower left",
        bbox_to_anchor=(0.0, 1.0),
        ncol=5,
        frameon=False,
        fontsize=8,
        borderaxespad=0.2,
        handlelength=1.6,
    )

    row_y = text_ax.get_yaxis_transform()
    x_pt = 0.0
    for k, ((head, texts, colours), width_pt) in enumerate(zip(columns, widths_pt, strict=True)):
        weight = "bold" if k == len(columns) - 1 else "normal"
        text_ax.annotate(
            head,
            xy=(0.0, -0.5),
            xycoords=row_y,
            xytext=(x_pt, 4.0),
            textcoords="offset points",
            ha="left",
            va="bottom",
            fontsize=size_pt,
            fontweight="bold",
        )
        for i, (text, colour) in enumerate(zip(texts, colours, strict=True)):
            text_ax.annotate(
                text,
                xy=(0.0, i),
                xycoords=row_y,
                xytext=(x_pt, 0.0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=size_pt,
                color=colour,
                fontweight=weight,
            )
        x_pt += width_pt
    return fig


def save_figure(fig: Figure, path: str | Path, *, dpi: float = 120.0) -> Path:
    """Write a figure to a file, creating its parent directories.

    Parameters
    ----------
    fig : Figure
        The figure.
    path : str or Path
        Where to write; the suffix (.png, .svg or .pdf) chooses the format.
    dpi : float
        Resolution of raster output, in dots per inch.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    UsageError
        If the suffix is not one of ``SAVE_FORMATS``.
    """
    out = Path(path)
    suffix = out.suffix.lower()
    if suffix not in SAVE_FORMATS:
        raise UsageError(
            f"cannot write a figure to '{out}': expected a file ending in "
            f"{', '.join(SAVE_FORMATS)}, found '{suffix or 'no suffix'}'"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, format=suffix[1:], dpi=dpi)
    return out
