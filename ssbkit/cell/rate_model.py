"""Fast rate model: the reaction zone (R-19) with interfaces, solid diffusion and the OCV curve.

A charge to ``cutoff_high_V`` followed by a discharge to ``cutoff_low_V`` at
the same current density i. During each, the cell voltage is

    V(q) = U_c(x_s) - U_a -/+ [ i R_s + eta_int(i) + i k q ]

- U_c(x) the cathode's open-circuit curve (or a constant ``U_c_V``), U_a the
  anode's potential (or ``U_a_V``); x the mean lithium fraction, which moves
  by q / Q_x, Q_x = loading x theoretical capacity x (1 - dead fraction);
- k q: the reaction-zone term of Kato 2018 (R-19), k = 1/(q_c sigma_c) + 1/(q_a sigma_a):
  with a flat U and no interface this gives C = (U_c - U_a - V_cut - R_0 i)/(i k) exactly;
- R_s the separator's resistance (or the whole series ``R0_ohm_cm2``);
- eta_int the interface (:class:`ssbkit.cell.interfaces.InterfaceModel`): film +
  coating resistances and Butler-Volmer charge transfer over the contact area;
- x_s the particles' surface lithium fraction: x +/- dx, the exact surface excess of a
  sphere under a constant flux (Carslaw & Jaeger 1959; it tends to the polynomial
  profile of Subramanian 2005, c_s - c_avg = R j / (5 D), at long times and to the
  semi-infinite solution at short times). A surface that
  reaches x = 1 on discharge (0 on charge) ends the step: no lithium can enter
  (leave) there, whatever the open-circuit curve's value at its end.

The reaction is taken as uniform in each particle population for the
interface and diffusion terms (exact at low rate; the reaction-zone term
carries the non-uniformity of the ionic current). Every mechanism can be
switched off, so each capacity loss is attributed to what causes it; the
largest one names the *limiting* mechanism (``transport``, ``interface``,
``diffusion``; ``window`` when all three cost < 2 % of the window capacity).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..citations import cite
from ..constants import R_GAS, ZERO_C
from ..errors import InputError, require_finite, require_positive
from .active_materials import get_active_material
from .design import StackDesign
from .kinetics import kinetics_for
from .reaction_zone import design_parameters
from .spme import surface_excess

__all__ = ["MECHANISMS", "CellState", "cell_state", "capacity_at_currents", "LIMIT_TOL"]

MECHANISMS = ("transport", "interface", "diffusion")
LIMIT_TOL = 0.02
_N_GRID = 801


@dataclass(frozen=True)
class CellState:
    """Everything the fast model needs at one temperature (field units)."""

    design: StackDesign
    temperature_c: float
    k_rz: float  # V cm2 per (A/cm2 x C/cm2)
    r_series_ohm_cm2: float
    q_per_x_mAh_cm2: float
    capacity_cap_mAh_cm2: float
    u_anode_V: float
    flat_u_c_V: float | None
    radius_m: float
    diffusivity_m2_per_s: float
    interface_on: bool
    loading_mg_cm2: float
    params: dict


def cell_state(design: StackDesign, *, sigma_se_S_per_cm: float, temperature_c: float,
               sigma_eff_cathode_S_per_cm: float | None = None) -> CellState:
    """Resolve ``design`` at one temperature and SE conductivity for :func:`capacity_at_currents`.

    Parameters
    ----------
    design
        The stack.
    sigma_se_S_per_cm
        SE conductivity at ``temperature_c``, S/cm.
    temperature_c
        Temperature, degC (interface and diffusion follow their Arrhenius laws).
    sigma_eff_cathode_S_per_cm
        Effective ionic conductivity of the cathode (e.g. from the microstructure).

    Returns
    -------
    CellState
    """
    t = require_finite("temperature_c", temperature_c)
    if not t > -ZERO_C:
        raise InputError(f"temperature_c must be above -273.15 degC, got {t:g}")
    if sigma_eff_cathode_S_per_cm is not None:
        require_positive("sigma_eff_cathode_S_per_cm (effective ionic conductivity of the cathode)",
                         sigma_eff_cathode_S_per_cm)
    cite("Kato2018", "R-19")
    p = design_parameters(design, sigma_se_S_per_cm=sigma_se_S_per_cm,
                          sigma_eff_cathode_S_per_cm=sigma_eff_cathode_S_per_cm)
    k = 1.0 / (p["q_cathode_mAh_cm3"] * 3.6 * p["sigma_cathode_S_per_cm"])
    if np.isfinite(p["sigma_anode_S_per_cm"]):
        k += 1.0 / (p["q_anode_mAh_cm3"] * 3.6 * p["sigma_anode_S_per_cm"])
    cat = design.cathode
    m = get_active_material(cat.active_material)
    ma = get_active_material(design.anode.material)
    dead = design.interface.dead_fraction if design.interface is not None else 0.0
    q_x = cat.loading_mg_cm2 * 1e-3 * m.capacity_theoretical_mAh_per_g * (1.0 - dead)
    r_series = design.R0_ohm_cm2 if design.R0_ohm_cm2 is not None else p["r_separator_ohm_cm2"]
    kin = kinetics_for(m.name)
    d_s = design.particle_diffusivity_m2_per_s or kin.diffusivity_m2_per_s
    d_s *= math.exp(-kin.diffusivity_ea_J_per_mol / R_GAS * (1.0 / (temperature_c + ZERO_C) - 1.0 / 298.15))
    for key in kin.references:
        cite(key)
    d_um = cat.active_particle_diameter_um or 5.0
    q_an = design.anode.layer.areal_capacity_mAh_cm2()
    cap = q_an if design.U_c_V is None else min(q_an, cat.areal_capacity_mAh_cm2() * (1.0 - dead))
    return CellState(
        design=design, temperature_c=float(temperature_c), k_rz=k, r_series_ohm_cm2=float(r_series),
        q_per_x_mAh_cm2=q_x, capacity_cap_mAh_cm2=cap,
        u_anode_V=design.U_a_V if design.U_a_V is not None else ma.voltage_avg_V,
        flat_u_c_V=design.U_c_V, radius_m=d_um * 0.5e-6, diffusivity_m2_per_s=d_s,
        interface_on=design.interface is not None and design.R0_ohm_cm2 is None,
        loading_mg_cm2=cat.loading_mg_cm2, params=p)


def _dx_diffusion(st: CellState, i_mA: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Surface minus mean lithium fraction after passing q (mAh/cm2) at i (mA/cm2).

    The sphere under a constant flux (Carslaw & Jaeger 1959, :func:`ssbkit.cell.spme.surface_excess`):
    dx = R^2 rate / (3 D) (g(tau) - 3 tau), tau = D t / R^2, which tends to the polynomial
    profile's R^2 rate / (15 D) (Subramanian 2005) at long times and to the semi-infinite
    (2 R / 3) rate sqrt(t / (pi D)) at short times; the smaller of those two overstated it by
    up to 40 % in between (tau ~ 0.03).
    """
    cite("Carslaw1959", "sec. 9.3")
    rate = i_mA / (st.q_per_x_mAh_cm2 * 3600.0)  # dx/dt, 1/s
    t = np.maximum(q / np.maximum(i_mA, 1e-300) * 3600.0, 0.0)
    r, d = st.radius_m, st.diffusivity_m2_per_s
    tau = d * t / (r * r)
    excess = np.full(np.shape(tau), 0.2)  # tau >= 1: 1/5 to 1e-9 (the slowest term is exp(-20.2 tau))
    short = tau < 1.0
    excess[short] = surface_excess(tau[short]) - 3.0 * tau[short]
    return r * r * rate / (3.0 * d) * excess


