"""Voxel conduction solver against analytic solutions, effective-medium theory and bounds."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from ssbkit.errors import InputError
from ssbkit.microstructure import solver
from ssbkit.microstructure._electrode import electrode_tortuosity
from ssbkit.microstructure.effective_medium import hashin_shtrikman_bounds, maxwell_garnett
from ssbkit.microstructure.solver import (
    EffectiveConductivity,
    effective_conductivity,
    solver_memory_bytes,
    tortuosity_factor,
)


def _layers(n=24, thicknesses=(5, 11, 8), labels=(1, 2, 3)):
    """Slabs stacked along axis 0 with the given thicknesses (voxels)."""
    vol = np.zeros((sum(thicknesses), n, n), dtype=np.uint8)
    start = 0
    for t, lab in zip(thicknesses, labels, strict=True):
        vol[start:start + t] = lab
        start += t
    return vol


@pytest.mark.parametrize("method", ["sparse", "multigrid"])
def test_layers_in_series_give_thickness_weighted_harmonic_mean(method):
    """Exact series resistance: sigma = L / sum(t_i / s_i), on both implementations."""
    sig = {1: 1.0, 2: 4.0, 3: 0.25}
    vol = _layers()
    res = effective_conductivity(vol, sig, axis=0, method=method)
    assert res.method == method
    exact = 24.0 / (5 / 1.0 + 11 / 4.0 + 8 / 0.25)
    assert res.sigma_eff == pytest.approx(exact, rel=1e-5)
    assert res.converged and res.percolates


@pytest.mark.parametrize("axis", [1, 2])
def test_layers_in_parallel_give_thickness_weighted_arithmetic_mean(axis):
    """Exact parallel conductance: sigma = sum(t_i s_i) / L."""
    sig = {1: 1.0, 2: 4.0, 3: 0.25}
    res = effective_conductivity(_layers(), sig, axis=axis)
    exact = (5 * 1.0 + 11 * 4.0 + 8 * 0.25) / 24.0
    assert res.sigma_eff == pytest.approx(exact, rel=1e-5)
    # default reference: volume-weighted mean conductivity, so tau = 1 for parallel layers
    assert res.tortuosity == pytest.approx(1.0, rel=1e-5)


def test_straight_channels_have_tortuosity_one_and_do_not_percolate_across():
    """Straight pores along axis 0: tau = 1 (R-17); across them nothing percolates."""
    vol = np.zeros((30, 16, 16), dtype=bool)
    vol[:, 2:5, 3:9] = True
    vol[:, 10:14, 10:12] = True
    along = tortuosity_factor(vol, axis=0)
    assert along.tortuosity == pytest.approx(1.0, rel=1e-6)
    assert along.sigma_eff == pytest.approx(vol.mean(), rel=1e-6)
    assert along.macmullin == pytest.approx(1.0 / vol.mean(), rel=1e-6)
    across = tortuosity_factor(vol, axis=1)
    assert not across.percolates and math.isinf(across.tortuosity)
    assert across.sigma_eff == 0.0 and math.isinf(across.macmullin)


def test_non_percolating_phase_gives_infinite_tortuosity_without_error():
    """An insulating wall cuts every path: tau = inf, no division by zero."""
    vol = np.ones((20, 12, 12), dtype=np.uint8)
    vol[10] = 0
    res = tortuosity_factor(vol)
    assert res.percolates is False and math.isinf(res.tortuosity)
    assert res.volume_fraction == pytest.approx(19 / 20)
    assert json.loads(res.to_json())["tortuosity"] is None  # jsonio policy: non-finite -> null
    absent = tortuosity_factor(np.zeros((8, 8, 8), dtype=np.uint8), phase=3)
    assert absent.volume_fraction == 0.0 and math.isinf(absent.tortuosity)


def test_cut_off_clusters_count_in_eps_but_carry_no_current():
    """Isolated blobs and clusters touching one face only leave sigma_eff unchanged."""
    vol = np.zeros((24, 16, 16), dtype=np.uint8)
    vol[:, 2:6, 2:6] = 1  # straight channel: sigma_eff = 16/256
    vol[8:12, 10:14, 10:14] = 1  # isolated cube
    vol[0:6, 10:12, 2:4] = 1  # dead end touching the inlet face only
    res = tortuosity_factor(vol)
    assert res.sigma_eff == pytest.approx(16 / 256, rel=1e-6)
    assert res.tortuosity == pytest.approx(vol.mean() / (16 / 256), rel=1e-6)


def test_single_conducting_sphere_matches_maxwell_garnett():
    """A dilute sphere (phi = 4 %) in a cube: the conductivity rise matches Maxwell-Garnett."""
    n, radius = 24, 5.0
    c = (n - 1) / 2
    i, j, k = np.ogrid[:n, :n, :n]
    sphere = ((i - c) ** 2 + (j - c) ** 2 + (k - c) ** 2 <= radius**2).astype(np.uint8)
    res = effective_conductivity(sphere, {0: 1.0, 1: 10.0})
    mg = maxwell_garnett(1.0, 10.0, sphere.mean())
    assert (res.sigma_eff - 1.0) == pytest.approx(mg - 1.0, rel=0.02)


def test_random_two_phase_medium_lies_between_hashin_shtrikman_bounds():
    """Random 50/50 voxel mixture, contrast 10: HS lower < sigma_eff < HS upper (all axes)."""
    rng = np.random.default_rng(2)
    vol = (rng.random((28, 28, 28)) < 0.5).astype(np.uint8)
    phi1 = vol.mean()
    lo, hi = hashin_shtrikman_bounds([1 - phi1, phi1], [1.0, 10.0])
    for axis in range(3):
        res = effective_conductivity(vol, {0: 1.0, 1: 10.0}, axis=axis)
        assert lo < res.sigma_eff < hi


def test_scaling_conductivities_scales_sigma_eff_and_keeps_tortuosity():
    """Linearity: sigma x 1e-3 (S/cm instead of mS/cm) scales sigma_eff by 1e-3, tau fixed."""
    rng = np.random.default_rng(3)
    vol = rng.integers(0, 3, size=(20, 18, 16)).astype(np.int32) * 85
    a = effective_conductivity(vol, {0: 0.0, 85: 2.0, 170: 0.5}, axis=2)
    b = effective_conductivity(vol, {0: 0.0, 85: 2e-3, 170: 5e-4}, axis=2)
    assert b.sigma_eff == pytest.approx(1e-3 * a.sigma_eff, rel=1e-5)
    assert b.tortuosity == pytest.approx(a.tortuosity, rel=1e-5)
    assert a.volume_fraction == pytest.approx(np.mean(vol > 0))


def test_tortuous_volume_near_threshold_converges_to_tolerance():
    """Random 40 % pores (close to the 31 % site threshold): tol 1e-6 vs 1e-9 agree to 1e-5."""
    rng = np.random.default_rng(4)
    vol = rng.random((40, 40, 40)) < 0.4
    a = tortuosity_factor(vol, tol=1e-6)
    b = tortuosity_factor(vol, tol=1e-9)
    assert a.converged and b.converged and b.residual <= 1e-9
    assert a.tortuosity == pytest.approx(b.tortuosity, rel=1e-5)
    assert a.tortuosity > 3.0  # far more tortuous than Bruggeman's 0.4^-0.5 = 1.6


def test_iteration_limit_reports_not_converged_instead_of_raising():
    """max_iter too small: converged=False with the residual reached, result still finite."""
    vol = np.random.default_rng(4).random((40, 40, 40)) < 0.4
    res = effective_conductivity(vol.view(np.uint8), {0: 0.0, 1: 1.0}, max_iter=2)
    assert not res.converged and res.iterations == 2
    assert res.residual > 1e-6 and math.isfinite(res.tortuosity)


def test_two_dimensional_input_is_one_voxel_thick():
    """A 2-D checker of parallel strips: exact arithmetic mean along the strips."""
    img = np.zeros((12, 10), dtype=np.uint8)
    img[:, ::2] = 1
    res = effective_conductivity(img, {0: 1.0, 1: 3.0}, axis=0)
    assert res.sigma_eff == pytest.approx(2.0, rel=1e-6)


def test_labels_missing_from_the_map_are_named():
    vol = np.array([[[0, 1], [2, 7]]] * 3)
    with pytest.raises(InputError, match=r"\[2, 7\]"):
        effective_conductivity(vol, {0: 0.0, 1: 1.0})


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"axis": 3}, "axis"), ({"tol": 0.0}, "tol"), ({"reference_sigma": -1.0}, "reference_sigma")],
)
def test_bad_options_raise_input_error(kwargs, match):
    vol = np.ones((4, 4, 4), dtype=np.uint8)
    with pytest.raises(InputError, match=match):
        effective_conductivity(vol, {1: 1.0}, **kwargs)


def test_bad_arrays_and_conductivities_raise_input_error():
    with pytest.raises(InputError, match="integer"):
        effective_conductivity(np.ones((4, 4, 4)), {1: 1.0})
    with pytest.raises(InputError, match="label 1"):
        effective_conductivity(np.ones((4, 4, 4), dtype=np.uint8), {1: -2.0})
    with pytest.raises(InputError, match="phase="):
        tortuosity_factor(np.full((4, 4, 4), 5, dtype=np.uint8))


def test_conductivities_that_are_not_a_label_map_raise_input_error():
    """A list raised AttributeError, a phase name as key int()'s ValueError."""
    vol = np.zeros((4, 3, 3), np.uint8)
    with pytest.raises(InputError, match="must map labels"):
        effective_conductivity(vol, [1.0])
    with pytest.raises(InputError, match="key 'pore' is not an integer label"):
        effective_conductivity(vol, {"pore": 1.0})


