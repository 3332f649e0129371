"""The offline analysis chain, end to end, for one recording or a left/right pair.

load (``sensorlab.io``) -> quality checks (rate, gaps, clipping) -> gap-free uniform
segments -> active bouts -> contact detection for the placement -> per-contact metrics ->
per-set summary -> drill target verdict. Each step is a public function of its own module;
this module only wires them and keeps the bookkeeping of times and sets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sensorlab import __version__
from sensorlab.drills import (
    DEFAULT_DRILL,
    Drill,
    TargetVerdict,
    drill_with_target,
    evaluate_target,
    get_drill,
)
from sensorlab.errors import UsageError, check_option
from sensorlab.metrics import TRUNK_PLACEMENTS, Contact, SetSummary, contact_metrics, summarize
from sensorlab.recording import Recording
from sensorlab.signal.activity import ActivityParams, active_runs, merge_runs_s
from sensorlab.signal.contacts import DETECTORS, choose_method
from sensorlab.signal.events import ContactParams
from sensorlab.signal.resample import find_gaps, uniform_segments
from sensorlab.units import G_MS2, LOW_PRECISION_RATE_HZ, PLACEMENTS, SIDES

FloatArray = NDArray[np.float64]

ANALYSIS_VERSION = "5"
"""Bumped whenever a change moves a measured number (used by the history index)."""

MAX_BRIDGED_GAP_S = 0.06
"""Longest dropout interpolated over in analysis, in s (a few lost BLE packets)."""

MAX_BRIDGED_GAP_SAMPLES = 6
"""Longest dropout interpolated over, in nominal samples (60 ms is 24 samples at 400 Hz)."""

IMPACT_SAMPLED_RATE_HZ = 50.0
"""Below this rate a foot's or shank's landing impact is often not sampled (on our simulator,
whose signals are low-pass filtered before sampling as IMU chips do, the foot detector finds
no contacts in a run at 25-40 Hz and the shank detector 45 % of high skipping at 40 Hz): the
user is told so."""

MAX_DETECTION_BRIDGE_S = 0.25
"""Longest gap the detectors look across, in s. Longer dropouts than the bridged ones, up to
this, are interpolated for the detectors' filters and peak searches only: a contact whose IC
or TO falls in such a gap (or within two samples of it) is not reported, so no reported
event rests on interpolated samples. A lost BLE packet is 10-200 ms; without this, every
lost packet split the signal and the contacts at both ends of each piece were lost (2 % of
40 ms packets lost: recall 82 % on a simulated run)."""

MIN_CONTACTS_PER_SET = 3


@dataclass(frozen=True)
class Quality:
    """What limits the trust in a recording's numbers.

    Attributes
    ----------
    warnings : list of str
        Human-readable problems, most important first.
    sampling_rate_hz : float
        Median sampling rate in Hz.
    gaps : int
        Gaps (lost packets) longer than 2.5 sample periods.
    gap_s : float
        Total time lost in gaps, in s.
    clipped_fraction : float
        Fraction of samples at the accelerometer's range on any axis.
    rejected_contacts : int
        Candidate contacts dropped as implausible for the drill.
    low_precision : bool
        True below 100 Hz: contact times are coarse.
    """

    warnings: list[str]
    sampling_rate_hz: float
    gaps: int
    gap_s: float
    clipped_fraction: float
    rejected_contacts: int
    low_precision: bool


@dataclass(frozen=True)
class SetResult:
    """One set (active bout) of a recording."""

    number: int
    start_s: float
    end_s: float
    contacts: list[Contact]
    summary: SetSummary
    target: TargetVerdict


@dataclass(frozen=True)
class RecordingAnalysis:
    """Everything ``analyze`` reports for one recording.

    Attributes
    ----------
    file : str
        The recording's path (or source name).
    drill : Drill
        Drill analysed, with the athlete's target applied.
    placement : str
        Sensor placement.
    side : str or None
        Side of a foot/shank sensor.
    method : str
        Contact detector used.
    sampling_rate_hz : float
        Median sampling rate in Hz.
    sets : list of SetResult
        Sets found, in time order.
    summary : SetSummary
        Summary over all sets.
    target : TargetVerdict
        Verdict over all sets.
    quality : Quality
        Quality report.
    metadata : mapping
        The recording's metadata.
    """

    file: str
    drill: Drill
    placement: str
    side: str | None
    method: str
    sampling_rate_hz: float
    sets: list[SetResult]
    summary: SetSummary
    target: TargetVerdict
    quality: Quality
    metadata: Mapping[str, str] = field(default_factory=dict)

    @property
    def contacts(self) -> list[Contact]:
        """All contacts of all sets."""
        return [c for s in self.sets for c in s.contacts]

    def to_json_dict(self) -> dict[str, Any]:
        """The ``analyze --json`` object (DESIGN §5)."""
        return {
            "file": self.file,
            "drill": self.drill.id,
            "drill_name": self.drill.name,
            "placement": self.placement,
            "side": self.side,
            "sampling_rate_hz": round(self.sampling_rate_hz, 3),
            "method": self.method,
            "analysis_version": ANALYSIS_VERSION,
            "sensorlab_version": __version__,
            "contacts": [asdict(c) for c in self.contacts],
            "summary": asdict(self.summary),
            "target": asdict(self.target),
            "sets": [
                {
                    "set": s.number,
                    "start_s": round(s.start_s, 4),
                    "end_s": round(s.end_s, 4),
                    "summary": asdict(s.summary),
                    "target": asdict(s.target),
                }
                for s in self.sets
            ],
            "quality": asdict(self.quality),
            "metadata": dict(self.metadata),
        }


def contact_params(drill: Drill, placement: str) -> ContactParams:
    """Plausibility bounds for a drill seen from a placement.

    The drill's plausible contact range is widened by 30 % on each side so that a gate
    never clips a real but unusual contact; the shortest interval between two contacts
    seen by one sensor comes from the drill's highest plausible cadence.
    """
    low_ms, high_ms = drill.contact_ms_range
    sees_all = placement in TRUNK_PLACEMENTS or drill.pattern == "unilateral"
    step_ms = 60000.0 / drill.cadence_spm_range[1]
    if drill.pattern == "skip" or sees_all:
        # the hop of a skip follows its step after one contact and a short flight
        min_interval_ms = 0.7 * low_ms + 30.0
    else:
        min_interval_ms = 2.0 * step_ms * 0.7
    return ContactParams(
        min_contact_ms=0.7 * low_ms,
        max_contact_ms=1.3 * high_ms,
        min_interval_ms=min_interval_ms,
        has_flight=drill.has_flight,
        segment="trunk" if placement in TRUNK_PLACEMENTS else placement,
        pattern=drill.pattern,
    )


def _clipped_fraction(acc_ms2: FloatArray, range_g: float | None) -> float:
    """Fraction of samples with an axis at the accelerometer's range (plateaus at the max)."""
    if acc_ms2.shape[0] == 0:
        return 0.0
    if range_g is not None:
        limit = 0.995 * range_g * G_MS2
        return float(np.mean(np.any(np.abs(acc_ms2) >= limit, axis=1)))
    peak = np.max(np.abs(acc_ms2), axis=0)
    at_peak = np.abs(acc_ms2) >= 0.999 * peak
    counts = np.sum(at_peak, axis=0)
    # a real maximum occurs once; a clipped axis sits on its range for many samples, and
    # only ranges of at least 2 g are sensor ranges
    clipped_axes = (counts >= 3) & (peak >= 2 * G_MS2)
    if not np.any(clipped_axes):
        return 0.0
    return float(np.mean(np.any(at_peak[:, clipped_axes], axis=1)))


