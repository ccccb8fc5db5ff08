"""Peaks of a DRT: basins, areas and positions with errors, significance, resolution.

Used by :func:`ssbkit.impedance.drt.compute_drt` (its module docstring gives
the rules). The data test of a peak: the spectrum is fitted (complex
non-linear least squares, weights 1/|Z|) by R_inf + one ZARC per DRT peak,
R_k/(1 + (j w tau_k)^phi_k), started from the DRT's areas and positions, and
again with the smallest peak merged into its nearest neighbour; the peak is
kept only when the extra three parameters are needed (F-test, p < 1e-3).
Overlapping peaks share gamma in proportion to their fitted ZARC components
(not at the minimum between them, which hands one peak the other's tail),
where that fit is as good as the DRT's own (reduced chi2 within 2x); else the
basins split at the minima.
Regularisation makes side lobes beside a sharp peak (a ZARC with phi near 1:
exponential tails that a smoothness penalty rounds into separate maxima)
that noise-based errors cannot tell from peaks; the data can.
"""

from __future__ import annotations

import numpy as np

__all__ = ["find_peaks", "significant_peaks"]


def find_peaks(
    tau_s: np.ndarray, gamma_ohm: np.ndarray, *, min_fraction: float = 0.01
) -> list[tuple[float, float]]:
    """(tau_s, R_ohm) of each local maximum of gamma, R integrated over its basin.

    A basin runs from the lowest point between the peak and its left
    neighbour to the lowest point between it and its right neighbour (or the
    grid ends). Maxima below ``min_fraction`` of the largest are ignored; tau
    of a peak is refined by a parabola through the maximum and its neighbours
    in ln tau.

    Parameters
    ----------
    tau_s
        Relaxation-time grid, s (increasing).
    gamma_ohm
        DRT values on the grid, ohm per unit ln tau.
    min_fraction
        Maxima lower than this fraction of the largest one are ignored.

    Returns
    -------
    list of (float, float)
        ``(tau_s, R_ohm)`` of each peak, in grid order.

    Examples
    --------
    >>> import numpy as np
    >>> from ssbkit.impedance.drt import zarc_drt
    >>> tau = np.logspace(-8, 2, 1001)
    >>> g = zarc_drt(tau, 50.0, 1e-5, 0.9) + zarc_drt(tau, 200.0, 1e-1, 0.9)
    >>> [(float(f"{t:.2g}"), round(r)) for t, r in find_peaks(tau, g)]
    [(1e-05, 50), (0.1, 200)]
    """
    g = np.asarray(gamma_ohm, dtype=float)
    x = np.log(np.asarray(tau_s, dtype=float))
    if g.size < 3 or g.max() <= 0:
        return []
    padded = np.concatenate([[-np.inf], g, [-np.inf]])
    is_max = (padded[1:-1] > padded[:-2]) & (padded[1:-1] >= padded[2:])
    idx = [int(i) for i in np.flatnonzero(is_max) if g[i] >= min_fraction * g.max()]
    if not idx:
        return []
    return [(float(np.exp(_vertex(x, g, i))), float(np.trapezoid(g[lo : hi + 1], x[lo : hi + 1])))
            for i, (lo, hi) in zip(idx, _basins(g, idx), strict=True)]


def _basins(g: np.ndarray, idx: list[int]) -> list[tuple[int, int]]:
    bounds = [0]
    for i0, i1 in zip(idx[:-1], idx[1:], strict=True):
        bounds.append(i0 + int(np.argmin(g[i0 : i1 + 1])))
    bounds.append(g.size - 1)
    return [(bounds[k], bounds[k + 1]) for k in range(len(idx))]


def _area_and_error(x, g, cov, lo, hi, mask=None) -> tuple[float, float]:
    wts = np.zeros(g.size)
    seg = np.diff(x[lo : hi + 1])
    wts[lo:hi] += 0.5 * seg
    wts[lo + 1 : hi + 1] += 0.5 * seg
    if mask is not None:
        wts *= mask
    return float(wts @ g), float(np.sqrt(max(wts @ cov @ wts, 0.0)))