def test_volume_too_large_for_memory_is_refused_with_the_estimate(monkeypatch):
    """The refusal names the estimate; the estimate stays under 40 bytes per voxel."""
    assert solver_memory_bytes((512, 512, 512)) / 512**3 < 40
    assert solver_memory_bytes((512, 512, 512)) < 24 * 2**30
    monkeypatch.setattr(solver, "_available_bytes", lambda: 10_000_000)
    with pytest.raises(InputError, match="GiB"):
        effective_conductivity(np.ones((200, 200, 200), dtype=np.uint8), {1: 1.0})


def test_result_record_is_frozen_and_json_ready():
    res = tortuosity_factor(np.ones((6, 5, 4), dtype=bool), axis=1)
    assert isinstance(res, EffectiveConductivity) and res.axis == 1
    assert res.tortuosity == pytest.approx(1.0)
    with pytest.raises(AttributeError):
        res.sigma_eff = 2.0  # type: ignore[misc]
    assert json.loads(json.dumps(res.to_dict()))["axis"] == 1


@pytest.mark.slow
@pytest.mark.external
def test_tortuosity_agrees_with_taufactor_on_reference_electrode_crop(reference_dir):
    """TauFactor 1.2.1 (peer tool) on a 96^3 crop of its electrode image: within 0.5 %."""
    tifffile = pytest.importorskip("tifffile")
    tf = pytest.importorskip("taufactor")
    img = tifffile.imread(reference_dir / "micro" / "taufactor-electrode-256.tiff")[:96, :96, :96]
    pores = (img == 0).astype(np.uint8)
    ours = tortuosity_factor(pores).tortuosity
    peer = float(tf.Solver(pores, device="cpu").solve(verbose=False, conv_crit=1e-3)[0])
    assert ours == pytest.approx(peer, rel=5e-3)


