"""An in-process BLE link with emulated peripherals (bumble)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from bumble import att, gatt
from bumble.controller import Controller
from bumble.core import AdvertisingData
from bumble.device import Connection, Device
from bumble.hci import Address
from bumble.host import Host
from bumble.link import LocalLink
from bumble.transport.common import AsyncPipeSink

from sensorlab.collect.emulate import CommandRejectedError, EmulatedDevice

logging.getLogger("bumble").setLevel(logging.CRITICAL)

_PROPERTY_FLAGS = {
    "read": gatt.Characteristic.Properties.READ,
    "write": gatt.Characteristic.Properties.WRITE,
    "write-without-response": gatt.Characteristic.Properties.WRITE_WITHOUT_RESPONSE,
    "notify": gatt.Characteristic.Properties.NOTIFY,
    "indicate": gatt.Characteristic.Properties.INDICATE,
}
APPLICATION_ERROR = 0x80
"""ATT error code a peripheral returns when it refuses a command."""


@dataclass
class Peripheral:
    """One emulated device on the link."""

    address: str
    device: Device
    emulated: EmulatedDevice
    characteristics: dict[str, gatt.Characteristic] = field(default_factory=dict)
    connection: Connection | None = None
    outbox: asyncio.Queue[tuple[str, bytes]] = field(default_factory=asyncio.Queue)
    sender: asyncio.Task[None] | None = None
    sent_bytes_max: int = 0

    async def drop_link(self) -> None:
        """Disconnect from the peripheral's side (a radio dropout)."""
        if self.connection is not None:
            await self.connection.disconnect()


class BumbleWorld:
    """A bumble LocalLink with one central and emulated peripherals."""

    def __init__(self) -> None:
        self.link = LocalLink()
        self.peripherals: dict[str, Peripheral] = {}
        self.connect_lock = asyncio.Lock()
        self._n = 0
        self.central = self._device("F0:F0:F0:F0:F0:F0", "central")

    def _device(self, address: str, name: str) -> Device:
        controller = Controller(f"C-{name}", link=self.link, public_address=address)
        return Device(
            name=name, address=Address(address), host=Host(controller, AsyncPipeSink(controller))
        )

    async def start(self) -> None:
        await self.central.power_on()

    async def add(self, emulated: EmulatedDevice) -> str:
        """Serve ``emulated`` on a new peripheral; return its address."""
        self._n += 1
        address = f"C0:00:00:00:00:{self._n:02X}"
        device = self._device(address, emulated.name)
        device.gatt_server.max_mtu = emulated.mtu
        peripheral = Peripheral(address, device, emulated)
        for service in emulated.services:
            chars = []
            for spec in service.characteristics:
                flags = gatt.Characteristic.Properties(0)
                for prop in spec.properties:
                    flags |= _PROPERTY_FLAGS[prop]
                char = gatt.Characteristic(
                    spec.uuid,
                    flags,
                    gatt.Characteristic.READABLE | gatt.Characteristic.WRITEABLE,
                    gatt.CharacteristicValue(
                        read=lambda _c: b"",
                        write=self._writer(peripheral, spec.uuid),
                    ),
                )
                char.on(
                    char.EVENT_SUBSCRIPTION,
                    self._subscriber(peripheral, spec.uuid),
                )
                peripheral.characteristics[spec.uuid] = char
                chars.append(char)
            device.add_service(gatt.Service(service.uuid, chars))
        emulated.notify_hook = lambda uuid, data: peripheral.outbox.put_nowait((uuid, data))
        device.on(device.EVENT_CONNECTION, lambda c: self._connected(peripheral, c))
        await device.power_on()
        device.advertising_data = bytes(
            AdvertisingData([(AdvertisingData.COMPLETE_LOCAL_NAME, emulated.name.encode())])
        )
        await device.start_advertising(advertising_interval_min=20.0, auto_restart=True)
        peripheral.sender = asyncio.create_task(self._send_loop(peripheral))
        self.peripherals[address] = peripheral
        return address

    def _writer(self, peripheral: Peripheral, uuid: str):
        def write(_connection: Connection, value: bytes) -> None:
            try:
                peripheral.emulated.write(uuid, bytes(value))
            except CommandRejectedError:
                raise att.ATT_Error(APPLICATION_ERROR) from None

        return write

    def _subscriber(self, peripheral: Peripheral, uuid: str):
        def on_subscription(_bearer, notify_enabled: bool, indicate_enabled: bool) -> None:
            peripheral.emulated.set_subscribed(uuid, notify_enabled or indicate_enabled)

        return on_subscription

    def _connected(self, peripheral: Peripheral, connection: Connection) -> None:
        peripheral.connection = connection

        def on_disconnection(_reason: int) -> None:
            peripheral.connection = None
            peripheral.emulated.link_lost()
            while not peripheral.outbox.empty():
                peripheral.outbox.get_nowait()

        connection.on(connection.EVENT_DISCONNECTION, on_disconnection)

    async def _send_loop(self, peripheral: Peripheral) -> None:
        while True:
            uuid, data = await peripheral.outbox.get()
            connection = peripheral.connection
            if connection is None:
                continue
            limit = connection.att_mtu - 3
            if len(data) > limit:
                raise AssertionError(
                    f"{peripheral.emulated.name}: {len(data)}-byte notification exceeds "
                    f"the ATT MTU payload of {limit} bytes"
                )
            peripheral.sent_bytes_max = max(peripheral.sent_bytes_max, len(data))
            char = peripheral.characteristics[uuid]
            with contextlib.suppress(Exception):
                if char.properties & gatt.Characteristic.Properties.INDICATE:
                    await peripheral.device.indicate_subscriber(connection, char, data)
                else:
                    await peripheral.device.notify_subscriber(connection, char, data)

    async def close(self) -> None:
        for peripheral in self.peripherals.values():
            await peripheral.emulated.aclose()
            if peripheral.sender is not None:
                peripheral.sender.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await peripheral.sender
        for device in [self.central, *(p.device for p in self.peripherals.values())]:
            with contextlib.suppress(Exception):
                await device.power_off()
