"""Image I/O: TIFF with voxel size, .npy, raw; label maps for segmented tomography."""

from __future__ import annotations

import numpy as np
import pytest
import tifffile

from ssbkit.errors import FileFormatError, InputError
from ssbkit.microstructure.io import read_volume, write_volume
from ssbkit.microstructure.phases import ACTIVE, CARBON, PORE, LabelVolume, parse_label_map


@pytest.fixture
def labels():
    return np.random.default_rng(0).integers(0, 4, (6, 7, 8)).astype(np.uint8)


def test_tiff_round_trip_keeps_labels_and_voxel_size(tmp_path, labels):
    path = write_volume(tmp_path / "v.tif", LabelVolume(labels, 0.37))
    vol = read_volume(path)
    assert np.array_equal(vol.labels, labels)
    assert vol.voxel_um == pytest.approx(0.37)
    meta = tifffile.TiffFile(path).imagej_metadata
    assert meta["spacing"] == pytest.approx(0.37) and meta["unit"] == "um"  # Fiji sees the scale


def test_npy_and_raw_round_trip(tmp_path, labels):
    np_path = write_volume(tmp_path / "v.npy", labels, voxel_um=0.5)
    assert np.array_equal(read_volume(np_path, voxel_um=0.5).labels, labels)
    raw = write_volume(tmp_path / "v.raw", labels)
    vol = read_volume(raw, shape=labels.shape, dtype="uint8", voxel_um=2.0)
    assert np.array_equal(vol.labels, labels) and vol.voxel_um == 2.0
    with pytest.raises(InputError, match="shape and dtype"):
        read_volume(raw)
    with pytest.raises(FileFormatError, match="needs 672"):
        read_volume(raw, shape=(6, 7, 16), dtype="uint8")


def test_grey_levels_are_mapped_and_unknown_values_refused(tmp_path):
    """Segmented tomography: 0/85/170 grey levels -> pore/active/carbon; a 255 left out is named."""
    grey = np.zeros((4, 4, 4), np.uint8)
    grey[1] = 85
    grey[2] = 170
    path = tmp_path / "seg.tif"
    tifffile.imwrite(path, grey)
    vol = read_volume(path, labels="0=pore,85=active,170=carbon")
    assert vol.fractions() == pytest.approx({"pore": 0.5, "active": 0.25, "electrolyte": 0.0, "carbon": 0.25})
    assert vol.info["voxel_um_assumed"] is True
    grey[3] = 255
    tifffile.imwrite(path, grey)
    with pytest.raises(InputError, match="values 255 are missing from the label map"):
        read_volume(path, labels="0=pore,85=active,170=carbon")
    with pytest.raises(InputError, match="values 85, 170, 255"):
        read_volume(path)


def test_label_map_parsing_and_errors():
    lm = parse_label_map("0=void, 85=am")
    assert lm.mapping == {0: PORE, 85: ACTIVE}
    assert parse_label_map({170: "cbd"}).mapping == {170: CARBON}
    with pytest.raises(InputError, match="did you mean 'carbon'"):
        parse_label_map("170=carbn")
    with pytest.raises(InputError, match="VALUE=PHASE"):
        parse_label_map("85")


def test_label_map_refuses_a_value_given_twice_or_a_fractional_value():
    """"0=pore,0=active" used to keep the last phase silently (half the volume relabelled);
    "0.5=pore" was truncated to 0. Both are refused, naming the value."""
    with pytest.raises(InputError, match="image value 0 twice"):
        parse_label_map("0=pore,255=active,0=carbon")
    with pytest.raises(InputError, match="'0.5' must be an integer"):
        parse_label_map({"0.5": "pore", 255: "active"})
    with pytest.raises(InputError, match="'nan' must be an integer"):
        parse_label_map("nan=pore")
    assert parse_label_map("0=pore,0.0=void,255=active").mapping == {0: PORE, 255: ACTIVE}


