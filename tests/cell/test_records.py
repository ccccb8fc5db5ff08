"""Every cell record round-trips through JSON (ssbkit.records.Record)."""

from __future__ import annotations

from importlib import resources

import numpy as np

from ssbkit.cell.active_materials import ActiveMaterial, get_active_material
from ssbkit.cell.design import StackDesign
from ssbkit.cell.design_file import load_design
from ssbkit.cell.energy import StackEnergy, stack_energy
from ssbkit.cell.kinetics import KineticData, kinetics_for
from ssbkit.cell.p2d_params import P2DParams
from ssbkit.cell.rate import RateCurve, design_to_p2d_params, rate_curve
from ssbkit.cell.reaction_zone import RateCapability, rate_capability


def _design():
    return load_design(str(resources.files("ssbkit.cell").joinpath("data/example_design.toml")))


def test_design_material_kinetics_energy_round_trip():
    d = _design()
    assert StackDesign.from_json(d.to_json()) == d
    m = get_active_material("LiCoO2")
    assert ActiveMaterial.from_json(m.to_json()) == m
    k = kinetics_for("NCM811")
    assert KineticData.from_json(k.to_json()) == k
    e = stack_energy(d)
    assert StackEnergy.from_json(e.to_json()) == e
    assert d.as_dict()["cathode"]["eps_se"] == d.cathode.eps_se


def test_rate_records_round_trip():
    d = _design()
    rc = rate_capability(d, [0.1, 1.0])
    back = RateCapability.from_json(rc.to_json())
    assert back.capacity_mAh_cm2 == rc.capacity_mAh_cm2
    cur = rate_curve(d, [0.05, 0.5])
    b2 = RateCurve.from_json(cur.to_json())
    assert b2 == cur and np.allclose(b2.loss_mAh_per_g["interface"], cur.loss_mAh_per_g["interface"])
    p = design_to_p2d_params(d)
    assert P2DParams.from_json(p.to_json()) == p
