"""The shareable report: one self-contained HTML file, plus CSV tables beside it.

The HTML file embeds its figures as base64 PNG and its style sheet inline: it needs no
network and no other file to be viewed or mailed. Beside it, ``NAME-sets.csv`` (one row per
set) and ``NAME-contacts.csv`` (one row per contact) hold the same numbers for a spreadsheet.
Every number comes from the library index (:mod:`sensorlab.history`); verdicts are judged
against the current targets.
"""

from __future__ import annotations

import base64
import csv
import html
import io
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sensorlab import __version__
from sensorlab.drills import (
    Drill,
    TargetVerdict,
    drill_with_target,
    evaluate_target,
    get_drill,
    load_target_overrides,
)
from sensorlab.errors import UsageError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sensorlab.history.index import ContactRow, Library, SetRow

MAX_SETS_PER_FIGURE = 60
"""A drill's comparison figure in the report shows at most this many sets (the latest)."""

SET_COLUMNS = (
    "path",
    "athlete",
    "drill",
    "set",
    "side",
    "placement",
    "session",
    "started_at",
    "week",
    "contacts",
    "cadence_spm",
    "contact_ms_median",
    "contact_ms_best",
    "flight_ms_median",
    "symmetry_pct",
    "primary_metric",
    "metric_value",
    "target",
    "met",
    "analysis_version",
)
CONTACT_COLUMNS = (
    "path",
    "athlete",
    "drill",
    "set",
    "started_at",
    "contact",
    "side",
    "ic_s",
    "to_s",
    "contact_ms",
    "flight_ms",
    "step_ms",
)

_STYLE = """
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; margin: 2em auto;
       max-width: 1200px; padding: 0 1em; color: #111; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { margin-top: 1.8em; border-bottom: 1px solid #ccc; }
.meta { color: #555; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th { background: #f2f2f2; } td.l, th.l { text-align: left; }
.met { color: #009E73; font-weight: bold; } .notmet { color: #D55E00; font-weight: bold; }
.na { color: #6E6E6E; }
img { max-width: 100%; height: auto; border: 1px solid #eee; }
.warn { background: #fff6db; border-left: 4px solid #E69F00; padding: 0.5em 1em; }
"""


