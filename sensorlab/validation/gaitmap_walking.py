"""``gaitmap_example_walking``: lateral-shoe IMUs on both feet, motion-capture stride events.

One participant, 2 x 20 m walk with a turn, NilsPod IMUs at 204.8 Hz in their raw sensor frame
(``imu_sample_not_rotated.csv``), per-stride events from motion capture in IMU sample indices.
A contact is ``[pre_ic, tc]`` of a stride (IC of the stance the stride starts in, then its
toe-off); see the dataset README.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sensorlab.recording import Recording
from sensorlab.validation._common import (
    DatasetInfo,
    ReferenceContacts,
    Thresholds,
    ValidationCase,
    windows_from_runs,
)

NAME = "gaitmap_example_walking"
SAMPLING_RATE_HZ = 204.8
"""NilsPod IMU rate of the file (the index column is the sample number)."""

INFO = DatasetInfo(
    name=NAME,
    activity="walking 2 x 20 m with a turn, 1 participant, lateral shoe IMU on both feet",
    reference=(
        "optical motion capture (100 Hz) heel/toe events, given per stride in 204.8 Hz IMU "
        "samples; contact = stride `pre_ic` to `tc`"
    ),
    limits=(
        "one participant, one walk: 57 contacts, so a single bad stride moves recall by ~2 %",
        "reference from 100 Hz motion capture converted to IMU samples (rounded): "
        "±5 ms quantisation on IC and TO",
        "the mocap IC comes ~24 ms before the impact peak of the acceleration norm "
        "(dataset README): impact-based IC detectors carry that offset",
        "strides around the turn are annotated only as one long stride: windows break there",
    ),
    drill="walk",
    tolerance_s=0.15,
    thresholds={
        "foot": Thresholds(
            min_recall_pct=98.0,
            min_precision_pct=98.0,
            max_ic_medae_ms=20.0,
            max_to_medae_ms=20.0,
            max_abs_contact_bias_ms=15.0,
            max_contact_sd_ms=20.0,
        )
    },
    subset="all (both feet)",
)


def load(root: Path, *, quick: bool = False) -> list[ValidationCase]:
    """Load both feet of the raw-sensor-frame file with their motion-capture contacts.

    Parameters
    ----------
    root : Path
        The dataset folder (``<shared>/datasets/gaitmap_example_walking``).
    quick : bool, optional
        Ignored (the dataset is small).

    Returns
    -------
    list of ValidationCase
        Left foot, then right foot; acc in m/s², gyro in deg/s, sensor frame as recorded; with
        the hand-labelled stride borders of ``stride_borders_sample.csv``.
    """
    imu = pd.read_csv(root / "imu_sample_not_rotated.csv", header=[0, 1], index_col=0)
    strides = pd.read_csv(root / "stride_events_sample.csv")
    borders = pd.read_csv(root / "stride_borders_sample.csv")
    time_s = imu.index.to_numpy(dtype=np.float64) / SAMPLING_RATE_HZ
    cases = []
    for side in ("left", "right"):
        sensor = imu[f"{side}_sensor"]
        acc_ms2 = sensor[["acc_x", "acc_y", "acc_z"]].to_numpy(dtype=np.float64)
        gyr_dps = sensor[["gyr_x", "gyr_y", "gyr_z"]].to_numpy(dtype=np.float64)
        mine = strides[strides["foot"] == side].sort_values("start")
        ic_s = mine["pre_ic"].to_numpy(dtype=np.float64) / SAMPLING_RATE_HZ
        to_s = mine["tc"].to_numpy(dtype=np.float64) / SAMPLING_RATE_HZ
        recording = Recording(
            time_s=time_s,
            acc_ms2=acc_ms2,
            gyr_dps=gyr_dps,
            metadata={
                "device": "nilspod",
                "placement": "foot",
                "side": side,
                "drill": INFO.drill,
                "session": "gaitmap-5047-normal_20",
                "source": f"{NAME}/imu_sample_not_rotated.csv ({side}_sensor)",
                "mounting": "lateral side of the shoe, raw sensor frame",
            },
            source=f"{NAME}:{side}",
        )
        reference = ReferenceContacts(
            ic_s=ic_s,
            to_s=to_s,
            windows_s=windows_from_runs(ic_s, to_s, margin_s=INFO.tolerance_s),
            side=np.full(ic_s.shape, side),
        )
        cases.append(
            ValidationCase(
                dataset=NAME,
                name=f"gaitmap_{side}_foot",
                session="gaitmap",
                recording=recording,
                reference=reference,
                stride_borders_s=borders[borders["foot"] == side][["start", "end"]].to_numpy(
                    dtype=np.float64
                )
                / SAMPLING_RATE_HZ,
            )
        )
    return cases
