"""VTF fit and Nernst-Einstein relation (science.md section 1)."""

from __future__ import annotations

import numpy as np
import pytest

from ssbkit.errors import InputError
from ssbkit.transport import (
    diffusivity_from_conductivity,
    fit_vtf,
    haven_ratio,
    nernst_einstein_conductivity,
    vtf,
)


def test_vtf_recovers_synthetic_parameters_with_noise():
    rng = np.random.default_rng(3)
    t = np.linspace(280, 380, 12)
    s = vtf(t, 2.0, 900.0, 190.0) * np.exp(rng.normal(0, 0.01, t.size))
    f = fit_vtf(t, s)
    assert abs(f.b_k - 900.0) < 4 * f.b_se_k + 1
    assert abs(f.t0_k - 190.0) < 4 * f.t0_se_k + 1
    assert f.pseudo_ea_ev == pytest.approx(900.0 * 8.617333e-5, rel=0.1)


def test_vtf_needs_four_points():
    with pytest.raises(InputError):
        fit_vtf([300, 310, 320], [1e-4, 2e-4, 3e-4])


def test_nernst_einstein_hand_calculation():
    """Li7P3S11-like: n = 2.5e28 /m3, D = 1e-11 m2/s, 300 K -> sigma = n e^2 D / kT."""
    e, k = 1.602176634e-19, 1.380649e-23
    expected = 2.5e28 * e**2 * 1e-11 / (k * 300.0)  # S/m
    got = nernst_einstein_conductivity(1e-11, 2.5e28, 300.0)
    assert got == pytest.approx(expected, rel=1e-9)
    assert got / 100 == pytest.approx(0.0155, rel=0.01)  # about 15 mS/cm
    assert nernst_einstein_conductivity(1e-11, 2.5e28, 300.0, haven_ratio=0.5) == pytest.approx(2 * expected)
    assert diffusivity_from_conductivity(expected, 2.5e28, 300.0) == pytest.approx(1e-11)


def test_haven_ratio_is_tracer_over_charge_diffusivity():
    assert haven_ratio(2e-12, 4e-12) == pytest.approx(0.5)
    with pytest.raises(InputError):
        haven_ratio(0.0, 1.0)
