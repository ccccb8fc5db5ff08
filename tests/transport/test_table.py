"""Reading conductivity tables for ``ssbkit arrhenius``."""

from __future__ import annotations

import numpy as np
import pytest

from ssbkit.errors import FileFormatError, InputError
from ssbkit.transport import arrhenius
from ssbkit.transport.table import fit_arrhenius_table


def _write(tmp_path, header, rows):
    p = tmp_path / "d.csv"
    p.write_text(header + "\n" + "\n".join(",".join(f"{v:.8g}" for v in r) for r in rows) + "\n")
    return p


def test_celsius_header_is_read_and_ea_recovered(tmp_path):
    tc = np.array([25, 40, 60, 80, 100.0])
    s = arrhenius(tc + 273.15, 2e3, 0.33)
    p = _write(tmp_path, "T_C,sigma_S_per_cm", zip(tc, s, strict=True))
    res = fit_arrhenius_table(p)
    assert res["columns"]["temperature_unit"] == "degC"
    assert res["fit"]["ea_ev"] == pytest.approx(0.33, rel=1e-8)
    assert res["sigma_at"]["sigma_S_per_cm"] == pytest.approx(s[0], rel=1e-8)


def test_unit_must_be_stated_when_header_is_silent(tmp_path):
    p = _write(tmp_path, "temperature,conductivity", [(300, 1e-3), (320, 2e-3), (340, 3e-3)])
    with pytest.raises(InputError, match="temperature-unit"):
        fit_arrhenius_table(p)
    assert fit_arrhenius_table(p, temperature_unit="K")["fit"]["n_points"] == 3


def test_non_numeric_cell_names_file_and_line(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("T_K,sigma\n300,1e-3\n310,abc\n320,3e-3\n")
    with pytest.raises(FileFormatError, match=r"line 3"):
        fit_arrhenius_table(p)


def test_negative_conductivity_rejected(tmp_path):
    p = tmp_path / "neg.csv"
    p.write_text("T_K,sigma\n300,1e-3\n310,-1e-3\n")
    with pytest.raises(InputError, match="> 0"):
        fit_arrhenius_table(p)
