"""Random-walk tortuosity (Hlushkou's method) against exact cases and the voxel solver."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from ssbkit.errors import InputError
from ssbkit.microstructure.random_walk import random_walk_tortuosity
from ssbkit.microstructure.solver import tortuosity_factor


def test_free_volume_diffuses_with_d0():
    """No obstacles: D_eff / D0 = 1 (tau = 1) along every axis, within the walk's error."""
    res = random_walk_tortuosity(np.ones((10, 10, 10), dtype=bool), n_walkers=4000,
                                 n_steps=2000, seed=3)
    for d, e in zip(res.d_rel, res.d_rel_err, strict=True):
        assert abs(d - 1.0) < 4 * e + 0.01
        assert 0 < e < 0.1


def test_walk_agrees_with_solver_within_its_uncertainty():
    """Random 70 % pores, 16^3: walk tau (mirror boundaries) = solver tau per axis (3 sigma)."""
    rng = np.random.default_rng(1)
    vol = rng.random((16, 16, 16)) < 0.7
    walk = random_walk_tortuosity(vol, n_walkers=12000, n_steps=6000, seed=1)
    for axis in range(3):
        tau = tortuosity_factor(vol, axis=axis).tortuosity
        assert abs(walk.tortuosity[axis] - tau) < 3 * walk.tortuosity_err[axis] + 0.01 * tau
    assert walk.volume_fraction == pytest.approx(vol.mean())


def test_straight_channels_give_tau_one_along_and_no_diffusion_across():
    """Channels along axis 0: tau_0 = 1; walkers cannot leave a channel sideways (d_rel -> 0)."""
    vol = np.zeros((20, 9, 9), dtype=np.uint8)
    vol[:, 1:3, 1:3] = 4
    vol[:, 6:8, 5:7] = 4
    res = random_walk_tortuosity(vol, phase=4, n_walkers=4000, n_steps=4000, seed=5)
    assert res.tortuosity[0] == pytest.approx(1.0, abs=4 * res.tortuosity_err[0] + 0.02)
    assert res.d_rel[1] < 0.01 and res.d_rel[2] < 0.01


def test_same_seed_same_result_and_json_ready():
    vol = np.random.default_rng(0).random((8, 8, 8)) < 0.8
    a = random_walk_tortuosity(vol, n_walkers=200, n_steps=300, seed=11)
    b = random_walk_tortuosity(vol, n_walkers=200, n_steps=300, seed=11)
    assert a == b
    json.dumps(a.to_dict())


def test_empty_phase_and_bad_options():
    res = random_walk_tortuosity(np.zeros((5, 5, 5), dtype=bool), n_walkers=100, n_steps=100)
    assert all(math.isinf(t) for t in res.tortuosity)
    with pytest.raises(InputError, match="mirror"):
        random_walk_tortuosity(np.ones((4, 4, 4)), boundary="mirrored")
    with pytest.raises(InputError, match="n_batches"):
        random_walk_tortuosity(np.ones((4, 4, 4)), n_walkers=5)
