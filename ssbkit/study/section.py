"""The record every study section returns, and helpers to build its HTML.

A *section* is one part of the report (electrolyte, impedance, cathode, cell,
atomistic). Each layer has its section: a module ``ssbkit/study/sections/<layer>.py``
that defines

``SCHEMA``
    ``{key: KeySpec}`` of the keys its TOML table accepts (validated centrally
    by :mod:`ssbkit.study.config`, which suggests the closest valid key).
``run_section(cfg: dict, ctx: StudyContext) -> Section``
    Runs the section from its validated table ``cfg`` and returns a
    :class:`Section`. Results of earlier sections are in ``ctx.results``.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..progress import Progress

__all__ = ["KeySpec", "Section", "StudyContext", "figure_to_html", "table_html", "fmt"]


@dataclass(frozen=True)
class KeySpec:
    """One key of a study-file table.

    Parameters
    ----------
    type
        Python type(s) the value must have (``float`` accepts ints too).
    default
        Default value; ``REQUIRED`` (the string) marks a required key.
    doc
        One-line description with the unit.
    """

    type: type | tuple[type, ...]
    default: Any = None
    doc: str = ""

    @property
    def required(self) -> bool:
        return isinstance(self.default, str) and self.default == "REQUIRED"


@dataclass
class StudyContext:
    """What a section sees of the run: the whole study, earlier results, where to write."""

    study: dict[str, Any]
    out_dir: Path
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    references: list[str] = field(default_factory=list)
    #: ``progress(done, total, message)`` within the running section (ssbkit.progress)
    progress: Progress | None = None


@dataclass
class Section:
    """One report section.

    Attributes
    ----------
    key
        Table name in the study file and key in ``results.json``.
    title
        Heading shown in the report.
    results
        JSON-serialisable numbers; units spelled in the keys (``sigma_25C_S_per_cm``).
    html
        HTML fragment (tables, inline figures from :func:`figure_to_html`).
    references
        Every reference behind a number the section shows.
    warnings
        Messages the user should see (a fit that did not converge, a fallback taken).
    """

    key: str
    title: str
    results: dict[str, Any] = field(default_factory=dict)
    html: str = ""
    references: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    citations: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The section's record for ``results.json`` (no HTML).

        Returns
        -------
        dict
            title, results, references (free text), citations (bibliography keys), warnings.
        """
        return {
            "title": self.title,
            "results": self.results,
            "references": list(self.references),
            "citations": list(self.citations),
            "warnings": list(self.warnings),
        }


def figure_to_html(fig, *, alt: str = "figure", width_px: int = 640) -> str:
    """Render a matplotlib figure as an inline ``<img>`` (PNG, base64) and close it.

    Parameters
    ----------
    fig
        A matplotlib Figure.
    alt
        Alternative text and caption.
    width_px
        Maximum displayed width.

    Returns
    -------
    str
        An HTML ``<figure>`` element.
    """
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return (
        f'<figure><img alt="{html.escape(alt)}" style="max-width:{width_px}px;width:100%" '
        f'src="data:image/png;base64,{data}"/><figcaption>{html.escape(alt)}</figcaption></figure>'
    )


def fmt(value: Any, digits: int = 3) -> str:
    """Format a number for the report with ``digits`` significant digits.

    Parameters
    ----------
    value
        A number, None (shown as a dash) or anything else (escaped text).
    digits
        Significant digits.

    Returns
    -------
    str

    Examples
    --------
    >>> fmt(0.000721), fmt(298.15), fmt(None)
    ('7.21e-04', '298', '–')
    """
    if value is None:
        return "–"
    if isinstance(value, float | int) and not isinstance(value, bool):
        v = float(value)
        if v != v:
            return "NaN"
        if v == 0 or 1e-3 <= abs(v) < 1e5:
            return f"{v:.{digits}g}"
        return f"{v:.{digits - 1}e}"
    return html.escape(str(value))


def table_html(rows: list[tuple], header: tuple | None = None) -> str:
    """A simple HTML table; cells are formatted with :func:`fmt`.

    Parameters
    ----------
    rows
        One tuple per row.
    header
        Column headings.

    Returns
    -------
    str
    """
    out = ["<table>"]
    if header:
        out.append("<tr>" + "".join(f"<th>{html.escape(str(h))}</th>" for h in header) + "</tr>")
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{fmt(c)}</td>" for c in row) + "</tr>")
    out.append("</table>")
    return "\n".join(out)
