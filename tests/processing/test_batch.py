"""Batch planning: masses from the element balance, hand-computed from IUPAC molar masses."""

from __future__ import annotations

import pytest

from ssbkit.errors import InputError
from ssbkit.processing.batch import BatchPlan, plan_batch

# IUPAC standard atomic weights (2021): Li 6.94, P 30.973762, S 32.06, Cl 35.45, Zr 91.224, O 15.999
M_LI2S = 2 * 6.94 + 32.06
M_P2S5 = 2 * 30.973762 + 5 * 32.06
M_LICL = 6.94 + 35.45


def _mass(plan: BatchPlan, formula: str) -> float:
    return next(line.weigh_g for line in plan.lines if line.formula == formula)


def test_70li2s_30p2s5_mass_fractions_follow_x_m_over_sum():
    """science.md 7: w_A = x M_A / (x M_A + y M_B) for 70Li2S-30P2S5."""
    plan = plan_batch("70Li2S-30P2S5", mass_g=2.0)
    w_li2s = 70 * M_LI2S / (70 * M_LI2S + 30 * M_P2S5)
    assert _mass(plan, "Li2S") == pytest.approx(2.0 * w_li2s, rel=2e-4)
    assert _mass(plan, "P2S5") == pytest.approx(2.0 * (1 - w_li2s), rel=2e-4)
    assert plan.target_formula == "Li7P3S11"
    assert plan.balance_residual < 1e-12


def test_li6ps5cl_from_li2s_p2s5_licl_is_5_to_1_to_2():
    """Li6PS5Cl = 2.5 Li2S + 0.5 P2S5 + LiCl (the argyrodite route, 5:1:2 molar)."""
    plan = plan_batch("Li6PS5Cl", mass_g=1.0, precursors=["Li2S", "P2S5", "LiCl"])
    moles = {line.formula: line.moles_per_formula_unit for line in plan.lines}
    assert moles == pytest.approx({"Li2S": 2.5, "P2S5": 0.5, "LiCl": 1.0}, abs=1e-9)
    tot = 2.5 * M_LI2S + 0.5 * M_P2S5 + M_LICL
    assert _mass(plan, "LiCl") == pytest.approx(M_LICL / tot, rel=2e-4)
    # weighing order: largest first
    assert [line.order for line in plan.lines] == [1, 2, 3]
    assert plan.lines[0].weigh_g >= plan.lines[1].weigh_g >= plan.lines[2].weigh_g


def test_default_precursors_of_a_plain_formula_are_found_when_unique():
    plan = plan_batch("Li6PS5Cl", mass_g=1.0)
    assert {line.formula for line in plan.lines} == {"Li2S", "P2S5", "LiCl"}


def test_nested_mixture_expands_the_glass_into_li2s_and_p2s5():
    """99(70Li2S-30P2S5)-1Li2ZrO3: 69.3 Li2S + 29.7 P2S5 + 1 Li2ZrO3 per 100 mol."""
    plan = plan_batch("99(70Li2S-30P2S5)-1Li2ZrO3", mass_g=1.0)
    moles = {line.formula: line.moles_per_formula_unit for line in plan.lines}
    assert moles["Li2S"] / moles["Li2ZrO3"] == pytest.approx(69.3, rel=1e-9)
    assert moles["P2S5"] / moles["Li2ZrO3"] == pytest.approx(29.7, rel=1e-9)


def test_purity_divides_and_excess_adds():
    """75Li2S-25P2S5 with 99.9 % Li2S and 1 % excess S (of the batch mass)."""
    base = plan_batch("75Li2S-25P2S5", mass_g=1.0)
    plan = plan_batch("75Li2S-25P2S5", mass_g=1.0, purity={"Li2S": 0.999}, excess={"S": 0.01})
    assert _mass(plan, "Li2S") == pytest.approx(_mass(base, "Li2S") / 0.999, rel=1e-12)
    assert _mass(plan, "S") == pytest.approx(0.01, rel=1e-12)
    assert plan.total_weigh_g == pytest.approx(base.total_weigh_g + _mass(base, "Li2S") * (1 / 0.999 - 1) + 0.01)
    assert any("excess" in n for n in plan.notes)


def test_excess_of_a_needed_precursor_is_relative_to_its_own_mass():
    base = plan_batch("75Li2S-25P2S5", mass_g=1.0)
    plan = plan_batch("75Li2S-25P2S5", mass_g=1.0, excess={"Li2S": 0.05})
    assert _mass(plan, "Li2S") == pytest.approx(1.05 * _mass(base, "Li2S"), rel=1e-12)


@pytest.mark.parametrize("kwargs, match", [
    (dict(target="Li6PS5Cl", mass_g=1.0, precursors=["Li2S", "P2S5"]), "no precursor contains Cl"),
    (dict(target="Li3PS4", mass_g=1.0, precursors=["Li2O", "P2S5"]), "O would be left over"),
    (dict(target="70Li2S-30P2S5", mass_g=-2.0), "must be > 0"),
    (dict(target="70Li2S-30P2S5", mass_g=1.0, purity={"Li2S": 99.9}), "did you mean 0.999"),
    (dict(target="70Li2S-30P2S5", mass_g=1.0, purity={"LiI": 0.99}), "not a precursor"),
    (dict(target="70Li2S-30P2S5", mass_g=1.0, excess={"S": 1.0}), "excess"),
    (dict(target="Li7P2.9Sb0.1S10.75O0.25", mass_g=1.0), "give them explicitly"),
])
def test_impossible_targets_and_bad_numbers_are_refused(kwargs, match):
    with pytest.raises(InputError, match=match):
        plan_batch(**kwargs)


def test_batch_plan_round_trips():
    plan = plan_batch("Li6PS5Cl", mass_g=1.0, purity={"LiCl": 0.99})
    assert BatchPlan.from_json(plan.to_json()) == plan


def test_a_precursor_the_target_does_not_need_is_dropped_with_a_note():
    plan = plan_batch("Li3PS4", mass_g=1.0, precursors=["Li2S", "LiCl", "P2S5"])
    assert {line.formula for line in plan.lines} == {"Li2S", "P2S5"}
    assert any("not needed" in n and "LiCl" in n for n in plan.notes)
