"""Property test: any spectrum written as a text table in any common dialect reads back
exactly (hypothesis; the written numbers are the ground truth).

Dialects: delimiter (comma, semicolon, tab, spaces), decimal comma, header spelling and
the sign convention it states (Z'' or -Z''), encoding (UTF-8 +/- BOM, UTF-16, cp1252),
newline (LF, CRLF, CR). Frequencies strictly decreasing (one sweep), values finite.
"""

from __future__ import annotations

import os

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssbkit.impedance.readers import read_spectra

HEADERS = [  # (header with {d} for the delimiter, sign of the stored imaginary part)
    ("freq/Hz{d}Re(Z)/Ohm{d}-Im(Z)/Ohm", -1),
    ("f{d}Z'{d}Z''", 1),
    ("Frequency (Hz){d}Z' (Ω){d}-Z'' (Ω)", -1),
    ("Freq{d}Zreal{d}Zimag", 1),
    ("frequency{d}real{d}imaginary", 1),
]

finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


@st.composite
def spectra(draw):
    n = draw(st.integers(3, 40))
    f = np.array(sorted(draw(st.lists(st.floats(1e-3, 1e7), min_size=n, max_size=n,
                                      unique=True)), reverse=True))
    zr = np.array(draw(st.lists(finite, min_size=n, max_size=n)))
    zi = np.array(draw(st.lists(finite, min_size=n, max_size=n)))
    return f, zr, zi


@settings(max_examples=int(os.environ.get("SSBKIT_HYP_N", "60")), deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=spectra(),
    header=st.sampled_from(HEADERS),
    delim=st.sampled_from([",", ";", "\t", "  "]),
    comma=st.booleans(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_any_dialect_reads_back_exactly(tmp_path, data, header, delim, comma, encoding, newline):
    f, zr, zi = data
    text, sign = header
    comma = comma and delim != ","

    def fmt(x: float) -> str:
        s = repr(float(x))
        return s.replace(".", ",") if comma else s

    rows = [delim.join(fmt(v) for v in (a, b, sign * c)) for a, b, c in zip(f, zr, zi,
                                                                           strict=True)]
    path = tmp_path / "t.csv"
    path.write_bytes(newline.join([text.format(d=delim), *rows, ""]).encode(encoding, "replace"))
    (s,) = read_spectra(path)
    np.testing.assert_array_equal(s.frequency_hz, f)
    np.testing.assert_array_equal(s.z_ohm.real, zr)
    np.testing.assert_array_equal(s.z_ohm.imag, zi)
