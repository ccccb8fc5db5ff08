"""Galvanostatic discharge and charge of a solid-state cell with PyBaMM's porous-electrode model.

The cell is PyBaMM's Doyle-Fuller-Newman model in its half-cell form
(``{"working electrode": "positive"}``: a lithium-metal counter electrode, an
electrolyte separator and a porous cathode), set up as a solid-state cell:

* the solid electrolyte (SE) is a single-ion conductor: cation transference
  number 1 and thermodynamic factor 1, so the electrolyte concentration stays
  uniform and the ionic current obeys Ohm's law, i = -sigma_eff grad(phi_e);
* electrolyte conductivity = sigma_SE(T) (e.g. from the Arrhenius fit, R-1);
* effective conductivities per region by transport efficiency eps / tau
  (``"transport efficiency": "tortuosity factor"``; tau from R-17/R-18 or the
  microstructure layer): sigma_eff = sigma_SE eps / tau;
* the composite's electronic conductivity is taken as already effective;
* a Li-In counter electrode shifts the cell voltage down by its potential vs
  Li/Li+ (~0.62 V, from :mod:`ssbkit.cell.active_materials`): PyBaMM's half-cell
  puts the counter electrode at 0 V, so the shift is applied here.

The model and its discretisation are built once per geometry and cached; the
current, SE conductivity, temperature, initial stoichiometry and cut-off are
input parameters, so a rate or temperature sweep re-solves without rebuilding.

References: Doyle, Fuller & Newman, J. Electrochem. Soc. 140 (1993) 1526;
Sulzer et al., J. Open Res. Softw. 9 (2021) 14 (PyBaMM); Kato et al., J. Phys.
Chem. Lett. 9 (2018) 607 (thick solid-state electrodes, reaction-zone model R-19).
"""

from __future__ import annotations

import math
import os
import time
from collections import OrderedDict
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from ..constants import FARADAY, ZERO_C
from ..errors import InputError, did_you_mean, require_positive
from .active_materials import ActiveMaterial, get_active_material
from .p2d_params import kinetics_for, solid_state_parameter_dict

__all__ = [
    "P2DParams",
    "DischargeResult",
    "simulate_discharge",
    "simulate_rate",
    "sigma_se_from_arrhenius",
    "clear_cache",
    "ANODES",
    "REFERENCES",
]

#: Counter electrodes the model knows (their potential comes from active_materials).
ANODES = ("Li", "Li-In")

REFERENCES = (
    "Doyle, Fuller & Newman, J. Electrochem. Soc. 140 (1993) 1526 (porous-electrode model)",
    "Sulzer et al., J. Open Res. Softw. 9 (2021) 14 (PyBaMM)",
    "Kato et al., J. Phys. Chem. Lett. 9 (2018) 607 (thick solid-state electrodes, R-19)",
)

# Mesh: the SE separator carries no reaction (Ohm's law is exact with a few cells).
# In the ohmic regime the reaction front is sharp and a coarse mesh smears it (the
# capacity comes out a little high); 60 cells through the cathode keep it within ~1 % of a 120-cell mesh at
# 1C and ~4 % at 3C (NCM811, 80 um, sigma_SE 0.5 mS/cm); 10 shells in the particles
# agree with 20 to 0.2 %.
_VAR_PTS = {"x_n": 4, "x_s": 5, "x_p": 60, "r_n": 4, "r_p": 10}
_CACHE_SIZE = 16
_CACHE: OrderedDict[tuple, _Built] = OrderedDict()


