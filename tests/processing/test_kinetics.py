"""Kissinger, Ozawa and Matusita-Sakka against non-isothermal JMAK curves with known Ea, A and n."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.optimize import brentq

from ssbkit.errors import InputError
from ssbkit.processing.dsc import analyze_dsc
from ssbkit.processing.dsc_io import read_dsc
from ssbkit.processing.kinetics import (
    AvramiFit,
    CrystallizationKinetics,
    KineticsFit,
    crystallization_kinetics,
    kissinger,
    ozawa,
)

R = 8.314462618
RATES = (2.0, 5.0, 10.0, 20.0)


def _kinetics(jmak_factory, n):
    scans = [jmak_factory(b, n=n) for b in RATES]
    curves = [c for c, _ in scans]
    return crystallization_kinetics(curves, [analyze_dsc(c, find_tg=False) for c in curves]), scans[0][1]


def test_kissinger_recovers_ea_and_a_of_first_order_scans(jmak_factory):
    """n = 1: Kissinger's relation is exact (Kissinger 1957); Ea = 250 kJ/mol, ln A from the generator."""
    kin, ln_a = _kinetics(jmak_factory, 1.0)
    assert kin.kissinger.ea_kJ_per_mol == pytest.approx(250.0, rel=0.005)
    assert kin.kissinger.ln_A_per_s == pytest.approx(ln_a, abs=0.3)
    lo, hi = kin.kissinger.ea_ci_kJ_per_mol
    assert lo < kin.kissinger.ea_kJ_per_mol < hi


def test_avrami_exponent_by_matusita_sakka(jmak_factory):
    """n = 3 scans: Matusita-Sakka n = 3 (slope of ln(-ln(1-x)) against ln beta); m = n here."""
    kin, _ = _kinetics(jmak_factory, 3.0)
    assert kin.kissinger.ea_kJ_per_mol == pytest.approx(250.0, rel=0.01)
    assert kin.avrami.n == pytest.approx(3.0, rel=0.04)
    assert kin.avrami.m == pytest.approx(3.0, rel=0.04)
    kin1, _ = _kinetics(jmak_factory, 1.0)
    assert kin1.avrami.n == pytest.approx(1.0, rel=0.04)


def test_ozawa_is_within_doyle_bias_of_the_true_ea(jmak_factory):
    """Flynn-Wall-Ozawa with Doyle's 1.052 underestimates Ea by ~1-2 % at E/RT ~ 55."""
    kin, _ = _kinetics(jmak_factory, 1.0)
    assert kin.ozawa.ea_kJ_per_mol == pytest.approx(250.0, rel=0.03)
    assert kin.ozawa.ea_kJ_per_mol < kin.kissinger.ea_kJ_per_mol


def _exact_tp(beta, ea=180e3, a=1e14):
    return brentq(lambda t: beta / 60 * ea / (R * t ** 2) - a * math.exp(-ea / (R * t)), 300, 2000) - 273.15


def test_kissinger_interval_covers_the_true_ea_95_percent_of_the_time():
    """Coverage of the 95 % interval: exact first-order peaks + 0.5 K Gaussian reading error."""
    rng = np.random.default_rng(7)
    tp = np.array([_exact_tp(b) for b in RATES])
    hits = 0
    trials = 400
    for _ in range(trials):
        lo, hi = kissinger(RATES, tp + rng.normal(0, 0.5, tp.size)).ea_ci_kJ_per_mol
        hits += lo <= 180.0 <= hi
    assert 0.92 <= hits / trials <= 0.98


def test_real_multirate_pmma_scans_shift_and_kissinger_agrees_with_ozawa(fixtures_dir):
    """MaCFP FSRI PMMA at 3, 10, 30 K/min: the depolymerisation peak shifts up with the rate, and
    Kissinger and Ozawa (independent approximations) agree within 5 % on these real peaks."""
    tp, beta = [], []
    for r in (3, 10, 30):
        c = read_dsc(fixtures_dir / f"fsri_pmma_dsc_n2_{r}K_1.csv")  # file: endothermic up = exo-up reading
        a = analyze_dsc(c, find_tg=False, tc_window_C=(250.0, 450.0))
        tp.append(max(a.crystallization, key=lambda p: p.height).peak_C)
        beta.append(c.heating_rate_K_per_min)
    assert tp[0] < tp[1] < tp[2]
    k, o = kissinger(beta, tp), ozawa(beta, tp)
    assert o.ea_kJ_per_mol == pytest.approx(k.ea_kJ_per_mol, rel=0.05)
    assert 100.0 < k.ea_kJ_per_mol < 400.0


@pytest.mark.parametrize("beta, tp, match", [
    ([10.0], [250.0], "at least two"),
    ([5.0, 10.0, 20.0], [260.0, 255.0, 270.0], "do not rise"),
    ([5.0, 5.0], [250.0, 255.0], "must differ"),
    ([5.0, 10.0], [523.0 + 1500, 530.0 + 1500], "kelvin"),
    ([5.0, -10.0], [250.0, 255.0], "> 0"),
])
def test_bad_rate_series_are_refused(beta, tp, match):
    with pytest.raises(InputError, match=match):
        kissinger(beta, tp)


def test_a_scan_without_exotherm_cannot_feed_kinetics(jmak_factory):
    c, _ = jmak_factory(10.0)
    flat = type(c)(c.temperature_C, 0.05 + 0 * c.temperature_C, "W/g", 5.0, source="flat.csv")
    with pytest.raises(InputError, match="flat.csv: no crystallization exotherm"):
        crystallization_kinetics([c, flat], [analyze_dsc(c, find_tg=False), analyze_dsc(flat, find_tg=False)])


def test_kinetics_records_round_trip(jmak_factory):
    kin, _ = _kinetics(jmak_factory, 3.0)
    assert KineticsFit.from_json(kin.kissinger.to_json()) == kin.kissinger
    assert AvramiFit.from_json(kin.avrami.to_json()) == kin.avrami
    back = CrystallizationKinetics.from_json(kin.to_json())
    assert back.summary() == pytest.approx(kin.summary())
