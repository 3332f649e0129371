"""Synthetic drill recordings with the exact truth of every ground contact.

One kinematic model per body segment (foot, shank, trunk) gives both the accelerometer and the
gyroscope, so that they agree; the contact schedule of the drill's pattern gives the exact
initial contact and toe-off of every contact of both feet. Used by the tests of the contact
detectors, the demo recordings and the simulated BLE device.

Example
-------
>>> from sensorlab.simulate import SimulationConfig, simulate_set
>>> sim = simulate_set(SimulationConfig(drill="heels-to-glutes", placement="foot", seed=1))
>>> sim.truth.columns.tolist()
['side', 'ic_s', 'to_s', 'bout']
"""

from sensorlab.simulate.simulator import (
    SimulatedSet,
    SimulationConfig,
    simulate_set,
    stream_chunks,
    write_truth,
)

__all__ = ["SimulatedSet", "SimulationConfig", "simulate_set", "stream_chunks", "write_truth"]
