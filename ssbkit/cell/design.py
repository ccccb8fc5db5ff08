"""Stack design: cathode composite, solid-electrolyte separator, anode, current collectors.

Every layer is resolved at construction into volume fractions, thickness and
active loading, so the rest of the package reads numbers, not options:

- mass to solid volume fractions: v_i = (w_i / rho_i) / sum_j (w_j / rho_j);
- volume fraction in the layer: phi_i = (1 - porosity) v_i;
- active loading: m_act = L phi_act rho_act (L thickness).

Give a composite either its thickness or its active loading (mg/cm2), with the
porosity; with both thickness and loading the porosity follows, and with all
three they must agree. A design file (TOML) has the tables ``[cathode]`` (the
keys of docs/architecture.md), ``[separator]``, ``[anode]``,
``[current_collectors]`` and ``[cell]``; see :func:`ssbkit.cell.design_file.load_design`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import InputError, did_you_mean, require_fraction, require_positive
from ..materials.composite import (
    COMPONENT_DENSITIES_G_CM3,
    COMPONENTS,
    check_fractions,
)
from ..records import Record
from .active_materials import ActiveMaterial, get_active_material
from .interfaces import InterfaceModel

__all__ = [
    "COMPONENTS",
    "COMPONENT_DENSITIES_G_CM3",
    "COLLECTOR_DENSITIES_G_CM3",
    "CathodeComposite",
    "Separator",
    "Anode",
    "CurrentCollectors",
    "StackDesign",
    "make_composite",
    "make_anode",
    "cell_ocv_window_V",
    "check_cutoffs",
]

LOADING_TOL = 0.03

#: Current-collector metals (g/cm3), CRC Handbook of Chemistry and Physics.
COLLECTOR_DENSITIES_G_CM3: dict[str, float] = {
    "Al": 2.70, "Cu": 8.96, "Ni": 8.90, "stainless steel": 7.90, "Ti": 4.51, "none": 0.0,
}


@dataclass(frozen=True)
class CathodeComposite(Record):
    """A composite electrode layer (the cathode; composite anodes use the same record).

    Attributes
    ----------
    active_material
        Name known to :func:`ssbkit.cell.get_active_material`.
    volume_fractions, mass_fractions
        Of the solids (sum to 1), keys ``active, electrolyte, carbon, binder``.
    densities_g_cm3
        Density used for each component.
    porosity
        Void volume fraction of the layer.
    thickness_um, loading_mg_cm2
        Layer thickness and active-material loading.
    """

    active_material: str
    volume_fractions: Mapping[str, float]
    mass_fractions: Mapping[str, float]
    densities_g_cm3: Mapping[str, float]
    porosity: float
    thickness_um: float
    loading_mg_cm2: float
    active_particle_diameter_um: float | None = None

    def phi(self, component: str) -> float:
        """Volume fraction of ``component`` in the whole layer (voids included).

        Parameters
        ----------
        component
            ``active``, ``electrolyte``, ``carbon`` or ``binder``.

        Returns
        -------
        float
            Volume fraction in the layer.
        """
        return (1.0 - self.porosity) * self.volume_fractions.get(component, 0.0)

    @property
    def eps_se(self) -> float:
        """Volume fraction of solid electrolyte in the layer (eps of R-17/R-18)."""
        return self.phi("electrolyte")

    def areal_masses_mg_cm2(self) -> dict[str, float]:
        """Mass per area of each component, mg/cm2.

        Returns
        -------
        dict
            Mass per area of each component, mg/cm2.
        """
        l_cm = self.thickness_um * 1e-4
        return {c: l_cm * self.phi(c) * self.densities_g_cm3[c] * 1e3 for c in self.volume_fractions}

    def areal_capacity_mAh_cm2(self) -> float:
        """Practical areal capacity: loading x practical specific capacity.

        Returns
        -------
        float
            Practical areal capacity, mAh/cm2.
        """
        mat = get_active_material(self.active_material)
        return self.loading_mg_cm2 * 1e-3 * mat.capacity_practical_mAh_per_g

    def as_dict(self) -> dict[str, Any]:
        """Every field plus the derived ``eps_se`` and ``areal_capacity_mAh_cm2``.

        Returns
        -------
        dict
            JSON-ready dict with the derived keys.
        """
        d = super().as_dict()
        d["eps_se"] = self.eps_se
        d["areal_capacity_mAh_cm2"] = self.areal_capacity_mAh_cm2()
        return d


@dataclass(frozen=True)
class Separator(Record):
    """Solid-electrolyte separator layer."""

    thickness_um: float
    porosity: float = 0.1
    density_g_cm3: float = COMPONENT_DENSITIES_G_CM3["electrolyte"][0]

    def areal_mass_mg_cm2(self) -> float:
        """Mass per area of the separator.

        Returns
        -------
        float
            mg/cm2.
        """
        return self.thickness_um * 1e-4 * (1.0 - self.porosity) * self.density_g_cm3 * 1e3


@dataclass(frozen=True)
class Anode(Record):
    """Anode: a metal/alloy foil (Li, Li-In) or a composite (graphite, Si, LTO ...).

    ``layer`` holds thickness, fractions and loading; a foil is a dense
    single-component layer (``volume_fractions = {"active": 1}``, porosity 0).
    """

    material: str
    kind: str
    layer: CathodeComposite

    @property
    def thickness_um(self) -> float:
        return self.layer.thickness_um


@dataclass(frozen=True)
class CurrentCollectors(Record):
    """Current-collector foils (thickness 0 leaves one out, as in a pressed lab cell)."""

    positive: str = "Al"
    positive_thickness_um: float = 12.0
    negative: str = "Cu"
    negative_thickness_um: float = 8.0

    def areal_masses_mg_cm2(self) -> dict[str, float]:
        """Mass per area of each foil.

        Returns
        -------
        dict
            ``{"positive collector": mg/cm2, "negative collector": mg/cm2}``.
        """
        return {
            "positive collector": self.positive_thickness_um * 1e-4 * COLLECTOR_DENSITIES_G_CM3[self.positive] * 1e3,
            "negative collector": self.negative_thickness_um * 1e-4 * COLLECTOR_DENSITIES_G_CM3[self.negative] * 1e3,
        }


@dataclass(frozen=True)
class StackDesign(Record):
    """One cell stack: cathode | separator | anode between current collectors.

    ``sigma_se_S_per_cm`` (the electrolyte's ionic conductivity at
    ``temperature_c``) and the tortuosities feed the rate models; ``None``
    tortuosity means Bruggeman, tau = eps^-0.5 (R-18).
    """

    cathode: CathodeComposite
    separator: Separator
    anode: Anode
    collectors: CurrentCollectors = field(default_factory=CurrentCollectors)
    area_cm2: float = 1.0
    cutoff_low_V: float | None = None
    cutoff_high_V: float | None = None
    sigma_se_S_per_cm: float | None = None
    tortuosity_cathode: float | None = None
    tortuosity_anode: float | None = None
    temperature_c: float = 25.0
    ea_eV: float | None = None
    name: str = "stack"
    interface: InterfaceModel | None = None
    particle_diffusivity_m2_per_s: float | None = None
    U_c_V: float | None = None
    U_a_V: float | None = None
    R0_ohm_cm2: float | None = None
    notes: tuple[str, ...] = ()


def _fractions(name: str, fr: Mapping[str, Any]) -> dict[str, float]:
    """Checked, renormalised fractions of the components the user named (others left out)."""
    out = check_fractions(fr, name)
    return {k: out[k] for k in fr}


def make_composite(
    active_material: str,
    *,
    mass_fractions: Mapping[str, float] | None = None,
    volume_fractions: Mapping[str, float] | None = None,
    densities_g_cm3: Mapping[str, float] | None = None,
    porosity: float | None = None,
    thickness_um: float | None = None,
    loading_mg_cm2: float | None = None,
    active_particle_diameter_um: float | None = None,
    where: str = "cathode",
) -> CathodeComposite:
    """Resolve a composite layer from fractions, porosity and thickness or loading.

    Parameters
    ----------
    active_material
        Active-material name (unknown names raise with the closest suggestion).
    mass_fractions, volume_fractions
        Exactly one: fractions of the solids (``active, electrolyte, carbon, binder``).
    densities_g_cm3
        Overrides per component (``active`` defaults to the material's density).
    porosity
        Void fraction (0 to < 1). Derived from thickness and loading when omitted.
    thickness_um, loading_mg_cm2
        At least one. With all three of porosity, thickness and loading they
        must agree within 3 %.
    active_particle_diameter_um
        Diameter of the active particles, um (kept on the record; ``None`` if unknown).
    where
        Name of the table, for messages.

    Returns
    -------
    CathodeComposite
        The resolved layer (fractions of the solids, porosity, thickness in um,
        loading of active material in mg/cm2).

    Raises
    ------
    InputError
        For unknown materials or components, bad fractions, porosity outside
        [0, 0.95), or thickness, loading and porosity that disagree.

    Examples
    --------
    60/40 vol% LiCoO2 (5.05 g/cm3) / SE (1.90 g/cm3), 10 % porous, 50 um thick:
    loading 50e-4 cm x 0.9 x 0.6 x 5.05 g/cm3 = 13.635 mg/cm2.

    >>> c = make_composite("LiCoO2", volume_fractions={"active": 0.6, "electrolyte": 0.4},
    ...                    porosity=0.1, thickness_um=50.0)
    >>> round(c.loading_mg_cm2, 3), round(c.mass_fractions["active"], 4)
    (13.635, 0.7995)
    """
    mat = get_active_material(active_material)
    if (mass_fractions is None) == (volume_fractions is None):
        raise InputError(f"[{where}] give exactly one of mass_fractions or volume_fractions")
    dens = _component_densities(mat, densities_g_cm3, where)
    vf, mf, dens = _solid_fractions(mass_fractions, volume_fractions, dens, where)
    # active mass per cm2 per um of thickness at zero porosity
    per_um = 1e-4 * vf["active"] * dens["active"] * 1e3
    porosity, thickness_um, loading_mg_cm2 = _resolve_geometry(
        porosity, thickness_um, loading_mg_cm2, per_um, where)
    return CathodeComposite(
        active_material=mat.name, volume_fractions=vf, mass_fractions=mf, densities_g_cm3=dens,
        porosity=porosity, thickness_um=thickness_um, loading_mg_cm2=loading_mg_cm2,
        active_particle_diameter_um=active_particle_diameter_um,
    )


def _component_densities(mat: ActiveMaterial, overrides: Mapping[str, float] | None,
                         where: str) -> dict[str, float]:
    """Density of every component, g/cm3: the defaults with the user's overrides."""
    dens: dict[str, float] = {"active": mat.density_g_per_cm3}
    dens.update({c: v for c, (v, _) in COMPONENT_DENSITIES_G_CM3.items()})
    for k, v in (overrides or {}).items():
        key = "active" if k in (mat.name, *mat.aliases) else k
        if key not in COMPONENTS:
            raise InputError(f"[{where}] densities_g_cm3: unknown component {k!r}{did_you_mean(k, COMPONENTS)}")
        dens[key] = require_positive(f"[{where}] densities_g_cm3.{k}", v)
    return dens


def _solid_fractions(
    mass_fractions: Mapping[str, float] | None, volume_fractions: Mapping[str, float] | None,
    dens: dict[str, float], where: str,
) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """(volume fractions, mass fractions, densities) of the named components of the solids."""
    if mass_fractions is not None:
        w = _fractions(f"[{where}] mass_fractions", mass_fractions)
        vol = {c: w[c] / dens[c] for c in w}
        s = sum(vol.values())
        vf = {c: vol[c] / s for c in w}
    else:
        assert volume_fractions is not None  # make_composite checked: exactly one is given
        vf = _fractions(f"[{where}] volume_fractions", volume_fractions)
    s = sum(vf[c] * dens[c] for c in vf)
    mf = {c: vf[c] * dens[c] / s for c in vf}
    return vf, mf, {c: dens[c] for c in vf}


def _resolve_geometry(porosity: float | None, thickness_um: float | None,
                      loading_mg_cm2: float | None, per_um: float,
                      where: str) -> tuple[float, float, float]:
    """(porosity, thickness um, loading mg/cm2) from porosity and at least one of the others.

    ``per_um`` is the active mass per cm2 per um of thickness at zero porosity, mg/cm2/um.
    """
    if thickness_um is None and loading_mg_cm2 is None:
        raise InputError(f"[{where}] give thickness_um or loading_mg_cm2")
    if porosity is not None:
        porosity = require_fraction(f"[{where}] porosity", porosity)
        if porosity >= 0.95:
            raise InputError(f"[{where}] porosity must be < 0.95, got {porosity}")
    if thickness_um is not None:
        thickness_um = require_positive(f"[{where}] thickness_um", thickness_um)
    if loading_mg_cm2 is not None:
        loading_mg_cm2 = require_positive(f"[{where}] loading_mg_cm2", loading_mg_cm2)
    if thickness_um is not None and loading_mg_cm2 is not None:
        implied = 1.0 - loading_mg_cm2 / (thickness_um * per_um)
        if porosity is None:
            if not 0.0 <= implied < 0.95:
                raise InputError(
                    f"[{where}] loading_mg_cm2 = {loading_mg_cm2:g} and thickness_um = {thickness_um:g} "
                    f"imply porosity {implied:.3f}; it must lie in [0, 0.95)")
            porosity = implied
        elif abs(implied - porosity) > LOADING_TOL:
            raise InputError(
                f"[{where}] loading_mg_cm2 = {loading_mg_cm2:g} is inconsistent with thickness_um = "
                f"{thickness_um:g} and porosity = {porosity:g} (they imply porosity {implied:.3f}, "
                f"or loading {thickness_um * per_um * (1 - porosity):.4g} mg/cm2)")
    if porosity is None:
        raise InputError(f"[{where}] give porosity (composites with SE typically hold 0.10-0.20)")
    if thickness_um is None:
        assert loading_mg_cm2 is not None  # one of the two is given (checked above)
        thickness_um = loading_mg_cm2 / (per_um * (1.0 - porosity))
    elif loading_mg_cm2 is None:
        loading_mg_cm2 = thickness_um * per_um * (1.0 - porosity)
    return float(porosity), float(thickness_um), float(loading_mg_cm2)


_FOILS = ("Li", "Li-In")


def make_anode(
    material: str,
    cathode: CathodeComposite,
    *,
    thickness_um: float | None = None,
    loading_mg_cm2: float | None = None,
    np_ratio: float | None = None,
    excess: float | None = None,
    **composite: Any,
) -> Anode:
    """Resolve the anode: a Li or Li-In foil, or a composite (graphite, Si, LTO ...).

    Exactly one of ``thickness_um``, ``loading_mg_cm2``, ``np_ratio`` (anode /
    cathode areal capacity) or ``excess`` (= np_ratio - 1; Li metal with 100 %
    excess has ``excess = 1``) sizes it. Composites also take the keys of
    :func:`make_composite` (fractions, porosity, densities).

    Parameters
    ----------
    material
        Anode material (Li, Li-In, graphite, Si, LTO ...).
    cathode
        The cathode it is sized against.
    thickness_um, loading_mg_cm2, np_ratio, excess
        Exactly one sizes the anode.
    **composite
        Composite keys of :func:`make_composite`.

    Returns
    -------
    Anode
        The anode.
    """
    mat = get_active_material(material)
    given = {k: v for k, v in (("thickness_um", thickness_um), ("loading_mg_cm2", loading_mg_cm2),
                               ("np_ratio", np_ratio), ("excess", excess)) if v is not None}
    if len(given) != 1:
        raise InputError(f"[anode] give exactly one of thickness_um, loading_mg_cm2, np_ratio, excess (got {sorted(given) or 'none'})")
    if excess is not None:
        if float(excess) < 0:
            raise InputError(f"[anode] excess must be >= 0 (N/P = 1 + excess), got {excess}")
        np_ratio = 1.0 + float(excess)
    if np_ratio is not None:
        np_ratio = require_positive("[anode] np_ratio", np_ratio)
        q_c = cathode.areal_capacity_mAh_cm2()
        loading_mg_cm2 = np_ratio * q_c / mat.capacity_practical_mAh_per_g * 1e3
    if mat.name in _FOILS:
        if composite:
            raise InputError(f"[anode] {mat.name} is a foil; keys {sorted(composite)} apply to composites only")
        layer = make_composite(mat.name, volume_fractions={"active": 1.0}, porosity=0.0,
                               thickness_um=thickness_um, loading_mg_cm2=loading_mg_cm2, where="anode")
        return Anode(material=mat.name, kind="foil", layer=layer)
    if "porosity" not in composite and "mass_fractions" not in composite and "volume_fractions" not in composite:
        raise InputError(f"[anode] composite {mat.name} needs mass_fractions or volume_fractions and porosity")
    layer = make_composite(mat.name, thickness_um=thickness_um, loading_mg_cm2=loading_mg_cm2,
                           where="anode", **composite)
    return Anode(material=mat.name, kind="composite", layer=layer)


def cell_ocv_window_V(design: StackDesign) -> tuple[float, float, float]:
    """(min, average, max) open-circuit cell voltage over the materials' windows.

    Parameters
    ----------
    design
        The stack.

    Returns
    -------
    tuple of float
        (min, average, max) cell OCV, V.
    """
    c = get_active_material(design.cathode.active_material)
    a = get_active_material(design.anode.material)
    c_lo, c_hi = c.ocv_window_V()
    a_lo, a_hi = a.ocv_window_V()
    return c_lo - a_hi, c.voltage_avg_V - a.voltage_avg_V, c_hi - a_lo


def check_cutoffs(design: StackDesign) -> None:
    """Raise :class:`InputError` when the cut-off voltages miss the cell's OCV window.

    Parameters
    ----------
    design
        The stack.
    """
    lo, avg, hi = cell_ocv_window_V(design)
    if avg <= 0:
        raise InputError(f"{design.cathode.active_material} | {design.anode.material} has no positive "
                         f"cell voltage (average {avg:.2f} V); swap the electrodes?")
    if design.cutoff_low_V is not None and not 0.0 <= design.cutoff_low_V < avg:
        raise InputError(f"[cell] cutoff_low_V = {design.cutoff_low_V} V lies outside the OCV window: "
                         f"must be >= 0 and below the average cell OCV {avg:.2f} V (window {lo:.2f}-{hi:.2f} V)")
    if design.cutoff_high_V is not None and design.cutoff_high_V <= avg:
        raise InputError(f"[cell] cutoff_high_V = {design.cutoff_high_V} V lies outside the OCV window: "
                         f"must be above the average cell OCV {avg:.2f} V (window {lo:.2f}-{hi:.2f} V)")
