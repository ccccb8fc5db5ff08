"""Unit helpers between SI (used inside ssbkit) and the field's units.

The field reports conductivity in S/cm, capacity in mAh/g and mAh/cm2, loading
in mg/cm2, thickness in um and temperature in degC; ssbkit computes in SI and
converts at the edges with these helpers. All functions accept scalars or
numpy arrays.
"""

from __future__ import annotations

import numpy as np

from .constants import EV_TO_KJ_PER_MOL, ZERO_C
from .errors import InputError

__all__ = [
    "celsius_to_kelvin",
    "kelvin_to_celsius",
    "to_kelvin",
    "s_per_cm_to_s_per_m",
    "s_per_m_to_s_per_cm",
    "um_to_m",
    "m_to_um",
    "cm_to_m",
    "mg_per_cm2_to_kg_per_m2",
    "mah_per_g_to_c_per_kg",
    "c_per_kg_to_mah_per_g",
    "mah_per_cm2_to_c_per_m2",
    "ev_to_kj_per_mol",
    "kj_per_mol_to_ev",
    "check_temperature_k",
]


def celsius_to_kelvin(t_c):
    """degC -> K."""
    return np.asarray(t_c, dtype=float) + ZERO_C


def kelvin_to_celsius(t_k):
    """K -> degC."""
    return np.asarray(t_k, dtype=float) - ZERO_C


def check_temperature_k(t_k, name: str = "temperature"):
    """Return ``t_k`` as a float array, raising :class:`InputError` for NaN or T <= 0 K."""
    t = np.atleast_1d(np.asarray(t_k, dtype=float))
    if not np.all(np.isfinite(t)):
        raise InputError(f"{name} contains NaN or infinite values")
    if np.any(t <= 0):
        bad = t[t <= 0][0]
        raise InputError(f"{name} must be above 0 K, got {bad:g} K")
    return t


def to_kelvin(t, unit: str):
    """Convert temperatures in ``unit`` ('K', 'C', 'degC') to K and check them."""
    u = unit.strip().lower().replace("°", "")
    if u in ("k", "kelvin"):
        t_k = np.asarray(t, dtype=float)
    elif u in ("c", "degc", "celsius"):
        t_k = celsius_to_kelvin(t)
    else:
        raise InputError(f"temperature unit must be 'K' or 'degC', got {unit!r}")
    return check_temperature_k(t_k)


def s_per_cm_to_s_per_m(s):
    """S/cm -> S/m (x100)."""
    return np.asarray(s, dtype=float) * 100.0


def s_per_m_to_s_per_cm(s):
    """S/m -> S/cm (/100)."""
    return np.asarray(s, dtype=float) / 100.0


def um_to_m(x):
    """um -> m."""
    return np.asarray(x, dtype=float) * 1e-6


def m_to_um(x):
    """m -> um."""
    return np.asarray(x, dtype=float) * 1e6


def cm_to_m(x):
    """cm -> m."""
    return np.asarray(x, dtype=float) * 1e-2


def mg_per_cm2_to_kg_per_m2(x):
    """mg/cm2 -> kg/m2 (x0.01)."""
    return np.asarray(x, dtype=float) * 1e-2


def mah_per_g_to_c_per_kg(x):
    """mAh/g -> C/kg (1 mAh/g = 3600 C/kg)."""
    return np.asarray(x, dtype=float) * 3600.0


def c_per_kg_to_mah_per_g(x):
    """C/kg -> mAh/g."""
    return np.asarray(x, dtype=float) / 3600.0


def mah_per_cm2_to_c_per_m2(x):
    """mAh/cm2 -> C/m2 (1 mAh/cm2 = 3.6 C / 1e-4 m2)."""
    return np.asarray(x, dtype=float) * 3.6e4


def ev_to_kj_per_mol(e_ev):
    """eV per particle -> kJ/mol (1 eV = 96.485 kJ/mol, science.md section 1)."""
    return np.asarray(e_ev, dtype=float) * EV_TO_KJ_PER_MOL


def kj_per_mol_to_ev(e_kj):
    """kJ/mol -> eV per particle."""
    return np.asarray(e_kj, dtype=float) / EV_TO_KJ_PER_MOL
