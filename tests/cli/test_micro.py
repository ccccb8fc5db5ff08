"""`ssbkit micro generate|analyze` through typer's CliRunner."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from ssbkit.cli.micro import app
from ssbkit.microstructure.io import read_volume

runner = CliRunner()

RECIPE = """
[cathode]
active_material = "LiCoO2"
volume_fractions = { active = 0.4, electrolyte = 0.55, carbon = 0.05 }
porosity = 0.1
active_particle_diameter_um = 4.0
carbon_particle_diameter_um = 0.1
[cathode.microstructure]
box_um = 12.0
voxel_um = 0.5
seed = 2
"""


@pytest.fixture
def recipe_file(tmp_path):
    p = tmp_path / "recipe.toml"
    p.write_text(RECIPE)
    return p


def test_generate_writes_a_volume_with_the_recipe_fractions(tmp_path, recipe_file):
    out = tmp_path / "vol.tif"
    res = runner.invoke(app, ["generate", str(recipe_file), "--out", str(out), "--json", "--figures", str(tmp_path / "fig")])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["shape"] == [24, 24, 24]
    for k, v in doc["target_fractions"].items():
        assert doc["fractions"][k] == pytest.approx(v, abs=0.01)
    vol = read_volume(out)
    assert vol.voxel_um == pytest.approx(0.5)
    assert vol.fractions()["active"] == pytest.approx(0.36, abs=0.01)
    assert (tmp_path / "fig" / "slices.png").stat().st_size > 1000


def test_generate_table_output_and_bad_recipe(tmp_path, recipe_file):
    res = runner.invoke(app, ["generate", str(recipe_file), "--out", str(tmp_path / "v.npy")])
    assert res.exit_code == 0, res.output
    assert "active" in res.stdout and "target" in res.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text(RECIPE.replace("porosity", "porosty"))
    res = runner.invoke(app, ["generate", str(bad), "--out", str(tmp_path / "v.tif")])
    assert res.exit_code == 2
    assert "did you mean 'porosity'" in res.output
    broken = tmp_path / "broken.toml"
    broken.write_text("[cathode\n")
    res = runner.invoke(app, ["generate", str(broken), "--out", str(tmp_path / "v.tif")])
    assert res.exit_code == 2 and "not valid TOML" in res.output


def test_analyze_grey_level_raw_volume_with_label_map(tmp_path):
    """A raw uint8 tomogram with 0/85/170 grey levels: mapped, measured and solved; JSON output."""
    grey = np.zeros((16, 16, 16), np.uint8)
    grey[:, :, :8] = 170  # carbon columns through the thickness
    grey[:, :8, 8:] = 85  # active columns
    grey.tofile(tmp_path / "t.raw")
    res = runner.invoke(app, ["analyze", str(tmp_path / "t.raw"), "--shape", "16,16,16", "--dtype", "uint8",
                              "--labels", "0=pore,85=active,170=carbon", "--voxel-um", "0.25", "--json",
                              "--sigma-carbon", "2.0", "--sigma-active-e", "0"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["fractions"] == pytest.approx({"pore": 0.25, "active": 0.25, "electrolyte": 0.0, "carbon": 0.5})
    assert doc["sigma_eff_e_S_per_cm"] == pytest.approx(1.0, rel=1e-4)  # parallel columns: 0.5 x 2 S/cm
    assert doc["sigma_eff_ion_S_per_cm"] == 0.0 and doc["tortuosity_ion"] is None
    assert doc["voxel_um"] == 0.25


def test_analyze_generated_tiff_prints_a_table_and_figures(tmp_path, recipe_file):
    out = tmp_path / "vol.tif"
    assert runner.invoke(app, ["generate", str(recipe_file), "--out", str(out), "--json"]).exit_code == 0
    res = runner.invoke(app, ["analyze", str(out), "--figures", str(tmp_path / "figs"), "--no-solve"])
    assert res.exit_code == 0, res.output
    assert "utilisation" in res.stdout
    assert {p.name for p in (tmp_path / "figs").iterdir()} == {"slices.png", "utilisation.png", "dead_active.png"}


def test_analyze_refuses_unmapped_values_and_missing_files(tmp_path):
    grey = np.full((4, 4, 4), 85, np.uint8)
    np.save(tmp_path / "g.npy", grey)
    res = runner.invoke(app, ["analyze", str(tmp_path / "g.npy")])
    assert res.exit_code == 2 and "missing from the label map" in res.output
    res = runner.invoke(app, ["analyze", str(tmp_path / "none.tif")])
    assert res.exit_code == 2 and "no such file" in res.output
    res = runner.invoke(app, ["analyze", str(tmp_path / "g.npy"), "--labels", "85=active", "--shape", "4,4"])
    assert res.exit_code == 2 and "--shape" in res.output


def test_tortuosity_of_straight_pore_channels_is_one_along_and_infinite_across(tmp_path):
    """Pore slabs normal to axis 2: tau = 1 along axes 0 and 1 (eps = 0.5), no path along axis 2."""
    lab = np.zeros((12, 12, 12), np.uint8)
    lab[:, :, 6:] = 1
    np.save(tmp_path / "s.npy", lab)
    res = runner.invoke(app, ["tortuosity", str(tmp_path / "s.npy"), "--phase", "pore", "--axis", "all", "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    taus = [r["tortuosity"] for r in doc["results"]]
    assert taus[0] == pytest.approx(1.0, rel=1e-4) and taus[1] == pytest.approx(1.0, rel=1e-4)
    assert taus[2] is None  # infinite: null in JSON (jsonio policy)
    res = runner.invoke(app, ["tortuosity", str(tmp_path / "s.npy"), "--phase", "pores", "--axis", "3"])
    assert res.exit_code == 2 and "--axis" in res.output
    res = runner.invoke(app, ["tortuosity", str(tmp_path / "s.npy"), "--phase", "carbn"])
    assert res.exit_code == 2 and "did you mean 'carbon'" in res.output


def test_tortuosity_with_several_phases_spacing_periodic_and_tau_e(tmp_path):
    """Series layers of two conductors (exact harmonic mean), anisotropic voxels and periodic
    faces from the command line; tau_e of straight pores = 1 + 1/(2 n^2) (Nguyen et al. 2020)."""
    lab = np.zeros((12, 6, 6), np.uint8)
    lab[:4] = 1
    lab[4:] = 2
    np.save(tmp_path / "layers.npy", lab)
    res = runner.invoke(app, ["tortuosity", str(tmp_path / "layers.npy"), "--conductivities",
                              "pore=0,active=1e-3,electrolyte=4e-3", "--spacing", "1,2,2", "--periodic", "--json"])
    assert res.exit_code == 0, res.output
    r = json.loads(res.stdout)["results"][0]
    assert r["sigma_eff"] == pytest.approx(12 / (4 / 1e-3 + 8 / 4e-3), rel=1e-6)
    assert r["spacing"] == [1.0, 2.0, 2.0] and r["periodic"] is True
    pores = np.ones((10, 9, 9), np.uint8)  # active material with straight pores (label 0)
    pores[:, 1::3, 1::3] = 0
    np.save(tmp_path / "pores.npy", pores)
    res = runner.invoke(app, ["tortuosity", str(tmp_path / "pores.npy"), "--phase", "pore", "--electrode"])
    assert res.exit_code == 0, res.output
    assert "tau_e" in res.stdout and "1.0050" in res.stdout
    res = runner.invoke(app, ["tortuosity", str(tmp_path / "pores.npy"), "--conductivities", "pore=-1"])
    assert res.exit_code == 2 and ">= 0" in res.output
    res = runner.invoke(app, ["tortuosity", str(tmp_path / "pores.npy"), "--spacing", "1,0,1"])
    assert res.exit_code == 2 and "--spacing" in res.output


def _zigzag_tiff(path):
    """Pore path (label 0) that must step sideways once, in a TIFF whose voxels are
    1.2 um along z (axis 0) and 0.4 um in the plane, as ImageJ/Fiji stores them."""
    import tifffile

    lab = np.ones((3, 2, 4), np.uint8)
    lab[0, 0] = lab[1, 0] = lab[1, 1] = lab[2, 1] = 0
    tifffile.imwrite(path, lab, imagej=True, resolution=(1 / 0.4, 1 / 0.4),
                     metadata={"spacing": 1.2, "unit": "um", "axes": "ZYX"})


def test_tortuosity_takes_the_anisotropic_voxels_the_tiff_states(tmp_path):
    """The zigzag's resistor network by hand (Dirichlet half cells, face conductance
    h_b h_c / h_a): R = 3 h0 / (h1 h2) + h1 / (h0 h2) per strip, sigma_eff = 3 h0 / (2 h1 h2 R),
    tau = eps / sigma_eff with eps = 2/3. Cubic voxels (what the CLI used) give 16/9."""
    _zigzag_tiff(tmp_path / "z.tif")
    h0, h1, h2 = 1.2, 0.4, 0.4
    tau = (2 / 3) / (3 * h0 / (2 * h1 * h2 * (3 * h0 / (h1 * h2) + h1 / (h0 * h2))))
    res = runner.invoke(app, ["tortuosity", str(tmp_path / "z.tif"), "--phase", "pore", "--json"])
    assert res.exit_code == 0, res.output
    r = json.loads(res.stdout)["results"][0]
    assert r["spacing"] == pytest.approx([1.2, 0.4, 0.4])
    assert r["tortuosity"] == pytest.approx(tau, rel=1e-5)
    res = runner.invoke(app, ["tortuosity", str(tmp_path / "z.tif"), "--phase", "pore", "--spacing", "1,1,1", "--json"])
    assert json.loads(res.stdout)["results"][0]["tortuosity"] == pytest.approx(16 / 9, rel=1e-5)


def test_analyze_refuses_anisotropic_voxels_unless_a_voxel_size_is_given(tmp_path):
    """Areas and depths take one voxel edge: the z edge (1.2 um) used to be taken for all three."""
    _zigzag_tiff(tmp_path / "z.tif")
    res = runner.invoke(app, ["analyze", str(tmp_path / "z.tif"), "--ion-phase", "pore", "--no-solve"])
    assert res.exit_code == 2 and "anisotropic voxels" in res.output and "1.2, 0.4, 0.4" in res.output
    res = runner.invoke(app, ["analyze", str(tmp_path / "z.tif"), "--ion-phase", "pore", "--no-solve",
                              "--voxel-um", "0.4", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["voxel_um"] == 0.4


def test_a_figure_folder_that_cannot_be_made_is_bad_input_before_any_work(tmp_path, recipe_file):
    """--figures under a plain file raised NotADirectoryError: exit 1 ("internal error"), and
    for generate only after the volume had been written."""
    (tmp_path / "plain").write_text("x")
    res = runner.invoke(app, ["generate", str(recipe_file), "--out", str(tmp_path / "v.npy"),
                              "--figures", str(tmp_path / "plain" / "figs")])
    assert res.exit_code == 2 and "cannot make the folder" in res.output
    assert not (tmp_path / "v.npy").exists()
    np.save(tmp_path / "a.npy", np.ones((4, 4, 4), np.uint8))
    res = runner.invoke(app, ["analyze", str(tmp_path / "a.npy"), "--no-solve", "--figures", str(tmp_path / "plain")])
    assert res.exit_code == 2 and "--figures" in res.output


def test_what_reading_assumed_is_shown_not_only_stored(tmp_path):
    """A raw file larger than --shape x --dtype (a wrong shape, or a header) was read from its
    end with the guess kept in info["notes"]: never printed by analyze or tortuosity."""
    lab = np.zeros((8, 8, 8), np.uint8)
    lab[:, :4] = 1
    (tmp_path / "v.raw").write_bytes(b"\0" * 100 + lab.tobytes())
    args = ["--shape", "8,8,8", "--dtype", "uint8"]
    res = runner.invoke(app, ["tortuosity", str(tmp_path / "v.raw"), "--phase", "pore", *args])
    assert res.exit_code == 0 and "first 100 bytes taken as a header" in res.output
    res = runner.invoke(app, ["tortuosity", str(tmp_path / "v.raw"), "--phase", "pore", "--json", *args])
    assert any("100 bytes" in n for n in json.loads(res.stdout)["notes"])
    res = runner.invoke(app, ["analyze", str(tmp_path / "v.raw"), "--ion-phase", "pore", "--no-solve", *args])
    assert res.exit_code == 0 and "first 100 bytes taken as a header" in res.output