def _png_data(fig: Figure) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _img(fig: Figure, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{_png_data(fig)}">'


def _num(value: float | None, fmt: str = ".0f") -> str:
    return "–" if value is None else format(value, fmt)


def _metric_text(metric: str, value: float | None) -> str:
    """E.g. ``"contact time 152 ms"`` or ``"flight/contact 1.62"``."""
    from sensorlab.history.progress import METRIC_NAMES

    name, unit = METRIC_NAMES.get(metric, (metric, ""))
    if value is None:
        return f"{name} not measured"
    text = _num(
        value, ".2f" if metric == "flight_contact_ratio" else ".3g" if unit == "%" else ".0f"
    )
    return f"{name} {text}" + (f" {unit}" if unit else "")


def _verdict_cell(met: bool | None) -> str:
    if met is None:
        return '<td class="na">–</td>'
    return '<td class="met">met</td>' if met else '<td class="notmet">not met</td>'


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> str:
    """HTML table; cells are HTML already (escaped by the caller) unless they start with <td."""
    head = "".join(
        f'<th class="l">{html.escape(h)}</th>' if k < left else f"<th>{html.escape(h)}</th>"
        for k, h in enumerate(header)
    )
    body = []
    for row in rows:
        cells = []
        for k, cell in enumerate(row):
            if cell.startswith("<td"):
                cells.append(cell)
            else:
                cells.append(f'<td class="l">{cell}</td>' if k < left else f"<td>{cell}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _csv_value(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def write_report(
    library: Library,
    out: str | Path,
    *,
    athlete: str | None = None,
    drill: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    session: str | None = None,
    targets_path: str | Path | None = None,
) -> list[Path]:
    """Write the HTML report and its CSV tables for the library's sets in a selection.

    Parameters
    ----------
    library : Library
        The opened, updated library.
    out : str or Path
        The HTML file to write (replaced if it exists); the CSV files go beside it as
        ``NAME-sets.csv`` and ``NAME-contacts.csv``.
    athlete, drill, session : str, optional
        Keep only this athlete, drill id or ``session:`` value.
    date_from, date_to : date, optional
        Keep sets whose local start date is in ``[date_from, date_to]``.
    targets_path : str or Path, optional
        The athletes' target overrides (TOML); else ``$SENSORLAB_TARGETS``.

    Returns
    -------
    list of Path
        The HTML file, then the sets and the contacts CSV.

    Raises
    ------
    UsageError
        If no indexed set matches the selection.
    """
    from sensorlab.drills import catalogue
    from sensorlab.history.compare import compare_rows
    from sensorlab.history.progress import weekly_progress
    from sensorlab.report.history_figures import compare_figure, goal_text, progress_figure

    rows = library.sets(
        athlete=athlete, drill=drill, date_from=date_from, date_to=date_to, session=session
    )
    scope = _scope_text(athlete, drill, date_from, date_to, session)
    if not rows:
        raise UsageError(
            f"no indexed set in {library.root} matches {scope}",
            hint="run 'sensorlab progress' to see what the library holds",
        )
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    contacts = library.contacts([r.id for r in rows])
    overrides: dict[str, dict[str, float]] = {}
    drills: dict[tuple[str, str], Drill] = {}
    for r in rows:
        if r.athlete not in overrides:
            overrides[r.athlete] = load_target_overrides(targets_path, athlete=r.athlete)
        key = (r.athlete, r.drill)
        if key not in drills:
            drills[key] = drill_with_target(get_drill(r.drill), overrides[r.athlete])
    verdicts = {r.id: evaluate_target(drills[(r.athlete, r.drill)], r.metric_value) for r in rows}

    progress = weekly_progress(rows, targets_path=targets_path)
    parts: list[str] = []
    first, last = rows[0].local_date, max(r.local_date for r in rows)
    athletes = sorted({r.athlete for r in rows})
    versions = ", ".join(sorted({r.analysis_version for r in rows}))
    parts.append("<h1>sensorlab report</h1>")
    parts.append(
        '<p class="meta">'
        + html.escape(
            f"{scope} · {len(rows)} sets of {len(athletes)} athlete(s) "
            f"({', '.join(athletes)}) from {first} to {last} · library {library.root} · "
            f"generated {datetime.now(UTC).isoformat(timespec='seconds')} by sensorlab "
            f"{__version__} (analysis version {versions})"
        )
        + "</p>"
    )

    # overview per athlete and drill
    overview = []
    for p in progress:
        sets_total = sum(w.sets for w in p.weeks)
        judged = sum(w.sets_judged for w in p.weeks)
        met = sum(w.sets_met for w in p.weeks)
        unit = f" {p.unit}" if p.unit else ""
        latest = p.weeks[-1]
        overview.append(
            [
                html.escape(p.athlete),
                html.escape(p.drill.name),
                html.escape(goal_text(p.drill)),
                str(sets_total),
                str(sum(w.contacts for w in p.weeks)),
                html.escape(f"{_num(latest.metric_median, '.4g')}{unit} ({latest.week})"),
                "–" if judged == 0 else f"{met}/{judged}",
                "–" if p.trend_per_week is None else html.escape(f"{p.trend_per_week:+.3g}{unit}"),
            ]
        )
    parts.append("<h2>Overview</h2>")
    parts.append(
        _table(
            [
                "Athlete",
                "Drill",
                "Target",
                "Sets",
                "Contacts",
                "Latest weekly median",
                "Sets meeting target",
                "Trend per week",
            ],
            overview,
            left=3,
        )
    )

    parts.append("<h2>Weekly progress</h2>")
    parts.append(
        "<p>Per drill: the median of each week's sets (line), the best set of the week "
        "(hollow marker), the trend and the target.</p>"
    )
    parts.append(_img(progress_figure(progress), "weekly progress per drill"))

    parts.append("<h2>Sets side by side</h2>")
    order = {drill_id: k for k, drill_id in enumerate(catalogue())}
    for who, drill_id in sorted(drills, key=lambda k: (k[0], order.get(k[1], len(order)), k[1])):
        the_drill = drills[(who, drill_id)]
        chosen = [r for r in rows if r.athlete == who and r.drill == drill_id]
        note = ""
        if len(chosen) > MAX_SETS_PER_FIGURE:
            note = f" (the latest {MAX_SETS_PER_FIGURE} of {len(chosen)} sets)"
            chosen = chosen[-MAX_SETS_PER_FIGURE:]
        comparison = compare_rows(the_drill, chosen, contacts)
        parts.append(f"<h3>{html.escape(f'{who} · {the_drill.name}{note}')}</h3>")
        parts.append(_img(compare_figure(comparison), f"{the_drill.name} sets side by side"))

    parts.append("<h2>All sets</h2>")
    set_rows = []
    for r in rows:
        d = drills[(r.athlete, r.drill)]
        set_rows.append(
            [
                html.escape(r.started_at[:16].replace("T", " ")),
                html.escape(r.athlete),
                html.escape(d.name),
                html.escape(r.path),
                str(r.set_number),
                html.escape(r.side or "–"),
                str(r.contacts),
                _num(r.cadence_spm),
                _num(r.contact_ms_median),
                _num(r.contact_ms_best),
                html.escape(_metric_text(d.primary_metric, r.metric_value)),
                _verdict_cell(verdicts[r.id].met),
            ]
        )
    parts.append(
        _table(
            [
                "Start (local)",
                "Athlete",
                "Drill",
                "File",
                "Set",
                "Side",
                "Contacts",
                "Cadence [steps/min]",
                "Contact median [ms]",
                "Best contact [ms]",
                "Primary metric",
                "Target",
            ],
            set_rows,
            left=4,
        )
    )
    errors = library.errors()
    if errors:
        parts.append('<div class="warn"><b>Files not indexed</b><ul>')
        parts += [f"<li>{html.escape(e.path)}: {html.escape(e.error)}</li>" for e in errors]
        parts.append("</ul></div>")

    sets_csv = out.with_name(f"{out.stem}-sets.csv")
    contacts_csv = out.with_name(f"{out.stem}-contacts.csv")
    parts.append(
        "<p>Tables for a spreadsheet, beside this file: "
        f'<a href="{html.escape(sets_csv.name)}">{html.escape(sets_csv.name)}</a> (one row per '
        f'set), <a href="{html.escape(contacts_csv.name)}">{html.escape(contacts_csv.name)}</a>'
        " (one row per contact).</p>"
    )
    page = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>sensorlab report · {html.escape(scope)}</title>"
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{_STYLE}</style></head><body>\n" + "\n".join(parts) + "\n</body></html>\n"
    )
    out.write_text(page, encoding="utf-8")
    _write_sets_csv(sets_csv, rows, drills, verdicts)
    _write_contacts_csv(contacts_csv, rows, contacts)
    return [out, sets_csv, contacts_csv]


