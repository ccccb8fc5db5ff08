"""Measures: interface areas (Crofton vs face counting), percolation, utilisation on constructed cases."""

from __future__ import annotations

import numpy as np
import pytest

from ssbkit.errors import InputError
from ssbkit.microstructure.measures import (
    CROFTON_WEIGHTS,
    active_utilisation,
    classify_active,
    interface_areas,
    percolation,
    volume_fractions,
)
from ssbkit.microstructure.phases import ACTIVE, CARBON, ELECTROLYTE, PORE

N = 48
Z = np.indices((N, N, N)) + 0.5 - N / 2  # voxel-centre coordinates, origin at the box centre


def test_crofton_weights_are_the_voronoi_solid_angles():
    """The 26 direction weights sum to 1 (13 lines counted in both senses) and rank axis > face > body."""
    w = CROFTON_WEIGHTS
    assert 2 * sum(w.values()) == pytest.approx(1.0, abs=1e-5)
    assert w[(0, 0, 1)] > w[(0, 1, 1)] > w[(1, 1, 1)]


def _periodic_slab(normal, length=N):
    """Slab structure with integer normal that tiles the periodic box; exact area 2 L^2 |n|."""
    i, j, k = np.indices((length,) * 3) + 0.5
    u = (normal[0] * i + normal[1] * j + normal[2] * k) % length
    return (u < length / 2).astype(np.uint8), 2 * length**2 * float(np.linalg.norm(normal))


FLAT_AND_TILTED = [(1, 0, 0), (0, 0, 1), (1, 1, 0), (1, 1, 1), (1, 2, 0), (1, 2, 3), (2, 3, 5), (0, 3, 4)]


@pytest.mark.parametrize("normal", FLAT_AND_TILTED)
def test_plane_area_within_the_stated_error_for_every_orientation(normal):
    """Flat faces (axis-aligned) and tilted ones: "crofton" within its stated +/-1.4 %,
    "crofton13" within its stated -7.4..+2.5 %, "faces" exactly |n|_1/|n|_2 high.

    Exact area: two planes of normal n per period in a periodic box, 2 L^2 |n|
    (independent of the voxels). The module docstring states the error bands; a
    set of weights that drifted (e.g. the 13-direction ones, 7.4 % low on axis
    faces, under the default name) fails here.
    """
    lab, exact = _periodic_slab(normal)
    crofton = interface_areas(lab, periodic=True)["pore/active"] / exact
    c13 = interface_areas(lab, periodic=True, method="crofton13")["pore/active"] / exact
    faces = interface_areas(lab, periodic=True, method="faces")["pore/active"] / exact
    assert abs(crofton - 1) <= 0.014
    assert 1 - 0.075 <= c13 <= 1.026
    n = np.asarray(normal, float)
    assert faces == pytest.approx(np.abs(n).sum() / np.linalg.norm(n), rel=1e-9)


def test_axis_aligned_faces_are_7_percent_low_with_13_directions():
    """The 13-direction weights give 0.9266 on a (100) face (4 (w_a + 4 w_f/sqrt2 + 4 w_b/sqrt3)):
    the bias the issue reported; the default method removes it."""
    lab, exact = _periodic_slab((1, 0, 0))
    assert interface_areas(lab, periodic=True, method="crofton13")["pore/active"] / exact == pytest.approx(0.9266, abs=2e-4)
    assert interface_areas(lab, periodic=True)["pore/active"] / exact == pytest.approx(0.9863, abs=2e-4)


@pytest.mark.parametrize("radius", [8, 12, 16])
def test_sphere_area_within_2_percent_faces_50_percent_high(radius):
    """Curved faces: ball of radius R voxels, exact 4 pi R^2. Face counting gives ~3/2 of it."""
    ball = ((Z**2).sum(0) <= radius**2).astype(np.uint8)
    exact = 4 * np.pi * radius**2
    for method in ("crofton", "crofton13"):
        assert interface_areas(ball, periodic=True, method=method)["pore/active"] == pytest.approx(exact, rel=0.02)
    faces = interface_areas(ball, periodic=True, method="faces")["pore/active"]
    assert faces / exact > 1.4


