"""Run a profile's start and stop scripts over a :class:`~sensorlab.collect.transport.Transport`.

The notification callbacks installed by :class:`ProfileDriver` do two non-blocking things:
hand the bytes to the recorder (which stamps and queues them) and resolve a pending
:class:`~sensorlab.profiles.model.Expect` of the same role, so the script can wait for a
device response without anyone else reading the queue.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sensorlab.collect.transport import Transport
from sensorlab.errors import DeviceError
from sensorlab.profiles.model import (
    Expect,
    Profile,
    Step,
    StreamDecoder,
    Subscribe,
    Unsubscribe,
    Wait,
    Write,
)

__all__ = ["PacketSink", "ProfileDriver"]

PacketSink = Callable[[str, bytes], None]
"""Receives (role, payload) of every notification; must not block."""


@dataclass
class ProfileDriver:
    """Start and stop a device as its firmware profile says.

    Parameters
    ----------
    profile : Profile
        The device's firmware profile.
    params : mapping
        ``rate_hz``, ``range_g`` and capture defaults (``profile.params(...)``).
    """

    profile: Profile
    params: Mapping[str, Any]
    captured: dict[str, float] = field(default_factory=dict)
    """Values captured from device responses by the last start script (e.g. Polar FACTOR)."""
    _waiters: dict[str, list[tuple[Expect, asyncio.Future[bytes]]]] = field(default_factory=dict)
    _subscribed: set[str] = field(default_factory=set)

    @property
    def data_roles(self) -> tuple[str, ...]:
        """Roles whose notifications carry samples."""
        return self.profile.data_roles

    def current_params(self) -> dict[str, Any]:
        """The parameters with the values captured from the device."""
        merged = dict(self.params)
        merged.update(self.captured)
        return merged

    def new_decoder(self) -> StreamDecoder:
        """A decoder for the current connection (with captured parameters)."""
        return self.profile.make_decoder(self.current_params())

    async def start(self, transport: Transport, sink: PacketSink) -> None:
        """Run the start script.

        Raises
        ------
        DeviceError
            If a step fails, a response does not come in time or is not the expected one.
        """
        self.captured = {}
        self._subscribed.clear()
        await self._run(self.profile.start_script, transport, sink, "start")

    async def stop(self, transport: Transport) -> None:
        """Run the stop script (responses are awaited but their content is not required)."""
        await self._run(self.profile.stop_script, transport, None, "stop")

    def _callback(self, role: str, sink: PacketSink | None) -> Callable[[bytes], None]:
        def on_notify(data: bytes) -> None:
            payload = bytes(data)
            waiting = [(e, f) for e, f in self._waiters.get(role, []) if not f.done()]
            for expect, future in waiting:
                if expect.matches(payload):
                    future.set_result(payload)
                    break
            else:
                # on a control role, another answer to a waiting Expect is a refusal
                if waiting and role not in self.data_roles:
                    waiting[0][1].set_result(payload)
            if sink is not None:
                sink(role, payload)

        return on_notify

    async def _run(
        self,
        script: tuple[Step, ...],
        transport: Transport,
        sink: PacketSink | None,
        which: str,
    ) -> None:
        loop = asyncio.get_running_loop()
        futures: dict[int, asyncio.Future[bytes]] = {
            i: loop.create_future() for i, step in enumerate(script) if isinstance(step, Expect)
        }
        armed: set[int] = set()

        def arm(i: int) -> None:
            step = script[i]
            if i not in armed and isinstance(step, Expect):
                armed.add(i)
                self._waiters.setdefault(step.role, []).append((step, futures[i]))

        try:
            for index, step in enumerate(script):
                if isinstance(step, Write):
                    # the answer to this write may come before the script reaches its Expect
                    following = [i for i in futures if i > index]
                    if following:
                        arm(following[0])
                elif isinstance(step, Expect):
                    arm(index)
                await self._step(step, transport, sink, futures.get(index), which)
        finally:
            for future in futures.values():
                future.cancel()
            self._waiters.clear()

    async def _step(
        self,
        step: Step,
        transport: Transport,
        sink: PacketSink | None,
        future: asyncio.Future[bytes] | None,
        which: str,
    ) -> None:
        profile = self.profile
        if isinstance(step, Subscribe):
            uuid = profile.characteristics[step.role].uuid
            await transport.start_notify(uuid, self._callback(step.role, sink))
            self._subscribed.add(step.role)
        elif isinstance(step, Unsubscribe):
            if step.role in self._subscribed:
                await transport.stop_notify(profile.characteristics[step.role].uuid)
                self._subscribed.discard(step.role)
        elif isinstance(step, Write):
            data = profile.render_write(step, self.current_params())
            uuid = profile.characteristics[step.role].uuid
            await transport.write(uuid, data, response=step.with_response)
        elif isinstance(step, Expect):
            assert future is not None
            try:
                payload = await asyncio.wait_for(future, step.timeout_s)
            except TimeoutError:
                raise DeviceError(
                    f"{profile.name}: expected a response starting {step.prefix_hex} on "
                    f"'{step.role}' within {step.timeout_s:g} s during the {which} script, "
                    "found none",
                    hint="is the device already streaming to another app?",
                ) from None
            if not step.matches(payload):
                raise DeviceError(
                    f"{profile.name}: expected a response starting {step.prefix_hex} on "
                    f"'{step.role}' during the {which} script, found {payload.hex(' ')}",
                    hint="the device refused the command; check the rate and range",
                )
            self.captured.update(step.captured(payload))
        elif isinstance(step, Wait):
            await asyncio.sleep(step.seconds)
