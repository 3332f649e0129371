"""Read and write recordings: the canonical CSV (DESIGN.md section 3).

``read_recording`` validates a file into a :class:`~sensorlab.recording.Recording` (SI units);
``read_metadata`` reads only its ``# key: value`` lines; ``write_recording`` writes a recording
atomically; ``RecordingWriter`` appends rows as they arrive (live recording).
"""

from sensorlab.io.csv_format import (
    FORMAT_VERSION,
    RecordingWriter,
    read_metadata,
    read_recording,
    write_recording,
)

__all__ = [
    "FORMAT_VERSION",
    "RecordingWriter",
    "read_metadata",
    "read_recording",
    "write_recording",
]
