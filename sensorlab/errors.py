"""The one exception hierarchy of sensorlab.

Every error a user can cause derives from :class:`SensorlabError` and renders as one line
that says what was expected, what was found and where. The command line prints that line
and exits with :attr:`SensorlabError.exit_status` (2 for bad input or usage, 1 for a device
or runtime failure); it never shows a traceback for these.
"""

from __future__ import annotations

from pathlib import Path


class SensorlabError(Exception):
    """Root of all sensorlab errors.

    Parameters
    ----------
    message : str
        What went wrong, ideally "expected X, found Y".
    path : str or Path, optional
        The file the problem is in.
    line : int, optional
        1-based line number in ``path``.
    column : int, optional
        1-based column number (CSV field index for tabular files).
    hint : str, optional
        What the user can do about it.
    """

    exit_status = 2

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.path = None if path is None else str(path)
        self.line = line
        self.column = column
        self.hint = hint
        super().__init__(self.one_line())

    @property
    def location(self) -> str:
        """``file:line:column`` as far as known, or an empty string."""
        if self.path is None:
            return ""
        parts = [self.path]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def one_line(self) -> str:
        """Render the error as the single line the command line prints."""
        text = f"{self.location}: {self.message}" if self.location else self.message
        if self.hint:
            text = f"{text} ({self.hint})"
        return " ".join(text.split())


class RecordingError(SensorlabError):
    """A recording file cannot be read or fails validation."""


class UsageError(SensorlabError):
    """A command-line option or API argument has a value that is not allowed."""


class DrillError(UsageError):
    """Unknown drill id, or an invalid drill catalogue / target override file."""


class ProfileError(SensorlabError):
    """A firmware profile file is invalid."""


class DecodeError(SensorlabError):
    """A BLE packet cannot be decoded with its profile."""


class AnalysisError(SensorlabError):
    """The recording is readable but cannot be analysed (e.g. no active bout)."""


class DeviceError(SensorlabError):
    """A device or transport failed at run time."""

    exit_status = 1


def check_option(name: str, value: str, allowed: list[str] | tuple[str, ...]) -> str:
    """Return ``value`` if it is one of ``allowed``, else raise with the closest suggestion.

    Parameters
    ----------
    name : str
        What the value is, e.g. ``"drill"`` or ``"placement"``.
    value : str
        The value given by the user.
    allowed : sequence of str
        The accepted values.

    Returns
    -------
    str
        ``value`` unchanged.

    Raises
    ------
    UsageError
        If ``value`` is not allowed; the message lists the allowed values and suggests the
        closest one.
    """
    if value in allowed:
        return value
    import difflib

    close = difflib.get_close_matches(value, list(allowed), n=1, cutoff=0.5)
    suggestion = f" Did you mean '{close[0]}'?" if close else ""
    raise UsageError(
        f"Unknown {name} '{value}'.{suggestion} Expected one of: {', '.join(allowed)}."
    )
