"""The collector core without a radio: fake device, decoder and transport."""

from __future__ import annotations

import asyncio
import time

import numpy as np
import pytest
from collect_fakes import PER_PACKET, RATE_HZ, FakeDriver, FakeTransport, encode, sample_values

from sensorlab.collect.recorder import Backoff, DeviceRecorder
from sensorlab.errors import DeviceError, RecordingError
from sensorlab.io.csv_format import read_recording


def packets(first_packet: int, count: int) -> list[bytes | str]:
    return [encode((first_packet + k) * PER_PACKET, PER_PACKET) for k in range(count)]


async def record(transport: FakeTransport, path, **kwargs):
    driver = FakeDriver()
    stop = asyncio.Event()
    recorder = DeviceRecorder(
        transport=transport,
        driver=driver,
        path=path,
        metadata={"device": "fake", "placement": "foot"},
        nominal_rate_hz=RATE_HZ,
        has_gyro=True,
        session_start_s=time.monotonic(),
        backoff=Backoff(first_s=0.01, max_s=0.02, initial_attempts=2),
        fsync=False,
        **kwargs,
    )

    async def stopper() -> None:
        await transport.finished.wait()
        await asyncio.sleep(0.05)
        stop.set()

    task = asyncio.create_task(stopper())
    try:
        stats = await recorder.run(stop)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return stats, driver


def expected_rows(indices: np.ndarray) -> np.ndarray:
    raw = sample_values(indices).astype(np.float64)
    return np.hstack([raw[:, :3] / 100.0, raw[:, 3:] / 10.0])


def test_every_sample_is_written_in_order_with_device_times(tmp_path):
    path = tmp_path / "rec.csv"
    transport = FakeTransport(packets(0, 60))
    stats, driver = asyncio.run(record(transport, path))
    rec = read_recording(path)
    n = 60 * PER_PACKET
    assert stats.samples == rec.n_samples == n
    assert stats.malformed == 0
    assert stats.gaps == 0
    assert driver.stops == 1
    assert stats.time_source == "device-clock"
    np.testing.assert_allclose(np.diff(rec.time_s), 1.0 / RATE_HZ, atol=2e-6)
    got = np.hstack([rec.acc_ms2, rec.gyr_dps])
    np.testing.assert_allclose(got, expected_rows(np.arange(n)), atol=1e-6)
    assert "host_time_s" in rec.extra
    assert rec.metadata["device"] == "fake"


def test_malformed_packets_are_counted_and_skipped(tmp_path):
    path = tmp_path / "rec.csv"
    script = packets(0, 20)
    script.insert(5, b"\x00\x01\x02")
    script.insert(11, b"")
    script.insert(15, encode(999, 2)[:-3])
    stats, _ = asyncio.run(record(FakeTransport(script), path))
    rec = read_recording(path)
    assert stats.malformed == 3
    assert rec.n_samples == 20 * PER_PACKET
    np.testing.assert_allclose(
        np.hstack([rec.acc_ms2, rec.gyr_dps]), expected_rows(np.arange(20 * PER_PACKET)), atol=1e-6
    )


def test_lost_packets_leave_a_gap_not_invented_rows(tmp_path):
    path = tmp_path / "rec.csv"
    script = packets(0, 10) + packets(40, 10)  # 30 packets (1.5 s) never arrive
    stats, _ = asyncio.run(record(FakeTransport(script), path))
    rec = read_recording(path, allow_gaps=True)
    assert rec.n_samples == 20 * PER_PACKET
    assert stats.gaps == 1
    assert stats.lost_samples == 30 * PER_PACKET
    step = np.diff(rec.time_s)
    assert np.count_nonzero(step > 2.5 / RATE_HZ) == 1
    assert step.max() == pytest.approx((30 * PER_PACKET + 1) / RATE_HZ, abs=1e-5)


def test_disconnect_reconnects_and_keeps_every_received_sample(tmp_path):
    path = tmp_path / "rec.csv"
    script = [*packets(0, 15), "drop", *packets(25, 15)]
    transport = FakeTransport(script)
    stats, driver = asyncio.run(record(transport, path))
    rec = read_recording(path, allow_gaps=True)
    received = list(transport.sent)
    assert stats.disconnects == 1
    assert transport.connects == 2
    assert driver.starts == 2
    assert rec.n_samples == len(received) * PER_PACKET == 30 * PER_PACKET
    indices = np.concatenate(
        [np.arange(0, 15 * PER_PACKET), np.arange(25 * PER_PACKET, 40 * PER_PACKET)]
    )
    np.testing.assert_allclose(
        np.hstack([rec.acc_ms2, rec.gyr_dps]), expected_rows(indices), atol=1e-6
    )
    assert stats.gaps == 1


def test_first_connection_failure_is_a_device_error(tmp_path):
    path = tmp_path / "rec.csv"
    with pytest.raises(DeviceError, match="refused"):
        asyncio.run(record(FakeTransport(packets(0, 3), fail_connects=5), path))
    assert path.exists()  # header written; the reader says there are no rows
    with pytest.raises(RecordingError, match="no"):
        read_recording(path)


def test_a_retry_connects_after_a_failure(tmp_path):
    path = tmp_path / "rec.csv"
    transport = FakeTransport(packets(0, 5), fail_connects=1)
    stats, _ = asyncio.run(record(transport, path))
    assert stats.samples == 5 * PER_PACKET


def test_an_existing_recording_is_never_overwritten(tmp_path):
    path = tmp_path / "rec.csv"
    path.write_text("keep me")
    with pytest.raises(RecordingError, match="existing"):
        asyncio.run(record(FakeTransport(packets(0, 3)), path))
    assert path.read_text() == "keep me"


def test_a_write_failure_stops_the_recording_with_the_error(tmp_path, monkeypatch):
    from sensorlab.io.csv_format import RecordingWriter

    calls = {"n": 0}
    real_append = RecordingWriter.append

    def failing_append(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RecordingError("cannot write the file: No space left on device", path=self.path)
        return real_append(self, *args, **kwargs)

    monkeypatch.setattr(RecordingWriter, "append", failing_append)
    transport = FakeTransport(packets(0, 2000))  # would stream for a long time
    with pytest.raises(RecordingError, match="No space left"):
        asyncio.run(record(transport, tmp_path / "rec.csv"))
    assert len(transport.sent) < 2000  # stopped early, not after the whole stream
    assert not transport.is_connected
