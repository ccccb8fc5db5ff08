"""DRT on spectra with a known DRT: ssbkit vs pyimpspec TR-RBF vs pyDRTtools, one run.

Run: ``.venv/bin/python benchmarks/bench_drt_known.py`` (needs ``pip install pyimpspec
cvxopt pydrttools``; BLAS threads pinned to 1, pyimpspec with ``num_procs=1``).

Spectra (1 MHz .. 10 mHz, 10 points a decade, R_inf = 10 ohm) with a closed-form DRT:
an ideal RC (delta at tau), a ZARC (Fuoss-Kirkwood), a Havriliak-Negami element (Zorn
1999, :func:`ssbkit.impedance.drt_analytic.hn_drt`), and close pairs half a decade apart
(two RCs; two phi = 0.9 ZARCs); relative noise 0, 0.5 and 1 % of |Z| on Z' and Z''
(seeds 0 and 1 for the noisy ones). True peaks: the maxima of the analytic DRT, and as
areas its integral over the measured band of tau, 1/w_max..1/w_min (what the data
determine; equal to R within 0.1 % except for HN, whose x^(alpha beta) tail puts 1 % of R
at shorter tau: 99.0 ohm of 100).

Peaks: ssbkit's own (``compute_drt(...).peaks``: noise maxima merged by its significance
and ZARC-model tests). For the peers, the maxima of their gamma above 5 % of the highest,
each integrated over its basin (:func:`ssbkit.impedance.drt.find_peaks`), since neither
peer separates noise maxima from peaks by itself. Each true peak is matched to the
nearest found peak in log tau: position error in decades, area error in % of the true
resistance; "found" is the number of peaks reported.

pyDRTtools 0.2 imports its Qt GUI from the package ``__init__``; PyQt5 is not installed
here, so ``pyDRTtools.GUI``, ``.cli`` and ``.layout`` are replaced by empty modules
before the import (the computation in ``pyDRTtools.runs`` does not use them). Its
settings: Gaussian RBF, FWHM coefficient 0.5, first-derivative penalty, lambda by GCV,
combined Re-Im data, no inductance (its defaults apart from the inductance).
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import contextlib  # noqa: E402
import io  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import types  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
warnings.filterwarnings("ignore")

F = np.logspace(6, -2, 81)
W = 2 * np.pi * F
FINE = np.logspace(-9, 4, 130001)
BAND = (FINE >= 1 / W.max()) & (FINE <= 1 / W.min())  # the measured band of tau


def cases() -> list[tuple[str, np.ndarray, list[tuple[float, float]]]]:
    """(name, Z without R_inf, true peaks (tau_s, R_ohm)) of each spectrum."""
    from ssbkit.impedance.drt import find_peaks, hn_drt, zarc_drt

    def modes(g, areas):
        return [(t, a) for (t, _), a in zip(find_peaks(FINE, g, min_fraction=0.05), areas,
                                           strict=True)]

    def in_band(fn):
        return float(np.trapezoid(np.where(BAND, fn(FINE), 0.0), np.log(FINE)))

    t2 = 10**-2.5
    hn = hn_drt(FINE, 100.0, 1e-3, 0.8, 0.6)
    pair = zarc_drt(FINE, 100.0, 1e-3, 0.9) + zarc_drt(FINE, 100.0, t2, 0.9)
    return [
        ("RC", 100 / (1 + 1j * W * 1e-3), [(1e-3, 100.0)]),
        ("ZARC phi 0.8", 100 / (1 + (1j * W * 1e-3) ** 0.8),
         [(1e-3, in_band(lambda t: zarc_drt(t, 100.0, 1e-3, 0.8)))]),
        ("HN alpha 0.8 beta 0.6", 100 / (1 + (1j * W * 1e-3) ** 0.8) ** 0.6,
         modes(hn, [in_band(lambda t: hn_drt(t, 100.0, 1e-3, 0.8, 0.6))])),
        ("RC pair 0.5 dec", 100 / (1 + 1j * W * 1e-3) + 100 / (1 + 1j * W * t2),
         [(1e-3, 100.0), (t2, 100.0)]),
        ("ZARC pair 0.5 dec", 100 / (1 + (1j * W * 1e-3) ** 0.9) + 100 / (1 + (1j * W * t2) ** 0.9),
         modes(pair, [in_band(lambda t, tt=tt: zarc_drt(t, 100.0, tt, 0.9)) for tt in (1e-3, t2)])),
    ]


def _noisy(z, sigma, seed):
    rng = np.random.default_rng(seed)
    return z + sigma * np.abs(z) * (rng.standard_normal(z.size) + 1j * rng.standard_normal(z.size))


def run_ssbkit(z):
    from ssbkit.impedance.drt import compute_drt
    from ssbkit.impedance.spectrum import make_spectrum

    d = compute_drt(make_spectrum(F, z.real, z.imag, source="known"))
    return d.peaks, d.unresolved_peaks


def run_pyimpspec(z):
    import pyimpspec

    from ssbkit.impedance.drt import find_peaks

    res = pyimpspec.calculate_drt(pyimpspec.DataSet(frequencies=F, impedances=z),
                                  method="tr-rbf", num_procs=1)
    tau, gamma = res.get_drt_data()
    order = np.argsort(tau)
    return find_peaks(np.asarray(tau)[order], np.asarray(gamma)[order], min_fraction=0.05), []


def _import_pydrttools():
    for m in ("pyDRTtools.GUI", "pyDRTtools.cli", "pyDRTtools.layout"):
        sys.modules.setdefault(m, types.ModuleType(m))
    import matplotlib

    matplotlib.use("Agg")
    with contextlib.redirect_stdout(io.StringIO()):
        from pyDRTtools import runs
    return runs


def run_pydrttools(z):
    from ssbkit.impedance.drt import find_peaks

    runs = _import_pydrttools()
    e = runs.EIS_object(F, z.real, z.imag)
    with contextlib.redirect_stdout(io.StringIO()):
        runs.simple_run(e, rbf_type="Gaussian", data_used="Combined Re-Im Data",
                        induct_used=0, der_used="1st order", cv_type="GCV", reg_param=1e-3,
                        shape_control="FWHM Coefficient", coeff=0.5)
    return find_peaks(e.out_tau_vec, e.gamma, min_fraction=0.05), []


TOOLS = (("ssbkit", run_ssbkit), ("pyimpspec TR-RBF", run_pyimpspec),
         ("pyDRTtools", run_pydrttools))


def _errors(found, truth) -> tuple[list[float], list[float]]:
    pos, area = [], []
    for t, r in truth:
        if not found:
            pos.append(float("nan"))
            area.append(float("nan"))
            continue
        tf, rf = min(found, key=lambda p: abs(np.log(p[0] / t)))
        pos.append(float(np.log10(tf / t)))
        area.append(float(100 * (rf - r) / r))
    return pos, area


def main() -> None:
    for _, fn in TOOLS:  # imports and first-call set-up outside the timing
        fn(10 + 100 / (1 + 1j * W * 1e-3))
    print(f"## DRT on spectra with a known DRT (load average {os.getloadavg()[0]:.1f})")
    print("True peaks: tau of the maximum / area over the measured band of tau (ohm)")
    print("Position error: log10(tau_found/tau_true), decades; area error: % of the true R; "
          "one entry per true peak; * = flagged not resolved (ssbkit)")
    print("| spectrum | noise | seed | true peaks | " + " | ".join(
        f"{n} found | {n} position err / dec | {n} area err / % | {n} CPU s"
        for n, _ in TOOLS) + " |")
    print("|" + "---|" * (4 + 4 * len(TOOLS)))
    for name, z0, truth in cases():
        for sigma in (0.0, 0.005, 0.01):
            for seed in ((0,) if sigma == 0 else (0, 1)):
                z = 10 + _noisy(z0, sigma, seed)
                cells = []
                for _, fn in TOOLS:
                    c0 = time.process_time()
                    found, flagged = fn(z)
                    cpu = time.process_time() - c0
                    pos, area = _errors(found, truth)
                    star = "*" if flagged else ""
                    cells.append(f"{len(found)}{star} | "
                                 + ", ".join(f"{p:+.3f}" for p in pos) + " | "
                                 + ", ".join(f"{a:+.1f}" for a in area) + f" | {cpu:.3f}")
                tp = ", ".join(f"{t:.3g} s / {r:.0f}" for t, r in truth)
                print(f"| {name} | {100 * sigma:.1f} % | {seed} | {tp} | " + " | ".join(cells)
                      + " |")


if __name__ == "__main__":
    main()