# ------------------------------------------------------------ TauFactor's features
def test_both_implementations_agree_on_a_random_anisotropic_three_phase_volume():
    """Matrix-free multigrid (numba) and scipy sparse path: the same discretisation,
    so the same sigma_eff to the solver tolerance, with anisotropic voxels too."""
    rng = np.random.default_rng(7)
    vol = rng.integers(0, 3, (28, 20, 24)).astype(np.uint8)
    sig = {0: 0.0, 1: 1.0, 2: 0.1}
    for spacing in (None, (1.0, 2.0, 0.5)):
        a = effective_conductivity(vol, sig, axis=1, spacing=spacing, method="sparse", tol=1e-8)
        b = effective_conductivity(vol, sig, axis=1, spacing=spacing, method="multigrid", tol=1e-8)
        assert a.converged and b.converged
        assert a.sigma_eff == pytest.approx(b.sigma_eff, rel=1e-6)


def test_spacing_follows_the_axes_and_only_ratios_matter():
    """Transposing the volume with its spacing leaves sigma_eff unchanged; scaling all edges does too;
    laterally stretched voxels raise the lateral conductances (tau changes)."""
    vol = np.random.default_rng(3).random((20, 16, 12)) < 0.55
    h = (1.0, 3.0, 0.7)
    a = tortuosity_factor(vol, axis=1, spacing=h)
    b = tortuosity_factor(np.ascontiguousarray(vol.transpose(1, 0, 2)), axis=0, spacing=(h[1], h[0], h[2]))
    c = tortuosity_factor(vol, axis=1, spacing=tuple(5 * x for x in h))
    iso = tortuosity_factor(vol, axis=1)
    assert a.tortuosity == pytest.approx(b.tortuosity, rel=1e-6)
    assert a.tortuosity == pytest.approx(c.tortuosity, rel=1e-6)
    assert abs(a.tortuosity / iso.tortuosity - 1) > 0.02
    with pytest.raises(InputError, match="spacing"):
        tortuosity_factor(vol, spacing=(1.0, 0.0, 1.0))


