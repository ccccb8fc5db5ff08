"""Transport core: conductivity from resistance, Arrhenius, VTF, Nernst–Einstein."""

from .arrhenius import ArrheniusFit, arrhenius, arrhenius_from_point, fit_arrhenius
from .conductivity import Measurement, conductivity_from_resistance, pellet_area_cm2
from .extrapolation import Extrapolation, extrapolate_sigma, require_celsius
from .nernst_einstein import (
    conductivity_from_mobility,
    diffusivity_from_conductivity,
    haven_ratio,
    nernst_einstein_conductivity,
)
from .vtf import VTFFit, fit_vtf, vtf

__all__ = [
    "ArrheniusFit",
    "arrhenius",
    "arrhenius_from_point",
    "fit_arrhenius",
    "Extrapolation",
    "extrapolate_sigma",
    "require_celsius",
    "Measurement",
    "conductivity_from_resistance",
    "pellet_area_cm2",
    "conductivity_from_mobility",
    "diffusivity_from_conductivity",
    "haven_ratio",
    "nernst_einstein_conductivity",
    "VTFFit",
    "fit_vtf",
    "vtf",
]
