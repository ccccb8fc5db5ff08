"""Mean-squared displacement, diffusion coefficients with honest uncertainties, and a convergence verdict.

Tracer MSD (averaged over atoms and every time origin) and collective (charge)
MSD, MSD_sigma(t) = <|sum_i dr_i(t)|^2> / N. The diffusion coefficient is
D = MSD / (2 d t) in the diffusive regime (science.md section 5), taken from
the slope of a straight line MSD = a + 2 d D t fitted by generalised least
squares. Points of an MSD curve are strongly correlated (the same
displacements enter many lags and overlapping origins), so the ordinary
least-squares standard error badly understates the uncertainty. The
covariance used here has the analytic shape of a random walk averaged over
overlapping time origins (the approach of kinisi: McCluskey et al., J. Chem.
Theory Comput., doi:10.1021/acs.jctc.4c01249; Bullerjahn, von Bülow & Hummer,
J. Chem. Phys. 153 (2020) 024116), scaled by a non-Gaussian factor measured
from the spread of the squared displacements, so heavy-tailed (hopping)
displacements are accounted for. The 95 % interval holds the true D in 95 %
of synthetic random walks (tests/atomistic/test_diffusion.py); the naive
least-squares error in about 5 %.
Independent time blocks give a cross-check.

A diffusion coefficient is reported only when the trajectory shows a
diffusive regime: atoms have moved at least one hop length, enough hops
happened, the MSD grows linearly over the window (judged by the quadratic term
of a GLS fit a + b t + c t^2, because a vibrational offset a bends a log-log
plot of a perfectly diffusive MSD), there are at least two independent time
windows, and D is resolved from zero. Otherwise the result says why and
carries no D, unless the caller asks for it (``report_unconverged=True``): then
D is given with the reasons as its caveat. The verdict is always stated in
words (``verdict``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from ..errors import InputError, require_positive
from ..records import Record
from .msd import MSDFit, _fit, collective_msd, curvature_test, fit_msd, msd_covariance, tracer_msd
from .trajectory import Trajectory, species_indices

__all__ = [
    "MSDFit",
    "DiffusionResult",
    "tracer_msd",
    "collective_msd",
    "msd_covariance",
    "fit_msd",
    "hop_length_A",
    "analyse_diffusion",
    "ION_CHARGE",
]

ION_CHARGE = {"Li": 1, "Na": 1, "K": 1, "Ag": 1, "Cu": 1, "H": 1, "Mg": 2, "Ca": 2, "Zn": 2, "F": -1, "Cl": -1, "O": -2}
REFERENCES = (
    "science.md section 5: D = MSD/(2 d t); sigma = n q^2 D / (k_B T H_R)",
    "A. R. McCluskey et al., J. Chem. Theory Comput., doi:10.1021/acs.jctc.4c01249 (kinisi: MSD covariance)",
    "J. T. Bullerjahn, S. von Bülow, G. Hummer, J. Chem. Phys. 153 (2020) 024116",
)
_CITATIONS = (("McCluskey2024", "MSD covariance"), ("Bullerjahn2020", "eq. 9"))
#: Linearity: the local slope at the window's end over the one at its start, and the significance
#: (|c| / se(c) of the quadratic term) beyond which a ratio outside this range refuses the run.
SLOPE_RATIO_RANGE = (2.0 / 3.0, 1.5)
CURVATURE_Z = 2.576


@dataclass(frozen=True, eq=False)
class DiffusionResult(Record):
    """Diffusion analysis of one species in one trajectory (all D in cm^2/s).

    ``d_cm2_per_s`` (and everything derived from it) is None unless
    ``converged`` or the caller asked for it with ``report_unconverged``
    (then ``caveat`` says why it is not trustworthy); ``reasons`` says what
    failed and ``verdict`` states the outcome in one sentence either way.
    ``tracer_fit`` is kept for diagnosis.
    """

    species: str
    n_atoms: int
    temperature_K: float | None
    frame_interval_ps: float
    duration_ps: float
    dimension: int
    converged: bool
    reasons: tuple[str, ...]
    d_cm2_per_s: float | None
    d_err_cm2_per_s: float | None
    d_ci_cm2_per_s: tuple[float, float] | None
    level: float
    d_sigma_cm2_per_s: float | None
    d_sigma_err_cm2_per_s: float | None
    haven_ratio: float | None
    haven_ratio_err: float | None
    number_density_per_cm3: float
    sigma_S_per_cm: float | None
    sigma_err_S_per_cm: float | None
    sigma_collective_S_per_cm: float | None
    sigma_collective_err_S_per_cm: float | None
    checks: dict
    tracer_fit: MSDFit | None
    collective_fit: MSDFit | None
    time_ps: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    msd_A2: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    msd_collective_A2: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    warnings: tuple[str, ...] = ()
    verdict: str = ""
    caveat: str = ""
    references: tuple[str, ...] = REFERENCES

    def as_dict(self, *, curves: bool = True) -> dict:
        """JSON-ready dict; ``curves=False`` leaves out the MSD curves.

        Parameters
        ----------
        curves
            Include the MSD curves.

        Returns
        -------
        dict
        """
        out = super().as_dict()
        if not curves:
            for k in ("time_ps", "msd_A2", "msd_collective_A2"):
                out.pop(k)
        return out

    def to_dict(self, *, curves: bool = False) -> dict:
        """As :meth:`as_dict`, without the curves unless ``curves=True``.

        Parameters
        ----------
        curves
            Include the MSD curves.

        Returns
        -------
        dict
        """
        return self.as_dict(curves=curves)


def hop_length_A(traj: Trajectory, species: str) -> float:
    """Median nearest-neighbour distance between atoms of ``species`` in frame 0 (minimum image).

    Parameters
    ----------
    traj
        The trajectory.
    species
        Element symbol.

    Returns
    -------
    float
        Hop length, Å.
    """
    idx = species_indices(traj, species)
    if idx.size < 2:
        raise InputError(f"only one {species} atom: give the hop length")
    from scipy.spatial import cKDTree

    cell = traj.cells_A[0]
    frac = traj.positions0_A[idx] @ np.linalg.inv(cell)
    frac -= np.floor(frac)
    images = np.array([[i, j, k] for i in (-1, 0, 1) for j in (-1, 0, 1) for k in (-1, 0, 1)], dtype=float)
    tree = cKDTree(((frac[None, :, :] + images[:, None, :]) @ cell).reshape(-1, 3))
    dist, _ = tree.query(frac @ cell, k=2)  # the first hit is the atom itself
    return float(np.median(dist[:, 1]))


def _block_d(x: np.ndarray, dt: float, n_blocks: int, f0: float, f1: float):
    """D (cm^2/s) from independent consecutive time blocks: mean and standard error."""
    size = x.shape[0] // n_blocks
    vals = []
    for b in range(n_blocks):
        blk = x[b * size : (b + 1) * size]
        dur = (size - 1) * dt
        fit = fit_msd(blk - blk[0], dt, t_start_ps=f0 * dur, t_end_ps=f1 * dur)
        if fit is not None:
            vals.append(fit.d_cm2_per_s)
    if len(vals) < 2:
        return None, None
    return float(np.mean(vals)), float(np.std(vals, ddof=1) / math.sqrt(len(vals)))


def _window(traj: Trajectory, t_start_ps, t_end_ps) -> tuple[float, float]:
    """The fit window, ps: default 10 % to 50 % of the run; an end up to one frame past the run is clipped."""
    dt, dur = traj.frame_interval_ps, traj.duration_ps
    t0 = 0.1 * dur if t_start_ps is None else require_positive("fit start (ps)", t_start_ps)
    t1 = 0.5 * dur if t_end_ps is None else require_positive("fit end (ps)", t_end_ps)
    if dur < t1 <= dur + dt * (1 + 1e-9):
        t1 = dur  # n frames span (n - 1) dt: "t_end = n dt" means the last frame
    if t1 <= t0 or t1 > dur:
        raise InputError(f"fit window {t0:g}-{t1:g} ps must be increasing and within the {dur:g} ps run")
    return t0, t1


def _axes(axes: str) -> list[int]:
    if not axes or set(axes) - set("xyz") or len(set(axes)) != len(axes):
        raise InputError(f"axes must be a subset of 'xyz', got {axes!r}")
    return ["xyz".index(a) for a in axes]


def _mobile_displacements(traj: Trajectory, idx: np.ndarray, ax: list[int], remove_drift: bool) -> np.ndarray:
    """Displacements of the species along ``ax``, less the framework's mass-weighted drift."""
    disp = traj.displacements_A
    others = np.setdiff1d(np.arange(traj.n_atoms), idx)
    if remove_drift and others.size:
        m = traj.masses_amu[others] if traj.masses_amu is not None else np.ones(others.size)
        disp = disp - np.einsum("tnj,n->tj", disp[:, others], m / m.sum())[:, None, :]
    return disp[:, idx][:, :, ax]


