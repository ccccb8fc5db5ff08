"""Arrhenius fits from a CSV table (the engine of ``ssbkit arrhenius``)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..constants import ZERO_C
from ..errors import FileFormatError, InputError, did_you_mean
from ..units import to_kelvin
from .arrhenius import fit_arrhenius

__all__ = ["read_conductivity_table", "fit_arrhenius_table"]

_T_PAT = re.compile(r"^(t|temp|temperature)\b|^t[_ (]", re.I)
_S_PAT = re.compile(r"sigma|conductivity|σ|cond", re.I)
_E_PAT = re.compile(r"err|std|uncert|±|sd\b", re.I)


def _unit_from_header(name: str) -> str | None:
    n = name.lower().replace("°", "deg")
    if re.search(r"(deg\s*c|\bc\b|_c\b|\(c\)|celsius)", n):
        return "degC"
    if re.search(r"(\bk\b|_k\b|\(k\)|kelvin)", n):
        return "K"
    return None


def read_conductivity_table(
    path: str | Path,
    *,
    temperature_unit: str | None = None,
    t_col: str | None = None,
    sigma_col: str | None = None,
    err_col: str | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, dict]:
    """Read temperatures (-> K), conductivities (S/cm) and optional errors from a CSV file.

    Columns are found by name (``T``/``temperature``, ``sigma``/``conductivity``,
    ``err``/``std``) unless given. The temperature unit is read from the header
    (``T_C``, ``T (K)``, ``temperature_degC``) unless ``temperature_unit`` is given;
    when neither says, the command asks for it rather than guess.

    Parameters
    ----------
    path
        CSV file.
    temperature_unit
        ``"K"``, ``"C"`` or ``"degC"`` (None: read from the header).
    t_col, sigma_col, err_col
        Column names (None: found by name).

    Returns
    -------
    t_k : numpy.ndarray
        Temperatures, K.
    sigma : numpy.ndarray
        Conductivities, S/cm.
    err : numpy.ndarray or None
        Their standard errors, S/cm, when the table has an error column.
    columns : dict
        The columns used and the temperature unit (``t_col``, ``sigma_col``,
        ``err_col``, ``temperature_unit``).

    Raises
    ------
    FileFormatError
        A missing or non-numeric value (file and line named).
    InputError
        Columns or temperature unit cannot be told, or a conductivity <= 0.
    """
    p = Path(path)
    if not p.is_file():
        raise FileFormatError(f"{p}: no such file")
    try:
        df = pd.read_csv(p, sep=None, engine="python", comment="#")
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise FileFormatError(f"{p}: not a readable CSV table ({str(exc).splitlines()[0]})") from None
    if df.shape[1] < 2 or len(df) == 0:
        raise FileFormatError(f"{p}: needs a header and at least two columns (temperature, conductivity)")
    cols = [str(c) for c in df.columns]

    def pick(given, pat, what, exclude=()):
        if given is not None:
            if given not in cols:
                raise InputError(f"{p}: no column {given!r}{did_you_mean(given, cols)}")
            return given
        for c in cols:
            if c not in exclude and pat.search(c) and not (what != "error" and _E_PAT.search(c)):
                return c
        return None

    tc = pick(t_col, _T_PAT, "temperature")
    sc = pick(sigma_col, _S_PAT, "conductivity", exclude=(tc,))
    if tc is None or sc is None:
        if len(cols) >= 2 and t_col is None and sigma_col is None:
            tc, sc = cols[0], cols[1]
        else:
            raise InputError(f"{p}: cannot tell the temperature and conductivity columns apart in {cols}; "
                             "use --t-col and --sigma-col")
    ec = pick(err_col, _E_PAT, "error", exclude=(tc, sc)) if err_col or len(cols) > 2 else None
    unit = temperature_unit or _unit_from_header(tc)
    if unit is None:
        raise InputError(f"{p}: the temperature column {tc!r} does not say its unit; give --temperature-unit K or degC")
    for c in (tc, sc) + ((ec,) if ec else ()):
        vals = pd.to_numeric(df[c], errors="coerce")
        bad = vals.isna() & df[c].notna() | df[c].isna()
        if bad.any():
            line = int(np.flatnonzero(bad.to_numpy())[0]) + 2
            raise FileFormatError(f"{p}, line {line}: column {c!r} holds a missing or non-numeric value")
    t_k = to_kelvin(df[tc].to_numpy(float), unit)
    sigma = df[sc].to_numpy(float)
    if np.any(sigma <= 0):
        line = int(np.flatnonzero(sigma <= 0)[0]) + 2
        raise InputError(f"{p}, line {line}: conductivity must be > 0 S/cm, got {sigma[line - 2]:g}")
    err = df[ec].to_numpy(float) if ec else None
    return t_k, sigma, err, {"t_col": tc, "sigma_col": sc, "err_col": ec, "temperature_unit": unit}


def fit_arrhenius_table(
    path: str | Path,
    *,
    temperature_unit: str | None = None,
    t_col: str | None = None,
    sigma_col: str | None = None,
    err_col: str | None = None,
    form: str = "sigmaT",
    at_c: float = 25.0,
    plot: str | Path | None = None,
) -> dict:
    """Read a table, fit the Arrhenius law and report Ea and sigma(at_c) with intervals.

    Parameters
    ----------
    path
        CSV file (see :func:`read_conductivity_table`).
    temperature_unit, t_col, sigma_col, err_col
        As in :func:`read_conductivity_table`.
    form
        Arrhenius form, ``"sigmaT"`` or ``"sigma"``.
    at_c
        Temperature, degC, at which sigma is reported with its 95 % prediction interval.
    plot
        Path of an Arrhenius plot to write (None: no plot).

    Returns
    -------
    dict
        ``file``, ``columns``, ``fit`` (the :class:`~ssbkit.transport.arrhenius.ArrheniusFit`
        as a dict) and ``sigma_at`` (``T_C``, ``sigma_S_per_cm``, ``lower``, ``upper``).
    """
    t_k, sigma, err, meta = read_conductivity_table(
        path, temperature_unit=temperature_unit, t_col=t_col, sigma_col=sigma_col, err_col=err_col
    )
    fit = fit_arrhenius(t_k, sigma, y_err=err, form=form)
    y, lo, hi = fit.predict_interval(at_c + ZERO_C)
    if plot:
        from .plots import plot_arrhenius

        fig = plot_arrhenius({Path(path).stem: fit}, {Path(path).stem: (t_k, sigma, err)},
                             t_range_k=(min(t_k.min(), at_c + ZERO_C) - 10, t_k.max() + 10))
        fig.savefig(plot, dpi=130, bbox_inches="tight")
    return {
        "file": str(path),
        "columns": meta,
        "fit": fit.to_dict(),
        "sigma_at": {"T_C": at_c, "sigma_S_per_cm": y, "lower": lo, "upper": hi, "interval": "95 % prediction"},
    }
