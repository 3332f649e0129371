"""Record drill sets from BLE sensors: transport protocol, crash-safe recorder, live view.

The pieces, from the radio to the file:

- :mod:`sensorlab.collect.transport`: the :class:`Transport` protocol the recorder talks to;
  :mod:`sensorlab.collect.bleak_transport` implements it with bleak (``ble`` extra, imported
  lazily) and :class:`sensorlab.collect.emulate.LoopbackTransport` with a device emulator.
- :mod:`sensorlab.collect.script`: runs a firmware profile's start and stop scripts.
- :mod:`sensorlab.collect.recorder`: notification callback -> queue -> writer task (decode,
  per-sample times, acc/gyro rows, append + flush), reconnection with backoff.
- :mod:`sensorlab.collect.timing` and :mod:`sensorlab.collect.rows`: sample times from the
  device clock, a packet counter or arrival times; pairing of acc and gyro samples.
- :mod:`sensorlab.collect.live`: streaming contacts, cadence and contact time.
- :mod:`sensorlab.collect.session`: one or more devices (both feet) in one session.
- :mod:`sensorlab.collect.emulate`: device emulators streaming simulated drills.
- :mod:`sensorlab.collect.cli`: ``sensorlab record`` and ``sensorlab scan``.
"""