def _vertex(x, g, i) -> float:
    if 0 < i < g.size - 1:
        y0, y1, y2 = g[i - 1], g[i], g[i + 1]
        den = y0 - 2 * y1 + y2
        if den < 0:
            return float(x[i] + 0.5 * (y0 - y2) / den * (x[i + 1] - x[i]))
    return float(x[i])


def _vertex_error(x, g, cov, i) -> float:
    """Standard error of the parabola vertex through points i-1, i, i+1 (ln tau)."""
    if not 0 < i < g.size - 1:
        return float("nan")
    j = np.arange(i - 1, i + 2)
    base = _vertex(x, g, i)
    grad = np.zeros(3)
    for k in range(3):
        h = 1e-6 * max(abs(g[j[k]]), 1e-12)
        gp = g.copy()
        gp[j[k]] += h
        grad[k] = (_vertex(x, gp, i) - base) / h
    return float(np.sqrt(max(grad @ cov[np.ix_(j, j)] @ grad, 0.0)))


def significant_peaks(tau, gamma, cov, min_fraction, notes, *, band=(0.0, np.inf), data=None):
    """Peaks (tau, R), their errors and the unresolved pairs; insignificant maxima merged.

    Parameters
    ----------
    tau
        Relaxation-time grid, s (increasing).
    gamma
        DRT values on the grid, ohm per unit ln tau.
    cov
        Covariance of ``gamma`` (ohm^2), shape ``(n, n)``.
    min_fraction
        Maxima lower than this fraction of the largest one are ignored.
    notes
        List that receives a note for every merged or unresolved peak (appended in place).
    band
        ``(tau_min, tau_max)`` in s, the band the data cover (1/w_max..1/w_min);
        maxima outside it are dropped, and peak areas count gamma inside it only.
    data
        Optional ``(w, z, model, r_inf, l_h, c_f, sigma2)`` of the spectrum; when
        given, peaks the data do not need (ZARC-model F-test) are merged too, and
        overlapping peaks share their area by the fitted ZARC components.

    Returns
    -------
    peaks : list of (float, float)
        ``(tau_s, R_ohm)`` of each peak kept.
    r_err : numpy.ndarray
        Standard error of each peak's R, ohm.
    tau_err : numpy.ndarray
        Standard error of each peak's ln tau (dimensionless).
    unresolved : list of (int, int)
        Index pairs of neighbouring peaks whose valley is too shallow to split their area.
    within : list of int
        Indices of peaks that are not resolved: members of those pairs, and peaks that the
        ZARC-model test finds to hold more than one relaxation.
    """
    g = np.asarray(gamma, dtype=float)
    x = np.log(tau)
    if g.size < 3 or g.max() <= 0:
        return [], np.zeros(0), np.zeros(0), [], []
    padded = np.concatenate([[-np.inf], g, [-np.inf]])
    is_max = (padded[1:-1] > padded[:-2]) & (padded[1:-1] >= padded[2:])
    idx = [int(i) for i in np.flatnonzero(is_max) if g[i] >= min_fraction * g.max()]
    inside = [i for i in idx if band[0] <= tau[i] <= band[1]]
    # areas count gamma inside the measured band only: outside it gamma trades off against
    # R_inf (short tau) or the low-frequency end and belongs to no peak
    inb = ((tau >= band[0]) & (tau <= band[1])).astype(float) if inside else np.ones(g.size)
    if inside and len(inside) < len(idx):
        notes.append(f"{len(idx) - len(inside)} maxima outside the measured band of tau "
                     "(1/w_max..1/w_min) dropped")
        idx = inside
    total = float(np.trapezoid(g, x))
    outside = float(np.trapezoid(g * (1.0 - inb), x))
    if total > 0 and outside > 0.01 * total:
        notes.append(f"{outside:.3g} ohm ({100 * outside / total:.1f} % of the total) of gamma "
                     "lies outside the measured band of tau and is in no peak")
    merged = 0
    sd = np.sqrt(np.maximum(np.diag(cov), 0.0))
    while len(idx) > 1:
        basins = _basins(g, idx)
        z = []
        for i, (lo, hi) in zip(idx, basins, strict=True):
            r, e = _area_and_error(x, g, cov, lo, hi, inb)
            valleys = [g[b] for b in (lo, hi) if b != i and 0 < b < g.size - 1]
            prom = g[i] - max(valleys) if valleys else g[i]
            z.append(min(r / e if e > 0 else np.inf, prom / sd[i] if sd[i] > 0 else np.inf))
        k = int(np.argmin(z))
        if z[k] >= 3.0:
            break
        idx.pop(k)
        merged += 1
    if merged:
        notes.append(f"{merged} maxima with area or prominence below 3 standard errors merged "
                     "into neighbours")
    fit = None  # the ZARC-model fit with the peaks ``idx``, reused once it is known
    if data is not None:
        dropped = 0
        while len(idx) > 1:
            need, fit, less = _needed(x, g, idx, data, full=fit)
            if need:
                break
            idx.pop(_smallest(x, g, idx))
            fit = less  # the model without that peak is fitted already
            dropped += 1
        if dropped:
            notes.append(f"{dropped} peaks not needed by the data (ZARC-model F-test) merged "
                         "into neighbours")
    hosts: list[int] = []
    if data is not None and len(idx) > 1:
        idx, fit, hosts = _migrated(x, g, idx, data, fit, tau, notes)
    basins = _basins(g, idx)
    shares = (_shares(x, g, idx, data, fit=fit) if data is not None and len(idx) > 1
              and fit is not None else None)
    trap = np.zeros(g.size)
    seg = np.diff(x)
    trap[:-1] += 0.5 * seg
    trap[1:] += 0.5 * seg
    trap *= inb
    peaks, r_err, t_err = [], [], []
    for j, (i, (lo, hi)) in enumerate(zip(idx, basins, strict=True)):
        if shares is None:
            r, e = _area_and_error(x, g, cov, lo, hi, inb)
        else:
            wts = trap * shares[j]
            r, e = float(wts @ g), float(np.sqrt(max(wts @ cov @ wts, 0.0)))
        peaks.append((float(np.exp(_vertex(x, g, i))), r))
        r_err.append(e)
        t_err.append(_vertex_error(x, g, cov, i))
    unresolved = []
    for k in range(len(idx) - 1):
        valley = float(g[basins[k][1]])
        if valley > 0.8 * min(g[idx[k]], g[idx[k + 1]]):
            unresolved.append((k, k + 1))
            notes.append(f"peaks {k} and {k + 1} (tau {peaks[k][0]:.3g} s, {peaks[k + 1][0]:.3g}"
                         " s) are not resolved: their split of the area is not reliable")
    within = sorted(set(hosts) | {k for pair in unresolved for k in pair})
    return peaks, np.asarray(r_err), np.asarray(t_err), unresolved, within


