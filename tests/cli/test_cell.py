"""`ssbkit cell` commands through typer's CliRunner."""

from __future__ import annotations

import dataclasses
import json

import pytest
from typer.testing import CliRunner

from ssbkit.cell.design_file import load_design
from ssbkit.cell.energy import stack_energy
from ssbkit.cli.cell import app
from ssbkit.errors import InputError

runner = CliRunner()

DESIGN = """
[cathode]
active_material = "NCM811"
volume_fractions = { active = 0.6, electrolyte = 0.35, carbon = 0.05 }
porosity = 0.15
thickness_um = 60.0
active_particle_diameter_um = 5.0
[separator]
thickness_um = 30.0
[anode]
material = "Li"
excess = 1.0
[cell]
sigma_se_S_per_cm = 1e-3
ea_eV = 0.3
cutoff_low_V = 3.0
"""


@pytest.fixture
def design(tmp_path):
    p = tmp_path / "design.toml"
    p.write_text(DESIGN)
    return p


def test_energy_json_matches_library(design):
    r = runner.invoke(app, ["energy", str(design), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    e = stack_energy(load_design(design))
    assert out["energy"]["np_ratio"] == pytest.approx(2.0)
    assert out["energy"]["specific_energy_Wh_per_kg"] == pytest.approx(e.specific_energy_Wh_per_kg)
    assert set(out["targets"]) == {"Li-ion", "Li metal"}


def test_energy_text_and_figure(design, tmp_path):
    r = runner.invoke(app, ["energy", str(design), "--figures", str(tmp_path / "fig")])
    assert r.exit_code == 0, r.output
    assert "Wh/kg" in r.stdout
    assert (tmp_path / "fig" / "energy_breakdown.png").stat().st_size > 1000


def test_rate_reaction_zone_json_over_temperatures(design):
    """Higher T -> higher sigma (Ea 0.3 eV) -> no lower capacity at every C-rate."""
    r = runner.invoke(app, ["rate", str(design), "--c-rates", "0.5,2,10", "--temperature-c", "0",
                            "--temperature-c", "25", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["model"] == "fast"
    runs = out["rate"]["curves"]
    cold, rt = runs[0]["capacity_mAh_per_g"], runs[1]["capacity_mAh_per_g"]
    assert runs[1]["sigma_se_S_per_cm"] == pytest.approx(1e-3)
    assert runs[0]["sigma_se_S_per_cm"] < 1e-3
    assert all(c <= w + 1e-9 for c, w in zip(cold, rt, strict=True))
    assert rt[0] >= rt[1] >= rt[2]


def test_rate_bad_model_and_missing_activation_energy(design, tmp_path):
    r = runner.invoke(app, ["rate", str(design), "--model", "dfm"])
    assert isinstance(r.exception, InputError)
    p = tmp_path / "noea.toml"
    p.write_text(DESIGN.replace("ea_eV = 0.3\n", ""))
    r = runner.invoke(app, ["rate", str(p), "--temperature-c", "60"])
    assert isinstance(r.exception, InputError)
    assert "ea_eV" in str(r.exception)
    r = runner.invoke(app, ["rate", str(design), "--c-rates", "1,x"])
    assert isinstance(r.exception, InputError)


def test_rate_p2d_json(design):
    pytest.importorskip("pybamm")
    r = runner.invoke(app, ["rate", str(design), "--model", "p2d", "--c-rates", "0.2", "--json"])
    assert r.exit_code == 0, r.output
    res = json.loads(r.stdout)["runs"][0]["results"][0]
    assert res["converged"]
    assert 100 < res["final_capacity_mAh_per_g"] <= 205


def test_cycling_csv_needs_a_normalisation_and_writes_figures(tmp_path):
    lines = ["time_s,voltage_V,current_A,cycle"]
    t = 0
    for cyc in (1, 2):
        for i in (1e-3, -1e-3):
            for k in range(61):
                lines.append(f"{t},{3.6 + 0.005 * k * (1 if i > 0 else -1)},{i},{cyc}")
                t += 60
    f = tmp_path / "c.csv"
    f.write_text("\n".join(lines) + "\n")
    r = runner.invoke(app, ["cycling", str(f)])  # issue 10: plain mAh without a mass, with a note
    assert r.exit_code == 0 and "capacities in mAh" in r.stdout
    r = runner.invoke(app, ["cycling", str(f), "--mass-mg", "10", "--json", "--figures", str(tmp_path / "f")])
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)["summaries"][0]
    assert s["discharge_mAh_per_g"] == pytest.approx([100.0, 100.0], rel=0.02)  # 1 mA x 1 h / 10 mg
    assert (tmp_path / "f" / "cycling.png").exists()


@pytest.mark.external
def test_cycling_real_neware_text(reference_dir):
    r = runner.invoke(app, ["cycling", str(reference_dir / "cycling" / "neware-export.csv"), "--nominal-mah", "5"])
    assert r.exit_code == 0, r.output
    assert "cycles to 80 %" in r.stdout


def test_materials_list_json():
    r = runner.invoke(app, ["materials", "--json"])
    names = [m["name"] for m in json.loads(r.stdout)]
    assert {"LiCoO2", "Li-In", "graphite", "TiS2"} <= set(names)


def test_energy_and_rate_accept_the_bundled_example_study():
    """Issue 9: one schema - the study's tables run under `ssbkit cell` (was: unknown key p2d_c_rates)."""
    from ssbkit.study.config import example_study_path

    r = runner.invoke(app, ["energy", str(example_study_path()), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["cell"]["specific_energy_Wh_per_kg"] > 0
    r = runner.invoke(app, ["rate", str(example_study_path()), "--sigma-se-S-per-cm", "7.2e-4", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    rate = out["rate"]
    assert rate["measured"]["capacity_mAh_per_g"] == 100.0
    assert rate["predicted_at_measured_mAh_per_g"] < 130.0
    # the prediction (~119) misses ~100 by > 5 %: what the measurement implies comes with it
    film = {f["parameter"]: f for f in out["implied_by_measurement"]}["film_ohm_cm2"]
    assert film["reachable"] and film["ratio"] > 1.0


def test_export_pybamm_writes_a_loadable_parameter_set(tmp_path):
    pybamm = pytest.importorskip("pybamm")
    from importlib import resources

    design = str(resources.files("ssbkit.cell").joinpath("data/example_design.toml"))
    out = tmp_path / "set.json"
    r = runner.invoke(app, ["export-pybamm", design, "--out", str(out)])
    assert r.exit_code == 0, r.output
    pv = pybamm.ParameterValues.from_json(str(out))
    # 7.2e-4 S/cm of the design as a plain number, S/m
    assert pv["Electrolyte conductivity [S.m-1]"] == pytest.approx(7.2e-2)
    assert "SEI resistivity [Ohm.m]" in pv.keys()  # the uncoated LiCoO2's interphase film


def test_rate_with_a_zero_measured_capacity_is_bad_input(tmp_path):
    """Was a ZeroDivisionError (exit 1): now an InputError naming the key (exit 2)."""
    p = tmp_path / "m0.toml"
    p.write_text(DESIGN + 'measured = { capacity_mAh_per_g = 0.0, c_rate = 0.1 }\n')
    r = runner.invoke(app, ["rate", str(p), "--json"])
    assert isinstance(r.exception, InputError)
    assert "measured.capacity_mAh_per_g must be > 0" in str(r.exception)


def test_rate_with_infinite_c_rate_is_bad_input(design):
    r = runner.invoke(app, ["rate", str(design), "--c-rates", "1,inf"])
    assert isinstance(r.exception, InputError)
    assert "C-rates must be finite and > 0, got [1.0, inf]" in str(r.exception)


def test_rate_spme_exits_3_when_a_c_rate_failed(design, monkeypatch):
    """A C-rate whose simulation failed is reported and the exit code says partial (3)."""
    pytest.importorskip("pybamm")  # p2d_rate asks for it, also for the numpy SPMe
    import ssbkit.cell.rate as rate_mod
    from ssbkit.errors import EXIT_PARTIAL

    real = rate_mod.p2d_rate

    def one_failed(*args, **kwargs):
        res = real(*args, **kwargs)
        return [res[0], dataclasses.replace(res[1], converged=False, message="solver failed (test)")]

    monkeypatch.setattr(rate_mod, "p2d_rate", one_failed)
    r = runner.invoke(app, ["rate", str(design), "--model", "spme", "--c-rates", "0.1,1", "--json"])
    assert r.exit_code == EXIT_PARTIAL, r.output
    assert [x["converged"] for x in json.loads(r.stdout)["runs"][0]["results"]] == [True, False]
    r = runner.invoke(app, ["rate", str(design), "--model", "spme", "--c-rates", "0.1,1"])
    assert r.exit_code == EXIT_PARTIAL
    assert "warning: solver failed (test)" in r.stdout


def test_export_pybamm_checks_the_set_as_a_run_does(design, tmp_path):
    """-200 degC (below what every run accepts) was written out as a parameter set."""
    pytest.importorskip("pybamm")
    out = tmp_path / "set.json"
    r = runner.invoke(app, ["export-pybamm", str(design), "--out", str(out), "--temperature-c", "-200"])
    assert isinstance(r.exception, InputError)
    assert "temperature_c must lie between -123 and 427 degC" in str(r.exception)
    assert not out.exists()


def test_kelvin_on_the_command_line_is_refused_as_in_a_design_file(design, tmp_path):
    """--temperature-c 298.15 ran the cell at 298 degC (the design file's _c keys refuse kelvin)."""
    for args in (["rate", str(design), "--temperature-c", "298.15", "--temperature-c", "333.15"],
                 ["export-pybamm", str(design), "--out", str(tmp_path / "x.json"), "--temperature-c", "298.15"]):
        r = runner.invoke(app, args)
        assert isinstance(r.exception, InputError), args
        assert "--temperature-c = [" in str(r.exception) and "look like kelvin" in str(r.exception)


def test_a_particle_diameter_in_metres_warns_on_stderr(tmp_path):
    p = tmp_path / "m.toml"
    p.write_text(DESIGN.replace("active_particle_diameter_um = 5.0", "active_particle_diameter_um = 5e-6"))
    r = runner.invoke(app, ["energy", str(p)])
    assert r.exit_code == 0, r.output
    assert "active_particle_diameter_um = 5e-06 um is below 1 nm" in r.stderr


def test_rate_uses_sigma_at_the_measurements_and_the_designs_own_temperature(tmp_path):
    """sigma_SE (Arrhenius through the design's point, Ea 0.3 eV) at every temperature the workflow
    visits: the CLI handed the first --temperature-c's sigma to the design's own curve and to a
    measurement at 80 degC (sigma at 25 degC for it when no --temperature-c was given)."""
    from ssbkit.cell.rate import design_sigma_at, rate_study

    p = tmp_path / "m80.toml"
    p.write_text(DESIGN + "measured = { capacity_mAh_per_g = 150.0, c_rate = 5.0, temperature_c = 80.0 }\n")
    d = load_design(p)
    lib = rate_study(d, [5.0], [60.0], measured={"capacity_mAh_per_g": 150.0, "c_rate": 5.0, "temperature_c": 80.0})
    r = runner.invoke(app, ["rate", str(p), "--c-rates", "5", "--temperature-c", "60", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)["rate"]
    assert out["operating"]["sigma_se_S_per_cm"] == pytest.approx(1e-3)
    assert out["curves"][0]["sigma_se_S_per_cm"] == pytest.approx(float(design_sigma_at(d, [60.0])[0]))
    assert out["predicted_at_measured_mAh_per_g"] == pytest.approx(lib.predicted_at_measured_mAh_per_g, rel=1e-9)
    # an override is the design's point at the one --temperature-c
    r = runner.invoke(app, ["rate", str(p), "--c-rates", "5", "--temperature-c", "60",
                            "--sigma-se-S-per-cm", "2e-3", "--json"])
    assert r.exit_code == 0, r.output
    op = json.loads(r.stdout)["rate"]["operating"]
    assert (op["temperature_c"], op["sigma_se_S_per_cm"]) == (60.0, pytest.approx(2e-3))
