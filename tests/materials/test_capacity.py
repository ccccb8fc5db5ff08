"""Theoretical capacities against the seeds' values (science.md section 4, lecture)."""

from __future__ import annotations

import pytest

from ssbkit.errors import InputError
from ssbkit.materials import theoretical_capacity_mah_per_g


@pytest.mark.parametrize(
    "formula,x,expected",
    [
        ("C6", 1, 372),  # lecture: graphite LiC6
        ("LiCoO2", 1, 274),  # lecture
        ("Li", 1, 3860),  # lecture
    ],
)
def test_seed_capacities(formula, x, expected):
    assert theoretical_capacity_mah_per_g(formula, x) == pytest.approx(expected, rel=0.003)


def test_alloy_and_conversion_electrodes():
    # Li15Si4: 3.75 Li per Si -> 3579 mAh/g; FeS2 + 4 Li -> 894 mAh/g; S -> Li2S 1672 mAh/g
    assert theoretical_capacity_mah_per_g("Si", 3.75) == pytest.approx(3579, rel=0.002)
    assert theoretical_capacity_mah_per_g("FeS2", 4) == pytest.approx(894, rel=0.002)
    assert theoretical_capacity_mah_per_g("S", 2) == pytest.approx(1672, rel=0.002)
    assert theoretical_capacity_mah_per_g("Li4Ti5O12", 3) == pytest.approx(175, rel=0.003)


def test_zero_electrons_rejected():
    with pytest.raises(InputError):
        theoretical_capacity_mah_per_g("LiCoO2", 0)