def test_anisotropic_spacing_matches_taufactor():
    """TauFactor AnisotropicSolver (peer tool, same weights (dx/dy)^2, (dx/dz)^2) on a random
    24^3 volume with voxels 1 x 2 x 1.5: within 0.5 % (its conv_crit 1e-3 is the limit).

    Only spacings with dy, dz >= dx: with a neighbour weight above 1 TauFactor's SOR does
    not converge (it warns and returns 6.2 for 1 x 2 x 0.5, where we get 2.99; the
    isotropic refinement of the same volume gives 2.41, the same side)."""
    tf = pytest.importorskip("taufactor")
    vol = (np.random.default_rng(5).random((24, 24, 24)) < 0.6).astype(np.uint8)
    ours = tortuosity_factor(vol, spacing=(1.0, 2.0, 1.5)).tortuosity
    peer = tf.AnisotropicSolver(vol, spacing=(1.0, 2.0, 1.5), device="cpu")
    peer_tau = float(np.asarray(peer.solve(verbose=False, conv_crit=1e-3)).ravel()[0])
    assert ours == pytest.approx(peer_tau, rel=0.005)
    assert abs(ours / tortuosity_factor(vol).tortuosity - 1) > 0.1  # the spacing matters here


def test_periodic_boundaries_join_a_path_across_the_lateral_faces():
    """A channel that steps across the periodic face of axis 1: no path without periodicity;
    with it, a series chain of 0.5 + 9 + 1 + 10 + 0.5 = 21 unit bonds: sigma_eff = 20 / (21 A)."""
    vol = np.zeros((20, 6, 5), dtype=bool)
    vol[:10, 0, 2] = True
    vol[9:, 5, 2] = True
    closed = tortuosity_factor(vol)
    wrapped = tortuosity_factor(vol, periodic=True)
    assert not closed.percolates and closed.sigma_eff == 0.0
    assert wrapped.percolates and wrapped.periodic and wrapped.method == "sparse"
    assert wrapped.sigma_eff == pytest.approx(20 / (21 * 6 * 5), rel=1e-7)
    with pytest.raises(InputError, match="periodic"):
        tortuosity_factor(vol, periodic=True, method="multigrid")


def test_periodic_solver_matches_taufactor():
    """TauFactor PeriodicSolver (peer tool) on a random 24^3 volume near its threshold: within 1 %."""
    tf = pytest.importorskip("taufactor")
    vol = (np.random.default_rng(2).random((24, 24, 24)) < 0.5).astype(np.uint8)
    ours = tortuosity_factor(vol, periodic=True).tortuosity
    peer = tf.PeriodicSolver(vol, device="cpu")
    peer_tau = float(np.asarray(peer.solve(verbose=False, conv_crit=1e-3)).ravel()[0])
    assert ours == pytest.approx(peer_tau, rel=0.01)


def test_numba_cache_goes_to_a_user_dir_when_the_package_is_read_only(tmp_path, monkeypatch):
    """A read-only install must not recompile the kernels on every run (issue 9 item 6)."""
    import os

    import numba

    from ssbkit.microstructure import _jit

    pkg = tmp_path / "pkg"
    pkg.mkdir()
    monkeypatch.setenv("NUMBA_CACHE_DIR", "")  # restored after the test
    monkeypatch.delenv("NUMBA_CACHE_DIR")
    monkeypatch.setattr(numba.config, "CACHE_DIR", numba.config.CACHE_DIR)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert _jit.configure_cache(pkg) is None  # writable: numba's default place
    assert (pkg / "__pycache__").is_dir()
    monkeypatch.setattr(_jit, "_writable", lambda folder: False)  # as in a read-only install
    target = _jit.configure_cache(pkg)
    assert target is not None and target.startswith(str(tmp_path / "cache"))
    assert os.environ["NUMBA_CACHE_DIR"] == target and numba.config.CACHE_DIR == target
    assert _jit.configure_cache(pkg) is None  # the user's (or our earlier) choice is kept


def test_phase_by_name_or_a_wrong_type():
    """phase="pore" compared the labels with a string: no voxel matched and tau came out
    infinite in silence. Names now select their ssbkit label; bools and fractions are refused."""
    lab = np.zeros((8, 8, 8), np.uint8)
    lab[:, :4] = 1
    assert tortuosity_factor(lab, "pore").tortuosity == pytest.approx(1.0, rel=1e-9)
    assert electrode_tortuosity(lab, "pore").tau_e == pytest.approx(electrode_tortuosity(lab, 0).tau_e)
    for bad in (True, 0.0):
        with pytest.raises(InputError, match="integer label or a phase name"):
            tortuosity_factor(lab, bad)
    with pytest.raises(InputError, match="did you mean 'pore'"):
        tortuosity_factor(lab, "poer")