def test_bad_files_give_one_line_errors(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_volume(tmp_path / "missing.tif")
    bad = tmp_path / "bad.tif"
    bad.write_text("not a tiff")
    with pytest.raises(FileFormatError, match="not a readable TIFF"):
        read_volume(bad)
    flat = tmp_path / "flat.npy"
    np.save(flat, np.zeros((5, 5), np.uint8))
    with pytest.raises(FileFormatError, match="3-D volume"):
        read_volume(flat)
    with pytest.raises(InputError, match="unknown volume format"):
        write_volume(tmp_path / "v.png", np.zeros((2, 2, 2), np.uint8))
    png = tmp_path / "v.png"
    png.write_text("x")
    with pytest.raises(InputError, match="unknown volume format"):
        read_volume(png)


def test_too_large_volume_is_refused_with_the_estimate(tmp_path, labels):
    path = write_volume(tmp_path / "v.npy", labels)
    with pytest.raises(InputError, match="GiB"):
        read_volume(path, limit_bytes=100)


@pytest.mark.external
def test_reference_volumes_have_the_fractions_of_their_readme(reference_dir):
    """../shared/reference/micro/README.md: 45.0/40.0/15.0 % and 60.2/39.8 %."""
    micro = reference_dir / "micro"
    elec = read_volume(micro / "taufactor-electrode-256.tiff", labels="0=pore,85=active,170=carbon")
    f = elec.fractions()
    assert (f["pore"], f["active"], f["carbon"]) == pytest.approx((0.450, 0.400, 0.150), abs=0.001)
    two = read_volume(micro / "openimpala-2phase-100.tif")
    assert two.fractions()["pore"] == pytest.approx(0.602, abs=0.001)
    assert two.fractions()["active"] == pytest.approx(0.398, abs=0.001)


def _stack(tmp_path, labels, name="v.tif", **kw):
    return write_volume(tmp_path / name, LabelVolume(labels, 0.5), **kw)


@pytest.mark.parametrize("frac", [0.3, 0.6, 0.9])
def test_truncated_tiff_stack_is_refused_or_read_in_part_with_a_note(tmp_path, labels, frac):
    """A cut ImageJ stack: never a shorter stack in silence (issue 10)."""
    big = np.random.default_rng(2).integers(0, 4, (10, 16, 16)).astype(np.uint8)
    path = _stack(tmp_path, big)
    raw = path.read_bytes()
    cut = tmp_path / "cut.tif"
    cut.write_bytes(raw[: int(len(raw) * frac)])
    with pytest.raises(FileFormatError, match="cut.tif"):
        read_volume(cut)
    try:
        vol = read_volume(cut, allow_partial=True)
    except FileFormatError:
        return  # nothing readable is also a clear answer
    n = vol.shape[0]
    assert n < 10 and any("of the 10" in note for note in vol.info["notes"])
    assert np.array_equal(vol.labels, big[:n])  # the slices kept are the true ones


def test_truncated_npy_names_the_missing_bytes(tmp_path, labels):
    p = tmp_path / "v.npy"
    np.save(p, labels)
    raw = p.read_bytes()
    p.write_bytes(raw[: len(raw) - 100])
    with pytest.raises(FileFormatError, match=r"v\.npy: holds .* of the 336 data bytes"):
        read_volume(p)
    vol = read_volume(p, allow_partial=True)
    assert vol.shape == (4, 7, 8) and np.array_equal(vol.labels, labels[:4])  # 56 bytes per slice


def test_empty_and_absurd_volumes_are_refused_before_allocation(tmp_path):
    p = tmp_path / "e.npy"
    np.save(p, np.zeros((0, 5, 5), np.uint8))
    with pytest.raises(FileFormatError, match="empty volume"):
        read_volume(p)
    # a 40-byte header claiming 10^12 voxels: refused from the header, nothing allocated
    hdr = tmp_path / "huge.npy"
    with open(hdr, "wb") as fh:
        np.lib.format.write_array_header_1_0(fh, {"descr": "|u1", "fortran_order": False,
                                                  "shape": (10000, 10000, 10000)})
    with pytest.raises(InputError, match="GiB"):
        read_volume(hdr)
    raw = tmp_path / "x.raw"
    raw.write_bytes(b"\0" * 10)
    with pytest.raises(InputError, match="GiB"):
        read_volume(raw, shape=(100000, 100000, 1000), dtype="uint8")


@pytest.mark.parametrize("damage", ["zeros", "flip", "junk"])
def test_damaged_files_raise_our_error(tmp_path, labels, damage):
    path = _stack(tmp_path, labels)
    raw = bytearray(path.read_bytes())
    if damage == "zeros":
        raw[8:] = bytes(len(raw) - 8)
    elif damage == "flip":
        raw[4:8] = b"\xff\xff\xff\x7f"  # first IFD offset far beyond the file
    else:
        raw = bytearray(b"II*\x00" + bytes(range(256)) * 3)
    path.write_bytes(bytes(raw))
    with pytest.raises(FileFormatError, match="v.tif"):
        read_volume(path)


def test_imagej_hyperstack_with_two_channels_is_not_mistaken_for_a_short_stack(tmp_path):
    """ImageJ 'images' counts every plane (slices x channels): 10 slices x 2 channels is complete."""
    data = np.zeros((10, 2, 8, 8), np.uint8)
    data[:, 1] = 1
    path = tmp_path / "hyper.tif"
    tifffile.imwrite(path, data, imagej=True, metadata={"axes": "ZCYX"})
    with pytest.raises(FileFormatError, match=r"4-D image"):  # a label volume must be 3-D; not 'truncated'
        read_volume(path)


@pytest.mark.parametrize(("unit", "scale"), [("um", 1.0), ("nm", 1e3), ("m", 1e-6)])
def test_tiff_voxel_edges_per_axis_and_unit(tmp_path, unit, scale):
    """ImageJ stores z in ``spacing`` and x, y in the resolution tags (pixels per unit). Voxels of
    (z, y, x) = (1.2, 0.8, 0.4) um come back as voxel_um = x with all three in info["spacing_um"]
    (the z edge used to be taken for all three); "m" was not known (1 um assumed)."""
    tifffile.imwrite(tmp_path / "a.tif", np.zeros((4, 4, 4), np.uint8), imagej=True,
                     resolution=(1 / (0.4 * scale), 1 / (0.8 * scale)),
                     metadata={"spacing": 1.2 * scale, "unit": unit, "axes": "ZYX"})
    vol = read_volume(tmp_path / "a.tif")
    assert vol.voxel_um == pytest.approx(0.4)
    assert vol.info["spacing_um"] == pytest.approx([1.2, 0.8, 0.4])
    assert "voxel_um_assumed" not in vol.info
    assert "spacing_um" not in read_volume(tmp_path / "a.tif", voxel_um=0.5).info


def test_a_voxel_size_in_metres_is_refused_not_used(tmp_path, labels):
    """--voxel-um 4e-7 (400 nm given in metres) gave areas 1e12 too small, in silence."""
    np.save(tmp_path / "a.npy", labels)
    with pytest.raises(InputError, match=r"4e-07 um, below 0.1 nm.*micrometres"):
        read_volume(tmp_path / "a.npy", voxel_um=4e-7)
    assert read_volume(tmp_path / "a.npy", voxel_um=0.005).voxel_um == 0.005  # 5 nm FIB-SEM voxels are fine


def test_write_to_an_unwritable_place_or_with_a_bad_voxel_is_an_input_error(tmp_path, labels):
    """A folder that cannot be made raised FileNotFoundError (CLI exit 1, "internal error");
    voxel_um=0 was replaced by the volume's own in silence."""
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="cannot write the volume"):
        write_volume(tmp_path / "file" / "sub" / "a.tif", labels)
    with pytest.raises(InputError, match="voxel_um"):
        write_volume(tmp_path / "a.tif", labels, voxel_um=0)
    assert read_volume(write_volume(tmp_path / "b.tif", LabelVolume(labels, 0.3), voxel_um=0.5)).voxel_um == 0.5
