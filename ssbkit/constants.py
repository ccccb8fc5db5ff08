"""Physical constants in SI units, taken from :mod:`scipy.constants` (CODATA)."""

from __future__ import annotations

from scipy import constants as _c

__all__ = ["FARADAY", "K_B", "K_B_EV", "E_CHARGE", "N_A", "R_GAS", "EV_TO_KJ_PER_MOL", "ZERO_C"]

#: Faraday constant, C/mol.
FARADAY: float = _c.physical_constants["Faraday constant"][0]
#: Boltzmann constant, J/K.
K_B: float = _c.k
#: Boltzmann constant, eV/K.
K_B_EV: float = _c.physical_constants["Boltzmann constant in eV/K"][0]
#: Elementary charge, C.
E_CHARGE: float = _c.e
#: Avogadro constant, 1/mol.
N_A: float = _c.N_A
#: Molar gas constant, J/(mol K).
R_GAS: float = _c.R
#: 1 eV per particle in kJ/mol (96.485, science.md section 1).
EV_TO_KJ_PER_MOL: float = _c.e * _c.N_A / 1000.0
#: 0 degC in K.
ZERO_C: float = _c.zero_Celsius
