"""Planetary ball milling: the run record and its dose (Burgio et al. 1991).

The collision model of Burgio, Iasonna, Magini, Martelli and Padella (Il Nuovo
Cimento D 13 (1991) 459, DOI 10.1007/BF02452130) gives the energy a ball of
mass ``m_b`` and diameter ``d_b`` releases per hit in a vial of radius ``R_v``
on a disc of radius ``R_p`` turning at ``w_p`` while the vial turns at ``w_v``
(counter-rotating, ``w_v = -ratio * w_p``):

    dE_b = -phi_b * K_a * m_b * (w_v**3 * r / w_p + w_p * w_v * R_p) * r,   r = R_v - d_b/2

(their eq. for the released energy; ``K_a`` = 1 for a fully inelastic hit,
``phi_b`` <= 1 the reduction of the free flight when the vial is filled with
balls), the hit frequency ``f = K N_b (w_p - w_v) / (2 pi)`` (``K`` ~ 1), the
milling power ``P = dE_b f`` and the specific dose ``D = P t / m_powder``
(``science.md`` §7). Mills and labs are compared by ``D`` (J/g), not by rpm.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..citations import cite
from ..errors import InputError, require_positive
from ..records import Record

__all__ = ["MillingRun", "MillingDose", "milling_dose", "BALL_DENSITIES_G_CM3"]

#: densities of common ball materials, g/cm3 (typical manufacturer values)
BALL_DENSITIES_G_CM3: dict[str, float] = {
    "zirconia": 6.0,    # yttria-stabilised ZrO2
    "steel": 7.8,       # hardened/stainless steel
    "tungsten carbide": 14.9,
    "agate": 2.65,
    "alumina": 3.9,
    "silicon nitride": 3.2,
}


@dataclass(frozen=True)
class MillingRun(Record):
    """What was done in the mill (the record kept beside the resulting sigma).

    Attributes
    ----------
    mill
        Mill model or type (``"Fritsch P7 premium"``, ``"planetary"``).
    jar_material, ball_material
        Materials; ``ball_material`` selects the density unless ``ball_density_g_cm3`` is set.
    ball_diameter_mm, n_balls
        Ball size and number.
    powder_mass_g
        Powder charge, g; the ball-to-powder ratio follows from it.
    rpm
        Disc (main) speed, revolutions per minute.
    time_h
        Net milling time (pauses excluded), h.
    disc_radius_mm
        Distance of the vial centre from the disc centre (``R_p``), mm.
    vial_radius_mm
        Inner radius of the vial (``R_v``), mm.
    speed_ratio
        Vial-to-disc speed ratio magnitude (vial counter-rotates), e.g. 2 for a Fritsch P7.
    filling_factor
        ``phi_b`` in (0, 1]: 1 for few balls, lower for a well-filled vial.
    ball_density_g_cm3
        Overrides the density of ``ball_material``.
    """

    mill: str
    jar_material: str
    ball_material: str
    ball_diameter_mm: float
    n_balls: int
    powder_mass_g: float
    rpm: float
    time_h: float
    disc_radius_mm: float
    vial_radius_mm: float
    speed_ratio: float = 2.0
    filling_factor: float = 1.0
    ball_density_g_cm3: float | None = None

    @property
    def ball_mass_g(self) -> float:
        """Mass of one ball, g."""
        return _density(self) * math.pi / 6.0 * (self.ball_diameter_mm / 10.0) ** 3

    @property
    def ball_to_powder_ratio(self) -> float:
        """Total ball mass over powder mass (BPR)."""
        return self.n_balls * self.ball_mass_g / self.powder_mass_g


@dataclass(frozen=True)
class MillingDose(Record):
    """Energy input of a milling run (Burgio et al. 1991).

    Attributes
    ----------
    run
        The :class:`MillingRun`.
    ball_mass_g, ball_to_powder_ratio
        Derived from the run.
    energy_per_hit_J
        ``dE_b``.
    hit_frequency_Hz
        Hits per second of all balls.
    power_W
        ``dE_b x frequency``.
    specific_power_W_per_g
        Power per gram of powder.
    dose_J_per_g, dose_kWh_per_kg
        Specific energy input over ``time_h``.
    notes, references
    """

    run: MillingRun
    ball_mass_g: float
    ball_to_powder_ratio: float
    energy_per_hit_J: float
    hit_frequency_Hz: float
    power_W: float
    specific_power_W_per_g: float
    dose_J_per_g: float
    dose_kWh_per_kg: float
    notes: tuple[str, ...] = ()
    references: tuple[str, ...] = field(default_factory=lambda: ("Burgio1991",))


def _density(run: MillingRun) -> float:
    if run.ball_density_g_cm3 is not None:
        return require_positive("ball_density_g_cm3", run.ball_density_g_cm3)
    key = run.ball_material.strip().lower()
    if key not in BALL_DENSITIES_G_CM3:
        from ..errors import did_you_mean

        raise InputError(f"ball material {run.ball_material!r} has no density here"
                         f"{did_you_mean(key, BALL_DENSITIES_G_CM3)}; give ball_density_g_cm3")
    return BALL_DENSITIES_G_CM3[key]


def _validate(run: MillingRun) -> None:
    for name in ("ball_diameter_mm", "powder_mass_g", "rpm", "time_h", "disc_radius_mm",
                 "vial_radius_mm", "speed_ratio"):
        require_positive(f"milling {name}", getattr(run, name))
    if int(run.n_balls) != run.n_balls or run.n_balls < 1:
        raise InputError(f"milling n_balls must be a whole number >= 1, got {run.n_balls!r}")
    if not 0.0 < run.filling_factor <= 1.0:
        raise InputError(f"milling filling_factor must lie in (0, 1], got {run.filling_factor!r}")
    if run.ball_diameter_mm >= 2 * run.vial_radius_mm:
        raise InputError(f"ball diameter {run.ball_diameter_mm} mm does not fit a vial of radius "
                         f"{run.vial_radius_mm} mm (mm vs cm?)")
    if run.vial_radius_mm >= run.disc_radius_mm * 2:
        raise InputError(f"vial radius {run.vial_radius_mm} mm is larger than the disc radius "
                         f"{run.disc_radius_mm} mm allows: check the units (mm)")


def milling_dose(run: MillingRun, *, impact_factor: float = 1.0, elasticity: float = 1.0) -> MillingDose:
    """Energy per hit, hit frequency, power and specific dose of a planetary-mill run.

    Parameters
    ----------
    run : MillingRun
        Mill geometry, balls, speeds, powder mass and time.
    impact_factor : float
        ``K`` of the hit frequency (Burgio et al. found ~1).
    elasticity : float
        ``K_a`` in (0, 1]: 1 for a fully inelastic collision.

    Returns
    -------
    MillingDose
        Energies in J, power in W, dose in J/g and kWh/kg.

    Examples
    --------
    >>> run = MillingRun("Fritsch P7", "zirconia", "zirconia", 10.0, 10, 1.0, 400.0, 10.0,
    ...                  disc_radius_mm=70.0, vial_radius_mm=22.5)
    >>> round(milling_dose(run).energy_per_hit_J, 4)
    0.027
    """
    _validate(run)
    require_positive("impact_factor", impact_factor)
    if not 0.0 < elasticity <= 1.0:
        raise InputError(f"elasticity K_a must lie in (0, 1], got {elasticity!r}")
    cite("Burgio1991", "energy per hit and hit frequency")
    w_p = 2.0 * math.pi * run.rpm / 60.0
    w_v = -run.speed_ratio * w_p
    r = (run.vial_radius_mm - run.ball_diameter_mm / 2.0) * 1e-3
    r_p = run.disc_radius_mm * 1e-3
    m_b = run.ball_mass_g * 1e-3
    e_hit = -run.filling_factor * elasticity * m_b * (w_v ** 3 * r / w_p + w_p * w_v * r_p) * r
    freq = impact_factor * run.n_balls * (w_p - w_v) / (2.0 * math.pi)
    power = e_hit * freq
    dose = power * run.time_h * 3600.0 / run.powder_mass_g
    notes = []
    if run.filling_factor == 1.0 and run.n_balls * (run.ball_diameter_mm / 2) ** 2 > (run.vial_radius_mm ** 2) / 2:
        notes.append("many balls for this vial: filling_factor < 1 is likely (Burgio et al. phi_b)")
    return MillingDose(run=run, ball_mass_g=run.ball_mass_g, ball_to_powder_ratio=run.ball_to_powder_ratio,
                       energy_per_hit_J=float(e_hit), hit_frequency_Hz=float(freq), power_W=float(power),
                       specific_power_W_per_g=float(power / run.powder_mass_g),
                       dose_J_per_g=float(dose), dose_kWh_per_kg=float(dose / 3600.0),
                       notes=tuple(notes))
