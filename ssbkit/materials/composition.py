"""Compositions in the notations of the solid-electrolyte field.

pymatgen's :class:`~pymatgen.core.Composition` parses chemical formulas; the
field also writes *mole-ratio mixtures* of formulas, which no library parses:

=============================  ==============================================
``70Li2S-30P2S5``              70 mol Li2S + 30 mol P2S5
``75Li2S·25P2S5``              same with a middle dot (also ``*``, ``:``, ``+``, en dash)
``0.75Li2S-0.25P2S5``          fractions instead of percent
``99(70Li2S-30P2S5)-1Li2ZrO3`` 99 mol of the bracketed mixture (normalised to one
                               mole of its components) + 1 mol Li2ZrO3
``Li7P2.9Sb0.1S10.75O0.25``    a plain formula (handed to pymatgen)
=============================  ==============================================

A bracketed mixture counts as one mole per mole of its components: in
``99(70Li2S-30P2S5)-1Li2ZrO3`` the glass contributes 99 x (0.7 Li2S + 0.3 P2S5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pymatgen.core import Composition

from ..errors import InputError

__all__ = ["Mixture", "parse_mixture", "parse_composition", "molar_mass_g_per_mol", "mass_fractions"]

#: characters that separate the components of a mixture at the top level
_SEPARATORS = "-·*:+–—•⋅"
_COEF = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*(.*)$", re.S)


@dataclass(frozen=True)
class Mixture:
    """A mole-ratio mixture: ``components`` are (moles, Composition) pairs as written."""

    text: str
    components: tuple[tuple[float, Composition], ...]

    @property
    def composition(self) -> Composition:
        """Total composition: sum of moles x formula."""
        total = Composition()
        for n, comp in self.components:
            total += comp * n
        return total

    @property
    def mole_fractions(self) -> tuple[float, ...]:
        tot = sum(n for n, _ in self.components)
        return tuple(n / tot for n, _ in self.components)

    def to_dict(self) -> dict:
        return {
            "text": self.text,
            "components": [[n, c.formula] for n, c in self.components],
            "formula": self.composition.formula,
            "reduced_formula": self.composition.reduced_formula,
        }


def _split_top_level(text: str) -> list[str]:
    """Split at separators that are not inside brackets."""
    parts: list[str] = []
    depth = 0
    cur: list[str] = []
    for ch in text:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth < 0:
                raise InputError(f"unbalanced brackets in composition {text!r}")
        if depth == 0 and ch in _SEPARATORS:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    if depth != 0:
        raise InputError(f"unbalanced brackets in composition {text!r}")
    parts.append("".join(cur))
    return parts


def _formula(text: str, whole: str) -> Composition:
    text = text.strip()
    if not text:
        raise InputError(f"empty component in composition {whole!r}")
    try:
        comp = Composition(text)
    except Exception as exc:  # pymatgen raises ValueError/KeyError/... for bad formulas
        raise InputError(
            f"cannot parse formula {text!r} in {whole!r}: {str(exc).splitlines()[0] if str(exc) else exc}"
        ) from None
    if not comp.valid:
        bad = [str(el) for el in comp if not hasattr(el, "Z") or getattr(el, "Z", 0) == 0]
        raise InputError(f"formula {text!r} in {whole!r} holds unknown element(s) {bad}")
    if comp.num_atoms <= 0:
        raise InputError(f"formula {text!r} in {whole!r} has no atoms")
    return comp


def _parse(text: str, whole: str) -> list[tuple[float, Composition]]:
    parts = _split_top_level(text)
    out: list[tuple[float, Composition]] = []
    for part in parts:
        part = part.strip()
        if not part:
            raise InputError(f"empty component in composition {whole!r} (check the separators)")
        m = _COEF.match(part)
        coef, body = (float(m.group(1)), m.group(2).strip()) if m else (1.0, part)
        if coef <= 0:
            raise InputError(f"mole number must be > 0 in {whole!r}, got {part!r}")
        group = re.fullmatch(r"[\(\[](.*)[\)\]]", body, re.S)
        if group and len(_split_top_level(group.group(1))) > 1:
            inner = _parse(group.group(1), whole)
            tot = sum(n for n, _ in inner)
            comp = Composition()
            for n, c in inner:
                comp += c * (n / tot)
            out.append((coef, comp))
        else:
            out.append((coef, _formula(body, whole)))
    return out


def parse_mixture(text: str) -> Mixture:
    """Parse a composition written as a formula or a mole-ratio mixture.

    Parameters
    ----------
    text
        E.g. ``"70Li2S-30P2S5"``, ``"75Li2S·25P2S5"``, ``"99(70Li2S-30P2S5)-1Li2ZrO3"``,
        ``"Li7P2.9Sb0.1S10.75O0.25"``.

    Returns
    -------
    Mixture
        The components as written; ``.composition`` is their sum.

    Raises
    ------
    InputError
        For an empty string, unbalanced brackets or a formula pymatgen cannot read.

    Examples
    --------
    >>> parse_mixture("70Li2S-30P2S5").composition.reduced_formula
    'Li7P3S11'
    """
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"composition must be a non-empty string, got {text!r}")
    # a plain formula (no separator at top level) goes straight to pymatgen
    return Mixture(text=text, components=tuple(_parse(text.strip(), text)))


def parse_composition(text: str) -> Composition:
    """The total :class:`~pymatgen.core.Composition` of ``text`` (see :func:`parse_mixture`)."""
    return parse_mixture(text).composition


def molar_mass_g_per_mol(text: str) -> float:
    """Molar mass of the formula unit as written (g/mol)."""
    return float(parse_composition(text).weight)


def mass_fractions(text: str) -> dict[str, float]:
    """Mass fraction of each component of a mixture (keys: the component formulas)."""
    mix = parse_mixture(text)
    masses = [(c.formula, n * float(c.weight)) for n, c in mix.components]
    tot = sum(m for _, m in masses)
    return {f: m / tot for f, m in masses}
