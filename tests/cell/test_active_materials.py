"""Active materials: capacities against science.md section 4, OCV curves against the published fits."""

from __future__ import annotations

import numpy as np
import pytest

from ssbkit.cell.active_materials import (
    capacity_from_formula_mah_per_g,
    get_active_material,
    list_active_materials,
    pybamm_ocv_table,
)
from ssbkit.errors import InputError


@pytest.mark.parametrize(
    ("name", "expected"),
    [("graphite", 372.0), ("LiCoO2", 274.0), ("Li", 3860.0)],
)
def test_theoretical_capacity_matches_lecture_values_science_md_4(name, expected):
    """C = F x / (3.6 M): C6 372, LiCoO2 274, Li 3860 mAh/g (science.md section 4)."""
    assert get_active_material(name).capacity_theoretical_mAh_per_g == pytest.approx(expected, abs=1.5)


def test_capacity_from_formula_li4ti5o12_three_electrons_is_175():
    """Li4Ti5O12 + 3 Li: 175 mAh/g (Ohzuku et al., J. Electrochem. Soc. 142 (1995) 1431)."""
    assert capacity_from_formula_mah_per_g("Li4Ti5O12", 3) == pytest.approx(175.0, abs=0.5)


def test_lico2_practical_capacity_is_lecture_135_to_140():
    """LiCoO2 practical 135-140 mAh/g (science.md section 4)."""
    assert 135.0 <= get_active_material("LCO").capacity_practical_mAh_per_g <= 140.0


@pytest.mark.parametrize("name", list_active_materials())
def test_practical_capacity_is_theoretical_times_stoichiometry_window(name):
    """Practical <= theoretical and = theoretical x (x_max - x_min) within 2 % (definition of sto_range)."""
    m = get_active_material(name)
    assert m.capacity_practical_mAh_per_g <= m.capacity_theoretical_mAh_per_g * 1.001
    window = m.sto_range[1] - m.sto_range[0]
    assert m.capacity_theoretical_mAh_per_g * window == pytest.approx(m.capacity_practical_mAh_per_g, rel=0.02)
    assert m.references


@pytest.mark.parametrize("name", list_active_materials())
def test_ocv_falls_with_lithiation_and_averages_to_the_nominal_voltage(name):
    """Thermodynamics: dU/dx <= 0 for Li insertion; curve mean within 0.2 V of the listed average voltage."""
    m = get_active_material(name)
    s = np.linspace(*m.sto_range, 300)
    v = m.ocv_v(s)
    assert np.all(np.diff(v) <= 1e-9)
    assert np.mean(v) == pytest.approx(m.voltage_avg_V, abs=0.2)


def test_li_in_alloy_plateau_is_0_62_V_and_li_is_0_V():
    """Li-In two-phase plateau ~0.62 V vs Li/Li+ (Santhosha et al. 2019); Li/Li+ is 0 V by definition."""
    assert get_active_material("Li-In").ocv_v(0.5) == pytest.approx(0.62)
    assert get_active_material("Li–In").name == "Li-In"
    assert get_active_material("lithium").ocv_v([0.1, 0.9]) == pytest.approx([0.0, 0.0])


def test_nmc811_ocv_matches_chen_2020_published_fit():
    """NCM811 OCV = Chen et al., J. Electrochem. Soc. 167 (2020) 080534, eq. for the LG M50 positive."""
    s = np.array([0.3, 0.5, 0.7, 0.9])
    u = (-0.8090 * s + 4.4875 - 0.0428 * np.tanh(18.5138 * (s - 0.5542))
         - 17.7326 * np.tanh(15.7890 * (s - 0.3117)) + 17.5842 * np.tanh(15.9308 * (s - 0.3120)))
    assert get_active_material("NMC811").ocv_v(s) == pytest.approx(u, abs=2e-3)


def test_bundled_ocv_tables_equal_pybamm_functions():
    """The tables shipped for installs without PyBaMM equal PyBaMM's OCP functions (peer tool)."""
    pytest.importorskip("pybamm")
    from ssbkit.cell.active_materials import _bundled_table

    for name in list_active_materials():
        m = get_active_material(name)
        if not m.ocv_source.startswith("pybamm:"):
            continue
        x, v = pybamm_ocv_table(name, 101)
        xb, vb = _bundled_table(name, "ocv_pybamm_tables.csv")
        assert xb == pytest.approx(x, abs=1e-5)
        assert vb == pytest.approx(v, abs=1e-4)


def test_unknown_material_suggests_closest_name():
    with pytest.raises(InputError, match="LiCoO2"):
        get_active_material("LiCo02")
    with pytest.raises(InputError):
        get_active_material("")


def test_ocv_rejects_nan_stoichiometry():
    with pytest.raises(InputError, match="finite"):
        get_active_material("LFP").ocv_v(np.nan)


def test_to_dict_is_json_ready():
    import json

    d = get_active_material("NCA").to_dict()
    assert json.loads(json.dumps(d))["capacity_theoretical_mAh_per_g"] == pytest.approx(279, abs=1)
