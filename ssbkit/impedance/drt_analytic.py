"""Analytic distributions of relaxation times: ZARC (Cole-Cole) and Havriliak-Negami.

Known DRTs, the ground truth against which :func:`ssbkit.impedance.drt.compute_drt` and
its peers are tested and benchmarked.
"""

from __future__ import annotations

import numpy as np

__all__ = ["hn_drt", "zarc_drt"]


def zarc_drt(tau_s: np.ndarray, r_ohm: float, tau0_s: float, phi: float) -> np.ndarray:
    """Analytic DRT of a ZARC, Z = R / (1 + (j w tau0)^phi), in ohm per unit ln tau.

    gamma(s) = (R / 2 pi) sin(phi pi) / (cosh(phi s) + cos(phi pi)), s = ln(tau/tau0)
    (Fuoss & Kirkwood, J. Am. Chem. Soc. 63 (1941) 385; Boukamp, Electrochim.
    Acta 154 (2015) 35). Integrates to R over ln tau.

    Parameters
    ----------
    tau_s
        Relaxation times, s.
    r_ohm
        ZARC resistance R, ohm.
    tau0_s
        Characteristic time constant tau0, s.
    phi
        ZARC exponent, 0 < phi <= 1 (phi = 1 is an ideal RC element).

    Returns
    -------
    numpy.ndarray
        gamma(tau), ohm per unit ln tau, same shape as ``tau_s``.

    Examples
    --------
    >>> import numpy as np
    >>> tau = np.logspace(-9, 3, 4001)
    >>> g = zarc_drt(tau, 100.0, 1e-3, 0.8)
    >>> round(float(np.trapezoid(g, np.log(tau))), 2)
    100.0
    """
    s = np.log(np.asarray(tau_s, dtype=float) / tau0_s)
    return r_ohm / (2.0 * np.pi) * np.sin(phi * np.pi) / (np.cosh(phi * s) + np.cos(phi * np.pi))


def hn_drt(tau_s: np.ndarray, r_ohm: float, tau0_s: float, alpha: float,
           beta: float) -> np.ndarray:
    """Analytic DRT of a Havriliak-Negami element, Z = R / (1 + (j w tau0)^alpha)^beta.

    With x = tau/tau0, in ohm per unit ln tau,

        gamma = (R/pi) x^(alpha beta) sin(beta theta)
                / (x^(2 alpha) + 2 x^alpha cos(pi alpha) + 1)^(beta/2),
        theta = atan2(sin(pi alpha), x^alpha + cos(pi alpha))  (0 < theta < pi)

    (the element: Havriliak & Negami, Polymer 8 (1967) 161; the distribution as the
    Wikipedia article "Havriliak-Negami relaxation" gives it, attributed there to Zorn,
    J. Polym. Sci. B 37 (1999) 1043: neither reference nor a DOI was checked here, the
    formula is checked numerically against the HN impedance instead). beta = 1 is the ZARC
    (:func:`zarc_drt`); alpha = 1 (Cole-Davidson) is singular at tau0 and vanishes
    above it, so sample it finely there. Integrates to R over ln tau; ``tests/impedance/test_drt_analytic.py``
    checks that it reproduces the element's impedance.

    Parameters
    ----------
    tau_s
        Relaxation times, s.
    r_ohm
        Resistance R, ohm.
    tau0_s
        Characteristic time constant tau0, s.
    alpha
        Broadening exponent, 0 < alpha < 1 (see above for alpha = 1).
    beta
        Asymmetry exponent, 0 < beta <= 1 (alpha beta <= 1).

    Returns
    -------
    numpy.ndarray
        gamma(tau), ohm per unit ln tau, same shape as ``tau_s``.

    Examples
    --------
    >>> import numpy as np
    >>> tau = np.logspace(-12, 4, 8001)
    >>> g = hn_drt(tau, 100.0, 1e-3, 0.8, 0.6)
    >>> round(float(np.trapezoid(g, np.log(tau))), 1)
    100.0
    """
    x = np.asarray(tau_s, dtype=float) / tau0_s
    xa = x**alpha
    theta = np.arctan2(np.sin(np.pi * alpha), xa + np.cos(np.pi * alpha))
    den = (xa * xa + 2.0 * xa * np.cos(np.pi * alpha) + 1.0) ** (beta / 2.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        g = r_ohm / np.pi * x ** (alpha * beta) * np.sin(beta * theta) / den
    return np.where(np.isfinite(g), np.maximum(g, 0.0), 0.0)
