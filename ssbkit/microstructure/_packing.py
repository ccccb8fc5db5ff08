"""Active-material packing: log-normal spheres by random sequential addition, pressed contacts.

Used by :func:`ssbkit.microstructure.generate.generate_microstructure`.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import ndimage

from ..errors import InputError
from .phases import ACTIVE

__all__ = ["lognormal_diameters", "number_mean_diameter", "place_active"]

_FREE = 255
_MAX_TRIES = 200  # random positions tried per sphere before it is counted a failure
_JAM_FAILURES = 15  # consecutive failed spheres before the overlap is raised
_GROW_MAX = 0.10  # largest share of the active volume grown into the gaps of a jammed packing
_MIN_ACROSS = 2.0  # smallest number-mean active diameter (voxels) the packing accepts


def lognormal_diameters(rng: np.random.Generator, mean: float, sigma: float, n: int) -> np.ndarray:
    """``n`` diameters from a log-normal distribution with arithmetic mean ``mean``.

    ln d ~ N(mu, sigma^2) with mu = ln(mean) - sigma^2/2; draws are clipped to
    mean/3 .. 3 mean so that no single particle dominates a small box.

    Parameters
    ----------
    rng : numpy.random.Generator
        Random generator.
    mean : float
        Arithmetic (number-weighted) mean.
    sigma : float
        Standard deviation of ln d (0: all equal).
    n : int
        Number of draws.

    Returns
    -------
    numpy.ndarray
        Diameters, same unit as ``mean``.
    """
    if sigma <= 0:
        return np.full(n, float(mean))
    mu = math.log(mean) - 0.5 * sigma**2
    return np.clip(rng.lognormal(mu, sigma, n), mean / 3.0, 3.0 * mean)


def _sphere_voxels(shape, centre, radius, periodic):
    """Index grids and squared distances of the voxels in a sphere's bounding box.

    Along a periodic axis a box wider than the volume is cut to one period (nearest
    image): repeated indices made ``_paint`` count a voxel twice and write it back unpainted.
    """
    idx, d2 = [], None
    for ax in range(3):
        lo = math.floor(centre[ax] - radius - 0.5)
        hi = math.ceil(centre[ax] + radius + 0.5)
        i = np.arange(lo, hi + 1)
        dist = (i + 0.5 - centre[ax]) ** 2
        if periodic[ax] and i.size > shape[ax]:  # wider than the box: each voxel once, nearest image
            n = shape[ax]
            i = np.arange(n)
            dist = (np.abs((i + 0.5 - centre[ax] + n / 2) % n - n / 2)) ** 2
        elif periodic[ax]:
            i = i % shape[ax]
        else:
            keep = (i >= 0) & (i < shape[ax])
            i, dist = i[keep], dist[keep]
        idx.append(i)
        shp = [1, 1, 1]
        shp[ax] = dist.size
        d2 = dist.reshape(shp) if d2 is None else d2 + dist.reshape(shp)
    return np.ix_(*idx), d2


def _paint(labels, centre, radius, value, budget, periodic, ids=None, id_value=0) -> int:
    """Paint free voxels within ``radius`` of ``centre`` (voxel units), at most ``budget``."""
    if budget <= 0:
        return 0
    ix, d2 = _sphere_voxels(labels.shape, centre, radius, periodic)
    sub = labels[ix]
    inside = (d2 <= radius * radius) & (sub == _FREE)
    count = int(inside.sum())
    if count > budget:  # paint only the ``budget`` voxels closest to the centre
        d = np.where(inside, d2, np.inf).ravel()
        keep = np.argpartition(d, budget - 1)[:budget]
        inside = np.zeros(d.size, dtype=bool)
        inside[keep] = True
        inside = inside.reshape(sub.shape)
        count = budget
    if count == 0:
        return 0
    sub[inside] = value
    labels[ix] = sub
    if ids is not None:
        isub = ids[ix]
        isub[inside] = id_value
        ids[ix] = isub
    return count


class _Packing:
    """Placed spheres with a fast overlap test (k-d tree over older spheres + brute force over recent ones)."""

    def __init__(self, box: np.ndarray, periodic, r_max: float):
        self.box = box
        self.periodic = np.asarray(periodic, dtype=bool)
        self.boxsize = np.where(self.periodic, box, 3.0 * box)  # non-periodic axes never wrap
        self.r_max = r_max
        self.centres = np.empty((256, 3))
        self.radii = np.empty(256)
        self.n = 0
        self.n_tree = 0
        self.tree = None

    def _clash(self, cand: np.ndarray, idx: np.ndarray, owner: np.ndarray, r: float, overlap: float) -> np.ndarray:
        d = np.abs(cand[owner] - self.centres[idx])
        d = np.where(self.periodic, np.minimum(d, self.box - d), d)
        dist = np.sqrt((d * d).sum(axis=1))
        return owner[dist < (1.0 - overlap) * (self.radii[idx] + r)]

    def first_free(self, cand: np.ndarray, r: float, overlap: float) -> int:
        """Index of the first candidate centre that overlaps no placed sphere, or -1."""
        bad = np.zeros(len(cand), dtype=bool)
        if self.tree is not None:
            lists = self.tree.query_ball_point(cand, (1.0 - overlap) * (r + self.r_max), return_sorted=False)
            counts = np.fromiter((len(x) for x in lists), dtype=np.intp, count=len(lists))
            if counts.sum():
                idx = np.concatenate([np.asarray(x, dtype=np.intp) for x in lists])
                owner = np.repeat(np.arange(len(cand)), counts)
                bad[self._clash(cand, idx, owner, r, overlap)] = True
        k = self.n - self.n_tree
        if k:
            idx = np.tile(np.arange(self.n_tree, self.n), len(cand))
            owner = np.repeat(np.arange(len(cand)), k)
            bad[self._clash(cand, idx, owner, r, overlap)] = True
        free = np.flatnonzero(~bad)
        return int(free[0]) if free.size else -1

    def add(self, c: np.ndarray, r: float) -> None:
        if self.n == len(self.radii):
            self.centres = np.concatenate([self.centres, np.empty_like(self.centres)])
            self.radii = np.concatenate([self.radii, np.empty_like(self.radii)])
        self.centres[self.n] = c
        self.radii[self.n] = r
        self.n += 1
        if self.n - self.n_tree > max(32, self.n_tree // 2):
            from scipy.spatial import cKDTree

            self.tree = cKDTree(self.centres[: self.n] % self.boxsize, boxsize=self.boxsize)
            self.n_tree = self.n


def number_mean_diameter(mean: float, sigma: float, basis: str) -> float:
    """Number-weighted mean diameter of a log-normal distribution given its mean on ``basis``.

    ``basis="number"``: ``mean`` is the number-weighted mean already;
    ``"volume"``: ``mean`` is the volume-weighted (De Brouckere, D[4,3]) mean, which for
    ln d ~ N(mu, sigma^2) is ``D[1,0] exp(3 sigma^2)``.

    Parameters
    ----------
    mean : float
        Mean diameter on ``basis``.
    sigma : float
        Standard deviation of ln d.
    basis : {"number", "volume"}
        Weighting of ``mean``.

    Returns
    -------
    float
        Number-weighted mean diameter.

    Examples
    --------
    >>> round(number_mean_diameter(8.08, 0.4, "volume"), 2)
    5.0
    """
    if basis == "number":
        return float(mean)
    if basis == "volume":
        return float(mean) * math.exp(-3.0 * sigma * sigma)
    raise InputError(f"size basis '{basis}' unknown; use 'number' or 'volume'")


def _draw_until(rng, d_mean: float, sigma: float, d_max: float, volume: float) -> np.ndarray:
    """Diameters in random order until their sphere volumes add up to ``volume`` (voxel units).

    Drawing by volume, not by a fixed count, keeps the placed set an unbiased sample
    of the distribution (placing the largest of a larger pool first would not).
    """
    out: list[np.ndarray] = []
    total = 0.0
    per = math.pi / 6 * d_mean**3 * math.exp(3 * sigma * sigma)
    while total < volume:
        n = max(8, int(1.2 * (volume - total) / per) + 8)
        d = np.minimum(lognormal_diameters(rng, d_mean, sigma, n), d_max)
        cum = total + np.cumsum(math.pi / 6 * d**3)
        stop = int(np.searchsorted(cum, volume)) + 1
        out.append(d[:stop])
        total = float(cum[min(stop, n) - 1])
    return np.concatenate(out)


def _try_place(packing, labels, rng, r: float, overlap: float, state: dict) -> np.ndarray | None:
    """A centre (voxel units) where a sphere of radius ``r`` fits, or None."""
    box = np.asarray(labels.shape, dtype=float)
    trials = rng.random((_MAX_TRIES, 3)) * box
    for start in range(0, _MAX_TRIES, 25):  # small batches: most spheres fit at once
        hit = packing.first_free(trials[start:start + 25], r, overlap)
        if hit >= 0:
            return trials[start + hit]
    # near jamming: try the voxels whose distance to the active phase leaves room
    if state.get("edt") is None or state["since_edt"] >= 16:  # a stale map only proposes
        state["edt"] = ndimage.distance_transform_edt(labels != ACTIVE).astype(np.float32)
        state["since_edt"] = 0
    room = np.flatnonzero(state["edt"].reshape(-1) > (1.0 - overlap) * r)
    if room.size:
        pick = rng.choice(room, size=min(room.size, _MAX_TRIES), replace=False)
        trials = np.stack(np.unravel_index(pick, labels.shape), axis=1) + 0.5
        hit = packing.first_free(trials, r, overlap)
        if hit >= 0:
            return trials[hit]
    return None


def _try_contact(packing, labels, rng, r: float, overlap: float, contact: float) -> np.ndarray | None:
    """A centre pressed against a random placed particle (gap closed to ``contact`` overlap)."""
    if packing.n == 0:
        return None
    box = np.asarray(labels.shape, dtype=float)
    allowed = max(overlap, contact)
    for _ in range(4):
        j = int(rng.integers(packing.n))
        u = rng.normal(size=(8, 3))
        u /= np.linalg.norm(u, axis=1)[:, None]
        cand = packing.centres[j] + u * (1.0 - contact) * (packing.radii[j] + r)
        cand = np.where(packing.periodic, cand % box, cand)
        inside = np.all((cand >= 0) & (cand < box), axis=1)
        cand = cand[inside]
        if cand.size:
            hit = packing.first_free(cand, r, allowed)
            if hit >= 0:
                return cand[hit]
    return None


def _grow_into_gaps(labels, ids, need: int) -> int:
    """Paint the ``need`` free voxels nearest the active phase as active (particles flattened
    into the gaps by pressing); each takes the particle id of its nearest active voxel."""
    if need <= 0:
        return 0
    dist, nearest = ndimage.distance_transform_edt(labels != ACTIVE, return_indices=True)
    free = np.flatnonzero(labels.reshape(-1) == _FREE)
    if free.size < need:
        raise InputError("recipe cannot be packed: not enough room left for the active material")
    order = free[np.argsort(dist.reshape(-1)[free], kind="stable")[:need]]
    labels.reshape(-1)[order] = ACTIVE
    src = tuple(nearest[ax].reshape(-1)[order] for ax in range(3))
    ids.reshape(-1)[order] = ids[src]
    return int(order.size)


def place_active(labels, ids, recipe, target: int, rng, periodic):
    """Random sequential addition of log-normal active spheres until ``target`` voxels.

    Diameters are drawn (random order) until their volume covers the target and
    then placed largest first, hard spheres first; a sphere that does not fit
    is deferred, and after ``_JAM_FAILURES`` failures in a row the allowed
    overlap grows by 0.05 up to ``recipe.max_overlap`` and the deferred spheres
    are tried again. If the packing still jams (and overlap is allowed at all),
    the last voxels, up to 10 % of the active volume, are grown into the gaps
    next to the particles (pressing flattens particles into the voids), so a
    dense recipe does not fail by the luck of a seed; the number so painted is
    returned (``grown``).

    Returns
    -------
    centres_um, diameters_um, overlap, grown_voxels

    Parameters
    ----------
    labels, ids : numpy.ndarray
        Label volume (free voxels 255) and particle ids, painted in place.
    recipe : Recipe
        Sizes, overlap limits, contact model.
    target : int
        Active voxels to paint.
    rng : numpy.random.Generator
        Random generator.
    periodic : tuple of bool
        Periodic axes.
    """
    h = recipe.voxel_um
    box = np.asarray(labels.shape, dtype=float)
    d_mean = number_mean_diameter(recipe.active_diameter_um, recipe.active_sigma,
                                  recipe.active_size_basis) / h
    if d_mean >= box.min() - 3:
        raise InputError(
            f"active particles of {d_mean * h:g} um (number mean) do not fit the box "
            f"{tuple(recipe.box_um)} um; use a box at least 2-3 particle diameters wide"
        )
    if d_mean < _MIN_ACROSS:  # spheres that paint no voxel: the packing would never reach its target
        raise InputError(
            f"active particles of {d_mean * h:g} um (number mean) are {d_mean:.2g} voxels across at voxel "
            f"{h:g} um; the packing needs at least {_MIN_ACROSS:g} voxels per particle (5 resolve their "
            f"shape): use voxel_um <= {d_mean * h / 5:.3g}")
    d_max = box.min() - 3
    sigma = recipe.active_sigma
    queue = sorted(_draw_until(rng, d_mean, sigma, d_max, target).tolist(), reverse=True)
    deferred: list[float] = []
    packing = _Packing(box, periodic, d_max / 2.0)
    painted, overlap, fails = 0, 0.0, 0
    state: dict = {"edt": None, "since_edt": 0}
    centres: list[np.ndarray] = []
    diameters: list[float] = []
    while painted < target:
        if not queue:
            more = _draw_until(rng, d_mean, sigma, d_max, 1.1 * (target - painted))
            queue = sorted(more.tolist(), reverse=True)
        r = queue.pop(0) / 2.0
        c = None
        if recipe.contact_fraction > 0 and rng.random() < recipe.contact_fraction:
            c = _try_contact(packing, labels, rng, r, overlap, recipe.contact_overlap)
        if c is None:
            c = _try_place(packing, labels, rng, r, overlap, state)
        if c is None:
            deferred.append(2 * r)
            fails += 1
            if fails >= _JAM_FAILURES:
                if overlap + 1e-9 >= recipe.max_overlap:
                    break  # jammed at the largest overlap allowed: grow into the gaps
                overlap = min(recipe.max_overlap, overlap + 0.05)
                fails = 0
                queue = sorted(queue + deferred, reverse=True)
                deferred = []
            continue
        fails = 0
        state["since_edt"] += 1
        packing.add(c, r)
        painted += _paint(labels, c, r, ACTIVE, target - painted, periodic, ids, len(centres) + 1)
        centres.append(c * h)
        diameters.append(2 * r * h)
    need = target - painted
    if need > 0 and (recipe.max_overlap == 0 or need > _GROW_MAX * target):
        raise InputError(
            f"recipe cannot be packed: active material reached {painted / labels.size:.3f} of the "
            f"{target / labels.size:.3f} volume fraction asked with overlap up to "
            f"{recipe.max_overlap:g}; lower the active fraction or raise max_overlap")
    grown = _grow_into_gaps(labels, ids, need)
    return np.asarray(centres).reshape(-1, 3), np.asarray(diameters), overlap, grown
