"""A composite-cathode recipe: what goes into the powder and how the volume is sampled.

A :class:`Recipe` holds the *solid* volume fractions (active material, solid
electrolyte, carbon; binder is merged into the carbon-binder domain), the
porosity of the composite, log-normal particle-size distributions per phase,
the simulation box and the voxel size. Build one from mass fractions and
densities (:func:`recipe_from_mass_fractions`), from volume fractions, or from
the study file's ``[cathode]`` table (:func:`recipe_from_cathode_table`).

Mass to volume: v_i = (w_i / rho_i) / sum_j (w_j / rho_j).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ..errors import InputError, did_you_mean, require_fraction, require_positive
from ..materials.composite import (
    COMPONENT_DENSITIES_G_CM3,
    COMPONENTS,
    mass_to_volume_fractions,
)
from ..materials.composite import check_fractions as _check_fractions
from .phases import check_memory

__all__ = [
    "Recipe",
    "ResolutionWarning",
    "COMPONENTS",
    "DEFAULT_DENSITIES_G_CM3",
    "GENERATION_BYTES_PER_VOXEL",
    "recipe_from_mass_fractions",
    "recipe_from_cathode_table",
    "mass_to_volume_fractions",
    "component_density_g_cm3",
]

MIN_VOXELS_ACROSS = 5.0
#: Peak working memory of generation + measures (labels, particle ids, distance map, cluster labels).
GENERATION_BYTES_PER_VOXEL = 32.0

#: Typical densities (g/cm3) used when a recipe gives mass fractions without densities.
#: Active materials: crystallographic densities; override per recipe where known better.
DEFAULT_DENSITIES_G_CM3: dict[str, tuple[float, str]] = {
    "LiCoO2": (5.05, "LiCoO2 X-ray density (R-3m, a=2.816 A, c=14.05 A)"),
    "NMC111": (4.77, "LiNi1/3Mn1/3Co1/3O2 X-ray density"),
    "NMC622": (4.75, "LiNi0.6Mn0.2Co0.2O2 X-ray density"),
    "NMC811": (4.78, "LiNi0.8Mn0.1Co0.1O2 X-ray density"),
    "LiFePO4": (3.60, "LiFePO4 X-ray density (olivine)"),
    "Li4Ti5O12": (3.48, "Li4Ti5O12 X-ray density (spinel)"),
    "LiNi0.5Mn1.5O4": (4.45, "LiNi0.5Mn1.5O4 X-ray density (spinel)"),
    "graphite": (2.26, "graphite X-ray density"),
    **COMPONENT_DENSITIES_G_CM3,
}


class ResolutionWarning(UserWarning):
    """Particles fewer than ~5 voxels across: shapes and areas are poorly resolved."""


def component_density_g_cm3(component: str, active_material: str, overrides: Mapping[str, float] | None = None) -> float:
    """Density of one recipe component (g/cm3): override, then ssbkit.materials, then the defaults.

    Parameters
    ----------
    component : str
        ``active``, ``electrolyte``, ``carbon`` or ``binder``.
    active_material : str
        Name of the active material.
    overrides : mapping, optional
        Densities given by the user (g/cm3).

    Returns
    -------
    float
        Density, g/cm3.
    """
    overrides = dict(overrides or {})
    for key in (component, active_material if component == "active" else None):
        if key is not None and key in overrides:
            return require_positive(f"densities_g_cm3.{key}", overrides[key])
    name = active_material if component == "active" else component
    try:  # the materials layer knows more materials, with references
        from ..materials import density_g_cm3  # type: ignore[attr-defined]

        return float(density_g_cm3(name))
    except (ImportError, AttributeError, InputError, KeyError, ValueError):
        pass
    if name in DEFAULT_DENSITIES_G_CM3:
        return DEFAULT_DENSITIES_G_CM3[name][0]
    raise InputError(
        f"no density known for {component} '{name}'; give densities_g_cm3 = {{ {component} = ... }}"
        f"{did_you_mean(name, DEFAULT_DENSITIES_G_CM3)}"
    )


_FLOAT_FIELDS = ("porosity", "active_diameter_um", "electrolyte_diameter_um", "carbon_diameter_um",
                 "active_sigma", "electrolyte_sigma", "carbon_sigma", "voxel_um", "max_overlap",
                 "contact_fraction", "calendering", "contact_overlap")


@dataclass(frozen=True)
class Recipe:
    """What to build: fractions, particle sizes, box and voxel.

    Attributes
    ----------
    volume_fractions
        Solid volume fractions ``{active, electrolyte, carbon, binder}`` (sum 1).
    porosity
        Volume fraction of voids in the composite (0..0.9).
    active_diameter_um, electrolyte_diameter_um, carbon_diameter_um
        Mean particle diameters (um) of log-normal distributions.
    active_sigma, electrolyte_sigma, carbon_sigma
        Standard deviation of ln(d) (0 = monodisperse).
    active_size_basis
        What ``active_diameter_um`` is the mean of: ``"number"`` (number-weighted
        mean, as from counting particles in micrographs; default) or ``"volume"``
        (volume-weighted mean D[4,3], as laser diffraction reports; for a
        log-normal ``D[4,3] = D[1,0] exp(3 sigma^2)``). The generated volume
        reports both means of the particles it placed (``info["active_size_distribution"]``).
    electrolyte_form
        ``"matrix"`` (cold-pressed SE filling the space between particles, voids
        as blobs of ``pore_diameter_um``) or ``"particles"`` (SE spheres; voids are
        what is left).
    pore_diameter_um
        Size of the void blobs in a matrix (default: the SE particle diameter).
    box_um
        Box edge lengths (um), axis 0 is through the electrode thickness.
    voxel_um
        Voxel edge (um).
    seed
        Random seed; the same recipe and seed give the same volume.
    periodic
        Particles wrap around the lateral faces (axes 1 and 2).
    carbon_form
        ``"particles"`` (spheres, or single voxels when smaller than the voxel),
        ``"aggregates"`` (chains of voxels: a coarse-grained network of fine
        carbon) or ``"auto"`` (aggregates when the carbon particles are below
        1.5 voxels across, else particles).
    carbon_chain_voxels
        Length of one carbon aggregate chain (voxels, persistent random walk).
        The default 40 makes the carbon network percolate at 3-5 vol%, as fine
        carbon does (~3 vol% of 30 nm carbon, Appetecchi et al. 2000, via
        Falco et al. 2019).
    max_overlap
        Largest overlap of active particles, as a fraction of the sum of radii,
        allowed when a dense packing jams (pressed contacts); 0 = hard spheres only.
    contact_fraction
        Pressing model: share of the active particles placed pressed against an
        already placed one (the rest at random), which builds the contact
        network of a pressed powder.
    contact_overlap
        Flattening of a pressed contact, as overlap of the two spheres (fraction
        of the sum of radii).
    calendering
        Thickness reduction by calendering (0 = as cast/pressed, 0.2 = 20 %
        thinner). The solids are conserved, so the voids shrink:
        ``porosity_after = 1 - (1 - porosity) / (1 - calendering)``; the volume
        is generated at that porosity (:attr:`porosity_calendered`).
    active_material
        Name of the active material (for densities and reports).
    mass_fractions
        The mass fractions the recipe was built from, if any (for reports).
    """

    volume_fractions: Mapping[str, float]
    porosity: float = 0.0
    active_diameter_um: float = 5.0
    electrolyte_diameter_um: float = 1.0
    carbon_diameter_um: float = 0.1
    active_sigma: float = 0.0
    electrolyte_sigma: float = 0.0
    carbon_sigma: float = 0.0
    active_size_basis: str = "number"
    electrolyte_form: str = "matrix"
    pore_diameter_um: float | None = None
    box_um: tuple[float, float, float] = (40.0, 40.0, 40.0)
    voxel_um: float = 0.4
    seed: int = 0
    periodic: bool = True
    carbon_form: str = "auto"
    carbon_chain_voxels: int = 40
    max_overlap: float = 0.25
    contact_fraction: float = 0.9
    calendering: float = 0.0
    contact_overlap: float = 0.1
    active_material: str = "LiCoO2"
    mass_fractions: Mapping[str, float] | None = field(default=None)

    def __post_init__(self) -> None:
        object.__setattr__(self, "volume_fractions", _check_fractions(self.volume_fractions, "volume_fractions"))
        for name in _FLOAT_FIELDS:  # TOML strings such as "0.4" are refused here, not deep in the packing
            value = getattr(self, name)
            if isinstance(value, str | bool) or not isinstance(value, int | float | np.integer | np.floating):
                raise InputError(f"{name} must be a number, got {value!r}")
            object.__setattr__(self, name, float(value))
        p = require_fraction("porosity", self.porosity)
        if p > 0.9:
            raise InputError(f"porosity {p:g} is above 0.9; a composite electrode holds 0..0.9 voids")
        box = self.box_um
        if isinstance(box, int | float):
            box = (float(box),) * 3
        box = tuple(require_positive("box_um", b) for b in box)  # type: ignore[assignment]
        if len(box) != 3:
            raise InputError(f"box_um must be one edge or three, got {self.box_um!r}")
        object.__setattr__(self, "box_um", box)
        for name in ("voxel_um", "active_diameter_um", "electrolyte_diameter_um", "carbon_diameter_um"):
            require_positive(name, getattr(self, name))
        if not isinstance(self.periodic, bool | np.bool_):
            raise InputError(f"periodic must be true or false, got {self.periodic!r}")
        for name in ("active_sigma", "electrolyte_sigma", "carbon_sigma"):
            s = float(getattr(self, name))
            if not 0.0 <= s <= 1.5:
                raise InputError(f"{name} (std of ln d) must lie in 0..1.5, got {s!r}")
        if self.active_size_basis not in ("number", "volume"):
            raise InputError(
                f"active_size_basis '{self.active_size_basis}' unknown{did_you_mean(self.active_size_basis, ('number', 'volume'))}"
            )
        if self.electrolyte_form not in ("matrix", "particles"):
            raise InputError(
                f"electrolyte_form '{self.electrolyte_form}' unknown{did_you_mean(self.electrolyte_form, ('matrix', 'particles'))}"
            )
        if self.carbon_form not in ("auto", "particles", "aggregates"):
            raise InputError(
                f"carbon_form '{self.carbon_form}' unknown{did_you_mean(self.carbon_form, ('auto', 'particles', 'aggregates'))}"
            )
        if int(self.carbon_chain_voxels) != self.carbon_chain_voxels or not 1 <= self.carbon_chain_voxels <= 10_000:
            raise InputError(f"carbon_chain_voxels must be an integer 1..10000, got {self.carbon_chain_voxels!r}")
        if self.pore_diameter_um is not None:
            require_positive("pore_diameter_um", self.pore_diameter_um)
        c = float(self.calendering)
        if not 0.0 <= c < 1.0:
            raise InputError(f"calendering (thickness reduction) must lie in 0..1, got {self.calendering!r}")
        if 1.0 - (1.0 - p) / (1.0 - c) < -1e-12:
            raise InputError(
                f"calendering {c:g} would compress the solids: with porosity {p:g} the thickness can "
                f"shrink by at most {p:g} (to zero voids)")
        if not 0.0 <= float(self.contact_fraction) <= 1.0:
            raise InputError(f"contact_fraction must lie in 0..1, got {self.contact_fraction!r}")
        if not 0.0 <= float(self.contact_overlap) <= 0.5:
            raise InputError(f"contact_overlap must lie in 0..0.5, got {self.contact_overlap!r}")
        if not 0.0 <= float(self.max_overlap) <= 0.5:
            raise InputError(f"max_overlap must lie in 0..0.5, got {self.max_overlap!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int | np.integer | float) \
                or int(self.seed) != self.seed or self.seed < 0:
            raise InputError(f"seed must be a whole number >= 0, got {self.seed!r}")
        if min(self.shape) < 4:
            raise InputError(f"box {self.box_um} um at voxel {self.voxel_um} um gives shape {self.shape}; need >= 4 voxels per axis")

    @property
    def shape(self) -> tuple[int, int, int]:
        """Voxels per axis."""
        return tuple(max(1, int(round(b / self.voxel_um))) for b in self.box_um)  # type: ignore[return-value]

    @property
    def porosity_calendered(self) -> float:
        """Void fraction after calendering (equal to ``porosity`` without it)."""
        if not self.calendering:
            return float(self.porosity)
        return max(0.0, 1.0 - (1.0 - self.porosity) / (1.0 - float(self.calendering)))

    @property
    def composite_fractions(self) -> dict[str, float]:
        """Target volume fractions in the composite: pore, active, electrolyte, carbon (+binder)."""
        p = self.porosity_calendered
        s = 1.0 - p
        v = self.volume_fractions
        return {
            "pore": p,
            "active": s * v["active"],
            "electrolyte": s * v["electrolyte"],
            "carbon": s * (v["carbon"] + v["binder"]),
        }

    def check(self, *, limit_bytes: int | None = None) -> list[str]:
        """Validate resolution and memory before generating.

        Warns (:class:`ResolutionWarning`) for each phase present whose particles
        are fewer than ~5 voxels across; raises :class:`InputError` with the
        estimate when the volume would not fit in memory.

        Returns
        -------
        list of str
            The warning messages (also issued with :func:`warnings.warn`).

        Parameters
        ----------
        limit_bytes : int, optional
            Memory allowed (default: half the physical memory).
        """
        shape = self.shape
        check_memory(math.prod(shape), GENERATION_BYTES_PER_VOXEL, what=f"recipe box {self.box_um} um at {self.voxel_um} um", limit_bytes=limit_bytes)
        msgs = []
        fr = self.composite_fractions
        sizes = [("active", self.active_diameter_um), ("carbon", self.carbon_diameter_um)]
        if self.electrolyte_form == "particles":
            sizes.append(("electrolyte", self.electrolyte_diameter_um))
        else:
            sizes.append(("pore", self.pore_diameter_um or self.electrolyte_diameter_um))
        for phase, d in sizes:
            if fr[phase] <= 0:
                continue
            across = d / self.voxel_um
            if across < MIN_VOXELS_ACROSS:
                what = "void blobs" if phase == "pore" else f"{phase} particles"
                msgs.append(
                    f"{what} of {d:g} um are {across:.2g} voxels across at voxel {self.voxel_um:g} um "
                    f"(< {MIN_VOXELS_ACROSS:g}); shapes and interface areas are poorly resolved"
                    + ("; carbon is modelled as aggregate chains" if across < 1.5 and phase == "carbon" and self.carbon_form == "auto" else "")
                )
        for m in msgs:
            warnings.warn(m, ResolutionWarning, stacklevel=2)
        return msgs

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict of the recipe.

        Returns
        -------
        dict
            Fields plus derived ``composite_fractions`` and ``shape``.
        """
        d = asdict(self)
        d["volume_fractions"] = dict(self.volume_fractions)
        d["mass_fractions"] = dict(self.mass_fractions) if self.mass_fractions else None
        d["box_um"] = list(self.box_um)
        d["composite_fractions"] = self.composite_fractions
        d["shape"] = list(self.shape)
        return d

    def replace(self, **changes: Any) -> Recipe:
        """A copy with some fields changed (validated again).

        Parameters
        ----------
        **changes
            Fields to change.

        Returns
        -------
        Recipe
        """
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d.update(changes)
        return Recipe(**d)