def _verdict(x: np.ndarray, fit: MSDFit | None, parts: Any, msd: np.ndarray, dt: float, n_frames: int,
             t0: float, t1: float, hop: float, min_events: float) -> tuple[list[str], dict[str, Any]]:
    """Reasons why the run has no diffusive regime (empty when it has one) and the numbers checked."""
    dur = (n_frames - 1) * dt
    span = n_frames * dt
    checks: dict[str, Any] = {"hop_length_A": hop, "fit_window_ps": [t0, t1], "independent_windows": span / t1}
    if fit is None:
        return [f"fewer than 3 saved frames in the fit window {t0:g}-{t1:g} ps"], checks
    k0, k1 = int(round(fit.t_start_ps / dt)), int(round(fit.t_end_ps / dt))
    lags = np.arange(k0, k1 + 1)
    slope_ll = float(np.polyfit(np.log(lags), np.log(np.maximum(msd[lags], 1e-300)), 1)[0])
    rms_diff = math.sqrt(max(fit.slope_A2_per_ps * fit.t_end_ps, 0.0))  # the diffusive part, no vibration
    events = x.shape[1] * max(fit.slope_A2_per_ps, 0.0) * dur / hop**2
    curv = curvature_test(x, dt, fit, _parts=parts)
    checks |= {"rms_displacement_A": math.sqrt(max(msd[k1], 0.0)), "diffusive_rms_A": rms_diff,
               "loglog_slope": slope_ll, "n_events": events, "intercept_A2": fit.intercept_A2, **curv}
    reasons = []
    if rms_diff < hop:
        reasons.append(f"diffusive rms displacement {rms_diff:.2g} Å at {fit.t_end_ps:g} ps (MSD less its "
                       f"vibrational intercept) is below one hop ({hop:.2g} Å)")
    if events < min_events:
        reasons.append(f"about {events:.0f} hops in the run, fewer than {min_events:g}")
    lo, hi = SLOPE_RATIO_RANGE
    if not lo <= curv["slope_ratio"] <= hi and abs(curv["curvature_z"]) > CURVATURE_Z:
        kind = "super-linear (ballistic)" if curv["slope_ratio"] > hi else "sub-linear (caged)"
        reasons.append(f"MSD is not linear in the fit window: {kind}, the slope at its end is "
                       f"{curv['slope_ratio']:.2f} x the slope at its start (log-log slope {slope_ll:.2f})")
    if span / t1 < 2 - 1e-9:
        reasons.append(f"fit window ends at {t1:g} ps, after half of the {span:g} ps run (too few origins)")
    if not fit.slope_ci_A2_per_ps[0] > 0:
        reasons.append("D is not resolved from zero within its interval")
    return reasons, checks


