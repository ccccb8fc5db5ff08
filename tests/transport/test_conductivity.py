"""sigma = d / (R A) (R-3) with first-order error propagation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ssbkit.errors import InputError
from ssbkit.transport import conductivity_from_resistance


def test_pellet_hand_calculation():
    # 0.21 cm thick, 0.8 cm diameter (the reference pellet series): A = 0.50265 cm2
    m = conductivity_from_resistance(1000.0, 0.21, diameter_cm=0.8)
    assert m.value == pytest.approx(0.21 / (1000.0 * math.pi * 0.16), rel=1e-12)
    assert m.unit == "S/cm"


def test_uncertainty_propagation_matches_monte_carlo():
    rng = np.random.default_rng(0)
    r, d, D = 500.0, 0.1, 1.0
    sr, sd, sD = 10.0, 0.002, 0.005
    m = conductivity_from_resistance(r, d, diameter_cm=D, r_err_ohm=sr, thickness_err_cm=sd, diameter_err_cm=sD)
    n = 200_000
    samples = rng.normal(d, sd, n) / (rng.normal(r, sr, n) * np.pi * rng.normal(D, sD, n) ** 2 / 4)
    assert m.error == pytest.approx(samples.std(), rel=0.03)


@pytest.mark.parametrize("kw", [dict(r_ohm=-1, thickness_cm=0.1, area_cm2=1),
                                dict(r_ohm=1, thickness_cm=0, area_cm2=1),
                                dict(r_ohm=1, thickness_cm=0.1),
                                dict(r_ohm=1, thickness_cm=0.1, area_cm2=1, diameter_cm=1),
                                dict(r_ohm=float("nan"), thickness_cm=0.1, area_cm2=1)])
def test_bad_geometry_is_rejected(kw):
    with pytest.raises(InputError):
        conductivity_from_resistance(**kw)
