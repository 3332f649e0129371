"""Peer contact/step detectors on the validation files: gaitmap and sensormotion.

Run by ``benchmarks/validate.py`` in an interpreter that has the ``peers`` extra (a separate
venv: gaitmap pins its own numpy/pandas, and gaitmap_mad is AGPL-3.0, so neither is ever a
dependency of sensorlab itself). Reads a manifest of canonical recording CSVs written by
validate.py, runs each peer on the same files, and writes the detected events and the
processing time per file as JSON; validate.py scores them like ours.

* **gaitmap** (foot files with a gyroscope, both feet of a trial together): the raw sensor
  frame is aligned with gaitmap's own utilities, as its docs prescribe before its algorithms:
  ``align_dataset_to_gravity`` (z up from static windows), ``PcaAlignment`` (y onto the main
  rotation axis of the gyro x-y plane, i.e. medio-lateral) and ``ForwardDirectionSignAlignment``
  (x forward, from a strapdown velocity estimate); then ``convert_to_fbf`` to its foot body
  frame, ``BarthDtw`` stride segmentation (its default template) and
  ``RamppEventDetection``. A contact is a stride's ``pre_ic`` to ``tc``. Files below its
  template's useful rate still run; failures are reported per file. Where the dataset has
  hand-labelled stride borders (gaitmap example), Rampp also runs on those instead of the
  DTW strides (``rampp+given-strides``, not timed).
* **sensormotion** (every file): acceleration norm (the pods are mounted anyhow), 4th-order
  Butterworth low-pass (10 Hz, at most 0.4 x the rate) with ``signal.build_filter`` /
  ``filter_signal``, then ``peak.find_peaks`` (normalised threshold 0.3, minimum distance
  0.6 x the shortest plausible interval between this sensor's contacts). Each peak is one
  contact's IC; sensormotion has no toe-off, so TO is null.

Usage (normally called by validate.py)::

    python benchmarks/bench_peers.py --manifest cases.json --out peers.json
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
import warnings
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

COLUMNS = ["acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"]
# shortest time between two contacts seen by one sensor, in s, by (placement kind, drill)
MIN_INTERVAL_S = {
    ("segment", "walk"): 0.8,
    ("segment", "run"): 0.5,
    ("trunk", "walk"): 0.4,
    ("trunk", "run"): 0.25,
}


def read_csv(path: str) -> tuple[np.ndarray, pd.DataFrame]:
    """Time in s and the six sensor columns (m/s², deg/s) of a canonical CSV."""
    table = pd.read_csv(path, comment="#")
    frame = pd.DataFrame(
        {
            "acc_x": table["acc_x_ms2"],
            "acc_y": table["acc_y_ms2"],
            "acc_z": table["acc_z_ms2"],
        }
    )
    if "gyr_x_dps" in table:
        for axis in "xyz":
            frame[f"gyr_{axis}"] = table[f"gyr_{axis}_dps"]
    return table["time_s"].to_numpy(dtype=np.float64), frame


def run_gaitmap(
    files: dict[str, tuple[np.ndarray, pd.DataFrame]],
    rate_hz: float,
    strides_s: dict[str, list[list[float]]] | None = None,
) -> dict[str, Any]:
    """Align, segment and detect events on the left/right foot files of one trial.

    With ``strides_s`` (per side, ``[start, end]`` in s) the given stride borders replace
    gaitmap's DTW segmentation.
    """
    from gaitmap.event_detection import RamppEventDetection
    from gaitmap.preprocessing import align_dataset_to_gravity
    from gaitmap.preprocessing.sensor_alignment import (
        ForwardDirectionSignAlignment,
        PcaAlignment,
    )
    from gaitmap.stride_segmentation import BarthDtw
    from gaitmap.utils.coordinate_conversion import convert_to_fbf

    data = {f"{side}_sensor": frame[COLUMNS] for side, (_, frame) in files.items()}
    data = align_dataset_to_gravity(data, sampling_rate_hz=rate_hz)
    data = (
        PcaAlignment(target_axis="y", pca_plane_axis=("gyr_x", "gyr_y")).align(data).aligned_data_
    )
    data = ForwardDirectionSignAlignment().align(data, sampling_rate_hz=rate_hz).aligned_data_
    body = convert_to_fbf(data, left_like="left_", right_like="right_")
    if strides_s is None:
        stride_list = BarthDtw().segment(data=body, sampling_rate_hz=rate_hz).stride_list_
    else:
        stride_list = {}
        for side, borders in strides_s.items():
            time_s = files[side][0]
            index = np.round(np.interp(np.asarray(borders), time_s, np.arange(time_s.size)))
            stride_list[f"{side}_sensor"] = pd.DataFrame(
                {
                    "s_id": np.arange(len(borders)),
                    "start": index[:, 0].astype(int),
                    "end": index[:, 1].astype(int),
                }
            )
    events = RamppEventDetection().detect(
        data=body, stride_list=stride_list, sampling_rate_hz=rate_hz
    )
    out = {}
    for side, (time_s, _) in files.items():
        strides = events.min_vel_event_list_[f"{side}_sensor"]
        strides = strides.dropna(subset=["pre_ic", "tc"])
        index = np.arange(time_s.size)
        ic_s = np.interp(strides["pre_ic"].to_numpy(dtype=np.float64), index, time_s)
        to_s = np.interp(strides["tc"].to_numpy(dtype=np.float64), index, time_s)
        out[side] = (ic_s.tolist(), to_s.tolist())
    return out


def run_sensormotion(
    time_s: np.ndarray, frame: pd.DataFrame, placement: str, drill: str
) -> tuple[list[float], list[None]]:
    """Peak-based steps on the low-passed acceleration norm."""
    import sensormotion as sm

    rate_hz = 1.0 / float(np.median(np.diff(time_s)))
    norm = np.linalg.norm(frame[["acc_x", "acc_y", "acc_z"]].to_numpy(), axis=1)
    b, a = sm.signal.build_filter(
        frequency=min(10.0, 0.4 * rate_hz), sample_rate=rate_hz, filter_type="low", filter_order=4
    )
    smooth = sm.signal.filter_signal(b, a, signal=norm)
    kind = "trunk" if placement in ("sacrum", "chest") else "segment"
    min_dist = max(1, int(0.6 * MIN_INTERVAL_S[(kind, drill)] * rate_hz))
    peak_times, _ = sm.peak.find_peaks(
        time_s, smooth, peak_type="peak", min_val=0.3, min_dist=min_dist, plot=False
    )
    ic = [float(t) for t in np.atleast_1d(peak_times)]
    return ic, [None] * len(ic)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")  # peers' own deprecation chatter is not our business
    import gaitmap
    import sensormotion

    cases = json.loads(Path(args.manifest).read_text())
    results: list[dict[str, Any]] = []

    # sensormotion: every file
    for case in cases:
        time_s, frame = read_csv(case["path"])
        t0 = time.perf_counter()
        entry: dict[str, Any] = {"name": case["name"], "tool": "sensormotion", "method": "peaks"}
        try:
            ic, to = run_sensormotion(time_s, frame, case["placement"], case["drill"])
            entry.update(ic_s=ic, to_s=to, error=None)
        except Exception as exc:  # a peer failing on a file is a result, not a crash
            entry.update(ic_s=[], to_s=[], error=f"{type(exc).__name__}: {exc}")
        entry["run_s"] = time.perf_counter() - t0
        results.append(entry)

    # gaitmap: foot files with a gyroscope, the two feet of a trial together
    trials: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for case in cases:
        if case["placement"] == "foot":
            trials[case["session"]].append(case)
    warmed_up = False
    for group in trials.values():
        files = {c["side"]: read_csv(c["path"]) for c in group}
        if not warmed_up and all("gyr_x" in frame for _, frame in files.values()):
            # the first call compiles gaitmap's numba kernels: keep that out of the timing
            rate_hz = 1.0 / float(np.median(np.diff(next(iter(files.values()))[0])))
            with contextlib.suppress(Exception):  # the timed call below reports a failure
                run_gaitmap(files, rate_hz)
            warmed_up = True
        if any("gyr_x" not in frame for _, frame in files.values()):
            continue
        rate_hz = 1.0 / float(np.median(np.diff(next(iter(files.values()))[0])))
        t0 = time.perf_counter()
        error = None
        try:
            detected = run_gaitmap(files, rate_hz)
        except Exception as exc:  # see above
            error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
            detected = {}
        elapsed_s = (time.perf_counter() - t0) / len(group)
        for case in group:
            ic, to = detected.get(case["side"], ([], []))
            results.append(
                {
                    "name": case["name"],
                    "tool": "gaitmap",
                    "method": "rampp+barthdtw",
                    "ic_s": ic,
                    "to_s": to,
                    "run_s": elapsed_s,
                    "error": error,
                }
            )
        if all(c.get("stride_borders_s") for c in group):
            # the dataset's hand-labelled stride borders instead of gaitmap's segmentation:
            # gaitmap's event detection on its own (not timed: not a full pipeline)
            given = {c["side"]: c["stride_borders_s"] for c in group}
            error = None
            try:
                detected = run_gaitmap(files, rate_hz, strides_s=given)
            except Exception as exc:  # see above
                error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
                detected = {}
            for case in group:
                ic, to = detected.get(case["side"], ([], []))
                results.append(
                    {
                        "name": case["name"],
                        "tool": "gaitmap",
                        "method": "rampp+given-strides",
                        "ic_s": ic,
                        "to_s": to,
                        "run_s": None,
                        "error": error,
                    }
                )
    Path(args.out).write_text(
        json.dumps(
            {
                "versions": {
                    "gaitmap": gaitmap.__version__,
                    "sensormotion": getattr(sensormotion, "__version__", "?"),
                    "numpy": np.__version__,
                    "pandas": pd.__version__,
                },
                "results": results,
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
