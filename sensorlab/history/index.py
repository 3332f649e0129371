"""The library index: every analysed set of a folder of recordings, in an embedded SQLite file.

A *library* is a folder of recording CSV files (sub-folders included, hidden ones skipped).
:func:`open_library` opens (or creates) its index, ``.sensorlab-index.sqlite`` inside the
folder, and :meth:`Library.update` brings it up to date:

- a file is analysed when it is new, when its content changed (SHA-256 of its bytes), or
  when ``ANALYSIS_VERSION`` changed since it was analysed; size and modification time are
  the cheap first check, the hash decides (a touched but unchanged file is not re-analysed);
- files that disappeared lose their rows;
- a file that cannot be read or analysed (corrupt, foreign, unknown drill) is stored with
  its hash and its one-line error. It is reported in the :class:`UpdateReport` of the update
  that found it (``new_errors``) and then only counted (``known_errors``) until its content
  or the analysis version changes: it is reported once, skipped, and never stops the update;
- a left and a right foot file of one session (same ``session:`` and ``athlete:`` lines) are
  analysed together, so both carry the pair's left/right symmetry.

Each file is written in its own transaction (rows of the old analysis deleted, new rows
inserted, the file's hash recorded, then commit), so an interrupted update leaves the index
consistent: files done so far are indexed, the others are found again on the next update.

What is stored per set: athlete, drill, set number, side, placement, session, start time
(``started_at`` metadata plus the set's start on the file's time axis, else the file's
modification time in the machine's time zone), the ISO week in the time zone of that start
time, the per-set summary, the value of the drill's primary metric and the analysis version;
per contact: side, IC, TO, contact, flight and step time. Target verdicts are *not* stored:
they depend on the athlete's target file, so readers judge ``metric_value`` against the
current targets (see :mod:`sensorlab.history.progress`).
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.util
import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sensorlab.errors import SensorlabError, UsageError

if TYPE_CHECKING:
    from sensorlab.analysis import RecordingAnalysis
    from sensorlab.recording import Recording

INDEX_NAME = ".sensorlab-index.sqlite"
"""File name of the index inside the library folder."""
LIBRARY_ENV = "SENSORLAB_LIBRARY"
"""Environment variable naming the default library folder."""
DEFAULT_LIBRARY = "recordings"
"""Library folder used when neither ``--library`` nor ``SENSORLAB_LIBRARY`` is given."""
UNKNOWN_ATHLETE = "unknown"
"""Athlete of recordings without an ``athlete:`` line."""
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    size_bytes INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    analysis_version TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ok', 'error')),
    error TEXT,
    athlete TEXT,
    session TEXT,
    group_key TEXT,
    indexed_at_utc TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sets (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL REFERENCES files(path) ON DELETE CASCADE,
    set_number INTEGER NOT NULL,
    group_key TEXT NOT NULL,
    athlete TEXT NOT NULL,
    drill TEXT NOT NULL,
    side TEXT,
    placement TEXT NOT NULL,
    session TEXT,
    method TEXT NOT NULL,
    sampling_rate_hz REAL NOT NULL,
    started_at TEXT NOT NULL,
    start_utc_s REAL NOT NULL,
    utc_offset_s INTEGER,
    time_source TEXT NOT NULL,
    local_date TEXT NOT NULL,
    iso_year INTEGER NOT NULL,
    iso_week INTEGER NOT NULL,
    start_s REAL NOT NULL,
    end_s REAL NOT NULL,
    contacts INTEGER NOT NULL,
    cadence_spm REAL,
    contact_ms_median REAL,
    contact_ms_best REAL,
    flight_ms_median REAL,
    symmetry_pct REAL,
    primary_metric TEXT NOT NULL,
    metric_value REAL,
    summary_json TEXT NOT NULL,
    analysis_version TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sets_by_week ON sets (athlete, drill, iso_year, iso_week);
CREATE INDEX IF NOT EXISTS sets_by_path ON sets (path);
CREATE TABLE IF NOT EXISTS contacts (
    set_id INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    side TEXT,
    ic_s REAL NOT NULL,
    to_s REAL NOT NULL,
    contact_ms REAL NOT NULL,
    flight_ms REAL,
    step_ms REAL
);
CREATE INDEX IF NOT EXISTS contacts_by_set ON contacts (set_id);
"""


