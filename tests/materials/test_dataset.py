"""The bundled literature dataset: provenance, types and consistency with the seeds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ssbkit.errors import InputError
from ssbkit.materials import (
    density_g_cm3,
    density_table,
    filter_dataset,
    find_electrolyte,
    load_dataset,
    parse_composition,
)


def test_every_row_has_a_reference_and_a_known_family():
    df = load_dataset()
    assert len(df) >= 60
    assert df["reference"].notna().all() and (df["reference"].str.len() > 5).all()
    assert set(df["family"]) <= {"sulfide", "oxide", "halide", "polymer", "other"}
    assert df.attrs["version"]


def test_values_are_physical():
    df = load_dataset()
    s = df["sigma_S_per_cm"].dropna()
    assert ((s > 1e-12) & (s < 1)).all()
    ea = df["Ea_eV"].dropna()
    assert ((ea > 0.05) & (ea < 1.5)).all()


def test_common_electrolytes_are_present():
    df = load_dataset()
    comps = set(df["composition"])
    for c in ["Li10GeP2S12", "Li6PS5Cl", "Li3PS4", "Li7La3Zr2O12", "Li3YCl6", "Li3InCl6", "Na3PS4", "Na3SbS4"]:
        assert c in comps, c


def test_most_compositions_parse():
    df = load_dataset()
    ok = 0
    for c in df["composition"]:
        try:
            parse_composition(c)
            ok += 1
        except InputError:
            pass
    assert ok / len(df) > 0.9


def test_seed_values_carried_over(reference_dir):
    """Rows from shared/reference keep their numbers (Mizuno 2005 via the lecture)."""
    src = pd.read_csv(reference_dir / "li7p3s11_heat_treatment.csv")
    df = load_dataset()
    for v in src["sigma_RT_S_per_cm"]:
        assert np.isclose(df["sigma_S_per_cm"], v, rtol=1e-9).any()


pytestmark_external = pytest.mark.external
test_seed_values_carried_over = pytest.mark.external(test_seed_values_carried_over)


def test_filter_and_find():
    assert (filter_dataset(family="halide")["family"] == "halide").all()
    assert filter_dataset(with_ea=True)["Ea_eV"].notna().all()
    row = find_electrolyte("LGPS")
    assert row["sigma_S_per_cm"] == pytest.approx(1.2e-2)  # Kamaya 2011
    with pytest.raises(InputError, match="did you mean"):
        find_electrolyte("LGSP")
    with pytest.raises(InputError, match="family"):
        filter_dataset(family="sulfid")


def test_densities_have_references():
    tab = density_table()
    assert tab["reference"].notna().all()
    assert density_g_cm3("LiCoO2") == pytest.approx(5.05, rel=0.01)
    assert density_g_cm3("Li") == pytest.approx(0.534)
    with pytest.raises(InputError):
        density_g_cm3("unobtainium")