def test_checkerboard_converges_to_the_keller_dykhne_geometric_mean():
    """Square 2-D sample of 4 x 4 checker squares of sigma 1 and 4, insulating sides: the
    continuum answer is sqrt(1 * 4) = 2 exactly (duality, Keller, J. Math. Phys. 5 (1964) 548;
    Dykhne, Sov. Phys. JETP 32 (1971) 63). The voxel solution approaches it as the squares get
    more voxels (about halving the error per doubling: corner singularities)."""
    errors = []
    for b in (4, 8, 16):
        i, j = np.indices((4 * b, 4 * b))
        board = (((i // b) + (j // b)) % 2).astype(np.uint8)
        errors.append(abs(effective_conductivity(board, {0: 1.0, 1: 4.0}, tol=1e-9).sigma_eff - 2.0) / 2.0)
    assert errors[-1] < 0.01
    assert errors[0] > errors[1] > errors[2] and errors[1] / errors[2] > 1.8


@pytest.mark.external
def test_openimpala_sphere_packing_respects_the_hashin_shtrikman_bound(reference_dir):
    """Real 100^3 packing of insulating spheres (11.2 %) in a conducting matrix: sigma_eff can
    not exceed the Hashin-Shtrikman / Maxwell upper bound 2 eps / (3 - eps) (J. Appl. Phys. 33
    (1962) 3125), so tau >= (3 - eps) / 2; dilute enough for Maxwell to hold within 2 %.
    The spheres themselves do not percolate: tau = inf."""
    from ssbkit.microstructure.io import read_image

    matrix, _, _ = read_image(reference_dir / "micro" / "openimpala-spheres-100.tif")
    eps = float(matrix.mean())
    assert 0.88 < eps < 0.89  # the file as stored: 88.8 % matrix
    r = tortuosity_factor(matrix.astype(bool), tol=1e-6)
    bound = (3 - eps) / 2
    assert r.converged and bound <= r.tortuosity <= 1.02 * bound
    assert math.isinf(tortuosity_factor(~matrix.astype(bool)).tortuosity)


def _anisotropic_case(n, seed, spacing):
    """Phase index, tables and the exact current (direct sparse LU) of a random 3-phase volume."""
    from scipy import ndimage
    from scipy.sparse.linalg import spsolve

    from ssbkit.microstructure import _sparse_mg
    from ssbkit.microstructure._assemble import _keep_clusters, _phase_index, _tables

    rng = np.random.default_rng(seed)
    f = ndimage.gaussian_filter(rng.standard_normal((n, n, n)), 2, mode="wrap")
    lab = np.digitize(f / f.std(), [-0.3, 0.4]).astype(np.uint8)
    ph, sigma, _, _ = _phase_index(lab, {0: 0.0, 1: 1.0, 2: 1e-3}, 0, False)
    _keep_clusters(ph, False)
    g, gb, _ = _tables(sigma, spacing)
    a, b, cells, coords = _sparse_mg.assemble(ph, g, gb, (False, False, False))
    x = spsolve(a.tocsc(), b)
    first = coords[:, 0] == 0
    return ph, g, gb, float(gb[ph.reshape(-1)[cells[first]]] @ (1.0 - x[first]))


def test_converged_means_accurate_with_strongly_anisotropic_voxels():
    """Voxels 50x shorter along the transport axis: the face currents agreed (to 100 tol) while
    a smooth error mode biased both by 2.2e-4 (> 100 tol), and the solve said converged. The
    dissipated power (error quadratic in that of the potential) now has to agree too. Reference:
    a direct sparse LU solve of the same system."""
    from ssbkit.microstructure import _sparse_mg

    ph, g, gb, exact = _anisotropic_case(32, 3, (0.02, 1.0, 1.0))
    tol = 1e-6
    current, _, _, ok = _sparse_mg.solve(ph, g, gb, (False, False, False), tol, 1000, 100.0)
    assert ok and abs(current / exact - 1) <= 100 * tol


def test_multigrid_does_not_claim_convergence_it_has_not_reached():
    """Voxels 100x shorter along the transport axis, matrix-free multigrid: it reported
    converged with sigma_eff 8.1e-4 off at tol 1e-6. Converged must mean within 100 tol."""
    from ssbkit.microstructure import _multigrid

    ph, g, gb, exact = _anisotropic_case(48, 0, (0.01, 1.0, 1.0))
    tol = 1e-6
    current, _, _, ok = _multigrid.solve(ph, g, gb, tol, 1000, 100.0)
    assert not ok or abs(current / exact - 1) <= 100 * tol
    assert abs(current / exact - 1) < 1e-3  # and the estimate stays close even then