def _resolve(value: str | None, recording: Recording, key: str) -> str | None:
    return value if value is not None else recording.metadata.get(key)


def analyze_recording(
    recording: Recording,
    *,
    drill: str | None = None,
    placement: str | None = None,
    side: str | None = None,
    method: str | None = None,
    targets: Mapping[str, float] | None = None,
    activity: ActivityParams | None = None,
) -> RecordingAnalysis:
    """Find every contact of a recording and summarise its sets.

    Parameters
    ----------
    recording : Recording
        The samples (any mounting, possibly with gaps).
    drill, placement, side : str, optional
        Override the recording's ``drill:``, ``placement:`` and ``side:`` metadata.
    method : str, optional
        Contact detector (a key of ``sensorlab.signal.contacts.DETECTORS``); chosen from
        the placement and the channels present when omitted.
    targets : mapping of str to float, optional
        The athlete's target overrides by drill id.
    activity : ActivityParams, optional
        Active-bout thresholds.

    Returns
    -------
    RecordingAnalysis
        Contacts, per-set summaries, target verdicts and the quality report.
    """
    warnings: list[str] = list(recording.warnings)
    drill_id = _resolve(drill, recording, "drill")
    if drill_id is None:
        drill_id = DEFAULT_DRILL
        warnings.append(f"no drill given: analysed as '{DEFAULT_DRILL}' (use --drill)")
    the_drill = drill_with_target(get_drill(drill_id), targets or {})
    place = _resolve(placement, recording, "placement")
    if place is None:
        place = "foot"
        warnings.append("no placement given: assumed 'foot' (use --placement)")
    check_option("placement", place, PLACEMENTS)
    the_side = _resolve(side, recording, "side")
    if the_side is not None:
        check_option("side", the_side, SIDES)
    if place in TRUNK_PLACEMENTS:
        the_side = None
    chosen = method or choose_method(place, has_gyro=recording.has_gyro)
    check_option("method", chosen, tuple(DETECTORS))
    if chosen in ("segment-gyro", "shank-gyro") and not recording.has_gyro:
        raise UsageError(
            f"method '{chosen}' needs gyroscope columns, found none in {recording.source}"
        )

    rate_hz = recording.nominal_sampling_rate_hz
    low_precision = rate_hz < LOW_PRECISION_RATE_HZ
    if low_precision:
        warnings.append(
            f"sampling rate {rate_hz:.0f} Hz is below {LOW_PRECISION_RATE_HZ:.0f} Hz: contact "
            f"times are low precision (one sample is {1000.0 / rate_hz:.0f} ms)"
        )
    if rate_hz < IMPACT_SAMPLED_RATE_HZ and place in ("foot", "shank"):
        warnings.append(
            f"at {rate_hz:.0f} Hz the {place}'s landing impact (10-20 ms) falls between samples: "
            f"contacts may be missed (record at {LOW_PRECISION_RATE_HZ:.0f} Hz or more)"
        )
    gaps = find_gaps(recording.time_s)
    gap_s = float(sum(g.duration_s for g in gaps))
    bridge_s = min(MAX_BRIDGED_GAP_S, MAX_BRIDGED_GAP_SAMPLES / rate_hz)
    bridged = [g for g in gaps if g.duration_s <= bridge_s]
    if bridged:
        warnings.append(
            f"{len(bridged)} short dropout(s) of at most {1000 * bridge_s:.0f} ms "
            "interpolated over: contacts next to them are less precise"
        )
    if len(gaps) > len(bridged):
        split_s = gap_s - float(sum(g.duration_s for g in bridged))
        warnings.append(
            f"{len(gaps) - len(bridged)} gap(s) in the samples ({split_s:.2f} s lost): "
            "contacts whose initial contact or toe-off falls in a gap are not reported"
        )
    detection_bridge_s = max(bridge_s, MAX_DETECTION_BRIDGE_S)
    # events must not rest on interpolated samples: gaps (with a two-sample margin) in which
    # an IC or TO is not reported
    margin_s = 2.0 / rate_hz
    blind_s = np.array(
        [(g.start_s - margin_s, g.end_s + margin_s) for g in gaps if g.duration_s > bridge_s]
    ).reshape(-1, 2)
    range_text = recording.metadata.get("acc_range_g")
    try:
        range_g = float(range_text) if range_text else None
    except ValueError:
        range_g = None
    clipped = _clipped_fraction(recording.acc_ms2, range_g)
    if clipped > 0.0005:
        warnings.append(
            f"accelerometer clipped on {100 * clipped:.2f} % of samples: "
            "impacts exceed the sensor's range"
        )

    params = contact_params(the_drill, place)
    detector = DETECTORS[chosen]
    channels = (
        recording.acc_ms2
        if recording.gyr_dps is None
        else np.hstack([recording.acc_ms2, recording.gyr_dps])
    )
    segments = uniform_segments(
        recording.time_s, channels, sampling_rate_hz=rate_hz, bridge_s=detection_bridge_s
    )
    del channels  # the segments hold their own copy; free the stacked one early
    act = activity or ActivityParams()
    # Bouts are found on the file's time axis across gaps (a lost packet must not split a
    # set); contacts are detected inside each gap-free segment only.
    runs_s = []
    for seg in segments:
        for run in active_runs(
            seg.channels[:, :3], sampling_rate_hz=seg.sampling_rate_hz, params=act
        ):
            runs_s.append(
                (float(seg.time_s[run.start_index]), float(seg.time_s[run.stop_index - 1]))
            )
    bout_spans = merge_runs_s(runs_s, params=act)
    bouts: list[tuple[float, float, FloatArray, FloatArray]] = []
    rejected = 0
    at_gaps = 0
    for start_s, end_s in bout_spans:
        ic_parts, to_parts = [], []
        for seg in segments:
            pad_s = 0.5
            inside = (seg.time_s >= start_s - pad_s) & (seg.time_s <= end_s + pad_s)
            idx = np.flatnonzero(inside)
            if idx.size < round(0.5 * seg.sampling_rate_hz):
                continue
            lo, hi = int(idx[0]), int(idx[-1]) + 1
            acc = seg.channels[lo:hi, :3]
            gyr = seg.channels[lo:hi, 3:6] if seg.channels.shape[1] >= 6 else None
            events = detector(acc, gyr, sampling_rate_hz=seg.sampling_rate_hz, params=params)
            rejected += events.rejected
            t0 = float(seg.time_s[lo])
            ic_parts.append(events.ic_s + t0)
            to_parts.append(events.to_s + t0)
        if ic_parts:
            ic_all, to_all = np.concatenate(ic_parts), np.concatenate(to_parts)
            seen = ~(_in_spans(ic_all, blind_s) | _in_spans(to_all, blind_s))
            at_gaps += int(np.count_nonzero(~seen))
            ic_all, to_all = ic_all[seen], to_all[seen]
            order = np.argsort(ic_all)
            bouts.append((start_s, end_s, ic_all[order], to_all[order]))

    set_results: list[SetResult] = []
    for start_s, end_s, ic_s, to_s in bouts:
        if ic_s.size < MIN_CONTACTS_PER_SET:
            continue
        number = len(set_results) + 1
        contacts = contact_metrics(
            ic_s, to_s, drill=the_drill, placement=place, side=the_side, set_number=number
        )
        summary = summarize(contacts, drill=the_drill, placement=place)
        implausible = _implausible_cadence(the_drill, summary)
        if implausible:
            warnings.append(
                f"set {number}: {implausible} for {the_drill.name}: contacts were probably "
                "missed or doubled (check --drill and --placement)"
            )
        set_results.append(
            SetResult(
                number, start_s, end_s, contacts, summary, _verdict(the_drill, summary, place)
            )
        )
    if not set_results:
        warnings.append("no active set with at least 3 contacts was found")
    overall = _overall_summary(set_results, the_drill, place)
    if rejected:
        warnings.append(
            f"{rejected} candidate contact(s) rejected as implausible for {the_drill.name}"
        )
    if at_gaps:
        warnings.append(f"{at_gaps} contact(s) not reported: their IC or TO fell in a gap")
    quality = Quality(
        warnings=warnings,
        sampling_rate_hz=round(rate_hz, 3),
        gaps=len(gaps),
        gap_s=round(gap_s, 4),
        clipped_fraction=round(clipped, 6),
        rejected_contacts=rejected,
        low_precision=low_precision,
    )
    return RecordingAnalysis(
        file=recording.source or "<memory>",
        drill=the_drill,
        placement=place,
        side=the_side,
        method=chosen,
        sampling_rate_hz=rate_hz,
        sets=set_results,
        summary=overall,
        target=_verdict(the_drill, overall, place),
        quality=quality,
        metadata=dict(recording.metadata),
    )