def _voltage(st: CellState, i_mA: np.ndarray, q: np.ndarray, x: np.ndarray, sign: float,
             off: frozenset[str]) -> np.ndarray:
    """Cell voltage along a (dis)charge: sign +1 discharge, -1 charge."""
    m = get_active_material(st.design.cathode.active_material)
    if st.flat_u_c_V is not None:
        u = np.full(np.shape(x), st.flat_u_c_V)
    else:
        dx = 0.0 if "diffusion" in off else _dx_diffusion(st, i_mA, q)
        x_surface = x + sign * dx
        u = np.asarray(m.ocv_v(np.clip(x_surface, 0.0, 1.0)), dtype=float)
        # a particle surface that is full (discharge) or empty (charge) cannot take the current on:
        # the concentration overpotential diverges, so the voltage passes any cut-off there
        u = np.where(sign * (x_surface - 0.5) >= 0.5, -sign * np.inf, u)
    drop = np.zeros(np.broadcast_shapes(np.shape(i_mA), np.shape(q)))
    if "transport" not in off:
        drop = drop + i_mA * 1e-3 * (st.r_series_ohm_cm2 + st.k_rz * q * 3.6)
    inter = st.design.interface
    if st.interface_on and inter is not None and "interface" not in off:
        drop = drop + inter.overpotential_V(i_mA, st.temperature_c)
    return u - st.u_anode_V - sign * drop


def _crossing(v: np.ndarray, q: np.ndarray, v_cut: float, sign: float) -> np.ndarray:
    """Charge q at which v first passes v_cut (linear between grid points), per row."""
    past = (v < v_cut) if sign > 0 else (v > v_cut)
    n = v.shape[1]
    first = np.where(past.any(axis=1), past.argmax(axis=1), n)
    out = np.empty(v.shape[0])
    for r, j in enumerate(first):
        if j == 0:
            out[r] = 0.0
        elif j >= n:
            out[r] = q[r, -1]
        else:
            v0, v1 = v[r, j - 1], v[r, j]
            f = (v0 - v_cut) / (v0 - v1) if v0 != v1 else 0.0
            out[r] = q[r, j - 1] + f * (q[r, j] - q[r, j - 1])
    return out


