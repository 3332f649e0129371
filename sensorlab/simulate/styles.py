"""How each drill moves: the kinematic parameters of the simulator, one table per drill.

Angles are in degrees and follow the segment conventions of :mod:`sensorlab.simulate.kinematics`:

* foot pitch ``theta``: rotation about the foot's left (y) axis, positive = toes down
  (plantarflexed foot; 0 = sole flat on the ground);
* foot roll: rotation about the foot's forward (x) axis, positive = left edge up;
* shank angle ``beta``: shank axis (ankle to knee) from vertical, positive = knee ahead of the
  ankle (the shank leans forward over the foot; in swing the knee flexion makes it large).

Distances are in m, speeds in m/s, times in ms where the name says so.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from sensorlab.drills import Drill

Strike = Literal["heel", "forefoot"]
Travel = Literal["forward", "backward", "lateral"]


@dataclass(frozen=True)
class DrillStyle:
    """Movement parameters of one drill (defaults describe easy forefoot running).

    Attributes
    ----------
    speed_ms, travel : float, {"forward", "backward", "lateral"}
        Progression speed of the body during a bout and its direction.
    step_width_m : float
        Lateral distance between the contact lines of the two feet.
    toe_out_deg : float
        Foot progression angle (toes pointing outward).
    strike : {"heel", "forefoot"}
        Heel strike (heel rocker, flat foot, heel rise) or forefoot landing (heel slightly
        drops, then push-off).
    theta_ic_deg, theta_min_deg, theta_to_deg : float
        Foot pitch at initial contact, lowest pitch during a forefoot contact (heel drop), and
        pitch at toe-off.
    flat_frac, heel_off_frac : float
        Heel strike: fraction of the contact time at foot flat and at heel-off. Forefoot: time
        of the lowest pitch (``flat_frac``).
    ic_rate_heel : float or None
        Heel strike: foot pitch rate at IC as a fraction of the mean rate of the heel rocker
        (None: the simulator's default, ``kinematics.IC_RATE_HEEL``).
    ic_pitch_acc_dps2 : float
        Heel strike: foot pitch acceleration at IC, in deg/s² (the swing's rotation
        reversing as the heel meets the ground; positive = toward plantar flexion).
    to_peak_lead_ms, to_peak_ratio : float
        How long before TO the push-off's pitch rate peaks (0: at TO), and
        the rate at TO as a fraction of that peak.
    roll_ic_deg, roll_to_deg : float
        Foot roll at initial contact and toe-off, in the travel direction's sense (side-run).
    step_theta_to_deg : float or None
        Skip drills: pitch at the toe-off of the step contact that precedes the hop.
    v_down_ms, v_along_ms : float
        Velocity of the foot's contact point just before it touches down: downward component
        and component along the travel direction.
    impact_tau_ms : float
        Time constant of the foot's deceleration at touch-down (peak this long after IC).
    ring_ratio, ring_hz, ring_decay_ms : float
        Damped oscillation of shoe and tissue after touch-down: amplitude relative to the
        impact peak, frequency, decay time.
    lift_m : float
        Highest ankle height during swing.
    theta_swing_deg, theta_swing_at : float or None, float
        Extreme foot pitch in swing and where in the swing it occurs (fraction of swing).
    loop_back_m, loop_fwd_m : float
        Backward excursion of the foot early in swing and forward excursion late in swing
        (circular path of pedaling, heel drawn back in heels-to-glutes).
    roll_swing_deg, yaw_swing_deg : float
        Foot roll and yaw excursion in swing.
    hop_lift_m, hop_v_down_ms : float
        Skip drills: extra ankle lift during the hop and touch-down speed of the hop contact.
    beta_ic_deg, beta_to_deg : float
        Shank angle at initial contact and toe-off.
    beta_flex_deg, beta_flex_at, beta_ext_deg, beta_ext_at : float
        Shank angle at the largest knee flexion in swing, and at the knee extension before
        touch-down, with where in the swing they occur.
    shank_roll_ic_deg, shank_roll_to_deg, shank_roll_swing_deg : float
        Shank roll (side-run: the leg leans into the travel direction).
    lean_deg, trunk_pitch_deg, trunk_roll_deg, trunk_yaw_deg : float
        Forward lean of the trunk in the bout and amplitudes of its oscillations.
    ap_peak_g, ml_peak_g : float
        Peaks of the braking/propulsive and medio-lateral ground reaction force per contact,
        in body weights.
    transient_ms : float
        Impulse of the impact transient at the trunk per contact, in m/s (heel strike larger).
    transient_width_ms : float
        Width of that transient.
    com_amp_m : float
        Walking: half the vertical excursion of the centre of mass.
    free_height_m, free_x_m, free_dx_m, free_dz_m, free_theta_deg, free_dtheta_deg : float
        One-leg drills: where the free leg's ankle is held (height, fore-aft offset) and how
        much it moves with the rhythm; its pitch and pitch excursion.
    """

    speed_ms: float = 2.0
    travel: Travel = "forward"
    step_width_m: float = 0.18
    toe_out_deg: float = 7.0
    strike: Strike = "forefoot"
    theta_ic_deg: float = 15.0
    theta_min_deg: float = 4.0
    theta_to_deg: float = 38.0
    flat_frac: float = 0.35
    ic_rate_heel: float | None = None
    ic_pitch_acc_dps2: float = 0.0
    to_peak_lead_ms: float = 0.0
    to_peak_ratio: float = 1.0
    heel_off_frac: float = 0.35
    roll_ic_deg: float = 0.0
    roll_to_deg: float = 0.0
    step_theta_to_deg: float | None = None
    v_down_ms: float = 0.9
    v_along_ms: float = -0.2
    impact_tau_ms: float = 2.5
    ring_ratio: float = 0.2
    ring_hz: float = 50.0
    ring_decay_ms: float = 8.0
    lift_m: float = 0.3
    theta_swing_deg: float | None = 60.0
    theta_swing_at: float = 0.35
    loop_back_m: float = 0.0
    loop_fwd_m: float = 0.0
    roll_swing_deg: float = 5.0
    yaw_swing_deg: float = 3.0
    hop_lift_m: float = 0.03
    hop_v_down_ms: float = 0.35
    beta_ic_deg: float = 5.0
    beta_to_deg: float = 35.0
    beta_flex_deg: float = 70.0
    beta_flex_at: float = 0.35
    beta_ext_deg: float = -10.0
    beta_ext_at: float = 0.75
    shank_roll_ic_deg: float = 0.0
    shank_roll_to_deg: float = 0.0
    shank_roll_swing_deg: float = 0.0
    lean_deg: float = 3.0
    trunk_pitch_deg: float = 2.0
    trunk_roll_deg: float = 3.0
    trunk_yaw_deg: float = 4.0
    ap_peak_g: float = 0.25
    ml_peak_g: float = 0.06
    transient_ms: float = 0.05
    transient_width_ms: float = 35.0
    com_amp_m: float = 0.02
    free_height_m: float = 0.35
    free_x_m: float = 0.0
    free_dx_m: float = 0.15
    free_dz_m: float = 0.08
    free_theta_deg: float = 30.0
    free_dtheta_deg: float = 20.0


_BASE = DrillStyle()

STYLES: dict[str, DrillStyle] = {
    "run": replace(
        _BASE,
        speed_ms=3.3,
        strike="heel",
        theta_ic_deg=-12.0,
        theta_min_deg=0.0,
        theta_to_deg=35.0,
        flat_frac=0.18,
        heel_off_frac=0.45,
        v_down_ms=0.9,
        v_along_ms=0.5,
        impact_tau_ms=2.0,
        ring_ratio=0.35,
        ring_hz=45.0,
        lift_m=0.32,
        theta_swing_deg=70.0,
        theta_swing_at=0.3,
        loop_back_m=0.1,
        beta_ic_deg=-3.0,
        beta_to_deg=45.0,
        beta_flex_deg=95.0,
        beta_ext_deg=-15.0,
        lean_deg=6.0,
        trunk_roll_deg=4.0,
        trunk_yaw_deg=6.0,
        ap_peak_g=0.35,
        ml_peak_g=0.07,
        transient_ms=0.10,
        transient_width_ms=30.0,
    ),
    "walk": replace(
        _BASE,
        speed_ms=1.3,
        strike="heel",
        theta_ic_deg=-20.0,
        theta_min_deg=0.0,
        theta_to_deg=50.0,
        flat_frac=0.15,
        heel_off_frac=0.55,
        # Walking heel strike: the swing's rotation reverses at IC. Against motion capture
        # (gaitmap example, 57 contacts) the pitch rate's zero crossing is 4.5 ms after IC;
        # with the default 0.3 the simulated crossing came about 40 ms before IC.
        ic_rate_heel=0.0,
        # ... and reverses fast: on motion capture the rate passes zero at 4.9 deg/s per ms
        # (median; |rate| < 50 deg/s for 5 ms before IC); with zero acceleration at IC the
        # simulated rate crept up to zero for 35 ms.
        ic_pitch_acc_dps2=4900.0,
        # Walking push-off: the foot's rotation is already slowing when the toes leave.
        # Against motion capture (gaitmap example, 57 contacts) TO is 10 ms after the
        # pitch rate's peak (IQR 5-10), at 86 % of it, and the rate is down to 80 % of
        # the peak 15 ms after it; the simulated peak sat at TO and took 42 ms to fall
        # to 80 %.
        to_peak_lead_ms=10.0,
        to_peak_ratio=0.86,
        v_down_ms=0.3,
        v_along_ms=0.3,
        impact_tau_ms=3.0,
        ring_ratio=0.3,
        ring_hz=40.0,
        lift_m=0.2,
        theta_swing_deg=None,
        roll_swing_deg=3.0,
        beta_ic_deg=-8.0,
        beta_to_deg=45.0,
        beta_flex_deg=60.0,
        beta_flex_at=0.3,
        beta_ext_deg=-15.0,
        lean_deg=2.0,
        trunk_pitch_deg=1.5,
        trunk_roll_deg=4.0,
        trunk_yaw_deg=5.0,
        ap_peak_g=0.2,
        ml_peak_g=0.05,
        transient_ms=0.13,
        transient_width_ms=70.0,
        com_amp_m=0.02,
    ),
    "tiptoe-walk": replace(
        _BASE,
        # a walking toe-off, as measured for walking (see "walk"): the push-off rotation
        # has passed its peak when the toes leave
        to_peak_lead_ms=10.0,
        to_peak_ratio=0.86,
        speed_ms=1.0,
        theta_ic_deg=25.0,
        theta_min_deg=14.0,
        theta_to_deg=45.0,
        flat_frac=0.4,
        v_down_ms=0.25,
        v_along_ms=0.1,
        impact_tau_ms=3.0,
        ring_ratio=0.15,
        lift_m=0.16,
        theta_swing_deg=40.0,
        theta_swing_at=0.4,
        roll_swing_deg=3.0,
        beta_ic_deg=0.0,
        beta_to_deg=30.0,
        beta_flex_deg=45.0,
        beta_ext_deg=-5.0,
        lean_deg=0.0,
        trunk_pitch_deg=1.0,
        trunk_roll_deg=3.0,
        ap_peak_g=0.15,
        ml_peak_g=0.05,
        transient_ms=0.015,
        transient_width_ms=40.0,
        com_amp_m=0.015,
    ),
    "low-skipping": replace(
        _BASE,
        speed_ms=1.2,
        theta_ic_deg=12.0,
        theta_min_deg=5.0,
        theta_to_deg=30.0,
        step_theta_to_deg=20.0,
        v_down_ms=0.6,
        v_along_ms=0.0,
        lift_m=0.14,
        theta_swing_deg=35.0,
        theta_swing_at=0.4,
        hop_lift_m=0.02,
        hop_v_down_ms=0.3,
        beta_to_deg=25.0,
        beta_flex_deg=40.0,
        beta_flex_at=0.4,
        beta_ext_deg=0.0,
        trunk_pitch_deg=1.5,
        ap_peak_g=0.2,
        ml_peak_g=0.05,
        transient_ms=0.04,
    ),
    "high-skipping": replace(
        _BASE,
        speed_ms=1.6,
        theta_ic_deg=18.0,
        theta_min_deg=6.0,
        theta_to_deg=38.0,
        step_theta_to_deg=22.0,
        v_down_ms=1.4,
        v_along_ms=-0.2,
        ring_ratio=0.25,
        lift_m=0.45,
        theta_swing_deg=45.0,
        theta_swing_at=0.35,
        hop_lift_m=0.04,
        hop_v_down_ms=0.4,
        beta_to_deg=30.0,
        beta_flex_deg=50.0,
        beta_flex_at=0.3,
        beta_ext_deg=-12.0,
        beta_ext_at=0.8,
        lean_deg=2.0,
        trunk_yaw_deg=5.0,
        ap_peak_g=0.25,
        transient_ms=0.06,
    ),
    "one-leg-skipping": replace(
        _BASE,
        speed_ms=1.4,
        theta_ic_deg=15.0,
        theta_min_deg=5.0,
        theta_to_deg=38.0,
        v_down_ms=1.1,
        v_along_ms=-0.1,
        lift_m=0.3,
        theta_swing_deg=60.0,
        loop_back_m=0.08,
        loop_fwd_m=0.05,
        beta_flex_deg=70.0,
        trunk_yaw_deg=3.0,
        ap_peak_g=0.3,
        ml_peak_g=0.05,
        transient_ms=0.06,
    ),
    "side-run": replace(
        _BASE,
        speed_ms=1.5,
        travel="lateral",
        step_width_m=0.5,
        toe_out_deg=5.0,
        theta_ic_deg=10.0,
        theta_min_deg=4.0,
        theta_to_deg=22.0,
        roll_ic_deg=-6.0,
        roll_to_deg=12.0,
        v_down_ms=0.8,
        v_along_ms=0.2,
        lift_m=0.16,
        theta_swing_deg=25.0,
        theta_swing_at=0.4,
        roll_swing_deg=35.0,
        beta_ic_deg=5.0,
        beta_to_deg=15.0,
        beta_flex_deg=35.0,
        beta_flex_at=0.4,
        beta_ext_deg=0.0,
        shank_roll_ic_deg=-15.0,
        shank_roll_to_deg=20.0,
        shank_roll_swing_deg=25.0,
        trunk_pitch_deg=1.5,
        trunk_yaw_deg=3.0,
        ap_peak_g=0.3,
        ml_peak_g=0.05,
    ),
    "heels-to-glutes": replace(
        _BASE,
        speed_ms=1.4,
        theta_ic_deg=15.0,
        theta_min_deg=3.0,
        theta_to_deg=38.0,
        v_down_ms=0.9,
        v_along_ms=-0.2,
        lift_m=0.5,
        theta_swing_deg=135.0,
        theta_swing_at=0.42,
        loop_back_m=0.25,
        beta_to_deg=35.0,
        beta_flex_deg=115.0,
        beta_flex_at=0.4,
        beta_ext_deg=5.0,
        lean_deg=2.0,
        ap_peak_g=0.25,
    ),
    "multi-jumps": replace(
        _BASE,
        speed_ms=4.5,
        theta_ic_deg=15.0,
        theta_min_deg=3.0,
        theta_to_deg=42.0,
        v_down_ms=1.5,
        v_along_ms=-0.3,
        ring_ratio=0.25,
        lift_m=0.4,
        theta_swing_deg=80.0,
        loop_back_m=0.15,
        loop_fwd_m=0.1,
        beta_ic_deg=0.0,
        beta_to_deg=50.0,
        beta_flex_deg=100.0,
        beta_ext_deg=-20.0,
        lean_deg=8.0,
        trunk_pitch_deg=3.0,
        trunk_roll_deg=4.0,
        trunk_yaw_deg=6.0,
        ap_peak_g=0.5,
        ml_peak_g=0.08,
        transient_ms=0.08,
    ),
    "one-leg-pedaling": replace(
        _BASE,
        speed_ms=1.0,
        v_down_ms=0.9,
        v_along_ms=-0.3,
        lift_m=0.4,
        theta_swing_deg=90.0,
        theta_swing_at=0.35,
        loop_back_m=0.2,
        loop_fwd_m=0.15,
        beta_flex_deg=100.0,
        beta_ext_deg=-15.0,
        beta_ext_at=0.8,
        lean_deg=2.0,
        trunk_pitch_deg=1.5,
        trunk_yaw_deg=3.0,
        ml_peak_g=0.04,
        free_height_m=0.4,
        free_x_m=-0.1,
        free_dx_m=0.05,
        free_dz_m=0.03,
        free_theta_deg=50.0,
        free_dtheta_deg=10.0,
    ),
    "two-legged-pedaling": replace(
        _BASE,
        speed_ms=1.5,
        v_down_ms=0.8,
        v_along_ms=-0.3,
        lift_m=0.35,
        theta_swing_deg=85.0,
        theta_swing_at=0.35,
        loop_back_m=0.18,
        loop_fwd_m=0.12,
        beta_flex_deg=95.0,
        beta_ext_deg=-15.0,
        beta_ext_at=0.8,
        lean_deg=2.0,
    ),
    "back-run": replace(
        _BASE,
        speed_ms=2.2,
        travel="backward",
        theta_ic_deg=18.0,
        theta_min_deg=4.0,
        theta_to_deg=35.0,
        v_down_ms=0.8,
        v_along_ms=0.2,
        lift_m=0.25,
        theta_swing_deg=75.0,
        theta_swing_at=0.4,
        beta_ic_deg=20.0,
        beta_to_deg=-5.0,
        beta_flex_deg=70.0,
        beta_flex_at=0.4,
        beta_ext_deg=15.0,
        lean_deg=-3.0,
        ap_peak_g=0.3,
    ),
}

_BY_PATTERN = {
    "walking": "walk",
    "alternating": "run",
    "skip": "low-skipping",
    "unilateral": "one-leg-skipping",
}


def style_for(drill: Drill) -> DrillStyle:
    """Return the movement parameters of a drill.

    Parameters
    ----------
    drill : Drill
        A drill of the catalogue. Drills without their own table (added to the catalogue
        later) move like the reference drill of their contact pattern.

    Returns
    -------
    DrillStyle
        The drill's parameters.
    """
    return STYLES.get(drill.id, STYLES[_BY_PATTERN[drill.pattern]])
