"""Speed of ``sensorlab progress`` on a library of 2000 sets: first run, and again unchanged.

The library: ``--base`` short sets (200 Hz, 5 s active, one bout; three drills) are simulated
once; each of the ``--sets`` library files is one of them with its own metadata lines
(athlete of two, ``started_at`` spread over 52 weeks in the athlete's UTC offset, a ``copy``
number), written as bytes, so every file has its own content hash and is analysed for real by
the index: nothing is pre-filled in the database. The library is written into a temporary
folder, or into ``--keep DIR`` (reused when it already holds the right number of files; its
index is deleted first so the first run is a real first run).

Timed, best of ``--repeat`` for the repeated runs (the machine is shared and noisy):

* ``first progress``: ``progress --json`` in this process on the new library: scan, hash and
  analyse every file, fill the index, aggregate (once);
* ``second progress``: the same on the unchanged library: scan (stat), compare size and
  mtime with the index, query and aggregate: the number the issue asks to be under 1 s;
* ``second progress, new process``: ``python -m sensorlab.cli progress --json`` in a child
  process, so Python start-up and imports are included;
* peers on the same files, as floors: ``stat every file`` (``os.scandir`` + ``stat``),
  ``sha256 every file`` (what re-hashing the library on each run would cost), and
  ``SELECT all sets`` (one SQLite query of the index).

Usage::

    PYTHONPATH=. python benchmarks/bench_progress.py [--sets 2000] [--base 12] [--repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sensorlab.cli import main
from sensorlab.history.index import INDEX_NAME
from sensorlab.io import write_recording
from sensorlab.simulate import SimulationConfig, simulate_set

DRILLS = ("heels-to-glutes", "tiptoe-walk", "one-leg-skipping")
ATHLETES = (("ana", timezone(timedelta(hours=1))), ("ben", timezone(timedelta(hours=-5))))


def build_library(folder: Path, n_sets: int, n_base: int) -> None:
    """Write ``n_sets`` recording files made from ``n_base`` simulated sets."""
    bases: list[tuple[list[bytes], bytes]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(n_base):
            config = SimulationConfig(
                drill=DRILLS[k % len(DRILLS)],
                sampling_rate_hz=200.0,
                duration_s=5.0,
                standing_s=(0.5, 0.5),
                seed=1000 + k,
            )
            path = write_recording(simulate_set(config).recording, Path(tmp) / f"b{k}.csv")
            text = path.read_bytes()
            lines = text.split(b"\n")
            n_meta = next(i for i, line in enumerate(lines) if not line.startswith(b"#"))
            head = [line for line in lines[:n_meta] if not line.startswith(b"# started_at")]
            bases.append((head, b"\n".join(lines[n_meta:])))
    start = datetime(2025, 12, 1, 17, 0)
    for i in range(n_sets):
        head, body = bases[i % n_base]
        athlete, tz = ATHLETES[i % len(ATHLETES)]
        stamp = (start + timedelta(hours=4.4 * i)).replace(tzinfo=tz)  # ~52 weeks for 2000
        meta = [
            f"# athlete: {athlete}".encode(),
            f"# started_at: {stamp.isoformat()}".encode(),
            f"# copy: {i}".encode(),
        ]
        sub = folder / athlete
        sub.mkdir(exist_ok=True)
        (sub / f"set-{i:05d}.csv").write_bytes(b"\n".join([*head, *meta, body]))


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Best wall time of ``repeat`` calls, in s."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def progress_in_process(folder: Path) -> None:
    """``sensorlab progress --json`` in this process, its output discarded."""
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        status = main(["progress", "--library", str(folder), "--json"])
    if status != 0:
        raise SystemExit(f"progress failed: {sink.getvalue()[-500:]}")


def progress_child(folder: Path) -> None:
    """``python -m sensorlab.cli progress --json`` in a new process."""
    subprocess.run(
        [sys.executable, "-m", "sensorlab.cli", "progress", "--library", str(folder), "--json"],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def stat_all(folder: Path) -> None:
    """Stat every file under ``folder``."""
    stack = [folder]
    while stack:
        for entry in os.scandir(stack.pop()):
            if entry.is_dir():
                stack.append(Path(entry.path))
            else:
                entry.stat()


def hash_all(folder: Path) -> None:
    """SHA-256 of every CSV under ``folder``."""
    for path in folder.rglob("*.csv"):
        hashlib.sha256(path.read_bytes()).hexdigest()


def query_all(folder: Path) -> None:
    """One SQLite query of every set row."""
    with contextlib.closing(sqlite3.connect(folder / INDEX_NAME)) as db:
        db.execute("SELECT * FROM sets").fetchall()


def run(folder: Path, n_sets: int, n_base: int, repeat: int) -> None:
    """Build (or reuse) the library, time the runs and print the table."""
    existing = list(folder.rglob("*.csv"))
    if len(existing) != n_sets:
        for path in existing:
            path.unlink()
        t0 = time.perf_counter()
        build_library(folder, n_sets, n_base)
        print(f"wrote {n_sets} recordings in {time.perf_counter() - t0:.1f} s")
    for name in (INDEX_NAME, INDEX_NAME + "-wal", INDEX_NAME + "-shm"):
        (folder / name).unlink(missing_ok=True)
    size_mb = sum(p.stat().st_size for p in folder.rglob("*.csv")) / 1e6
    print(f"library {folder}: {n_sets} files, {size_mb:.0f} MB")

    first = timed(lambda: progress_in_process(folder), 1)
    with contextlib.closing(sqlite3.connect(folder / INDEX_NAME)) as db:
        n_rows = db.execute("SELECT COUNT(*) FROM sets").fetchone()[0]
        n_bad = db.execute("SELECT COUNT(*) FROM files WHERE status = 'error'").fetchone()[0]
    second = timed(lambda: progress_in_process(folder), repeat)
    child = timed(lambda: progress_child(folder), repeat)
    peers = {
        "stat every file": timed(lambda: stat_all(folder), repeat),
        "sha256 every file": timed(lambda: hash_all(folder), repeat),
        "SELECT all sets": timed(lambda: query_all(folder), repeat),
    }
    print(f"index: {n_rows} set rows, {n_bad} files not indexed")
    print()
    print(f"{'run':34s} {'time [s]':>9s} {'/ second':>9s}")
    rows = [
        ("first progress (index built)", first),
        ("second progress (unchanged)", second),
        ("second progress, new process", child),
        *peers.items(),
    ]
    for name, seconds in rows:
        print(f"{name:34s} {seconds:9.3f} {seconds / second:9.2f}")
    verdict = "under" if second < 1.0 else "NOT under"
    print(f"\nsecond progress on {n_sets} sets: {second:.3f} s, {verdict} 1 s")


def cli() -> None:
    """Parse arguments and run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", type=int, default=2000, help="library files (one set each)")
    parser.add_argument("--base", type=int, default=12, help="distinct simulated sets")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each repeated timing")
    parser.add_argument("--keep", metavar="DIR", help="write the library here and keep it")
    args = parser.parse_args()
    if args.keep:
        folder = Path(args.keep)
        folder.mkdir(parents=True, exist_ok=True)
        run(folder, args.sets, args.base, args.repeat)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            run(Path(tmp), args.sets, args.base, args.repeat)


if __name__ == "__main__":
    cli()
