"""From MD trajectories at several temperatures to conductivity and activation energy.

Each trajectory is analysed by :func:`ssbkit.atomistic.diffusion.analyse_diffusion`
(D from the MSD with correlated-point uncertainties, Nernst-Einstein
sigma = n q^2 D / (k_B T H_R), science.md sections 1 and 5); the converged
conductivities are fitted to sigma T = A exp(-Ea / k_B T) (R-1) and extrapolated
to 300 K with the confidence interval of the fitted line.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import InputError

__all__ = ["transport_from_trajectories"]


def transport_from_trajectories(
    trajectories: Sequence[str | Path],
    temperatures_k: Sequence[float],
    *,
    species: str = "Li",
    frame_interval_ps: float | None = None,
    t_room_k: float = 300.0,
) -> dict[str, Any]:
    """Diffusion analysis per trajectory and an Arrhenius fit over the converged ones.

    Returns a JSON-ready dict: ``temperatures`` (one row per trajectory with
    ``converged``, ``reasons``, ``D_cm2_per_s``, ``sigma_S_per_cm`` and errors),
    and where two or more converged: ``arrhenius`` (ArrheniusFit.to_dict()),
    ``ea_eV``, ``ea_ci_eV``, ``sigma_300K_S_per_cm`` (value, low, high).
    """
    from ..transport import fit_arrhenius
    from .diffusion import analyse_diffusion
    from .trajectory import read_trajectory

    if len(trajectories) != len(temperatures_k):
        raise InputError(f"{len(trajectories)} trajectories but {len(temperatures_k)} temperatures: give one each")
    rows = []
    for path, t in zip(trajectories, temperatures_k, strict=True):
        res = analyse_diffusion(read_trajectory(path, frame_interval_ps=frame_interval_ps), species,
                                temperature_k=float(t))
        rows.append({"temperature_K": float(t), "trajectory": str(path), "converged": bool(res.converged),
                     "reasons": list(res.reasons), "D_cm2_per_s": res.d_cm2_per_s,
                     "D_err_cm2_per_s": res.d_err_cm2_per_s, "sigma_S_per_cm": res.sigma_S_per_cm,
                     "sigma_err_S_per_cm": res.sigma_err_S_per_cm, "haven_ratio": res.haven_ratio})
    out: dict[str, Any] = {"species": species, "temperatures": rows, "references": list(res.references)}
    ok = [r for r in rows if r["converged"] and r["sigma_S_per_cm"]]
    if len(ok) >= 2:
        errs = [r["sigma_err_S_per_cm"] for r in ok]
        fit = fit_arrhenius([r["temperature_K"] for r in ok], [r["sigma_S_per_cm"] for r in ok],
                            y_err=errs if all(e and e > 0 for e in errs) else None, form="sigmaT")
        y, lo, hi = fit.confidence_interval(float(t_room_k))
        out |= {"arrhenius": fit.to_dict(), "ea_eV": fit.ea_ev, "ea_ci_eV": list(fit.ea_ci_ev),
                "sigma_300K_S_per_cm": [y, lo, hi], "t_room_K": float(t_room_k)}
    return out
