"""Ground-contact detection (initial contact IC, toe-off TO) per sensor placement.

Every detector has the same signature::

    detect(acc_ms2, gyr_dps, *, sampling_rate_hz, params) -> ContactEvents

over one uniformly sampled, gap-free stretch of an active bout, in the sensor's own axes
(types in :mod:`sensorlab.signal.events`; trunk detectors in :mod:`sensorlab.signal.trunk`;
mount-anywhere: the features are norms, or projections on axes found from the data).
Detectors segment contact by contact; none assumes one contact per stride, so the step and
the hop of a skip, and the repeated contacts of one-leg drills, are all found.

References
----------
.. [1] Falbriard M, Meyer F, Mariani B, Millet GP, Aminian K (2018). Accurate estimation of
   running temporal parameters using foot-worn inertial sensors. Front Physiol 9:610.
.. [2] Aminian K, Najafi B, Büla C, Leyvraz PF, Robert P (2002). Spatio-temporal parameters of
   gait measured by an ambulatory system using miniature gyroscopes. J Biomech 35:689-699.
.. [3] Lee JB, Mellifont RB, Burkett BJ (2010). The use of a single inertial sensor to identify
   stride, step, and stance durations of running gait. J Sci Med Sport 13:270-273.
.. [5] Purcell B, Channells J, James D, Barrett R (2006). Use of accelerometers for detecting
   foot-ground contact time during running. Proc SPIE 6036.
"""

from __future__ import annotations

import itertools

import numpy as np
from numpy.typing import NDArray
from scipy import signal as sps

from sensorlab.signal.events import ContactEvents, ContactParams, Detector, gate_contacts
from sensorlab.signal.filters import lowpass, parabolic_peak
from sensorlab.signal.orientation import principal_axis
from sensorlab.signal.shank import detect_shank_gyro
from sensorlab.signal.trunk import detect_trunk

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]


def _impact_signal(acc_ms2: FloatArray, sampling_rate_hz: float) -> FloatArray:
    """Norm of the first difference of the acceleration vector (orientation-free jerk), m/s³.

    Element ``i`` is the change between samples ``i`` and ``i + 1``.
    """
    return np.asarray(np.linalg.norm(np.diff(acc_ms2, axis=0), axis=1) * sampling_rate_hz)


def _force_growing(acc_ms2: FloatArray) -> BoolArray:
    """Whether the specific force's norm grows over each jerk sample, shape (n_samples - 1,)."""
    return np.asarray(np.diff(np.linalg.norm(acc_ms2, axis=1)) > 0.0)


IMPACT_ONSET_FRACTION = 0.5
"""Share of the impact's jerk peak at which its onset is taken (walking back from the peak)."""

IMPACT_LOOKBACK_S = 0.03
"""How far before an impact's jerk peak an earlier strike of the same landing is looked for, s."""

FIRST_STRIKE_FRACTION = 0.2
"""Share of a landing's largest jerk peak that an abrupt earlier peak (within 30 ms) must reach
to count as its first strike, for landings from flight; the share of the typical impact at which
:func:`find_impacts` keeps a jerk peak as an impact candidate."""

STRIKE_RISE_MS = 5.0
"""Longest rise of a hard landing's jerk from half its height to its peak, in ms (at least
two samples at low rates, where the sensor's anti-alias filter sets the rise)."""


def find_impacts(
    acc_ms2: FloatArray,
    *,
    sampling_rate_hz: float,
    min_interval_ms: float,
    strike_rise_ms: float | None,
    rising: BoolArray | None = None,
) -> FloatArray:
    """Initial contacts as the onsets of the ground impacts.

    The foot (and with less energy the shank) stops within a few ms when it lands, which
    shows as the largest jerk of the acceleration vector in the cycle [3]_. Peaks of the
    jerk norm are kept when they stand out from the bout's own distribution (at least a
    fifth of the typical impact, and well above the quiet level), at least
    ``min_interval_ms`` apart.

    Parameters
    ----------
    acc_ms2 : ndarray, shape (n_samples, 3)
        Specific force in m/s².
    sampling_rate_hz : float
        Sampling rate in Hz.
    min_interval_ms : float
        Shortest time between two impacts, in ms.
    strike_rise_ms : float or None
        Longest rise of a strike's jerk from half its height to its peak, in ms (landings
        from flight, ``STRIKE_RISE_MS``); None for soft landings (a walking heel strike),
        whose first strike may rise slowly.
    rising : ndarray of bool, shape (n_samples - 1,), optional
        Soft landings: where the specific force's norm grows (:func:`_force_growing`). An
        impact's onset and first strike lie there (the ground pushing the segment); the
        swing's fading deceleration just before the landing jerks too, but shrinks the norm.

    Returns
    -------
    ndarray, shape (n_impacts,)
        Impact onset times in s from the first sample. The jump lies between two samples;
        the midpoint is returned.
    """
    jerk = _impact_signal(acc_ms2, sampling_rate_hz)
    distance = max(1, int(min_interval_ms * sampling_rate_hz / 1000.0))
    peaks, props = sps.find_peaks(jerk, distance=distance, height=0.0)
    if peaks.size == 0:
        return np.empty(0)
    heights = props["peak_heights"]
    typical = float(np.percentile(heights, 90))
    quiet = float(np.median(jerk))
    threshold = max(0.2 * typical, 4.0 * quiet)
    keep = peaks[heights >= threshold]
    all_peaks, _ = sps.find_peaks(jerk)
    onsets = [
        _impact_onset(jerk, p, all_peaks, sampling_rate_hz, strike_rise_ms, rising)
        for p in keep.tolist()
    ]
    return np.asarray((np.asarray(onsets) + 0.5) / sampling_rate_hz, dtype=np.float64)


def _impact_onset(
    jerk: FloatArray,
    peak: int,
    all_peaks: IntArray,
    sampling_rate_hz: float,
    strike_rise_ms: float | None,
    rising: BoolArray | None = None,
) -> int:
    """Jerk sample at which the impact whose jerk peaks at ``peak`` starts.

    Parameters
    ----------
    jerk : ndarray, shape (n_samples - 1,)
        Jerk norm (:func:`_impact_signal`), in m/s³.
    peak : int
        The impact's jerk peak.
    all_peaks : ndarray of int
        Every local maximum of ``jerk``.
    sampling_rate_hz : float
        Sampling rate in Hz.
    strike_rise_ms : float or None
        Longest rise of a strike's jerk (see :func:`find_impacts`), in ms.
    rising : ndarray of bool, shape (n_samples - 1,), optional
        Soft landings: whether the specific force's norm grows over each jerk sample. Only
        such samples can belong to the impact (the swing's fading deceleration before it
        jerks too, but shrinks the norm).
    """
    # A landing can strike twice (heel, then forefoot slap), and at low rates the shoe's
    # ringing can make a larger jerk than the impact itself: the contact starts at the first
    # strike, so look back for an earlier strong jerk peak. A hard landing's strike rises
    # abruptly (within a few ms, or the two samples the sensor's filter spreads it over,
    # :func:`_strikes`); a broad rise just before the landing is the swing.
    #
    # At low rates the sensor's anti-alias filter shrinks a short first strike (a heel's 5 ms
    # transient) far more than the longer loading after it; where strikes are told from the
    # swing by their abrupt rise (landings from flight), an earlier strike counts down to
    # FIRST_STRIKE_FRACTION of the peak. Walking keeps half: there nothing checks the rise.
    fs = sampling_rate_hz
    back = max(1, round(IMPACT_LOOKBACK_S * fs))
    earlier = all_peaks[(all_peaks >= peak - back) & (all_peaks < peak)]
    share = 0.5 if strike_rise_ms is None else FIRST_STRIKE_FRACTION
    strong = earlier[jerk[earlier] >= share * jerk[peak]]
    if strike_rise_ms is not None:
        strong = np.asarray(
            [q for q in strong.tolist() if _strikes(jerk, q, fs, strike_rise_ms)], dtype=np.int64
        )
    if rising is not None:
        strong = strong[rising[strong]]
    first = int(strong[0]) if strong.size else peak
    # the impact starts where the jerk leaves its quiet level, one or two samples
    # before its peak at rates of 100-200 Hz
    return _onset_before(jerk, first, max(0, first - round(0.02 * fs)), rising)


