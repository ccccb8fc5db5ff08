"""A fast SPMe of a solid-state cell: exact spherical diffusion in one particle per electrode.

The single particle model with electrolyte (Marquis et al. 2019, doi:10.1149/2.0341915jes)
for the cell of :class:`ssbkit.cell.p2d_cell.P2DParams`, written out in numpy instead of
built by PyBaMM (no model build, no discretisation, no code generation: a cold call costs
what a warm one does). The same parameter set as the P2D
(:func:`ssbkit.cell.p2d_params.solid_state_parameter_dict`):

* single-ion solid electrolyte (t+ = 1): the electrolyte concentration stays uniform,
  so the SPMe's electrolyte correction is ohmic only. With a uniform reaction the
  x-averaged drops are i L_s tau_s / sigma + i L tau / (3 eps sigma) per composite
  electrode (Marquis 2019, x-averaged electrolyte ohmic loss) plus i L / (3 sigma_s) in the
  electron-conducting phase;
* each electrode's particles see a constant molar flux j = i / (F a L), a = 3 eps_AM / R,
  under a galvanostatic step. With a constant diffusivity the surface concentration
  is then exact (Carslaw & Jaeger 1959, sec. 9.3; Crank 1975, eq. 6.57 form):

      c_surf(t) - c_0 = (j R / D) g(D t / R^2),
      g(tau) = 3 tau + 2 sum_k (1 - exp(-lambda_k^2 tau)) / lambda_k^2,   tan(lambda_k) = lambda_k,

  the first ``_N_ROOTS`` terms summed and the rest replaced by their integral
  (2/pi)[(1 - exp(-L^2 tau))/L + sqrt(pi tau) erfc(L sqrt(tau))], L = (N + 1) pi (the
  midpoint rule read backwards: the roots are pi apart);
  g -> 2 sqrt(tau / pi) at short times (semi-infinite) and 3 tau + 1/5 at long times
  (the R j / (5 D) surface excess of Subramanian 2005);
* Butler-Volmer (alpha = 0.5) at each particle surface with j0 of
  :mod:`ssbkit.cell.kinetics` at the surface stoichiometry, the film resistance per
  particle surface (PyBaMM's distributed film), the Li (or Li-In) foil's own
  Butler-Volmer term; Arrhenius in D and j0.

It stops where PyBaMM's DFN stops: the voltage cut-off, a particle surface leaving
(0, 1), or the end of the run time (the mean stoichiometry at the end of the
cathode's window, sto_range, as in the fast model). The SPMe assumes a uniform reaction: it misses
the reaction front of the ohmic regime (its error against the DFN is in
benchmarks/results/cell.md and tested).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..citations import cite
from ..constants import FARADAY, R_GAS, ZERO_C
from .active_materials import ActiveMaterial, get_active_material
from .kinetics import T_REF_K, kinetics_for
from .p2d_cell import LITHIUM_EXCHANGE_CURRENT_A_PER_M2, P2DParams, _num, c_max_mol_m3

__all__ = ["surface_excess", "SPMeRun", "run_spme", "REFERENCES"]

REFERENCES = ("Marquis2019", "Carslaw1959")
_N_ROOTS = 60
_N_GRID = 200


def _roots(n: int) -> np.ndarray:
    """The first n positive roots of tan(x) = x (Newton from the asymptote (k + 1/2) pi)."""
    q = (np.arange(1, n + 1) + 0.5) * math.pi
    x = q - 1.0 / q - 2.0 / (3.0 * q**3)
    for _ in range(6):
        f = x * np.cos(x) - np.sin(x)
        x = x - f / (-x * np.sin(x))
    return x


_LAMBDA2 = _roots(_N_ROOTS) ** 2
_LAMBDA_TAIL = (_N_ROOTS + 1) * math.pi


def surface_excess(tau: Any) -> np.ndarray:
    """g(tau): surface concentration rise of a sphere under a constant flux, in units of j R / D.

    Parameters
    ----------
    tau
        Dimensionless time(s) D t / R^2 (>= 0).

    Returns
    -------
    numpy.ndarray
        g(tau) = 3 tau + 2 sum_k (1 - exp(-lambda_k^2 tau)) / lambda_k^2 (Carslaw & Jaeger 1959).

    Examples
    --------
    Long times: the mean rises as 3 tau and the surface leads it by 1/5.

    >>> round(float(surface_excess(10.0) - 30.0), 6)
    0.2
    >>> round(float(surface_excess(1e-6) / (2 * (1e-6 / 3.141592653589793) ** 0.5)), 2)
    1.0
    """
    t = np.maximum(np.asarray(tau, dtype=float), 0.0)
    terms = (1.0 - np.exp(-np.multiply.outer(t, _LAMBDA2))) / _LAMBDA2
    lt = _LAMBDA_TAIL
    tail = (1.0 / math.pi) * ((1.0 - np.exp(-lt * lt * t)) / lt + np.sqrt(math.pi * t) * np.asarray(_erfc(lt * np.sqrt(t)), dtype=float))
    return 3.0 * t + 2.0 * terms.sum(axis=-1) + 2.0 * tail


_erfc = np.frompyfunc(math.erfc, 1, 1)  # scipy.special costs ~0.5 s to import


@dataclass(frozen=True)
class _Electrode:
    """One composite electrode of the SPMe (SI units)."""

    material: ActiveMaterial
    c_max: float
    radius_m: float
    diffusivity: float
    j0_ref: float
    j0_ea: float
    area_per_m2: float  # particle surface per electrode area, a L
    r_ohm_m2: float  # x-averaged ionic + electronic drop per current density
    film_ohm_m2: float
    sign: float  # +1: lithiated on discharge (cathode), -1: delithiated (anode)


def _electrode(m: ActiveMaterial, *, thickness_um: float, eps_am: float, eps_e: float, tau: float,
               radius_um: float, sigma_se: float, sigma_s: float, temp_k: float, sign: float,
               diffusivity: float | None = None, j0: float | None = None, film: float = 0.0) -> _Electrode:
    kin = kinetics_for(m.name)
    d = (diffusivity or kin.diffusivity_m2_per_s) * math.exp(
        kin.diffusivity_ea_J_per_mol / R_GAS * (1.0 / T_REF_K - 1.0 / temp_k))
    big_l = thickness_um * 1e-6
    r = radius_um * 1e-6
    kappa = sigma_se * 100.0 * eps_e / tau
    return _Electrode(material=m, c_max=c_max_mol_m3(m), radius_m=r, diffusivity=d,
                      j0_ref=j0 or kin.j0_A_per_m2, j0_ea=kin.j0_ea_J_per_mol,
                      area_per_m2=3.0 * eps_am / r * big_l,
                      r_ohm_m2=big_l / (3.0 * kappa) + big_l / (3.0 * sigma_s * 100.0),
                      film_ohm_m2=film, sign=sign)


@dataclass(frozen=True)
class SPMeRun:
    """One SPMe (dis)charge: the curve in PyBaMM's voltage (vs Li for a foil) and how it ended."""

    time_s: np.ndarray
    voltage_V: np.ndarray
    termination: str
    start_past_cutoff: bool = False


