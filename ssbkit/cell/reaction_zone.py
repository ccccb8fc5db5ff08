"""Rate capability from the reaction-zone model (Kato et al. 2018; R-19).

At current density i the reaction starts next to the separator and moves
into the composite; the ions cross the already-reacted zone, whose ohmic drop
grows with the charge passed. Discharge stops when the drop reaches the
voltage margin, giving the areal capacity to cut-off (science.md section 4,
R-19)::

    C = (1/i) (1/(q_c sigma_c) + 1/(q_a sigma_a))^-1 (U_c - U_a - V_cut - R_0 i)

capped at the full capacity, with q the capacity density of each composite
(C/m3), sigma its effective ionic conductivity sigma_SE eps / tau (R-17) and
R_0 the series resistance (separator, interfaces). A metal or alloy foil
anode has no composite: 1/(q_a sigma_a) = 0. In the ohmic regime (R_0 i small,
C below the full capacity) C is proportional to 1/i.

Reference: Y. Kato et al., J. Phys. Chem. Lett. 9 (2018) 607; Falco et al.,
Mol. Syst. Des. Eng. 4 (2019) 850, eq. R-19.

Example
-------
>>> import numpy as np
>>> c = reaction_zone_capacity(np.array([1.0, 10.0]), q_cathode_mAh_cm3=260.0,
...     sigma_cathode_S_per_cm=1e-3, capacity_max_mAh_cm2=15.7, voltage_margin_V=1.0)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from ..errors import InputError, require_positive
from ..records import Record
from .active_materials import get_active_material
from .design import StackDesign, cell_ocv_window_V

__all__ = [
    "reaction_zone_capacity",
    "effective_ionic_conductivity",
    "RateCapability",
    "design_parameters",
    "rate_capability",
    "rate_map",
    "REFERENCES",
]

REFERENCES = (
    "Reaction-zone model: Kato et al., J. Phys. Chem. Lett. 9 (2018) 607 (R-19 in Falco et al., "
    "Mol. Syst. Des. Eng. 4 (2019) 850)",
    "Effective conductivity sigma eps / tau (R-17), Bruggeman tau = eps^-0.5 (R-18)",
)
_MAH = 3.6  # C per mAh


def effective_ionic_conductivity(sigma_S_per_cm: ArrayLike, eps: ArrayLike, tau: ArrayLike | None = None, *,
                                 bruggeman_alpha: float = 0.5) -> float | np.ndarray:
    """Effective ionic conductivity of a composite, sigma eps / tau (R-17).

    Parameters
    ----------
    sigma_S_per_cm
        Conductivity of the solid electrolyte, S/cm.
    eps
        Volume fraction of the ion conductor in the layer.
    tau
        Tortuosity factor; ``None`` uses Bruggeman tau = eps^-alpha (R-18).

    bruggeman_alpha
        Bruggeman exponent alpha (dimensionless) when ``tau`` is ``None``.

    Returns
    -------
    float or numpy.ndarray
        sigma_eff, S/cm.

    Raises
    ------
    InputError
        For ``eps`` outside (0, 1] or ``tau < 1``.

    Examples
    --------
    Bruggeman at eps = 0.25: sigma eps^1.5 = sigma / 8.

    >>> effective_ionic_conductivity(1e-3, 0.25)
    0.000125
    >>> round(effective_ionic_conductivity(1e-3, 0.3, 3.0), 12)
    0.0001
    """
    s = np.asarray(sigma_S_per_cm, dtype=float)
    e = np.asarray(eps, dtype=float)
    if np.any(e <= 0) or np.any(e > 1):
        raise InputError("electrolyte volume fraction eps must lie in (0, 1]")
    t = e ** (-bruggeman_alpha) if tau is None else np.asarray(tau, dtype=float)
    if np.any(t < 1):
        raise InputError("tortuosity factor must be >= 1")
    out = s * e / t
    return float(out) if out.ndim == 0 else out


def reaction_zone_capacity(
    current_mA_cm2: ArrayLike,
    *,
    q_cathode_mAh_cm3: ArrayLike,
    sigma_cathode_S_per_cm: ArrayLike,
    capacity_max_mAh_cm2: ArrayLike,
    voltage_margin_V: ArrayLike,
    q_anode_mAh_cm3: ArrayLike = np.inf,
    sigma_anode_S_per_cm: ArrayLike = np.inf,
    r0_ohm_cm2: ArrayLike = 0.0,
) -> np.ndarray:
    """Areal capacity to cut-off from the reaction-zone model (R-19), vectorised.

    All arguments broadcast against each other, so one call evaluates any
    number of designs and currents.

    Parameters
    ----------
    current_mA_cm2
        Discharge current density, mA/cm2 (> 0).
    q_cathode_mAh_cm3, q_anode_mAh_cm3
        Capacity per volume of each composite layer, mAh/cm3 (anode ``inf`` for a foil).
    sigma_cathode_S_per_cm, sigma_anode_S_per_cm
        Effective ionic conductivities of the composites, S/cm (anode ``inf`` for a foil).
    capacity_max_mAh_cm2
        Full (limiting) areal capacity, mAh/cm2.
    voltage_margin_V
        U_c - U_a - V_cut: open-circuit voltage minus the cut-off, V.
    r0_ohm_cm2
        Series area-specific resistance (separator, interfaces), Ohm cm2.

    Returns
    -------
    numpy.ndarray
        Capacity, mAh/cm2, in [0, capacity_max_mAh_cm2].
    """
    i = np.asarray(current_mA_cm2, dtype=float) * 1e-3  # A/cm2
    qc = np.asarray(q_cathode_mAh_cm3, dtype=float)
    sc = np.asarray(sigma_cathode_S_per_cm, dtype=float)
    qa = np.asarray(q_anode_mAh_cm3, dtype=float)
    sa = np.asarray(sigma_anode_S_per_cm, dtype=float)
    qmax = np.asarray(capacity_max_mAh_cm2, dtype=float)
    r0 = np.asarray(r0_ohm_cm2, dtype=float)
    dv = np.asarray(voltage_margin_V, dtype=float)
    for name, a in (("current density (mA/cm2)", i), ("q_cathode_mAh_cm3", qc), ("sigma_cathode_S_per_cm", sc),
                    ("q_anode_mAh_cm3", qa), ("sigma_anode_S_per_cm", sa), ("capacity_max_mAh_cm2", qmax)):
        if np.any(~(a > 0)):
            raise InputError(f"{name} must be > 0 (NaN not allowed)")
    if np.any(~(r0 >= 0)) or np.any(~np.isfinite(r0)):
        raise InputError("r0_ohm_cm2 must be finite and >= 0")
    if np.any(~np.isfinite(dv)):
        raise InputError("voltage_margin_V must be finite")
    # series "reaction-zone resistance" per charge passed: 1/(q_c sigma_c) + 1/(q_a sigma_a), V cm2/(C A/cm2)
    k = 1.0 / (qc * _MAH * sc) + 1.0 / (qa * _MAH * sa)
    drive = dv - r0 * i
    cap_c_cm2 = np.clip(drive, 0.0, None) / (i * k)  # C/cm2
    return np.minimum(cap_c_cm2 / _MAH, qmax)


@dataclass(frozen=True)
class RateCapability(Record):
    """Capacity vs C-rate of one design (reaction-zone model)."""

    c_rates: tuple[float, ...]
    current_mA_cm2: tuple[float, ...]
    capacity_mAh_cm2: tuple[float, ...]
    capacity_mAh_per_g: tuple[float, ...]
    utilisation: tuple[float, ...]
    sigma_se_S_per_cm: float
    sigma_eff_cathode_S_per_cm: float
    sigma_eff_anode_S_per_cm: float | None
    r0_ohm_cm2: float
    voltage_margin_V: float
    references: tuple[str, ...] = field(default=REFERENCES)


def design_parameters(
    design: StackDesign,
    *,
    sigma_se_S_per_cm: float | None = None,
    tortuosity_cathode: float | None = None,
    tortuosity_anode: float | None = None,
    sigma_eff_cathode_S_per_cm: float | None = None,
    r_interface_ohm_cm2: float = 0.0,
) -> dict[str, float]:
    """The reaction-zone inputs of a design (field units), for :func:`reaction_zone_capacity`.

    The cathode's effective conductivity is ``sigma_eff_cathode_S_per_cm``
    (e.g. from the microstructure layer) or sigma_SE eps / tau with tau from
    the design, the argument, or Bruggeman. The separator adds
    L_s / (sigma_SE eps_s / tau_s) (Bruggeman) to R_0; a design's ``R0_ohm_cm2``
    replaces that sum, and its ``U_c_V``/``U_a_V`` the average potentials (Kato 2018).

    Parameters
    ----------
    design
        The stack.
    sigma_se_S_per_cm
        SE conductivity (default: the design's).
    tortuosity_cathode, tortuosity_anode
        Overrides of tau.
    sigma_eff_cathode_S_per_cm
        Measured effective conductivity of the cathode.
    r_interface_ohm_cm2
        Extra series resistance, Ohm cm2.

    Returns
    -------
    dict
        Inputs of :func:`reaction_zone_capacity` (field units).
    """
    sigma = sigma_se_S_per_cm if sigma_se_S_per_cm is not None else design.sigma_se_S_per_cm
    if sigma is None:
        raise InputError("the rate model needs the electrolyte conductivity: give sigma_se_S_per_cm")
    sigma = require_positive("sigma_se_S_per_cm (electrolyte conductivity)", sigma)
    cat = design.cathode
    q_cat = cat.areal_capacity_mAh_cm2()
    q_an = design.anode.layer.areal_capacity_mAh_cm2()
    tau_c = tortuosity_cathode if tortuosity_cathode is not None else design.tortuosity_cathode
    if sigma_eff_cathode_S_per_cm is None:
        sigma_c = effective_ionic_conductivity(sigma, cat.eps_se, tau_c)
    else:
        sigma_c = float(sigma_eff_cathode_S_per_cm)
    sigma_a, q_a_vol = _anode_zone(design, sigma, tortuosity_anode, q_an)
    r0, r_sep = _series_resistance_ohm_cm2(design, sigma, r_interface_ohm_cm2)
    return {
        "q_cathode_mAh_cm3": q_cat / (cat.thickness_um * 1e-4),
        "sigma_cathode_S_per_cm": float(sigma_c),
        "q_anode_mAh_cm3": float(q_a_vol),
        "sigma_anode_S_per_cm": float(sigma_a),
        "capacity_max_mAh_cm2": min(q_cat, q_an),
        "voltage_margin_V": _voltage_margin_V(design),
        "r0_ohm_cm2": float(r0),
        "r_separator_ohm_cm2": float(r_sep),
        "sigma_se_S_per_cm": float(sigma),
        "loading_mg_cm2": cat.loading_mg_cm2,
    }


def _anode_zone(design: StackDesign, sigma: float, tortuosity_anode: float | None,
                q_an: float) -> tuple[float, float]:
    """(effective ionic conductivity S/cm, volumetric capacity mAh/cm3) of a composite anode;
    (inf, inf) for a foil (no reaction zone there)."""
    if design.anode.kind != "composite":
        return np.inf, np.inf
    tau_a = tortuosity_anode if tortuosity_anode is not None else design.tortuosity_anode
    lay = design.anode.layer
    sigma_a = effective_ionic_conductivity(sigma, lay.eps_se, tau_a)
    return float(sigma_a), float(q_an / (lay.thickness_um * 1e-4))


def _series_resistance_ohm_cm2(design: StackDesign, sigma: float,
                               r_interface_ohm_cm2: float) -> tuple[float, float]:
    """(R_0, separator resistance), Ohm cm2: Bruggeman separator plus the extra series
    resistance, or the design's ``R0_ohm_cm2`` for R_0 where given."""
    sep = design.separator
    sigma_sep = effective_ionic_conductivity(sigma, 1.0 - sep.porosity) if sep.porosity < 1 else 0.0
    r_sep = float(sep.thickness_um * 1e-4 / sigma_sep)
    r0 = r_sep + float(r_interface_ohm_cm2) if design.R0_ohm_cm2 is None else float(design.R0_ohm_cm2)
    return r0, r_sep


def _voltage_margin_V(design: StackDesign) -> float:
    """U_c - U_a - V_cut, V: average potentials (bundled or the design's) above the cut-off."""
    mc = get_active_material(design.cathode.active_material)
    ma = get_active_material(design.anode.material)
    v_cut = design.cutoff_low_V if design.cutoff_low_V is not None else cell_ocv_window_V(design)[0]
    u_c = mc.voltage_avg_V if design.U_c_V is None else design.U_c_V
    u_a = ma.voltage_avg_V if design.U_a_V is None else design.U_a_V
    return u_c - u_a - v_cut


def rate_capability(design: StackDesign, c_rates: ArrayLike, **kwargs: Any) -> RateCapability:
    """Capacity of ``design`` at each C-rate (1C = the design's full capacity in 1 h).

    Keyword arguments go to :func:`design_parameters`.

    Parameters
    ----------
    design
        The stack.
    c_rates
        C-rates, 1/h.
    **kwargs
        For :func:`design_parameters`.

    Returns
    -------
    RateCapability
        Capacity per C-rate (pure R-19).
    """
    c = np.atleast_1d(np.asarray(c_rates, dtype=float))
    if c.size == 0 or np.any(~(c > 0)):
        raise InputError(f"C-rates must be > 0, got {list(c)}")
    p = design_parameters(design, **kwargs)
    i = c * p["capacity_max_mAh_cm2"]
    cap = reaction_zone_capacity(i, **{k: p[k] for k in (
        "q_cathode_mAh_cm3", "sigma_cathode_S_per_cm", "q_anode_mAh_cm3", "sigma_anode_S_per_cm",
        "capacity_max_mAh_cm2", "voltage_margin_V", "r0_ohm_cm2")})
    return RateCapability(
        c_rates=tuple(c.tolist()), current_mA_cm2=tuple(i.tolist()), capacity_mAh_cm2=tuple(cap.tolist()),
        capacity_mAh_per_g=tuple((cap / p["loading_mg_cm2"] * 1e3).tolist()),
        utilisation=tuple((cap / p["capacity_max_mAh_cm2"]).tolist()),
        sigma_se_S_per_cm=p["sigma_se_S_per_cm"], sigma_eff_cathode_S_per_cm=p["sigma_cathode_S_per_cm"],
        sigma_eff_anode_S_per_cm=None if np.isinf(p["sigma_anode_S_per_cm"]) else p["sigma_anode_S_per_cm"],
        r0_ohm_cm2=p["r0_ohm_cm2"], voltage_margin_V=p["voltage_margin_V"],
    )


def rate_map(design: StackDesign, c_rates: ArrayLike, sigmas_S_per_cm: ArrayLike, **kwargs: Any) -> np.ndarray:
    """Utilisation over C-rate x electrolyte conductivity (e.g. sigma_SE(T) at several T).

    Returns an array of shape ``(len(sigmas_S_per_cm), len(c_rates))``; one
    vectorised call of :func:`reaction_zone_capacity`. Effective
    conductivities and the separator resistance scale with sigma_SE (fixed
    eps and tau); an interface resistance does not. Keyword arguments go to
    :func:`design_parameters`; a ``sigma_eff_cathode_S_per_cm`` there refers
    to its ``sigma_se_S_per_cm`` (default: the first of ``sigmas_S_per_cm``).

    Parameters
    ----------
    design
        The stack.
    c_rates
        C-rates, 1/h.
    sigmas_S_per_cm
        SE conductivities.
    **kwargs
        For :func:`design_parameters`.

    Returns
    -------
    numpy.ndarray
        Utilisation, shape (n_sigma, n_C).
    """
    c = np.atleast_1d(np.asarray(c_rates, dtype=float))
    s = np.atleast_1d(np.asarray(sigmas_S_per_cm, dtype=float))
    if np.any(~(s > 0)) or np.any(~(c > 0)):
        raise InputError("rate map needs C-rates > 0 and conductivities > 0 S/cm")
    kwargs.setdefault("sigma_se_S_per_cm", float(s[0]))
    p = design_parameters(design, **kwargs)
    scale = s[:, None] / p["sigma_se_S_per_cm"]
    cap = reaction_zone_capacity(
        c[None, :] * p["capacity_max_mAh_cm2"], q_cathode_mAh_cm3=p["q_cathode_mAh_cm3"],
        sigma_cathode_S_per_cm=p["sigma_cathode_S_per_cm"] * scale, q_anode_mAh_cm3=p["q_anode_mAh_cm3"],
        sigma_anode_S_per_cm=p["sigma_anode_S_per_cm"] * scale,
        capacity_max_mAh_cm2=p["capacity_max_mAh_cm2"], voltage_margin_V=p["voltage_margin_V"],
        r0_ohm_cm2=p["r_separator_ohm_cm2"] / scale + (p["r0_ohm_cm2"] - p["r_separator_ohm_cm2"]))
    return cap / p["capacity_max_mAh_cm2"]
