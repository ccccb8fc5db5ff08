"""Synthetic DSC curves with known constructions (analytic ground truth) for the processing tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.integrate import cumulative_trapezoid

from ssbkit.processing.dsc_io import DscCurve

R = 8.314462618
FIXTURES = Path(__file__).parent / "fixtures"


def logistic_step_and_gaussian(*, tg=210.0, s=3.0, step=0.05, tp=260.0, sig=5.0, height=0.8,
                               beta=10.0, slope=1e-4, t0=100.0, t1=400.0, dt=0.2, noise=0.0, seed=0):
    """Glass step (logistic, width s) + crystallization Gaussian on a sloped baseline.

    Analytic constructions: Tg onset = tg - 2 s, midpoint = tg, end = tg + 2 s (tangent at the
    inflection of a logistic); Tc onset = tp - 2 sig (tangent at the Gaussian's inflection);
    enthalpy = height sig sqrt(2 pi) / (beta / 60) J/g.
    """
    t = np.arange(t0, t1, dt)
    q = 0.1 + slope * t - step / (1 + np.exp(-(t - tg) / s)) + height * np.exp(-(t - tp) ** 2 / (2 * sig ** 2))
    if noise:
        q = q + np.random.default_rng(seed).normal(0, noise, t.size)
    return t, q


def jmak_scan(beta, *, ea=250e3, tp_ref=260.0, n=3.0, dh=60.0, t0=150.0, t1=400.0, dt=0.1):
    """Non-isothermal JMAK crystallization x = 1 - exp(-(I(T)/beta)^n), I = int A exp(-E/RT) dT.

    ln A is set so that the first-order Kissinger peak at 10 K/min lies at ``tp_ref``; the heat
    flow is dH beta dx/dT (W/g) on a sloped baseline. For n = 1 Kissinger's relation is exact.
    """
    tk_ref = tp_ref + 273.15
    ln_a = ea / (R * tk_ref) + np.log(ea * (10 / 60) / (R * tk_ref ** 2))
    tk = np.arange(t0, t1, dt) + 273.15
    k = np.exp(ln_a - ea / (R * tk))
    integral = cumulative_trapezoid(k, tk, initial=0) / (beta / 60)
    x = 1 - np.exp(-integral ** n)
    q = 0.05 + 2e-4 * (tk - 273.15) + dh * (beta / 60) * np.gradient(x, tk)
    return tk - 273.15, q, ln_a


@pytest.fixture
def curve_factory():
    """``curve_factory(**kw) -> DscCurve`` from :func:`logistic_step_and_gaussian`."""

    def make(beta=10.0, **kw):
        t, q = logistic_step_and_gaussian(beta=beta, **kw)
        return DscCurve(t, q, "W/g", beta, source="synthetic")

    return make


@pytest.fixture
def jmak_factory():
    """``jmak_factory(beta, **kw) -> (DscCurve, ln_A)``."""

    def make(beta, **kw):
        t, q, ln_a = jmak_scan(beta, **kw)
        return DscCurve(t, q, "W/g", beta, source=f"jmak {beta} K/min"), ln_a

    return make


@pytest.fixture
def fixtures_dir() -> Path:
    """``tests/processing/fixtures``."""
    return FIXTURES


@pytest.fixture
def analytic_rows():
    """``analytic_rows(step=0.2) -> (T_C, q_W_per_g, minutes)`` of the analytic curve at 10 K/min."""

    def make(step=0.2):
        t, q = logistic_step_and_gaussian(dt=step)
        return t, q, (t - t[0]) / 10.0

    return make
