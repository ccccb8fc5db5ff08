"""The mole-ratio mixture parser against hand counts."""

from __future__ import annotations

import pytest

from ssbkit.errors import InputError
from ssbkit.materials import mass_fractions, parse_composition, parse_mixture


def _counts(text):
    return {str(el): amt for el, amt in parse_composition(text).items()}


def test_binary_glass_hand_count():
    # 70 Li2S + 30 P2S5: Li 140, P 60, S 70 + 150 = 220 -> Li7P3S11
    assert _counts("70Li2S-30P2S5") == pytest.approx({"Li": 140, "P": 60, "S": 220})
    assert parse_composition("70Li2S-30P2S5").reduced_formula == "Li7P3S11"


@pytest.mark.parametrize("sep", ["·", "*", ":", "+", "–", "-"])
def test_separators_are_equivalent(sep):
    assert _counts(f"75Li2S{sep}25P2S5") == pytest.approx({"Li": 150, "P": 50, "S": 200})


def test_beta_li3ps4_from_75_25():
    assert parse_composition("75Li2S-25P2S5").reduced_formula == "Li3PS4"


def test_nested_mixture_is_normalised_per_mole_of_components():
    # 99 x (0.7 Li2S + 0.3 P2S5) + 1 Li2ZrO3
    # Li: 99*1.4 + 2 = 140.6; P: 99*0.6 = 59.4; S: 99*(0.7 + 1.5) = 217.8; Zr 1; O 3
    c = _counts("99(70Li2S-30P2S5)-1Li2ZrO3")
    assert c == pytest.approx({"Li": 140.6, "P": 59.4, "S": 217.8, "Zr": 1.0, "O": 3.0})


def test_fractional_formula_goes_to_pymatgen():
    c = _counts("Li7P2.9Sb0.1S10.75O0.25")
    assert c == pytest.approx({"Li": 7, "P": 2.9, "Sb": 0.1, "S": 10.75, "O": 0.25})


def test_fractions_and_percent_give_the_same_ratio():
    a = parse_composition("0.8Li2S-0.2P2S5")
    b = parse_composition("80Li2S-20P2S5")
    assert a.fractional_composition.almost_equals(b.fractional_composition)
    assert b["Li"] / b["P"] == pytest.approx(4.0)


def test_formula_with_brackets_is_not_a_mixture():
    c = _counts("Li1.3Al0.3Ti1.7(PO4)3")
    assert c == pytest.approx({"Li": 1.3, "Al": 0.3, "Ti": 1.7, "P": 3, "O": 12})


def test_mass_fractions_of_a_mixture():
    mf = mass_fractions("70Li2S-30P2S5")
    m_li2s, m_p2s5 = 45.95, 222.27
    expected = 70 * m_li2s / (70 * m_li2s + 30 * m_p2s5)
    assert mf["Li2 S1"] == pytest.approx(expected, rel=1e-3)
    assert parse_mixture("70Li2S-30P2S5").mole_fractions == pytest.approx((0.7, 0.3))


@pytest.mark.parametrize("bad", ["", "70Li2S--30P2S5", "99(70Li2S-30P2S5-1Li2ZrO3", "70Xx2S-30P2S5", "Li3xLa2/3-xTiO3"])
def test_unparseable_compositions_are_clear_errors(bad):
    with pytest.raises(InputError):
        parse_composition(bad)
