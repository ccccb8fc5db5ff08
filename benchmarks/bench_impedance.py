"""Impedance fitting speed and robustness: ssbkit vs impedance.py 1.7.1, side by side.

Run: ``.venv/bin/python benchmarks/bench_impedance.py [--n-batch 1000] [--workers 2]``

1. impedance.py's exampleData.csv (Z'' > 0 points dropped with its own
   ``ignoreBelowX``) and ``R0-p(R1,CPE1)-CPE2`` from the same initial guess,
   unit weighting in both: parameters (to 3 significant digits) and fits per
   second on one core (BLAS threads pinned to 1), timed interleaved.
2. A batch of synthetic spectra (two arcs and a blocking CPE tail, R1 from
   10 ohm to 10 Mohm, 1 % Gaussian noise on Z' and Z'' scaled by |Z|), fitted
   from automatic start values only, on ``--workers`` processes.
3. The Lin-KK test (ssbkit.impedance.kk) per spectrum, next to impedance.py's
   ``linKK``.
"""

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse  # noqa: E402
import multiprocessing as mp  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = Path(os.environ.get("SSBKIT_SHARED", ROOT.parent / "shared"))
EXAMPLE = SHARED / "reference" / "eis" / "formats" / "exampleData.csv"
CIRCUIT = "R0-p(R1,CPE1)-CPE2"
GUESS = [0.01, 0.01, 100, 0.8, 100, 0.8]
PELLET = "p(R1,CPE1)-p(R2,CPE2)-CPE3"
F_HZ = np.logspace(-2, 7, 73)


def sig3(values) -> list[str]:
    return [f"{v:.3g}" for v in values]


# --------------------------------------------------------------------------- 1. exampleData
def bench_example(repeats: int) -> dict:
    from impedance import preprocessing
    from impedance.models.circuits import CustomCircuit

    from ssbkit.impedance.fit import fit_circuit

    f, z = preprocessing.readCSV(str(EXAMPLE))
    f, z = preprocessing.ignoreBelowX(f, z)
    peer = CustomCircuit(CIRCUIT, initial_guess=list(GUESS))

    def ours():
        return fit_circuit(f, z, circuit=CIRCUIT, p0=GUESS, weighting="unit", multistart=False)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer.fit(f, z)
        mine = ours()
        t_peer, t_ours = [], []
        for _ in range(repeats):  # interleaved, so that machine load hits both alike
            t0 = time.perf_counter()
            peer.fit(f, z)
            t_peer.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            for _ in range(10):
                ours()
            t_ours.append((time.perf_counter() - t0) / 10)
        auto = fit_circuit(f, z, circuit=CIRCUIT, weighting="unit")
    p_peer = list(peer.parameters_)
    same = sig3(p_peer) == sig3(mine.params)
    return {
        "n_points": len(f),
        "peer_params": p_peer,
        "our_params": list(mine.params),
        "auto_params": list(auto.params),
        "same_3_digits": same,
        "auto_same_3_digits": sig3(p_peer) == sig3(auto.params),
        "peer_ms": 1e3 * statistics.median(t_peer),
        "our_ms": 1e3 * statistics.median(t_ours),
    }


# --------------------------------------------------------------------------- 2. batch
def synthetic(seed: int, level: float = 0.01):
    """Two separated arcs and a blocking tail; R1 spans six decades; 1 % noise."""
    from ssbkit.impedance.circuit import parse_circuit

    rng = np.random.default_rng(seed)
    r1 = 10 ** rng.uniform(1, 7)
    r2 = r1 * 10 ** rng.uniform(-1, 1)
    n1, n2, n3 = rng.uniform(0.8, 1.0), rng.uniform(0.7, 0.95), rng.uniform(0.6, 0.95)
    tau1 = 10 ** rng.uniform(-7.3, -5.3)
    tau2 = tau1 * 10 ** rng.uniform(1.5, 3.0)
    w_tail = 1 / (tau2 * 10 ** rng.uniform(0.5, 1.5))
    p = np.array([r1, tau1**n1 / r1, n1, r2, tau2**n2 / r2, n2, 1 / ((r1 + r2) * w_tail**n3), n3])
    z = parse_circuit(PELLET).impedance(p, F_HZ)
    s = level * np.abs(z)
    z = z + s * rng.normal(size=z.size) + 1j * s * rng.normal(size=z.size)
    return z, p


def _fit_one(seed: int):
    from scipy import stats

    from ssbkit.impedance.fit import fit_circuit

    z, p = synthetic(seed)
    t0 = time.perf_counter()
    r = fit_circuit(F_HZ, z, circuit=PELLET)
    dt = time.perf_counter() - t0
    if not r.success:
        return seed, False, False, 0, 0, 0, dt, r.n_starts
    x, se = np.array(r.params), np.array(r.errors)
    zscore = np.abs(x - p) / np.where(se > 0, se, np.inf)
    dof = 2 * F_HZ.size - p.size
    lo95, hi95 = np.array(r.ci_low), np.array(r.ci_high)
    in95 = int(((lo95 <= p) & (p <= hi95)).sum())
    # 99 % intervals, built the same way (log space for positive parameters)
    t99 = stats.t.ppf(0.995, dof)
    log = np.array([k == "positive" for k in ("positive", "positive", "exponent") * 2 + ("positive", "exponent")])
    se_x = np.where(log, se / x, se)
    lo99 = np.where(log, x * np.exp(-t99 * se_x), x - t99 * se)
    hi99 = np.where(log, x * np.exp(t99 * se_x), x + t99 * se)
    in99 = int(((lo99 <= p) & (p <= hi99)).sum())
    right_minimum = bool(np.all(zscore < 5))
    return seed, True, right_minimum, in95, in99, p.size, dt, r.n_starts


