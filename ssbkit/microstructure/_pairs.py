"""Voxel-pair counts along one lattice direction, for the Crofton interface areas (:mod:`.measures`).

Pairs ``(x, x + d)`` in different phases are counted per phase pair. Along a
periodic axis the pairs wrap around; along the others the crossings lost
where the pair would leave the box are estimated from those next to the faces.
An axis no longer than the pair (a single slice) is taken as invariant along
it (an extruded 2-D image) and wrapped.
"""

from __future__ import annotations

import numpy as np

__all__: list[str] = []  # private module


def _pair_counts(lab: np.ndarray, d: tuple[int, int, int],
                 periodic: tuple[bool, bool, bool] = (False, False, False)) -> np.ndarray:
    """Counts (4x4, upper triangle) of voxel pairs (x, x + d) in different phases.

    Along a periodic axis the pairs wrap around. Along the others the pairs
    that would leave the box are estimated from the crossings next to the two
    faces (see :func:`_window_factor`).
    """
    a = lab
    sa, sb = [], []
    # an axis shorter than the pair (a single slice, a volume 2 voxels thick) is taken as
    # invariant along it, as a 2-D image stands for an extruded structure: wrap the pair
    wrap = [bool(p) or abs(step) >= n for p, step, n in zip(periodic, d, lab.shape, strict=True)]
    for ax, step in enumerate(d):
        n = lab.shape[ax]
        if step and wrap[ax]:
            a = np.roll(a, -step, axis=ax)  # a[x] = lab[x + d] along this axis
            sa.append(slice(None))
            sb.append(slice(None))
        elif step:
            sa.append(slice(0, n - abs(step)) if step > 0 else slice(abs(step), None))
            sb.append(slice(abs(step), None) if step > 0 else slice(0, n - abs(step)))
        else:
            sa.append(slice(None))
            sb.append(slice(None))
    first, second = lab[tuple(sa)], a[tuple(sb)]  # second[x] = lab[x + d]
    code = (first << 2) | second
    counts = _sym_counts(code)
    factor = np.ones((4, 4))
    for ax, step in enumerate(d):
        if step and not wrap[ax]:
            factor *= _window_factor(code, ax, abs(step), counts)
    return counts * factor


def _sym_counts(code: np.ndarray) -> np.ndarray:
    counts = np.bincount(code.ravel(), minlength=16)[:16].reshape(4, 4).astype(float)
    return np.triu(counts + counts.T, 1)


def _window_factor(code: np.ndarray, ax: int, k: int, counts: np.ndarray) -> np.ndarray:
    """Per phase pair: 1 + (crossings lost at the two faces normal to ``ax``) / (counted).

    Pairs ``k`` voxels apart along ``ax`` miss the crossings in a margin of
    ``k / 2`` layers (on average) at each face. The crossing density there is
    taken from the first and last ``k`` layers of pairs, so a structure that is
    homogeneous gets the usual ``n / (n - k)`` and an object away from the
    faces (a particle, a plane inside the box) gets no correction at all.
    """
    m = min(k, code.shape[ax])
    lo = _sym_counts(np.take(code, range(m), axis=ax))
    hi = _sym_counts(np.take(code, range(code.shape[ax] - m, code.shape[ax]), axis=ax))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(counts > 0, 1.0 + 0.5 * k * (lo + hi) / m / counts, 1.0)
