"""The fast numpy SPMe (ssbkit.cell.spme): exact particle diffusion, against PyBaMM's SPMe and the DFN."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from ssbkit.cell.p2d import simulate_discharge
from ssbkit.cell.p2d_params import P2DParams
from ssbkit.cell.spme import surface_excess

NCM = P2DParams(active_material="NCM811", cathode_thickness_um=60.0, separator_thickness_um=30.0,
                active_volume_fraction=0.55, electrolyte_volume_fraction=0.35, cathode_tortuosity=2.0,
                particle_radius_um=2.5, sigma_se_S_per_cm=1e-3)


def _finite_volume_surface(tau_end: float, n: int = 400, steps: int = 4000) -> float:
    """Independent check: sphere, unit radius and diffusivity, unit inward flux, Crank-Nicolson
    finite volumes; the surface value extrapolated from the last two cell centres."""
    r_f = np.linspace(0.0, 1.0, n + 1)
    vol = (r_f[1:] ** 3 - r_f[:-1] ** 3) / 3.0
    area = r_f**2
    dr = 1.0 / n
    a = np.zeros((n, n))
    for k in range(n - 1):  # flux between cells k and k+1
        g = area[k + 1] / dr
        a[k, k] -= g / vol[k]
        a[k, k + 1] += g / vol[k]
        a[k + 1, k + 1] -= g / vol[k + 1]
        a[k + 1, k] += g / vol[k + 1]
    b = np.zeros(n)
    b[-1] = area[-1] / vol[-1]
    dt = tau_end / steps
    eye = np.eye(n)
    lhs = np.linalg.inv(eye - 0.5 * dt * a)
    step = lhs @ (eye + 0.5 * dt * a)
    src = lhs @ (dt * b)
    c = np.zeros(n)
    for _ in range(steps):
        c = step @ c + src
    # surface gradient is the flux (1): extrapolate half a cell outwards
    return float(c[-1] + 0.5 * dr * 1.0)


def test_surface_excess_limits_and_a_finite_volume_solution():
    """g(tau) of a sphere under constant flux: 2 sqrt(tau/pi) at short times (semi-infinite),
    3 tau + 1/5 at long times (Carslaw & Jaeger 1959 sec. 9.3), and a Crank-Nicolson
    finite-volume solution in between (400 shells) to 0.5 %."""
    assert float(surface_excess(1e-7)) == pytest.approx(2 * math.sqrt(1e-7 / math.pi), rel=2e-3)
    assert float(surface_excess(3.0)) == pytest.approx(9.2, rel=1e-6)
    for tau in (0.01, 0.1):
        assert float(surface_excess(tau)) == pytest.approx(_finite_volume_surface(tau), rel=5e-3)


def test_no_current_no_drop_and_charge_mirrors_discharge():
    """At C/100 the discharge ends near the OCV window (the whole practical range, +-1 %)."""
    r = simulate_discharge(NCM, 0.01, model="SPMe")
    assert r.converged
    assert r.final_capacity_mAh_per_g == pytest.approx(
        simulate_discharge(NCM, 0.01, model="SPMe", charge=True).final_capacity_mAh_per_g, rel=0.02)


@pytest.mark.cell
@pytest.mark.parametrize("c_rate", [0.1, 2.0])
def test_same_capacity_as_pybamms_spme(c_rate):
    """Peer tool: PyBaMM's own SPMe (10 shells) on the same parameter set, within 0.3 %."""
    pytest.importorskip("pybamm")
    ours = simulate_discharge(NCM, c_rate, model="SPMe").final_capacity_mAh_per_g
    theirs = simulate_discharge(NCM, c_rate, model="PyBaMM-SPMe").final_capacity_mAh_per_g
    assert ours == pytest.approx(theirs, rel=0.003)


