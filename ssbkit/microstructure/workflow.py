"""One call from a recipe (or a loaded volume) to the numbers a cell designer needs.

recipe -> labelled volume -> fractions, interface areas, percolation, utilisation
-> effective ionic and electronic conductivities by the voxel conduction solver
(:mod:`ssbkit.microstructure.solver`), with the tortuosity factor
tau = eps sigma_SE / sigma_eff,ion (R-17) beside Bruggeman's tau = eps^-1/2 (R-18),
Falco et al., Mol. Syst. Des. Eng. 4 (2019) 850 (``science.md`` §3).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InputError, require_finite, require_positive
from ..progress import Progress, report
from ..records import Record
from .measures import (
    InterfaceAreas,
    Percolation,
    Utilisation,
    active_utilisation,
    interface_areas,
    percolation,
)
from .phases import ACTIVE, CARBON, ELECTROLYTE, PHASE_NAMES, PORE, LabelVolume, phase_id
from .recipe import Recipe

__all__ = ["CompositeAnalysis", "analyze_composite", "DEFAULT_SIGMA_S_PER_CM", "REFERENCES"]

#: Conductivities (S/cm) used when none are given. Orders of magnitude only:
#: set them for the materials at hand.
DEFAULT_SIGMA_S_PER_CM: dict[str, float] = {
    "electrolyte_ion": 1e-3,  # practical goal for solid electrolytes (science.md §1)
    "active_ion": 0.0,  # active material taken as ion-blocking
    "active_e": 1e-4,  # lithiated layered oxides at room temperature, order of magnitude
    "carbon_e": 1.0,  # compacted carbon black / carbon-binder domain, order of magnitude
}

REFERENCES = (
    "Falco, Ferrari, Appetecchi, Gerbaldi, Mol. Syst. Des. Eng. 4 (2019) 850: tortuosity factor "
    "tau = eps sigma / sigma_eff (R-17), Bruggeman tau = eps^-0.5 (R-18)",
    "Ohser & Muecklich, Statistical Analysis of Microstructures in Materials Science (Wiley 2000): "
    "discrete Crofton formula for interface areas",
)


@dataclass(frozen=True)
class CompositeAnalysis(Record):
    """Everything :func:`analyze_composite` measured and solved.

    Attributes
    ----------
    source
        Recipe or file the volume came from.
    shape, voxel_um, box_um
        Volume size (voxels, um per voxel, um).
    fractions
        Volume fractions by phase name (pore, active, electrolyte, carbon).
    eps_se
        Volume fraction of the ion-carrying phase(s) (the SE unless ``ion_phases`` says otherwise).
    interfaces
        Interface areas of all phase pairs (discrete Crofton estimate).
    specific_area_am_se_per_um
        Active/electrolyte contact area per composite volume (um^2/um^3).
    ion_percolation, electron_percolation
        Percolation of the ion conductors (SE, + active if it conducts ions) and
        the electron conductors (active + carbon).
    utilisation
        Connected share of the active material and its depth profile.
    sigma_se_S_per_cm
        Ionic conductivity of the SE phase used.
    sigma_eff_ion_S_per_cm, sigma_eff_e_S_per_cm
        Effective conductivities along ``axis`` (0 when nothing percolates;
        ``None`` when not solved).
    tortuosity_ion
        eps_SE sigma_SE / sigma_eff,ion (R-17); ``inf`` (``null`` in JSON) when the SE
        does not percolate. When the active material carries ions too, eps and sigma
        are those of all ion conductors (volume-weighted mean conductivity), so a
        uniform conductor still gives 1.
    tortuosity_ion_bruggeman
        eps_SE^-0.5 (R-18), for comparison.
    tortuosity_ion_electrode
        Electrode tortuosity factor tau_e of the ion phase (Nguyen et al. 2020), when asked for.
    solver
        ``{"ion": ..., "electron": ...}`` solver records (``EffectiveConductivity.to_dict()``).
    """

    source: str
    shape: tuple[int, int, int]
    voxel_um: float
    axis: int
    fractions: dict[str, float]
    eps_se: float
    interfaces: InterfaceAreas
    specific_area_am_se_per_um: float
    ion_percolation: Percolation
    electron_percolation: Percolation
    utilisation: Utilisation
    sigma_se_S_per_cm: float
    sigma_eff_ion_S_per_cm: float | None
    sigma_eff_e_S_per_cm: float | None
    tortuosity_ion: float | None
    tortuosity_ion_bruggeman: float
    tortuosity_ion_electrode: float | None = None
    solver: dict[str, Any] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    references: tuple[str, ...] = REFERENCES

    @property
    def box_um(self) -> tuple[float, float, float]:
        """Box edge lengths (um)."""
        return tuple(n * self.voxel_um for n in self.shape)  # type: ignore[return-value]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dict (non-finite values ``None``) with the derived ``box_um``.

        Returns
        -------
        dict
        """
        return super().as_dict() | {"box_um": list(self.box_um)}


