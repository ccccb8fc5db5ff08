"""The one place where the web app calls the library's workflows.

Every analysis the web app offers is a call to the same library function the
CLI and the study use (no third copy of any step): reading spectra
(:func:`ssbkit.impedance.readers.read_spectra`), the temperature series
(:func:`ssbkit.impedance.series.conductivity_series`, which fits, tells bulk
from grain boundary and fits Arrhenius laws with
:func:`ssbkit.transport.fit_arrhenius`), the Kramers-Kronig test
(:func:`ssbkit.impedance.kk.kk_test`), the DRT
(:func:`ssbkit.impedance.drt.compute_drt`), cycling
(:func:`ssbkit.cell.cycling.read_cycler_file` + ``summarize_cycles``),
tortuosity (:func:`ssbkit.microstructure.io.read_volume` +
:func:`ssbkit.microstructure.solver.tortuosity_factor`) and, where the
processing layer is installed, its DSC workflow
(``ssbkit.processing.thermal.analyze_dsc_files``: one scan, or the
crystallization kinetics of a heating-rate set). When a library API is
renamed, only this package changes.

One module per job: :mod:`.impedance`, :mod:`.cell` (cycling and
microstructure), :mod:`.dsc`, :mod:`.studies`, :mod:`.materials`; the names
are re-exported here, so ``from ssbkit.web.analyses import ...`` keeps working.

Every result carries the protocol it was computed with and the software
versions (``protocol``, ``software``).
"""

from __future__ import annotations

from .cell import cycling_summary, tortuosity
from .common import KINDS, finite, software
from .dsc import (
    DSC_OPTIONS,
    KINETICS_MIN_FILES,
    check_dsc_options,
    check_kinetics_set,
    dsc_analysis,
    dsc_available,
    dsc_kinetics,
    read_dsc_info,
)
from .impedance import (
    DEFAULT_PROTOCOL,
    PROTOCOL_KEYS,
    check_protocol,
    impedance_series,
    read_impedance,
)
from .materials import dataset_rows, reduced_formula, same_composition
from .studies import run_study_file

__all__ = ["DEFAULT_PROTOCOL", "PROTOCOL_KEYS", "KINDS", "check_protocol", "read_impedance",
           "impedance_series", "cycling_summary", "tortuosity", "dsc_analysis", "dsc_available",
           "dataset_rows", "run_study_file", "DSC_OPTIONS", "check_dsc_options",
           "read_dsc_info", "software", "same_composition", "reduced_formula", "finite",
           "dsc_kinetics", "check_kinetics_set", "KINETICS_MIN_FILES"]
