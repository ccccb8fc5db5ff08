"""The parameter a measured capacity implies (ssbkit.cell.inverse), against synthetic ground truth."""

from __future__ import annotations

import dataclasses
from importlib import resources
from pathlib import Path

import pytest

from ssbkit.cell.design_file import load_design
from ssbkit.cell.inverse import ImpliedParameter, implied_parameter
from ssbkit.cell.rate import rate_curve
from ssbkit.errors import InputError

DATA = Path(str(resources.files("ssbkit.cell").joinpath("data")))


def _capacity(design, current, temperature_c=None):
    return rate_curve(design, [1.0], current_mA_cm2=[current], temperature_c=temperature_c).capacity_mAh_per_g[0]


def test_recovers_the_film_resistance_that_made_the_capacity():
    """Ground truth: the lecture LCO cell with a film of 5e4 Ohm cm2 (2.1 x the bundled thin-film
    value) gives some capacity at 0.064 mA/cm2; solved from the bundled value, the film comes back
    to 1e-4."""
    d = load_design(DATA / "example_design.toml")
    truth = 5.0e4
    q = _capacity(dataclasses.replace(d, interface=dataclasses.replace(d.interface, film_ohm_cm2=truth)), 0.064)
    assert q < _capacity(d, 0.064) - 5.0  # the effect: several mAh/g
    r = implied_parameter(d, {"capacity_mAh_per_g": q, "current_mA_cm2": 0.064}, "film_ohm_cm2")
    assert r.reachable
    assert r.implied_value == pytest.approx(truth, rel=1e-4)
    assert r.ratio == pytest.approx(truth / d.interface.film_ohm_cm2, rel=1e-4)
    assert ImpliedParameter.from_json(r.to_json()) == r


def test_recovers_the_diffusivity_of_a_diffusion_limited_lto_cell():
    """Ground truth: the lecture LTO cell at 100 degC and 10 mA/cm2 with D = 1e-16 m2/s at 25 degC
    loses capacity to solid diffusion; solved from the bundled default (1e-14), D comes back to 1e-4."""
    d = load_design(DATA / "lecture_lto_design.toml")
    truth = 1.0e-16
    q = _capacity(dataclasses.replace(d, particle_diffusivity_m2_per_s=truth), 10.0)
    assert q < 0.9 * _capacity(d, 10.0)
    r = implied_parameter(d, {"capacity_mAh_per_g": q, "current_mA_cm2": 10.0, "temperature_c": 100.0},
                          "diffusivity_m2_per_s")
    assert r.reachable
    assert r.implied_value == pytest.approx(truth, rel=1e-4)


def test_a_capacity_above_the_window_is_not_reachable_and_says_so():
    d = load_design(DATA / "example_design.toml")
    r = implied_parameter(d, {"capacity_mAh_per_g": 200.0, "current_mA_cm2": 0.064}, "film_ohm_cm2")
    assert not r.reachable and r.implied_value is None
    assert "200 mAh/g" in r.note


@pytest.mark.parametrize("measured, parameter, words", [
    ({"capacity_mAh_per_g": 100.0, "current_mA_cm2": 0.064}, "tortuosity", "unknown parameter"),
    ({"current_mA_cm2": 0.064}, "film_ohm_cm2", "capacity_mAh_per_g"),
    ({"capacity_mAh_per_g": 100.0}, "film_ohm_cm2", "current_mA_cm2 or c_rate"),
])
def test_bad_requests_raise_input_error(measured, parameter, words):
    with pytest.raises(InputError, match=words):
        implied_parameter(load_design(DATA / "example_design.toml"), measured, parameter)