def _conductivities(**given: float | None) -> dict[str, float]:
    """Phase conductivities (S/cm): the defaults, overridden by the values given."""
    sig = dict(DEFAULT_SIGMA_S_PER_CM)
    for key, val in given.items():
        if val is not None:
            v = require_finite(f"sigma ({key}) in S/cm", val)
            if v < 0:
                raise InputError(f"sigma ({key}) must be >= 0 S/cm, got {val!r}")
            sig[key] = v
    require_positive("sigma_se_S_per_cm", sig["electrolyte_ion"])
    return sig


def _volume_of(source, voxel_um: float | None, volume: LabelVolume | None) -> tuple[LabelVolume, str, list[str]]:
    """The volume to analyse, its name and the warnings its making left."""
    warnings_: list[str] = []
    if isinstance(source, Recipe):
        if volume is None:
            from .generate import generate_microstructure

            volume = generate_microstructure(source)
        elif not isinstance(volume, LabelVolume) or volume.shape != source.shape:
            raise InputError(f"volume given for the recipe has shape {getattr(volume, 'shape', None)}, "
                             f"the recipe {source.shape}; pass the volume generated from it")
        warnings_.extend(volume.info.get("warnings", []))
        name = "recipe"
    elif isinstance(source, LabelVolume):
        volume = source
        name = source.source or "volume"
    else:
        volume = LabelVolume(np.asarray(source), 1.0 if voxel_um is None else voxel_um, source="array")
        name = "array"
    spacing = volume.info.get("spacing_um")
    if voxel_um is None and spacing:
        raise InputError(
            f"{name}: anisotropic voxels (z, y, x) = {tuple(spacing)} um; interface areas, depths and "
            "utilisation need cubic voxels: resample the volume, or give voxel_um (--voxel-um) to treat them as cubic")
    if voxel_um is not None and isinstance(source, LabelVolume):
        volume = LabelVolume(volume.labels, voxel_um, volume.source, volume.particle_ids, volume.info)
    warnings_.extend(f"{name}: {note}" for note in volume.info.get("notes", []))  # what reading repaired or assumed
    if volume.info.get("voxel_um_assumed"):
        warnings_.append(f"{name}: no voxel size in the file; 1 um assumed (areas scale with it)")
    return volume, name, warnings_


def _lateral_periodic(volume: LabelVolume) -> tuple[bool, bool, bool]:
    """Generated volumes wrap around the lateral faces when their recipe says so."""
    recipe = volume.info.get("recipe") or {}
    p = bool(recipe.get("periodic", False)) and volume.source == "generated"
    return (False, p, p)


@dataclass(frozen=True)
class _Transport:
    sigma_ion: float | None = None
    sigma_e: float | None = None
    tau: float | None = None
    tau_e: float | None = None
    solver: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()


