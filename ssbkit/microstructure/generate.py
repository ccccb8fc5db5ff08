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

import numpy as np

from ..errors import InputError
from ._packing import _FREE, _paint, lognormal_diameters, place_active
from .phases import CARBON, ELECTROLYTE, PORE, LabelVolume
from .recipe import Recipe

__all__ = ["generate_microstructure", "lognormal_diameters"]


def _random_free_voxel(labels, rng) -> np.ndarray | None:
    """Centre (voxel units, jittered within the voxel) of a random free voxel, or None if none is left."""
    flat = labels.reshape(-1)
    for _ in range(20):  # cheap while free space is common
        cand = rng.integers(0, flat.size, 100)
        hit = cand[flat[cand] == _FREE]
        if hit.size:
            break
    else:
        hit = np.flatnonzero(flat == _FREE)
        if hit.size == 0:
            return None
        hit = rng.choice(hit, size=1)
    centre = np.asarray(np.unravel_index(int(hit[0]), labels.shape), dtype=float) + 0.5
    return centre + (rng.random(3) - 0.5) * 0.5  # stays within 0.44 voxel of the free voxel's centre


def _stencil(radius: float) -> np.ndarray:
    """Integer offsets of the voxels within ``radius`` of a voxel centre."""
    n = int(math.floor(radius))
    g = np.stack(np.meshgrid(*(np.arange(-n, n + 1),) * 3, indexing="ij"), axis=-1).reshape(-1, 3)
    return g[(g * g).sum(axis=1) <= radius * radius + 1e-9]


def _fill_small_spheres(labels, value, target, diameter_vox, sigma, rng, periodic, what: str) -> None:
    """Paint many small spheres at once (centred on free voxels) until ``target`` voxels are painted.

    Spheres of one batch are painted in their random order, so stopping at the
    target cuts off the last spheres drawn, not a region of the box.
    """
    flat = labels.reshape(-1)
    shape = np.asarray(labels.shape)
    painted = 0
    while painted < target:
        free = np.flatnonzero(flat == _FREE)
        if free.size == 0:
            raise InputError(f"recipe cannot be packed: no room left for {what}")
        need = target - painted
        per_sphere = max(1.0, math.pi / 6 * diameter_vox**3)
        n_sph = int(min(free.size, max(1, need / per_sphere)))
        centres = rng.choice(free, size=n_sph, replace=False)
        radii = np.round(lognormal_diameters(rng, diameter_vox, sigma, n_sph) / 2.0 * 4) / 4  # 0.25-voxel classes
        pos = np.stack(np.unravel_index(centres, labels.shape), axis=1)
        chunks, order = [], []
        for r in np.unique(radii):
            sel = np.flatnonzero(radii == r)
            st = _stencil(float(r))
            pts = (pos[sel, None, :] + st[None]).reshape(-1, 3)
            rank = np.repeat(sel, len(st))
            keep = np.ones(len(pts), dtype=bool)
            for ax in range(3):
                if periodic[ax]:
                    pts[:, ax] %= shape[ax]
                else:
                    keep &= (pts[:, ax] >= 0) & (pts[:, ax] < shape[ax])
            chunks.append(np.ravel_multi_index(tuple(pts[keep].T), labels.shape))
            order.append(rank[keep])
        lin = np.concatenate(chunks)
        lin = lin[np.argsort(np.concatenate(order), kind="stable")]
        lin = lin[flat[lin] == _FREE]
        _, first = np.unique(lin, return_index=True)
        lin = lin[np.sort(first)][:need]
        flat[lin] = value
        painted += lin.size


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
    if diameter_vox < 8:  # many small spheres: paint them in batches
        _fill_small_spheres(labels, value, target, diameter_vox, sigma, rng, periodic, what)
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
            new = pos + _STEPS[direction]
            for ax in range(3):
                if periodic[ax]:
                    new[:, ax] %= shape[ax]
                else:
                    np.clip(new[:, ax], 0, shape[ax] - 1, out=new[:, ax])
            # chains wind around other phases: a walker facing one stays and turns
            ahead = labels[tuple(new.T)]
            blocked = (ahead != _FREE) & (ahead != value)
            pos = np.where(blocked[:, None], pos, new)
            direction = np.where(blocked, rng.integers(0, 6, n_walk), direction)
        if painted == before:  # pragma: no cover - free voxels exist, so a walker paints its start
            raise InputError("recipe cannot be packed: no room left for carbon")


def _size_stats(recipe: Recipe, diameters: np.ndarray) -> dict:
    """Requested and placed active particle sizes, number- and volume-weighted (um)."""
    from ._packing import number_mean_diameter

    s = recipe.active_sigma
    dn = number_mean_diameter(recipe.active_diameter_um, s, recipe.active_size_basis)
    d = np.asarray(diameters, dtype=float)
    return {
        "basis": recipe.active_size_basis,
        "sigma_ln": s,
        "number_mean_um_requested": dn,
        "volume_mean_um_requested": dn * math.exp(3 * s * s),
        "number_mean_um_placed": float(d.mean()) if d.size else math.nan,
        "volume_mean_um_placed": float((d**4).sum() / (d**3).sum()) if d.size else math.nan,
        "n_particles": int(d.size),
    }


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

    centres, diameters, overlap, grown = place_active(labels, ids, recipe, target["active"], rng, periodic)
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
        "active_size_distribution": _size_stats(recipe, diameters),
        "active_grown_fraction": grown / max(1, target["active"]),
        "carbon_form": carbon_form,
        "warnings": messages,
    }
    return LabelVolume(labels, h, source="generated", particle_ids=ids, info=info)
