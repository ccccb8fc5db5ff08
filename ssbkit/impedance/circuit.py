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
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ssbkit.errors import InputError

from .elements import Element, _cdc_map, get_element

__all__ = ["Circuit", "parse_circuit", "Node"]


@dataclass(frozen=True)
class Node:
    """One node of the circuit tree: ``kind`` is ``"element"``, ``"series"`` or ``"parallel"``."""

    kind: str
    label: str = ""
    element: Element | None = None
    children: tuple[Node, ...] = ()

    @property
    def elem(self) -> Element:
        """The :class:`Element` of an ``"element"`` node (``InputError`` on a series/parallel node)."""
        if self.element is None:
            raise InputError(f"circuit node of kind {self.kind!r} has no element")
        return self.element

    def structure(self) -> str:
        """Canonical impedance.py-style string without numbers (``R-p(R,CPE)-CPE``).

        Returns
        -------
        str
            The tree in impedance.py syntax, element names without labels.

        Examples
        --------
        >>> parse_circuit("R0-p(R1,CPE1)").tree.structure()
        'R-p(R,CPE)'
        """
        if self.kind == "element":
            return self.elem.name
        inner = [c.structure() for c in self.children]
        return "-".join(inner) if self.kind == "series" else "p(" + ",".join(inner) + ")"

    def labelled(self) -> str:
        """impedance.py-style string with labels (``R0-p(R1,CPE1)-CPE2``).

        Returns
        -------
        str
            The tree in impedance.py syntax with each element's label.

        Examples
        --------
        >>> parse_circuit("R(RQ)").tree.labelled()
        'R0-p(R1,CPE2)'
        """
        if self.kind == "element":
            return self.label
        inner = [c.labelled() for c in self.children]
        return "-".join(inner) if self.kind == "series" else "p(" + ",".join(inner) + ")"

    def elements(self) -> list[Node]:
        """The element (leaf) nodes of this subtree, left to right.

        Returns
        -------
        list of Node
            Nodes of kind ``"element"`` in circuit order.
        """
        if self.kind == "element":
            return [self]
        return [e for c in self.children for e in c.elements()]


# --------------------------------------------------------------------------- parsing

_TOKEN = re.compile(r"\s*(p\(|[A-Za-z]+\d*|[-,()\[\]])")


def _is_impedancepy(text: str) -> bool:
    return bool(re.search(r"[-,\d]|p\(", text))


def _parse_impedancepy(text: str) -> Node:
    pos = 0
    toks: list[tuple[str, int]] = []
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m:
            if text[pos:].strip() == "":
                break
            raise InputError(f"circuit {text!r}: cannot read {text[pos:]!r} at position {pos}")
        toks.append((m.group(1), m.start(1)))
        pos = m.end()
    i = 0

    def peek():
        return toks[i][0] if i < len(toks) else None

    def series() -> Node:
        nonlocal i
        items = [term()]
        while peek() == "-":
            i += 1
            items.append(term())
        return items[0] if len(items) == 1 else Node("series", children=tuple(items))

    def term() -> Node:
        nonlocal i
        t = peek()
        if t is None:
            raise InputError(f"circuit {text!r}: ends early; expected an element or p(")
        if t == "p(":
            i += 1
            items = [series()]
            while peek() == ",":
                i += 1
                items.append(series())
            if peek() != ")":
                raise InputError(f"circuit {text!r}: missing ')' closing p( at position {toks[i - 1][1]}")
            i += 1
            if len(items) < 2:
                raise InputError(f"circuit {text!r}: p(...) needs at least two branches")
            return Node("parallel", children=tuple(items))
        m = re.fullmatch(r"([A-Za-z]+)(\d*)", t)
        if not m:
            raise InputError(f"circuit {text!r}: unexpected {t!r} at position {toks[i][1]}")
        i += 1
        el = get_element(m.group(1))
        return Node("element", label=t if m.group(2) else "", element=el)

    node = series()
    if i != len(toks):
        raise InputError(f"circuit {text!r}: unexpected {toks[i][0]!r} at position {toks[i][1]}")
    return node


def _parse_cdc(text: str) -> Node:
    s = text.replace(" ", "")
    cmap = _cdc_map()
    i = 0

    def group(kind: str, close: str | None) -> Node:
        nonlocal i
        items: list[Node] = []
        while i < len(s):
            ch = s[i]
            if ch == "(":
                i += 1
                items.append(group("parallel", ")"))
            elif ch == "[":
                i += 1
                items.append(group("series", "]"))
            elif ch in ")]":
                if ch != close:
                    raise InputError(f"circuit {text!r}: unexpected {ch!r} at position {i}")
                i += 1
                break
            elif ch in cmap:
                items.append(Node("element", element=get_element(cmap[ch])))
                i += 1
            else:
                raise InputError(
                    f"circuit {text!r}: unknown CDC letter {ch!r} at position {i}"
                    f" (valid: {', '.join(sorted(cmap))}, ( ) parallel, [ ] series)"
                )
        else:
            if close is not None:
                raise InputError(f"circuit {text!r}: missing {close!r}")
        if not items:
            raise InputError(f"circuit {text!r}: empty group")
        if len(items) == 1:
            return items[0]
        return Node(kind, children=tuple(items))

    return group("series", None)


