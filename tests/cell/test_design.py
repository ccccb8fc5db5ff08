"""Stack design: fractions, loadings and validation, against hand calculations."""

from __future__ import annotations

import pytest

from ssbkit.cell.design import make_anode, make_composite
from ssbkit.cell.design_file import design_from_dict, load_design
from ssbkit.errors import FileFormatError, InputError

# The lecture's reference cathode: LCO : glass-ceramic : AB = 20 : 30 : 3 by mass (science.md section 4)
REF_MASS = {"active": 20 / 53, "electrolyte": 30 / 53, "carbon": 3 / 53}
REF_DENS = {"electrolyte": 1.88, "carbon": 1.9}


def _base(**over):
    d = {
        "cathode": {"active_material": "LiCoO2", "mass_fractions": dict(REF_MASS),
                    "densities_g_cm3": dict(REF_DENS), "porosity": 0.15, "thickness_um": 100.0},
        "separator": {"thickness_um": 500.0},
        "anode": {"material": "Li-In", "excess": 2.0},
    }
    for k, v in over.items():
        d[k].update(v)
    return d


def test_mass_to_volume_fractions_of_reference_cathode_by_hand():
    """v_i = (w_i/rho_i) / sum(w_j/rho_j) with LCO 5.05, SE 1.88, AB 1.9 g/cm3."""
    c = make_composite("LiCoO2", mass_fractions=REF_MASS, densities_g_cm3=REF_DENS, porosity=0.15, thickness_um=100)
    vol = {"active": 20 / 5.05, "electrolyte": 30 / 1.88, "carbon": 3 / 1.9}
    tot = sum(vol.values())
    for k, v in vol.items():
        assert c.volume_fractions[k] == pytest.approx(v / tot, rel=1e-9)
    assert c.eps_se == pytest.approx(0.85 * vol["electrolyte"] / tot)
    # loading = L (1 - p) v_act rho_act: 100 um -> mg/cm2
    assert c.loading_mg_cm2 == pytest.approx(100e-4 * 0.85 * vol["active"] / tot * 5.05 * 1e3)
    assert c.mass_fractions["active"] == pytest.approx(20 / 53)


def test_thickness_from_loading_round_trip_kato_2018_600um_electrode():
    """Kato 2018: 115.4 mg/cm2 LCO; thickness from loading and back."""
    a = make_composite("LiCoO2", volume_fractions={"active": 0.45, "electrolyte": 0.55}, porosity=0.15,
                       loading_mg_cm2=115.4)
    assert a.thickness_um == pytest.approx(115.4e-3 / (5.05 * 0.45 * 0.85) * 1e4)
    b = make_composite("LiCoO2", volume_fractions={"active": 0.45, "electrolyte": 0.55}, porosity=0.15,
                       thickness_um=a.thickness_um)
    assert b.loading_mg_cm2 == pytest.approx(115.4)


def test_porosity_follows_from_thickness_and_loading():
    c = make_composite("LiCoO2", volume_fractions={"active": 0.5, "electrolyte": 0.5}, thickness_um=100,
                       loading_mg_cm2=0.01 * 0.5 * 5.05 * 1e3 * 0.8)
    assert c.porosity == pytest.approx(0.2)


def test_fractions_not_summing_to_one_raise():
    with pytest.raises(InputError, match="sum to 1"):
        make_composite("LiCoO2", mass_fractions={"active": 0.7, "electrolyte": 0.2}, porosity=0.1, thickness_um=50)


def test_loading_inconsistent_with_thickness_and_porosity_raises():
    with pytest.raises(InputError, match="inconsistent"):
        make_composite("LiCoO2", volume_fractions={"active": 0.5, "electrolyte": 0.5}, porosity=0.15,
                       thickness_um=100, loading_mg_cm2=5.0)


def test_unknown_material_and_component_suggest_the_closest():
    with pytest.raises(InputError, match="NCM811"):
        make_composite("NCM8111", volume_fractions={"active": 1.0}, porosity=0.1, thickness_um=50)
    with pytest.raises(InputError, match="electrolyte"):
        make_composite("LFP", volume_fractions={"active": 0.5, "electrolyt": 0.5}, porosity=0.1, thickness_um=50)


def test_exactly_one_kind_of_fractions():
    with pytest.raises(InputError, match="exactly one"):
        make_composite("LFP", porosity=0.1, thickness_um=50)


def test_li_metal_with_100_percent_excess_has_np_2_and_analytic_thickness():
    """Li foil thickness = N/P Q_c / (3860 mAh/g x 0.534 g/cm3)."""
    c = make_composite("LiCoO2", volume_fractions={"active": 0.6, "electrolyte": 0.4}, porosity=0.1, thickness_um=60)
    an = make_anode("Li", c, excess=1.0)
    q_c = c.loading_mg_cm2 * 1e-3 * 140.0
    assert an.layer.areal_capacity_mAh_cm2() == pytest.approx(2 * q_c)
    li = get_li_practical()
    assert an.thickness_um == pytest.approx(2 * q_c / (li * 0.534) * 1e4)
    assert an.kind == "foil"


