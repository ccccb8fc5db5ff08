"""Circuit elements: impedance of one element as a function of angular frequency.

Every element is an :class:`Element` record in a registry (:func:`get_element`,
:func:`register_element`). Its ``z(w, *p)`` takes the angular frequency
``w`` (rad/s, 1-D array) and its parameters in SI (ohm, F, H, s, F s^(n-1) ...)
and returns the complex impedance in ohm (capacitive: Z'' < 0). An optional
``dz(w, z, *p)`` returns the list of partial derivatives dZ/dp_k; without it
the circuit compiler differentiates numerically.

Composite-electrode models follow ``science.md`` §2 (equation numbers R-n of
Falco et al., Mol. Syst. Des. Eng. 4 (2019) 850; R-11 and R-14 in their
corrected forms from Bisquert, Phys. Chem. Chem. Phys. 2 (2000) 4185). The
transmission lines take *whole-electrode* quantities: R_ion = r_ion d,
R_e = r_e d (ohm), C_dl = c_dl d (F); the thickness d then cancels.
"""

from __future__ import annotations

import cmath
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ssbkit.errors import InputError, did_you_mean

__all__ = [
    "Element",
    "register_element",
    "get_element",
    "element_names",
    "POSITIVE",
    "EXPONENT",
    "REAL",
]

POSITIVE = "positive"  # fitted in log space, > 0
EXPONENT = "exponent"  # 0 < n <= 1, fitted linearly with bounds
REAL = "real"  # any real number

_NAME_RE = re.compile(r"^[A-Za-z]+$")


@dataclass(frozen=True)
class Element:
    """One circuit element.

    Attributes
    ----------
    name
        Letters only (``"R"``, ``"CPE"``, ``"TLMQ"``); a circuit string writes it
        followed by an optional number (``CPE1``).
    params
        Parameter suffixes, e.g. ``("Q", "n")``; a one-parameter element's only
        parameter is named after the element itself (``R0``).
    units
        Unit of each parameter (for tables).
    kinds
        :data:`POSITIVE`, :data:`EXPONENT` or :data:`REAL` for each parameter.
    defaults
        Generic start values (overridden by data-driven start values).
    z
        ``z(w, *p) -> complex ndarray`` (ohm), ``w`` in rad/s.
    dz
        Optional ``dz(w, z, *p) -> list[complex ndarray]`` analytic derivatives.
    cdc
        Single-letter code in Boukamp's circuit description code, or ``""``.
    reference
        Where the formula comes from.
    """

    name: str
    params: tuple[str, ...]
    units: tuple[str, ...]
    kinds: tuple[str, ...]
    defaults: tuple[float, ...]
    z: Callable[..., np.ndarray]
    dz: Callable[..., list] | None = None
    cdc: str = ""
    reference: str = ""
    doc: str = ""
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def n_params(self) -> int:
        return len(self.params)

    def param_names(self, label: str) -> list[str]:
        """Full parameter names for an element labelled ``label`` (``CPE1`` -> ``CPE1_Q``).

        Parameters
        ----------
        label
            The element's label in the circuit, e.g. ``"CPE1"``.

        Returns
        -------
        list of str
            ``[label]`` for a one-parameter element, else ``label_<param>`` for each parameter.

        Examples
        --------
        >>> get_element("CPE").param_names("CPE1")
        ['CPE1_Q', 'CPE1_n']
        >>> get_element("R").param_names("R0")
        ['R0']
        """
        if self.n_params == 1:
            return [label]
        return [f"{label}_{p}" for p in self.params]

    def __call__(self, f_hz, *p) -> np.ndarray:
        """Impedance (ohm) at frequencies ``f_hz`` (Hz)."""
        w = 2.0 * np.pi * np.asarray(f_hz, dtype=float)
        return self.z(w, *p)


_REGISTRY: dict[str, Element] = {}


def register_element(element: Element, *, overwrite: bool = False) -> Element:
    """Add an element to the registry so that circuit strings can use it.

    Raises :class:`InputError` for a name that is not letters only, that is
    taken (unless ``overwrite``), or whose parameter tuples disagree in length.

    Parameters
    ----------
    element
        The :class:`Element` to add (its ``name`` is what circuit strings use).
    overwrite
        Replace an element already registered under the same name.

    Returns
    -------
    Element
        ``element`` itself (so the call can be used as a decorator-like expression).
    """
    if not _NAME_RE.match(element.name):
        raise InputError(f"element name {element.name!r} must be letters only (e.g. 'Rct')")
    n = len(element.params)
    if n == 0 or not (len(element.units) == len(element.kinds) == len(element.defaults) == n):
        raise InputError(
            f"element {element.name!r}: params, units, kinds and defaults need the same length >= 1"
        )
    bad = [k for k in element.kinds if k not in (POSITIVE, EXPONENT, REAL)]
    if bad:
        raise InputError(f"element {element.name!r}: kind {bad[0]!r} is not positive/exponent/real")
    if element.name in _REGISTRY and not overwrite:
        raise InputError(f"element {element.name!r} is already registered (pass overwrite=True)")
    _REGISTRY[element.name] = element
    import sys

    circuit_mod = sys.modules.get("ssbkit.impedance.circuit")
    if circuit_mod is not None and hasattr(circuit_mod, "_CACHE"):  # compiled circuits may hold the element replaced
        circuit_mod._CACHE.clear()
    return element


