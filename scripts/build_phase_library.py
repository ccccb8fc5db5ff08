"""Build the bundled competing-phase structures: ssbkit/atomistic/data/phases/*.cif + index.json.

Every structure is built here from a stated source (see SOURCES below and the
index written next to the CIFs): elemental references from ASE's copy of the
Delta-test set (Lejaeghere et al., Science 351 (2016) aad3000), LGPS from the
Materials-Project-derived structure shipped in pymatgen (MIT licence),
simple prototypes (antifluorite, rocksalt, Na3As-type) from their Wyckoff
positions, molecular solids (S8, P4S10) from their bond geometry, and
hcp-anion frameworks (gamma-Li3PS4 enargite type, Li4GeS4, GeS2, Li3YCl6,
YCl3) by filling tetrahedral/octahedral sites of hcp S or Cl and keeping the
ordering of lowest single-point energy under CHGNet (the ranking potential is
recorded). The structures are starting points: ``ssbkit.atomistic.phases``
relaxes them with the chosen potential.

Run (CPU, ~minutes):  nice -n 10 python scripts/build_phase_library.py
"""

from __future__ import annotations

import itertools
import json
import math
import sys
import time
from pathlib import Path

import numpy as np
from pymatgen.core import Lattice, Structure

OUT = Path(__file__).resolve().parents[1] / "ssbkit" / "atomistic" / "data" / "phases"
DELTA = ("K. Lejaeghere et al., Reproducibility in density functional theory calculations of solids, "
         "Science 351 (2016) aad3000, doi:10.1126/science.aad3000 (structure from ase.collections.dcdft)")


def delta_element(sym: str) -> Structure:
    from ase.collections import dcdft
    from pymatgen.io.ase import AseAtomsAdaptor

    return AseAtomsAdaptor.get_structure(dcdft[sym])


def fcc_prim(a: float, species: list[str], coords: list[list[float]]) -> Structure:
    conv = Structure.from_spacegroup("Fm-3m", Lattice.cubic(a), species, coords)
    return conv.get_primitive_structure()


def na3as_type(a: float, c: float, alkali: str) -> Structure:
    # P6_3/mmc: pnictide 2c (1/3,2/3,1/4), alkali 2b (0,0,1/4) and 4f (1/3,2/3,z), z ~ 0.583
    return Structure.from_spacegroup("P6_3/mmc", Lattice.hexagonal(a, c), ["P", alkali, alkali],
                                     [[1 / 3, 2 / 3, 0.25], [0, 0, 0.25], [1 / 3, 2 / 3, 0.583]])


def s8_crystal() -> Structure:
    """One crown S8 ring (D4d) from d(S-S) = 2.05 A, angle 108 deg, in a cell near alpha-S density."""
    d, ang = 2.05, math.radians(108.0)
    r = d * math.sqrt(1 - math.cos(ang))
    h = math.sqrt(d**2 - (2 * r * math.sin(math.pi / 8)) ** 2)
    pts = [[r * math.cos(k * math.pi / 4), r * math.sin(k * math.pi / 4), (h / 2) * (-1) ** k] for k in range(8)]
    lat = Lattice.orthorhombic(7.6, 7.6, 4.6)
    centre = np.array([3.8, 3.8, 2.3])
    return Structure(lat, ["S"] * 8, [np.array(p) + centre for p in pts], coords_are_cartesian=True)


def p4s10_crystal() -> Structure:
    """The Td P4S10 cage from P-S(bridge) 2.09 A, P-S-P 109.5 deg and P=S(terminal) 1.91 A, one per cubic cell."""
    pp = 2 * 2.09 * math.sin(math.radians(109.5) / 2)
    a = pp / (2 * math.sqrt(2))
    s = a + math.sqrt(2.09**2 - 2 * a**2)
    p_sites = np.array([[a, a, a], [a, -a, -a], [-a, a, -a], [-a, -a, a]])
    bridges = [np.array(v) * s for v in ([1, 0, 0], [-1, 0, 0], [0, 1, 0], [0, -1, 0], [0, 0, 1], [0, 0, -1])]
    term = [p + 1.91 * p / np.linalg.norm(p) for p in p_sites]
    L = 8.2
    c = np.array([L / 2] * 3)
    coords = [p + c for p in p_sites] + [b + c for b in bridges] + [t + c for t in term]
    return Structure(Lattice.cubic(L), ["P"] * 4 + ["S"] * 10, coords, coords_are_cartesian=True)


