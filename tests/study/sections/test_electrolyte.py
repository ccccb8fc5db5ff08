"""The electrolyte section: sigma(T) from data or from the dataset."""

from __future__ import annotations

import numpy as np
import pytest

from ssbkit.errors import InputError
from ssbkit.study.config import validate_study
from ssbkit.study.section import StudyContext
from ssbkit.study.sections.electrolyte import run_section
from ssbkit.transport import ArrheniusFit, arrhenius


def _ctx(study, tmp_path):
    return StudyContext(study=study, out_dir=tmp_path)


def test_data_source_recovers_known_ea_and_sigma_25c(tmp_path):
    tc = [25.0, 50.0, 75.0, 100.0]
    s = arrhenius(np.array(tc) + 273.15, 1.5e3, 0.38)
    st = validate_study({"electrolyte": {"name": "my glass", "temperatures_c": tc,
                                         "conductivities_S_per_cm": list(s)}})
    sec = run_section(st["electrolyte"], _ctx(st, tmp_path))
    assert sec.results["source"] == "data"
    assert sec.results["ea_eV"] == pytest.approx(0.38, rel=1e-6)
    assert sec.results["sigma_25C_S_per_cm"] == pytest.approx(s[0], rel=1e-6)
    fit = ArrheniusFit.from_dict(sec.results["arrhenius"])
    assert fit.predict(323.15) == pytest.approx(s[1], rel=1e-6)
    assert "<img" in sec.html


def test_dataset_source_uses_the_row_and_cites_it(tmp_path):
    st = validate_study({"electrolyte": {"name": "LGPS"}})
    sec = run_section(st["electrolyte"], _ctx(st, tmp_path))
    assert sec.results["ea_eV"] == pytest.approx(24 / 96.485, rel=1e-3)  # Kamaya 2011: 24 kJ/mol
    assert any("Kamaya" in r for r in sec.references)


def test_several_matching_rows_are_named_and_one_can_be_chosen(tmp_path):
    # five Li7P3S11 rows (Zhao 2021 via the lecture, four from Lin 2023 Table 2)
    st = validate_study({"electrolyte": {"name": "Li7P3S11"}})
    sec = run_section(st["electrolyte"], _ctx(st, tmp_path))
    assert any("5 dataset rows match" in w and "dataset_id" in w for w in sec.warnings)
    st = validate_study({"electrolyte": {"name": "Li7P3S11", "dataset_id": 25, "ea_eV": 0.3}})
    sec = run_section(st["electrolyte"], _ctx(st, tmp_path))
    assert sec.results["dataset_row"]["reference"] == "Lin et al. 2023, Table 2, ref [87]"
    assert sec.results["sigma_25C_S_per_cm"] == pytest.approx(1.27e-3, rel=0.05)  # quoted at room T
    assert not any("dataset rows match" in w for w in sec.warnings)


def test_a_dataset_id_that_does_not_match_the_name_is_refused(tmp_path):
    st = validate_study({"electrolyte": {"name": "LGPS", "dataset_id": 25}})
    with pytest.raises(InputError, match="does not match electrolyte 'LGPS'"):
        run_section(st["electrolyte"], _ctx(st, tmp_path))


def test_dataset_row_without_ea_says_what_it_assumed(tmp_path):
    st = validate_study({"electrolyte": {"name": "80Li2S-20P2S5 glass-ceramic"}})
    sec = run_section(st["electrolyte"], _ctx(st, tmp_path))
    assert sec.results["sigma_25C_S_per_cm"] == pytest.approx(7.2e-4, rel=1e-6)
    assert any("median Ea" in w for w in sec.warnings)


def test_impedance_source_needs_the_impedance_section(tmp_path):
    st = validate_study({"electrolyte": {"name": "x", "source": "impedance"}})
    with pytest.raises(InputError, match=r"\[impedance\]"):
        run_section(st["electrolyte"], _ctx(st, tmp_path))


def test_impedance_results_feed_the_fit(tmp_path):
    t = np.array([413.15, 433.15, 453.15, 473.15])
    s = arrhenius(t, 1e4, 0.55)
    st = validate_study({"electrolyte": {"name": "pellet", "source": "impedance", "conductivity": "bulk"}})
    ctx = _ctx(st, tmp_path)
    ctx.results["impedance"] = {"temperatures_K": list(t), "sigma_bulk_S_per_cm": list(s)}
    sec = run_section(st["electrolyte"], ctx)
    assert sec.results["ea_eV"] == pytest.approx(0.55, rel=1e-6)


def test_electrolyte_takes_sigma_from_the_heat_treatment_chain(tmp_path):
    """[synthesis] -> [thermal] -> [heat_treatment] -> [electrolyte]: 360 degC for 2 h crystallizes the
    70Li2S-30P2S5 glass fully (JMAK), so sigma(25 degC) is the crystal's 3.2e-3 S/cm (Mizuno 2005)."""
    from pathlib import Path

    from ssbkit.study.config import load_study
    from ssbkit.study.pipeline import run_study

    example = Path(__file__).resolve().parents[3] / "examples" / "glass_ceramic_li7p3s11.toml"
    res = run_study(load_study(example), tmp_path, record=False)
    el = res.results["sections"]["electrolyte"]["results"]
    assert res.status["electrolyte"] == "ok" and el["source"] == "heat_treatment"
    assert el["sigma_25C_S_per_cm"] == pytest.approx(3.2e-3, rel=1e-6)
