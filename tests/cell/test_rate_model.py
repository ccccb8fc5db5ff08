"""The fast rate model (reaction zone R-19 + interface + solid diffusion + OCV) and its workflow."""

from __future__ import annotations

import dataclasses
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from ssbkit.cell.design_file import design_from_dict, load_design
from ssbkit.cell.rate import RateStudy, rate_curve, rate_study
from ssbkit.cell.reaction_zone import design_parameters, reaction_zone_capacity
from ssbkit.errors import InputError

DATA = Path(str(resources.files("ssbkit.cell").joinpath("data")))


def test_kato_design_file_equals_the_reaction_zone_api():
    """With U_c, U_a and R_0 set in the design file the fast model is R-19 exactly (Kato 2018):
    the same numbers as calling reaction_zone_capacity with the same inputs."""
    d = load_design(DATA / "kato2018_thick_design.toml")
    c = [0.1, 0.5, 1.0, 2.0, 4.0]
    r = rate_curve(d, c)
    p = design_parameters(d)
    assert p["voltage_margin_V"] == pytest.approx(3.9 - 1.55 - 1.5)
    api = reaction_zone_capacity(np.array(r.current_mA_cm2), **{k: p[k] for k in (
        "q_cathode_mAh_cm3", "sigma_cathode_S_per_cm", "q_anode_mAh_cm3", "sigma_anode_S_per_cm",
        "capacity_max_mAh_cm2", "voltage_margin_V")}, r0_ohm_cm2=10.0)
    assert np.allclose(r.capacity_mAh_cm2, api, rtol=1e-9)
    assert r.limiting[-1] == "transport"


def _lecture():
    return load_design(DATA / "example_design.toml")


def test_lecture_lco_cell_reproduces_about_100_mAh_per_g():
    """In | 80Li2S-20P2S5 GC | LiCoO2, ~100 mAh/g reversible at room temperature (Minami 2006,
    lecture; science.md section 4) at the group's 0.064 mA/cm2. Uncoated LiCoO2 against the sulfide:
    the interphase film (Nishio 2022 x Haruta 2015) over the estimated contact area costs capacity at
    the top of the charge; the prediction lies within 20 % of the measurement (the old ohmic-only
    model: 140 mAh/g, +40 %) and the interface limits it."""
    r = rate_curve(_lecture(), [1.0], current_mA_cm2=[0.064])
    assert r.capacity_mAh_per_g[0] == pytest.approx(100.0, rel=0.20)
    assert r.capacity_mAh_per_g[0] < 0.95 * r.window_mAh_per_g[0]
    assert r.limiting[0] == "interface"


def test_lecture_lco_measurement_inside_the_band_of_unstated_currents():
    """The lecture states no current: over 0.064 mA/cm2 to 0.1C (the test currents of the bulk-type
    sulfide cells in Lin et al. 2023, table 2) the prediction spans the measured ~100 mAh/g, and the
    interface limits at both ends."""
    from ssbkit.cell.rate import rate_study

    d = _lecture()
    meas = {"capacity_mAh_per_g": 100.0, "current_mA_cm2": 0.064, "current_range_mA_cm2": [0.064, 0.135],
            "reference": "Minami2006"}
    rs = rate_study(d, [0.1], [25.0], measured=meas)
    hi, lo = rs.predicted_band_mAh_per_g
    assert lo < 100.0 < hi
    assert rs.limiting_at_measured == "interface"
    assert rs.predicted_at_measured_mAh_per_g == pytest.approx(hi)


