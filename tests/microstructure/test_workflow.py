"""analyze_composite: one call from recipe or volume; published trends of science.md §3."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest

from ssbkit.errors import InputError
from ssbkit.microstructure.generate import generate_microstructure
from ssbkit.microstructure.phases import ACTIVE, CARBON, ELECTROLYTE, PORE, LabelVolume
from ssbkit.microstructure.recipe import Recipe, recipe_from_mass_fractions
from ssbkit.microstructure.workflow import analyze_composite


def _quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kwargs)


def test_recipe_to_numbers_in_one_call_is_consistent():
    """sigma_eff,ion below the Hashin-Shtrikman upper bound 2 eps sigma / (3 - eps) of a conductor in an
    insulating matrix; tau >= 1; fractions from the volume; JSON-ready."""
    r = Recipe({"active": 0.35, "electrolyte": 0.6, "carbon": 0.05}, porosity=0.1, box_um=16, voxel_um=0.5,
               active_diameter_um=4, carbon_diameter_um=0.1, seed=4)
    res = _quiet(analyze_composite, r, sigma_se_S_per_cm=2e-3)
    assert res.eps_se == pytest.approx(0.9 * 0.6, abs=0.005)
    eps = res.eps_se
    assert 0 < res.sigma_eff_ion_S_per_cm < 2e-3 * 2 * eps / (3 - eps)
    assert res.tortuosity_ion > 1.0
    assert res.ion_percolation.percolates == (True, True, True)
    assert res.specific_area_am_se_per_um > 0
    assert 0 < res.utilisation.utilisation <= 1
    assert res.sigma_eff_e_S_per_cm > 0
    doc = json.loads(json.dumps(res.to_dict(), allow_nan=False))
    assert doc["fractions"]["electrolyte"] == pytest.approx(res.eps_se)
    assert any("voxels across" in w for w in res.warnings)  # carbon 0.1 um at 0.5 um voxels


def test_solid_electrolyte_slab_has_tortuosity_one_and_bruggeman_beside_it():
    """Straight SE columns along axis 0 (eps = 0.5): tau = 1 exactly, Bruggeman eps^-0.5 = 1.414 (R-18)."""
    lab = np.full((12, 12, 12), ACTIVE, np.uint8)
    lab[:, :, :6] = ELECTROLYTE
    res = analyze_composite(LabelVolume(lab, 0.5), sigma_se_S_per_cm=1e-3, sigma_active_e_S_per_cm=0.0,
                            sigma_carbon_S_per_cm=0.0)
    assert res.tortuosity_ion == pytest.approx(1.0, rel=1e-4)
    assert res.sigma_eff_ion_S_per_cm == pytest.approx(5e-4, rel=1e-4)
    assert res.tortuosity_ion_bruggeman == pytest.approx(2**0.5)
    assert res.sigma_eff_e_S_per_cm == 0.0


def test_non_percolating_electrolyte_gives_infinite_tau_and_says_so():
    lab = np.full((10, 10, 10), ELECTROLYTE, np.uint8)
    lab[5] = PORE
    lab[0:3, 0:3, 0:3] = ACTIVE
    res = analyze_composite(lab, voxel_um=1.0)
    assert res.sigma_eff_ion_S_per_cm == 0.0
    assert math.isinf(res.tortuosity_ion)
    assert res.to_dict()["tortuosity_ion"] is None  # jsonio policy: non-finite -> null
    assert '"inf"' not in res.to_json()
    assert any("no ion path" in w for w in res.warnings)


def test_analysis_record_round_trips_through_json_with_nested_records():
    """CompositeAnalysis and its nested records (areas, percolation, utilisation) come back from JSON."""
    from ssbkit.microstructure.measures import InterfaceAreas, Percolation, Utilisation
    from ssbkit.microstructure.workflow import CompositeAnalysis

    lab = np.full((12, 10, 10), ELECTROLYTE, np.uint8)
    lab[:, :4, :4] = ACTIVE
    lab[:, 8:, :] = CARBON
    seen = []
    res = analyze_composite(lab, voxel_um=0.5, electrode_tau=True, progress=lambda d, t, m: seen.append(d))
    back = CompositeAnalysis.from_json(res.to_json())
    assert isinstance(back.interfaces, InterfaceAreas) and back.interfaces == res.interfaces
    assert isinstance(back.ion_percolation, Percolation) and back.ion_percolation == res.ion_percolation
    assert isinstance(back.utilisation, Utilisation) and back.utilisation == res.utilisation
    assert back.tortuosity_ion == res.tortuosity_ion and back.box_um == res.box_um
    assert res.as_dict()["utilisation"]["dead_fraction"] == pytest.approx(res.utilisation.dead_fraction)
    # a straight SE slab: tau = 1; tau_e above the thin-pore value 1 + 1/(2 n^2), since the
    # capacitive current must also cross the slab sideways to reach its walls
    assert res.tortuosity_ion == pytest.approx(1.0, rel=1e-6)
    assert res.tortuosity_ion_electrode > 1 + 1 / (2 * 12**2)
    assert seen == [1, 2, 3]


def test_bad_inputs():
    lab = np.full((6, 6, 6), ELECTROLYTE, np.uint8)
    with pytest.raises(InputError, match="no active material"):
        analyze_composite(lab)
    lab[0] = ACTIVE
    with pytest.raises(InputError, match="must be >= 0"):
        analyze_composite(lab, sigma_carbon_S_per_cm=-1)
    with pytest.raises(InputError, match="axis"):
        analyze_composite(lab, axis=3)


def test_voxel_size_zero_ion_phase_as_a_string_and_a_foreign_volume():
    """voxel_um=0 for a bare array was taken as 1 um (``voxel_um or 1.0``); ion_phases="pore"
    was split into letters; a volume of another shape than its recipe was analysed as if it
    were the recipe's."""
    lab = np.full((8, 8, 8), ELECTROLYTE, np.uint8)
    lab[:, :4] = ACTIVE
    with pytest.raises(InputError, match="voxel_um"):
        analyze_composite(lab, voxel_um=0)
    assert analyze_composite(lab, ion_phases="electrolyte", solve=False).eps_se == 0.5
    r = Recipe({"active": 0.5, "electrolyte": 0.5}, box_um=12, voxel_um=0.5, active_diameter_um=4)
    with pytest.raises(InputError, match=r"shape \(8, 8, 8\), the recipe \(24, 24, 24\)"):
        analyze_composite(r, volume=LabelVolume(lab, 0.5))