def get_element(name: str) -> Element:
    """The registered element called ``name``; :class:`InputError` with a suggestion otherwise.

    Parameters
    ----------
    name
        Element name as written in circuit strings, e.g. ``"CPE"``.

    Returns
    -------
    Element
        The registered element.

    Examples
    --------
    >>> get_element("CPE").params
    ('Q', 'n')
    """
    try:
        return _REGISTRY[name]
    except KeyError:
        raise InputError(f"unknown circuit element {name!r}{did_you_mean(name, _REGISTRY)}") from None


def element_names() -> list[str]:
    """Names of all registered elements.

    Returns
    -------
    list of str
        Registered element names, e.g. ``'R'``, ``'C'``, ``'CPE'``.

    Examples
    --------
    >>> {"R", "C", "CPE"} <= set(element_names())
    True
    """
    return sorted(_REGISTRY)


def _cdc_map() -> dict[str, str]:
    return {e.cdc: e.name for e in _REGISTRY.values() if e.cdc}


# --------------------------------------------------------------------------- basic elements


def _r(w, r):
    return np.full(w.shape, r + 0j)


def _dr(w, z, r):
    return [np.ones(w.shape, complex)]


def _c(w, c):
    return 1.0 / (1j * w * c)


def _dc(w, z, c):
    return [-z / c]


def _l(w, ind):
    return 1j * w * ind


def _dl(w, z, ind):
    return [1j * w]


def _cpe(w, q, n):
    """Constant-phase element Z = 1 / (Q (i w)^n) = w^-n exp(-i n pi/2) / Q."""
    return w ** (-n) * (cmath.exp(-0.5j * math.pi * n) * (np.float64(1.0) / q))


def _dcpe(w, z, q, n):
    return [-z / q, -z * (np.log(w) + 0.5j * np.pi)]


def _warburg(w, sigma):
    """Semi-infinite Warburg Z = sigma (1 - i) / sqrt(w)."""
    return sigma * (1 - 1j) / np.sqrt(w)


def _dwarburg(w, z, sigma):
    return [z / sigma]


def _wo(w, r, tau, n):
    """Finite-length open (reflective) diffusion, R coth((i w tau)^n) / (i w tau)^n."""
    x = (1j * w * tau) ** n
    return r / (x * np.tanh(x))


def _ws(w, r, tau, n):
    """Finite-length short (transmissive) diffusion, R tanh((i w tau)^n) / (i w tau)^n."""
    x = (1j * w * tau) ** n
    return r * np.tanh(x) / x


def _wo_ipy(w, z0, tau):
    """impedance.py's Wo: Z0 coth(sqrt(i w tau)) / sqrt(i w tau)."""
    x = np.sqrt(1j * w * tau)
    return z0 / (x * np.tanh(x))


def _ws_ipy(w, z0, tau):
    """impedance.py's Ws: Z0 tanh(sqrt(i w tau)) / sqrt(i w tau)."""
    x = np.sqrt(1j * w * tau)
    return z0 * np.tanh(x) / x


def _gs_ipy(w, r, tau, phi):
    """impedance.py's Gs (finite-length Gerischer, Boukamp & Bouwmeester 2003):
    R / (sqrt(1 + i w tau) tanh(phi sqrt(1 + i w tau)))."""
    x = np.sqrt(1 + 1j * w * tau)
    return r / (x * np.tanh(phi * x))


def _tlmq_ipy(w, r_ion, q, gamma):
    """impedance.py's TLMQ (Landesfeind et al., JES 163 (2016) A1373, eq. 11):
    sqrt(R_ion Z_s) coth(sqrt(R_ion/Z_s)), Z_s = 1/(Q (i w)^gamma)."""
    zs = 1.0 / (q * (1j * w) ** gamma)
    return np.sqrt(r_ion * zs) / np.tanh(np.sqrt(r_ion / zs))


def _la(w, ll, alpha):
    """impedance.py's La: (i w L)^alpha."""
    return (ll * 1j * w) ** alpha


def _zarc(w, r, tau, phi):
    """ZARC, R / (1 + (i w tau)^phi) (impedance.py's Zarc)."""
    return r / (1 + (1j * w * tau) ** phi)


def _gerischer(w, r, tau):
    """Gerischer Z = R / sqrt(1 + i w tau)."""
    return r / np.sqrt(1 + 1j * w * tau)


