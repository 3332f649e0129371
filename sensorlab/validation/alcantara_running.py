"""``alcantara_sacral_running_grf``: sacral accelerometer on a force-instrumented treadmill.

One runner, 31 windows of 4.96 s at 500 Hz (2.5-4.17 m/s, slopes -10...+10 %), vertical and
antero-posterior acceleration in g (low-pass filtered and clipped at 0 by the authors), with
the vertical GRF in body weights on the same samples. A contact is an episode of vGRF above
0.1 BW: IC = first sample above, TO = first sample below again; contacts cut by the window
edges are dropped (dataset README).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from sensorlab.recording import Recording
from sensorlab.units import G_MS2
from sensorlab.validation._common import (
    DatasetInfo,
    FloatArray,
    ReferenceContacts,
    Thresholds,
    ValidationCase,
    windows_from_runs,
)

NAME = "alcantara_sacral_running_grf"
SAMPLING_RATE_HZ = 500.0
SAMPLES_PER_TRIAL = 2480
GRF_THRESHOLD_BW = 0.1
"""vGRF threshold of a contact, in body weights (README: 0.1 BW)."""

QUICK_TRIALS: tuple[int, ...] = (0, 4, 8, 12, 16, 20, 24, 28)
"""Rows used by ``--quick`` and the tests: every fourth trial (all speeds and slopes)."""

INFO = DatasetInfo(
    name=NAME,
    activity=(
        "treadmill running 2.5-4.17 m/s, slopes -10...+10 %; 1 runner, 31 windows of 4.96 s "
        "that start and end mid-run; sacral accelerometer (vertical + AP only)"
    ),
    reference=(
        "instrumented-treadmill vertical GRF (500 Hz, same samples): IC/TO where vGRF crosses "
        f"{GRF_THRESHOLD_BW} BW; contacts cut by the window edges dropped"
    ),
    limits=(
        "one runner only (the full multi-subject set is not available here)",
        "acceleration pre-processed by the authors: low-pass filtered and negative vertical "
        "values clipped to 0 (flight reads 0 g), so sharp impact features are smoothed",
        "no medio-lateral axis: written as a constant 0 m/s² column",
        "4.96 s windows: each file starts mid-run, 12-20 contacts per window",
        "trunk sensor: no left/right; contacts of both feet are scored together",
    ),
    drill="run",
    tolerance_s=0.08,
    thresholds={
        "sacrum": Thresholds(
            min_recall_pct=97.0,
            min_precision_pct=97.0,
            max_ic_medae_ms=20.0,
            max_to_medae_ms=20.0,
            max_abs_contact_bias_ms=15.0,
            max_contact_sd_ms=20.0,
        )
    },
    subset=f"trials {', '.join(str(t) for t in QUICK_TRIALS)} (every fourth window)",
)


def grf_contacts(grf_bw: FloatArray, *, sampling_rate_hz: float) -> tuple[FloatArray, FloatArray]:
    """Complete contacts of a vGRF trace by threshold.

    Parameters
    ----------
    grf_bw : ndarray, shape (n_samples,)
        Vertical ground reaction force, in body weights.
    sampling_rate_hz : float
        Rate of ``grf_bw``, in Hz (sample 0 at time 0).

    Returns
    -------
    ic_s, to_s : ndarray, shape (n_contacts,)
        First sample above and first sample below :data:`GRF_THRESHOLD_BW` again, in s;
        contacts already loaded at the first sample or still loaded at the last are dropped.
    """
    loaded = np.asarray(grf_bw, dtype=np.float64) > GRF_THRESHOLD_BW
    edges = np.diff(loaded.astype(np.int8))
    rises = np.flatnonzero(edges == 1) + 1
    falls = np.flatnonzero(edges == -1) + 1
    if loaded[0]:
        falls = falls[1:]
    if loaded[-1]:
        rises = rises[:-1]
    return rises / sampling_rate_hz, falls / sampling_rate_hz


def load(root: Path, *, quick: bool = False) -> list[ValidationCase]:
    """Load every trial window as one sacrum recording with its force-plate contacts.

    Parameters
    ----------
    root : Path
        The dataset folder.
    quick : bool, optional
        Load :data:`QUICK_TRIALS` only.

    Returns
    -------
    list of ValidationCase
        Acc columns: x = vertical, y = antero-posterior, z = 0 (absent), in m/s².
    """
    acc_g = pd.read_csv(root / "Accelerometer_one_sub.csv", header=None).to_numpy(np.float64)
    grf_bw = pd.read_csv(root / "GRF_one_sub.csv", header=None).to_numpy(np.float64)
    info = pd.read_csv(root / "Sub_Info_one_sub.csv")
    rows = QUICK_TRIALS if quick else tuple(range(acc_g.shape[0]))
    time_s = np.arange(SAMPLES_PER_TRIAL, dtype=np.float64) / SAMPLING_RATE_HZ
    cases = []
    for row in rows:
        vertical = acc_g[row, :SAMPLES_PER_TRIAL] * G_MS2
        ap = acc_g[row, SAMPLES_PER_TRIAL:] * G_MS2
        acc_ms2 = np.column_stack([vertical, ap, np.zeros(SAMPLES_PER_TRIAL)])
        ic_s, to_s = grf_contacts(grf_bw[row], sampling_rate_hz=SAMPLING_RATE_HZ)
        speed = float(info["Speed"].iloc[row])
        slope = float(info["Slope"].iloc[row])
        recording = Recording(
            time_s=time_s,
            acc_ms2=acc_ms2,
            gyr_dps=None,
            metadata={
                "placement": "sacrum",
                "drill": INFO.drill,
                "session": f"alcantara-{row:02d}",
                "source": f"{NAME}/Accelerometer_one_sub.csv row {row}",
                "speed_ms": f"{speed:g}",
                "slope_pct": f"{slope:g}",
                "axes": "x vertical, y antero-posterior, z absent (0)",
            },
            source=f"{NAME}:{row}",
        )
        cases.append(
            ValidationCase(
                dataset=NAME,
                name=f"alcantara_{row:02d}_sacrum",
                session=f"alcantara-{row:02d}",
                recording=recording,
                reference=ReferenceContacts(
                    ic_s=ic_s,
                    to_s=to_s,
                    windows_s=windows_from_runs(ic_s, to_s, margin_s=INFO.tolerance_s),
                ),
            )
        )
    return cases
