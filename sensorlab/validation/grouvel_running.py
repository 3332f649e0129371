"""``grouvel_running``: overground jogging at 17-29 Hz, foot/shank/sacrum IMUs, insole contacts.

Development split of Grouvel et al. (2023): 10 jogging trials of 5 participants on a 10 m
walkway, IMU signals on a coarse time grid (17-29 Hz), contacts from pressure-insole force at
150 N on the same clock. Only trials sampled at 20 Hz or more are used (sensorlab rejects
slower files); only complete contacts of at most 0.6 s are scored (longer ones are walking
steps out of or into standing, which the ``run`` drill gates out), and the windows break there.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from sensorlab.recording import Recording
from sensorlab.units import MIN_SAMPLING_RATE_HZ
from sensorlab.validation._common import (
    DatasetInfo,
    FloatArray,
    ReferenceContacts,
    Thresholds,
    ValidationCase,
    windows_from_runs,
)

NAME = "grouvel_running"
MAX_CONTACT_S = 0.6
"""Longest scored reference contact, in s (README: longer ones are walking-like steps)."""

SENSORS: tuple[tuple[str, str, str | None], ...] = (
    ("left_foot", "foot", "left"),
    ("right_foot", "foot", "right"),
    ("left_shank", "shank", "left"),
    ("right_shank", "shank", "right"),
    ("sacrum", "sacrum", None),
)

_RUNNING_BAR = Thresholds(min_recall_pct=90.0, min_precision_pct=90.0)

INFO = DatasetInfo(
    name=NAME,
    activity=(
        "overground jogging on a 10 m walkway, from standing to standing; 5 participants, "
        "10 trials; IMUs on both feet, both shanks and the sacrum"
    ),
    reference=(
        "pressure-insole total force on the IMU clock: IC/TO at 150 N crossings, linearly "
        "interpolated; complete contacts of at most 0.6 s scored"
    ),
    limits=(
        "IMU and insole sampled at only 17-29 Hz (trials below 20 Hz are not used): one "
        "sample is 35-50 ms, so only recall/precision have a bar; timing errors are indicative",
        "reference timing uncertain by up to one sample; insole GCT ran about +20 ms longer "
        "than force-plate GCT on the 2 running contacts that could be checked",
        "short trials (5-10 s, 2-4 s of standing first), 4-8 contacts per foot",
        "sensor axes as mounted in marker clusters (no common frame)",
        "sacrum has no bar; it is scored against both feet's insole contacts",
    ),
    drill="run",
    tolerance_s=0.12,
    thresholds={"foot": _RUNNING_BAR, "shank": _RUNNING_BAR},
    subset="all trials at 20 Hz or more",
)


def usable_trials(root: Path) -> list[str]:
    """Trials of the manifest with a reference and a rate of at least 20 Hz.

    Parameters
    ----------
    root : Path
        The dataset folder.

    Returns
    -------
    list of str
        Trial names, e.g. ``"P02_S01_Running_01"``.
    """
    manifest = json.loads((root / "manifest.json").read_text())
    return [
        t["trial"]
        for t in manifest["trials"]
        if t.get("events_csv") and float(t["fs_hz"]) >= MIN_SAMPLING_RATE_HZ
    ]


def _side_contacts(events: pd.DataFrame, side: str) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Complete contacts of one side: IC, TO in s and whether each is scored."""
    mine = events[(events["side"] == side) & events["complete"].astype(bool)]
    ic = mine[mine["event"] == "ic"].set_index("contact_id")["time_s"]
    to = mine[mine["event"] == "to"].set_index("contact_id")["time_s"]
    both = pd.concat([ic.rename("ic"), to.rename("to")], axis=1).dropna().sort_values("ic")
    ic_s = both["ic"].to_numpy(dtype=np.float64)
    to_s = both["to"].to_numpy(dtype=np.float64)
    keep = (to_s - ic_s) <= MAX_CONTACT_S
    return ic_s, to_s, keep.astype(np.float64)


def load_trial(root: Path, trial: str) -> list[ValidationCase]:
    """Load the five sensors of one trial with their insole contacts.

    Parameters
    ----------
    root : Path
        The dataset folder.
    trial : str
        Trial name.

    Returns
    -------
    list of ValidationCase
        Left foot, right foot, left shank, right shank, sacrum.
    """
    imu = pd.read_csv(root / f"{trial}_imu.csv")
    events = pd.read_csv(root / f"{trial}_events.csv")
    time_s = imu["time_s"].to_numpy(dtype=np.float64)
    sides = {s: _side_contacts(events, s) for s in ("left", "right")}
    cases = []
    for sensor, placement, side in SENSORS:
        if side is not None:
            ic_s, to_s, keep_f = sides[side]
            labels = np.full(ic_s.shape, side)
        else:
            ic_s = np.concatenate([sides["left"][0], sides["right"][0]])
            to_s = np.concatenate([sides["left"][1], sides["right"][1]])
            keep_f = np.concatenate([sides["left"][2], sides["right"][2]])
            labels = np.array(["left"] * sides["left"][0].size + ["right"] * sides["right"][0].size)
            order = np.argsort(ic_s, kind="stable")
            ic_s, to_s, keep_f, labels = ic_s[order], to_s[order], keep_f[order], labels[order]
        keep = keep_f.astype(bool)
        acc_cols = [f"{sensor}_acc_{a}_ms2" for a in "xyz"]
        gyr_cols = [f"{sensor}_gyr_{a}_dps" for a in "xyz"]
        metadata = {
            "device": "physilog-6s",
            "placement": placement,
            "drill": INFO.drill,
            "session": f"grouvel-{trial}",
            "source": f"{NAME}/{trial}_imu.csv ({sensor})",
            "acc_range_g": "16",
        }
        if side is not None:
            metadata["side"] = side
        recording = Recording(
            time_s=time_s,
            acc_ms2=imu[acc_cols].to_numpy(dtype=np.float64),
            gyr_dps=imu[gyr_cols].to_numpy(dtype=np.float64),
            metadata=metadata,
            source=f"{NAME}:{trial}:{sensor}",
        )
        cases.append(
            ValidationCase(
                dataset=NAME,
                name=f"grouvel_{trial}_{sensor}",
                session=f"grouvel-{trial}",
                recording=recording,
                reference=ReferenceContacts(
                    ic_s=ic_s[keep],
                    to_s=to_s[keep],
                    windows_s=windows_from_runs(ic_s, to_s, margin_s=INFO.tolerance_s, keep=keep),
                    side=labels[keep],
                ),
            )
        )
    return cases


def load(root: Path, *, quick: bool = False) -> list[ValidationCase]:
    """Load every usable trial (the dataset is small, so ``quick`` loads them all too).

    Parameters
    ----------
    root : Path
        The dataset folder.
    quick : bool, optional
        Ignored.

    Returns
    -------
    list of ValidationCase
    """
    return [case for trial in usable_trials(root) for case in load_trial(root, trial)]
