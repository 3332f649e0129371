"""``ipol_healthy_gait``: 19 healthy adults, Xsens IMU on each foot and at L5, per-swing events.

Each trial is "stand - walk 10 m - U-turn - walk back - stop" at 100 Hz. The JSON lists each
swing of each foot as ``[TO, HS]`` sample indices; a contact is the HS of one swing to the TO
of the next swing of the same foot.

Time base: the dataset README says the indices are row indices of the text files, but on files
with lost packets the signals then drift away from the events (up to 0.5 s after the U-turn in
trial 7-1, left foot, where 10 % of packets are lost), while on the Xsens ``PacketCounter``
clock, which the three wireless sensors of a trial share, they stay aligned. So time is
``PacketCounter / 100 Hz`` here and the indices are read on that clock; lost packets are gaps
in the recording, as a dropped BLE packet would be.

Contacts that overlap the U-turn are turning steps, and those outside ``TrialBoundaries`` are
stepping off after the walk: neither is scored (the windows break there). Gait initiation and
termination contacts of each straight part are kept.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from sensorlab.recording import Recording
from sensorlab.validation._common import (
    BoolArray,
    DatasetInfo,
    FloatArray,
    ReferenceContacts,
    Thresholds,
    ValidationCase,
    windows_from_runs,
)

NAME = "ipol_healthy_gait"
SAMPLING_RATE_HZ = 100.0
"""Rate stated in every file; the JSON indices are row indices at this rate."""

QUICK_TRIALS: tuple[str, ...] = ("1-1", "4-2", "7-1", "10-3", "13-1", "16-2", "19-1")
"""Subset used by ``--quick`` and the tests: one trial of every third subject."""

_SENSORS = {"lf": ("foot", "left"), "rf": ("foot", "right"), "lb": ("sacrum", None)}

INFO = DatasetInfo(
    name=NAME,
    activity="walking 10 m, U-turn, 10 m back; 19 adults, 110 trials; IMU on each foot dorsum + L5",
    reference=(
        "per-swing [TO, HS] from two published detectors, checked by hand by the authors "
        "(100 Hz); contact = HS of one swing to TO of the next swing of that foot; straight "
        "walking only (contacts overlapping the U-turn or outside TrialBoundaries not scored)"
    ),
    limits=(
        "the reference is algorithmic (gyroscope-based detectors) then checked by hand, not a "
        "force plate: IC/TO definitions follow those detectors",
        "100 Hz: reference and detection quantised to 10 ms",
        "the JSON indices are on the sensors' PacketCounter clock, not on row indices as the "
        "dataset README says (rows drift up to 0.5 s from the events where packets are lost); "
        "we use PacketCounter/100 as time, so lost packets (median 0.9 %, up to 21 % of a file) "
        "are gaps, analysed like `sensorlab analyze --allow-gaps`",
        "the left-foot unit reads |a| = 10.27 m/s² at rest in every trial (4.7 % above g; "
        "its calibration), the right foot 9.87-9.91",
        "the first and last contact of each straight part (starting, slowing before the turn, "
        "stopping) are scored; they are longer than steady walking contacts (up to 2 s)",
        "L5 sensor has no issue bar; it is scored against both feet's contacts",
    ),
    drill="walk",
    tolerance_s=0.15,
    thresholds={
        "foot": Thresholds(
            min_recall_pct=97.0,
            min_precision_pct=97.0,
            max_ic_medae_ms=25.0,
            max_to_medae_ms=25.0,
            max_abs_contact_bias_ms=20.0,
            max_contact_sd_ms=30.0,
        )
    },
    subset=f"trials {', '.join(QUICK_TRIALS)} (one trial of every third subject)",
)


def trial_names(root: Path) -> list[str]:
    """All trial stems (``S-T``) of the dataset, sorted by subject then trial.

    Parameters
    ----------
    root : Path
        The dataset folder.

    Returns
    -------
    list of str
    """
    stems = [p.stem for p in (root / "GaitData").glob("*.json")]
    return sorted(stems, key=lambda s: tuple(int(x) for x in s.split("-")))


def read_imu(path: Path) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Read one sensor file on the packet-counter clock.

    Parameters
    ----------
    path : Path
        An ``S-T_lf.txt`` / ``_rf`` / ``_lb`` file.

    Returns
    -------
    time_s : ndarray, shape (n_samples,)
        ``PacketCounter / 100 Hz``, in s: lost packets are gaps; a repeated counter is dropped.
    acc_ms2 : ndarray, shape (n_samples, 3)
        Acceleration in m/s² (gravity included), sensor axes.
    gyr_dps : ndarray, shape (n_samples, 3)
        Angular rate converted from rad/s to deg/s.
    """
    table = pd.read_csv(path, sep="\t", skiprows=1)
    counter = table["PacketCounter"].to_numpy(dtype=np.float64)
    fresh = np.concatenate([[True], np.diff(counter) > 0])
    acc_ms2 = table[["Acc_X", "Acc_Y", "Acc_Z"]].to_numpy(dtype=np.float64)[fresh]
    gyr_rads = table[["Gyr_X", "Gyr_Y", "Gyr_Z"]].to_numpy(dtype=np.float64)[fresh]
    return counter[fresh] / SAMPLING_RATE_HZ, acc_ms2, gyr_rads * (180.0 / math.pi)


