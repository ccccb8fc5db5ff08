"""The HTML report of a study: one self-contained file, figures inline."""

from __future__ import annotations

import html
from datetime import UTC, datetime

from .. import __version__
from .section import Section

__all__ = ["render_report"]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:980px;margin:2em auto;
padding:0 1em;color:#1d2330;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #dde3ea;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.8em 0;font-size:.92em}td,th{border:1px solid #d5dbe3;padding:.25em .6em;
text-align:left}th{background:#f2f5f8}figure{margin:1em 0}figcaption{font-size:.85em;color:#555}
.warn{background:#fff6e0;border-left:4px solid #e0a800;padding:.4em .8em;margin:.5em 0;font-size:.92em}
.fail{background:#fde8e8;border-left:4px solid #c62828;padding:.4em .8em}
.meta{color:#555;font-size:.9em}ol.refs{font-size:.85em;color:#333}nav a{margin-right:1em}
"""


def _references(sec: Section) -> list[str]:
    """Formatted citations the section used (bibliography keys first), then free-text ones."""
    from ..citations import bibliography, format_reference

    bib = bibliography()
    keys = [k for k in sec.citations if k in bib] + [r for r in sec.references if r in bib]
    text = [format_reference(k) for k in dict.fromkeys(keys)]
    text += [r for r in sec.references if r not in bib]
    return list(dict.fromkeys(text))


def render_report(study: dict, sections: list[Section], *, status: dict[str, str], elapsed_s: float,
                  warnings: list[str] | tuple[str, ...] = ()) -> str:
    """Render the report HTML for ``sections`` (in run order).

    Parameters
    ----------
    study
        The validated study.
    sections
        The sections in run order.
    status
        ``{section key: "ok" | "failed"}``.
    elapsed_s
        Wall time of the run, s.
    warnings
        Study-level warnings (likely unit slips), shown at the top.

    Returns
    -------
    str
        One self-contained HTML document; every citation the run used is listed
        under its section and in "All references".
    """
    meta = study.get("study", {})
    name = html.escape(meta.get("name", "study"))
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>ssbkit report: {name}</title><style>{_CSS}</style></head><body>",
        f"<h1>{name}</h1>",
    ]
    if meta.get("description"):
        parts.append(f"<p>{html.escape(meta['description'])}</p>")
    parts.append(
        f"<p class='meta'>ssbkit {__version__} · {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}"
        f" · {elapsed_s:.1f} s</p>"
    )
    for w in warnings:
        parts.append(f"<div class='warn'><b>Check the input:</b> {html.escape(w)}</div>")
    parts.append("<nav>" + "".join(f"<a href='#{s.key}'>{html.escape(s.title)}</a>" for s in sections) + "</nav>")
    all_refs: list[str] = []
    for sec in sections:
        parts.append(f"<section id='{sec.key}'><h2>{html.escape(sec.title)}</h2>")
        if status.get(sec.key) == "failed":
            parts.append("<div class='fail'>This section failed; the others ran.</div>")
        for w in sec.warnings:
            parts.append(f"<div class='warn'>{html.escape(w)}</div>")
        parts.append(sec.html)
        refs = _references(sec)
        if refs:
            all_refs.extend(refs)
            parts.append("<h4>References</h4><ol class='refs'>"
                         + "".join(f"<li>{html.escape(r)}</li>" for r in refs) + "</ol>")
        parts.append("</section>")
    if all_refs:
        parts.append("<h2>All references</h2><ol class='refs'>"
                     + "".join(f"<li>{html.escape(r)}</li>" for r in dict.fromkeys(all_refs)) + "</ol>")
    parts.append("</body></html>")
    return "\n".join(parts)
