"""Per-sample times, acc/gyro pairing and scan matching of the collector."""

from __future__ import annotations

import numpy as np
import pytest

from sensorlab.collect.bleak_transport import match_profiles
from sensorlab.collect.rows import RowAssembler
from sensorlab.collect.timing import SampleClock, TimedBlock
from sensorlab.profiles.loader import list_profiles, load_profile

RATE_HZ = 100.0


def block(n: int) -> np.ndarray:
    return np.arange(n * 3, dtype=np.float64).reshape(n, 3)


def test_device_clock_times_keep_the_device_spacing_and_map_to_the_host_axis():
    clock = SampleClock(RATE_HZ)
    device = 5000.0 + np.arange(10) / RATE_HZ
    first = clock.time_block("acc", block(10), host_time_s=2.0, device_time_s=device)
    # the packet's last sample is placed at its arrival time
    assert first.time_s[-1] == pytest.approx(2.0)
    np.testing.assert_allclose(np.diff(first.time_s), 1 / RATE_HZ)
    later = clock.time_block("acc", block(10), host_time_s=9.9, device_time_s=device + 0.5)
    # later packets follow the device clock, not their (late) arrival
    assert later.time_s[0] - first.time_s[0] == pytest.approx(0.5)
    assert clock.source == "device-clock"


def test_a_duplicated_packet_is_dropped_not_written_twice():
    clock = SampleClock(RATE_HZ)
    device = np.arange(5) / RATE_HZ
    clock.time_block("acc", block(5), host_time_s=1.0, device_time_s=device)
    again = clock.time_block("acc", block(5), host_time_s=1.05, device_time_s=device)
    assert again.time_s.size == 0
    assert clock.dropped_samples == 5


def test_a_counter_jump_leaves_the_lost_packets_as_a_gap():
    clock = SampleClock(RATE_HZ)
    a = clock.time_block("acc", block(4), host_time_s=1.0, counter=7)
    b = clock.time_block("acc", block(4), host_time_s=1.04, counter=8)
    c = clock.time_block("acc", block(4), host_time_s=1.2, counter=11)  # 9 and 10 lost
    assert b.time_s[0] - a.time_s[-1] == pytest.approx(1 / RATE_HZ)
    assert c.time_s[0] - b.time_s[-1] == pytest.approx(9 / RATE_HZ)


def test_a_wrapping_counter_is_not_a_restart():
    clock = SampleClock(RATE_HZ, counter_bits=16)
    a = clock.time_block("acc", block(4), host_time_s=1.0, counter=65535)
    b = clock.time_block("acc", block(4), host_time_s=1.04, counter=0)
    c = clock.time_block("acc", block(4), host_time_s=1.2, counter=3)  # 1 and 2 lost
    assert b.time_s[0] - a.time_s[-1] == pytest.approx(1 / RATE_HZ)
    assert c.time_s[0] - b.time_s[-1] == pytest.approx(9 / RATE_HZ)


def test_arrival_times_use_the_nominal_rate_and_restart_after_a_long_silence():
    clock = SampleClock(RATE_HZ)
    a = clock.time_block("acc", block(5), host_time_s=1.0)
    b = clock.time_block("acc", block(5), host_time_s=1.07)  # jitter: stays on the grid
    assert b.time_s[0] - a.time_s[-1] == pytest.approx(1 / RATE_HZ, rel=0.05)
    c = clock.time_block("acc", block(5), host_time_s=6.0)  # 5 s of silence: a new run
    assert c.time_s[-1] == pytest.approx(6.0)
    assert c.time_s[0] - b.time_s[-1] > 4.0
    assert clock.source == "arrival"


def test_a_burst_after_a_host_stall_is_not_a_gap():
    clock = SampleClock(RATE_HZ)
    times = []
    host = 0.0
    for k in range(40):  # 4 samples per packet, on time: every 40 ms
        host = 1.0 + 0.04 * k
        times.append(clock.time_block("acc", block(4), host_time_s=host).time_s)
    for _ in range(15):  # the host stalled 0.6 s: 15 packets arrive at once
        times.append(clock.time_block("acc", block(4), host_time_s=host + 0.6).time_s)
    step = np.diff(np.concatenate(times))
    np.testing.assert_allclose(step, 1 / RATE_HZ, rtol=0.011)


def timed(channel: str, times: list[float]) -> TimedBlock:
    t = np.asarray(times)
    return TimedBlock(channel, t, np.ones((t.size, 3)), 0.0)


def test_acc_and_gyro_pair_by_time_and_unpaired_samples_are_counted():
    rows = RowAssembler(has_gyro=True, nominal_rate_hz=RATE_HZ)
    rows.push(timed("acc", [0.00, 0.01, 0.02, 0.03]))
    rows.push(timed("gyr", [0.011, 0.021]))  # gyro started one sample late
    out = rows.pop_rows()
    np.testing.assert_allclose(out.time_s, [0.01, 0.02])
    assert rows.unpaired_samples == 1  # acc at 0.00 never gets a gyro sample
    assert rows.pending() == 1  # acc at 0.03 waits for its gyro sample
    rows.push(timed("gyr", [0.031]))
    np.testing.assert_allclose(rows.pop_rows().time_s, [0.03])


def test_scan_matches_profiles_by_name_then_by_service():
    profiles = list_profiles()
    verity = load_profile("polar-verity-sense")
    assert match_profiles("Polar Sense 8A2B3C4D", [], profiles)[0] == "polar-verity-sense"
    rsc = "00001814-0000-1000-8000-00805f9b34fb"
    assert match_profiles("", [rsc.upper()], profiles) == ("ble-rsc-footpod",)
    assert match_profiles("Headphones", ["0000110b-0000-1000-8000-00805f9b34fb"], profiles) == ()
    assert verity.id in match_profiles("", list(verity.advertised_services), profiles)
