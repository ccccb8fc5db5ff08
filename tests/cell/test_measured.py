"""The ``measured`` table: one check (ssbkit.cell.measured) for the rate workflow and the inverse model."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from ssbkit.cell.design_file import load_design
from ssbkit.cell.inverse import implied_by_measurement, implied_parameter
from ssbkit.cell.measured import check_measured
from ssbkit.cell.rate import rate_study
from ssbkit.errors import InputError

DATA = Path(str(resources.files("ssbkit.cell").joinpath("data")))


@pytest.mark.parametrize(("measured", "words"), [
    ({"capacity_mAh_per_g": 0.0, "c_rate": 0.1}, "measured.capacity_mAh_per_g must be > 0"),
    ({"capacity_mAh_per_g": 100.0, "c_rate": 0.0}, "measured.c_rate must be > 0"),
    ({"capacity_mAh_per_g": 100.0, "current_mA_cm2": float("inf")}, "measured.current_mA_cm2 must be finite"),
    ({"capacity_mAh_per_g": 100.0, "crate": 0.1}, "unknown key 'crate' (did you mean 'c_rate'?)"),
    ({"capacity_mAh_per_g": 100.0, "current_range_mA_cm2": [0.1, 1.0]}, "needs current_mA_cm2 or c_rate"),
    ({"c_rate": 0.1}, "needs capacity_mAh_per_g"),
    ({"capacity_mAh_per_g": 100.0, "c_rate": 0.1, "temperature_c": -300.0}, "above -273.15 degC"),
    ([100.0, 0.1], "measured must be a table"),
])
def test_bad_measured_tables_name_the_key(measured, words):
    with pytest.raises(InputError) as exc:
        check_measured(measured)
    assert words in str(exc.value)


def test_a_good_table_comes_back_with_floats():
    out = check_measured({"capacity_mAh_per_g": 180, "c_rate": "0.1", "reference": "x"})
    assert out == {"capacity_mAh_per_g": 180.0, "c_rate": 0.1, "reference": "x"}


def test_zero_measured_capacity_is_an_input_error_not_a_division_by_zero():
    """Was a ZeroDivisionError in implied_by_measurement (CLI exit 1, study section failed)."""
    d = load_design(DATA / "example_design.toml")
    meas = {"capacity_mAh_per_g": 0.0, "current_mA_cm2": 0.064}
    with pytest.raises(InputError, match="capacity_mAh_per_g"):
        rate_study(d, [0.1], [25.0], measured=meas)
    with pytest.raises(InputError, match="capacity_mAh_per_g"):
        implied_by_measurement(d, meas, 100.0)
    with pytest.raises(InputError, match="capacity_mAh_per_g"):
        implied_parameter(d, meas, "diffusivity_m2_per_s")
