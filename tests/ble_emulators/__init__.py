"""Device emulators on an in-process bumble BLE link, and a bleak backend that talks to them.

``BumbleWorld`` runs one central and any number of peripherals on a bumble ``LocalLink``
(controllers, hosts, ATT and GATT in Python; no kernel Bluetooth). Each peripheral serves the
GATT table of a :class:`sensorlab.collect.emulate.EmulatedDevice` and forwards writes and
subscriptions to it. ``BumbleBleakClient`` is a ``bleak`` backend
(``BleakClient(..., backend=BumbleBleakClient, world=world)``) over the central, so the
production :class:`sensorlab.collect.bleak_transport.BleakTransport` runs unchanged.
"""
