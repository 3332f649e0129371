"""Trunk (sacrum, chest) kinematics from the ground reaction force of both feet.

The specific force of the centre of mass is the ground reaction force per unit mass. Its
vertical part comes from the centre of mass height ``z(t)``, a C2 piecewise quintic:

* drills with flight: exact free fall (``z'' = -g``, zero specific force) whenever no foot is
  on the ground; during each contact a quintic that lands with the velocity of the preceding
  flight and takes off with the velocity the following flight needs, with zero force at IC
  and TO. The force is then a parabola over the contact whose impulse is exactly right
  (peaks of 2-4 body weights in running drills);
* walking drills: a loading hump per double support that peaks just after the trailing foot's
  toe-off, and a constant level below 1 g in single support, as the lower back of real
  walkers shows (IPOL L5 recordings, see :data:`WALK_HUMP_AFTER_TO_S`); with a heel strike
  the loading already rises before IC and its impulse does not grow with the length of the
  double support (see :func:`_heel_strike_hump`);
* start and end of a bout: a smooth push-off from quiet stance and a landing that settles
  back into it.

On top come a small impact transient at each IC (larger for heel strikes; zero net impulse
within the contact; in walking paid back by a rebound right after it, the dip before the
loading hump), braking then propulsion along the travel direction and medio-lateral
forces alternating by foot. The trunk also rotates a few degrees (pitch at the step
frequency, roll and yaw at the stride frequency); the sensor's offset from the centre of mass
adds the matching rigid-body accelerations, so that accelerometer and gyroscope agree.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from scipy.interpolate import CubicSpline

from sensorlab.simulate.kinematics import (
    CHEST_SENSOR_M,
    SACRUM_SENSOR_M,
    FloatArray,
    Piecewise,
    Rigid,
    State,
    Sway,
    add_to_component,
    product,
    quintic,
    rigid_point,
    state,
    window,
)
from sensorlab.simulate.schedule import Schedule, Support
from sensorlab.simulate.styles import DrillStyle
from sensorlab.units import G_MS2


def _choose_height(t0: float, t1: float, start: State, d1: float, a1: float) -> float:
    """End height of a quintic segment that keeps the ground force positive and gentle."""
    y0 = float(start.y[0])
    times = np.linspace(t0, t1, 41)
    best, best_cost = y0, math.inf
    for y1 in y0 + np.linspace(-0.15, 0.25, 81):
        force = G_MS2 + quintic(times, t0, t1, start, state([y1], [d1], [a1])).a[:, 0]
        cost = float(np.max(force)) + (1e3 if float(np.min(force)) < -1e-6 else 0.0)
        if cost < best_cost:
            best, best_cost = float(y1), cost
    return best


def _intervals(schedule: Schedule, t_max: float) -> list[tuple[float, float, bool]]:
    """Every support of both feet as (start, end, is_stance), sorted."""
    out = []
    for foot in schedule.feet.values():
        for s in foot:
            out.append(
                (s.start_s if s.landing else -1.0, s.end_s if s.lift else t_max, not s.is_contact)
            )
    return sorted(out)


def _com_height_flight(
    schedule: Schedule, t_max: float
) -> tuple[Piecewise, list[tuple[float, float]], list[tuple[float, float]]]:
    merged: list[list[float]] = []
    stance: list[bool] = []
    for a, b, is_stance in _intervals(schedule, t_max):
        if merged and a <= merged[-1][1] + 1e-9:
            merged[-1][1] = max(merged[-1][1], b)
            stance[-1] = stance[-1] or is_stance
        else:
            merged.append([a, b])
            stance.append(is_stance)
    g = G_MS2
    keys: list[tuple[float, State]] = []
    launches: list[tuple[float, float]] = []
    settles: list[tuple[float, float]] = []
    z = 0.0
    for k, (s, e) in enumerate(merged):
        v_in = g * (s - merged[k - 1][1]) / 2.0 if k > 0 else 0.0
        v_out = g * (merged[k + 1][0] - e) / 2.0 if k + 1 < len(merged) else 0.0
        if stance[k]:
            if k > 0:
                settle = min(0.45, 0.4 * (e - s))
                first = state([z], [-v_in], [-g])
                keys.append((s, first))
                z = _choose_height(s, s + settle, first, 0.0, 0.0)
                keys.append((s + settle, state([z])))
                settles.append((s, s + settle))
            else:
                keys.append((s, state([z])))
            if k + 1 < len(merged):
                prep = min(0.4, 0.4 * (e - s))
                ready = state([z])
                keys.append((e - prep, ready))
                z = _choose_height(e - prep, e, ready, v_out, -g)
                keys.append((e, state([z], [v_out], [-g])))
                launches.append((e - prep, e))
            else:
                keys.append((e, state([z])))
        else:
            keys.append((s, state([z], [-v_in], [-g])))
            z += (e - s) * (v_out - v_in) / 2.0
            keys.append((e, state([z], [v_out], [-g])))
    height = Piecewise(1)
    for (ta, sa), (tb, sb) in itertools.pairwise(keys):
        height.add(ta, tb, sa, sb)
    return height, launches, settles


def _double_supports(schedule: Schedule) -> list[tuple[float, float]]:
    left = [(s.start_s, s.end_s) for s in schedule.feet["left"]]
    right = [(s.start_s, s.end_s) for s in schedule.feet["right"]]
    out = []
    i = j = 0
    while i < len(left) and j < len(right):
        a = max(left[i][0], right[j][0])
        b = min(left[i][1], right[j][1])
        if b > a:
            out.append((a, b))
        if left[i][1] < right[j][1]:
            i += 1
        else:
            j += 1
    return out


WALK_LOADING_PEAK_MS2 = 4.5
"""Rise of the walking loading hump above the single-support level, for ``com_amp_m`` 0.02 m.