def recipe_from_mass_fractions(
    mass_fractions: Mapping[str, float],
    *,
    active_material: str = "LiCoO2",
    densities_g_cm3: Mapping[str, float] | None = None,
    **kwargs: Any,
) -> Recipe:
    """Build a :class:`Recipe` from mass fractions (sum 1) and component densities.

    Densities come from ``densities_g_cm3`` (keys ``active``/material name,
    ``electrolyte``, ``carbon``, ``binder``), else :func:`ssbkit.materials.density_g_cm3`,
    else :data:`DEFAULT_DENSITIES_G_CM3`.

    Parameters
    ----------
    mass_fractions : mapping
        ``{active, electrolyte, carbon, binder}`` mass fractions, sum 1.
    active_material : str
        Name of the active material (density).
    densities_g_cm3 : mapping, optional
        Density overrides.
    **kwargs
        Further :class:`Recipe` fields.

    Returns
    -------
    Recipe
    """
    w = _check_fractions(mass_fractions, "mass_fractions")
    rho = {k: component_density_g_cm3(k, active_material, densities_g_cm3) for k in COMPONENTS if w[k] > 0}
    rho.update({k: 1.0 for k in COMPONENTS if w[k] == 0})
    vol = mass_to_volume_fractions(w, rho)
    return Recipe(volume_fractions=vol, active_material=active_material, mass_fractions=w, **kwargs)


