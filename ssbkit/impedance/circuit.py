"""Circuit strings -> a compiled model that evaluates Z and dZ/dp over frequencies.

Two syntaxes are read into the same tree:

* impedance.py style: ``R0-p(R1,CPE1)-CPE2`` (``-`` series, ``p(a,b,...)``
  parallel, element name plus an optional number);
* Boukamp's circuit description code (CDC): ``R(RQ)Q`` (juxtaposition in
  series, ``(...)`` parallel, ``[...]`` series inside a parallel group; single
  letters R, C, L, Q, W, O, T, G; Boukamp, Solid State Ionics 20 (1986) 31).

:func:`parse_circuit` returns a :class:`Circuit`, whose ``impedance(p, f_hz)``
and ``impedance_and_jacobian(p, f_hz)`` are closures compiled once. The
Jacobian is analytic where the element provides derivatives, central
differences (relative step 6e-6, about the cube root of machine epsilon)
inside the elements that do not; series and parallel rules (dZ/dZ_i = (Z/Z_i)^2 in parallel) are exact.

The tree is read in :mod:`.circuit_parse` (:class:`Node`) and compiled in
:mod:`.circuit_compile`; this module holds :class:`Circuit` and the cache of
compiled circuits (cleared by :func:`~ssbkit.impedance.elements.register_element`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ssbkit.errors import InputError

from .circuit_compile import _codegen, _numeric_dz  # noqa: F401
from .circuit_parse import (  # noqa: F401
    _TOKEN,
    Node,
    _flatten,
    _is_impedancepy,
    _parse_cdc,
    _parse_impedancepy,
    _relabel,
)

__all__ = ["Circuit", "parse_circuit", "Node"]


@dataclass(frozen=True, eq=False)
class Circuit:
    """A parsed, compiled circuit.

    Attributes
    ----------
    text
        The string it was parsed from.
    tree
        Root :class:`Node`.
    param_names, param_units, param_kinds
        One entry per parameter, in evaluation order.
    defaults
        Generic start values (see :mod:`ssbkit.impedance.startvalues` for data-driven ones).
    """

    text: str
    tree: Node
    param_names: tuple[str, ...]
    param_units: tuple[str, ...]
    param_kinds: tuple[str, ...]
    defaults: tuple[float, ...]
    _fn: Callable
    _fz: Callable

    @property
    def n_params(self) -> int:
        return len(self.param_names)

    @property
    def structure(self) -> str:
        """Canonical form without labels; equal for ``R0-p(R1,CPE1)`` and ``R(RQ)``."""
        return self.tree.structure()

    def __str__(self) -> str:
        return self.tree.labelled()

    def _check(self, p) -> np.ndarray:
        p = np.asarray(p, dtype=float)
        if p.shape != (self.n_params,):
            raise InputError(
                f"circuit {self.text}: needs {self.n_params} parameters {list(self.param_names)}, got {p.size}"
            )
        return p

    def impedance(self, p, f_hz) -> np.ndarray:
        """Complex impedance (ohm) at ``f_hz`` (Hz) for parameter vector ``p`` (SI).

        Parameters
        ----------
        p
            Parameter vector in :attr:`param_names` order, SI units (ohm, F, F s^(n-1), ...).
        f_hz
            Frequency or frequencies, Hz.

        Returns
        -------
        numpy.ndarray
            Complex impedance, ohm, one value per frequency.

        Examples
        --------
        >>> c = parse_circuit("R0-p(R1,C1)")
        >>> z = c.impedance([10.0, 100.0, 1e-6], [1e-3, 1e9])
        >>> [round(float(v), 3) for v in z.real]
        [110.0, 10.0]
        """
        w = 2 * np.pi * np.atleast_1d(np.asarray(f_hz, dtype=float))
        return np.broadcast_to(self._fz(self._check(p), w), w.shape).astype(complex)

    def impedance_and_jacobian(self, p, f_hz) -> tuple[np.ndarray, np.ndarray]:
        """``(Z, J)`` with ``J[k] = dZ/dp_k``, shape ``(n_params, n_freq)``.

        Parameters
        ----------
        p
            Parameter vector in :attr:`param_names` order, SI units.
        f_hz
            Frequency or frequencies, Hz.

        Returns
        -------
        z : numpy.ndarray
            Complex impedance, ohm, shape ``(n_freq,)``.
        jac : numpy.ndarray
            Complex derivatives dZ/dp_k (ohm per unit of p_k), shape ``(n_params, n_freq)``.

        Examples
        --------
        >>> z, jac = parse_circuit("R0-R1").impedance_and_jacobian([1.0, 2.0], [1.0])
        >>> jac.shape, complex(jac[0, 0])
        ((2, 1), (1+0j))
        """
        w = 2 * np.pi * np.atleast_1d(np.asarray(f_hz, dtype=float))
        return self._fn(self._check(p), w)

    def index(self, name: str) -> int:
        """Position of parameter ``name``; :class:`InputError` with a suggestion otherwise.

        Parameters
        ----------
        name
            A parameter name such as ``"R1"`` or ``"CPE1_Q"``.

        Returns
        -------
        int
            Its position in :attr:`param_names` (and in parameter vectors).

        Examples
        --------
        >>> parse_circuit("R0-p(R1,CPE1)").index("CPE1_n")
        3
        """
        from ssbkit.errors import did_you_mean

        try:
            return self.param_names.index(name)
        except ValueError:
            raise InputError(
                f"circuit {self.text}: no parameter {name!r}{did_you_mean(name, self.param_names)}"
            ) from None

    def element_labels(self) -> list[str]:
        """Labels of the circuit's elements in evaluation order.

        Returns
        -------
        list of str
            One label per element, e.g. ``['R0', 'R1', 'CPE1']``.

        Examples
        --------
        >>> parse_circuit("R0-p(R1,CPE1)").element_labels()
        ['R0', 'R1', 'CPE1']
        """
        return [e.label for e in self.tree.elements()]


def parse_circuit(text: str | Circuit) -> Circuit:
    """Parse an impedance.py-style or CDC circuit string and compile it.

    Parameters
    ----------
    text
        Circuit string (``"R0-p(R1,CPE1)-CPE2"`` or CDC ``"R(RQ)Q"``); a
        :class:`Circuit` is returned unchanged.

    Returns
    -------
    Circuit
        The compiled circuit (cached by string).

    Raises
    ------
    InputError
        The string is empty, malformed, names an unknown element or repeats a label.

    Examples
    --------
    >>> c = parse_circuit("R0-p(R1,CPE1)-CPE2")
    >>> c.param_names
    ('R0', 'R1', 'CPE1_Q', 'CPE1_n', 'CPE2_Q', 'CPE2_n')
    >>> parse_circuit("R(RQ)Q").structure == c.structure
    True
    """
    if isinstance(text, Circuit):
        return text
    if isinstance(text, str) and text in _CACHE:
        return _CACHE[text]
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"circuit must be a non-empty string like 'R0-p(R1,CPE1)-CPE2', got {text!r}")
    t = text.strip()
    raw = _parse_impedancepy(t) if _is_impedancepy(t) else _parse_cdc(t)
    tree = _relabel(_flatten(raw), [0], set(), t)
    names: list[str] = []
    units: list[str] = []
    kinds: list[str] = []
    defaults: list[float] = []
    for e in tree.elements():
        names += e.elem.param_names(e.label)
        units += e.elem.units
        kinds += e.elem.kinds
        defaults += e.elem.defaults
    fn, fz, n = _codegen(tree)
    assert n == len(names)
    circuit = Circuit(t, tree, tuple(names), tuple(units), tuple(kinds), tuple(defaults), fn, fz)
    if len(_CACHE) < 256:
        _CACHE[text] = circuit
    return circuit


_CACHE: dict[str, Circuit] = {}
