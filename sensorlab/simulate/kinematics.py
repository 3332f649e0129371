"""One kinematic model per body segment, from which both accelerometer and gyroscope derive.

Every segment (foot, shank, trunk) is a rigid body with an orientation ``R(t)`` given by
Z-Y-X Euler angles (yaw, pitch, roll) that are C2 functions of time, and a reference point
whose acceleration is known in closed form. The sensor's specific force is
``R^T (a_point + R (alpha x r + omega x (omega x r)) - g)`` and its angular rate is the body
angular velocity ``omega`` of the same ``R(t)``: accelerometer and gyroscope cannot disagree.

World frame: x forward, y left, z up; ``g = (0, 0, -9.80665)`` m/s². Segment frames at rest:
x forward, y left, z up (for the shank z runs from the ankle to the knee).

Foot: during a contact the contact point (heel or ball of the foot) is fixed on the ground
and the foot rolls about it; between contacts the ankle follows a quintic (C2) path plus
smooth bumps (foot lift, heel drawn back, circular pedaling path). The ankle arrives at
touch-down with a downward velocity that the ground removes within a few ms (a gamma-shaped
deceleration, then a damped 30-60 Hz oscillation of shoe and tissue).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from sensorlab.simulate.schedule import Schedule, Side, Support
from sensorlab.simulate.styles import DrillStyle
from sensorlab.units import G_MS2

FloatArray = NDArray[np.float64]

GRAVITY_MS2: FloatArray = np.array([0.0, 0.0, -G_MS2])
"""Gravitational acceleration in the world frame, in m/s²."""

SHANK_TAU_SCALE = 2.2
"""The shank's deceleration at touch-down is this much slower than the foot's (about half the
peak: soft tissue and the heel pad filter the transient)."""

SKIP_STEP_SHARE = 0.45
"""Skips: share of the shank's forward rotation done during the step (the rest in the hop)."""

IC_RATE_HEEL = 0.3
"""Heel strike: foot pitch rate at IC as a fraction of the mean rate of the heel rocker."""
IC_RATE_FOREFOOT = 0.8
"""Forefoot landing: heel-drop rate at IC as a fraction of the mean rate of the heel drop."""
TO_RATE = 2.2
"""Push-off: plantarflexion rate at TO as a multiple of the mean rate since heel-off."""
TO_RATE_BEFORE_HOP = 0.8
"""Skips: the same for the step contact, whose push-off only starts a short hop."""
STANCE_LANDING_PITCH_DEG = {"heel": -8.0, "forefoot": 10.0}
"""Foot pitch when it is put down into quiet stance after a bout."""
STANCE_SETTLE_S = 0.2
"""Time for the foot (and, x 1.5, the shank) to settle flat after that touch-down."""
STANCE_LIFT_PITCH_DEG = 25.0
"""Foot pitch when it leaves quiet stance at the start of a bout."""
HEEL_RISE_S = 0.25
"""Duration of the heel rise before the foot leaves quiet stance (x 1.2 for the shank)."""
STANCE_SHANK_DEG = (5.0, 20.0)
"""Shank angle when the foot touches down into stance and when it leaves it."""

FOOT_HEEL_M: FloatArray = np.array([-0.06, 0.0, -0.08])
"""Heel contact point in the foot frame (origin at the ankle joint), in m."""
FOOT_BALL_M: FloatArray = np.array([0.13, 0.0, -0.08])
"""Ball of the foot (first metatarsal head) in the foot frame, in m."""
FOOT_CENTRE_X_M = 0.035
"""Fore-aft position of the sole's centre in the foot frame, in m."""
FOOT_SENSOR_M: FloatArray = np.array([0.06, 0.0, -0.025])
"""Foot sensor (on the laces) in the foot frame, in m."""
SHANK_SENSOR_M: FloatArray = np.array([0.04, 0.0, 0.20])
"""Shank sensor (front of the tibia, 20 cm above the ankle) in the shank frame, in m."""
SACRUM_SENSOR_M: FloatArray = np.array([-0.08, 0.0, 0.0])
"""Sacrum sensor relative to the centre of mass, trunk frame, in m."""
CHEST_SENSOR_M: FloatArray = np.array([0.12, 0.0, 0.35])
"""Chest sensor (sternum) relative to the centre of mass, trunk frame, in m."""

_HERMITE = np.array(
    [
        [1.0, 0.0, 0.0, 0.0, 0.0, 0.0],
        [0.0, 1.0, 0.0, 0.0, 0.0, 0.0],
        [0.0, 0.0, 0.5, 0.0, 0.0, 0.0],
        [-10.0, -6.0, -1.5, 10.0, -4.0, 0.5],
        [15.0, 8.0, 1.5, -15.0, 7.0, -1.0],
        [-6.0, -3.0, -0.5, 6.0, -3.0, 0.5],
    ]
)
"""Maps (y0, D y0', D² y0'', y1, D y1', D² y1'') to the power coefficients of the quintic."""


class State(NamedTuple):
    """Value, first and second time derivative of a (vector) quantity."""

    y: FloatArray
    d: FloatArray
    a: FloatArray


def state(
    y: Sequence[float] | FloatArray,
    d: Sequence[float] | FloatArray | None = None,
    a: Sequence[float] | FloatArray | None = None,
) -> State:
    """Build a :class:`State`; missing derivatives are zero."""
    y_arr = np.asarray(y, dtype=np.float64)
    d_arr = np.zeros_like(y_arr) if d is None else np.asarray(d, dtype=np.float64)
    a_arr = np.zeros_like(y_arr) if a is None else np.asarray(a, dtype=np.float64)
    return State(y_arr, d_arr, a_arr)