def test_window_correction_is_unbiased_for_a_homogeneous_structure():
    """A homogeneous structure cut out of a periodic one: the non-periodic estimate with the
    n/(n-|d|) correction equals the periodic one within 1 % (no box-edge loss)."""
    lab, _ = _periodic_slab((1, 2, 3))
    per = interface_areas(lab, periodic=True)["pore/active"]
    cut = interface_areas(lab, periodic=False)["pore/active"]
    assert cut == pytest.approx(per, rel=0.01)


def _plane_in_cube_area(n, c, half, m=2000):
    """Area of the plane n.x = c inside the cube |x_i| <= half: projected area on the
    (0, 1) face by a midpoint rule on an m x m grid, over |n_2| (independent of the voxels)."""
    u = (np.arange(m) + 0.5) / m * 2 * half - half
    x, y = np.meshgrid(u, u, indexing="ij")
    z = (c - n[0] * x - n[1] * y) / n[2]
    return np.mean(np.abs(z) <= half) * (2 * half) ** 2 / abs(n[2])


def test_tilted_plane_in_a_box_crofton_beats_face_counting():
    """Plane with normal (1,2,3)/sqrt(14) through a non-periodic box: Crofton within its stated
    +/-1.4 % (the box-edge correction used to add ~4 % here, scaling the pairs
    that leave the box as if the plane filled it); face counting (1+2+3)/sqrt(14) high."""
    n = np.array([1.0, 2.0, 3.0]) / np.sqrt(14)
    lab = (np.tensordot(n, Z, 1) > 0.3).astype(np.uint8)
    exact = _plane_in_cube_area(n, 0.3, N / 2)
    crofton = interface_areas(lab)["pore/active"]
    faces = interface_areas(lab, method="faces")["pore/active"]
    assert abs(crofton / exact - 1) <= 0.014
    assert faces == pytest.approx(exact * 6 / np.sqrt(14), rel=0.01)


@pytest.mark.parametrize("normal", [(1, 0, 0), (0, 1, 0), (0, 0, 1)])
def test_flat_plane_inside_a_non_periodic_box_is_not_inflated_by_the_edge_correction(normal):
    """One axis-aligned plane across a 30^3 box without periodic wrap gives the same
    0.9863 of its area as in a periodic box (the (100) value pinned above). The global
    n/(n-|d|) scaling made the plane normal to axis 0 4.3 % high (outside the stated band)."""
    lab = np.zeros((30, 30, 30), np.uint8)
    lab[tuple(slice(0, 13) if c else slice(None) for c in normal)] = ACTIVE
    assert interface_areas(lab, voxel_um=0.5)["pore/active"] / (15 * 15) == pytest.approx(0.9863, abs=2e-4)


@pytest.mark.parametrize("radius", [8, 12])
def test_sphere_inside_a_non_periodic_box_within_2_percent(radius):
    """An isolated ball (a particle cut out of an image, no periodic flag): 4 pi R^2 within
    the stated 2 %. The global edge correction gave +9.7 % (R = 8) and +9.3 % (R = 12)."""
    g = np.indices((40, 40, 40)) - 19.5
    ball = ((g**2).sum(0) <= radius**2).astype(np.uint8)
    assert interface_areas(ball)["pore/active"] == pytest.approx(4 * np.pi * radius**2, rel=0.02)


@pytest.mark.parametrize("n_slices", [1, 2, 3])
def test_single_slice_counts_as_an_extruded_image(n_slices):
    """A disc (R = 12 voxels) in a volume of 1-3 slices: lateral area 2 pi R n h within the
    stated 2 % for curved faces. Pairs longer than the volume was thick were dropped:
    23 % of the area for one slice, 72 % for two."""
    g = np.indices((40, 40)) - 19.5
    lab = np.repeat(((g**2).sum(0) <= 144).astype(np.uint8)[None], n_slices, axis=0)
    area = interface_areas(lab, voxel_um=0.5)["pore/active"]
    assert area == pytest.approx(2 * np.pi * 12 * n_slices * 0.25, rel=0.02)


