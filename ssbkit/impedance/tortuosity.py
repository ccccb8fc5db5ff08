"""Tortuosity factor of a composite electrode from one impedance spectrum (R-17).

One workflow for the CLI (``ssbkit eis tortuosity``) and the study
(``impedance.tortuosity``): fit a transmission-line circuit (default the
blocking de Levie line with a CPE and its series R_bulk, ``TLMQS1``), take the whole-electrode
ionic resistance R_ion and its error, and convert
sigma_eff = d / (R_ion A), tau = eps sigma_SE / sigma_eff (Falco et al. 2019;
:func:`ssbkit.impedance.series.tortuosity_from_r_ion`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..citations.registry import cite
from ..errors import InputError
from ..records import Record
from .fit import fit_circuit
from .fitresult import FitResult
from .series import tortuosity_from_r_ion

__all__ = ["TortuosityResult", "tortuosity_from_spectrum"]

DEFAULT_TLM_CIRCUIT = "TLMQS1"


@dataclass(frozen=True, eq=False)
class TortuosityResult(Record):
    """Tortuosity from EIS.

    Attributes
    ----------
    source : str
        The spectrum.
    tau : float
        Tortuosity factor (1), NaN when the fit failed.
    tau_err : float
        Its standard error from that of R_ion.
    r_ion_ohm, r_ion_err_ohm : float
        Fitted whole-electrode ionic resistance and its error.
    sigma_eff_S_per_cm : float
        Effective ionic conductivity d / (R_ion A).
    eps, sigma_se_S_per_cm, thickness_cm, area_cm2 : float
        The inputs.
    fit : FitResult
        The circuit fit.
    notes : tuple of str
        Why tau is missing, or what to check.
    references : tuple of str
        Citation keys.
    """

    source: str
    tau: float
    tau_err: float
    r_ion_ohm: float
    r_ion_err_ohm: float
    sigma_eff_S_per_cm: float
    eps: float
    sigma_se_S_per_cm: float
    thickness_cm: float
    area_cm2: float
    fit: FitResult
    notes: tuple[str, ...] = ()
    references: tuple[str, ...] = ("Falco2019",)


def tortuosity_from_spectrum(
    spectrum,
    *,
    thickness_cm: float,
    area_cm2: float,
    eps: float,
    sigma_se_S_per_cm: float,
    circuit: str = DEFAULT_TLM_CIRCUIT,
    r_ion_param: str | None = None,
    **fit_kw,
) -> TortuosityResult:
    """Fit a transmission line to ``spectrum`` and turn its R_ion into a tortuosity factor.

    Parameters
    ----------
    spectrum : Spectrum
        Impedance of the composite electrode (ion-conducting, electron-blocking
        contacts: the de Levie blocking line).
    thickness_cm, area_cm2 : float
        Electrode thickness (cm) and area (cm2).
    eps : float
        Volume fraction of the ion conductor, (0, 1].
    sigma_se_S_per_cm : float
        Conductivity of the dense solid electrolyte at the same temperature.
    circuit : str
        Circuit with a transmission-line element (``TLM``, ``TLMQ``, ``EB``...).
    r_ion_param : str, optional
        Name of the ionic-resistance parameter; default the first ``*_Rion``.
    **fit_kw
        Passed to :func:`~ssbkit.impedance.fit.fit_circuit`.

    Returns
    -------
    TortuosityResult
        ``tau`` NaN with the reason in ``notes`` when the fit failed or R_ion
        is not identifiable.
    """
    tortuosity_from_r_ion(1.0, thickness_cm=thickness_cm, area_cm2=area_cm2, eps=eps,
                          sigma_se_S_per_cm=sigma_se_S_per_cm)  # checks the inputs first
    fit = fit_circuit(spectrum, circuit=circuit, **fit_kw)
    names = fit.names
    if r_ion_param is None:
        cands = [n for n in names if n.endswith("_Rion")]
        if not cands:
            raise InputError(f"circuit {circuit!r} has no transmission-line R_ion parameter "
                             f"({', '.join(names)}); use e.g. {DEFAULT_TLM_CIRCUIT!r}")
        r_ion_param = cands[0]
    elif r_ion_param not in names:
        raise InputError(f"{r_ion_param!r} is not a parameter of {circuit} ({', '.join(names)})")
    r_ion, r_err = fit.values[r_ion_param], fit.stderr[r_ion_param]
    notes: list[str] = []
    tau = tau_err = sigma_eff = math.nan
    if not fit.success:
        notes.append(f"fit failed: {fit.message}")
    elif r_ion_param in fit.non_identifiable or not math.isfinite(r_err):
        notes.append(f"{r_ion_param} is not identifiable from these data: no tortuosity")
    else:
        tau, tau_err = tortuosity_from_r_ion(
            r_ion, thickness_cm=thickness_cm, area_cm2=area_cm2, eps=eps,
            sigma_se_S_per_cm=sigma_se_S_per_cm, r_ion_err_ohm=r_err)
        sigma_eff = thickness_cm / (r_ion * area_cm2)
        if tau < 1.0:
            notes.append(f"tau = {tau:.3g} < 1: check eps, sigma_SE (same temperature?) and "
                         "the geometry")
    return TortuosityResult(
        source=str(getattr(spectrum, "source", "")), tau=tau, tau_err=tau_err,
        r_ion_ohm=float(r_ion), r_ion_err_ohm=float(r_err), sigma_eff_S_per_cm=sigma_eff,
        eps=float(eps), sigma_se_S_per_cm=float(sigma_se_S_per_cm),
        thickness_cm=float(thickness_cm), area_cm2=float(area_cm2), fit=fit,
        notes=tuple(notes), references=(cite("Falco2019", "R-17"),),
    )