_CATHODE_KEYS = (
    "active_material", "mass_fractions", "volume_fractions", "densities_g_cm3", "porosity",
    "thickness_um", "loading_mg_cm2", "active_particle_diameter_um",
    "electrolyte_particle_diameter_um", "carbon_particle_diameter_um", "microstructure",
)
_MICRO_KEYS = (
    "enabled", "box_um", "voxel_um", "seed", "electrolyte_form", "periodic", "max_overlap",
    "carbon_form", "carbon_chain_voxels",
    "active_sigma", "electrolyte_sigma", "carbon_sigma", "pore_diameter_um", "active_size_basis",
    "contact_fraction", "contact_overlap", "calendering",
)


def recipe_from_cathode_table(table: Mapping[str, Any], *, source: str = "[cathode]") -> Recipe:
    """Build a :class:`Recipe` from a study file's ``[cathode]`` table (docs/architecture.md).

    Exactly one of ``mass_fractions`` / ``volume_fractions`` must be given; the
    ``[cathode.microstructure]`` sub-table gives ``box_um``, ``voxel_um``, ``seed``
    (and optionally ``electrolyte_form``, ``periodic``, ``max_overlap``, the
    ``*_sigma`` widths and ``pore_diameter_um``).

    Parameters
    ----------
    table : mapping
        The ``[cathode]`` table.
    source : str
        Name for messages.

    Returns
    -------
    Recipe
    """
    for k in table:
        if k not in _CATHODE_KEYS:
            raise InputError(f"{source}: unknown key '{k}'{did_you_mean(k, _CATHODE_KEYS)}")
    micro_table = table.get("microstructure") or {}
    if not isinstance(micro_table, Mapping):
        raise InputError(f"{source}.microstructure must be a table like {{ box_um = 40, voxel_um = 0.4 }}")
    micro = dict(micro_table)
    for k in micro:
        if k not in _MICRO_KEYS:
            raise InputError(f"{source}.microstructure: unknown key '{k}'{did_you_mean(k, _MICRO_KEYS)}")
    mf, vf = table.get("mass_fractions"), table.get("volume_fractions")
    if (mf is None) == (vf is None) or (mf is not None and vf is not None):
        raise InputError(f"{source}: give exactly one of mass_fractions or volume_fractions")
    kwargs: dict[str, Any] = {
        "porosity": table.get("porosity", 0.15),
        "active_diameter_um": table.get("active_particle_diameter_um", 5.0),
        "electrolyte_diameter_um": table.get("electrolyte_particle_diameter_um", 1.0),
        "carbon_diameter_um": table.get("carbon_particle_diameter_um", 0.1),
        "box_um": micro.get("box_um", 40.0),
        "voxel_um": micro.get("voxel_um", 0.4),
        "seed": micro.get("seed", 0),
    }
    for k in ("electrolyte_form", "periodic", "max_overlap", "carbon_form", "carbon_chain_voxels", "active_sigma",
              "electrolyte_sigma", "carbon_sigma", "pore_diameter_um", "active_size_basis",
              "contact_fraction", "contact_overlap", "calendering"):
        if k in micro:
            kwargs[k] = micro[k]
    material = str(table.get("active_material", "LiCoO2"))
    if not isinstance(mf or vf, Mapping):
        raise InputError(f"{source}: fractions must be a table like {{ active = 0.4, electrolyte = 0.6 }}")
    if mf is not None:
        return recipe_from_mass_fractions(mf, active_material=material, densities_g_cm3=table.get("densities_g_cm3"), **kwargs)
    return Recipe(volume_fractions=dict(vf or {}), active_material=material, **kwargs)
