"""Recipe: mass -> volume fractions, validation, resolution and memory checks."""

from __future__ import annotations

import pytest

from ssbkit.errors import InputError
from ssbkit.microstructure.recipe import (
    Recipe,
    ResolutionWarning,
    mass_to_volume_fractions,
    recipe_from_cathode_table,
    recipe_from_mass_fractions,
)

LECTURE_CELL = {"active": 0.377, "electrolyte": 0.566, "carbon": 0.057}  # LCO:GC:AB = 20:30:3 wt


def test_mass_to_volume_fractions_match_hand_calculation():
    """v_i = (w_i/rho_i) / sum(w_j/rho_j), computed by hand for the lecture's LCO:GC:AB cell."""
    rho = {"active": 5.05, "electrolyte": 1.9, "carbon": 1.9, "binder": 1.78}
    v = mass_to_volume_fractions(LECTURE_CELL, rho)
    a, e, c = 0.377 / 5.05, 0.566 / 1.9, 0.057 / 1.9
    assert v["active"] == pytest.approx(a / (a + e + c), rel=1e-12)
    assert v["electrolyte"] == pytest.approx(e / (a + e + c), rel=1e-12)
    assert v["binder"] == 0.0
    assert sum(v.values()) == pytest.approx(1.0)


def test_recipe_from_mass_fractions_uses_licoo2_crystal_density():
    """LiCoO2 5.05 g/cm3 (X-ray density) -> active 18.5 vol% of the solids, 15.8 % of the composite at 15 % voids."""
    r = recipe_from_mass_fractions(LECTURE_CELL, porosity=0.15)
    assert r.volume_fractions["active"] == pytest.approx(0.1855, abs=2e-3)
    comp = r.composite_fractions
    assert comp["pore"] == 0.15
    assert comp["active"] == pytest.approx(0.85 * r.volume_fractions["active"])
    assert sum(comp.values()) == pytest.approx(1.0)


def test_density_override_changes_volume_fraction():
    """A denser SE (given in densities_g_cm3) takes less volume: v_SE falls."""
    base = recipe_from_mass_fractions(LECTURE_CELL)
    dense = recipe_from_mass_fractions(LECTURE_CELL, densities_g_cm3={"electrolyte": 3.8})
    assert dense.volume_fractions["electrolyte"] < base.volume_fractions["electrolyte"] - 0.1


@pytest.mark.parametrize(
    "fractions, match",
    [
        ({"active": 0.5, "electrolyte": 0.4}, "sum to 0.9"),
        ({"active": 0.5, "electrolite": 0.5}, "did you mean 'electrolyte'"),
        ({"active": 1.2, "electrolyte": -0.2}, "between 0 and 1"),
        ({"electrolyte": 1.0}, "'active' must be > 0"),
    ],
)
def test_bad_fractions_are_refused_with_the_reason(fractions, match):
    with pytest.raises(InputError, match=match):
        Recipe(fractions)


def test_bad_options_are_refused():
    with pytest.raises(InputError, match="porosity"):
        Recipe({"active": 1.0}, porosity=0.95)
    with pytest.raises(InputError, match="electrolyte_form"):
        Recipe({"active": 1.0}, electrolyte_form="matrx")
    with pytest.raises(InputError, match="voxel_um"):
        Recipe({"active": 1.0}, voxel_um=0)
    with pytest.raises(InputError, match="shape"):
        Recipe({"active": 1.0}, box_um=1.0, voxel_um=0.4)


def test_unresolved_particles_warn_fewer_than_five_voxels_across():
    """2 um particles at 0.5 um voxels are 4 voxels across (< 5): ResolutionWarning."""
    r = Recipe({"active": 0.5, "electrolyte": 0.5}, active_diameter_um=2.0, voxel_um=0.5, box_um=10)
    with pytest.warns(ResolutionWarning, match="4 voxels across"):
        msgs = r.check()
    assert len(msgs) == 1


def test_volume_too_large_is_refused_with_the_estimate():
    """1000^3 voxels at 32 B/voxel = 29.8 GiB > a 1 GiB limit: refused, estimate in the message."""
    r = Recipe({"active": 0.5, "electrolyte": 0.5}, box_um=400, voxel_um=0.4)
    with pytest.raises(InputError, match=r"29\.8 GiB"):
        r.check(limit_bytes=1 << 30)


def test_cathode_table_of_the_architecture_builds_a_recipe():
    """The [cathode] example of docs/architecture.md."""
    table = {
        "active_material": "LiCoO2",
        "mass_fractions": {"active": 0.377, "electrolyte": 0.566, "carbon": 0.057, "binder": 0.0},
        "porosity": 0.15,
        "active_particle_diameter_um": 5.0,
        "electrolyte_particle_diameter_um": 1.0,
        "carbon_particle_diameter_um": 0.1,
        "microstructure": {"box_um": 40.0, "voxel_um": 0.4, "seed": 3},
    }
    r = recipe_from_cathode_table(table)
    assert r.shape == (100, 100, 100)
    assert r.seed == 3
    assert r.mass_fractions["active"] == pytest.approx(0.377)
    with pytest.raises(InputError, match="exactly one"):
        recipe_from_cathode_table(table | {"volume_fractions": {"active": 1.0}})
    with pytest.raises(InputError, match="did you mean 'porosity'"):
        recipe_from_cathode_table(table | {"porosty": 0.1})
    with pytest.raises(InputError, match="did you mean 'voxel_um'"):
        recipe_from_cathode_table(table | {"microstructure": {"voxel": 0.4}})


def test_calendering_conserves_the_solids():
    """Thickness -2/9 at 30 % voids: solids 0.7 L = (1 - p') (7/9) L, so p' = 0.1 exactly;
    compressing past zero voids is refused."""
    r = Recipe({"active": 0.6, "electrolyte": 0.4}, porosity=0.3, calendering=2 / 9)
    assert r.porosity_calendered == pytest.approx(0.1, abs=1e-12)
    assert r.composite_fractions["pore"] == pytest.approx(0.1, abs=1e-12)
    assert r.composite_fractions["active"] == pytest.approx(0.9 * 0.6, abs=1e-12)
    with pytest.raises(InputError, match="at most 0.3"):
        Recipe({"active": 0.6, "electrolyte": 0.4}, porosity=0.3, calendering=0.35)


@pytest.mark.parametrize(("field", "value", "match"), [
    ("seed", "a", "seed must be a whole number"),  # was int()'s ValueError
    ("seed", -3, "seed must be a whole number"),  # was numpy's ValueError at generation
    ("periodic", "no", "periodic must be true or false"),  # a truthy string: silently periodic
    ("voxel_um", "0.4", "voxel_um must be a number"),  # was a TypeError deep in the packing
    ("porosity", "0.1", "porosity must be a number"),
])
def test_wrongly_typed_recipe_fields_are_input_errors(field, value, match):
    kwargs = {"box_um": 8, "voxel_um": 0.4, "active_diameter_um": 3.0, field: value}
    with pytest.raises(InputError, match=match):
        Recipe({"active": 0.6, "electrolyte": 0.4}, **kwargs)


def test_cathode_table_with_a_microstructure_that_is_not_a_table():
    with pytest.raises(InputError, match=r"\[cathode\].microstructure must be a table"):
        recipe_from_cathode_table({"mass_fractions": {"active": 1.0}, "microstructure": [1, 2]})
