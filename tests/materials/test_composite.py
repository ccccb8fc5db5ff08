"""Composite components: fraction checks and mass -> volume conversion."""

from __future__ import annotations

import pytest

from ssbkit.errors import InputError
from ssbkit.materials.composite import check_fractions, mass_to_volume_fractions


def test_lecture_cathode_mass_to_volume_by_hand():
    # LCO:GC:AB = 20:30:3 wt with 5.05, 1.88, 1.9 g/cm3 (lecture reference cell)
    w = {"active": 20 / 53, "electrolyte": 30 / 53, "carbon": 3 / 53}
    v = mass_to_volume_fractions(w, {"active": 5.05, "electrolyte": 1.88, "carbon": 1.9, "binder": 1.78})
    vols = [20 / 5.05, 30 / 1.88, 3 / 1.9]
    assert v["active"] == pytest.approx(vols[0] / sum(vols))
    assert v["electrolyte"] == pytest.approx(vols[1] / sum(vols))
    assert v["binder"] == 0.0


@pytest.mark.parametrize("bad,msg", [({"active": 0.5, "electrolyte": 0.4}, "sum to"),
                                     ({"active": 0.5, "electrolite": 0.5}, "did you mean"),
                                     ({"electrolyte": 1.0}, "'active' must be > 0"),
                                     ({"active": 1.2, "electrolyte": -0.2}, "between 0 and 1")])
def test_bad_fractions_are_named(bad, msg):
    with pytest.raises(InputError, match=msg):
        check_fractions(bad, "mass_fractions")


def test_missing_density_of_a_present_component_is_a_clear_input_error() -> None:
    with pytest.raises(InputError, match="no density given for 'electrolyte'"):
        mass_to_volume_fractions({"active": 0.7, "electrolyte": 0.3}, {"active": 5.05})


def test_density_of_an_absent_component_is_not_needed() -> None:
    # 0.7 g of a 5 g/cm3 solid and 0.3 g of a 2 g/cm3 solid: 0.14 and 0.15 cm3
    v = mass_to_volume_fractions({"active": 0.7, "electrolyte": 0.3}, {"active": 5.0, "electrolyte": 2.0})
    assert v["active"] == pytest.approx(0.14 / 0.29, rel=1e-12)
    assert v["carbon"] == 0.0
