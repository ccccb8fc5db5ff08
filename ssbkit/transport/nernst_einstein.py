"""Nernst–Einstein relation and Haven ratio (science.md section 1)."""

from __future__ import annotations

import numpy as np

from ..citations import cite
from ..constants import E_CHARGE, K_B
from ..errors import InputError
from ..units import check_temperature_k

__all__ = [
    "nernst_einstein_conductivity",
    "diffusivity_from_conductivity",
    "haven_ratio",
    "haven_ratio_with_error",
    "conductivity_from_mobility",
]


def _positive(name, v):
    a = np.asarray(v, dtype=float)
    if not np.all(np.isfinite(a)) or np.any(a <= 0):
        raise InputError(f"{name} must be finite and > 0")
    return a


def nernst_einstein_conductivity(d_m2_per_s, n_per_m3, t_k, *, charge: int = 1, haven_ratio: float = 1.0):
    """Ionic conductivity sigma = n q^2 D_tracer / (k_B T H_R), S/m.

    Nernst–Einstein relation with Haven ratio (science.md section 1).

    Parameters
    ----------
    d_m2_per_s
        Tracer diffusion coefficient, m2/s (1 cm2/s = 1e-4 m2/s).
    n_per_m3
        Number density of the mobile ion, 1/m3.
    t_k
        Temperature, K.
    charge
        Charge number z of the ion (q = z e).
    haven_ratio
        H_R = D_tracer / D_sigma (1 for uncorrelated hops).

    Returns
    -------
    Conductivity in S/m (divide by 100 for S/cm).
    """
    cite("Falco2019", "eq. R-2")
    d = _positive("diffusion coefficient", d_m2_per_s)
    n = _positive("number density", n_per_m3)
    t = check_temperature_k(t_k)
    t = t if np.ndim(t_k) else t[0]
    if haven_ratio <= 0:
        raise InputError(f"Haven ratio must be > 0, got {haven_ratio}")
    q = charge * E_CHARGE
    return n * q * q * d / (K_B * t * haven_ratio)


def diffusivity_from_conductivity(sigma_s_per_m, n_per_m3, t_k, *, charge: int = 1, haven_ratio: float = 1.0):
    """Inverse of :func:`nernst_einstein_conductivity`: D_tracer in m2/s from sigma in S/m.

    Parameters
    ----------
    sigma_s_per_m
        Ionic conductivity, S/m (1 S/cm = 100 S/m).
    n_per_m3
        Number density of the mobile ion, 1/m3.
    t_k
        Temperature, K.
    charge
        Charge number z of the ion (q = z e).
    haven_ratio
        H_R = D_tracer / D_sigma (1 for uncorrelated hops).

    Returns
    -------
    float or numpy.ndarray
        Tracer diffusion coefficient, m2/s.

    Examples
    --------
    >>> s = nernst_einstein_conductivity(1e-12, 1e28, 300.0)
    >>> float(f"{float(diffusivity_from_conductivity(s, 1e28, 300.0)):.6g}")
    1e-12
    """
    s = _positive("conductivity", sigma_s_per_m)
    unit = nernst_einstein_conductivity(1.0, n_per_m3, t_k, charge=charge, haven_ratio=haven_ratio)
    return s / unit


def haven_ratio(d_tracer, d_sigma):
    """Haven ratio H_R = D_tracer / D_sigma (same units).

    Parameters
    ----------
    d_tracer
        Tracer diffusion coefficient (any unit, > 0).
    d_sigma
        Charge (conductivity) diffusion coefficient, same unit (> 0).

    Returns
    -------
    float or numpy.ndarray
        H_R, dimensionless.

    Examples
    --------
    >>> round(float(haven_ratio(3e-12, 1e-11)), 6)
    0.3
    """
    return _positive("D_tracer", d_tracer) / _positive("D_sigma", d_sigma)


def haven_ratio_with_error(d_tracer, d_tracer_err, d_sigma, d_sigma_err):
    """Haven ratio H_R = D_tracer / D_sigma with its first-order standard error.

    Parameters
    ----------
    d_tracer, d_tracer_err : float
        Tracer diffusivity and its standard error (any unit, same as ``d_sigma``).
    d_sigma, d_sigma_err : float
        Charge diffusivity (from sigma by Nernst-Einstein) and its standard error.

    Returns
    -------
    tuple of float
        (H_R, s_H) with (s_H/H_R)^2 = (s_t/D_t)^2 + (s_s/D_s)^2 (independent errors).

    Examples
    --------
    >>> h, e = haven_ratio_with_error(3.0, 0.3, 10.0, 0.0)
    >>> print(round(float(h), 3), round(float(e), 3))
    0.3 0.03
    """
    h = haven_ratio(d_tracer, d_sigma)
    for name, v in (("D_tracer error", d_tracer_err), ("D_sigma error", d_sigma_err)):
        if not (v >= 0):
            raise InputError(f"{name} must be >= 0, got {v!r}")
    rel = ((d_tracer_err / d_tracer) ** 2 + (d_sigma_err / d_sigma) ** 2) ** 0.5
    return h, h * rel


def conductivity_from_mobility(n_per_m3, mobility_m2_per_v_s, *, charge: int = 1):
    """sigma = n q u (R-2) for one carrier species, S/m.

    Parameters
    ----------
    n_per_m3
        Carrier number density, 1/m3.
    mobility_m2_per_v_s
        Carrier mobility, m2/(V s).
    charge
        Charge number z of the carrier.

    Returns
    -------
    float or numpy.ndarray
        Conductivity, S/m.

    Examples
    --------
    >>> round(float(conductivity_from_mobility(1e28, 1e-8)), 4)  # 1e28 x 1.602e-19 C x 1e-8
    16.0218
    """
    return _positive("number density", n_per_m3) * charge * E_CHARGE * _positive("mobility", mobility_m2_per_v_s)
