"""Circuit strings -> the tree of :class:`Node` (series, parallel, elements), labelled.

Two syntaxes are read (see :mod:`.circuit`): impedance.py style ``R0-p(R1,CPE1)-CPE2``
and Boukamp's circuit description code ``R(RQ)Q`` (Boukamp, Solid State Ionics 20
(1986) 31). Nested groups of one kind are flattened and unlabelled elements numbered
in circuit order. :func:`~ssbkit.impedance.circuit.parse_circuit` compiles the tree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ssbkit.errors import InputError

from .elements import Element, _cdc_map, get_element

__all__ = ["Node"]


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
        >>> from ssbkit.impedance.circuit import parse_circuit
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
        >>> from ssbkit.impedance.circuit import parse_circuit
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
