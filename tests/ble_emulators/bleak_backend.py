"""A bleak client backend on the bumble central of a :class:`BumbleWorld`.

Implements ``bleak.backends.client.BaseBleakClient`` (the interface bleak's platform backends
implement): connect, GATT discovery into bleak's service collection, read, write (with and
without response), notifications/indications and the disconnected callback. bumble errors
are raised as ``BleakError``, as a platform backend does.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bleak.backends.characteristic import BleakGATTCharacteristic
from bleak.backends.client import BaseBleakClient, NotifyCallback
from bleak.backends.descriptor import BleakGATTDescriptor
from bleak.backends.service import BleakGATTService, BleakGATTServiceCollection
from bleak.exc import BleakError
from bumble import core, gatt
from bumble.device import Connection, Peer
from bumble.hci import Address

from ble_emulators.world import BumbleWorld

_PROPERTY_NAMES = (
    (gatt.Characteristic.Properties.READ, "read"),
    (gatt.Characteristic.Properties.WRITE, "write"),
    (gatt.Characteristic.Properties.WRITE_WITHOUT_RESPONSE, "write-without-response"),
    (gatt.Characteristic.Properties.NOTIFY, "notify"),
    (gatt.Characteristic.Properties.INDICATE, "indicate"),
)
CENTRAL_MTU = 247


def _uuid_str(uuid: core.UUID) -> str:
    return core.UUID.from_bytes(uuid.uuid_128_bytes).to_hex_str("-").lower()


class BumbleBleakClient(BaseBleakClient):
    """bleak backend: ``BleakClient(address, backend=BumbleBleakClient, world=world)``."""

    def __init__(
        self,
        address_or_ble_device: Any,
        *,
        disconnected_callback: Any,
        timeout: float,
        world: BumbleWorld,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            address_or_ble_device, disconnected_callback=disconnected_callback, timeout=timeout
        )
        self._world = world
        self._connection: Connection | None = None
        self._peer: Peer | None = None

    @property
    def name(self) -> str:
        return self.address

    @property
    def mtu_size(self) -> int:
        return self._connection.att_mtu if self._connection is not None else 23

    @property
    def is_connected(self) -> bool:
        return self._connection is not None

    async def connect(self, pair: bool, **kwargs: Any) -> None:
        try:
            async with self._world.connect_lock:  # one central connects to one peer at a time
                connection = await asyncio.wait_for(
                    self._world.central.connect(Address(self.address)), self._timeout
                )
        except (core.BaseBumbleError, TimeoutError) as exc:
            raise BleakError(f"bumble: cannot connect to {self.address}: {exc}") from exc
        self._connection = connection
        connection.on(connection.EVENT_DISCONNECTION, self._on_disconnection)
        peer = Peer(connection)
        self._peer = peer
        await peer.request_mtu(CENTRAL_MTU)
        await peer.discover_all()
        self.services = self._collection(peer)

    def _collection(self, peer: Peer) -> BleakGATTServiceCollection:
        collection = BleakGATTServiceCollection()
        for service in peer.services:
            bleak_service = BleakGATTService(service, service.handle, _uuid_str(service.uuid))
            collection.add_service(bleak_service)
            for char in service.characteristics:
                props = [name for flag, name in _PROPERTY_NAMES if char.properties & flag]
                bleak_char = BleakGATTCharacteristic(
                    char,
                    char.handle,
                    _uuid_str(char.uuid),
                    props,
                    lambda: self.mtu_size - 3,
                    bleak_service,
                )
                collection.add_characteristic(bleak_char)
                for descriptor in char.descriptors:
                    collection.add_descriptor(
                        BleakGATTDescriptor(
                            descriptor, descriptor.handle, _uuid_str(descriptor.type), bleak_char
                        )
                    )
        return collection

    def _on_disconnection(self, _reason: int) -> None:
        self._connection = None
        self._peer = None
        if self._disconnected_callback is not None:
            self._disconnected_callback()

    def _need_peer(self) -> Peer:
        if self._peer is None:
            raise BleakError("Not connected")
        return self._peer

    async def disconnect(self) -> None:
        connection = self._connection
        if connection is None:
            return
        callback, self._disconnected_callback = self._disconnected_callback, None
        try:
            await connection.disconnect()
        except core.BaseBumbleError as exc:
            raise BleakError(f"bumble: disconnect failed: {exc}") from exc
        finally:
            self._connection = None
            self._peer = None
            self._disconnected_callback = callback

    async def pair(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError("the emulators need no pairing")

    async def unpair(self) -> None:
        raise NotImplementedError("the emulators need no pairing")

    async def read_gatt_char(
        self, characteristic: BleakGATTCharacteristic, **kwargs: Any
    ) -> bytearray:
        try:
            return bytearray(await self._need_peer().read_value(characteristic.obj))
        except core.BaseBumbleError as exc:
            raise BleakError(str(exc)) from exc

    async def read_gatt_descriptor(
        self, descriptor: BleakGATTDescriptor, **kwargs: Any
    ) -> bytearray:
        try:
            return bytearray(await self._need_peer().read_value(descriptor.obj))
        except core.BaseBumbleError as exc:
            raise BleakError(str(exc)) from exc

    async def write_gatt_char(
        self, characteristic: BleakGATTCharacteristic, data: Any, response: bool
    ) -> None:
        try:
            await self._need_peer().write_value(
                characteristic.obj, bytes(data), with_response=response
            )
        except core.BaseBumbleError as exc:
            raise BleakError(f"write refused: {exc}") from exc

    async def write_gatt_descriptor(self, descriptor: BleakGATTDescriptor, data: Any) -> None:
        try:
            await self._need_peer().write_value(descriptor.obj, bytes(data), with_response=True)
        except core.BaseBumbleError as exc:
            raise BleakError(str(exc)) from exc

    async def start_notify(
        self, characteristic: BleakGATTCharacteristic, callback: NotifyCallback, **kwargs: Any
    ) -> None:
        def on_value(value: bytes) -> None:
            callback(bytearray(value))

        try:
            await self._need_peer().subscribe(characteristic.obj, on_value, prefer_notify=True)
        except core.BaseBumbleError as exc:
            raise BleakError(str(exc)) from exc

    async def stop_notify(self, characteristic: BleakGATTCharacteristic) -> None:
        try:
            await self._need_peer().unsubscribe(characteristic.obj)
        except core.BaseBumbleError as exc:
            raise BleakError(str(exc)) from exc
