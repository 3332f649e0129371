from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sensorlab.errors import AnalysisError, UsageError
from sensorlab.signal.resample import (
    Segment,
    estimate_sampling_rate_hz,
    find_gaps,
    nominal_step_s,
    uniform_segments,
)


def jittered_time(n: int, *, rate_hz: float, jitter: float = 0.2, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    steps = (1.0 + rng.uniform(-jitter, jitter, n - 1)) / rate_hz
    return np.concatenate(([3.0], 3.0 + np.cumsum(steps)))


def with_gaps(time_s: np.ndarray, gaps: dict[int, float]) -> np.ndarray:
    """Shift every sample after index ``i`` by ``gaps[i]`` seconds."""
    shifted = time_s.copy()
    for index, extra_s in gaps.items():
        shifted[index + 1 :] += extra_s
    return shifted


def assert_inside_one_run(segment: Segment, time_s: np.ndarray, runs: list[tuple[int, int]]):
    assert (segment.start_index, segment.stop_index) in runs
    assert segment.time_s[0] == time_s[segment.start_index]
    assert segment.time_s[-1] <= time_s[segment.stop_index - 1]


def runs_between(bounds: list[int], n: int) -> list[tuple[int, int]]:
    edges = [0, *bounds, n]
    return list(itertools.pairwise(edges))


def test_nominal_step_and_rate_ignore_gaps() -> None:
    time_s = with_gaps(np.arange(1000) / 200.0, {100: 3.0, 500: 0.7})
    assert nominal_step_s(time_s) == pytest.approx(0.005)
    assert estimate_sampling_rate_hz(time_s) == pytest.approx(200.0)
    assert estimate_sampling_rate_hz(jittered_time(5000, rate_hz=416.0)) == pytest.approx(
        416.0, rel=0.02
    )


def test_nominal_step_needs_two_distinct_times() -> None:
    with pytest.raises(AnalysisError, match="expected at least two distinct sample times"):
        nominal_step_s([1.0, 1.0])
    with pytest.raises(UsageError, match=r"shape \(n_samples,\)"):
        nominal_step_s(np.zeros((3, 2)))


def test_find_gaps() -> None:
    time_s = with_gaps(np.arange(600) / 100.0, {99: 0.5, 300: 0.016})
    assert [g.index for g in find_gaps(time_s)] == [99, 300]  # 0.026 s > 2.5 x 0.01 s
    (gap,) = find_gaps(time_s, gap_factor=3.0)
    assert (gap.index, gap.start_s, gap.end_s) == (99, 0.99, 1.5)
    assert gap.duration_s == pytest.approx(0.51)
    assert gap.missing_samples == 50
    assert find_gaps(np.arange(100) / 100.0) == []
    with pytest.raises(UsageError, match="gap_factor > 1"):
        find_gaps(time_s, gap_factor=1.0)


def test_segments_never_span_a_gap() -> None:
    time_s = with_gaps(jittered_time(3000, rate_hz=100.0), {999: 2.0, 1999: 0.3})
    channels = np.column_stack([np.sin(time_s), np.cos(time_s), time_s])
    segments = uniform_segments(time_s, channels, sampling_rate_hz=100.0)
    runs = runs_between([1000, 2000], 3000)
    assert [(s.start_index, s.stop_index) for s in segments] == runs
    for segment in segments:
        assert_inside_one_run(segment, time_s, runs)
        assert segment.channels.shape == (segment.n_samples, 3)
        assert segment.sampling_rate_hz == 100.0


def test_grid_is_uniform_at_the_requested_rate() -> None:
    time_s = jittered_time(2000, rate_hz=52.0, jitter=0.4)
    (segment,) = uniform_segments(time_s, np.ones((2000, 1)), sampling_rate_hz=200.0)
    np.testing.assert_allclose(np.diff(segment.time_s), 1 / 200.0, rtol=0, atol=1e-9)
    assert segment.time_s[0] == time_s[0]
    assert time_s[-1] - 1 / 200.0 < segment.time_s[-1] <= time_s[-1]
    assert segment.duration_s == pytest.approx(segment.time_s[-1] - segment.time_s[0])


def test_linear_signal_is_preserved_exactly() -> None:
    time_s = with_gaps(jittered_time(1500, rate_hz=100.0, jitter=0.45), {700: 1.0})
    channels = np.column_stack([2.0 * time_s - 1.0, -0.5 * time_s, np.full(1500, 9.81)])
    for segment in uniform_segments(time_s, channels, sampling_rate_hz=333.0):
        t = segment.time_s
        expected = np.column_stack([2.0 * t - 1.0, -0.5 * t, np.full(t.size, 9.81)])
        np.testing.assert_allclose(segment.channels, expected, rtol=1e-12, atol=1e-12)


def test_interpolation_hits_samples_on_the_grid() -> None:
    time_s = np.arange(0, 300) / 100.0
    values = np.random.default_rng(3).normal(size=(300, 2))
    (segment,) = uniform_segments(time_s, values, sampling_rate_hz=50.0)
    np.testing.assert_allclose(segment.channels, values[::2], rtol=0, atol=1e-12)


def test_short_segments_are_dropped() -> None:
    time_s = with_gaps(np.arange(1000) / 100.0, {299: 1.0, 349: 1.0})
    segments = uniform_segments(time_s, np.zeros((1000, 1)), sampling_rate_hz=100.0)
    assert [(s.start_index, s.stop_index) for s in segments] == [(0, 300), (350, 1000)]
    segments = uniform_segments(
        time_s, np.zeros((1000, 1)), sampling_rate_hz=100.0, min_duration_s=0.0
    )
    assert len(segments) == 3
    assert (
        uniform_segments(time_s, np.zeros((1000, 1)), sampling_rate_hz=100.0, min_duration_s=100.0)
        == []
    )


def test_outputs_are_read_only_and_inputs_untouched() -> None:
    time_s = jittered_time(500, rate_hz=100.0)
    channels = np.ones((500, 2))
    before = time_s.copy(), channels.copy()
    (segment,) = uniform_segments(time_s, channels, sampling_rate_hz=100.0)
    with pytest.raises(ValueError, match="read-only"):
        segment.channels[0, 0] = 2.0
    np.testing.assert_array_equal(time_s, before[0])
    np.testing.assert_array_equal(channels, before[1])


@pytest.mark.parametrize(
    ("time_s", "channels", "rate_hz", "match"),
    [
        (np.arange(10) / 100, np.zeros((9, 1)), 100.0, "channels of shape"),
        (np.arange(10) / 100, np.zeros(10), 100.0, "channels of shape"),
        (np.arange(10) / 100, np.zeros((10, 1)), 0.0, "sampling_rate_hz > 0"),
        (np.arange(10) / 100, np.zeros((10, 1)), float("nan"), "sampling_rate_hz > 0"),
        (np.array([0.0, 0.01, 0.01, 0.02]), np.zeros((4, 1)), 100.0, "strictly increasing"),
        (np.array([0.0, 0.01, np.nan]), np.zeros((3, 1)), 100.0, "finite time_s"),
        (np.arange(3) / 100, np.array([[0.0], [np.inf], [0.0]]), 100.0, "finite channel"),
    ],
)
def test_bad_arguments(time_s: np.ndarray, channels: np.ndarray, rate_hz: float, match: str):
    with pytest.raises(UsageError, match=match):
        uniform_segments(time_s, channels, sampling_rate_hz=rate_hz)


def test_sampling_rate_is_required() -> None:
    with pytest.raises(TypeError):
        uniform_segments(np.arange(10) / 100, np.zeros((10, 1)))  # type: ignore[call-arg]


@st.composite
def irregular_with_gaps(draw: st.DrawFn) -> tuple[np.ndarray, list[int]]:
    """Irregular timestamps (jitter within +-40 %) with a few gaps of 5-500 nominal steps."""
    n = draw(st.integers(20, 400))
    step_s = draw(st.sampled_from([0.001, 0.0024, 0.01, 0.04]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    steps = step_s * rng.uniform(0.6, 1.4, n - 1)
    gap_at = sorted(draw(st.sets(st.integers(0, n - 2), max_size=6)))
    for index in gap_at:
        steps[index] = step_s * draw(st.floats(5.0, 500.0))
    start_s = draw(st.floats(-100.0, 100.0))
    return start_s + np.concatenate(([0.0], np.cumsum(steps))), gap_at


@settings(max_examples=200, deadline=None)
@given(
    data=irregular_with_gaps(),
    rate_hz=st.floats(10.0, 2000.0),
    min_duration_s=st.sampled_from([0.0, 0.05, 0.5]),
)
def test_property_segments_lie_within_one_gap_free_run(
    data: tuple[np.ndarray, list[int]], rate_hz: float, min_duration_s: float
) -> None:
    time_s, gap_at = data
    channels = np.column_stack([time_s, -3.0 * time_s])
    segments = uniform_segments(
        time_s, channels, sampling_rate_hz=rate_hz, min_duration_s=min_duration_s
    )
    runs = runs_between([g.index + 1 for g in find_gaps(time_s)], time_s.size)
    for segment in segments:
        assert_inside_one_run(segment, time_s, runs)
        # no inserted gap lies inside the part
        assert not any(segment.start_index <= g < segment.stop_index - 1 for g in gap_at)
        assert segment.duration_s >= min_duration_s - 1 / rate_hz
        np.testing.assert_allclose(np.diff(segment.time_s), 1 / rate_hz, rtol=1e-6)
        np.testing.assert_allclose(segment.channels[:, 0], segment.time_s, atol=1e-9)
        np.testing.assert_allclose(segment.channels[:, 1], -3.0 * segment.time_s, atol=1e-8)
    starts = [s.start_index for s in segments]
    assert starts == sorted(starts)


def test_short_dropouts_are_bridged_long_gaps_split() -> None:
    # 100 Hz for 4 s with 3 samples lost at 1 s (a 40 ms step) and 0.3 s lost at 2.5 s
    time_s = np.arange(0.0, 4.0, 0.01)
    lost = ((time_s > 1.0) & (time_s < 1.035)) | ((time_s > 2.5) & (time_s < 2.8))
    time_s = time_s[~lost]
    channels = np.column_stack([2.0 * time_s, np.ones_like(time_s)])
    strict = uniform_segments(time_s, channels, sampling_rate_hz=100.0, min_duration_s=0.0)
    bridged = uniform_segments(
        time_s, channels, sampling_rate_hz=100.0, min_duration_s=0.0, bridge_s=0.06
    )
    assert len(strict) == 3
    assert len(bridged) == 2
    first = bridged[0]
    assert first.time_s[0] == pytest.approx(0.0)
    assert first.time_s[-1] == pytest.approx(2.5)
    # the bridged dropout is interpolated on the same straight line, no step invented
    np.testing.assert_allclose(first.channels[:, 0], 2.0 * first.time_s, atol=1e-9)
    assert bridged[1].time_s[0] >= 2.8 - 1e-9


def test_bridge_must_not_be_negative() -> None:
    time_s = np.arange(0.0, 2.0, 0.01)
    with pytest.raises(UsageError, match="bridge_s"):
        uniform_segments(time_s, np.ones((time_s.size, 1)), sampling_rate_hz=100.0, bridge_s=-1)
