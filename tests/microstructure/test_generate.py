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


@pytest.mark.parametrize("contact", [0.0, 0.9])
def test_active_spheres_do_not_overlap_below_jamming(contact):
    """Hard-sphere RSA: centre distances >= sum of radii (minimum image on the periodic axes);
    with pressed contacts no pair overlaps by more than ``contact_overlap`` (0.1) of the sum."""
    r = Recipe({"active": 0.35, "electrolyte": 0.65}, box_um=20, voxel_um=0.5, active_diameter_um=4, active_sigma=0.25,
               contact_fraction=contact)
    vol = _gen(r)
    assert vol.info["max_overlap_used"] == 0.0
    c = np.asarray(vol.info["active_centres_um"])
    d = np.asarray(vol.info["active_diameters_um"])
    box = np.asarray(r.box_um)
    delta = np.abs(c[:, None] - c[None])
    delta[..., 1:] = np.minimum(delta[..., 1:], box[1:] - delta[..., 1:])
    dist = np.sqrt((delta**2).sum(-1)) + np.eye(len(d)) * 1e9
    allowed = 1.0 - (r.contact_overlap if contact else 0.0)
    assert np.all(dist >= allowed * 0.5 * (d[:, None] + d[None]) * (1 - 1e-9))
    if contact:  # pressed: many pairs sit at the contact distance itself
        at_contact = np.isclose(dist, allowed * 0.5 * (d[:, None] + d[None]), rtol=1e-6)
        assert at_contact.sum() / 2 >= 0.5 * len(d)
    assert vol.info["n_active_particles"] == int(vol.particle_ids.max())


def test_lognormal_diameters_have_the_requested_mean():
    """Arithmetic mean of ln-normal draws = requested mean (mu = ln m - s^2/2)."""
    d = lognormal_diameters(np.random.default_rng(0), 5.0, 0.3, 200_000)
    assert d.mean() == pytest.approx(5.0, rel=0.01)


def test_dense_packing_needs_overlap_and_says_when_impossible():
    """65 vol% monodisperse spheres is above random packing: refused as hard spheres, built with overlap."""
    r = Recipe({"active": 0.65, "electrolyte": 0.35}, box_um=12, voxel_um=0.5, active_diameter_um=4, max_overlap=0.0)
    with pytest.raises(InputError, match="cannot be packed"):
        _gen(r)
    vol = _gen(r.replace(max_overlap=0.3))
    assert vol.fractions()["active"] == pytest.approx(0.65, abs=0.01)
    assert vol.info["max_overlap_used"] > 0


def test_particles_larger_than_the_box_are_refused():
    with pytest.raises(InputError, match="do not fit"):
        _gen(Recipe({"active": 0.3, "electrolyte": 0.7}, box_um=5, voxel_um=0.5, active_diameter_um=6))


def test_void_blobs_wider_than_the_periodic_box_still_hit_the_porosity():
    """20 um voids in an 8 um box (lateral axes periodic): the painted sphere's bounding box
    wrapped onto itself, voxels were counted twice and written back unpainted, and the
    volume came out with 0.3 % voids for 30 % asked, without a word."""
    r = Recipe({"active": 0.3, "electrolyte": 0.7}, box_um=8, voxel_um=0.4, active_diameter_um=3.0,
               pore_diameter_um=20.0, porosity=0.3)
    vol = _gen(r)
    n = vol.labels.size
    for phase, target in r.composite_fractions.items():
        assert abs(vol.fractions()[phase] - target) <= 1.0 / n + 1e-12, phase


def test_active_particles_smaller_than_two_voxels_are_refused_not_packed_for_ever():
    """0.5 um particles at a 1 um voxel paint no voxel most of the time: the packing ran for
    minutes (38 s for a 12^3 box at 1 voxel across, unbounded below). Refused at once."""
    with pytest.raises(InputError, match=r"0.5 voxels across at voxel 1 um.*voxel_um <= 0.1"):
        _gen(Recipe({"active": 0.5, "electrolyte": 0.5}, box_um=8, voxel_um=1.0, active_diameter_um=0.5))


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


