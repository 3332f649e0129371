"""Agreement of detected contacts with reference contacts (simulator truth, force plates, mocap).

Used by the tests, the validation script and sports scientists checking sensorlab against
their own reference: a detected contact matches the reference contact whose IC is nearest,
one to one, within a tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Agreement:
    """Matching of detected to reference contacts and the errors of matched pairs.

    Attributes
    ----------
    n_reference, n_detected, n_matched : int
        Counts of reference, detected and matched contacts.
    recall, precision : float
        ``n_matched / n_reference`` and ``n_matched / n_detected`` (nan when a count is 0).
    ic_error_ms, to_error_ms, contact_error_ms : ndarray, shape (n_matched,)
        Detected minus reference IC, TO and contact time of matched pairs, in ms.
    """

    n_reference: int
    n_detected: int
    n_matched: int
    recall: float
    precision: float
    ic_error_ms: FloatArray
    to_error_ms: FloatArray
    contact_error_ms: FloatArray

    def stats(self) -> dict[str, float]:
        """Bias, SD and mean/median absolute errors in ms, recall and precision in %."""

        def _s(x: FloatArray, f: str) -> float:
            if x.size == 0:
                return float("nan")
            values = {
                "bias": np.mean(x),
                "sd": np.std(x, ddof=1) if x.size > 1 else 0.0,
                "mae": np.mean(np.abs(x)),
                "medae": np.median(np.abs(x)),
            }
            return float(values[f])

        out = {
            "recall_pct": 100.0 * self.recall,
            "precision_pct": 100.0 * self.precision,
            "n_reference": float(self.n_reference),
            "n_detected": float(self.n_detected),
        }
        for name, arr in (
            ("ic", self.ic_error_ms),
            ("to", self.to_error_ms),
            ("contact", self.contact_error_ms),
        ):
            for f in ("bias", "sd", "mae", "medae"):
                out[f"{name}_{f}_ms"] = _s(arr, f)
        return out


def match_contacts(
    detected_ic_s: FloatArray,
    detected_to_s: FloatArray,
    reference_ic_s: FloatArray,
    reference_to_s: FloatArray,
    *,
    tolerance_s: float,
) -> Agreement:
    """Match detected to reference contacts one to one by nearest IC.

    Pairs are taken greedily in order of increasing IC distance, so each reference contact
    matches at most one detected contact and vice versa.

    Parameters
    ----------
    detected_ic_s, detected_to_s : ndarray, shape (n_detected,)
        Detected contacts, in s.
    reference_ic_s, reference_to_s : ndarray, shape (n_reference,)
        Reference contacts on the same time axis, in s.
    tolerance_s : float
        Largest IC distance of a match, in s.

    Returns
    -------
    Agreement
        Counts, recall, precision and the errors of matched pairs.
    """
    det_ic = np.asarray(detected_ic_s, dtype=np.float64)
    det_to = np.asarray(detected_to_s, dtype=np.float64)
    ref_ic = np.asarray(reference_ic_s, dtype=np.float64)
    ref_to = np.asarray(reference_to_s, dtype=np.float64)
    pairs: list[tuple[int, int]] = []
    if det_ic.size and ref_ic.size:
        distance = np.abs(det_ic[:, None] - ref_ic[None, :])
        candidates = np.argwhere(distance <= tolerance_s)
        order = np.argsort(distance[candidates[:, 0], candidates[:, 1]], kind="stable")
        used_d: set[int] = set()
        used_r: set[int] = set()
        for d, r in candidates[order].tolist():
            if d not in used_d and r not in used_r:
                used_d.add(d)
                used_r.add(r)
                pairs.append((d, r))
    pairs.sort(key=lambda p: p[1])
    d_idx = np.array([p[0] for p in pairs], dtype=np.int64)
    r_idx = np.array([p[1] for p in pairs], dtype=np.int64)
    n = len(pairs)
    ic_err = (det_ic[d_idx] - ref_ic[r_idx]) * 1000.0
    to_err = (det_to[d_idx] - ref_to[r_idx]) * 1000.0
    return Agreement(
        n_reference=int(ref_ic.size),
        n_detected=int(det_ic.size),
        n_matched=n,
        recall=n / ref_ic.size if ref_ic.size else float("nan"),
        precision=n / det_ic.size if det_ic.size else float("nan"),
        ic_error_ms=ic_err,
        to_error_ms=to_err,
        contact_error_ms=to_err - ic_err,
    )
