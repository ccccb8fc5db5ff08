"""Analytic DRTs against the impedance they must reproduce (independent numerical check).

gamma is a DRT of Z when int gamma(ln tau) / (1 + j w tau) d ln tau = Z(w) - R_inf; the
integral is done here by the trapezoidal rule on a wide, fine grid of ln tau, and Z is
the element's own closed form (ZARC: R/(1 + (j w tau0)^phi); Havriliak-Negami:
R/(1 + (j w tau0)^alpha)^beta).
"""

from __future__ import annotations

import numpy as np
import pytest

from ssbkit.impedance.drt_analytic import hn_drt, zarc_drt

S = np.linspace(-70, 70, 280001)  # ln(tau/tau0)
TAU0 = 1e-3
TAU = TAU0 * np.exp(S)
W = 1 / TAU0 * np.array([0.01, 0.3, 1.0, 3.0, 100.0])


def _stieltjes(g: np.ndarray) -> np.ndarray:
    return np.trapezoid(g[None, :] / (1 + 1j * np.outer(W, TAU)), S, axis=1)


@pytest.mark.parametrize(("alpha", "beta"), [(0.8, 0.6), (0.6, 0.9), (0.9, 0.3)])
def test_hn_drt_reproduces_the_havriliak_negami_impedance(alpha, beta):
    g = hn_drt(TAU, 2.0, TAU0, alpha, beta)
    assert np.trapezoid(g, S) == pytest.approx(2.0, rel=1e-4)
    exact = 2.0 / (1 + (1j * W * TAU0) ** alpha) ** beta
    np.testing.assert_allclose(_stieltjes(g), exact, rtol=1e-4, atol=1e-6)


def test_hn_with_beta_one_is_the_zarc():
    np.testing.assert_allclose(hn_drt(TAU, 5.0, TAU0, 0.7, 1.0), zarc_drt(TAU, 5.0, TAU0, 0.7),
                               rtol=1e-10, atol=1e-14)


def test_hn_drt_is_skewed_to_short_times():
    """beta < 1 puts the mode below tau0 and a longer tail at short tau (Zorn 1999)."""
    g = hn_drt(TAU, 1.0, TAU0, 0.8, 0.5)
    assert TAU[np.argmax(g)] < TAU0
    left, right = g[S < -3].sum(), g[S > 3].sum()
    assert left > 5 * right
