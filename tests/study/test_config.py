"""Study-file validation: named keys, closest suggestions, defaults."""

from __future__ import annotations

import pytest

from ssbkit.errors import InputError
from ssbkit.study.config import load_study, set_dotted, validate_study


def test_unknown_key_suggests_the_closest():
    with pytest.raises(InputError, match=r"electrolyte\.temperature_c.*did you mean 'temperatures_c'"):
        validate_study({"electrolyte": {"name": "x", "temperature_c": [25]}})


def test_unknown_table_suggests_the_closest():
    with pytest.raises(InputError, match=r"\[electrolite\].*did you mean 'electrolyte'"):
        validate_study({"electrolite": {"name": "x"}})


def test_wrong_type_names_the_key_and_the_type():
    with pytest.raises(InputError, match=r"'electrolyte.ea_eV' must be a number"):
        validate_study({"electrolyte": {"name": "x", "ea_eV": "high"}})


def test_missing_required_and_missing_electrolyte():
    with pytest.raises(InputError, match="missing required key 'electrolyte.name'"):
        validate_study({"electrolyte": {}})
    with pytest.raises(InputError, match=r"needs an \[electrolyte\]"):
        validate_study({"study": {"name": "x"}})


def test_defaults_are_filled_in():
    s = validate_study({"electrolyte": {"name": "LGPS"}})
    assert s["electrolyte"]["arrhenius_form"] == "sigmaT"
    assert s["study"]["name"]


def test_malformed_toml_names_the_file(tmp_path):
    p = tmp_path / "s.toml"
    p.write_text("[electrolyte\nname = 1\n")
    with pytest.raises(InputError, match="not valid TOML"):
        load_study(p)
    with pytest.raises(InputError, match="does not exist"):
        load_study(tmp_path / "nope.toml")


def test_set_dotted_does_not_touch_the_original():
    s = {"cathode": {"porosity": 0.1}}
    t = set_dotted(s, "cathode.porosity", 0.2)
    assert s["cathode"]["porosity"] == 0.1 and t["cathode"]["porosity"] == 0.2