def _migrated(x, g, idx, data, fit, tau, notes) -> tuple[list[int], tuple | None, list[int]]:
    """Drop peaks whose ZARC component left their basin; name the peaks it moved into.

    Where the DRT merges two close relaxations into one maximum and shows a noise
    maximum elsewhere, the ZARC model started from the DRT's peaks moves that
    maximum's component into the merged peak: the data need two relaxations there, not
    one at the noise maximum. Returns (peaks kept, the fit where still valid else None,
    indices among the kept peaks that hold more than one relaxation).
    """
    if fit is None:
        start = [(float(np.trapezoid(g[lo : hi + 1], x[lo : hi + 1])), float(x[i]))
                 for i, (lo, hi) in zip(idx, _basins(g, idx), strict=True)]
        w, z, mod, r_inf, l_h, c_f, _ = data
        fit = _zarc_fit(w, z, mod, r_inf, l_h, c_f, start)
    basins = _basins(g, idx)
    lt = fit[2][2::3]
    moved = [j for j, (lo, hi) in enumerate(basins) if not x[lo] <= lt[j] <= x[hi]]
    if not moved:
        return idx, fit, []
    host_of = {j: next((k for k, (lo, hi) in enumerate(basins) if x[lo] <= lt[j] <= x[hi]),
                       None) for j in moved}
    gone = [j for j in moved if host_of[j] is not None and host_of[j] not in moved]
    if not gone or len(gone) == len(idx):
        return idx, None, []
    from .drt_analytic import zarc_drt

    kept = [i for j, i in enumerate(idx) if j not in gone]
    p, hosts = fit[2], set()
    fine = np.linspace(x[0], x[-1], 4 * x.size)
    for j in gone:
        host = host_of[j]
        assert host is not None  # ``gone`` holds only components with a host
        k = host
        # two relaxations only where the two fitted ZARCs would show as two maxima without
        # noise; else the moved component only corrects the shape of the host (a peak
        # that is not a ZARC, e.g. Havriliak-Negami)
        pair = np.zeros(fine.size)
        for q in (j, k):
            pair += zarc_drt(np.exp(fine), p[1 + 3 * q], np.exp(p[2 + 3 * q]),
                             min(p[3 + 3 * q], 0.99))
        two = len(find_peaks(np.exp(fine), pair, min_fraction=0.05)) >= 2
        if two:
            hosts.add(kept.index(idx[k]))
        notes.append(f"maximum at tau {tau[idx[j]]:.3g} s dropped: its ZARC component moved to "
                     f"tau {np.exp(lt[j]):.3g} s, inside the peak at {tau[idx[k]]:.3g} s"
                     + (", which holds more than one relaxation (not resolved)" if two else ""))
    return kept, None, sorted(hosts)


