"""Contacts of both feet from a trunk sensor (sacrum, lower back, chest).

References
----------
.. [3] Lee JB, Mellifont RB, Burkett BJ (2010). The use of a single inertial sensor to identify
   stride, step, and stance durations of running gait. J Sci Med Sport 13:270-273.
.. [4] McCamley J, Donati M, Grimpampi E, Mazzà C (2012). An enhanced estimate of initial
   contact and final contact instants of time using lower trunk inertial sensor data.
   Gait Posture 36:316-318.
.. [5] Zijlstra W, Hof AL (2003). Assessment of spatio-temporal gait parameters from trunk
   accelerations during human walking. Gait Posture 18:1-10.
.. [6] Moe-Nilssen R, Helbostad JL (2004). Estimation of gait cycle characteristics by trunk
   accelerometry. J Biomech 37:121-126.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage
from scipy import signal as sps

from sensorlab.signal.events import ContactEvents, ContactParams, gate_contacts
from sensorlab.signal.filters import lowpass
from sensorlab.signal.orientation import vertical_component
from sensorlab.units import G_MS2

FloatArray = NDArray[np.float64]


TRUNK_CUTOFF_HZ = 10.0
"""Low-pass cutoff of the trunk's vertical specific force, in Hz.

Chosen on the sacral running data of Alcantara et al. (2022): 10 Hz gave IC and TO median
absolute errors of 12 and 13 ms against force-plate events, against 5 and 24 ms at 20 Hz
(the trunk's soft-tissue ringing after the impact blurs the end of the push-off).
"""

TRUNK_THRESHOLD_G = 0.5
"""Vertical specific force above the flight level that counts as ground contact, in g."""


def _hysteresis_runs(level: FloatArray, *, high: float, low: float) -> list[tuple[int, int]]:
    """Runs that rise above ``high`` and last until ``level`` falls below ``low``.

    Returns (start, stop) sample pairs: ``start`` is the first sample above ``low`` before
    the rise past ``high``; ``stop`` is the first sample below ``low`` after it. Runs cut
    by the ends of the stretch are left out.
    """
    above_low = level > low
    runs: list[tuple[int, int]] = []
    edges = np.diff(above_low.astype(np.int8))
    starts = np.flatnonzero(edges == 1) + 1
    stops = np.flatnonzero(edges == -1) + 1
    for a in starts.tolist():
        later = stops[stops > a]
        if later.size == 0:
            break
        b = int(later[0])
        if np.any(level[a:b] > high):
            runs.append((a, b))
    return runs


def _crossing(level: FloatArray, i: int, threshold: float, *, rising: bool) -> float:
    """Fractional sample where ``level`` crosses ``threshold`` between ``i - 1`` and ``i``."""
    a, b = float(level[i - 1]), float(level[i])
    if a == b:
        return float(i)
    return (i - 1) + (threshold - a) / (b - a)


def detect_trunk(
    acc_ms2: FloatArray,
    gyr_dps: FloatArray | None = None,
    *,
    sampling_rate_hz: float,
    params: ContactParams,
) -> ContactEvents:
    """Contacts of both feet from a trunk (sacrum, lower back, chest) sensor.

    The vertical specific force of the trunk follows the vertical ground reaction force:
    near 0 g in flight (free fall) and above 1 g in contact [3]_. With a flight phase,
    each contact is a pulse of the vertical specific force (low-passed at
    :data:`TRUNK_CUTOFF_HZ`); it starts and ends where the force crosses
    :data:`TRUNK_THRESHOLD_G` above the flight level (at most 30 % of the pulse height), as
    a force-plate threshold does on the ground reaction force. Without a flight phase
    (walking drills) IC and final contact come from the loading complex of each step in the
    vertical acceleration (:func:`_trunk_walking`, after [4]_ and [5]_).

    Parameters
    ----------
    acc_ms2 : ndarray, shape (n_samples, 3)
        Specific force in m/s², any mounting (the vertical is found from gravity).
    gyr_dps : ndarray or None
        Ignored (present for the common signature).
    sampling_rate_hz : float
        Sampling rate in Hz.
    params : ContactParams
        Plausibility bounds; ``has_flight`` chooses the method.

    Returns
    -------
    ContactEvents
        Contacts of both feet, in time order (sides are not known from a trunk sensor).
    """
    vertical = vertical_component(acc_ms2)
    if not params.has_flight:
        return _trunk_walking(vertical, sampling_rate_hz, params)
    level = lowpass(vertical, cutoff_hz=TRUNK_CUTOFF_HZ, sampling_rate_hz=sampling_rate_hz)
    base = float(np.percentile(level, 5))
    top = float(np.percentile(level, 95))
    # Hysteresis: a contact begins when the level rises past half the pulse height and ends
    # only when it falls back to the contact threshold, so the dip between the impact and
    # the push-off humps of one contact cannot split it.
    threshold = base + min(TRUNK_THRESHOLD_G * G_MS2, 0.3 * (top - base))
    high = base + 0.5 * (top - base)
    merged = _hysteresis_runs(level, high=high, low=threshold)
    ic, to = [], []
    for a, b in merged:
        ic.append(_crossing(level, a, threshold, rising=True))
        to.append(_crossing(level, b, threshold, rising=False))
    ic_s = np.asarray(ic) / sampling_rate_hz
    to_s = np.asarray(to) / sampling_rate_hz
    # A contact of a drill with flight starts and ends in flight: the level is near the
    # flight level just before IC and just after TO. The push-off from standing and the
    # last landing back into it stay at 1 g on one side and are not drill contacts.
    flight_level = base + 0.25 * (top - base)
    margin = max(1, round(0.06 * sampling_rate_hz))
    for k, (a, b) in enumerate(merged):
        before = level[max(0, a - margin) : a]
        after = level[b : b + margin]
        settled = level[b + round(0.15 * sampling_rate_hz) : b + round(0.45 * sampling_rate_hz)]
        standing = settled.size > 0 and (
            abs(float(np.median(settled)) - G_MS2) < 0.25 * G_MS2
            and float(np.std(settled)) < 0.15 * G_MS2
        )
        if (
            before.size == 0
            or after.size == 0
            or standing
            or min(np.median(before), np.median(after)) > flight_level
            or max(np.median(before), np.median(after)) > 0.5 * (top + base)
        ):
            to_s[k] = np.nan
    return gate_contacts(ic_s, to_s, params, "trunk-vertical")


WALK_LOADING_SIGMA_S = 0.10
"""Sigma of the Gaussian that finds one loading complex per step in walking, in s.

Wide enough to merge the heel-strike transient and the loading hump of one double support
into one peak (at 40 ms the two often came out as two steps on the IPOL L5 recordings).
"""

WALK_FEATURE_PROMINENCE = 0.1
"""Smallest prominence of the heel-strike transient's peak, as a fraction of the 20 Hz SD."""

WALK_IC_SEARCH_S = 0.25
"""How far before a loading peak the heel strike's rising edge is searched for, in s."""

WALK_FIRST_LOADING_SD = 0.35
"""Smallest rise of a stretch's first step loading above the stretch mean, in SDs.

Measured on the loading signal (the vertical specific force smoothed with
:data:`WALK_LOADING_SIGMA_S`, stretch mean removed). A stretch that starts and ends at rest
has a mean vertical specific force of exactly 1 g (the centre of mass's vertical velocity is
zero at both ends), so the rise above the mean is the vertical ground reaction force above
body weight. A landing after a swing arrests the centre of mass's fall and loads the trunk
above body weight; a weight shift in double-leg standing before the first step (the
anticipatory shift onto the stance leg at the first toe-off) only moves load from one leg to
the other, and the total stays near body weight. IPOL L5 recordings (110 trials, chosen
there): the first scored step of each of the 111 stretches rose 0.47 SD or more (median 1.10);
71 contacts were detected before the first heel strike of a trial (69 trials; the peaks sit a
median 60 ms before the first toe-off and are not scored there), rising a median 0.12 SD, and
66 of them less than 0.35 SD. Simulated tiptoe walking: weight shift 0.17-0.27 SD, first step
1.36 SD or more.
"""


def step_period_s(vertical: FloatArray, *, sampling_rate_hz: float, min_s: float) -> float:
    """Step period of a walking stretch from the autocorrelation of its vertical acceleration.

    After Moe-Nilssen and Helbostad [6]_: the autocorrelation has a peak at the step period
    and a higher or equal one at the stride period (two steps). The first peak between
    ``min_s`` and 1.5 s that reaches 60 % of the highest peak there is the step.

    Parameters
    ----------
    vertical : ndarray, shape (n_samples,)
        Vertical specific force in m/s².
    sampling_rate_hz : float
        Sampling rate in Hz.
    min_s : float
        Shortest plausible step period, in s.

    Returns
    -------
    float
        Step period in s, or nan when the stretch shows no periodicity.
    """
    x = vertical - np.mean(vertical)
    n = x.shape[0]
    spectrum = np.fft.rfft(x, 2 * n)
    acf = np.fft.irfft(spectrum * np.conj(spectrum))[:n]
    if n < 2 or acf[0] <= 0.0:
        return float("nan")
    acf = acf / acf[0]
    lo = max(1, round(min_s * sampling_rate_hz))
    hi = min(round(1.5 * sampling_rate_hz), n - 1)
    if hi <= lo:
        return float("nan")
    peaks, _ = sps.find_peaks(acf[lo:hi])
    if peaks.size == 0:
        return float("nan")
    values = acf[lo + peaks]
    first = peaks[values >= 0.6 * float(np.max(values))][0]
    return float(lo + first) / sampling_rate_hz


def _first_peak(values: FloatArray, prominence: float) -> int:
    """Index of the first local maximum of ``values`` with at least ``prominence``.

    Falls back to the index of the largest value when there is none.
    """
    found, _ = sps.find_peaks(values, prominence=prominence)
    return int(found[0]) if found.size else int(np.argmax(values))


def _trunk_walking(
    vertical: FloatArray, sampling_rate_hz: float, params: ContactParams
) -> ContactEvents:
    """Walking contacts from the vertical trunk acceleration (lower back, sacrum).

    Each step's double support shows, in the vertical acceleration of the lower trunk, a
    loading complex: the heel strike's sharp rise and transient, a dip, then a second hump
    as the leading leg takes the body's weight, and the fall into single support [4]_ [5]_.

    1. Steps: peaks of the vertical acceleration smoothed with a Gaussian of sigma
       :data:`WALK_LOADING_SIGMA_S` (one per loading complex), at least 60 % of the step
       period apart (:func:`step_period_s`). The first step is the first of them that rises
       at least :data:`WALK_FIRST_LOADING_SD` above the stretch mean (body weight): lower
       leading peaks are weight shifts in double-leg standing before the first step.
    2. IC: the steepest rise of the 20 Hz signal in the :data:`WALK_IC_SEARCH_S` before
       the peak (the heel strike's rising edge, as in [4]_).
    3. Final contact of the other foot: after the first local maximum of the 20 Hz signal
       in the 120 ms after IC (the heel-strike transient; prominence at least
       :data:`WALK_FEATURE_PROMINENCE` of the signal's SD), the lowest point in the next 150 ms
       (the dip) and the highest in the 200 ms after that (the loading hump); the other foot
       leaves half-way between dip and hump. A foot that lands at IC k therefore leaves at the
       final contact found after IC k+1.

    Departures: McCamley et al. [4]_ smooth with sigma 40 ms and take the final contact at
    maxima of a second derivative; on the IPOL L5 recordings (19 adults) sigma 40 ms split
    the transient and the hump of one step into two steps in some subjects, and their final
    contact, like our earlier first minimum after the peak, fell either on the dip or on the
    single-support minimum (contact-time SD 144 ms). The dip-to-hump rule is ours, measured
    on those recordings: with the reference IC, the dip lies 30 ms before the reference toe-off
    and the hump 30 ms after (medians); it is in-sample there.
    """
    fs = sampling_rate_hz
    v20 = lowpass(vertical, cutoff_hz=min(20.0, 0.4 * fs), sampling_rate_hz=fs)
    rise = np.gradient(v20)
    distance = max(1, int(params.min_interval_ms * fs / 1000.0))
    period_s = step_period_s(v20, sampling_rate_hz=fs, min_s=params.min_interval_ms / 1000.0)
    if np.isfinite(period_s):
        distance = max(distance, int(0.6 * period_s * fs))
    smooth = ndimage.gaussian_filter1d(vertical - np.mean(vertical), WALK_LOADING_SIGMA_S * fs)
    peaks, _ = sps.find_peaks(smooth, distance=distance, prominence=0.2 * float(np.std(smooth)))
    # the stretch's steps begin at the first loading that rises above body weight: the
    # leading peaks below that are weight shifts in double-leg standing
    loads = smooth[peaks] >= WALK_FIRST_LOADING_SD * float(np.std(smooth))
    peaks = peaks[int(np.argmax(loads)) :] if np.any(loads) else peaks[:0]
    back = max(2, round(WALK_IC_SEARCH_S * fs))
    ic_idx = [max(0, q - back) + int(np.argmax(rise[max(0, q - back) : q + 1])) for q in peaks]
    transient_n = max(2, round(0.12 * fs))
    dip_n = max(2, round(0.15 * fs))
    hump_n = max(2, round(0.2 * fs))
    prominence = WALK_FEATURE_PROMINENCE * float(np.std(v20))
    fc: list[float] = []
    for q in ic_idx:
        if q + transient_n + dip_n + hump_n > v20.shape[0]:
            fc.append(np.nan)
            continue
        j = q + _first_peak(v20[q : q + transient_n], prominence)
        dip = j + int(np.argmin(v20[j : j + dip_n]))
        hump = dip + int(np.argmax(v20[dip : dip + hump_n]))
        fc.append(0.5 * (dip + hump) / fs)
    ic_s = np.asarray(ic_idx, dtype=np.float64) / fs
    fc_s = np.asarray(fc, dtype=np.float64)
    to_s = np.full(ic_s.shape, np.nan)
    to_s[:-1] = fc_s[1:]
    return gate_contacts(ic_s, to_s, params, "trunk-mccamley")