def li4p2s6() -> Structure:
    """Ordered P-31m Li4P2S6 (Mercier 1982 type): P2 dumbbell along c (P-P 2.2 A), S from P-S 2.03 A."""
    a, c = 6.07, 6.59
    zp = 1.1 / c
    zs = (1.1 + 2.03 * math.cos(math.radians(76))) / c
    xs = 2.03 * math.sin(math.radians(76)) / a
    return Structure.from_spacegroup("P-31m", Lattice.hexagonal(a, c), ["P", "S", "Li", "Li"],
                                     [[0, 0, zp], [xs, 0, zs], [1 / 3, 2 / 3, 0], [1 / 3, 2 / 3, 0.5]])


def na3ps4_cubic() -> Structure:
    """Cubic Na3PS4 (I-43m): P 2a, S 8c (x,x,x) from P-S 2.05 A, Na 6b; a = 6.99 A."""
    a = 6.99
    x = 2.05 / (math.sqrt(3) * a)
    conv = Structure.from_spacegroup("I-43m", Lattice.cubic(a), ["P", "S", "Na"],
                                     [[0, 0, 0], [x, x, x], [0, 0.5, 0.5]])
    return conv.get_primitive_structure()


def hcp_frame(a: float, c: float, na: int, nb: int, nc: int, anion: str) -> tuple[Structure, dict[str, np.ndarray]]:
    """hcp anions in an orthohexagonal cell (na a, nb sqrt3 a, nc c) and its T+, T- and octahedral sites."""
    base = np.array([[0, 0, 0], [0.5, 0.5, 0], [0, 1 / 3, 0.5], [0.5, 5 / 6, 0.5]])
    tplus = base + [0, 0, 3 / 8]
    tminus = base + [0, 0, 5 / 8]
    octa = np.array([[0, 2 / 3, 0.25], [0.5, 1 / 6, 0.25], [0, 2 / 3, 0.75], [0.5, 1 / 6, 0.75]])

    def rep(f):
        out = [(f + [i, j, k]) / [na, nb, nc] for i in range(na) for j in range(nb) for k in range(nc)]
        return np.concatenate(out) % 1.0

    lat = Lattice.orthorhombic(na * a, nb * math.sqrt(3) * a, nc * c)
    frame = Structure(lat, [anion] * (4 * na * nb * nc), rep(base))
    return frame, {"T+": rep(tplus), "T-": rep(tminus), "O": rep(octa)}


def neighbours(frame: Structure, sites: np.ndarray, cut: float) -> list[set[int]]:
    """For each anion, the indices of ``sites`` within ``cut`` A."""
    out = []
    for s in frame:
        d = frame.lattice.get_all_distances(s.frac_coords, sites)[0]
        out.append({int(i) for i in np.where(d < cut)[0]})
    return out


def fill(frame: Structure, assign: dict[str, np.ndarray]) -> Structure:
    s = frame.copy()
    for sp, fc in assign.items():
        for f in fc:
            s.append(sp, f)
    return s


def rank(cands: list[Structure], calc, keep: int = 1) -> tuple[list[Structure], list[float]]:
    from ssbkit.atomistic.structures import structure_energy

    e = [structure_energy(c, calc) / len(c) for c in cands]
    order = np.argsort(e)
    return [cands[i] for i in order[:keep]], [float(e[i]) for i in order]