def _shares(x, g, idx, data, *, fit=None) -> np.ndarray | None:
    """Fraction of gamma at each tau that belongs to each peak, from the ZARC-model fit.

    Splitting at the minimum between two overlapping peaks gives one the other's
    tail; the fitted ZARC components (Fuoss-Kirkwood DRT) say whose tail it is.
    """
    from .drt_analytic import zarc_drt

    w, z, mod, r_inf, l_h, c_f, sigma2 = data
    if fit is None:
        start = [(float(np.trapezoid(g[lo : hi + 1], x[lo : hi + 1])), float(x[i]))
                 for i, (lo, hi) in zip(idx, _basins(g, idx), strict=True)]
        fit = _zarc_fit(w, z, mod, r_inf, l_h, c_f, start)
    chi2, n_par, p = fit
    if chi2 / max(2 * w.size - n_par, 1) > 2.0 * sigma2 + (1e-4) ** 2:
        return None  # the ZARC model does not describe the data: split at the minima
    # phi -> 1 is a delta function; its share is taken as that of a phi = 0.95 ZARC
    comps = np.array([zarc_drt(np.exp(x), p[1 + 3 * j], np.exp(p[2 + 3 * j]),
                               min(p[3 + 3 * j], 0.95)) for j in range(len(idx))])
    total = comps.sum(axis=0)
    out = np.where(total > 0, comps / np.where(total > 0, total, 1.0), 0.0)
    nearest = np.argmin(np.abs(x[None, :] - x[np.asarray(idx)][:, None]), axis=0)
    empty = total <= 0
    out[:, empty] = 0.0
    out[nearest[empty], np.flatnonzero(empty)] = 1.0
    return out


def _smallest(x, g, idx) -> int:
    areas = [float(np.trapezoid(g[lo : hi + 1], x[lo : hi + 1])) for lo, hi in _basins(g, idx)]
    return int(np.argmin(areas))


_PHI_LO, _PHI_SPAN = 0.3, 0.7  # ZARC exponent in (0.3, 1), as a logistic function of u


