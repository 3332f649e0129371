"""Hex templates of start/stop commands: ``"02 02 00 01 {rate_hz:u16le} {range_code}"``.

A template is hex bytes (spaces optional) with placeholders:

``{name}``
    A code table of the profile (``[codes.name]``): the parameter it is keyed by is looked up
    and replaced by the table's bytes (e.g. WitMotion's output-rate register code).
``{name:format}``
    A parameter (``rate_hz``, ``range_g`` or a captured value) written as ``u8``, ``u16le``,
    ``u16be``, ``u32le``, ``i16le``, ``f32le`` or ``ascii`` (the decimal digits of an
    integral value, e.g. Movesense's ``/Meas/IMU6/{rate_hz:ascii}``).
"""

from __future__ import annotations

import re
import struct
from collections.abc import Mapping
from typing import Any, Protocol

from sensorlab.errors import UsageError

FORMATS: dict[str, str] = {
    "u8": "<B",
    "u16le": "<H",
    "u16be": ">H",
    "u32le": "<I",
    "i16le": "<h",
    "f32le": "<f",
}
_FIELD = re.compile(r"\{([a-z_][a-z0-9_]*)(?::([a-z0-9]+))?\}")
_HEX = re.compile(r"^[0-9a-fA-F\s]*$")


class _Table(Protocol):
    @property
    def param(self) -> str: ...

    @property
    def codes(self) -> Mapping[float, str]: ...


def fields(template: str) -> list[tuple[str, str | None]]:
    """The ``(name, format)`` placeholders of ``template`` in order."""
    return [(m.group(1), m.group(2)) for m in _FIELD.finditer(template)]


def check(template: str, codes: Mapping[str, Any], params: set[str]) -> str | None:
    """Return a problem with ``template`` or None if it is well formed.

    Parameters
    ----------
    template : str
        The hex template.
    codes : Mapping
        Code table names of the profile.
    params : set of str
        Parameter names that will be available when rendering.
    """
    rest = _FIELD.sub("", template)
    if not _HEX.match(rest):
        return f"'{template}' has characters that are neither hex nor {{field}} placeholders"
    for text in _FIELD.split(template)[::3]:
        if len("".join(text.split())) % 2:
            return f"'{template}' has an odd number of hex digits in '{text.strip()}'"
    for name, fmt in fields(template):
        if fmt is None:
            if name not in codes:
                return f"'{{{name}}}' is not a code table of this profile (add [codes.{name}])"
        else:
            if fmt not in FORMATS and fmt != "ascii":
                allowed = ", ".join([*FORMATS, "ascii"])
                return f"'{{{name}:{fmt}}}' has an unknown format; expected one of {allowed}"
            if name not in params:
                return f"'{{{name}:{fmt}}}' names no known parameter ({', '.join(sorted(params))})"
    return None


def _value(name: str, params: Mapping[str, Any], where: str) -> float:
    if name not in params:
        raise UsageError(f"{where}: template needs parameter '{name}', which was not given")
    return float(params[name])


def render(
    template: str, params: Mapping[str, Any], codes: Mapping[str, _Table], *, where: str
) -> bytes:
    """Render ``template`` with ``params`` and the profile's code tables.

    Parameters
    ----------
    template : str
        The hex template.
    params : Mapping
        Parameter values (``rate_hz`` in Hz, ``range_g`` in g, captured values).
    codes : Mapping
        The profile's code tables by name.
    where : str
        Profile id for error messages.

    Returns
    -------
    bytes

    Raises
    ------
    UsageError
        If a parameter is missing, has no code, or does not fit its format.
    """
    out = bytearray()
    pos = 0
    for m in _FIELD.finditer(template):
        out += bytes.fromhex(template[pos : m.start()])
        pos = m.end()
        name, fmt = m.group(1), m.group(2)
        if fmt is None:
            table = codes[name]
            value = _value(table.param, params, where)
            if value not in table.codes:
                allowed = ", ".join(f"{v:g}" for v in table.codes)
                raise UsageError(
                    f"{where}: no {name} for {table.param} = {value:g}; expected one of {allowed}"
                )
            out += bytes.fromhex(table.codes[value])
        elif fmt == "ascii":
            value = _value(name, params, where)
            if value != int(value):
                raise UsageError(f"{where}: {name} = {value:g} must be a whole number here")
            out += str(int(value)).encode("ascii")
        else:
            value = _value(name, params, where)
            try:
                out += struct.pack(FORMATS[fmt], value if fmt == "f32le" else round(value))
            except struct.error:
                raise UsageError(f"{where}: {name} = {value:g} does not fit {fmt}") from None
    out += bytes.fromhex(template[pos:])
    return bytes(out)
