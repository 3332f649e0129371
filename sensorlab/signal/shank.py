"""Shank contacts (IC, TO) from the swing of the shank: the ``shank-gyro`` family.

A shank sensor sees the leg swing clearly and the foot's ground contact only indirectly: the
landing impact is damped by the heel pad and ankle (and not sampled at all below about
50 Hz), and the toe leaves the ground with no impact. This detector is therefore built
around the shank's sagittal angular rate, as Aminian et al. [1]_ and Salarian et al. [2]_
do for gait: the fastest forward swing of the shank (mid-swing) bounds each stride of the
sensor's leg, and the contacts lie between two mid-swings. The pattern of the drill says
how many: one (running, walking, one-leg drills) or two (the step and the hop of a skip,
with the short hop flight and no mid-swing between them).

Orientation-free: the rate is taken about the principal axis of the angular-rate vectors
and signed so that the mid-swing peaks are positive (the largest extremes of the bout);
the impact is the norm of the acceleration vector's second difference.

References
----------
.. [1] Aminian K, Najafi B, Büla C, Leyvraz PF, Robert P (2002). Spatio-temporal parameters
   of gait measured by an ambulatory system using miniature gyroscopes. J Biomech
   35:689-699.
.. [2] Salarian A, Russmann H, Vingerhoets FJG, et al. (2004). Gait assessment in
   Parkinson's disease: toward an ambulatory system for long-term monitoring. IEEE Trans
   Biomed Eng 51:1434-1443.
.. [3] Purcell B, Channells J, James D, Barrett R (2006). Use of accelerometers for
   detecting foot-ground contact time during running. Proc SPIE 6036.
.. [4] Catalfamo P, Ghoussayni S, Ewins D (2010). Gait event detection on level ground and
   incline walking using a rate gyroscope. Sensors 10:5683-5702.
.. [5] Greene BR, McGrath D, O'Neill R, et al. (2010). An adaptive gyroscope-based algorithm
   for temporal gait analysis. Med Biol Eng Comput 48:1251-1260.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import signal as sps

from sensorlab.signal.events import ContactEvents, ContactParams, gate_contacts
from sensorlab.signal.filters import lowpass
from sensorlab.signal.orientation import principal_axis

FloatArray = NDArray[np.float64]

METHOD = "shank-gyro"

RATE_CUTOFF_HZ = 30.0
"""Low-pass cut-off of the sagittal rate, in Hz."""

MIN_SWING_DPS = 100.0
"""A mid-swing is at least this fast, in deg/s: the Grouvel joggers' shanks swing at
380-520 deg/s and the smallest simulated swing (high skipping) is about 210 deg/s, while a
standing leg's rate is sensor noise (a bout of noise alone must give no contact)."""

SIGN_AVERAGE_MS = 80.0
"""Moving-average window used only to tell the swing's sign from a landing spike, in ms."""

MID_SWING_FRACTION = 0.5
"""A mid-swing peak reaches at least this share of the bout's largest swing rate (its
99.5th percentile) and stands out from its surroundings by as much. The short flight of a
skip (a small forward rotation between step and hop, a third of the swing's rate in the
simulator) stays below it."""

IMPACT_MIN_RATE_HZ = 50.0
"""At and above this rate the landing impact (10-20 ms at the shank) is sampled and gives
IC; below it IC is the rate's minimum after the swing (Aminian et al.)."""

IMPACT_SHARE = 0.5
"""IC is the first snap peak reaching this share of the strongest one of the landing."""

IMPACT_LEAD_MS = 20.0
"""The impact may come this long before the swing rate has turned negative, in ms."""

IMPACT_ONSET_MS = 20.0
"""Longest walk back from an impact's snap peak to its onset, in ms."""

TO_FRACTION = 0.3
"""TO: where the rate has moved this share of the way from its stance level to the
rotation that follows the contact (the backward rotation into the swing, or a skip's short
flight). Chosen on the Grouvel shank jogging data (98 insole contacts, 20-29 Hz): TO bias
+14.5 ms against the insole (0.2: +9.7 ms, 0.4: +19.5 ms), where the rotation's own peak
lies a median 67 ms after the insole TO. The simulator's shank gives +14 to +26 ms (back
running -12 ms) at 0.3; those figures did not set it."""