def run_spme(p: P2DParams, *, current_A: float, sto0: float, sto0_n: float | None, v_cut: float,
             t_end_s: float) -> SPMeRun:
    """Galvanostatic run of the SPMe to ``v_cut`` (PyBaMM's voltage, vs Li for a foil anode).

    Parameters
    ----------
    p
        The cell (same fields as the P2D).
    current_A
        Applied current, A: > 0 discharge, < 0 charge.
    sto0, sto0_n
        Initial lithium fractions of the cathode (and of a composite anode).
    v_cut
        Cut-off voltage, V (below on discharge, above on charge).
    t_end_s
        Longest run, s.

    Returns
    -------
    SPMeRun
        ``termination`` names the voltage cut-off, a particle surface at 0 or 1, or the run time.

    Examples
    --------
    >>> from ssbkit.cell.p2d_cell import P2DParams
    >>> p = P2DParams("NCM811", 60.0, 30.0, 0.55, 0.35, 2.0, 2.5, 1e-3)
    >>> run = run_spme(p, current_A=3e-3, sto0=0.3, sto0_n=None, v_cut=3.5, t_end_s=1e4)
    >>> run.termination
    'voltage cut-off'
    """
    cite("Marquis2019")
    cite("Carslaw1959", "sec. 9.3")
    temp_k = float(p.temperature_c) + ZERO_C
    i = current_A / (p.area_cm2 * 1e-4)  # A/m2
    electrodes = [(_electrode(get_active_material(p.active_material), thickness_um=p.cathode_thickness_um,
                              eps_am=p.active_volume_fraction, eps_e=p.electrolyte_volume_fraction,
                              tau=p.cathode_tortuosity, radius_um=p.particle_radius_um,
                              sigma_se=p.sigma_se_S_per_cm, sigma_s=p.electronic_conductivity_S_per_cm,
                              temp_k=temp_k, sign=1.0, diffusivity=p.particle_diffusivity_m2_per_s,
                              j0=p.exchange_current_A_per_m2, film=p.film_resistance_ohm_m2), sto0)]
    if p.full_cell:
        electrodes.append((_electrode(get_active_material(p.anode), thickness_um=_num(p.anode_thickness_um),
                                      eps_am=_num(p.anode_active_volume_fraction),
                                      eps_e=_num(p.anode_electrolyte_volume_fraction),
                                      tau=_num(p.anode_tortuosity), radius_um=_num(p.anode_particle_radius_um),
                                      sigma_se=p.sigma_se_S_per_cm, sigma_s=p.electronic_conductivity_S_per_cm,
                                      temp_k=temp_k, sign=-1.0), float(sto0_n or 0.0)))
    r_sep = p.separator_thickness_um * 1e-6 * p.separator_tortuosity / (p.sigma_se_S_per_cm * 100.0)
    rt_f = R_GAS * temp_k / FARADAY

    def state(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(voltage, smallest distance of a particle surface from 0 or 1) at times t."""
        v = -i * r_sep + 0.0 * t
        margin = np.full(t.shape, np.inf)
        if not p.full_cell:
            v = v - 2.0 * rt_f * math.asinh(i / (2.0 * LITHIUM_EXCHANGE_CURRENT_A_PER_M2))
        for e, x0 in electrodes:
            j_s = e.sign * i / e.area_per_m2  # A per m2 of particle surface, > 0 into the particle
            x_s = x0 + j_s / FARADAY * e.radius_m / e.diffusivity / e.c_max * surface_excess(
                e.diffusivity * t / e.radius_m**2)
            margin = np.minimum(margin, np.minimum(x_s, 1.0 - x_s))
            xc = np.clip(x_s, 0.0, 1.0)
            arr = math.exp(e.j0_ea / R_GAS * (1.0 / T_REF_K - 1.0 / temp_k))
            j0 = e.j0_ref * arr * 2.0 * np.sqrt(np.maximum(xc * (1.0 - xc), 1e-12))
            eta = 2.0 * rt_f * np.arcsinh(j_s / (2.0 * j0)) + j_s * e.film_ohm_m2
            u = np.asarray(e.material.ocv_v(xc), dtype=float)
            v = v + e.sign * (u - eta) - i * e.r_ohm_m2
        return v, margin

    return _integrate(state, current_A > 0, v_cut, t_end_s)


def _integrate(state: Any, discharge: bool, v_cut: float, t_end: float) -> SPMeRun:
    """Sample on a grid, then place the first event (cut-off or a surface at 0/1) on two finer
    grids inside the bracketing interval (to t_end / (_N_GRID 100^2))."""
    t = np.linspace(0.0, t_end, _N_GRID)
    v, margin = state(t)

    def first(vv: np.ndarray, mm: np.ndarray) -> int:
        hit = ((vv <= v_cut) if discharge else (vv >= v_cut)) | (mm <= 0.0)
        return int(hit.argmax()) if hit.any() else -1

    k = first(v, margin)
    if k == 0:
        return SPMeRun(t[:1], v[:1], "voltage past the cut-off at the start", start_past_cutoff=True)
    if k < 0:
        return SPMeRun(t, v, "run time")
    lo, hi = t[k - 1], t[k]
    for _ in range(2):
        tf = np.linspace(lo, hi, 101)
        vf, mf = state(tf)
        j = max(first(vf, mf), 1)
        lo, hi = tf[j - 1], tf[j]
        why = "particle surface at 0 or 1" if mf[j] <= 0.0 else "voltage cut-off"
        v_lo = vf[j - 1]
    return SPMeRun(np.append(t[:k], lo), np.append(v[:k], v_lo), why)