IPOL L5 recordings (19 adults, 3115 steps, medians): the hump is +3.0 m/s² above g and the
single-support level -1.5 m/s² below it. A heel-strike hump keeps the impulse of the standard
one, so it is lower than this after a longer double support (:func:`_heel_strike_hump`).
"""

WALK_HUMP_AFTER_TO_S = 0.03
"""Time from the trailing foot's toe-off to the top of the walking loading hump, in s.

IPOL L5 recordings: median 30 ms (IQR 10-50 ms) after the other foot's reference toe-off.
"""

WALK_REBOUND_S = 0.07
"""Duration of the rebound that pays back the heel-strike transient in walking, in s."""

WALK_HUMP_RISE_S = 0.25
"""Rise time of the walking loading hump to its top, in s."""

WALK_HUMP_FALL_S = 0.10
"""Fall time of the walking loading hump back to the single-support level, in s."""

WALK_LOADING_LEAD_S = 0.15
"""How long before a heel strike the walking loading starts to rise, in s.

The trailing leg's push-off already loads the trunk before the leading heel lands. IPOL L5
recordings (2854 steps, medians; 20 Hz vertical specific force): the rise passes 10 % of the
way from the single-support level to the loading hump 110 ms before IC (IQR 80-150 ms); a
raised-cosine rise over 150 ms passes it about 110 ms before its end.
"""

WALK_LOADING_AT_IC = 0.56
"""Fraction of the way from the single-support level to the loading hump reached at a heel strike.

