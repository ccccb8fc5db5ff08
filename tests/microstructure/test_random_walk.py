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


def test_round_trip_through_json_keeps_values():
    """Record round trip; an infinite tortuosity is written as null (jsonio policy)."""
    from ssbkit.microstructure.random_walk import RandomWalkResult

    vol = np.zeros((10, 6, 6), dtype=bool)
    vol[:4] = True
    vol[6:] = True  # a wall at 4..5 blocks axis 0
    res = random_walk_tortuosity(vol, n_walkers=200, n_steps=300, seed=2)
    text = res.to_json()
    assert '"inf"' not in text and json.loads(text)["tortuosity"][0] is None
    back = RandomWalkResult.from_json(text)
    assert back.d_rel == res.d_rel and back.tortuosity[1:] == res.tortuosity[1:]
    assert not math.isfinite(back.tortuosity[0])


def test_no_path_along_an_axis_gives_infinite_tortuosity():
    """A wall across axis 0 leaves two slabs: no walker can diffuse along 0 in the long run.

    The walkers' finite-time displacement inside a slab is not diffusion across the
    volume; the solver gives sigma_eff = 0 there and so must the walk (tau = inf).
    Along axes 1 and 2 the slabs are free space: tau = 1 within the error.
    """
    vol = np.ones((12, 10, 10), dtype=bool)
    vol[5:7] = False
    for boundary in ("mirror", "periodic"):
        res = random_walk_tortuosity(vol, n_walkers=2000, n_steps=2000, seed=4, boundary=boundary)
        assert math.isinf(res.tortuosity[0]) and res.d_rel[0] == 0.0
        assert tortuosity_factor(vol, axis=0).sigma_eff == 0.0
        for ax in (1, 2):
            assert res.tortuosity[ax] == pytest.approx(1.0, abs=4 * res.tortuosity_err[ax] + 0.02)


def test_periodic_and_mirror_continuations_decide_spanning_differently():
    """A path that touches both faces of axis 1 spans it in the mirror continuation,
    but in the periodic one only if its two ends meet across the face.

    Zig-zag in the plane i = 2: along axis 1 at k = 0 (j = 0..4), over to k = 2,
    on along axis 1 at k = 2 (j = 4..7). Mirror: an infinite path along axis 1.
    Periodic: (j = 7, k = 2) faces the empty (j = 0, k = 2): a closed piece, tau = inf.
    A straight line along axis 1 spans in both continuations (tau finite).
    """
    zig = np.zeros((5, 8, 5), dtype=bool)
    zig[2, 0:5, 0] = True
    zig[2, 4, 0:3] = True
    zig[2, 4:8, 2] = True
    per = random_walk_tortuosity(zig, n_walkers=400, n_steps=3000, seed=1, boundary="periodic")
    mir = random_walk_tortuosity(zig, n_walkers=400, n_steps=3000, seed=1, boundary="mirror")
    assert math.isinf(per.tortuosity[1]) and per.d_rel[1] == 0.0
    assert math.isfinite(mir.tortuosity[1]) and mir.d_rel[1] > 0.05
    line = np.zeros((5, 8, 5), dtype=bool)
    line[2, :, 1] = True
    per = random_walk_tortuosity(line, n_walkers=400, n_steps=3000, seed=1, boundary="periodic")
    # on a straight line the walk along it is free: D_eff = D0, tau = 1 (R-17 with eps scaling out)
    assert per.tortuosity[1] == pytest.approx(1.0, abs=4 * per.tortuosity_err[1] + 0.02)
    assert math.isinf(per.tortuosity[0]) and math.isinf(per.tortuosity[2])


def test_empty_phase_and_bad_options():
    res = random_walk_tortuosity(np.zeros((5, 5, 5), dtype=bool), n_walkers=100, n_steps=100)
    assert all(math.isinf(t) for t in res.tortuosity)
    with pytest.raises(InputError, match="mirror"):
        random_walk_tortuosity(np.ones((4, 4, 4)), boundary="mirrored")
    with pytest.raises(InputError, match="n_batches"):
        random_walk_tortuosity(np.ones((4, 4, 4)), n_walkers=5)


def test_nan_or_fractional_voxels_and_a_negative_seed_are_refused():
    """NaN != 0 made NaN voxels walkable (a finite tau for a volume of NaN); a negative seed
    raised numpy's ValueError. Float 0/1 masks (as read from float TIFFs) still work."""
    vol = np.ones((6, 6, 6))
    vol[2, 2, 2] = np.nan
    with pytest.raises(InputError, match="NaN, fractional"):
        random_walk_tortuosity(vol, n_walkers=100, n_steps=100)
    with pytest.raises(InputError, match="NaN, fractional"):
        random_walk_tortuosity(np.full((6, 6, 6), 0.5), n_walkers=100, n_steps=100)
    with pytest.raises(InputError, match="seed"):
        random_walk_tortuosity(np.ones((6, 6, 6), bool), n_walkers=100, n_steps=100, seed=-1)
    free = random_walk_tortuosity(np.ones((6, 6, 6)), n_walkers=400, n_steps=400)
    assert free.volume_fraction == 1.0


def test_phase_given_by_name():
    """phase="pore" matched no voxel (a string against integer labels): tau = inf in silence."""
    lab = np.ones((8, 8, 8), np.uint8)
    lab[:, :4] = 0
    res = random_walk_tortuosity(lab, "pore", n_walkers=200, n_steps=200)
    assert res.volume_fraction == 0.5 and math.isinf(res.tortuosity[1]) and math.isfinite(res.tortuosity[0])
