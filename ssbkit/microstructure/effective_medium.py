"""Effective-medium formulas for the conductivity of composites and glass-ceramics.

Closed-form estimates beside the voxel solver (:mod:`ssbkit.microstructure.solver`):

* Bruggeman tortuosity ``tau = eps^-alpha`` (R-18; alpha = 0.5 for spheres) and
  the conductivity it implies, ``sigma_eff = sigma eps / tau = sigma eps^(1+alpha)``
  (R-17). Falco et al., Mol. Syst. Des. Eng. 4 (2019) 850.
* Maxwell-Garnett: spherical inclusions dispersed in a continuous matrix
  (Maxwell 1873; Garnett 1904), exact to first order in the inclusion fraction.
* Symmetric Bruggeman (effective-medium approximation, Bruggeman 1935) for
  N phases, ``sum_i phi_i (s_i - s) / (s_i + 2 s) = 0`` (``science.md`` §1);
  it has a percolation threshold at a conducting fraction of 1/3.
* Hashin-Shtrikman bounds for isotropic N-phase composites (Hashin &
  Shtrikman, J. Appl. Phys. 33 (1962) 3125).
* Glass-ceramics: crystalline phase in residual glass by Maxwell-Garnett
  (glass matrix) or symmetric Bruggeman (``science.md`` §1; Lin et al.,
  Materials 16 (2023), review of glass-ceramic electrolytes).

All conductivities share one unit (any); fractions are volume fractions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.optimize import brentq

from ssbkit.errors import InputError, did_you_mean, require_fraction, require_positive

from ..citations import cite

__all__ = [
    "bruggeman_tortuosity",
    "bruggeman_conductivity",
    "maxwell_garnett",
    "symmetric_bruggeman",
    "hashin_shtrikman_bounds",
    "glass_ceramic_conductivity",
]


def _phases(fractions: Sequence[float], conductivities: Sequence[float]):
    phi = np.asarray(fractions, dtype=float)
    sig = np.asarray(conductivities, dtype=float)
    if phi.ndim != 1 or phi.shape != sig.shape or phi.size == 0:
        raise InputError(f"fractions and conductivities must be 1-D of equal length, got "
                         f"{phi.shape} and {sig.shape}")
    if not (np.all(np.isfinite(phi)) and np.all(np.isfinite(sig))):
        raise InputError("fractions and conductivities must be finite")
    if np.any(phi < 0) or np.any(sig < 0):
        raise InputError("fractions and conductivities must be >= 0")
    if abs(phi.sum() - 1.0) > 1e-6:
        raise InputError(f"volume fractions must sum to 1, got {phi.sum():.6g}")
    return phi / phi.sum(), sig


def bruggeman_tortuosity(eps: float, alpha: float = 0.5) -> float:
    """Bruggeman tortuosity factor ``tau = eps^-alpha`` (R-18).

    Parameters
    ----------
    eps : float
        Volume fraction of the conducting phase, 0 < eps <= 1.
    alpha : float
        Bruggeman exponent; 0.5 for spheres (R-18), 0.9 has also been used.

    Returns
    -------
    float
        Tortuosity factor (dimensionless, >= 1 for alpha >= 0).
    """
    cite("Falco2019", "eq. R-18")
    eps = require_positive("eps", require_fraction("eps", eps))
    return float(eps ** -float(alpha))


def bruggeman_conductivity(sigma: float, eps: float, alpha: float = 0.5) -> float:
    """Effective conductivity ``sigma eps / tau = sigma eps^(1+alpha)`` (R-17 with R-18).

    Parameters
    ----------
    sigma : float
        Conductivity of the conducting phase (any unit).
    eps : float
        Its volume fraction.
    alpha : float
        Bruggeman exponent (R-18).

    Returns
    -------
    float
        Effective conductivity, unit of ``sigma``.
    """
    sigma = require_positive("sigma", sigma)
    return float(sigma * eps / bruggeman_tortuosity(eps, alpha))


def maxwell_garnett(sigma_matrix: float, sigma_inclusion: float, phi_inclusion: float) -> float:
    """Maxwell-Garnett conductivity of spheres dispersed in a matrix.

    ``s = s_m (s_i + 2 s_m + 2 phi (s_i - s_m)) / (s_i + 2 s_m - phi (s_i - s_m))``.

    Parameters
    ----------
    sigma_matrix, sigma_inclusion : float
        Conductivities of the continuous matrix and of the inclusions (>= 0, one unit).
    phi_inclusion : float
        Volume fraction of the inclusions.

    Returns
    -------
    float
        Effective conductivity, unit of the inputs.
    """
    sm = float(sigma_matrix)
    si = float(sigma_inclusion)
    if not (math.isfinite(sm) and math.isfinite(si)) or sm < 0 or si < 0:
        raise InputError(f"conductivities must be finite and >= 0, got {sigma_matrix}, {sigma_inclusion}")
    phi = require_fraction("phi_inclusion", phi_inclusion)
    den = si + 2 * sm - phi * (si - sm)
    if den == 0:
        return 0.0
    return float(sm * (si + 2 * sm + 2 * phi * (si - sm)) / den)


def symmetric_bruggeman(fractions: Sequence[float], conductivities: Sequence[float]) -> float:
    """Symmetric Bruggeman effective conductivity of N randomly mixed phases.

    Solves ``sum_i phi_i (s_i - s) / (s_i + 2 s) = 0`` (``science.md`` §1) for
    ``s >= 0``. The left side falls monotonically with ``s``, so the root is
    bracketed and found by Brent's method in ``log s``; it is 0 when the
    conducting phases fill 1/3 of the volume or less.

    Parameters
    ----------
    fractions : sequence of float
        Volume fractions (sum to 1).
    conductivities : sequence of float
        Conductivity of each phase (>= 0, one unit).

    Returns
    -------
    float
        Effective conductivity, unit of the inputs.
    """
    phi, sig = _phases(fractions, conductivities)
    keep = phi > 0
    phi, sig = phi[keep], sig[keep]
    if np.all(sig == sig[0]):
        return float(sig[0])

    def f(log_s: float) -> float:
        s = math.exp(log_s)
        return float(np.sum(phi * (sig - s) / (sig + 2 * s)))

    positive = sig[sig > 0]
    if positive.size == 0:
        return 0.0
    f0 = float(phi[sig > 0].sum() - 0.5 * phi[sig == 0].sum())  # limit s -> 0+
    if f0 <= 0:
        return 0.0
    hi = math.log(positive.max())
    lo = math.log(positive.min()) if np.all(sig > 0) else hi
    while f(lo) <= 0:  # zero-conductivity phases: walk down to bracket the root
        lo -= math.log(10.0)
        if lo < hi - 700:
            return 0.0
    if f(hi) >= 0:
        return float(positive.max())
    return float(math.exp(brentq(f, lo, hi, xtol=1e-14, rtol=1e-14)))


def hashin_shtrikman_bounds(fractions: Sequence[float],
                            conductivities: Sequence[float]) -> tuple[float, float]:
    """Hashin-Shtrikman bounds on the conductivity of an isotropic N-phase composite.

    ``s_HS(s0) = [sum_i phi_i / (s_i + 2 s0)]^-1 - 2 s0`` with ``s0`` the
    smallest (lower bound) or the largest (upper bound) phase conductivity
    (Hashin & Shtrikman, J. Appl. Phys. 33 (1962) 3125).

    Parameters
    ----------
    fractions : sequence of float
        Volume fractions (sum to 1).
    conductivities : sequence of float
        Phase conductivities (>= 0, one unit).

    Returns
    -------
    tuple of float
        ``(lower, upper)``, unit of the inputs.
    """
    phi, sig = _phases(fractions, conductivities)
    keep = phi > 0
    phi, sig = phi[keep], sig[keep]

    def bound(s0: float) -> float:
        den = sig + 2 * s0
        if np.any((den == 0) & (phi > 0)):
            return 0.0  # an insulating phase with an insulating reference
        return float(1.0 / np.sum(phi / den) - 2 * s0)

    return bound(float(sig.min())), bound(float(sig.max()))


def glass_ceramic_conductivity(crystalline_fraction: float, sigma_crystal: float,
                               sigma_glass: float, *, model: str = "bruggeman") -> float:
    """Conductivity of a glass-ceramic: a crystalline phase in residual glass (``science.md`` §1).

    Parameters
    ----------
    crystalline_fraction : float
        Volume fraction of the crystalline phase (0..1; 0.1-0.9 in practice).
    sigma_crystal, sigma_glass : float
        Conductivities of the crystalline phase and of the glass (one unit).
    model : {"bruggeman", "maxwell_garnett"}
        Symmetric Bruggeman (phases on equal footing) or Maxwell-Garnett
        (crystallites dispersed in a continuous glass matrix).

    Returns
    -------
    float
        Effective conductivity, unit of the inputs.
    """
    x = require_fraction("crystalline_fraction", crystalline_fraction)
    models = ("bruggeman", "maxwell_garnett")
    if model not in models:
        raise InputError(f"model {model!r} is not known{did_you_mean(model, models)}")
    if model == "maxwell_garnett":
        return maxwell_garnett(sigma_glass, sigma_crystal, x)
    return symmetric_bruggeman([x, 1.0 - x], [sigma_crystal, sigma_glass])