SKIP_FLIGHT_RISE = 0.3
"""A skip's flight between step and hop: a forward rotation rising above the stance level
by at least this share of the rate's range in that contact."""

SKIP_FLIGHT_SWING_SHARE = 0.1
"""... and by at least this share of the bout's typical mid-swing rate (a real rotation,
not the sensor noise of a stance that has no flight after it; the simulated hop flights
rise by about half the mid-swing rate)."""

EDGE_MIN_SHARE = 0.3
"""A contact before the first or after the last mid-swing counts only where its landing
and its backward rotation into the swing reach this share of the bout's typical ones."""

EDGE_SWING_SHARE = 0.1
"""... and where the leg swings before and after it, at this share of the typical
mid-swing rate: standing still before or after the bout does not swing at all (0 in the
simulator), while the first and last steps of the Grouvel joggers reach 0.16-0.37 (the
first) and as little as 0.16 (the last; most last steps, which only place the foot beside
the other, are missed)."""


@dataclass(frozen=True)
class _Lobe:
    """Samples between the end of one forward swing and the start of the next."""

    start: int
    stop: int
    edge: bool


def swing_rate_dps(gyr_dps: FloatArray, *, sampling_rate_hz: float) -> FloatArray:
    """Sagittal angular rate of the shank, signed so that mid-swing is positive.

    Parameters
    ----------
    gyr_dps : ndarray, shape (n_samples, 3)
        Angular rate in deg/s, any mounting.
    sampling_rate_hz : float
        Sampling rate in Hz.

    Returns
    -------
    ndarray, shape (n_samples,)
        Rate in deg/s about the principal rotation axis, low-passed at 30 Hz, positive when
        the shank swings forward (its largest rotation in every drill).
    """
    rate = lowpass(
        gyr_dps @ principal_axis(gyr_dps),
        cutoff_hz=RATE_CUTOFF_HZ,
        sampling_rate_hz=sampling_rate_hz,
    )
    # The swing lobe lasts a few hundred ms; the landing can add a short spike of the other
    # sign that is as high. Averaged over 80 ms the spike shrinks and the swing does not;
    # the 95th percentiles are not moved by a few odd strides (a turn, a stumble).
    width = max(1, round(SIGN_AVERAGE_MS * sampling_rate_hz / 1000.0))
    smooth = np.convolve(rate, np.ones(width) / width, mode="same")
    up, down = float(np.percentile(smooth, 95)), -float(np.percentile(smooth, 5))
    return rate if up >= down else -rate


def mid_swings(
    signed_dps: FloatArray, *, sampling_rate_hz: float, min_interval_ms: float
) -> NDArray[np.intp]:
    """Mid-swing peaks of the signed sagittal rate.

    Parameters
    ----------
    signed_dps : ndarray, shape (n_samples,)
        Output of :func:`swing_rate_dps`, deg/s.
    sampling_rate_hz : float
        Sampling rate in Hz.
    min_interval_ms : float
        Shortest time between two contacts of this leg, in ms.

    Returns
    -------
    ndarray, shape (n_swings,)
        Sample indices of the peaks, increasing: at least half the bout's largest swing rate
        and at least ``MIN_SWING_DPS``, standing out from their surroundings by as much.
    """
    top = float(np.percentile(signed_dps, 99.5))
    if top <= 0.0:
        return np.empty(0, dtype=np.intp)
    distance = max(1, int(min_interval_ms * sampling_rate_hz / 1000.0))
    level = max(MID_SWING_FRACTION * top, MIN_SWING_DPS)
    peaks, _ = sps.find_peaks(signed_dps, height=level, prominence=level, distance=distance)
    return np.asarray(peaks, dtype=np.intp)


def _lobes(signed: FloatArray, swings: NDArray[np.intp]) -> list[_Lobe]:
    """Stretches between swings, where the contacts lie.

    Each runs from the rate turning negative after one mid-swing to the last negative
    sample before the next. Before the first and after the last mid-swing, one typical
    stride is searched.
    """
    n = signed.shape[0]
    lobes: list[_Lobe] = []
    if swings.size == 0:
        return lobes
    stride = int(np.median(np.diff(swings))) if swings.size >= 2 else n

    def after(i: int, limit: int) -> int | None:
        neg = np.flatnonzero(signed[i:limit] < 0.0)
        return i + int(neg[0]) if neg.size else None

    def before(i: int, limit: int) -> int | None:
        neg = np.flatnonzero(signed[limit:i] < 0.0)
        return limit + int(neg[-1]) if neg.size else None

    first = int(swings[0])
    stop = before(first, max(0, first - stride))
    if stop is not None:
        lobes.append(_Lobe(max(0, first - stride), stop, edge=True))
    for a, b in itertools.pairwise(swings.tolist()):
        start, stop = after(a, b), before(b, a)
        if start is not None and stop is not None and stop > start:
            lobes.append(_Lobe(start, stop, edge=False))
    last = int(swings[-1])
    start = after(last, min(n, last + stride))
    if start is not None:
        lobes.append(_Lobe(start, min(n - 1, last + stride), edge=True))
    return lobes


