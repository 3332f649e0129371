"""``sensorlab demo``: analyse the shipped sample recordings and write a small report.

The demo ends with the shareable HTML report of :mod:`sensorlab.report.html` (``report.html``
and its CSV tables). Its library index lives in the output folder, so the sample recordings'
folder is never written to.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from sensorlab.analysis import RecordingAnalysis, analyze_many
from sensorlab.errors import UsageError


def default_recordings_dir() -> Path:
    """The shipped sample recordings: ``./recordings`` if present, else the source tree's."""
    here = Path.cwd() / "recordings"
    if any(here.glob("*.csv")):
        return here
    return Path(__file__).resolve().parents[1] / "recordings"


def _groups(paths: list[Path]) -> list[list[Path]]:
    """Group files of one session (``session:`` metadata) so left and right are paired."""
    from sensorlab.io import read_metadata

    by_session: dict[str, list[Path]] = defaultdict(list)
    singles: list[list[Path]] = []
    for p in paths:
        session = read_metadata(p).get("session")
        if session:
            by_session[session].append(p)
        else:
            singles.append([p])
    return sorted([*singles, *by_session.values()], key=lambda g: g[0].name)


def run_demo(
    *, recordings_dir: str | Path | None = None, out_dir: str | Path = "sensorlab-demo"
) -> Path:
    """Analyse every recording of a folder and write text, JSON and figures.

    Parameters
    ----------
    recordings_dir : path, optional
        Folder of recording CSV files; defaults to :func:`default_recordings_dir`.
    out_dir : path
        Output folder, created if needed; files in it are replaced.

    Returns
    -------
    Path
        The output folder: ``summary.txt``, ``summary.json``, ``overview.png``, one figure per
        recording, and ``report.html`` with ``report-sets.csv`` and ``report-contacts.csv``.
    """
    from sensorlab.history.index import open_library
    from sensorlab.io import read_recording
    from sensorlab.report.figures import demo_overview_figure, save_figure, set_figure
    from sensorlab.report.html import write_report
    from sensorlab.report.text import analysis_text

    folder = Path(recordings_dir) if recordings_dir is not None else default_recordings_dir()
    paths = sorted(folder.glob("*.csv"))
    if not paths:
        raise UsageError(f"{folder}: expected sample recordings (*.csv), found none")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    results: list[RecordingAnalysis] = []
    texts: list[str] = []
    for group in _groups(paths):
        recs = [read_recording(p) for p in group]
        analyses = analyze_many(recs)
        results.extend(analyses)
        texts.extend(analysis_text(a) for a in analyses)
        if len(analyses) == 2 and analyses[0].summary.symmetry_pct is not None:
            fig = set_figure(recs[0], analyses[0], partner=(recs[1], analyses[1]))
            save_figure(fig, out / f"{group[0].stem}+pair.png")
        else:
            for rec, a in zip(recs, analyses, strict=True):
                save_figure(set_figure(rec, a), out / f"{Path(a.file).stem}.png")
    (out / "summary.txt").write_text("\n\n".join(texts) + "\n", encoding="utf-8")
    (out / "summary.json").write_text(
        json.dumps([r.to_json_dict() for r in results], indent=2), encoding="utf-8"
    )
    save_figure(demo_overview_figure(results), out / "overview.png")
    print("\n\n".join(texts))
    with open_library(folder, index_path=out / "library-index.sqlite") as (lib, _):
        written = write_report(lib, out / "report.html")
    print("\nshareable report: " + ", ".join(str(p) for p in written))
    return out
