"""The ``sensorlab`` command: a thin layer over the library.

Library errors become one line on stderr and exit status 2 (bad input or usage) or 1 (device
or runtime failure); nothing else is caught here, so a real bug still shows its traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from sensorlab import __version__
from sensorlab.errors import SensorlabError, UsageError
from sensorlab.units import PLACEMENTS, SIDES


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose usage errors are one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} -h')")


Handler = Callable[[argparse.Namespace], int]

# Modules that add their own sub-commands, so each layer owns its CLI. Each defines
# ``add_commands(sub) -> dict[str, Handler]``; it is imported when the parser is built, so it
# must import heavy libraries (numpy, matplotlib, bleak) lazily inside its handlers.
COMMAND_MODULES: tuple[str, ...] = (
    "sensorlab.history.cli",
    "sensorlab.profiles.cli",
    "sensorlab.collect.cli",
)


def positive_float(text: str) -> float:
    """Argparse type: a number above 0 (one-line error otherwise)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, found '{text}'") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, found '{text}'")
    return value


def _add_analysis_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--drill", help="drill id (overrides the file's 'drill:' line); see 'sensorlab drills'"
    )
    p.add_argument(
        "--placement", choices=PLACEMENTS, help="sensor placement (overrides 'placement:')"
    )
    p.add_argument(
        "--method", help="contact detector: segment-gyro, shank-gyro, segment-acc or trunk-vertical"
    )
    p.add_argument(
        "--targets", metavar="TOML", help="athlete target overrides (else $SENSORLAB_TARGETS)"
    )
    p.add_argument(
        "--allow-gaps",
        action="store_true",
        help="analyse recordings with gaps longer than 0.5 s as separate parts",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every sub-command."""
    parser = _Parser(
        prog="sensorlab",
        description="Measure running-technique drills per contact, per set and per week.",
    )
    parser.add_argument("--version", action="version", version=f"sensorlab {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("demo", help="analyse the shipped sample recordings and write a report")
    p.add_argument(
        "--recordings",
        metavar="DIR",
        help="folder of sample recordings (default: the shipped ones)",
    )
    p.add_argument(
        "--out",
        metavar="DIR",
        default="sensorlab-demo",
        help="output folder (default: %(default)s)",
    )

    p = sub.add_parser("drills", help="the drill catalogue: cues, primary metric, default targets")
    p.add_argument("--json", action="store_true", help="print JSON")

    p = sub.add_parser(
        "analyze",
        help="find every contact of recordings and judge each set against the drill target",
    )
    p.add_argument(
        "recordings",
        nargs="+",
        metavar="REC",
        help="recording CSV file(s); a left and a right foot file are paired",
    )
    _add_analysis_options(p)
    p.add_argument("--side", choices=SIDES, help="side of a foot/shank sensor (overrides 'side:')")
    p.add_argument(
        "--json", action="store_true", help="print the JSON of DESIGN §5 (a list for several files)"
    )
    p.add_argument(
        "--contacts", action="store_true", help="also list every contact in the text output"
    )
    p.add_argument(
        "--steps-csv", metavar="CSV", help="write every contact (one row each) to this CSV"
    )
    p.add_argument("--plot", metavar="PNG", help="write the per-set figure (PNG, SVG or PDF)")

    p = sub.add_parser(
        "simulate", help="write a synthetic recording of a drill with its exact contacts"
    )
    p.add_argument("--drill", required=True, help="drill id")
    p.add_argument("--placement", choices=PLACEMENTS, default="foot")
    p.add_argument("--side", choices=SIDES, default="right")
    p.add_argument(
        "--rate",
        type=positive_float,
        default=400.0,
        help="sampling rate in Hz, 25-1600 (default: %(default)s)",
    )
    p.add_argument(
        "--duration",
        type=positive_float,
        default=20.0,
        help="active time per set in s (default: %(default)s)",
    )
    p.add_argument(
        "--cadence",
        type=positive_float,
        help="cadence in steps/min (default: the drill's typical)",
    )
    p.add_argument(
        "--contact-ms",
        type=positive_float,
        help="contact time in ms (default: the drill's typical)",
    )
    p.add_argument(
        "--noise",
        type=float,
        default=1.0,
        help="sensor noise scale, 0 = none (default: %(default)s)",
    )
    p.add_argument("--mounting", choices=("random", "aligned"), default="random")
    p.add_argument(
        "--acc-range-g",
        type=positive_float,
        default=16.0,
        help="accelerometer range in g (default: %(default)s)",
    )
    p.add_argument("--packet-loss", type=float, default=0.0, help="fraction of packets lost, 0-0.5")
    p.add_argument(
        "--sets",
        type=int,
        default=1,
        help="number of sets separated by rests (default: %(default)s)",
    )
    p.add_argument("--no-gyro", action="store_true", help="accelerometer only")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--out", required=True, metavar="CSV", help="recording to write (never overwritten)"
    )
    p.add_argument(
        "--truth", metavar="CSV", help="also write the exact contacts (side, ic_s, to_s)"
    )
    for name in COMMAND_MODULES:
        add_commands: Callable[[Any], dict[str, Handler]] = importlib.import_module(
            name
        ).add_commands
        COMMANDS.update(add_commands(sub))
    return parser


def _cmd_drills(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from sensorlab.drills import catalogue
    from sensorlab.report.text import drills_text

    drills = list(catalogue().values())
    if args.json:
        print(json.dumps([asdict(d) | {"goal": d.goal} for d in drills], indent=2))
    else:
        print(drills_text(drills))
    return 0


def _write_steps_csv(results: Sequence[Any], path: str) -> None:
    import csv

    out = Path(path)
    if out.exists():
        raise UsageError(
            f"{out}: file exists; refusing to overwrite it (choose another --steps-csv)"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("x", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            [
                "file",
                "drill",
                "placement",
                "set",
                "side",
                "ic_s",
                "to_s",
                "contact_ms",
                "flight_ms",
                "step_ms",
            ]
        )
        for r in results:
            for c in r.contacts:
                writer.writerow(
                    [
                        r.file,
                        r.drill.id,
                        r.placement,
                        c.set,
                        c.side or "",
                        c.ic_s,
                        c.to_s,
                        c.contact_ms,
                        "" if c.flight_ms is None else c.flight_ms,
                        "" if c.step_ms is None else c.step_ms,
                    ]
                )


def read_and_analyze(args: argparse.Namespace) -> tuple[list[Any], list[Any]]:
    """Read ``args.recordings`` and analyse them with the options of ``_add_analysis_options``.

    Returns the recordings and their analyses (``sensorlab.analysis.RecordingAnalysis``),
    in the order given.
    """
    from sensorlab.analysis import analyze_many
    from sensorlab.io import read_recording

    recordings = [read_recording(p, allow_gaps=args.allow_gaps) for p in args.recordings]
    results = analyze_many(
        recordings,
        drill=args.drill,
        placement=args.placement,
        side=getattr(args, "side", None),
        method=args.method,
        targets_path=args.targets,
    )
    return recordings, results


def _cmd_analyze(args: argparse.Namespace) -> int:
    from sensorlab.report.text import analysis_text

    recordings, results = read_and_analyze(args)
    if args.steps_csv:
        _write_steps_csv(results, args.steps_csv)
    if args.plot:
        from sensorlab.report.figures import save_figure, set_figure

        paired = len(results) == 2 and results[0].summary.symmetry_pct is not None
        partner = (recordings[1], results[1]) if paired else None
        save_figure(set_figure(recordings[0], results[0], partner=partner), args.plot)
    if args.json:
        payload = [r.to_json_dict() for r in results]
        print(json.dumps(payload[0] if len(payload) == 1 else payload, indent=2))
    else:
        print("\n\n".join(analysis_text(r, contacts=args.contacts) for r in results))
    return 0


def _cmd_simulate(args: argparse.Namespace) -> int:
    from sensorlab.io import write_recording
    from sensorlab.simulate import SimulationConfig, simulate_set, write_truth

    if not 0.0 <= args.packet_loss <= 0.5:
        raise UsageError(f"--packet-loss expected a fraction in [0, 0.5], found {args.packet_loss}")
    if args.sets < 1:
        raise UsageError(f"--sets expected at least 1, found {args.sets}")
    for p in [args.out, args.truth]:
        if p and Path(p).exists():
            raise UsageError(f"{p}: file exists; refusing to overwrite it")
    config = SimulationConfig(
        drill=args.drill,
        placement=args.placement,
        side=args.side,
        sampling_rate_hz=args.rate,
        duration_s=args.duration,
        cadence_spm=args.cadence,
        contact_ms=args.contact_ms,
        noise=args.noise,
        mounting=args.mounting,
        acc_range_g=args.acc_range_g,
        packet_loss=args.packet_loss,
        bouts=args.sets,
        gyro=not args.no_gyro,
        seed=args.seed,
    )
    sim = simulate_set(config)
    write_recording(sim.recording, args.out)
    print(f"wrote {args.out}: {sim.recording.n_samples} samples, {len(sim.truth)} contacts")
    if args.truth:
        write_truth(sim.truth, args.truth)
        print(f"wrote {args.truth}")
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from sensorlab.demo import run_demo

    out = run_demo(recordings_dir=args.recordings, out_dir=args.out)
    print(
        f"demo report written to {out}/ "
        "(summary.txt, summary.json, overview.png, one figure per set)"
    )
    return 0


COMMANDS: dict[str, Handler] = {
    "demo": _cmd_demo,
    "drills": _cmd_drills,
    "analyze": _cmd_analyze,
    "simulate": _cmd_simulate,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``sensorlab`` command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; defaults to ``sys.argv[1:]``.

    Returns
    -------
    int
        Exit status: 0 success, 2 bad input or usage, 1 device/runtime failure.
    """
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except SensorlabError as exc:
        print(f"sensorlab: error: {exc.one_line()}", file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        print("sensorlab: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
