"""Label handling of the voxel solver without large temporaries (:mod:`.solver`).

Histogram of labels, label -> phase-index mapping and removal of clusters that carry no current.
"""

from __future__ import annotations

import numpy as np

from ssbkit.microstructure._jit import JIT_OPTIONS as _OPTS
from ssbkit.microstructure._jit import configure_cache

configure_cache()

from numba import njit, prange  # noqa: E402

__all__: list[str] = []  # private module


# ------------------------------------------------------------ label handling
@njit(cache=True, nogil=True)
def label_histogram(labels, lo, nbins):
    """Counts of each label value lo .. lo + nbins - 1 (any integer dtype, any layout).

    Parameters
    ----------
    labels : numpy.ndarray
        Integer labels.
    lo, nbins : int
        Lowest label and number of bins.

    Returns
    -------
    numpy.ndarray
        Counts.
    """
    counts = np.zeros(nbins, dtype=np.int64)
    n0, n1, n2 = labels.shape
    for i in range(n0):
        for j in range(n1):
            for k in range(n2):
                counts[np.int64(labels[i, j, k]) - lo] += 1
    return counts


@njit(**_OPTS)
def map_labels(labels, lut, lo, out):
    """out = lut[labels - lo] (labels: any integer dtype, any layout, e.g. a moved-axis view).

    Parameters
    ----------
    labels : numpy.ndarray
        Integer labels.
    lut : numpy.ndarray
        Lookup table.
    lo : int
        Lowest label.
    out : numpy.ndarray
        Result written.
    """
    n0, n1, n2 = out.shape
    for i in prange(n0):
        for j in range(n1):
            for k in range(n2):
                out[i, j, k] = lut[np.int64(labels[i, j, k]) - lo]


@njit(**_OPTS)
def drop_clusters(ph, lab, keep):
    """ph = 0 where the connected component lab is not kept; return the kept voxel count.

    Parameters
    ----------
    ph : numpy.ndarray
        Phase index (updated).
    lab : numpy.ndarray
        Cluster labels.
    keep : numpy.ndarray
        Kept clusters.

    Returns
    -------
    int
        Kept voxels.
    """
    n0, n1, n2 = ph.shape
    kept = 0
    for i in prange(n0):
        for j in range(n1):
            for k in range(n2):
                if ph[i, j, k] != 0:
                    if keep[lab[i, j, k]]:
                        kept += 1
                    else:
                        ph[i, j, k] = 0
    return kept
