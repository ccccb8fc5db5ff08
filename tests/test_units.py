"""Unit helpers and constants against hand values."""

from __future__ import annotations

import numpy as np
import pytest

from ssbkit.constants import EV_TO_KJ_PER_MOL, FARADAY, K_B_EV
from ssbkit.errors import InputError, did_you_mean
from ssbkit.units import (
    celsius_to_kelvin,
    ev_to_kj_per_mol,
    kj_per_mol_to_ev,
    mah_per_cm2_to_c_per_m2,
    mah_per_g_to_c_per_kg,
    s_per_cm_to_s_per_m,
    to_kelvin,
    um_to_m,
)


def test_constants_are_codata():
    assert FARADAY == pytest.approx(96485.332, rel=1e-8)
    assert K_B_EV == pytest.approx(8.617333e-5, rel=1e-6)
    assert EV_TO_KJ_PER_MOL == pytest.approx(96.485, rel=1e-5)  # science.md section 1


def test_conversions():
    assert celsius_to_kelvin(25.0) == pytest.approx(298.15)
    assert s_per_cm_to_s_per_m(1e-3) == pytest.approx(0.1)
    assert um_to_m(100.0) == pytest.approx(1e-4)
    assert mah_per_g_to_c_per_kg(1.0) == pytest.approx(3600.0)  # 3.6 C / 1e-3 kg
    assert mah_per_cm2_to_c_per_m2(1.0) == pytest.approx(36000.0)
    assert kj_per_mol_to_ev(ev_to_kj_per_mol(0.3)) == pytest.approx(0.3)


def test_to_kelvin_checks_units_and_zero():
    assert np.allclose(to_kelvin([0, 100], "degC"), [273.15, 373.15])
    with pytest.raises(InputError, match="above 0 K"):
        to_kelvin([-300.0], "degC")
    with pytest.raises(InputError, match="unit"):
        to_kelvin([300.0], "F")


def test_did_you_mean():
    assert "did you mean 'porosity'" in did_you_mean("porocity", ["porosity", "thickness_um"])
    assert "valid:" in did_you_mean("zzz", ["a", "b"])