def test_lecture_lco_cell_coated_recovers_the_window_and_rate_falls_off_uncoated():
    """A LiNbO3 coating (Ohta 2007) removes the film: near the 4.2 V window (~131 mAh/g, Dualfoil OCV
    2.6-4.22 V vs Li); uncoated, the capacity falls steeply with rate (0.5C: < 20 % of 0.05C)."""
    bare = _lecture()
    coated = dataclasses.replace(bare, interface=dataclasses.replace(bare.interface, film_ohm_cm2=0.0))
    rc = rate_curve(coated, [0.05])
    assert rc.capacity_mAh_per_g[0] == pytest.approx(rc.window_mAh_per_g[0], rel=0.02)
    assert 125 < rc.window_mAh_per_g[0] < 137
    rb = rate_curve(bare, [0.05, 0.5])
    assert rb.capacity_mAh_per_g[1] < 0.2 * rb.capacity_mAh_per_g[0]


def test_lecture_lto_cell_at_100C():
    """Li-In | GC | Li4Ti5O12 at 100 degC: ~140 mAh/g under > 10 mA/cm2 (Tatsumisago 2013, lecture).
    The model: the practical LTO window (159 mAh/g) still at 10 mA/cm2, i.e. within 15 % of 140, and
    transport-limited at 25 degC at the same current (why the cell runs at 100 degC)."""
    d = load_design(DATA / "lecture_lto_design.toml")
    hot = rate_curve(d, [1.0], current_mA_cm2=[10.0])
    assert hot.capacity_mAh_per_g[0] == pytest.approx(140.0, rel=0.15)
    cold = rate_curve(d, [1.0], current_mA_cm2=[10.0], temperature_c=25.0)
    assert cold.capacity_mAh_per_g[0] < 0.5 * hot.capacity_mAh_per_g[0]
    assert cold.limiting[0] == "transport"


def _nmc(**cell):
    return design_from_dict({
        "cathode": {"active_material": "NCM811", "volume_fractions": {"active": 0.6, "electrolyte": 0.4},
                    "porosity": 0.1, "thickness_um": 60.0, "active_particle_diameter_um": 5.0},
        "separator": {"thickness_um": 30.0, "porosity": 0.05},
        "anode": {"material": "Li", "excess": 1.0},
        "cell": {"sigma_se_S_per_cm": 3e-3, "coating": "LiNbO3", **cell},
    })


def test_slow_solid_diffusion_limits_and_is_named():
    """D = 1e-17 m2/s in 5 um particles: R^2/(15 D) = 4e4 s, so 1C is diffusion-limited; D = 1e-13 is not."""
    slow = rate_curve(_nmc(particle_diffusivity_m2_per_s=1e-17), [1.0])
    fast = rate_curve(_nmc(particle_diffusivity_m2_per_s=1e-13), [1.0])
    assert slow.limiting[0] == "diffusion"
    assert slow.capacity_mAh_per_g[0] < 0.8 * fast.capacity_mAh_per_g[0]


def test_full_particle_surface_ends_the_discharge_on_a_flat_ocv():
    """LTO's plateau is flat and its table ends at 1.2 V vs Li, above the 1.02 V cut-off, so only the
    particle surface filling up can end a diffusion-limited discharge. Reference: the exact surface
    concentration of a sphere under constant flux (Carslaw & Jaeger 1959, sec. 9.3; series in
    ssbkit.cell.spme.surface_excess), x_s(t) = x0 + rate R^2/(3 D) g(D t / R^2): the capacity is
    i t*/3600 at x_s(t*) = 1. Chosen so that ~15 % of the window is lost (the effect), tolerance 1 %."""
    from scipy.optimize import brentq

    from ssbkit.cell.rate_model import capacity_at_currents, cell_state
    from ssbkit.cell.spme import surface_excess

    d = dataclasses.replace(load_design(DATA / "lecture_lto_design.toml"), cutoff_high_V=None,
                            particle_diffusivity_m2_per_s=1e-16)
    st = cell_state(d, sigma_se_S_per_cm=1e-2, temperature_c=25.0)
    x0, r_m, dif = 0.03, st.radius_m, st.diffusivity_m2_per_s
    rate = 15 * dif * 0.2 / r_m**2  # dx/dt, 1/s: a long-time surface excess of 0.2
    i = rate * st.q_per_x_mAh_cm2 * 3600.0
    t_star = brentq(lambda t: x0 + rate * r_m**2 / (3 * dif) * float(surface_excess(dif * t / r_m**2)) - 1.0,
                    1.0, 1e6)
    exact = i * t_star / 3600.0
    got = capacity_at_currents(st, [i], off=frozenset({"transport", "interface"}))["capacity_mAh_cm2"][0]
    window = (0.94 - x0) * st.q_per_x_mAh_cm2
    assert exact < 0.9 * window
    assert got == pytest.approx(exact, rel=0.01)


