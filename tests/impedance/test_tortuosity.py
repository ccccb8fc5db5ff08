"""Tortuosity from EIS (R-17) on a synthetic de Levie spectrum with known R_ion."""

from __future__ import annotations

import numpy as np
import pytest

from ssbkit.errors import InputError
from ssbkit.impedance.spectrum import make_spectrum
from ssbkit.impedance.tortuosity import TortuosityResult, tortuosity_from_spectrum

F = np.logspace(6, -2, 60)
W = 2 * np.pi * F


def _de_levie_cpe(r_bulk, r_ion, q, n):
    """Blocking transmission line: R_b + R_ion coth(x)/x, x = sqrt(R_ion Q (j w)^n)."""
    x = np.sqrt(r_ion * q * (1j * W) ** n)
    return r_bulk + r_ion / (x * np.tanh(x))


def test_tortuosity_from_a_synthetic_blocking_line():
    """R_ion = 200 ohm, d = 0.01 cm, A = 1 cm2: sigma_eff = 5e-5 S/cm; eps = 0.4,
    sigma_SE = 1e-3 S/cm: tau = 0.4 * 1e-3 / 5e-5 = 8 (within 2 % at 0.2 % noise)."""
    rng = np.random.default_rng(0)
    z = _de_levie_cpe(20.0, 200.0, 1e-4, 0.9)
    z = z * (1 + 0.002 * (rng.standard_normal(F.size) + 1j * rng.standard_normal(F.size)))
    s = make_spectrum(F, z.real, z.imag, source="tlm")
    r = tortuosity_from_spectrum(s, thickness_cm=0.01, area_cm2=1.0, eps=0.4,
                                 sigma_se_S_per_cm=1e-3)
    assert r.fit.success
    assert r.r_ion_ohm == pytest.approx(200, rel=0.02)
    assert r.tau == pytest.approx(8.0, rel=0.02)
    assert 0 < r.tau_err < 0.05 * r.tau
    back = TortuosityResult.from_json(r.to_json())
    assert back.tau == r.tau and back.fit.params == r.fit.params
    with pytest.raises(InputError, match="eps"):
        tortuosity_from_spectrum(s, thickness_cm=0.01, area_cm2=1.0, eps=1.5,
                                 sigma_se_S_per_cm=1e-3)
    with pytest.raises(InputError, match="R_ion"):
        tortuosity_from_spectrum(s, thickness_cm=0.01, area_cm2=1.0, eps=0.4,
                                 sigma_se_S_per_cm=1e-3, circuit="R0-p(R1,CPE1)")


def test_cli_tortuosity_json(tmp_path):
    """``ssbkit eis tortuosity`` runs the same workflow: tau = 8 within 2 %."""
    import json

    from typer.testing import CliRunner

    from ssbkit.cli.eis import app

    z = _de_levie_cpe(20.0, 200.0, 1e-4, 0.9)
    p = tmp_path / "tlm.csv"
    p.write_text("".join(
        f"{float(f)!r},{float(a.real)!r},{float(a.imag)!r}\n" for f, a in zip(F, z, strict=True)))
    res = CliRunner().invoke(app, ["tortuosity", str(p), "--thickness-cm", "0.01", "--area-cm2",
                                   "1", "--eps", "0.4", "--sigma-se", "1e-3", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["tortuosity"]["tau"] == pytest.approx(8.0, rel=0.02)
