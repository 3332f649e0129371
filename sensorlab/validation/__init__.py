"""Validation on real recordings: one loader per public dataset in ``<shared>/datasets/``.

Each loader converts the dataset's recordings to sensorlab's canonical form (SI units,
``placement``/``side``/``drill`` metadata; :meth:`ValidationCase.write_csv` writes the
canonical CSV) and maps the dataset's own reference events to contacts ``[IC, TO]`` on the
same clock, as its README defines them. ``benchmarks/validate.py`` runs every case through the
user's ``sensorlab analyze`` path and scores it with :func:`score_contacts`.

The datasets themselves are never part of the project (licences, size); the loaders read them
from the shared folder (:func:`find_shared`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sensorlab.errors import check_option
from sensorlab.validation import alcantara_running, gaitmap_walking, grouvel_running, ipol_gait
from sensorlab.validation._common import (
    SHARED_ENV,
    DatasetInfo,
    ReferenceContacts,
    Thresholds,
    ValidationCase,
    find_shared,
    pool,
    score_contacts,
    windows_from_runs,
)

__all__ = [
    "DATASETS",
    "SHARED_ENV",
    "Dataset",
    "DatasetInfo",
    "ReferenceContacts",
    "Thresholds",
    "ValidationCase",
    "find_shared",
    "load_dataset",
    "pool",
    "score_contacts",
    "windows_from_runs",
]


@dataclass(frozen=True)
class Dataset:
    """A validation dataset: what it is and how to load it.

    Attributes
    ----------
    info : DatasetInfo
        Description, reference, limits, tolerance and issue bars.
    load : callable
        ``load(root, *, quick) -> list[ValidationCase]`` with ``root`` the dataset folder.
    """

    info: DatasetInfo
    load: Callable[..., list[ValidationCase]]


DATASETS: dict[str, Dataset] = {
    m.NAME: Dataset(info=m.INFO, load=m.load)
    for m in (gaitmap_walking, ipol_gait, alcantara_running, grouvel_running)
}
"""The datasets by folder name, in report order."""


def load_dataset(name: str, shared: Path, *, quick: bool = False) -> list[ValidationCase]:
    """Load one dataset's cases from the shared folder.

    Parameters
    ----------
    name : str
        A key of :data:`DATASETS`.
    shared : Path
        The shared folder (holding ``datasets/<name>/``).
    quick : bool, optional
        Load the dataset's quick subset (:attr:`DatasetInfo.subset`).

    Returns
    -------
    list of ValidationCase
    """
    check_option("dataset", name, tuple(DATASETS))
    return DATASETS[name].load(shared / "datasets" / name, quick=quick)
