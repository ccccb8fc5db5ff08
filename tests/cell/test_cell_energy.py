"""Cell and pack energy: layers, double-sided electrodes, pouch and tabs; Randau 2020 context."""

from __future__ import annotations

import pytest

from ssbkit.cell.design_file import design_from_dict
from ssbkit.cell.energy import CellEnergy, Packaging, cell_energy, packaging_from_dict, stack_energy
from ssbkit.errors import InputError


def _li_nmc(sep_um=30.0, loading=25.0, cc=(12.0, 8.0)):
    return design_from_dict({
        "cathode": {"active_material": "NCM811",
                    "volume_fractions": {"active": 0.7, "electrolyte": 0.28, "carbon": 0.02},
                    "porosity": 0.1, "loading_mg_cm2": loading},
        "separator": {"thickness_um": sep_um, "porosity": 0.05},
        "anode": {"material": "Li", "excess": 1.0},
        "current_collectors": {"positive_thickness_um": cc[0], "negative_thickness_um": cc[1]},
        "cell": {"area_cm2": 100.0},
    })


def test_bare_single_stack_equals_the_stack_figures():
    d = _li_nmc()
    ce, e = cell_energy(d), stack_energy(d)
    assert ce.specific_energy_Wh_per_kg == pytest.approx(e.specific_energy_Wh_per_kg, rel=1e-12)
    assert ce.energy_density_Wh_per_L == pytest.approx(e.energy_density_Wh_per_L, rel=1e-12)


def test_double_sided_layers_share_collectors_by_hand():
    """n double-sided units hold n/2 + 1/2 of each foil: Al 12 um (2.70 g/cm3), Cu 8 um (8.96 g/cm3)."""
    d = _li_nmc()
    e = stack_energy(d)
    n = 10
    ce = cell_energy(d, Packaging(layers=n, double_sided=True))
    foil_mg_cm2 = 12e-4 * 2.70e3 + 8e-4 * 8.96e3
    unit = e.areal_mass_mg_cm2 - foil_mg_cm2
    mass_g = (n * unit + (n / 2 + 0.5) * foil_mg_cm2) * 100.0 / 1e3
    assert ce.mass_g == pytest.approx(mass_g, rel=1e-12)
    assert ce.energy_Wh == pytest.approx(n * e.areal_energy_mWh_cm2 * 100.0 / 1e3, rel=1e-12)
    single = cell_energy(d, Packaging(layers=n, double_sided=False))
    assert ce.specific_energy_Wh_per_kg > single.specific_energy_Wh_per_kg


def test_pouch_tabs_and_pack_overhead_lower_the_figures():
    d = _li_nmc()
    p = packaging_from_dict({"layers": 20, "double_sided": True, "pouch_um": 113.0, "edge_fraction": 0.1,
                             "tab_mg": 2000.0, "pack_overhead_mass_fraction": 0.3,
                             "pack_overhead_volume_fraction": 0.4})
    ce = cell_energy(d, p)
    bare = cell_energy(d, Packaging(layers=20, double_sided=True))
    assert ce.specific_energy_Wh_per_kg < bare.specific_energy_Wh_per_kg
    assert ce.pack_specific_energy_Wh_per_kg == pytest.approx(0.7 * ce.specific_energy_Wh_per_kg)
    assert ce.pack_energy_density_Wh_per_L == pytest.approx(0.6 * ce.energy_density_Wh_per_L)
    assert CellEnergy.from_json(ce.to_json()) == ce


def test_randau_2020_benchmark_li_metal_cells_versus_lab_pellets():
    """Randau et al. 2020 (Nature Energy 5, 259): a Li-metal ASSB competes with Li-ion (~250 Wh/kg and
    ~700 Wh/L at cell level) only with a thin separator (tens of um), a cathode of high active
    fraction and several mAh/cm2; lab pellet cells with hundreds of um of SE stay far below.
    Here: NCM811 70 vol% at 5 mAh/cm2, 30 um SE, Li with 100 % excess, double-sided pouch cell
    -> beyond both; the lecture pellet (600 um SE, 1.35 mAh/cm2) -> below 50 Wh/kg; and the thickest
    separator that still meets both lies in the tens of um (30-150 um)."""
    from importlib import resources

    from ssbkit.cell.design_file import load_design

    pouch = Packaging(layers=20, double_sided=True, pouch_um=113.0, edge_fraction=0.1)

    def meets(sep_um):
        e = cell_energy(_li_nmc(sep_um=sep_um), pouch)
        return e.specific_energy_Wh_per_kg > 250 and e.energy_density_Wh_per_L > 700

    assert meets(30.0)
    pellet = load_design(str(resources.files("ssbkit.cell").joinpath("data/example_design.toml")))
    assert cell_energy(pellet).specific_energy_Wh_per_kg < 50
    lo, hi = 30.0, 600.0
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if meets(mid) else (lo, mid)
    assert 30.0 < lo < 150.0


def test_bad_packaging():
    with pytest.raises(InputError, match="layers"):
        packaging_from_dict({"layers": 0})
    with pytest.raises(InputError, match="unknown key"):
        packaging_from_dict({"layer": 2})
    with pytest.raises(InputError):
        packaging_from_dict({"pack_overhead_mass_fraction": 1.2})


def test_packaging_that_is_not_a_table_or_not_a_boolean_is_named():
    """A list was a TypeError; double_sided = "no" was truthy, i.e. silently double-sided."""
    with pytest.raises(InputError, match="packaging must be a table"):
        packaging_from_dict([20])  # type: ignore[arg-type]
    with pytest.raises(InputError, match="double_sided must be true or false, got 'no'"):
        packaging_from_dict({"double_sided": "no"})
    with pytest.raises(InputError, match="layers must be an integer"):
        packaging_from_dict({"layers": True})