def _snap(acc_ms2: FloatArray, sampling_rate_hz: float) -> FloatArray:
    """Norm of the second difference of the acceleration vector, m/s⁴.

    Element ``i`` is centred on sample ``i`` (0 at both ends). The landing changes the
    shank's acceleration abruptly (a kink of the acceleration, a step of its jerk), while
    the swing's centripetal and tangential accelerations of a fast rotation (up to
    1000 deg/s when pedaling) change smoothly, however large they are: at 100 Hz their jerk
    can exceed half the landing's, their second difference stays well below it.
    """
    d2 = np.linalg.norm(np.diff(acc_ms2, n=2, axis=0), axis=1) * sampling_rate_hz**2
    return np.asarray(np.concatenate(([0.0], d2, [0.0])), dtype=np.float64)


def _first_impact(snap: FloatArray, lo: int, hi: int, sampling_rate_hz: float) -> float | None:
    """Onset of the first strong snap peak in ``[lo, hi)``, in samples.

    The peak must reach ``IMPACT_SHARE`` of the strongest in the window; its onset is found
    by walking back (at most ``IMPACT_ONSET_MS``) while the snap stays above half the peak
    and keeps rising. Element ``i`` of the snap is the first to see a landing that happens
    between samples ``i`` and ``i + 1``, so the midpoint ``i + 0.5`` is returned.
    """
    lo, hi = max(0, lo), min(snap.shape[0], hi)
    if hi - lo < 3:
        return None
    window = snap[lo:hi]
    peaks, _ = sps.find_peaks(window)
    if peaks.size == 0:
        return None
    strong = peaks[window[peaks] >= IMPACT_SHARE * float(np.max(window[peaks]))]
    first = lo + int(strong[0])
    top = float(snap[first])
    earliest = max(0, first - round(IMPACT_ONSET_MS * sampling_rate_hz / 1000.0))
    while first > earliest and 0.5 * top <= snap[first - 1] <= snap[first]:
        first -= 1
    return first + 0.5


def _departure(signed: FloatArray, ic: int, extreme: int) -> float | None:
    """Where the rate leaves its stance level towards ``signed[extreme]``, in samples.

    The stance level is the median rate from IC to the extreme; the departure is the last
    crossing, before the extreme, of ``TO_FRACTION`` of the way to it (interpolated).
    """
    if extreme - ic < 2:
        return None
    level = float(np.median(signed[ic:extreme]))
    target = float(signed[extreme])
    threshold = level + TO_FRACTION * (target - level)
    sense = 1.0 if target > level else -1.0
    k = extreme
    while k > ic and sense * (signed[k - 1] - threshold) >= 0.0:
        k -= 1
    if k <= ic:
        return None
    y0, y1 = float(signed[k - 1]), float(signed[k])
    return (k - 1) + (y0 - threshold) / (y0 - y1) if y0 != y1 else float(k)


def _landing(
    signed: FloatArray,
    snap: FloatArray | None,
    lo: int,
    hi: int,
    sampling_rate_hz: float,
    *,
    lead_ms: float,
) -> float | None:
    """IC in ``[lo, hi)``: the impact onset, or without one the rate's minimum (samples).

    The impact may start up to ``lead_ms`` before ``lo``.
    """
    if snap is not None:
        lead = round(lead_ms * sampling_rate_hz / 1000.0)
        return _first_impact(snap, lo - lead, hi, sampling_rate_hz)
    if hi - lo < 1:
        return None
    # The landing shows as a spike of the rate in the first sample after it: the landing
    # lies in the sample interval before the minimum; its middle is taken.
    i = lo + int(np.argmin(signed[lo:hi]))
    return max(float(lo), i - 0.5)


