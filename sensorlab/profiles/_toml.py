"""Checked access to a TOML table: every error names the file, the key and the problem."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from sensorlab.errors import ProfileError

T = TypeVar("T")
_MISSING: Any = object()


class Table:
    """A TOML table being validated.

    Parameters
    ----------
    data : Mapping
        The parsed table.
    path : Path
        The profile file (for error messages).
    key : str
        Dotted key of this table in the file ("" for the root).
    """

    def __init__(self, data: Mapping[str, Any], path: Path, key: str = "") -> None:
        self.data = data
        self.path = path
        self.key = key
        self._used: set[str] = set()

    def where(self, name: str) -> str:
        """Dotted key of ``name`` inside this table."""
        if not name:
            return self.key
        return f"{self.key}.{name}" if self.key else name

    def error(self, name: str, problem: str) -> ProfileError:
        """A :class:`ProfileError` about key ``name`` of this table."""
        return ProfileError(f"key '{self.where(name)}': {problem}", path=self.path)

    def has(self, name: str) -> bool:
        """Whether the table has key ``name``."""
        return name in self.data

    def _raw(self, name: str, default: Any) -> Any:
        self._used.add(name)
        if name in self.data:
            return self.data[name]
        if default is _MISSING:
            raise self.error(name, "is required but missing")
        return default

    def text(self, name: str, default: Any = _MISSING, choices: tuple[str, ...] = ()) -> Any:
        """A string value, optionally one of ``choices``."""
        value = self._raw(name, default)
        if value is default and default is not _MISSING:
            return value
        if not isinstance(value, str):
            raise self.error(name, f"expected a string, found {_kind(value)}")
        if choices and value not in choices:
            raise self.error(name, f"expected one of {', '.join(choices)}; found '{value}'")
        return value

    def number(self, name: str, default: Any = _MISSING, *, positive: bool = False) -> Any:
        """A finite number (int or float) as float."""
        value = self._raw(name, default)
        if value is default and default is not _MISSING:
            return value
        return self._check_num(name, value, positive=positive)

    def _check_num(self, name: str, value: Any, *, positive: bool) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(name, f"expected a number, found {_kind(value)}")
        if not math.isfinite(value):
            raise self.error(name, f"expected a finite number, found {value}")
        if positive and not value > 0:
            raise self.error(name, f"expected a positive number, found {value}")
        return float(value)

    def integer(self, name: str, default: Any = _MISSING, *, minimum: int | None = None) -> Any:
        """An integer value, optionally at least ``minimum``."""
        value = self._raw(name, default)
        if value is default and default is not _MISSING:
            return value
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(name, f"expected an integer, found {_kind(value)}")
        if minimum is not None and value < minimum:
            raise self.error(name, f"expected an integer >= {minimum}, found {value}")
        return value

    def flag(self, name: str, default: Any = _MISSING) -> Any:
        """A boolean value."""
        value = self._raw(name, default)
        if value is default and default is not _MISSING:
            return value
        if not isinstance(value, bool):
            raise self.error(name, f"expected true or false, found {_kind(value)}")
        return value

    def str_list(
        self, name: str, default: Any = _MISSING, choices: tuple[str, ...] = ()
    ) -> tuple[str, ...]:
        """A list of strings as a tuple."""
        value = self._raw(name, default)
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise self.error(name, f"expected a list of strings, found {_kind(value)}")
        for v in value:
            if choices and v not in choices:
                raise self.error(name, f"'{v}' is not one of {', '.join(choices)}")
        return tuple(value)

    def num_list(self, name: str, default: Any = _MISSING, *, positive: bool = False) -> Any:
        """A list of numbers as a tuple of float."""
        value = self._raw(name, default)
        if not isinstance(value, list | tuple):
            raise self.error(name, f"expected a list of numbers, found {_kind(value)}")
        return tuple(self._check_num(name, v, positive=positive) for v in value)

    def table(self, name: str, default: Any = _MISSING) -> Any:
        """A sub-table as a :class:`Table` (or ``default`` when absent)."""
        value = self._raw(name, default)
        if value is default and default is not _MISSING:
            return value
        if not isinstance(value, Mapping):
            raise self.error(name, f"expected a table, found {_kind(value)}")
        return Table(value, self.path, self.where(name))

    def tables(self, name: str, default: Any = _MISSING) -> list[Table]:
        """An array of tables."""
        value = self._raw(name, default)
        if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
            raise self.error(name, f"expected an array of tables ([[{self.where(name)}]])")
        return [Table(v, self.path, f"{self.where(name)}[{i}]") for i, v in enumerate(value)]

    def items(self) -> list[tuple[str, Any]]:
        """All (key, value) pairs, marking them used."""
        self._used.update(self.data)
        return list(self.data.items())

    def each(self, name: str, convert: Callable[[Table], T]) -> dict[str, T]:
        """Convert every sub-table of table ``name`` (role -> ...)."""
        outer = self.table(name)
        out: dict[str, T] = {}
        for key, _ in outer.items():
            out[key] = convert(outer.table(key))
        return out

    def finish(self) -> None:
        """Raise if the table has keys that were never read (unknown keys are errors)."""
        unknown = sorted(set(self.data) - self._used)
        if unknown:
            import difflib

            known = sorted(self._used)
            close = difflib.get_close_matches(unknown[0], known, n=1, cutoff=0.6)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise self.error(unknown[0], f"unknown key{hint}")


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"string '{value}'"
    if isinstance(value, Mapping):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"


def parse_hex(t: Table, name: str, default: Any = _MISSING) -> Any:
    """A hex byte string such as ``"55 61"``, returned normalised (lower case, spaced)."""
    value = t.text(name, default)
    if value is default and default is not _MISSING:
        return value
    try:
        return bytes.fromhex(value).hex(" ")
    except ValueError:
        raise t.error(name, f"expected hex bytes like '55 61', found '{value}'") from None