def _flatten(node: Node) -> Node:
    if node.kind == "element":
        return node
    kids: list[Node] = []
    for c in node.children:
        c = _flatten(c)
        if c.kind == node.kind:
            kids.extend(c.children)
        else:
            kids.append(c)
    return Node(node.kind, children=tuple(kids))


def _relabel(node: Node, counter: list[int], seen: set[str], text: str) -> Node:
    if node.kind == "element":
        label = node.label or f"{node.elem.name}{counter[0]}"
        counter[0] += 1
        if label in seen:
            raise InputError(f"circuit {text!r}: element label {label!r} is used twice")
        seen.add(label)
        return Node("element", label=label, element=node.elem)
    return Node(node.kind, children=tuple(_relabel(c, counter, seen, text) for c in node.children))


# --------------------------------------------------------------------------- compiling


def _numeric_dz(el: Element) -> Callable:
    def dz(w, z, *p):
        out = []
        for k in range(len(p)):
            h = 6e-6 * max(abs(p[k]), 1e-300) if el.kinds[k] != "exponent" else 6e-6
            hi = list(p)
            lo = list(p)
            hi[k] = p[k] + h
            lo[k] = p[k] - h
            out.append((el.z(w, *hi) - el.z(w, *lo)) / (2 * h))
        return out

    return dz


def _codegen(tree: Node):
    """Compile the tree into two flat Python functions (generated source, no nesting):
    ``fn(p, w) -> (Z, J)`` and ``fz(p, w) -> Z``. Resistors become scalars; every
    element's derivative rows are scaled by the parallel factors (Z/Z_i)^2 on its
    path to the root. Returns (fn, fz, n_params)."""
    env: dict = {"np": np}
    lines_z: list[str] = []  # shared by both functions
    lines_j: list[str] = []
    rows: list[tuple[str, list[str]]] = []  # (derivative expression, factor names)
    counter = [0, 0, 0]  # element index, parameter offset, composite-node index

    scalar: set[str] = set()  # names holding a Python scalar (resistor-only branches)

    def emit(node: Node, factors: list[str]) -> str:
        if node.kind == "element":
            el = node.elem
            i, off = counter[0], counter[1]
            counter[0] += 1
            counter[1] += el.n_params
            args = ", ".join(f"p[{off + j}]" for j in range(el.n_params))
            zname = f"z{i}"
            if el.name == "R":
                lines_z.append(f"{zname} = p[{off}]")
                scalar.add(zname)
                rows.append(("1.0", list(factors)))
                return zname
            env[f"Z{i}"] = el.z
            lines_z.append(f"{zname} = Z{i}(w, {args})")
            dz = el.dz or _numeric_dz(el)
            env[f"D{i}"] = dz
            lines_j.append(f"d{i} = D{i}(w, {zname}, {args})")
            for j in range(el.n_params):
                rows.append((f"d{i}[{j}]", list(factors)))
            return zname
        k = counter[2]
        counter[2] += 1
        if node.kind == "series":
            names = [emit(c, factors) for c in node.children]
            name = f"s{k}"
            lines_z.append(f"{name} = " + " + ".join(names))
        else:  # parallel: children first, with their factor names reserved
            name = f"q{k}"
            fac = [f"g{k}_{j}" for j in range(len(node.children))]
            names = [emit(c, factors + [fac[j]]) for j, c in enumerate(node.children)]
            lines_z.append(f"{name} = 1.0 / (" + " + ".join(f"1.0 / {n}" for n in names) + ")")
            for f_, n in zip(fac, names, strict=True):
                lines_j.append(f"{f_} = ({name} / {n}) ** 2")
        if all(n in scalar for n in names):
            scalar.add(name)
        return name

    root = emit(tree, [])
    n_par = counter[1]
    out = f"{root} + np.zeros(w.shape, complex)" if root in scalar else root
    body_z = "\n    ".join(lines_z)
    src_z = f"def fz(p, w):\n    {body_z}\n    return {out}\n"
    jl = [f"J = np.empty(({n_par}, w.size), complex)"]
    prods: dict[tuple[str, ...], str] = {}  # one product per path of parallel factors
    for r, (expr, facs) in enumerate(rows):
        key = tuple(facs)
        if len(key) > 1 and key not in prods:
            prods[key] = f"G{len(prods)}"
            jl.append(f"{prods[key]} = " + " * ".join(key))
        fac = prods.get(key) or (key[0] if key else None)
        if fac is None:
            jl.append(f"J[{r}] = {expr}")
        elif expr == "1.0":
            jl.append(f"J[{r}] = {fac}")
        else:
            jl.append(f"np.multiply({expr}, {fac}, out=J[{r}])")
    body_j = "\n    ".join(lines_z + lines_j + jl)
    src_fn = f"def fn(p, w):\n    {body_j}\n    return {out}, J\n"
    exec(compile(src_z + src_fn, "<circuit>", "exec"), env)  # noqa: S102 - source built above
    return env["fn"], env["fz"], n_par


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
