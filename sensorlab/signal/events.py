"""Contact events and the plausibility bounds shared by every detector family.

Every detector has the same signature::

    detect(acc_ms2, gyr_dps, *, sampling_rate_hz, params) -> ContactEvents

over one uniformly sampled, gap-free stretch of an active bout, in the sensor's own axes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class ContactParams:
    """Plausibility bounds of the contacts a detector may report.

    Attributes
    ----------
    min_contact_ms, max_contact_ms : float
        Contact times outside this range are rejected, in ms.
    min_interval_ms : float
        Shortest time between two initial contacts seen by this sensor, in ms.
    has_flight : bool
        Whether the drill has a flight phase (False for walking drills: double support).
    segment : {"foot", "shank", "trunk"}
        Body segment the sensor is on.
    pattern : {"alternating", "skip", "unilateral", "walking"}
        Contact pattern of the drill (see the drill catalogue).
    """

    min_contact_ms: float = 70.0
    max_contact_ms: float = 1500.0
    min_interval_ms: float = 150.0
    has_flight: bool = True
    segment: str = "foot"
    pattern: str = "alternating"


@dataclass(frozen=True)
class ContactEvents:
    """Contacts found in one uniformly sampled stretch.

    Attributes
    ----------
    ic_s, to_s : ndarray, shape (n_contacts,)
        Initial contact and toe-off times in s from the first sample of the stretch
        (sub-sample precision), ``ic_s < to_s``, contacts in time order and not overlapping.
    method : str
        Name of the detector.
    rejected : int
        Candidate contacts dropped by the plausibility gates.
    """

    ic_s: FloatArray
    to_s: FloatArray
    method: str
    rejected: int = 0

    @property
    def contact_ms(self) -> FloatArray:
        """Contact times in ms, shape (n_contacts,)."""
        return (self.to_s - self.ic_s) * 1000.0


Detector = Callable[..., ContactEvents]


def gate_contacts(
    ic_s: FloatArray, to_s: FloatArray, params: ContactParams, method: str
) -> ContactEvents:
    """Keep contacts whose duration is plausible and that do not overlap.

    ``rejected`` counts the candidates with an implausible duration and those with no TO,
    except the last: a stretch's last landing, back into standing, has no push-off after it
    and is not a contact of the set.
    """
    contact_ms = (to_s - ic_s) * 1000.0
    has_to = np.isfinite(to_s)
    ok = has_to & (contact_ms >= params.min_contact_ms) & (contact_ms <= params.max_contact_ms)
    rejected = int(np.count_nonzero(has_to & ~ok)) + int(np.count_nonzero(~has_to[:-1]))
    return ContactEvents(ic_s[ok], to_s[ok], method, rejected=rejected)