def _onset_before(
    jerk: FloatArray, peak: int, earliest: int, rising: BoolArray | None = None
) -> int:
    """Jerk sample where the rise to ``peak`` starts.

    Walks back while the jerk keeps falling but stays at or above ``IMPACT_ONSET_FRACTION``
    of the peak, not before ``earliest``, and (soft landings, ``rising``) only over samples
    where the specific force grows.
    """
    onset = peak
    top = jerk[peak]
    while onset > earliest and IMPACT_ONSET_FRACTION * top <= jerk[onset - 1] <= jerk[onset]:
        if rising is not None and not rising[onset - 1]:
            break
        onset -= 1
    return onset


STRIKE_FOOT_FRACTION = 0.25
"""Share of a strike's jerk peak below which the jerk counts as the quiet level the strike
climbs from."""


def _strikes(jerk: FloatArray, peak: int, sampling_rate_hz: float, strike_rise_ms: float) -> bool:
    """Whether the jerk peak at ``peak`` rises as abruptly as a strike.

    A strike's jerk rises from half its height to its peak within ``strike_rise_ms``, so
    the jerk that long before the peak is below half of it (a peak inside a longer burst is
    not a strike). From the quiet level, below ``STRIKE_FOOT_FRACTION`` of the peak, or from
    the valley where the climb begins if that is higher, the climb then takes at most 1.5
    times as long (a steady climb from a quarter of the height takes 1.5 times as long as
    from half). Both spans are at least two samples, over which the sensor's anti-alias
    filter spreads a strike. A swing's jerk just before the landing can cross half its
    height within two samples at 100 Hz, but climbs from the quiet level over three or more.

    Parameters
    ----------
    jerk : ndarray, shape (n_samples - 1,)
        Jerk norm (:func:`_impact_signal`), in m/s³.
    peak : int
        The candidate's jerk peak.
    sampling_rate_hz : float
        Sampling rate in Hz.
    strike_rise_ms : float
        Longest rise of a strike's jerk from half its height to its peak, in ms.
    """
    rise = max(2, round(strike_rise_ms * sampling_rate_hz / 1000.0))
    if peak >= rise and jerk[peak - rise] >= 0.5 * jerk[peak]:
        return False
    start = peak
    while start > 0 and jerk[start - 1] <= jerk[start]:
        start -= 1
        if jerk[start] < STRIKE_FOOT_FRACTION * jerk[peak]:
            break
    climb_limit = max(2, round(1.5 * strike_rise_ms * sampling_rate_hz / 1000.0))
    return bool(jerk[start] < 0.5 * jerk[peak] and peak - start <= climb_limit)


def sagittal_rate_dps(gyr_dps: FloatArray, *, sampling_rate_hz: float) -> FloatArray:
    """Angular rate about the dominant (sagittal) rotation axis, low-passed at 30 Hz.

    Parameters
    ----------
    gyr_dps : ndarray, shape (n_samples, 3)
        Angular rate in deg/s.
    sampling_rate_hz : float
        Sampling rate in Hz.

    Returns
    -------
    ndarray, shape (n_samples,)
        Angular rate in deg/s about the principal axis; the sign is arbitrary.
    """
    rate = gyr_dps @ principal_axis(gyr_dps)
    return lowpass(rate, cutoff_hz=30.0, sampling_rate_hz=sampling_rate_hz)


def _contact_windows(
    ic_s: FloatArray,
    n_samples: int,
    sampling_rate_hz: float,
    params: ContactParams,
    *,
    bounded: bool = True,
) -> list[tuple[int, int]]:
    """Sample windows in which the toe-off of each initial contact must lie."""
    windows = []
    end_s = (n_samples - 1) / sampling_rate_hz
    for k, ic in enumerate(ic_s):
        lo = ic + params.min_contact_ms / 1000.0
        hi = ic + params.max_contact_ms / 1000.0
        if bounded and k + 1 < len(ic_s):
            hi = min(hi, ic_s[k + 1] - 0.5 / sampling_rate_hz)
        hi = min(hi, end_s)
        windows.append((int(np.ceil(lo * sampling_rate_hz)), int(np.floor(hi * sampling_rate_hz))))
    return windows


def _first_prominent_peak(x: FloatArray, fraction: float) -> int | None:
    """Index of the first local maximum of ``x`` reaching ``fraction`` of its maximum.

    A local maximum as :func:`scipy.signal.find_peaks` has it (a flat top counts at its
    middle; the ends of ``x`` never do), found without its set-up cost: this runs for every
    contact window, several times per contact. Without one, the index of the maximum.
    """
    top = float(np.max(x))
    if top <= 0.0:
        return None
    n = x.shape[0]
    level = fraction * top
    rises = np.flatnonzero((x[1 : n - 1] > x[: n - 2]) & (x[1 : n - 1] >= level)) + 1
    for i in rises.tolist():
        j = i + 1
        while j < n - 1 and x[j] == x[i]:
            j += 1
        if x[j] < x[i]:
            return (i + j - 1) // 2
    return int(np.argmax(x))


def _push_off_sign(
    windows: list[tuple[int, int]], rate: FloatArray, params: ContactParams
) -> FloatArray:
    """The sagittal rate signed so that push-off is positive (majority over the contacts).

    ``windows`` are the sample windows after each IC in which its push-off must lie.
    """
    votes = 0
    for lo, hi in windows:
        if hi - lo < 3:
            continue
        up = _first_prominent_peak(rate[lo:hi], 0.5)
        down = _first_prominent_peak(-rate[lo:hi], 0.5)
        if up is not None and (down is None or up < down):
            votes += 1
        elif down is not None:
            votes -= 1
    signed = rate if votes >= 0 else -rate
    if params.pattern == "skip":
        # In a skip the rate dips before the step's small push-off, which fools the vote;
        # the hop's push-off into the swing is the largest rotation of the cycle.
        top_up, top_down = float(np.percentile(rate, 99.5)), -float(np.percentile(rate, 0.5))
        signed = rate if top_up >= top_down else -rate
    return signed