class Bump(NamedTuple):
    """``amp * s^p (1-s)^q / max`` over a segment (zero value, slope and curvature at its ends)."""

    amp: FloatArray
    p: float
    q: float


def bump_exponents(peak_at: float) -> tuple[float, float]:
    """Exponents (p, q >= 3) of a bump whose maximum is at ``peak_at`` in (0, 1)."""
    s = min(max(peak_at, 0.1), 0.9)
    if s <= 0.5:
        return 3.0, 3.0 * (1.0 - s) / s
    return 3.0 * s / (1.0 - s), 3.0


def _bump_shape(s: FloatArray, p: float, q: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Normalised bump and its first two derivatives with respect to s."""
    s = np.clip(s, 1e-12, 1.0 - 1e-12)
    peak = p / (p + q)
    log_norm = p * math.log(peak) + q * math.log(1.0 - peak)
    b = np.exp(p * np.log(s) + q * np.log1p(-s) - log_norm)
    inv_s, inv_r = 1.0 / s, 1.0 / (1.0 - s)
    g1 = p * inv_s - q * inv_r
    return b, b * g1, b * (g1 * g1 - p * inv_s * inv_s - q * inv_r * inv_r)


def _bump_value(s: float, p: float, q: float) -> float:
    return float(_bump_shape(np.array([s]), p, q)[0][0])


def hermite_coefficients(t0: float, t1: float, start: State, end: State) -> FloatArray:
    """Power coefficients (6, dim) in s = (t - t0) / (t1 - t0) of the quintic through two states."""
    dur = t1 - t0
    data = np.stack([start.y, dur * start.d, dur**2 * start.a, end.y, dur * end.d, dur**2 * end.a])
    return np.asarray(_HERMITE @ data, dtype=np.float64)


_D1 = np.arange(1.0, 6.0)[:, None]
_D2 = np.array([2.0, 6.0, 12.0, 20.0])[:, None]


def _poly(coef: FloatArray, s: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Evaluate power coefficients (6, dim) at s (m,): value, d/ds and d²/ds², each (m, dim)."""
    powers = np.vander(s, 6, increasing=True)
    return powers @ coef, powers[:, :5] @ (_D1 * coef[1:]), powers[:, :4] @ (_D2 * coef[2:])


def quintic(t: FloatArray, t0: float, t1: float, start: State, end: State) -> State:
    """The quintic through ``start`` (at t0) and ``end`` (at t1), at times t (shape (m,)).

    Returns
    -------
    State
        Value and time derivatives, each of shape (m, dim); t may lie outside [t0, t1].
    """
    dur = t1 - t0
    y, d, dd = _poly(hermite_coefficients(t0, t1, start, end), (t - t0) / dur)
    return State(y, d / dur, dd / dur**2)


def state_on_quintic(t: float, t0: float, t1: float, start: State, end: State) -> State:
    """State at time t of the quintic through ``start`` (at t0) and ``end`` (at t1)."""
    y, d, dd = quintic(np.array([t]), t0, t1, start, end)
    return State(y[0], d[0], dd[0])


class Piecewise:
    """A C2 function of time made of quintic segments plus bumps.

    Segments are added in any order and must tile the time axis; consecutive segments are
    C2 when they share the state at their common end.

    Parameters
    ----------
    dim : int
        Number of components.
    """

    def __init__(self, dim: int) -> None:
        self.dim = dim
        self._t0: list[float] = []
        self._t1: list[float] = []
        self._coef: list[FloatArray] = []
        self._bumps: list[list[Bump]] = []

    def __len__(self) -> int:
        return len(self._t0)

    def add(
        self, t0: float, t1: float, start: State, end: State, bumps: Sequence[Bump | None] = ()
    ) -> int:
        """Add the segment [t0, t1] from ``start`` to ``end``; return its index."""
        if not t1 > t0:
            raise ValueError(f"segment must have t1 > t0, found [{t0}, {t1}]")
        self._t0.append(t0)
        self._t1.append(t1)
        self._coef.append(hermite_coefficients(t0, t1, start, end))
        self._bumps.append([b for b in bumps if b is not None and np.any(b.amp)])
        return len(self._t0) - 1

    def hold(self, t0: float, t1: float, value: FloatArray) -> int:
        """Add a constant segment."""
        s = state(value)
        return self.add(t0, t1, s, s)

    def evaluate(self, t: FloatArray) -> tuple[State, NDArray[np.intp]]:
        """Evaluate at times t (sorted).

        Returns
        -------
        State
            Value, first and second derivative, each of shape (n, dim).
        ndarray of int, shape (n,)
            Index (in order of :meth:`add`) of the segment of each time.
        """
        t0 = np.asarray(self._t0)
        order = np.argsort(t0, kind="stable")
        t0s = t0[order]
        t1s = np.asarray(self._t1)[order]
        if np.any(np.abs(t0s[1:] - t1s[:-1]) > 1e-9):
            gap = int(np.argmax(np.abs(t0s[1:] - t1s[:-1]) > 1e-9))
            raise RuntimeError(f"segments do not tile the time axis near t={t1s[gap]:.6f} s")
        n = t.shape[0]
        y = np.empty((n, self.dim))
        d = np.empty((n, self.dim))
        dd = np.empty((n, self.dim))
        seg = np.empty(n, dtype=np.intp)
        starts = np.searchsorted(t, t0s, side="left")
        starts[0] = 0
        stops = np.append(starts[1:], n)
        for j, (i0, i1) in enumerate(zip(starts.tolist(), stops.tolist(), strict=True)):
            if i1 <= i0:
                continue
            k = int(order[j])
            seg[i0:i1] = k
            coef = self._coef[k]
            if not self._bumps[k] and not np.any(coef[1:]):  # constant: fast path
                y[i0:i1] = coef[0]
                d[i0:i1] = 0.0
                dd[i0:i1] = 0.0
                continue
            dur = t1s[j] - t0s[j]
            s = np.clip((t[i0:i1] - t0s[j]) / dur, 0.0, 1.0)
            yy, d1, d2 = _poly(coef, s)
            for bump in self._bumps[k]:
                b0, b1, b2 = _bump_shape(s, bump.p, bump.q)
                yy += b0[:, None] * bump.amp
                d1 += b1[:, None] * bump.amp
                d2 += b2[:, None] * bump.amp
            y[i0:i1] = yy
            d[i0:i1] = d1 / dur
            dd[i0:i1] = d2 / dur**2
        return State(y, d, dd), seg


# --------------------------------------------------------------------------- rotations


def rotation_zyx(angles: FloatArray) -> FloatArray:
    """Rotation matrices (n, 3, 3) from Euler angles (n, 3) = (roll, pitch, yaw) in rad.

    ``R = Rz(yaw) Ry(pitch) Rx(roll)`` maps segment-frame vectors to the world frame.
    """
    cr, sr = np.cos(angles[:, 0]), np.sin(angles[:, 0])
    cp, sp = np.cos(angles[:, 1]), np.sin(angles[:, 1])
    cy, sy = np.cos(angles[:, 2]), np.sin(angles[:, 2])
    rot = np.empty((angles.shape[0], 3, 3))
    rot[:, 0, 0] = cy * cp
    rot[:, 0, 1] = cy * sp * sr - sy * cr
    rot[:, 0, 2] = cy * sp * cr + sy * sr
    rot[:, 1, 0] = sy * cp
    rot[:, 1, 1] = sy * sp * sr + cy * cr
    rot[:, 1, 2] = sy * sp * cr - cy * sr
    rot[:, 2, 0] = -sp
    rot[:, 2, 1] = cp * sr
    rot[:, 2, 2] = cp * cr
    return rot


def body_rates(angles: State) -> tuple[FloatArray, FloatArray]:
    """Body angular velocity and acceleration (n, 3), rad/s and rad/s², from Euler angles.

    Parameters
    ----------
    angles : State
        (roll, pitch, yaw) in rad with their first and second time derivatives, shape (n, 3).

    Returns
    -------
    omega, alpha : ndarray, shape (n, 3)
        Angular velocity and its time derivative, in the segment frame.
    """
    r, p = angles.y[:, 0], angles.y[:, 1]
    dr, dp, dy = angles.d[:, 0], angles.d[:, 1], angles.d[:, 2]
    ddr, ddp, ddy = angles.a[:, 0], angles.a[:, 1], angles.a[:, 2]
    cr, sr, cp, sp = np.cos(r), np.sin(r), np.cos(p), np.sin(p)
    omega = np.stack([dr - dy * sp, dp * cr + dy * sr * cp, -dp * sr + dy * cr * cp], axis=1)
    alpha = np.stack(
        [
            ddr - ddy * sp - dy * cp * dp,
            ddp * cr - dp * sr * dr + ddy * sr * cp + dy * (cr * dr * cp - sr * sp * dp),
            -ddp * sr - dp * cr * dr + ddy * cr * cp + dy * (-sr * dr * cp - cr * sp * dp),
        ],
        axis=1,
    )
    return omega, alpha


def _cross(a: FloatArray, b: FloatArray) -> FloatArray:
    """Row-wise cross product of (n, 3) arrays."""
    out = np.empty(np.broadcast_shapes(a.shape, b.shape))
    out[:, 0] = a[:, 1] * b[:, 2] - a[:, 2] * b[:, 1]
    out[:, 1] = a[:, 2] * b[:, 0] - a[:, 0] * b[:, 2]
    out[:, 2] = a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]
    return out


