"""Plain-text renderings of analysis results for the terminal."""

from __future__ import annotations

from collections.abc import Sequence

from sensorlab.analysis import RecordingAnalysis
from sensorlab.drills import Drill, TargetVerdict


def _num(value: float | None, fmt: str = ".0f") -> str:
    return "-" if value is None else format(value, fmt)


def verdict_text(target: TargetVerdict) -> str:
    """One phrase for a target verdict, e.g. ``"met (contact_ms <= 160, 12 inside)"``."""
    if target.met is None:
        return f"n/a ({target.note})" if target.note else "n/a"
    word = "met" if target.met else "NOT met"
    margin = (
        ""
        if target.margin is None
        else f", {abs(target.margin):.3g} {'inside' if target.met else 'outside'}"
    )
    return f"{word} ({target.goal}{margin})"


def render_table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    """Left-align the first column and right-align the others.

    Parameters
    ----------
    rows : sequence of sequence of str
        Table body.
    header : sequence of str
        Column titles.

    Returns
    -------
    str
        The table, one line per row, no trailing newline.
    """
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for r in [header, *rows]:
        cells = [str(r[0]).ljust(widths[0])] + [
            str(c).rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def analysis_text(result: RecordingAnalysis, *, contacts: bool = False) -> str:
    """Human-readable report of one recording: a line per set, warnings, optionally contacts.

    Parameters
    ----------
    result : RecordingAnalysis
        The analysis.
    contacts : bool
        Also list every contact.

    Returns
    -------
    str
        Multi-line text without a trailing newline.
    """
    where = result.placement + (f" ({result.side})" if result.side else "")
    lines = [
        f"{result.file}: {result.drill.name} | {where} | "
        f"{result.sampling_rate_hz:.0f} Hz | {result.method}"
    ]
    header = [
        "set",
        "contacts",
        "cadence [spm]",
        "contact median [ms]",
        "best [ms]",
        "CV [%]",
        "flight [ms]",
        "target",
    ]
    rows = []
    for s in result.sets:
        m = s.summary
        rows.append(
            [
                str(s.number),
                str(m.contacts),
                _num(m.cadence_spm),
                _num(m.contact_ms_median),
                _num(m.contact_ms_best),
                _num(m.contact_ms_cv_pct, ".1f"),
                _num(m.flight_ms_median),
                verdict_text(s.target),
            ]
        )
    if len(result.sets) > 1:
        m = result.summary
        rows.append(
            [
                "all",
                str(m.contacts),
                _num(m.cadence_spm),
                _num(m.contact_ms_median),
                _num(m.contact_ms_best),
                _num(m.contact_ms_cv_pct, ".1f"),
                _num(m.flight_ms_median),
                verdict_text(result.target),
            ]
        )
    if rows:
        lines.append(render_table(rows, header))
    if result.summary.symmetry_pct is not None:
        lines.append(f"left/right asymmetry of contact time: {result.summary.symmetry_pct:.1f} %")
    for w in result.quality.warnings:
        lines.append(f"warning: {w}")
    if contacts and result.contacts:
        body = [
            [
                str(c.set),
                c.side or "-",
                f"{c.ic_s:.3f}",
                f"{c.to_s:.3f}",
                f"{c.contact_ms:.1f}",
                _num(c.flight_ms, ".1f"),
                _num(c.step_ms, ".1f"),
            ]
            for c in result.contacts
        ]
        lines.append(
            render_table(
                body,
                ["set", "side", "IC [s]", "TO [s]", "contact [ms]", "flight [ms]", "step [ms]"],
            )
        )
    return "\n".join(lines)


def drills_text(drills: Sequence[Drill]) -> str:
    """The drill catalogue as text: one block per drill with its cues and target."""
    blocks = []
    for d in drills:
        low_c, high_c = d.cadence_spm_range
        low_t, high_t = d.contact_ms_range
        blocks.append(
            "\n".join(
                [
                    f"{d.id}  {d.name}",
                    f"  pattern: {d.pattern}; judged on {d.primary_metric} "
                    f"({d.better} is better); target: {d.goal}",
                    f"  plausible: cadence {low_c:.0f}-{high_c:.0f} spm, "
                    f"contact {low_t:.0f}-{high_t:.0f} ms",
                    *[f"  - {cue}" for cue in d.cues],
                ]
            )
        )
    return "\n\n".join(blocks)
