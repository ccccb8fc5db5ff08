"""Planetary-mill dose after Burgio et al. (1991): hand evaluation and the model's scaling laws."""

from __future__ import annotations

import dataclasses
import math

import pytest

from ssbkit.errors import InputError
from ssbkit.processing.milling import MillingDose, MillingRun, milling_dose

RUN = MillingRun("Fritsch P7", "zirconia", "zirconia", ball_diameter_mm=10.0, n_balls=10, powder_mass_g=1.0,
                 rpm=400.0, time_h=10.0, disc_radius_mm=70.0, vial_radius_mm=22.5, speed_ratio=2.0)


def test_energy_per_hit_matches_a_hand_evaluation_of_burgio_eq():
    """dE = -m (w_v^3 r / w_p + w_p w_v R_p) r, r = R_v - d/2, w_v = -2 w_p (Burgio 1991)."""
    m = 6.0 * math.pi / 6 * 1.0 ** 3 * 1e-3  # kg: 10 mm zirconia ball, 6.0 g/cm3
    wp = 2 * math.pi * 400 / 60
    wv = -2 * wp
    r = 0.0225 - 0.005
    expected = -m * (wv ** 3 * r / wp + wp * wv * 0.070) * r
    dose = milling_dose(RUN)
    assert dose.energy_per_hit_J == pytest.approx(expected, rel=1e-12)
    assert dose.hit_frequency_Hz == pytest.approx(10 * (wp - wv) / (2 * math.pi), rel=1e-12)  # 200 Hz
    assert dose.dose_J_per_g == pytest.approx(expected * 200.0 * 36000.0, rel=1e-12)
    assert dose.ball_to_powder_ratio == pytest.approx(10 * m * 1e3, rel=1e-12)


def test_energy_scales_with_speed_squared_and_dose_with_speed_cubed():
    """At a fixed ratio dE ~ w^2 and f ~ w, so P ~ w^3: why rpm alone does not compare mills."""
    a = milling_dose(RUN)
    b = milling_dose(dataclasses.replace(RUN, rpm=800.0))
    assert b.energy_per_hit_J / a.energy_per_hit_J == pytest.approx(4.0, rel=1e-12)
    assert b.dose_J_per_g / a.dose_J_per_g == pytest.approx(8.0, rel=1e-12)
    c = milling_dose(dataclasses.replace(RUN, powder_mass_g=2.0))
    assert c.dose_J_per_g == pytest.approx(a.dose_J_per_g / 2, rel=1e-12)


@pytest.mark.parametrize("change, match", [
    (dict(rpm=-400.0), "rpm"), (dict(powder_mass_g=0.0), "powder_mass_g"), (dict(n_balls=2.5), "n_balls"),
    (dict(ball_diameter_mm=50.0), "does not fit"), (dict(ball_material="unobtainium"), "ball material"),
    (dict(filling_factor=1.5), "filling_factor"),
])
def test_bad_runs_are_refused(change, match):
    with pytest.raises(InputError, match=match):
        milling_dose(dataclasses.replace(RUN, **change))


def test_milling_dose_round_trips():
    d = milling_dose(RUN)
    assert MillingDose.from_json(d.to_json()) == d
