"""Voxel-size convergence of the tortuosity factor (ssbkit.microstructure.convergence)."""

from __future__ import annotations

import numpy as np
import pytest

from ssbkit.errors import InputError
from ssbkit.microstructure.convergence import ConvergedTortuosity, converged_tortuosity, richardson
from ssbkit.microstructure.recipe import Recipe

PHI = 0.2  # insulating sphere volume fraction


def _rayleigh_tau(phi: float) -> float:
    """Simple cubic array of insulating spheres in a conductor (Rayleigh, Phil. Mag. 34 (1892) 481):
    sigma_eff / sigma = 1 - 3 phi / (2 + phi - 1.2375 phi^(10/3)) to order phi^(10/3); tau = eps sigma / sigma_eff."""
    return (1 - phi) / (1 - 3 * phi / (2 + phi - 1.2375 * phi ** (10 / 3)))


def _sphere_in_cube(h: float) -> np.ndarray:
    """Conducting matrix around one centred insulating sphere in a unit cube (no-flux sides are mirror
    planes: the cell of a simple cubic array), voxel edge h (a 1/n)."""
    n = int(round(1 / h))
    c = (np.arange(n) + 0.5) / n - 0.5
    x, y, z = np.meshgrid(c, c, c, indexing="ij")
    r = 0.5 * (6 * PHI / np.pi) ** (1 / 3)
    return (x * x + y * y + z * z) > r * r


def test_richardson_is_exact_on_sequences_of_known_order():
    first = [1.1 + 0.5 * h for h in (0.2, 0.1)]
    est, p, _ = richardson(first)
    assert (est, p) == (pytest.approx(1.1, abs=1e-12), 1.0)
    second = [1.1 + 0.3 * h**2 for h in (0.4, 0.2, 0.1)]
    est, p, gci = richardson(second)
    assert p == pytest.approx(2.0, abs=1e-9)
    assert est == pytest.approx(1.1, abs=1e-12)
    assert gci == pytest.approx(1.25 * abs(second[-1] - second[-2]) / 3.0)


def test_sphere_array_extrapolates_to_rayleigh():
    """At 14.5 and 29 voxels per sphere diameter the solver's tau is 2.7 % and 1.3 % above the exact
    value (staircase surface, first order); the two-level extrapolation lands within 0.3 % of it and
    the exact value lies inside its GCI band."""
    exact = _rayleigh_tau(PHI)
    r = converged_tortuosity(_sphere_in_cube, 1 / 20, levels=2)
    coarse, fine = r.tortuosity
    assert coarse > fine > exact
    assert fine - exact > 0.01 * exact  # the effect the extrapolation removes
    assert r.extrapolated == pytest.approx(exact, rel=0.003)
    assert abs(r.extrapolated - exact) < r.gci
    assert ConvergedTortuosity.from_json(r.to_json()) == r


def test_generated_composite_converges_from_above():
    """A void-free LCO:SE 38:62 vol% recipe generated again at half the voxel size (same seed): tau
    falls with the voxel size and the estimate lies below the finest solve, above the Hashin-Shtrikman
    bound (3 - eps) / 2 of insulating inclusions."""
    rec = Recipe({"active": 0.38, "electrolyte": 0.62}, porosity=0.0, box_um=15, voxel_um=0.75,
                 active_diameter_um=5, electrolyte_diameter_um=1.5, seed=0)
    r = converged_tortuosity(rec, 0.75, levels=2)
    coarse, fine = r.tortuosity
    assert coarse > fine > r.extrapolated > (3 - 0.62) / 2
    assert r.voxel_um == (0.75, 0.375)


def test_bad_requests_raise_input_error():
    with pytest.raises(InputError, match="levels"):
        converged_tortuosity(_sphere_in_cube, 0.1, levels=1)
    with pytest.raises(InputError, match="no conducting path"):
        converged_tortuosity(lambda h: np.zeros((int(1 / h),) * 3, bool), 0.1)
    with pytest.raises(InputError, match="finite"):
        richardson([1.0, float("inf")])
