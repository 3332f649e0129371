"""The production transport: bleak's ``BleakClient`` (optional ``ble`` extra, imported lazily).

``BleakClient`` picks the platform backend (BlueZ, CoreBluetooth, WinRT, Android) unless a
``backend`` class is given; the test suite passes a small backend that runs on an in-process
bumble BLE stack, so this module is the code under test there too. bleak's errors are
translated into :class:`~sensorlab.errors.DeviceError` here, once.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sensorlab.collect.transport import DisconnectCallback, NotifyCallback
from sensorlab.errors import DeviceError

__all__ = ["INSTALL_HINT", "BleakTransport", "ScanResult", "require_bleak", "scan"]

INSTALL_HINT: Final = "pip install 'sensorlab[ble]'"


def require_bleak() -> Any:
    """Import bleak or raise a DeviceError that says how to install it.

    Raises
    ------
    DeviceError
        If bleak is not installed.
    """
    try:
        return importlib.import_module("bleak")
    except ImportError:
        raise DeviceError(
            f"recording from BLE devices needs bleak: {INSTALL_HINT}",
        ) from None


def _device_error(action: str, address: str, exc: BaseException) -> DeviceError:
    text = str(exc) or type(exc).__name__
    return DeviceError(
        f"{address}: {action} failed: {text}",
        hint="is the device on, in range and not connected to another app?",
    )


_LINK_ERRORS: Final = (OSError, asyncio.TimeoutError, EOFError)


class BleakTransport:
    """A :class:`~sensorlab.collect.transport.Transport` over ``bleak.BleakClient``.

    Parameters
    ----------
    address : str
        The peripheral's address (or a platform device identifier).
    timeout_s : float
        Connection timeout, in s.
    backend : type, optional
        A ``bleak.backends.client.BaseBleakClient`` subclass to use instead of the
        platform's (e.g. the tests' bumble backend).
    backend_kwargs : mapping, optional
        Extra keyword arguments passed through ``BleakClient`` to the backend.
    """

    def __init__(
        self,
        address: str,
        *,
        timeout_s: float = 20.0,
        backend: type | None = None,
        backend_kwargs: Mapping[str, Any] | None = None,
    ) -> None:
        self._bleak = require_bleak()
        self._address = address
        self._timeout_s = timeout_s
        self._backend = backend
        self._backend_kwargs = dict(backend_kwargs or {})
        self._client: Any = None
        self._on_lost: DisconnectCallback | None = None
        self._closing = False
        self.mtu_size = 23

    @property
    def address(self) -> str:
        """The peripheral's address."""
        return self._address

    @property
    def is_connected(self) -> bool:
        """Whether bleak reports the link up."""
        return self._client is not None and bool(self._client.is_connected)

    def set_disconnected_callback(self, callback: DisconnectCallback | None) -> None:
        """Register the function called on an unsolicited disconnection."""
        self._on_lost = callback

    def _lost(self, client: Any) -> None:
        if client is self._client and not self._closing and self._on_lost is not None:
            self._on_lost()

    def _errors(self) -> tuple[type[BaseException], ...]:
        return (self._bleak.BleakError, *_LINK_ERRORS)

    async def connect(self) -> None:
        """Connect (a new ``BleakClient`` per attempt) and discover the GATT table."""
        self._closing = False
        client = self._bleak.BleakClient(
            self._address,
            disconnected_callback=self._lost,
            timeout=self._timeout_s,
            backend=self._backend,
            **self._backend_kwargs,
        )
        self._client = client
        try:
            await client.connect()
            self.mtu_size = int(client.mtu_size)
        except self._errors() as exc:
            self._client = None
            raise _device_error("connect", self._address, exc) from exc

    async def disconnect(self) -> None:
        """Disconnect (idempotent)."""
        client, self._closing = self._client, True
        if client is None:
            return
        try:
            await client.disconnect()
        except self._errors() as exc:
            raise _device_error("disconnect", self._address, exc) from exc
        finally:
            self._client = None

    def _need_client(self) -> Any:
        if self._client is None:
            raise DeviceError(f"{self._address}: not connected")
        return self._client

    async def start_notify(self, uuid: str, callback: NotifyCallback) -> None:
        """Enable notifications or indications of ``uuid``."""
        client = self._need_client()

        def on_data(_sender: Any, data: bytearray) -> None:
            callback(bytes(data))

        try:
            await client.start_notify(uuid, on_data)
        except self._errors() as exc:
            raise _device_error(f"subscribe to {uuid}", self._address, exc) from exc

    async def stop_notify(self, uuid: str) -> None:
        """Disable notifications or indications of ``uuid``."""
        client = self._need_client()
        try:
            await client.stop_notify(uuid)
        except self._errors() as exc:
            raise _device_error(f"unsubscribe from {uuid}", self._address, exc) from exc

    async def write(self, uuid: str, data: bytes, *, response: bool) -> None:
        """Write ``data`` to ``uuid``."""
        client = self._need_client()
        try:
            await client.write_gatt_char(uuid, data, response=response)
        except self._errors() as exc:
            raise _device_error(f"write {data.hex(' ')} to {uuid}", self._address, exc) from exc


@dataclass(frozen=True)
class ScanResult:
    """A device seen while scanning, with the profiles it matches."""

    address: str
    name: str
    rssi_dbm: int | None
    service_uuids: tuple[str, ...]
    profile_ids: tuple[str, ...]


def match_profiles(
    name: str, service_uuids: Sequence[str], profiles: Sequence[Any]
) -> tuple[str, ...]:
    """Ids of the profiles whose advertised name prefixes or services match a device.

    Parameters
    ----------
    name : str
        Advertised local name ("" if none).
    service_uuids : sequence of str
        Advertised service UUIDs.
    profiles : sequence of Profile
        Candidate profiles.

    Returns
    -------
    tuple of str
        Matching profile ids: a name match ranks first, then a service match.
    """
    services = {u.lower() for u in service_uuids}
    by_name = [
        p.id for p in profiles if name and any(name.startswith(x) for x in p.advertised_names)
    ]
    by_service = [
        p.id
        for p in profiles
        if p.id not in by_name and services & {s.lower() for s in p.advertised_services}
    ]
    return (*by_name, *by_service)


async def scan(timeout_s: float, profiles: Sequence[Any]) -> list[ScanResult]:
    """Scan for ``timeout_s`` and return the devices that match a profile, strongest first.

    Raises
    ------
    DeviceError
        If bleak is missing or the adapter cannot scan.
    """
    bleak = require_bleak()
    try:
        found = await bleak.BleakScanner.discover(timeout=timeout_s, return_adv=True)
    except (bleak.BleakError, *_LINK_ERRORS) as exc:
        raise DeviceError(
            f"scanning failed: {exc}",
            hint="is Bluetooth on? on Linux, BlueZ and D-Bus must be running",
        ) from exc
    results = []
    for address, (device, adv) in found.items():
        name = adv.local_name or device.name or ""
        uuids = tuple(adv.service_uuids or ())
        ids = match_profiles(name, uuids, profiles)
        if ids:
            results.append(ScanResult(address, name, adv.rssi, uuids, ids))
    results.sort(key=lambda r: -(r.rssi_dbm if r.rssi_dbm is not None else -999))
    return results