def foot_contacts(
    swings: Sequence[Sequence[int]], uturn: Sequence[int], trial: Sequence[int]
) -> tuple[FloatArray, FloatArray, BoolArray]:
    """Contacts of one foot from its swings, and which of them are straight walking.

    Parameters
    ----------
    swings : sequence of [TO, HS] row indices
        The foot's swing phases (``LeftFootEvents`` / ``RightFootEvents``).
    uturn : [start, end] row indices
        ``UTurnBoundaries``.
    trial : [start, end] row indices
        ``TrialBoundaries`` (the walking part; steps after it are stepping off, not walking).

    Returns
    -------
    ic_s, to_s : ndarray, shape (n_swings - 1,)
        HS of swing k and TO of swing k+1, in s.
    straight : ndarray of bool, shape (n_swings - 1,)
        False for contacts that overlap the U-turn or leave the walking part.
    """
    pairs = np.array(swings, dtype=np.float64).reshape(-1, 2)
    pairs = pairs[np.argsort(pairs[:, 0], kind="stable")]
    ic_s = pairs[:-1, 1] / SAMPLING_RATE_HZ
    to_s = pairs[1:, 0] / SAMPLING_RATE_HZ
    u0, u1 = (float(u) / SAMPLING_RATE_HZ for u in uturn)
    t0, t1 = (float(t) / SAMPLING_RATE_HZ for t in trial)
    straight = ~((ic_s < u1) & (to_s > u0)) & (ic_s >= t0) & (to_s <= t1)
    return ic_s, to_s, straight


def load_trial(
    root: Path, stem: str, *, sensors: Sequence[str] = ("lf", "rf")
) -> list[ValidationCase]:
    """Load the sensors of one trial with their reference contacts.

    Parameters
    ----------
    root : Path
        The dataset folder.
    stem : str
        Trial ``S-T``, e.g. ``"1-1"``.
    sensors : sequence of {"lf", "rf", "lb"}
        Left foot, right foot, lower back.

    Returns
    -------
    list of ValidationCase
        One per sensor; time is the packet counter / 100 Hz (see :func:`read_imu`), gyro
        converted from rad/s to deg/s.
    """
    folder = root / "GaitData"
    meta = json.loads((folder / f"{stem}.json").read_text())
    uturn, trial = meta["UTurnBoundaries"], meta["TrialBoundaries"]
    feet = {
        "left": foot_contacts(meta["LeftFootEvents"], uturn, trial),
        "right": foot_contacts(meta["RightFootEvents"], uturn, trial),
    }
    cases = []
    for sensor in sensors:
        placement, side = _SENSORS[sensor]
        time_s, acc_ms2, gyr_dps = read_imu(folder / f"{stem}_{sensor}.txt")
        if side is not None:
            ic_s, to_s, keep = feet[side]
            sides = np.full(ic_s.shape, side)
        else:
            ic_s = np.concatenate([feet["left"][0], feet["right"][0]])
            to_s = np.concatenate([feet["left"][1], feet["right"][1]])
            keep = np.concatenate([feet["left"][2], feet["right"][2]])
            sides = np.array(["left"] * feet["left"][0].size + ["right"] * feet["right"][0].size)
            order = np.argsort(ic_s, kind="stable")
            ic_s, to_s, keep, sides = ic_s[order], to_s[order], keep[order], sides[order]
        inside = (ic_s >= time_s[0]) & (to_s <= time_s[-1])
        ic_s, to_s, keep, sides = ic_s[inside], to_s[inside], keep[inside], sides[inside]
        windows = windows_from_runs(ic_s, to_s, margin_s=INFO.tolerance_s, keep=keep)
        metadata = {
            "device": "xsens-mtw-awinda",
            "placement": placement,
            "drill": INFO.drill,
            "session": f"ipol-{stem}",
            "source": f"{NAME}/GaitData/{stem}_{sensor}.txt",
            "subject": str(meta["Subject"]),
        }
        if side is not None:
            metadata["side"] = side
        recording = Recording(
            time_s=time_s,
            acc_ms2=acc_ms2,
            gyr_dps=gyr_dps,
            metadata=metadata,
            source=f"{NAME}:{stem}_{sensor}",
        )
        label = f"{side}_foot" if side is not None else "lower_back"
        cases.append(
            ValidationCase(
                dataset=NAME,
                name=f"ipol_{stem}_{label}",
                session=f"ipol-{stem}",
                recording=recording,
                reference=ReferenceContacts(
                    ic_s=ic_s[keep], to_s=to_s[keep], windows_s=windows, side=sides[keep]
                ),
            )
        )
    return cases


def load(
    root: Path,
    *,
    quick: bool = False,
    trials: Sequence[str] | None = None,
    sensors: Sequence[str] = ("lf", "rf", "lb"),
) -> list[ValidationCase]:
    """Load both feet and the L5 sensor of the trials.

    Parameters
    ----------
    root : Path
        The dataset folder.
    quick : bool, optional
        Load :data:`QUICK_TRIALS` only.
    trials : sequence of str, optional
        Trial stems to load (overrides ``quick``); all by default.
    sensors : sequence of {"lf", "rf", "lb"}, optional
        Sensors per trial (left foot, right foot, lower back).

    Returns
    -------
    list of ValidationCase
    """
    if trials is None:
        trials = QUICK_TRIALS if quick else trial_names(root)
    return [case for stem in trials for case in load_trial(root, stem, sensors=sensors)]
