"""Rate capability of a design: the reaction-zone model or the PyBaMM simulation.

Bridges a :class:`~ssbkit.cell.design.StackDesign` to the two rate models
(:mod:`ssbkit.cell.reaction_zone`, fast; :mod:`ssbkit.cell.p2d`, full) and
gives sigma_SE(T) from an Arrhenius fit (R-1) for temperature sweeps.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InputError
from .design import StackDesign
from .reaction_zone import effective_ionic_conductivity

__all__ = ["sigma_at_temperatures", "design_sigma_at", "design_to_p2d_params", "p2d_rate", "DEFAULT_PARTICLE_RADIUS_UM"]

#: Active-particle radius when the design gives no diameter (5 um particles, docs/architecture.md).
DEFAULT_PARTICLE_RADIUS_UM = 2.5


def sigma_at_temperatures(arrhenius: Any, temperatures_c) -> np.ndarray:
    """sigma_SE (S/cm) at ``temperatures_c`` from an ArrheniusFit or its ``to_dict()``.

    The fit's own form (sigma T = A exp(-Ea/kT) or sigma = A exp(-Ea/kT), R-1)
    is used through ``ArrheniusFit.predict``.
    """
    from ..transport import ArrheniusFit

    fit = ArrheniusFit.from_dict(arrhenius) if isinstance(arrhenius, dict) else arrhenius
    t_k = np.atleast_1d(np.asarray(temperatures_c, dtype=float)) + 273.15
    if np.any(t_k <= 0):
        raise InputError("temperatures must be above -273.15 degC")
    return np.atleast_1d(np.asarray(fit.predict(t_k), dtype=float))


def design_sigma_at(design: StackDesign, temperatures_c) -> np.ndarray:
    """sigma_SE (S/cm) of a design at ``temperatures_c``.

    At the design's own temperature its ``sigma_se_S_per_cm``; elsewhere the
    Arrhenius line (sigma T form, R-1) through that point with ``ea_eV``.
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
                         temperature_c: float | None = None, cutoff_V: float | None = None):
    """The :class:`ssbkit.cell.p2d.P2DParams` of a design with a Li or Li-In foil anode.

    The separator's porosity p enters as tortuosity (1 - p)^-1.5 of a dense
    layer, so that its conductance is the Bruggeman sigma (1 - p)^1.5, as in
    the reaction-zone model.
    """
    from .p2d import ANODES, P2DParams

    if design.anode.material not in ANODES:
        raise InputError(f"the p2d model needs a Li or Li-In counter electrode, the design has "
                         f"{design.anode.material!r}; use --model reaction-zone")
    sigma = sigma_se_S_per_cm if sigma_se_S_per_cm is not None else design.sigma_se_S_per_cm
    if sigma is None:
        raise InputError("the p2d model needs sigma_se_S_per_cm (design [cell] or argument)")
    cat = design.cathode
    tau = design.tortuosity_cathode
    if tau is None:
        tau = float(cat.eps_se ** -0.5)  # Bruggeman
    d_um = cat.active_particle_diameter_um
    eps_s = 1.0 - design.separator.porosity
    return P2DParams(
        active_material=cat.active_material,
        cathode_thickness_um=cat.thickness_um,
        separator_thickness_um=design.separator.thickness_um,
        active_volume_fraction=cat.phi("active"),
        electrolyte_volume_fraction=cat.eps_se,
        cathode_tortuosity=float(tau),
        separator_tortuosity=float(1.0 / effective_ionic_conductivity(1.0, eps_s)),
        particle_radius_um=d_um / 2.0 if d_um else DEFAULT_PARTICLE_RADIUS_UM,
        sigma_se_S_per_cm=float(sigma),
        anode=design.anode.material,
        temperature_c=design.temperature_c if temperature_c is None else float(temperature_c),
        area_cm2=design.area_cm2,
        cutoff_V=cutoff_V if cutoff_V is not None else design.cutoff_low_V,
    )


def p2d_rate(design: StackDesign, c_rates, *, sigma_se_S_per_cm: float | None = None,
             temperature_c: float | None = None, n_points: int = 100) -> list:
    """Discharge curves of ``design`` at ``c_rates`` from the PyBaMM solid-state model.

    Needs PyBaMM (the ``cell`` extra); a C-rate that fails is reported in its
    result's ``message`` and the others go on.
    """
    try:
        import pybamm  # noqa: F401
    except ImportError:
        raise InputError("the p2d model needs PyBaMM: pip install 'ssbkit[cell]'") from None
    from .p2d import simulate_rate

    params = design_to_p2d_params(design, sigma_se_S_per_cm=sigma_se_S_per_cm, temperature_c=temperature_c)
    return simulate_rate(params, list(np.atleast_1d(np.asarray(c_rates, dtype=float))), n_points=n_points)
