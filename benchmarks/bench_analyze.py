"""Speed and peak memory of the offline analysis on a long 1 kHz, 6-axis foot recording.

The recording is not simulated for its whole length: one 60 s set of the ``run`` drill (foot,
1 kHz, 50 s of running between 5 s of quiet standing) is simulated once and its arrays are
tiled ``--minutes`` times on a continuous time axis, then written once as a recording CSV
(into a temporary folder, or into ``--keep DIR`` where a file of the same length is reused).

Timed in this process, best of ``--repeat`` runs with :func:`time.perf_counter`:

* ``read``: :func:`sensorlab.io.read_recording` of the file;
* ``analyze``: :func:`sensorlab.analysis.analyze_recording` of the loaded recording;
* ``read+analyze``: both together;

and two peers run in the same process on the same data, as floors (the machine is shared and
noisy, so the ratios to them matter more than the seconds):

* ``pandas.read_csv``: a bare ``pandas.read_csv(path, comment="#")`` of the file;
* ``find_peaks(|acc|)``: the acceleration norm and one :func:`scipy.signal.find_peaks` on it.

Peak memory: read+analyze runs in a fresh child process (this script re-invoked with a hidden
``--child`` flag) that reports its ``ru_maxrss`` (and ``VmHWM`` from /proc as a check); the same
from a child that only imports sensorlab (and the benchmark's own imports) is subtracted. On
Linux a child's ``ru_maxrss`` starts from its parent's peak at the fork, so the file is written
by a child too and the memory children run before this process loads anything big. MB are
10^6 bytes. The table ends with the in-process best read+analyze time and that peak.

Usage::

    PYTHONPATH=. python benchmarks/bench_analyze.py [--minutes 60] [--repeat 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.signal import find_peaks

from sensorlab.analysis import analyze_recording
from sensorlab.io import read_recording, write_recording
from sensorlab.recording import Recording
from sensorlab.simulate import SimulationConfig, simulate_set

RATE_HZ = 1000.0
SET_CONFIG = SimulationConfig(
    drill="run",
    placement="foot",
    sampling_rate_hz=RATE_HZ,
    duration_s=50.0,
    standing_s=(5.0, 5.0),
    seed=1,
)
METADATA = {"drill": "run", "placement": "foot", "side": "right"}
AIM_S = 10.0
AIM_MB = 1000.0
MB = 1e6
G_MS2 = 9.80665


# --------------------------------------------------------------------------------------------
# the recording
# --------------------------------------------------------------------------------------------


def tiled_recording(minutes: int) -> Recording:
    """One simulated 60 s set, repeated ``minutes`` times on a continuous time axis."""
    one = simulate_set(SET_CONFIG).recording
    if one.gyr_dps is None:
        raise SystemExit("the simulated set has no gyroscope columns")
    step_s = float(np.median(np.diff(one.time_s)))
    period_s = float(one.time_s[-1] - one.time_s[0]) + step_s
    offsets = np.repeat(np.arange(minutes) * period_s, one.n_samples)
    return Recording(
        time_s=np.tile(one.time_s, minutes) + offsets,
        acc_ms2=np.tile(one.acc_ms2, (minutes, 1)),
        gyr_dps=np.tile(one.gyr_dps, (minutes, 1)),
        metadata=METADATA,
        source=f"simulated run x {minutes}",
    )


def array_bytes(recording: Recording) -> int:
    """Bytes held by the recording's arrays."""
    total = recording.time_s.nbytes + recording.acc_ms2.nbytes
    if recording.gyr_dps is not None:
        total += recording.gyr_dps.nbytes
    return total + sum(column.nbytes for column in recording.extra.values())


def recording_path(folder: Path, minutes: int) -> Path:
    return folder / f"bench_run_foot_1khz_{minutes}min.csv"


def write_file(path: Path, minutes: int) -> dict[str, Any]:
    """Build the tiled recording and write it to ``path``; return the seconds taken."""
    started = time.perf_counter()
    recording = tiled_recording(minutes)
    built = time.perf_counter()
    write_recording(recording, path)
    return {"build_s": built - started, "write_s": time.perf_counter() - built}


# --------------------------------------------------------------------------------------------
# timing
# --------------------------------------------------------------------------------------------


