"""The contact schedule: when and where each foot is on the ground, with exact IC/TO times.

A foot's timeline is a sequence of supports (quiet stance or ground contacts) separated by
swings. Stance before, between and after bouts is not a contact; every other support is one
row of the truth table.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from sensorlab.drills import Drill, Pattern
from sensorlab.errors import UsageError
from sensorlab.simulate.styles import DrillStyle

Side = Literal["left", "right"]
SupportKind = Literal["step", "hop", "stance"]
Vec3 = tuple[float, float, float]

STANCE_LANDING_V_MS: Vec3 = (0.0, 0.0, -0.25)
"""Velocity of the foot when it is put down into quiet stance at the end of a bout."""

FREE_LEG_DELAY_S = 0.25
"""One-leg drills: the free leg lifts this long before the working leg's first push-off and
lands this long after the working leg is back in stance."""

HOP_INTERVAL = 0.85
"""Skip drills: time from the step's IC to the hop's IC, in mean contact intervals (the
interval from the hop to the other foot's step is ``2 - HOP_INTERVAL``)."""

HOP_ADVANCE = 0.15
"""Skip drills: the hop lands this fraction of the body's advance ahead of the step."""

FEET: tuple[Side, Side] = ("left", "right")


def other_side(side: Side) -> Side:
    """Return the other foot."""
    return "left" if side == "right" else "right"


@dataclass(frozen=True)
class Support:
    """One period during which a foot is on the ground.

    Attributes
    ----------
    side : {"left", "right"}
        The foot.
    start_s, end_s : float
        Initial contact and toe-off, in s on the recording's axis; quiet stance at the start
        or the end of the recording starts at 0 or ends at the recording's end.
    kind : {"step", "hop", "stance"}
        A ground contact (``step``; ``hop`` is the second contact of a skip), or quiet stance.
    bout : int
        1-based bout of a contact; 0 for stance.
    landing : bool
        Whether the support starts with a touch-down (False only for the initial stance).
    lift : bool
        Whether the support ends with a toe-off (False only for the final stance).
    v_land_ms : tuple of float
        Velocity of the contact point just before touch-down, world frame, in m/s.
    ground_xy_m : tuple of float
        Where the centre of the sole is on the ground when the foot is flat, in m.
    travel : tuple of float
        Unit vector of the travel direction of the bout (for stance: of the previous bout).
    """

    side: Side
    start_s: float
    end_s: float
    kind: SupportKind
    bout: int
    landing: bool
    lift: bool
    v_land_ms: Vec3
    ground_xy_m: tuple[float, float]
    travel: Vec3

    @property
    def is_contact(self) -> bool:
        """Whether the support is a ground contact of the truth table."""
        return self.kind != "stance"

    @property
    def duration_s(self) -> float:
        """Length of the support in s."""
        return self.end_s - self.start_s


@dataclass(frozen=True)
class Bout:
    """One active bout (a set).

    Attributes
    ----------
    index : int
        1-based bout number.
    start_s, end_s : float
        First lift from stance and last touch-down into stance, in s.
    travel : tuple of float
        Unit vector of the travel direction.
    """

    index: int
    start_s: float
    end_s: float
    travel: Vec3


@dataclass(frozen=True)
class Schedule:
    """When and where both feet are on the ground over the whole recording.

    Attributes
    ----------
    pattern : str
        Contact pattern of the drill.
    total_s : float
        Length of the recording in s.
    feet : dict
        Supports of each foot, sorted by time, covering the recording with swings between.
    bouts : list of Bout
        The active bouts.
    free_side : {"left", "right"} or None
        One-leg drills: the leg that never touches the ground during a bout.
    mean_interval_s, contact_s : float
        Nominal time between consecutive contacts and contact time.
    """

    pattern: Pattern
    total_s: float
    feet: dict[Side, list[Support]]
    bouts: list[Bout]
    free_side: Side | None
    mean_interval_s: float
    contact_s: float

    @property
    def contacts(self) -> list[Support]:
        """Every ground contact of both feet, sorted by initial contact."""
        out = [s for foot in self.feet.values() for s in foot if s.is_contact]
        return sorted(out, key=lambda s: s.start_s)


def _travel_vector(style: DrillStyle, bout_index: int) -> Vec3:
    if style.travel == "forward":
        return (1.0, 0.0, 0.0)
    if style.travel == "backward":
        return (-1.0, 0.0, 0.0)
    # lateral: to the left in odd bouts, to the right in even ones (switch the leading side)
    return (0.0, 1.0 if bout_index % 2 == 1 else -1.0, 0.0)


def check_rhythm(pattern: Pattern, interval_s: float, contact_s: float, drill_id: str) -> None:
    """Raise if a cadence / contact time pair cannot be performed with the drill's pattern.

    Parameters
    ----------
    pattern : str
        The drill's contact pattern.
    interval_s : float
        Mean time between consecutive contacts (60 / cadence), in s.
    contact_s : float
        Contact time in s.
    drill_id : str
        For the message.

    Raises
    ------
    UsageError
        If contacts would overlap in a drill with flight, or leave no double support or
        swing in a walking drill.
    """
    contact_ms = contact_s * 1e3
    cadence = 60.0 / interval_s
    if pattern == "walking":
        if contact_s < interval_s + 0.02 or contact_s > 2.0 * interval_s - 0.15:
            raise UsageError(
                f"{drill_id}: at {cadence:.0f} spm a walking contact must last between "
                f"{(interval_s + 0.02) * 1e3:.0f} and {(2 * interval_s - 0.15) * 1e3:.0f} ms "
                f"(double support, then a swing), found {contact_ms:.0f} ms"
            )
        return
    shortest = HOP_INTERVAL * interval_s if pattern == "skip" else interval_s
    if contact_s > shortest - 0.015:
        raise UsageError(
            f"{drill_id}: at {cadence:.0f} spm a contact must be shorter than "
            f"{(shortest - 0.015) * 1e3:.0f} ms to leave a flight phase, found {contact_ms:.0f} ms"
        )
    if contact_s < 0.03:
        raise UsageError(
            f"{drill_id}: contact time expected at least 30 ms, found {contact_ms:.0f}"
        )


def _jitter(rng: np.random.Generator, n: int, mean: float, rel_sd: float) -> np.ndarray:
    z = np.clip(rng.standard_normal(n), -3.0, 3.0)
    return np.asarray(mean * (1.0 + rel_sd * z), dtype=np.float64)


@dataclass(frozen=True)
class _BoutPlan:
    contacts: list[tuple[Side, float, float, SupportKind]]
    lift: dict[Side, float]
    land: dict[Side, float]


def _plan_bout(
    pattern: Pattern,
    *,
    start_s: float,
    duration_s: float,
    interval_s: float,
    contact_s: float,
    variability: float,
    first: Side,
    rng: np.random.Generator,
) -> _BoutPlan:
    """Contacts of one bout: (side, ic, to, kind), plus each foot's lift and final landing."""
    other = other_side(first)
    n_max = math.ceil(duration_s / interval_s * 1.6) + 8
    tc = np.clip(_jitter(rng, n_max, contact_s, variability), 0.5 * contact_s, 1.5 * contact_s)
    if pattern == "skip":
        base = np.tile([HOP_INTERVAL, 2.0 - HOP_INTERVAL], n_max // 2 + 1)[:n_max] * interval_s
        step = base * (1.0 + variability * np.clip(rng.standard_normal(n_max), -3.0, 3.0))
        sides = [first, first, other, other]
        kinds: list[SupportKind] = ["step", "hop"]
        swing_nominal = 4.0 * interval_s - HOP_INTERVAL * interval_s - contact_s
        nominal_flight = HOP_INTERVAL * interval_s - contact_s
    else:
        step = _jitter(rng, n_max, interval_s, variability)
        sides = [first] if pattern == "unilateral" else [first, other]
        kinds = ["step"]
        if pattern == "unilateral":
            swing_nominal = interval_s - contact_s
        else:
            swing_nominal = 2.0 * interval_s - contact_s
        nominal_flight = interval_s - contact_s
    step = np.clip(step, 0.6 * interval_s * (HOP_INTERVAL if pattern == "skip" else 1.0), None)
    if pattern == "walking":
        double = contact_s - interval_s
        min_double = max(0.02, 0.35 * double)
        min_swing = max(0.12, 0.6 * swing_nominal)
        nxt = np.append(step[1:], step[-1])
        tc = np.clip(tc, step + min_double, None)
        tc = np.minimum(tc, step + nxt - min_swing)
    else:
        min_flight = max(0.012, 0.35 * nominal_flight)
        tc = np.minimum(tc, step - min_flight)

    lead = FREE_LEG_DELAY_S if pattern == "unilateral" else 0.0
    ic = start_s + lead + swing_nominal
    end_s = start_s + duration_s
    contacts: list[tuple[Side, float, float, SupportKind]] = []
    for i in range(n_max):
        if ic > end_s:
            break
        contacts.append((sides[i % len(sides)], ic, ic + float(tc[i]), kinds[i % len(kinds)]))
        ic += float(step[i])

    def plan_ends() -> tuple[dict[Side, float], dict[Side, float]]:
        lift: dict[Side, float] = {}
        land: dict[Side, float] = {}
        for side, c_ic, c_to, _ in contacts:
            lift.setdefault(side, c_ic - swing_nominal)
            land[side] = c_to + swing_nominal
        if pattern not in ("walking", "unilateral") and contacts:
            last_to = contacts[-1][2]
            for side in land:
                land[side] = max(land[side], last_to + 0.02)
        if pattern == "unilateral":
            lift[other] = start_s
            land[other] = (max(land.values()) if land else start_s) + FREE_LEG_DELAY_S
        return lift, land

    lift, land = plan_ends()
    while contacts and max(land.values()) > end_s:
        contacts.pop()
        lift, land = plan_ends()
    per_side = {s: sum(1 for c in contacts if c[0] == s) for s in sides}
    if len(contacts) < 2 * len(sides) or min(per_side.values()) < 1:
        raise UsageError(
            f"duration_s={duration_s:g} is too short for this drill's rhythm: expected room for "
            f"at least {2 * len(sides)} contacts after the first swing"
        )
    return _BoutPlan(contacts, lift, land)


def build_schedule(
    drill: Drill,
    style: DrillStyle,
    *,
    side: Side,
    interval_s: float,
    contact_s: float,
    variability: float,
    duration_s: float,
    standing_s: tuple[float, float],
    bouts: int,
    rest_s: float,
    rng: np.random.Generator,
) -> Schedule:
    """Lay out every support of both feet over the recording.

    Parameters
    ----------
    drill : Drill
        The drill; its ``pattern`` decides the order of the contacts.
    style : DrillStyle
        Movement parameters (speed, landing velocities, ...).
    side : {"left", "right"}
        The sensor's side: the first foot to make a contact, and the working leg of a one-leg
        drill.
    interval_s, contact_s : float
        Mean time between consecutive contacts (60 / cadence) and mean contact time, in s.
    variability : float
        Relative cycle-to-cycle SD of contact intervals and contact times.
    duration_s : float
        Slot of each bout in s: from the first lift to the last touch-down into stance.
    standing_s : tuple of float
        Quiet standing before the first and after the last bout, in s.
    bouts : int
        Number of bouts.
    rest_s : float
        Standing rest between bouts, in s.
    rng : numpy.random.Generator
        Random numbers for the cycle-to-cycle variability.

    Returns
    -------
    Schedule
        The supports of both feet.
    """
    pattern = drill.pattern
    total_s = standing_s[0] + bouts * duration_s + (bouts - 1) * rest_s + standing_s[1]
    feet: dict[Side, list[Support]] = {"left": [], "right": []}
    bout_list: list[Bout] = []
    half_width = 0.5 * style.step_width_m
    lateral = {"left": np.array([0.0, half_width]), "right": np.array([0.0, -half_width])}
    position = np.zeros(2)  # of the body, in m, where the previous bout ended
    # each foot's current stance: since when, whether it began with a landing, last travel
    stance: dict[Side, tuple[float, bool, Vec3]] = {f: (0.0, False, (1.0, 0.0, 0.0)) for f in FEET}
    for b in range(bouts):
        t_b = standing_s[0] + b * (duration_s + rest_s)
        travel = _travel_vector(style, b + 1)
        plan = _plan_bout(
            pattern,
            start_s=t_b,
            duration_s=duration_s,
            interval_s=interval_s,
            contact_s=contact_s,
            variability=variability,
            first=side,
            rng=rng,
        )
        t_end = max(plan.land.values())
        velocity = np.array(travel[:2]) * style.speed_ms
        origin = position
        for f in FEET:
            start, landing, prev_travel = stance[f]
            xy = origin + lateral[f]
            feet[f].append(_stance(f, start, plan.lift[f], landing, True, xy, prev_travel))
        last_step: dict[Side, tuple[np.ndarray, float]] = {}
        for f, c_ic, c_to, kind in plan.contacts:
            mid = 0.5 * (c_ic + c_to)
            xy = origin + velocity * (mid - t_b) + lateral[f]
            if kind == "hop":  # hops are nearly on the spot
                step_xy, step_mid = last_step[f]
                xy = step_xy + HOP_ADVANCE * velocity * (mid - step_mid)
                scale = 1.0 + 0.1 * float(np.clip(rng.standard_normal(), -3.0, 3.0))
                v_land: Vec3 = (0.0, 0.0, -style.hop_v_down_ms * scale)
            else:
                last_step[f] = (xy, mid)
                z = np.clip(rng.standard_normal(2), -3.0, 3.0)
                down = style.v_down_ms * (1.0 + 0.1 * float(z[0]))
                along = style.v_along_ms * (1.0 + 0.2 * float(z[1]))
                v_land = (travel[0] * along, travel[1] * along, -down)
            xy_m = (float(xy[0]), float(xy[1]))
            feet[f].append(Support(f, c_ic, c_to, kind, b + 1, True, True, v_land, xy_m, travel))
        position = origin + velocity * (t_end - t_b)
        for f in FEET:
            stance[f] = (plan.land[f], True, travel)
        bout_list.append(Bout(b + 1, t_b, t_end, travel))
    for f in FEET:
        start, landing, prev_travel = stance[f]
        feet[f].append(
            _stance(f, start, total_s, landing, False, position + lateral[f], prev_travel)
        )
    free = other_side(side) if pattern == "unilateral" else None
    return Schedule(pattern, total_s, feet, bout_list, free, interval_s, contact_s)


def _stance(
    side: Side,
    start_s: float,
    end_s: float,
    landing: bool,
    lift: bool,
    xy: np.ndarray,
    travel: Vec3,
) -> Support:
    xy_m = (float(xy[0]), float(xy[1]))
    return Support(
        side, start_s, end_s, "stance", 0, landing, lift, STANCE_LANDING_V_MS, xy_m, travel
    )
