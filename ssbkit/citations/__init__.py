"""Citations as data: a BibTeX registry shipped in the package.

Every model, parameter set and bundled data row cites its source by a key of
``ssbkit/citations/data/*.bib``. Code that uses a model calls :func:`cite`
(as PyBaMM's citation registry does); a run collects the keys it used with
:func:`collect_citations`, and the report and ``ssbkit cite`` list exactly
those.

Examples
--------
>>> with collect_citations() as used:
...     _ = cite("Falco2019", "R-3")
>>> used
['Falco2019']
>>> format_reference("Mizuno2005").startswith("F. Mizuno")
True
"""

from .registry import (
    Reference,
    bibliography,
    cite,
    collect_citations,
    format_reference,
    reference,
    to_bibtex,
)

__all__ = [
    "Reference",
    "bibliography",
    "cite",
    "collect_citations",
    "format_reference",
    "reference",
    "to_bibtex",
]
