"""The recording library and its history: index, weekly progress, set comparison.

- :mod:`sensorlab.history.index`: the library folder's SQLite index (one row per analysed
  set and per contact), updated incrementally by content hash and analysis version;
- :mod:`sensorlab.history.progress`: weekly figures per athlete and drill (ISO weeks in the
  athlete's time zone);
- :mod:`sensorlab.history.compare`: sets of one drill side by side, best set, verdicts;
- :mod:`sensorlab.history.cli`: the ``compare``, ``progress`` and ``report`` commands.

Figures of these results are drawn by :mod:`sensorlab.report.history_figures`, the HTML
report by :mod:`sensorlab.report.html`.
"""