@dataclass(frozen=True)
class P2DParams:
    """A solid-state half cell: composite cathode | SE separator | Li or Li-In.

    Attributes
    ----------
    active_material
        Name known to :func:`ssbkit.cell.active_materials.get_active_material`.
    cathode_thickness_um, separator_thickness_um
        Layer thicknesses, um.
    active_volume_fraction, electrolyte_volume_fraction
        Volume fractions of active material and SE in the composite cathode
        (the rest is carbon, binder and voids).
    cathode_tortuosity, separator_tortuosity
        Tortuosity factors tau of the SE network (sigma_eff = sigma eps / tau, R-17).
        The separator is dense SE (eps = 1).
    particle_radius_um
        Active-particle radius, um.
    sigma_se_S_per_cm
        SE conductivity at ``temperature_c``, S/cm.
    electronic_conductivity_S_per_cm
        Effective electronic conductivity of the composite cathode, S/cm.
    anode
        ``"Li"`` or ``"Li-In"`` (voltages are reported against it).
    temperature_c
        Cell temperature, degC (kinetics and solid diffusion follow Arrhenius laws).
    area_cm2
        Electrode area, cm2.
    cutoff_V
        Cut-off voltage vs the counter electrode; ``None``: the open-circuit
        voltage at the end of the material's usable stoichiometry window.
    particle_diffusivity_m2_per_s, exchange_current_A_per_m2
        Overrides of the material's kinetic data (:mod:`ssbkit.cell.p2d_params`),
        at 25 degC; ``None`` uses the table.
    references
        Sources of the numbers above (carried into the results).
    """

    active_material: str
    cathode_thickness_um: float
    separator_thickness_um: float
    active_volume_fraction: float
    electrolyte_volume_fraction: float
    cathode_tortuosity: float
    particle_radius_um: float
    sigma_se_S_per_cm: float
    separator_tortuosity: float = 1.0
    electronic_conductivity_S_per_cm: float = 1.0
    anode: str = "Li"
    temperature_c: float = 25.0
    area_cm2: float = 1.0
    cutoff_V: float | None = None
    particle_diffusivity_m2_per_s: float | None = None
    exchange_current_A_per_m2: float | None = None
    references: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["references"] = list(self.references)
        return d


@dataclass(frozen=True, eq=False)
class DischargeResult:
    """One galvanostatic discharge (or charge) curve.

    Attributes
    ----------
    c_rate
        C-rate relative to the practical capacity of the cathode loading.
    current_density_mA_per_cm2
        Applied current density, mA/cm2 (positive for discharge and charge alike).
    time_s, voltage_V
        The curve (voltage vs the counter electrode), ``n_points`` samples.
    capacity_mAh_per_g, capacity_mAh_per_cm2
        Capacity passed so far, per g of active material and per cm2.
    final_capacity_mAh_per_g, final_capacity_mAh_per_cm2
        Capacity at the cut-off (or where the run stopped).
    converged
        False when the solver failed; ``message`` then says why.
    message
        How the run ended (cut-off reached, ...) or why it failed; names the C-rate.
    charge
        True for a charge.
    temperature_c, cutoff_V
        Conditions of the run (cut-off vs the counter electrode).
    references
        Model and data sources.
    """

    c_rate: float
    current_density_mA_per_cm2: float
    time_s: np.ndarray
    voltage_V: np.ndarray
    capacity_mAh_per_g: np.ndarray
    capacity_mAh_per_cm2: np.ndarray
    final_capacity_mAh_per_g: float
    final_capacity_mAh_per_cm2: float
    converged: bool
    message: str
    charge: bool = False
    temperature_c: float = 25.0
    cutoff_V: float = float("nan")
    references: tuple[str, ...] = field(default=REFERENCES)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if isinstance(v, np.ndarray):
                v = v.tolist()
            elif isinstance(v, tuple):
                v = list(v)
            elif isinstance(v, float) and not math.isfinite(v):
                v = None
            out[f.name] = v
        return out


@dataclass
class _Built:
    """A built simulation and the numbers that convert its output."""

    sim: Any
    material: ActiveMaterial
    c_max: float  # mol/m3
    active_mass_g: float
    practical_mAh: float
    build_s: float
    loose_solver: Any = None


def sigma_se_from_arrhenius(fit, temperature_c: float) -> float:
    """SE conductivity (S/cm) at ``temperature_c`` from an Arrhenius fit (R-1).

    Parameters
    ----------
    fit
        :class:`ssbkit.transport.ArrheniusFit` of conductivity in S/cm, or its ``to_dict()``.
    temperature_c
        Temperature, degC.
    """
    t_k = float(temperature_c) + ZERO_C
    if t_k <= 0:
        raise InputError(f"temperature_c must be above -273.15 degC, got {temperature_c!r}")
    if isinstance(fit, dict):
        from ..transport.arrhenius import ArrheniusFit

        fit = ArrheniusFit.from_dict(fit)
    return float(fit.predict(t_k))