def _push_off_peaks(
    ic_s: FloatArray,
    rate: FloatArray,
    sampling_rate_hz: float,
    params: ContactParams,
    *,
    bounded: bool = True,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Sign the sagittal rate so that push-off is positive; TO and push-off peak per IC.

    Returns the signed rate (deg/s), TO times (s, nan where none) and the push-off peak
    rate of each contact (deg/s, 0 where none). ``bounded`` ends each search at the next
    IC; unbounded searches look up to the longest plausible contact.
    """
    windows = _contact_windows(ic_s, rate.shape[0], sampling_rate_hz, params, bounded=bounded)
    voters = windows
    if not params.has_flight and ic_s.size:
        # A walking foot lands once its swing rotation has reversed or slowed, and leaves
        # the ground at its push-off's peak: a candidate in a fast rotation is a toe-off,
        # and what follows it is the swing, so it has no say in the push-off's sign.
        at = np.clip(np.round(ic_s * sampling_rate_hz).astype(np.int64), 0, rate.shape[0] - 1)
        slow = np.abs(rate[at]) < 0.5 * float(np.percentile(np.abs(rate), 95))
        if np.any(slow):
            voters = [w for w, keep in zip(windows, slow, strict=True) if keep]
    signed = _push_off_sign(voters, rate, params)
    curvature = np.gradient(np.gradient(signed))
    fall = None if params.has_flight else TO_FRACTION_OF_PUSH_OFF
    to_s = np.full(ic_s.shape, np.nan)
    strength = np.zeros(ic_s.shape)
    for k, (lo, hi) in enumerate(windows):
        to_s[k], strength[k] = _push_off_in(signed, curvature, lo, hi, sampling_rate_hz, fall)
    return signed, to_s, strength


TO_SEARCH_MS = 80.0
"""How far before the push-off peak TO is looked for, in ms (sharp push-off peaks)."""

PUSH_OFF_PLATEAU_FRACTION = 0.7
"""Share of the push-off peak rate above which the rotation counts as on the peak's plateau:
TO is looked for back to where the rate rose past it when that is before ``TO_SEARCH_MS``."""


def _push_off_in(
    signed: FloatArray,
    curvature: FloatArray,
    lo: int,
    hi: int,
    sampling_rate_hz: float,
    fall_fraction: float | None = None,
) -> tuple[float, float]:
    """TO and push-off peak of one contact, searched in samples ``[lo, hi)``.

    The push-off peak is the first prominent maximum of the rate in the window. Unless
    ``fall_fraction`` is given, TO is looked for (:func:`_toe_off`) in the ``TO_SEARCH_MS``
    before it, or from where the rate rose past ``PUSH_OFF_PLATEAU_FRACTION`` of the peak if
    that is earlier. The toes leave the ground while the push-off rotation is fast, and the
    swing that follows either brakes the rotation at once (a sharp peak, TO close before it)
    or carries it on at about the same rate (a plateau): in lateral running the foot's roll
    into the swing keeps the rate rising for up to 100 ms after TO, and the plateau's first
    maximum can lie that long after it.

    Parameters
    ----------
    signed : ndarray, shape (n_samples,)
        Sagittal rate signed so that push-off is positive, in deg/s.
    curvature : ndarray, shape (n_samples,)
        Second difference of ``signed``, in deg/s per sample².
    lo, hi : int
        The contact's search window (samples).
    sampling_rate_hz : float
        Sampling rate in Hz.
    fall_fraction : float or None
        Walking drills: TO is where the rate has fallen back to this share of the push-off
        peak (:func:`_fallen_to`); None: the end of the unloading (:func:`_toe_off`).

    Returns
    -------
    to_s : float
        TO in s from the first sample, nan if there is no push-off peak.
    peak_dps : float
        The push-off peak's rate in deg/s, 0 if there is none.
    """
    if hi - lo < 3:
        return np.nan, 0.0
    i = _first_prominent_peak(signed[lo:hi], 0.5)
    if i is None:
        return np.nan, 0.0
    peak = lo + i
    if fall_fraction is not None:
        fallen = _fallen_to(signed, peak, fall_fraction, max(3, round(0.4 * sampling_rate_hz)))
        to_s = np.nan if fallen is None else fallen / sampling_rate_hz
        return to_s, float(signed[peak])
    start = max(lo, peak - max(1, round(TO_SEARCH_MS * sampling_rate_hz / 1000.0)))
    # A push-off whose rotation was already fast before that is a plateau: the swing kept
    # the rotation going after TO, and TO may lie anywhere on the plateau.
    below = np.flatnonzero(signed[lo:peak] < PUSH_OFF_PLATEAU_FRACTION * signed[peak])
    plateau_start = lo + int(below[-1]) + 1 if below.size else lo
    start = min(start, plateau_start)
    to_sample = _toe_off(signed, curvature, start, peak, sampling_rate_hz)
    return to_sample / sampling_rate_hz, float(signed[peak])


def _fallen_to(signed: FloatArray, peak: int, fraction: float, reach: int) -> float | None:
    """Where ``signed`` first falls below ``fraction`` of its value at ``peak``.

    Walking TO: the toes leave once the push-off rotation has passed its peak and slowed
    (the swing taking over). Returns fractional samples, or None if the rate stays above
    that level for ``reach`` samples.
    """
    level = fraction * float(signed[peak])
    after = np.flatnonzero(signed[peak : peak + reach] < level)
    if after.size == 0:
        return None
    m = peak + int(after[0])
    y0, y1 = float(signed[m - 1]), float(signed[m])
    return (m - 1) + (y0 - level) / (y0 - y1)


TO_EDGE_FRACTION = 0.5
"""Share of its steepest value at which the fall of angular acceleration counts as ended."""


def _toe_off(
    signed: FloatArray, curvature: FloatArray, start: int, peak: int, sampling_rate_hz: float
) -> float:
    """Toe-off between ``start`` and the push-off peak: where the unloading's drop ends.

    As the ground unloads the segment its moment fades, and the angular acceleration falls;
    once the toes are off it falls no further than the swing makes it. That fall (the
    rate's second difference, negative) is a pulse: its deepest point is the middle of the
    unloading, and TO is its trailing edge, taken where the fall has slowed back to half its
    steepest (the half-amplitude edge of a pulse the rate's low-pass has rounded). When the
    swing brakes the rotation at once (a sharp push-off peak) the fall never slows before
    the peak, and TO is the peak itself. Below 50 Hz a sample is longer than the unloading
    and TO is the deepest point of the fall.

    Parameters
    ----------
    signed : ndarray, shape (n_samples,)
        Sagittal rate signed so that push-off is positive, in deg/s.
    curvature : ndarray, shape (n_samples,)
        Second difference of ``signed``, in deg/s per sample².
    start, peak : int
        First sample of the search and the push-off peak's sample.
    sampling_rate_hz : float
        Sampling rate in Hz.

    Returns
    -------
    float
        TO in fractional samples.
    """
    j = start + int(np.argmin(curvature[start : peak + 1]))
    level = TO_EDGE_FRACTION * float(curvature[j])
    if sampling_rate_hz < STRIDE_METHOD_BELOW_HZ or level >= 0.0:
        return parabolic_peak(-curvature, j)
    e = j
    while e < peak and curvature[e] < level:
        e += 1
    if e == j:
        return parabolic_peak(-curvature, j)
    if curvature[e] < level:
        return parabolic_peak(signed, peak)
    y0, y1 = float(curvature[e - 1]), float(curvature[e])
    return (e - 1) + (y0 - level) / (y0 - y1)


SKIP_LIFT_OFF_JERK_RATIO = 0.5
"""A skip's jerk weaker than this share of both neighbouring landings is a lift-off."""

SKIP_MAX_FLIGHT_MS = 250.0
"""Longest flight between the step and the hop of a skip, in ms."""

STRIDE_METHOD_BELOW_HZ = 50.0
"""Below this rate a shank's landing impact is not sampled (it lasts 10-20 ms): alternating
and walking drills are then segmented stride by stride from the shank's swing."""

FOOT_FLAT_DPS = 50.0
"""Sagittal rate below which a walking foot counts as resting flat, in deg/s."""

TO_FRACTION_OF_PUSH_OFF = 0.8
"""Walking TO: where the push-off rotation has fallen back to this share of its peak."""

SWING_LOBE_CUTOFF_HZ = 5.0
"""Low-pass cutoff (Hz) of the sagittal rate on which a walking foot's swing lobe is located."""

HEEL_CONTACT_WINDOW_MS = 30.0
"""How far before an impact the sagittal rate's zero crossing may lie to be the IC, in ms."""

HEEL_CONTACT_MIN_RATE_HZ = 80.0
"""Below this sampling rate the zero crossing is too coarse (a sample is 12.5 ms or more)."""


def _heel_contact(
    ic_s: FloatArray, rate: FloatArray, sampling_rate_hz: float, *, window_ms: float
) -> FloatArray:
    """Move each impact back to the sagittal rate's zero crossing just before it, if any.

    The segment's swing rotation reverses when the heel meets the ground; the impact's
    acceleration peak follows a few ms later. Without a crossing in the window (a forefoot
    landing, a hop that keeps rotating) the impact onset stays.
    """
    out = ic_s.copy()
    back = max(1, round(window_ms * sampling_rate_hz / 1000.0))
    sign = np.signbit(rate)
    for k, t in enumerate(ic_s):
        i = int(np.floor(t * sampling_rate_hz))
        lo = max(1, i - back)
        flips = np.flatnonzero(sign[lo : i + 1] != sign[lo - 1 : i])
        if flips.size:
            j = lo + int(flips[-1])
            a, b = float(rate[j - 1]), float(rate[j])
            out[k] = ((j - 1) + a / (a - b)) / sampling_rate_hz
    return out


def _first_rotation_votes(rate: FloatArray, starts: list[int], reach: int) -> int:
    """Majority vote on the sense of the first strong rotation after each of ``starts``.

    After a walking foot's rest the push-off is the first strong rotation; the swing's
    opposite rotation follows within the same ``reach`` samples and can be larger, so each
    window votes for the sense whose half-amplitude level is crossed first, not for the
    larger extreme. All windows are taken at once (one per stance of the bout).

    Returns
    -------
    int
        Windows whose first strong rotation is positive minus those where it is negative.
    """
    starts_arr = np.asarray([f for f in starts if f + 3 <= rate.shape[0]], dtype=np.int64)
    if starts_arr.size == 0:
        return 0
    padded = np.concatenate([rate, np.zeros(reach)])
    windows = padded[starts_arr[:, None] + np.arange(reach)[None, :]]
    top = windows.max(axis=1, keepdims=True)
    bottom = windows.min(axis=1, keepdims=True)
    up = windows >= 0.5 * top
    down = windows <= 0.5 * bottom
    never = reach + 1
    first_up = np.where((top[:, 0] > 0.0) & up.any(axis=1), up.argmax(axis=1), never)
    first_down = np.where((bottom[:, 0] < 0.0) & down.any(axis=1), down.argmax(axis=1), never)
    return int(np.count_nonzero(first_up < first_down)) - int(
        np.count_nonzero(first_down < first_up)
    )


def _segment_gyro_walking(
    rate: FloatArray, sampling_rate_hz: float, params: ContactParams
) -> ContactEvents:
    """Walking drills: contacts around each foot-flat period of the sagittal rate.

    A walking foot rests flat for a while in every stance (the rate near zero). The first
    strong rotation after that rest is the push-off; TO is where it has passed its peak
    and slowed by a fifth (the toes leave as the swing takes over). Before the rest, IC is
    the rate's first crossing from the swing's sign to the push-off's after the swing
    lobe's extreme: the swing rotation reversing as the heel meets the ground. The
    push-off's sign is taken by majority.
    """
    fs = sampling_rate_hz
    magnitude = np.abs(rate)
    scale = float(np.percentile(magnitude, 95))
    still = magnitude < max(FOOT_FLAT_DPS, 0.1 * scale)
    edges = np.diff(np.concatenate(([0], still.astype(np.int8), [0])))
    flat_starts = np.flatnonzero(edges == 1)
    flat_stops = np.flatnonzero(edges == -1)
    min_flat = max(2, round(0.08 * fs))
    flats = [(int(f0), int(f1)) for f0, f1 in zip(flat_starts, flat_stops, strict=True)]
    flats = [(f0, f1) for f0, f1 in flats if f1 - f0 >= min_flat]
    # merge flats split by a short wobble
    merged: list[list[int]] = []
    for f0, f1 in flats:
        if merged and f0 - merged[-1][1] < round(0.1 * fs):
            merged[-1][1] = f1
        else:
            merged.append([f0, f1])
    reach = max(3, round(0.4 * fs))
    signed = rate if _first_rotation_votes(rate, [f1 for _f0, f1 in merged], reach) >= 0 else -rate
    # The swing lobe is a slow rotation (~0.4 s); a strap ringing at landing can make
    # sharper extremes than the lobe itself, so the lobe is located on a smoothed rate.
    lobe = lowpass(signed, cutoff_hz=min(SWING_LOBE_CUTOFF_HZ, 0.4 * fs), sampling_rate_hz=fs)
    ic: list[float] = []
    to: list[float] = []
    for f0, f1 in merged:
        window = signed[f1 : f1 + reach]
        if window.size < 3:
            continue
        peak = f1 + int(np.argmax(window))
        if signed[peak] < 0.3 * scale:
            continue  # no push-off after this rest: the walk ends here
        to_sample = _fallen_to(signed, peak, TO_FRACTION_OF_PUSH_OFF, reach)
        if to_sample is None:
            continue
        lead = max(1, f0 - reach)
        if f0 - lead < 2:
            continue
        swing = lead + int(np.argmin(lobe[lead : f0 + 1]))
        if lobe[swing] > -0.15 * scale:
            continue  # no swing before this rest: the walk starts here
        crossings = np.flatnonzero((signed[swing:f0] < 0) & (signed[swing + 1 : f0 + 1] >= 0))
        if crossings.size == 0:
            continue
        j = swing + 1 + int(crossings[0])
        x0, x1 = float(signed[j - 1]), float(signed[j])
        ic.append(((j - 1) + x0 / (x0 - x1)) / fs)
        to.append(to_sample / fs)
    return gate_contacts(np.asarray(ic), np.asarray(to), params, "segment-gyro")


def _fill_strides(
    ic_s: FloatArray,
    jerk: FloatArray,
    rate: FloatArray,
    sampling_rate_hz: float,
    params: ContactParams,
) -> FloatArray:
    """Add the landing of every stride whose impact was not sampled (rates below 50 Hz).

    Below 50 Hz a 10-20 ms impact falls between samples in some strides and leaves no
    outstanding jerk. The swing is still sampled: a foot that runs swings once per stride,
    the largest rotation opposite to its push-off. Between two swing peaks lies one stance;
    a stride with no impact candidate gets one at its largest jerk after the first swing
    peak (the landing that ends that swing).
    """
    if ic_s.size < 2:
        return ic_s
    windows = _contact_windows(ic_s, rate.shape[0], sampling_rate_hz, params, bounded=False)
    swing = -_push_off_sign(windows, rate, params)
    top = float(np.percentile(swing, 99))
    if top <= 0.0:
        return ic_s
    distance = max(1, int(params.min_interval_ms * sampling_rate_hz / 1000.0))
    peaks, _ = sps.find_peaks(swing, height=0.4 * top, prominence=0.4 * top, distance=distance)
    idx = ic_s * sampling_rate_hz
    added = []
    for a, b in itertools.pairwise(peaks.tolist()):
        if np.any((idx > a) & (idx < b)) or b - a < 3:
            continue
        j = a + int(np.argmax(jerk[a : b - 1]))
        added.append((j + 0.5) / sampling_rate_hz)
    if not added:
        return ic_s
    return np.sort(np.concatenate([ic_s, np.asarray(added)]))


def _segment_gyro_strides(
    rate: FloatArray, sampling_rate_hz: float, params: ContactParams
) -> ContactEvents:
    """One contact per stride between the shank's mid-swing peaks (Aminian et al. 2002).

    The shank swings forward fastest at mid-swing, the largest extreme of its sagittal rate.
    Between two mid-swings lies one stance: IC is the rate's minimum in the first half of
    that interval (the shank stopping as the foot lands), TO the minimum in the second half
    (the knee flexing as the foot leaves). Only for drills with one contact per stride.
    """
    hi = float(np.percentile(rate, 99))
    lo = float(np.percentile(rate, 1))
    signed = rate if hi >= -lo else -rate
    top = max(hi, -lo)
    distance = max(1, int(params.min_interval_ms * sampling_rate_hz / 1000.0))
    swings, _ = sps.find_peaks(signed, height=0.4 * top, distance=distance, prominence=0.4 * top)
    ic: list[float] = []
    to: list[float] = []
    bounds = swings.tolist()
    if len(bounds) >= 2:
        # the stances before the first and after the last mid-swing, one stride away
        stride = int(np.median(np.diff(swings)))
        if bounds[0] - stride >= 0:
            bounds.insert(0, bounds[0] - stride)
        if bounds[-1] + stride < signed.shape[0]:
            bounds.append(bounds[-1] + stride)
    for a, b in itertools.pairwise(bounds):
        mid = (a + b) // 2
        if mid - a < 2 or b - mid < 2:
            continue
        i = a + int(np.argmin(signed[a:mid]))
        j = mid + int(np.argmin(signed[mid:b]))
        edge = a not in swings or b not in swings
        if edge and max(signed[i], signed[j]) > -0.1 * top:
            continue  # standing before or after the bout: no landing or push-off there
        ic.append(parabolic_peak(-signed, i) / sampling_rate_hz)
        to.append(parabolic_peak(-signed, j) / sampling_rate_hz)
    return gate_contacts(np.asarray(ic), np.asarray(to), params, "segment-gyro")


def _skip_lift_offs(
    jerk: FloatArray,
    ic_s: FloatArray,
    signed: FloatArray,
    typical_dps: float,
    sampling_rate_hz: float,
    params: ContactParams,
) -> tuple[FloatArray, FloatArray]:
    """Skips: a weak jerk between two landings is the step contact's lift-off, not a landing.

    The step of a skip leaves the ground with little rotation (the hop follows at once), so
    its TO shows as a small jerk of the acceleration, well below the landings on either side
    of it. Such a candidate is removed from the ICs and becomes the TO of the contact before.

    A foot lands again only once the push-off rotation of its last contact has ended
    (:func:`_skip_phase`): a candidate before that contact's push-off is dropped, one while
    the push-off rotation still runs is the foot pushing off or leaving the ground, and the
    strongest such candidate is the lift-off. When no hop lands within
    ``SKIP_MAX_FLIGHT_MS`` of a lift-off, the lift-off's jerk hid the hop's
    (:func:`_hop_hidden_by_lift_off`). A lift-off candidate under half a later jerk before
    the hop is a jolt of the push-off, still on the ground: the lift-off is that larger
    jerk's onset. Lift-offs found between step and hop are timed at the jerk's onset, like
    every impact candidate.

    Parameters
    ----------
    jerk : ndarray, shape (n_samples - 1,)
        Jerk norm of the acceleration (:func:`_impact_signal`), in m/s³.
    ic_s : ndarray, shape (n_candidates,)
        Landing candidates, in s.
    signed : ndarray, shape (n_samples,)
        Sagittal rate signed so that push-off is positive, in deg/s.
    typical_dps : float
        The bout's typical push-off peak rate, in deg/s.
    sampling_rate_hz : float
        Sampling rate in Hz.
    params : ContactParams
        Plausibility bounds.

    Returns
    -------
    ic_s : ndarray, shape (n_kept,)
        The landings, in s.
    lift_off_s : ndarray, shape (n_kept,)
        TO from a lift-off jerk for the contacts that have one, nan elsewhere, in s.
    """
    window = max(1, round(0.01 * sampling_rate_hz))
    height = _jerk_near(jerk, ic_s, sampling_rate_hz)
    ic_s = ic_s.copy()
    jerk_peaks: IntArray = sps.find_peaks(jerk)[0]
    keep = np.ones(ic_s.shape, dtype=bool)
    lift_off = np.full(ic_s.shape, np.nan)
    lift_off_height = np.zeros(ic_s.shape)
    last = 0
    for k in range(1, ic_s.size):
        phase = _skip_phase(signed, ic_s[last], ic_s[k], sampling_rate_hz)
        if phase == "landing":
            last = k
            continue
        keep[k] = False
        if phase == "stance":
            continue
        duration_ms = 1000.0 * (ic_s[k] - ic_s[last])
        stronger = np.isnan(lift_off[last]) or height[k] > lift_off_height[last]
        if params.min_contact_ms <= duration_ms <= params.max_contact_ms and stronger:
            lift_off[last], lift_off_height[last] = ic_s[k], height[k]
    ic_s, lift_off, height = ic_s[keep], lift_off[keep], height[keep]
    step_s = (params.max_contact_ms + SKIP_MAX_FLIGHT_MS) / 1000.0
    # A step's hop lands within SKIP_MAX_FLIGHT_MS of its lift-off; when no candidate does,
    # the lift-off's jerk hid the hop's within the shortest interval between impacts
    hops = []
    for k in range(ic_s.size):
        next_s = ic_s[k + 1] if k + 1 < ic_s.size else np.inf
        if np.isfinite(lift_off[k]) and next_s - lift_off[k] > SKIP_MAX_FLIGHT_MS / 1000.0:
            hop = _hop_hidden_by_lift_off(
                jerk, signed, lift_off[k], typical_dps, sampling_rate_hz, params
            )
            if hop is not None:
                hops.append(hop)
    if hops:
        ic_s = np.concatenate([ic_s, hops])
        order = np.argsort(ic_s, kind="stable")
        lift_off = np.concatenate([lift_off, np.full(len(hops), np.nan)])[order]
        ic_s = ic_s[order]
        height = _jerk_near(jerk, ic_s, sampling_rate_hz)
    keep = np.ones(ic_s.shape, dtype=bool)
    # One foot's skip cycle is a step, a short flight and a hop, then a long swing while the
    # other foot skips: three candidates close together are step, lift-off and hop.
    breaks = np.flatnonzero(np.diff(ic_s) > step_s) + 1
    for group in np.split(np.arange(ic_s.size), breaks):
        if group.size == 3:
            first, middle = int(group[0]), int(group[1])
            duration_ms = 1000.0 * (ic_s[middle] - ic_s[first])
            if params.min_contact_ms <= duration_ms <= params.max_contact_ms:
                keep[middle] = False
                lift_off[first] = ic_s[middle]
    for k in range(1, ic_s.size - 1):
        if not keep[k] or not keep[k + 1]:
            continue
        weak = height[k] < SKIP_LIFT_OFF_JERK_RATIO * min(height[k - 1], height[k + 1])
        duration_ms = 1000.0 * (ic_s[k] - ic_s[k - 1])
        flight_ms = 1000.0 * (ic_s[k + 1] - ic_s[k])
        if (
            weak
            and keep[k - 1]
            and params.min_contact_ms <= duration_ms <= params.max_contact_ms
            and flight_ms <= SKIP_MAX_FLIGHT_MS
        ):
            keep[k] = False
            lift_off[k - 1] = ic_s[k]
    ic_s, lift_off = ic_s[keep], lift_off[keep]
    # A step whose lift-off jerk was too weak to be a candidate: its hop lands soon after,
    # and the lift-off is the largest jerk between the two
    for k in range(ic_s.size - 1):
        if np.isfinite(lift_off[k]) or ic_s[k + 1] - ic_s[k] > step_s:
            continue
        # past the landing's ringing: the step takes well over 40 % of the step-to-hop time
        earliest_s = max(params.min_contact_ms / 1000.0, 0.4 * (ic_s[k + 1] - ic_s[k]))
        a = int(np.ceil((ic_s[k] + earliest_s) * sampling_rate_hz))
        b = int(np.floor((ic_s[k + 1] - 0.02) * sampling_rate_hz))
        if b - a >= 2:
            j = a + int(np.argmax(jerk[a:b]))
            onset = _impact_onset(jerk, j, jerk_peaks, sampling_rate_hz, STRIKE_RISE_MS)
            lift_off[k] = (max(onset, a) + 0.5) / sampling_rate_hz
    # A lift-off candidate under half a jerk after it, before the hop, is a jolt of the
    # step's push-off, still on the ground: the foot leaves it with the larger jerk
    for k in range(ic_s.size - 1):
        if not np.isfinite(lift_off[k]) or ic_s[k + 1] - ic_s[k] > step_s:
            continue
        i = int(np.clip(round(lift_off[k] * sampling_rate_hz - 0.5), 0, jerk.size - 1))
        own = float(_jerk_near(jerk, lift_off[k : k + 1], sampling_rate_hz)[0])
        b = int(np.floor((ic_s[k + 1] - 0.02) * sampling_rate_hz))
        later = jerk_peaks[(jerk_peaks > i + window) & (jerk_peaks < b)]
        if later.size == 0:
            continue
        j = int(later[np.argmax(jerk[later])])
        if own < SKIP_LIFT_OFF_JERK_RATIO * jerk[j]:
            onset = _impact_onset(jerk, j, jerk_peaks, sampling_rate_hz, STRIKE_RISE_MS)
            lift_off[k] = (onset + 0.5) / sampling_rate_hz
    return ic_s, lift_off


def _jerk_near(jerk: FloatArray, times_s: FloatArray, sampling_rate_hz: float) -> FloatArray:
    """Largest jerk within 10 ms of each time (s), in m/s³, shape (n_times,)."""
    idx = np.clip(np.round(times_s * sampling_rate_hz - 0.5).astype(np.int64), 0, jerk.size - 1)
    window = max(1, round(0.01 * sampling_rate_hz))
    return np.array(
        [float(np.max(jerk[max(0, i - window) : i + window + 1])) for i in idx.tolist()]
    )


def _hop_hidden_by_lift_off(
    jerk: FloatArray,
    signed: FloatArray,
    lift_off_s: float,
    typical_dps: float,
    sampling_rate_hz: float,
    params: ContactParams,
) -> float | None:
    """The hop's landing hidden by its step's lift-off jerk, if any.

    Within ``params.min_interval_ms`` of a larger jerk peak only that one became an impact
    candidate, and the flight from a skip's step to its hop can be shorter. The hop lands
    once the foot has turned back into the swing (rate below
    ``-SWING_BEFORE_LANDING_FRACTION`` of the typical push-off peak): its impact is the
    largest jerk peak from there to ``params.min_interval_ms`` after the lift-off's peak,
    if that is at least half the lift-off's; its onset is not looked for before the swing.

    Parameters
    ----------
    jerk : ndarray, shape (n_samples - 1,)
        Jerk norm of the acceleration (:func:`_impact_signal`), in m/s³.
    signed : ndarray, shape (n_samples,)
        Sagittal rate signed so that push-off is positive, in deg/s.
    lift_off_s : float
        The step's lift-off (onset of its jerk), in s from the first sample.
    typical_dps : float
        The bout's typical push-off peak rate, in deg/s.
    sampling_rate_hz : float
        Sampling rate in Hz.
    params : ContactParams
        Plausibility bounds.

    Returns
    -------
    float or None
        The hop's impact onset in s, or None if there is none.
    """
    fs = sampling_rate_hz
    a = int(np.floor(lift_off_s * fs))
    b = min(a + round(IMPACT_LOOKBACK_S * fs) + 2, jerk.size)
    if b - a < 2 or typical_dps <= 0.0:
        return None
    own = a + int(np.argmax(jerk[a:b]))
    end = min(own + round(params.min_interval_ms * fs / 1000.0) + 1, jerk.size, signed.size)
    swing = np.flatnonzero(signed[own:end] < -SWING_BEFORE_LANDING_FRACTION * typical_dps)
    if swing.size == 0:
        return None
    first = own + int(swing[0])
    inside, _ = sps.find_peaks(jerk[first - 1 : end])
    inside = inside + first - 1
    inside = inside[inside >= first]
    if inside.size == 0:
        return None
    peak = int(inside[np.argmax(jerk[inside])])
    if jerk[peak] < 0.5 * jerk[own]:
        return None
    return (_onset_before(jerk, peak, first) + 0.5) / fs


def _skip_phase(
    signed: FloatArray, landing_s: float, candidate_s: float, sampling_rate_hz: float
) -> str:
    """Where a skip's impact candidate lies in the contact that began at ``landing_s``.

    The foot lands, pushes off (rotating in the push-off sense) and leaves the ground while
    that rotation runs; it can land again only once the rotation has ended. ``"stance"``:
    no push-off rotation (over ``FOOT_FLAT_DPS``) yet since the landing; ``"push-off"``:
    the rotation has not fallen back below ``FOOT_FLAT_DPS`` since its peak (the foot still
    pushing off or just leaving the ground); ``"landing"``: it has, the candidate may land.

    Parameters
    ----------
    signed : ndarray, shape (n_samples,)
        Sagittal rate signed so that push-off is positive, in deg/s.
    landing_s, candidate_s : float
        The last landing and the candidate, in s from the first sample.
    sampling_rate_hz : float
        Sampling rate in Hz.
    """
    a = max(0, int(np.floor(landing_s * sampling_rate_hz)))
    b = min(signed.size, int(np.floor(candidate_s * sampling_rate_hz)) + 1)
    if b - a < 2:
        return "landing"
    between = signed[a:b]
    peak = int(np.argmax(between))
    if between[peak] < FOOT_FLAT_DPS:
        return "stance"
    return "landing" if np.min(between[peak:]) < FOOT_FLAT_DPS else "push-off"


def _swing_follows(
    signed: FloatArray,
    candidate_s: float,
    typical_dps: float,
    sampling_rate_hz: float,
    params: ContactParams,
) -> bool:
    """Whether the swing follows a candidate that sits in a fast push-off-sense rotation.

    After a toe-off the rotation reverses into the swing (below -15 % of the typical
    push-off peak) before any new push-off; after a landing whose foot slaps down, the
    rotation settles (below 25 % of it) and rises again into the contact's push-off first.

    Parameters
    ----------
    signed : ndarray, shape (n_samples,)
        Sagittal rate signed so that push-off is positive, in deg/s.
    candidate_s : float
        The candidate's time from the first sample, in s.
    typical_dps : float
        The bout's typical push-off peak rate, in deg/s.
    sampling_rate_hz : float
        Sampling rate in Hz.
    params : ContactParams
        Plausibility bounds (the search reaches the longest plausible contact).
    """
    fs = sampling_rate_hz
    i = int(np.floor(candidate_s * fs))
    after = signed[i : i + int(params.max_contact_ms * fs / 1000.0)]
    swing = np.flatnonzero(after < -SWING_BEFORE_LANDING_FRACTION * typical_dps)
    settled = np.flatnonzero(after < 0.25 * typical_dps)
    if swing.size == 0:
        return False
    if settled.size == 0:
        return True
    push = np.flatnonzero(after[settled[0] :] > 0.5 * typical_dps)
    return bool(push.size == 0 or settled[0] + push[0] > swing[0])


def _hidden_landing(
    jerk: FloatArray,
    jerk_peaks: IntArray,
    signed: FloatArray,
    toe_off_s: float,
    window_s: tuple[float, float],
    typical_dps: float,
    sampling_rate_hz: float,
    params: ContactParams,
    rising: BoolArray | None = None,
) -> float | None:
    """A landing that a larger toe-off jerk hid among the impact candidates, if any.

    Within the shortest plausible interval of a larger jerk only that one is a candidate;
    when it is a toe-off, the landing it hid is the largest jerk peak in ``window_s``, if
    that is at least half the toe-off's and lies outside a fast push-off rotation.

    Parameters
    ----------
    jerk : ndarray, shape (n_samples - 1,)
        Jerk norm of the acceleration (:func:`_impact_signal`), in m/s³.
    jerk_peaks : ndarray of int
        Indices of all local maxima of ``jerk``.
    signed : ndarray, shape (n_samples,)
        Sagittal rate signed so that push-off is positive, in deg/s.
    toe_off_s : float
        Onset of the toe-off's jerk, in s.
    window_s : tuple of float
        Where the landing may lie, in s.
    typical_dps : float
        The bout's typical push-off peak rate, in deg/s.
    sampling_rate_hz : float
        Sampling rate in Hz.
    params : ContactParams
        Plausibility bounds.
    rising : ndarray of bool, shape (n_samples - 1,), optional
        Soft landings: where the specific force grows (see :func:`_impact_onset`).

    Returns
    -------
    float or None
        The landing's impact onset in s, or None if there is none.
    """
    fs = sampling_rate_hz
    lo = max(int(np.ceil(window_s[0] * fs)), 0)
    hi = min(int(np.floor(window_s[1] * fs)), jerk.size)
    if hi - lo < 2:
        return None
    inside = jerk_peaks[(jerk_peaks >= lo) & (jerk_peaks < hi)]
    if inside.size == 0:
        return None
    peak = int(inside[np.argmax(jerk[inside])])
    t = int(np.floor(toe_off_s * fs))
    own = float(np.max(jerk[t : t + max(2, round(0.03 * fs))]))
    if jerk[peak] < 0.5 * own or signed[min(peak + 1, signed.size - 1)] > 0.5 * typical_dps:
        return None
    rise_ms = STRIKE_RISE_MS if params.has_flight else None
    onset = _impact_onset(jerk, peak, jerk_peaks, fs, rise_ms, rising)
    if onset < lo:
        return None  # the jerk belongs to a burst that started before the window
    return (onset + 0.5) / fs


SWING_BEFORE_LANDING_FRACTION = 0.15
"""A landing ends a swing: the rotation opposite to push-off reaches at least this share of
the bout's typical push-off peak before it."""

STANDING_BEFORE_S = 0.3
"""Shortest stretch of signal before a bout's first candidate that shows whether a swing came
before it, in s."""


def _leaves_standing(
    signed: FloatArray, candidate_s: float, typical_dps: float, sampling_rate_hz: float
) -> bool:
    """Whether the first impact candidate of a stretch is the foot leaving standing.

    Every landing ends a swing, in which the foot rotates against its push-off sense. At
    the start of a bout the foot rises from quiet standing (heel rise, then push-off) and
    the lift jerks like a landing, but only push-off rotation came before it. With less
    than ``STANDING_BEFORE_S`` of signal before the candidate (a stretch cut by lost
    samples) nothing is concluded.

    Parameters
    ----------
    signed : ndarray, shape (n_samples,)
        Sagittal rate signed so that push-off is positive, in deg/s.
    candidate_s : float
        The candidate's time from the first sample, in s.
    typical_dps : float
        The bout's typical push-off peak rate, in deg/s.
    sampling_rate_hz : float
        Sampling rate in Hz.
    """
    i = int(np.floor(candidate_s * sampling_rate_hz))
    if typical_dps <= 0.0 or i < STANDING_BEFORE_S * sampling_rate_hz or i > signed.size:
        return False
    return bool(np.min(signed[:i]) > -SWING_BEFORE_LANDING_FRACTION * typical_dps)


def _separate_toe_offs(
    jerk: FloatArray,
    ic_s: FloatArray,
    lift_off_s: FloatArray,
    rate: FloatArray,
    sampling_rate_hz: float,
    params: ContactParams,
    rising: BoolArray | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray, float]:
    """Tell toe-off jerks from landings among the impact candidates.

    A large jerk can also come from the toe leaving the ground. A candidate in a fast
    push-off rotation (over half the typical push-off peak) is a toe-off when it falls on
    the push-off of the contact before it, or when the swing follows it (a landing whose
    foot slaps down in the push-off sense is followed by its stance and push-off instead).
    At 50 Hz and above the sensor's filter can shrink a landing's jerk to the size of a
    toe-off's, and within the shortest interval between landings only the larger of the two
    became a candidate: a toe-off's hidden landing is looked for after it (the next landing)
    or one plausible contact before it (its own landing). A walking foot leaves the ground
    when its push-off rotation is already slowing fast, so there a candidate within 30 ms of
    the last contact's TO is its toe-off whatever the rate; ``rising`` (walking drills)
    keeps a hidden landing's onset where the specific force grows.

    Returns
    -------
    signed : ndarray, shape (n_samples,)
        Sagittal rate signed so that push-off is positive, in deg/s.
    ic_s, lift_off_s : ndarray, shape (n_kept,)
        The landings and their skip lift-offs (nan where none), in s.
    typical : float
        The bout's typical push-off peak rate, in deg/s.
    """
    fs = sampling_rate_hz
    signed, free_to_s, free_strength = _push_off_peaks(ic_s, rate, fs, params, bounded=False)
    curvature = np.gradient(np.gradient(signed))
    positive = free_strength[free_strength > 0]
    typical = float(np.median(positive)) if positive.size else 0.0
    at_ic = signed[np.clip(np.round(ic_s * fs).astype(np.int64), 0, rate.size - 1)]
    restore = fs >= STRIDE_METHOD_BELOW_HZ
    jerk_peaks: IntArray = sps.find_peaks(jerk)[0] if restore else np.empty(0, dtype=np.int64)
    min_contact_s, max_contact_s = params.min_contact_ms / 1000.0, params.max_contact_ms / 1000.0
    interval_s = params.min_interval_ms / 1000.0
    out_ic: list[float] = []
    out_lift_off: list[float] = []
    last_to_s = np.nan  # free TO of the last landing kept
    for k in range(ic_s.size):
        ic, to = float(ic_s[k]), float(free_to_s[k])
        at_last_to = bool(out_ic) and abs(ic - last_to_s) < 0.03
        if at_ic[k] > 0.5 * typical or (at_last_to and not params.has_flight):
            if at_last_to:
                # the last contact's toe-off; it may have hidden the next landing
                next_s = ic_s[k + 1] if k + 1 < ic_s.size else np.inf
                window = (ic + 0.03, min(ic + interval_s, next_s - interval_s))
                landing = None
                if restore and window[1] - window[0] > 2.0 / fs:
                    landing = _hidden_landing(
                        jerk, jerk_peaks, signed, ic, window, typical, fs, params, rising
                    )
                if landing is None or landing - out_ic[-1] < interval_s:
                    continue
                ic, to = landing, np.nan
            elif restore and _swing_follows(signed, ic, typical, fs, params):
                # a toe-off whose own landing it hid, one plausible contact before it
                start_s = last_to_s + 0.03 if np.isfinite(last_to_s) else 0.0
                window = (max(start_s, ic - max_contact_s), ic - min_contact_s)
                landing = _hidden_landing(
                    jerk, jerk_peaks, signed, ic, window, typical, fs, params, rising
                )
                if landing is not None:
                    ic, to = landing, np.nan
            if np.isnan(to):
                ((lo, hi),) = _contact_windows(
                    np.asarray([ic]), rate.size, fs, params, bounded=False
                )
                to, _strength = _push_off_in(signed, curvature, lo, hi, fs)
        out_ic.append(ic)
        out_lift_off.append(float(lift_off_s[k]) if ic == ic_s[k] else np.nan)
        last_to_s = to
    return signed, np.asarray(out_ic), np.asarray(out_lift_off), typical


def detect_segment_gyro(
    acc_ms2: FloatArray,
    gyr_dps: FloatArray | None,
    *,
    sampling_rate_hz: float,
    params: ContactParams,
) -> ContactEvents:
    """Foot or shank contacts from the impact (IC) and the push-off rotation peak (TO).

    IC is the onset of the ground impact (:func:`find_impacts`); impact candidates that
    are toe-offs, or the foot leaving standing, are told apart from landings by the
    rotation around them. TO ends the push-off, the rotation in plantar flexion that is
    fastest as the toes leave the ground [1]_ [2]_: after an IC the push-off is the first
    prominent extreme of the sagittal rate once the shortest plausible contact has
    passed, and TO is where the unloading's fall of angular acceleration ends, at or
    before that peak. The rotation's sign is taken by majority over the bout, so one odd
    contact cannot flip it. A contact with no push-off (the last landing back into
    standing) has no TO and is dropped.

    Parameters
    ----------
    acc_ms2 : ndarray, shape (n_samples, 3)
        Specific force in m/s², any mounting.
    gyr_dps : ndarray, shape (n_samples, 3)
        Angular rate in deg/s, same axes as ``acc_ms2``.
    sampling_rate_hz : float
        Sampling rate in Hz.
    params : ContactParams
        Plausibility bounds.

    Returns
    -------
    ContactEvents
        Contacts of the sensor's own leg.

    Notes
    -----
    Falbriard et al. detect IC as a minimum of the pitch rate after mid-swing; that needs a
    mid-swing between contacts, which the hop of a skip does not have, so IC here comes
    from the impact, which every contact has. TO uses their pitch-rate feature, searched
    forward from the IC instead of backward from mid-swing for the same reason.
    """
    if gyr_dps is None:
        raise ValueError("detect_segment_gyro needs gyr_dps")
    rate = sagittal_rate_dps(gyr_dps, sampling_rate_hz=sampling_rate_hz)
    if (
        sampling_rate_hz < STRIDE_METHOD_BELOW_HZ
        and params.segment == "shank"
        and params.pattern in ("alternating", "walking")
    ):
        return _segment_gyro_strides(rate, sampling_rate_hz, params)
    walking = None
    if not params.has_flight and params.segment == "foot":
        walking = _segment_gyro_walking(rate, sampling_rate_hz, params)
    rising = None if params.has_flight else _force_growing(acc_ms2)
    ic_s = find_impacts(
        acc_ms2,
        sampling_rate_hz=sampling_rate_hz,
        min_interval_ms=params.min_interval_ms,
        strike_rise_ms=STRIKE_RISE_MS if params.has_flight else None,
        rising=rising,
    )
    # A walking foot that never rests flat in stance (tiptoe walking can keep rotating)
    # leaves the foot-flat segmentation with few contacts: the impact-based ones count then.
    # (Impact candidates include some toe-offs, hence the low share.)
    if walking is not None and walking.ic_s.size >= 0.3 * ic_s.size:
        return walking
    # one jerk signal for all the steps below (find_impacts derives its own from acc_ms2)
    jerk = _impact_signal(acc_ms2, sampling_rate_hz)
    if (
        sampling_rate_hz < STRIDE_METHOD_BELOW_HZ
        and params.segment == "foot"
        and params.pattern == "alternating"
    ):
        ic_s = _fill_strides(ic_s, jerk, rate, sampling_rate_hz, params)
    lift_off = np.full(ic_s.shape, np.nan)
    signed, ic_s, lift_off, typical = _separate_toe_offs(
        jerk, ic_s, lift_off, rate, sampling_rate_hz, params, rising
    )
    if params.pattern == "skip":
        ic_s, lift_off = _skip_lift_offs(jerk, ic_s, signed, typical, sampling_rate_hz, params)
    # The foot leaving standing at the start of a bout jerks too, but no swing came before it.
    if ic_s.size and _leaves_standing(signed, ic_s[0], typical, sampling_rate_hz):
        ic_s, lift_off = ic_s[1:], lift_off[1:]
    if not params.has_flight and sampling_rate_hz >= HEEL_CONTACT_MIN_RATE_HZ:
        ic_s = _heel_contact(ic_s, rate, sampling_rate_hz, window_ms=HEEL_CONTACT_WINDOW_MS)
    _signed, to_s, strength = _push_off_peaks(ic_s, rate, sampling_rate_hz, params)
    typical = float(np.median(strength[strength > 0])) if np.any(strength > 0) else 0.0
    to_s[strength < 0.3 * typical] = np.nan
    has_lift_off = np.isfinite(lift_off)
    to_s[has_lift_off] = lift_off[has_lift_off]
    events = gate_contacts(ic_s, to_s, params, "segment-gyro")
    if walking is not None and walking.ic_s.size >= 0.5 * events.ic_s.size:
        return walking
    return events


def detect_segment_acc(
    acc_ms2: FloatArray,
    gyr_dps: FloatArray | None = None,
    *,
    sampling_rate_hz: float,
    params: ContactParams,
) -> ContactEvents:
    """Foot or shank contacts from the accelerometer alone.

    IC is the onset of the impact (:func:`find_impacts`); TO is the push-off: the largest
    jerk of the acceleration vector in the second half of the contact window, where the
    ground stops holding the segment and it is thrown into the swing [3]_ [5]_.

    Parameters
    ----------
    acc_ms2 : ndarray, shape (n_samples, 3)
        Specific force in m/s², any mounting.
    gyr_dps : ndarray or None
        Ignored (present for the common signature).
    sampling_rate_hz : float
        Sampling rate in Hz.
    params : ContactParams
        Plausibility bounds.

    Returns
    -------
    ContactEvents
        Contacts of the sensor's own leg.

    Notes
    -----
    Less precise than :func:`detect_segment_gyro`: push-off has no sharp signature in the
    acceleration of a soft landing. Prefer a sensor with a gyroscope for contact time.
    """
    ic_s = find_impacts(
        acc_ms2,
        sampling_rate_hz=sampling_rate_hz,
        min_interval_ms=params.min_interval_ms,
        strike_rise_ms=STRIKE_RISE_MS if params.has_flight else None,
    )
    smooth = lowpass(acc_ms2, cutoff_hz=25.0, sampling_rate_hz=sampling_rate_hz)
    jerk = np.linalg.norm(np.gradient(smooth, axis=0), axis=1) * sampling_rate_hz
    to_s = np.full(ic_s.shape, np.nan)
    for k, (lo, hi) in enumerate(_contact_windows(ic_s, jerk.shape[0], sampling_rate_hz, params)):
        if hi - lo < 2:
            continue
        j = lo + int(np.argmax(jerk[lo:hi]))
        to_s[k] = parabolic_peak(jerk, j) / sampling_rate_hz
    return gate_contacts(ic_s, to_s, params, "segment-acc")


DETECTORS: dict[str, Detector] = {
    "segment-gyro": detect_segment_gyro,
    "segment-acc": detect_segment_acc,
    "shank-gyro": detect_shank_gyro,
    "trunk-vertical": detect_trunk,
}
"""Detector families by name (``--method``)."""


def choose_method(placement: str, *, has_gyro: bool) -> str:
    """Pick the detector for a placement and the channels present.

    Parameters
    ----------
    placement : {"foot", "shank", "sacrum", "chest"}
        Where the sensor is worn.
    has_gyro : bool
        Whether angular rate is recorded.

    Returns
    -------
    str
        A key of :data:`DETECTORS`.
    """
    if placement in ("sacrum", "chest"):
        return "trunk-vertical"
    if placement == "shank" and has_gyro:
        return "shank-gyro"
    return "segment-gyro" if has_gyro else "segment-acc"
