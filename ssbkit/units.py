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
    """Temperature(s), K from temperature(s).

    Parameters
    ----------
    t_c : float or array_like
        Temperature(s), degC.

    Returns
    -------
    numpy.ndarray or numpy.float64
        Temperature(s), K.

    Examples
    --------
    >>> celsius_to_kelvin(25.0)
    np.float64(298.15)
    """
    return np.asarray(t_c, dtype=float) + ZERO_C


def kelvin_to_celsius(t_k):
    """Temperature(s), degC from temperature(s).

    Parameters
    ----------
    t_k : float or array_like
        Temperature(s), K.

    Returns
    -------
    numpy.ndarray or numpy.float64
        Temperature(s), degC.

    Examples
    --------
    >>> kelvin_to_celsius(373.15)
    np.float64(100.0)
    """
    return np.asarray(t_k, dtype=float) - ZERO_C


def check_temperature_k(t_k, name: str = "temperature"):
    """Check absolute temperatures.

    Parameters
    ----------
    t_k : float or array_like
        Temperature(s), K.
    name
        How the message names the input.

    Returns
    -------
    numpy.ndarray
        ``t_k`` as a 1-D float array.

    Raises
    ------
    InputError
        For NaN, infinite values or T <= 0 K.
    """
    t = np.atleast_1d(np.asarray(t_k, dtype=float))
    if not np.all(np.isfinite(t)):
        raise InputError(f"{name} contains NaN or infinite values")
    if np.any(t <= 0):
        bad = t[t <= 0][0]
        raise InputError(f"{name} must be above 0 K, got {bad:g} K")
    return t


def to_kelvin(t, unit: str):
    """Convert temperatures in ``unit`` to K and check them.

    Parameters
    ----------
    t : float or array_like
        Temperature(s).
    unit
        ``"K"``, ``"C"``, ``"degC"`` (case and a degree sign are ignored).

    Returns
    -------
    numpy.ndarray
        Temperatures, K (checked by :func:`check_temperature_k`).

    Examples
    --------
    >>> to_kelvin([25, 100], "°C")
    array([298.15, 373.15])
    """
    u = unit.strip().lower().replace("°", "")
    if u in ("k", "kelvin"):
        t_k = np.asarray(t, dtype=float)
    elif u in ("c", "degc", "celsius"):
        t_k = celsius_to_kelvin(t)
    else:
        raise InputError(f"temperature unit must be 'K' or 'degC', got {unit!r}")
    return check_temperature_k(t_k)


def s_per_cm_to_s_per_m(s):
    """Conductivity, S/m from conductivity.

    Parameters
    ----------
    s : float or array_like
        Conductivity, S/cm.

    Returns
    -------
    numpy.ndarray or numpy.float64
        Conductivity, S/m (x100).

    Examples
    --------
    >>> s_per_cm_to_s_per_m(1e-3)
    np.float64(0.1)
    """
    return np.asarray(s, dtype=float) * 100.0


def s_per_m_to_s_per_cm(s):
    """Conductivity, S/cm from conductivity.

    Parameters
    ----------
    s : float or array_like
        Conductivity, S/m.

    Returns
    -------
    numpy.ndarray or numpy.float64
        Conductivity, S/cm (/100).

    Examples
    --------
    >>> s_per_m_to_s_per_cm(0.1)
    np.float64(0.001)
    """
    return np.asarray(s, dtype=float) / 100.0


def um_to_m(x):
    """Length, m from length.

    Parameters
    ----------
    x : float or array_like
        Length, um.

    Returns
    -------
    numpy.ndarray or numpy.float64
        Length, m.

    Examples
    --------
    >>> float(um_to_m(2.0))
    2e-06
    """
    return np.asarray(x, dtype=float) * 1e-6


def m_to_um(x):
    """Length, um from length.

    Parameters
    ----------
    x : float or array_like
        Length, m.

    Returns
    -------
    numpy.ndarray or numpy.float64
        Length, um.

    Examples
    --------
    >>> m_to_um(6e-5)
    np.float64(60.0)
    """
    return np.asarray(x, dtype=float) * 1e6


def cm_to_m(x):
    """Length, m from length.

    Parameters
    ----------
    x : float or array_like
        Length, cm.

    Returns
    -------
    numpy.ndarray or numpy.float64
        Length, m.

    Examples
    --------
    >>> cm_to_m(1.0)
    np.float64(0.01)
    """
    return np.asarray(x, dtype=float) * 1e-2


def mg_per_cm2_to_kg_per_m2(x):
    """Areal loading, kg/m2 from areal loading.

    Parameters
    ----------
    x : float or array_like
        Areal loading, mg/cm2.

    Returns
    -------
    numpy.ndarray or numpy.float64
        Areal loading, kg/m2 (x0.01).

    Examples
    --------
    >>> mg_per_cm2_to_kg_per_m2(10.0)
    np.float64(0.1)
    """
    return np.asarray(x, dtype=float) * 1e-2


def mah_per_g_to_c_per_kg(x):
    """Specific capacity, C/kg from specific capacity.

    Parameters
    ----------
    x : float or array_like
        Specific capacity, mAh/g.

    Returns
    -------
    numpy.ndarray or numpy.float64
        Specific capacity, C/kg (1 mAh/g = 3600 C/kg).

    Examples
    --------
    >>> mah_per_g_to_c_per_kg(1.0)
    np.float64(3600.0)
    """
    return np.asarray(x, dtype=float) * 3600.0


def c_per_kg_to_mah_per_g(x):
    """Specific capacity, mAh/g from specific capacity.

    Parameters
    ----------
    x : float or array_like
        Specific capacity, C/kg.

    Returns
    -------
    numpy.ndarray or numpy.float64
        Specific capacity, mAh/g.

    Examples
    --------
    >>> c_per_kg_to_mah_per_g(3600.0)
    np.float64(1.0)
    """
    return np.asarray(x, dtype=float) / 3600.0


def mah_per_cm2_to_c_per_m2(x):
    """Areal capacity, C/m2 from areal capacity.

    Parameters
    ----------
    x : float or array_like
        Areal capacity, mAh/cm2.

    Returns
    -------
    numpy.ndarray or numpy.float64
        Areal capacity, C/m2 (1 mAh/cm2 = 36 000 C/m2).

    Examples
    --------
    >>> mah_per_cm2_to_c_per_m2(1.0)
    np.float64(36000.0)
    """
    return np.asarray(x, dtype=float) * 3.6e4


def ev_to_kj_per_mol(e_ev):
    """Molar energy, kJ/mol from energy per particle.

    Parameters
    ----------
    e_ev : float or array_like
        Energy per particle, eV.

    Returns
    -------
    numpy.ndarray or numpy.float64
        Molar energy, kJ/mol (1 eV = 96.485 kJ/mol, science.md section 1).

    Examples
    --------
    >>> round(float(ev_to_kj_per_mol(1.0)), 3)
    96.485
    """
    return np.asarray(e_ev, dtype=float) * EV_TO_KJ_PER_MOL


def kj_per_mol_to_ev(e_kj):
    """Energy per particle, eV from molar energy.

    Parameters
    ----------
    e_kj : float or array_like
        Molar energy, kJ/mol.

    Returns
    -------
    numpy.ndarray or numpy.float64
        Energy per particle, eV.

    Examples
    --------
    >>> round(float(kj_per_mol_to_ev(96.485)), 4)
    1.0
    """
    return np.asarray(e_kj, dtype=float) / EV_TO_KJ_PER_MOL
