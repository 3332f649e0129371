"""Sub-commands of the history layer: ``compare``, ``progress`` and ``report``.

Imported when the parser is built, so numpy, matplotlib and pandas are imported inside the
handlers only.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sensorlab.errors import UsageError
from sensorlab.units import PLACEMENTS

if TYPE_CHECKING:
    from sensorlab.history.index import UpdateReport
    from sensorlab.history.progress import DrillProgress

Handler = Callable[[argparse.Namespace], int]


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, found '{text}'") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, found '{text}'")
    return value


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, found '{text}'") from None


def _add_library(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--library",
        metavar="DIR",
        help="folder of recordings with its index (default: $SENSORLAB_LIBRARY, else recordings)",
    )
    p.add_argument("--athlete", help="only this athlete ('athlete:' metadata; 'unknown' if none)")
    p.add_argument("--drill", help="only this drill id; see 'sensorlab drills'")
    p.add_argument(
        "--targets", metavar="TOML", help="athlete target overrides (else $SENSORLAB_TARGETS)"
    )


def add_commands(sub: Any) -> dict[str, Handler]:
    """Add ``compare``, ``progress`` and ``report`` to the ``sensorlab`` sub-parsers.

    Parameters
    ----------
    sub : argparse sub-parsers action
        What ``ArgumentParser.add_subparsers`` returned.

    Returns
    -------
    dict of str to handler
        The handler of each added command.
    """
    p = sub.add_parser(
        "compare",
        help="sets of one drill side by side against the drill target",
        description="Compare the sets of one drill (every set of every file) side by side.",
    )
    p.add_argument("recordings", nargs="+", metavar="REC", help="recording CSV file(s)")
    p.add_argument("--drill", help="drill id (overrides the files' 'drill:' lines)")
    p.add_argument("--placement", choices=PLACEMENTS, help="sensor placement (overrides)")
    p.add_argument(
        "--method", help="contact detector: segment-gyro, shank-gyro, segment-acc or trunk-vertical"
    )
    p.add_argument(
        "--targets", metavar="TOML", help="athlete target overrides (else $SENSORLAB_TARGETS)"
    )
    p.add_argument("--allow-gaps", action="store_true", help="accept gaps longer than 0.5 s")
    p.add_argument("--plot", metavar="PNG", help="write the comparison figure (PNG, SVG or PDF)")
    p.add_argument("--json", action="store_true", help="print the numbers as JSON")

    p = sub.add_parser(
        "progress",
        help="weekly progress per drill from the recording library",
        description="Weekly figures per athlete and drill (ISO weeks, athlete's time zone).",
    )
    _add_library(p)
    p.add_argument(
        "--weeks", type=_positive_int, help="only the last N weeks (ending with the latest set)"
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--plot", metavar="PNG", help="write the small-multiples chart (PNG or SVG)")

    p = sub.add_parser(
        "report",
        help="a self-contained HTML report of a session or date range, with CSV exports",
        description=(
            "Write one HTML file (figures embedded, no network needed) and, beside it, "
            "FILE-sets.csv and FILE-contacts.csv."
        ),
    )
    _add_library(p)
    p.add_argument("--from", dest="date_from", type=_iso_date, metavar="DATE", help="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", type=_iso_date, metavar="DATE", help="YYYY-MM-DD")
    p.add_argument("--session", help="only sets of this 'session:' value")
    p.add_argument("--out", required=True, metavar="HTML", help="the report file to write")
    return {"compare": _cmd_compare, "progress": _cmd_progress, "report": _cmd_report}


def _warn_new_errors(report: UpdateReport) -> None:
    if report.rebuilt:
        print(f"sensorlab: warning: library index: {report.rebuilt}", file=sys.stderr)
    for err in report.new_errors:
        print(
            f"sensorlab: warning: {err.path}: skipped, not indexed: {err.error} "
            "(reported once; fix or remove the file)",
            file=sys.stderr,
        )


def _check_drill(drill: str | None) -> None:
    if drill is not None:
        from sensorlab.drills import get_drill

        get_drill(drill)


def _num(value: float | None, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


_METRIC_FMT = {
    "contact_ms": ".0f",
    "cadence_spm": ".0f",
    "flight_contact_ratio": ".2f",
    "symmetry_pct": ".1f",
}


def progress_text(progress: Sequence[DrillProgress]) -> str:
    """Terminal table of weekly progress, one block per athlete and drill."""
    from sensorlab.history.progress import goal_text
    from sensorlab.report.text import render_table

    if not progress:
        return "no sets in the library match"
    blocks = []
    for p in progress:
        fmt = _METRIC_FMT.get(p.drill.primary_metric, ".3g")
        unit = f" [{p.unit}]" if p.unit else ""
        title = f"{p.athlete} · {p.drill.name} · {p.drill.primary_metric}{unit}"
        title += f" · target {goal_text(p.drill)}"
        if p.trend_per_week is not None:
            title += f" · trend {p.trend_per_week:+.3g}{(' ' + p.unit) if p.unit else ''}/week"
        rows = []
        for w in p.weeks:
            change = "-"
            if w.change is not None:
                way = "better" if w.improved else "worse" if w.change != 0 else "same"
                change = f"{w.change:+{fmt}} ({way})"
            met = "-" if w.met_share is None else f"{w.sets_met}/{w.sets_judged}"
            rows.append(
                [
                    w.week,
                    str(w.sets),
                    str(w.contacts),
                    _num(w.metric_median, fmt),
                    _num(w.metric_best, fmt),
                    _num(w.cadence_spm, ".0f"),
                    met,
                    change,
                ]
            )
        header = ["week", "sets", "contacts", "median", "best", "cadence [spm]", "met", "change"]
        blocks.append(title + "\n" + render_table(rows, header))
    return "\n\n".join(blocks)


def _cmd_progress(args: argparse.Namespace) -> int:
    from sensorlab.history.index import open_library
    from sensorlab.history.progress import weekly_progress

    _check_drill(args.drill)
    with open_library(args.library) as (lib, report):
        _warn_new_errors(report)
        rows = lib.sets(athlete=args.athlete, drill=args.drill)
        root = lib.root
    progress = weekly_progress(rows, weeks=args.weeks, targets_path=args.targets)
    if args.plot:
        from sensorlab.report.figures import save_figure
        from sensorlab.report.history_figures import progress_figure

        save_figure(progress_figure(progress), args.plot)
    if args.json:
        payload = {
            "library": str(root),
            "index": report.to_json_dict(),
            "filters": {"athlete": args.athlete, "drill": args.drill, "weeks": args.weeks},
            "progress": [p.to_json_dict() for p in progress],
        }
        print(json.dumps(payload, indent=2))
    else:
        print(progress_text(progress))
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    from sensorlab.cli import read_and_analyze
    from sensorlab.history.compare import compare_analyses, compare_text

    _recordings, analyses = read_and_analyze(args)
    comparison = compare_analyses(analyses)
    if args.plot:
        from sensorlab.report.figures import save_figure
        from sensorlab.report.history_figures import compare_figure

        save_figure(compare_figure(comparison), args.plot)
    if args.json:
        print(json.dumps(comparison.to_json_dict(), indent=2))
    else:
        print(compare_text(comparison))
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from sensorlab.history.index import open_library
    from sensorlab.report.html import write_report

    _check_drill(args.drill)
    out = Path(args.out)
    if out.suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"--out expected a file ending in .html, found '{out.name}'")
    if args.date_from and args.date_to and args.date_from > args.date_to:
        raise UsageError(
            f"--from {args.date_from} is after --to {args.date_to}: expected a date range"
        )
    with open_library(args.library) as (lib, report):
        _warn_new_errors(report)
        written = write_report(
            lib,
            out,
            athlete=args.athlete,
            drill=args.drill,
            date_from=args.date_from,
            date_to=args.date_to,
            session=args.session,
            targets_path=args.targets,
        )
    print("wrote " + ", ".join(str(p) for p in written))
    return 0
