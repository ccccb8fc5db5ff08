"""Start values for a circuit fit, read from the data.

The spectrum is first described by a non-negative sum of Voigt (R||C) elements
on a grid of time constants (lightly ridge-regularised), plus a high-frequency
resistance, an inductance and a non-negative mix of power laws (i w)^-n,
n = 0.5..1, for a low-frequency blocking tail: a linear, non-negative
least-squares problem, the idea of the linear Kramers–Kronig test (Schönleber
et al., Electrochim. Acta 131 (2014) 20). Its relative misfit is the floor
that :func:`~ssbkit.impedance.fit.fit_circuit` compares a fit against. Voigt
elements beyond the measured range or hidden under the tail are dropped; the
rest are grouped into as many arcs as the circuit has R–CPE (or R–C) pairs,
each giving an arc resistance R and an apex time constant tau = (R Q)^(1/n),
so Q = tau^n / R (the fastest arc goes to the pair written first). The
high-frequency intercept goes to a series resistor, the tail to a series CPE
or capacitor; elements without a rule get their generic defaults scaled to
the data.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import nnls

from .circuit import Circuit, Node

__all__ = ["start_values", "describe_arcs", "arc_pairs"]


def _tail_exponent(f: np.ndarray, z: np.ndarray) -> float:
    """Exponent n of a low-frequency CPE tail from the slope of log(-Z'') vs log f."""
    order = np.argsort(f)
    k = min(5, max(3, len(f) // 8))
    ff, zz = f[order[:k]], -z.imag[order[:k]]
    if np.any(zz <= 0):
        return 0.0
    slope = np.polyfit(np.log(ff), np.log(zz), 1)[0]
    return float(np.clip(-slope, 0.0, 1.0))


def describe_arcs(f_hz, z_ohm, *, per_decade: int = 6, ridge_lambda: float = 0.05) -> dict:
    """Non-negative Voigt description of a spectrum.

    Parameters
    ----------
    f_hz
        Frequencies, Hz.
    z_ohm
        Complex impedance, ohm.
    per_decade
        Voigt elements per decade of tau (the grid spans the measured band plus
        one decade on either side).
    ridge_lambda
        Weight of the ridge penalty on the column-normalised Voigt resistances
        (not on R_inf, L or the tail), which keeps noise from becoming spurious arcs.

    Returns
    -------
    dict
        ``rms`` (relative rms misfit of this description: a floor for any
        circuit fit), ``r_inf`` (ohm), ``l`` (H), ``tail_q`` (F s^(n-1)) and
        ``tail_n`` of the low-frequency CPE, and ``tau`` (s), ``r`` (ohm) of
        the Voigt elements kept, sorted by tau.
    """
    f = np.asarray(f_hz, float)
    z = np.asarray(z_ohm, complex)
    w = 2 * np.pi * f
    lo, hi = np.log10(1 / w.max()) - 1, np.log10(1 / w.min()) + 1
    taus = np.logspace(lo, hi, max(8, int((hi - lo) * per_decade)))
    n_tail = _tail_exponent(f, z)
    tail_ns = np.array([0.5, 0.6, 0.7, 0.8, 0.9, 1.0]) if n_tail > 0.3 else np.array([])
    # a non-negative mix of power laws absorbs a CPE tail of any exponent in between
    cols = [np.ones_like(w, dtype=complex), 1j * w * 1e-6] + [(1j * w) ** -n for n in tail_ns]
    base = len(cols)
    a = np.column_stack(cols + [1.0 / (1 + 1j * np.outer(w, taus))])
    scale = np.abs(z)
    a = a / scale[:, None]
    b = z / scale
    am = np.vstack([a.real, a.imag])
    bm = np.concatenate([b.real, b.imag])
    norm = np.linalg.norm(am, axis=0)
    norm[norm == 0] = 1
    # a light ridge on the Voigt elements (not on R_inf, L and the tail) keeps
    # noise from being explained by spurious low-frequency spikes
    ridge = np.zeros((taus.size, am.shape[1]))
    ridge[:, base:] = ridge_lambda * np.eye(taus.size)
    am = np.vstack([am / norm, ridge])
    bm = np.concatenate([bm, np.zeros(taus.size)])
    x, _ = nnls(am, bm, maxiter=50 * am.shape[1])
    n_rows = 2 * w.size
    resid = am[:n_rows] @ x - bm[:n_rows]
    rms = float(np.sqrt(resid @ resid / w.size))
    x = x / norm
    coef = x[2:base]
    tail_q, tail_n = np.inf, n_tail
    if coef.size and coef.sum() > 0:
        # the tail as one CPE, matched at the lowest frequency: angle -n pi/2, |Z| = 1/(Q w^n)
        w0 = w.min()
        zt = np.sum(coef * (1j * w0) ** -tail_ns)
        tail_n = float(np.clip(-2 * np.angle(zt) / np.pi, 0.3, 1.0))
        tail_q = 1.0 / (abs(zt) * w0**tail_n)
    elif n_tail > 0.3:
        # -Z'' = sin(n pi/2) / (Q w^n) at the lowest frequency, where the tail dominates
        i0 = int(np.argmin(w))
        tail_q = np.sin(n_tail * np.pi / 2) / (w[i0] ** n_tail * max(-z.imag[i0], 1e-300))
    rs = x[base:]
    keep = rs > 1e-6 * max(rs.sum(), 1e-300)
    # spikes beyond the lowest measured frequency, or hidden under the tail, stand in
    # for the tail rather than an arc
    visible = taus <= 1.0 / w.min()
    if np.isfinite(tail_q):
        z_tail = 1.0 / (tail_q * (1.0 / taus) ** tail_n)
        visible &= z_tail < 3.0 * rs
    if np.any(keep & visible):
        keep &= visible
    return {
        "rms": rms,
        "r_inf": float(x[0]),
        "l": float(x[1] * 1e-6),
        "tail_q": float(tail_q),
        "tail_n": tail_n,
        "tau": taus[keep],
        "r": rs[keep],
    }


def _group(tau: np.ndarray, r: np.ndarray, k: int) -> list[tuple[float, float]]:
    """Group Voigt spikes into ``k`` arcs; returns (R, tau) pairs sorted by tau.

    The spikes are smoothed in log tau (Gaussian, 0.3 decade); the ``k`` highest
    peaks of the smoothed distribution are the arcs; each takes the spikes
    within 1.5 decades on its side of the minima between peaks.
    """
    if tau.size == 0 or k == 0:
        return []
    lt = np.log10(tau)
    grid = np.arange(lt.min() - 1, lt.max() + 1.001, 0.05)
    s = (r[None, :] * np.exp(-0.5 * ((grid[:, None] - lt[None, :]) / 0.3) ** 2)).sum(axis=1)
    peaks = [i for i in range(1, grid.size - 1) if s[i] >= s[i - 1] and s[i] > s[i + 1]]
    peaks = sorted(sorted(peaks, key=lambda i: -s[i])[:k])
    centres = grid[peaks]
    if len(centres) > 1:
        bounds = [grid[a + int(np.argmin(s[a:b]))] for a, b in zip(peaks[:-1], peaks[1:], strict=True)]
    else:
        bounds = []
    edges = np.concatenate([[-np.inf], bounds, [np.inf]])
    groups = []
    for j, c in enumerate(centres):
        sel = (lt >= edges[j]) & (lt < edges[j + 1]) & (np.abs(lt - c) <= 1.5)
        rr = float(r[sel].sum())
        groups.append((rr, float(np.sum(r[sel] * lt[sel]) / rr) if rr > 0 else float(c)))
    while len(groups) < k:
        j = int(np.argmax([g[0] for g in groups]))
        rr, g = groups[j]
        groups[j : j + 1] = [(rr / 2, g - 0.7), (rr / 2, g + 0.7)]
    return [(g[0], float(10 ** g[1])) for g in groups]


def arc_pairs(tree: Node) -> list[tuple[Node, Node]]:
    """The (resistor, capacitive element) pairs ``p(R, CPE)`` / ``p(R, C)`` of a circuit tree.

    Parameters
    ----------
    tree
        Root :class:`~ssbkit.impedance.circuit.Node` of a circuit.

    Returns
    -------
    list of (Node, Node)
        ``(resistor node, CPE or C node)`` for each two-branch parallel RC/RQ group,
        in circuit order.

    Examples
    --------
    >>> from ssbkit.impedance.circuit import parse_circuit
    >>> [(r.label, q.label) for r, q in arc_pairs(parse_circuit("R0-p(R1,CPE1)-p(R2,C2)").tree)]
    [('R1', 'CPE1'), ('R2', 'C2')]
    """
    out = []

    def walk(node: Node):
        if node.kind == "parallel" and len(node.children) == 2:
            kinds = {c.elem.name: c for c in node.children if c.kind == "element"}
            if "R" in kinds and ("CPE" in kinds or "C" in kinds):
                out.append((kinds["R"], kinds["CPE"] if "CPE" in kinds else kinds["C"]))
                return
        for c in node.children:
            walk(c)

    walk(tree)
    return out


def start_values(
    circuit: Circuit,
    f_hz,
    z_ohm,
    *,
    n_arc: float = 0.9,
    shift: int = 0,
    extra_arc: str | None = None,
    info: dict | None = None,
    described: dict | None = None,
) -> np.ndarray:
    """Data-driven start values for ``circuit`` on the spectrum ``(f_hz, z_ohm)``.

    Parameters
    ----------
    circuit
        The compiled circuit to start.
    f_hz
        Frequencies, Hz.
    z_ohm
        Complex impedance, ohm.
    n_arc
        Start exponent of arc CPEs.
    shift
        Multi-start variant: 0 uses the arcs as found; other values move the
        arc time constants by ``10**(shift/2)`` to leave a poor local minimum.
    extra_arc
        Multi-start variant ``"low"`` / ``"high"``: take one arc fewer from the
        data and put the last one, a quarter of their resistance, between the
        slowest arc and the tail (``"low"``; a small arc the tail hides) or
        above the fastest arc (``"high"``).
    info
        If given, receives the :func:`describe_arcs` result.
    described
        A :func:`describe_arcs` result of this same spectrum to reuse (the
        multistart passes it so that each start does not solve it again).

    Returns
    -------
    numpy.ndarray
        Start parameter vector in ``circuit.param_names`` order, SI units.
    """
    f = np.asarray(f_hz, float)
    z = np.asarray(z_ohm, complex)
    w = 2 * np.pi * f
    d = described if described is not None else describe_arcs(f, z)
    if info is not None:
        info.update(d)
    p = np.array(circuit.defaults, dtype=float)
    names = list(circuit.param_names)
    zscale = float(np.median(np.abs(z)))
    tau_mid = 1 / np.sqrt(w.min() * w.max())
    pairs = arc_pairs(circuit.tree)
    k_data = len(pairs) - 1 if (extra_arc and len(pairs) > 1) else len(pairs)
    arcs = _group(d["tau"], d["r"], k_data) if pairs else []
    arcs.sort(key=lambda a: a[1])
    if arcs and k_data < len(pairs):
        r_new = 0.25 * sum(a[0] for a in arcs)
        if extra_arc == "low":
            tau_c = 10 * arcs[-1][1]
            if np.isfinite(d["tail_q"]):  # where the tail's |Z| reaches the arcs' resistance
                tau_c = (d["tail_q"] * sum(a[0] for a in arcs)) ** (1 / d["tail_n"])
            arcs.append((r_new, float(np.sqrt(arcs[-1][1] * max(tau_c, arcs[-1][1])))))
        else:
            arcs.insert(0, (r_new, arcs[0][1] / 30))
    if not arcs and pairs:
        arcs = [(zscale / len(pairs), tau_mid)] * len(pairs)
    # order pairs as they appear (high-frequency arc written first by convention)
    set_labels: set[str] = set()
    for (rnode, cnode), (r_arc, tau) in zip(pairs, arcs, strict=True):
        tau = tau * 10 ** (shift / 2)
        r_arc = max(r_arc, 1e-6 * zscale)
        p[names.index(rnode.label)] = r_arc
        if cnode.elem.name == "C":
            p[names.index(cnode.label)] = tau / r_arc
        else:
            p[names.index(cnode.label + "_n")] = n_arc
            p[names.index(cnode.label + "_Q")] = tau**n_arc / r_arc
        set_labels |= {rnode.label, cnode.label}
    # top-level series elements
    top = circuit.tree.children if circuit.tree.kind == "series" else (circuit.tree,)
    r_inf_used = False
    for node in top:
        if node.kind != "element" or node.label in set_labels:
            continue
        name = node.elem.name
        lab = node.label
        if name == "R":
            p[names.index(lab)] = max(d["r_inf"], 1e-4 * zscale) if not r_inf_used else 1e-3 * zscale
            r_inf_used = True
        elif name == "L":
            p[names.index(lab)] = max(d["l"], 1e-12)
        elif name == "CPE":
            n_t = d["tail_n"] if d["tail_n"] > 0.3 else 0.8
            q = d["tail_q"] if np.isfinite(d["tail_q"]) else 1 / (zscale * w.min() ** n_t)
            p[names.index(lab + "_n")] = n_t
            p[names.index(lab + "_Q")] = q
        elif name == "C":
            q = d["tail_q"] if np.isfinite(d["tail_q"]) else 1 / (zscale * w.min())
            p[names.index(lab)] = q
        else:
            _scale_defaults(node, p, names, zscale, tau_mid)
        set_labels.add(lab)
    for node in circuit.tree.elements():
        if node.label not in set_labels:
            _scale_defaults(node, p, names, zscale, tau_mid)
    return p


def _scale_defaults(node: Node, p, names, zscale: float, tau_mid: float) -> None:
    el = node.elem
    for pn, unit, full in zip(el.params, el.units, el.param_names(node.label), strict=True):
        i = names.index(full)
        if unit == "ohm":
            p[i] = zscale
        elif unit == "s":
            p[i] = tau_mid
        elif unit == "F":
            p[i] = tau_mid / zscale
        elif pn == "Q":
            p[i] = tau_mid ** p[names.index(node.label + "_n")] / zscale