def detect_shank_gyro(
    acc_ms2: FloatArray,
    gyr_dps: FloatArray | None,
    *,
    sampling_rate_hz: float,
    params: ContactParams,
) -> ContactEvents:
    """Shank contacts between the mid-swings of the sensor's leg.

    Every stride of the leg runs from one mid-swing (the fastest forward swing, the largest
    extreme of the sagittal rate) to the next [1]_ [2]_. Between two mid-swings the swing
    ends (the rate turns negative), the foot lands, the shank rotates steadily over the
    planted foot, and the knee flexes into the next swing (a backward rotation peak, then
    the rate turns positive again). In each such stretch:

    - **IC** is the landing impact [3]_: the onset of the first strong kink of the
      acceleration vector after the swing has ended. Below 50 Hz the impact is not sampled
      and IC is the rate's minimum in the first half of the stretch (Aminian et al.).
    - **TO** is where the rate leaves its stance level toward the backward rotation into
      the swing, at 30 % of the way to its peak. The peak itself, which Aminian et al. and
      Salarian et al. take for walking, lags TO in running (67 ms on the Grouvel jogging
      data; Catalfamo et al. [4]_ found a late gyroscope foot-off in walking as well).
    - **Skips** (``params.pattern == "skip"``): step and hop lie in the same stretch,
      separated by the short hop flight, which shows as a small forward rotation. The
      step's TO is the departure toward that rotation, the hop's IC the first impact after
      its peak (below 50 Hz the rate's minimum after it).

    Contacts in the stretches before the first and after the last mid-swing are kept only
    where the landing (impact or rate spike) and the backward rotation reach 30 % of the
    bout's typical ones and the leg swings before and after (10 % of the typical
    mid-swing): the first push-off out of standing and the last landing into standing are
    not contacts.

    Parameters
    ----------
    acc_ms2 : ndarray, shape (n_samples, 3)
        Specific force in m/s², any mounting.
    gyr_dps : ndarray, shape (n_samples, 3)
        Angular rate in deg/s, same axes as ``acc_ms2``.
    sampling_rate_hz : float
        Sampling rate in Hz.
    params : ContactParams
        Plausibility bounds and the drill's contact pattern.

    Returns
    -------
    ContactEvents
        Contacts of the sensor's own leg, method ``"shank-gyro"``.

    Notes
    -----
    Departures from the literature: Aminian et al. and Salarian et al. take IC and TO as the
    rate's minima around mid-swing; IC here is the impact where it is sampled (the minimum
    after the swing can lie tens of ms before the landing when the foot is drawn back before
    it touches down), and TO the departure toward the minimum (see above). Greene et al.
    [5]_ adapt their thresholds to each bout; here every threshold is a share of the bout's
    own rates or snaps.
    """
    if gyr_dps is None:
        raise ValueError("detect_shank_gyro needs gyr_dps")
    fs = sampling_rate_hz
    signed = swing_rate_dps(gyr_dps, sampling_rate_hz=fs)
    swings = mid_swings(signed, sampling_rate_hz=fs, min_interval_ms=params.min_interval_ms)
    snap = _snap(acc_ms2, fs) if fs >= IMPACT_MIN_RATE_HZ else None
    min_contact = max(1, round(params.min_contact_ms * fs / 1000.0))
    ic: list[float] = []
    to: list[float] = []
    depth: list[float] = []
    edges: list[bool] = []
    landing: list[float] = []
    swing_after: list[float] = []
    swing_before: list[float] = []
    reach = int(np.median(np.diff(swings))) // 2 if swings.size >= 2 else signed.shape[0]
    typical_swing_dps = float(np.median(signed[swings])) if swings.size else 0.0
    for lobe in _lobes(signed, swings):
        lo, hi = lobe.start, lobe.stop
        mid = (lo + hi) // 2
        first = _landing(
            signed,
            snap,
            lo,
            mid if snap is None else hi - min_contact,
            fs,
            lead_ms=IMPACT_LEAD_MS,
        )
        if first is None:
            continue
        i0 = int(np.floor(first))
        # the backward rotation into the swing: in the second half of the stretch (the
        # landing's own spike of the rate lies in the first), at least one contact after IC
        a = max(int(np.ceil(first)) + min_contact, mid)
        if hi + 1 - a < 2:
            continue
        q = a + int(np.argmin(signed[a : hi + 1]))
        contacts: list[tuple[float, int]] = [(first, q)]
        # at the bout's edges the skip's rhythm is not established: one contact at most
        if params.pattern == "skip" and not lobe.edge:
            min_rise = SKIP_FLIGHT_SWING_SHARE * typical_swing_dps
            split = _skip_split(signed, snap, i0, q, min_contact, fs, min_rise)
            if split is not None:
                flight_peak, hop_ic = split
                contacts = [(first, flight_peak), (hop_ic, q)]
        for start, extreme in contacts:
            s = int(np.floor(start))
            t = _departure(signed, s, extreme)
            if t is None:
                continue
            ic.append(start / fs)
            to.append(t / fs)
            depth.append(float(np.median(signed[s:extreme]) - signed[extreme]))
            edges.append(lobe.edge)
            landing.append(_landing_strength(signed, snap, start, fs))
            swing_after.append(float(np.max(signed[extreme : extreme + reach + 1])))
            swing_before.append(float(np.max(signed[max(0, s - reach) : s + 1])))
    if not ic:
        return gate_contacts(np.empty(0), np.empty(0), params, METHOD)
    ic_s, to_s = np.asarray(ic), np.asarray(to)
    depth_a, edge_a = np.asarray(depth), np.asarray(edges)
    # Before the first and after the last mid-swing, standing is not a contact: an edge
    # contact needs a swing before it, a landing, a backward rotation and a swing after
    # it like the others'.
    keep = ~edge_a
    if np.any(~edge_a):
        landing_a = np.asarray(landing)
        swing = EDGE_SWING_SHARE * typical_swing_dps
        keep |= (
            (np.abs(depth_a) >= EDGE_MIN_SHARE * float(np.median(np.abs(depth_a[~edge_a]))))
            & (landing_a >= EDGE_MIN_SHARE * float(np.median(landing_a[~edge_a])))
            & (np.asarray(swing_before) >= swing)
            & (np.asarray(swing_after) >= swing)
        )
    ic_s, to_s = ic_s[keep], to_s[keep]
    order = np.argsort(ic_s)
    ic_s, to_s = ic_s[order], to_s[order]
    # contacts never overlap: a TO past the next IC is not a TO of this contact
    overlap = np.zeros(ic_s.shape, dtype=bool)
    overlap[:-1] = to_s[:-1] > ic_s[1:]
    to_s = np.where(overlap, np.nan, to_s)
    return gate_contacts(ic_s, to_s, params, METHOD)


