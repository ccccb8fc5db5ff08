"""Likely unit slips in study files are caught by the unit in the key name."""

from __future__ import annotations

import pytest

from ssbkit.errors import InputError
from ssbkit.study.config import load_study
from ssbkit.unitcheck import check_key_units


def test_kelvin_under_a_degc_key_is_refused_but_furnace_temperatures_are_not():
    with pytest.raises(InputError, match="look like kelvin"):
        check_key_units("electrolyte", "temperatures_c", [298.15, 323.15, 348.15])
    assert check_key_units("electrolyte", "temperatures_c", [25.0, 150.0, 300.0]) == []
    assert check_key_units("heat_treatment", "temperature_c", 360.0) == []


def test_below_absolute_zero_negative_sizes_and_s_per_m_conductivities_are_refused():
    with pytest.raises(InputError, match="absolute zero"):
        check_key_units("cell", "temperature_c", -300.0)
    with pytest.raises(InputError, match="negative"):
        check_key_units("cathode", "thickness_um", -60.0)
    with pytest.raises(InputError, match="S/m"):
        check_key_units("electrolyte", "conductivities_S_per_cm", [0.07, 1.6, 3.1])


def test_millimetres_typed_as_micrometres_gives_a_loud_warning():
    (w,) = check_key_units("separator", "thickness_um", 0.6)
    assert "mm" in w


def test_study_file_with_kelvin_temperatures_is_refused_and_a_bom_is_accepted(tmp_path):
    p = tmp_path / "s.toml"
    body = ('[electrolyte]\nname = "my glass"\nsource = "data"\ntemperatures_c = [298.15, 323.15, 348.15]\n'
            "conductivities_S_per_cm = [7e-4, 1.6e-3, 3.1e-3]\n")
    p.write_bytes(b"\xef\xbb\xbf" + body.encode())
    with pytest.raises(InputError, match="kelvin"):
        load_study(p)
    p.write_bytes(b"\xef\xbb\xbf" + body.replace("298.15, 323.15, 348.15", "25, 50, 75").encode())
    assert load_study(p)["electrolyte"]["temperatures_c"] == [25, 50, 75]


def test_a_particle_size_in_metres_under_an_um_key_gives_a_loud_warning():
    (w,) = check_key_units("cathode", "active_particle_diameter_um", 5e-6)
    assert "was it given in m or mm" in w
    assert check_key_units("cathode", "active_particle_diameter_um", 0.02) == []  # 20 nm: a nanoparticle