def _transport(lab: np.ndarray, sig: dict[str, float], ion_ids: list[int], e_phases: list[int], *,
               axis: int, tol: float, name: str, electrode_tau: bool,
               progress: Progress | None) -> _Transport:
    """Ionic and electronic conduction solves (and tau_e) on the label volume."""
    from .solver import effective_conductivity

    warnings_: list[str] = []
    solver: dict[str, Any] = {}
    ion_sig = {PORE: 0.0, ACTIVE: sig["active_ion"], ELECTROLYTE: 0.0, CARBON: 0.0}
    ion_sig.update({p: sig["electrolyte_ion"] for p in ion_ids})
    ion = effective_conductivity(lab, ion_sig, axis=axis, tol=tol)
    report(progress, 2, 3, "ionic conduction solved")
    solver["ion"] = ion.as_dict()
    sigma_ion = float(ion.sigma_eff)
    # eps sigma_ref / sigma_eff over all ion conductors: eps_SE sigma_SE / sigma_eff without ionic active material
    tau = float(ion.tortuosity)
    if not ion.percolates:
        warnings_.append(f"{name}: no ion path across axis {axis}; sigma_eff,ion = 0 and tau is infinite")
    sigma_e = 0.0
    if e_phases:
        el_sig = {PORE: 0.0, ACTIVE: sig["active_e"], ELECTROLYTE: 0.0, CARBON: sig["carbon_e"]}
        el = effective_conductivity(lab, el_sig, axis=axis, tol=tol)
        solver["electron"] = el.as_dict()
        sigma_e = float(el.sigma_eff)
        if not el.percolates:
            warnings_.append(f"{name}: no electron path across axis {axis}; sigma_eff,e = 0")
    report(progress, 3, 3, "electronic conduction solved")
    tau_e = None
    if electrode_tau:
        from ._electrode import electrode_tortuosity

        te = electrode_tortuosity(np.isin(lab, ion_ids), axis=axis)
        solver["electrode"] = te.as_dict()
        tau_e = te.tau_e
    for key, rec in solver.items():
        if not rec.get("converged", True):
            warnings_.append(f"{name}: {key} solve did not reach tol {tol:g} (residual {rec.get('residual') or math.nan:.2g})")
    return _Transport(sigma_ion, sigma_e, tau, tau_e, solver, tuple(warnings_))


