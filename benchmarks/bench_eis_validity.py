"""Lin-KK, DRT and the automatic pellet fit: ssbkit vs pyimpspec 5, side by side in one run.

Run: ``.venv/bin/python benchmarks/bench_eis_validity.py [kk] [drt] [fit]`` (needs
``pip install pyimpspec cvxopt``;
BLAS threads pinned to 1, pyimpspec with ``num_procs=1``).

1. Lin-KK: verdict (max residual <= 2 % of |Z|), chosen M and wall time on KK-valid
   synthetic spectra (Randles, random R-RC with 0.2 % noise), a drifting Randles cell,
   impedance.py's exampleData.csv and three measured R-RC dummy circuits
   (tests/data/eis_dummy_circuits; ``kk-dummy`` runs these alone).
   pyimpspec: ``perform_kramers_kronig_test``.
2. DRT: two ZARCs (R = 100 and 50 ohm) with 0.5 % noise; number of peaks, bulk peak area
   error and time. pyimpspec: TR-RBF (mGCV lambda) + ``analyze_peaks`` (skew-normal areas).
3. Pellet fit ``p(R1,CPE1)-p(R2,CPE2)-CPE3`` (8 parameters) on the real pellet series:
   ssbkit's automatic start + multistart against one pyimpspec least-squares fit
   (its own default start values), chi2 in the same modulus weighting.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import glob  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("SSBKIT_SHARED", ROOT.parent / "shared"))
warnings.filterwarnings("ignore")


def _noisy(z, sigma, seed):
    rng = np.random.default_rng(seed)
    return z + sigma * np.abs(z) * (rng.standard_normal(z.size) + 1j * rng.standard_normal(z.size))


def _randles(w, rct=100.0):
    zw = 50 * np.tanh(np.sqrt(1j * w * 10)) / np.sqrt(1j * w * 10)
    zf = rct + zw
    return 10 + zf / (1 + 1j * w * 2e-5 * zf)


def kk_cases():
    from ssbkit.impedance.readers import read_spectrum
    from ssbkit.impedance.spectrum import make_spectrum

    f = np.logspace(5, -2, 71)
    w = 2 * np.pi * f
    el = np.cumsum(2.0 / f)
    out = [("Randles 0.2 % (valid)", make_spectrum(f, *_ri(_noisy(_randles(w), 0.002, 0)),
                                                     source="r"), True)]
    rng = np.random.default_rng(7)
    for k in range(3):
        n = int(rng.integers(1, 5))
        r, tau = 10 ** rng.uniform(0, 4, n), 10 ** rng.uniform(-5, 1.5, n)
        z = 10 ** rng.uniform(-1, 2) + (r / (1 + 1j * np.outer(w, tau))).sum(axis=1)
        out.append((f"R + {n} RC, 0.2 % (valid)", make_spectrum(f, *_ri(_noisy(z, 0.002, k)),
                                                                 source="rc"), True))
    drift = _randles(w, 100 * (1 + 0.3 * el / el[-1]))
    out.append(("Randles, Rct drifting 30 % (invalid)",
                make_spectrum(f, *_ri(_noisy(drift, 0.002, 0)), source="d"), False))
    ex = SHARED / "reference" / "eis" / "formats" / "exampleData.csv"
    if ex.exists():
        out.append(("impedance.py exampleData (real)", read_spectrum(ex), None))
    return out + dummy_cases()


def dummy_cases():
    """The three measured R-RC dummy circuits of tests/data/eis_dummy_circuits (valid)."""
    from ssbkit.impedance.readers import read_spectrum

    folder = ROOT / "tests" / "data" / "eis_dummy_circuits"
    return [(f"dummy {p.stem} (real R-RC)", read_spectrum(p), True)
            for p in sorted(folder.glob("Circuit*_EIS_1.z"))]


def _ri(z):
    return z.real, z.imag


def bench_kk(cases=None) -> list[tuple]:
    import pyimpspec
    from pyimpspec.analysis.kramers_kronig import perform_kramers_kronig_test

    from ssbkit.impedance.kk import kk_test

    rows = []
    for name, s, truth in kk_cases() if cases is None else cases:
        kk_test(s)
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(5):
            ours = kk_test(s)
        t_ours, c_ours = (time.perf_counter() - t0) / 5, (time.process_time() - c0) / 5
        ds = pyimpspec.DataSet(frequencies=s.frequency_hz, impedances=s.z_ohm)
        t0, c0 = time.perf_counter(), time.process_time()
        peer = perform_kramers_kronig_test(ds, num_procs=1)
        t_peer, c_peer = time.perf_counter() - t0, time.process_time() - c0
        _, rr, ri = peer.get_residuals_data()  # percent
        peer_max = max(np.abs(rr).max(), np.abs(ri).max()) / 100
        rows.append((name, truth, ours.valid, ours.n_rc, ours.max_residual, peer_max <= 0.02,
                     peer.num_RC, peer_max, t_ours, t_peer, c_ours, c_peer))
    return rows


def _paired_times(ours, peer, repeats: int) -> tuple[float, float]:
    """Median wall time of ``ours()`` and ``peer()``, run alternately ``repeats`` times so that
    a change of machine load falls on both. The CPU (process) times of the last call are
    kept in ``CPU_TIMES`` (single-threaded: on a loaded machine the fairer figure)."""
    t_o, t_p, c_o, c_p = [], [], [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        ours()
        t_o.append(time.perf_counter() - t0)
        c_o.append(time.process_time() - c0)
        t0, c0 = time.perf_counter(), time.process_time()
        peer()
        t_p.append(time.perf_counter() - t0)
        c_p.append(time.process_time() - c0)
    CPU_TIMES[:] = [float(np.median(c_o)), float(np.median(c_p))]
    return float(np.median(t_o)), float(np.median(t_p))


CPU_TIMES: list[float] = [0.0, 0.0]


def bench_drt() -> list[tuple]:
    import pyimpspec

    from ssbkit.impedance.drt import compute_drt
    from ssbkit.impedance.spectrum import make_spectrum

    f = np.logspace(6, -1, 71)
    w = 2 * np.pi * f
    z0 = 10 + 100 / (1 + (1j * w * 1e-5) ** 0.9) + 50 / (1 + (1j * w * 1e-2) ** 0.8)
    rows = []
    for seed in range(DRT_SEEDS):
        z = _noisy(z0, 0.005, seed)
        s = make_spectrum(f, z.real, z.imag, source="2zarc")
        d = compute_drt(s)
        ds = pyimpspec.DataSet(frequencies=f, impedances=z)

        def peer_drt(ds=ds):
            pr = pyimpspec.calculate_drt(ds, method="tr-rbf", num_procs=1)
            return pr.analyze_peaks()

        peaks = peer_drt()
        t_ours, t_peer = _paired_times(lambda s=s: compute_drt(s), peer_drt, DRT_REPEATS)
        pdf = peaks.to_peaks_dataframe()
        cols = [c for c in pdf.columns if "R" in c and "ohm" in c.lower()] or list(pdf.columns)
        tcol = [c for c in pdf.columns if "tau" in c.lower()][0]
        pdf = pdf.sort_values(tcol)
        big = pdf[pdf[cols[0]] > 5.0]
        peer_bulk = float(big[cols[0]].iloc[0]) if len(big) else float("nan")
        rows.append((seed, len(d.peaks), d.peaks[0][1], len(big), peer_bulk, t_ours, t_peer,
                     *CPU_TIMES))
    return rows


FIT_REPEATS = 7
DRT_REPEATS = 5
DRT_SEEDS = 5


def bench_fit() -> list[tuple]:
    import pyimpspec

    from ssbkit.impedance.fit import fit_circuit
    from ssbkit.impedance.readers import read_spectrum

    rows = []
    for fn in sorted(glob.glob(str(SHARED / "reference" / "eis" / "pellet-series" / "*.txt"))):
        s = read_spectrum(fn)
        ours = fit_circuit(s, circuit="p(R1,CPE1)-p(R2,CPE2)-CPE3")
        ds = pyimpspec.DataSet(frequencies=s.frequency_hz, impedances=s.z_ohm)

        def peer_fit(ds=ds):
            circ = pyimpspec.parse_cdc("(RQ)(RQ)Q")
            return pyimpspec.fit_circuit(circ, ds, method="least_squares", weight="modulus",
                                         num_procs=1)

        try:
            zp = peer_fit().get_impedances()
            chi_peer = float(np.sum(np.abs(zp - s.z_ohm) ** 2 / np.abs(s.z_ohm) ** 2))
        except Exception as exc:  # noqa: BLE001 - report the peer's failure
            chi_peer = float("nan")
            print(f"pyimpspec failed on {fn}: {exc}")
            continue
        t_ours, t_peer = _paired_times(
            lambda s=s: fit_circuit(s, circuit="p(R1,CPE1)-p(R2,CPE2)-CPE3"), peer_fit,
            FIT_REPEATS)
        chi_ours = float(np.sum(np.abs(ours.z_fit - s.z_ohm) ** 2 / np.abs(s.z_ohm) ** 2))
        rows.append((Path(fn).name, chi_ours, chi_peer, t_ours, t_peer, ours.success,
                     ours.n_starts))
    return rows


def main() -> None:
    which = sys.argv[1:] or ["kk", "drt", "fit"]
    if "kk" in which:
        _print_kk()
    elif "kk-dummy" in which:  # the dummy circuits alone (part of "kk")
        _print_kk(dummy_cases())
    if "drt" in which:
        _print_drt()
    if "fit" in which:
        _print_fit()


def _print_kk(cases=None) -> None:
    print("## Lin-KK (valid = max residual <= 2 % of |Z|)")
    print(f"(load average {os.getloadavg()[0]:.1f}; wall and CPU seconds)")
    print("| spectrum | truth | ssbkit valid | M | max res | pyimpspec valid | M | max res "
          "| ssbkit s | pyimpspec s | speed-up | ssbkit CPU s | pyimpspec CPU s | CPU speed-up |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in bench_kk(cases):
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {100 * r[4]:.2f} % | {r[5]} | {r[6]} | "
              f"{100 * r[7]:.2f} % | {r[8]:.3f} | {r[9]:.2f} | {r[9] / r[8]:.0f}x | "
              f"{r[10]:.3f} | {r[11]:.2f} | {r[11] / r[10]:.0f}x |")


def _print_drt() -> None:
    print("\n## DRT, two ZARCs (bulk R = 100 ohm), 0.5 % noise")
    print(f"(median of {DRT_REPEATS} alternating runs each; load average "
          f"{os.getloadavg()[0]:.1f})")
    print("| seed | ssbkit peaks | bulk area | pyimpspec TR-RBF peaks | bulk area | ssbkit s "
          "| pyimpspec s | speed-up | ssbkit CPU s | pyimpspec CPU s | CPU speed-up |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in bench_drt():
        print(f"| {r[0]} | {r[1]} | {r[2]:.2f} | {r[3]} | {r[4]:.2f} | {r[5]:.4f} | {r[6]:.3f} | "
              f"{r[6] / r[5]:.0f}x | {r[7]:.4f} | {r[8]:.3f} | {r[8] / r[7]:.0f}x |")


def _print_fit() -> None:
    print("\n## Pellet fit, 8 parameters, real spectra (chi2 = sum |dZ|^2/|Z|^2)")
    print(f"(median of {FIT_REPEATS} alternating runs each; load average "
          f"{os.getloadavg()[0]:.1f})")
    print("| spectrum | ssbkit chi2 | pyimpspec chi2 | ssbkit s | pyimpspec s | speed-up | "
          "ssbkit success | starts |")
    print("|---|---|---|---|---|---|---|---|")
    for r in bench_fit():
        print(f"| {r[0]} | {r[1]:.3g} | {r[2]:.3g} | {r[3]:.4f} | {r[4]:.4f} | "
              f"{r[4] / r[3]:.1f}x | {r[5]} | {r[6]} |")


if __name__ == "__main__":
    main()
