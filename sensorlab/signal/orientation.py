"""Mount-anywhere helpers: gravity direction and dominant rotation axis from the data.

Nothing here needs to know how the sensor was strapped on: the vertical is the direction of
the mean specific force over the active bout (gravity dominates it, because the segment
returns to the same place every cycle), and the sagittal rotation axis is the principal axis
of the angular-rate vectors (the leg and foot rotate mostly about the medio-lateral axis).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]


def gravity_direction(acc_ms2: FloatArray) -> FloatArray:
    """Unit vector of the mean specific force in the sensor frame.

    Parameters
    ----------
    acc_ms2 : ndarray, shape (n_samples, 3)
        Specific force in m/s², gravity included.

    Returns
    -------
    ndarray, shape (3,)
        Unit vector pointing up (the accelerometer reads +g along it at rest).
    """
    mean = np.mean(acc_ms2, axis=0)
    norm = float(np.linalg.norm(mean))
    if norm == 0.0:
        return np.array([0.0, 0.0, 1.0])
    return np.asarray(mean / norm, dtype=np.float64)


def principal_axis(vectors: FloatArray) -> FloatArray:
    """Unit vector of largest variance (first principal axis) of a 3-D signal.

    Parameters
    ----------
    vectors : ndarray, shape (n_samples, 3)
        E.g. angular rate in deg/s.

    Returns
    -------
    ndarray, shape (3,)
        Unit vector; its sign is arbitrary.
    """
    centred = vectors - np.mean(vectors, axis=0)
    cov = centred.T @ centred
    eigenvalues, eigenvectors = np.linalg.eigh(cov)
    return np.asarray(eigenvectors[:, int(np.argmax(eigenvalues))], dtype=np.float64)


def vertical_component(acc_ms2: FloatArray) -> FloatArray:
    """Specific force along the data's own vertical.

    Parameters
    ----------
    acc_ms2 : ndarray, shape (n_samples, 3)
        Specific force in m/s².

    Returns
    -------
    ndarray, shape (n_samples,)
        Vertical specific force in m/s² (about +9.81 at rest, about 0 in flight).
    """
    return np.asarray(acc_ms2 @ gravity_direction(acc_ms2), dtype=np.float64)


def horizontal_principal(acc_ms2: FloatArray) -> FloatArray:
    """Horizontal acceleration along its own axis of largest variance.

    For a trunk sensor in forward running this is the antero-posterior axis (braking and
    propulsion); in side running it is the medio-lateral axis.

    Parameters
    ----------
    acc_ms2 : ndarray, shape (n_samples, 3)
        Specific force in m/s².

    Returns
    -------
    ndarray, shape (n_samples,)
        Horizontal acceleration in m/s², sign arbitrary.
    """
    up = gravity_direction(acc_ms2)
    horizontal = acc_ms2 - np.outer(acc_ms2 @ up, up)
    return np.asarray(horizontal @ principal_axis(horizontal), dtype=np.float64)