def test_rate_map_monotone_names_transport_at_low_sigma_and_round_trips():
    d = _nmc(ea_eV=0.35)
    rs = rate_study(d, [0.1, 1.0, 5.0], [-20.0, 25.0, 80.0],
                    measured={"capacity_mAh_per_g": 180.0, "c_rate": 0.1, "reference": "test"})
    u = rs.utilisation_map()
    assert np.all(np.diff(u, axis=1) <= 1e-9) and np.all(np.diff(u, axis=0) >= -1e-9)
    assert rs.limiting_map()[0][-1] == "transport"
    assert rs.predicted_at_measured_mAh_per_g == pytest.approx(rs.operating.capacity_mAh_per_g[0])
    back = RateStudy.from_json(rs.to_json())
    assert back.limiting_map() == rs.limiting_map()
    assert np.allclose(back.utilisation_map(), u)


def test_example_study_file_is_a_design_file():
    """One schema: the bundled study's tables load under `ssbkit cell` (was: unknown key p2d_c_rates)."""
    from ssbkit.study.config import example_study_path

    d = load_design(example_study_path())
    assert d.cathode.active_material == "LiCoO2"
    assert d.interface is not None and d.interface.film_ohm_cm2 > 0


def test_utilisation_of_the_reaction_zone_form_never_exceeds_one():
    """With a fixed U_c (R-19 form) the zero-current window is the practical capacity
    (140 mAh/g LiCoO2): at low rate the capacity is that window and the utilisation exactly 1
    (it was capacity / (theoretical x stoichiometry window) = 140 / 139.7 > 1)."""
    d = load_design(DATA / "kato2018_thick_design.toml")
    r = rate_curve(d, [0.001, 0.1, 1.0])
    assert r.capacity_mAh_per_g[0] == pytest.approx(140.0, rel=1e-9)
    assert r.utilisation[0] == pytest.approx(1.0, rel=1e-9)
    assert np.allclose(r.utilisation, np.array(r.capacity_mAh_per_g) / 140.0, rtol=1e-12)
    assert max(r.utilisation) <= 1.0


def test_non_finite_c_rates_and_currents_are_named():
    d = _lecture()
    with pytest.raises(InputError, match=r"C-rates must be finite and > 0, got \[1.0, inf\]"):
        rate_curve(d, [1.0, float("inf")])
    with pytest.raises(InputError, match=r"current densities \(mA/cm2\) must be finite and > 0"):
        rate_curve(d, [1.0], current_mA_cm2=[float("nan")])


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"temperature_c": -300.0, "sigma_se_S_per_cm": 1e-3}, "temperature_c must be above -273.15 degC"),
    ({"temperature_c": -273.15, "sigma_se_S_per_cm": 1e-3}, "temperature_c must be above -273.15 degC"),
    ({"temperature_c": float("nan"), "sigma_se_S_per_cm": 1e-3}, "temperature_c must be finite"),
    ({"sigma_se_S_per_cm": -1.0}, "sigma_se_S_per_cm (electrolyte conductivity) must be > 0"),
    ({"sigma_eff_cathode_S_per_cm": 0.0}, "sigma_eff_cathode_S_per_cm"),
    ({"sigma_eff_cathode_S_per_cm": -1e-4}, "sigma_eff_cathode_S_per_cm"),
])
def test_fast_model_inputs_out_of_range_are_named(kwargs, words):
    """-300 degC gave a capacity, -273.15 degC and sigma_eff = 0 a ZeroDivisionError."""
    with pytest.raises(InputError) as exc:
        rate_curve(_lecture(), [0.1], **kwargs)
    assert words in str(exc.value)


