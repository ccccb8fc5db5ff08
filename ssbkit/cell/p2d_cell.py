"""The solid-state cell of the P2D model: its record and the state of a (dis)charge.

:class:`P2DParams` describes composite cathode | SE separator | Li or Li-In foil
(PyBaMM's half-cell form) or a composite anode (graphite, Si, LTO ...: the full DFN);
the functions here give its 1C current, initial stoichiometries and cut-offs
without PyBaMM. :mod:`ssbkit.cell.p2d_params` turns it into PyBaMM parameters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..constants import FARADAY
from ..errors import InputError
from ..records import Record
from .active_materials import ActiveMaterial, get_active_material

__all__ = [
    "P2DParams",
    "FOIL_ANODES",
    "LITHIUM_EXCHANGE_CURRENT_A_PER_M2",
    "c_max_mol_m3",
    "check_anode",
    "anode_shift_V",
    "active_volume_m3",
    "nominal_current_A",
    "loaded_active_mass_g",
    "anode_start_sto",
    "open_circuit_V",
    "cutoff_V",
    "initial_state",
]

#: Foil counter electrodes (PyBaMM's half-cell form; their potential comes from active_materials).
FOIL_ANODES = ("Li", "Li-In")

#: Exchange-current density of the lithium-metal counter electrode, A/m2: Xu2019's
#: 3.5e-8 F c_Li^0.7 c_e^0.3 at c_Li = 76,900 mol/m3 and c_e = 1000 mol/m3, ~3.7 Ohm cm2.
LITHIUM_EXCHANGE_CURRENT_A_PER_M2 = 70.0


@dataclass(frozen=True)
class P2DParams(Record):
    """A solid-state cell: composite cathode | SE separator | foil or composite anode.

    Attributes
    ----------
    active_material
        Cathode active material (:func:`ssbkit.cell.active_materials.get_active_material`).
    cathode_thickness_um, separator_thickness_um
        Layer thicknesses, um.
    active_volume_fraction, electrolyte_volume_fraction
        Volume fractions of active material and SE in the composite cathode.
    cathode_tortuosity, separator_tortuosity
        Tortuosity factors tau of the SE network (sigma_eff = sigma eps / tau, R-17).
    particle_radius_um
        Cathode active-particle radius, um.
    sigma_se_S_per_cm
        SE conductivity at ``temperature_c``, S/cm.
    electronic_conductivity_S_per_cm
        Effective electronic conductivity of the composites, S/cm.
    anode
        ``"Li"`` or ``"Li-In"`` (foil) or a composite anode material (graphite, Si, LTO ...).
    anode_thickness_um, anode_active_volume_fraction, anode_electrolyte_volume_fraction,
    anode_tortuosity, anode_particle_radius_um
        The composite anode (only with a composite ``anode``).
    anode_initial_sto
        Lithium fraction of the anode at the start of a discharge (default: it holds the
        cathode's window above the bottom of its own).
    temperature_c, area_cm2
        Cell temperature (degC) and electrode area (cm2).
    cutoff_V
        Cut-off voltage of the cell; ``None``: the OCV at the end of the windows.
    cutoff_high_V
        If set, each discharge follows a charge at the same rate to this voltage and
        starts from the charged (relaxed) state, as in the fast model.
    particle_diffusivity_m2_per_s, exchange_current_A_per_m2
        Cathode overrides at 25 degC (per PyBaMM particle surface); ``None`` uses the table.
    film_resistance_ohm_m2
        Interface film + coating resistance per PyBaMM particle surface at ``temperature_c``.
    foil_capacity_mAh_cm2
        Lithium a foil counter electrode holds or takes up (Li: its lithium; Li-In: the indium's
        LiIn capacity), mAh/cm2; a (dis)charge ends when it is spent, as in the fast model.
        ``None``: unlimited.
    dead_fraction
        Share of the cathode's active material with no ionic or electronic path (0-1):
        ``active_volume_fraction`` is the live share that cycles, and the C-rate (1C) and
        the mAh/g refer to all of it, live / (1 - dead_fraction), as in the fast model.
    references
        Citation keys of the numbers above.
    """

    active_material: str
    cathode_thickness_um: float
    separator_thickness_um: float
    active_volume_fraction: float
    electrolyte_volume_fraction: float
    cathode_tortuosity: float
    particle_radius_um: float
    sigma_se_S_per_cm: float
    separator_tortuosity: float = 1.0
    electronic_conductivity_S_per_cm: float = 1.0
    anode: str = "Li"
    temperature_c: float = 25.0
    area_cm2: float = 1.0
    cutoff_V: float | None = None
    cutoff_high_V: float | None = None
    particle_diffusivity_m2_per_s: float | None = None
    exchange_current_A_per_m2: float | None = None
    film_resistance_ohm_m2: float = 0.0
    anode_thickness_um: float | None = None
    anode_active_volume_fraction: float | None = None
    anode_electrolyte_volume_fraction: float | None = None
    anode_tortuosity: float | None = None
    anode_particle_radius_um: float | None = None
    anode_initial_sto: float | None = None
    dead_fraction: float = 0.0
    foil_capacity_mAh_cm2: float | None = None
    references: tuple[str, ...] = ()

    @property
    def full_cell(self) -> bool:
        """True with a composite anode (full DFN), False with a foil (half-cell form)."""
        return self.anode not in FOIL_ANODES


_ANODE_FIELDS = ("anode_thickness_um", "anode_active_volume_fraction", "anode_electrolyte_volume_fraction",
                 "anode_tortuosity", "anode_particle_radius_um")


def c_max_mol_m3(m: ActiveMaterial) -> float:
    """Maximum lithium concentration of an active material from its capacity and density, mol/m3.

    Parameters
    ----------
    m
        The material.

    Returns
    -------
    float
    """
    return m.capacity_theoretical_mAh_per_g * 3.6 * m.density_g_per_cm3 * 1e6 / FARADAY


def _num(v: float | None) -> float:
    """A set number (the composite-anode fields are checked by :func:`check_anode` first)."""
    if v is None:
        raise InputError("a composite anode field is missing")
    return float(v)


def check_anode(p: P2DParams) -> None:
    """Raise :class:`InputError` unless a composite anode has all its fields (and a foil none).

    Parameters
    ----------
    p
        The cell.
    """
    if not p.full_cell:
        return
    ma = get_active_material(p.anode)
    if ma.role != "negative":
        raise InputError(f"anode {p.anode!r} is not a negative-electrode material")
    missing = [f for f in _ANODE_FIELDS if getattr(p, f) is None]
    if missing:
        raise InputError(f"a composite {p.anode} anode needs {', '.join(missing)}")
    for f in _ANODE_FIELDS:
        if not float(getattr(p, f)) > 0:
            raise InputError(f"{f} must be > 0, got {getattr(p, f)!r}")
    if _num(p.anode_active_volume_fraction) + _num(p.anode_electrolyte_volume_fraction) > 1.0 + 1e-9:
        raise InputError("anode_active_volume_fraction + anode_electrolyte_volume_fraction must be <= 1")
    if _num(p.anode_tortuosity) < 1.0:
        raise InputError(f"anode_tortuosity must be >= 1, got {p.anode_tortuosity!r}")


def anode_shift_V(p: P2DParams) -> float:
    """Potential of a foil counter electrode vs Li (PyBaMM's half cell puts it at 0 V); 0 for full cells.

    Parameters
    ----------
    p
        The cell.

    Returns
    -------
    float
        V.
    """
    return 0.0 if p.full_cell else get_active_material(p.anode).voltage_avg_V


def active_volume_m3(p: P2DParams) -> float:
    """Cathode active-material volume, m3.

    Parameters
    ----------
    p
        The cell.

    Returns
    -------
    float
        Volume of active material in the cathode, m3 (fraction x thickness x area).

    Examples
    --------
    60 vol% active in 50 um over 1 cm2: 0.6 x 50e-6 m x 1e-4 m2.

    >>> p = P2DParams("LiCoO2", 50.0, 30.0, 0.6, 0.3, 1.5, 2.5, 1e-3)
    >>> f"{active_volume_m3(p):.3g}"
    '3e-09'
    """
    return p.active_volume_fraction * p.cathode_thickness_um * 1e-6 * p.area_cm2 * 1e-4


def nominal_current_A(p: P2DParams) -> float:
    """The 1C current: the cathode's practical capacity (loading x practical mAh/g) in one hour, A.

    Parameters
    ----------
    p
        The cell.

    Returns
    -------
    float
        The 1C current, A.

    Examples
    --------
    3e-3 cm3 of LiCoO2 (5.05 g/cm3) at its practical 140 mAh/g: 2.121 mAh, so 2.121 mA at 1C.

    >>> p = P2DParams("LiCoO2", 50.0, 30.0, 0.6, 0.3, 1.5, 2.5, 1e-3)
    >>> round(nominal_current_A(p) * 1e3, 3)
    2.121
    """
    m = get_active_material(p.active_material)
    return m.capacity_practical_mAh_per_g * loaded_active_mass_g(p) * 3.6 / 3600.0


def loaded_active_mass_g(p: P2DParams) -> float:
    """Mass of all the cathode's active material, live and dead (the mAh/g and 1C basis), g.

    Parameters
    ----------
    p
        The cell.

    Returns
    -------
    float
        live volume / (1 - dead_fraction) x density, g.
    """
    m = get_active_material(p.active_material)
    return active_volume_m3(p) / (1.0 - float(p.dead_fraction)) * 1e6 * m.density_g_per_cm3


def anode_start_sto(p: P2DParams) -> float:
    """Anode lithium fraction at the start of a discharge (it holds the cathode's window).

    Parameters
    ----------
    p
        The cell (full cell).

    Returns
    -------
    float
        Lithium fraction.
    """
    if p.anode_initial_sto is not None:
        return float(p.anode_initial_sto)
    m, ma = get_active_material(p.active_material), get_active_material(p.anode)
    lo, hi = m.sto_range
    q_c = c_max_mol_m3(m) * active_volume_m3(p) * (hi - lo)
    v_a = _num(p.anode_active_volume_fraction) * _num(p.anode_thickness_um) * 1e-6 * p.area_cm2 * 1e-4
    return min(ma.sto_range[0] + q_c / (c_max_mol_m3(ma) * v_a), ma.sto_range[1])


def open_circuit_V(p: P2DParams, charge: bool) -> tuple[float, float]:
    """(OCV at the start, OCV at the end of the windows) of a (dis)charge, cell voltage.

    Parameters
    ----------
    p
        The cell.
    charge
        True for a charge.

    Returns
    -------
    tuple of float
        Open-circuit cell voltages (vs a foil counter electrode), V.
    """
    m = get_active_material(p.active_material)
    lo, hi = m.sto_range
    shift = anode_shift_V(p)
    if not p.full_cell:
        v_lo_end, v_hi_end = float(m.ocv_v(hi)) - shift, float(m.ocv_v(lo)) - shift
        return (v_lo_end, v_hi_end) if charge else (v_hi_end, v_lo_end)
    ma = get_active_material(p.anode)
    a_full, a_empty = anode_start_sto(p), ma.sto_range[0]
    charged = float(m.ocv_v(lo)) - float(ma.ocv_v(a_full))
    discharged = float(m.ocv_v(hi)) - float(ma.ocv_v(a_empty))
    return (discharged, charged) if charge else (charged, discharged)


def cutoff_V(p: P2DParams, charge: bool) -> float:
    """Cut-off of the cell (vs a foil counter electrode); checked against the open-circuit window.

    Parameters
    ----------
    p
        The cell.
    charge
        True for a charge.

    Returns
    -------
    float
        Cut-off, V.
    """
    v_start, v_end = open_circuit_V(p, charge)
    if p.cutoff_V is None:
        return v_end
    c = float(p.cutoff_V)
    if not math.isfinite(c):
        raise InputError(f"cutoff_V must be a finite voltage, got {p.cutoff_V!r}")
    shift = anode_shift_V(p)
    if charge and not (v_start < c < 6.0 - shift):
        raise InputError(f"cutoff_V {c:g} V for a charge must lie above the open-circuit voltage at "
                         f"the start ({v_start:.3f} V vs {p.anode}) and below {6.0 - shift:.2f} V")
    if not charge and not (-shift < c < v_start):
        raise InputError(f"cutoff_V {c:g} V for a discharge must lie below the open-circuit voltage "
                         f"at the start ({v_start:.3f} V vs {p.anode}) and above {-shift:.2f} V (0 V vs Li)")
    return c


def initial_state(p: P2DParams, *, charge: bool) -> dict[str, float]:
    """PyBaMM inputs of a (dis)charge: initial stoichiometries and the cut-offs (PyBaMM's voltage).

    Parameters
    ----------
    p
        The cell.
    charge
        True for a charge.

    Returns
    -------
    dict
        ``sto0`` (``sto0_n``), ``V_lo``, ``V_hi``.
    """
    m = get_active_material(p.active_material)
    lo, hi = m.sto_range
    cut = cutoff_V(p, charge) + anode_shift_V(p)
    out = {"sto0": hi if charge else lo, "V_lo": 0.0 if charge else cut, "V_hi": cut if charge else 10.0}
    if p.full_cell:
        ma = get_active_material(p.anode)
        out["sto0_n"] = ma.sto_range[0] if charge else anode_start_sto(p)
    return out
