"""Accuracy of the whole analysis chain on simulated sets with exact truth.

Every drill x placement (foot, shank, sacrum) x rate (100, 200, 400 Hz), random mounting,
realistic noise. These are the figures of the offline-analysis issue; the real-data
figures are in docs/validation.md.
"""

import numpy as np
import pytest

from sensorlab.analysis import analyze_recording
from sensorlab.drills import catalogue
from sensorlab.evaluation import match_contacts
from sensorlab.simulate import SimulationConfig, simulate_set

DRILLS = list(catalogue())
PLACEMENTS = ["foot", "shank", "sacrum"]
RATES_HZ = [100.0, 200.0, 400.0]
TOLERANCE_S = 0.05


def run_case(drill, placement, rate_hz, seed, **kw):
    sim = simulate_set(
        SimulationConfig(
            drill=drill,
            placement=placement,
            side="right",
            sampling_rate_hz=rate_hz,
            duration_s=15.0,
            mounting="random",
            seed=seed,
            **kw,
        )
    )
    result = analyze_recording(sim.recording)
    truth = sim.truth
    if placement in ("foot", "shank"):
        truth = truth[truth["side"] == "right"]
    det = result.contacts
    return result, match_contacts(
        np.array([c.ic_s for c in det]),
        np.array([c.to_s for c in det]),
        truth["ic_s"].to_numpy(),
        truth["to_s"].to_numpy(),
        tolerance_s=TOLERANCE_S,
    )


# Cases where the current detectors miss the offline-analysis issue's bar (recall and precision
# >= 99 %, foot contact-time MAE <= 5 ms at 400 Hz and <= 10 ms at 100 Hz) are listed here as
# strict xfails, not hidden: a listed case that starts passing fails, so the list only shrinks.
# None at present; docs/simulated_accuracy.md has every case's figures, CHANGELOG.md how each
# weak case was fixed.
KNOWN_WEAK: set[tuple[str, str, float]] = set()


def _cases():
    for drill in DRILLS:
        for placement in PLACEMENTS:
            for rate_hz in RATES_HZ:
                marks = []
                if (drill, placement, rate_hz) in KNOWN_WEAK:
                    marks.append(
                        pytest.mark.xfail(strict=True, reason="below the bar; see KNOWN_WEAK")
                    )
                yield pytest.param(
                    drill,
                    placement,
                    rate_hz,
                    marks=marks,
                    id=f"{drill}-{placement}-{rate_hz:.0f}Hz",
                )


@pytest.mark.parametrize(("drill", "placement", "rate_hz"), list(_cases()))
def test_recall_precision_and_contact_time(drill, placement, rate_hz):
    seed = DRILLS.index(drill) * 100 + PLACEMENTS.index(placement) * 10 + RATES_HZ.index(rate_hz)
    result, agreement = run_case(drill, placement, rate_hz, seed)
    stats = agreement.stats()
    assert agreement.recall >= 0.99, stats
    assert agreement.precision >= 0.99, stats
    assert result.drill.id == drill
    assert result.placement == placement
    if placement == "foot":
        limit_ms = {100.0: 10.0, 200.0: 7.5, 400.0: 5.0}[rate_hz]
        assert stats["contact_mae_ms"] <= limit_ms, stats
