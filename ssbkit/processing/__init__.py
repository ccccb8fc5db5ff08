"""Processing: from precursors to a glass-ceramic electrolyte (``science.md`` §6-7).

Batch planning (:mod:`.batch`), the milling dose (:mod:`.milling`), DTA/DSC
readers (:mod:`.dsc_io`; layouts in :mod:`.dsc_formats`, text helpers in
:mod:`.dsc_text`) and analysis (:mod:`.dsc`; records in :mod:`.dsc_records`, peak
search in :mod:`.dsc_peaks`, slow baseline in :mod:`.dsc_baseline`),
crystallization kinetics (:mod:`.kinetics`), JMAK kinetics (:mod:`.jmak`; after a
heating ramp and hold: :mod:`.jmak_program`), glass-ceramic conductivity by
effective-medium theory (:mod:`.glass_ceramic`), the heat-treatment map
(:mod:`.heat_treatment`), one workflow for DSC files (:mod:`.thermal`) and figures
with the constructions drawn (:mod:`.plots`, imported on demand).
"""

from .batch import BatchPlan, PrecursorMass, plan_batch
from .dsc import DscAnalysis, GlassTransition, ThermalPeak, analyze_dsc
from .dsc_io import DscCurve, read_dsc
from .heat_treatment import (
    HeatTreatmentMap,
    JmakKinetics,
    UnwantedPhase,
    glass_ceramic_sigma,
    heat_treatment_map,
    jmak_fraction,
    kinetics_from_single_scan,
    parse_treatment,
    unwanted_phase_from_series,
)
from .jmak_program import program_fraction, ramp_integral
from .kinetics import (
    AvramiFit,
    CrystallizationKinetics,
    KineticsFit,
    crystallization_kinetics,
    crystallized_fraction,
    kissinger,
    matusita_sakka,
    ozawa,
)
from .milling import MillingDose, MillingRun, milling_dose
from .thermal import DscRun, analyze_dsc_files

__all__ = [
    "BatchPlan", "PrecursorMass", "plan_batch",
    "MillingRun", "MillingDose", "milling_dose",
    "DscCurve", "read_dsc",
    "DscAnalysis", "GlassTransition", "ThermalPeak", "analyze_dsc",
    "KineticsFit", "AvramiFit", "CrystallizationKinetics", "kissinger", "ozawa",
    "crystallized_fraction", "matusita_sakka", "crystallization_kinetics",
    "JmakKinetics", "UnwantedPhase", "HeatTreatmentMap", "jmak_fraction", "kinetics_from_single_scan",
    "glass_ceramic_sigma", "heat_treatment_map", "unwanted_phase_from_series", "parse_treatment",
    "program_fraction", "ramp_integral",
    "DscRun", "analyze_dsc_files",
]
