"""The narrow interface between the recorder and a BLE link (STYLE §6).

The recorder only talks to a :class:`Transport`: connect, subscribe to a characteristic,
write to one, disconnect, and learn about an unsolicited disconnect. The production
implementation is :class:`sensorlab.collect.bleak_transport.BleakTransport` (bleak imported
lazily); tests and ``record --simulate`` plug in other implementations. Device errors are
translated into :class:`~sensorlab.errors.DeviceError` at this boundary, once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

__all__ = ["DisconnectCallback", "NotifyCallback", "Transport"]

NotifyCallback = Callable[[bytes], None]
"""Called with the bytes of one notification or indication; must not block."""

DisconnectCallback = Callable[[], None]
"""Called (in the event loop) when the link drops without :meth:`Transport.disconnect`."""


@runtime_checkable
class Transport(Protocol):
    """A connection to one BLE peripheral, addressed by characteristic UUID.

    Every method raises :class:`~sensorlab.errors.DeviceError` on a link or device failure;
    :meth:`connect` may be called again after a disconnect (reconnection).
    """

    @property
    def address(self) -> str:
        """The peripheral's address (or a simulated device's name)."""
        ...

    @property
    def is_connected(self) -> bool:
        """Whether the link is up."""
        ...

    def set_disconnected_callback(self, callback: DisconnectCallback | None) -> None:
        """Register the function called when the link drops unsolicited."""
        ...

    async def connect(self) -> None:
        """Connect and discover the GATT table."""
        ...

    async def disconnect(self) -> None:
        """Disconnect (idempotent; no disconnect callback is called)."""
        ...

    async def start_notify(self, uuid: str, callback: NotifyCallback) -> None:
        """Enable notifications or indications of a characteristic."""
        ...

    async def stop_notify(self, uuid: str) -> None:
        """Disable notifications or indications of a characteristic."""
        ...

    async def write(self, uuid: str, data: bytes, *, response: bool) -> None:
        """Write to a characteristic, with or without a write response."""
        ...
