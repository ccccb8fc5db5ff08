"""Solid-state P2D simulation (ssbkit.cell.p2d) against analytic limits and the R-19 model."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np
import pytest

from ssbkit.cell import p2d
from ssbkit.cell.active_materials import get_active_material
from ssbkit.cell.p2d import (
    P2DParams,
    sigma_se_from_arrhenius,
    simulate_discharge,
    simulate_rate,
)
from ssbkit.cell.p2d_params import LITHIUM_EXCHANGE_CURRENT_A_PER_M2
from ssbkit.constants import FARADAY, R_GAS
from ssbkit.errors import InputError

pytest.importorskip("pybamm")  # ssbkit.cell.p2d imports it only when it builds a model
pytestmark = pytest.mark.cell

RT_F = R_GAS * 298.15 / FARADAY

# A 60 um LiCoO2 composite (50 vol% LCO, 40 vol% SE, tau 2) on a 50 um SE separator.
LCO = P2DParams(
    active_material="LiCoO2", cathode_thickness_um=60.0, separator_thickness_um=50.0,
    active_volume_fraction=0.5, electrolyte_volume_fraction=0.4, cathode_tortuosity=2.0,
    particle_radius_um=2.5, sigma_se_S_per_cm=1e-3,
)


def _loading_mAh_per_cm2(p: P2DParams) -> float:
    """Practical capacity x active-material loading (independent of the model)."""
    m = get_active_material(p.active_material)
    loading_g_cm2 = p.active_volume_fraction * p.cathode_thickness_um * 1e-4 * m.density_g_per_cm3
    return m.capacity_practical_mAh_per_g * loading_g_cm2


def test_low_rate_capacity_approaches_practical_capacity_times_loading():
    """C/20: the whole usable window of LiCoO2 (140 mAh/g practical, science.md section 4)."""
    r = simulate_discharge(LCO, 0.05)
    assert r.converged, r.message
    q_ref = _loading_mAh_per_cm2(LCO)
    assert r.final_capacity_mAh_per_cm2 == pytest.approx(q_ref, rel=0.02)
    assert r.final_capacity_mAh_per_g == pytest.approx(140.0, rel=0.02)
    # the C-rate is defined on that same capacity: 1C = q_ref mA/cm2
    assert r.current_density_mA_per_cm2 == pytest.approx(0.05 * q_ref, rel=1e-9)
    # the curve runs from the OCV at the start of the window down to the default cut-off
    m = get_active_material("LiCoO2")
    assert r.voltage_V[0] == pytest.approx(m.ocv_v(m.sto_range[0]), abs=0.02)
    assert r.voltage_V[-1] == pytest.approx(m.ocv_v(m.sto_range[1]), abs=1e-6)
    assert np.all(np.diff(r.capacity_mAh_per_cm2) >= 0)


def test_charge_at_low_rate_recovers_the_window_and_ends_at_the_upper_ocv():
    """Charging from the lithiated end: capacity ~ practical, voltage rises to OCV(sto_min)."""
    r = simulate_discharge(LCO, 0.05, charge=True)
    assert r.converged, r.message
    assert r.final_capacity_mAh_per_g == pytest.approx(140.0, rel=0.03)
    m = get_active_material("LiCoO2")
    assert r.voltage_V[-1] == pytest.approx(m.ocv_v(m.sto_range[0]), abs=1e-6)
    assert r.voltage_V[-1] > r.voltage_V[0]


def test_capacity_falls_with_c_rate_and_with_lower_sigma_se():
    """Ionic transport limits rate: both a higher current and a poorer SE cost capacity."""
    rates = [0.2, 1.0, 3.0]
    caps = {}
    for sigma in (1e-3, 1e-4):
        res = simulate_rate(replace(LCO, sigma_se_S_per_cm=sigma, cathode_thickness_um=100.0), rates)
        assert all(r.converged for r in res), [r.message for r in res]
        caps[sigma] = np.array([r.final_capacity_mAh_per_g for r in res])
        assert np.all(np.diff(caps[sigma]) < 0)
    assert np.all(caps[1e-4] < caps[1e-3])
    # at 3C a 0.1 mS/cm SE loses most of the capacity (the reacted zone is < L)
    assert caps[1e-4][-1] < 0.5 * caps[1e-3][-1]


def test_full_model_matches_reaction_zone_model_in_the_ohmic_regime():
    """P2D vs R-19 (Kato 2018, science.md section 4) where the ionic drop controls capacity.

    LFP's flat plateau, fast particles and kinetics and a 0.1 mS/cm SE put the cell in
    the ohmic regime: the reaction front stops inside the electrode. R_0 i is the
    separator's ohmic drop plus the lithium counter electrode's Butler-Volmer overpotential.
    """
    from ssbkit.cell.reaction_zone import reaction_zone_capacity

    p = P2DParams(
        active_material="LFP", cathode_thickness_um=200.0, separator_thickness_um=20.0,
        active_volume_fraction=0.5, electrolyte_volume_fraction=0.4, cathode_tortuosity=2.0,
        particle_radius_um=0.05, sigma_se_S_per_cm=1e-4,
        particle_diffusivity_m2_per_s=1e-14, exchange_current_A_per_m2=10.0,
    )
    m = get_active_material("LFP")
    lo, hi = m.sto_range
    q_mAh_cm3 = m.capacity_practical_mAh_per_g * m.density_g_per_cm3 * p.active_volume_fraction
    sigma_eff = p.sigma_se_S_per_cm * p.electrolyte_volume_fraction / p.cathode_tortuosity
    margin = m.ocv_v(0.5) - m.ocv_v(hi)  # plateau minus the default cut-off
    rates = np.array([0.1, 0.2, 0.3])
    res = simulate_rate(p, rates)
    assert all(r.converged for r in res), [r.message for r in res]
    i_ma = np.array([r.current_density_mA_per_cm2 for r in res])
    r_sep = p.separator_thickness_um * 1e-4 / p.sigma_se_S_per_cm  # Ohm cm2
    eta_li = 2 * RT_F * np.arcsinh(i_ma * 10 / (2 * LITHIUM_EXCHANGE_CURRENT_A_PER_M2))
    c_r19 = reaction_zone_capacity(
        i_ma, q_cathode_mAh_cm3=q_mAh_cm3, sigma_cathode_S_per_cm=sigma_eff,
        capacity_max_mAh_cm2=_loading_mAh_per_cm2(p), voltage_margin_V=margin - eta_li,
        r0_ohm_cm2=r_sep,
    )
    c_p2d = np.array([r.final_capacity_mAh_per_cm2 for r in res])
    assert np.all(c_r19 < 0.8 * _loading_mAh_per_cm2(p))  # really the ohmic regime
    np.testing.assert_allclose(c_p2d, c_r19, rtol=0.10)
    # capacity ~ 1/i: log-log slope -1 (R-19's ohmic limit)
    slope = np.polyfit(np.log(i_ma), np.log(c_p2d), 1)[0]
    slope_r19 = np.polyfit(np.log(i_ma), np.log(c_r19), 1)[0]
    assert slope == pytest.approx(slope_r19, abs=0.05)
    assert slope == pytest.approx(-1.0, abs=0.12)


def test_initial_voltage_drop_is_the_de_levie_transmission_line_resistance():
    """DC limit of the porous-electrode transmission line (R-8 with a faradaic rail).

    At t = 0 (uniform lithiation) and small current the cell is linear:
    dV/di = R_sep + R_ct,Li + sqrt(r_ion zeta) coth(L / lambda), with r_ion = 1/sigma_eff,
    zeta = R_ct / a, lambda = sqrt(zeta / r_ion) (de Levie, Electrochim. Acta 8 (1963) 751).
    Two currents remove the OCV.
    """
    j0 = 1.0
    p = P2DParams(
        active_material="NCM811", cathode_thickness_um=60.0, separator_thickness_um=30.0,
        active_volume_fraction=0.5, electrolyte_volume_fraction=0.4, cathode_tortuosity=2.0,
        particle_radius_um=2.5, sigma_se_S_per_cm=1e-3, electronic_conductivity_S_per_cm=100.0,
        exchange_current_A_per_m2=j0,
    )
    r1, r2 = simulate_discharge(p, 0.02), simulate_discharge(p, 0.05)
    assert r1.converged and r2.converged
    i1, i2 = r1.current_density_mA_per_cm2 * 10, r2.current_density_mA_per_cm2 * 10  # A/m2
    r_model = (r1.voltage_V[0] - r2.voltage_V[0]) / (i2 - i1)  # Ohm m2
    x0 = get_active_material("NCM811").sto_range[0]
    r_ct = RT_F / (j0 * 2 * math.sqrt(x0 * (1 - x0)))  # Ohm m2 of particle surface
    a = 3 * p.active_volume_fraction / (p.particle_radius_um * 1e-6)  # 1/m
    sigma_eff = p.sigma_se_S_per_cm * 100 * p.electrolyte_volume_fraction / p.cathode_tortuosity
    zeta = r_ct / a
    lam = math.sqrt(zeta * sigma_eff)
    r_cathode = math.sqrt(zeta / sigma_eff) / math.tanh(p.cathode_thickness_um * 1e-6 / lam)
    r_ref = (p.separator_thickness_um * 1e-6 / (p.sigma_se_S_per_cm * 100)
             + RT_F / LITHIUM_EXCHANGE_CURRENT_A_PER_M2 + r_cathode)
    assert r_model == pytest.approx(r_ref, rel=0.03)


def test_li_in_counter_electrode_shifts_the_voltage_by_0_62_V():
    """Li-In sits at ~0.62 V vs Li (Santhosha et al. 2019): same curve, 0.62 V lower."""
    r_li = simulate_discharge(LCO, 0.5)
    r_in = simulate_discharge(replace(LCO, anode="Li-In"), 0.5)
    assert r_li.converged and r_in.converged
    np.testing.assert_allclose(r_li.voltage_V - r_in.voltage_V, 0.62, atol=1e-6)
    assert r_in.final_capacity_mAh_per_g == pytest.approx(r_li.final_capacity_mAh_per_g, rel=1e-6)
    assert r_in.cutoff_V == pytest.approx(r_li.cutoff_V - 0.62)


def test_single_ion_conductor_keeps_the_electrolyte_concentration_uniform():
    """t+ = 1: the source of the concentration equation vanishes, so c_e stays at c_e0."""
    r = simulate_discharge(LCO, 2.0)
    assert r.converged
    built = p2d._get_built(LCO, get_active_material("LiCoO2"))
    c_e = built.sim.solution["Electrolyte concentration [mol.m-3]"].entries
    assert np.max(np.abs(c_e - 1000.0)) < 1e-6 * 1000.0


def test_lower_temperature_slows_kinetics_and_diffusion_at_fixed_sigma():
    """Arrhenius kinetics (E_r 17.8 kJ/mol, Chen2020): -20 degC costs capacity at 2C."""
    p = replace(LCO, active_material="NCM811", particle_radius_um=5.0)
    warm = simulate_discharge(p, 2.0)
    cold = simulate_discharge(replace(p, temperature_c=-20.0), 2.0)
    assert warm.converged and cold.converged
    assert cold.final_capacity_mAh_per_g < warm.final_capacity_mAh_per_g
    assert cold.voltage_V[1] < warm.voltage_V[1]


def test_reused_model_with_new_sigma_and_temperature_equals_a_fresh_build():
    """sigma_SE and T are solver inputs: the cached model must not keep the first values."""
    first = simulate_discharge(LCO, 3.0)
    q = replace(LCO, sigma_se_S_per_cm=1e-4, temperature_c=45.0)
    reused = simulate_discharge(q, 3.0)
    p2d.clear_cache()
    fresh = simulate_discharge(q, 3.0)
    assert reused.final_capacity_mAh_per_g == pytest.approx(fresh.final_capacity_mAh_per_g, rel=1e-4)
    assert abs(reused.final_capacity_mAh_per_g - first.final_capacity_mAh_per_g) > 5.0


def test_failed_c_rate_is_reported_and_the_others_go_on(monkeypatch):
    """A solver failure at one C-rate, a non-number and a negative rate: reported, not raised."""
    import pybamm

    simulate_discharge(LCO, 0.5)  # build once
    built = p2d._get_built(LCO, get_active_material("LiCoO2"))
    real = built.sim.solve

    def flaky(t_eval, inputs, **kwargs):
        if inputs["I"] > 1e-2:  # 5C and above, also on the retry with looser tolerances
            raise pybamm.SolverError("IDA_CONV_FAIL: injected failure")
        return real(t_eval, inputs=inputs, **kwargs)

    monkeypatch.setattr(built.sim, "solve", flaky)
    res = simulate_rate(LCO, [0.5, 5.0, "fast", -1.0, 1.0])
    assert [r.converged for r in res] == [True, False, False, False, True]
    assert "5C" in res[1].message and "IDA_CONV_FAIL" in res[1].message
    assert "'fast'" in res[2].message and "-1" in res[3].message
    assert res[4].final_capacity_mAh_per_g > 100.0
    json.dumps([r.to_dict() for r in res])  # NaNs become null: valid JSON


@pytest.mark.parametrize(
    ("sigma", "sep_um", "words"),
    [(1e-6, 50.0, "separator's ohmic drop"), (5e-7, 0.5, "past the cut-off at the start")],
)
def test_ohmic_drop_beyond_the_window_gives_zero_capacity_not_a_failure(sigma, sep_um, words):
    """At 5C a poor SE drops more than OCV - cut-off at once: capacity 0, reported as such.

    First case: the separator alone (i d / sigma, R-3) exceeds the margin, caught before
    solving; second: the cathode's drop does, caught by PyBaMM's initial-event check.
    """
    p = replace(LCO, sigma_se_S_per_cm=sigma, separator_thickness_um=sep_um)
    r = simulate_discharge(p, 5.0)
    assert r.converged and r.final_capacity_mAh_per_g == 0.0
    assert words in r.message and "5C" in r.message


def test_sigma_se_from_arrhenius_matches_the_synthetic_law():
    """sigma T = A exp(-Ea/kT) with Ea = 0.35 eV, sigma(25 C) = 1 mS/cm (R-1)."""
    from ssbkit.transport import fit_arrhenius

    k_ev = 8.617333262e-5
    t = np.array([273.15, 298.15, 323.15, 348.15])
    a = 1e-3 * 298.15 * math.exp(0.35 / (k_ev * 298.15))
    sigma = a / t * np.exp(-0.35 / (k_ev * t))
    fit = fit_arrhenius(t, sigma, form="sigmaT")
    assert sigma_se_from_arrhenius(fit, 25.0) == pytest.approx(1e-3, rel=1e-6)
    s60 = a / 333.15 * math.exp(-0.35 / (k_ev * 333.15))
    assert sigma_se_from_arrhenius(fit.to_dict(), 60.0) == pytest.approx(s60, rel=1e-6)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"active_material": "LiCoO3"}, "LiCoO2"),
        ({"anode": "graphite"}, "anode_thickness_um"),
        ({"active_volume_fraction": 0.7}, "<= 1"),
        ({"cathode_tortuosity": 0.5}, ">= 1"),
        ({"anode": "Li-in"}, "Li-In"),
        ({"cutoff_V": 4.5}, "below the open-circuit"),
        ({"sigma_se_S_per_cm": 0.0}, "sigma_se_S_per_cm"),
    ],
)
def test_bad_input_raises_input_error_naming_it(change, words):
    with pytest.raises(InputError, match=words):
        simulate_discharge(replace(LCO, **change), 1.0)


def test_charge_cutoff_below_the_start_is_rejected():
    with pytest.raises(InputError, match="above the open-circuit"):
        simulate_discharge(replace(LCO, cutoff_V=2.5), 1.0, charge=True)


@pytest.mark.slow
def test_mesh_refinement_changes_the_capacity_by_less_than_2_percent_at_1C(monkeypatch):
    """Default mesh (60 cells) vs 160 cells through the cathode, NCM811 80 um, 0.5 mS/cm."""
    p = P2DParams("NCM811", 80.0, 30.0, 0.55, 0.35, 2.0, 2.5, 5e-4)
    coarse = simulate_discharge(p, 1.0).final_capacity_mAh_per_g
    monkeypatch.setitem(p2d._VAR_PTS, "x_p", 160)
    monkeypatch.setitem(p2d._VAR_PTS, "r_p", 20)
    p2d.clear_cache()
    fine = simulate_discharge(p, 1.0).final_capacity_mAh_per_g
    p2d.clear_cache()
    assert coarse == pytest.approx(fine, rel=0.02)


def test_dfn_with_a_low_cut_off_stops_at_the_end_of_the_window():
    """NCM811 to 3.0 V (below the OCV at sto_max): the DFN's discharge at C/20 ends at the
    window (theoretical capacity x stoichiometry range), not at x = 1 (+2.8 % before)."""
    p = replace(LCO, active_material="NCM811", cutoff_V=3.0)
    m = get_active_material("NCM811")
    window = m.capacity_theoretical_mAh_per_g * (m.sto_range[1] - m.sto_range[0])
    r = simulate_discharge(p, 0.05)
    assert r.converged, r.message
    assert 0.95 * window < r.final_capacity_mAh_per_g <= window * (1 + 1e-6)
