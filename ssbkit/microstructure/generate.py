"""Build a labelled composite-electrode volume from a :class:`~.recipe.Recipe`.

Order of construction (each phase only takes voxels still free):

1. Active material: polydisperse spheres (log-normal diameters, largest first)
   by random sequential addition, hard spheres first; when the packing jams
   the allowed overlap grows in steps up to ``recipe.max_overlap`` (pressed
   contacts). A cell list keeps the overlap test local.
2. Carbon: fine spheres centred in free space, or (fine carbon below the
   voxel size) aggregate chains: persistent random walks through free space
   that stand for the sub-voxel carbon network.
3. Solid electrolyte: either a cold-pressed matrix filling what is left, with
   void blobs of ``pore_diameter_um`` cut into it, or SE spheres with the rest
   left as voids.

Each phase is painted voxel by voxel until its target count is reached (the
last sphere only partly, from its centre out), so the fractions land on target
to within one voxel; the same recipe and seed give the same volume.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np

from ..errors import InputError
from .phases import ACTIVE, CARBON, ELECTROLYTE, PORE, LabelVolume
from .recipe import Recipe

__all__ = ["generate_microstructure", "lognormal_diameters"]

_FREE = 255
_MAX_TRIES = 60  # random positions tried per sphere before it is counted a failure
_JAM_FAILURES = 25  # consecutive failed spheres before the overlap is raised


def lognormal_diameters(rng: np.random.Generator, mean: float, sigma: float, n: int) -> np.ndarray:
    """``n`` diameters from a log-normal distribution with arithmetic mean ``mean``.

    ln d ~ N(mu, sigma^2) with mu = ln(mean) - sigma^2/2; draws are clipped to
    mean/3 .. 3 mean so that no single particle dominates a small box.
    """
    if sigma <= 0:
        return np.full(n, float(mean))
    mu = math.log(mean) - 0.5 * sigma**2
    return np.clip(rng.lognormal(mu, sigma, n), mean / 3.0, 3.0 * mean)


def _sphere_voxels(shape, centre, radius, periodic):
    """Index grids and squared distances of the voxels in a sphere's bounding box."""
    idx, d2 = [], None
    for ax in range(3):
        lo = math.floor(centre[ax] - radius - 0.5)
        hi = math.ceil(centre[ax] + radius + 0.5)
        i = np.arange(lo, hi + 1)
        dist = (i + 0.5 - centre[ax]) ** 2
        if periodic[ax]:
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