@dataclass(frozen=True)
class SetRow:
    """One indexed set.

    Attributes
    ----------
    id : int
        Row id in the index.
    path : str
        The recording, relative to the library folder (``/`` separated).
    set_number : int
        1-based set (bout) inside the recording.
    group_key : str
        ``athlete/session`` for a left/right pair analysed together, else ``path``: one
        physical set is ``(group_key, set_number)``.
    athlete, drill, placement, method : str
        From the metadata (``unknown`` athlete when absent) and the analysis.
    side, session : str or None
        Foot/shank side and ``session:`` metadata.
    sampling_rate_hz : float
        Median sampling rate, in Hz.
    started_at : str
        Start of the set, ISO 8601 with the athlete's UTC offset where known.
    start_utc_s : float
        Start of the set, in s since 1970-01-01 UTC.
    utc_offset_s : int or None
        UTC offset of ``started_at``, in s; None when the metadata had none.
    time_source : {"metadata", "file-mtime"}
        Where the start time comes from.
    local_date : str
        Date of the start in the athlete's time zone (``YYYY-MM-DD``).
    iso_year, iso_week : int
        ISO 8601 week of ``local_date``.
    start_s, end_s : float
        The set's span on the file's own time axis, in s.
    contacts : int
        Contacts detected.
    cadence_spm : float or None
        Cadence, in steps/min.
    contact_ms_median, contact_ms_best : float or None
        Median and shortest contact time, in ms.
    flight_ms_median : float or None
        Median flight time, in ms.
    symmetry_pct : float or None
        Left/right asymmetry of contact time, in %.
    primary_metric : str
        The drill's primary metric.
    metric_value : float or None
        The set's value of it (median contact time for ``contact_ms``), in its unit.
    analysis_version : str
        ``ANALYSIS_VERSION`` of the analysis that produced the row.
    """

    id: int
    path: str
    set_number: int
    group_key: str
    athlete: str
    drill: str
    side: str | None
    placement: str
    session: str | None
    method: str
    sampling_rate_hz: float
    started_at: str
    start_utc_s: float
    utc_offset_s: int | None
    time_source: str
    local_date: str
    iso_year: int
    iso_week: int
    start_s: float
    end_s: float
    contacts: int
    cadence_spm: float | None
    contact_ms_median: float | None
    contact_ms_best: float | None
    flight_ms_median: float | None
    symmetry_pct: float | None
    primary_metric: str
    metric_value: float | None
    analysis_version: str

    @property
    def week(self) -> str:
        """ISO week label, e.g. ``"2026-W05"``."""
        return f"{self.iso_year}-W{self.iso_week:02d}"


_SET_COLUMNS = tuple(SetRow.__dataclass_fields__)


@dataclass(frozen=True)
class ContactRow:
    """One indexed contact (times on its file's time axis, in s; durations in ms)."""

    set_id: int
    number: int
    side: str | None
    ic_s: float
    to_s: float
    contact_ms: float
    flight_ms: float | None
    step_ms: float | None


@dataclass(frozen=True)
class FileError:
    """A library file that could not be indexed, and why (one line)."""

    path: str
    error: str


@dataclass
class UpdateReport:
    """What :meth:`Library.update` did.

    Attributes
    ----------
    files : int
        Recording files found in the library.
    analysed : list of str
        Files (re-)analysed by this update.
    removed : list of str
        Files that disappeared and lost their rows.
    unchanged : int
        Files whose index rows were kept.
    new_errors : list of FileError
        Files that failed for the first time (or failed again after they changed).
    known_errors : int
        Unchanged files that failed before: skipped silently.
    rebuilt : str or None
        Why the index was rebuilt from scratch (an unusable index file), if it was.
    """

    files: int = 0
    analysed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    new_errors: list[FileError] = field(default_factory=list)
    known_errors: int = 0
    rebuilt: str | None = None

    def to_json_dict(self) -> dict[str, Any]:
        """JSON-ready form (lists of analysed and removed files are counted)."""
        return {
            "files": self.files,
            "analysed": len(self.analysed),
            "removed": len(self.removed),
            "unchanged": self.unchanged,
            "new_errors": [asdict(e) for e in self.new_errors],
            "known_errors": self.known_errors,
            "rebuilt": self.rebuilt,
        }


