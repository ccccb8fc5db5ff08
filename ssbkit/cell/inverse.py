"""What a measured capacity implies: the one uncertain parameter that would reproduce it.

A prediction that misses a measurement says nothing about *which* input is off.
For the inputs whose literature values are least certain (the interphase film
resistance of an uncoated oxide against a sulfide, from thin films; the solid
diffusivity of the active particles), this module solves the fast model
(:mod:`ssbkit.cell.rate_model`) backwards: the value of that one parameter,
all others kept, at which the predicted capacity equals the measured one at the
measurement's current and temperature. The result is a diagnostic to set beside
the cited value and against the lab's own impedance data, never a silent
replacement of the cited parameter. (Published solid diffusivities of one
material scatter by up to four decades between methods and labs, Kang & Chueh,
J. Electrochem. Soc. 168 (2021) 120504; an implied
value inside that scatter is consistent with the literature, not a measurement.)

Capacity falls monotonically with the film resistance and rises with the
diffusivity, so the root is unique where it exists; it is bracketed over six
decades around the cited value and found with Brent's method in log space
(Brent 1973, *Algorithms for Minimization without Derivatives*, ch. 4).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy.optimize import brentq

from ..citations import cite
from ..errors import InputError
from ..records import Record
from .design import StackDesign
from .kinetics import kinetics_for
from .measured import check_measured
from .rate import capacity_at_measured, design_sigma_at

__all__ = ["PARAMETERS", "IMPLIED_ABOVE", "ImpliedParameter", "implied_parameter", "implied_by_measurement"]

#: Parameters that can be solved for: name -> (unit, what it is).
PARAMETERS: dict[str, tuple[str, str]] = {
    "film_ohm_cm2": ("Ohm cm2 of contact", "interphase film resistance (per active/SE contact area, 25 degC)"),
    "diffusivity_m2_per_s": ("m2/s", "solid diffusivity of the active particles (25 degC)"),
}
#: Above this relative miss of the measurement the workflows say what it implies.
IMPLIED_ABOVE = 0.05
_DECADES = 3.0
_XTOL_LOG = 1e-6


@dataclass(frozen=True)
class ImpliedParameter(Record):
    """The value of one parameter that reproduces a measured capacity.

    Attributes
    ----------
    parameter, unit
        Which parameter (a key of :data:`PARAMETERS`) and its unit.
    model_value
        The value the prediction used (cited or the design's).
    implied_value
        The value at which the model gives the measured capacity (``None`` when none does).
    ratio
        implied / model value (``None`` when not reachable).
    measured_mAh_per_g, predicted_mAh_per_g
        The measurement and the prediction with the model value.
    reachable
        Whether a value within six decades of the model value reproduces the measurement.
    note
        One sentence for the report.
    """

    parameter: str
    unit: str
    model_value: float
    implied_value: float | None
    ratio: float | None
    measured_mAh_per_g: float
    predicted_mAh_per_g: float
    reachable: bool
    note: str


def _model_value(design: StackDesign, parameter: str) -> float:
    """The parameter's value in ``design`` (film: the interface's; D: the design's or the bundled one)."""
    if parameter == "film_ohm_cm2":
        if design.interface is None or design.R0_ohm_cm2 is not None:
            raise InputError("the design has no interface term ([cell] interface = false, no electrolyte in the cathode, or an R0_ohm_cm2 is set)")
        return float(design.interface.film_ohm_cm2)
    d = design.particle_diffusivity_m2_per_s
    return float(d if d is not None else kinetics_for(design.cathode.active_material).diffusivity_m2_per_s)


def _with(design: StackDesign, parameter: str, value: float) -> StackDesign:
    """``design`` with the parameter set to ``value``."""
    if parameter == "film_ohm_cm2":
        assert design.interface is not None
        return replace(design, interface=replace(design.interface, film_ohm_cm2=float(value)))
    return replace(design, particle_diffusivity_m2_per_s=float(value))


def implied_parameter(design: StackDesign, measured: dict[str, Any], parameter: str = "film_ohm_cm2", *,
                      sigma_of_t: Callable[[Any], np.ndarray] | None = None,
                      sigma_eff_ratio: float | None = None) -> ImpliedParameter:
    """Solve the fast model for the value of ``parameter`` that gives the measured capacity.

    Parameters
    ----------
    design
        The stack, with the model values of every parameter.
    measured
        ``{"capacity_mAh_per_g", "current_mA_cm2" or "c_rate", "temperature_c" (optional)}``,
        as the design and study files' ``measured`` table.
    parameter
        ``"film_ohm_cm2"`` (interphase film per contact area) or ``"diffusivity_m2_per_s"``.
    sigma_of_t
        sigma_SE(T in degC) in S/cm (default: the design's point and ``ea_eV``).
    sigma_eff_ratio
        sigma_eff / sigma_SE of the cathode (e.g. eps/tau of the microstructure).

    Returns
    -------
    ImpliedParameter

    Raises
    ------
    InputError
        Unknown parameter, a design without the term, or a measurement without a capacity.

    Examples
    --------
    >>> from pathlib import Path
    >>> from ssbkit.cell.design_file import load_design
    >>> from ssbkit.tomlio import read_toml
    >>> path = Path(__import__("ssbkit.cell").cell.__file__).with_name("data") / "lecture_lto_design.toml"
    >>> measured = read_toml(path, what="design file")["cell"]["measured"]
    >>> r = implied_parameter(load_design(path), measured, "diffusivity_m2_per_s")
    >>> r.reachable and r.implied_value < r.model_value
    True
    """
    if parameter not in PARAMETERS:
        raise InputError(f"unknown parameter {parameter!r}; choose one of {sorted(PARAMETERS)}")
    meas = check_measured(measured)
    target = float(meas["capacity_mAh_per_g"])
    sig = sigma_of_t or (lambda t: design_sigma_at(design, t))
    p0 = _model_value(design, parameter)

    def miss(log_p: float) -> float:
        d = _with(design, parameter, math.exp(log_p))
        return capacity_at_measured(d, meas, sig, sigma_eff_ratio)[0] - target

    pred = capacity_at_measured(design, meas, sig, sigma_eff_ratio)[0]
    unit = PARAMETERS[parameter][0]
    if parameter == "diffusivity_m2_per_s":
        cite("KangChueh2021", "scatter of published diffusivities")
    if parameter == "film_ohm_cm2" and p0 <= 0:
        p0 = 1.0  # no film in the model: bracket around 1 Ohm cm2
    lo, hi = math.log(p0) - _DECADES * math.log(10), math.log(p0) + _DECADES * math.log(10)
    f_lo, f_hi = miss(lo), miss(hi)
    if f_lo * f_hi > 0 or not (np.isfinite(f_lo) and np.isfinite(f_hi)):
        return ImpliedParameter(parameter, unit, _model_value(design, parameter), None, None, target, pred, False,
                                f"no {PARAMETERS[parameter][1]} within {2 * _DECADES:g} decades of "
                                f"{p0:.3g} {unit} gives {target:g} mAh/g (the model spans "
                                f"{min(f_lo, f_hi) + target:.1f}-{max(f_lo, f_hi) + target:.1f} mAh/g)")
    root = math.exp(brentq(miss, lo, hi, xtol=_XTOL_LOG))
    model = _model_value(design, parameter)
    ratio = root / model if model > 0 else None
    times = f" ({ratio:.3g} x the model's {model:.3g})" if ratio is not None else ""
    if parameter == "diffusivity_m2_per_s" and design.particle_diffusivity_m2_per_s is None:
        kin = kinetics_for(design.cathode.active_material)
        if kin.name == "default":
            times = (f" ({ratio:.3g} x the generic layered-oxide default {model:.3g}: no diffusivity is "
                     f"bundled for {design.cathode.active_material})")
    per_electrode = ""
    if parameter == "film_ohm_cm2":
        assert design.interface is not None
        per_electrode = (f", i.e. {root / design.interface.contact_area_cm2_per_cm2:.3g} Ohm cm2 of electrode "
                         "at 25 degC (compare the interface arc of the cell's impedance)")
    return ImpliedParameter(parameter, unit, model, root, ratio, target, pred, True,
                            f"the measured {target:g} mAh/g implies {PARAMETERS[parameter][1]} = "
                            f"{root:.3g} {unit}{times}{per_electrode}, all other inputs as predicted")


def implied_by_measurement(design: StackDesign, measured: dict[str, Any], predicted_mAh_per_g: float, *,
                           sigma_of_t: Callable[[Any], np.ndarray] | None = None,
                           sigma_eff_ratio: float | None = None) -> list[ImpliedParameter]:
    """The implied film resistance (where the design has a film) and diffusivity, each alone,
    when ``predicted_mAh_per_g`` misses the measurement by more than :data:`IMPLIED_ABOVE`.

    Parameters
    ----------
    design, measured, sigma_of_t, sigma_eff_ratio
        As for :func:`implied_parameter`.
    predicted_mAh_per_g
        The prediction at the measurement's conditions.

    Returns
    -------
    list of ImpliedParameter
        Empty when the prediction is within :data:`IMPLIED_ABOVE` of the measurement.
    """
    target = float(check_measured(measured)["capacity_mAh_per_g"])
    if abs(float(predicted_mAh_per_g) / target - 1.0) <= IMPLIED_ABOVE:
        return []
    names = ["diffusivity_m2_per_s"]
    inter = design.interface
    if inter is not None and design.R0_ohm_cm2 is None and inter.film_ohm_cm2 > 0:
        names.insert(0, "film_ohm_cm2")
    return [implied_parameter(design, measured, n, sigma_of_t=sigma_of_t, sigma_eff_ratio=sigma_eff_ratio)
            for n in names]
