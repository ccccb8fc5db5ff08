"""Interfaces: charge transfer R_ct = RT/(F i0), coating, contact area, contact loss (science.md 8)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ssbkit.cell.interfaces import (
    COATINGS,
    InterfaceModel,
    charge_transfer_resistance_ohm_cm2,
    contact_area_estimate,
    exchange_current_from_rct,
    resolve_interface,
)
from ssbkit.errors import InputError

RT_F_25C = 8.314462618 * 298.15 / 96485.33212  # V


def test_rct_is_rt_over_f_i0():
    """R_ct = R T / (F i0): 1 mA/cm2 at 25 degC -> 25.69 Ohm cm2; and the inverse."""
    assert charge_transfer_resistance_ohm_cm2(1.0) == pytest.approx(RT_F_25C / 1e-3, rel=1e-9)
    assert exchange_current_from_rct(8.6) == pytest.approx(RT_F_25C / 8.6 * 1e3, rel=1e-9)
    # R_ct grows with T at fixed i0 (T in the numerator)
    assert charge_transfer_resistance_ohm_cm2(1.0, 100.0) / charge_transfer_resistance_ohm_cm2(1.0) == \
        pytest.approx(373.15 / 298.15)


def test_contact_area_estimate_is_sphere_surface_times_se_share():
    """6 phi / d is the surface per volume of spheres; theta = phi_SE / (1 - phi_AM)."""
    assert contact_area_estimate(0.5, 0.5, 5.0) == pytest.approx(6 * 0.5 / 5.0)  # all neighbours SE
    assert contact_area_estimate(0.3, 0.35, 2.0) == pytest.approx(6 * 0.3 / 2.0 * 0.35 / 0.7)
    with pytest.raises(InputError):
        contact_area_estimate(0.3, 0.3, -1.0)


def test_lithium_niobate_coating_resistance_is_thickness_over_sigma():
    c = COATINGS["LiNbO3"]
    assert c.resistance_ohm_cm2() == pytest.approx(c.thickness_nm * 1e-7 / c.sigma_S_per_cm)


def _lco(**kw):
    return resolve_interface("LiCoO2", phi_active=0.4, phi_electrolyte=0.45, diameter_um=5.0,
                             thickness_um=60.0, **kw)


def test_electrode_interface_divides_by_contact_area_and_loses_contact():
    """r / (a_c L (1 - f_loss)): losing half the contact doubles the electrode's film resistance (R-20)."""
    a = _lco(contact_area_per_um=0.2, film_ohm_cm2=100.0)
    assert a.contact_area_cm2_per_cm2 == pytest.approx(0.2 * 60.0)
    assert a.series_ohm_cm2() == pytest.approx(100.0 / 12.0)
    b = _lco(contact_area_per_um=0.2, film_ohm_cm2=100.0, contact_loss_fraction=0.5)
    assert b.series_ohm_cm2() == pytest.approx(2 * a.series_ohm_cm2())


def test_overpotential_linear_limit_and_butler_volmer():
    """Small i: eta = i (R_film + R_ct) / (a L); large i: the BV part grows like (2RT/F) ln(i/i0)."""
    m = _lco(contact_area_per_um=0.1, film_ohm_cm2=50.0, i0_mA_per_cm2=1.0)
    area = 0.1 * 60.0
    i = 1e-4  # mA/cm2
    lin = i * 1e-3 * (50.0 + RT_F_25C / 1e-3) / area
    assert float(m.overpotential_V(i)) == pytest.approx(lin, rel=1e-6)
    big = 1e3
    bv = float(m.overpotential_V(big)) - big * 1e-3 * 50.0 / area
    assert bv == pytest.approx(2 * RT_F_25C * math.asinh(big / (2 * 1.0 * area)), rel=1e-9)


def test_uncoated_oxide_against_sulfide_has_the_interphase_film_and_a_coating_removes_it():
    """Nishio 2022: 10 nm buffer lowers LiCoO2 | a-Li3PS4 resistance 2800-fold over the clean
    8.6 Ohm cm2 of Haruta 2015."""
    bare = _lco()
    assert bare.film_ohm_cm2 == pytest.approx(2800 * 8.6)
    assert bare.contact_area_source == "estimate"
    coated = _lco(coating="LiNbO3")
    assert coated.film_ohm_cm2 == 0.0
    assert coated.series_ohm_cm2() < bare.series_ohm_cm2() / 1000
    assert "Nishio2022" in bare.references and "Ohta2007" in coated.references


def test_bad_interface_input():
    with pytest.raises(InputError, match="coating"):
        _lco(coating="unobtainium")
    with pytest.raises(InputError):
        _lco(contact_loss_fraction=1.0)
    with pytest.raises(InputError):
        _lco(film_ohm_cm2=-1.0)


def test_interface_record_round_trip():
    m = _lco(coating="LiNbO3", dead_fraction=0.1)
    back = InterfaceModel.from_json(m.to_json())
    assert back == m
    assert np.isclose(back.series_ohm_cm2(60.0), m.series_ohm_cm2(60.0))