def _zarc_fit(w, z, mod, r_inf, l_h, c_f, start) -> tuple[float, int, np.ndarray]:
    """(chi2, n_par, parameters) of R_inf [+ L][+ C] + sum of ZARCs, started from (R, ln tau) pairs.

    The parameters returned are (R_inf, R_1, ln tau_1, phi_1, ...). The fit runs
    unconstrained (Levenberg-Marquardt, MINPACK) in (R_inf, ln R_k, ln tau_k, u_k) with
    phi_k = 0.3 + 0.7 / (1 + exp(-u_k)): R_k > 0 and 0.3 < phi_k < 1 without bounds, which
    in a bounded trust-region solver cost most of the time.
    """
    from scipy.optimize import leastsq

    fixed = np.zeros_like(z)
    if l_h is not None:
        fixed = fixed + 1j * w * l_h
    if c_f is not None:
        fixed = fixed + 1.0 / (1j * w * c_f)
    k = len(start)
    ln_iw = np.log(1j * w)[None, :]
    inv_mod = 1.0 / mod
    target = z - fixed
    cache: dict = {}

    def parts(p):
        """R, phi, g = 1/(1 + (i w tau)^phi), u = (i w tau)^phi, ln(i w tau) of every ZARC."""
        key = p.tobytes()
        if cache.get("key") != key:
            q = np.clip(p[1:].reshape(k, 3), -60.0, 60.0)  # exp() stays finite
            sig = 1.0 / (1.0 + np.exp(-q[:, 2:3]))
            ln_x = ln_iw + q[:, 1:2]
            phi = _PHI_LO + _PHI_SPAN * sig
            u = np.exp(phi * ln_x)
            cache.update(key=key, r=np.exp(q[:, 0:1]), phi=phi, dphi=_PHI_SPAN * sig * (1 - sig),
                         ln_x=ln_x, u=u, g=1.0 / (1.0 + u))
        return cache

    def resid(p):
        c = parts(p)
        d = (target - p[0] - (c["r"] * c["g"]).sum(axis=0)) * inv_mod
        return np.concatenate([d.real, d.imag])

    def jac(p):
        c = parts(p)
        rg = c["r"] * c["g"]
        rgg = -(rg * c["g"] * c["u"])
        cols = np.empty((1 + 3 * k, w.size), complex)
        cols[0] = 1.0
        cols[1::3] = rg
        cols[2::3] = rgg * c["phi"]
        cols[3::3] = rgg * c["ln_x"] * c["dphi"]
        d = -(cols * inv_mod).T
        return np.vstack([d.real, d.imag])

    u0 = float(np.log((0.9 - _PHI_LO) / (_PHI_LO + _PHI_SPAN - 0.9)))  # phi = 0.9
    p0 = [max(r_inf, 0.0)]
    for r, lt in start:
        p0 += [np.log(max(r, 1e-12)), lt, u0]
    # MINPACK's lmder through its thin legacy wrapper (least_squares(method="lm") runs the
    # same code with several times the Python overhead per evaluation); chi2 to 1e-4
    # relative is ample for the F-test
    px, *_ = leastsq(resid, np.asarray(p0), Dfun=jac, full_output=True,
                     maxfev=100 * (len(p0) + 1), ftol=1e-4, xtol=1e-4)
    fun = resid(px)
    q = px[1:].reshape(k, 3)
    out = np.empty(px.size)
    out[0] = px[0]
    out[1::3] = np.exp(q[:, 0])
    out[2::3] = q[:, 1]
    out[3::3] = _PHI_LO + _PHI_SPAN / (1.0 + np.exp(-q[:, 2]))
    return float(np.sum(fun**2)), len(p0), out


def _needed(x, g, idx, data, *, full=None) -> tuple[bool, tuple, tuple]:
    """Whether the data need the smallest of the peaks ``idx`` (F-test, module docstring),
    with the ZARC-model fits with (``full``, reused when given) and without that peak."""
    from scipy.stats import f as f_dist

    w, z, mod, r_inf, l_h, c_f, sigma2 = data
    basins = _basins(g, idx)
    start = [(float(np.trapezoid(g[lo : hi + 1], x[lo : hi + 1])), float(x[i]))
             for i, (lo, hi) in zip(idx, basins, strict=True)]
    k = _smallest(x, g, idx)
    merged = [list(p) for p in start]
    near = k - 1 if k == len(start) - 1 or (
        k > 0 and abs(start[k][1] - start[k - 1][1]) < abs(start[k][1] - start[k + 1][1])) else k + 1
    merged[near][0] += start[k][0]
    merged.pop(k)
    if full is None:
        full = _zarc_fit(w, z, mod, r_inf, l_h, c_f, start)
    less = _zarc_fit(w, z, mod, r_inf, l_h, c_f, [tuple(p) for p in merged])
    chi_full, p_full, chi_less = full[0], full[1], less[0]
    n = 2 * w.size
    dof = max(n - p_full, 1)
    floor = (1e-4) ** 2 * n  # numerical floor: 0.01 % of |Z| per point
    denom = max(chi_full, floor) / dof
    stat = max(chi_less - chi_full, 0.0) / 3.0 / denom
    return bool(f_dist.sf(stat, 3, dof) < 1e-3), full, less