@pytest.mark.cell
@pytest.mark.slow
def test_full_cell_and_lecture_cell_as_pybamms_spme():
    """A graphite full cell at 1C and the lecture LCO cell (Li-In, interface film, charge first) at
    0.1C: the same capacity as PyBaMM's SPMe within 0.3 %."""
    pytest.importorskip("pybamm")
    from importlib import resources

    from ssbkit.cell.design_file import load_design
    from ssbkit.cell.rate import design_to_p2d_params

    g = replace(NCM, anode="graphite", anode_thickness_um=70.0, anode_active_volume_fraction=0.55,
                anode_electrolyte_volume_fraction=0.35, anode_tortuosity=2.0, anode_particle_radius_um=5.0,
                cutoff_V=2.8)
    d = load_design(str(resources.files("ssbkit.cell").joinpath("data/example_design.toml")))
    lecture = design_to_p2d_params(d, sigma_se_S_per_cm=7.2e-4)
    for p, c in ((g, 1.0), (lecture, 0.1)):
        ours = simulate_discharge(p, c, model="SPMe").final_capacity_mAh_per_g
        theirs = simulate_discharge(p, c, model="PyBaMM-SPMe").final_capacity_mAh_per_g
        assert ours == pytest.approx(theirs, rel=0.003)


@pytest.mark.cell
@pytest.mark.slow
def test_single_ion_dfn_equals_pybamms_full_dfn():
    """The P2D holds c_e uniform (exact for t+ = 1): the same capacity as PyBaMM's full DFN, same
    set and mesh, at 0.5C in the ohmic regime (0.1 mS/cm, a reaction front), within 0.01 %."""
    pybamm = pytest.importorskip("pybamm")
    from ssbkit.cell.active_materials import get_active_material
    from ssbkit.cell.p2d import _VAR_PTS
    from ssbkit.cell.p2d_params import (
        active_volume_m3,
        initial_state,
        model_options,
        nominal_current_A,
        solid_state_parameter_dict,
    )

    p = replace(NCM, sigma_se_S_per_cm=1e-4)
    ours = simulate_discharge(p, 0.5).final_capacity_mAh_per_g
    m = get_active_material(p.active_material)
    inputs = initial_state(p, charge=False)
    inputs.update(I=0.5 * nominal_current_A(p), T=298.15)
    sim = pybamm.Simulation(pybamm.lithium_ion.DFN(model_options(p)),
                            parameter_values=pybamm.ParameterValues(solid_state_parameter_dict(p, m, pybamm)),
                            var_pts=dict(_VAR_PTS, x_n=4, r_n=4), solver=pybamm.IDAKLUSolver(rtol=1e-6, atol=1e-6))
    t_end = float(sim.solve([0, 4 * 3600.0], inputs=inputs)["Time [s]"].entries[-1])
    theirs = inputs["I"] * t_end / 3.6 / (active_volume_m3(p) * 1e6 * m.density_g_per_cm3)
    assert ours == pytest.approx(theirs, rel=1e-4)


def test_simulate_rate_rejects_a_bad_model_name_at_once():
    """'spme' (lower case) gave one NaN result per C-rate instead of an error."""
    from ssbkit.cell.p2d import simulate_rate
    from ssbkit.errors import InputError

    with pytest.raises(InputError, match="model must be one of"):
        simulate_rate(NCM, [0.1, 1.0], model="spme")
    with pytest.raises(InputError, match="n_points must be >= 2"):
        simulate_rate(NCM, [0.1], model="SPMe", n_points=1)


@pytest.mark.parametrize(("material", "cut_low", "cut_high"), [("NCM811", 3.0, 4.3), ("S", 1.7, 2.3)])
def test_a_low_cut_off_does_not_discharge_beyond_the_window(material, cut_low, cut_high):
    """A cut-off below the OCV at the window's end (NCM811 3.0 V, S 1.7 V vs Li): at C/100 the
    discharge ends at sto_max, as in the fast model. It ran on towards x = 1 (NCM811 +2.6 %,
    S +21 % over the window) and returned more lithium than the charge before it took out."""
    from ssbkit.cell.active_materials import get_active_material

    m = get_active_material(material)
    window = m.capacity_theoretical_mAh_per_g * (m.sto_range[1] - m.sto_range[0])
    p = replace(NCM, active_material=material, cutoff_V=cut_low, cutoff_high_V=cut_high)
    charge = simulate_discharge(replace(p, cutoff_V=cut_high, cutoff_high_V=None), 0.01, charge=True,
                                model="SPMe").final_capacity_mAh_per_g
    r = simulate_discharge(p, 0.01, model="SPMe")
    assert r.converged, r.message
    assert 0.97 * window < r.final_capacity_mAh_per_g <= window * (1 + 1e-9)
    assert r.final_capacity_mAh_per_g <= charge * (1 + 1e-9)
    assert 0.97 * window < charge <= window * (1 + 1e-9)
