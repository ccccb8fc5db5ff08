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

The kinetics live in :mod:`.jmak` (after a heating ramp: :mod:`.jmak_program`), the
effective-medium conductivity and the unwanted-phase window in :mod:`.glass_ceramic`; this
module builds the (T, t) map, its Monte Carlo interval and the recommendation, and re-exports
the names above.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ..citations import cite
from ..errors import InputError, require_finite, require_positive
from ..progress import Progress, report
from ..records import Record
from .glass_ceramic import (
    UnwantedPhase,
    glass_ceramic_sigma,
    parse_treatment,
    unwanted_phase_from_series,
)
from .jmak import JmakKinetics, jmak_fraction, kinetics_from_single_scan
from .jmak_program import ramp_theta

__all__ = ["JmakKinetics", "UnwantedPhase", "jmak_fraction", "kinetics_from_single_scan", "parse_treatment",
           "glass_ceramic_sigma", "HeatTreatmentMap", "heat_treatment_map", "unwanted_phase_from_series"]


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
    heating_rate_K_per_min, ramp_start_C
        Furnace ramp from ``ramp_start_C`` to each holding temperature, counted in ``x``
        (:mod:`.jmak_program`); NaN: the holding temperature is reached at once.
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
    heating_rate_K_per_min: float = math.nan
    ramp_start_C: float = 25.0
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
        ramp = self.heating_rate_K_per_min if math.isfinite(self.heating_rate_K_per_min) else None
        x = float(_fraction(self.kinetics, np.asarray([float(temperature_C)]), np.asarray([float(time_h)]),
                            ramp, self.ramp_start_C)[0, 0])
        y = float(self.unwanted.share(temperature_C)) if self.unwanted else 0.0
        s = glass_ceramic_sigma(x, sigma_glass=self.sigma_glass_S_per_cm, sigma_crystal=self.sigma_crystal_S_per_cm,
                                model=self.model, unwanted_share=y,
                                sigma_unwanted=self.unwanted.sigma_S_per_cm if self.unwanted else math.nan)
        return {"temperature_C": temperature_C, "time_h": time_h, "crystallized_fraction": x,
                "unwanted_share": y, "sigma_25C_S_per_cm": s}


def _fraction(kin: JmakKinetics, t_c: np.ndarray, t_h: np.ndarray, ramp: float | None,
              start_C: float) -> np.ndarray:
    """x on the (T, t) grid: the isothermal JMAK, plus the ramp's ``theta`` when ``ramp`` is set."""
    if ramp is None:
        return jmak_fraction(t_h[None, :] * 3600.0, t_c[:, None], kin)
    theta = ramp_theta(kin.ea_kJ_per_mol, kin.ln_k0_per_s, t_c, ramp, start_C)[:, None] \
        + np.asarray(kin.rate_per_s(t_c))[:, None] * t_h[None, :] * 3600.0
    return -np.expm1(-theta ** kin.n)


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
    heating_rate_K_per_min: float | None = None,
    ramp_start_C: float = 25.0,
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
    heating_rate_K_per_min : float, optional
        Furnace ramp to the holding temperature, K/min: the crystallization during the ramp is
        added (non-isothermal JMAK, :func:`~ssbkit.processing.jmak_program.program_fraction`) and
        a hold of 0 h ("heated up to T") is allowed. None: the temperature is reached at once.
    ramp_start_C : float
        Where the ramp starts, degC.
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
    ramp = None if heating_rate_K_per_min is None else require_positive("heating_rate_K_per_min",
                                                                          heating_rate_K_per_min)
    start = require_finite("ramp_start_C", ramp_start_C)
    if (np.any(t_h <= 0) if ramp is None else np.any(t_h < 0)) or np.any(~np.isfinite(t_c)) \
            or np.any(~np.isfinite(t_h)):
        raise InputError("holding times must be > 0 h (>= 0 h with a heating ramp) and temperatures finite")
    if np.any(t_c > 1500):
        raise InputError(f"holding temperatures up to {t_c.max():g} look like kelvin: give degC")
    su = unwanted.sigma_S_per_cm if unwanted else math.nan
    table = _sigma_table(sg, sc, su, model)
    report(progress, 0, max(n_samples, 1), "map")
    x = _fraction(kinetics, t_c, t_h, ramp, start)
    y = np.broadcast_to(unwanted.share(t_c)[:, None], x.shape) if unwanted else np.zeros_like(x)
    log_s = table(np.stack([x, y], axis=-1))
    allowed = np.asarray(y) <= 0.0
    if tg_C is not None:
        allowed = allowed & (t_c[:, None] >= require_finite("tg_C", tg_C))
    samples, t_opt = _samples(kinetics, table, sigma_crystal_rel_err, unwanted, t_c, t_h, n_samples, seed, progress,
                              ramp, start)
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
    if ramp is not None:
        notes.append(f"crystallization during the {ramp:g} K/min ramp from {start:g} degC is included")
    if model == "maxwell_garnett" and unwanted is not None:
        notes.append("three phases: the symmetric Bruggeman is used where the unwanted phase forms")
    cite("Lin2023", "precipitation kinetics + effective medium (ref. 85)")
    return HeatTreatmentMap(temperatures_C=t_c, times_h=t_h, fraction=x, unwanted_share=np.asarray(y),
                            sigma_S_per_cm=10 ** log_s, recommended_T_C=float(t_c[i]),
                            recommended_time_h=float(t_h[j]), sigma_recommended_S_per_cm=float(10 ** log_s[i, j]),
                            sigma_interval_S_per_cm=(s_lo, s_hi), recommended_T_interval_C=(tr_lo, tr_hi),
                            sigma_glass_S_per_cm=sg, sigma_crystal_S_per_cm=sc, model=model,
                            kinetics=kinetics, unwanted=unwanted,
                            tg_C=float(tg_C) if tg_C is not None else math.nan,
                            heating_rate_K_per_min=ramp if ramp is not None else math.nan, ramp_start_C=start,
                            notes=tuple(notes))


def _samples(kin: JmakKinetics, table, rel: float, unwanted: UnwantedPhase | None, t_c: np.ndarray,
             t_h: np.ndarray, n: int, seed: int, progress: Progress | None, ramp: float | None = None,
             start_C: float = 25.0):
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
        if ramp is None:
            x = 1.0 - np.exp(-(np.asarray(kk.rate_per_s(t_c))[:, None] * t_h[None, :] * 3600.0) ** nk)
        else:
            x = _fraction(kk, t_c, t_h, ramp, start_C)
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