def test_polydisperse_particles_are_an_unbiased_sample_of_the_distribution():
    """Log-normal, number mean 5 um, sigma 0.4 (the issue's case): the placed particles have
    number mean 5 um (3 standard errors) and volume-weighted mean 5 exp(3 sigma^2) = 8.1 um.

    The earlier generator placed the largest of a pool twice too big until the volume
    was full: 33 particles of mean 9.9 um here. Expected count: target volume over the
    mean sphere volume pi/6 * 5^3 exp(3 sigma^2) = 106 um^3 (+ overlap losses): 272."""
    r = Recipe({"active": 0.5, "electrolyte": 0.5}, porosity=0.1, box_um=40, voxel_um=0.5,
               active_diameter_um=5.0, active_sigma=0.4, seed=0)
    vol = _gen(r)
    stats = vol.info["active_size_distribution"]
    d = np.asarray(vol.info["active_diameters_um"])
    se = 5.0 * np.sqrt(np.exp(0.4**2) - 1) / np.sqrt(d.size)
    assert abs(stats["number_mean_um_placed"] - 5.0) < 3 * se
    assert stats["volume_mean_um_requested"] == pytest.approx(5.0 * np.exp(3 * 0.16))
    assert stats["volume_mean_um_placed"] == pytest.approx(8.08, rel=0.15)
    expected = 0.45 * 40**3 / (np.pi / 6 * 5.0**3 * np.exp(3 * 0.16))
    assert 0.9 * expected <= d.size <= 1.3 * expected
    assert vol.fractions()["active"] == pytest.approx(0.45, abs=0.005)


def test_volume_weighted_size_basis_gives_the_number_mean_back():
    """A laser-diffraction D[4,3] of 8.08 um at sigma 0.4 is a number mean of 5 um."""
    r = Recipe({"active": 0.4, "electrolyte": 0.6}, box_um=30, voxel_um=0.5, active_diameter_um=8.08,
               active_sigma=0.4, active_size_basis="volume", seed=1)
    stats = _gen(r).info["active_size_distribution"]
    assert stats["number_mean_um_requested"] == pytest.approx(5.0, rel=1e-3)
    assert stats["basis"] == "volume"
    with pytest.raises(InputError, match="number"):
        Recipe({"active": 0.4, "electrolyte": 0.6}, active_size_basis="mass")


@pytest.mark.parametrize("seed", range(6))
def test_a_90_wt_percent_recipe_packs_for_every_seed(seed):
    """90 wt% LiCoO2 / 10 wt% SE with 15 % voids is 65.6 vol% active, above random close
    packing: seed 2 used to fail (0.652 reached); now the last voxels are pressed into the
    gaps and the share so grown is reported (< 2 % of the active volume here)."""
    from ssbkit.microstructure.recipe import recipe_from_mass_fractions

    r = recipe_from_mass_fractions({"active": 0.9, "electrolyte": 0.1}, porosity=0.15, box_um=16,
                                   voxel_um=0.5, active_diameter_um=4.0, seed=seed)
    vol = _gen(r)
    assert vol.fractions()["active"] == pytest.approx(r.composite_fractions["active"], abs=1e-3)
    assert vol.info["active_grown_fraction"] < 0.02
    assert np.all(vol.particle_ids[vol.labels == 1] > 0)  # grown voxels belong to particles


def test_pressed_contacts_put_the_lco_percolation_threshold_near_50_wt_percent():
    """Zhang et al. 2017 (science.md §3): LiCoO2 + sulfide SE without carbon percolates
    electronically only from ~50 wt% LiCoO2. With pressed contacts (default contact_fraction
    0.9) 35 wt% percolates for at most 1 of 6 seeds and 65 wt% for at least 5 of 6; randomly
    placed hard spheres (contact_fraction 0, the earlier generator) percolate at 65 wt% for none,
    the 60-70 wt% threshold the issue reported. (6 seeds of a 25 um box: the scatter of the
    published threshold is about +/-10 wt%.)"""
    from ssbkit.microstructure.recipe import recipe_from_mass_fractions

    def spans(w, **kw):
        out = 0
        for seed in range(6):
            r = recipe_from_mass_fractions({"active": w, "electrolyte": 1 - w}, densities_g_cm3={"electrolyte": 1.88},
                                           porosity=0.15, box_um=25, voxel_um=0.5, active_diameter_um=5,
                                           active_sigma=0.3, seed=seed, **kw)
            out += percolation(_gen(r).labels, "active").percolates[0]
        return out

    assert spans(0.35) <= 1
    assert spans(0.65) >= 5
    assert spans(0.65, contact_fraction=0.0) <= 1
