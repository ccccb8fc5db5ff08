"""Galvanostatic discharge and charge of a solid-state cell with PyBaMM's porous-electrode model.

The cell (:class:`ssbkit.cell.p2d_params.P2DParams`) is PyBaMM's Doyle-Fuller-Newman
model (Doyle 1993; Sulzer 2021) set up as a solid-state cell by
:func:`ssbkit.cell.p2d_params.solid_state_parameter_dict`: a single-ion SE with its
conductivity as a plain parameter, per-region tortuosities, the active/SE interface
per contact area, Arrhenius temperature; the electrolyte concentration is held uniform
(exact for a single-ion SE, one PDE fewer: :func:`_single_ion_dfn`). With a Li or Li-In foil it is PyBaMM's
half-cell form (a Li-In counter electrode shifts the voltage by its ~0.62 V vs Li);
with a composite anode (graphite, Si, LTO ...) the full DFN.

``model="SPMe"`` is the fast model for sweeps: the single particle model with
electrolyte (Marquis 2019) on the same parameters, written out in numpy
(:mod:`ssbkit.cell.spme`: exact particle diffusion, ohmic single-ion SE, no build);
``model="PyBaMM-SPMe"`` is PyBaMM's own SPMe on the same set (the check of it). Their
error against the DFN is stated in benchmarks/results/cell.md and tested.

Models are built once per cell (conductivity and geometry are plain numbers) and
cached; the current, temperature, initial stoichiometry and cut-off are inputs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict

import numpy as np

from ..citations import cite
from ..constants import FARADAY, ZERO_C
from ..errors import InputError, did_you_mean, require_positive
from ..progress import Progress, report
from ..records import Record
from .active_materials import ActiveMaterial, get_active_material
from .p2d_build import (  # noqa: F401  (_VAR_PTS and _get_built: used by tests and benchmarks)
    _OUTPUTS,
    _VAR_PTS,
    _VAR_PTS_SPME,
    _Built,
    _get_built,
    clear_cache,
)
from .p2d_params import (
    FOIL_ANODES,
    P2DParams,
    active_volume_m3,
    anode_shift_V,
    c_max_mol_m3,
    check_anode,
    cutoff_V,
    initial_state,
    kinetics_for,
    loaded_active_mass_g,
    nominal_current_A,
)

if TYPE_CHECKING:
    from ..transport.arrhenius import ArrheniusFit

__all__ = [
    "P2DParams",
    "DischargeResult",
    "simulate_discharge",
    "simulate_rate",
    "sigma_se_from_arrhenius",
    "clear_cache",
    "ANODES",
    "MODELS",
    "REFERENCES",
]

#: Foil counter electrodes (composite anodes are any negative material with its layer given).
ANODES = FOIL_ANODES

REFERENCES = ("Doyle1993", "Sulzer2021")
MODELS = ("DFN", "SPMe", "PyBaMM-SPMe")



@dataclass(frozen=True, eq=False)
class DischargeResult(Record):
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


def sigma_se_from_arrhenius(fit: ArrheniusFit | dict[str, Any], temperature_c: float) -> float:
    """SE conductivity (S/cm) at ``temperature_c`` from an Arrhenius fit (R-1).

    Parameters
    ----------
    fit
        :class:`ssbkit.transport.ArrheniusFit` of conductivity in S/cm, or its ``to_dict()``.
    temperature_c
        Temperature, degC.

    Returns
    -------
    float
        Conductivity, S/cm.
    """
    t_k = float(temperature_c) + ZERO_C
    if t_k <= 0:
        raise InputError(f"temperature_c must be above -273.15 degC, got {temperature_c!r}")
    if isinstance(fit, dict):
        from ..transport.arrhenius import ArrheniusFit

        fit = ArrheniusFit.from_dict(fit)
    return float(fit.predict(t_k))


def simulate_discharge(
    params: P2DParams, c_rate: float, *, charge: bool = False, n_points: int = 100,
    model: str = "DFN", var_pts: dict[str, int] | None = None,
) -> DischargeResult:
    """Galvanostatic discharge (or charge) at ``c_rate`` to the cut-off voltage.

    Parameters
    ----------
    params
        The cell.
    c_rate
        Current in multiples of the cathode's practical capacity per hour (1/h).
    charge
        Charge from the discharged end of the windows instead of discharging.
    n_points
        Samples of the returned curve (uniform in time).
    model
        ``"DFN"`` (P2D) or ``"SPMe"`` (fast, for sweeps).
    var_pts
        Mesh points (PyBaMM names ``x_n x_s x_p r_n r_p``); default: the module's mesh.

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
    material, shift = _validate(params)
    c_rate = require_positive("c_rate", c_rate)
    _check_run_options(n_points, model)
    inputs = initial_state(params, charge=charge)
    cutoff = cutoff_V(params, charge)
    built = _get_built(params, material, model, var_pts) if model != "SPMe" else _spme_built(params, material)
    current_a = c_rate * nominal_current_A(params)
    i_ma_cm2 = current_a * 1e3 / params.area_cm2
    precharge = ""
    if not charge and params.cutoff_high_V is not None:
        inputs, precharge = _after_precharge(params, c_rate, model, var_pts, inputs)
    t_end = _run_time_s(params, material, built, inputs, current_a, charge=charge)
    inputs.update(I=current_a if not charge else -current_a, T=params.temperature_c + ZERO_C)
    for k in REFERENCES + kinetics_for(material.name).references:
        cite(k)
    base = _Base(
        c_rate=c_rate, current_density_mA_per_cm2=i_ma_cm2, charge=charge,
        temperature_c=params.temperature_c, cutoff_V=cutoff,
        references=REFERENCES + material.references + kinetics_for(material.name).references
        + tuple(params.references),
    )
    what = f"{model} {'charge' if charge else 'discharge'} at {c_rate:g}C ({i_ma_cm2:.3g} mA/cm2)"
    blocked = _separator_blocks(params, material, shift, inputs, current_a, cutoff)
    if not blocked and t_end <= 0.0:
        blocked = "the cathode starts at the end of its stoichiometry window: capacity 0"
    if blocked:
        return _empty(base, n_points, f"{what}: {blocked}", converged=True)
    if model == "SPMe":
        return _from_spme(params, built, base, inputs, current_a, t_end, charge, n_points, what, precharge)
    sol, text = _solve(built, t_end, inputs)
    if sol is None:
        return _from_failure(text, base, n_points, what)
    t = np.asarray(sol["Time [s]"].entries, dtype=float)
    v = np.asarray(sol["Voltage [V]"].entries, dtype=float) - shift
    term = str(getattr(sol, "termination", ""))
    if "event" in term:
        how = "reached the cut-off" if "voltage" in term.lower() else term
    else:
        how = "stopped at the end of the stoichiometry window (or the foil's capacity) before the cut-off"
    return _from_curve(t, v, how, base, params, built, current_a, n_points, what, precharge)


