"""Regenerate the shipped sample recordings in recordings/ (all simulated, marked so).

Usage: python tools/make_sample_recordings.py [--force]
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from sensorlab.io import write_recording
from sensorlab.simulate import SimulationConfig, simulate_set

OUT = Path(__file__).resolve().parents[1] / "recordings"

# (file stem, drill, placement, side, rate_hz, sets)
SAMPLES = [
    ("tiptoe-walk_foot", "tiptoe-walk", "foot", "right", 208.0, 1),
    ("low-skipping_foot", "low-skipping", "foot", "right", 416.0, 1),
    ("one-leg-skipping_foot", "one-leg-skipping", "foot", "right", 416.0, 1),
    ("side-run_foot-left", "side-run", "foot", "left", 416.0, 1),
    ("side-run_foot-right", "side-run", "foot", "right", 416.0, 1),
    ("high-skipping_shank", "high-skipping", "shank", "right", 416.0, 1),
    ("heels-to-glutes_foot", "heels-to-glutes", "foot", "right", 416.0, 2),
    ("multi-jumps_foot", "multi-jumps", "foot", "right", 416.0, 1),
    ("one-leg-pedaling_foot", "one-leg-pedaling", "foot", "left", 416.0, 1),
    ("two-legged-pedaling_sacrum", "two-legged-pedaling", "sacrum", "right", 200.0, 1),
    ("back-run_foot", "back-run", "foot", "right", 416.0, 1),
]


def main(argv: list[str]) -> int:
    """Write every sample recording; existing files are kept unless --force."""
    force = "--force" in argv
    OUT.mkdir(exist_ok=True)
    for i, (stem, drill, placement, side, rate_hz, sets) in enumerate(SAMPLES):
        config = SimulationConfig(
            drill=drill,
            placement=placement,
            side=side,
            sampling_rate_hz=rate_hz,
            duration_s=10.0,
            bouts=sets,
            rest_s=6.0,
            standing_s=(1.5, 1.5),
            seed=100 + i,
        )
        if stem.startswith("side-run"):
            # both feet of one session: same seed, same leading foot, sensor on each foot
            config = replace(config, seed=100, leading_side="right")
        sim = simulate_set(config)
        rec = sim.recording
        extra = (
            {"athlete": "demo", "session": "side-run-demo"}
            if stem.startswith("side-run")
            else {"athlete": "demo"}
        )
        rec = rec.with_metadata(**extra)
        path = write_recording(rec, OUT / f"{stem}.csv", overwrite=force)
        print(f"{path.name}: {rec.n_samples} samples, {len(sim.truth)} contacts in truth")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