def enargite_li3ps4(calc):
    """gamma-Li3PS4: hcp S, Li and P in all T+ sites, P placed so every S has one P (enargite rule)."""
    frame, sites = hcp_frame(7.71 / 2, 6.13, 2, 1, 1, "S")
    tp = sites["T+"]
    nb = neighbours(frame, tp, 0.5 * 6.13 * 0.8)
    cands = []
    for pset in itertools.combinations(range(len(tp)), 2):
        if all(len(n & set(pset)) == 1 for n in nb):
            li = [i for i in range(len(tp)) if i not in pset]
            cands.append(fill(frame, {"P": tp[list(pset)], "Li": tp[li]}))
    best, e = rank(cands, calc)
    return best[0], f"{len(cands)} P placements obeying the one-P-per-S rule, lowest of {len(e)} single points"


def tetra_network(calc, *, cation: str, n_cat: int, per_anion: int, extra_li: int, a: float, c: float, tag: str):
    """hcp S with ``n_cat`` cations on T+ sites (each S bonded to ``per_anion`` of them), Li on the other
    T+ sites and ``extra_li`` Li on octahedral / T- sites: lowest single-point ordering."""
    frame, sites = hcp_frame(a, c, 2, 1, 1, "S")
    tp = sites["T+"]
    nb = neighbours(frame, tp, 0.5 * c * 0.8)
    extra = np.concatenate([sites["O"], sites["T-"]])
    cands = []
    for cset in itertools.combinations(range(len(tp)), n_cat):
        if not all(len(n & set(cset)) == per_anion for n in nb):
            continue
        rest = [i for i in range(len(tp)) if i not in cset]
        li_t = tp[rest] if cation != "Ge" or tag != "GeS2" else np.zeros((0, 3))
        for eset in itertools.combinations(range(len(extra)), extra_li):
            s = fill(frame, {cation: tp[list(cset)], "Li": np.concatenate([li_t, extra[list(eset)]])
                             if len(li_t) or extra_li else np.zeros((0, 3))})
            if min(s.distance_matrix[np.triu_indices(len(s), 1)]) > 1.6:
                cands.append(s)
    best, e = rank(cands, calc)
    return best[0], f"lowest single point of {len(e)} orderings"


def hcp_octahedral(calc, *, counts: dict[str, int], nb: int, a: float = 3.75, c: float = 6.0):
    """hcp Cl in a sqrt3 x sqrt3 x nb hexagonal-equivalent cell, ``counts`` cations on its octahedral sites."""
    frame, sites = hcp_frame(a, c, 1, 1, nb, "Cl")  # orthohexagonal 1x1: 4 Cl per layer pair
    frame2, sites2 = hcp_frame(a, c, 3, 1, nb, "Cl")  # 12 Cl per c: whole formula units for Li3YCl6
    fr, oc = (frame2, sites2["O"])
    names = [sp for sp, n in counts.items() for _ in range(n)]
    n_vac = len(oc) - len(names)
    rng = np.random.default_rng(0)
    seen, cands = set(), []
    for _ in range(4000):
        lab = rng.permutation(np.array(names + [None] * n_vac, dtype=object))
        key = tuple(lab)
        if key in seen:
            continue
        seen.add(key)
        cands.append(fill(fr, {sp: oc[[i for i, x in enumerate(lab) if x == sp]] for sp in counts}))
        if len(cands) >= 150:
            break
    best, e = rank(cands, calc)
    return best[0], f"lowest single point of {len(e)} random orderings on the octahedral sites"


def lgps(calc):
    import pymatgen.core

    p = Path(pymatgen.core.__file__).resolve().parents[1] / "util" / "structures" / "Li10GeP2S12.json"
    s = Structure.from_file(p)
    s = Structure(Lattice(np.abs(s.lattice.matrix)), s.species_and_occu, s.frac_coords % 1.0)
    for i, site in enumerate(s):
        occ = site.species.as_dict()
        if set(occ) == {"Li"} and occ["Li"] < 1:
            s.replace(i, {"Li": 11 / 16} if abs(occ["Li"] - 0.691) < 0.01 else {"Li": 5 / 8}, site.frac_coords)
        elif set(occ) == {"Ge", "P"}:
            s.replace(i, {"Ge": 0.5, "P": 0.5}, site.frac_coords)
    from ssbkit.atomistic.structures import order_structure

    res = order_structure(s, calculator=calc, n_candidates=40, seed=0)
    return res.structure, f"lowest single point of {res.n_candidates} orderings of the pymatgen/MP LGPS sites"