def _spme_built(p: P2DParams, m: ActiveMaterial) -> _Built:
    """The conversion numbers of the numpy SPMe (nothing to build)."""
    mass_g = loaded_active_mass_g(p)
    return _Built(sim=None, material=m, c_max=c_max_mol_m3(m), active_mass_g=mass_g,
                  practical_mAh=m.capacity_practical_mAh_per_g * mass_g, build_s=0.0, model="SPMe")


def _from_spme(p: P2DParams, built: _Built, base: _Base, inputs: dict, current_a: float, t_end: float,
               charge: bool, n_points: int, what: str, precharge: str) -> DischargeResult:
    """Run the numpy SPMe (:mod:`ssbkit.cell.spme`) and turn its curve into a result."""
    from .spme import REFERENCES as SPME_REFS
    from .spme import run_spme

    run = run_spme(p, current_A=inputs["I"], sto0=inputs["sto0"], sto0_n=inputs.get("sto0_n"),
                   v_cut=inputs["V_hi"] if charge else inputs["V_lo"], t_end_s=t_end)
    base = _Base(**{**base, "references": tuple(base.get("references", ())) + SPME_REFS})
    if run.start_past_cutoff:
        return _empty(base, n_points, f"{what}: the voltage is past the cut-off at the start "
                      "(ohmic and kinetic drop too large): capacity 0; the SPMe spreads the reaction "
                      "over the whole electrode, which overstates the ohmic drop where a reaction front "
                      "forms (the DFN may deliver capacity here)", converged=True)
    how = {"voltage cut-off": "reached the cut-off",
           "run time": "stopped at the end of the stoichiometry window (or the foil's capacity) before the cut-off"}.get(
        run.termination, run.termination)
    return _from_curve(run.time_s, run.voltage_V - anode_shift_V(p), how, base, p, built, current_a,
                       n_points, what, precharge)


class _Base(TypedDict):
    """The fields of a :class:`DischargeResult` that describe the run, not its curve."""

    c_rate: float
    current_density_mA_per_cm2: float
    charge: bool
    temperature_c: float
    cutoff_V: float
    references: NotRequired[tuple[str, ...]]


