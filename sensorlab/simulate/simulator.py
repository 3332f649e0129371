"""Simulate one recording of a drill with the exact truth of every contact."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from sensorlab.drills import get_drill
from sensorlab.errors import UsageError, check_option
from sensorlab.recording import FloatArray, Recording
from sensorlab.simulate import sensors
from sensorlab.simulate.kinematics import LegModel
from sensorlab.simulate.schedule import Schedule, Side, build_schedule, check_rhythm
from sensorlab.simulate.styles import DrillStyle, style_for
from sensorlab.simulate.trunk import TrunkModel
from sensorlab.units import PLACEMENTS, SIDES

MIN_RATE_HZ = 25.0
MAX_RATE_HZ = 1600.0
DEVICE = "sensorlab-simulator"
TRUTH_COLUMNS = ("side", "ic_s", "to_s")


@dataclass(frozen=True)
class SimulationConfig:
    """What to simulate.

    Parameters
    ----------
    drill : str
        Drill id of the catalogue (e.g. ``"heels-to-glutes"``).
    placement : {"foot", "shank", "sacrum", "chest"}
        Where the sensor is worn.
    side : {"left", "right"}
        Side of a foot/shank sensor; also the working leg of one-leg drills and the foot that
        makes the first contact of each bout.
    sampling_rate_hz : float
        Output rate, 25 to 1600 Hz.
    duration_s : float
        Length of each bout's slot, in s: from the first lift off the ground to the last
        touch-down into quiet stance.
    cadence_spm : float or None
        Contacts per minute of both feet (one-leg drills: of the working leg); None uses the
        drill's typical cadence.
    contact_ms : float or None
        Mean contact time in ms; None uses the drill's typical contact time.
    variability : float
        Relative cycle-to-cycle SD of contact intervals and contact times (0 to 0.2).
    noise : float
        Scale of the sensor noise: 0 none, 1 a realistic MEMS IMU (about 0.05 m/s² and
        0.5 deg/s RMS white noise, plus a slowly drifting bias).
    mounting : {"random", "aligned"}
        ``"random"``: the sensor sits on the segment in a uniformly random orientation;
        ``"aligned"``: its axes are the segment's (x forward, y left, z up).
    acc_range_g : float or None
        Accelerometer range: each axis saturates at +-this many g; None: no saturation.
    packet_loss : float
        Fraction of BLE packets (about rate / 25 samples each) lost: leaves gaps in ``time_s``.
    standing_s : tuple of float
        Quiet standing before the first and after the last bout, in s (at least 0.5 each).
    bouts : int
        Number of bouts (sets) in the recording.
    rest_s : float
        Quiet standing between bouts, in s (at least 1).
    gyro : bool
        Whether the recording has a gyroscope.
    leading_side : {"left", "right"} or None
        The foot that makes the first contact (and the working leg of a one-leg drill);
        None: the sensor's ``side``. Simulate both feet of one session with the same seed
        and ``leading_side``, once with ``side="left"`` and once with ``side="right"``.
    seed : int
        Seed of every random choice: the same configuration gives the same recording.
    """

    drill: str
    placement: str = "foot"
    side: str = "right"
    sampling_rate_hz: float = 400.0
    duration_s: float = 20.0
    cadence_spm: float | None = None
    contact_ms: float | None = None
    variability: float = 0.03
    noise: float = 1.0
    mounting: str = "random"
    acc_range_g: float | None = 16.0
    packet_loss: float = 0.0
    standing_s: tuple[float, float] = (2.0, 2.0)
    bouts: int = 1
    rest_s: float = 8.0
    gyro: bool = True
    leading_side: str | None = None
    seed: int = 0


@dataclass(frozen=True)
class SimulatedSet:
    """A simulated recording with its exact contacts.

    Attributes
    ----------
    recording : Recording
        The sensor's samples; metadata ``simulated: true``, drill, placement, side, set, seed,
        sampling_rate_hz, device, started_at, bouts, mounting.
    truth : pandas.DataFrame
        Every ground contact of both feet, sorted by ``ic_s``: columns ``side``
        ("left"/"right"), ``ic_s`` and ``to_s`` (first and last instant of ground contact, in
        s on ``recording.time_s``'s axis) and ``bout`` (1-based). Quiet standing before, between
        and after bouts is not a contact; the push-off from it and the touch-down into it are
        not contacts either.
    config : SimulationConfig
        What was simulated.
    """

    recording: Recording
    truth: pd.DataFrame
    config: SimulationConfig


def _finite(name: str, value: float, low: float, high: float, unit: str = "") -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise UsageError(f"{name} expected a number, found {value!r}")
    if not low <= value <= high:
        raise UsageError(f"{name} expected {low:g} to {high:g}{unit}, found {value:g}")
    return float(value)


def _validate(config: SimulationConfig) -> None:
    get_drill(config.drill)
    check_option("placement", config.placement, PLACEMENTS)
    check_option("side", config.side, SIDES)
    check_option("mounting", config.mounting, ("random", "aligned"))
    _finite("sampling_rate_hz", config.sampling_rate_hz, MIN_RATE_HZ, MAX_RATE_HZ, " Hz")
    _finite("duration_s", config.duration_s, 2.0, 4.0 * 3600.0, " s")
    if config.cadence_spm is not None:
        _finite("cadence_spm", config.cadence_spm, 20.0, 400.0, " spm")
    if config.contact_ms is not None:
        _finite("contact_ms", config.contact_ms, 30.0, 3000.0, " ms")
    _finite("variability", config.variability, 0.0, 0.2)
    _finite("noise", config.noise, 0.0, 100.0)
    if config.acc_range_g is not None:
        _finite("acc_range_g", config.acc_range_g, 1.0, 1000.0, " g")
    _finite("packet_loss", config.packet_loss, 0.0, 0.9)
    if len(config.standing_s) != 2:
        raise UsageError(f"standing_s expected (before, after), found {config.standing_s!r}")
    for value in config.standing_s:
        _finite("standing_s", value, 0.5, 3600.0, " s")
    if isinstance(config.bouts, bool) or not isinstance(config.bouts, int) or config.bouts < 1:
        raise UsageError(f"bouts expected an integer >= 1, found {config.bouts!r}")
    _finite("rest_s", config.rest_s, 1.0, 3600.0, " s")
    if isinstance(config.seed, bool) or not isinstance(config.seed, int) or config.seed < 0:
        raise UsageError(f"seed expected a non-negative integer, found {config.seed!r}")


def _started_at(seed: int) -> str:
    base = datetime(2026, 1, 5, 17, 0, 0, tzinfo=UTC)
    stamp = base + timedelta(days=seed % 365, seconds=(seed * 7919) % 7200)
    return stamp.isoformat()


def _truth(schedule: Schedule) -> pd.DataFrame:
    contacts = schedule.contacts
    return pd.DataFrame(
        {
            "side": pd.Series([c.side for c in contacts], dtype=object),
            "ic_s": np.array([c.start_s for c in contacts], dtype=np.float64),
            "to_s": np.array([c.end_s for c in contacts], dtype=np.float64),
            "bout": np.array([c.bout for c in contacts], dtype=np.int64),
        }
    )


def _sensor_model(
    placement: str, side: Side, schedule: Schedule, style: DrillStyle, rng: np.random.Generator
) -> LegModel | TrunkModel:
    if placement in ("sacrum", "chest"):
        return TrunkModel(schedule, style, rng, chest=placement == "chest")
    return LegModel(schedule, side, style, rng, shank=placement == "shank")


def simulate_set(config: SimulationConfig) -> SimulatedSet:
    """Simulate a recording of a drill and the exact times of every ground contact.

    Parameters
    ----------
    config : SimulationConfig
        Drill, placement, rate, rhythm, sensor effects and seed.

    Returns
    -------
    SimulatedSet
        The recording (time axis from 0 in steps of ``1 / sampling_rate_hz``, with gaps where
        packets were lost), the truth table and the configuration.

    Raises
    ------
    UsageError
        If an option is out of range, the drill is unknown (:class:`DrillError`) or the
        cadence and contact time cannot be combined in the drill's contact pattern.

    Notes
    -----
    The segment's motion is computed in closed form at ``k * sampling_rate_hz`` (k the
    smallest integer giving at least 4 kHz), low-passed by a causal filter like a sensor
    chip's (-3 dB at 0.4 x the output rate; see :func:`sensors.sample`) and decimated; then
    the sensor's mounting rotation, noise, saturation and packet loss are applied, in that
    order. The samples lag the physical events by the filter's group delay (about 1.04
    output samples: 10.4 ms at 100 Hz, 2.6 ms at 400 Hz); the truth keeps the physical
    times, so a detector's delay against it includes the sensor's, as on a real device.
    """
    _validate(config)
    drill = get_drill(config.drill)
    style = style_for(drill)
    rate = float(config.sampling_rate_hz)
    interval_s = 60.0 / (config.cadence_spm or drill.typical_cadence_spm)
    contact_s = (config.contact_ms or drill.typical_contact_ms) / 1e3
    check_rhythm(drill.pattern, interval_s, contact_s, drill.id)
    rng_schedule, rng_motion, rng_mount, rng_noise, rng_loss = np.random.default_rng(
        config.seed
    ).spawn(5)
    side: Side = "left" if config.side == "left" else "right"
    if config.leading_side is not None:
        check_option("leading_side", config.leading_side, SIDES)
    leading: Side = "left" if (config.leading_side or config.side) == "left" else "right"
    schedule = build_schedule(
        drill,
        style,
        side=leading,
        interval_s=interval_s,
        contact_s=contact_s,
        variability=float(config.variability),
        duration_s=float(config.duration_s),
        standing_s=(float(config.standing_s[0]), float(config.standing_s[1])),
        bouts=config.bouts,
        rest_s=float(config.rest_s),
        rng=rng_schedule,
    )
    n_out = math.floor(schedule.total_s * rate + 1e-9) + 1
    model = _sensor_model(config.placement, side, schedule, style, rng_motion)

    def imu(t: FloatArray) -> FloatArray:
        force, omega = model.signals(t)
        return np.hstack([force, np.degrees(omega)])

    both = sensors.sample(imu, n_samples=n_out, sampling_rate_hz=rate)
    mount = sensors.mounting_rotation(config.mounting, rng_mount)
    acc = both[:, :3] @ mount
    gyr = both[:, 3:] @ mount
    noise = float(config.noise)
    acc = acc + sensors.sensor_noise(
        n_out,
        rate,
        noise,
        sensors.ACC_WHITE_MS2,
        sensors.ACC_BIAS_MS2,
        sensors.ACC_WALK_MS2_RTS,
        rng_noise,
    )
    gyr = gyr + sensors.sensor_noise(
        n_out,
        rate,
        noise,
        sensors.GYR_WHITE_DPS,
        sensors.GYR_BIAS_DPS,
        sensors.GYR_WALK_DPS_RTS,
        rng_noise,
    )
    acc = sensors.clip_acc(acc, config.acc_range_g)
    time_s = np.arange(n_out, dtype=np.float64) / rate
    if config.packet_loss > 0.0:
        keep = sensors.packet_mask(n_out, rate, float(config.packet_loss), rng_loss)
        time_s, acc, gyr = time_s[keep], acc[keep], gyr[keep]
    metadata = {
        "simulated": "true",
        "device": DEVICE,
        "drill": drill.id,
        "placement": config.placement,
        "side": config.side,
        "set": "1",
        "bouts": str(config.bouts),
        "seed": str(config.seed),
        "sampling_rate_hz": f"{rate:g}",
        "mounting": config.mounting,
        "started_at": _started_at(config.seed),
    }
    recording = Recording(
        time_s=time_s, acc_ms2=acc, gyr_dps=gyr if config.gyro else None, metadata=metadata
    )
    return SimulatedSet(recording=recording, truth=_truth(schedule), config=config)


def write_truth(truth: pd.DataFrame, path: str | Path) -> Path:
    """Write the truth table as CSV with columns ``side,ic_s,to_s`` (times with 6 decimals).

    Parameters
    ----------
    truth : pandas.DataFrame
        ``SimulatedSet.truth`` (extra columns are not written).
    path : str or Path
        Output file.

    Returns
    -------
    Path
        The written file.
    """
    missing = [c for c in TRUTH_COLUMNS if c not in truth.columns]
    if missing:
        raise UsageError(
            f"truth table expected columns {', '.join(TRUTH_COLUMNS)}, missing {', '.join(missing)}"
        )
    out = Path(path)
    lines = ["side,ic_s,to_s"]
    for side, ic, to in zip(truth["side"], truth["ic_s"], truth["to_s"], strict=True):
        lines.append(f"{side},{float(ic):.6f},{float(to):.6f}")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def stream_chunks(
    sim: SimulatedSet, *, samples_per_packet: int
) -> Iterator[tuple[FloatArray, FloatArray, FloatArray | None]]:
    """Yield the recording packet by packet, as a simulated device would send it.

    Parameters
    ----------
    sim : SimulatedSet
        The simulated recording.
    samples_per_packet : int
        Samples per packet (the last packet may be shorter).

    Yields
    ------
    time_s : ndarray, shape (k,)
        Sample times in s.
    acc_ms2 : ndarray, shape (k, 3)
        Specific force in m/s².
    gyr_dps : ndarray, shape (k, 3) or None
        Angular rate in deg/s, None without gyroscope.
    """
    if (
        isinstance(samples_per_packet, bool)
        or not isinstance(samples_per_packet, int)
        or (samples_per_packet < 1)
    ):
        raise UsageError(
            f"samples_per_packet expected an integer >= 1, found {samples_per_packet!r}"
        )
    rec = sim.recording
    for i in range(0, rec.n_samples, samples_per_packet):
        sl = slice(i, i + samples_per_packet)
        gyr = None if rec.gyr_dps is None else rec.gyr_dps[sl]
        yield rec.time_s[sl], rec.acc_ms2[sl], gyr
