"""The adapter (ssbkit.web.analyses) runs the library's workflows: same numbers as calling them
directly, analytic cases for cycling and tortuosity through the upload, clear messages otherwise."""

from __future__ import annotations

import io

import numpy as np
import pytest
from web_helpers import create_sample, setup_admin, wait_job

from ssbkit.errors import InputError
from ssbkit.web import analyses


def _post(client, csrf, sid, kind, name, data, **form):
    return client.post(f"/api/samples/{sid}/measurements", data={"kind": kind, **form},
                       headers={"X-CSRF-Token": csrf}, files=[("files", (name, data, "application/octet-stream"))])


def test_straight_channels_have_tortuosity_one_and_their_volume_fraction(client):
    """Conducting columns straight along axis 0 (4 of 16 x 16 lines): tau = 1, eps = 0.25 exactly."""
    csrf = setup_admin(client)
    sid = create_sample(client, csrf)
    vol = np.zeros((16, 16, 16), np.uint8)
    vol[:, ::2, ::2] = 1  # every other line in both directions: 1/4 of the voxels, each a straight wire
    buf = io.BytesIO()
    np.save(buf, vol)
    body = _post(client, csrf, sid, "volume", "wires.npy", buf.getvalue(), phase="1").json()
    assert wait_job(client, body["jobs"][0])["state"] == "done"
    (a,) = client.get(f"/api/samples/{sid}").json()["analyses"]
    assert a["result"]["volume_fraction"] == pytest.approx(0.25)
    assert a["result"]["tortuosity"] == pytest.approx(1.0, rel=1e-4)
    assert "Tortuosity: wires.npy" in client.get(f"/samples/{sid}").text


def test_constant_current_cycles_give_the_integrated_capacity_and_efficiency(client):
    """1 mA charge for 3600 s = 1 mAh, 1 mA discharge for 3240 s = 0.9 mAh: CE = 0.9 each cycle."""
    csrf = setup_admin(client)
    sid = create_sample(client, csrf)
    rows = ["time_s,voltage_V,current_A,cycle"]
    t = 0.0
    for cyc in (1, 2, 3):
        for dt, cur, v0, v1 in ((3600, 1e-3, 3.0, 4.2), (3240, -1e-3, 4.2, 3.0)):
            for k in range(37):
                rows.append(f"{t + dt * k / 36:.1f},{v0 + (v1 - v0) * k / 36:.4f},{cur:.6f},{cyc}")
            t += dt + 1
    body = _post(client, csrf, sid, "cycling", "cells.csv", "\n".join(rows).encode()).json()
    assert wait_job(client, body["jobs"][0])["state"] == "done", body
    (a,) = client.get(f"/api/samples/{sid}").json()["analyses"]
    r = a["result"]
    assert r["discharge_mAh"] == pytest.approx([0.9, 0.9, 0.9], rel=0.01)
    assert r["coulombic_efficiency"] == pytest.approx([0.9, 0.9, 0.9], rel=0.01)
    assert 'id="plot-cycling-' in client.get(f"/samples/{sid}").text


def test_dsc_without_the_processing_layer_keeps_the_file_and_says_why(client, monkeypatch):
    monkeypatch.setattr(analyses.dsc, "_dsc_function", lambda: None)
    csrf = setup_admin(client)
    sid = create_sample(client, csrf)
    body = _post(client, csrf, sid, "dsc", "glass.csv", b"T_C,heat_flow_mW\n100,0.1\n200,0.3\n").json()
    assert body["measurements"][0]["status"] == "ok" and not body["jobs"]
    assert any("ssbkit.processing" in n for n in body["notes"])
    with pytest.raises(InputError, match="ssbkit.processing"):
        analyses.dsc_analysis(__import__("pathlib").Path("x.csv"), "x.csv")


def test_protocol_is_validated_with_suggestions():
    assert analyses.check_protocol({})["circuit"] == "p(R1,CPE1)-p(R2,CPE2)-CPE3"
    with pytest.raises(InputError, match="weighting"):
        analyses.check_protocol({"weigthing": "unit"})
    with pytest.raises(InputError):
        analyses.check_protocol({"circuit": "p(R1,QQ1)"})
    with pytest.raises(InputError, match="kk_threshold"):
        analyses.check_protocol({"kk_threshold": 2})


@pytest.mark.external
def test_adapter_gives_the_library_numbers_on_the_real_pellet_series(reference_dir, tmp_path):
    """Adediwura et al. 2024 pellet (0.8 cm x 0.21 cm): the web analysis is conductivity_series itself."""
    from ssbkit.impedance.readers import read_spectra
    from ssbkit.impedance.series import conductivity_series

    files = sorted((reference_dir / "eis" / "pellet-series").glob("*.txt"))
    r = analyses.impedance_series([(p, p.name, None) for p in files], thickness_cm=0.21, diameter_cm=0.8)
    cs = conductivity_series([s for p in files for s in read_spectra(p)], thickness_cm=0.21, diameter_cm=0.8)
    for k in ("bulk", "gb", "total"):
        assert r[f"ea_{k}_eV"] == cs.arrhenius[k].ea_ev
        np.testing.assert_array_equal(r[f"sigma_{k}_S_per_cm"], getattr(cs, f"sigma_{k}_S_per_cm"))
    assert r["temperatures_C"] == [140, 150, 160, 170, 180, 190, 200]
    assert any("extrapolated" in n for n in r["notes"])  # sigma(25 degC) from 140-200 degC
    assert r["protocol"]["kk_threshold"] == 0.02 and r["software"]["ssbkit"]


def test_obelix_rows_of_li3ps4_carry_their_doi():
    """OBELiX all.csv (commit 4eaac88) rows joc and nhq: Li3PS4, 2.6e-7 and 8.93e-7 S/cm at room
    temperature, both from Liu et al., JACS 135 (2013) 975, doi:10.1021/ja3110895; matched from the
    field notation 75Li2S-25P2S5 through the reduced formula."""
    from ssbkit.web.literature import obelix_rows

    rows = obelix_rows("75Li2S-25P2S5")
    got = {r["name"].split("OBELiX ")[1].rstrip(")"): r for r in rows}
    assert {"joc", "nhq"} <= set(got)
    assert got["joc"]["sigma_S_per_cm"] == 2.6e-07 and got["nhq"]["sigma_S_per_cm"] == 8.93e-07
    assert all("doi:10.1021/ja3110895" in got[k]["reference"] and "CC BY 4.0" in got[k]["reference"]
               for k in ("joc", "nhq"))
    assert obelix_rows("Xx") == []
