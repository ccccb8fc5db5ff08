"""Windows out of the box against the published GGA windows, and the arithmetic against pymatgen.

Tolerance for the published comparison: 0.3 V on each limit. A limit is a
reaction energy per transferred ion (V = -dG / n e); CHGNet's error on MP
formation energies (~0.03 eV/atom, Deng et al. 2023) over the 8-13 atoms per
ion of these reactions and the structural models of some phases (see
data/phases/index.json) make ~0.1-0.3 V the expected agreement; the cases
outside 0.3 V are marked xfail(strict) with the measured value, not hidden by a
wider tolerance.

Measured with the shipped CHGNet 0.3.0 cache (chgnet 0.4.2), V, against the
published GGA value: Li3PS4 1.64 / 2.60 (1.71 / 2.31); Li6PS5Cl 1.64 / 2.21
(1.71 / 2.01); Li7P3S11 2.27 / 2.60 (2.28 / 2.31); Li10GeP2S12 1.64 / 2.39
(1.71 / 2.14); Li3YCl6 0.61 / 4.18 (0.62 / 4.21). Every reduction limit is
within 0.07 V; the oxidation limits that release S are 0.20-0.29 V high
(inside the tolerance, a systematic offset rather than scatter: the MP2020
sulfide correction in CHGNet's labels, see the last test). SevenNet 7net-0
(sevenn 0.13.0): Li3PS4 1.65 / 2.30, Li6PS5Cl 1.65 / 1.97, Li7P3S11 2.22 /
2.30, Li10GeP2S12 1.65 / 2.10, Li3YCl6 0.63 / 3.63 (outside: xfail below).
"""

from __future__ import annotations

import pytest

pytest.importorskip("pymatgen")

from ssbkit.atomistic.phases import load_energies, phase_entries  # noqa: E402
from ssbkit.atomistic.windows import published_window, stability_window  # noqa: E402
from ssbkit.errors import InputError  # noqa: E402

TOL_V = 0.3


def _mu(name: str) -> float:
    """Energy per atom of an element's cached cell, eV."""
    rec = load_energies("chgnet")["phases"][name]
    return float(rec["energy_eV"]) / int(rec["n_atoms"])


def _fu(name: str) -> float:
    """Energy per reduced formula unit (Li3PS4, Li2S, ...) of a cached phase, eV."""
    from pymatgen.core import Composition

    rec = load_energies("chgnet")["phases"][name]
    return float(rec["energy_eV"]) / Composition(rec["composition"]).get_reduced_composition_and_factor()[1]


@pytest.mark.parametrize("name", ["Li2S", "LiCl", "Na2S"])
def test_known_stable_binaries_are_on_the_hull(name):
    r = stability_window(name)
    assert r.e_above_hull_eV_per_atom == pytest.approx(0.0, abs=1e-9)
    assert r.reduction_V == 0.0 and r.products_reduction == ()  # stable against the metal


def test_li2s_oxidation_is_its_formation_energy_per_electron():
    """Li2S -> 2 Li + S: V = -(E(Li2S) - 2 mu_Li - mu_S) / 2 e, with the cached energies (by hand)."""
    v = -(_fu("Li2S") - 2 * _mu("Li") - _mu("S")) / 2
    r = stability_window("Li2S")
    assert r.oxidation_V == pytest.approx(v, abs=1e-6)
    assert r.products_oxidation == ("S",)


def test_li3ps4_reduction_limit_by_hand():
    """Li3PS4 + 5 Li -> P + 4 Li2S at V = -(E(P) + 4 E(Li2S) - E(Li3PS4) - 5 mu_Li) / 5 e."""
    r = stability_window("Li3PS4")
    assert set(r.products_reduction) == {"Li2S", "P"}
    v = -(_mu("P") + 4 * _fu("Li2S") - _fu("Li3PS4") - 5 * _mu("Li")) / 5
    assert r.reduction_V == pytest.approx(v, abs=1e-6)


