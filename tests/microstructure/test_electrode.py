"""Electrode tortuosity tau_e (Nguyen et al. 2020) against exact transmission-line cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ssbkit.errors import InputError
from ssbkit.microstructure._electrode import ElectrodeTortuosity, electrode_tortuosity
from ssbkit.microstructure.solver import tortuosity_factor


def _line_resistance(areas: np.ndarray, total_area: float) -> float:
    """Re Z(0+) of one 1-voxel channel: unit bonds, half-cell 0.5 at the separator,
    capacitive current leaving voxel i in proportion to its wall area (independent 1-D sum)."""
    s = areas / total_area
    q = np.cumsum(s[::-1])[::-1]  # current entering voxel i from the separator side
    phi = 0.5 * q[0] + np.concatenate([[0.0], np.cumsum(q[1:])])
    return float(s @ phi)


@pytest.mark.parametrize("n", [8, 20])
def test_straight_pores_give_one_plus_discretisation_error(n):
    """Straight pores with uniform wall area: tau_e = 1 + 1 / (2 n^2) exactly on the grid
    (the homogeneous transmission line, Z -> R_ion / 3; conventional tau = 1 too)."""
    pores = np.zeros((n, 9, 9), dtype=bool)
    pores[:, 1::3, 1::3] = True
    res = electrode_tortuosity(pores)
    assert res.tau_e == pytest.approx(1 + 1 / (2 * n * n), rel=1e-9)
    assert tortuosity_factor(pores).tortuosity == pytest.approx(1.0, rel=1e-9)


def test_dead_end_pores_count_for_tau_e_but_not_for_tau():
    """Half the pores end halfway: the conventional tau ignores them (no through-current),
    tau_e charges them. Exact value from channels in parallel:
    Re Z(0+) = sum over voxels of s_i phi_i per channel (independent 1-D computation)."""
    n = 16
    pores = np.zeros((n, 8, 8), dtype=bool)
    pores[:, 1, 1] = pores[:, 5, 1] = True          # two through-pores
    pores[: n // 2, 1, 5] = pores[: n // 2, 5, 5] = True  # two dead ends (end face counts)
    full = np.full(n, 4.0)
    dead = np.full(n // 2, 4.0)
    dead[-1] += 1.0  # the closed end
    total = 2 * full.sum() + 2 * dead.sum()
    r = 2 * _line_resistance(full, total) + 2 * _line_resistance(dead, total)  # sums of s.phi
    # r counts each channel's s.phi with global s; the network value is that sum, since every
    # channel carries exactly its own share of the source current
    eps = pores.mean()
    exact = eps * 3 * r * (8 * 8) / n
    res = electrode_tortuosity(pores)
    assert res.tau_e == pytest.approx(exact, rel=1e-9)
    assert res.connected_fraction == 1.0
    # conventional: eps (3 channels worth) over sigma_eff (2 through-channels) = 1.5
    assert tortuosity_factor(pores).tortuosity == pytest.approx(1.5, rel=1e-9)


def test_spacing_transposition_and_records():
    """Axis/spacing bookkeeping as for the conduction solver; no path -> inf and null in JSON."""
    vol = np.random.default_rng(1).random((14, 12, 10)) < 0.6
    a = electrode_tortuosity(vol, axis=1, spacing=(1.0, 2.0, 0.5))
    b = electrode_tortuosity(np.ascontiguousarray(vol.transpose(1, 0, 2)), axis=0, spacing=(2.0, 1.0, 0.5))
    assert a.tau_e == pytest.approx(b.tau_e, rel=1e-6) and a.converged
    assert ElectrodeTortuosity.from_json(a.to_json()) == a
    none = electrode_tortuosity(np.zeros((5, 5, 5), dtype=bool))
    assert math.isinf(none.tau_e) and '"tau_e": null' in none.to_json()


@pytest.mark.parametrize(("kwargs", "match"), [({"tol": 0.0}, "tol"), ({"max_iter": -1}, "max_iter"),
                                               ({"max_iter": 0}, "max_iter")])
def test_bad_tolerance_or_iteration_limit_is_an_input_error(kwargs, match):
    """max_iter=-1 returned tau_e = 0.0 (no iteration, a finite number below any physical value)."""
    pores = np.zeros((4, 3, 3), dtype=bool)
    pores[:, 1, 1] = True
    with pytest.raises(InputError, match=match):
        electrode_tortuosity(pores, **kwargs)