def resolve_library(library: str | Path | None) -> Path:
    """The library folder: ``library``, else ``$SENSORLAB_LIBRARY``, else ``recordings``.

    Raises
    ------
    UsageError
        If the folder does not exist.
    """
    chosen = library or os.environ.get(LIBRARY_ENV) or DEFAULT_LIBRARY
    root = Path(chosen)
    if not root.is_dir():
        raise UsageError(
            f"{root}: expected a library folder of recordings, found "
            f"{'a file' if root.exists() else 'nothing'}",
            hint=f"pass --library DIR or set {LIBRARY_ENV}",
        )
    return root


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, as hex."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@functools.cache
def current_analysis_version() -> str:
    """``sensorlab.analysis.ANALYSIS_VERSION``, read without importing the analysis chain.

    Importing :mod:`sensorlab.analysis` loads numpy, scipy and pandas (about 1.4 s here),
    which an unchanged library does not need: the constant is read from the module's source
    with :mod:`ast`, and the module is imported only when that fails (e.g. no source file).
    """
    spec = importlib.util.find_spec("sensorlab.analysis")
    origin = None if spec is None else spec.origin
    if origin is not None and origin.endswith(".py"):
        try:
            tree = ast.parse(Path(origin).read_text(encoding="utf-8"))
        except (OSError, SyntaxError, UnicodeDecodeError):
            tree = None
        for node in [] if tree is None else tree.body:
            if (
                isinstance(node, ast.Assign)
                and any(
                    isinstance(t, ast.Name) and t.id == "ANALYSIS_VERSION" for t in node.targets
                )
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                return node.value.value
    from sensorlab.analysis import ANALYSIS_VERSION

    return ANALYSIS_VERSION


def _scan(root: Path) -> dict[str, os.stat_result]:
    """Every ``*.csv`` under ``root`` (hidden files and folders skipped), by relative path."""
    found: dict[str, os.stat_result] = {}
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
            elif entry.name.lower().endswith(".csv") and entry.is_file():
                rel = Path(entry.path).relative_to(root).as_posix()
                found[rel] = entry.stat()
    return found


def _start_time(metadata: dict[str, str] | Any, mtime_s: float) -> tuple[datetime, str]:
    """Start of a recording: ``started_at`` metadata (kept in its offset), else the mtime."""
    text = str(metadata.get("started_at", "")).strip()
    if text:
        try:
            stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            stamp = None
        if stamp is not None:
            return stamp, "metadata"
    return datetime.fromtimestamp(mtime_s).astimezone(), "file-mtime"


def _utc_seconds(stamp: datetime) -> float:
    if stamp.tzinfo is None:  # wall time without an offset: weeks use it as is, UTC assumed
        return stamp.replace(tzinfo=UTC).timestamp()
    return stamp.timestamp()


def _offset_s(stamp: datetime) -> int | None:
    offset = stamp.utcoffset()
    return None if offset is None else int(offset.total_seconds())


@dataclass(frozen=True)
class _Analysed:
    """What the index keeps of one analysed file (small and picklable)."""

    metadata: dict[str, str]
    t0_s: float
    analysis: RecordingAnalysis


@dataclass(frozen=True)
class _GroupResult:
    """Analyses (or one-line errors) of a group of files, and the pair's key if paired."""

    ok: dict[str, _Analysed]
    errors: dict[str, str]
    group_key: str | None


def _analyse_group(root: Path, group: list[str]) -> _GroupResult:
    """Read and analyse one group of library files (a single file or a left/right pair).

    A module-level function of picklable input and output, so that a process pool can run
    it; the index itself is only written by the process that owns the connection.
    """
    from sensorlab.analysis import analyze_many
    from sensorlab.io import read_recording

    recordings: dict[str, Recording] = {}
    errors: dict[str, str] = {}
    for rel in group:
        try:
            recordings[rel] = read_recording(root / rel)
        except SensorlabError as exc:
            errors[rel] = exc.one_line()
    readable = [rel for rel in group if rel in recordings]
    analyses: dict[str, RecordingAnalysis] = {}
    if len(readable) == 2:
        try:
            pair = analyze_many([recordings[rel] for rel in readable])
            analyses = dict(zip(readable, pair, strict=True))
        except SensorlabError:
            analyses = {}  # analysed one by one below, to blame the right file
    for rel in readable:
        if rel not in analyses:
            try:
                analyses[rel] = analyze_many([recordings[rel]])[0]
            except SensorlabError as exc:
                errors[rel] = exc.one_line()
    group_key = None
    results = list(analyses.values())
    if (
        len(results) == 2
        and {a.side for a in results} == {"left", "right"}
        and results[0].drill.id == results[1].drill.id
    ):
        meta = recordings[readable[0]].metadata
        group_key = f"{meta.get('athlete') or UNKNOWN_ATHLETE}/{meta.get('session')}"
    ok = {
        rel: _Analysed(
            dict(recordings[rel].metadata),
            float(recordings[rel].time_s[0]) if recordings[rel].n_samples else 0.0,
            a,
        )
        for rel, a in analyses.items()
    }
    return _GroupResult(ok, errors, group_key)


class IndexUnusableError(UsageError):
    """The index file is not a usable index (corrupt, or another schema): it can be rebuilt."""


class Library:
    """An opened library: the folder and its index.

    Use :func:`open_library` (a context manager) rather than the constructor.

    Parameters
    ----------
    root : Path
        The library folder.
    index_path : Path
        The SQLite index file.
    """

    def __init__(self, root: Path, index_path: Path) -> None:
        self.root = root
        self.index_path = index_path
        try:
            self._db = sqlite3.connect(index_path, timeout=30.0, isolation_level=None)
        except sqlite3.Error as exc:
            raise UsageError(f"cannot open the library index: {exc}", path=index_path) from None
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            row = self._db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is None:
                self._db.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema', ?)", (str(SCHEMA_VERSION),)
                )
            elif row[0] != str(SCHEMA_VERSION):
                self._db.close()
                raise IndexUnusableError(
                    f"expected index schema {SCHEMA_VERSION}, found {row[0]}", path=index_path
                )
        except sqlite3.OperationalError as exc:  # locked, read-only, disk full: not a bad file
            self._db.close()
            raise UsageError(f"cannot use the library index: {exc}", path=index_path) from None
        except sqlite3.DatabaseError as exc:  # not a database, malformed
            self._db.close()
            raise IndexUnusableError(
                f"expected an SQLite index, found an unusable file: {exc}", path=index_path
            ) from None

    def close(self) -> None:
        """Close the index."""
        self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # ----------------------------------------------------------------------------------------
    # update

    def update(self, *, analysis_version: str | None = None) -> UpdateReport:
        """Bring the index up to date with the folder.

        Parameters
        ----------
        analysis_version : str, optional
            The version to compare stored rows against; defaults to
            ``sensorlab.analysis.ANALYSIS_VERSION`` (tests pass another to simulate a bump).

        Returns
        -------
        UpdateReport
            Files analysed, removed, unchanged, and the files that failed.
        """
        if analysis_version is None:
            analysis_version = current_analysis_version()
        report = UpdateReport()
        found = _scan(self.root)
        report.files = len(found)
        stored = {
            row[0]: row[1:]
            for row in self._db.execute(
                "SELECT path, size_bytes, mtime_ns, sha256, analysis_version, status, group_key "
                "FROM files"
            )
        }
        gone = sorted(set(stored) - set(found))
        if gone:
            with self._transaction() as db:
                db.executemany("DELETE FROM files WHERE path = ?", [(p,) for p in gone])
            report.removed = gone
        # the partner of a removed pair file loses its symmetry: analyse it again, alone
        widowed = {
            rel
            for rel, old in stored.items()
            if rel in found and old[5] and any(stored[g][5] == old[5] for g in gone)
        }

        todo: dict[str, str] = {}  # path -> sha256 of the files to (re-)analyse
        for rel, st in sorted(found.items()):
            old = stored.get(rel)
            if (
                old is not None
                and old[0] == st.st_size
                and old[1] == st.st_mtime_ns
                and old[3] == analysis_version
                and rel not in widowed
            ):
                continue
            digest = file_sha256(self.root / rel)
            if (
                old is not None
                and old[2] == digest
                and old[3] == analysis_version
                and rel not in widowed
            ):
                # touched, not changed: remember the new size and mtime, keep the rows
                with self._transaction() as db:
                    db.execute(
                        "UPDATE files SET size_bytes = ?, mtime_ns = ? WHERE path = ?",
                        (st.st_size, st.st_mtime_ns, rel),
                    )
                continue
            todo[rel] = digest
        groups = self._groups(todo, found)  # may add the indexed partner of a changed file
        report.unchanged = len(found) - len(todo)
        report.known_errors = sum(
            1 for rel in found if rel not in todo and rel in stored and stored[rel][4] == "error"
        )
        for group in groups:
            result = _analyse_group(self.root, group)
            self._store_group(group, result, todo, found, analysis_version, report)
        return report

    def _groups(self, todo: dict[str, str], found: dict[str, os.stat_result]) -> list[list[str]]:
        """Files to analyse, grouped: a session's left and right foot file together."""
        if not todo:
            return []
        from sensorlab.io import read_metadata

        by_session: dict[tuple[str, str], list[str]] = {}
        singles: list[list[str]] = []
        # partners already indexed and unchanged join their session's group too
        known: dict[tuple[str, str], list[str]] = {}
        for path, athlete, session in self._db.execute(
            "SELECT path, athlete, session FROM files WHERE session IS NOT NULL"
        ):
            known.setdefault((athlete, session), []).append(path)
        for rel in todo:
            try:
                meta = read_metadata(self.root / rel)
            except SensorlabError:
                singles.append([rel])
                continue
            session = meta.get("session")
            if session:
                key = (meta.get("athlete") or UNKNOWN_ATHLETE, session)
                by_session.setdefault(key, []).append(rel)
            else:
                singles.append([rel])
        groups = list(singles)
        for key, members in by_session.items():
            for other in known.get(key, []):
                if other not in members and other in found:
                    members.append(other)
                    todo.setdefault(other, file_sha256(self.root / other))
            if len(members) == 2:
                groups.append(sorted(members))
            else:
                groups.extend([m] for m in members)
        return sorted(groups)

    def _store_group(
        self,
        group: list[str],
        result: _GroupResult,
        todo: dict[str, str],
        found: dict[str, os.stat_result],
        analysis_version: str,
        report: UpdateReport,
    ) -> None:
        """Write one analysed group, one transaction per file."""
        for rel in group:
            st = found[rel]
            with self._transaction() as db:
                db.execute("DELETE FROM files WHERE path = ?", (rel,))
                if rel in result.errors:
                    error = result.errors[rel]
                    self._insert_file(db, rel, st, todo[rel], analysis_version, error, None)
                    report.new_errors.append(FileError(rel, error))
                    continue
                done = result.ok[rel]
                key = result.group_key
                self._insert_file(
                    db, rel, st, todo[rel], analysis_version, None, done.metadata, key
                )
                self._insert_sets(db, rel, done, st.st_mtime_ns / 1e9, key or rel, analysis_version)
            report.analysed.append(rel)

    @staticmethod
    def _insert_file(
        db: sqlite3.Connection,
        rel: str,
        st: os.stat_result,
        digest: str,
        analysis_version: str,
        error: str | None,
        metadata: dict[str, str] | None,
        group_key: str | None = None,
    ) -> None:
        meta = metadata or {}
        db.execute(
            "INSERT INTO files (path, size_bytes, mtime_ns, sha256, analysis_version, status, "
            "error, athlete, session, group_key, indexed_at_utc) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                rel,
                st.st_size,
                st.st_mtime_ns,
                digest,
                analysis_version,
                "error" if error else "ok",
                error,
                meta.get("athlete") or (None if metadata is None else UNKNOWN_ATHLETE),
                meta.get("session"),
                group_key,
                datetime.now(UTC).isoformat(timespec="seconds"),
            ),
        )

    @staticmethod
    def _insert_sets(
        db: sqlite3.Connection,
        rel: str,
        done: _Analysed,
        mtime_s: float,
        group_key: str,
        analysis_version: str,
    ) -> None:
        meta = done.metadata
        analysis = done.analysis
        start, source = _start_time(meta, mtime_s)
        t0_s = done.t0_s
        athlete = meta.get("athlete") or UNKNOWN_ATHLETE
        for s in analysis.sets:
            stamp = start + timedelta(seconds=s.start_s - t0_s)
            iso = stamp.date().isocalendar()
            summary = asdict(s.summary)
            values = (
                rel,
                s.number,
                group_key,
                athlete,
                analysis.drill.id,
                analysis.side,
                analysis.placement,
                meta.get("session"),
                analysis.method,
                float(analysis.sampling_rate_hz),
                stamp.isoformat(timespec="seconds"),
                _utc_seconds(stamp),
                _offset_s(stamp),
                source,
                stamp.date().isoformat(),
                iso.year,
                iso.week,
                s.start_s,
                s.end_s,
                s.summary.contacts,
                s.summary.cadence_spm,
                s.summary.contact_ms_median,
                s.summary.contact_ms_best,
                s.summary.flight_ms_median,
                s.summary.symmetry_pct,
                analysis.drill.primary_metric,
                s.summary.metric(analysis.drill.primary_metric),
                json.dumps(summary),
                analysis_version,
            )
            cursor = db.execute(
                "INSERT INTO sets (path, set_number, group_key, athlete, drill, side, placement, "
                "session, method, sampling_rate_hz, started_at, start_utc_s, utc_offset_s, "
                "time_source, local_date, iso_year, iso_week, start_s, end_s, contacts, "
                "cadence_spm, contact_ms_median, contact_ms_best, flight_ms_median, "
                "symmetry_pct, primary_metric, metric_value, summary_json, analysis_version) "
                "VALUES (" + ", ".join("?" * len(values)) + ")",
                values,
            )
            set_id = cursor.lastrowid
            db.executemany(
                "INSERT INTO contacts (set_id, number, side, ic_s, to_s, contact_ms, flight_ms, "
                "step_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (set_id, k + 1, c.side, c.ic_s, c.to_s, c.contact_ms, c.flight_ms, c.step_ms)
                    for k, c in enumerate(s.contacts)
                ],
            )

    # ----------------------------------------------------------------------------------------
    # queries

    def sets(
        self,
        *,
        athlete: str | None = None,
        drill: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        session: str | None = None,
    ) -> list[SetRow]:
        """Indexed sets, oldest first.

        Parameters
        ----------
        athlete, drill, session : str, optional
            Keep only this athlete, drill id or ``session:`` value.
        date_from, date_to : date, optional
            Keep sets whose local start date is in ``[date_from, date_to]``.

        Returns
        -------
        list of SetRow
            Ordered by UTC start time, then path and set number.
        """
        where: list[str] = []
        params: list[Any] = []
        for column, value in (("athlete", athlete), ("drill", drill), ("session", session)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if date_from is not None:
            where.append("local_date >= ?")
            params.append(date_from.isoformat())
        if date_to is not None:
            where.append("local_date <= ?")
            params.append(date_to.isoformat())
        sql = f"SELECT {', '.join(_SET_COLUMNS)} FROM sets"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY start_utc_s, path, set_number"
        return [SetRow(*row) for row in self._db.execute(sql, params)]

    def contacts(self, set_ids: Sequence[int]) -> dict[int, list[ContactRow]]:
        """Contacts of the given sets, by set id, in time order."""
        out: dict[int, list[ContactRow]] = {i: [] for i in set_ids}
        ids = list(set_ids)
        for lo in range(0, len(ids), 500):
            chunk = ids[lo : lo + 500]
            marks = ", ".join("?" * len(chunk))
            for row in self._db.execute(
                "SELECT set_id, number, side, ic_s, to_s, contact_ms, flight_ms, step_ms "
                f"FROM contacts WHERE set_id IN ({marks}) ORDER BY set_id, number",
                chunk,
            ):
                out[row[0]].append(ContactRow(*row))
        return out

    def athletes(self) -> list[str]:
        """Athletes with at least one indexed set, sorted."""
        return [r[0] for r in self._db.execute("SELECT DISTINCT athlete FROM sets ORDER BY 1")]

    def errors(self) -> list[FileError]:
        """Files that could not be indexed, with their error."""
        return [
            FileError(path, error or "")
            for path, error in self._db.execute(
                "SELECT path, error FROM files WHERE status = 'error' ORDER BY path"
            )
        ]


@contextmanager
def open_library(
    library: str | Path | None = None,
    *,
    index_path: str | Path | None = None,
    update: bool = True,
) -> Iterator[tuple[Library, UpdateReport]]:
    """Open a library's index (creating it), update it, and close it afterwards.

    Parameters
    ----------
    library : str or Path, optional
        The folder; else ``$SENSORLAB_LIBRARY``, else ``recordings``.
    index_path : str or Path, optional
        Where the index lives; defaults to ``.sensorlab-index.sqlite`` inside the folder
        (the demo keeps it in its output folder so the shipped recordings stay untouched).
    update : bool
        Run :meth:`Library.update` before yielding.

    Yields
    ------
    tuple of (Library, UpdateReport)
        The opened library and what the update did (empty when ``update`` is False).
    """
    root = resolve_library(library)
    path = Path(index_path) if index_path is not None else root / INDEX_NAME
    rebuilt = None
    try:
        lib = Library(root, path)
    except IndexUnusableError as exc:
        # the index is a cache of the recordings: keep the bad file aside and rebuild
        aside = path.with_name(path.name + ".unusable")
        for suffix in ("-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
        try:
            path.replace(aside)
        except OSError as move_error:
            raise UsageError(
                f"cannot move the unusable index aside: {move_error}", path=path
            ) from exc
        rebuilt = f"{exc.message}; moved to {aside.name} and rebuilt"
        lib = Library(root, path)
    with closing(lib):
        report = lib.update() if update else UpdateReport()
        report.rebuilt = rebuilt
        yield lib, report
