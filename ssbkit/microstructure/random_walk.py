"""Tortuosity factor from random walkers in the conducting phase (Hlushkou's method).

Walkers start on random voxels of the conducting phase and make lattice steps
("blind ant"): each step picks one of the six neighbours at random and moves
there if it belongs to the phase, otherwise stays. The volume is continued
beyond its faces by mirror images (default; or periodically). In the long-time
limit the mean squared displacement along an axis grows as ``2 D_eff t``, and

    tau = D0 / D_eff  (R-17, Falco et al., Mol. Syst. Des. Eng. 4 (2019) 850;
    random-walk tortuosity of composite cathodes: Hlushkou et al. 2018),

with ``D0 = 1/6`` voxel^2 per step for free lattice steps in 3-D. Walkers on
clusters that do not span the volume stop contributing, so ``D_eff`` is the
average over all walkers, as the Einstein relation ``sigma_eff = eps D_eff``
requires. The blind-ant walk has the same unit-bond network as the
finite-volume solver (:mod:`ssbkit.microstructure.solver`), and mirror
boundaries reproduce its boundary conditions (the mirror planes normal to the
transport axis are equipotentials, the lateral ones carry no flux), so the two
agree within the walk's statistical uncertainty.

``D_eff`` comes from the slope of the mean squared displacement between
``t_fit_start * n_steps`` and ``n_steps``; its uncertainty is the standard
error over ``n_batches`` independent batches of walkers. Each walker has its
own counter-based random stream, so a seed gives the same result on any
number of threads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy import ndimage

from ssbkit.errors import InputError, did_you_mean
from ssbkit.microstructure._jit import configure_cache
from ssbkit.microstructure.phases import phase_label
from ssbkit.records import Record

configure_cache()

from numba import njit, prange  # noqa: E402

__all__ = ["RandomWalkResult", "random_walk_tortuosity"]

_D0 = 1.0 / 6.0  # free lattice diffusivity, voxel^2 per step (3-D blind ant)
_REFERENCES = (
    "Falco et al., Mol. Syst. Des. Eng. 4 (2019) 850, eq. R-17",
    "Hlushkou et al. 2018 (random-walk tortuosity of composite cathodes)",
)


@dataclass(frozen=True)
class RandomWalkResult(Record):
    """Random-walk estimate of the relative diffusivity along each axis.

    Attributes
    ----------
    d_rel : tuple of float
        ``D_eff / D0`` along axes 0, 1, 2 (dimensionless).
    d_rel_err : tuple of float
        Standard error of ``d_rel`` (batches of walkers).
    tortuosity : tuple of float
        ``tau = D0 / D_eff`` along each axis (R-17); ``math.inf`` (``null`` in JSON)
        where no cluster of the phase spans that axis.
    tortuosity_err : tuple of float
        Standard error of ``tortuosity`` (propagated from ``d_rel_err``).
    volume_fraction : float
        Volume fraction of the phase the walkers move in.
    n_walkers, n_steps, seed : int
        Run parameters.
    boundary : str
        ``"mirror"`` or ``"periodic"``.
    references : tuple of str
        Sources of the method.
    """

    d_rel: tuple[float, float, float]
    d_rel_err: tuple[float, float, float]
    tortuosity: tuple[float, float, float]
    tortuosity_err: tuple[float, float, float]
    volume_fraction: float
    n_walkers: int
    n_steps: int
    seed: int
    boundary: str
    references: tuple[str, ...] = field(default=_REFERENCES)



_STRUCT6 = ndimage.generate_binary_structure(3, 1)


def _spanning_clusters(mask: np.ndarray, mirror: bool) -> tuple[np.ndarray, list[np.ndarray]]:
    """Cluster labels of ``mask`` and, per axis, which clusters carry diffusion to infinity.

    With mirror continuation a cluster spans an axis when it touches both faces
    normal to it. With periodic continuation it must join a voxel to its own
    image one period on; this is checked on the volume tiled twice along every
    axis, which finds every path that stays within two periods laterally.
    """
    comp, n = ndimage.label(mask, structure=_STRUCT6)
    spans = []
    if mirror:
        for ax in range(3):
            lo = np.unique(np.take(comp, 0, axis=ax))
            hi = np.unique(np.take(comp, -1, axis=ax))
            ok = np.zeros(n + 1, dtype=bool)
            ok[np.intersect1d(lo, hi)] = True
            ok[0] = False
            spans.append(ok)
        return comp, spans
    big, _ = ndimage.label(np.tile(mask, (2, 2, 2)), structure=_STRUCT6)
    n0, n1, n2 = mask.shape
    base = big[:n0, :n1, :n2]
    for shift in ((n0, 0, 0), (0, n1, 0), (0, 0, n2)):
        image = big[shift[0]:shift[0] + n0, shift[1]:shift[1] + n1, shift[2]:shift[2] + n2]
        joined = mask & (base == image)
        ok = np.zeros(n + 1, dtype=bool)
        ok[np.unique(comp[joined])] = True
        ok[0] = False
        spans.append(ok)
    return comp, spans


@njit(inline="always")
def _splitmix(state):
    state = (state + np.uint64(0x9E3779B97F4A7C15)) & np.uint64(0xFFFFFFFFFFFFFFFF)
    z = state
    z = ((z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)) & np.uint64(0xFFFFFFFFFFFFFFFF)
    z = ((z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)) & np.uint64(0xFFFFFFFFFFFFFFFF)
    return state, z ^ (z >> np.uint64(31))


@njit(inline="always")
def _fold(c, n, mirror):
    if mirror:
        m = c % (2 * n)
        return m if m < n else 2 * n - 1 - m
    return c % n


@njit(parallel=True, cache=True)
def _walk(mask, starts, seed, n_steps, record_at, mirror):
    """Walk every walker; return squared displacements (walker, record time, axis)."""
    n0, n1, n2 = mask.shape
    nw = starts.shape[0]
    nrec = record_at.shape[0]
    out = np.zeros((nw, nrec, 3), dtype=np.float64)
    for w in prange(nw):
        state = np.uint64(seed) * np.uint64(0x632BE59BD9B4E019) + np.uint64(w) * np.uint64(2654435761)
        x0, y0, z0 = starts[w, 0], starts[w, 1], starts[w, 2]
        x, y, z = x0, y0, z0
        rec = 0
        bits = np.uint64(0)
        left = 0
        for t in range(1, n_steps + 1):
            if left == 0:
                state, bits = _splitmix(state)
                left = 21  # 21 draws of 3 bits per 64-bit number
            r = np.int64(bits & np.uint64(7))
            bits = bits >> np.uint64(3)
            left -= 1
            while r >= 6:  # reject 6 and 7: uniform over the six directions
                if left == 0:
                    state, bits = _splitmix(state)
                    left = 21
                r = np.int64(bits & np.uint64(7))
                bits = bits >> np.uint64(3)
                left -= 1
            step = 1 if r % 2 == 0 else -1
            ax = r // 2
            nx, ny, nz = x, y, z
            if ax == 0:
                nx += step
            elif ax == 1:
                ny += step
            else:
                nz += step
            if mask[_fold(nx, n0, mirror), _fold(ny, n1, mirror), _fold(nz, n2, mirror)]:
                x, y, z = nx, ny, nz
            if rec < nrec and t == record_at[rec]:
                out[w, rec, 0] = (x - x0) ** 2
                out[w, rec, 1] = (y - y0) ** 2
                out[w, rec, 2] = (z - z0) ** 2
                rec += 1
    return out


def random_walk_tortuosity(mask_or_labels: np.ndarray, phase: int | str | None = None, *,
                           n_walkers: int = 20000, n_steps: int = 20000, seed: int = 0,
                           boundary: str = "mirror", n_batches: int = 16,
                           t_fit_start: float = 0.25) -> RandomWalkResult:
    """Tortuosity factor of a phase from the long-time mean squared displacement of walkers.

    Parameters
    ----------
    mask_or_labels : numpy.ndarray
        3-D (or 2-D) boolean mask of the phase, or a label volume with ``phase``.
    phase : int or str, optional
        Label (or ssbkit phase name) of the phase the walkers move in (default: the non-zero voxels).
    n_walkers : int
        Number of walkers (the uncertainty falls as ``n_walkers ** -0.5``).
    n_steps : int
        Lattice steps per walker; the walkers should cross the volume many
        times (``n_steps >> 6 L^2`` for a box ``L`` voxels long).
    seed : int
        Seed; the same seed gives the same result.
    boundary : {"mirror", "periodic"}
        How the volume is continued beyond its faces.
    n_batches : int
        Batches of walkers for the standard error.
    t_fit_start : float
        Start of the slope fit as a fraction of ``n_steps``.

    Returns
    -------
    RandomWalkResult
        ``D_eff / D0`` and ``tau = D0 / D_eff`` (R-17) along each axis, with standard errors.
    """
    vol = np.asarray(mask_or_labels)
    if vol.ndim == 2:
        vol = vol[:, :, None]
    if vol.ndim != 3 or vol.size == 0:
        raise InputError(f"mask_or_labels must be a 2-D or 3-D array, got shape {vol.shape}")
    if vol.dtype != bool and not np.issubdtype(vol.dtype, np.integer):
        if not np.issubdtype(vol.dtype, np.number) or not np.all(np.isfinite(vol)) or np.any(vol != np.round(vol)):
            raise InputError("mask_or_labels must hold integer labels or a boolean mask; it holds NaN, "
                             f"fractional or non-numeric values (dtype {vol.dtype})")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(f"seed must be a whole number >= 0, got {seed!r}")
    mask = (vol != 0) if phase is None else (vol == phase_label(phase))
    if boundary not in ("mirror", "periodic"):
        raise InputError(f"boundary {boundary!r} is not known{did_you_mean(boundary, ['mirror', 'periodic'])}")
    if int(n_walkers) < 2 * int(n_batches) or int(n_batches) < 2:
        raise InputError(f"need n_batches >= 2 and n_walkers >= 2 n_batches, got "
                         f"{n_walkers} walkers in {n_batches} batches")
    if int(n_steps) < 10 or not 0.0 < t_fit_start < 1.0:
        raise InputError(f"need n_steps >= 10 and 0 < t_fit_start < 1, got {n_steps}, {t_fit_start}")
    eps = float(mask.mean())
    sites = np.argwhere(mask)
    if sites.shape[0] == 0:
        inf3 = (math.inf,) * 3
        return RandomWalkResult((0.0,) * 3, (0.0,) * 3, inf3, inf3, 0.0, int(n_walkers),
                                int(n_steps), int(seed), boundary)
    rng = np.random.default_rng(seed)
    starts = sites[rng.integers(0, sites.shape[0], size=int(n_walkers))].astype(np.int64)
    t_a = max(1, int(round(t_fit_start * n_steps)))
    record_at = np.array([t_a, int(n_steps)], dtype=np.int64)
    sq = _walk(np.ascontiguousarray(mask), starts, int(seed), int(n_steps), record_at,
               boundary == "mirror")
    slope = (sq[:, 1, :] - sq[:, 0, :]) / (2.0 * (record_at[1] - record_at[0]))  # per walker
    comp, spans = _spanning_clusters(mask, boundary == "mirror")
    start_cluster = comp[starts[:, 0], starts[:, 1], starts[:, 2]]
    for ax in range(3):  # a walker on a cluster that does not span an axis has D = 0 along it
        slope[~spans[ax][start_cluster], ax] = 0.0
    batches = np.array_split(slope, int(n_batches))
    per_batch = np.array([b.mean(axis=0) for b in batches]) / _D0  # (batches, 3)
    d_rel = slope.mean(axis=0) / _D0
    err = per_batch.std(axis=0, ddof=1) / math.sqrt(len(batches))
    for ax, n in enumerate(vol.shape):  # an axis one voxel thick has no diffusion
        if n == 1:
            d_rel[ax], err[ax] = 0.0, 0.0
    tau = _triple(float(1.0 / d) if d > 0 else math.inf for d in d_rel)
    tau_err = _triple(float(e / d**2) if d > 0 else math.inf for d, e in zip(d_rel, err, strict=True))
    return RandomWalkResult(_triple(float(v) for v in d_rel), _triple(float(v) for v in err),
                            tau, tau_err, eps, int(n_walkers), int(n_steps), int(seed), boundary)


def _triple(values) -> tuple[float, float, float]:
    x, y, z = values
    return (x, y, z)