def get_li_practical():
    from ssbkit.cell import get_active_material

    return get_active_material("Li").capacity_practical_mAh_per_g


def test_composite_anode_needs_fractions():
    c = make_composite("NCM811", volume_fractions={"active": 0.6, "electrolyte": 0.4}, porosity=0.1, thickness_um=60)
    with pytest.raises(InputError, match="mass_fractions or volume_fractions"):
        make_anode("graphite", c, np_ratio=1.1)
    g = make_anode("graphite", c, np_ratio=1.1, volume_fractions={"active": 0.6, "electrolyte": 0.4}, porosity=0.1)
    assert g.layer.areal_capacity_mAh_cm2() == pytest.approx(1.1 * c.areal_capacity_mAh_cm2())


def test_cutoff_outside_ocv_window_raises():
    """LiCoO2 | Li-In averages 3.28 V: a 3.5 V discharge cut-off is above it."""
    with pytest.raises(InputError, match="outside the OCV window"):
        design_from_dict(_base() | {"cell": {"cutoff_low_V": 3.5}})
    with pytest.raises(InputError, match="outside the OCV window"):
        design_from_dict(_base() | {"cell": {"cutoff_high_V": 3.0}})
    d = design_from_dict(_base() | {"cell": {"cutoff_low_V": 2.0, "cutoff_high_V": 3.6}})
    assert d.cutoff_low_V == 2.0


def test_unknown_keys_and_tables_suggest():
    with pytest.raises(InputError, match="thickness_um"):
        design_from_dict(_base(separator={"thicknes_um": 3}))
    with pytest.raises(InputError, match="separator"):
        design_from_dict(_base() | {"seperator": {}})


def test_load_design_from_toml(tmp_path):
    p = tmp_path / "d.toml"
    p.write_text(
        '[cathode]\nactive_material = "LFP"\nvolume_fractions = { active = 0.6, electrolyte = 0.4 }\n'
        'porosity = 0.1\nloading_mg_cm2 = 10\n[separator]\nthickness_um = 30\n'
        '[anode]\nmaterial = "Li"\nthickness_um = 20\n[current_collectors]\npositive = "Al"\n'
        'positive_thickness_um = 10\n[cell]\nsigma_se_S_per_cm = 1e-3\n')
    d = load_design(p)
    assert d.cathode.loading_mg_cm2 == 10
    assert d.anode.thickness_um == 20
    assert d.collectors.positive_thickness_um == 10
    bad = tmp_path / "bad.toml"
    bad.write_text("[cathode\n")
    with pytest.raises(FileFormatError, match="bad.toml"):
        load_design(bad)
    with pytest.raises(InputError, match="does not exist"):
        load_design(tmp_path / "nope.toml")


def test_bundled_example_design_is_the_lecture_reference_cell():
    """ssbkit/cell/data/example_design.toml: 80 mg separator and 20 mg composite on a 10 mm pellet."""
    from importlib import resources

    from ssbkit.cell.energy import stack_energy

    d = load_design(resources.files("ssbkit.cell.data").joinpath("example_design.toml"))
    e = stack_energy(d)
    assert e.mass_breakdown_mg_cm2["separator electrolyte"] * d.area_cm2 == pytest.approx(80.0, rel=0.01)
    comp = sum(v for k, v in e.mass_breakdown_mg_cm2.items() if k.startswith("cathode")) * d.area_cm2
    assert comp == pytest.approx(20.0, rel=0.01)


def test_design_file_unit_slips_and_negative_thickness(tmp_path):
    """Issue 9: a negative cathode thickness and kelvin under [cell] temperatures_c are refused."""
    from ssbkit.cell.design_file import load_design

    base = ('[cathode]\nactive_material = "NCM811"\nvolume_fractions = { active = 0.6, electrolyte = 0.4 }\n'
            'porosity = 0.1\nthickness_um = {t}\n[separator]\nthickness_um = 30.0\n[anode]\nmaterial = "Li"\n'
            'excess = 1.0\n[cell]\ntemperatures_c = {temps}\n')
    p = tmp_path / "d.toml"
    p.write_text(base.replace("{t}", "-60.0").replace("{temps}", "[25.0]"))
    with pytest.raises(InputError, match="thickness_um"):
        load_design(p)
    p.write_text(base.replace("{t}", "60.0").replace("{temps}", "[298.15, 323.15]"))
    with pytest.raises(InputError, match="kelvin"):
        load_design(p)
    p.write_text(base.replace("{t}", "60.0").replace("{temps}", "[25.0, 50.0]"))
    assert load_design(p).cathode.thickness_um == 60.0
