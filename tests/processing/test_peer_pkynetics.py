"""Side by side with pkynetics (peer thermal-analysis library, ISO 11357-2 Tg and Kissinger)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from ssbkit.processing.dsc import analyze_dsc
from ssbkit.processing.kinetics import kissinger

pk_kissinger = pytest.importorskip("pkynetics.model_fitting_methods.kissinger")
pk_dsc = pytest.importorskip("pkynetics.technique_analysis.dsc")


def test_kissinger_agrees_with_pkynetics_on_the_same_peaks():
    beta = np.array([2.0, 5.0, 10.0, 20.0])
    tp = np.array([245.74, 253.77, 260.01, 266.41])  # degC, first-order JMAK scans (test_kinetics)
    ours = kissinger(beta, tp)
    e_a, _a, se, _se_ln_a, r2 = pk_kissinger.kissinger_method(tp + 273.15, beta)
    assert ours.ea_kJ_per_mol == pytest.approx(e_a / 1e3, rel=1e-6)
    assert ours.ea_se_kJ_per_mol == pytest.approx(se / 1e3, rel=1e-3)
    assert ours.r2 == pytest.approx(r2, rel=1e-9)


def test_tg_construction_is_at_least_as_close_to_the_analytic_onset_as_pkynetics(curve_factory):
    """Analytic logistic step: onset 204, midpoint 210, end 216 degC (conftest)."""
    c = curve_factory(dt=0.2)
    ours = analyze_dsc(c).glass_transition
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer = pk_dsc.ThermalEventDetector(exo_up=True).detect_glass_transition(
            c.temperature_C + 273.15, c.heat_flow, heating_rate=10.0, sample_mass=1.0)
    assert peer.midpoint_temperature - 273.15 == pytest.approx(ours.midpoint_C, abs=0.2)
    assert abs(ours.onset_C - 204.0) <= abs(peer.onset_temperature - 273.15 - 204.0)
    assert abs(ours.end_C - 216.0) <= abs(peer.endpoint_temperature - 273.15 - 216.0) + 0.2


def test_eicosane_melting_peak_agrees_with_pkynetics_on_the_real_ta_file(fixtures_dir):
    """Same TA Universal Analysis file (pkynetics' own sample), each tool's reader and peak analysis,
    following pkynetics' eicosane example (heating segment, 3 K start-up skipped, quadratic baseline).
    Peak temperatures must agree to 0.1 K; onsets (different tangent constructions) to 0.6 K;
    enthalpies (linear vs quadratic baseline) to 5 %."""
    from pkynetics.data_import import dsc_importer
    from pkynetics.technique_analysis.dsc import (
        DataValidator,
        DSCAnalyzer,
        DSCExperiment,
        ThermalEventDetector,
    )

    from ssbkit.processing.dsc_io import read_dsc

    path = fixtures_dir / "ta_ua_eicosane_1K_every5th.txt"
    ours = analyze_dsc(read_dsc(path), find_tg=False).melting[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        d = dsc_importer(str(path))
        time_s, temp_k = d["time"] * 60, d["temperature"] + 273.15
        seg = next(s for s in DataValidator.detect_temperature_program(temp_k, time_s)["segments"]
                   if s["type"] == "heating")
        sel = np.zeros(temp_k.size, bool)
        sel[seg["start_idx"]:seg["end_idx"]] = True
        sel &= (temp_k > temp_k[sel][0] + 3) & (temp_k < temp_k[sel].max() - 0.5)
        exp = DSCExperiment(temperature=temp_k[sel], heat_flow=d["heat_flow"][sel], time=time_s[sel],
                            mass=9.0, heating_rate=seg["rate"], sample_name="eicosane")
        res = DSCAnalyzer(exp, event_detector=ThermalEventDetector(exo_up=True)).analyze(
            baseline_method="polynomial", degree=2)
    peer = next(p for p in res["peaks"] if p.type.startswith("endo"))
    assert ours.peak_C == pytest.approx(peer.peak_temperature - 273.15, abs=0.1)
    assert ours.onset_C == pytest.approx(peer.onset_temperature - 273.15, abs=0.6)
    assert ours.enthalpy_J_per_g == pytest.approx(peer.enthalpy, rel=0.05)
