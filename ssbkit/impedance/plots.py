"""Figures: Nyquist (equal axes), Bode, residuals, DRT, Arrhenius.

Every function returns a matplotlib ``Figure`` (nothing is shown); matplotlib
is imported inside the functions so that importing this module stays cheap.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = [
    "plot_nyquist",
    "plot_bode",
    "plot_residuals",
    "plot_fit",
    "plot_drt",
    "plot_arrhenius",
    "plot_kk",
]


def _plt():
    import matplotlib

    if matplotlib.get_backend().lower() not in ("agg", "pdf", "svg", "ps", "cairo"):
        try:
            matplotlib.use("Agg", force=False)
        except Exception:  # pragma: no cover - backend already fixed by the user
            pass
    import matplotlib.pyplot as plt

    return plt


def _series(items):
    """Normalise to a list of (label, f_hz, z_data, z_fit or None)."""
    out = []
    for it in items:
        if hasattr(it, "z_fit"):  # FitResult
            lab = it.source or it.circuit
            if it.temperature_c is not None:
                lab = f"{it.temperature_c:g} °C"
            out.append((lab, it.frequency_hz, it.z_data, it.z_fit))
        else:  # Spectrum
            lab = f"{it.temperature_c:g} °C" if it.temperature_c is not None else str(it.source)
            out.append((lab, it.frequency_hz, it.z_ohm, None))
    return out


def plot_nyquist(items: Sequence, *, ax=None, title: str = ""):
    """Nyquist plot -Z'' vs Z' with equal axes, data as points, fits as lines.

    ``items`` are Spectrum or FitResult objects (a single one is accepted too).

    Parameters
    ----------
    items
        Spectrum or FitResult objects (or one of them).
    ax
        Matplotlib axes to draw into (None: a new figure).
    title
        Figure title (empty: none, or a default built from the source).

    Returns
    -------
    matplotlib.figure.Figure
        The figure (nothing is shown or saved).
    """
    plt = _plt()
    if not isinstance(items, list | tuple):
        items = [items]
    fig, ax = (ax.figure, ax) if ax is not None else plt.subplots(figsize=(5.5, 4.5))
    for k, (lab, _f, z, zf) in enumerate(_series(items)):
        col = f"C{k % 10}"
        if z is not None:
            ax.plot(z.real, -z.imag, "o", ms=3, color=col, label=lab)
        if zf is not None:
            ax.plot(zf.real, -zf.imag, "-", color=col, lw=1.2)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("Z' / ohm")
    ax.set_ylabel("-Z'' / ohm")
    ax.grid(alpha=0.3)
    if len(items) <= 10:
        ax.legend(fontsize=7)
    if title:
        ax.set_title(title)
    return fig


def plot_bode(items: Sequence, *, title: str = ""):
    """Bode plot: |Z| and -phase against frequency.

    Parameters
    ----------
    items
        Spectrum or FitResult objects (or one of them).
    title
        Figure title (empty: none, or a default built from the source).

    Returns
    -------
    matplotlib.figure.Figure
        The figure (nothing is shown or saved).
    """
    plt = _plt()
    if not isinstance(items, list | tuple):
        items = [items]
    fig, (a1, a2) = plt.subplots(2, 1, sharex=True, figsize=(5.5, 5))
    for k, (lab, f, z, zf) in enumerate(_series(items)):
        col = f"C{k % 10}"
        a1.loglog(f, np.abs(z), "o", ms=3, color=col, label=lab)
        a2.semilogx(f, -np.degrees(np.angle(z)), "o", ms=3, color=col)
        if zf is not None:
            a1.loglog(f, np.abs(zf), "-", color=col)
            a2.semilogx(f, -np.degrees(np.angle(zf)), "-", color=col)
    a1.set_ylabel("|Z| / ohm")
    a2.set_ylabel("-phase / deg")
    a2.set_xlabel("f / Hz")
    a1.legend(fontsize=7)
    if title:
        a1.set_title(title)
    return fig


def plot_residuals(fit, *, title: str = ""):
    """Relative residuals (Z_fit - Z) / |Z| of the real and imaginary parts, in %.

    Parameters
    ----------
    fit
        A :class:`~ssbkit.impedance.fitresult.FitResult` carrying its data.
    title
        Figure title (empty: none, or a default built from the source).

    Returns
    -------
    matplotlib.figure.Figure
        The figure (nothing is shown or saved).
    """
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.5, 2.8))
    r = fit.residuals
    ax.semilogx(fit.frequency_hz, 100 * r.real, "o-", ms=3, label="real")
    ax.semilogx(fit.frequency_hz, 100 * r.imag, "s-", ms=3, label="imaginary")
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xlabel("f / Hz")
    ax.set_ylabel("residual / %")
    ax.legend(fontsize=7)
    ax.set_title(title or f"{fit.circuit}: rms {100 * fit.rms_relative:.2g} %")
    return fig


def plot_fit(fit, *, title: str = ""):
    """Nyquist (equal axes) with the fit, and the residuals below.

    Parameters
    ----------
    fit
        A :class:`~ssbkit.impedance.fitresult.FitResult` carrying its data.
    title
        Figure title (empty: none, or a default built from the source).

    Returns
    -------
    matplotlib.figure.Figure
        The figure (nothing is shown or saved).
    """
    plt = _plt()
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(5.5, 7), gridspec_kw={"height_ratios": [3, 1.3]})
    plot_nyquist([fit], ax=a1, title=title or f"{fit.source}  {fit.circuit}")
    r = fit.residuals
    a2.semilogx(fit.frequency_hz, 100 * r.real, "o-", ms=3, label="real")
    a2.semilogx(fit.frequency_hz, 100 * r.imag, "s-", ms=3, label="imaginary")
    a2.axhline(0, color="k", lw=0.6)
    a2.set_xlabel("f / Hz")
    a2.set_ylabel("residual / %")
    a2.legend(fontsize=7)
    fig.tight_layout()
    return fig


def plot_drt(drt, *, title: str = ""):
    """gamma(tau) of a :class:`~ssbkit.impedance.drt.DRTResult`, peaks marked.

    Parameters
    ----------
    drt
        A :class:`~ssbkit.impedance.drt.DRTResult`.
    title
        Figure title (empty: none, or a default built from the source).

    Returns
    -------
    matplotlib.figure.Figure
        The figure (nothing is shown or saved).
    """
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.5, 3.2))
    ax.semilogx(drt.tau_s, drt.gamma_ohm, "-")
    for tau, _r in getattr(drt, "peaks", []) or []:
        ax.axvline(tau, color="0.6", lw=0.8, ls="--")
    ax.set_xlabel("tau / s")
    ax.set_ylabel("gamma / ohm")
    ax.set_title(title or "distribution of relaxation times")
    return fig


def plot_kk(kk, *, title: str = ""):
    """Lin-KK residuals of a :class:`~ssbkit.impedance.kk.KKResult` (in %).

    Parameters
    ----------
    kk
        A :class:`~ssbkit.impedance.kk.KKResult`.
    title
        Figure title (empty: none, or a default built from the source).

    Returns
    -------
    matplotlib.figure.Figure
        The figure (nothing is shown or saved).
    """
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.5, 2.8))
    ax.semilogx(kk.frequency_hz, 100 * np.asarray(kk.residual_real), "o-", ms=3, label="real")
    ax.semilogx(kk.frequency_hz, 100 * np.asarray(kk.residual_imag), "s-", ms=3, label="imaginary")
    ax.axhline(0, color="k", lw=0.6)
    ax.set_xlabel("f / Hz")
    ax.set_ylabel("KK residual / %")
    ax.legend(fontsize=7)
    ax.set_title(title or f"Lin-KK, M = {kk.n_rc}, {'valid' if kk.valid else 'NOT valid'}")
    return fig


def plot_arrhenius(series, *, title: str = ""):
    """Arrhenius plot of a :class:`~ssbkit.impedance.series.ConductivitySeries`.

    Plots log10(sigma T) (or log10 sigma, following ``series.form``) against
    1000/T with error bars and the fitted lines, Ea in the legend.

    Parameters
    ----------
    series
        A :class:`~ssbkit.impedance.series.ConductivitySeries`.
    title
        Figure title (empty: none, or a default built from the source).

    Returns
    -------
    matplotlib.figure.Figure
        The figure (nothing is shown or saved).
    """
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.5, 4))
    t_k = series.temperatures_k
    x = 1000.0 / t_k
    use_t = series.form == "sigmaT"
    for k, (key, lab) in enumerate((("bulk", "bulk"), ("gb", "grain boundary"), ("total", "total"))):
        y = getattr(series, f"sigma_{key}_S_per_cm")
        e = getattr(series, f"sigma_{key}_err_S_per_cm")
        ok = np.isfinite(y) & (y > 0)
        if not ok.any():
            continue
        fac = t_k if use_t else 1.0
        yy = np.where(ok, y * fac, np.nan)
        ee = np.where(ok, e * fac, np.nan)
        fit = series.arrhenius.get(key)
        txt = f"{lab}" + (f", Ea = {fit.ea_ev:.3f} ± {fit.ea_se_ev:.3f} eV" if fit else "")
        ax.errorbar(x[ok], np.log10(yy[ok]), yerr=ee[ok] / (yy[ok] * np.log(10)), fmt="o",
                    color=f"C{k}", ms=4, label=txt)
        if fit:
            tt = np.linspace(t_k[ok].min(), t_k[ok].max(), 50)
            yp = np.asarray(fit.predict(tt), float)  # sigma (S/cm)
            ax.plot(1000 / tt, np.log10(yp * (tt if use_t else 1.0)), "-", color=f"C{k}")
    ax.set_xlabel("1000 / T / K^-1")
    ax.set_ylabel("log10(sigma T / S cm^-1 K)" if use_t else "log10(sigma / S cm^-1)")
    ax.legend(fontsize=7)
    ax.set_title(title or "Arrhenius")
    return fig