def _in_spans(times_s: FloatArray, spans_s: FloatArray) -> NDArray[np.bool_]:
    """Whether each time lies in one of the closed (start, end) spans, shape (n_times,)."""
    if spans_s.size == 0:
        return np.zeros(times_s.shape, dtype=bool)
    order = np.argsort(spans_s[:, 0])
    starts = spans_s[order, 0]
    # the latest end among the spans that start at or before each start (spans may overlap)
    reach = np.maximum.accumulate(spans_s[order, 1])
    k = np.searchsorted(starts, times_s, side="right") - 1
    inside = np.zeros(times_s.shape, dtype=bool)
    started = k >= 0
    inside[started] = times_s[started] <= reach[k[started]]
    return inside


def _overall_summary(sets: list[SetResult], drill: Drill, placement: str) -> SetSummary:
    """Summary over all sets: statistics of all contacts, cadence averaged over sets."""
    contacts = [c for s in sets for c in s.contacts]
    overall = summarize(contacts, drill=drill, placement=placement)
    if len(sets) > 1:
        cadences = [s.summary.cadence_spm for s in sets if s.summary.cadence_spm is not None]
        weights = [s.summary.contacts for s in sets if s.summary.cadence_spm is not None]
        cadence = float(np.average(cadences, weights=weights)) if cadences else None
        overall = replace(overall, cadence_spm=None if cadence is None else round(cadence, 3))
    return overall