def argyrodite(calc):
    """Li6PS5Cl (F-43m, a = 9.85 A): P 4b, S 16e from P-S 2.04 A, S 4c, Cl 4a, Li half of 48h, ordered."""
    a = 9.85
    x = 0.5 + 2.04 / (math.sqrt(3) * a)
    conv = Structure.from_spacegroup("F-43m", Lattice.cubic(a), ["P", "S", "S", "Cl", {"Li": 0.5}],
                                     [[0.5, 0.5, 0.5], [x, x, x], [0.25, 0.25, 0.25], [0, 0, 0],
                                      [0.18, 0.18, 0.02]])
    prim = conv.get_primitive_structure()
    from ssbkit.atomistic.structures import order_structure

    res = order_structure(prim, calculator=calc, n_candidates=60, seed=0)
    return res.structure, f"lowest single point of {res.n_candidates} orderings of Li on 48h (primitive cell)"


def li7p3s11_packing(calc, seeds: int = 6):
    """Li7P3S11 (Z = 2: 2 PS4 + 2 P2S7 + 14 Li): thiophosphate packings relaxed, the lowest kept.

    A model of the triclinic crystal (Yamane et al. 2007) built from its units, not its refined sites.
    """
    from pymatgen.core import Composition

    from ssbkit.atomistic.glass_start import thiophosphate_packing
    from ssbkit.atomistic.md import relax

    best, e_best, energies = None, float("inf"), []
    for seed in range(seeds):
        s = thiophosphate_packing(Composition("Li14P6S22"), density_g_cm3=1.9, seed=seed)
        r, e = relax(s, calculator=calc, fmax_eV_per_A=0.1, steps=200)
        energies.append(e / len(r))
        if e < e_best:
            best, e_best = r, e
    return best, (f"lowest of {seeds} relaxed thiophosphate packings (E/atom spread "
                  f"{1000 * (max(energies) - min(energies)):.0f} meV)")