def _check_run_options(n_points: int, model: str) -> None:
    if int(n_points) < 2:
        raise InputError(f"n_points must be >= 2, got {n_points!r}")
    if model not in MODELS:
        raise InputError(f"model must be one of {MODELS}, got {model!r}")


def _run_time_s(params: P2DParams, material: ActiveMaterial, built: _Built, inputs: dict,
                current_a: float, *, charge: bool) -> float:
    """Time to run the cathode's mean stoichiometry from the start to the end of its window, s.

    The window is the material's ``sto_range`` (its practical capacity), as in the fast model
    (:mod:`ssbkit.cell.rate_model`): a cut-off below the open-circuit voltage at the window's
    end does not draw lithium beyond it (the charge before a discharge starts at ``sto_range[1]``,
    so a discharge never returns more than that charge took out), or to the end of a foil's
    capacity (``foil_capacity_mAh_cm2``), whichever comes first. 0 when the start is at the end.
    """
    lo, hi = material.sto_range
    span = (hi - inputs["sto0"]) if not charge else (inputs["sto0"] - lo)
    t = built.c_max * FARADAY * active_volume_m3(params) * max(span, 0.0) / current_a
    if params.foil_capacity_mAh_cm2 is not None and not params.full_cell:
        t = min(t, params.foil_capacity_mAh_cm2 * params.area_cm2 * 3.6 / current_a)  # the foil is spent
    return float(t)


def _separator_blocks(params: P2DParams, material: ActiveMaterial, shift: float, inputs: dict,
                      current_a: float, cutoff: float) -> str:
    """Why a half cell delivers nothing (the separator's ohmic drop alone reaches the cut-off),
    or ``""``."""
    v_open = float(material.ocv_v(inputs["sto0"])) - shift
    drop_sep = current_a / (params.area_cm2 * 1e-4) * params.separator_thickness_um * 1e-6 \
        * params.separator_tortuosity / (params.sigma_se_S_per_cm * 100.0)
    if not params.full_cell and drop_sep >= abs(v_open - cutoff):
        return (f"the separator's ohmic drop ({drop_sep:.3g} V) "
                f"alone exceeds |OCV - cut-off| ({abs(v_open - cutoff):.3g} V): capacity 0")
    return ""


def _from_failure(text: str, base: _Base, n_points: int, what: str) -> DischargeResult:
    """The result when the solver gave up: capacity 0 when the cell starts past the cut-off,
    else ``converged=False`` with the solver's message."""
    if "initial conditions" in text and "non-positive" in text:
        return _empty(base, n_points, f"{what}: the voltage is past the cut-off "
                      "at the start (ohmic and kinetic drop too large): capacity 0",
                      converged=True)
    return _empty(base, n_points, f"{what} failed: {text}", converged=False)


def _from_curve(t: np.ndarray, v: np.ndarray, how: str, base: _Base, params: P2DParams, built: _Built,
                current_a: float, n_points: int, what: str, precharge: str) -> DischargeResult:
    """The result from a curve (time s, voltage vs the counter electrode), resampled to
    ``n_points`` uniform in time."""
    if t.size < 2 or not np.all(np.isfinite(v)):
        return _empty(base, n_points, f"{what} failed: no usable solution", converged=False)
    tq = np.linspace(0.0, t[-1], int(n_points))
    vq = np.interp(tq, t, v)
    q_mah = current_a * tq / 3.6
    return DischargeResult(
        time_s=tq, voltage_V=vq,
        capacity_mAh_per_g=q_mah / built.active_mass_g,
        capacity_mAh_per_cm2=q_mah / params.area_cm2,
        final_capacity_mAh_per_g=float(q_mah[-1] / built.active_mass_g),
        final_capacity_mAh_per_cm2=float(q_mah[-1] / params.area_cm2),
        converged=True, message=f"{what}: {how}{precharge}", **base,
    )


def _after_precharge(params: P2DParams, c_rate: float, model: str, var_pts: dict[str, int] | None,
                     inputs: dict) -> tuple[dict, str]:
    """Charge at the same rate to ``cutoff_high_V`` first; the discharge starts from the charged
    mean stoichiometries (relaxed: uniform particles), as the fast model does."""
    ch = simulate_discharge(replace(params, cutoff_V=params.cutoff_high_V, cutoff_high_V=None), c_rate,
                            charge=True, model=model, var_pts=var_pts, n_points=2)
    if not ch.converged:
        raise InputError(f"the charge before the discharge failed: {ch.message}")
    q_c = ch.final_capacity_mAh_per_cm2 * params.area_cm2 * 3.6  # C
    m = get_active_material(params.active_material)
    out = dict(inputs)
    out["sto0"] = m.sto_range[1] - q_c / (c_max_mol_m3(m) * FARADAY * active_volume_m3(params))
    if params.full_cell:
        ma = get_active_material(params.anode)
        v_a = _num_anode_volume(params)
        out["sto0_n"] = ma.sto_range[0] + q_c / (c_max_mol_m3(ma) * FARADAY * v_a)
    return out, f" (after a charge to {params.cutoff_high_V:g} V: {ch.final_capacity_mAh_per_g:.1f} mAh/g)"


