"""Error propagation (area, Haven ratio), kelvin-as-degC checks and model-aware
extrapolation of sigma(T)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ssbkit.constants import K_B_EV
from ssbkit.errors import InputError
from ssbkit.transport import conductivity_from_resistance
from ssbkit.transport.extrapolation import Extrapolation, extrapolate_sigma, require_celsius
from ssbkit.transport.nernst_einstein import haven_ratio_with_error


def test_area_error_propagates_to_sigma():
    """sigma = d/(R A): a 5 % area error alone gives a 5 % sigma error; with a 3 % R error,
    sqrt(0.05^2 + 0.03^2) (first-order propagation). A mutant ignoring area_err fails."""
    m = conductivity_from_resistance(1000.0, 0.1, area_cm2=2.0, area_err_cm2=0.1)
    assert m.error / m.value == pytest.approx(0.05, rel=1e-12)
    m2 = conductivity_from_resistance(1000.0, 0.1, area_cm2=2.0, area_err_cm2=0.1, r_err_ohm=30.0)
    assert m2.error / m2.value == pytest.approx(math.hypot(0.05, 0.03), rel=1e-12)


def test_haven_ratio_error_is_the_quadrature_sum_of_relative_errors():
    """H = 0.3 from D_t = 3 +- 0.3 and D_s = 10 +- 0.4: s_H/H = sqrt(0.1^2 + 0.04^2)."""
    h, e = haven_ratio_with_error(3.0, 0.3, 10.0, 0.4)
    assert h == pytest.approx(0.3)
    assert e == pytest.approx(0.3 * math.hypot(0.1, 0.04), rel=1e-12)
    with pytest.raises(InputError, match="error"):
        haven_ratio_with_error(3.0, -0.1, 10.0, 0.4)


@pytest.mark.parametrize("temps", [[298.15, 323.15, 353.15], [253, 273, 298, 323]])
def test_kelvin_typed_as_celsius_is_caught(temps):
    with pytest.raises(InputError, match="look like kelvin"):
        require_celsius(temps)
    assert require_celsius(temps, allow_hot=True).size == len(temps)


def test_genuine_celsius_series_pass():
    np.testing.assert_array_equal(require_celsius([25, 50, 80, 120]), [25, 50, 80, 120])
    np.testing.assert_array_equal(require_celsius([400, 500, 600]), [400, 500, 600])
    with pytest.raises(InputError, match="absolute zero"):
        require_celsius([-300.0])


def test_far_extrapolation_interval_covers_the_model_choice():
    """Data from sigma = A exp(-Ea/kT) (the 'sigma' form, Ea = 0.35 eV) at 140..200 degC with
    0.2 % scatter, fitted by default in the sigmaT form and extrapolated 115 K down to 25 degC:
    the sigmaT-only interval misses the true value, the envelope over forms covers it, and
    the record says it extrapolated 115 K."""
    rng = np.random.default_rng(1)
    t = np.linspace(140, 200, 7) + 273.15
    true = lambda tk: 50.0 * np.exp(-0.35 / (K_B_EV * tk))  # noqa: E731
    s = true(t) * np.exp(0.002 * rng.standard_normal(t.size))
    e = extrapolate_sigma(t, s, 298.15, sigma_err=0.002 * s, form="sigmaT")
    assert e.extrapolated_k == pytest.approx(115.0)
    assert not (e.lower_stat <= true(298.15) <= e.upper_stat)
    assert e.lower <= true(298.15) <= e.upper
    assert e.ea_lower_ev <= 0.35 <= e.ea_upper_ev
    assert Extrapolation.from_json(e.to_json()) == e


def test_transport_records_round_trip():
    from ssbkit.transport import ArrheniusFit, Measurement, fit_arrhenius

    m = conductivity_from_resistance(1000.0, 0.1, area_cm2=2.0, area_err_cm2=0.1)
    assert Measurement.from_json(m.to_json()) == m
    t = np.array([300.0, 320.0, 340.0])
    f = fit_arrhenius(t, 1e3 / t * np.exp(-0.3 / (K_B_EV * t)) * np.array([1.0, 1.01, 0.99]))
    back = ArrheniusFit.from_json(f.to_json())
    assert back.ea_ev == f.ea_ev and back.cov == f.cov
