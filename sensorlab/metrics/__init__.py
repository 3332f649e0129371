"""Per-contact and per-set metrics derived from detected contacts.

Each metric says what it derives from:

- ``contact_ms`` = TO − IC of one contact.
- ``step_ms`` = time from this contact's IC to the next contact's IC of any foot. With one
  foot or shank sensor in an alternating or walking drill the other foot's contact is not
  seen: the step is half the time to this sensor's next IC (symmetric steps assumed).
- ``flight_ms`` = time from TO to the next IC of any foot, where there is one: for a
  single foot sensor in alternating drills it is ``step_ms − contact_ms``; after the hop of
  a skip the next contact (the other foot's step) is not seen and flight is not defined;
  walking drills have no flight.
- ``cadence_spm`` = contacts of both feet per minute over the set, from the span between
  the first and the last IC (one foot sensor: each contact stands for two in bilateral
  drills).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sensorlab.drills import Drill

FloatArray = NDArray[np.float64]

TRUNK_PLACEMENTS = ("sacrum", "chest")


@dataclass(frozen=True)
class Contact:
    """One ground contact.

    Attributes
    ----------
    side : str or None
        "left", "right", or None when unknown (trunk sensor).
    ic_s, to_s : float
        Initial contact and toe-off on the recording's own ``time_s`` axis, in s.
    contact_ms : float
        TO − IC, in ms.
    flight_ms : float or None
        Flight after this contact, in ms, where defined.
    step_ms : float or None
        Time to the next contact's IC, in ms, where defined.
    set : int
        1-based set (bout) number inside the recording.
    """

    side: str | None
    ic_s: float
    to_s: float
    contact_ms: float
    flight_ms: float | None
    step_ms: float | None
    set: int = 1


@dataclass(frozen=True)
class SetSummary:
    """Summary of one set (or of all sets of a recording).

    Attributes
    ----------
    contacts : int
        Contacts detected.
    start_s, end_s : float
        First IC and last TO, in s on the recording's time axis.
    active_s : float
        Duration of the set from first IC to last TO, in s.
    cadence_spm : float or None
        Contacts of both feet per minute (see module docstring).
    contact_ms_median, contact_ms_best, contact_ms_mean, contact_ms_sd : float or None
        Contact-time statistics in ms; best is the shortest.
    contact_ms_cv_pct : float or None
        Coefficient of variation of contact time, in %.
    flight_ms_median : float or None
        Median flight time in ms, where flight is defined.
    step_ms_median : float or None
        Median step time in ms.
    duty_factor : float or None
        Contact time over stride time (median contact / (2 × median step)).
    flight_contact_ratio : float or None
        Median flight over median contact.
    symmetry_pct : float or None
        Left/right asymmetry of median contact time, |L − R| / mean(L, R) × 100, in %.
        From two files (left and right), or from alternate contacts of a trunk sensor.
    """

    contacts: int
    start_s: float | None
    end_s: float | None
    active_s: float | None
    cadence_spm: float | None
    contact_ms_median: float | None
    contact_ms_best: float | None
    contact_ms_mean: float | None
    contact_ms_sd: float | None
    contact_ms_cv_pct: float | None
    flight_ms_median: float | None
    step_ms_median: float | None
    duty_factor: float | None
    flight_contact_ratio: float | None
    symmetry_pct: float | None

    def metric(self, name: str) -> float | None:
        """Value of a drill's primary metric by name (median contact time for contact_ms)."""
        if name == "contact_ms":
            return self.contact_ms_median
        value = getattr(self, name)
        return None if value is None else float(value)