def _implausible_cadence(drill: Drill, summary: SetSummary) -> str:
    """Why the set's cadence cannot be the drill's ("" when it is within the plausible range)."""
    low, high = drill.cadence_spm_range
    cadence = summary.cadence_spm
    if cadence is None or low <= cadence <= high:
        return ""
    return f"cadence {cadence:.0f} spm is outside the plausible {low:.0f}-{high:.0f} spm"


def _verdict(drill: Drill, summary: SetSummary, placement: str) -> TargetVerdict:
    value = summary.metric(drill.primary_metric)
    note = ""
    implausible = _implausible_cadence(drill, summary)
    if implausible:
        # contacts missed or doubled: any verdict on them would mislead
        value = None
        note = f"not judged: {implausible}"
    elif value is None and drill.primary_metric == "symmetry_pct":
        note = "symmetry needs a left and a right foot file analysed together, or a trunk sensor"
    elif value is None and drill.primary_metric == "flight_contact_ratio":
        note = "flight time is not defined for this placement and drill"
    return evaluate_target(drill, value, note)


def merge_pair(
    left: RecordingAnalysis, right: RecordingAnalysis
) -> tuple[RecordingAnalysis, RecordingAnalysis]:
    """Add left/right symmetry to two analyses of the same session (left and right foot).

    Parameters
    ----------
    left, right : RecordingAnalysis
        Analyses of the two feet, same drill and placement.

    Returns
    -------
    tuple of RecordingAnalysis
        The two analyses with ``summary.symmetry_pct`` and the verdict updated.
    """

    def pair_symmetry(a: list[Contact], b: list[Contact]) -> float | None:
        merged = sorted(a + b, key=lambda c: c.ic_s)
        return summarize(
            merged, drill=left.drill, placement=left.placement, n_sensors=2
        ).symmetry_pct

    out = []
    for this, other in ((left, right), (right, left)):
        sets = []
        for s in this.sets:
            # the other foot's set that overlaps this one in time
            partner = [o for o in other.sets if o.start_s < s.end_s and s.start_s < o.end_s]
            symmetry = pair_symmetry(s.contacts, partner[0].contacts) if partner else None
            summary = replace(s.summary, symmetry_pct=symmetry)
            sets.append(
                replace(s, summary=summary, target=_verdict(this.drill, summary, this.placement))
            )
        summary = replace(this.summary, symmetry_pct=pair_symmetry(left.contacts, right.contacts))
        out.append(
            replace(
                this,
                sets=sets,
                summary=summary,
                target=_verdict(this.drill, summary, this.placement),
            )
        )
    return out[0], out[1]


