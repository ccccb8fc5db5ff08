"""Figures carry the constructions (lines at the computed onsets), not just the curve."""

from __future__ import annotations

import numpy as np
import pytest

from ssbkit.processing.dsc import analyze_dsc
from ssbkit.processing.heat_treatment import (
    UnwantedPhase,
    heat_treatment_map,
    kinetics_from_single_scan,
)
from ssbkit.processing.kinetics import kissinger
from ssbkit.processing.plots import plot_dsc, plot_heat_treatment_map, plot_kissinger


def test_dsc_figure_draws_the_tg_tangent_through_the_onset(curve_factory):
    c = curve_factory()
    a = analyze_dsc(c)
    fig = plot_dsc(c, a)
    ax = fig.axes[0]
    g = a.glass_transition
    # the dotted tangent line passes through (onset, glass baseline at onset)
    tangent = [ln for ln in ax.get_lines() if ln.get_linestyle() == ":"][0]
    x, y = tangent.get_data()
    assert np.interp(g.onset_C, x, y) == pytest.approx(g.glass_line.at(g.onset_C), abs=1e-9)
    assert any("Tg onset" in t.get_text() for t in ax.texts)
    assert any("ΔH" in t.get_text() for t in ax.texts)  # the shaded crystallization area is labelled


def test_kissinger_and_map_figures():
    fit = kissinger([2, 5, 10, 20], [245.7, 253.8, 260.0, 266.4])
    line = plot_kissinger(fit).axes[0].get_lines()[1]
    x, y = line.get_data()
    assert np.allclose(y, fit.intercept + fit.slope * x / 1e3)
    kin = kinetics_from_single_scan(240.0, 10.0, ea_kJ_per_mol=250.0, n=3.0)
    hm = heat_treatment_map(kin, sigma_glass_S_per_cm=5.4e-5, sigma_crystal_S_per_cm=3.2e-3,
                            temperatures_C=np.arange(200, 600, 20.0), times_h=[0.5, 1, 2],
                            unwanted=UnwantedPhase("thio-LISICON", 360, 550, 1e-8), n_samples=20)
    fig = plot_heat_treatment_map(hm)
    assert "recommended" in fig.axes[0].get_title()
