"""Rebuild ssbkit/materials/data/electrolytes.csv from ../shared/reference and curated rows.

Run once when the sources change: ``python scripts/build_dataset.py``. The
output CSV is the versioned, bundled dataset; every row names its reference.
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
REF = ROOT.parent / "shared" / "reference"
OUT = ROOT / "ssbkit" / "materials" / "data" / "electrolytes.csv"
EV = 96.485  # kJ/mol per eV

COLUMNS = [
    "name", "composition", "family", "form", "synthesis", "heat_treatment", "sigma_S_per_cm",
    "sigma_T_C", "Ea_eV", "Tg_C", "Tc_C", "window_V", "cell", "cell_capacity", "reference", "note",
]

# Curated rows for the common electrolytes (values as reported in the cited papers).
CURATED = [
    dict(name="LGPS", composition="Li10GeP2S12", family="sulfide", form="crystal",
         synthesis="solid-state reaction", heat_treatment="550 C", sigma_S_per_cm=1.2e-2, sigma_T_C=27,
         Ea_eV=24 / EV, reference="Kamaya et al., Nat. Mater. 10 (2011) 682"),
    dict(name="Li6PS5Cl", composition="Li6PS5Cl", family="sulfide", form="crystal",
         synthesis="ball milling + annealing", heat_treatment="550 C", sigma_S_per_cm=1.9e-3, sigma_T_C=25,
         reference="Rao & Adams, Phys. Status Solidi A 208 (2011) 1804"),
    dict(name="beta-Li3PS4 (nanoporous)", composition="Li3PS4", family="sulfide", form="crystal",
         synthesis="solution (THF)", heat_treatment="140 C", sigma_S_per_cm=1.6e-4, sigma_T_C=25,
         Ea_eV=0.356, reference="Liu et al., J. Am. Chem. Soc. 135 (2013) 975"),
    dict(name="Li7P3S11 (70Li2S-30P2S5 GC 360 C)", composition="70Li2S-30P2S5", family="sulfide",
         form="glass-ceramic", synthesis="ball milling", heat_treatment="360 C", sigma_S_per_cm=3.2e-3,
         sigma_T_C=25, Ea_eV=12 / EV,
         reference="Mizuno, Hayashi, Tadanaga, Tatsumisago, Solid State Ionics 177 (2006) 2721"),
    dict(name="Li7P3S11 (hot-pressed GC)", composition="70Li2S-30P2S5", family="sulfide",
         form="glass-ceramic", synthesis="melt-quench + hot pressing", heat_treatment="280 C, 2 h",
         sigma_S_per_cm=1.7e-2, sigma_T_C=25, Ea_eV=17 / EV, window_V="-0.1 to 5",
         reference="Seino et al., Energy Environ. Sci. 7 (2014) 627"),
    dict(name="80Li2S-20P2S5 glass-ceramic", composition="80Li2S-20P2S5", family="sulfide",
         form="glass-ceramic", synthesis="ball milling", heat_treatment="above Tc (thio-LISICON III analog)",
         sigma_S_per_cm=7.2e-4, sigma_T_C=25, cell="LiCoO2/GC/In",
         cell_capacity="~100 mAh/g for 500 cycles at RT (lecture)",
         reference="Mizuno et al., Adv. Mater. 17 (2005) 918; cell: lecture (glass for batteries, 2024)",
         note="Ea not given in the cited source"),
    dict(name="LLZO (cubic)", composition="Li7La3Zr2O12", family="oxide", form="crystal",
         synthesis="solid-state reaction", heat_treatment="1230 C", sigma_S_per_cm=3e-4, sigma_T_C=25,
         reference="Murugan, Thangadurai, Weppner, Angew. Chem. Int. Ed. 46 (2007) 7778"),
    dict(name="LATP", composition="Li1.3Al0.3Ti1.7(PO4)3", family="oxide", form="crystal",
         synthesis="solid-state reaction", heat_treatment="900 C", sigma_S_per_cm=7e-4, sigma_T_C=25,
         reference="Aono et al., J. Electrochem. Soc. 137 (1990) 1023"),
    dict(name="Li3YCl6", composition="Li3YCl6", family="halide", form="crystal",
         synthesis="ball milling + annealing", heat_treatment="500 C", sigma_S_per_cm=5.1e-4,
         sigma_T_C=25, reference="Asano et al., Adv. Mater. 30 (2018) 1803075"),
    dict(name="Li3InCl6", composition="Li3InCl6", family="halide", form="crystal",
         synthesis="water-mediated", heat_treatment="200 C (dehydration)", sigma_S_per_cm=2.04e-3,
         sigma_T_C=25, reference="Li et al., Angew. Chem. Int. Ed. 58 (2019) 16427"),
    dict(name="Na3SbS4", composition="Na3SbS4", family="sulfide", form="crystal",
         synthesis="solution / solid-state", heat_treatment="", sigma_S_per_cm=1.1e-3, sigma_T_C=25,
         reference="Banerjee et al., Angew. Chem. Int. Ed. 55 (2016) 9634"),
    dict(name="LiPON", composition="Li2.9PO3.3N0.46", family="oxide", form="glass",
         synthesis="RF sputtering (thin film)", heat_treatment="", sigma_S_per_cm=3.3e-6, sigma_T_C=25,
         Ea_eV=0.54, reference="Bates et al., Solid State Ionics 53-56 (1992) 647"),
]


def family_of(comp: str) -> str:
    els = set(re.findall(r"[A-Z][a-z]?", comp))
    if "SO4" in comp or "CO3" in comp:
        return "oxide"
    if "S" in els:
        return "sulfide"
    if "O" in els:
        return "oxide"
    if els & {"Cl", "Br", "I", "F"}:
        return "halide"
    return ""


def _num(v):
    try:
        x = float(v)
        return x if math.isfinite(x) else None
    except (TypeError, ValueError):
        return None


def from_shared() -> list[dict]:
    rows = []
    t = pd.read_csv(REF / "nasicon_glass_ceramics.csv")
    for r in t.itertuples():
        rows.append(dict(name=r.composition, composition=r.composition, family="oxide", form="glass-ceramic",
                         synthesis="melt-quench + crystallisation", heat_treatment=r.crystallization,
                         sigma_S_per_cm=r.sigma_RT_S_per_cm, sigma_T_C=25, Ea_eV=_num(r.Ea_eV),
                         Tg_C=_num(r.Tg_C), Tc_C=_num(r.Tc_C), reference=r.source))
    t = pd.read_csv(REF / "li7p3s11_heat_treatment.csv")
    for r in t.itertuples():
        comp = r.sample.split(" ")[0]
        rows.append(dict(name=f"{r.sample} ({r.phase}, {r.treatment_C})", composition=comp, family="sulfide",
                         form="glass" if r.phase == "glass" else ("crystal" if "solid" in r.sample.lower() else "glass-ceramic"),
                         synthesis="ball milling", heat_treatment="none" if r.treatment_C == "none" else f"{r.treatment_C} C",
                         sigma_S_per_cm=r.sigma_RT_S_per_cm, sigma_T_C=25, Tg_C=None if "solid" in r.sample.lower() else 210, Tc_C=None if "solid" in r.sample.lower() else 240,
                         reference=r.source, note=f"phase: {r.phase}; Tg/Tc of the parent glass (science.md 6)"))
    t = pd.read_csv(REF / "li7p3s11_sb_o_substitution.csv")
    for r in t.itertuples():
        x = float(r.x)
        comp = f"Li7P{3 - x:g}Sb{x:g}S{11 - 2.5 * x:g}O{2.5 * x:g}" if x else "Li7P3S11"
        rows.append(dict(name=r.composition, composition=comp, family="sulfide", form="glass-ceramic",
                         synthesis="ball milling + heat treatment", sigma_S_per_cm=r.sigma_RT_S_per_cm,
                         sigma_T_C=25, Ea_eV=float(r.Ea_kJ_per_mol) / EV, reference=r.source))
    t = pd.read_csv(REF / "sulfide_glass_ceramics.csv")
    for r in t.itertuples():
        src = str(r.source)
        m = re.search(r"Ea ([\d.]+) kJ/mol", src)
        rows.append(dict(name=r.composition, composition=r.composition, family="sulfide", form="glass-ceramic",
                         sigma_S_per_cm=_num(r.sigma_RT_S_per_cm), sigma_T_C=25,
                         Ea_eV=float(m.group(1)) / EV if m else None,
                         window_V=r.window_V_vs_Li if isinstance(r.window_V_vs_Li, str) else "",
                         cell=r.cell if isinstance(r.cell, str) else "",
                         cell_capacity=r.first_capacity if isinstance(r.first_capacity, str) else "",
                         reference=src))
    t = pd.read_csv(REF / "other_conductors.csv")
    for r in t.itertuples():
        sigma = _num(r.sigma_S_per_cm)
        note = "" if sigma is not None or not isinstance(r.sigma_S_per_cm, str) else f"range {r.sigma_S_per_cm} S/cm"
        ea = None
        if isinstance(r.Ea, str):
            m = re.match(r"([\d.]+)\s*(eV|kJ/mol)", r.Ea)
            if m:
                ea = float(m.group(1)) / (EV if m.group(2) == "kJ/mol" else 1.0)
        tc = 25.0 if str(r.T_C) == "RT" else float(r.T_C)
        form = str(r.kind).split(" (")[0]
        fam = family_of(r.material)
        rows.append(dict(name=f"{r.material} ({r.kind})", composition=r.material, family=fam, form=form,
                         synthesis=str(r.kind).split("(")[-1].rstrip(")") if "(" in str(r.kind) else "",
                         sigma_S_per_cm=sigma, sigma_T_C=tc, Ea_eV=ea, reference=r.source, note=note))
    return rows


def main() -> int:
    if not REF.is_dir():
        print(f"missing {REF}", file=sys.stderr)
        return 1
    rows = from_shared() + CURATED
    df = pd.DataFrame(rows).reindex(columns=COLUMNS)
    df.loc[df["family"].isna() | (df["family"] == ""), "family"] = "other"
    df["Ea_eV"] = df["Ea_eV"].astype(float).round(4)
    df.to_csv(OUT, index=False)
    print(f"wrote {len(df)} rows to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