def analyze_files(
    paths: Sequence[str | Path],
    *,
    drill: str | None = None,
    placement: str | None = None,
    side: str | None = None,
    method: str | None = None,
    targets_path: str | Path | None = None,
    allow_gaps: bool = False,
) -> list[RecordingAnalysis]:
    """Read and analyse recordings; pair a left and a right foot file for symmetry.

    Parameters
    ----------
    paths : sequence of path
        Recording CSV files.
    drill, placement, side, method : str, optional
        Overrides of the files' metadata (``side`` only makes sense with one file).
    targets_path : path, optional
        The athlete's target overrides (TOML); else ``SENSORLAB_TARGETS``.
    allow_gaps : bool
        Analyse recordings with gaps longer than 0.5 s as separate parts instead of failing.

    Returns
    -------
    list of RecordingAnalysis
        One per file, in the order given.
    """
    from sensorlab.io import read_recording

    recordings = [read_recording(path, allow_gaps=allow_gaps) for path in paths]
    return analyze_many(
        recordings,
        drill=drill,
        placement=placement,
        side=side,
        method=method,
        targets_path=targets_path,
    )


def analyze_many(
    recordings: Sequence[Recording],
    *,
    drill: str | None = None,
    placement: str | None = None,
    side: str | None = None,
    method: str | None = None,
    targets_path: str | Path | None = None,
) -> list[RecordingAnalysis]:
    """Analyse recordings already read; pair a left and a right foot recording for symmetry.

    Parameters are those of :func:`analyze_files`; each recording's ``athlete:`` metadata
    picks its target overrides.

    Returns
    -------
    list of RecordingAnalysis
        One per recording, in the order given.
    """
    from sensorlab.drills import load_target_overrides

    if side is not None and len(recordings) > 1:
        raise UsageError(
            "--side applies to one file; with several files put 'side:' in each file's metadata"
        )
    results = []
    for rec in recordings:
        targets = load_target_overrides(targets_path, athlete=rec.metadata.get("athlete"))
        results.append(
            analyze_recording(
                rec, drill=drill, placement=placement, side=side, method=method, targets=targets
            )
        )
    sides = {r.side: i for i, r in enumerate(results) if r.placement not in TRUNK_PLACEMENTS}
    if (
        len(results) == 2
        and set(sides) == {"left", "right"}
        and results[0].drill.id == results[1].drill.id
    ):
        left, right = merge_pair(results[sides["left"]], results[sides["right"]])
        results[sides["left"]], results[sides["right"]] = left, right
    return results