def clear_cache() -> None:
    """Forget the built models (the next simulation rebuilds)."""
    _CACHE.clear()


def simulate_discharge(
    params: P2DParams, c_rate: float, *, charge: bool = False, n_points: int = 100
) -> DischargeResult:
    """Galvanostatic discharge (or charge) at ``c_rate`` to the cut-off voltage.

    Parameters
    ----------
    params
        The cell.
    c_rate
        Current in multiples of the cathode's practical capacity per hour (1/h).
    charge
        Charge from the lithiated end of the window instead of discharging.
    n_points
        Samples of the returned curve (uniform in time).

    Returns
    -------
    DischargeResult
        ``converged=False`` (with the reason) when the solver fails; never raises for that.

    Raises
    ------
    InputError
        For bad parameters (unknown material or anode, fractions, cut-off outside the
        open-circuit window).
    """
    material, anode_v = _validate(params)
    c_rate = require_positive("c_rate", c_rate)
    if int(n_points) < 2:
        raise InputError(f"n_points must be >= 2, got {n_points!r}")
    cutoff = _cutoff_vs_counter(params, material, anode_v, charge)
    built = _get_built(params, material)
    current_a = c_rate * built.practical_mAh * 3.6 / 3600.0
    i_ma_cm2 = current_a * 1e3 / params.area_cm2
    lo, hi = material.sto_range
    sto0 = lo if not charge else hi
    # Time to run the particles from sto0 to the end of the OCV table (sto 0 or 1), plus 5 %.
    span = (1.0 - sto0) if not charge else sto0
    q_span_c = built.c_max * FARADAY * _active_volume_m3(params) * span
    t_end = 1.05 * q_span_c / current_a
    inputs = {
        "I": current_a if not charge else -current_a,
        "kappa": params.sigma_se_S_per_cm * 100.0,
        "T": params.temperature_c + ZERO_C,
        "sto0": sto0,
        "V_lo": cutoff + anode_v if not charge else 0.0,
        "V_hi": cutoff + anode_v if charge else 10.0,
    }
    base = dict(
        c_rate=c_rate, current_density_mA_per_cm2=i_ma_cm2, charge=charge,
        temperature_c=params.temperature_c, cutoff_V=cutoff,
        references=REFERENCES + material.references + kinetics_for(material.name).references
        + tuple(params.references),
    )
    what = f"{'charge' if charge else 'discharge'} at {c_rate:g}C ({i_ma_cm2:.3g} mA/cm2)"
    # The separator's ohmic drop alone already bounds the voltage at the start.
    v_open = float(material.ocv_v(sto0)) - anode_v
    drop_sep = current_a / (params.area_cm2 * 1e-4) * params.separator_thickness_um * 1e-6 \
        * params.separator_tortuosity / (params.sigma_se_S_per_cm * 100.0)
    if drop_sep >= abs(v_open - cutoff):
        return _empty(base, n_points, f"{what}: the separator's ohmic drop ({drop_sep:.3g} V) "
                      f"alone exceeds |OCV - cut-off| ({abs(v_open - cutoff):.3g} V): capacity 0",
                      converged=True)
    sol, text = _solve(built, t_end, inputs)
    if sol is None:
        if "initial conditions" in text and "non-positive" in text:
            return _empty(base, n_points, f"{what}: the voltage is past the cut-off "
                          "at the start (ohmic and kinetic drop too large): capacity 0",
                          converged=True)
        return _empty(base, n_points, f"{what} failed: {text}", converged=False)
    t = np.asarray(sol["Time [s]"].entries, dtype=float)
    v = np.asarray(sol["Voltage [V]"].entries, dtype=float) - anode_v
    if t.size < 2 or not np.all(np.isfinite(v)):
        return _empty(base, n_points, f"{what} failed: no usable solution", converged=False)
    tq = np.linspace(0.0, t[-1], int(n_points))
    vq = np.interp(tq, t, v)
    q_mah = current_a * tq / 3.6
    term = str(getattr(sol, "termination", ""))
    if "event" in term:
        how = "reached the cut-off" if "voltage" in term.lower() else term
    else:
        how = "stopped at the end of the stoichiometry window before the cut-off"
    return DischargeResult(
        time_s=tq, voltage_V=vq,
        capacity_mAh_per_g=q_mah / built.active_mass_g,
        capacity_mAh_per_cm2=q_mah / params.area_cm2,
        final_capacity_mAh_per_g=float(q_mah[-1] / built.active_mass_g),
        final_capacity_mAh_per_cm2=float(q_mah[-1] / params.area_cm2),
        converged=True, message=f"{what}: {how}", **base,
    )


