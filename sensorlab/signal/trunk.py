"""Contacts of both feet from a trunk sensor (sacrum, lower back, chest).

References
----------
.. [3] Lee JB, Mellifont RB, Burkett BJ (2010). The use of a single inertial sensor to identify
   stride, step, and stance durations of running gait. J Sci Med Sport 13:270-273.
.. [4] McCamley J, Donati M, Grimpampi E, Mazzà C (2012). An enhanced estimate of initial
   contact and final contact instants of time using lower trunk inertial sensor data.
   Gait Posture 36:316-318.
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
    (walking drills) IC and final contact come from the Gaussian-derivative method of
    McCamley et al. [4]_ on the vertical acceleration.

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


def _trunk_walking(
    vertical: FloatArray, sampling_rate_hz: float, params: ContactParams
) -> ContactEvents:
    """Walking contacts from the vertical trunk acceleration, after McCamley et al. (2012).

    The vertical acceleration is integrated and differentiated with a Gaussian kernel
    (sigma 40 ms), which smooths it without a phase shift. Each heel strike loads the trunk:
    a peak of that smoothed signal; IC is the steepest rise of the 20 Hz signal in the
    100 ms before it (the impact's rising edge). The other foot leaves the ground at the
    end of the loading, the first minimum of the smoothed signal after the peak; a foot that
    lands at IC k leaves at the final contact that follows IC k+1.

    Departure from the paper: McCamley et al. take IC at minima of the smoothed signal of a
    sensor whose vertical axis points down; ours points up, so those are its maxima, and
    their final contact (maxima of the second derivative) came 100 ms late on the IPOL L5
    recordings, where the minimum after the loading peak matches the reference.
    """
    fs = sampling_rate_hz
    detrended = vertical - np.mean(vertical)
    integrated = np.cumsum(detrended) / fs
    sigma = 0.04 * fs
    smooth = ndimage.gaussian_filter1d(integrated, sigma, order=1)
    distance = max(1, int(params.min_interval_ms * fs / 1000.0))
    peaks, _ = sps.find_peaks(smooth, distance=distance, prominence=0.2 * float(np.std(smooth)))
    rise = np.gradient(lowpass(vertical, cutoff_hz=min(20.0, 0.4 * fs), sampling_rate_hz=fs))
    back = max(2, round(0.1 * fs))
    ic_idx = [max(0, q - back) + int(np.argmax(rise[max(0, q - back) : q + 1])) for q in peaks]
    fc: list[float] = []
    ends = [*peaks[1:].tolist(), smooth.shape[0]]
    for q, end in zip(peaks.tolist(), ends, strict=True):
        lows, _ = sps.find_peaks(-smooth[q:end])
        fc.append((q + int(lows[0])) / fs if lows.size else np.nan)
    ic_s = np.asarray(ic_idx, dtype=np.float64) / fs
    fc_s = np.asarray(fc, dtype=np.float64)
    to_s = np.full(ic_s.shape, np.nan)
    to_s[:-1] = fc_s[1:]
    return gate_contacts(ic_s, to_s, params, "trunk-mccamley")
