"""Arrhenius extrapolation of MD diffusivities (ssbkit.atomistic.arrhenius_md)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import constants

from ssbkit.atomistic.arrhenius_md import (
    arrhenius_from_diffusivities,
    number_density_per_cm3,
    read_d_t_csv,
)
from ssbkit.errors import FileFormatError, InputError

K_B_EV = constants.k / constants.e
EA, D0 = 0.30, 1e-3  # eV, cm^2/s
T = np.array([500.0, 600.0, 700.0, 800.0, 900.0])


def _d(t):
    return D0 * np.exp(-EA / (K_B_EV * np.asarray(t)))


def test_exact_arrhenius_data_give_ea_and_300k_values():
    """Analytic: D = 1e-3 exp(-0.30 eV / kT) cm^2/s; D(300 K) = 9.125e-9 cm^2/s; sigma by Nernst–Einstein by hand."""
    n = 3.0e22
    res = arrhenius_from_diffusivities(T, _d(T), n_per_cm3=n, species="Li")
    assert res.ea_eV == pytest.approx(EA, rel=1e-9)
    assert res.d_target_cm2_per_s == pytest.approx(_d(300.0), rel=1e-9)
    assert res.d_target_cm2_per_s == pytest.approx(9.125e-9, rel=1e-3)
    sigma_hand = n * 1e6 * constants.e**2 * _d(300.0) * 1e-4 / (constants.k * 300.0) / 100.0
    assert res.sigma_target_S_per_cm == pytest.approx(sigma_hand, rel=1e-9)
    assert res.sigma_target_S_per_cm == pytest.approx(1.697e-3, rel=1e-3)  # 3e28 m^-3 e^2 9.125e-13 m^2/s / (k 300 K)


def test_interval_on_d300_covers_the_truth_95_percent():
    """200 noisy replicates (10 % errors on D, as from the MSD fit): the 95 % interval of D(300 K) covers the truth."""
    rng = np.random.default_rng(0)
    hits = 0
    for _ in range(200):
        d = _d(T) * (1 + 0.1 * rng.standard_normal(T.size))
        res = arrhenius_from_diffusivities(T, d, d_err_cm2_per_s=0.1 * _d(T), n_per_cm3=1e22)
        lo, hi = res.d_target_ci_cm2_per_s
        hits += lo < _d(300.0) < hi
    assert 0.90 <= hits / 200 <= 0.995


def test_scatter_beyond_the_errors_widens_the_interval():
    """Errors 10x smaller than the scatter: the reduced chi^2 is large and the interval is widened, with a warning."""
    d = _d(T) * np.array([1.2, 0.85, 1.15, 0.9, 1.1])
    res = arrhenius_from_diffusivities(T, d, d_err_cm2_per_s=0.01 * d, n_per_cm3=1e22)
    assert res.reduced_chi2 > 10
    assert any("scatter" in w for w in res.warnings)
    lo, hi = res.ea_ci_eV
    assert lo < EA < hi


def test_read_csv_skips_unconverged_rows_and_converts_m2(tmp_path):
    p = tmp_path / "D_T.csv"
    p.write_text("temperature_K,D_m2_per_s,D_err_m2_per_s\n600,1e-9,1e-10\n700,,\n800,3e-9,2e-10\n")
    t, d, e, warnings = read_d_t_csv(p)
    np.testing.assert_allclose(t, [600, 800])
    np.testing.assert_allclose(d, [1e-5, 3e-5])
    np.testing.assert_allclose(e, [1e-6, 2e-6])
    assert any(":3:" in w for w in warnings)
    bad = tmp_path / "bad.csv"
    bad.write_text("T_K,Diff\n600,1e-5\n700,2e-5\n")
    with pytest.raises(FileFormatError, match="D_cm2_per_s"):
        read_d_t_csv(bad)


def test_number_density_from_a_poscar(tmp_path):
    """2 Li in a 4 Å cube: n = 2 / 64 Å^3 = 3.125e22 cm^-3."""
    from pymatgen.core import Lattice, Structure

    s = Structure(Lattice.cubic(4.0), ["Li", "Li", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5], [0.5, 0, 0]])
    s.to(filename=str(tmp_path / "POSCAR"), fmt="poscar")
    assert number_density_per_cm3(tmp_path / "POSCAR", "Li") == pytest.approx(3.125e22, rel=1e-9)
    with pytest.raises(InputError, match="not in"):
        number_density_per_cm3(tmp_path / "POSCAR", "Na")
    assert math.isclose(number_density_per_cm3(tmp_path / "POSCAR", "Cl"), 1.5625e22, rel_tol=1e-9)