@pytest.mark.parametrize("ratio", [0.0, -0.2, 1.5])
def test_rate_study_sigma_eff_ratio_is_eps_over_tau(ratio):
    """sigma_eff / sigma_SE = eps / tau lies in (0, 1] (R-17): 0 was a ZeroDivisionError, -0.2 ran."""
    with pytest.raises(InputError, match="sigma_eff_ratio"):
        rate_study(_lecture(), [0.1], [25.0], sigma_eff_ratio=ratio)


def test_default_cut_off_of_a_full_cell_is_the_ocv_at_the_end_of_both_windows():
    """S | graphite without cutoff_low_V, 45 Ohm cm2 of interface film (27 mV at C/20): the default
    cut-off is OCV_S(sto_max) - OCV_graphite(sto_min), 0.70 V, as in the P2D, so at C/20 the fast
    model delivers the window (theoretical x stoichiometry range) as the SPMe does. It used the
    graphite's average potential (cut-off 1.85 V, on the sulfur plateau): 891 of 1204 mAh/g."""
    from ssbkit.cell.active_materials import get_active_material
    from ssbkit.cell.rate import p2d_rate

    d = design_from_dict({
        "cathode": {"active_material": "S", "porosity": 0.3, "thickness_um": 100.0,
                    "mass_fractions": {"active": 0.7, "electrolyte": 0.27, "carbon": 0.03}},
        "separator": {"thickness_um": 20.0},
        "anode": {"material": "graphite", "np_ratio": 1.05, "volume_fractions": {"active": 0.6, "electrolyte": 0.4},
                  "porosity": 0.1},
        "cell": {"sigma_se_S_per_cm": 1e-3, "coating": "none", "interface_film_ohm_cm2": 1000.0}})
    m = get_active_material("S")
    window = m.capacity_theoretical_mAh_per_g * (m.sto_range[1] - m.sto_range[0])
    fast = rate_curve(d, [0.05]).capacity_mAh_per_g[0]
    assert fast == pytest.approx(window, rel=0.02)
    pytest.importorskip("pybamm")  # p2d_rate asks for it, also for the numpy SPMe
    assert fast == pytest.approx(p2d_rate(d, [0.05], model="SPMe")[0].final_capacity_mAh_per_g, rel=0.02)


def test_solid_diffusion_limit_matches_the_spme_of_the_same_cell():
    """LFP (D = 5.9e-18 m2/s, Prada 2013) in 5 um particles at C/20, no interface: the capacity is
    set by solid diffusion alone, and the fast model's surface excess is the exact constant-flux
    solution, so it gives the SPMe's capacity (that SPMe matches PyBaMM's to 0.3 %, test_spme).
    The smaller of the long- and short-time limits overstated the excess near tau ~ 0.03: 41.8
    instead of 57.3 mAh/g."""
    from ssbkit.cell.p2d import simulate_discharge
    from ssbkit.cell.rate import design_to_p2d_params

    d = design_from_dict({
        "cathode": {"active_material": "LFP", "volume_fractions": {"active": 0.6, "electrolyte": 0.35, "carbon": 0.05},
                    "porosity": 0.15, "thickness_um": 60.0, "active_particle_diameter_um": 5.0},
        "separator": {"thickness_um": 30.0}, "anode": {"material": "Li", "excess": 1.0},
        "cell": {"sigma_se_S_per_cm": 3e-3, "interface": False}})
    fast = rate_curve(d, [0.05])
    assert fast.limiting == ("diffusion",)
    spme = simulate_discharge(design_to_p2d_params(d), 0.05, model="SPMe").final_capacity_mAh_per_g
    assert fast.capacity_mAh_per_g[0] == pytest.approx(spme, rel=0.01)
