"""From a label volume to what the conduction solver works on (:mod:`.solver`).

Labels -> ``uint8`` phase index with the transport axis first and the conductivity
per index; removal of the clusters that carry no current (joined across periodic
faces when asked); the face-conductance table ``G[axis, a, b]`` (harmonic mean of
the two conductivities, times face area over length for anisotropic voxels) and the
Dirichlet half-cell conductances ``gb[a]``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
from scipy import ndimage

from ssbkit.errors import InputError

__all__: list[str] = []  # private module


def _conductivity_map(conductivities: Mapping[int, float]) -> dict[int, float]:
    if not isinstance(conductivities, Mapping):
        raise InputError(f"conductivities must map labels to conductivities, e.g. {{0: 0.0, 1: 1e-3}}, "
                         f"got {type(conductivities).__name__}")
    sig = {}
    for key, value in conductivities.items():
        try:
            s = float(value)
        except (TypeError, ValueError):
            raise InputError(f"conductivity of label {key!r} must be a number, got {value!r}") from None
        if not math.isfinite(s) or s < 0:
            raise InputError(f"conductivity of label {key!r} must be finite and >= 0, got {value!r}")
        try:
            label = int(key)
        except (TypeError, ValueError):
            raise InputError(f"conductivities: key {key!r} is not an integer label of the volume "
                             "(phase names: use ssbkit.microstructure.phase_id)") from None
        sig[label] = s
    return sig


def _phase_index(labels: np.ndarray, conductivities: Mapping[int, float], axis: int, jit: bool):
    """Map labels to a uint8 phase index, ``axis`` moved first: (ph, sigma, eps, mean sigma).

    ``jit``: use the numba kernels (no large temporaries) instead of numpy.
    """
    sig = _conductivity_map(conductivities)
    lo, hi = int(labels.min()), int(labels.max())
    small_range = hi - lo < 1 << 22
    if small_range and jit:
        from . import _kernels_labels as K

        hist = K.label_histogram(labels, lo, hi - lo + 1)
    elif small_range:
        hist = np.bincount((labels.reshape(-1) - lo).astype(np.intp, copy=False), minlength=hi - lo + 1)
    if small_range:
        present = (np.nonzero(hist)[0] + lo).tolist()
        counts = {v: int(hist[v - lo]) for v in present}
    else:
        values, cnt = np.unique(labels, return_counts=True)
        present, counts = values.tolist(), dict(zip(values.tolist(), cnt.tolist(), strict=True))
    missing = [v for v in present if v not in sig]
    if missing:
        raise InputError(
            f"labels {missing} have no conductivity in the map (given for {sorted(sig)}); "
            "add them, with 0 for insulating phases")
    conducting = [v for v in present if sig[v] > 0]
    if len(conducting) > 254:
        raise InputError(f"at most 254 conducting phases are supported, got {len(conducting)}")
    sigma = np.zeros(len(conducting) + 1)
    sigma[1:] = [sig[v] for v in conducting]
    n_cond = sum(counts[v] for v in conducting)
    eps = n_cond / labels.size
    sigma_mean = sum(counts[v] * sig[v] for v in conducting) / n_cond if n_cond else 0.0
    view = np.moveaxis(labels, axis, 0)
    if small_range:
        lut = np.zeros(hi - lo + 1, dtype=np.uint8)
        for n, v in enumerate(conducting, start=1):
            lut[v - lo] = n
        if jit:
            from . import _kernels_labels as K

            ph = np.empty(view.shape, dtype=np.uint8)
            K.map_labels(view, lut, lo, ph)
        else:
            ph = np.ascontiguousarray(lut[(view - lo).astype(np.intp, copy=False)])
    else:
        pos = np.searchsorted(np.asarray(conducting), view)
        pos = np.minimum(pos, len(conducting) - 1) if conducting else pos
        ok = np.asarray(conducting)[pos] == view if conducting else np.zeros(view.shape, bool)
        ph = np.where(ok, pos + 1, 0).astype(np.uint8)
    return ph, sigma, eps, sigma_mean


def _keep_clusters(ph: np.ndarray, periodic: bool, *, both_faces: bool = True, jit: bool = False) -> int:
    """Zero the clusters that do not carry current; return the voxels kept.

    ``both_faces``: keep clusters joining the first and the last layer of axis 0
    (conduction); otherwise those touching the first layer (electrode problem).
    With ``periodic`` the clusters are joined across the lateral faces.
    """
    structure = ndimage.generate_binary_structure(3, 1)
    lab, n = ndimage.label(ph != 0, structure=structure)
    if periodic and n:
        lab = _merge_periodic(lab, n)
    touch = np.unique(lab[0])
    keep_ids = np.intersect1d(touch, np.unique(lab[-1])) if both_faces else touch
    keep_ids = keep_ids[keep_ids != 0]
    if not keep_ids.size:
        ph[...] = 0
        return 0
    keep = np.zeros(int(lab.max()) + 1, dtype=np.bool_)
    keep[keep_ids] = True
    if jit:
        from . import _kernels_labels as K

        return int(K.drop_clusters(ph, lab, keep))
    ph[~keep[lab]] = 0
    return int(np.count_nonzero(ph))


def _merge_periodic(lab: np.ndarray, n: int) -> np.ndarray:
    """Relabel so that clusters touching across the periodic faces of axes 1 and 2 share a label."""
    parent = np.arange(n + 1)

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = int(parent[a])
        return a

    for ax in (1, 2):
        if lab.shape[ax] < 2:
            continue
        a = np.take(lab, 0, axis=ax).reshape(-1)
        b = np.take(lab, -1, axis=ax).reshape(-1)
        pairs = np.unique(np.stack([a, b], axis=1)[(a > 0) & (b > 0)], axis=0)
        for x, y in pairs:
            rx, ry = find(int(x)), find(int(y))
            if rx != ry:
                parent[max(rx, ry)] = min(rx, ry)
    roots = np.array([find(i) for i in range(n + 1)])
    return roots[lab]


def _tables(sigma: np.ndarray, spacing_moved: tuple[float, float, float]):
    """Face conductances ``G[axis, a, b]`` and Dirichlet half-cell ``gb[a]`` (sigma / max sigma)."""
    s = sigma / sigma.max()
    with np.errstate(divide="ignore", invalid="ignore"):
        harm = np.where((s[:, None] > 0) & (s[None, :] > 0),
                        2 * s[:, None] * s[None, :] / (s[:, None] + s[None, :]), 0.0)
    h = np.asarray(spacing_moved) / max(spacing_moved)
    w = np.array([h[1] * h[2] / h[0], h[0] * h[2] / h[1], h[0] * h[1] / h[2]])
    return harm[None, :, :] * w[:, None, None], 2 * s * w[0], h