def main() -> int:
    from ssbkit.atomistic.calculators import calculator_info, load_calculator

    only = set(sys.argv[1:])
    calc = load_calculator("chgnet", device="cpu", threads=1)
    info = calculator_info(calc)
    OUT.mkdir(parents=True, exist_ok=True)
    idx_path = OUT / "index.json"
    index = json.loads(idx_path.read_text()) if idx_path.is_file() else {}
    proto = "built here from the prototype (space group, Wyckoff sites, lattice constant); relaxed afterwards"
    build = {
        "Li": (lambda: delta_element("Li"), DELTA),
        "Na": (lambda: delta_element("Na"), DELTA),
        "P": (lambda: delta_element("P"), DELTA + "; black phosphorus (A17, Cmca)"),
        "Cl": (lambda: delta_element("Cl"), DELTA + "; solid Cl2 (Cmca)"),
        "Ge": (lambda: delta_element("Ge"), DELTA + "; diamond"),
        "Y": (lambda: delta_element("Y"), DELTA + "; hcp"),
        "S": (s8_crystal, "S8 crown ring (S-S 2.05 A, S-S-S 108 deg) in a cell near alpha-S density; a molecular "
              "model, not the 128-atom alpha-S packing"),
        "P4S10": (p4s10_crystal, "Td P4S10 cage (P-S 2.09 A, P=S 1.91 A) one per cubic cell; molecular model, "
                  "not the triclinic packing"),
        "Li2S": (lambda: fcc_prim(5.71, ["S", "Li"], [[0, 0, 0], [0.25, 0.25, 0.25]]), "antifluorite (Fm-3m); " + proto),
        "Na2S": (lambda: fcc_prim(6.54, ["S", "Na"], [[0, 0, 0], [0.25, 0.25, 0.25]]), "antifluorite (Fm-3m); " + proto),
        "LiCl": (lambda: fcc_prim(5.13, ["Cl", "Li"], [[0, 0, 0], [0.5, 0.5, 0.5]]), "rocksalt (Fm-3m); " + proto),
        "Li3P": (lambda: na3as_type(4.27, 7.59, "Li"), "Na3As type (P6_3/mmc); " + proto),
        "Na3P": (lambda: na3as_type(4.99, 8.83, "Na"), "Na3As type (P6_3/mmc); " + proto),
        "Li4P2S6": (li4p2s6, "ordered P-31m model of Li4P2S6 (P2S6 units, Mercier et al. 1982 type); " + proto),
        "Na3PS4": (na3ps4_cubic, "cubic Na3PS4 (I-43m, Jansen & Henseler 1992 type); " + proto),
        "Li3PS4": (lambda: enargite_li3ps4(calc), "gamma-Li3PS4 (Pmn2_1, enargite type; a, b, c = 7.71, 6.53, "
                   "6.13 A, Homma et al. 2011): hcp S with Li/P on T+ sites"),
        "Li4GeS4": (lambda: tetra_network(calc, cation="Ge", n_cat=2, per_anion=1, extra_li=2, a=3.9, c=6.2,
                                          tag="Li4GeS4"),
                    "hcp S with GeS4 tetrahedra (one Ge per S) and Li on the other T+ and two octahedral/T- "
                    "sites (the thio-LISICON motif of Li4GeS4)"),
        "GeS2": (lambda: tetra_network(calc, cation="Ge", n_cat=4, per_anion=2, extra_li=0, a=3.6, c=5.9,
                                       tag="GeS2"),
                 "corner-sharing GeS4 network on half the T+ sites of hcp S (each S bridging two Ge); "
                 "a model of the 3D GeS2 network, not the monoclinic alpha-GeS2"),
        "Li3YCl6": (lambda: hcp_octahedral(calc, counts={"Li": 6, "Y": 2}, nb=1),
                    "hcp Cl with Li and Y on octahedral sites (the Li3YCl6 motif, Asano et al. 2018)"),
        "YCl3": (lambda: hcp_octahedral(calc, counts={"Y": 4}, nb=1),
                 "hcp Cl with Y on a third of the octahedral sites (BiI3-like layering)"),
        "Li10GeP2S12": (lambda: lgps(calc), "Li10GeP2S12.json shipped with pymatgen (MIT; Materials Project "
                        "derived, P4_2/nmc, Kamaya et al. 2011 sites)"),
        "Li7P3S11": (lambda: li7p3s11_packing(calc), "PS4 and P2S7 units packed with Li (ssbkit.atomistic."
                     "glass_start.thiophosphate_packing), relaxed: a model of crystalline Li7P3S11 (P-1, Yamane et "
                     "al. 2007), not its refined structure; its energy is an upper bound"),
        "Li6PS5Cl": (lambda: argyrodite(calc), "argyrodite (F-43m; Deiseroth et al. 2008 type), a = 9.85 A"),
    }
    for name, (fn, src) in build.items():
        if only and name not in only:
            continue
        t0 = time.process_time()
        out = fn()
        s, note = out if isinstance(out, tuple) else (out, "")
        s = s.get_sorted_structure()
        s.to(filename=str(OUT / f"{name}.cif"))
        index[name] = {"formula": s.composition.reduced_formula, "n_atoms": len(s), "source": src,
                       "ordering": note, "ordering_potential": f"{info['name']} {info['version']}" if note else "",
                       "cpu_s": round(time.process_time() - t0, 1)}
        print(name, len(s), s.composition.reduced_formula, note, index[name]["cpu_s"], flush=True)
        idx_path.write_text(json.dumps(index, indent=1, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
