"""Building and caching PyBaMM's porous-electrode model as a solid-state cell.

The build half of :mod:`ssbkit.cell.p2d`: PyBaMM's DFN with the electrolyte
concentration held uniform (exact for a single-ion SE; Doyle 1993, Sulzer 2021) or
PyBaMM's SPMe (Marquis 2019), discretised once per cell geometry and kept in a small
cache; the current, temperature, initial stoichiometry and cut-off stay solver inputs.
"""

from __future__ import annotations

import os
import time
from collections import OrderedDict
from dataclasses import dataclass, fields
from typing import Any

from ..citations import cite
from .active_materials import ActiveMaterial
from .p2d_params import (
    P2DParams,
    c_max_mol_m3,
    loaded_active_mass_g,
    model_options,
    solid_state_parameter_dict,
)

__all__ = ["clear_cache"]

# Mesh: the SE separator carries no reaction (Ohm's law is exact with a few cells).
# In the ohmic regime the reaction front is sharp and a coarse mesh smears it (the
# capacity comes out a little high); 60 cells through the cathode keep it within ~1 % of a 120-cell mesh at
# 1C and ~4 % at 3C (NCM811, 80 um, sigma_SE 0.5 mS/cm); 10 shells in the particles
# agree with 20 to 0.2 %.
_VAR_PTS = {"x_n": 30, "x_s": 5, "x_p": 60, "r_n": 10, "r_p": 10}
#: SPMe: the electrolyte is a leading-order correction, so a coarse x mesh is enough.
_VAR_PTS_SPME = {"x_n": 10, "x_s": 3, "x_p": 10, "r_n": 10, "r_p": 10}
_CACHE_SIZE = 16
#: The solver returns only these (PyBaMM's ``output_variables``: no full state to store).
_OUTPUTS = ["Voltage [V]"]


@dataclass
class _Built:
    """A built simulation and the numbers that convert its output."""

    sim: Any
    material: ActiveMaterial
    c_max: float  # mol/m3
    active_mass_g: float
    practical_mAh: float
    build_s: float
    model: str = "DFN"
    loose_solver: Any = None


_CACHE: OrderedDict[tuple, _Built] = OrderedDict()


def clear_cache() -> None:
    """Forget the built models (the next simulation rebuilds)."""
    _CACHE.clear()


def _geometry_key(p: P2DParams, m: ActiveMaterial, model: str, var_pts: dict | None) -> tuple:
    skip = {"temperature_c", "cutoff_V", "cutoff_high_V", "references", "anode_initial_sto", "foil_capacity_mAh_cm2"}
    return (m.name, model, tuple(sorted((var_pts or _VAR_PTS).items()))) + tuple(
        getattr(p, f.name) for f in fields(p) if f.name not in skip)


def _get_built(p: P2DParams, m: ActiveMaterial, model: str = "DFN", var_pts: dict | None = None) -> _Built:
    key = _geometry_key(p, m, model, var_pts)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    built = _build(p, m, model, var_pts)
    _CACHE[key] = built
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return built


def _single_ion_dfn(pybamm: Any) -> Any:
    """PyBaMM's DFN with the electrolyte concentration held at its initial value.

    With a single-ion SE (t+ = 1, thermodynamic factor 1: the parameter set of
    :func:`~ssbkit.cell.p2d_params.solid_state_parameter_dict`) the DFN's electrolyte
    diffusion equation has no source and a uniform start, so c_e stays uniform: the
    constant-concentration submodel is the same solution (to the solver's tolerance) with
    one PDE fewer to discretise and solve (tests/cell/test_p2d_solid_state.py checks it
    against the full DFN).
    """
    global _SINGLE_ION_DFN
    if _SINGLE_ION_DFN is None:
        class SingleIonDFN(pybamm.lithium_ion.DFN):  # type: ignore[misc,name-defined]
            def set_electrolyte_concentration_submodel(self) -> None:
                self.submodels["electrolyte diffusion"] = pybamm.electrolyte_diffusion.ConstantConcentration(
                    self.param, self.options)

        _SINGLE_ION_DFN = SingleIonDFN
    return _SINGLE_ION_DFN


_SINGLE_ION_DFN: Any = None


def _build(p: P2DParams, m: ActiveMaterial, model: str = "DFN", var_pts: dict | None = None) -> _Built:
    """Set up PyBaMM's DFN (or SPMe) as a solid-state cell (see the module docstring)."""
    os.environ.setdefault("PYBAMM_DISABLE_TELEMETRY", "true")
    t0 = time.perf_counter()
    try:
        import pybamm
    except ImportError:
        raise ImportError("the P2D model needs PyBaMM: pip install 'ssbkit[cell]'") from None
    if model == "PyBaMM-SPMe":
        cite("Marquis2019")
    mdl = (pybamm.lithium_ion.SPMe if model == "PyBaMM-SPMe" else _single_ion_dfn(pybamm))(model_options(p))
    pv = pybamm.ParameterValues(solid_state_parameter_dict(p, m, pybamm))
    solver = pybamm.IDAKLUSolver(rtol=1e-6, atol=1e-6, output_variables=_OUTPUTS)
    pts = dict(_VAR_PTS if model == "DFN" else _VAR_PTS_SPME, **(var_pts or {}))
    if not p.full_cell:
        pts = {k: v for k, v in pts.items() if k not in ("x_n", "r_n")} | {"x_n": 4, "r_n": 4}
    sim = pybamm.Simulation(mdl, parameter_values=pv, var_pts=pts, solver=solver)
    sim.build()
    mass_g = loaded_active_mass_g(p)
    return _Built(sim=sim, material=m, c_max=c_max_mol_m3(m), active_mass_g=mass_g,
                  practical_mAh=m.capacity_practical_mAh_per_g * mass_g,
                  build_s=time.perf_counter() - t0, model=model)
