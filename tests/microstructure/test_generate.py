"""Generator: target fractions, reproducibility, hard spheres, packing limits, percolation trends."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from ssbkit.errors import InputError
from ssbkit.microstructure.generate import generate_microstructure, lognormal_diameters
from ssbkit.microstructure.measures import percolation
from ssbkit.microstructure.recipe import Recipe, recipe_from_mass_fractions


def _gen(recipe):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return generate_microstructure(recipe)


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(volume_fractions={"active": 0.4, "electrolyte": 0.55, "carbon": 0.05}, porosity=0.15),
        dict(volume_fractions={"active": 0.3, "electrolyte": 0.7}, porosity=0.2, electrolyte_form="particles",
             electrolyte_diameter_um=2.0),
        dict(volume_fractions={"active": 0.5, "electrolyte": 0.4, "carbon": 0.1}, porosity=0.0,
             carbon_diameter_um=1.5, active_sigma=0.3),
    ],
)
def test_fractions_hit_target_within_one_percent_absolute(kwargs):
    """Issue 4 item 1: every phase within 0.01 of its target volume fraction."""
    r = Recipe(box_um=16, voxel_um=0.5, active_diameter_um=4.0, seed=1, **kwargs)
    vol = _gen(r)
    got, want = vol.fractions(), r.composite_fractions
    for phase in want:
        assert got[phase] == pytest.approx(want[phase], abs=0.01), phase
    assert vol.labels.dtype == np.uint8 and vol.shape == (32, 32, 32)


def test_same_seed_same_volume_other_seed_other_volume():
    r = Recipe({"active": 0.4, "electrolyte": 0.6}, porosity=0.1, box_um=12, voxel_um=0.5, active_diameter_um=3)
    a, b = _gen(r), _gen(r)
    c = _gen(r.replace(seed=7))
    assert np.array_equal(a.labels, b.labels)
    assert not np.array_equal(a.labels, c.labels)


def test_active_spheres_do_not_overlap_below_jamming():
    """Hard-sphere RSA: centre distances >= sum of radii (minimum image on the periodic axes)."""
    r = Recipe({"active": 0.35, "electrolyte": 0.65}, box_um=20, voxel_um=0.5, active_diameter_um=4, active_sigma=0.25)
    vol = _gen(r)
    assert vol.info["max_overlap_used"] == 0.0
    c = np.asarray(vol.info["active_centres_um"])
    d = np.asarray(vol.info["active_diameters_um"])
    box = np.asarray(r.box_um)
    delta = np.abs(c[:, None] - c[None])
    delta[..., 1:] = np.minimum(delta[..., 1:], box[1:] - delta[..., 1:])
    dist = np.sqrt((delta**2).sum(-1)) + np.eye(len(d)) * 1e9
    assert np.all(dist >= 0.5 * (d[:, None] + d[None]) * (1 - 1e-9))
    assert vol.info["n_active_particles"] == int(vol.particle_ids.max())


def test_lognormal_diameters_have_the_requested_mean():
    """Arithmetic mean of ln-normal draws = requested mean (mu = ln m - s^2/2)."""
    d = lognormal_diameters(np.random.default_rng(0), 5.0, 0.3, 200_000)
    assert d.mean() == pytest.approx(5.0, rel=0.01)


def test_dense_packing_needs_overlap_and_says_when_impossible():
    """65 vol% monodisperse spheres is above random packing: refused without overlap, built with it."""
    r = Recipe({"active": 0.65, "electrolyte": 0.35}, box_um=12, voxel_um=0.5, active_diameter_um=4, max_overlap=0.0)
    with pytest.raises(InputError, match="cannot be packed"):
        _gen(r)
    vol = _gen(r.replace(max_overlap=0.3))
    assert vol.fractions()["active"] == pytest.approx(0.65, abs=0.01)
    assert vol.info["max_overlap_used"] > 0


def test_particles_larger_than_the_box_are_refused():
    with pytest.raises(InputError, match="do not fit"):
        _gen(Recipe({"active": 0.3, "electrolyte": 0.7}, box_um=5, voxel_um=0.5, active_diameter_um=6))


@pytest.mark.parametrize("seed", [0, 1])
def test_no_electronic_percolation_without_carbon_at_low_active_loading(seed):
    """Zhang et al. 2017 (science.md §3): no electronic percolation below 50 wt% LiCoO2 without
    carbon; at 85 wt% the LiCoO2 particles alone span the electrode."""
    common = dict(porosity=0.1, box_um=20, voxel_um=0.5, active_diameter_um=5, active_sigma=0.2, seed=seed)
    low = _gen(recipe_from_mass_fractions({"active": 0.4, "electrolyte": 0.6}, **common))
    high = _gen(recipe_from_mass_fractions({"active": 0.85, "electrolyte": 0.15}, **common))
    assert not percolation(low.labels, "active").percolates[0]
    assert percolation(high.labels, "active").percolates[0]


def test_fine_carbon_aggregates_percolate_at_a_few_volume_percent():
    """Appetecchi et al. 2000 (science.md §3): ~3 vol% of 30 nm carbon percolates. Sub-voxel carbon
    modelled as aggregate chains spans the box at 5 vol%; scattered single voxels do not."""
    base = Recipe({"active": 0.3, "electrolyte": 0.64, "carbon": 0.06}, porosity=0.0, box_um=20, voxel_um=0.5,
                  active_diameter_um=4, carbon_diameter_um=0.1, seed=2)
    chains = _gen(base)
    scattered = _gen(base.replace(carbon_form="particles"))
    assert chains.info["carbon_form"] == "aggregates"
    assert chains.fractions()["carbon"] == pytest.approx(0.06 * 1.0, abs=0.005)
    assert percolation(chains.labels, "carbon").percolates == (True, True, True)
    assert not any(percolation(scattered.labels, "carbon").percolates)


def test_electrolyte_particles_fill_a_dense_recipe_without_voids():
    """SE as particles with zero porosity: the last free voxels are found too (exact fractions)."""
    r = Recipe({"active": 0.3, "electrolyte": 0.7}, porosity=0.0, electrolyte_form="particles", box_um=10,
               voxel_um=0.5, active_diameter_um=3, electrolyte_diameter_um=1.0, seed=5)
    vol = _gen(r)
    assert vol.fractions()["pore"] == 0.0
    assert vol.fractions()["electrolyte"] == pytest.approx(0.7, abs=0.002)