def _num_anode_volume(p: P2DParams) -> float:
    return float(p.anode_active_volume_fraction or 0.0) * float(p.anode_thickness_um or 0.0) * 1e-6 \
        * p.area_cm2 * 1e-4


def simulate_rate(
    params: P2DParams, c_rates: Iterable[Any], *, charge: bool = False, n_points: int = 100, model: str = "DFN",
    var_pts: dict[str, int] | None = None, progress: Progress | None = None,
) -> list[DischargeResult]:
    """Discharge (or charge) curves at several C-rates; the model is built once.

    A C-rate whose simulation fails (or is not a positive number) gives a result with
    ``converged=False`` and a message naming it; the other C-rates go on. Bad cell
    parameters (and a cut-off outside the open-circuit window) raise :class:`InputError`
    at once.

    Parameters
    ----------
    params
        The cell.
    c_rates
        C-rates, 1/h.
    charge, n_points, model, var_pts
        As for :func:`simulate_discharge`.
    progress
        Optional progress reporter (one step per C-rate).

    Returns
    -------
    list of DischargeResult
    """
    _validate(params)
    _check_run_options(n_points, model)
    cutoff_V(params, charge)
    out = []
    rates = list(c_rates)
    for k, c in enumerate(rates):
        try:
            out.append(simulate_discharge(params, c, charge=charge, n_points=n_points, model=model,
                                          var_pts=var_pts))
        except InputError as exc:
            c_val = float(c) if isinstance(c, int | float) else float("nan")
            base = _Base(c_rate=c_val, current_density_mA_per_cm2=float("nan"), charge=charge,
                         temperature_c=params.temperature_c, cutoff_V=float("nan"))
            out.append(_empty(base, n_points, f"C-rate {c!r}: {exc}", converged=False))
        report(progress, k + 1, len(rates), f"{model} at {c}C")
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

                built.loose_solver = pybamm.IDAKLUSolver(rtol=1e-4, atol=1e-5, output_variables=_OUTPUTS)
            return built.sim.solve([0.0, t_end], inputs=inputs, solver=built.loose_solver), ""
        except Exception as exc:  # PyBaMM raises SolverError and several others
            text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            if "initial conditions" in text and "non-positive" in text:
                break
    return None, text


def _empty(base: _Base, n_points: int, message: str, *, converged: bool) -> DischargeResult:
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
    if material.role != "positive" and not (p.full_cell or p.anode in ANODES):
        raise InputError(f"active_material {p.active_material!r} is a negative-electrode material")
    for name in ("cathode_thickness_um", "separator_thickness_um", "active_volume_fraction",
                 "electrolyte_volume_fraction", "cathode_tortuosity", "particle_radius_um",
                 "sigma_se_S_per_cm", "separator_tortuosity", "electronic_conductivity_S_per_cm",
                 "area_cm2"):
        require_positive(name, getattr(p, name))
    for name in ("particle_diffusivity_m2_per_s", "exchange_current_A_per_m2"):
        if getattr(p, name) is not None:
            require_positive(name, getattr(p, name))
    if p.foil_capacity_mAh_cm2 is not None:
        require_positive("foil_capacity_mAh_cm2", p.foil_capacity_mAh_cm2)
    if not 0.0 <= p.dead_fraction < 1.0:
        raise InputError(f"dead_fraction must lie in [0, 1), got {p.dead_fraction!r}")
    if not p.film_resistance_ohm_m2 >= 0:
        raise InputError(f"film_resistance_ohm_m2 must be >= 0, got {p.film_resistance_ohm_m2!r}")
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
    try:
        known = get_active_material(p.anode).name
    except InputError:
        raise InputError(f"anode {p.anode!r} is not known to the P2D model"
                         + did_you_mean(str(p.anode), ANODES)) from None
    if known in ANODES and p.anode != known:
        raise InputError(f"anode {p.anode!r}: write {known!r} for the foil")
    check_anode(p)
    return material, anode_shift_V(p)