@pytest.mark.parametrize("name", ["Li3PS4", "Li6PS5Cl", "Li10GeP2S12", "Li7P3S11", "Na3PS4", "Li3YCl6"])
def test_window_matches_pymatgen_element_profile(name):
    """Independent route: pymatgen PhaseDiagram.get_element_profile gives the ion uptake along mu; the
    window is where the composition takes up none (pymatgen's profile, not our grand-potential loop)."""
    from pymatgen.analysis.phase_diagram import PhaseDiagram
    from pymatgen.core import Element

    from ssbkit.atomistic.stability import make_entry

    r = stability_window(name)
    doc = load_energies("chgnet")
    rec = doc["phases"][name]
    el = Element(r.open_element)
    elements = sorted({e.symbol for e in make_entry(rec["composition"], 0.0).composition.elements})
    entries = phase_entries("chgnet", elements)
    pd = PhaseDiagram(entries)
    comp = make_entry(rec["composition"], 0.0).composition.reduced_composition
    prof = pd.get_element_profile(el, comp)
    mu0 = pd.el_refs[el].energy_per_atom
    # each step: chempot and 'evolution' (ion taken up per formula unit, + = uptake) below that chempot
    zero = [p for p in prof if abs(p["evolution"]) < 1e-6]
    volts = sorted(-(p["chempot"] - mu0) for p in prof)
    if zero:  # the Li-neutral segment lies between the voltage of its own step and the next one up
        v_red = -(zero[0]["chempot"] - mu0)
        ups = [v for v in volts if v > v_red + 1e-9]
        assert r.reduction_V == pytest.approx(max(v_red, 0.0), abs=1e-4)
        if ups:
            assert r.oxidation_V == pytest.approx(min(ups), abs=1e-4)
    else:  # no neutral segment: a single equilibrium voltage
        assert r.reduction_V == pytest.approx(r.oxidation_V, abs=1e-9)
        assert any(abs(r.reduction_V - v) < 1e-4 for v in volts)


PUBLISHED = [
    ("Li3PS4", "reduction_V"), ("Li3PS4", "oxidation_V"),
    ("Li6PS5Cl", "reduction_V"), ("Li6PS5Cl", "oxidation_V"),
    ("Li10GeP2S12", "reduction_V"), ("Li10GeP2S12", "oxidation_V"),
    ("Li7P3S11", "reduction_V"), ("Li7P3S11", "oxidation_V"),
    ("Li3YCl6", "reduction_V"), ("Li3YCl6", "oxidation_V"),
]
#: limits measured outside TOL_V with the shipped caches (measured -> published)
OUTSIDE: dict[tuple[str, str, str], str] = {
    ("sevennet", "Li3YCl6", "oxidation_V"): "SevenNet 7net-0 gives 3.63 V (published 4.21 V): its "
    "labels look uncorrected GGA (its S-releasing limits match Zhu 2015 without any shift), so likely "
    "without the MP2020 Cl correction that CHGNet's labels carry (CHGNet gives 4.18 V)",
}


def _case(model: str, name: str, key: str):
    reason = OUTSIDE.get((model, name, key))
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(model, name, key, marks=marks, id=f"{model}-{name}-{key}")


@pytest.mark.parametrize(("model", "name", "key"),
                         [_case(m, n, k) for m in ("chgnet", "sevennet") for n, k in PUBLISHED])
def test_window_limit_near_the_published_gga_value(model, name, key):
    r = stability_window(name, model=model)
    pub = published_window(name)
    assert pub is not None and r.published == pub
    assert r.model["backend"] == model
    got = getattr(r, key)
    assert got is not None
    assert got == pytest.approx(pub[key], abs=TOL_V)


