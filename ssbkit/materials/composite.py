"""Composite electrodes: their components, default densities and fraction conversions.

Shared by the microstructure generator and the cell design: a composite is
made of ``active`` material, solid ``electrolyte``, ``carbon`` and ``binder``.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..errors import InputError, did_you_mean, require_fraction, require_positive

__all__ = ["COMPONENTS", "FRACTION_TOL", "COMPONENT_DENSITIES_G_CM3", "check_fractions", "mass_to_volume_fractions"]

COMPONENTS = ("active", "electrolyte", "carbon", "binder")
#: fractions must sum to one within this tolerance
FRACTION_TOL = 1e-3

#: Default densities (g/cm3) of the inactive components, with their source.
COMPONENT_DENSITIES_G_CM3: dict[str, tuple[float, str]] = {
    "electrolyte": (1.90, "Li2S-P2S5 glass / glass-ceramic and argyrodites, typical 1.6-2.0 g/cm3"),
    "carbon": (1.90, "acetylene black / carbon black true density, typical 1.8-2.0 g/cm3"),
    "binder": (1.78, "PVDF (CRC Handbook)"),
}


def check_fractions(fractions: Mapping[str, float], what: str) -> dict[str, float]:
    """Validate component fractions (known names, 0..1, sum 1, some active); return all four, renormalised.

    Parameters
    ----------
    fractions
        ``{component: fraction}`` (dimensionless, 0 to 1) over some of :data:`COMPONENTS`;
        they must sum to 1 within :data:`FRACTION_TOL` and include ``active`` > 0.
    what
        Name of the table, for messages (e.g. ``"[cathode] mass_fractions"``).

    Returns
    -------
    dict of str to float
        All four components (missing ones 0.0), divided by their sum.

    Raises
    ------
    InputError
        For an empty or non-mapping table, an unknown component, a fraction outside
        [0, 1], a sum away from 1, or no active material.

    Examples
    --------
    >>> check_fractions({"active": 0.7, "electrolyte": 0.3}, "mass_fractions")
    {'active': 0.7, 'electrolyte': 0.3, 'carbon': 0.0, 'binder': 0.0}
    """
    if not isinstance(fractions, Mapping) or not fractions:
        raise InputError(f"{what} must be a table like {{ active = 0.7, electrolyte = 0.3 }}")
    out: dict[str, float] = {}
    for k, v in fractions.items():
        if k not in COMPONENTS:
            raise InputError(f"{what}: unknown component '{k}'{did_you_mean(k, COMPONENTS)}")
        out[k] = require_fraction(f"{what}.{k}", v)
    total = sum(out.values())
    if abs(total - 1.0) > FRACTION_TOL:
        raise InputError(f"{what} sum to {total:.4f}; they must sum to 1 (within {FRACTION_TOL:g})")
    if out.get("active", 0.0) <= 0:
        raise InputError(f"{what}: 'active' must be > 0")
    return {k: out.get(k, 0.0) / total for k in COMPONENTS}


def mass_to_volume_fractions(mass_fractions: Mapping[str, float], densities_g_cm3: Mapping[str, float]) -> dict[str, float]:
    """Solid volume fractions from mass fractions: v_i = (w_i/rho_i) / sum_j (w_j/rho_j).

    Parameters
    ----------
    mass_fractions
        ``{component: mass fraction}`` of the solids, checked as by :func:`check_fractions`.
    densities_g_cm3
        Density of every component with a non-zero mass fraction, g/cm3 (> 0).

    Returns
    -------
    dict of str to float
        Volume fractions of the solids (dimensionless, sum 1), all four components.

    Raises
    ------
    InputError
        For bad fractions, or a missing or non-positive density of a component present.

    Examples
    --------
    Equal masses of a 4 g/cm3 active material and a 2 g/cm3 electrolyte:

    >>> v = mass_to_volume_fractions({"active": 0.5, "electrolyte": 0.5},
    ...                              {"active": 4.0, "electrolyte": 2.0, "carbon": 1.9, "binder": 1.78})
    >>> round(v["active"], 4), round(v["electrolyte"], 4)
    (0.3333, 0.6667)
    """
    w = check_fractions(mass_fractions, "mass_fractions")
    vol = {}
    for k in COMPONENTS:
        if w[k] <= 0:
            vol[k] = 0.0
            continue
        if k not in densities_g_cm3:
            raise InputError(f"densities_g_cm3: no density given for '{k}' (mass fraction {w[k]:g}); "
                             f"give it in g/cm3 (densities given: {', '.join(sorted(densities_g_cm3)) or 'none'})")
        vol[k] = w[k] / require_positive(f"density of {k} (g/cm3)", densities_g_cm3[k])
    total = sum(vol.values())
    return {k: v / total for k, v in vol.items()}