def _f(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else round(float(x), 3)


def contact_metrics(
    ic_s: FloatArray,
    to_s: FloatArray,
    *,
    drill: Drill,
    placement: str,
    side: str | None,
    set_number: int = 1,
) -> list[Contact]:
    """Per-contact metrics for the contacts of one set seen by one sensor.

    Parameters
    ----------
    ic_s, to_s : ndarray, shape (n_contacts,)
        Initial contacts and toe-offs in s, time-ordered, not overlapping.
    drill : Drill
        The drill (its pattern decides how steps and flights are derived).
    placement : str
        Sensor placement; trunk sensors see the contacts of both feet.
    side : str or None
        Side of a foot or shank sensor.
    set_number : int
        1-based set number to stamp on each contact.

    Returns
    -------
    list of Contact
        One per contact.
    """
    sees_all = placement in TRUNK_PLACEMENTS or drill.pattern == "unilateral"
    n = ic_s.size
    typical_ms = 1000.0 * float(np.median(np.diff(ic_s))) if n >= 2 else np.inf
    contacts: list[Contact] = []
    for k in range(n):
        contact_ms = (to_s[k] - ic_s[k]) * 1000.0
        step_ms: float | None = None
        flight_ms: float | None = None
        interval_ms = (ic_s[k + 1] - ic_s[k]) * 1000.0 if k + 1 < n else np.inf
        # a contact missing in between (lost samples, a miss) leaves the step unknown
        known = interval_ms <= MISSING_CONTACT_RATIO * typical_ms or drill.pattern == "skip"
        if k + 1 < n and known:
            gap_ms = (ic_s[k + 1] - to_s[k]) * 1000.0
            if sees_all:
                step_ms = interval_ms
                flight_ms = max(gap_ms, 0.0) if drill.has_flight else None
            elif drill.pattern == "skip":
                # step -> hop on the same foot: the hop flight is seen directly; after the
                # hop the other foot takes two contacts unseen.
                if k > 0:
                    prev_ms = (ic_s[k] - ic_s[k - 1]) * 1000.0
                    is_step = interval_ms < prev_ms
                else:
                    is_step = k + 2 < n and interval_ms < (ic_s[k + 2] - ic_s[k + 1]) * 1000.0
                if is_step:
                    step_ms = interval_ms
                    flight_ms = gap_ms
            else:
                step_ms = interval_ms / 2.0
                flight_ms = max(step_ms - contact_ms, 0.0) if drill.has_flight else None
        contacts.append(
            Contact(
                side=None if placement in TRUNK_PLACEMENTS else side,
                ic_s=round(float(ic_s[k]), 5),
                to_s=round(float(to_s[k]), 5),
                contact_ms=round(float(contact_ms), 2),
                flight_ms=None if flight_ms is None else round(float(flight_ms), 2),
                step_ms=None if step_ms is None else round(float(step_ms), 2),
                set=set_number,
            )
        )
    return contacts


MISSING_CONTACT_RATIO = 1.6
"""An interval between two contacts longer than this many typical (median) intervals holds
a contact that was not reported (lost samples or a miss): steps and flights across it are
not derived, and cadence counts it."""


def _contacts_per_s(ic_s: FloatArray, *, skip: bool) -> float:
    """Rate of contacts of a set in 1/s, counting contacts missing between detected ones.

    Every interval is counted as ``round(interval / typical)`` intervals once it is longer
    than :data:`MISSING_CONTACT_RATIO` typical (median) intervals, so a contact lost to a
    gap does not lower the cadence. A skip's intervals alternate short and long, so its
    typical interval is half the median step-to-step cycle and it is not corrected.
    """
    intervals_s = np.diff(ic_s)
    span_s = float(ic_s[-1] - ic_s[0])
    if skip or intervals_s.size < 3:
        return intervals_s.size / span_s
    typical_s = float(np.median(intervals_s))
    counted = np.where(
        intervals_s > MISSING_CONTACT_RATIO * typical_s,
        np.round(intervals_s / typical_s),
        1.0,
    )
    return float(np.sum(counted)) / span_s


def _median(values: list[float]) -> float | None:
    # statistics.median: the same value as numpy's, without its array set-up, which
    # dominated the summary of short sets (a few dozen contacts)
    return _f(statistics.median(values)) if values else None


def summarize(
    contacts: list[Contact], *, drill: Drill, placement: str, n_sensors: int = 1
) -> SetSummary:
    """Per-set summary of contacts.

    Parameters
    ----------
    contacts : list of Contact
        Contacts of one set (or all sets), from one sensor or both feet merged.
    drill : Drill
        The drill.
    placement : str
        Sensor placement.
    n_sensors : int
        1 for one file; 2 when left and right foot files are merged (then every contact
        of both feet is seen and none stands for another).

    Returns
    -------
    SetSummary
        Summary statistics; fields that cannot be measured are None.
    """
    if not contacts:
        return SetSummary(
            0, None, None, None, None, None, None, None, None, None, None, None, None, None, None
        )
    ct = np.array([c.contact_ms for c in contacts])
    ic = np.array([c.ic_s for c in contacts])
    start_s, end_s = float(ic[0]), float(max(c.to_s for c in contacts))
    sees_all = placement in TRUNK_PLACEMENTS or drill.pattern == "unilateral" or n_sensors > 1
    factor = 1.0 if sees_all else drill.contacts_per_detected
    cadence = None
    if len(contacts) >= 2 and ic[-1] > ic[0]:
        cadence = _contacts_per_s(ic, skip=drill.pattern == "skip") * 60.0 * factor
    flights = [c.flight_ms for c in contacts if c.flight_ms is not None]
    steps = [c.step_ms for c in contacts if c.step_ms is not None]
    median_ct = float(statistics.median(ct.tolist()))
    mean_ct = float(np.mean(ct))
    sd_ct = float(np.std(ct, ddof=1)) if ct.size > 1 else float("nan")
    flight_median = _median(flights)
    step_median = _median(steps)
    duty = None
    if cadence:
        duty = (
            _f(median_ct / (2.0 * 60000.0 / cadence))
            if drill.pattern != "unilateral"
            else _f(median_ct / (60000.0 / cadence))
        )
    symmetry = _symmetry_pct(contacts, placement=placement, drill=drill)
    return SetSummary(
        contacts=len(contacts),
        start_s=_f(start_s),
        end_s=_f(end_s),
        active_s=_f(end_s - start_s),
        cadence_spm=None if cadence is None else _f(cadence),
        contact_ms_median=_f(median_ct),
        contact_ms_best=_f(float(np.min(ct))),
        contact_ms_mean=_f(mean_ct),
        contact_ms_sd=_f(sd_ct),
        contact_ms_cv_pct=_f(100.0 * sd_ct / mean_ct) if ct.size > 1 else None,
        flight_ms_median=flight_median,
        step_ms_median=step_median,
        duty_factor=duty,
        flight_contact_ratio=None if flight_median is None else _f(flight_median / median_ct),
        symmetry_pct=symmetry,
    )


def _symmetry_pct(contacts: list[Contact], *, placement: str, drill: Drill) -> float | None:
    """Left/right asymmetry of median contact time in %, when both sides are seen."""
    sides = {c.side for c in contacts}
    if {"left", "right"} <= sides:
        left = [c.contact_ms for c in contacts if c.side == "left"]
        right = [c.contact_ms for c in contacts if c.side == "right"]
    elif (
        placement in TRUNK_PLACEMENTS
        and drill.pattern in ("alternating", "walking")
        and len(contacts) >= 4
    ):
        # alternate contacts belong to alternate feet; which is left is unknown
        left = [c.contact_ms for c in contacts[0::2]]
        right = [c.contact_ms for c in contacts[1::2]]
    else:
        return None
    med_l, med_r = float(statistics.median(left)), float(statistics.median(right))
    return _f(abs(med_l - med_r) / ((med_l + med_r) / 2.0) * 100.0)
