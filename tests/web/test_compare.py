"""Spread and outliers (ssbkit.web.compare) against hand-computed values."""

from __future__ import annotations

import math

import pytest

from ssbkit.web.compare import comparison, flag_outliers, group_spread, modified_z, spread


def test_modified_z_matches_iglewicz_hoaglin_by_hand():
    """x = 1, 2, 3, 4, 100: median 3, MAD = median(2, 1, 0, 1, 97) = 1, M = 0.6745 (x - 3)."""
    z = modified_z([1, 2, 3, 4, 100])
    assert list(z) == pytest.approx([0.6745 * (x - 3) for x in (1, 2, 3, 4, 100)])


def test_spread_of_conductivities_is_taken_in_log():
    """1e-4 and 1e-2: geometric median 1e-3, max/min 100, s.d. of log10 = sqrt(2)."""
    s = spread([1e-4, 1e-2, None, math.nan], log=True)
    assert s["n"] == 2 and s["median"] == pytest.approx(1e-3) and s["max_over_min"] == pytest.approx(100)
    assert s["std_log10"] == pytest.approx(math.sqrt(2))


def test_one_sample_a_decade_off_is_flagged_and_the_others_not():
    rows = [{"sample": f"s{i}", "batch": "B1", "sigma_S_per_cm": v, "ea_eV": 0.35}
            for i, v in enumerate([1.0e-3, 1.1e-3, 0.9e-3, 1.05e-3, 0.95e-3, 1.0e-2])]
    out = flag_outliers(rows)
    assert [r["outlier"] for r in out] == [False] * 5 + [True]
    assert out[-1]["z_sigma"] > 3.5


def test_fewer_than_five_samples_are_not_tested_for_outliers():
    rows = [{"sample": "a", "sigma_S_per_cm": 1e-3}, {"sample": "b", "sigma_S_per_cm": 1e-3},
            {"sample": "c", "sigma_S_per_cm": 1e-1}]
    assert not any(r["outlier"] for r in flag_outliers(rows))


def test_groups_and_comparison_layout():
    rows = [{"sample": "a", "batch": "B1", "lab": "L1", "operator": "x", "sigma_S_per_cm": 1e-3, "ea_eV": 0.30},
            {"sample": "b", "batch": "B2", "lab": "L1", "operator": "x", "sigma_S_per_cm": 4e-3, "ea_eV": 0.34}]
    g = {x["group"]: x for x in group_spread(rows, "batch")}
    assert g["B1"]["sigma"]["n"] == 1 and g["B2"]["ea"]["median"] == pytest.approx(0.34)
    d = comparison(rows, [], "Li3PS4")
    assert d["overall"]["sigma"]["max_over_min"] == pytest.approx(4.0)
    assert d["overall"]["ea"]["std"] == pytest.approx(math.sqrt(0.0008))