def _verdict_text(reasons, checks, fit, asked: bool) -> tuple[str, str]:
    """One sentence on the outcome, and the caveat on a D reported although not converged."""
    if not reasons:
        return (f"diffusive: the {checks['diffusive_rms_A']:.2g} Å diffusive rms displacement exceeds the "
                f"{checks['hop_length_A']:.2g} Å hop, about {checks['n_events']:.0f} hops, the MSD is straight "
                f"(end/start slope {checks['slope_ratio']:.2f}) over {checks['independent_windows']:.1f} "
                "independent windows, and D is resolved from zero"), ""
    text = "no diffusive regime: " + "; ".join(reasons)
    caveat = ("D reported on request although the run is not diffusive (" + "; ".join(reasons) +
              "): it is the slope of the MSD over the window, not a converged diffusion coefficient"
              ) if asked and fit is not None else ""
    return text, caveat


def _cross_checks(traj, x, fit, dt, t0, t1, n_blocks, temperature_k) -> tuple[dict, list[str]]:
    """Block-average D and kinetic temperature: warnings only."""
    checks: dict = {}
    warnings: list[str] = []
    dur = traj.duration_ps
    bm, bse = _block_d(x, dt, n_blocks, t0 / dur, t1 / dur)
    checks |= {"block_d_cm2_per_s": bm, "block_d_err_cm2_per_s": bse}
    t99 = stats.t.ppf(0.995, n_blocks - 1)
    if bm is not None and abs(bm - fit.d_cm2_per_s) > t99 * math.hypot(bse, fit.d_se_cm2_per_s):
        warnings.append("D from independent time blocks disagrees with the whole run: is it equilibrated?")
    if traj.kinetic_temperature_K is not None and temperature_k is not None:
        t_kin = float(np.mean(traj.kinetic_temperature_K[traj.n_frames // 2 :]))
        checks["kinetic_temperature_K"] = t_kin
        if abs(t_kin - temperature_k) > 0.2 * temperature_k:
            warnings.append(f"kinetic temperature {t_kin:.0f} K (second half) differs from the given "
                            f"{temperature_k:g} K")
    return checks, warnings


def _transport(fit, fit_c, n_cm3: float, temperature_k, q) -> tuple[dict, list[str]]:
    """D, its interval, D_sigma, Haven ratio and the Nernst-Einstein conductivities."""
    from ..transport import nernst_einstein_conductivity
    from ..transport.nernst_einstein import haven_ratio_with_error

    warnings: list[str] = []
    d, de = fit.d_cm2_per_s, fit.d_se_cm2_per_s
    res: dict = {"d_cm2_per_s": d, "d_err_cm2_per_s": de, "d_ci_cm2_per_s": fit.d_ci_cm2_per_s}
    if fit_c is not None:
        res |= {"d_sigma_cm2_per_s": fit_c.d_cm2_per_s, "d_sigma_err_cm2_per_s": fit_c.d_se_cm2_per_s}
        if fit_c.slope_ci_A2_per_ps[0] > 0 and d > 0:
            # error as if D* and D_sigma were independent (conservative)
            h, h_err = haven_ratio_with_error(d, de, fit_c.d_cm2_per_s, fit_c.d_se_cm2_per_s)
            res |= {"haven_ratio": float(h), "haven_ratio_err": float(h_err)}
        else:
            warnings.append("collective (charge) diffusivity not resolved from zero: no Haven ratio")
    if temperature_k is not None and q is not None:
        # S/cm per cm^2/s: sigma = n q^2 D / (k_B T) (science.md section 1)
        unit = float(nernst_einstein_conductivity(1e-4, n_cm3 * 1e6, temperature_k, charge=q)) / 100.0
        res |= {"sigma_S_per_cm": unit * d, "sigma_err_S_per_cm": unit * de}
        if res.get("d_sigma_cm2_per_s") is not None:
            res |= {"sigma_collective_S_per_cm": unit * res["d_sigma_cm2_per_s"],
                    "sigma_collective_err_S_per_cm": unit * res["d_sigma_err_cm2_per_s"]}
    elif q is None:
        warnings.append("no default charge for this species: pass charge= for the conductivity")
    return res, warnings


_RESULT_KEYS = ("d_cm2_per_s", "d_err_cm2_per_s", "d_ci_cm2_per_s", "d_sigma_cm2_per_s", "d_sigma_err_cm2_per_s",
                "haven_ratio", "haven_ratio_err", "sigma_S_per_cm", "sigma_err_S_per_cm",
                "sigma_collective_S_per_cm", "sigma_collective_err_S_per_cm")


def analyse_diffusion(
    traj: Trajectory,
    species: str,
    *,
    temperature_k: float | None = None,
    t_start_ps: float | None = None,
    t_end_ps: float | None = None,
    axes: str = "xyz",
    hop_length: float | None = None,
    min_events: float = 20.0,
    level: float = 0.95,
    remove_drift: bool = True,
    charge: int | None = None,
    n_blocks: int = 4,
    report_unconverged: bool = False,
) -> DiffusionResult:
    """Tracer and collective diffusion of one species, Haven ratio, Nernst–Einstein conductivity.

    Parameters
    ----------
    traj
        Unwrapped trajectory (:func:`ssbkit.atomistic.trajectory.read_trajectory`;
        restart segments joined by :func:`ssbkit.atomistic.trajectory.join_trajectories`).
    species
        Element symbol of the mobile ion, e.g. ``"Li"``.
    temperature_k
        Temperature of the run, K (needed for the conductivity).
    t_start_ps, t_end_ps
        Fit window; default 10 % to 50 % of the run (half the run keeps at
        least two independent windows). The line has an intercept, so the
        vibrational offset of the MSD does not bias D.
    axes
        Cartesian axes used; d = len(axes) in D = MSD / (2 d t).
    hop_length
        Hop length, Å; default the median nearest-neighbour distance of the species.
    min_events
        Fewest hops (N * MSD(run) / hop^2) accepted as a diffusive sample.
    level
        Confidence level of the interval on D.
    remove_drift
        Subtract the mass-weighted drift of the other atoms (the framework).
    charge
        Charge number of the ion; default from :data:`ION_CHARGE`.
    n_blocks
        Independent time blocks for the block-average cross-check.
    report_unconverged
        Give D (and sigma) even when the run is not diffusive, with ``caveat``
        saying why it should not be trusted; ``converged`` stays False.

    Returns
    -------
    DiffusionResult
        D = slope / (2 d) (science.md section 5); sigma = n q^2 D / (k_B T H_R)
        (science.md section 1) with H_R = 1 from the tracer D, and from D_sigma
        for the collective one; H_R = D* / D_sigma.

    Notes
    -----
    Converged means all of: the diffusive rms displacement (fitted slope x
    window end, the vibrational intercept left out) >= one hop; N * 2 d D *
    run / hop^2 >= ``min_events`` hops; the MSD straight over the window (a
    local-slope ratio end/start outside [2/3, 3/2] that is significant at
    99 % refuses); the window ends within the first half of the run (>= 2
    independent windows); the interval on D excludes zero. The interval
    inverts the test |b_hat - b| <= z se(b) with the covariance at slope b
    (its coverage is checked on synthetic walks of 8-64 atoms). The block
    average and the kinetic temperature give warnings only. The collective
    D_sigma is one walker, so its error is rougher.
    """
    for key, where in _CITATIONS:
        _cite(key, where)
    idx = species_indices(traj, species)
    ax = _axes(axes)
    dt = traj.frame_interval_ps
    t0, t1 = _window(traj, t_start_ps, t_end_ps)
    warnings = list(traj.warnings)
    x = _mobile_displacements(traj, idx, ax, remove_drift)
    per_atom = tracer_msd(x, per_atom=True)
    msd, msd_c = per_atom.mean(axis=1), collective_msd(x)
    fit, parts = _fit(x, dt, t0, t1, False, "gls", level, per_atom)
    fit_c = _fit(x, dt, t0, t1, True, "gls", level, per_atom)[0]
    hop = hop_length if hop_length is not None else hop_length_A(traj, species)
    reasons, checks = _verdict(x, fit, parts, msd, dt, traj.n_frames, t0, t1, hop, min_events)
    if fit is not None and not reasons:
        more, w = _cross_checks(traj, x, fit, dt, t0, t1, n_blocks, temperature_k)
        checks |= more
        warnings += w
    converged = not reasons
    verdict, caveat = _verdict_text(reasons, checks, fit, report_unconverged)
    n_cm3 = len(idx) / (traj.mean_volume_A3 * 1e-24)
    q = charge if charge is not None else ION_CHARGE.get(species)
    res: dict = dict.fromkeys(_RESULT_KEYS)
    if fit is not None and (converged or report_unconverged):
        more_res, w = _transport(fit, fit_c, n_cm3, temperature_k, q)
        res |= more_res
        warnings += [x_.replace("this species", species) for x_ in w]
        if caveat:
            warnings.append(caveat)
    return DiffusionResult(
        species=species, n_atoms=len(idx), temperature_K=temperature_k, frame_interval_ps=dt,
        duration_ps=traj.duration_ps, dimension=len(ax), converged=converged, reasons=tuple(reasons),
        level=level, number_density_per_cm3=n_cm3, checks=checks, tracer_fit=fit, collective_fit=fit_c,
        time_ps=np.arange(traj.n_frames) * dt, msd_A2=msd, msd_collective_A2=msd_c,
        warnings=tuple(warnings), verdict=verdict, caveat=caveat, **res,
    )


def _cite(key: str, where: str) -> None:
    from ..citations import cite

    cite(key, where)