def simulate_rate(
    params: P2DParams, c_rates, *, charge: bool = False, n_points: int = 100
) -> list[DischargeResult]:
    """Discharge (or charge) curves at several C-rates; the model is built once.

    A C-rate whose simulation fails (or is not a positive number) gives a result with
    ``converged=False`` and a message naming it; the other C-rates go on. Bad cell
    parameters (and a cut-off outside the open-circuit window) raise :class:`InputError`
    at once.
    """
    material, anode_v = _validate(params)
    _cutoff_vs_counter(params, material, anode_v, charge)
    out = []
    for c in c_rates:
        try:
            out.append(simulate_discharge(params, c, charge=charge, n_points=n_points))
        except InputError as exc:
            c_val = float(c) if isinstance(c, int | float) else float("nan")
            base = dict(c_rate=c_val, current_density_mA_per_cm2=float("nan"), charge=charge,
                        temperature_c=params.temperature_c, cutoff_V=float("nan"))
            out.append(_empty(base, n_points, f"C-rate {c!r}: {exc}", converged=False))
    return out


# ---------------------------------------------------------------------------------
def _solve(built: _Built, t_end: float, inputs: dict) -> tuple[Any, str]:
    """Solve; on a solver failure retry once with looser tolerances. (solution, error text)."""
    text = ""
    for attempt in range(2):
        try:
            if attempt == 0:
                return built.sim.solve([0.0, t_end], inputs=inputs), ""
            if built.loose_solver is None:
                import pybamm

                built.loose_solver = pybamm.IDAKLUSolver(rtol=1e-4, atol=1e-5)
            return built.sim.solve([0.0, t_end], inputs=inputs, solver=built.loose_solver), ""
        except Exception as exc:  # PyBaMM raises SolverError and several others
            text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            if "initial conditions" in text and "non-positive" in text:
                break
    return None, text


def _empty(base: dict, n_points: int, message: str, *, converged: bool) -> DischargeResult:
    z = np.zeros(max(int(n_points), 2)) if converged else np.full(max(int(n_points), 2), np.nan)
    return DischargeResult(
        time_s=z.copy(), voltage_V=np.full(z.size, np.nan), capacity_mAh_per_g=z.copy(),
        capacity_mAh_per_cm2=z.copy(),
        final_capacity_mAh_per_g=0.0 if converged else float("nan"),
        final_capacity_mAh_per_cm2=0.0 if converged else float("nan"),
        converged=converged, message=message, **base,
    )


def _validate(p: P2DParams) -> tuple[ActiveMaterial, float]:
    if not isinstance(p, P2DParams):
        raise InputError(f"params must be a P2DParams, got {type(p).__name__}")
    material = get_active_material(p.active_material)
    if material.role != "positive":
        raise InputError(f"active_material {p.active_material!r} is a negative-electrode "
                         "material; the P2D model needs a cathode (e.g. LiCoO2, NCM811, LFP)")
    for name in ("cathode_thickness_um", "separator_thickness_um", "active_volume_fraction",
                 "electrolyte_volume_fraction", "cathode_tortuosity", "particle_radius_um",
                 "sigma_se_S_per_cm", "separator_tortuosity", "electronic_conductivity_S_per_cm",
                 "area_cm2"):
        require_positive(name, getattr(p, name))
    for name in ("particle_diffusivity_m2_per_s", "exchange_current_A_per_m2"):
        if getattr(p, name) is not None:
            require_positive(name, getattr(p, name))
    if p.active_volume_fraction + p.electrolyte_volume_fraction > 1.0 + 1e-9:
        raise InputError(
            "active_volume_fraction + electrolyte_volume_fraction must be <= 1, got "
            f"{p.active_volume_fraction:g} + {p.electrolyte_volume_fraction:g}")
    for name in ("cathode_tortuosity", "separator_tortuosity"):
        if getattr(p, name) < 1.0:
            raise InputError(f"{name} must be >= 1 (tau = eps sigma / sigma_eff, R-17), "
                             f"got {getattr(p, name)!r}")
    t_k = float(p.temperature_c) + ZERO_C
    if not (150.0 < t_k < 700.0):
        raise InputError(f"temperature_c must lie between -123 and 427 degC, got {p.temperature_c!r}")
    if p.anode not in ANODES:
        raise InputError(f"anode {p.anode!r} is not known to the P2D model"
                         + did_you_mean(str(p.anode), ANODES))
    anode_v = get_active_material(p.anode).voltage_avg_V
    return material, anode_v


