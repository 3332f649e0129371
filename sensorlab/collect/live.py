"""Streaming contacts, cadence and contact time for the live view (at most 1 s behind).

The offline detector of :mod:`sensorlab.signal.contacts` is re-run every ``update_every_s``
on a trailing window of the last ``window_s`` seconds (resampled onto a uniform grid as the
offline analysis does). A contact is reported once its toe-off lies ``settle_s`` before the
end of the window, so the detector has seen what follows it; a contact already reported is
recognised in later windows by its initial contact time. The lag between a toe-off and its
report is therefore at most ``settle_s + update_every_s`` plus one write batch.

Unlike the offline analysis there is no bout detection: the live numbers cover the last
``recent`` contacts, whatever the set.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from sensorlab.analysis import contact_params
from sensorlab.drills import get_drill
from sensorlab.errors import SensorlabError
from sensorlab.metrics import contact_metrics, summarize
from sensorlab.recording import FloatArray
from sensorlab.signal.contacts import DETECTORS, choose_method
from sensorlab.signal.resample import uniform_segments

__all__ = ["LiveAnalyzer", "LiveSummary", "status_line"]


@dataclass(frozen=True)
class LiveSummary:
    """What the live view shows about the contacts so far.

    Attributes
    ----------
    contacts : int
        Contacts found since the start.
    cadence_spm : float or None
        Cadence over the recent contacts, in steps per minute (both feet).
    contact_ms : float or None
        Median contact time of the recent contacts, in ms.
    data_end_s : float
        Time of the last sample analysed, in s.
    """

    contacts: int
    cadence_spm: float | None
    contact_ms: float | None
    data_end_s: float


@dataclass
class LiveAnalyzer:
    """Incremental contact detection over a trailing window.

    Parameters
    ----------
    drill : str
        Drill id (sets the plausibility bounds and how cadence counts one sensor's contacts).
    placement : str
        Sensor placement.
    has_gyro : bool
        Whether rows carry angular rate (chooses the detector).
    sampling_rate_hz : float
        Nominal rate of the stream, in Hz (grid of the resampled window).
    window_s : float
        Length of the trailing window, in s.
    update_every_s : float
        Data time between two detector runs, in s.
    settle_s : float
        A contact is reported when its toe-off is this far before the window end, in s.
    recent : int
        Contacts the cadence and contact time are computed over.
    """

    drill: str
    placement: str
    has_gyro: bool
    sampling_rate_hz: float
    window_s: float = 6.0
    update_every_s: float = 0.5
    settle_s: float = 0.3
    recent: int = 8
    ic_s: list[float] = field(default_factory=list)
    """Initial contact of every reported contact, in s."""
    to_s: list[float] = field(default_factory=list)
    """Toe-off of every reported contact, in s."""
    _time: FloatArray = field(default_factory=lambda: np.empty(0))
    _channels: FloatArray = field(default_factory=lambda: np.empty((0, 6)))
    _last_run_s: float = -math.inf

    def __post_init__(self) -> None:
        self._drill = get_drill(self.drill)
        self._params = contact_params(self._drill, self.placement)
        self._method = choose_method(self.placement, has_gyro=self.has_gyro)
        self._detector = DETECTORS[self._method]
        self._width = 6 if self.has_gyro else 3
        self._channels = np.empty((0, self._width))
        self._min_separation_s = 0.5 * self._params.min_interval_ms / 1000.0

    def push(self, time_s: FloatArray, acc_ms2: FloatArray, gyr_dps: FloatArray | None) -> None:
        """Add rows (times in s, shape (n,); acc in m/s² and gyr in deg/s, shape (n, 3))."""
        block = acc_ms2 if not self.has_gyro or gyr_dps is None else np.hstack([acc_ms2, gyr_dps])
        self._time = np.concatenate((self._time, time_s))
        self._channels = np.concatenate((self._channels, block[:, : self._width]))
        if self._time.size and self._time[-1] - self._time[0] > 2 * self.window_s:
            keep = self._time >= self._time[-1] - self.window_s
            self._time, self._channels = self._time[keep], self._channels[keep]

    def update(self) -> LiveSummary:
        """Run the detector if enough new data came in; return the current summary."""
        if self._time.size and self._time[-1] - self._last_run_s >= self.update_every_s:
            self._last_run_s = float(self._time[-1])
            self._detect()
        return self.summary()

    def summary(self) -> LiveSummary:
        """The current numbers, without running the detector."""
        end = float(self._time[-1]) if self._time.size else float("nan")
        n = len(self.ic_s)
        if n == 0:
            return LiveSummary(0, None, None, end)
        ic = np.asarray(self.ic_s[-self.recent :])
        to = np.asarray(self.to_s[-self.recent :])
        contacts = contact_metrics(
            ic, to, drill=self._drill, placement=self.placement, side=None, set_number=1
        )
        summary = summarize(contacts, drill=self._drill, placement=self.placement)
        return LiveSummary(n, summary.cadence_spm, summary.contact_ms_median, end)

    def _detect(self) -> None:
        window = self._time >= self._time[-1] - self.window_s
        time_s, channels = self._time[window], self._channels[window]
        if time_s.size < 2:
            return
        try:
            segments = uniform_segments(
                time_s, channels, sampling_rate_hz=self.sampling_rate_hz, min_duration_s=1.0
            )
        except SensorlabError:
            return
        if not segments:
            return
        seg = segments[-1]
        acc = seg.channels[:, :3]
        gyr = seg.channels[:, 3:6] if self._width == 6 else None
        try:
            events = self._detector(
                acc, gyr, sampling_rate_hz=seg.sampling_rate_hz, params=self._params
            )
        except SensorlabError:
            return
        t0, t_end = float(seg.time_s[0]), float(seg.time_s[-1])
        last_ic = self.ic_s[-1] if self.ic_s else -math.inf
        for ic, to in zip(events.ic_s + t0, events.to_s + t0, strict=True):
            if ic < t0 + 0.5 or to > t_end - self.settle_s:
                continue  # cut by the window start, or not settled yet
            if ic <= last_ic + self._min_separation_s:
                continue  # already reported (or overlapping it)
            self.ic_s.append(float(ic))
            self.to_s.append(float(to))
            last_ic = float(ic)


def status_line(
    *,
    elapsed_s: float,
    samples: int,
    lost_samples: int,
    malformed: int,
    summary: LiveSummary | None,
    label: str = "",
    cadence_spm: float | None = None,
    speed_mps: float | None = None,
) -> str:
    """One line of the live view: elapsed time, samples, losses, contacts, cadence, contact.

    Parameters
    ----------
    elapsed_s : float
        Time since the recording started, in s.
    samples : int
        Rows written.
    lost_samples : int
        Samples lost in gaps (estimated).
    malformed : int
        Packets skipped as malformed.
    summary : LiveSummary or None
        Live contact numbers; None when the device measures no acceleration.
    label : str
        Prefix (e.g. the side, for two devices).
    cadence_spm, speed_mps : float, optional
        What a cadence-only device (RSC footpod) reports, in steps/min and m/s; shown when
        ``summary`` is None.

    Returns
    -------
    str
        The line, without a line break.
    """
    parts = [f"{label}{elapsed_s:6.1f} s", f"{samples:7d} samples", f"lost {lost_samples}"]
    if malformed:
        parts.append(f"bad packets {malformed}")
    if summary is None and cadence_spm is not None:
        speed = "--" if speed_mps is None else f"{speed_mps:.2f}"
        parts += [
            f"cadence {cadence_spm:.0f} spm",
            f"speed {speed} m/s",
            "no contacts (cadence only)",
        ]
    if summary is not None:
        cadence = "--" if summary.cadence_spm is None else f"{summary.cadence_spm:.0f}"
        contact = "--" if summary.contact_ms is None else f"{summary.contact_ms:.0f}"
        parts += [
            f"contacts {summary.contacts}",
            f"cadence {cadence} spm",
            f"contact {contact} ms",
        ]
    return " | ".join(parts)
