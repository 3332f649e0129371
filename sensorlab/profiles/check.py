"""Self-checks of a profile beyond schema validation: scripts render, examples decode."""

from __future__ import annotations

import numpy as np

from sensorlab.errors import SensorlabError
from sensorlab.profiles.model import Profile, Write
from sensorlab.profiles.units import to_canonical

EXAMPLE_RTOL = 1e-5
"""Relative tolerance of an example's first sample (float32 values, rounding of scales)."""


def check_profile(profile: Profile) -> list[str]:
    """Problems found by rendering every script and decoding every example.

    Parameters
    ----------
    profile : Profile
        A profile that passed schema validation.

    Returns
    -------
    list of str
        One message per problem; empty when the profile works.
    """
    problems: list[str] = []
    ranges = profile.acc_ranges_g or (None,)
    for rate in profile.nominal_rates_hz:
        for rng in ranges:
            params = profile.params(rate_hz=rate, range_g=rng)
            for key, script in (("start", profile.start_script), ("stop", profile.stop_script)):
                for i, step in enumerate(script):
                    if not isinstance(step, Write):
                        continue
                    try:
                        profile.render_write(step, params)
                    except SensorlabError as exc:
                        problems.append(f"{key}[{i}] at {rate:g} Hz: {exc.message}")
    for i, ex in enumerate(profile.examples):
        params = profile.default_params()
        params.update(ex.params)
        decoder = profile.make_decoder(params)
        try:
            blocks = decoder.feed(ex.role, bytes.fromhex(ex.hex))
        except SensorlabError as exc:
            problems.append(f"examples[{i}]: does not decode: {exc.message}")
            continue
        found = [b for b in blocks if b.channel == ex.channel]
        if not found:
            problems.append(f"examples[{i}]: no {ex.channel} samples decoded")
            continue
        got = found[0].values[0] / to_canonical(ex.channel, ex.unit)
        want = np.asarray(ex.first_sample, dtype=np.float64)
        if got.shape != want.shape or not np.allclose(got, want, rtol=EXAMPLE_RTOL, atol=1e-9):
            problems.append(
                f"examples[{i}]: first {ex.channel} sample decodes to "
                f"{np.round(got, 6).tolist()} {ex.unit}, expected {want.tolist()}"
            )
    return problems