def test_ion_conducting_active_material_gives_tau_one_for_a_uniform_conductor():
    """SE and active material with the same ionic conductivity fill the box: a uniform
    conductor, sigma_eff = sigma and tau = 1 (R-17 over all ion conductors). eps_SE alone
    in R-17 gave tau = 0.5, below the bound tau >= 1."""
    lab = np.full((10, 8, 8), ELECTROLYTE, np.uint8)
    lab[:, :, :4] = ACTIVE
    res = analyze_composite(lab, sigma_se_S_per_cm=1e-3, sigma_active_ion_S_per_cm=1e-3)
    assert res.sigma_eff_ion_S_per_cm == pytest.approx(1e-3, rel=1e-6)
    assert res.tortuosity_ion == pytest.approx(1.0, rel=1e-6)


@pytest.mark.parametrize("seed", [0, 1])
def test_voids_raise_tortuosity_hlushkou_2018(seed):
    """Hlushkou et al. 2018 (science.md §3): LCO:SE 38:62 vol%, tau 1.74 with ~13 % voids and 1.27 with
    the voids filled; voids lower D_eff by 37 %. Same recipe with and without 13 % voids."""
    common = dict(box_um=20, voxel_um=0.5, active_diameter_um=5, electrolyte_diameter_um=1.5, seed=seed)
    filled = _quiet(analyze_composite, Recipe({"active": 0.38, "electrolyte": 0.62}, porosity=0.0, **common))
    voids = _quiet(analyze_composite, Recipe({"active": 0.38, "electrolyte": 0.62}, porosity=0.13, **common))
    assert 1.1 < filled.tortuosity_ion < 1.6  # published 1.27
    assert voids.tortuosity_ion > 1.15 * filled.tortuosity_ion  # published 1.74 / 1.27 = 1.37
    drop = 1 - voids.sigma_eff_ion_S_per_cm / filled.sigma_eff_ion_S_per_cm
    assert 0.2 < drop < 0.5  # published 37 %


