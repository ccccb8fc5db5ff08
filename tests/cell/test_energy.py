"""Stack energy: the couple formula (science.md section 4) and hand-calculated stacks."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ssbkit.cell import get_active_material
from ssbkit.cell.design_file import design_from_dict
from ssbkit.cell.energy import (
    SET_PLAN_TARGETS,
    compare_to_targets,
    couple_specific_capacity_mah_per_g,
    couple_specific_energy_wh_per_kg,
    stack_energy,
)
from ssbkit.errors import InputError


def test_couple_formula_lico2_graphite_by_hand():
    """E = C_c C_a / (C_c + C_a) V: 274 x 372 / 646 mAh/g x 3.7 V = 583.8 Wh/kg (lecture)."""
    assert couple_specific_capacity_mah_per_g(274, 372) == pytest.approx(157.78, abs=0.01)
    assert couple_specific_energy_wh_per_kg(274, 372, 3.7) == pytest.approx(274 * 372 / 646 * 3.7)


def test_couple_formula_limits_and_vectorised():
    """An anode of unlimited capacity leaves C_c; equal capacities halve it."""
    assert couple_specific_capacity_mah_per_g(274, 1e12) == pytest.approx(274)
    assert couple_specific_capacity_mah_per_g(300, 300) == pytest.approx(150)
    e = couple_specific_energy_wh_per_kg(np.array([140, 200]), 3860, np.array([3.9, 3.8]))
    assert e.shape == (2,)
    with pytest.raises(InputError):
        couple_specific_capacity_mah_per_g(0, 100)


def _ideal(cathode_fracs, cathode_porosity=0.0):
    return design_from_dict({
        "cathode": {"active_material": "LiCoO2", "volume_fractions": cathode_fracs, "porosity": cathode_porosity,
                    "thickness_um": 50.0},
        "separator": {"thickness_um": 1e-6, "porosity": 0.0},
        "anode": {"material": "Li", "np_ratio": 1.0},
        "current_collectors": {"positive_thickness_um": 0.0, "negative_thickness_um": 0.0},
    })


def test_stack_of_dense_actives_at_np_1_equals_the_couple_formula():
    """No inactive mass, N/P = 1: stack Wh/kg = C_c C_a/(C_c + C_a) V with practical capacities."""
    e = stack_energy(_ideal({"active": 1.0}))
    lco, li = get_active_material("LiCoO2"), get_active_material("Li")
    expect = couple_specific_energy_wh_per_kg(lco.capacity_practical_mAh_per_g, li.capacity_practical_mAh_per_g, 3.9)
    assert e.np_ratio == pytest.approx(1.0)
    assert e.specific_energy_Wh_per_kg == pytest.approx(expect, rel=1e-6)
    # Wh/L by hand: Q = 50e-4 cm x 5.05 g/cm3 x 140 mAh/g; thickness 50 um + Li foil
    q = 50e-4 * 5.05 * 140.0
    l_li = q / (3860 * 0.534)
    assert e.energy_density_Wh_per_L == pytest.approx(q * 3.9 / (50e-4 + l_li), rel=1e-4)


def test_solid_electrolyte_fraction_costs_specific_energy():
    """science.md section 4: the SE fraction is what costs ASSBs; Wh/kg falls as it rises."""
    wh = [stack_energy(_ideal({"active": 1 - f, "electrolyte": f})).specific_energy_Wh_per_kg
          for f in (0.2, 0.4, 0.6)]
    assert wh[0] > wh[1] > wh[2]


def test_lecture_reference_cell_masses_and_low_stack_energy():
    """In | 80Li2S-20P2S5 GC | LiCoO2, 10 mm pellet: 80 mg SE, 20 mg composite LCO:GC:AB = 20:30:3 (lecture).

    The design must reproduce the 80 mg and 20 mg; a lab pellet holds far below the
    SET-Plan 350 Wh/kg because the separator dominates the mass.
    """
    area = math.pi * 0.5**2
    rho_se, p_sep = 1.88, 0.1
    sep_um = 80e-3 / (rho_se * area * (1 - p_sep)) * 1e4
    loading = 20.0 * 20 / 53 / area
    d = design_from_dict({
        "cathode": {"active_material": "LiCoO2", "mass_fractions": {"active": 20 / 53, "electrolyte": 30 / 53,
                    "carbon": 3 / 53}, "densities_g_cm3": {"electrolyte": rho_se}, "porosity": 0.15,
                    "loading_mg_cm2": loading},
        "separator": {"thickness_um": sep_um, "porosity": p_sep, "density_g_cm3": rho_se},
        "anode": {"material": "Li-In", "excess": 2.0},
        "current_collectors": {"positive_thickness_um": 0.0, "negative_thickness_um": 0.0},
        "cell": {"area_cm2": area},
    })
    e = stack_energy(d)
    mb = e.mass_breakdown_mg_cm2
    assert mb["separator electrolyte"] * area == pytest.approx(80.0, rel=1e-6)
    cathode = sum(v for k, v in mb.items() if k.startswith("cathode")) * area
    assert cathode == pytest.approx(20.0, rel=1e-6)
    assert e.np_ratio == pytest.approx(3.0)
    assert e.mass_fraction("separator electrolyte") > 0.6
    assert e.specific_energy_Wh_per_kg < 0.2 * SET_PLAN_TARGETS["Li-ion"][0]
    ratios = compare_to_targets(e)
    assert ratios["Li metal"]["Wh_per_kg_ratio"] < 0.2


def test_breakdowns_sum_to_totals_and_json_ready():
    import json

    e = stack_energy(_ideal({"active": 0.6, "electrolyte": 0.35, "carbon": 0.05}, 0.15))
    assert sum(e.mass_breakdown_mg_cm2.values()) == pytest.approx(e.areal_mass_mg_cm2)
    assert sum(e.thickness_breakdown_um.values()) == pytest.approx(e.thickness_um)
    assert json.loads(json.dumps(e.to_dict()))["np_ratio"] == pytest.approx(1.0)