def test_cylinder_area_and_pairs_in_a_three_phase_volume():
    """Active cylinder (R=10) in SE with a carbon slab: lateral area 2 pi R L, slab faces 2 N^2 voxel^2."""
    lab = np.full((N, N, N), ELECTROLYTE, np.uint8)
    lab[(Z[1] ** 2 + Z[2] ** 2) <= 100] = ACTIVE
    lab[:, :, :4] = CARBON  # slab across the box, away from the cylinder (|z| > 10)
    areas = interface_areas(lab, voxel_um=0.5, periodic=True)
    assert areas["active/electrolyte"] == pytest.approx(2 * np.pi * 10 * N * 0.25, rel=0.02)
    # two axis-aligned faces (the slab wraps): the stated -1.4 % on (100) faces
    assert areas["electrolyte/carbon"] == pytest.approx(2 * N * N * 0.25 * 0.9863, rel=1e-3)
    assert "active/carbon" in areas.area_um2 and areas["active/carbon"] == 0.0
    assert areas.specific_area_per_um["active/electrolyte"] == pytest.approx(
        areas["active/electrolyte"] / (N**3 * 0.125))


def test_volume_fractions_and_bad_labels():
    lab = np.zeros((2, 2, 2), np.uint8)
    lab[0] = ACTIVE
    assert volume_fractions(lab) == {"pore": 0.5, "active": 0.5, "electrolyte": 0.0, "carbon": 0.0}
    with pytest.raises(InputError, match="phase labels"):
        volume_fractions(lab + 7)
    with pytest.raises(InputError, match="3-D"):
        volume_fractions(lab[0])


def test_percolation_of_constructed_channels():
    """A straight channel spans only its own axis; a channel cut by one layer spans nothing;
    voxels touching only along an edge are not face-connected."""
    lab = np.zeros((10, 10, 10), np.uint8)
    lab[:, 4:6, 4:6] = ACTIVE
    p = percolation(lab, "active")
    assert p.percolates == (True, False, False)
    assert p.spanning_fraction[0] == 1.0 and p.fraction == pytest.approx(0.04)
    lab[5] = PORE
    assert percolation(lab, "active").percolates == (False, False, False)
    diag = np.zeros((4, 4, 4), np.uint8)
    for i in range(4):
        diag[i, i, :] = ACTIVE  # staircase joined by edges only
    assert percolation(diag, ACTIVE).percolates == (False, False, True)
    assert percolation(diag, [ACTIVE, PORE]).percolates == (True, True, True)


def _layered():
    """Separator side at x=0. SE fills x<10; particle A (x 10..13) touches SE and carbon that reaches the
    current collector; particle B sits in the SE but has no electron path; particle C touches carbon but is
    walled off from the SE by voids."""
    lab = np.full((20, 12, 12), PORE, np.uint8)
    lab[:10] = ELECTROLYTE
    lab[10:14, 0:4, 0:4] = ACTIVE  # A
    lab[14:, 0:4, 0:2] = CARBON  # carbon from A to the collector face
    lab[4:8, 6:10, 6:10] = ACTIVE  # B, inside the SE, no carbon
    lab[15:18, 6:10, 6:10] = ACTIVE  # C, in voids
    lab[18:, 6:10, 6:8] = CARBON  # C to the collector
    return lab


def test_utilisation_of_constructed_particles():
    lab = _layered()
    classes, n_units = classify_active(lab)
    assert n_units == 3
    assert np.all(classes[10:14, 0:4, 0:4] == 1)  # A usable
    assert np.all(classes[4:8, 6:10, 6:10] == 2)  # B: ion path only
    assert np.all(classes[15:18, 6:10, 6:10] == 3)  # C: electron path only
    u = active_utilisation(lab, voxel_um=1.0, n_bins=4)
    n_a, n_b, n_c = 64, 64, 48
    assert u.utilisation == pytest.approx(n_a / (n_a + n_b + n_c))
    assert u.ion_connected_fraction == pytest.approx((n_a + n_b) / (n_a + n_b + n_c))
    assert u.depth_um == (2.5, 7.5, 12.5, 17.5)
    # dead material: B at x 4..7 (bins 0 and 1 split at x = 5), C at x 15..17 (bin 3)
    assert u.dead_fraction_by_depth == pytest.approx((16 / 112, 48 / 112, 0.0, 48 / 112))
    assert u.active_fraction_by_depth[2] == 1.0
    empty_bin = active_utilisation(lab, n_bins=20).to_dict()["active_fraction_by_depth"]
    assert empty_bin[0] is None  # no active material at x = 0: None, not NaN, in JSON


