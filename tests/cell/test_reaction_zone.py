"""Reaction-zone model (R-19; Kato et al. 2018): analytic limits and published trends."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from ssbkit.cell.design_file import design_from_dict
from ssbkit.cell.reaction_zone import (
    effective_ionic_conductivity,
    rate_capability,
    rate_map,
    reaction_zone_capacity,
)
from ssbkit.errors import InputError

BIG = 1e9  # mAh/cm2: no capacity cap


def test_single_value_by_hand():
    """C = q sigma dV / i: 260 mAh/cm3 x 3.6 C/mAh x 1e-3 S/cm x 1 V / 1e-2 A/cm2 = 93.6 C/cm2 = 26 mAh/cm2."""
    c = reaction_zone_capacity(10.0, q_cathode_mAh_cm3=260.0, sigma_cathode_S_per_cm=1e-3,
                               capacity_max_mAh_cm2=BIG, voltage_margin_V=1.0)
    assert float(c) == pytest.approx(26.0)


def test_ohmic_limit_capacity_inversely_proportional_to_current_loglog_slope_minus_one():
    """With R_0 = 0 and below the full capacity, C ∝ 1/i (R-19): log-log slope -1."""
    i = np.logspace(0, 2, 9)
    c = reaction_zone_capacity(i, q_cathode_mAh_cm3=300.0, sigma_cathode_S_per_cm=2e-4,
                               q_anode_mAh_cm3=400.0, sigma_anode_S_per_cm=5e-4,
                               capacity_max_mAh_cm2=BIG, voltage_margin_V=0.8)
    slope = np.polyfit(np.log(i), np.log(c), 1)[0]
    assert slope == pytest.approx(-1.0, abs=1e-10)


def test_series_resistance_steepens_the_rate_curve_and_caps_at_full_capacity():
    i = np.logspace(-2, 1, 7)
    kw = dict(q_cathode_mAh_cm3=300.0, sigma_cathode_S_per_cm=1e-3, voltage_margin_V=1.0)
    c0 = reaction_zone_capacity(i, capacity_max_mAh_cm2=BIG, **kw)
    c1 = reaction_zone_capacity(i, capacity_max_mAh_cm2=BIG, r0_ohm_cm2=50.0, **kw)
    assert np.all(c1 < c0)
    assert np.polyfit(np.log(i[-3:]), np.log(c1[-3:]), 1)[0] < -1.0
    # beyond V_margin / R_0 = 20 mA/cm2 nothing is delivered
    assert float(reaction_zone_capacity(25.0, capacity_max_mAh_cm2=BIG, r0_ohm_cm2=50.0, **kw)) == 0.0
    assert float(reaction_zone_capacity(1e-6, capacity_max_mAh_cm2=3.0, **kw)) == pytest.approx(3.0)


def test_two_equal_composites_halve_the_capacity():
    """1/(q_c sigma_c) + 1/(q_a sigma_a) with equal terms: half of the cathode-only value."""
    kw = dict(capacity_max_mAh_cm2=BIG, voltage_margin_V=1.0)
    one = reaction_zone_capacity(5.0, q_cathode_mAh_cm3=300, sigma_cathode_S_per_cm=1e-3, **kw)
    two = reaction_zone_capacity(5.0, q_cathode_mAh_cm3=300, sigma_cathode_S_per_cm=1e-3,
                                 q_anode_mAh_cm3=150, sigma_anode_S_per_cm=2e-3, **kw)
    assert float(two) == pytest.approx(float(one) / 2)


def test_effective_conductivity_r17_and_bruggeman_r18():
    """sigma eps / tau (R-17); Bruggeman tau = eps^-0.5 gives sigma eps^1.5 (R-18)."""
    assert effective_ionic_conductivity(1e-3, 0.4, 2.47) == pytest.approx(1e-3 * 0.4 / 2.47)
    assert effective_ionic_conductivity(1e-3, 0.4) == pytest.approx(1e-3 * 0.4**1.5)
    with pytest.raises(InputError):
        effective_ionic_conductivity(1e-3, 0.0)
    with pytest.raises(InputError):
        effective_ionic_conductivity(1e-3, 0.4, 0.5)


def _kato_like(anode="Li"):
    """600 um LiCoO2 cathode, 115.4 mg/cm2, tau 2.47 (Kato et al. 2018); foil anode, 100 um separator."""
    return design_from_dict({
        "cathode": {"active_material": "LiCoO2", "volume_fractions": {"active": 0.45, "electrolyte": 0.55},
                    "porosity": 0.15, "loading_mg_cm2": 115.4},
        "separator": {"thickness_um": 100.0, "porosity": 0.1},
        "anode": {"material": anode, "excess": 0.5},
        "cell": {"tortuosity_cathode": 2.47, "cutoff_low_V": 3.0},
    })


def test_kato_2018_thick_electrode_full_capacity_at_30mA_needs_10mS():
    """science.md section 3: sigma >= 10 mS/cm lets a 600 um cathode deliver (near) full capacity at
    30 mA/cm2; at 1 mS/cm it delivers little. The model reproduces the trend."""
    d = _kato_like()
    assert d.cathode.thickness_um == pytest.approx(600, rel=0.01)
    q = d.cathode.areal_capacity_mAh_cm2()
    util = [rate_capability(d, [30.0 / q], sigma_se_S_per_cm=s).utilisation[0] for s in (1e-3, 3e-3, 1e-2, 2.5e-2)]
    assert np.all(np.diff(util) >= 0)
    assert util[0] < 0.1
    assert util[2] > 0.85
    assert util[3] == pytest.approx(1.0)


def test_lecture_reference_cell_is_not_transport_limited_at_low_rate():
    """In | 80Li2S-20P2S5 GC | LiCoO2 pellet (20 mg composite, 80 mg SE): even at the 1e-4 S/cm
    separator minimum (science.md section 1) transport allows >= the ~100 mAh/g observed at ~0.05C."""
    area = math.pi * 0.5**2
    d = design_from_dict({
        "cathode": {"active_material": "LiCoO2", "mass_fractions": {"active": 20 / 53, "electrolyte": 30 / 53,
                    "carbon": 3 / 53}, "densities_g_cm3": {"electrolyte": 1.88}, "porosity": 0.15,
                    "loading_mg_cm2": 20 * 20 / 53 / area},
        "separator": {"thickness_um": 80e-3 / (1.88 * area * 0.9) * 1e4, "porosity": 0.1, "density_g_cm3": 1.88},
        "anode": {"material": "Li-In", "excess": 2.0},
        "cell": {"area_cm2": area, "cutoff_low_V": 2.0},
    })
    r = rate_capability(d, [0.05], sigma_se_S_per_cm=1e-4)
    assert r.capacity_mAh_per_g[0] >= 100.0
    assert r.current_mA_cm2[0] * 1e-3 * r.r0_ohm_cm2 < 0.06  # separator drop at 0.05C, V


def test_rate_map_monotone_in_rate_and_conductivity_and_matches_single_design():
    d = _kato_like("Li-In")
    c = np.array([0.1, 0.5, 1.0, 2.0])
    s = np.array([1e-3, 5e-3, 2e-2])
    u = rate_map(d, c, s)
    assert u.shape == (3, 4)
    assert np.all(np.diff(u, axis=1) <= 1e-12)
    assert np.all(np.diff(u, axis=0) >= -1e-12)
    single = rate_capability(d, c, sigma_se_S_per_cm=5e-3).utilisation
    assert u[1] == pytest.approx(single)


def test_vectorised_over_many_designs_matches_loop():
    rng = np.random.default_rng(0)
    n = 1000
    args = dict(q_cathode_mAh_cm3=rng.uniform(100, 600, n), sigma_cathode_S_per_cm=10 ** rng.uniform(-5, -2, n),
                capacity_max_mAh_cm2=rng.uniform(1, 10, n), voltage_margin_V=rng.uniform(0.3, 1.5, n),
                r0_ohm_cm2=rng.uniform(0, 50, n))
    i = rng.uniform(0.1, 10, n)
    vec = reaction_zone_capacity(i, **args)
    loop = [float(reaction_zone_capacity(i[k], **{a: v[k] for a, v in args.items()})) for k in range(0, n, 97)]
    assert vec[::97] == pytest.approx(loop)


def test_bad_input():
    with pytest.raises(InputError, match="current"):
        reaction_zone_capacity(0.0, q_cathode_mAh_cm3=1, sigma_cathode_S_per_cm=1, capacity_max_mAh_cm2=1,
                               voltage_margin_V=1)
    with pytest.raises(InputError, match="sigma_cathode"):
        reaction_zone_capacity([1.0, 2.0], q_cathode_mAh_cm3=1, sigma_cathode_S_per_cm=[1e-3, np.nan],
                               capacity_max_mAh_cm2=1, voltage_margin_V=1)
    d = _kato_like()
    with pytest.raises(InputError, match="C-rates"):
        rate_capability(d, [-1.0], sigma_se_S_per_cm=1e-3)
    with pytest.raises(InputError, match="sigma_se"):
        rate_capability(d, [1.0])


def test_design_to_p2d_params_keeps_the_reaction_zone_conductances():
    """The p2d cell gets the same eps, tau and separator conductance sigma (1-p)^1.5 (R-18) as R-19."""
    from ssbkit.cell.rate import design_to_p2d_params

    d = _kato_like("Li-In")
    p = design_to_p2d_params(d, sigma_se_S_per_cm=2e-3, temperature_c=60.0)
    assert p.electrolyte_volume_fraction == pytest.approx(d.cathode.eps_se)
    assert p.active_volume_fraction == pytest.approx(d.cathode.phi("active"))
    assert p.cathode_tortuosity == pytest.approx(2.47)
    assert 2e-3 / p.separator_tortuosity == pytest.approx(2e-3 * 0.9**1.5)
    assert (p.anode, p.temperature_c, p.cutoff_V) == ("Li-In", 60.0, 3.0)
    graphite = design_from_dict({
        "cathode": {"active_material": "LiCoO2", "volume_fractions": {"active": 0.5, "electrolyte": 0.5},
                    "porosity": 0.1, "thickness_um": 50.0},
        "separator": {"thickness_um": 30.0},
        "anode": {"material": "graphite", "np_ratio": 1.1, "volume_fractions": {"active": 0.6, "electrolyte": 0.4},
                  "porosity": 0.1},
    })
    # composite anodes are full cells: the anode layer goes to the P2D cell with its own tau
    pg = design_to_p2d_params(graphite, sigma_se_S_per_cm=1e-3)
    assert pg.full_cell and pg.anode_electrolyte_volume_fraction == pytest.approx(graphite.anode.layer.eps_se)
    assert pg.anode_tortuosity == pytest.approx(graphite.anode.layer.eps_se ** -0.5)



def test_design_to_p2d_params_carries_r0_as_the_separators_resistance():
    """Kato design, R_0 = 10 Ohm cm2 (replaces separator and interface, R-19): the P2D separator's
    L tau / sigma is R_0 at any sigma_SE; the P2D ignored it (0.4 Ohm cm2 of bare separator).
    An R_0 below the bare separator's L / sigma cannot be carried and is named."""
    from importlib import resources

    from ssbkit.cell.design_file import load_design
    from ssbkit.cell.rate import design_to_p2d_params

    d = load_design(str(resources.files("ssbkit.cell").joinpath("data/kato2018_thick_design.toml")))
    for sigma in (2.5e-2, 1e-2):
        p = design_to_p2d_params(d, sigma_se_S_per_cm=sigma)
        assert p.separator_thickness_um * 1e-4 * p.separator_tortuosity / sigma == pytest.approx(10.0, rel=1e-12)
    with pytest.raises(InputError, match="R0_ohm_cm2 = 0.1 Ohm cm2 is below the separator's own"):
        design_to_p2d_params(dataclasses.replace(d, R0_ohm_cm2=0.1))
