"""Active-material | solid-electrolyte interfaces: contact area, coating, charge transfer, contact loss.

Science.md section 8. Per unit of active/SE *contact* area the interface is a
series of

- an interphase film (the reaction layer a sulfide forms on an uncoated oxide,
  Sakuda 2010, Nishio 2022), area-specific resistance ``r_film``;
- a coating layer (LiNbO3, Li3PO4 ...): ``r_coat = thickness / sigma_coat``;
- charge transfer with exchange current density i0: R_ct = R T / (F i0) in the
  linear regime, eta_ct = (2 R T / F) asinh(i / (2 i0)) (symmetric Butler-Volmer).

The electrode's interfacial resistance per electrode area divides the sum by
the contact area per electrode area, ``a_c L (1 - f_loss)``: ``a_c`` the
contact area per composite volume (from the microstructure's voxel analysis,
``specific_area_am_se_per_um``, or the estimate of :func:`contact_area_estimate`),
L the thickness, f_loss the fraction of that contact lost (R-20, contact loss).
Active material with no ionic or electronic path at all is dead capacity
(``dead_fraction``).

Temperature: every term follows an Arrhenius law with its own activation energy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from ..citations import cite
from ..constants import FARADAY, R_GAS, ZERO_C
from ..errors import InputError, did_you_mean, require_fraction, require_positive
from ..records import Record

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import ArrayLike

__all__ = [
    "Coating",
    "COATINGS",
    "InterfaceData",
    "interface_data_for",
    "InterfaceModel",
    "contact_area_estimate",
    "charge_transfer_resistance_ohm_cm2",
    "exchange_current_from_rct",
    "T_REF_C",
    "resolve_interface",
    "INTERFACES",
]

T_REF_C = 25.0
_RT_F_25C = R_GAS * (T_REF_C + ZERO_C) / FARADAY


def charge_transfer_resistance_ohm_cm2(i0_mA_per_cm2: float, temperature_c: float = T_REF_C) -> float:
    """Linear charge-transfer resistance R_ct = R T / (F i0) per contact area (science.md 8).

    Parameters
    ----------
    i0_mA_per_cm2
        Exchange current density per contact area, mA/cm2.
    temperature_c
        Temperature, degC.

    Returns
    -------
    float
        R_ct, Ohm cm2 (of contact area).

    Examples
    --------
    >>> round(charge_transfer_resistance_ohm_cm2(2.99), 2)
    8.59
    """
    i0 = require_positive("i0_mA_per_cm2", i0_mA_per_cm2) * 1e-3
    return R_GAS * (float(temperature_c) + ZERO_C) / (FARADAY * i0)


def exchange_current_from_rct(rct_ohm_cm2: float, temperature_c: float = T_REF_C) -> float:
    """Exchange current density (mA/cm2) of a charge-transfer resistance, i0 = R T / (F R_ct).

    Parameters
    ----------
    rct_ohm_cm2
        Charge-transfer resistance per contact area, Ohm cm2.
    temperature_c
        Temperature, degC.

    Returns
    -------
    float
        i0, mA/cm2.
    """
    r = require_positive("rct_ohm_cm2", rct_ohm_cm2)
    return R_GAS * (float(temperature_c) + ZERO_C) / (FARADAY * r) * 1e3


@dataclass(frozen=True)
class Coating(Record):
    """A coating layer on the active particles (per contact area it adds thickness / sigma)."""

    name: str
    thickness_nm: float
    sigma_S_per_cm: float
    ea_eV: float
    references: tuple[str, ...] = ()

    def resistance_ohm_cm2(self, temperature_c: float = T_REF_C) -> float:
        """Area-specific resistance of the layer at ``temperature_c``, Ohm cm2 of contact.

        Parameters
        ----------
        temperature_c
            Temperature, degC.

        Returns
        -------
        float
            Ohm cm2 of contact area.
        """
        return self.thickness_nm * 1e-7 / self.sigma_S_per_cm * _arrhenius(self.ea_eV, temperature_c)


#: Coatings with thickness, conductivity at 25 degC and activation energy.
#: LiNbO3: ~7 nm optimum of Ohta 2007; amorphous LiNbO3 ~1e-5 S/cm at 25 degC (Glass 1978).
#: Li3PO4: the 10 nm buffer of Nishio 2022; conductivity of amorphous Li3PO4 ~3e-7 S/cm (order of
#: magnitude of sputtered Li3PO4 films, no dedicated source bundled: stated as an estimate).
COATINGS: dict[str, Coating] = {
    "LiNbO3": Coating("LiNbO3", 7.0, 1.0e-5, 0.4, ("Ohta2007", "Glass1978")),
    "Li3PO4": Coating("Li3PO4", 10.0, 3.0e-7, 0.6, ("Nishio2022",)),
}


@dataclass(frozen=True)
class InterfaceData(Record):
    """Interface of one active material with a solid electrolyte, per contact area, at 25 degC.

    Attributes
    ----------
    film_ohm_cm2
        Interphase (reaction-layer) resistance of the *uncoated* interface, Ohm cm2.
    i0_mA_per_cm2
        Exchange current density of charge transfer, mA/cm2.
    ea_film_eV, ea_i0_eV
        Activation energies of the two.
    suppressed_by_coating
        Whether a coating removes the interphase film (it does for oxides vs sulfides).
    references
        Sources.
    note
        How the numbers were obtained.
    """

    material: str
    film_ohm_cm2: float
    i0_mA_per_cm2: float
    ea_film_eV: float
    ea_i0_eV: float
    suppressed_by_coating: bool = True
    references: tuple[str, ...] = ()
    note: str = ""


# Haruta 2015: LiCoO2 | Li3PO4 (no interphase) 8.6 Ohm cm2 -> charge transfer of a clean interface,
# i0 = RT/(F 8.6 Ohm cm2) = 2.99 mA/cm2. Nishio 2022: the same LiCoO2 against a-Li3PS4 without the
# buffer is 2800 times more resistive -> interphase film 2800 x 8.6 = 2.4e4 Ohm cm2.
_I0_CLEAN = exchange_current_from_rct(8.6)
_FILM_LCO_SULFIDE = 2800.0 * 8.6
_OXIDE_NOTE = ("film: 2800 x the clean LiCoO2|Li3PO4 interface (Nishio 2022 x Haruta 2015, "
               "thin films); i0 from R_ct = 8.6 Ohm cm2 (Haruta 2015); Ea 0.35 eV assumed for both")
INTERFACES: dict[str, InterfaceData] = {
    "LiCoO2": InterfaceData("LiCoO2", _FILM_LCO_SULFIDE, _I0_CLEAN, 0.35, 0.35, True,
                            ("Nishio2022", "Haruta2015", "Sakuda2010"), _OXIDE_NOTE),
    "LTO": InterfaceData("LTO", 0.0, _I0_CLEAN, 0.35, 0.35, True, ("Haruta2015",),
                         "Li4Ti5O12 (1.55 V vs Li) lies inside the sulfide's stability window: no "
                         "interphase film; i0 of the clean oxide interface (Haruta 2015) used"),
}
_LAYERED = ("NCM111", "NCM622", "NCM811", "NCA", "LMO", "LNMO")
for _m in _LAYERED:
    INTERFACES[_m] = replace(INTERFACES["LiCoO2"], material=_m,
                             note=_OXIDE_NOTE + "; LiCoO2 values used for this oxide (no own data)")


def interface_data_for(material: str) -> InterfaceData:
    """The bundled interface data of ``material`` against a sulfide SE (or a clean, film-free default).

    Parameters
    ----------
    material
        Active-material name (as in :mod:`ssbkit.cell.active_materials`).

    Returns
    -------
    InterfaceData
        Its row; materials without one get no film and the clean-interface i0, saying so.
    """
    if material in INTERFACES:
        return INTERFACES[material]
    return InterfaceData(material, 0.0, _I0_CLEAN, 0.35, 0.35, True, ("Haruta2015",),
                         f"no interface data for {material}: no film, i0 of a clean oxide interface")


def contact_area_estimate(phi_active: float, phi_electrolyte: float, diameter_um: float) -> float:
    """Active/SE contact area per composite volume (um^2/um^3) from particle size and fractions.

    a_c = (6 phi_AM / d) theta: the surface of spheres of diameter d, times the
    share of it that touches SE, taken as the SE share of the non-active volume,
    theta = phi_SE / (1 - phi_AM) (random neighbours, no pressing). An estimate:
    the voxel analysis of the microstructure section measures it.

    Parameters
    ----------
    phi_active, phi_electrolyte
        Volume fractions of active material and SE in the composite.
    diameter_um
        Active-particle diameter, um.

    Returns
    -------
    float
        Contact area per volume, um^2/um^3 (= 1/um).

    Examples
    --------
    >>> round(contact_area_estimate(0.5, 0.4, 5.0), 3)
    0.48
    """
    pa = require_fraction("phi_active", phi_active)
    pe = require_fraction("phi_electrolyte", phi_electrolyte)
    d = require_positive("diameter_um", diameter_um)
    if pa >= 1.0:
        raise InputError("phi_active must be < 1 for an active/SE contact")
    return 6.0 * pa / d * pe / (1.0 - pa)


def _arrhenius(ea_eV: float, temperature_c: float) -> float:
    """exp(Ea/k (1/T - 1/T_ref)): the factor by which a resistance at 25 degC changes."""
    k_b = R_GAS / FARADAY  # eV/K
    return math.exp(ea_eV / k_b * (1.0 / (float(temperature_c) + ZERO_C) - 1.0 / (T_REF_C + ZERO_C)))


@dataclass(frozen=True)
class InterfaceModel(Record):
    """The resolved interface of one composite electrode (what the rate models use).

    Attributes
    ----------
    contact_area_per_um
        Active/SE contact area per composite volume, um^2/um^3.
    contact_area_source
        ``"microstructure"`` (voxel analysis), ``"estimate"`` or ``"design"``.
    film_ohm_cm2, i0_mA_per_cm2, ea_film_eV, ea_i0_eV
        Per contact area at 25 degC (film 0 when a coating suppresses it).
    coating
        The coating layer, or ``None``.
    contact_loss_fraction
        Share of the contact area lost (R-20), 0-1.
    dead_fraction
        Share of the active material with no ionic or electronic path (dead capacity).
    thickness_um
        Electrode thickness (to turn per-volume area into per-electrode-area area).
    references, notes
        Sources and how each number was obtained.
    """

    contact_area_per_um: float
    contact_area_source: str
    film_ohm_cm2: float
    i0_mA_per_cm2: float
    ea_film_eV: float
    ea_i0_eV: float
    coating: Coating | None
    contact_loss_fraction: float
    dead_fraction: float
    thickness_um: float
    references: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def contact_area_cm2_per_cm2(self) -> float:
        """Active contact area per electrode area, a_c L (1 - f_loss)."""
        return self.contact_area_per_um * self.thickness_um * (1.0 - self.contact_loss_fraction)

    def series_ohm_cm2(self, temperature_c: float = T_REF_C) -> float:
        """Film + coating resistance per *electrode* area, Ohm cm2 (linear part).

        Parameters
        ----------
        temperature_c
            Temperature, degC.

        Returns
        -------
        float
            Ohm cm2 of electrode area.
        """
        r = self.film_ohm_cm2 * _arrhenius(self.ea_film_eV, temperature_c)
        if self.coating is not None:
            r += self.coating.resistance_ohm_cm2(temperature_c)
        return r / self.contact_area_cm2_per_cm2

    def i0_electrode_mA_cm2(self, temperature_c: float = T_REF_C) -> float:
        """Exchange current per *electrode* area, mA/cm2.

        Parameters
        ----------
        temperature_c
            Temperature, degC.

        Returns
        -------
        float
            Exchange current per electrode area, mA/cm2.
        """
        return self.i0_mA_per_cm2 / _arrhenius(self.ea_i0_eV, temperature_c) * self.contact_area_cm2_per_cm2

    def overpotential_V(self, current_mA_cm2: ArrayLike, temperature_c: float = T_REF_C) -> np.ndarray:
        """Interface overpotential at electrode current density ``current_mA_cm2`` (film, coating, BV).

        Parameters
        ----------
        current_mA_cm2
            Electrode current density(ies), mA/cm2.
        temperature_c
            Temperature, degC.

        Returns
        -------
        numpy.ndarray
            Interface overpotential, V.
        """
        import numpy as np

        i = np.asarray(current_mA_cm2, dtype=float)
        rt_f = _RT_F_25C * (float(temperature_c) + ZERO_C) / (T_REF_C + ZERO_C)
        i0 = self.i0_electrode_mA_cm2(temperature_c)
        return i * 1e-3 * self.series_ohm_cm2(temperature_c) + 2.0 * rt_f * np.arcsinh(i / (2.0 * i0))

    def rct_electrode_ohm_cm2(self, temperature_c: float = T_REF_C) -> float:
        """Linear charge-transfer resistance per electrode area, R T / (F i0 a_c L), Ohm cm2.

        Parameters
        ----------
        temperature_c
            Temperature, degC.

        Returns
        -------
        float
            Ohm cm2 of electrode area.
        """
        return charge_transfer_resistance_ohm_cm2(self.i0_electrode_mA_cm2(temperature_c), temperature_c)


def resolve_interface(
    material: str,
    *,
    phi_active: float,
    phi_electrolyte: float,
    diameter_um: float | None,
    thickness_um: float,
    contact_area_per_um: float | None = None,
    contact_area_source: str = "design",
    coating: str | None = None,
    coating_thickness_nm: float | None = None,
    coating_sigma_S_per_cm: float | None = None,
    film_ohm_cm2: float | None = None,
    i0_mA_per_cm2: float | None = None,
    contact_loss_fraction: float = 0.0,
    dead_fraction: float = 0.0,
) -> InterfaceModel:
    """Resolve the interface of a composite from bundled data and the user's overrides.

    Parameters
    ----------
    material
        Active material (its bundled :class:`InterfaceData` against a sulfide).
    phi_active, phi_electrolyte, diameter_um
        For the contact-area estimate when ``contact_area_per_um`` is not given
        (diameter default 5 um).
    thickness_um
        Electrode thickness, um.
    contact_area_per_um, contact_area_source
        Measured contact area per volume (um^2/um^3) and where it came from.
    coating, coating_thickness_nm, coating_sigma_S_per_cm
        Coating name (``"none"``, ``"LiNbO3"``, ``"Li3PO4"``, or any name with
        both numbers given) and overrides of its thickness and conductivity.
    film_ohm_cm2, i0_mA_per_cm2
        Overrides of the film resistance and exchange current (per contact area, 25 degC).
    contact_loss_fraction, dead_fraction
        Contact lost (R-20) and dead active share, 0-1.

    Returns
    -------
    InterfaceModel
        With its references and notes.
    """
    data = interface_data_for(material)
    refs = list(data.references)
    notes = [data.note] if data.note else []
    contact_area_per_um, contact_area_source = _contact_area(
        contact_area_per_um, contact_area_source, phi_active, phi_electrolyte, diameter_um, notes)
    coat = _coating(coating, coating_thickness_nm, coating_sigma_S_per_cm)
    if coat is not None:
        refs.extend(coat.references)
    film = _film_ohm_cm2(data, coat, film_ohm_cm2, notes)
    i0 = data.i0_mA_per_cm2 if i0_mA_per_cm2 is None else require_positive("i0_mA_per_cm2", i0_mA_per_cm2)
    f_loss = require_fraction("contact_loss_fraction", contact_loss_fraction)
    dead = require_fraction("dead_fraction", dead_fraction)
    if f_loss >= 1.0 or dead >= 1.0:
        raise InputError("contact_loss_fraction and dead_fraction must be < 1")
    for k in refs:
        cite(k)
    return InterfaceModel(
        contact_area_per_um=float(contact_area_per_um), contact_area_source=contact_area_source,
        film_ohm_cm2=float(film), i0_mA_per_cm2=float(i0), ea_film_eV=data.ea_film_eV,
        ea_i0_eV=data.ea_i0_eV, coating=coat, contact_loss_fraction=f_loss, dead_fraction=dead,
        thickness_um=require_positive("thickness_um", thickness_um),
        references=tuple(dict.fromkeys(refs)), notes=tuple(notes))


def _contact_area(given: float | None, source: str, phi_active: float, phi_electrolyte: float,
                  diameter_um: float | None, notes: list[str]) -> tuple[float, str]:
    """(contact area per volume um^2/um^3, its source): the given one, else the estimate (noted)."""
    if given is not None:
        return require_positive("contact_area_per_um", given), source
    d = diameter_um if diameter_um else 5.0
    area = contact_area_estimate(phi_active, phi_electrolyte, d)
    notes.append(f"contact area estimated from particle size ({d:g} um) and fractions: "
                 f"{area:.3g} um^2/um^3 (no voxel analysis)")
    return area, "estimate"


def _film_ohm_cm2(data: InterfaceData, coat: Coating | None, override: float | None,
                  notes: list[str]) -> float:
    """Interphase film resistance, Ohm cm2 of contact: bundled, none under a coating that
    suppresses it, or the design's override (each choice noted)."""
    film = data.film_ohm_cm2
    if coat is not None and data.suppressed_by_coating and film > 0:
        film = 0.0
        notes.append(f"{coat.name} coating: no interphase film (Ohta 2007, Nishio 2022)")
    if override is not None:
        if not float(override) >= 0:
            raise InputError(f"interface film_ohm_cm2 must be >= 0, got {override!r}")
        film = float(override)
        notes.append(f"film resistance {film:g} Ohm cm2 from the design")
    return film


def _coating(name: str | None, thickness_nm: float | None, sigma: float | None) -> Coating | None:
    if name is None or str(name).lower() in ("", "none", "uncoated"):
        if thickness_nm is not None or sigma is not None:
            raise InputError("coating_thickness_nm / coating_sigma_S_per_cm need a coating name")
        return None
    base = COATINGS.get(str(name))
    if base is None:
        if thickness_nm is None or sigma is None:
            raise InputError(f"unknown coating {name!r}{did_you_mean(str(name), COATINGS)}; for another "
                             "coating give coating_thickness_nm and coating_sigma_S_per_cm")
        base = Coating(str(name), 1.0, 1.0, 0.4, ())
    return replace(
        base,
        thickness_nm=base.thickness_nm if thickness_nm is None else require_positive("coating_thickness_nm", thickness_nm),
        sigma_S_per_cm=base.sigma_S_per_cm if sigma is None else require_positive("coating_sigma_S_per_cm", sigma))
