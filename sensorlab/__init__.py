"""sensorlab: measure running-technique drills per contact, per set and per week.

The processing chain is load (``sensorlab.io``) -> quality checks and resampling
(``sensorlab.signal``) -> contact detection (``sensorlab.signal.contacts``) -> metrics
(``sensorlab.metrics``) -> drill target verdict (``sensorlab.drills``); ``sensorlab.analysis``
runs it end to end.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sensorlab")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