def _dgerischer(w, z, r, tau):
    return [z / r, -0.5 * z * 1j * w / (1 + 1j * w * tau)]


# --------------------------------------------------------------------------- composite electrodes


def _coth_over(x):
    """coth(x) / x, stable for small and large |x|."""
    return 1.0 / (x * np.tanh(x))


def _electron_blocking(w, r_bulk, r_ion, r_e, beta, a):
    """Electron-blocking cell Li/SE/CE/SE/Li: Z = Z_HF + Z_LF (R-4, R-6, R-7)."""
    z_hf = 2.0 * r_bulk + r_ion * r_e / (r_ion + r_e)
    x = (1j * w * beta) ** a
    return z_hf + r_ion * np.tanh(x) / x


def _de_levie(w, r_bulk, r_ion, c_dl):
    """de Levie line, blocking interface: R_bulk + sqrt(R_ion/(i w C)) coth(sqrt(R_ion i w C)) (R-8)."""
    x = np.sqrt(r_ion * 1j * w * c_dl)
    return r_bulk + r_ion * _coth_over(x)


def _de_levie_cpe(w, r_bulk, r_ion, q, n):
    """de Levie line with a CPE interface: i w C_dl -> Q (i w)^n in R-8."""
    x = np.sqrt(r_ion * q * (1j * w) ** n)
    return r_bulk + r_ion * _coth_over(x)


def _sinh_cosh(k):
    """cosh(k)/sinh(k) and 1/sinh(k) without overflow (Re k >= 0)."""
    one_minus_e = -np.expm1(-2.0 * k)
    coth = (2.0 - one_minus_e) / one_minus_e
    csch = 2.0 * np.exp(-k) / one_minus_e
    return coth, csch


def _two_rail(w, r_ion, r_e, c_dl):
    """Two resistive rails, in on the ionic rail, out on the electronic one (corrected R-11)."""
    s = r_ion + r_e
    iwc = 1j * w * c_dl
    k = np.sqrt(s * iwc)
    coth, csch = _sinh_cosh(k)
    return r_ion * r_e / s + ((r_ion**2 + r_e**2) * coth + 2 * r_ion * r_e * csch) / (
        s**1.5 * np.sqrt(iwc)
    )


def _ion_blocking(w, r_ion, r_e, c_dl):
    """Ion-blocking cell SS/CE/SS, in and out on the electronic rail (corrected R-14)."""
    s = r_ion + r_e
    iwc = 1j * w * c_dl
    k = np.sqrt(s * iwc)
    coth, csch = _sinh_cosh(k)
    # [cosh k - 1] / sinh k = coth k - csch k
    return r_ion * r_e / s + 2 * r_e**2 * (coth - csch) / (s**1.5 * np.sqrt(iwc))


