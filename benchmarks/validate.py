"""Accuracy of sensorlab on the public real recordings in ``<shared>/datasets/`` (issue 3).

Every dataset is converted to canonical recording CSVs in a temporary folder
(:mod:`sensorlab.validation`), each file is read back with :func:`sensorlab.io.read_recording`
and analysed with :func:`sensorlab.analysis.analyze_many` exactly as
``sensorlab analyze FILES --drill D --placement P --allow-gaps`` does (the left and right file
of one trial together), and detected contacts are matched to the dataset's reference contacts with
:func:`sensorlab.evaluation.match_contacts` inside the windows where the reference is complete.
One file is also run through the CLI (``sensorlab analyze --json``) as a cross-check.

By default each foot/shank file with a gyroscope is analysed with the default detector and
with the accelerometer-only one (``segment-acc``), and a shank file also with the foot's
``segment-gyro`` (the shank's detector before ``shank-gyro``). ``--method`` runs one method
only. Peers (gaitmap's Rampp event detection after its DTW stride segmentation, and
sensormotion's peak-based steps) run on the same CSV files through ``benchmarks/bench_peers.py``,
in this interpreter when it has them, else in ``--peers-python`` (a separate venv, see
``pip install -e '.[peers]'``); without them only sensorlab is reported.

Usage::

    python benchmarks/validate.py                  # everything; writes docs/validation.md
    python benchmarks/validate.py --quick          # subset, a few seconds, no markdown
    python benchmarks/validate.py --dataset ipol_healthy_gait --per-case
    python benchmarks/validate.py --method segment-acc --quick
    python benchmarks/validate.py --peers-python /tmp/venv-peers/bin/python
    python benchmarks/validate.py --quick --save-json before.json   # then change a detector
    python benchmarks/validate.py --quick --baseline before.json    # what moved
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import json
import math
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from sensorlab import __version__
from sensorlab.analysis import ANALYSIS_VERSION, analyze_many
from sensorlab.errors import SensorlabError
from sensorlab.evaluation import Agreement
from sensorlab.io import read_recording
from sensorlab.signal.contacts import DETECTORS
from sensorlab.validation import (
    DATASETS,
    ValidationCase,
    find_shared,
    load_dataset,
    pool,
    score_contacts,
)

REPO = Path(__file__).resolve().parents[1]
DEFAULT_MARKDOWN = REPO / "docs" / "validation.md"
BENCH_PEERS = Path(__file__).resolve().with_name("bench_peers.py")
OURS = "sensorlab"
ANALYSIS_PATHS = [
    "sensorlab/signal",
    "sensorlab/analysis.py",
    "sensorlab/metrics",
    "sensorlab/io",
    "sensorlab/drills",
    "sensorlab/recording.py",
    "sensorlab/validation",
]
"""What the measured figures depend on (a modified file marks the report)."""


@dataclass
class Row:
    """One line of the table: a dataset x placement x method x tool."""

    dataset: str
    placement: str
    method: str
    tool: str = OURS
    default: bool = False
    agreements: list[Agreement] = field(default_factory=list)
    cases: list[str] = field(default_factory=list)
    run_s: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.dataset, self.placement, self.tool, self.method)

    def stats(self) -> dict[str, float]:
        return pool(self.agreements).stats()


@dataclass
class CaseResult:
    case: ValidationCase
    method: str
    tool: str
    agreement: Agreement
    default: bool = False


def methods_for(case: ValidationCase, override: str | None) -> list[tuple[str | None, bool]]:
    """(method or None for the default, is-default) to run on a case."""
    has_gyro = case.recording.has_gyro
    if override is not None:
        if override in ("segment-gyro", "shank-gyro") and not has_gyro:
            return []
        if override == "shank-gyro" and case.placement != "shank":
            return []
        if override == "trunk-vertical" and case.placement not in ("sacrum", "chest"):
            return []
        if override != "trunk-vertical" and case.placement in ("sacrum", "chest"):
            return []
        return [(override, False)]
    out: list[tuple[str | None, bool]] = [(None, True)]
    if case.placement == "shank" and has_gyro:
        out.append(("segment-gyro", False))  # the foot's detector, for comparison
    if case.placement in ("foot", "shank") and has_gyro:
        out.append(("segment-acc", False))
    return out


def sessions(cases: list[ValidationCase]) -> list[list[ValidationCase]]:
    """Cases grouped as a user would pass them to one ``analyze`` call (a trial's L/R pair)."""
    groups: dict[tuple[str, str], list[ValidationCase]] = defaultdict(list)
    for c in cases:
        groups[(c.session, c.placement)].append(c)
    return list(groups.values())


def run_ours(
    cases: list[ValidationCase],
    paths: dict[str, Path],
    override: str | None,
    rows: dict[tuple[str, str, str, str], Row],
    per_case: list[CaseResult],
    our_time_s: dict[tuple[str, str], float],
) -> None:
    """Analyse every case like ``sensorlab analyze`` and score it."""
    for index, group in enumerate(sessions(cases)):
        for method, is_default in methods_for(group[0], override):
            recordings = [read_recording(paths[c.name], allow_gaps=True) for c in group]
            info = DATASETS[group[0].dataset].info
            if index == 0:  # warm-up (lazy imports, caches): keep it out of the timing
                with contextlib.suppress(SensorlabError):
                    analyze_many(
                        recordings, drill=info.drill, placement=group[0].placement, method=method
                    )
            t0 = time.perf_counter()
            try:
                results = analyze_many(
                    recordings, drill=info.drill, placement=group[0].placement, method=method
                )
            except SensorlabError as exc:
                print(f"  {group[0].name}: {exc}", file=sys.stderr)
                continue
            elapsed_s = time.perf_counter() - t0
            for case, result in zip(group, results, strict=True):
                contacts = result.contacts
                agreement = score_contacts(
                    case.reference,
                    np.array([c.ic_s for c in contacts]),
                    np.array([c.to_s for c in contacts]),
                    tolerance_s=info.tolerance_s,
                )
                label = result.method
                key = (case.dataset, case.placement, OURS, label)
                row = rows.setdefault(
                    key,
                    Row(case.dataset, case.placement, label, OURS, default=is_default),
                )
                row.agreements.append(agreement)
                row.cases.append(case.name)
                row.run_s += elapsed_s / len(group)
                if is_default:
                    our_time_s[(case.name, "default")] = elapsed_s / len(group)
                per_case.append(CaseResult(case, label, OURS, agreement, is_default))


def cli_cross_check(case: ValidationCase, path: Path) -> str:
    """Run ``sensorlab analyze FILE --json`` in-process and compare with the library path."""
    from sensorlab.cli import main as cli_main

    info = DATASETS[case.dataset].info
    argv = [
        "analyze",
        str(path),
        "--drill",
        info.drill,
        "--placement",
        case.placement,
        "--allow-gaps",
        "--json",
    ]
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        status = cli_main(argv)
    payload = json.loads(buffer.getvalue())
    cli_ic = np.array([c["ic_s"] for c in payload["contacts"]])
    lib = analyze_many(
        [read_recording(path, allow_gaps=True)], drill=info.drill, placement=case.placement
    )[0]
    lib_ic = np.array([c.ic_s for c in lib.contacts])
    same = status == 0 and cli_ic.shape == lib_ic.shape and np.allclose(cli_ic, lib_ic, atol=1e-3)
    verdict = "identical contacts" if same else "DIFFERENT contacts"
    return (
        f"`sensorlab analyze {path.name} --drill {info.drill} --placement {case.placement} "
        f"--allow-gaps --json` gave {cli_ic.size} contacts, the library path {lib_ic.size}: "
        f"{verdict}"
    )


# --------------------------------------------------------------------------------------------
# peers
# --------------------------------------------------------------------------------------------


def peers_interpreter(explicit: str | None) -> str | None:
    """The Python that has gaitmap and sensormotion, or None."""
    if explicit:
        return explicit
    if importlib.util.find_spec("gaitmap") and importlib.util.find_spec("sensormotion"):
        return sys.executable
    return None


def run_peers(
    python: str,
    cases: list[ValidationCase],
    paths: dict[str, Path],
    folder: Path,
    rows: dict[tuple[str, str, str, str], Row],
    per_case: list[CaseResult],
    peer_time_s: dict[tuple[str, str], float],
) -> tuple[str | None, dict[str, str]]:
    """Run bench_peers.py on the same files and score its contacts.

    Returns the error (None on success) and the peers' package versions.
    """
    manifest = [
        {
            "name": c.name,
            "dataset": c.dataset,
            "session": c.session,
            "path": str(paths[c.name]),
            "placement": c.placement,
            "side": c.side,
            "drill": c.drill,
            "stride_borders_s": None if c.stride_borders_s is None else c.stride_borders_s.tolist(),
        }
        for c in cases
    ]
    manifest_path = folder / "peers_manifest.json"
    out_path = folder / "peers_results.json"
    manifest_path.write_text(json.dumps(manifest))
    proc = subprocess.run(
        [python, str(BENCH_PEERS), "--manifest", str(manifest_path), "--out", str(out_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["(no output)"]
        return f"bench_peers.py failed ({proc.returncode}): {tail[0]}", {}
    results = json.loads(out_path.read_text())
    by_name = {c.name: c for c in cases}
    for entry in results["results"]:
        case = by_name[entry["name"]]
        info = DATASETS[case.dataset].info
        key = (case.dataset, case.placement, entry["tool"], entry["method"])
        row = rows.setdefault(
            key, Row(case.dataset, case.placement, entry["method"], entry["tool"])
        )
        if entry.get("error"):
            if entry["error"] not in row.notes:
                row.notes.append(entry["error"])
            ic = np.empty(0)
            to = np.empty(0)
        else:
            ic = np.asarray(entry["ic_s"], dtype=np.float64)
            to = np.asarray([math.nan if t is None else t for t in entry["to_s"]], dtype=np.float64)
        agreement = score_contacts(case.reference, ic, to, tolerance_s=info.tolerance_s)
        row.agreements.append(agreement)
        row.cases.append(case.name)
        if entry["run_s"] is not None:
            row.run_s += float(entry["run_s"])
            peer_time_s[(case.name, entry["tool"])] = float(entry["run_s"])
        per_case.append(CaseResult(case, entry["method"], entry["tool"], agreement))
    return None, dict(results.get("versions", {}))


# --------------------------------------------------------------------------------------------
# output
# --------------------------------------------------------------------------------------------


def fmt(value: float, spec: str = ".1f") -> str:
    return "—" if not math.isfinite(value) else format(value, spec)


def bar_verdict(row: Row) -> str:
    if row.tool != OURS or not row.default:
        return ""
    bar = DATASETS[row.dataset].info.thresholds.get(row.placement)
    if bar is None:
        return "no bar"
    failures = bar.failures(row.stats())
    return "meets" if not failures else "NO"


HEADER = [
    "dataset",
    "placement",
    "tool",
    "method",
    "files",
    "ref",
    "det",
    "recall %",
    "precision %",
    "IC medAE",
    "IC bias",
    "TO medAE",
    "TO bias",
    "CT bias",
    "CT SD",
    "CT MAE",
    "issue bar",
]


def row_cells(row: Row) -> list[str]:
    s = row.stats()
    method = f"{row.method} (default)" if row.default else row.method
    return [
        row.dataset,
        row.placement,
        row.tool,
        method,
        str(len(row.cases)),
        f"{s['n_reference']:.0f}",
        f"{s['n_detected']:.0f}",
        fmt(s["recall_pct"]),
        fmt(s["precision_pct"]),
        fmt(s["ic_medae_ms"]),
        fmt(s["ic_bias_ms"], "+.1f"),
        fmt(s["to_medae_ms"]),
        fmt(s["to_bias_ms"], "+.1f"),
        fmt(s["contact_bias_ms"], "+.1f"),
        fmt(s["contact_sd_ms"]),
        fmt(s["contact_mae_ms"]),
        bar_verdict(row),
    ]


def ordered(rows: dict[tuple[str, str, str, str], Row]) -> list[Row]:
    names = list(DATASETS)
    placements = ["foot", "shank", "sacrum", "chest"]
    tools = [OURS, "gaitmap", "sensormotion"]

    def sort_key(r: Row) -> tuple[int, int, int, int, str]:
        tool = tools.index(r.tool) if r.tool in tools else len(tools)
        return (
            names.index(r.dataset),
            placements.index(r.placement),
            tool,
            0 if r.default else 1,
            r.method,
        )

    return sorted(rows.values(), key=sort_key)


def print_table(rows: list[Row]) -> None:
    short = {
        "gaitmap_example_walking": "gaitmap",
        "ipol_healthy_gait": "ipol",
        "alcantara_sacral_running_grf": "alcantara",
        "grouvel_running": "grouvel",
    }
    header = [
        "data",
        "place",
        "tool/method",
        "ref",
        "rec%",
        "prec%",
        "ICmed",
        "ICbias",
        "TOmed",
        "TObias",
        "CTbias",
        "CTsd",
        "CTmae",
        "bar",
    ]
    lines = [header]
    for r in rows:
        c = row_cells(r)
        tool = c[3] if r.tool == OURS else f"{r.tool}:{r.method}"
        tool = tool.replace(" (default)", "*")
        lines.append([short.get(c[0], c[0]), c[1], tool, c[5], *c[7:16], c[16]])
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for line in lines:
        print(
            "  ".join(
                cell.rjust(w) if i >= 3 else cell.ljust(w)
                for i, (cell, w) in enumerate(zip(line, widths, strict=True))
            )
        )
    print("* default method; errors in ms (medAE = median |error|, CT = contact time)")


def weaknesses(rows: list[Row]) -> list[str]:
    out = []
    for r in rows:
        if r.tool != OURS or not r.default:
            continue
        bar = DATASETS[r.dataset].info.thresholds.get(r.placement)
        if bar is None:
            s = r.stats()
            if not (s["recall_pct"] >= 90.0 and s["precision_pct"] >= 90.0):
                out.append(
                    f"{r.dataset}, {r.placement}, {r.method} (no issue bar): recall "
                    f"{fmt(s['recall_pct'])} %, precision {fmt(s['precision_pct'])} %"
                )
            continue
        for failure in bar.failures(r.stats()):
            out.append(f"{r.dataset}, {r.placement}, {r.method}: {failure}")
    ours = {(r.dataset, r.placement): r for r in rows if r.tool == OURS and r.default}
    for r in rows:
        if r.tool == OURS or (r.dataset, r.placement) not in ours or not r.agreements:
            continue
        mine, theirs = ours[(r.dataset, r.placement)].stats(), r.stats()
        for key, label, better in (
            ("recall_pct", "recall", "higher"),
            ("precision_pct", "precision", "higher"),
            ("ic_medae_ms", "IC median |error|", "lower"),
            ("to_medae_ms", "TO median |error|", "lower"),
            ("contact_mae_ms", "contact-time MAE", "lower"),
        ):
            a, b = mine[key], theirs[key]
            if not (math.isfinite(a) and math.isfinite(b)):
                continue
            worse = a < b - 0.05 if better == "higher" else a > b + 0.05
            if worse:
                out.append(
                    f"{r.dataset}, {r.placement}: {r.tool} ({r.method}) beats us on {label} "
                    f"({b:.1f} vs our {a:.1f})"
                )
    return out


STRICT_TOLERANCE_MS = 50.0
"""IC tolerance of the simulated-accuracy bar, applied to the real matches for comparison."""


def strict_lines(rows: list[Row]) -> list[str]:
    """Per default row of ours: reference contacts found with the IC within 50 ms.

    The datasets' match tolerances (80-150 ms) are wide enough to accept an IC that took a
    neighbouring feature of the signal; this counts how many matched ICs are that far off.
    """
    out = []
    for r in rows:
        if r.tool != OURS or not r.default or not r.agreements:
            continue
        a = pool(r.agreements)
        err_ms = np.abs(a.ic_error_ms)
        close = int(np.sum(err_ms <= STRICT_TOLERANCE_MS))
        early = int(np.sum(a.ic_error_ms < -STRICT_TOLERANCE_MS))
        late = int(np.sum(a.ic_error_ms > STRICT_TOLERANCE_MS))
        tol_ms = 1000 * DATASETS[r.dataset].info.tolerance_s
        out.append(
            f"{r.dataset}, {r.placement}, {r.method}: {100 * close / max(a.n_reference, 1):.1f} % "
            f"of {a.n_reference} reference contacts found with the IC within "
            f"{STRICT_TOLERANCE_MS:.0f} ms (recall at {tol_ms:.0f} ms: "
            f"{100 * a.recall:.1f} %); {early} matched ICs more than "
            f"{STRICT_TOLERANCE_MS:.0f} ms early, {late} more than that late"
        )
    return out


def speed_lines(
    our_time_s: dict[tuple[str, str], float],
    peer_time_s: dict[tuple[str, str], float],
    dataset_of: dict[str, str],
) -> list[str]:
    out = []
    for tool in ("gaitmap", "sensormotion"):
        per_dataset: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for (name, t), peer_s in peer_time_s.items():
            if t != tool or (name, "default") not in our_time_s:
                continue
            per_dataset[dataset_of[name]].append((our_time_s[(name, "default")], peer_s))
        for dataset, pairs in sorted(
            per_dataset.items(), key=lambda kv: list(DATASETS).index(kv[0])
        ):
            ours = sum(p[0] for p in pairs)
            theirs = sum(p[1] for p in pairs)
            ratio = theirs / ours if ours > 0 else math.nan
            out.append(
                f"| {dataset} | {tool} | {len(pairs)} | {1000 * ours:.0f} | {1000 * theirs:.0f} "
                f"| {fmt(ratio)}× |"
            )
    return out


def code_version() -> str:
    """The commit the detectors come from, marked when the analysis code is modified."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", *ANALYSIS_PATHS],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return ""
    return f", commit {head}" + (" with uncommitted analysis changes" if dirty else "")


def markdown(
    rows: list[Row],
    per_case: list[CaseResult],
    argv: list[str],
    quick: bool,
    cli_note: str,
    peers_note: str,
    speed: list[str],
) -> str:
    command = "python benchmarks/validate.py" + (" " + " ".join(argv) if argv else "")
    lines = [
        "# Accuracy on real recordings",
        "",
        "<!-- generated by benchmarks/validate.py: do not edit by hand -->",
        f"Generated by `benchmarks/validate.py` on {date.today().isoformat()} (sensorlab "
        f"{__version__}, analysis version {ANALYSIS_VERSION}{code_version()}); regenerate "
        f"with `{command}` "
        "(needs the shared datasets: `../shared` beside the repository or `SENSORLAB_SHARED`; "
        "peers need `--peers-python` pointing at a venv with `pip install -e '.[peers]'`).",
        "",
        "Each recording is converted to the canonical CSV, read back with `read_recording` and "
        "analysed by `analyze_many` exactly as `sensorlab analyze FILES --drill D --placement P "
        "--allow-gaps` "
        "(left and right file of a trial together). A detected contact matches the reference "
        "contact with the nearest IC within the dataset's tolerance, one to one; detections "
        "outside the stretches where the reference is complete (standing, turns, edges) are not "
        "scored. Errors are detected minus reference, in ms: medAE = median absolute error, "
        "bias = mean, CT = contact time (TO − IC), SD and MAE of the CT error. "
        "`(default)` is the method `sensorlab analyze` picks for the file; "
        "`segment-acc` on a file with a gyroscope is the accelerometer-only detector.",
        "",
    ]
    if quick:
        lines += ["**Quick subset only** (`--quick`): see each dataset's subset below.", ""]
    lines += [
        "## Summary",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "---|" * len(HEADER),
    ]
    lines += ["| " + " | ".join(row_cells(r)) + " |" for r in rows]
    lines += [
        "",
        "`issue bar`: the figures of issue 3's *done when* for this dataset and placement, "
        "checked for the default method only.",
        "",
        "## Where we are weak",
        "",
    ]
    weak = weaknesses(rows)
    lines += [f"- {w}" for w in weak] if weak else ["- nothing below the issue's bars here."]
    lines += [
        "",
        f"With the simulator's {STRICT_TOLERANCE_MS:.0f} ms IC tolerance instead of the "
        "dataset's (a wide tolerance accepts an IC placed on a neighbouring feature of the "
        "signal):",
        "",
        *[f"- {line}" for line in strict_lines(rows)],
    ]
    lines += ["", "## Peers", "", peers_note, ""]
    if speed:
        lines += [
            "Run time on the same files, processing only (files already read; ours: "
            "`analyze_many` with the default method; gaitmap: gravity/heading alignment, DTW "
            "stride segmentation and event detection; sensormotion: filter and peak search). "
            "Ratio = peer time / our time (higher is better for us); the machine is shared, so "
            "treat the seconds as rough.",
            "",
            "| dataset | peer | files | ours [ms] | peer [ms] | ratio |",
            "|---|---|---|---|---|---|",
            *speed,
            "",
        ]
    lines += ["## Cross-check through the command line", "", cli_note, ""]
    lines += ["## Datasets and the limits of their references", ""]
    names = sorted({r.dataset for r in rows}, key=list(DATASETS).index)
    for name in names:
        info = DATASETS[name].info
        lines += [
            f"### {name}",
            "",
            f"- activity: {info.activity}",
            f"- reference: {info.reference}",
            f"- drill analysed as: `{info.drill}`; match tolerance "
            f"{1000 * info.tolerance_s:.0f} ms",
            f"- `--quick` subset: {info.subset}",
            "- limits:",
            *[f"  - {limit}" for limit in info.limits],
            "",
        ]
        mine = [pc for pc in per_case if pc.case.dataset == name and pc.tool == OURS and pc.default]

        def wrong(pc: CaseResult) -> int:
            a = pc.agreement
            return (a.n_reference - a.n_matched) + (a.n_detected - a.n_matched)

        worst = [pc for pc in mine if wrong(pc) > 0]
        worst.sort(key=lambda pc: (-wrong(pc), pc.case.name))
        if worst:
            lines += [
                f"Files with missed or extra contacts, default method ({len(worst)} of "
                f"{len(mine)} files; worst {min(len(worst), 8)}):",
                "",
            ]
            for pc in worst[:8]:
                a = pc.agreement
                lines.append(
                    f"- `{pc.case.name}` ({pc.method}): {a.n_matched} of {a.n_reference} found, "
                    f"{a.n_detected - a.n_matched} extra"
                )
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


COMPARED = [
    ("recall_pct", "rec%", "+.1f"),
    ("precision_pct", "prec%", "+.1f"),
    ("ic_medae_ms", "ICmed", "+.1f"),
    ("to_medae_ms", "TOmed", "+.1f"),
    ("contact_bias_ms", "CTbias", "+.1f"),
    ("contact_sd_ms", "CTsd", "+.1f"),
]


def rows_json(rows: list[Row]) -> list[dict[str, object]]:
    """The table as JSON records (for --save-json / --baseline)."""
    return [
        {
            "dataset": r.dataset,
            "placement": r.placement,
            "tool": r.tool,
            "method": r.method,
            "default": r.default,
            "files": len(r.cases),
            **{k: (v if math.isfinite(v) else None) for k, v in r.stats().items()},
        }
        for r in rows
    ]


def print_deltas(rows: list[Row], baseline_path: Path) -> None:
    """Change of the main figures of our rows against a saved run."""
    saved = {
        (b["dataset"], b["placement"], b["tool"], b["method"]): b
        for b in json.loads(baseline_path.read_text())
    }
    print(f"change against {baseline_path} (now - then; medAE/SD lower is better):")
    for r in rows:
        if r.tool != OURS:
            continue
        then = saved.get(r.key)
        if then is None:
            print(f"  {r.dataset} {r.placement} {r.method}: not in the baseline")
            continue
        now = r.stats()
        cells = []
        for key, label, spec in COMPARED:
            a, b = now[key], then.get(key)
            delta = a - b if b is not None and math.isfinite(a) else math.nan
            cells.append(f"{label} {fmt(delta, spec)}")
        print(f"  {r.dataset:28s} {r.placement:6s} {r.method:15s} " + "  ".join(cells))


def print_per_case(per_case: list[CaseResult]) -> None:
    for pc in per_case:
        s = pc.agreement.stats()
        print(
            f"  {pc.case.name:44s} {pc.tool:12s} {pc.method:16s} ref {s['n_reference']:3.0f} "
            f"det {s['n_detected']:3.0f} rec {fmt(s['recall_pct'], '5.1f')} "
            f"prec {fmt(s['precision_pct'], '5.1f')} IC {fmt(s['ic_bias_ms'], '+6.1f')} "
            f"TO {fmt(s['to_bias_ms'], '+6.1f')} CT {fmt(s['contact_bias_ms'], '+6.1f')}"
            f"±{fmt(s['contact_sd_ms'], '.1f')}"
        )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="each dataset's small subset")
    parser.add_argument(
        "--dataset", action="append", choices=list(DATASETS), help="only this dataset (repeatable)"
    )
    parser.add_argument("--method", choices=list(DETECTORS), help="only this contact detector")
    parser.add_argument("--shared", help="shared folder (default: $SENSORLAB_SHARED or ../shared)")
    parser.add_argument(
        "--markdown",
        metavar="FILE",
        help="write the report here (default: docs/validation.md on a full run only)",
    )
    parser.add_argument("--no-markdown", action="store_true", help="never write the report")
    parser.add_argument("--per-case", action="store_true", help="print one line per file")
    parser.add_argument("--peers-python", metavar="PY", help="interpreter that has the peers")
    parser.add_argument("--no-peers", action="store_true", help="sensorlab only")
    parser.add_argument("--keep", metavar="DIR", help="write the converted CSVs here (kept)")
    parser.add_argument("--save-json", metavar="FILE", help="write the table as JSON")
    parser.add_argument(
        "--baseline", metavar="FILE", help="print changes against a --save-json file"
    )
    args = parser.parse_args(argv)

    shared = find_shared(args.shared)
    if shared is None:
        print("validate.py: no shared datasets found (set SENSORLAB_SHARED)", file=sys.stderr)
        return 2
    names = args.dataset or list(DATASETS)
    full_run = not (args.quick or args.dataset or args.method)
    markdown_path = None
    if not args.no_markdown:
        if args.markdown:
            markdown_path = Path(args.markdown)
        elif full_run:
            markdown_path = DEFAULT_MARKDOWN

    rows: dict[tuple[str, str, str, str], Row] = {}
    per_case: list[CaseResult] = []
    our_time_s: dict[tuple[str, str], float] = {}
    peer_time_s: dict[tuple[str, str], float] = {}
    with contextlib.ExitStack() as stack:
        if args.keep:
            folder = Path(args.keep)
            folder.mkdir(parents=True, exist_ok=True)
        else:
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="sensorlab-validation-"))
            folder = Path(tmp)
        all_cases: list[ValidationCase] = []
        paths: dict[str, Path] = {}
        for name in names:
            t0 = time.perf_counter()
            cases = load_dataset(name, shared, quick=args.quick)
            for case in cases:
                paths[case.name] = case.write_csv(folder)
            all_cases.extend(cases)
            t1 = time.perf_counter()
            run_ours(cases, paths, args.method, rows, per_case, our_time_s)
            print(
                f"{name}: {len(cases)} files, "
                f"{sum(c.reference.n_contacts for c in cases)} reference contacts "
                f"(load+convert {t1 - t0:.1f} s, analyse {time.perf_counter() - t1:.1f} s)",
                file=sys.stderr,
            )
        cli_note = cli_cross_check(all_cases[0], paths[all_cases[0].name])

        python = None if args.no_peers else peers_interpreter(args.peers_python)
        if python is None:
            peers_note = (
                "Peers not run: gaitmap/sensormotion are not installed here (install the "
                "`peers` extra in a separate venv and pass `--peers-python`); sensorlab only."
            )
            print("peers: not installed (use --peers-python); reporting sensorlab only")
        else:
            t0 = time.perf_counter()
            error, versions = run_peers(
                python, all_cases, paths, folder, rows, per_case, peer_time_s
            )
            if error:
                peers_note = f"Peers failed: {error}"
                print(f"peers: {error}", file=sys.stderr)
            else:
                peers_note = (
                    "gaitmap: data aligned with its own utilities (gravity alignment, PCA "
                    "heading alignment of the gyro x-y plane, forward-direction sign "
                    "alignment), converted to its foot body frame, strides from its DTW "
                    "segmentation (BarthDtw), events from RamppEventDetection; a contact is "
                    "a stride's `pre_ic` to `tc`. Foot files with a gyroscope only, default "
                    "parameters. `rampp+given-strides`: the same event detection on the "
                    "dataset's hand-labelled stride borders instead of the DTW strides. "
                    "sensormotion: low-pass filtered acceleration norm, `peak.find_peaks` "
                    "(IC only: it has no TO, so TO and contact-time figures are empty). "
                    "Versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + "."
                )
                failures = sorted(
                    {f"{r.tool} on {r.dataset}: {n}" for r in rows.values() for n in r.notes}
                )
                if failures:
                    peers_note += "\n\nPeer failures (scored as no detection):\n\n" + "\n".join(
                        f"- {f}" for f in failures
                    )
                print(f"peers: done in {time.perf_counter() - t0:.1f} s", file=sys.stderr)

    ordered_rows = ordered(rows)
    if args.per_case:
        print_per_case(per_case)
    print_table(ordered_rows)
    if args.baseline:
        print_deltas(ordered_rows, Path(args.baseline))
    if args.save_json:
        Path(args.save_json).write_text(json.dumps(rows_json(ordered_rows), indent=1))
    speed = speed_lines(our_time_s, peer_time_s, {c.name: c.dataset for c in all_cases})
    if speed:
        print("run time, processing only (ms): dataset | peer | files | ours | peer | peer/ours")
    for line in speed:
        print("  " + line.strip("| ").replace(" | ", " | "))
    weak = weaknesses(ordered_rows)
    if weak:
        print("where we are weak:")
        for w in weak:
            print(f"  - {w}")
    print(f"IC within {STRICT_TOLERANCE_MS:.0f} ms:")
    for line in strict_lines(ordered_rows):
        print(f"  - {line}")
    print(cli_note.replace("`", ""))
    if markdown_path is not None:
        text = markdown(ordered_rows, per_case, argv, args.quick, cli_note, peers_note, speed)
        markdown_path.write_text(text)
        print(f"wrote {markdown_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
