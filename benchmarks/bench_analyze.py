"""Speed and peak memory of the offline analysis on a long 1 kHz, 6-axis foot recording.

The recording is not simulated for its whole length: one 60 s set of the ``run`` drill (foot,
1 kHz, 50 s of running between 5 s of quiet standing) is simulated once and its arrays are
tiled ``--minutes`` times on a continuous time axis, then written once as a recording CSV
(into a temporary folder, or into ``--keep DIR`` where a file of the same size is reused).

Timed in this process, best of ``--repeat`` runs with :func:`time.perf_counter`:

* ``read``: :func:`sensorlab.io.read_recording` of the file;
* ``analyze``: :func:`sensorlab.analysis.analyze_recording` of the loaded recording;
* ``read+analyze``: both together;

and two peers run in the same process on the same data, as floors (the machine is shared and
noisy, so the ratios to them matter more than the seconds):

* ``pandas.read_csv``: a bare ``pandas.read_csv(path, comment="#")`` of the file;
* ``find_peaks(|acc|)``: the acceleration norm and one :func:`scipy.signal.find_peaks` on it.

Peak memory: read+analyze runs in a fresh child process (this script re-invoked with a hidden
``--child`` flag) that reports its ``ru_maxrss``; the same from a child that only imports
sensorlab (and the benchmark's own imports) is subtracted. MB are 10^6 bytes.

Usage::

    PYTHONPATH=. python benchmarks/bench_analyze.py [--minutes 60] [--repeat 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
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


def prepare_file(folder: Path, minutes: int) -> tuple[Path, str]:
    """Write the tiled recording into ``folder`` (or reuse it there); say what was done."""
    path = folder / f"bench_run_foot_1khz_{minutes}min.csv"
    if path.exists():
        return path, "reused"
    started = time.perf_counter()
    recording = tiled_recording(minutes)
    built = time.perf_counter()
    write_recording(recording, path)
    written = time.perf_counter()
    return path, f"built in {built - started:.1f} s, written in {written - built:.1f} s"


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


def child_main(mode: str, path: str | None) -> None:
    """Run in the child: read+analyze (mode ``full``) or nothing; print JSON with ru_maxrss."""
    out: dict[str, Any] = {"mode": mode}
    if mode == "full":
        if path is None:
            raise SystemExit("--child full needs --child-path")
        started = time.perf_counter()
        result = read_and_analyze(Path(path))
        out["seconds"] = time.perf_counter() - started
        out["contacts"] = len(result.contacts)
    out["maxrss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(out))


def run_child(mode: str, path: Path | None = None) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--child", mode]
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
    parser.add_argument("--child", choices=("baseline", "full"), help=argparse.SUPPRESS)
    parser.add_argument("--child-path", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def length_label(minutes: int) -> str:
    return f"{minutes // 60} h" if minutes % 60 == 0 else f"{minutes} min"


def benchmark(path: Path, how: str, args: argparse.Namespace) -> None:
    file_mb = path.stat().st_size / MB
    print(f"file: {path} ({file_mb:.1f} MB, {how})")

    read_s, recording = time_runs(lambda: read_recording(path), args.repeat)
    n = recording.n_samples
    rate_hz = recording.nominal_sampling_rate_hz
    arrays_mb = array_bytes(recording) / MB
    print(
        f"recording: {n:,} samples, {recording.duration_s / 60:.1f} min @ {rate_hz:.0f} Hz, "
        f"gyro={recording.has_gyro}, arrays {arrays_mb:.1f} MB in memory"
    )
    analyze_s, result = time_runs(lambda: analyze_recording(recording), args.repeat)
    both_s, _ = time_runs(lambda: read_and_analyze(path), args.repeat)
    pandas_s, frame = time_runs(lambda: pd.read_csv(path, comment="#"), args.repeat)
    if len(frame.index) != n:
        print(f"warning: pandas.read_csv found {len(frame.index)} rows, read_recording {n}")
    del frame
    peaks_s, peaks = time_runs(lambda: peaks_on_norm(recording.acc_ms2, rate_hz), args.repeat)
    print(
        f"analysis: {len(result.sets)} sets, {len(result.contacts):,} contacts "
        f"(method {result.method}); find_peaks(|acc|): {len(peaks):,} peaks"
    )
    del recording, result
    gc.collect()

    baseline = run_child("baseline")
    full = run_child("full", path)
    base_mb = baseline["maxrss_kib"] * 1024 / MB
    full_mb = full["maxrss_kib"] * 1024 / MB
    peak_mb = full_mb - base_mb

    rows = [
        ("read_recording", read_s, "pandas.read_csv", pandas_s),
        ("analyze_recording", analyze_s, "find_peaks(|acc|)", peaks_s),
        ("read+analyze", both_s, "read_csv+find_peaks", None),
        ("pandas.read_csv", pandas_s, "", None),
        ("find_peaks(|acc|)", peaks_s, "", None),
    ]
    floor_s = min(pandas_s) + min(peaks_s)
    print()
    print(f"timings: best of {args.repeat} (median in brackets), samples/s on the best")
    header = f"{'step':<20}{'best s':>9}{'(median)':>10}{'samples/s':>12}  ratio"
    print(header)
    print("-" * (len(header) + 28))
    for name, durations, peer, peer_s in rows:
        best = min(durations)
        if peer_s is not None:
            ratio = f"{best / min(peer_s):6.1f} x {peer}"
        elif peer:
            ratio = f"{best / floor_s:6.1f} x {peer}"
        else:
            ratio = ""
        median = f"({statistics.median(durations):.3f})"
        print(f"{name:<20}{best:>9.3f}{median:>10}{n / best:>12.3g}  {ratio}")

    print()
    print("memory (MB)")
    print(f"  file on disk                      {file_mb:8.1f}")
    print(f"  arrays in memory (time, acc, gyr) {arrays_mb:8.1f}")
    print(f"  child ru_maxrss, import only      {base_mb:8.1f}")
    print(
        f"  child ru_maxrss, read+analyze     {full_mb:8.1f}  "
        f"(cold process: {full['seconds']:.2f} s, {full['contacts']:,} contacts)"
    )
    print(
        f"  peak of read+analyze              {peak_mb:8.1f}  "
        f"= {peak_mb / file_mb:.1f} x file, {peak_mb / arrays_mb:.1f} x arrays"
    )

    best_both = min(both_s)
    line = (
        f"read+analyze {length_label(args.minutes)} @ {rate_hz / 1000:.0f} kHz: "
        f"{best_both:.2f} s (aim < {AIM_S:.0f} s), "
        f"peak memory {peak_mb:.0f} MB (aim < 1 GB)"
    )
    if args.minutes != 60:
        scale = 60 / args.minutes
        line += f"; linear to 1 h: {best_both * scale:.1f} s, {peak_mb * scale:.0f} MB"
    print()
    print(line)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.child is not None:
        child_main(args.child, args.child_path)
        return
    print(
        f"bench_analyze: {args.minutes} x 60 s simulated '{SET_CONFIG.drill}' sets, "
        f"{SET_CONFIG.placement}, {RATE_HZ:.0f} Hz, 6 axes; repeat {args.repeat}; "
        f"python {sys.version.split()[0]}, numpy {np.__version__}, pandas {pd.__version__}"
    )
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)
        path, how = prepare_file(args.keep, args.minutes)
        benchmark(path, how, args)
        return
    with tempfile.TemporaryDirectory(prefix="bench_analyze_") as folder:
        path, how = prepare_file(Path(folder), args.minutes)
        benchmark(path, how, args)


if __name__ == "__main__":
    main()
