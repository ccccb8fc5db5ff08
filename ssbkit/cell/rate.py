"""Rate capability of a design: one workflow for the CLI, the study section and the web app.

:func:`rate_study` runs the fast model (:mod:`ssbkit.cell.rate_model`: reaction
zone R-19 with interfaces, solid diffusion and the OCV curve) over C-rates and
temperatures and names the limiting mechanism of each point; :func:`p2d_rate`
runs the PyBaMM solid-state model (:mod:`ssbkit.cell.p2d`). sigma_SE(T) comes
from an Arrhenius fit (R-1) or from the design's point and ``ea_eV``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from ..errors import InputError
from ..progress import Progress, report
from ..records import Record
from .active_materials import get_active_material
from .design import StackDesign
from .measured import check_measured
from .rate_model import MECHANISMS, capacity_and_limits, cell_state
from .reaction_zone import effective_ionic_conductivity

if TYPE_CHECKING:
    from .p2d import DischargeResult
    from .p2d_params import P2DParams

__all__ = ["sigma_at_temperatures", "design_sigma_at", "design_to_p2d_params", "p2d_rate",
           "DEFAULT_PARTICLE_RADIUS_UM", "RateCurve", "RateStudy", "rate_curve", "rate_study",
           "nominal_capacity_mAh_cm2", "active_mass_mg"]

#: Active-particle radius when the design gives no diameter (5 um particles, docs/architecture.md).
DEFAULT_PARTICLE_RADIUS_UM = 2.5


def sigma_at_temperatures(arrhenius: Any, temperatures_c: ArrayLike) -> np.ndarray:
    """sigma_SE (S/cm) at ``temperatures_c`` from an ArrheniusFit or its ``to_dict()``.

    The fit's own form (sigma T = A exp(-Ea/kT) or sigma = A exp(-Ea/kT), R-1)
    is used through ``ArrheniusFit.predict``.

    Parameters
    ----------
    arrhenius
        ArrheniusFit or its dict.
    temperatures_c
        Temperatures, degC.

    Returns
    -------
    numpy.ndarray
        sigma_SE, S/cm.
    """
    from ..transport import ArrheniusFit

    fit = ArrheniusFit.from_dict(arrhenius) if isinstance(arrhenius, dict) else arrhenius
    t_k = np.atleast_1d(np.asarray(temperatures_c, dtype=float)) + 273.15
    if np.any(t_k <= 0):
        raise InputError("temperatures must be above -273.15 degC")
    return np.atleast_1d(np.asarray(fit.predict(t_k), dtype=float))


def design_sigma_at(design: StackDesign, temperatures_c: ArrayLike) -> np.ndarray:
    """sigma_SE (S/cm) of a design at ``temperatures_c``.

    At the design's own temperature its ``sigma_se_S_per_cm``; elsewhere the
    Arrhenius line (sigma T form, R-1) through that point with ``ea_eV``.

    Parameters
    ----------
    design
        The stack.
    temperatures_c
        Temperatures, degC.

    Returns
    -------
    numpy.ndarray
        sigma_SE, S/cm.
    """
    t = np.atleast_1d(np.asarray(temperatures_c, dtype=float))
    if design.sigma_se_S_per_cm is None:
        raise InputError("the design gives no sigma_se_S_per_cm ([cell] table)")
    if np.allclose(t, design.temperature_c):
        return np.full(t.shape, design.sigma_se_S_per_cm)
    if design.ea_eV is None:
        raise InputError(f"sigma_SE at {t.tolist()} degC needs the activation energy: give ea_eV in [cell] "
                         f"(sigma_se_S_per_cm is at {design.temperature_c:g} degC)")
    from ..transport import arrhenius_from_point

    fit = arrhenius_from_point(design.temperature_c + 273.15, design.sigma_se_S_per_cm, design.ea_eV)
    return sigma_at_temperatures(fit, t)


def design_to_p2d_params(design: StackDesign, *, sigma_se_S_per_cm: float | None = None,
                         temperature_c: float | None = None, cutoff_V: float | None = None) -> P2DParams:
    """The :class:`ssbkit.cell.p2d_params.P2DParams` of a design (foil or composite anode).

    The separator's porosity p enters as tortuosity (1 - p)^-1.5 of a dense
    layer, so that its conductance is the Bruggeman sigma (1 - p)^1.5, as in
    the fast model; a design's ``R0_ohm_cm2`` sets the tortuosity that makes the
    separator's resistance R_0 (it replaces separator and interface there too).
    The interface (film + coating, exchange current per contact area) is mapped
    onto PyBaMM's particle surface 3 eps_AM / R. A dead share of the active
    material (no ionic or electronic path) leaves only the live share as PyBaMM's active
    volume; the C-rates and mAh/g keep all of it, as in the fast model.

    Parameters
    ----------
    design
        The stack.
    sigma_se_S_per_cm
        SE conductivity at ``temperature_c`` (default: the design's, carried by ``ea_eV``).
    temperature_c
        Temperature (default: the design's).
    cutoff_V
        Cut-off (default: the design's ``cutoff_low_V``).

    Returns
    -------
    P2DParams
    """
    from .p2d_params import FOIL_ANODES, P2DParams

    t = design.temperature_c if temperature_c is None else float(temperature_c)
    sigma = sigma_se_S_per_cm if sigma_se_S_per_cm is not None else float(design_sigma_at(design, [t])[0])
    cat = design.cathode
    tau = design.tortuosity_cathode if design.tortuosity_cathode is not None else float(cat.eps_se ** -0.5)
    d_um = cat.active_particle_diameter_um
    r_um = d_um / 2.0 if d_um else DEFAULT_PARTICLE_RADIUS_UM
    kw: dict[str, Any] = {}
    inter = design.interface
    dead = inter.dead_fraction if inter is not None else 0.0
    phi_live = cat.phi("active") * (1.0 - dead)  # the dead share does not cycle (rate_model's Q_x)
    if inter is not None and design.R0_ohm_cm2 is None:
        a_pb = 3.0 * phi_live / r_um  # 1/um
        a_c = inter.contact_area_per_um * (1.0 - inter.contact_loss_fraction)
        film_cm2 = inter.series_ohm_cm2(t) * inter.contact_area_cm2_per_cm2  # per contact area
        kw["film_resistance_ohm_m2"] = film_cm2 * 1e-4 * a_pb / a_c
        j0_25 = inter.i0_mA_per_cm2 * 10.0 * a_c / a_pb  # A/m2 of particle surface at 25 degC
        kw["exchange_current_A_per_m2"] = j0_25
    if design.anode.material in FOIL_ANODES:  # the foil's lithium (Li-In: uptake) caps a (dis)charge
        kw["foil_capacity_mAh_cm2"] = design.anode.layer.areal_capacity_mAh_cm2()
    else:
        lay = design.anode.layer
        ta = design.tortuosity_anode if design.tortuosity_anode is not None else float(lay.eps_se ** -0.5)
        da = lay.active_particle_diameter_um
        kw.update(anode_thickness_um=lay.thickness_um, anode_active_volume_fraction=lay.phi("active"),
                  anode_electrolyte_volume_fraction=lay.eps_se, anode_tortuosity=ta,
                  anode_particle_radius_um=da / 2.0 if da else DEFAULT_PARTICLE_RADIUS_UM)
    return P2DParams(
        active_material=cat.active_material, cathode_thickness_um=cat.thickness_um,
        separator_thickness_um=design.separator.thickness_um, active_volume_fraction=phi_live,
        electrolyte_volume_fraction=cat.eps_se, cathode_tortuosity=float(tau),
        separator_tortuosity=_separator_tortuosity(design, float(sigma)),
        particle_radius_um=r_um, sigma_se_S_per_cm=float(sigma), anode=design.anode.material,
        temperature_c=t, area_cm2=design.area_cm2,
        cutoff_V=cutoff_V if cutoff_V is not None else design.cutoff_low_V,
        cutoff_high_V=design.cutoff_high_V,
        particle_diffusivity_m2_per_s=design.particle_diffusivity_m2_per_s, dead_fraction=dead, **kw)


def _separator_tortuosity(design: StackDesign, sigma: float) -> float:
    """tau of the P2D separator: Bruggeman (1 - p)^-1.5, or the one that makes its resistance
    L tau / sigma the design's ``R0_ohm_cm2`` (which replaces separator and interface, as in the fast model)."""
    if design.R0_ohm_cm2 is None:
        return float(1.0 / effective_ionic_conductivity(1.0, 1.0 - design.separator.porosity))
    bare = design.separator.thickness_um * 1e-4 / sigma  # Ohm cm2 at tau = 1
    if not design.R0_ohm_cm2 >= bare:
        raise InputError(f"[cell] R0_ohm_cm2 = {design.R0_ohm_cm2:g} Ohm cm2 is below the separator's own "
                         f"L / sigma_SE = {bare:.3g} Ohm cm2: the P2D cannot carry it")
    return float(design.R0_ohm_cm2 / bare)


def p2d_rate(design: StackDesign, c_rates: Iterable[float], *, sigma_se_S_per_cm: float | None = None,
             temperature_c: float | None = None, n_points: int = 100,
             model: str = "DFN") -> list[DischargeResult]:
    """Discharge curves of ``design`` at ``c_rates`` from the PyBaMM solid-state model.

    Needs PyBaMM (the ``cell`` extra); a C-rate that fails is reported in its
    result's ``message`` and the others go on.

    Parameters
    ----------
    design
        The stack.
    c_rates
        C-rates, 1/h.
    sigma_se_S_per_cm
        SE conductivity at ``temperature_c``.
    temperature_c
        Temperature, degC.
    n_points
        Samples per curve.
    model
        ``DFN`` or ``SPMe``.

    Returns
    -------
    list of DischargeResult
        One per C-rate.
    """
    try:
        import pybamm  # noqa: F401
    except ImportError:
        raise InputError("the p2d model needs PyBaMM: pip install 'ssbkit[cell]'") from None
    from .p2d import simulate_rate

    params = design_to_p2d_params(design, sigma_se_S_per_cm=sigma_se_S_per_cm, temperature_c=temperature_c)
    res = simulate_rate(params, list(_positive_finite(c_rates, "C-rates")), n_points=n_points, model=model)
    if design.U_c_V is None and design.U_a_V is None:
        return res
    note = " (U_c_V / U_a_V fix the fast model's potentials (R-19 form); the P2D runs on the OCV curves)"
    return [replace(r, message=r.message + note) for r in res]


def nominal_capacity_mAh_cm2(design: StackDesign) -> float:
    """The 1C areal capacity: cathode loading x the material's practical capacity, mAh/cm2.

    Parameters
    ----------
    design
        The stack.

    Returns
    -------
    float
    """
    return design.cathode.areal_capacity_mAh_cm2()


def active_mass_mg(design: StackDesign) -> float:
    """Cathode active-material mass of the cell (loading x area), mg.

    Parameters
    ----------
    design
        The stack.

    Returns
    -------
    float
    """
    return design.cathode.loading_mg_cm2 * design.area_cm2


@dataclass(frozen=True)
class RateCurve(Record):
    """Capacity vs C-rate of one design at one temperature (fast model), with what limits it.

    ``loss_mAh_per_g`` holds, per mechanism, the capacity regained when it alone
    is switched off; ``limiting`` names the largest (``window``: none costs 2 %).
    ``utilisation`` is the capacity over the material's practical window at zero current.
    """

    temperature_c: float
    sigma_se_S_per_cm: float
    c_rates: tuple[float, ...]
    current_mA_cm2: tuple[float, ...]
    capacity_mAh_cm2: tuple[float, ...]
    capacity_mAh_per_g: tuple[float, ...]
    utilisation: tuple[float, ...]
    window_mAh_per_g: tuple[float, ...]
    loss_mAh_per_g: dict[str, tuple[float, ...]]
    limiting: tuple[str, ...]
    x_charged: tuple[float, ...]
    sigma_eff_cathode_S_per_cm: float
    r_series_ohm_cm2: float
    r_interface_ohm_cm2: float
    model: str = "fast (reaction zone R-19 + interface + solid diffusion + OCV)"
    references: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RateStudy(Record):
    """Rate curves of one design over temperatures (the rate map) and at its own temperature."""

    design_name: str
    curves: tuple[RateCurve, ...]
    operating: RateCurve
    measured: dict[str, Any] = field(default_factory=dict)
    predicted_at_measured_mAh_per_g: float | None = None
    references: tuple[str, ...] = ()
    #: Predictions at the ends of ``measured["current_range_mA_cm2"]`` (where the source does not
    #: state its current), mAh/g, and the mechanism that limits at the measured point.
    predicted_band_mAh_per_g: tuple[float, ...] = ()
    limiting_at_measured: str = ""

    def utilisation_map(self) -> np.ndarray:
        """Utilisation, shape (n_temperatures, n_c_rates).

        Returns
        -------
        numpy.ndarray
            Shape (n_temperatures, n_c_rates).
        """
        return np.array([c.utilisation for c in self.curves])

    def limiting_map(self) -> list[list[str]]:
        """Limiting mechanism per (temperature, C-rate).

        Returns
        -------
        list of list of str
            Mechanism per (temperature, C-rate).
        """
        return [list(c.limiting) for c in self.curves]


def rate_curve(design: StackDesign, c_rates: Sequence[float] | np.ndarray, *,
               temperature_c: float | None = None, sigma_se_S_per_cm: float | None = None,
               sigma_eff_cathode_S_per_cm: float | None = None,
               current_mA_cm2: Sequence[float] | None = None) -> RateCurve:
    """Fast-model capacity of ``design`` at each C-rate (1C: :func:`nominal_capacity_mAh_cm2` per hour).

    Parameters
    ----------
    design
        The stack.
    c_rates
        C-rates, 1/h (> 0).
    temperature_c
        Temperature (default: the design's).
    sigma_se_S_per_cm
        SE conductivity at that temperature (default: from the design and ``ea_eV``).
    sigma_eff_cathode_S_per_cm
        Measured effective conductivity of the cathode at ``sigma_se_S_per_cm``.
    current_mA_cm2
        Current densities instead of C-rates.

    Returns
    -------
    RateCurve
    """
    from ..citations import collect_citations

    t = design.temperature_c if temperature_c is None else float(temperature_c)
    sigma = float(design_sigma_at(design, [t])[0]) if sigma_se_S_per_cm is None else float(sigma_se_S_per_cm)
    c, i = _rates_and_currents(c_rates, current_mA_cm2, nominal_capacity_mAh_cm2(design))
    with collect_citations() as used:
        st = cell_state(design, sigma_se_S_per_cm=sigma, temperature_c=t,
                        sigma_eff_cathode_S_per_cm=sigma_eff_cathode_S_per_cm)
        r = capacity_and_limits(st, i)
    m = get_active_material(design.cathode.active_material)
    load = design.cathode.loading_mg_cm2
    # the zero-current window of the model: the practical capacity in the R-19 form (fixed U_c),
    # the stoichiometry window of the OCV curve otherwise (rate_model.capacity_at_currents)
    per_g_window = (m.capacity_practical_mAh_per_g if design.U_c_V is not None
                    else m.capacity_theoretical_mAh_per_g * (m.sto_range[1] - m.sto_range[0]))
    practical = load * 1e-3 * per_g_window
    per_g = 1e3 / load
    inter = design.interface
    r_int = 0.0 if (inter is None or not st.interface_on) else inter.series_ohm_cm2(t) + inter.rct_electrode_ohm_cm2(t)
    notes = tuple(inter.notes) if inter is not None and st.interface_on else ()
    return RateCurve(
        temperature_c=t, sigma_se_S_per_cm=sigma, c_rates=tuple(c.tolist()), current_mA_cm2=tuple(i.tolist()),
        capacity_mAh_cm2=tuple(r["capacity_mAh_cm2"].tolist()),
        capacity_mAh_per_g=tuple((r["capacity_mAh_cm2"] * per_g).tolist()),
        utilisation=tuple((r["capacity_mAh_cm2"] / practical).tolist()),
        window_mAh_per_g=tuple((r["window_mAh_cm2"] * per_g).tolist()),
        loss_mAh_per_g={k: tuple((v * per_g).tolist()) for k, v in r["loss_mAh_cm2"].items()},
        limiting=tuple(r["limiting"]), x_charged=tuple(r["x_charged"].tolist()),
        sigma_eff_cathode_S_per_cm=st.params["sigma_cathode_S_per_cm"],
        r_series_ohm_cm2=st.r_series_ohm_cm2, r_interface_ohm_cm2=float(r_int),
        references=tuple(dict.fromkeys([*used, *(inter.references if inter is not None else ()),
                                         *m.references])), notes=notes)


def _rates_and_currents(c_rates: Sequence[float] | np.ndarray, current_mA_cm2: Sequence[float] | None,
                        q1c: float) -> tuple[np.ndarray, np.ndarray]:
    """(C-rates 1/h, current densities mA/cm2) from either, with 1C = ``q1c`` mAh/cm2 per hour."""
    if current_mA_cm2 is not None:
        i = _positive_finite(current_mA_cm2, "current densities (mA/cm2)")
        return i / q1c, i
    c = _positive_finite(c_rates, "C-rates")
    return c, c * q1c


def _positive_finite(values: Any, what: str) -> np.ndarray:
    """``values`` as a 1-d float array; :class:`InputError` unless every one is finite and > 0."""
    try:
        v = np.atleast_1d(np.asarray(values, dtype=float))
    except (TypeError, ValueError):
        raise InputError(f"{what} must be numbers, got {values!r}") from None
    if v.size == 0 or not np.all(np.isfinite(v) & (v > 0)):
        raise InputError(f"{what} must be finite and > 0, got {[float(x) for x in v.ravel()]}")
    return v.ravel()


def rate_study(design: StackDesign, c_rates: Sequence[float], temperatures_c: Sequence[float], *,
               sigma_of_t: Callable[[Any], np.ndarray] | None = None,
               sigma_eff_ratio: float | None = None, measured: dict[str, Any] | None = None,
               progress: Progress | None = None) -> RateStudy:
    """The rate map of ``design`` over C-rates x temperatures and its curve at its own temperature.

    Parameters
    ----------
    design
        The stack.
    c_rates, temperatures_c
        Grid of the map.
    sigma_of_t
        sigma_SE(T in degC) in S/cm (default: :func:`design_sigma_at`).
    sigma_eff_ratio
        sigma_eff / sigma_SE of the cathode (e.g. eps/tau of the microstructure); default Bruggeman.
    measured
        ``{"capacity_mAh_per_g": ..., "current_mA_cm2" or "c_rate": ..., "reference": ...}``:
        the prediction at that point is returned beside it.
    progress
        Optional progress reporter (one step per temperature).

    Returns
    -------
    RateStudy
    """
    sig = sigma_of_t or (lambda t: design_sigma_at(design, t))
    if sigma_eff_ratio is not None and not 0.0 < float(sigma_eff_ratio) <= 1.0:
        raise InputError(f"sigma_eff_ratio (sigma_eff / sigma_SE of the cathode, eps / tau) must lie in (0, 1], "
                         f"got {sigma_eff_ratio!r}")
    temps = [float(t) for t in temperatures_c]
    for t in temps:
        if not t > -273.15:
            raise InputError(f"temperatures must be above -273.15 degC, got {t}")
    curves = []
    n = len(temps) + 1
    for k, t in enumerate([*temps, design.temperature_c]):
        s = float(np.atleast_1d(sig(t))[0])
        eff = None if sigma_eff_ratio is None else s * sigma_eff_ratio
        curves.append(rate_curve(design, c_rates, temperature_c=t, sigma_se_S_per_cm=s,
                                 sigma_eff_cathode_S_per_cm=eff))
        report(progress, k + 1, n, f"rate curve at {t:g} degC")
    operating = curves.pop()
    pred = None
    meas = check_measured(measured) if measured else {}
    band: tuple[float, ...] = ()
    lim = ""
    if meas:
        pred, lim = capacity_at_measured(design, meas, sig, sigma_eff_ratio)
        if meas.get("current_range_mA_cm2") is not None:
            band = tuple(capacity_at_measured(design, {**meas, "current_mA_cm2": float(i)}, sig, sigma_eff_ratio)[0]
                         for i in _range_of(meas["current_range_mA_cm2"]))
    refs = tuple(dict.fromkeys(k for c in [*curves, operating] for k in c.references))
    return RateStudy(design_name=design.name, curves=tuple(curves), operating=operating, measured=meas,
                     predicted_at_measured_mAh_per_g=pred, references=refs, predicted_band_mAh_per_g=band,
                     limiting_at_measured=lim)


def _range_of(value: Any) -> tuple[float, float]:
    """Two positive currents (mA/cm2) from ``measured.current_range_mA_cm2``."""
    try:
        lo, hi = (float(v) for v in value)
    except (TypeError, ValueError):
        raise InputError(f"[cell] measured.current_range_mA_cm2 must be [low, high] in mA/cm2, got {value!r}") from None
    if not 0 < lo <= hi:
        raise InputError(f"[cell] measured.current_range_mA_cm2 must be 0 < low <= high, got {value!r}")
    return lo, hi


def capacity_at_measured(design: StackDesign, meas: dict[str, Any], sig: Callable[[Any], np.ndarray],
                         ratio: float | None = None) -> tuple[float, str]:
    """Fast-model capacity at a measurement's conditions and the mechanism that limits there.

    Parameters
    ----------
    design
        The stack.
    meas
        ``{"capacity_mAh_per_g", "current_mA_cm2" or "c_rate", "temperature_c" (optional)}``.
    sig
        sigma_SE(T in degC) in S/cm.
    ratio
        sigma_eff / sigma_SE of the cathode (default Bruggeman).

    Returns
    -------
    tuple of (float, str)
        Predicted capacity (mAh/g of active material) and the limiting mechanism.
    """
    meas = check_measured(meas)
    t = float(meas.get("temperature_c", design.temperature_c))
    s = float(np.atleast_1d(sig(t))[0])
    eff = None if ratio is None else s * ratio
    if meas.get("current_mA_cm2") is not None:
        r = rate_curve(design, [1.0], temperature_c=t, sigma_se_S_per_cm=s, sigma_eff_cathode_S_per_cm=eff,
                       current_mA_cm2=[float(meas["current_mA_cm2"])])
    else:  # check_measured: c_rate is given when current_mA_cm2 is not
        r = rate_curve(design, [float(meas["c_rate"])], temperature_c=t, sigma_se_S_per_cm=s,
                       sigma_eff_cathode_S_per_cm=eff)
    return r.capacity_mAh_per_g[0], r.limiting[0]


__all__ += ["MECHANISMS", "capacity_at_measured"]
