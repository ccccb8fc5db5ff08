"""Temperature series: fits in temperature order -> sigma_bulk, sigma_gb, sigma_total -> Ea.

:func:`fit_series` fits the spectra of one sample in temperature order, each
fit started from its neighbour's result (the series starts from the spectrum
whose automatic fit is best and walks outwards both ways). With ``shared``
(e.g. the CPE exponents) it then refits all spectra at once with those
parameters common to the whole series (:func:`fit_global`).
:func:`conductivity_series` turns the arc resistances into conductivities
sigma = d / (R A) (R-3; ``science.md`` §1) with uncertainties, using
:func:`ssbkit.transport.conductivity_from_resistance`, and fits Arrhenius laws
(:func:`ssbkit.transport.fit_arrhenius`). The bulk arc is the R–CPE pair with
the smaller median effective capacitance over the series (Irvine, Sinclair &
West, Adv. Mater. 2 (1990) 132), the grain-boundary arc the next one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from ssbkit.errors import InputError
from ssbkit.records import Record
from ssbkit.transport import ArrheniusFit, conductivity_from_resistance, fit_arrhenius

from .circuit import Circuit, parse_circuit
from .fit import FitResult, fit_circuit
from .globalfit import fit_global
from .startvalues import arc_pairs

__all__ = [
    "DEFAULT_PELLET_CIRCUIT",
    "ConductivitySeries",
    "fit_series",
    "fit_global",
    "conductivity_series",
    "tortuosity_from_r_ion",
]

DEFAULT_PELLET_CIRCUIT = "p(R1,CPE1)-p(R2,CPE2)-CPE3"
"""Pellet between blocking electrodes: R_b||CPE_b - R_gb||CPE_gb - CPE_dl (``science.md`` §2)."""

_REFS = [
    "sigma = d/(R A): R-3 of Falco et al., Mol. Syst. Des. Eng. 4 (2019) 850",
    "arc capacitances: Irvine, Sinclair & West, Adv. Mater. 2 (1990) 132",
    "CPE effective capacitance: Brug et al., J. Electroanal. Chem. 176 (1984) 275",
]


def _temperatures(spectra, temperatures_c) -> list[float | None]:
    if temperatures_c is not None:
        t = list(temperatures_c)
        if len(t) != len(spectra):
            raise InputError(f"--temperature-c: {len(t)} values for {len(spectra)} spectra")
        from ..transport.extrapolation import require_celsius

        return [float(x) for x in require_celsius(t, "temperatures_c")]
    return [getattr(s, "temperature_c", None) for s in spectra]


def fit_series(
    spectra: Sequence,
    *,
    circuit: str | Circuit = DEFAULT_PELLET_CIRCUIT,
    temperatures_c: Sequence[float] | None = None,
    shared: Sequence[str] | None = None,
    **fit_kw,
) -> list[FitResult]:
    """Fit a temperature series, each spectrum started from its neighbour's result.

    Parameters
    ----------
    spectra
        :class:`~ssbkit.impedance.spectrum.Spectrum` objects (any order).
    circuit
        Circuit string (default :data:`DEFAULT_PELLET_CIRCUIT`).
    temperatures_c
        Temperatures (degC) in the order of ``spectra``; default: each
        spectrum's ``temperature_c``.
    shared
        Parameter names common to all spectra (then :func:`fit_global` runs).
    **fit_kw
        Passed to :func:`~ssbkit.impedance.fit.fit_circuit` (``weighting``, ...).

    Returns
    -------
    list of FitResult
        In increasing temperature (spectra without a temperature last); a
        spectrum that cannot be fitted gives ``success=False``.
    """
    c = parse_circuit(circuit)
    temps = _temperatures(spectra, temperatures_c)
    order = sorted(range(len(spectra)), key=lambda i: (temps[i] is None, temps[i] or 0.0))
    specs = [spectra[i] for i in order]
    ts = [temps[i] for i in order]
    n = len(specs)
    auto: list[FitResult] = [_safe_fit(s, c, None, t, fit_kw) for s, t in zip(specs, ts, strict=True)]
    good = [i for i in range(n) if auto[i].success]
    if not good:
        return auto
    anchor = min(good, key=lambda i: auto[i].rms_relative)
    out: list[FitResult | None] = [None] * n
    out[anchor] = auto[anchor]
    for seq in (range(anchor + 1, n), range(anchor - 1, -1, -1)):
        prev = anchor
        for i in seq:
            res = auto[i]
            before = out[prev]
            if before is not None and before.success:
                warm = _safe_fit(specs[i], c, np.array(before.params), ts[i],
                                 {**fit_kw, "multistart": False})
                # keep the neighbour's branch unless it is clearly worse
                if warm.success and (not res.success or warm.chi2 <= 1.5 * res.chi2):
                    res = warm
            out[i] = res
            if res.success:
                prev = i
    results = [r for r in out if r is not None]
    if shared:
        ok = [r for r in results if r.success]
        idx = [i for i, r in enumerate(results) if r.success]
        glob = fit_global([specs[i] for i in idx], circuit=c, shared=shared,
                          p0s=[np.array(r.params) for r in ok],
                          temperatures_c=[ts[i] for i in idx],
                          **{k: v for k, v in fit_kw.items() if k in ("weighting", "level", "cell_constant_per_cm")})
        for i, g in zip(idx, glob, strict=True):
            results[i] = g
    return results


def _safe_fit(spec, c, p0, t, fit_kw) -> FitResult:
    try:
        r = fit_circuit(spec, circuit=c, p0=p0, **fit_kw)
    except InputError as exc:
        return FitResult(str(c), False, str(exc), source=str(getattr(spec, "source", "")),
                         temperature_c=t)
    return replace(r, temperature_c=t) if t is not None else r


@dataclass(frozen=True, eq=False)
class ConductivitySeries(Record):
    """Conductivities of a pellet over temperature and their Arrhenius fits.

    Arrays are in increasing temperature; entries are NaN where the fit failed.
    ``arrhenius`` maps ``"bulk"``, ``"gb"``, ``"total"`` to
    :class:`~ssbkit.transport.ArrheniusFit` (absent where fewer than 2 points).
    """

    temperatures_c: np.ndarray
    sigma_bulk_S_per_cm: np.ndarray
    sigma_bulk_err_S_per_cm: np.ndarray
    sigma_gb_S_per_cm: np.ndarray
    sigma_gb_err_S_per_cm: np.ndarray
    sigma_total_S_per_cm: np.ndarray
    sigma_total_err_S_per_cm: np.ndarray
    r_bulk_ohm: np.ndarray
    r_gb_ohm: np.ndarray
    fits: tuple[FitResult, ...]
    bulk_param: str
    gb_param: str | None
    arrhenius: dict[str, ArrheniusFit] = field(default_factory=dict)
    form: str = "sigmaT"
    failures: tuple[tuple[str, str], ...] = ()
    references: tuple[str, ...] = tuple(_REFS)

    @property
    def temperatures_k(self) -> np.ndarray:
        return self.temperatures_c + 273.15

    def as_dict(self) -> dict:
        """Every field (round trip through :meth:`from_dict`) plus the readable keys
        (``temperatures_K``, ``sigma_bulk_S_per_cm_err``, ``ea_bulk_eV``, ...).

        Returns
        -------
        dict
            JSON-ready dict: the fields plus readable keys in field units (K, S/cm, eV).
        """
        d = super().as_dict()
        d["failures_list"] = d.pop("failures")
        d.update(self._legacy())
        return d

    @classmethod
    def from_dict(cls, d: dict) -> ConductivitySeries:
        """Rebuild from :meth:`as_dict` output.

        Parameters
        ----------
        d
            A dict from :meth:`as_dict` (extra readable keys are ignored).

        Returns
        -------
        ConductivitySeries
            The series, equal to the one written.
        """
        d = dict(d)
        d["failures"] = [tuple(x) for x in d.get("failures_list", [])]
        return super().from_dict(d)

    def _legacy(self) -> dict:
        def lst(a):
            return [None if not np.isfinite(v) else float(v) for v in a]

        d = {
            "temperatures_C": lst(self.temperatures_c),
            "temperatures_K": lst(self.temperatures_k),
            "bulk_param": self.bulk_param,
            "gb_param": self.gb_param,
            "r_bulk_ohm": lst(self.r_bulk_ohm),
            "r_gb_ohm": lst(self.r_gb_ohm),
            "arrhenius_form": self.form,
            "failures": [{"source": s, "message": m} for s, m in self.failures],
            "references": list(self.references),
            "fits": [f.to_dict() for f in self.fits],
        }
        for k in ("bulk", "gb", "total"):
            d[f"sigma_{k}_S_per_cm"] = lst(getattr(self, f"sigma_{k}_S_per_cm"))
            d[f"sigma_{k}_S_per_cm_err"] = lst(getattr(self, f"sigma_{k}_err_S_per_cm"))
            a = self.arrhenius.get(k)
            d[f"ea_{k}_eV"] = a.ea_ev if a else None
            d[f"ea_{k}_err_eV"] = a.ea_se_ev if a else None
            d[f"arrhenius_{k}"] = a.to_dict() if a else None
        return d


def _bulk_gb(c: Circuit, fits: Sequence[FitResult], bulk: str | None, gb: str | None):
    """Names of the bulk and grain-boundary resistors."""
    if bulk:
        c.index(bulk)
        if gb:
            c.index(gb)
        return bulk, gb
    pairs = arc_pairs(c.tree)
    if not pairs:
        rs = [e.label for e in c.tree.elements() if e.elem.name == "R"]
        if not rs:
            raise InputError(f"circuit {c}: no resistor to take as the bulk resistance")
        return rs[0], (rs[1] if len(rs) > 1 else None)
    med = []
    for rn, _cn in pairs:
        cs = [a.c_eff_f for f in fits if f.success for a in f.arcs if a.resistor == rn.label]
        med.append(float(np.median(cs)) if cs else math.inf)
    order = np.argsort(med)
    b = pairs[order[0]][0].label
    g = pairs[order[1]][0].label if len(pairs) > 1 else None
    return b, g


def conductivity_series(
    spectra: Sequence,
    *,
    thickness_cm: float,
    diameter_cm: float | None = None,
    area_cm2: float | None = None,
    circuit: str | Circuit = DEFAULT_PELLET_CIRCUIT,
    temperatures_c: Sequence[float] | None = None,
    shared: Sequence[str] | None = None,
    bulk: str | None = None,
    gb: str | None = None,
    thickness_err_cm: float = 0.0,
    diameter_err_cm: float = 0.0,
    form: str = "sigmaT",
    **fit_kw,
) -> ConductivitySeries:
    """From a pellet's spectra to sigma_bulk, sigma_gb, sigma_total (S/cm) and Ea.

    Parameters
    ----------
    thickness_cm, diameter_cm, area_cm2
        Pellet geometry (give the diameter or the area).
    bulk, gb
        Resistor names to use (default: arcs told apart by capacitance).
    form
        Arrhenius form, ``"sigmaT"`` (sigma T = A exp(-Ea/kT), R-1) or ``"sigma"``.

    Returns
    -------
    ConductivitySeries
    """
    if (diameter_cm is None) == (area_cm2 is None):
        raise InputError("give exactly one of diameter_cm or area_cm2 for the pellet")
    geo: dict[str, float] = dict(thickness_cm=thickness_cm, thickness_err_cm=thickness_err_cm)
    if area_cm2 is not None:
        area = area_cm2
        geo["area_cm2"] = area_cm2
    else:
        assert diameter_cm is not None  # exactly one of diameter/area was checked above
        area = math.pi * diameter_cm**2 / 4
        geo.update(diameter_cm=diameter_cm, diameter_err_cm=diameter_err_cm)
    if not (thickness_cm > 0 and area > 0):
        raise InputError(f"thickness_cm ({thickness_cm}) and the area ({area}) must be > 0")
    c = parse_circuit(circuit)
    fit_kw.setdefault("cell_constant_per_cm", thickness_cm / area)
    fits = fit_series(spectra, circuit=c, temperatures_c=temperatures_c, shared=shared, **fit_kw)
    b, g = _bulk_gb(c, fits, bulk, gb)
    nan = math.nan
    rows = []
    failures = []
    for f in fits:
        t = f.temperature_c if f.temperature_c is not None else nan
        if not f.success:
            failures.append((f.source, f.message))
            rows.append((t, nan, nan, nan, nan, nan, nan, nan, nan))
            continue
        v, e = f.values, f.stderr
        rb, rb_e = v[b], e[b]
        sb = conductivity_from_resistance(rb, r_err_ohm=rb_e, **geo)
        if g:
            rg, rg_e = v[g], e[g]
            ib, ig = c.index(b), c.index(g)
            cov = f.covariance
            if cov is None:
                raise InputError(f"{f.source}: the fit of {b} and {g} carries no covariance")
            rt_e = math.sqrt(max(cov[ib, ib] + cov[ig, ig] + 2 * cov[ib, ig], 0))
            sg = conductivity_from_resistance(rg, r_err_ohm=rg_e, **geo)
            st = conductivity_from_resistance(rb + rg, r_err_ohm=rt_e, **geo)
            rows.append((t, sb.value, sb.error, sg.value, sg.error, st.value, st.error, rb, rg))
        else:
            rows.append((t, sb.value, sb.error, nan, nan, sb.value, sb.error, rb, nan))
    a = np.array(rows, float).reshape(-1, 9)
    arr = {}
    for key, col in (("bulk", 1), ("gb", 3), ("total", 5)):
        ok = np.isfinite(a[:, 0]) & np.isfinite(a[:, col]) & (a[:, col] > 0)
        if ok.sum() >= 2:
            try:
                arr[key] = fit_arrhenius(a[ok, 0] + 273.15, a[ok, col], y_err=a[ok, col + 1], form=form)
            except InputError as exc:
                failures.append((f"arrhenius {key}", str(exc)))
    return ConductivitySeries(
        temperatures_c=a[:, 0], sigma_bulk_S_per_cm=a[:, 1], sigma_bulk_err_S_per_cm=a[:, 2],
        sigma_gb_S_per_cm=a[:, 3], sigma_gb_err_S_per_cm=a[:, 4], sigma_total_S_per_cm=a[:, 5],
        sigma_total_err_S_per_cm=a[:, 6], r_bulk_ohm=a[:, 7], r_gb_ohm=a[:, 8], fits=tuple(fits),
        bulk_param=b, gb_param=g, arrhenius=arr, form=form, failures=tuple(failures),
    )


def tortuosity_from_r_ion(
    r_ion_ohm: float,
    *,
    thickness_cm: float,
    area_cm2: float,
    eps: float,
    sigma_se_S_per_cm: float,
    r_ion_err_ohm: float = 0.0,
) -> tuple[float, float]:
    """Tortuosity factor of a composite electrode from its ionic resistance.

    sigma_eff = d / (R_ion A) and tau = eps sigma_SE / sigma_eff (R-17, Falco
    et al. 2019); R_ion is the whole-electrode ionic resistance, e.g. ``Rion``
    of the ``TLM`` element (the low-frequency real-axis step of a de Levie
    line is R_ion / 3, R-8).

    Parameters
    ----------
    r_ion_ohm
        Ionic resistance of the whole electrode, ohm.
    thickness_cm
        Electrode thickness, cm.
    area_cm2
        Electrode area, cm2.
    eps
        Volume fraction of the solid electrolyte in the electrode (0..1).
    sigma_se_S_per_cm
        Conductivity of the bulk solid electrolyte, S/cm.
    r_ion_err_ohm
        Standard error of ``r_ion_ohm``, ohm.

    Returns
    -------
    (tau, tau_err)
        Dimensionless, with the error propagated from ``r_ion_err_ohm``.

    Examples
    --------
    >>> tau, err = tortuosity_from_r_ion(100.0, thickness_cm=0.01, area_cm2=1.0, eps=0.3,
    ...                                  sigma_se_S_per_cm=1e-3, r_ion_err_ohm=10.0)
    >>> round(tau, 6), round(err, 6)
    (3.0, 0.3)
    """
    for name, v in (("r_ion_ohm", r_ion_ohm), ("thickness_cm", thickness_cm), ("area_cm2", area_cm2),
                    ("sigma_se_S_per_cm", sigma_se_S_per_cm)):
        if not (isinstance(v, int | float) and math.isfinite(v) and v > 0):
            raise InputError(f"{name} must be a finite number > 0, got {v!r}")
    if not 0 < eps <= 1:
        raise InputError(f"eps (volume fraction of the ion conductor) must lie in (0, 1], got {eps}")
    sigma_eff = thickness_cm / (r_ion_ohm * area_cm2)
    tau = eps * sigma_se_S_per_cm / sigma_eff
    return tau, tau * r_ion_err_ohm / r_ion_ohm