def _dead_fraction(d_um: float) -> float:
    """Carbon-free NMC622/SE 70:30 wt, 15 % voids, 20 um box: mean dead share of three seeds."""
    out = []
    for seed in range(3):
        r = recipe_from_mass_fractions({"active": 0.7, "electrolyte": 0.3}, active_material="NMC622",
                                       porosity=0.15, box_um=20, voxel_um=0.5, active_diameter_um=d_um,
                                       electrolyte_diameter_um=1.5, seed=seed)
        vol = _quiet(generate_microstructure, r)
        res = analyze_composite(r, volume=vol, solve=False)
        out.append(res.utilisation.dead_fraction)
    return float(np.mean(out))


def test_dead_active_material_grows_with_particle_size_strauss_2018():
    """Strauss et al. 2018 (science.md §3): inactive NMC 2 % with 4-5 um particles, 31 % with 20 um.
    "Inactive" there is NMC that stayed lithiated after charge (ex-situ XRD), which the authors
    trace to poor electronic contact in the carbon-free composite: the electron path, not the
    ion path, so the NMC network carries the electrons here too (all dead NMC below is
    electronically isolated; the ion path reaches every particle).
    Particles 1/8 of the box (the small case, scaled) leave 2 % +/- 3 % dead, and fewer,
    larger ones (1/4 of the box) leave more. Known gap: the generator's contact network is
    scale-free (only box / particle size matters), so at the published recipe with an
    assumed 60 um thick electrode it gives 4-6 % at 4.5 um but only ~7 % at 20 um; an
    ordered-mixing SE coating reverses the trend (benchmarks/results/micro.md), so the
    size-ratio physics (soft SE squeezed out of pressed contacts) is not modelled."""
    small, large = _dead_fraction(2.5), _dead_fraction(5.0)
    assert small < 0.05
    assert large > small


def test_liquid_filled_pores_as_the_ion_path():
    """Liquid-electrolyte electrode image: pore columns (eps 0.5) carry the ions, tau = 1; the SE default
    would find no ion path at all."""
    lab = np.full((12, 12, 12), ACTIVE, np.uint8)
    lab[:, :, :6] = PORE
    liquid = analyze_composite(lab, ion_phases=("pore",), sigma_se_S_per_cm=1e-2)
    assert liquid.eps_se == 0.5
    assert liquid.tortuosity_ion == pytest.approx(1.0, rel=1e-4)
    assert liquid.utilisation.utilisation == 1.0
    dry = analyze_composite(lab, solve=False)
    assert dry.eps_se == 0.0 and not dry.ion_percolation.percolates[0]
    with pytest.raises(InputError, match="ion_phases"):
        analyze_composite(lab, ion_phases=("active",))


def test_calendering_raises_utilisation_as_kwade_reports():
    """Kwade et al. (ASSB symposium 2025, P.10): calendering raised the active-material
    utilisation from 88 % to 96 %. Carbon-free NMC622/SE 70:30 wt (the active particles
    carry the electrons), pressed to 30 % voids and calendered 2/9 thinner (10 % voids),
    mean of three seeds: 0.89 -> 0.97 here, i.e. the published change (+8 points) within
    +/- 4 points. (Kwade's composite holds carbon; ours would be fully used with it.)"""
    def mean_util(calendering):
        out = []
        for seed in range(3):
            r = recipe_from_mass_fractions({"active": 0.7, "electrolyte": 0.3}, active_material="NMC622",
                                           porosity=0.3, calendering=calendering, box_um=25, voxel_um=0.5,
                                           active_diameter_um=5, electrolyte_diameter_um=1.5, seed=seed)
            out.append(_quiet(analyze_composite, r, solve=False).utilisation.utilisation)
        return float(np.mean(out))

    before, after = mean_util(0.0), mean_util(2 / 9)
    assert 0.84 <= before <= 0.92
    assert 0.92 <= after <= 1.0
    assert 0.04 <= after - before <= 0.12


