"""P2D: mesh convergence, full cells with composite anodes, the interface film, SPMe, export."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from ssbkit.cell.active_materials import get_active_material
from ssbkit.cell.p2d import simulate_discharge
from ssbkit.cell.p2d_params import P2DParams, export_parameter_values, initial_state, model_options
from ssbkit.constants import FARADAY, R_GAS

pybamm = pytest.importorskip("pybamm")
pytestmark = pytest.mark.cell

NCM = P2DParams(active_material="NCM811", cathode_thickness_um=60.0, separator_thickness_um=30.0,
                active_volume_fraction=0.55, electrolyte_volume_fraction=0.35, cathode_tortuosity=2.0,
                particle_radius_um=2.5, sigma_se_S_per_cm=1e-3)
FINE = {"x_p": 240, "r_p": 40}


@pytest.mark.slow
@pytest.mark.parametrize(("sigma", "c_rate"), [(1e-3, 0.1), (1e-3, 1.0), (1e-3, 5.0), (1e-4, 1.0)])
def test_default_mesh_within_half_a_percent_of_a_converged_mesh(sigma, c_rate):
    """Issue 12: the conductivity as a plain parameter converges; 4x finer mesh as the reference."""
    p = replace(NCM, sigma_se_S_per_cm=sigma)
    ref = simulate_discharge(p, c_rate, var_pts=FINE).final_capacity_mAh_per_g
    assert simulate_discharge(p, c_rate).final_capacity_mAh_per_g == pytest.approx(ref, rel=0.005)


def test_same_as_a_dfn_built_directly_in_pybamm():
    """ssbkit's run equals PyBaMM's DFN set up by hand from the exported JSON (ParameterValues.from_json)."""
    ours = simulate_discharge(NCM, 1.0)
    exp = export_parameter_values(NCM, c_rate=1.0)
    pv = pybamm.ParameterValues.from_json(exp["parameters"])
    sim = pybamm.Simulation(pybamm.lithium_ion.DFN(exp["options"]), parameter_values=pv,
                            var_pts={"x_n": 4, "x_s": 5, "x_p": 60, "r_n": 4, "r_p": 10})
    sol = sim.solve([0, 2 * 3600])
    q = sol["Discharge capacity [A.h]"].entries[-1] * 1e3 / NCM.area_cm2
    assert q == pytest.approx(ours.final_capacity_mAh_per_cm2, rel=2e-3)


def test_interface_film_adds_i_r_over_the_contact_area_at_low_rate():
    """Uniform reaction (high sigma, C/20): the film adds i r_film / (a L) to the overpotential,
    a = 3 eps_AM / R the particle surface the film covers (PyBaMM's), so the mean voltage drops by it."""
    p = replace(NCM, sigma_se_S_per_cm=1e-1)
    r_film = 5e-2  # Ohm m2 of particle surface
    base = simulate_discharge(p, 0.05)
    film = simulate_discharge(replace(p, film_resistance_ohm_m2=r_film), 0.05)
    a_l = 3 * p.active_volume_fraction / (p.particle_radius_um * 1e-6) * p.cathode_thickness_um * 1e-6
    i = base.current_density_mA_per_cm2 * 10.0  # A/m2
    t = base.time_s[10:60]
    drop = float((base.voltage_V[10:60] - np.interp(t, film.time_s, film.voltage_V)).mean())
    assert drop == pytest.approx(i * r_film / a_l, rel=0.05)


def test_full_cell_graphite_anode_delivers_the_cathode_window():
    """Graphite | SE | NCM811 at N/P ~1.2: at C/10 the whole cathode window minus a little."""
    p = replace(NCM, anode="graphite", anode_thickness_um=70.0, anode_active_volume_fraction=0.55,
                anode_electrolyte_volume_fraction=0.35, anode_tortuosity=2.0, anode_particle_radius_um=5.0,
                cutoff_V=2.8)
    assert p.full_cell and "working electrode" not in model_options(p)
    r = simulate_discharge(p, 0.1)
    assert r.converged, r.message
    m = get_active_material("NCM811")
    window = m.capacity_theoretical_mAh_per_g * (m.sto_range[1] - m.sto_range[0])
    assert 0.9 * window < r.final_capacity_mAh_per_g <= 1.01 * window
    assert initial_state(p, charge=False)["sto0_n"] > 0.5


def test_spme_close_to_the_dfn_without_a_reaction_front():
    """SPMe (Marquis 2019) on the same set: within 0.5 % of the DFN at 1C, 1 mS/cm
    (benchmarks/results/cell.md: -7 % at 5C and more in the ohmic regime)."""
    dfn = simulate_discharge(NCM, 1.0).final_capacity_mAh_per_g
    spme = simulate_discharge(NCM, 1.0, model="SPMe").final_capacity_mAh_per_g
    assert spme == pytest.approx(dfn, rel=0.005)


def test_arrhenius_temperature_raises_the_rate_capability():
    """Hotter: faster kinetics and diffusion (Arrhenius in the set) and the SE conductivity given."""
    cold = simulate_discharge(replace(NCM, temperature_c=0.0, sigma_se_S_per_cm=3e-4), 2.0)
    hot = simulate_discharge(replace(NCM, temperature_c=60.0, sigma_se_S_per_cm=3e-3), 2.0)
    assert hot.final_capacity_mAh_per_g > cold.final_capacity_mAh_per_g + 10
    assert R_GAS / FARADAY > 0


def test_both_rate_models_see_the_same_interface():
    """The design's interface (film per contact area over a_c L) enters the P2D through PyBaMM's
    particle surface: at C/20 and high sigma the P2D's voltage loss from the film equals the fast
    model's i r_film / (a_c L) within 10 %."""
    from importlib import resources

    from ssbkit.cell.design_file import load_design
    from ssbkit.cell.rate import design_to_p2d_params

    d = load_design(str(resources.files("ssbkit.cell").joinpath("data/example_design.toml")))
    d = replace(d, sigma_se_S_per_cm=1e-1, interface=replace(d.interface, film_ohm_cm2=2000.0))
    p = replace(design_to_p2d_params(d, sigma_se_S_per_cm=1e-1), cutoff_high_V=None)  # discharge only
    with_film = simulate_discharge(p, 0.05)
    without = simulate_discharge(replace(p, film_resistance_ohm_m2=0.0), 0.05)
    t = without.time_s[10:50]
    drop = float((without.voltage_V[10:50] - np.interp(t, with_film.time_s, with_film.voltage_V)).mean())
    i = with_film.current_density_mA_per_cm2
    expect = i * 1e-3 * d.interface.series_ohm_cm2()
    assert drop == pytest.approx(expect, rel=0.10)


@pytest.mark.parametrize(("anode", "thickness_um"), [("Si", 15.0), ("LTO", 150.0)])
def test_full_cells_with_si_and_lto_anodes_deliver_the_smaller_window(anode, thickness_um):
    """Composite Si and LTO anodes: at C/5 the cell gives >= 85 % (and not more than) the smaller of
    the two electrodes' windows (capacities x volume fractions x stoichiometry ranges)."""
    p = replace(NCM, anode=anode, anode_thickness_um=thickness_um, anode_active_volume_fraction=0.5,
                anode_electrolyte_volume_fraction=0.4, anode_tortuosity=2.0, anode_particle_radius_um=1.0)
    r = simulate_discharge(p, 0.2)
    assert r.converged, r.message
    mc, ma = get_active_material("NCM811"), get_active_material(anode)

    def window_mAh_cm2(m, phi, l_um):
        return m.capacity_theoretical_mAh_per_g * m.density_g_per_cm3 * phi * l_um * 1e-4 * (
            m.sto_range[1] - m.sto_range[0])

    limit = min(window_mAh_cm2(mc, 0.55, 60.0), window_mAh_cm2(ma, 0.5, thickness_um))
    assert 0.85 * limit < r.final_capacity_mAh_per_cm2 <= 1.01 * limit


def test_p2d_reproduces_the_lecture_cell_like_the_fast_model():
    """In | GC | uncoated LiCoO2 (Minami 2006, ~100 mAh/g): charged to 3.6 V vs Li-In then
    discharged at the same rate, the P2D with the design's interface gives the fast model's
    capacity within 3 % at C/20 and C/10 (both ~119 and ~98 mAh/g)."""
    from importlib import resources

    from ssbkit.cell.design_file import load_design
    from ssbkit.cell.rate import design_to_p2d_params, rate_curve

    d = load_design(str(resources.files("ssbkit.cell").joinpath("data/example_design.toml")))
    fast = rate_curve(d, [0.05, 0.1])
    p = design_to_p2d_params(d)
    assert p.cutoff_high_V == 3.6
    for c, q in zip(fast.c_rates, fast.capacity_mAh_per_g, strict=True):
        r = simulate_discharge(p, c)
        assert r.converged, r.message
        assert r.final_capacity_mAh_per_g == pytest.approx(q, rel=0.03)
        assert "after a charge" in r.message


@pytest.mark.parametrize("model", ["SPMe", "DFN"])
def test_dead_active_material_does_not_cycle_in_the_p2d_either(model):
    """[cell] dead_fraction f: only the live share cycles, so at C/20 the capacity per g of all
    the active material is (1 - f) x the window (theoretical x stoichiometry range), at the
    same current density as without dead material (1C on all of it), as in the fast model.
    The P2D and SPMe ignored f (the whole window at f = 0.3)."""
    from ssbkit.cell.design_file import design_from_dict
    from ssbkit.cell.rate import p2d_rate, rate_curve

    def design(dead):
        return design_from_dict({
            "cathode": {"active_material": "NCM811", "volume_fractions": {"active": 0.6, "electrolyte": 0.4},
                        "porosity": 0.1, "thickness_um": 60.0, "active_particle_diameter_um": 5.0},
            "separator": {"thickness_um": 30.0}, "anode": {"material": "Li-In", "excess": 1.0},
            "cell": {"sigma_se_S_per_cm": 3e-3, "coating": "LiNbO3", "dead_fraction": dead}})

    m = get_active_material("NCM811")
    window = m.capacity_theoretical_mAh_per_g * (m.sto_range[1] - m.sto_range[0])
    live, full = p2d_rate(design(0.3), [0.05], model=model)[0], p2d_rate(design(0.0), [0.05], model=model)[0]
    assert live.converged, live.message
    assert live.final_capacity_mAh_per_g == pytest.approx(0.7 * window, rel=0.015)
    assert live.current_density_mA_per_cm2 == pytest.approx(full.current_density_mA_per_cm2, rel=1e-12)
    assert live.final_capacity_mAh_per_g == pytest.approx(
        rate_curve(design(0.3), [0.05]).capacity_mAh_per_g[0], rel=0.015)


@pytest.mark.parametrize("model", ["SPMe", "DFN"])
def test_an_undersized_li_in_foil_caps_the_p2d_as_the_fast_model(model):
    """A 5 um In foil holds 5e-4 cm x 7.31 g/cm3 x 233 mAh/g = 0.85 mAh/cm2 as LiIn, a quarter of
    the NCM811 cathode's 4.1 mAh/cm2: the charge (In full) and the discharge stop there, as in the
    fast model and the stack energy. The half-cell P2D cycled the whole cathode (an endless foil)."""
    from ssbkit.cell.design_file import design_from_dict
    from ssbkit.cell.rate import p2d_rate, rate_curve

    d = design_from_dict({
        "cathode": {"active_material": "NCM811", "volume_fractions": {"active": 0.6, "electrolyte": 0.4},
                    "porosity": 0.1, "thickness_um": 80.0, "active_particle_diameter_um": 5.0},
        "separator": {"thickness_um": 30.0}, "anode": {"material": "Li-In", "thickness_um": 5.0},
        "cell": {"sigma_se_S_per_cm": 3e-3, "interface": False, "cutoff_low_V": 2.4, "cutoff_high_V": 3.7}})
    foil = 5e-4 * 7.31 * 233.0
    r = p2d_rate(d, [0.1], model=model)[0]
    assert r.converged, r.message
    assert r.final_capacity_mAh_per_cm2 == pytest.approx(foil, rel=1e-3)
    assert rate_curve(d, [0.1]).capacity_mAh_cm2[0] == pytest.approx(foil, rel=1e-3)


def test_an_spme_zero_in_the_ohmic_regime_says_the_dfn_may_deliver():
    """100 um S | LTO at 1e-4 S/cm, C/20: the uniform-reaction SPMe starts past the cut-off while
    the DFN's reaction front delivers capacity; the SPMe's message says so instead of a bare 0."""
    from ssbkit.cell.design_file import design_from_dict
    from ssbkit.cell.rate import p2d_rate

    d = design_from_dict({
        "cathode": {"active_material": "S", "porosity": 0.15, "thickness_um": 100.0, "active_particle_diameter_um": 0.1,
                    "volume_fractions": {"active": 0.6, "electrolyte": 0.35, "carbon": 0.05}},
        "separator": {"thickness_um": 100.0},
        "anode": {"material": "LTO", "np_ratio": 1.2, "volume_fractions": {"active": 0.6, "electrolyte": 0.4},
                  "porosity": 0.1},
        "cell": {"sigma_se_S_per_cm": 1e-4, "temperature_c": 120.0, "coating": "LiNbO3"}})
    spme = p2d_rate(d, [0.05], model="SPMe")[0]
    dfn = p2d_rate(d, [0.05], model="DFN")[0]
    assert spme.final_capacity_mAh_per_g == 0.0 and "the DFN may deliver capacity here" in spme.message
    assert dfn.converged and dfn.final_capacity_mAh_per_g > 50.0


def test_p2d_results_of_a_reaction_zone_form_design_say_the_potentials_are_not_used():
    """U_c_V / U_a_V are the fast model's fixed potentials (Kato 2018 form); the P2D runs on the
    OCV curves, and each result's message says so instead of passing silently."""
    from importlib import resources

    from ssbkit.cell.design_file import load_design
    from ssbkit.cell.rate import p2d_rate

    d = load_design(str(resources.files("ssbkit.cell").joinpath("data/kato2018_thick_design.toml")))
    (r,) = p2d_rate(d, [0.5], model="SPMe")
    assert r.converged and "the P2D runs on the OCV curves" in r.message