def time_runs(func: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    """Run ``func`` ``repeat`` times; return the durations in s and the last result."""
    durations = []
    result = None
    for _ in range(repeat):
        result = None
        gc.collect()
        started = time.perf_counter()
        result = func()
        durations.append(time.perf_counter() - started)
    return durations, result


def read_and_analyze(path: Path) -> Any:
    return analyze_recording(read_recording(path))


def peaks_on_norm(acc_ms2: np.ndarray, rate_hz: float) -> np.ndarray:
    """The floor for a one-pass peak detector: impacts above 2 g, at least 0.2 s apart."""
    norm = np.sqrt(np.einsum("ij,ij->i", acc_ms2, acc_ms2))
    peaks, _ = find_peaks(norm, height=2.0 * G_MS2, distance=max(1, round(0.2 * rate_hz)))
    return peaks


# --------------------------------------------------------------------------------------------
# peak memory in a child process
# --------------------------------------------------------------------------------------------


def peak_rss_kib() -> dict[str, int | None]:
    """``ru_maxrss`` (KiB on Linux) and, where /proc exists, ``VmHWM`` of this process."""
    hwm = None
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                hwm = int(line.split()[1])
    return {"maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "hwm_kib": hwm}


def child_main(mode: str, path: str | None, minutes: int) -> None:
    """Run in the child and print one JSON line.

    ``write``: build and write the recording; ``baseline``: nothing (imports only);
    ``full``: read+analyze. The last two report their peak resident memory.
    """
    out: dict[str, Any] = {"mode": mode}
    if mode != "baseline" and path is None:
        raise SystemExit(f"--child {mode} needs --child-path")
    if mode == "write":
        out.update(write_file(Path(str(path)), minutes))
    elif mode == "full":
        started = time.perf_counter()
        result = read_and_analyze(Path(str(path)))
        out["seconds"] = time.perf_counter() - started
        out["contacts"] = len(result.contacts)
    out.update(peak_rss_kib())
    print(json.dumps(out))


def run_child(mode: str, path: Path | None = None, minutes: int = 1) -> dict[str, Any]:
    """Run this script in a fresh interpreter with ``--child mode``; return its JSON line."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", mode]
    command += ["--minutes", str(minutes)]
    if path is not None:
        command += ["--child-path", str(path)]
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=os.environ)
    if done.returncode != 0:
        raise SystemExit(f"child '{mode}' failed ({done.returncode}):\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --------------------------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------------------------


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, found {text}")
    return value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(
            "Time read_recording and analyze_recording on a tiled 1 kHz 6-axis foot recording "
            "against pandas.read_csv and find_peaks peers, and measure the peak memory of "
            "read+analyze in a child process."
        )
    )
    parser.add_argument(
        "--minutes",
        type=positive_int,
        default=60,
        help="length of the recording in minutes (one simulated 60 s set each; default 60)",
    )
    parser.add_argument(
        "--repeat", type=positive_int, default=3, help="runs per timing, best kept (default 3)"
    )
    parser.add_argument(
        "--keep",
        metavar="DIR",
        type=Path,
        help="write the recording into DIR and reuse it from there on later runs",
    )
    parser.add_argument("--child", choices=("write", "baseline", "full"), help=argparse.SUPPRESS)
    parser.add_argument("--child-path", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def length_label(minutes: int) -> str:
    return f"{minutes // 60} h" if minutes % 60 == 0 else f"{minutes} min"


def to_mb(kib: int | None) -> float:
    return float("nan") if kib is None else kib * 1024 / MB


def measure_memory(path: Path) -> dict[str, Any]:
    """Peak memory of read+analyze in a fresh child, less that of an import-only child.

    Run before this process loads anything big: on Linux a child's ``ru_maxrss`` starts from
    the parent's peak at the moment of the fork (it survives the exec), ``VmHWM`` does not.
    """
    parent_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    baseline = run_child("baseline")
    full = run_child("full", path)
    peak_mb = to_mb(full["maxrss_kib"]) - to_mb(baseline["maxrss_kib"])
    hwm_mb = to_mb(full["hwm_kib"]) - to_mb(baseline["hwm_kib"])
    return {
        "parent_mb": to_mb(parent_kib),
        "baseline": baseline,
        "full": full,
        "peak_mb": peak_mb,
        "hwm_peak_mb": hwm_mb,
    }


def time_in_process(path: Path, repeat: int) -> dict[str, Any]:
    """Best-of-``repeat`` timings of read, analyze, both, and the two peers."""
    read_s, recording = time_runs(lambda: read_recording(path), repeat)
    rate_hz = recording.nominal_sampling_rate_hz
    analyze_s, result = time_runs(lambda: analyze_recording(recording), repeat)
    both_s, _ = time_runs(lambda: read_and_analyze(path), repeat)
    pandas_s, frame = time_runs(lambda: pd.read_csv(path, comment="#"), repeat)
    peaks_s, peaks = time_runs(lambda: peaks_on_norm(recording.acc_ms2, rate_hz), repeat)
    return {
        "n": recording.n_samples,
        "duration_min": recording.duration_s / 60,
        "rate_hz": rate_hz,
        "has_gyro": recording.has_gyro,
        "arrays_mb": array_bytes(recording) / MB,
        "pandas_rows": len(frame.index),
        "sets": len(result.sets),
        "contacts": len(result.contacts),
        "method": result.method,
        "peaks": len(peaks),
        "times": {
            "read_recording": read_s,
            "analyze_recording": analyze_s,
            "read+analyze": both_s,
            "pandas.read_csv": pandas_s,
            "find_peaks(|acc|)": peaks_s,
        },
    }


def report(path: Path, how: str, args: argparse.Namespace, mem: dict[str, Any]) -> None:
    file_mb = path.stat().st_size / MB
    print(f"file: {path} ({file_mb:.1f} MB, {how})")
    run = time_in_process(path, args.repeat)
    n = run["n"]
    arrays_mb = run["arrays_mb"]
    print(
        f"recording: {n:,} samples, {run['duration_min']:.1f} min @ {run['rate_hz']:.0f} Hz, "
        f"gyro={run['has_gyro']}, arrays {arrays_mb:.1f} MB in memory"
    )
    print(
        f"analysis: {run['sets']} sets, {run['contacts']:,} contacts "
        f"(method {run['method']}); find_peaks(|acc|): {run['peaks']:,} peaks"
    )
    if run["pandas_rows"] != n:
        print(f"warning: pandas.read_csv found {run['pandas_rows']} rows, read_recording {n}")

    times = run["times"]
    best = {name: min(durations) for name, durations in times.items()}
    peers = {
        "read_recording": ("pandas.read_csv", best["pandas.read_csv"]),
        "analyze_recording": ("find_peaks(|acc|)", best["find_peaks(|acc|)"]),
        "read+analyze": (
            "read_csv + find_peaks",
            best["pandas.read_csv"] + best["find_peaks(|acc|)"],
        ),
    }
    print()
    print(f"timings: best of {args.repeat} (median in brackets); samples/s of the best")
    header = f"{'step':<20}{'best s':>9}{'(median)':>10}{'samples/s':>12}  ratio to peer"
    print(header)
    print("-" * (len(header) + 14))
    for name, durations in times.items():
        median = f"({statistics.median(durations):.3f})"
        ratio = ""
        if name in peers:
            peer, peer_s = peers[name]
            ratio = f"{best[name] / peer_s:6.1f} x {peer}"
        print(f"{name:<20}{best[name]:>9.3f}{median:>10}{n / best[name]:>12.3g}  {ratio}".rstrip())

    full, baseline = mem["full"], mem["baseline"]
    peak_mb = mem["peak_mb"]
    print()
    print("memory (MB = 1e6 bytes)              ru_maxrss    VmHWM")
    print(
        f"  child, imports only                {to_mb(baseline['maxrss_kib']):9.1f}"
        f"{to_mb(baseline['hwm_kib']):9.1f}"
    )
    print(
        f"  child, read+analyze                {to_mb(full['maxrss_kib']):9.1f}"
        f"{to_mb(full['hwm_kib']):9.1f}   ({full['seconds']:.2f} s in the cold child)"
    )
    print(
        f"  peak of read+analyze (difference)  {peak_mb:9.1f}{mem['hwm_peak_mb']:9.1f}"
        f"   = {peak_mb / file_mb:.1f} x file, {peak_mb / arrays_mb:.1f} x arrays"
    )
    print(f"  file on disk                       {file_mb:9.1f}")
    print(f"  arrays in memory (time, acc, gyr)  {arrays_mb:9.1f}")
    if mem["parent_mb"] > to_mb(baseline["maxrss_kib"]) + 1:
        print(
            f"  note: the parent's peak ({mem['parent_mb']:.0f} MB) exceeded the baseline when "
            "the children started, so their ru_maxrss may be inflated: trust VmHWM"
        )

    best_both = best["read+analyze"]
    line = (
        f"read+analyze {length_label(args.minutes)} @ {run['rate_hz'] / 1000:.0f} kHz: "
        f"{best_both:.2f} s (aim < {AIM_S:.0f} s), "
        f"peak memory {peak_mb:.0f} MB (aim < 1 GB)"
    )
    if args.minutes != 60:
        scale = 60 / args.minutes
        line += f"; linear x{scale:g} to 1 h: {best_both * scale:.1f} s, {peak_mb * scale:.0f} MB"
    print()
    print(line)


def run(folder: Path, args: argparse.Namespace) -> None:
    path = recording_path(folder, args.minutes)
    if path.exists():
        how = "reused"
    else:
        # written by a child, so that this process stays small until the memory is measured
        wrote = run_child("write", path, args.minutes)
        how = f"built in {wrote['build_s']:.1f} s, written in {wrote['write_s']:.1f} s"
    mem = measure_memory(path)
    report(path, how, args, mem)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.child is not None:
        child_main(args.child, args.child_path, args.minutes)
        return
    print(
        f"bench_analyze: {args.minutes} x 60 s simulated '{SET_CONFIG.drill}' sets, "
        f"{SET_CONFIG.placement}, {RATE_HZ:.0f} Hz, 6 axes; repeat {args.repeat}; "
        f"python {sys.version.split()[0]}, numpy {np.__version__}, pandas {pd.__version__}"
    )
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        run(args.keep, args)
        return
    with tempfile.TemporaryDirectory(prefix="bench_analyze_") as folder:
        run(Path(folder), args)


if __name__ == "__main__":
    main()
