"""Figures of the history layer: sets side by side, and weekly progress per drill.

Plots only draw: every number comes from :mod:`sensorlab.history` (the comparison, the
weekly figures and the fitted trend). Built on :class:`matplotlib.figure.Figure` directly,
never ``pyplot``; nothing here calls ``show()``. Colours are the Okabe-Ito palette of
:mod:`sensorlab.report.figures`.

Public API
----------
compare_figure
    Each set's contact times as points over a quartile box, the target band, the best set
    highlighted, cadence and verdict under each set (and the primary metric per set when it
    is not contact time).
progress_figure
    Small multiples, one panel per drill: weekly median (line), best set (hollow marker),
    target line and band, fitted trend; one colour per athlete.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from sensorlab.drills import METRIC_LABELS, Drill
from sensorlab.history.compare import Comparison
from sensorlab.history.progress import DrillProgress, goal_text
from sensorlab.report.figures import (
    BLACK,
    BLUE,
    BLUISH_GREEN,
    GREY,
    ORANGE,
    REDDISH_PURPLE,
    SKY_BLUE,
    VERDICT_COLOUR,
    VERMILLION,
    YELLOW,
    _text_width_pt,
)

__all__ = ["ATHLETE_COLOURS", "compare_figure", "goal_text", "progress_figure"]

ATHLETE_COLOURS = (BLUE, ORANGE, REDDISH_PURPLE, SKY_BLUE, VERMILLION, BLACK)
"""Line colour of each athlete in the progress chart, in order of appearance."""
TARGET_COLOUR = BLUISH_GREEN
BEST_SHADE = YELLOW

_VERDICT_WORD = {True: "met", False: "not met", None: "–"}
_VERDICT_MARK = {True: "✓", False: "✗", None: "–"}


def _metric_label(metric: str) -> str:
    return METRIC_LABELS.get(metric, metric)


def _target_band(ax: Axes, drill: Drill, target: float, lo: float, hi: float) -> Line2D:
    """Shade the side of ``target`` that meets it and draw the target line."""
    lower = drill.better == "lower"
    ax.axhspan(
        lo if lower else target, target if lower else hi, color=TARGET_COLOUR, alpha=0.12, lw=0
    )
    (line,) = ax.plot([], [], color=TARGET_COLOUR, lw=2.0, label=f"target: {goal_text(drill)}")
    ax.axhline(target, color=TARGET_COLOUR, lw=2.0, zorder=2).set_gid("target")
    return line


def _limits(values: Sequence[float], target: float | None) -> tuple[float, float]:
    bounds = list(values) + ([target] if target is not None else [])
    if not bounds:
        return 0.0, 1.0
    lo, hi = min(bounds), max(bounds)
    pad = max(0.12 * (hi - lo), 0.05 * max(abs(hi), 1e-9), 1e-3)
    return max(0.0, lo - pad) if lo >= 0 else lo - pad, hi + pad


# --------------------------------------------------------------------------------------------
# compare


def compare_figure(comparison: Comparison) -> Figure:
    """Draw sets of one drill side by side.

    Parameters
    ----------
    comparison : Comparison
        The sets, their numbers and the best set.

    Returns
    -------
    Figure
        Top: contact time of every contact [ms] per set (points over a quartile box with the
        median), the target band when the primary metric is contact time. When it is not, a
        second panel shows each set's primary metric (in its unit) against the target. The
        best set has a yellow background. Under the sets: cadence [steps/min] and verdict.
        The figure widens with the number of sets (readable up to about 60).
    """
    drill = comparison.drill
    sets = comparison.sets
    n = len(sets)
    metric = drill.primary_metric
    extra_panel = metric != "contact_ms"
    font = 9.0 if n <= 20 else 7.5
    # about 0.5 in per set up to 20 sets, then 0.28 in (room for a rotated label's height)
    width_in = min(max(3.0 + 0.55 * n, 9.0), 14.0) if n <= 20 else min(3.0 + 0.28 * n, 22.0)
    slot_pt = 0.85 * (width_in - 2.2) * 72.0 / max(n, 1)  # room per set, minus the row titles
    label_pt = max((_text_width_pt(s.label, size_pt=font) for s in sets), default=0.0)
    rotate = label_pt > slot_pt
    compact = _text_width_pt("not met", size_pt=font, bold=True) > slot_pt
    label_in = (label_pt / 72.0 + 0.1) if rotate else 0.45
    heights = [3.6] + ([1.9] if extra_panel else []) + [0.55]
    fig = Figure(figsize=(width_in, sum(heights) + label_in + 1.3), layout="constrained")
    grid = fig.add_gridspec(len(heights), 1, height_ratios=heights)
    ax = fig.add_subplot(grid[0])
    metric_ax = fig.add_subplot(grid[1], sharex=ax) if extra_panel else None
    table = fig.add_subplot(grid[-1], sharex=ax)
    xs = np.arange(n, dtype=np.float64)

    # contact times: points over a quartile box
    all_ct = [v for s in sets for v in s.contact_ms]
    target_ct = drill.target if metric == "contact_ms" else None
    lo, hi = _limits(all_ct, target_ct)
    if target_ct is not None:
        target_handle = _target_band(ax, drill, target_ct, lo, hi)
    for k, s in enumerate(sets):
        ct = np.asarray(s.contact_ms, dtype=np.float64)
        if ct.size == 0:
            continue
        jitter = ((np.arange(ct.size) * 0.6180339887) % 1.0 - 0.5) * 0.42
        ax.plot(
            xs[k] + jitter,
            ct,
            ls="none",
            marker="o",
            ms=4.0 if n <= 20 else 3.0,
            color=BLUE,
            alpha=0.6,
            markeredgewidth=0,
            zorder=3,
        )
        q1, median, q3 = np.percentile(ct, [25.0, 50.0, 75.0])
        ax.add_patch(
            Rectangle((k - 0.3, q1), 0.6, q3 - q1, fill=False, edgecolor=BLACK, lw=1.2, zorder=4)
        )
        ax.plot([k - 0.3, k + 0.3], [median, median], color=BLACK, lw=2.4, zorder=5)
    ax.set_ylim(lo, hi)
    ax.set_ylabel("Contact time [ms]")
    ax.grid(axis="y", alpha=0.3)
    ax.tick_params(axis="x", labelbottom=False, bottom=False)

    # best set
    if comparison.best is not None and n > 1:  # one set is trivially the best
        for a in [ax, table] + ([metric_ax] if metric_ax is not None else []):
            a.axvspan(
                comparison.best - 0.5,
                comparison.best + 0.5,
                color=BEST_SHADE,
                alpha=0.3,
                lw=0,
                zorder=0,
            ).set_gid("best-set")
        ax.annotate(
            "best",
            xy=(comparison.best, 1.0),
            xycoords=ax.get_xaxis_transform(),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=font,
            fontweight="bold",
        )

    legend: list[Line2D | Patch] = [
        Line2D([], [], ls="none", marker="o", ms=4, color=BLUE, alpha=0.7, label="contact"),
        Patch(fill=False, edgecolor=BLACK, label="quartiles"),
        Line2D([], [], color=BLACK, lw=2.4, label="median"),
    ]
    if comparison.best is not None and n > 1:
        legend.append(Patch(color=BEST_SHADE, alpha=0.4, label="best set"))
    if target_ct is not None:
        legend.append(target_handle)
    ax.legend(
        handles=legend,
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        ncol=len(legend),
        frameon=False,
        fontsize=8,
        borderaxespad=1.2,
    )

    # the primary metric per set, when it is not contact time
    if metric_ax is not None:
        values = [s.metric_value for s in sets]
        present = [v for v in values if v is not None]
        m_lo, m_hi = _limits(present, drill.target)
        if drill.target is not None:
            _target_band(metric_ax, drill, drill.target, m_lo, m_hi)
        for k, (s, v) in enumerate(zip(sets, values, strict=True)):
            if v is None:
                metric_ax.text(
                    k,
                    m_lo + 0.5 * (m_hi - m_lo),
                    "n/a",
                    ha="center",
                    va="center",
                    color=GREY,
                    fontsize=font,
                )
                continue
            metric_ax.plot(
                [k],
                [v],
                ls="none",
                marker="D",
                ms=7,
                color=VERDICT_COLOUR[s.verdict.met],
                markeredgecolor=BLACK,
                markeredgewidth=0.6,
                zorder=4,
            )
        metric_ax.set_ylim(m_lo, m_hi)
        metric_ax.set_ylabel(_metric_label(metric), fontsize=9)
        metric_ax.grid(axis="y", alpha=0.3)
        metric_ax.tick_params(axis="x", labelbottom=False, bottom=False)
        metric_ax.set_title(
            f"Primary metric per set: {_metric_label(metric)}", loc="left", fontsize=9
        )

    # cadence and verdict under each set
    table.set_ylim(1.6, -0.6)
    table.set_yticks([0, 1], ["Cadence [steps/min]", "Verdict"], fontsize=font)
    table.tick_params(axis="y", length=0)
    for side in ("top", "right", "left"):
        table.spines[side].set_visible(False)
    for k, s in enumerate(sets):
        cadence = "–" if s.cadence_spm is None else f"{s.cadence_spm:.0f}"
        table.text(k, 0, cadence, ha="center", va="center", fontsize=font)
        table.text(
            k,
            1,
            (_VERDICT_MARK if compact else _VERDICT_WORD)[s.verdict.met],
            ha="center",
            va="center",
            fontsize=font,
            color=VERDICT_COLOUR[s.verdict.met],
            fontweight="bold",
        )
    table.set_xticks(xs, [s.label for s in sets], fontsize=font, rotation=90 if rotate else 0)
    for k, tick in enumerate(table.get_xticklabels()):
        if k == comparison.best and n > 1:
            tick.set_fontweight("bold")
    table.set_xlim(-0.6, n - 0.4)
    table.set_xlabel("Set")
    goal = goal_text(drill)
    best = "–" if comparison.best is None else sets[comparison.best].label
    count = f"{n} sets side by side" if n != 1 else "1 set"
    fig.suptitle(f"{drill.name}: {count} · target {goal} · best: {best}", fontsize=11)
    return fig


# --------------------------------------------------------------------------------------------
# progress


def _week_x(week_start: str) -> float:
    """Position of a week on the x axis: its Monday as a day number (matplotlib-free ordinal)."""
    return float(date.fromisoformat(week_start).toordinal())


def _week_label(x: float, first: bool) -> str:
    iso = date.fromordinal(int(x)).isocalendar()
    return f"{iso.year}-W{iso.week:02d}" if first or iso.week == 1 else f"W{iso.week:02d}"


def progress_figure(progress: Sequence[DrillProgress]) -> Figure:
    """Draw weekly progress: one panel per drill, one line per athlete.

    Parameters
    ----------
    progress : sequence of DrillProgress
        Weekly figures per athlete and drill (from ``weekly_progress``).

    Returns
    -------
    Figure
        Each panel (titled with the drill's name): the weekly median of the primary metric
        (line with markers, in the metric's unit), the best set of each week (hollow
        marker), the fitted trend (dotted), the target line and the side of it that meets
        the target (shaded). Panels share the week axis (ISO weeks, labels thinned to stay
        apart).
    """
    drills: dict[str, Drill] = {}
    for p in progress:
        drills.setdefault(p.drill.id, p.drill)
    athletes = list(dict.fromkeys(p.athlete for p in progress))
    colours = {a: ATHLETE_COLOURS[k % len(ATHLETE_COLOURS)] for k, a in enumerate(athletes)}
    n = max(len(drills), 1)
    ncols = 1 if n == 1 else 2 if n <= 4 else 3
    nrows = math.ceil(n / ncols)
    fig = Figure(figsize=(4.6 * ncols + 0.6, 2.9 * nrows + 1.2), layout="constrained")
    if not progress:
        ax = fig.add_subplot()
        ax.text(
            0.5,
            0.5,
            "no sets in the library match",
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
        ax.set_axis_off()
        fig.suptitle("Weekly progress", fontsize=12)
        return fig
    axes = fig.subplots(nrows, ncols, sharex=True, squeeze=False).ravel()
    all_x = sorted({_week_x(w.week_start) for p in progress for w in p.weeks})
    for ax, (drill_id, drill) in zip(axes, drills.items(), strict=False):
        blocks = [p for p in progress if p.drill.id == drill_id]
        values: list[float] = []
        for p in blocks:
            values += [w.metric_median for w in p.weeks if w.metric_median is not None]
            values += [w.metric_best for w in p.weeks if w.metric_best is not None]
        target = blocks[0].drill.target if len({b.drill.target for b in blocks}) == 1 else None
        lo, hi = _limits(values, target)
        if target is not None:
            _target_band(ax, drill, target, lo, hi)
        for p in blocks:
            colour = colours[p.athlete]
            weeks = [w for w in p.weeks if w.metric_median is not None]
            x = [_week_x(w.week_start) for w in weeks]
            (line,) = ax.plot(
                x,
                [w.metric_median for w in weeks],
                color=colour,
                marker="o",
                ms=5 if len(all_x) <= 16 else 3,
                lw=1.8,
                zorder=4,
            )
            line.set_gid(f"median-{p.athlete}")
            (best,) = ax.plot(
                x,
                [w.metric_best for w in weeks],
                ls="none",
                marker="o",
                ms=6 if len(all_x) <= 16 else 4,
                markerfacecolor="none",
                markeredgecolor=colour,
                markeredgewidth=1.2 if len(all_x) <= 16 else 0.8,
                zorder=3,
            )
            best.set_gid(f"best-{p.athlete}")
            if p.trend_start is not None and p.trend_end is not None and len(x) >= 2:
                (trend,) = ax.plot(
                    [x[0], x[-1]],
                    [p.trend_start, p.trend_end],
                    color=colour,
                    ls=":",
                    lw=1.6,
                    zorder=2,
                )
                trend.set_gid(f"trend-{p.athlete}")
        if not values:
            ax.text(
                0.5,
                0.5,
                f"{drill.primary_metric} not measured",
                transform=ax.transAxes,
                ha="center",
                va="center",
                color=GREY,
            )
        ax.set_ylim(lo, hi)
        ax.set_title(drill.name, loc="left", fontsize=10)
        unit_label = _metric_label(drill.primary_metric)
        ax.set_ylabel(unit_label, fontsize=9)
        ax.grid(alpha=0.3)
    for ax in axes[len(drills) :]:
        ax.set_visible(False)

    # week ticks: at most about 7 labels per panel width
    span = (all_x[-1] - all_x[0]) / 7.0 if all_x else 0.0
    step = max(1, math.ceil((span + 1) / 7))
    if all_x:
        first_x = all_x[0]
        ticks = [first_x + 7.0 * k * step for k in range(int(span // step) + 1)]
        for ax in axes[: len(drills)]:
            ax.set_xticks(ticks, [_week_label(t, k == 0) for k, t in enumerate(ticks)], fontsize=8)
            ax.set_xlim(first_x - 3.5, all_x[-1] + 3.5)
            ax.tick_params(axis="x", labelbottom=True)
            ax.set_xlabel("ISO week (athlete's time zone)", fontsize=8)
    handles: list[Line2D | Patch] = [
        Line2D([], [], color=colours[a], marker="o", lw=1.8, label=f"{a}: weekly median")
        for a in athletes
    ]
    handles += [
        Line2D(
            [],
            [],
            ls="none",
            marker="o",
            markerfacecolor="none",
            markeredgecolor=GREY,
            label="best set of the week",
        ),
        Line2D([], [], color=GREY, ls=":", lw=1.6, label="trend (least squares)"),
        Line2D([], [], color=TARGET_COLOUR, lw=2.0, label="target"),
        Patch(color=TARGET_COLOUR, alpha=0.2, label="target met"),
    ]
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncol=min(len(handles), 6),
        frameon=False,
        fontsize=8,
    )
    first = min((w.week for p in progress for w in p.weeks), default="")
    last = max((w.week for p in progress for w in p.weeks), default="")
    who = ", ".join(athletes)
    fig.suptitle(f"Weekly progress · {who} · {first} to {last}", fontsize=12)
    return fig