def bench_batch(n: int, workers: int) -> dict:
    t0 = time.perf_counter()
    ctx = mp.get_context("fork")
    with ctx.Pool(workers) as pool:
        rows = pool.map(_fit_one, range(n), chunksize=max(1, n // (8 * workers)))
    wall = time.perf_counter() - t0
    ok = [r for r in rows if r[1]]
    n_par = sum(r[5] for r in ok)
    return {
        "n": n,
        "workers": workers,
        "wall_s": wall,
        "converged": len(ok),
        "right_minimum": sum(r[2] for r in ok),
        "coverage95": sum(r[3] for r in ok) / max(n_par, 1),
        "coverage99": sum(r[4] for r in ok) / max(n_par, 1),
        "median_fit_ms": 1e3 * statistics.median(r[6] for r in rows),
        "multistart": sum(r[7] > 1 for r in rows),
        "failed_seeds": [r[0] for r in rows if not (r[1] and r[2])],
    }


# --------------------------------------------------------------------------- 3. KK
def _peer_linkk(validation, f, z, c=0.85, max_m=100):
    """impedance.py's linKK loop (its own ``linKK`` fails at M = 10 in 1.7.1 on a
    NameError in a progress print), calling its ``get_tc_distribution``/``fit_linKK``."""
    m, mu = 0, 1.0
    while mu > c and m < max_m:
        m += 1
        ts = validation.get_tc_distribution(f, m)
        _, mu = validation.fit_linKK(f, ts, m, z, "complex", True)
    return m


def bench_kk(repeats: int) -> dict:
    from impedance import preprocessing, validation

    from ssbkit.impedance.kk import kk_test
    from ssbkit.impedance.spectrum import make_spectrum

    f, z = preprocessing.readCSV(str(EXAMPLE))
    f, z = preprocessing.ignoreBelowX(f, z)
    spec = make_spectrum(f, z.real, z.imag, source="exampleData.csv")
    # 0.2 % noise: the KK verdict uses a 2 % largest-residual threshold, which 1 % Gaussian
    # noise on 146 numbers would exceed by chance alone
    syn = [make_spectrum(F_HZ, *(lambda zz: (zz.real, zz.imag))(synthetic(s, 0.002)[0]), source=f"syn{s}")
           for s in range(20)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kk_test(spec)
        t_ours, t_peer = [], []
        for _ in range(repeats):
            t0 = time.perf_counter()
            r = kk_test(spec)
            t_ours.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            m_peer = _peer_linkk(validation, f, z)
            t_peer.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        valid = sum(kk_test(s).valid for s in syn)
        t_syn = (time.perf_counter() - t0) / len(syn)
    return {"our_ms": 1e3 * statistics.median(t_ours), "peer_ms": 1e3 * statistics.median(t_peer),
            "our_m": r.n_rc, "peer_m": m_peer, "syn_ms": 1e3 * t_syn, "syn_valid": valid, "syn_n": len(syn)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-batch", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=15)
    args = ap.parse_args()
    load = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}")

    ex = bench_example(args.repeats)
    print(f"\n1. exampleData.csv ({ex['n_points']} points), {CIRCUIT}, same guess, unit weighting, 1 core")
    print(f"{'':14s}{'impedance.py 1.7.1':>22s}{'ssbkit':>22s}")
    for i, name in enumerate(("R0", "R1", "CPE1_Q", "CPE1_n", "CPE2_Q", "CPE2_n")):
        print(f"{name:14s}{ex['peer_params'][i]:>22.6g}{ex['our_params'][i]:>22.6g}")
    print(f"{'ms per fit':14s}{ex['peer_ms']:>22.2f}{ex['our_ms']:>22.2f}")
    print(f"{'fits per s':14s}{1e3 / ex['peer_ms']:>22.1f}{1e3 / ex['our_ms']:>22.1f}")
    print(f"speed-up {ex['peer_ms'] / ex['our_ms']:.1f}x; same parameters to 3 significant digits: "
          f"{ex['same_3_digits']}; from ssbkit's automatic start values (no guess): {ex['auto_same_3_digits']}")

    b = bench_batch(args.n_batch, args.workers)
    print(f"\n2. batch of {b['n']} synthetic spectra ({PELLET}, R1 10 ohm..10 Mohm, 1 % noise), "
          f"automatic start values, {b['workers']} processes")
    print(f"   wall time {b['wall_s']:.2f} s; median {b['median_fit_ms']:.1f} ms per fit; "
          f"multi-start used {b['multistart']} times")
    print(f"   converged {b['converged']}/{b['n']}; at the true minimum (all 8 parameters within 5 s.e.) "
          f"{b['right_minimum']}/{b['n']} = {100 * b['right_minimum'] / b['n']:.1f} %")
    print(f"   per-parameter coverage of the 95 % CI {100 * b['coverage95']:.1f} % (nominal 95), "
          f"of the 99 % CI {100 * b['coverage99']:.1f} % (nominal 99)")
    print(f"   seeds not recovered: {b['failed_seeds'][:20]}")

    k = bench_kk(args.repeats)
    print("\n3. Lin-KK (mu criterion c = 0.85, complex fit, with series C)")
    print(f"{'':28s}{'impedance.py 1.7.1':>20s}{'ssbkit':>12s}")
    print(f"{'exampleData ms per test':28s}{k['peer_ms']:>20.2f}{k['our_ms']:>12.2f}")
    print(f"{'exampleData M chosen':28s}{k['peer_m']:>20d}{k['our_m']:>12d}")
    print(f"synthetic spectra (73 points, 0.2 % noise): {k['syn_ms']:.2f} ms per test, "
          f"{k['syn_valid']}/{k['syn_n']} valid")


if __name__ == "__main__":
    main()