def _scope_text(
    athlete: str | None,
    drill: str | None,
    date_from: date | None,
    date_to: date | None,
    session: str | None,
) -> str:
    parts = []
    if athlete:
        parts.append(f"athlete {athlete}")
    if drill:
        parts.append(f"drill {drill}")
    if session:
        parts.append(f"session {session}")
    if date_from or date_to:
        parts.append(f"dates {date_from or '…'} to {date_to or '…'}")
    return ", ".join(parts) if parts else "all sets"


def _write_sets_csv(
    path: Path,
    rows: Sequence[SetRow],
    drills: dict[tuple[str, str], Drill],
    verdicts: dict[int, TargetVerdict],
) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(SET_COLUMNS)
        for r in rows:
            verdict = verdicts[r.id]
            writer.writerow(
                [
                    _csv_value(v)
                    for v in (
                        r.path,
                        r.athlete,
                        r.drill,
                        r.set_number,
                        r.side,
                        r.placement,
                        r.session,
                        r.started_at,
                        r.week,
                        r.contacts,
                        r.cadence_spm,
                        r.contact_ms_median,
                        r.contact_ms_best,
                        r.flight_ms_median,
                        r.symmetry_pct,
                        r.primary_metric,
                        r.metric_value,
                        drills[(r.athlete, r.drill)].target,
                        verdict.met,
                        r.analysis_version,
                    )
                ]
            )


def _write_contacts_csv(
    path: Path, rows: Sequence[SetRow], contacts: dict[int, list[ContactRow]]
) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(CONTACT_COLUMNS)
        for r in rows:
            for c in contacts.get(r.id, []):
                writer.writerow(
                    [
                        _csv_value(v)
                        for v in (
                            r.path,
                            r.athlete,
                            r.drill,
                            r.set_number,
                            r.started_at,
                            c.number,
                            c.side,
                            c.ic_s,
                            c.to_s,
                            c.contact_ms,
                            c.flight_ms,
                            c.step_ms,
                        )
                    ]
                )