def analyze_composite(
    source: Recipe | LabelVolume | np.ndarray,
    *,
    voxel_um: float | None = None,
    axis: int = 0,
    sigma_se_S_per_cm: float | None = None,
    sigma_active_ion_S_per_cm: float | None = None,
    sigma_active_e_S_per_cm: float | None = None,
    sigma_carbon_S_per_cm: float | None = None,
    solve: bool = True,
    tol: float = 1e-5,
    n_bins: int = 10,
    volume: LabelVolume | None = None,
    ion_phases: tuple[str | int, ...] = ("electrolyte",),
    electrode_tau: bool = False,
    progress: Progress | None = None,
) -> CompositeAnalysis:
    """Analyse a composite electrode: from a recipe, a loaded volume or a label array.

    Parameters
    ----------
    source
        A :class:`Recipe` (the volume is generated), a :class:`LabelVolume`, or a
        3-D label array (then give ``voxel_um``).
    voxel_um
        Voxel edge (um) for a bare array (default 1).
    axis
        Through-thickness axis (index 0 = separator side).
    sigma_se_S_per_cm, sigma_active_ion_S_per_cm, sigma_active_e_S_per_cm, sigma_carbon_S_per_cm
        Phase conductivities (S/cm); defaults in :data:`DEFAULT_SIGMA_S_PER_CM`.
        An active material with ``sigma_active_ion > 0`` also carries ions (and counts
        as an ion path in the utilisation).
    solve
        Run the conduction solver (otherwise only the geometric measures).
    tol
        Solver tolerance (relative residual and current mismatch).
    n_bins
        Depth bins of the utilisation profile.
    volume
        An already generated volume for ``source`` (skips generation).
    ion_phases
        Phases that carry ions with ``sigma_se_S_per_cm`` (default the SE); for a
        liquid-electrolyte electrode image use ``("pore",)``. ``eps_se`` is their
        combined volume fraction.
    electrode_tau
        Also compute the electrode tortuosity factor tau_e of the ion phase
        (:func:`~.electrode_tortuosity`; one more solve).
    progress
        Called as ``progress(done, 3, message)`` after each step (measures, ion solve,
        electron solve).

    Returns
    -------
    CompositeAnalysis

    Raises
    ------
    InputError
        Bad recipe or volume, a recipe that cannot be packed, no active material.

    Examples
    --------
    >>> r = Recipe({"active": 0.5, "electrolyte": 0.5}, box_um=12, voxel_um=0.5, active_diameter_um=4)
    >>> res = analyze_composite(r)
    >>> 0.45 < res.eps_se < 0.55
    True
    """
    sig = _conductivities(electrolyte_ion=sigma_se_S_per_cm, active_ion=sigma_active_ion_S_per_cm,
                          active_e=sigma_active_e_S_per_cm, carbon_e=sigma_carbon_S_per_cm)
    if axis not in (0, 1, 2):
        raise InputError(f"axis must be 0, 1 or 2, got {axis!r}")
    volume, name, warnings_ = _volume_of(source, voxel_um, volume)
    lab, h, fr = volume.labels, volume.voxel_um, volume.fractions()
    ion_ids = sorted({phase_id(p) for p in ((ion_phases,) if isinstance(ion_phases, str | int) else ion_phases)})
    if not ion_ids or ACTIVE in ion_ids:
        raise InputError("ion_phases must name pore and/or electrolyte (active material: sigma_active_ion_S_per_cm)")
    eps_se = sum(fr[PHASE_NAMES[p]] for p in ion_ids)
    if fr["active"] == 0:
        raise InputError(f"{name}: holds no active material (label 1); nothing to analyse")
    e_phases = [p for p, s in ((ACTIVE, sig["active_e"]), (CARBON, sig["carbon_e"])) if s > 0]
    if set(e_phases) & set(ion_ids):
        raise InputError("a phase cannot be both in ion_phases and an electron conductor")

    areas = interface_areas(lab, h, periodic=_lateral_periodic(volume))
    ion_all = ion_ids + ([ACTIVE] if sig["active_ion"] > 0 else [])
    util = active_utilisation(
        lab, h, axis=axis, particle_ids=volume.particle_ids,
        active_conducts_ions=sig["active_ion"] > 0, ion_phases=ion_ids, electron_phases=e_phases or [CARBON],
        n_bins=n_bins,
    )
    report(progress, 1, 3, "fractions, areas, percolation, utilisation")
    tr = (_transport(lab, sig, ion_ids, e_phases, axis=axis, tol=tol, name=name,
                     electrode_tau=electrode_tau, progress=progress) if solve else _Transport())
    info_volume = volume.to_dict() | {"info": {
        k: v for k, v in volume.info.items() if k not in ("active_centres_um", "active_diameters_um")}}
    return CompositeAnalysis(
        source=name,
        shape=volume.shape,
        voxel_um=h,
        axis=axis,
        fractions=fr,
        eps_se=eps_se,
        interfaces=areas,
        specific_area_am_se_per_um=areas.specific_area_per_um.get("active/electrolyte", 0.0),
        ion_percolation=percolation(lab, ion_all),
        electron_percolation=percolation(lab, e_phases or [CARBON]),
        utilisation=util,
        sigma_se_S_per_cm=sig["electrolyte_ion"],
        sigma_eff_ion_S_per_cm=tr.sigma_ion,
        sigma_eff_e_S_per_cm=tr.sigma_e,
        tortuosity_ion=tr.tau,
        tortuosity_ion_bruggeman=eps_se**-0.5 if eps_se > 0 else math.inf,
        tortuosity_ion_electrode=tr.tau_e,
        solver=tr.solver,
        info={"conductivities_S_per_cm": sig, "ion_phases": [PHASE_NAMES[p] for p in ion_ids],
              "volume": info_volume},
        warnings=tuple(warnings_) + tr.warnings,
    )