IPOL L5 recordings: 0.56 (median, IQR 0.38-0.80) 10 ms before IC, before the heel-strike
transient.
"""


def _walking_bouts(
    schedule: Schedule,
) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """Push-off (launch) and settling spans of each walking bout, in s."""
    launches = [(b.start_s - 0.1, b.start_s + 0.4) for b in schedule.bouts]
    settles = [(b.end_s - 0.3, b.end_s + 0.3) for b in schedule.bouts]
    return launches, settles


def _heel_strike_hump(t: FloatArray, ic_s: float, other_to_s: float) -> FloatArray:
    """Loading of one heel-strike double support, in units of the standard hump.

    The loading rises over :data:`WALK_LOADING_LEAD_S` to :data:`WALK_LOADING_AT_IC` at the
    heel strike ``ic_s``, climbs on to the top :data:`WALK_HUMP_AFTER_TO_S` after the trailing
    foot's toe-off ``other_to_s`` and falls back over :data:`WALK_HUMP_FALL_S`. Its area is that
    of the standard hump (a :data:`WALK_HUMP_RISE_S` rise and a :data:`WALK_HUMP_FALL_S`
    fall): the vertical impulse that turns the centre of mass's fall into a rise does not grow
    with the length of the double support, so a longer double support loads the trunk less
    high. IPOL L5 recordings: within a trial, the loading peak (Gaussian, sigma 100 ms) moves
    0.29 ms per ms of longer double support (2872 steps); with the hump's full height tied to
    the toe-off it moved 1.11 ms per ms.

    Parameters
    ----------
    t : ndarray, shape (n,)
        Sorted times in s.
    ic_s : float
        Heel strike of the leading foot (start of the double support), in s.
    other_to_s : float
        Toe-off of the trailing foot (end of the double support), in s.

    Returns
    -------
    ndarray, shape (n,)
        The loading, dimensionless (1 is the top of a standard hump); its integral over time
        is ``(WALK_HUMP_RISE_S + WALK_HUMP_FALL_S) / 2`` s.
    """
    top = other_to_s + WALK_HUMP_AFTER_TO_S
    hump = np.zeros(t.shape[0])
    start = ic_s - WALK_LOADING_LEAD_S
    lead = (t >= start) & (t < ic_s)
    hump[lead] = (
        WALK_LOADING_AT_IC * 0.5 * (1.0 - np.cos(math.pi * (t[lead] - start) / WALK_LOADING_LEAD_S))
    )
    climb = (t >= ic_s) & (t < top)
    hump[climb] = WALK_LOADING_AT_IC + (1.0 - WALK_LOADING_AT_IC) * 0.5 * (
        1.0 - np.cos(math.pi * (t[climb] - ic_s) / (top - ic_s))
    )
    fall = (t >= top) & (t < top + WALK_HUMP_FALL_S)
    hump[fall] = 0.5 * (1.0 + np.cos(math.pi * (t[fall] - top) / WALK_HUMP_FALL_S))
    # the area of the three raised-cosine pieces, in closed form (independent of the time grid)
    climb_s = top - ic_s
    area_s = (
        0.5 * WALK_LOADING_AT_IC * WALK_LOADING_LEAD_S
        + 0.5 * (1.0 + WALK_LOADING_AT_IC) * climb_s
        + 0.5 * WALK_HUMP_FALL_S
    )
    return hump * (0.5 * (WALK_HUMP_RISE_S + WALK_HUMP_FALL_S) / area_s)


def _walking_vertical_force(schedule: Schedule, style: DrillStyle, t: FloatArray) -> FloatArray:
    """Vertical ground reaction force per unit mass minus g in walking, shape (n,), m/s².

    Each double support loads the trunk with a hump that rises over
    :data:`WALK_HUMP_RISE_S` (with a heel strike: from :data:`WALK_LOADING_LEAD_S` before
    IC, see :func:`_heel_strike_hump`), peaks :data:`WALK_HUMP_AFTER_TO_S` after the trailing
    foot's toe-off and falls back over :data:`WALK_HUMP_FALL_S`; between humps (single support) the
    force stays at a constant level below g that gives each bout zero net vertical impulse
    (tapered in and out over 0.3 s at the start and end of the bout).
    """
    force = np.zeros(t.shape[0])
    height = WALK_LOADING_PEAK_MS2 * style.com_amp_m / 0.02
    double = _double_supports(schedule)
    for bout in schedule.bouts:
        inner = [(a, b) for a, b in double if a > bout.start_s + 1e-6 and b < bout.end_s - 1e-6]
        humps = np.zeros(t.shape[0])
        for a, b in inner:
            if style.strike == "heel":
                humps += _heel_strike_hump(t, a, b)
                continue
            top = b + WALK_HUMP_AFTER_TO_S
            rise = (t >= top - WALK_HUMP_RISE_S) & (t < top)
            humps[rise] += 0.5 * (1.0 + np.cos(math.pi * (t[rise] - top) / WALK_HUMP_RISE_S))
            fall = (t >= top) & (t < top + WALK_HUMP_FALL_S)
            humps[fall] += 0.5 * (1.0 + np.cos(math.pi * (t[fall] - top) / WALK_HUMP_FALL_S))
        taper = np.clip((t - bout.start_s) / 0.3, 0.0, 1.0) * np.clip(
            (bout.end_s - t) / 0.3, 0.0, 1.0
        )
        taper = 0.5 * (1.0 - np.cos(math.pi * taper))
        dt = np.gradient(t)
        area = float(np.sum(humps * dt))
        level = area / max(float(np.sum(taper * dt)), 1e-9)
        force += height * (humps - level * taper)
    return force


def _pulse(t: FloatArray, t0: float, width: float) -> tuple[slice, FloatArray]:
    """Unit-area sin² pulse on [t0, t0 + width] as (slice of the sorted times t, values)."""
    i0, i1 = np.searchsorted(t, [t0, t0 + width])
    u = t[i0:i1] - t0
    return slice(int(i0), int(i1)), (2.0 / width) * np.sin(math.pi * u / width) ** 2


def _ml_weights(schedule: Schedule) -> FloatArray:
    """Medio-lateral impulse of each contact, in units of one push: + right foot, - left foot.

    The first and last contact of a bout are adjusted so that the lateral velocity of the
    centre of mass oscillates around zero and is zero again at the end of the bout.
    """
    contacts = schedule.contacts
    weights = np.array([1.0 if c.side == "right" else -1.0 for c in contacts])
    bouts = np.array([c.bout for c in contacts])
    for b in np.unique(bouts):
        idx = np.flatnonzero(bouts == b)
        velocity = np.cumsum(weights[idx])
        offset = -float(np.mean(velocity))
        weights[idx[0]] += offset
        weights[idx[-1]] -= offset + float(velocity[-1])
    return weights


def _contact_forces(
    schedule: Schedule,
    style: DrillStyle,
    t: FloatArray,
    *,
    transients_ms: FloatArray,
    transient_width_s: float,
) -> FloatArray:
    """Transient, braking/propulsion and medio-lateral specific forces of every contact."""
    force = np.zeros((t.shape[0], 3))
    ml_weight = _ml_weights(schedule)
    ml_impulse = style.ml_peak_g * G_MS2 * 2.0 * schedule.contact_s / math.pi
    contacts = schedule.contacts
    starts = np.searchsorted(t, [c.start_s for c in contacts])
    stops = np.searchsorted(t, [c.end_s for c in contacts], side="right")
    for c, weight, impulse, i0, i1 in zip(
        contacts, ml_weight, transients_ms, starts, stops, strict=True
    ):
        if i0 >= i1:
            continue
        tc = c.duration_s
        u = (t[i0:i1] - c.start_s) / tc
        travel = np.asarray(c.travel)
        ml_axis = np.array([0.0, 1.0, 0.0]) if travel[0] != 0.0 else np.array([1.0, 0.0, 0.0])
        if schedule.pattern == "unilateral":
            ml = style.ml_peak_g * G_MS2 * np.sin(2.0 * math.pi * u)
        else:
            ml = weight * ml_impulse * math.pi / (2.0 * tc) * np.sin(math.pi * u)
        force[i0:i1] += -style.ap_peak_g * G_MS2 * np.sin(2.0 * math.pi * u)[:, None] * travel
        force[i0:i1] += ml[:, None] * ml_axis
        # impact transient, paid back (no net impulse): in walking by a rebound right after
        # it (the dip between the heel strike and the loading hump of real lower-back
        # signals), else over the contact
        width = min(transient_width_s, 0.6 * tc)
        sl, p1 = _pulse(t, c.start_s, width)
        force[sl, 2] += impulse * p1
        if schedule.pattern == "walking":
            sl, p2 = _pulse(t, c.start_s + width, WALK_REBOUND_S)
        else:
            sl, p2 = _pulse(t, c.start_s, tc)
        force[sl, 2] -= impulse * p2
    return force


def _phase_spline(contacts: list[Support], increment: float) -> CubicSpline:
    knots = np.array([c.start_s for c in contacts])
    phases = increment * np.arange(knots.size, dtype=np.float64)
    step = float(np.mean(np.diff(knots)))
    pad = np.arange(1, 5, dtype=np.float64)
    knots = np.concatenate([knots[0] - step * pad[::-1], knots, knots[-1] + step * pad])
    phases = np.concatenate(
        [phases[0] - increment * pad[::-1], phases, phases[-1] + increment * pad]
    )
    return CubicSpline(knots, phases, bc_type="natural")


def _oscillating(
    w: State, spline: CubicSpline, t: FloatArray, amp: float, offset: float, factor: float
) -> State:
    ph = factor * spline(t) + offset
    dph = factor * spline(t, 1)
    ddph = factor * spline(t, 2)
    s, c = np.sin(ph), np.cos(ph)
    osc = State(amp * s, amp * c * dph, amp * (c * ddph - s * dph**2))
    return product(w, osc)


class TrunkModel:
    """The sacrum or chest sensor, built once and evaluated at any times.

    Parameters
    ----------
    schedule : Schedule
        Supports of both feet.
    style : DrillStyle
        The drill's movement parameters.
    rng : numpy.random.Generator
        Random numbers for transient sizes and postural sway.
    chest : bool
        Chest instead of sacrum: transients 20 % weaker and wider, the thorax counter-rotates.
    """

    def __init__(
        self, schedule: Schedule, style: DrillStyle, rng: np.random.Generator, *, chest: bool
    ) -> None:
        self.schedule = schedule
        self.style = style
        self.chest = chest
        t_max = schedule.total_s + 10.0
        self._walking = schedule.pattern == "walking"
        if self._walking:
            launches, settles = _walking_bouts(schedule)
        else:
            self._height, launches, settles = _com_height_flight(schedule, t_max)
        self._pushes = []  # (start, width, velocity change) of the start and stop of each bout
        for bout, (la, lb), (sa, sb) in zip(schedule.bouts, launches, settles, strict=True):
            v = style.speed_ms * np.asarray(bout.travel)
            self._pushes += [(la, lb - la, v), (sa, sb - sa, -v)]
        n = len(schedule.contacts)
        size = 1.0 + 0.1 * np.clip(rng.standard_normal(n), -3.0, 3.0)
        self._transients_ms = style.transient_ms * (0.8 if chest else 1.0) * size
        self._transient_width_s = style.transient_width_ms * 1e-3 * (1.25 if chest else 1.0)
        self._amp = (
            math.radians(style.trunk_roll_deg) * (0.8 if chest else 1.0),
            math.radians(style.trunk_pitch_deg) * (0.7 if chest else 1.0),
            math.radians(style.trunk_yaw_deg) * (-0.6 if chest else 1.0),
        )
        self._stride_inc = {
            "walking": math.pi,
            "alternating": math.pi,
            "skip": 0.5 * math.pi,
            "unilateral": 2.0 * math.pi,
        }[schedule.pattern]
        contacts = schedule.contacts
        self._phases = [
            _phase_spline([c for c in contacts if c.bout == b.index], self._stride_inc)
            for b in schedule.bouts
        ]
        self._sway = tuple(Sway.draw(math.radians(a), rng) for a in (0.3, 0.3, 0.2))
        self._offset = CHEST_SENSOR_M if chest else SACRUM_SENSOR_M

    def com_specific_force(self, t: FloatArray) -> FloatArray:
        """Ground reaction force per unit mass (n, 3), world frame, in m/s²."""
        force = _contact_forces(
            self.schedule,
            self.style,
            t,
            transients_ms=self._transients_ms,
            transient_width_s=self._transient_width_s,
        )
        if self._walking:
            force[:, 2] += G_MS2 + _walking_vertical_force(self.schedule, self.style, t)
        else:
            force[:, 2] += G_MS2 + self._height.evaluate(t)[0].a[:, 0]
        for start, width, dv in self._pushes:
            sl, p = _pulse(t, start, width)
            force[sl] += p[:, None] * dv
        return force

    def angles(self, t: FloatArray) -> State:
        """Trunk (roll, pitch, yaw) in rad with their time derivatives, shape (n, 3)."""
        n = t.shape[0]
        ang = State(np.zeros((n, 3)), np.zeros((n, 3)), np.zeros((n, 3)))
        lean = math.radians(self.style.lean_deg)
        step_factor = 2.0 * math.pi / self._stride_inc
        for bout, spline in zip(self.schedule.bouts, self._phases, strict=True):
            lo, hi = np.searchsorted(t, [bout.start_s - 0.45, bout.end_s + 0.45])
            if lo >= hi:
                continue
            tt = t[lo:hi]
            rows = slice(int(lo), int(hi))
            w = State(*window(tt, bout.start_s, bout.end_s, 0.4))
            add_to_component(ang, 0, _oscillating(w, spline, tt, self._amp[0], 0.0, 1.0), rows)
            add_to_component(
                ang, 1, _oscillating(w, spline, tt, self._amp[1], 0.0, step_factor), rows
            )
            add_to_component(ang, 1, State(w.y * lean, w.d * lean, w.a * lean), rows)
            add_to_component(
                ang, 2, _oscillating(w, spline, tt, self._amp[2], 0.5 * math.pi, 1.0), rows
            )
        for k, sway in enumerate(self._sway):
            add_to_component(ang, k, sway.evaluate(t))
        return ang

    def signals(self, t: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Specific force (m/s²) and angular velocity (rad/s) of the sensor, trunk frame.

        Parameters
        ----------
        t : ndarray, shape (n,)
            Sorted times in s.

        Returns
        -------
        specific_force, omega : ndarray, shape (n, 3)
        """
        trunk = Rigid.from_angles(self.angles(t))
        _, _, lever = rigid_point(trunk.rot, trunk.omega, trunk.alpha, self._offset)
        world = self.com_specific_force(t) + lever
        return np.einsum("nji,nj->ni", trunk.rot, world), trunk.omega
