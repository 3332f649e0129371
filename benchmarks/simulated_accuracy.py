"""Accuracy of the analysis chain on simulated drills (exact truth), one line per case.

Usage: python benchmarks/simulated_accuracy.py [DRILLS|all] [PLACEMENTS] [RATES_HZ] [METHOD]
e.g.   python benchmarks/simulated_accuracy.py all foot,shank,sacrum 100,200,400
"""

from __future__ import annotations

import sys

import numpy as np

from sensorlab.analysis import analyze_recording
from sensorlab.drills import catalogue
from sensorlab.evaluation import match_contacts
from sensorlab.simulate import SimulationConfig, simulate_set


def main(argv: list[str]) -> int:
    drills = argv[0].split(",") if argv and argv[0] != "all" else list(catalogue())
    places = argv[1].split(",") if len(argv) > 1 else ["foot", "shank", "sacrum"]
    rates = [float(r) for r in argv[2].split(",")] if len(argv) > 2 else [100.0, 200.0, 400.0]
    method = argv[3] if len(argv) > 3 else None
    seed = int(argv[4]) if len(argv) > 4 else 7
    failures = 0
    for d in drills:
        for p in places:
            for r in rates:
                sim = simulate_set(SimulationConfig(
                    drill=d, placement=p, side="right", sampling_rate_hz=r, duration_s=15,
                    mounting="random", seed=seed,
                ))
                res = analyze_recording(sim.recording, method=method)
                t = sim.truth
                if p in ("foot", "shank"):
                    t = t[t.side == "right"]
                c = res.contacts
                a = match_contacts(
                    np.array([x.ic_s for x in c]), np.array([x.to_s for x in c]),
                    t.ic_s.to_numpy(), t.to_s.to_numpy(), tolerance_s=0.05,
                )
                s = a.stats()
                ok = a.recall >= 0.99 and a.precision >= 0.99
                failures += not ok
                print(
                    f"{d:20s} {p:6s} {r:5.0f} n={a.n_reference:3d} det={a.n_detected:3d} "
                    f"R={s['recall_pct']:5.1f} P={s['precision_pct']:5.1f} "
                    f"IC b={s['ic_bias_ms']:6.1f} mae={s['ic_mae_ms']:5.1f} "
                    f"TO b={s['to_bias_ms']:6.1f} mae={s['to_mae_ms']:5.1f} "
                    f"CT mae={s['contact_mae_ms']:5.1f} sets={len(res.sets)}"
                    + ("" if ok else "  <<<"),
                    flush=True,
                )
    print(f"{failures} case(s) below 99 % recall or precision")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