class _CellList:
    """Spheres binned on a grid of cells at least one maximum diameter wide."""

    def __init__(self, box: np.ndarray, cell: float, periodic):
        self.box = box
        self.n = np.maximum(1, np.floor(box / cell).astype(int))
        self.size = box / self.n
        self.periodic = np.asarray(periodic)
        self.cells: dict[tuple[int, int, int], list[int]] = defaultdict(list)
        self.centres: list[np.ndarray] = []
        self.radii: list[float] = []

    def _key(self, c):
        return tuple(np.minimum((c // self.size).astype(int), self.n - 1))

    def overlaps(self, c: np.ndarray, r: float, overlap: float) -> bool:
        k = np.array(self._key(c))
        cand: list[int] = []
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for dz in (-1, 0, 1):
                    kk = k + (dx, dy, dz)
                    ok = True
                    for ax in range(3):
                        if self.periodic[ax]:
                            kk[ax] %= self.n[ax]
                        elif not 0 <= kk[ax] < self.n[ax]:
                            ok = False
                    if ok:
                        cand.extend(self.cells.get(tuple(kk), ()))
        if not cand:
            return False
        cand = list(set(cand))
        cs = np.asarray([self.centres[i] for i in cand])
        rs = np.asarray([self.radii[i] for i in cand])
        d = np.abs(cs - c)
        d = np.where(self.periodic, np.minimum(d, self.box - d), d)
        dist = np.sqrt((d * d).sum(axis=1))
        return bool(np.any(dist < (1.0 - overlap) * (rs + r)))

    def add(self, c: np.ndarray, r: float) -> None:
        self.cells[self._key(c)].append(len(self.centres))
        self.centres.append(c)
        self.radii.append(r)


def _place_active(labels, ids, recipe: Recipe, target: int, rng, periodic):
    """Random sequential addition of active spheres until ``target`` voxels are painted."""
    h = recipe.voxel_um
    shape = np.asarray(labels.shape)
    box = shape.astype(float)
    d_mean = recipe.active_diameter_um / h
    if d_mean >= box.min() - 3:
        raise InputError(
            f"active particles of {recipe.active_diameter_um:g} um do not fit the box "
            f"{tuple(recipe.box_um)} um; use a box at least 2-3 particle diameters wide"
        )
    pool_n = max(16, int(2.0 * target / (math.pi / 6 * d_mean**3)) + 16)
    diam = np.sort(lognormal_diameters(rng, d_mean, recipe.active_sigma, pool_n))[::-1]
    diam = np.minimum(diam, box.min() - 3)
    cells = _CellList(box, float(diam.max()), periodic)
    painted, overlap, fails, k = 0, 0.0, 0, 0
    centres, diameters = [], []
    while painted < target:
        if k >= diam.size:  # pool used up (overlaps wasted volume): draw more
            more = np.sort(lognormal_diameters(rng, d_mean, recipe.active_sigma, pool_n))[::-1]
            diam = np.concatenate([diam, np.minimum(more, box.min() - 3)])
        r = diam[k] / 2.0
        placed = False
        trials = rng.random((_MAX_TRIES, 3)) * box
        for c in trials:
            if not cells.overlaps(c, r, overlap):
                placed = True
                break
        if not placed:
            fails += 1
            if fails >= _JAM_FAILURES:
                if overlap + 1e-9 >= recipe.max_overlap:
                    reached = painted / labels.size
                    raise InputError(
                        f"recipe cannot be packed: active material reached {reached:.3f} of the "
                        f"{target / labels.size:.3f} volume fraction asked with overlap up to "
                        f"{recipe.max_overlap:g}; lower the active fraction or raise max_overlap"
                    )
                overlap = min(recipe.max_overlap, overlap + 0.05)
                fails = 0
            k += 1  # try a smaller particle next
            continue
        fails = 0
        cells.add(c, r)
        n_id = len(centres) + 1
        painted += _paint(labels, c, r, ACTIVE, target - painted, periodic, ids, n_id)
        centres.append(c * h)
        diameters.append(2 * r * h)
        k += 1
    return np.asarray(centres).reshape(-1, 3), np.asarray(diameters), overlap


def _random_free_voxel(labels, rng, tries: int = 10_000) -> np.ndarray | None:
    flat = labels.reshape(-1)
    for _ in range(tries // 100):
        cand = rng.integers(0, flat.size, 100)
        hit = cand[flat[cand] == _FREE]
        if hit.size:
            return np.asarray(np.unravel_index(int(hit[0]), labels.shape), dtype=float) + rng.random(3)
    return None


def _fill_spheres(labels, value, target, diameter_vox, sigma, rng, periodic, what: str) -> None:
    """Paint (mutually overlapping) spheres centred in free space until ``target`` voxels."""
    if target <= 0:
        return
    if diameter_vox < 1.5:  # unresolved particles: scatter single voxels
        free = np.flatnonzero(labels.reshape(-1) == _FREE)
        if free.size < target:
            raise InputError(f"recipe cannot be packed: no room left for {what}")
        pick = rng.choice(free, size=target, replace=False)
        labels.reshape(-1)[pick] = value
        return
    painted, misses = 0, 0
    while painted < target:
        c = _random_free_voxel(labels, rng)
        if c is None:
            raise InputError(f"recipe cannot be packed: no room left for {what}")
        d = float(lognormal_diameters(rng, diameter_vox, sigma, 1)[0])
        n = _paint(labels, c, d / 2.0, value, target - painted, periodic)
        painted += n
        misses = misses + 1 if n == 0 else 0
        if misses > 1000:
            raise InputError(f"recipe cannot be packed: no room left for {what}")


_STEPS = np.array([[1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1]])


def _fill_chains(labels, value, target, length, rng, periodic, persistence: float = 0.8) -> None:
    """Paint persistent random-walk chains of ``length`` voxels through free space until ``target``."""
    shape = np.asarray(labels.shape)
    flat_labels = labels.reshape(-1)
    painted = 0
    while painted < target:
        free = np.flatnonzero(flat_labels == _FREE)
        if free.size == 0:
            raise InputError("recipe cannot be packed: no room left for carbon")
        n_walk = min(free.size, max(1, (target - painted) // length + 1))
        pos = np.stack(np.unravel_index(rng.choice(free, size=n_walk, replace=False), labels.shape), axis=1)
        direction = rng.integers(0, 6, n_walk)
        before = painted
        for _ in range(length):
            lin = np.unique(np.ravel_multi_index(tuple(pos.T), labels.shape))
            lin = lin[flat_labels[lin] == _FREE][: target - painted]
            flat_labels[lin] = value
            painted += lin.size
            if painted >= target:
                return
            turn = rng.random(n_walk) > persistence
            direction = np.where(turn, rng.integers(0, 6, n_walk), direction)
            pos = pos + _STEPS[direction]
            for ax in range(3):
                if periodic[ax]:
                    pos[:, ax] %= shape[ax]
                else:
                    np.clip(pos[:, ax], 0, shape[ax] - 1, out=pos[:, ax])
        if painted == before:  # pragma: no cover - free voxels exist, so a walker paints its start
            raise InputError("recipe cannot be packed: no room left for carbon")


def generate_microstructure(recipe: Recipe, *, limit_bytes: int | None = None) -> LabelVolume:
    """Generate a labelled volume for ``recipe``.

    Parameters
    ----------
    recipe
        Fractions, particle sizes, box, voxel and seed.
    limit_bytes
        Memory allowed (default half the physical memory); larger boxes are refused.

    Returns
    -------
    LabelVolume
        Labels (0 pore, 1 active, 2 electrolyte, 3 carbon), ``particle_ids`` of
        the active particles and ``info`` with targets, particle centres and
        diameters (um) and the overlap the packing needed.

    Raises
    ------
    InputError
        When the recipe cannot be packed, or the volume is too large.

    Examples
    --------
    >>> r = Recipe({"active": 0.5, "electrolyte": 0.5}, box_um=12, voxel_um=0.5,
    ...            active_diameter_um=4, porosity=0.1)
    >>> vol = generate_microstructure(r)
    >>> round(vol.fractions()["active"], 2)
    0.45
    """
    messages = recipe.check(limit_bytes=limit_bytes)
    rng = np.random.default_rng(int(recipe.seed))
    shape = recipe.shape
    n = math.prod(shape)
    periodic = (False, bool(recipe.periodic), bool(recipe.periodic))
    goal = recipe.composite_fractions
    target = {k: int(round(v * n)) for k, v in goal.items()}
    labels = np.full(shape, _FREE, dtype=np.uint8)
    ids = np.zeros(shape, dtype=np.int32)
    h = recipe.voxel_um

    centres, diameters, overlap = _place_active(labels, ids, recipe, target["active"], rng, periodic)
    carbon_form = recipe.carbon_form
    if carbon_form == "auto":
        carbon_form = "aggregates" if recipe.carbon_diameter_um / h < 1.5 else "particles"
    if carbon_form == "aggregates":
        _fill_chains(labels, CARBON, target["carbon"], int(recipe.carbon_chain_voxels), rng, periodic)
    else:
        _fill_spheres(labels, CARBON, target["carbon"], recipe.carbon_diameter_um / h, recipe.carbon_sigma, rng, periodic, "carbon")
    if recipe.electrolyte_form == "matrix":
        d_pore = (recipe.pore_diameter_um or recipe.electrolyte_diameter_um) / h
        _fill_spheres(labels, PORE, target["pore"], d_pore, recipe.electrolyte_sigma, rng, periodic, "voids")
        labels[labels == _FREE] = ELECTROLYTE
    else:
        _fill_spheres(
            labels, ELECTROLYTE, target["electrolyte"], recipe.electrolyte_diameter_um / h,
            recipe.electrolyte_sigma, rng, periodic, "electrolyte particles",
        )
        labels[labels == _FREE] = PORE
    info = {
        "recipe": recipe.to_dict(),
        "target_fractions": goal,
        "n_active_particles": int(len(diameters)),
        "active_centres_um": centres.tolist(),
        "active_diameters_um": diameters.tolist(),
        "max_overlap_used": overlap,
        "carbon_form": carbon_form,
        "warnings": messages,
    }
    return LabelVolume(labels, h, source="generated", particle_ids=ids, info=info)