def _landing_strength(
    signed: FloatArray, snap: FloatArray | None, ic: float, sampling_rate_hz: float
) -> float:
    """How hard a landing was: the snap peak at IC (m/s⁴), or the rate's spike (deg/s)."""
    i = int(np.ceil(ic))
    if snap is None:
        return float(-signed[min(i, signed.shape[0] - 1)])
    half = max(1, round(0.01 * sampling_rate_hz))
    return float(np.max(snap[max(0, i - half) : i + half + 1]))


def _skip_split(
    signed: FloatArray,
    snap: FloatArray | None,
    ic: int,
    extreme: int,
    min_contact: int,
    sampling_rate_hz: float,
    min_rise_dps: float,
) -> tuple[int, float] | None:
    """A skip's hop flight between IC and the swing's backward rotation, if there is one.

    The flight is a forward rotation rising above the stance level by ``SKIP_FLIGHT_RISE``
    of the rate's range in the contact and by at least ``min_rise_dps``: in a contact with
    no flight (the last step of a set, no hop after it) the range is the stance's sensor
    noise, and a noise bump is not a rotation.

    Returns the sample of the flight's forward-rotation peak and the hop's IC (samples).
    """
    a, b = ic + min_contact, extreme - min_contact
    if b - a < 2:
        return None
    p = a + int(np.argmax(signed[a:b]))
    level = float(np.median(signed[ic:extreme]))
    span = float(np.max(signed[ic:extreme]) - np.min(signed[ic:extreme]))
    rise = signed[p] - level
    if rise < SKIP_FLIGHT_RISE * span or rise < min_rise_dps or p in (a, b - 1):
        return None
    hop = _landing(signed, snap, p, b, sampling_rate_hz, lead_ms=0.0)
    if hop is None:
        return None
    return p, hop
