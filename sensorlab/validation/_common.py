"""What every validation dataset provides: cases, reference contacts, evaluation windows, bars.

A :class:`ValidationCase` is one sensor's recording converted to sensorlab's canonical form
(acceleration in m/s², angular rate in deg/s, ``placement``/``side``/``drill`` metadata) with
the reference contacts on the same clock, and the evaluation windows where the reference is
complete (detections outside them are neither true nor false: nobody annotated them).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from sensorlab.evaluation import Agreement, match_contacts
from sensorlab.io import write_recording
from sensorlab.recording import Recording

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

SHARED_ENV = "SENSORLAB_SHARED"
"""Environment variable that points at the shared folder (the one holding ``datasets/``)."""


def find_shared(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """Locate the shared data folder (``<shared>/datasets/<name>/``).

    Parameters
    ----------
    explicit : path, optional
        Use this folder if given.

    Returns
    -------
    Path or None
        ``explicit``, else ``$SENSORLAB_SHARED``, else ``../shared`` beside the source tree,
        whichever is given first; None when that folder has no ``datasets/``.
    """
    if explicit is not None:
        candidate = Path(explicit)
    elif os.environ.get(SHARED_ENV):
        candidate = Path(os.environ[SHARED_ENV])
    else:
        candidate = Path(__file__).resolve().parents[2].parent / "shared"
    return candidate if (candidate / "datasets").is_dir() else None


@dataclass(frozen=True)
class ReferenceContacts:
    """Reference contacts of one sensor and where the reference is complete.

    Attributes
    ----------
    ic_s, to_s : ndarray, shape (n_contacts,)
        Initial contact and toe-off of each reference contact, on the recording's ``time_s``
        axis, in s, sorted by IC.
    windows_s : ndarray, shape (n_windows, 2)
        ``[start, end]`` of the stretches where every contact is in the reference, in s.
        Detected contacts whose IC is outside every window are not scored.
    side : ndarray of str, shape (n_contacts,)
        Side ("left"/"right") of each reference contact, or "" when unknown.
    """

    ic_s: FloatArray
    to_s: FloatArray
    windows_s: FloatArray
    side: NDArray[np.str_] = field(default_factory=lambda: np.array([], dtype=np.str_))

    def __post_init__(self) -> None:
        ic = np.asarray(self.ic_s, dtype=np.float64)
        to = np.asarray(self.to_s, dtype=np.float64)
        order = np.argsort(ic, kind="stable")
        side = np.asarray(self.side, dtype=np.str_)
        if side.size == 0:
            side = np.full(ic.shape, "", dtype=np.str_)
        if ic.shape != to.shape or side.shape != ic.shape:
            raise ValueError(
                f"expected ic_s, to_s and side of one shape, found {ic.shape}, {to.shape}, "
                f"{side.shape}"
            )
        if np.any(to[order] <= ic[order]):
            raise ValueError("expected every reference TO after its IC")
        windows = np.asarray(self.windows_s, dtype=np.float64).reshape(-1, 2)
        object.__setattr__(self, "ic_s", ic[order])
        object.__setattr__(self, "to_s", to[order])
        object.__setattr__(self, "side", side[order])
        object.__setattr__(self, "windows_s", windows)

    @property
    def n_contacts(self) -> int:
        """Number of reference contacts."""
        return int(self.ic_s.size)

    @property
    def contact_ms(self) -> FloatArray:
        """Reference contact times, shape (n_contacts,), in ms."""
        return (self.to_s - self.ic_s) * 1000.0

    def in_windows(self, time_s: FloatArray) -> BoolArray:
        """Whether each time lies inside an evaluation window.

        Parameters
        ----------
        time_s : ndarray, shape (n,)
            Times in s.

        Returns
        -------
        ndarray of bool, shape (n,)
        """
        t = np.asarray(time_s, dtype=np.float64)
        inside = np.zeros(t.shape, dtype=bool)
        for start, end in self.windows_s:
            inside |= (t >= start) & (t <= end)
        return inside


def windows_from_runs(
    ic_s: FloatArray,
    to_s: FloatArray,
    *,
    margin_s: float,
    keep: BoolArray | None = None,
    max_step_ratio: float = 1.6,
) -> FloatArray:
    """Evaluation windows over runs of consecutive, fully annotated contacts of one sensor.

    A run breaks at a contact that is not kept (e.g. a turning step) and where the time from
    one IC to the next exceeds ``max_step_ratio`` times the median (an unannotated contact
    may lie in between). Each run gives ``[first IC - margin, last TO + margin]``, cut so that
    it stays ``margin`` away from the ICs of the contacts just before and after the run: with
    overlapping contacts (a trunk sensor sees both feet) the next foot lands before the
    run's last contact ends, and a correct detection of that unscored contact must not count
    as extra.

    Parameters
    ----------
    ic_s, to_s : ndarray, shape (n_contacts,)
        All reference contacts of the sensor, sorted by IC, in s.
    margin_s : float
        Margin added on both ends of a run, in s (the matching tolerance).
    keep : ndarray of bool, shape (n_contacts,), optional
        Contacts that are scored; the others break runs. All by default.
    max_step_ratio : float, optional
        Longest IC-to-IC interval inside a run, relative to the median interval.

    Returns
    -------
    ndarray, shape (n_windows, 2)
        Window starts and ends, in s.
    """
    ic = np.asarray(ic_s, dtype=np.float64)
    to = np.asarray(to_s, dtype=np.float64)
    kept = np.ones(ic.shape, dtype=bool) if keep is None else np.asarray(keep, dtype=bool)
    if ic.size == 0:
        return np.empty((0, 2))
    step_s = np.diff(ic)
    limit_s = max_step_ratio * float(np.median(step_s)) if step_s.size else np.inf
    windows: list[tuple[float, float]] = []
    start: int | None = None
    for k in range(ic.size):
        if kept[k] and start is None:
            start = k
        if start is None:
            continue
        run_ends = (
            k == ic.size - 1 or not kept[k] or not kept[k + 1] or (ic[k + 1] - ic[k]) > limit_s
        )
        if run_ends:
            last = k if kept[k] else k - 1
            if last >= start:
                begin = ic[start] - margin_s
                end = to[last] + margin_s
                # a sensor that sees both feet: the next contact (scored or not) can land
                # before this one leaves; a window must not reach into its matching zone
                if start > 0:
                    begin = max(begin, ic[start - 1] + margin_s)
                if last + 1 < ic.size:
                    end = min(end, ic[last + 1] - margin_s)
                windows.append((begin, end))
            start = None
    return np.array(windows, dtype=np.float64).reshape(-1, 2)


@dataclass(frozen=True)
class Thresholds:
    """A bar of issue 3's "done when" for one dataset and placement.

    Attributes
    ----------
    min_recall_pct, min_precision_pct : float
        Lowest acceptable recall and precision, in %.
    max_ic_medae_ms, max_to_medae_ms : float or None
        Highest median absolute IC and TO error, in ms (None: no bar).
    max_abs_contact_bias_ms : float or None
        Largest acceptable |mean contact-time error|, in ms.
    max_contact_sd_ms : float or None
        Largest SD of the contact-time error, in ms.
    """

    min_recall_pct: float
    min_precision_pct: float
    max_ic_medae_ms: float | None = None
    max_to_medae_ms: float | None = None
    max_abs_contact_bias_ms: float | None = None
    max_contact_sd_ms: float | None = None

    def failures(self, stats: dict[str, float]) -> list[str]:
        """The figures of ``stats`` (from :meth:`Agreement.stats`) that miss this bar.

        Returns
        -------
        list of str
            One "what: measured vs bar" text per missed figure; empty when all pass.
        """
        out: list[str] = []

        def below(key: str, label: str, bar: float, unit: str) -> None:
            value = stats[key]
            if not value >= bar:
                out.append(f"{label} {value:.1f}{unit} < {bar:g}{unit}")

        def above(key: str, label: str, bar: float | None, absolute: bool = False) -> None:
            if bar is None:
                return
            value = abs(stats[key]) if absolute else stats[key]
            if not value <= bar:
                shown = f"{stats[key]:+.1f}" if absolute else f"{value:.1f}"
                op = "|bias| >" if absolute else ">"
                out.append(f"{label} {shown} ms {op} {bar:g} ms")

        below("recall_pct", "recall", self.min_recall_pct, " %")
        below("precision_pct", "precision", self.min_precision_pct, " %")
        above("ic_medae_ms", "IC median |error|", self.max_ic_medae_ms)
        above("to_medae_ms", "TO median |error|", self.max_to_medae_ms)
        above("contact_bias_ms", "contact-time bias", self.max_abs_contact_bias_ms, True)
        above("contact_sd_ms", "contact-time SD", self.max_contact_sd_ms)
        return out


@dataclass(frozen=True)
class DatasetInfo:
    """What a validation dataset is and how far its reference can be trusted.

    Attributes
    ----------
    name : str
        Folder name under ``<shared>/datasets/``.
    activity : str
        What the participants did.
    reference : str
        How the reference contacts were obtained and mapped to IC/TO.
    limits : tuple of str
        Known limits of the data and the reference (rate, algorithmic reference, ...).
    drill : str
        Drill id used for the analysis ("walk" or "run").
    tolerance_s : float
        Largest IC distance of a match (and evaluation-window margin), in s.
    thresholds : dict of str to Thresholds
        Issue 3's bars by placement, for the default method (missing: no bar).
    subset : str
        What ``--quick`` (and the tests) load of it.
    """

    name: str
    activity: str
    reference: str
    limits: tuple[str, ...]
    drill: str
    tolerance_s: float
    thresholds: dict[str, Thresholds]
    subset: str


@dataclass(frozen=True)
class ValidationCase:
    """One sensor of one trial, converted, with its reference contacts.

    Attributes
    ----------
    dataset : str
        Dataset name.
    name : str
        Unique file stem, e.g. ``ipol_1-1_left_foot``.
    session : str
        Trial the sensor belongs to; a left and a right foot (or shank) file of one session
        are analysed together like ``sensorlab analyze left.csv right.csv``.
    recording : Recording
        Samples in SI units (acc m/s², gyro deg/s) with ``placement``, ``side`` (foot/shank),
        ``drill``, ``session`` and ``source`` metadata.
    reference : ReferenceContacts
        Reference contacts this sensor must find (both feet for a trunk sensor).
    stride_borders_s : ndarray, shape (n_strides, 2), optional
        Hand-labelled stride borders ``[start, end]`` in s where the dataset has them (for
        peers that need a stride segmentation; not contact events).
    """

    dataset: str
    name: str
    session: str
    recording: Recording
    reference: ReferenceContacts
    stride_borders_s: FloatArray | None = None

    @property
    def placement(self) -> str:
        """Sensor placement (metadata ``placement``)."""
        return self.recording.metadata["placement"]

    @property
    def side(self) -> str | None:
        """Side of a foot or shank sensor, None for a trunk sensor."""
        return self.recording.metadata.get("side")

    @property
    def drill(self) -> str:
        """Drill the case is analysed as (metadata ``drill``)."""
        return self.recording.metadata["drill"]

    @property
    def sampling_rate_hz(self) -> float:
        """Median sampling rate in Hz."""
        return self.recording.nominal_sampling_rate_hz

    def write_csv(self, folder: str | os.PathLike[str], *, overwrite: bool = True) -> Path:
        """Write the recording as canonical CSV ``<folder>/<name>.csv``.

        Parameters
        ----------
        folder : path
            An existing folder (use a temporary one: these are derived data, never committed).
        overwrite : bool, optional
            Replace an existing file of the same name.

        Returns
        -------
        Path
            The written file.
        """
        return write_recording(
            self.recording, Path(folder) / f"{self.name}.csv", overwrite=overwrite
        )


def score_contacts(
    reference: ReferenceContacts,
    detected_ic_s: FloatArray,
    detected_to_s: FloatArray,
    *,
    tolerance_s: float,
) -> Agreement:
    """Match detected to reference contacts inside the evaluation windows.

    Parameters
    ----------
    reference : ReferenceContacts
        The case's reference.
    detected_ic_s, detected_to_s : ndarray, shape (n_detected,)
        Detected contacts on the recording's time axis, in s (TO may be nan for a method
        that finds IC only).
    tolerance_s : float
        Largest IC distance of a match, in s.

    Returns
    -------
    Agreement
        As :func:`sensorlab.evaluation.match_contacts`, counting only detections whose IC is
        inside a window.
    """
    ic = np.asarray(detected_ic_s, dtype=np.float64)
    to = np.asarray(detected_to_s, dtype=np.float64)
    inside = reference.in_windows(ic)
    return match_contacts(
        ic[inside], to[inside], reference.ic_s, reference.to_s, tolerance_s=tolerance_s
    )


def pool(agreements: Sequence[Agreement]) -> Agreement:
    """Pool the agreements of several cases into one (counts added, errors concatenated).

    Parameters
    ----------
    agreements : sequence of Agreement

    Returns
    -------
    Agreement
    """
    n_ref = sum(a.n_reference for a in agreements)
    n_det = sum(a.n_detected for a in agreements)
    n_match = sum(a.n_matched for a in agreements)

    def cat(name: str) -> FloatArray:
        parts = [np.asarray(getattr(a, name), dtype=np.float64) for a in agreements]
        return np.concatenate(parts) if parts else np.empty(0)

    return Agreement(
        n_reference=n_ref,
        n_detected=n_det,
        n_matched=n_match,
        recall=n_match / n_ref if n_ref else float("nan"),
        precision=n_match / n_det if n_det else float("nan"),
        ic_error_ms=cat("ic_error_ms"),
        to_error_ms=cat("to_error_ms"),
        contact_error_ms=cat("contact_error_ms"),
    )
