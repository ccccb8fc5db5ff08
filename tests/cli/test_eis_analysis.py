"""``ssbkit eis drt``: the DRT workflow through the CLI (R + two RCs with known areas)."""

from __future__ import annotations

import json

import numpy as np
from typer.testing import CliRunner

from ssbkit.cli.eis import app

runner = CliRunner()


def test_drt_command_reports_two_peaks_of_two_rc(tmp_path):
    """R0 + two RCs (100 ohm at 1e-4 s, 50 ohm at 1e-1 s): ``eis drt --json`` gives two
    peaks of 100 and 50 ohm (5 %)."""
    f = np.logspace(6, -2, 81)
    w = 2 * np.pi * f
    z = 10 + 100 / (1 + 1j * w * 1e-4) + 50 / (1 + 1j * w * 1e-1)
    p = tmp_path / "two_rc.csv"
    p.write_text("".join(f"{float(a)!r},{float(b.real)!r},{float(b.imag)!r}\n"
                         for a, b in zip(f, z, strict=True)))
    res = runner.invoke(app, ["drt", str(p), "--json"])
    assert res.exit_code == 0, res.output
    peaks = json.loads(res.stdout)["drt"][0]["peak_table"]
    assert [round(q["r_ohm"] / 5) * 5 for q in peaks if q["r_ohm"] > 5] == [100, 50]
