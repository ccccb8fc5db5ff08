"""Arrhenius fits against synthetic data with known Ea (science.md section 1)."""

from __future__ import annotations

import numpy as np
import pytest

from ssbkit.constants import K_B_EV
from ssbkit.errors import InputError
from ssbkit.transport import ArrheniusFit, arrhenius, arrhenius_from_point, fit_arrhenius

T = np.linspace(253.15, 373.15, 9)


@pytest.mark.parametrize("form", ["sigmaT", "sigma"])
def test_exact_data_recovers_ea_and_prefactor(form):
    y = arrhenius(T, 5e3, 0.42, form=form)
    fit = fit_arrhenius(T, y, form=form)
    assert fit.ea_ev == pytest.approx(0.42, rel=1e-10)
    assert np.exp(fit.ln_prefactor) == pytest.approx(5e3, rel=1e-8)
    assert fit.predict(300.0) == pytest.approx(arrhenius(300.0, 5e3, 0.42, form=form), rel=1e-10)


def test_noisy_data_ea_within_its_confidence_interval_and_coverage_is_95_percent():
    """Synthetic ground truth: 5 % log-normal noise; the 95 % CI must cover the true Ea ~95 % of the time."""
    rng = np.random.default_rng(42)
    true = 0.30
    hits = 0
    n = 600
    for _ in range(n):
        y = arrhenius(T, 1e4, true) * np.exp(rng.normal(0, 0.05, T.size))
        f = fit_arrhenius(T, y)
        hits += f.ea_ci_ev[0] <= true <= f.ea_ci_ev[1]
    # binomial(600, 0.95): sd ~ 0.009 -> accept 0.92..0.98
    assert 0.92 <= hits / n <= 0.98


def test_known_errors_use_weights_and_absolute_covariance():
    rng = np.random.default_rng(1)
    y0 = arrhenius(T, 1e4, 0.5, form="sigma")
    err = y0 * np.linspace(0.01, 0.06, T.size)  # heteroscedastic, small enough for ln-linearisation
    hits = 0
    for _ in range(400):
        y = y0 * np.exp(rng.normal(0, err / y0))
        f = fit_arrhenius(T, y, y_err=err, form="sigma")
        hits += abs(f.ea_ev - 0.5) <= 1.96 * f.ea_se_ev
    assert f.absolute_sigma
    assert 0.92 <= hits / 400 <= 0.98


def test_prediction_interval_covers_new_measurements_when_extrapolating():
    rng = np.random.default_rng(7)
    t_new = 233.15  # -40 degC, outside the fitted range
    hits = 0
    for _ in range(400):
        y = arrhenius(T, 1e4, 0.35) * np.exp(rng.normal(0, 0.08, T.size))
        f = fit_arrhenius(T, y)
        new = arrhenius(t_new, 1e4, 0.35) * np.exp(rng.normal(0, 0.08))
        _, lo, hi = f.predict_interval(t_new)
        hits += lo <= new <= hi
    assert 0.92 <= hits / 400 <= 0.98


def test_ea_in_kj_per_mol_uses_96_485():
    f = fit_arrhenius(T, arrhenius(T, 1.0, 1.0))
    assert f.ea_kj_per_mol == pytest.approx(96.485, rel=1e-4)


def test_from_dict_round_trip():
    f = fit_arrhenius(T, arrhenius(T, 1e3, 0.3) * (1 + 0.01 * np.sin(T)))
    g = ArrheniusFit.from_dict(f.to_dict())
    assert g.predict(300.0) == pytest.approx(f.predict(300.0))
    assert g.ea_ci_ev == pytest.approx(f.ea_ci_ev)


def test_line_through_one_point_with_given_ea():
    f = arrhenius_from_point(298.15, 1e-3, 0.3)
    assert f.predict(298.15) == pytest.approx(1e-3)
    # sigma T ratio between two temperatures follows exp(-Ea/k (1/T2 - 1/T1))
    ratio = f.predict(373.15) * 373.15 / (1e-3 * 298.15)
    assert ratio == pytest.approx(np.exp(-0.3 / K_B_EV * (1 / 373.15 - 1 / 298.15)))


@pytest.mark.parametrize(
    "t,y,msg",
    [
        ([300, 310], [1e-3, -1e-3], "> 0"),
        ([300, -5], [1e-3, 1e-3], "above 0 K"),
        ([300, np.nan], [1e-3, 1e-3], "NaN"),
        ([300], [1e-3], "at least 2"),
        ([300, 300], [1e-3, 2e-3], "different temperatures"),
    ],
)
def test_bad_input_is_a_clear_error(t, y, msg):
    with pytest.raises(InputError, match=msg):
        fit_arrhenius(t, y)