def test_tortuosity_of_the_hlushkou_2018_composite():
    """Hlushkou et al. 2018 (science.md §3): LPSI glass + LCO, 38:62 vol% LCO:SE, ~13 % voids:
    tau = 1.74 (random walk in the FIB-SEM reconstruction), 1.6 +/- 0.1 (EIS); with the voids
    filled 1.27; the voids lower the effective transport by 37 %.

    Tolerance: the spread of the two published methods (0.15). With the voids filled this
    coarse run (10 voxels per particle diameter) gives ~1.45, not 1.27: the excess is the
    voxel resolution (first order in the voxel size, see the slow test below, which
    extrapolates it away) and the pressed contacts; the ordering and the size of the void
    effect (37 % +/- 10 points) hold at this resolution."""
    def run(porosity):
        taus, sig = [], []
        for seed in range(2):
            r = Recipe({"active": 0.38, "electrolyte": 0.62}, porosity=porosity, box_um=25, voxel_um=0.5,
                       active_diameter_um=5, active_sigma=0.3, electrolyte_diameter_um=1.5, seed=seed)
            a = _quiet(analyze_composite, r, sigma_active_e_S_per_cm=0.0, sigma_carbon_S_per_cm=0.0)
            taus.append(a.tortuosity_ion)
            sig.append(a.sigma_eff_ion_S_per_cm)
        return float(np.mean(taus)), float(np.mean(sig))

    tau_voids, sig_voids = run(0.13)
    tau_filled, sig_filled = run(0.0)
    assert tau_voids == pytest.approx(1.74, abs=0.15)
    assert tau_filled < tau_voids
    assert 1 - sig_voids / sig_filled == pytest.approx(0.37, abs=0.10)


def _filled_tau(voxel_um: float) -> float:
    """Void-free LCO:SE 38:62 vol%, 5 um LCO (sigma_ln 0.3), 25 um box: tau of the SE,
    mean of three seeds and three axes."""
    from ssbkit.microstructure.solver import tortuosity_factor

    taus = []
    for seed in range(3):
        r = Recipe({"active": 0.38, "electrolyte": 0.62}, porosity=0.0, box_um=25, voxel_um=voxel_um,
                   active_diameter_um=5, active_sigma=0.3, electrolyte_diameter_um=1.5, seed=seed)
        se = _quiet(generate_microstructure, r).labels == ELECTROLYTE
        taus += [tortuosity_factor(se, axis=a).tortuosity for a in range(3)]
    return float(np.mean(taus))


@pytest.mark.slow
def test_void_free_tortuosity_converges_to_hlushkou_2018():
    """Hlushkou et al. 2018 (via Falco 2019, science.md §3): the void-free virtual composite
    (38:62 vol% LCO:SE) has tau = 1.27, which is Bruggeman's eps^-0.5 at eps = 0.62 (the
    review notes the agreement). Same definition here: the tortuosity factor
    eps sigma / sigma_eff (R-17) of the SE, equal to D0 / D_eff of walkers in it.

    The voxel solver's tau falls with the voxel size (staircase faces and pinched SE necks
    between pressed particles; measured 1.45, 1.40, 1.38, 1.35 at 10, 15, 20, 30 voxels per
    particle diameter, linear in the voxel size). The Richardson estimate from 10 and 20
    voxels per diameter must lie within 0.05 of 1.27 (three seeds scatter by ~0.01 per
    resolution, ~0.03 after extrapolation) and above the Hashin-Shtrikman bound
    (3 - eps) / 2 = 1.19 of insulating inclusions (no finite mixture blocks less)."""
    coarse, fine = _filled_tau(0.5), _filled_tau(0.25)
    assert fine < coarse  # converges from above
    extrapolated = 2 * fine - coarse
    assert extrapolated == pytest.approx(1.27, abs=0.05)
    assert extrapolated > (3 - 0.62) / 2
