"""Heat-treatment design: JMAK crystallized fraction -> glass-ceramic conductivity.

Isothermal transformation (Avrami, J. Chem. Phys. 7 (1939) 1103; ``science.md`` §7):

    x(t, T) = 1 - exp(-(k t)^n),   k = k0 exp(-Ea / (R T)),

with ``Ea``, ``k0`` from a Kissinger analysis (``k0`` = Kissinger's pre-exponential
A) and ``n`` from Matusita-Sakka, or given. The conductivity of the glass-ceramic
follows from ``x`` by effective-medium theory, reusing
:func:`ssbkit.microstructure.effective_medium.glass_ceramic_conductivity`
(symmetric Bruggeman or Maxwell-Garnett) and, when an unwanted phase forms,
:func:`~ssbkit.microstructure.effective_medium.symmetric_bruggeman` with three
phases -- the precipitation-kinetics + effective-medium treatment of
75Li2S-25P2S5 cited by Lin et al., Materials 16 (2023) 2655 (ref. 85).

The window in which the unwanted phase forms comes from data (treatments at
which the wanted and the unwanted phase were observed, e.g. Mizuno 2005:
Li7P3S11 at 240 and 360 degC, thio-LISICON + Li4P2S6 at 550 degC); inside
that uncertain boundary the converted share of the crystal rises linearly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..citations import cite
from ..constants import R_GAS
from ..errors import InputError, require_finite, require_positive
from ..microstructure.effective_medium import glass_ceramic_conductivity, symmetric_bruggeman
from ..progress import Progress, report
from ..records import Record
from .kinetics import KineticsFit

__all__ = ["JmakKinetics", "UnwantedPhase", "jmak_fraction", "kinetics_from_single_scan", "parse_treatment",
           "glass_ceramic_sigma", "HeatTreatmentMap", "heat_treatment_map", "unwanted_phase_from_series"]


@dataclass(frozen=True)
class JmakKinetics(Record):
    """Isothermal JMAK kinetics.

    Attributes
    ----------
    ea_kJ_per_mol, ln_k0_per_s, n
        Activation energy, ``ln k0`` (k0 in 1/s) and Avrami exponent.
    cov_ea_lnk0
        2x2 covariance of (Ea in kJ/mol, ln k0) from the Kissinger fit (zeros when given).
    n_se
        Standard error of ``n``.
    source
        Where the numbers came from.
    """

    ea_kJ_per_mol: float
    ln_k0_per_s: float
    n: float
    cov_ea_lnk0: tuple[tuple[float, float], tuple[float, float]] = ((0.0, 0.0), (0.0, 0.0))
    n_se: float = 0.0
    source: str = "given"

    def rate_per_s(self, temperature_C: float | np.ndarray) -> float | np.ndarray:
        """Rate constant ``k(T) = k0 exp(-Ea / (R T))``.

        Parameters
        ----------
        temperature_C : float or ndarray
            Temperature, degC.

        Returns
        -------
        float or ndarray
            ``k`` in 1/s.
        """
        tk = np.asarray(temperature_C, float) + 273.15
        return np.exp(self.ln_k0_per_s - self.ea_kJ_per_mol * 1e3 / (R_GAS * tk))

    @classmethod
    def from_kissinger(cls, fit: KineticsFit, n: float, *, n_se: float = 0.0) -> JmakKinetics:
        """Kinetics from a Kissinger fit (``k0`` = A) and an Avrami exponent.

        Parameters
        ----------
        fit : KineticsFit
            A ``method="kissinger"`` fit.
        n : float
            Avrami exponent.
        n_se : float
            Its standard error.

        Returns
        -------
        JmakKinetics
            With the (Ea, ln k0) covariance propagated from the regression.
        """
        if fit.method != "kissinger" or not math.isfinite(fit.ln_A_per_s):
            raise InputError("JMAK kinetics need a Kissinger fit (its pre-exponential)")
        # Ea = -R b1, ln A = b0 + ln(-b1): Jacobian wrt (b0, b1)
        b1 = fit.slope
        jac = np.array([[0.0, -R_GAS / 1e3], [1.0, 1.0 / b1]])
        cov = jac @ np.array(fit.cov) @ jac.T
        cov = np.where(np.isfinite(cov), cov, 0.0)
        return cls(fit.ea_kJ_per_mol, fit.ln_A_per_s, _avrami(n),
                   ((float(cov[0, 0]), float(cov[0, 1])), (float(cov[1, 0]), float(cov[1, 1]))),
                   float(n_se), "kissinger")


def _avrami(n: float) -> float:
    v = require_positive("Avrami exponent n", n)
    if v > 6:
        raise InputError(f"Avrami exponent n = {v:g} is outside the physical range 0.5..4 (at most 6)")
    return v


def kinetics_from_single_scan(tp_C: float, beta_K_per_min: float, *, ea_kJ_per_mol: float,
                              n: float, ea_se_kJ_per_mol: float = 0.0, n_se: float = 0.0) -> JmakKinetics:
    """JMAK kinetics from one scan: ``k0`` from the Kissinger peak condition with a given Ea.

    ``beta Ea / (R Tp^2) = k0 exp(-Ea / (R Tp))`` (Kissinger 1957) fixes ``k0``
    so that the model crystallizes at the measured peak temperature.

    Parameters
    ----------
    tp_C : float
        Crystallization peak temperature at ``beta_K_per_min``, degC.
    beta_K_per_min : float
        Heating rate of that scan.
    ea_kJ_per_mol : float
        Activation energy (from Kissinger on several rates, or the literature).
    n : float
        Avrami exponent.
    ea_se_kJ_per_mol, n_se : float
        Standard uncertainties; ``k0`` moves with Ea so that the peak stays at ``tp_C``.

    Returns
    -------
    JmakKinetics
    """
    tk = require_finite("tp_C", tp_C) + 273.15
    beta = require_positive("beta_K_per_min", beta_K_per_min) / 60.0
    ea = require_positive("ea_kJ_per_mol", ea_kJ_per_mol) * 1e3
    cite("Kissinger1957", "peak condition")
    ln_k0 = math.log(beta * ea / (R_GAS * tk ** 2)) + ea / (R_GAS * tk)
    se = float(ea_se_kJ_per_mol)
    if not (math.isfinite(se) and se >= 0):
        raise InputError(f"ea_se_kJ_per_mol must be >= 0, got {ea_se_kJ_per_mol!r}")
    jac = 1e3 * (1.0 / ea + 1.0 / (R_GAS * tk))  # d ln k0 / d Ea[kJ/mol] at fixed Tp
    cov = ((se ** 2, se ** 2 * jac), (se ** 2 * jac, se ** 2 * jac ** 2))
    return JmakKinetics(ea / 1e3, ln_k0, _avrami(n), cov, float(n_se),
                        source=f"single scan Tp={tp_C:g} degC at {beta * 60:g} K/min")


def jmak_fraction(time_s: float | np.ndarray, temperature_C: float | np.ndarray,
                  kinetics: JmakKinetics) -> np.ndarray:
    """Crystallized fraction ``x = 1 - exp(-(k t)^n)`` after ``time_s`` at ``temperature_C``.

    Parameters
    ----------
    time_s : float or ndarray
        Holding time, s (>= 0).
    temperature_C : float or ndarray
        Holding temperature, degC (broadcast against ``time_s``).
    kinetics : JmakKinetics
        Ea, k0, n.

    Returns
    -------
    ndarray
        ``x`` in [0, 1].

    Examples
    --------
    >>> kin = JmakKinetics(ea_kJ_per_mol=100.0, ln_k0_per_s=0.0, n=2.0)
    >>> float(jmak_fraction(0.0, 300.0, kin))
    0.0
    """
    t = np.asarray(time_s, float)
    if np.any(t < 0) or not np.all(np.isfinite(t)):
        raise InputError("holding time must be finite and >= 0 s")
    cite("Avrami1939", "JMAK x = 1 - exp(-(kt)^n)")
    return 1.0 - np.exp(-(kinetics.rate_per_s(temperature_C) * t) ** kinetics.n)


@dataclass(frozen=True)
class UnwantedPhase(Record):
    """A phase that forms above a temperature and spoils the conductivity.

    Attributes
    ----------
    name
        E.g. ``"thio-LISICON + Li4P2S6"``.
    onset_C, onset_high_C
        Highest treatment without it and lowest with it (the boundary lies between).
    sigma_S_per_cm
        Its conductivity at 25 degC.
    source
        Where the window and sigma come from.
    """

    name: str
    onset_C: float
    onset_high_C: float
    sigma_S_per_cm: float
    source: str = ""

    def share(self, temperature_C: float | np.ndarray, onset_C: float | None = None) -> np.ndarray:
        """Share of the crystal converted to this phase (0 below the window, 1 above it).

        Parameters
        ----------
        temperature_C : float or ndarray
            Holding temperature, degC.
        onset_C : float, optional
            A sharp boundary instead of the linear rise across the window (Monte Carlo draws).

        Returns
        -------
        ndarray
            Share in [0, 1].
        """
        t = np.asarray(temperature_C, float)
        if onset_C is not None:
            return (t >= onset_C).astype(float)
        if self.onset_high_C <= self.onset_C:
            return (t >= self.onset_C).astype(float)
        return np.clip((t - self.onset_C) / (self.onset_high_C - self.onset_C), 0.0, 1.0)


def unwanted_phase_from_series(rows: Sequence[dict], *, wanted: str, sigma_S_per_cm: float,
                               source: str = "") -> UnwantedPhase:
    """The window of an unwanted phase from a heat-treatment series.

    Parameters
    ----------
    rows : sequence of dict
        Rows with ``treatment_C`` (number or text; non-numbers skipped) and ``phase``.
    wanted : str
        Substring naming the wanted phase (``"Li7P3S11"``); other phases are unwanted.
    sigma_S_per_cm : float
        Conductivity of the unwanted phase (measured separately).
    source : str
        Provenance.

    Returns
    -------
    UnwantedPhase
        ``onset_C`` = highest treatment with the wanted phase, ``onset_high_C`` = lowest with another.
    """
    good: list[float] = []
    bad: list[float] = []
    names: list[str] = []
    for r in rows:
        try:
            t = float(r["treatment_C"])
        except (TypeError, ValueError, KeyError):
            continue
        (good if wanted in str(r.get("phase", "")) else bad).append(t)
        if wanted not in str(r.get("phase", "")):
            names.append(str(r.get("phase", "")))
    if not good or not bad:
        raise InputError(f"the series needs treatments with and without {wanted!r} to bound the window")
    lo, hi = max(good), min(t for t in bad if t > max(good)) if any(t > max(good) for t in bad) else (math.nan)
    if not math.isfinite(hi):
        raise InputError(f"no treatment above {lo:g} degC without {wanted!r}: the window is not bounded")
    return UnwantedPhase(name=names[0], onset_C=lo, onset_high_C=hi,
                         sigma_S_per_cm=require_positive("sigma of the unwanted phase", sigma_S_per_cm),
                         source=source)


def parse_treatment(text: str | float) -> tuple[float, float]:
    """Holding temperature and time from the literature's notation (``"950 C/70 h"``).

    Parameters
    ----------
    text : str or float
        ``"T C/t h"`` (also ``°C``, ``min``), or a bare temperature.

    Returns
    -------
    (float, float)
        ``(T_C, time_h)``; ``time_h`` is NaN when the text gives none.

    Raises
    ------
    InputError
        For text that names no temperature.

    Examples
    --------
    >>> parse_treatment("1000 C/0.33 h")
    (1000.0, 0.33)
    """
    import re

    if isinstance(text, int | float) and not isinstance(text, bool):
        return float(text), math.nan
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(?:°\s*C|C|degC)?\s*(?:/\s*(\d+(?:\.\d+)?)\s*(h|min))?\s*", str(text))
    if not m:
        raise InputError(f"heat treatment {text!r} is not 'T C/t h' (e.g. '950 C/70 h')")
    t_h = math.nan if m.group(2) is None else float(m.group(2)) / (60.0 if m.group(3) == "min" else 1.0)
    return float(m.group(1)), t_h


def glass_ceramic_sigma(x: float, *, sigma_glass: float, sigma_crystal: float, model: str = "bruggeman",
                        unwanted_share: float = 0.0, sigma_unwanted: float = math.nan) -> float:
    """Conductivity of glass (1 - x) + crystal x, part of which (``unwanted_share``) is an unwanted phase.

    Parameters
    ----------
    x : float
        Crystallized fraction.
    sigma_glass, sigma_crystal : float
        Conductivities of the residual glass and the wanted crystal (one unit).
    model : {"bruggeman", "maxwell_garnett"}
        Effective-medium model (three phases always use the symmetric Bruggeman).
    unwanted_share : float
        Share of the crystal that is the unwanted phase (0..1).
    sigma_unwanted : float
        Its conductivity (needed when ``unwanted_share > 0``).

    Returns
    -------
    float
        Effective conductivity, unit of the inputs.

    Examples
    --------
    >>> glass_ceramic_sigma(0.0, sigma_glass=5.4e-5, sigma_crystal=3.2e-3)
    5.4e-05
    """
    if unwanted_share <= 0.0:
        return glass_ceramic_conductivity(x, sigma_crystal, sigma_glass, model=model)
    if not (math.isfinite(sigma_unwanted) and sigma_unwanted >= 0):
        raise InputError("an unwanted phase needs its conductivity (sigma_unwanted)")
    y = min(max(float(unwanted_share), 0.0), 1.0)
    return symmetric_bruggeman([1.0 - x, x * (1.0 - y), x * y], [sigma_glass, sigma_crystal, sigma_unwanted])


@dataclass(frozen=True)
class HeatTreatmentMap(Record):
    """Predicted sigma over a grid of holding temperatures and times, with the recommendation.

    Attributes
    ----------
    temperatures_C, times_h
        Grid axes.
    fraction
        Crystallized fraction, shape (n_T, n_t).
    unwanted_share
        Share of the crystal converted to the unwanted phase, shape (n_T, n_t).
    sigma_S_per_cm
        Predicted conductivity at 25 degC, shape (n_T, n_t).
    recommended_T_C, recommended_time_h
        Best treatment outside the window by the 2.5 % quantile of sigma (robust to the
        uncertainties); among those within 2 % of it, the shortest time, then the lowest temperature.
    sigma_recommended_S_per_cm, sigma_interval_S_per_cm
        Predicted sigma there and its 95 % interval (Monte Carlo over the kinetics,
        ``n``, sigma_crystal and the window boundary).
    recommended_T_interval_C
        95 % interval of the recommended temperature over the same samples.
    sigma_glass_S_per_cm, sigma_crystal_S_per_cm, model
        Inputs.
    kinetics, unwanted
        The :class:`JmakKinetics` and :class:`UnwantedPhase` (or None).
    tg_C
        Glass transition below which nothing is recommended (NaN: not given).
    notes, references
    """

    temperatures_C: np.ndarray
    times_h: np.ndarray
    fraction: np.ndarray
    unwanted_share: np.ndarray
    sigma_S_per_cm: np.ndarray
    recommended_T_C: float
    recommended_time_h: float
    sigma_recommended_S_per_cm: float
    sigma_interval_S_per_cm: tuple[float, float]
    recommended_T_interval_C: tuple[float, float]
    sigma_glass_S_per_cm: float
    sigma_crystal_S_per_cm: float
    model: str
    kinetics: JmakKinetics
    unwanted: UnwantedPhase | None = None
    tg_C: float = math.nan
    notes: tuple[str, ...] = ()
    references: tuple[str, ...] = field(default_factory=lambda: ("Avrami1939", "Kissinger1957", "Lin2023"))

    def predict(self, temperature_C: float, time_h: float) -> dict[str, float]:
        """Fraction, unwanted share and sigma for one treatment (same model as the map).

        Parameters
        ----------
        temperature_C : float
            Holding temperature, degC.
        time_h : float
            Holding time, h.

        Returns
        -------
        dict of str to float
            ``crystallized_fraction``, ``unwanted_share``, ``sigma_25C_S_per_cm``.
        """
        x = float(jmak_fraction(time_h * 3600.0, temperature_C, self.kinetics))
        y = float(self.unwanted.share(temperature_C)) if self.unwanted else 0.0
        s = glass_ceramic_sigma(x, sigma_glass=self.sigma_glass_S_per_cm, sigma_crystal=self.sigma_crystal_S_per_cm,
                                model=self.model, unwanted_share=y,
                                sigma_unwanted=self.unwanted.sigma_S_per_cm if self.unwanted else math.nan)
        return {"temperature_C": temperature_C, "time_h": time_h, "crystallized_fraction": x,
                "unwanted_share": y, "sigma_25C_S_per_cm": s}


def _sigma_table(sg: float, sc: float, su: float, model: str):
    """log10 sigma on a (x, y) table, interpolated (the EMA solve is the slow part)."""
    from scipy.interpolate import RegularGridInterpolator

    xs = np.linspace(0.0, 1.0, 101)
    ys = np.linspace(0.0, 1.0, 11) if math.isfinite(su) else np.array([0.0, 1.0])
    tab = np.empty((xs.size, ys.size))
    for i, x in enumerate(xs):
        for j, y in enumerate(ys):
            s = glass_ceramic_sigma(float(x), sigma_glass=sg, sigma_crystal=sc, model=model,
                                    unwanted_share=float(y) if math.isfinite(su) else 0.0,
                                    sigma_unwanted=su)
            tab[i, j] = math.log10(max(s, 1e-300))
    return RegularGridInterpolator((xs, ys), tab)


def _best(sig: np.ndarray, allowed: np.ndarray, t_c: np.ndarray, t_h: np.ndarray) -> tuple[int, int]:
    masked = np.where(allowed, sig, -np.inf)
    top = masked.max()
    if not np.isfinite(top):
        raise InputError("every grid point lies in the unwanted-phase window: lower the temperatures")
    ok = np.argwhere(masked >= top - math.log10(1.02))
    i, j = min(ok, key=lambda ij: (t_h[ij[1]], t_c[ij[0]]))
    return int(i), int(j)


def heat_treatment_map(
    kinetics: JmakKinetics,
    *,
    sigma_glass_S_per_cm: float,
    sigma_crystal_S_per_cm: float,
    temperatures_C: Sequence[float] | np.ndarray,
    times_h: Sequence[float] | np.ndarray,
    unwanted: UnwantedPhase | None = None,
    model: str = "bruggeman",
    sigma_crystal_rel_err: float = 0.0,
    tg_C: float | None = None,
    n_samples: int = 300,
    seed: int = 0,
    progress: Progress | None = None,
) -> HeatTreatmentMap:
    """(T, t) -> sigma map of a glass-ceramic, the unwanted-phase window and the recommendation.

    Parameters
    ----------
    kinetics : JmakKinetics
        Crystallization kinetics (:meth:`JmakKinetics.from_kissinger`, :func:`kinetics_from_single_scan`).
    sigma_glass_S_per_cm, sigma_crystal_S_per_cm : float
        Conductivities at 25 degC of the parent glass and the fully crystallized wanted phase.
    temperatures_C, times_h : sequence of float
        Grid of holding temperatures (degC) and times (h).
    unwanted : UnwantedPhase, optional
        Phase forming above a temperature window (:func:`unwanted_phase_from_series`).
    model : {"bruggeman", "maxwell_garnett"}
        Effective-medium model for glass + crystal.
    sigma_crystal_rel_err : float
        Relative standard uncertainty of ``sigma_crystal`` (for the interval).
    tg_C : float, optional
        Glass transition: treatments below it are not recommended (the glass is heat-treated
        between Tg and Tc; JMAK's Arrhenius extrapolation below Tg is not trusted).
    n_samples : int
        Monte Carlo samples for the intervals (0: none).
    seed : int
        Random seed.
    progress : Progress, optional
        ``progress(done, total, message)``.

    Returns
    -------
    HeatTreatmentMap
        Grids, recommendation and its uncertainty.
    """
    sg = require_positive("sigma_glass_S_per_cm", sigma_glass_S_per_cm)
    sc = require_positive("sigma_crystal_S_per_cm", sigma_crystal_S_per_cm)
    t_c = np.asarray(temperatures_C, float)
    t_h = np.asarray(times_h, float)
    if t_c.ndim != 1 or t_c.size < 1 or t_h.ndim != 1 or t_h.size < 1:
        raise InputError("temperatures_C and times_h must be non-empty lists")
    if np.any(t_h <= 0) or np.any(~np.isfinite(t_c)):
        raise InputError("holding times must be > 0 h and temperatures finite")
    if np.any(t_c > 1500):
        raise InputError(f"holding temperatures up to {t_c.max():g} look like kelvin: give degC")
    su = unwanted.sigma_S_per_cm if unwanted else math.nan
    table = _sigma_table(sg, sc, su, model)
    report(progress, 0, max(n_samples, 1), "map")
    x = jmak_fraction(t_h[None, :] * 3600.0, t_c[:, None], kinetics)
    y = np.broadcast_to(unwanted.share(t_c)[:, None], x.shape) if unwanted else np.zeros_like(x)
    log_s = table(np.stack([x, y], axis=-1))
    allowed = np.asarray(y) <= 0.0
    if tg_C is not None:
        allowed = allowed & (t_c[:, None] >= require_finite("tg_C", tg_C))
    samples, t_opt = _samples(kinetics, table, sigma_crystal_rel_err, unwanted, t_c, t_h, n_samples, seed, progress)
    score = np.percentile(samples, 2.5, axis=0) if samples is not None else log_s
    i, j = _best(score, allowed, t_c, t_h)
    if samples is not None:
        s_lo, s_hi = (float(v) for v in 10 ** np.percentile(samples[:, i, j], [2.5, 97.5]))
        tr_lo, tr_hi = (float(v) for v in np.percentile(t_opt, [2.5, 97.5]))
    else:
        s_lo = s_hi = tr_lo = tr_hi = math.nan
    notes = []
    if tg_C is not None:
        notes.append(f"treatments below Tg = {tg_C:g} degC are not recommended")
    if unwanted is not None:
        notes.append(f"{unwanted.name} forms between {unwanted.onset_C:g} and {unwanted.onset_high_C:g} degC "
                     f"({unwanted.source or 'user data'}): treatments there are not recommended")
    if model == "maxwell_garnett" and unwanted is not None:
        notes.append("three phases: the symmetric Bruggeman is used where the unwanted phase forms")
    cite("Lin2023", "precipitation kinetics + effective medium (ref. 85)")
    return HeatTreatmentMap(temperatures_C=t_c, times_h=t_h, fraction=x, unwanted_share=np.asarray(y),
                            sigma_S_per_cm=10 ** log_s, recommended_T_C=float(t_c[i]),
                            recommended_time_h=float(t_h[j]), sigma_recommended_S_per_cm=float(10 ** log_s[i, j]),
                            sigma_interval_S_per_cm=(s_lo, s_hi), recommended_T_interval_C=(tr_lo, tr_hi),
                            sigma_glass_S_per_cm=sg, sigma_crystal_S_per_cm=sc, model=model,
                            kinetics=kinetics, unwanted=unwanted,
                            tg_C=float(tg_C) if tg_C is not None else math.nan, notes=tuple(notes))


def _samples(kin: JmakKinetics, table, rel: float, unwanted: UnwantedPhase | None, t_c: np.ndarray,
             t_h: np.ndarray, n: int, seed: int, progress: Progress | None):
    """Monte Carlo log10 sigma maps (n, n_T, n_t) and each sample's optimal temperature."""
    if n <= 0:
        return None, None
    rng = np.random.default_rng(seed)
    cov = np.array(kin.cov_ea_lnk0, float)
    draws = rng.multivariate_normal([kin.ea_kJ_per_mol, kin.ln_k0_per_s], cov, size=n, method="svd") \
        if np.any(cov) else np.tile([kin.ea_kJ_per_mol, kin.ln_k0_per_s], (n, 1))
    out = np.empty((n, t_c.size, t_h.size))
    t_best = np.empty(n)
    for k in range(n):
        nk = max(0.3, kin.n + kin.n_se * rng.standard_normal())
        kk = JmakKinetics(float(draws[k, 0]), float(draws[k, 1]), nk)
        shift = math.log10(max(1e-6, 1.0 + rel * rng.standard_normal())) if rel > 0 else 0.0
        x = 1.0 - np.exp(-(np.asarray(kk.rate_per_s(t_c))[:, None] * t_h[None, :] * 3600.0) ** nk)
        if unwanted is not None:
            onset = rng.uniform(unwanted.onset_C, max(unwanted.onset_high_C, unwanted.onset_C))
            y = np.broadcast_to(unwanted.share(t_c, onset)[:, None], x.shape)
        else:
            y = np.zeros_like(x)
        out[k] = table(np.stack([x, y], axis=-1)) + shift * x  # crystal sigma error scales with x
        allowed = np.asarray(y) <= 0.0
        t_best[k] = t_c[_best(out[k], allowed, t_c, t_h)[0]] if allowed.any() else math.nan
        if (k + 1) % 50 == 0:
            report(progress, k + 1, n, "uncertainty")
    return out, t_best[np.isfinite(t_best)]
