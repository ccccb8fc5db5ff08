"""Cells and microstructure: cycler exports -> capacities and retention; voxel volumes -> tortuosity."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ssbkit.errors import InputError
from ssbkit.progress import Progress, report

from .common import _named, software

__all__ = ["cycling_summary", "tortuosity"]

#: the solver's memory per voxel as ``read_volume``'s ``limit_bytes`` counts it
_SOLVER_BYTES_PER_VOXEL = 16


def cycling_summary(path: Path, original_name: str, *, mass_mg: float | None = None,
                    area_cm2: float | None = None, nominal_mAh: float | None = None,
                    progress: Progress | None = None) -> dict[str, Any]:
    """A cycler export -> per-cycle capacities, coulombic efficiency, retention.

    Parameters
    ----------
    path, original_name
        The stored file and its uploaded name.
    mass_mg, area_cm2, nominal_mAh
        As in :func:`ssbkit.cell.cycling.summarize_cycles`.
    progress
        ``progress(done, total, message)``.

    Returns
    -------
    dict
        The :class:`CycleSummary` as a dict, with ``protocol`` and ``software``.
    """
    from ssbkit.cell.cycling import read_cycler_file, summarize_cycles

    report(progress, 0, 2, f"reading {original_name}")
    with _named(path, original_name):
        data = read_cycler_file(path)
        report(progress, 1, 2, "summarising cycles")
        s = summarize_cycles(data, mass_mg=mass_mg, area_cm2=area_cm2, nominal_mAh=nominal_mAh)
    out = s.to_dict()
    out["source"] = original_name
    out["protocol"] = {"ce_convention": s.ce_convention, "mass_mg": mass_mg, "area_cm2": area_cm2,
                       "nominal_mAh": nominal_mAh}
    out["software"] = software()
    report(progress, 2, 2, "done")
    return out


def tortuosity(path: Path, original_name: str, *, phase: int, axis: int = 0,
               voxel_um: float | None = None, max_voxels: int = 256**3,
               progress: Progress | None = None) -> dict[str, Any]:
    """A segmented volume -> tortuosity factor of one phase along one axis.

    Parameters
    ----------
    path, original_name
        The stored file and its uploaded name.
    phase
        Label of the conducting phase.
    axis
        Transport axis.
    voxel_um
        Voxel edge, um (else from the file).
    max_voxels
        Larger volumes are refused (with the size in the message).
    progress
        ``progress(done, total, message)``.

    Returns
    -------
    dict
        ``tortuosity``, ``volume_fraction``, ``sigma_eff``, ``percolates``, shape, protocol, software.

    Raises
    ------
    InputError
        The volume is larger than ``max_voxels``.
    """
    from ssbkit.microstructure.io import read_volume
    from ssbkit.microstructure.solver import tortuosity_factor

    report(progress, 0, 2, f"reading {original_name}")
    from ssbkit.microstructure import io as micro_io

    per_voxel = getattr(micro_io, "READ_BYTES_PER_VOXEL", _SOLVER_BYTES_PER_VOXEL)
    try:
        with _named(path, original_name):
            vol = read_volume(path, voxel_um=voxel_um, limit_bytes=per_voxel * max_voxels)
    except InputError as exc:
        if "voxels" in str(exc) and "allowed" in str(exc):
            raise InputError(f"{original_name}: volume too large for this server (limit {max_voxels} voxels; "
                             f"crop or downsample it): {exc}") from None
        raise
    n = int(vol.labels.size)
    if n > max_voxels:
        raise InputError(f"{original_name}: {vol.labels.shape} = {n} voxels, more than this server's "
                         f"limit of {max_voxels}; crop or downsample it")
    report(progress, 1, 2, f"solving {vol.labels.shape}")
    with _named(path, original_name):
        r = tortuosity_factor(vol.labels, phase, axis=axis)
    out = {"source": original_name, "shape": list(vol.labels.shape), "voxel_um": vol.voxel_um,
           "tortuosity": r.tortuosity, "volume_fraction": r.volume_fraction, "sigma_eff": r.sigma_eff,
           "percolates": bool(r.percolates),
           "protocol": {"phase": phase, "axis": axis, "solver": "tortuosity_factor"}, "software": software()}
    report(progress, 2, 2, "done")
    return out