def capacity_at_currents(st: CellState, current_mA_cm2: ArrayLike, *,
                         off: frozenset[str] = frozenset()) -> dict[str, Any]:
    """Charge then discharge capacity at each current density (mA/cm2).

    Parameters
    ----------
    st
        From :func:`cell_state`.
    current_mA_cm2
        Current densities, mA/cm2 (> 0).
    off
        Mechanisms left out (``"transport"``, ``"interface"``, ``"diffusion"``).

    Returns
    -------
    dict
        ``capacity_mAh_cm2`` (discharge), ``charge_mAh_cm2``, ``x_charged``
        (lithium fraction after the charge), arrays over the currents.
    """
    i = np.atleast_1d(np.asarray(current_mA_cm2, dtype=float))
    if np.any(~(i > 0)):
        raise InputError("current densities must be > 0 mA/cm2")
    m = get_active_material(st.design.cathode.active_material)
    lo, hi = m.sto_range
    design = st.design
    i_col = i[:, None]
    x_start = np.full(i.size, lo)
    q_ch = np.full(i.size, (hi - lo) * st.q_per_x_mAh_cm2)
    if st.flat_u_c_V is None and design.cutoff_high_V is not None:
        xs = np.linspace(hi, lo, _N_GRID)[None, :]
        q = (hi - xs) * st.q_per_x_mAh_cm2 + 0.0 * i_col
        v = _voltage(st, i_col, q, xs, -1.0, off)
        q_ch = _crossing(v, q, design.cutoff_high_V, -1.0)
        x_start = hi - q_ch / st.q_per_x_mAh_cm2
    v_cut = design.cutoff_low_V if design.cutoff_low_V is not None else _default_cut(st)
    frac = np.linspace(0.0, 1.0, _N_GRID)[None, :]
    if st.flat_u_c_V is not None:  # R-19 form: the practical capacity is the window
        q = st.capacity_cap_mAh_cm2 * frac + 0.0 * i_col
        xs = x_start[:, None] + q / st.q_per_x_mAh_cm2
    else:
        xs = x_start[:, None] + (hi - x_start[:, None]) * frac
        q = (xs - x_start[:, None]) * st.q_per_x_mAh_cm2
    v = _voltage(st, i_col, q, xs, 1.0, off)
    cap = np.minimum(_crossing(v, q, v_cut, 1.0), st.capacity_cap_mAh_cm2)
    return {"capacity_mAh_cm2": cap, "charge_mAh_cm2": q_ch, "x_charged": x_start}


def _default_cut(st: CellState) -> float:
    """The open-circuit cell voltage at the end of the windows: the cathode full (sto_max) against
    a foil's potential (or ``U_a_V``), or a composite anode at its delithiated end (sto_min), as the
    P2D's default (:func:`ssbkit.cell.p2d_cell.open_circuit_V`)."""
    design = st.design
    m = get_active_material(design.cathode.active_material)
    if st.flat_u_c_V is not None:
        raise InputError("with U_c_V the design needs cutoff_low_V ([cell])")
    u_end = st.u_anode_V
    if design.U_a_V is None and design.anode.kind == "composite":
        ma = get_active_material(design.anode.material)
        u_end = float(ma.ocv_v(ma.sto_range[0]))
    return float(m.ocv_v(m.sto_range[1])) - u_end


def capacity_and_limits(st: CellState, current_mA_cm2: ArrayLike) -> dict[str, Any]:
    """Capacity at each current with the loss due to each mechanism and the limiting one.

    Parameters
    ----------
    st
        From :func:`cell_state`.
    current_mA_cm2
        Current densities, mA/cm2.

    Returns
    -------
    dict
        ``capacity_mAh_cm2``, ``window_mAh_cm2`` (all mechanisms off),
        ``loss_mAh_cm2`` ({mechanism: array}: capacity regained when it alone is
        switched off), ``limiting`` (list of names), ``x_charged``.
    """
    full = capacity_at_currents(st, current_mA_cm2)
    ideal = capacity_at_currents(st, current_mA_cm2, off=frozenset(MECHANISMS))["capacity_mAh_cm2"]
    loss = {}
    for mech in MECHANISMS:
        alone = capacity_at_currents(st, current_mA_cm2, off=frozenset({mech}))["capacity_mAh_cm2"]
        loss[mech] = np.maximum(alone - full["capacity_mAh_cm2"], 0.0)
    only = {}
    for mech in MECHANISMS:
        alone_on = capacity_at_currents(st, current_mA_cm2, off=frozenset(MECHANISMS) - {mech})
        only[mech] = np.maximum(ideal - alone_on["capacity_mAh_cm2"], 0.0)
    limiting = []
    for j in range(ideal.size):
        if ideal[j] - full["capacity_mAh_cm2"][j] <= LIMIT_TOL * ideal[j]:
            limiting.append("window")
            continue
        # the mechanism whose removal regains most; when several each suffice to
        # kill the capacity (no single removal helps), the one that costs most alone
        score = loss if max(loss[k][j] for k in MECHANISMS) > LIMIT_TOL * ideal[j] else only
        limiting.append(max(MECHANISMS, key=lambda k: score[k][j]))
    return {**full, "window_mAh_cm2": ideal, "loss_mAh_cm2": loss, "limiting": limiting}