def test_na3ps4_is_reduced_to_na2s_and_phosphorus():
    """Na3PS4 + 5 Na -> P + 4 Na2S, as Li3PS4 with Li (no published Na3PS4 window was found to compare)."""
    r = stability_window("Na3PS4")
    assert r.open_element == "Na" and set(r.products_reduction) == {"Na2S", "P"}
    v = -(_mu("P") + 4 * _fu("Na2S") - _fu("Na3PS4") - 5 * _mu("Na")) / 5
    assert r.reduction_V == pytest.approx(v, abs=1e-6)
    assert r.oxidation_V is not None and r.oxidation_V > r.reduction_V


def test_report_records_the_model():
    r = stability_window("Li3PS4")
    assert r.model["backend"] == "chgnet" and r.model["version"]
    assert r.model["settings"]["fmax_eV_per_A"] > 0
    d = r.to_dict()
    assert d["published"]["source"] == "Zhu2015"


def test_unknown_candidate_is_named():
    with pytest.raises(InputError, match="neither a bundled phase"):
        stability_window("Li3PS5")
    with pytest.raises(InputError, match="no Li or Na"):
        stability_window("GeS2")


@pytest.mark.parametrize(("name", "parts", "n_atoms"), [
    ("Li10GeP2S12", {"Li4GeS4": 1, "Li3PS4": 2}, 25),
    ("Li6PS5Cl", {"Li3PS4": 1, "Li2S": 1, "LiCl": 1}, 13),
    ("Li3YCl6", {"YCl3": 1, "LiCl": 3}, 10),
])
def test_energy_above_hull_by_hand(name, parts, n_atoms):
    """E_hull = [E(candidate) - sum E(products)] / atoms, for the decomposition by hand (cached energies)."""
    r = stability_window(name)
    e = (_fu(name) - sum(k * _fu(p) for p, k in parts.items())) / n_atoms
    assert r.e_above_hull_eV_per_atom == pytest.approx(e, abs=1e-6)
    assert set(r.decomposition) == set(parts)


SULFIDE_OXIDATION = [("Li3PS4", 2.31), ("Li6PS5Cl", 2.01), ("Li7P3S11", 2.31), ("Li10GeP2S12", 2.14)]


@pytest.mark.parametrize(("name", "published"), SULFIDE_OXIDATION)
def test_without_the_mp2020_sulfide_correction_oxidation_limits_agree_to_0p1_volt(name, published):
    """The 0.2-0.3 V offset of the S-releasing limits is the MP2020 sulfide correction CHGNet learnt:
    adding back 0.503 eV per S of S compounds (the uncorrected-GGA scale) brings each within 0.1 V of
    Zhu 2015 (measured 2.35, 1.96, 2.35, 2.14 V) and leaves the reduction limits (S conserved) unchanged."""
    from ssbkit.atomistic.windows import MP2020_SULFIDE_EV_PER_S

    plain = stability_window(name)
    r = stability_window(name, sulfide_shift_eV_per_S=-MP2020_SULFIDE_EV_PER_S)
    assert r.oxidation_V == pytest.approx(published, abs=0.1)
    assert r.reduction_V == pytest.approx(plain.reduction_V, abs=1e-9)
    assert r.oxidation_V < plain.oxidation_V
    assert r.sulfide_shift_eV_per_S == pytest.approx(0.503)


@pytest.mark.slow
def test_a_structure_file_is_relaxed_and_checked_against_the_bundled_phases(tmp_path):
    """A user's structure (here a copy of the bundled Li3PS4 CIF) is relaxed with CHGNet and gets the
    bundled phases and the published window of its formula; the same structure gives the same window."""
    import shutil

    from ssbkit.atomistic.phases import PHASE_DIR

    path = tmp_path / "mine.cif"
    shutil.copy(PHASE_DIR / "Li3PS4.cif", path)
    r = stability_window(str(path))
    ref = stability_window("Li3PS4")
    assert r.published == published_window("Li3PS4")
    assert r.reduction_V == pytest.approx(ref.reduction_V, abs=0.02)
    assert r.oxidation_V == pytest.approx(ref.oxidation_V, abs=0.02)