def rigid_point(
    rot: FloatArray, omega: FloatArray, alpha: FloatArray, r: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """World-frame offset, velocity and acceleration of a body-fixed point relative to the origin.

    Parameters
    ----------
    rot : ndarray, shape (n, 3, 3)
        Segment orientation.
    omega, alpha : ndarray, shape (n, 3)
        Body angular velocity (rad/s) and acceleration (rad/s²), segment frame.
    r : ndarray, shape (3,) or (n, 3)
        The point in the segment frame, in m.
    """
    r_b = np.broadcast_to(r, omega.shape)
    w_r = _cross(omega, r_b)
    acc_b = _cross(alpha, r_b) + _cross(omega, w_r)
    return (
        np.einsum("nij,nj->ni", rot, r_b),
        np.einsum("nij,nj->ni", rot, w_r),
        np.einsum("nij,nj->ni", rot, acc_b),
    )


class Rigid(NamedTuple):
    """Orientation (n, 3, 3), angular velocity and acceleration (n, 3) of a segment."""

    rot: FloatArray
    omega: FloatArray
    alpha: FloatArray

    @classmethod
    def from_angles(cls, angles: State) -> Rigid:
        """From (roll, pitch, yaw) Euler angles with their time derivatives."""
        omega, alpha = body_rates(angles)
        return cls(rotation_zyx(angles.y), omega, alpha)


# --------------------------------------------------------------------------- smooth helpers


def smoothstep(x: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Quintic smooth step from 0 (x <= 0) to 1 (x >= 1) and its derivatives in x."""
    x = np.clip(x, 0.0, 1.0)
    return (
        x**3 * (10.0 - 15.0 * x + 6.0 * x**2),
        30.0 * x**2 * (1.0 - x) ** 2,
        60.0 * x * (1.0 - x) * (1.0 - 2.0 * x),
    )


def window(
    t: FloatArray, start: float, end: float, ramp: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Smooth 0-1-0 window that is 1 on [start, end] and ramps over ``ramp`` s outside."""
    up, up1, up2 = smoothstep((t - (start - ramp)) / ramp)
    dn, dn1, dn2 = smoothstep((t - end) / ramp)
    down, down1, down2 = 1.0 - dn, -dn1 / ramp, -dn2 / ramp**2
    up1, up2 = up1 / ramp, up2 / ramp**2
    return up * down, up1 * down + up * down1, up2 * down + 2.0 * up1 * down1 + up * down2


@dataclass(frozen=True)
class Sway:
    """Slow postural sway of one angle: two sinusoids at 0.15-0.6 Hz with random phases.

    Attributes
    ----------
    amp_rad : float
        Amplitude of each sinusoid (half the total), in rad.
    hz, phase : tuple of float
        Frequencies in Hz and phases in rad of the two sinusoids.
    """

    amp_rad: float
    hz: tuple[float, float]
    phase: tuple[float, float]

    @classmethod
    def draw(cls, amp_rad: float, rng: np.random.Generator) -> Sway:
        """A sway of total amplitude ``amp_rad`` with random frequencies and phases."""
        hz = rng.uniform(0.15, 0.6, size=2)
        phase = rng.uniform(0.0, 2.0 * math.pi, size=2)
        return cls(amp_rad / 2.0, (float(hz[0]), float(hz[1])), (float(phase[0]), float(phase[1])))

    def evaluate(self, t: FloatArray) -> State:
        """The sway angle and its derivatives at times t."""
        y = np.zeros_like(t)
        d = np.zeros_like(t)
        a = np.zeros_like(t)
        for hz, phase in zip(self.hz, self.phase, strict=True):
            w = 2.0 * math.pi * hz
            arg = w * t + phase
            sin = self.amp_rad * np.sin(arg)
            y += sin
            d += self.amp_rad * w * np.cos(arg)
            a -= w * w * sin
        return State(y, d, a)


# --------------------------------------------------------------------------- impacts


@dataclass(frozen=True)
class Impact:
    """A touch-down: the contact point's velocity is brought to zero by the ground.

    Attributes
    ----------
    t_s : float
        Initial contact in s.
    v_ms : ndarray, shape (3,)
        Velocity of the contact point just before the touch-down, world frame, in m/s.
    tau_s : float
        Time constant of the deceleration at the foot (its peak is this long after IC).
    ring_ratio, ring_hz, ring_decay_s : float
        Damped oscillation of shoe and tissue: amplitude relative to the deceleration peak,
        frequency, decay time.
    """

    t_s: float
    v_ms: FloatArray
    tau_s: float
    ring_ratio: float
    ring_hz: float
    ring_decay_s: float


def impact_acceleration(
    t: FloatArray,
    impacts: Sequence[Impact],
    *,
    tau_scale: float = 1.0,
    ring_scale: float = 1.0,
    hz_scale: float = 1.0,
) -> FloatArray:
    """World-frame acceleration (n, 3) of a segment caused by touch-downs, in m/s².

    The velocity jump ``-v`` at IC is spread over a gamma-shaped pulse
    ``u exp(-u/tau) / tau²`` (zero at IC, peak after ``tau``); the few millimetres of sole
    compression this leaves are recovered smoothly over the next 250 ms; a damped oscillation
    along the landing direction follows. Segments farther from the ground (shank) see a
    slower, hence lower, deceleration (``tau_scale`` > 1) and less ringing.

    Parameters
    ----------
    t : ndarray, shape (n,)
        Sorted times in s.
    impacts : sequence of Impact
        The touch-downs.
    tau_scale, ring_scale, hz_scale : float
        Attenuation of the transient for this segment.
    """
    out = np.zeros((t.shape[0], 3))
    recovery_s = 0.25
    for imp in impacts:
        tau = imp.tau_s * tau_scale
        speed = float(np.linalg.norm(imp.v_ms))
        if speed == 0.0:
            continue
        decay = imp.ring_decay_s * (1.0 + 0.5 * (tau_scale - 1.0))
        u0 = 4.0 * tau
        span = max(30.0 * tau, u0 + recovery_s, 20.0 * decay)
        i0, i1 = np.searchsorted(t, [imp.t_s, imp.t_s + span])
        if i0 >= i1:
            continue
        u = t[i0:i1] - imp.t_s
        v = imp.v_ms
        # deceleration pulse
        acc = -(u * np.exp(-u / tau) / tau**2)[:, None] * v
        # recovery of the compression 2 tau v
        _, _, s2 = smoothstep((u - u0) / recovery_s)
        acc += (2.0 * tau / recovery_s**2) * s2[:, None] * v
        # damped ringing
        if imp.ring_ratio > 0.0 and ring_scale > 0.0:
            w = 2.0 * math.pi * imp.ring_hz * hz_scale
            peak = speed / (math.e * tau)
            disp = imp.ring_ratio * ring_scale * peak / w**2
            env = np.exp(-u / decay)
            ring = (
                disp
                * env
                * (
                    (1.0 - np.cos(w * u)) / decay**2
                    - 2.0 * w * np.sin(w * u) / decay
                    + w * w * np.cos(w * u)
                )
            )
            acc += ring[:, None] * (-v / speed)
        out[i0:i1] += acc
    return out


# --------------------------------------------------------------------------- legs


def _rad(deg: float) -> float:
    return math.radians(deg)


class _Ends(NamedTuple):
    """Foot angles, ankle position and shank angles where a support begins or ends."""

    foot: State
    ankle: State
    shank: State


def _push_off_keys(
    t_to: float, angle_rad: float, rate_rads: float, lead_s: float, ratio: float
) -> list[tuple[float, float, float, float]]:
    """Pitch keys (t, angle, rate, acceleration) of a push-off whose rate peaks before TO.

    The rate is a parabola around its peak: it peaks ``lead_s`` before TO (``t_to``, s)
    at ``rate_rads / ratio`` and has fallen to ``rate_rads`` at TO, where the foot reaches
    ``angle_rad``. A lead of 0 puts the peak at TO.
    """
    if lead_s <= 0.0:
        return [(t_to, angle_rad, rate_rads, 0.0)]
    peak_rads = rate_rads / ratio
    fall = 1.0 - ratio
    angle_peak = angle_rad - peak_rads * lead_s * (1.0 - fall / 3.0)
    slope_to = -2.0 * fall * peak_rads / lead_s
    return [
        (t_to - lead_s, angle_peak, peak_rads, 0.0),
        (t_to, angle_rad, rate_rads, slope_to),
    ]


class _LegBuilder:
    """Builds the foot angles, the ankle path and the shank angles of one leg."""

    def __init__(
        self,
        schedule: Schedule,
        side: Side,
        style: DrillStyle,
        rng: np.random.Generator,
        t_max: float,
    ) -> None:
        self.schedule = schedule
        self.side = side
        self.style = style
        self.rng = rng
        self.t_max = t_max
        self.sign = 1.0 if side == "left" else -1.0
        self.yaw0 = self.sign * _rad(style.toe_out_deg)
        self.foot = Piecewise(3)
        self.ankle = Piecewise(3)
        self.rolling: dict[int, FloatArray] = {}
        self.shank = Piecewise(3)
        self.impacts: list[Impact] = []

    # -- supports --------------------------------------------------------------------------

    def _contact_point(self, sup: Support, name: str) -> tuple[FloatArray, FloatArray]:
        r = FOOT_HEEL_M if name == "heel" else FOOT_BALL_M
        cy, sy = math.cos(self.yaw0), math.sin(self.yaw0)
        dx = r[0] - FOOT_CENTRE_X_M
        c = np.array([sup.ground_xy_m[0] + cy * dx, sup.ground_xy_m[1] + sy * dx, 0.0])
        return r, c

    def _roll_sense(self, sup: Support) -> float:
        return sup.travel[1] if self.style.travel == "lateral" else 0.0

    def _foot_keys(
        self, sup: Support, before_hop: bool
    ) -> tuple[list[tuple[float, State]], list[tuple[float, float, str]]]:
        """Foot angle keyframes and rolling phases (t0, t1, contact point) of a support."""
        st = self.style
        start = sup.start_s if sup.landing else -1.0
        end = sup.end_s if sup.lift else self.t_max
        pitch: list[tuple[float, float, float, float]] = []  # t, angle, rate, acceleration
        phases: list[tuple[float, float, str]] = []
        roll0 = roll1 = 0.0
        if sup.kind == "stance":
            flat_from = start
            if sup.landing:
                th, dur = _rad(STANCE_LANDING_PITCH_DEG[st.strike]), STANCE_SETTLE_S
                if st.strike == "heel":
                    w, point = IC_RATE_HEEL * -th / dur, "heel"
                else:
                    w, point = -IC_RATE_FOREFOOT * th / dur, "ball"
                pitch += [(start, th, w, 0.0), (start + dur, 0.0, 0.0, 0.0)]
                phases.append((start, start + dur, point))
                flat_from = start + dur
            else:
                pitch.append((start, 0.0, 0.0, 0.0))
            if sup.lift:
                th = _rad(STANCE_LIFT_PITCH_DEG)
                pitch += [
                    (end - HEEL_RISE_S, 0.0, 0.0, 0.0),
                    (end, th, TO_RATE * th / HEEL_RISE_S, 0.0),
                ]
            else:
                pitch.append((end, 0.0, 0.0, 0.0))
            phases.append((flat_from, end, "ball"))
        else:
            tc = end - start
            sense = self._roll_sense(sup)
            roll0, roll1 = _rad(st.roll_ic_deg) * sense, _rad(st.roll_to_deg) * sense
            th_to, k_to = _rad(st.theta_to_deg), TO_RATE
            if before_hop and st.step_theta_to_deg is not None:
                th_to, k_to = _rad(st.step_theta_to_deg), TO_RATE_BEFORE_HOP
            th_ic = _rad(st.theta_ic_deg)
            if st.strike == "heel":
                t_ff = start + st.flat_frac * tc
                t_ho = start + st.heel_off_frac * tc
                ic_rate = IC_RATE_HEEL if st.ic_rate_heel is None else st.ic_rate_heel
                pitch += [
                    (start, th_ic, ic_rate * -th_ic / (t_ff - start), _rad(st.ic_pitch_acc_dps2)),
                    (t_ff, 0.0, 0.0, 0.0),
                    (t_ho, 0.0, 0.0, 0.0),
                ]
                pitch += _push_off_keys(
                    end,
                    th_to,
                    k_to * th_to / (end - t_ho),
                    st.to_peak_lead_ms * 1e-3,
                    st.to_peak_ratio,
                )
                t_switch = 0.5 * (t_ff + t_ho)
                phases += [(start, t_switch, "heel"), (t_switch, end, "ball")]
            else:
                th_min = _rad(st.theta_min_deg)
                t_min = start + st.flat_frac * tc
                pitch += [
                    (start, th_ic, -IC_RATE_FOREFOOT * (th_ic - th_min) / (t_min - start), 0.0),
                    (t_min, th_min, 0.0, 0.0),
                ]
                pitch += _push_off_keys(
                    end,
                    th_to,
                    k_to * (th_to - th_min) / (end - t_min),
                    st.to_peak_lead_ms * 1e-3,
                    st.to_peak_ratio,
                )
                phases.append((start, end, "ball"))
        rate = (roll1 - roll0) / (end - start)
        r_start = state([roll0], [rate])
        r_end = state([roll1], [rate])
        keys: list[tuple[float, State]] = []
        for tk, th, w, dw in pitch:
            r = state_on_quintic(tk, start, end, r_start, r_end)
            keys.append(
                (
                    tk,
                    State(
                        np.array([r.y[0], th, self.yaw0]),
                        np.array([r.d[0], w, 0.0]),
                        np.array([r.a[0], dw, 0.0]),
                    ),
                )
            )
        return keys, phases

    def _shank_keys(self, sup: Support, before_hop: bool) -> list[tuple[float, State]]:
        st = self.style
        start = sup.start_s if sup.landing else -1.0
        end = sup.end_s if sup.lift else self.t_max
        yaw = 0.5 * self.yaw0
        if sup.kind == "stance":
            land_b, lift_b = (_rad(x) for x in STANCE_SHANK_DEG)
            settle, rise = 1.5 * STANCE_SETTLE_S, 1.2 * HEEL_RISE_S
            keys: list[tuple[float, float, float]] = []
            keys.append((start, land_b if sup.landing else 0.0, 0.0))
            if sup.landing:
                keys.append((start + settle, 0.0, 0.0))
            if sup.lift:
                keys += [(end - rise, 0.0, 0.0), (end, lift_b, 1.5 * lift_b / rise)]
            else:
                keys.append((end, 0.0, 0.0))
            return [(tk, state([0.0, b, yaw], [0.0, w, 0.0])) for tk, b, w in keys]
        sense = self._roll_sense(sup)
        b0, b1 = _rad(st.beta_ic_deg), _rad(st.beta_to_deg)
        # skips: the shank keeps rotating forward through step, hop flight and hop
        if before_hop:
            b1 = b0 + SKIP_STEP_SHARE * (b1 - b0)
        elif sup.kind == "hop":
            b0 = b0 + SKIP_STEP_SHARE * (b1 - b0)
        r0, r1 = _rad(st.shank_roll_ic_deg) * sense, _rad(st.shank_roll_to_deg) * sense
        tc = end - start
        wb, wr = (b1 - b0) / tc, (r1 - r0) / tc
        return [
            (start, state([r0, b0, yaw], [wr, wb, 0.0])),
            (end, state([r1, b1, yaw], [wr, wb, 0.0])),
        ]

    def _rolling_state(self, ang: State, r: FloatArray, c: FloatArray) -> State:
        """Ankle position, velocity, acceleration while the foot rolls about point r on c."""
        foot = Rigid.from_angles(State(ang.y[None, :], ang.d[None, :], ang.a[None, :]))
        off, vel, acc = rigid_point(foot.rot, foot.omega, foot.alpha, r)
        return State(c - off[0], -vel[0], -acc[0])

    # -- swings -----------------------------------------------------------------------------

    def _swing(
        self, t0: float, t1: float, a: _Ends, b: _Ends, kind: str, travel: tuple[float, ...]
    ) -> None:
        """A swing from TO (state ``a``) to IC (state ``b``): ``kind`` is "step" or "hop"."""
        st = self.style
        foot0, ank0, shank0 = a
        foot1, ank1, shank1 = b
        jitter = 1.0 + 0.05 * float(np.clip(self.rng.standard_normal(), -3.0, 3.0))
        # foot angles
        bumps_f: list[Bump | None] = [None, None, None]
        if kind == "step" and st.theta_swing_deg is not None:
            p, q = bump_exponents(st.theta_swing_at)
            base = self._base_at(t0, t1, foot0, foot1, st.theta_swing_at)[1]
            bumps_f[0] = Bump(np.array([0.0, _rad(st.theta_swing_deg) * jitter - base, 0.0]), p, q)
        if kind == "step":
            roll_amp = _rad(st.roll_swing_deg) * (
                travel[1] if st.travel == "lateral" else self.sign
            )
            bumps_f[1] = Bump(np.array([roll_amp, 0.0, 0.0]), 3.0, 3.0)
            bumps_f[2] = Bump(np.array([0.0, 0.0, _rad(st.yaw_swing_deg) * self.sign]), 3.0, 3.0)
        self.foot.add(t0, t1, foot0, foot1, bumps_f)
        # ankle path
        bumps_a: list[Bump | None] = [None, None, None]
        lift_at = 3.0 / 7.0
        base_z = self._base_at(t0, t1, ank0, ank1, lift_at)[2]
        if kind == "step":
            target = st.lift_m * jitter
        else:
            # a short hop: the foot barely leaves the ground (ballistic apex g T^2 / 8 at most)
            apex = min(st.hop_lift_m, G_MS2 * (t1 - t0) ** 2 / 8.0) * jitter
            target = max(float(ank0.y[2]), float(ank1.y[2])) + apex
        if target > base_z:
            bumps_a[0] = Bump(np.array([0.0, 0.0, target - base_z]), 3.0, 4.0)
        if kind == "step" and st.travel != "lateral":
            fwd = np.array([1.0, 0.0, 0.0])
            if st.loop_back_m:
                bumps_a[1] = Bump(-st.loop_back_m * jitter * fwd, *bump_exponents(0.3))
            if st.loop_fwd_m:
                bumps_a[2] = Bump(st.loop_fwd_m * jitter * fwd, *bump_exponents(0.75))
        self.ankle.add(t0, t1, ank0, ank1, bumps_a)
        # shank angles
        bumps_s: list[Bump | None] = [None, None, None]
        if kind == "step":  # a hop's short flight keeps the shank's rotation going (no bump)
            sb0 = self._base_at(t0, t1, shank0, shank1, st.beta_flex_at)[1]
            sb1 = self._base_at(t0, t1, shank0, shank1, st.beta_ext_at)[1]
            pf, qf = bump_exponents(st.beta_flex_at)
            pe, qe = bump_exponents(st.beta_ext_at)
            mat = np.array(
                [
                    [1.0, _bump_value(st.beta_flex_at, pe, qe)],
                    [_bump_value(st.beta_ext_at, pf, qf), 1.0],
                ]
            )
            rhs = np.array([_rad(st.beta_flex_deg) * jitter - sb0, _rad(st.beta_ext_deg) - sb1])
            amp_f, amp_e = np.linalg.solve(mat, rhs)
            bumps_s[0] = Bump(np.array([0.0, amp_f, 0.0]), pf, qf)
            bumps_s[1] = Bump(np.array([0.0, amp_e, 0.0]), pe, qe)
            if st.shank_roll_swing_deg:
                amp_r = _rad(st.shank_roll_swing_deg) * travel[1]
                bumps_s[2] = Bump(np.array([amp_r, 0.0, 0.0]), 3.0, 3.0)
        self.shank.add(t0, t1, shank0, shank1, bumps_s)

    @staticmethod
    def _base_at(t0: float, t1: float, s0: State, s1: State, at: float) -> FloatArray:
        return state_on_quintic(t0 + at * (t1 - t0), t0, t1, s0, s1).y

    def _free_swing(self, a: _Ends, b: _Ends, sup0: Support, sup1: Support) -> None:
        """The free leg of a one-leg drill: held up and moving with the rhythm, lift to landing."""
        st = self.style
        t0, t1 = sup0.end_s, sup1.start_s
        foot0, ank0, shank0 = a
        foot1, ank1, shank1 = b
        period = self.schedule.mean_interval_s
        omega = 2.0 * math.pi / period
        xy0 = np.array(sup0.ground_xy_m)
        xy1 = np.array(sup1.ground_xy_m)
        v_body = (xy1 - xy0) / (t1 - t0)
        fwd = np.array([1.0, 0.0, 0.0])
        times = np.arange(t0 + 0.4, t1 - 0.4, period / 4.0)
        if times.size < 2:
            self._swing(t0, t1, a, b, "step", sup0.travel)
            return
        keys_f: list[State] = []
        keys_a: list[State] = []
        for tk in times:
            ph = omega * (tk - t0)
            body = np.array([*(xy0 + v_body * (tk - t0)), 0.0])
            vb = np.array([*v_body, 0.0])
            s, c = math.sin(ph), math.cos(ph)
            pos = (
                body
                + (st.free_x_m + st.free_dx_m * s) * fwd
                + np.array([0.0, 0.0, st.free_height_m + st.free_dz_m * c])
            )
            vel = (
                vb
                + st.free_dx_m * omega * c * fwd
                + np.array([0.0, 0.0, -st.free_dz_m * omega * s])
            )
            acc = -st.free_dx_m * omega**2 * s * fwd + np.array(
                [0.0, 0.0, -st.free_dz_m * omega**2 * c]
            )
            keys_a.append(State(pos, vel, acc))
            th = _rad(st.free_theta_deg + st.free_dtheta_deg * s)
            dth = _rad(st.free_dtheta_deg) * omega * c
            ddth = -_rad(st.free_dtheta_deg) * omega**2 * s
            keys_f.append(
                State(
                    np.array([0.0, th, self.yaw0]),
                    np.array([0.0, dth, 0.0]),
                    np.array([0.0, ddth, 0.0]),
                )
            )
        t_keys = [t0, *times.tolist(), t1]
        f_keys = [foot0, *keys_f, foot1]
        a_keys = [ank0, *keys_a, ank1]
        for i in range(len(t_keys) - 1):
            self.foot.add(t_keys[i], t_keys[i + 1], f_keys[i], f_keys[i + 1])
            self.ankle.add(t_keys[i], t_keys[i + 1], a_keys[i], a_keys[i + 1])
        held = state([0.0, _rad(st.free_theta_deg + 20.0), 0.5 * self.yaw0])
        self.shank.add(t0, times[0], shank0, held)
        self.shank.hold(float(times[0]), float(times[-1]), held.y)
        self.shank.add(float(times[-1]), t1, held, shank1)

    # -- whole leg --------------------------------------------------------------------------

    def build(self) -> None:
        """Lay out supports and swings of the leg."""
        st = self.style
        supports = self.schedule.feet[self.side]
        starts: list[_Ends] = []
        finals: list[_Ends] = []
        for i, sup in enumerate(supports):
            before_hop = i + 1 < len(supports) and supports[i + 1].kind == "hop"
            keys, phases = self._foot_keys(sup, before_hop)
            for (ta, sa), (tb, sb) in itertools.pairwise(keys):
                self.foot.add(ta, tb, sa, sb)
            for ta, tb, name in phases:
                r, _c = self._contact_point(sup, name)
                idx = self.ankle.hold(ta, tb, np.zeros(3))
                self.rolling[idx] = r
            shank_keys = self._shank_keys(sup, before_hop)
            for (ta, sa), (tb, sb) in itertools.pairwise(shank_keys):
                self.shank.add(ta, tb, sa, sb)
            r0, c0 = self._contact_point(sup, phases[0][2])
            r1, c1 = self._contact_point(sup, phases[-1][2])
            ank_start = self._rolling_state(keys[0][1], r0, c0)
            ank_end = self._rolling_state(keys[-1][1], r1, c1)
            ank_start = State(ank_start.y, ank_start.d + np.asarray(sup.v_land_ms), ank_start.a)
            starts.append(_Ends(keys[0][1], ank_start, shank_keys[0][1]))
            finals.append(_Ends(keys[-1][1], ank_end, shank_keys[-1][1]))
            if sup.landing:
                if sup.kind == "stance":
                    tau, ring = 3.5e-3, 0.15
                else:
                    tau, ring = st.impact_tau_ms * 1e-3, st.ring_ratio
                self.impacts.append(
                    Impact(
                        sup.start_s,
                        np.asarray(sup.v_land_ms, dtype=np.float64),
                        tau,
                        ring,
                        st.ring_hz,
                        st.ring_decay_ms * 1e-3,
                    )
                )
        for i in range(len(supports) - 1):
            a, b = supports[i], supports[i + 1]
            if a.kind == "stance" and b.kind == "stance":
                self._free_swing(finals[i], starts[i + 1], a, b)
            else:
                kind = "hop" if b.kind == "hop" else "step"
                travel = b.travel if b.is_contact else a.travel
                self._swing(a.end_s, b.start_s, finals[i], starts[i + 1], kind, travel)


class LegModel:
    """The foot or shank sensor of one leg, built once and evaluated at any times.

    Parameters
    ----------
    schedule : Schedule
        Supports of both feet.
    side : {"left", "right"}
        The leg.
    style : DrillStyle
        The drill's movement parameters.
    rng : numpy.random.Generator
        Random numbers for the swing-to-swing variability and the shank's postural sway.
    shank : bool
        The sensor is on the shank (else on the foot).
    """

    def __init__(
        self,
        schedule: Schedule,
        side: Side,
        style: DrillStyle,
        rng: np.random.Generator,
        *,
        shank: bool,
    ) -> None:
        self.schedule = schedule
        self.shank = shank
        self._legs = _LegBuilder(schedule, side, style, rng, schedule.total_s + 10.0)
        self._legs.build()
        n = len(self._legs.ankle)
        self._r_roll = np.zeros((n, 3))
        self._rolling = np.zeros(n, dtype=bool)
        for idx, r in self._legs.rolling.items():
            self._r_roll[idx] = r
            self._rolling[idx] = True
        self._sway = (Sway.draw(_rad(0.25), rng), Sway.draw(_rad(0.4), rng))

    @property
    def impacts(self) -> list[Impact]:
        """The leg's touch-downs."""
        return self._legs.impacts

    def foot_angles(self, t: FloatArray) -> State:
        """Foot (roll, pitch, yaw) in rad with their time derivatives, shape (n, 3)."""
        return self._legs.foot.evaluate(t)[0]

    def ankle_acceleration(self, t: FloatArray, foot: Rigid | None = None) -> FloatArray:
        """World acceleration (n, 3) of the ankle joint without touch-down transients, m/s².

        ``foot`` is the foot's orientation at t when already known.
        """
        if foot is None:
            foot = Rigid.from_angles(self.foot_angles(t))
        free, seg = self._legs.ankle.evaluate(t)
        _, _, acc_roll = rigid_point(foot.rot, foot.omega, foot.alpha, self._r_roll[seg])
        return np.where(self._rolling[seg][:, None], -acc_roll, free.a)

    def shank_angles(self, t: FloatArray) -> State:
        """Shank (roll, angle from vertical, yaw) in rad with derivatives, shape (n, 3)."""
        angles = self._legs.shank.evaluate(t)[0]
        standing = standing_envelope(self.schedule, t)
        for k, sway in enumerate(self._sway):
            add_to_component(angles, k, product(standing, sway.evaluate(t)))
        return angles

    def signals(self, t: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Specific force (m/s²) and angular velocity (rad/s) of the sensor, segment frame.

        Parameters
        ----------
        t : ndarray, shape (n,)
            Sorted times in s.

        Returns
        -------
        specific_force, omega : ndarray, shape (n, 3)
        """
        foot = Rigid.from_angles(self.foot_angles(t))
        if self.shank:
            segment = Rigid.from_angles(self.shank_angles(t))
            offset = SHANK_SENSOR_M
            impacts = impact_acceleration(
                t, self.impacts, tau_scale=SHANK_TAU_SCALE, ring_scale=0.4, hz_scale=0.6
            )
        else:
            segment = foot
            offset = FOOT_SENSOR_M
            impacts = impact_acceleration(t, self.impacts)
        _, _, lever = rigid_point(segment.rot, segment.omega, segment.alpha, offset)
        world = self.ankle_acceleration(t, foot) + lever + impacts - GRAVITY_MS2
        return np.einsum("nji,nj->ni", segment.rot, world), segment.omega


def standing_envelope(schedule: Schedule, t: FloatArray) -> State:
    """1 during quiet standing, 0 during bouts (0.3 s ramps), with its time derivatives."""
    y = np.ones_like(t)
    d = np.zeros_like(t)
    a = np.zeros_like(t)
    for bout in schedule.bouts:
        w, w1, w2 = window(t, bout.start_s, bout.end_s, 0.3)
        y -= w
        d -= w1
        a -= w2
    return State(y, d, a)


def product(f: State, g: State) -> State:
    """Product of two scalar functions of time with its derivatives."""
    return State(f.y * g.y, f.d * g.y + f.y * g.d, f.a * g.y + 2.0 * f.d * g.d + f.y * g.a)


def add_to_component(target: State, k: int, extra: State, rows: slice = slice(None)) -> None:
    """Add a scalar function of time (with derivatives) to component k of ``target``, in place."""
    target.y[rows, k] += extra.y
    target.d[rows, k] += extra.d
    target.a[rows, k] += extra.a