_P = POSITIVE
_N = EXPONENT
_BUILTINS = [
    Element("R", ("R",), ("ohm",), (_P,), (100.0,), _r, _dr, "R", "Ohm's law", "resistor"),
    Element("C", ("C",), ("F",), (_P,), (1e-6,), _c, _dc, "C", "Z = 1/(i w C)", "capacitor"),
    Element("L", ("L",), ("H",), (_P,), (1e-7,), _l, _dl, "L", "Z = i w L", "inductor"),
    Element(
        "CPE", ("Q", "n"), ("F s^(n-1)", "1"), (_P, _N), (1e-6, 0.9), _cpe, _dcpe, "Q",
        "Z = 1/(Q (i w)^n); Brug et al., J. Electroanal. Chem. 176 (1984) 275",
        "constant-phase element",
    ),
    Element(
        "W", ("sigma",), ("ohm s^-1/2",), (_P,), (100.0,), _warburg, _dwarburg, "W",
        "semi-infinite Warburg, Z = sigma (1-i)/sqrt(w)", "Warburg",
    ),
    Element(
        "Won", ("R", "tau", "n"), ("ohm", "s", "1"), (_P, _P, _N), (100.0, 1.0, 0.5), _wo, None,
        "", "finite-length open Warburg, coth form, free exponent n (0.5 ideal)",
        "finite-space (reflective) diffusion",
    ),
    Element(
        "Wsn", ("R", "tau", "n"), ("ohm", "s", "1"), (_P, _P, _N), (100.0, 1.0, 0.5), _ws, None,
        "", "finite-length short Warburg, tanh form, free exponent n (0.5 ideal); R-6 shape",
        "finite-length (transmissive) diffusion",
    ),
    # impedance.py 1.7.1's definitions under its own names (impedance.models.circuits.elements)
    Element(
        "Wo", ("Z0", "tau"), ("ohm", "s"), (_P, _P), (100.0, 1.0), _wo_ipy, None, "O",
        "impedance.py Wo: Z0 coth(sqrt(i w tau))/sqrt(i w tau)", "open Warburg (impedance.py)",
    ),
    Element(
        "Ws", ("Z0", "tau"), ("ohm", "s"), (_P, _P), (100.0, 1.0), _ws_ipy, None, "T",
        "impedance.py Ws: Z0 tanh(sqrt(i w tau))/sqrt(i w tau)", "short Warburg (impedance.py)",
    ),
    Element(
        "Gs", ("R", "tau", "phi"), ("ohm", "s", "1"), (_P, _P, _P), (100.0, 1e-3, 1.0), _gs_ipy,
        None, "", "impedance.py Gs: finite-length Gerischer", "finite Gerischer (impedance.py)",
    ),
    Element(
        "TLMQ", ("Rion", "Qs", "gamma"), ("ohm", "F s^(gamma-1)", "1"), (_P, _P, _N),
        (100.0, 1e-5, 0.9), _tlmq_ipy, None, "",
        "impedance.py TLMQ: Landesfeind et al., J. Electrochem. Soc. 163 (2016) A1373, eq. 11",
        "transmission line, CPE interface (impedance.py)",
    ),
    Element(
        "La", ("L", "alpha"), ("H", "1"), (_P, _N), (1e-7, 1.0), _la, None, "",
        "impedance.py La: (i w L)^alpha", "modified inductor (impedance.py)",
    ),
    Element(
        "Zarc", ("R", "tau", "phi"), ("ohm", "s", "1"), (_P, _P, _N), (100.0, 1e-3, 0.9), _zarc,
        None, "", "ZARC, R/(1 + (i w tau)^phi)", "ZARC (impedance.py)",
    ),
    Element(
        "G", ("R", "tau"), ("ohm", "s"), (_P, _P), (100.0, 1e-3), _gerischer, _dgerischer, "G",
        "Gerischer, Z = R/sqrt(1 + i w tau)", "Gerischer",
    ),
    Element(
        "EB", ("Rbulk", "Rion", "Re", "beta", "a"), ("ohm", "ohm", "ohm", "s", "1"),
        (_P, _P, _P, _P, _N), (10.0, 100.0, 1.0, 1e-3, 0.5), _electron_blocking, None, "",
        "electron-blocking cell, R-4..R-7 of Falco et al., Mol. Syst. Des. Eng. 4 (2019) 850",
        "Li/SE/CE/SE/Li",
    ),
    Element(
        "TLM", ("Rbulk", "Rion", "Cdl"), ("ohm", "ohm", "F"), (_P, _P, _P), (10.0, 100.0, 1e-5),
        _de_levie, None, "", "de Levie line, R-8 of Falco et al. (2019)", "SS/CE/SE/CE/SS",
    ),
    Element(
        "TLMQS", ("Rbulk", "Rion", "Q", "n"), ("ohm", "ohm", "F s^(n-1)", "1"), (_P, _P, _P, _N),
        (10.0, 100.0, 1e-5, 0.9), _de_levie_cpe, None, "",
        "de Levie line with CPE interface, R-8 with i w C_dl -> Q (i w)^n", "de Levie + CPE",
    ),
    Element(
        "TLMR", ("Rion", "Re", "Cdl"), ("ohm", "ohm", "F"), (_P, _P, _P), (100.0, 10.0, 1e-5),
        _two_rail, None, "", "two-rail line, corrected R-11; Bisquert, PCCP 2 (2000) 4185",
        "ionic in, electronic out",
    ),
    Element(
        "TLMB", ("Rion", "Re", "Cdl"), ("ohm", "ohm", "F"), (_P, _P, _P), (100.0, 10.0, 1e-5),
        _ion_blocking, None, "", "ion-blocking line, corrected R-14; Bisquert, PCCP 2 (2000) 4185",
        "SS/CE/SS",
    ),
]
for _e in _BUILTINS:
    register_element(_e)


def evaluate_element(name: str, f_hz: Sequence[float] | np.ndarray, *params: float) -> np.ndarray:
    """Impedance (ohm) of the registered element ``name`` at ``f_hz`` (Hz).

    Parameters
    ----------
    name
        Registered element name, e.g. ``"C"`` or ``"CPE"``.
    f_hz
        Frequencies, Hz.
    *params
        The element's parameters in SI units, in the order of its ``params``.

    Returns
    -------
    numpy.ndarray
        Complex impedance, ohm, one value per frequency.

    Examples
    --------
    >>> z = evaluate_element("C", [1 / (2 * 3.141592653589793)], 1e-3)
    >>> round(float(z[0].imag), 6)
    -1000.0
    """
    el = get_element(name)
    if len(params) != el.n_params:
        raise InputError(f"element {name} takes {el.n_params} parameters {el.params}, got {len(params)}")
    return el(f_hz, *params)


__all__.append("evaluate_element")