def test_ion_conducting_active_material_reaches_through_itself():
    """If the active material conducts ions, a particle touching the SE only through another particle counts."""
    lab = _layered()
    lab[:10] = PORE
    lab[0:10, 0:4, 0:4] = ELECTROLYTE  # SE pillar from the separator to A
    lab[14:20, 0:4, 2:4] = ACTIVE  # particle D behind A, touching A and carbon, no SE contact
    ids = np.zeros(lab.shape, np.int32)
    ids[10:14, 0:4, 0:4] = 1
    ids[14:20, 0:4, 2:4] = 2
    ids[4:8, 6:10, 6:10] = 3
    ids[15:18, 6:10, 6:10] = 4
    blocked, _ = classify_active(lab, particle_ids=ids)
    through, _ = classify_active(lab, particle_ids=ids, active_conducts_ions=True)
    assert np.all(blocked[14:20, 0:4, 2:4] == 3)  # D: electron path only
    assert np.all(through[14:20, 0:4, 2:4] == 1)  # D: ions reach it through A
    assert np.all(through[10:14, 0:4, 0:4] == 1)


def test_no_active_material_is_an_input_error():
    with pytest.raises(InputError, match="no active material"):
        active_utilisation(np.zeros((4, 4, 4), np.uint8))


def test_bad_voxel_size_bins_particle_ids_and_phase_list_are_input_errors():
    """voxel_um NaN/-1 gave NaN or negative areas and depths, n_bins=0 or -3 was clamped to 1
    in silence, particle_ids of another shape raised numpy's broadcast ValueError and an empty
    phase list "did not percolate"."""
    lab = np.zeros((8, 8, 8), np.uint8)
    lab[:4] = ACTIVE
    lab[4:] = ELECTROLYTE
    for bad in (float("nan"), -1.0, 0.0):
        with pytest.raises(InputError, match="voxel_um"):
            interface_areas(lab, bad)
        with pytest.raises(InputError, match="voxel_um"):
            active_utilisation(lab, bad)
    for bad in (0, -3, 2.7, True):
        with pytest.raises(InputError, match="n_bins"):
            active_utilisation(lab, n_bins=bad)
    with pytest.raises(InputError, match=r"particle_ids has shape \(3, 3, 3\)"):
        active_utilisation(lab, particle_ids=np.ones((3, 3, 3), np.int32))
    with pytest.raises(InputError, match="at least one phase"):
        percolation(lab, [])
    with pytest.raises(InputError, match="must name phases"):  # was TypeError: not iterable
        percolation(lab, None)
    # a numpy label or a single name (was TypeError, or split into letters: "unknown phase 'e'")
    assert percolation(lab, np.int64(ACTIVE)).percolates == (False, True, True)
    one = active_utilisation(lab, ion_phases="electrolyte", electron_phases="active")
    listed = active_utilisation(lab, ion_phases=["electrolyte"], electron_phases=["active"])
    assert one.to_json() == listed.to_json() and one.utilisation == 0.0  # no electron path to the far face


@pytest.mark.external
def test_measures_on_the_taufactor_electrode(reference_dir):
    """Real 256^3 NMC electrode (README fractions 45/40/15 %): pores percolate on all axes;
    13-direction Crofton area below the face count by about 2/3 for an isotropic pore surface."""
    from ssbkit.microstructure.io import read_volume

    vol = read_volume(reference_dir / "micro" / "taufactor-electrode-256.tiff", labels="0=pore,85=active,170=carbon")
    lab = vol.labels[:128, :128, :128]
    assert percolation(lab, "pore").percolates == (True, True, True)
    c13 = interface_areas(lab, method="crofton13")["pore/active"]
    f = interface_areas(lab, method="faces")["pore/active"]
    assert 0.6 < c13 / f < 0.75