def _cutoff_vs_counter(p: P2DParams, m: ActiveMaterial, anode_v: float, charge: bool) -> float:
    """Cut-off vs the counter electrode; checked against the open-circuit window."""
    lo, hi = m.sto_range
    v_start = float(m.ocv_v(hi if charge else lo)) - anode_v
    v_end = float(m.ocv_v(lo if charge else hi)) - anode_v
    if p.cutoff_V is None:
        return v_end
    c = float(p.cutoff_V)
    if not math.isfinite(c):
        raise InputError(f"cutoff_V must be a finite voltage, got {p.cutoff_V!r}")
    if charge and not (v_start < c < 6.0 - anode_v):
        raise InputError(f"cutoff_V {c:g} V for a charge must lie above the open-circuit "
                         f"voltage at the start ({v_start:.3f} V vs {p.anode}) and below "
                         f"{6.0 - anode_v:.2f} V")
    if not charge and not (-anode_v < c < v_start):
        raise InputError(f"cutoff_V {c:g} V for a discharge must lie below the open-circuit "
                         f"voltage at the start ({v_start:.3f} V vs {p.anode}) and above "
                         f"{-anode_v:.2f} V (0 V vs Li)")
    return c


def _active_volume_m3(p: P2DParams) -> float:
    return p.active_volume_fraction * p.cathode_thickness_um * 1e-6 * p.area_cm2 * 1e-4


def _geometry_key(p: P2DParams, m: ActiveMaterial) -> tuple:
    skip = {"sigma_se_S_per_cm", "temperature_c", "cutoff_V", "anode", "references",
            "active_material"}
    return (m.name,) + tuple(getattr(p, f.name) for f in fields(p) if f.name not in skip)


def _get_built(p: P2DParams, m: ActiveMaterial) -> _Built:
    key = _geometry_key(p, m)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    built = _build(p, m)
    _CACHE[key] = built
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return built


def _build(p: P2DParams, m: ActiveMaterial) -> _Built:
    """Set up PyBaMM's half-cell DFN as a solid-state cell (see the module docstring)."""
    os.environ.setdefault("PYBAMM_DISABLE_TELEMETRY", "true")
    t0 = time.perf_counter()
    try:
        import pybamm
    except ImportError:
        raise ImportError("the P2D model needs PyBaMM: pip install 'ssbkit[cell]'") from None

    model = pybamm.lithium_ion.DFN(
        {"working electrode": "positive", "transport efficiency": "tortuosity factor"}
    )
    pv = pybamm.ParameterValues(solid_state_parameter_dict(p, m, pybamm))
    solver = pybamm.IDAKLUSolver(rtol=1e-6, atol=1e-6)
    sim = pybamm.Simulation(model, parameter_values=pv, var_pts=_VAR_PTS, solver=solver)
    sim.build()
    c_max = m.capacity_theoretical_mAh_per_g * 3.6 * m.density_g_per_cm3 * 1e6 / FARADAY
    mass_g = _active_volume_m3(p) * 1e6 * m.density_g_per_cm3
    return _Built(sim=sim, material=m, c_max=c_max, active_mass_g=mass_g,
                  practical_mAh=m.capacity_practical_mAh_per_g * mass_g,
                  build_s=time.perf_counter() - t0)
