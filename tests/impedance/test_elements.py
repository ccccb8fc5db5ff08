"""Circuit elements against analytic limits and discrete ladder networks (science.md §2)."""

from __future__ import annotations

import numpy as np
import pytest

from ssbkit.errors import InputError
from ssbkit.impedance.elements import (
    POSITIVE,
    Element,
    element_names,
    evaluate_element,
    get_element,
    register_element,
)


def ladder_impedance(f_hz, *, r_ion, r_e, c_dl, n=200, inp=("ion", 0), out=("e", "end")):
    """Impedance of a discrete two-rail RC ladder (n sections) by nodal analysis.

    Rails: ionic (total resistance r_ion) and electronic (r_e), joined at every
    node by a capacitor (total c_dl, trapezoidal weights). Current enters at
    ``inp`` and leaves at ``out`` (rail, 0 or "end").
    """
    m = n + 1
    g_i, g_e = n / r_ion, n / r_e
    cw = np.full(m, c_dl / n)
    cw[[0, -1]] /= 2
    idx = {"ion": 0, "e": m}

    def node(spec):
        rail, pos = spec
        return idx[rail] + (n if pos == "end" else pos)

    zs = []
    for f in np.atleast_1d(f_hz):
        y = np.zeros((2 * m, 2 * m), complex)
        for base, g in ((0, g_i), (m, g_e)):
            for k in range(n):
                a, b = base + k, base + k + 1
                y[a, a] += g
                y[b, b] += g
                y[a, b] -= g
                y[b, a] -= g
        yc = 2j * np.pi * f * cw
        for k in range(m):
            a, b = k, m + k
            y[a, a] += yc[k]
            y[b, b] += yc[k]
            y[a, b] -= yc[k]
            y[b, a] -= yc[k]
        i_in, i_out = node(inp), node(out)
        keep = [j for j in range(2 * m) if j != i_out]  # ground the output node
        rhs = np.zeros(2 * m, complex)
        rhs[i_in] = 1.0
        v = np.linalg.solve(y[np.ix_(keep, keep)], rhs[keep])
        zs.append(v[keep.index(i_in)])
    return np.array(zs)


def grounded_line(f_hz, *, r, c, n=200, shorted: bool):
    """Single resistive rail with shunt capacitors to ground; far end shorted or open."""
    zs = []
    for f in np.atleast_1d(f_hz):
        yc = 2j * np.pi * f * c / n
        z = 0.0 if shorted else 1.0 / (yc / 2)
        for k in range(n):
            z = r / n + z  # add a resistor section
            yshunt = yc / 2 if k == n - 1 else yc
            z = 1.0 / (1.0 / z + yshunt)
        zs.append(z)
    return np.array(zs)


F = np.logspace(-3, 3, 13)


def test_resistor_capacitor_inductor_match_ohms_law():
    w = 2 * np.pi * F
    assert np.allclose(evaluate_element("R", F, 12.5), 12.5)
    assert np.allclose(evaluate_element("C", F, 1e-6), 1 / (1j * w * 1e-6))
    assert np.allclose(evaluate_element("L", F, 1e-6), 1j * w * 1e-6)


def test_cpe_with_n_one_is_a_capacitor_and_phase_is_minus_n_times_90_degrees():
    assert np.allclose(evaluate_element("CPE", F, 1e-6, 1.0), evaluate_element("C", F, 1e-6))
    z = evaluate_element("CPE", F, 1e-6, 0.7)
    assert np.allclose(np.degrees(np.angle(z)), -63.0)


def test_warburg_has_45_degree_phase_and_inverse_sqrt_frequency_modulus():
    z = evaluate_element("W", F, 50.0)
    assert np.allclose(np.degrees(np.angle(z)), -45.0)
    assert np.allclose(np.abs(z) * np.sqrt(2 * np.pi * F), 50.0 * np.sqrt(2))


def test_finite_warburgs_low_frequency_limits_r_and_r_over_3():
    """Wsn -> R (transmissive); Won -> R/3 - i R/(w tau) (reflective), n = 0.5."""
    f = np.array([1e-7])
    assert np.allclose(evaluate_element("Wsn", f, 10.0, 1.0, 0.5), 10.0, rtol=1e-4)
    zo = evaluate_element("Won", f, 10.0, 1.0, 0.5)
    assert zo.real == pytest.approx(10.0 / 3, rel=1e-4)
    assert zo.imag == pytest.approx(-10.0 / (2 * np.pi * f[0]), rel=1e-4)


def test_finite_warburgs_match_single_rail_rc_ladders():
    """Wsn = shorted RC line, Won = open RC line, with tau = R C (n = 0.5)."""
    r, c = 100.0, 1e-3
    f = np.logspace(-2, 2, 9)
    ws = evaluate_element("Wsn", f, r, r * c, 0.5)
    wo = evaluate_element("Won", f, r, r * c, 0.5)
    np.testing.assert_allclose(ws, grounded_line(f, r=r, c=c, shorted=True), rtol=2e-3)
    np.testing.assert_allclose(wo, grounded_line(f, r=r, c=c, shorted=False), rtol=2e-3)


def test_gerischer_limits():
    z_lo = evaluate_element("G", [1e-9], 20.0, 1e-2)
    z_hi = evaluate_element("G", [1e9], 20.0, 1e-2)
    assert z_lo[0] == pytest.approx(20.0, rel=1e-6)
    assert z_hi[0] == pytest.approx(20.0 / np.sqrt(1j * 2 * np.pi * 1e9 * 1e-2), rel=1e-6)


def test_electron_blocking_cell_high_frequency_limits_r4_r5():
    """Z_HF = 2 R_bulk + R_ion R_e/(R_ion + R_e) (R-4) -> 2 R_bulk when R_e -> 0 (R-5)."""
    rb, ri, re = 5.0, 80.0, 20.0
    z = evaluate_element("EB", [1e12], rb, ri, re, 1e-2, 0.5)[0]
    assert z.real == pytest.approx(2 * rb + ri * re / (ri + re), rel=1e-4)
    z5 = evaluate_element("EB", [1e12], rb, ri, 1e-9, 1e-2, 0.5)[0]
    assert z5.real == pytest.approx(2 * rb, rel=1e-4)


def test_electron_blocking_cell_low_frequency_adds_r_ion_r6_r7():
    rb, ri, re = 5.0, 80.0, 20.0
    z = evaluate_element("EB", [1e-9], rb, ri, re, 1e-2, 0.5)[0]
    assert z.real == pytest.approx(2 * rb + ri * re / (ri + re) + ri, rel=1e-4)
    # R-6 is a finite-length (tanh) element of exponent a
    zlf = evaluate_element("EB", F, 0.0, ri, 1e-12, 1e-2, 0.45) - 1e-12
    assert np.allclose(zlf, evaluate_element("Wsn", F, ri, 1e-2, 0.45), rtol=1e-6)


def test_de_levie_limits_r8():
    """R-8: HF -> R_bulk; LF -> R_bulk + R_ion/3 - i/(w C_dl)."""
    rb, ri, c = 3.0, 90.0, 1e-4
    assert evaluate_element("TLM", [1e10], rb, ri, c)[0].real == pytest.approx(rb, rel=1e-3)
    z = evaluate_element("TLM", [1e-6], rb, ri, c)[0]
    assert z.real == pytest.approx(rb + ri / 3, rel=1e-5)
    assert z.imag == pytest.approx(-1 / (2 * np.pi * 1e-6 * c), rel=1e-5)


def test_de_levie_matches_200_section_ladder_and_cpe_version_with_n_one():
    ri, c = 90.0, 1e-4
    f = np.logspace(-1, 3, 9)
    z = evaluate_element("TLM", f, 0.0, ri, c)
    zl = ladder_impedance(f, r_ion=ri, r_e=1e-9, c_dl=c)
    np.testing.assert_allclose(z, zl, rtol=2e-3)
    np.testing.assert_allclose(evaluate_element("TLMQS", f, 0.0, ri, c, 1.0), z, rtol=1e-10)


def test_two_rail_line_limits_r12_r13_and_ladder():
    """Corrected R-11: HF -> r_ion r_e d/(r_ion+r_e) (R-12); LF real part -> (r_ion+r_e) d/3 (R-13)."""
    ri, re, c = 60.0, 15.0, 1e-4
    z_hf = evaluate_element("TLMR", [1e12], ri, re, c)[0]
    assert z_hf.real == pytest.approx(ri * re / (ri + re), rel=1e-4)
    z_lf = evaluate_element("TLMR", [1e-7], ri, re, c)[0]
    assert z_lf.real == pytest.approx((ri + re) / 3, rel=1e-4)
    f = np.logspace(-1, 3, 9)
    np.testing.assert_allclose(
        evaluate_element("TLMR", f, ri, re, c),
        ladder_impedance(f, r_ion=ri, r_e=re, c_dl=c, inp=("ion", 0), out=("e", "end")),
        rtol=2e-3,
    )


def test_ion_blocking_line_limits_r15_r16_and_ladder():
    """Corrected R-14: HF -> r_ion r_e d/(r_ion+r_e) (R-15); LF -> r_e d (R-16)."""
    ri, re, c = 60.0, 15.0, 1e-4
    assert evaluate_element("TLMB", [1e12], ri, re, c)[0].real == pytest.approx(ri * re / (ri + re), rel=1e-4)
    assert evaluate_element("TLMB", [1e-8], ri, re, c)[0] == pytest.approx(re, rel=1e-5)
    f = np.logspace(-1, 3, 9)
    np.testing.assert_allclose(
        evaluate_element("TLMB", f, ri, re, c),
        ladder_impedance(f, r_ion=ri, r_e=re, c_dl=c, inp=("e", 0), out=("e", "end")),
        rtol=2e-3,
    )


def test_transmission_lines_stay_finite_at_extreme_frequencies():
    f = np.logspace(-8, 12, 21)
    for name, p in (("TLM", (1, 50, 1e-3)), ("TLMR", (50, 5, 1e-3)), ("TLMB", (50, 5, 1e-3)),
                    ("TLMQS", (1, 50, 1e-3, 0.8))):
        assert np.all(np.isfinite(evaluate_element(name, f, *p))), name


def test_register_element_makes_a_user_element_usable_and_rejects_bad_ones():
    from ssbkit.impedance.circuit import parse_circuit

    def z(w, r, tau):
        return r / (1 + (1j * w * tau) ** 0.8)

    el = Element("ZARCx", ("R", "tau"), ("ohm", "s"), (POSITIVE, POSITIVE), (10.0, 1e-3), z)
    register_element(el, overwrite=True)
    assert "ZARCx" in element_names()
    c = parse_circuit("R0-ZARCx1")
    assert c.param_names == ("R0", "ZARCx1_R", "ZARCx1_tau")
    zz = c.impedance([1.0, 10.0, 1e-3], [1e-9])
    assert zz[0] == pytest.approx(11.0, rel=1e-6)
    with pytest.raises(InputError):
        register_element(el)  # taken
    with pytest.raises(InputError):
        register_element(Element("R2D2", ("R",), ("ohm",), (POSITIVE,), (1.0,), z))
    with pytest.raises(InputError, match="did you mean 'CPE'"):
        get_element("CPF")



@pytest.mark.parametrize("name, params", [
    ("Wo", (20.0, 0.5)), ("Ws", (20.0, 0.5)), ("G", (20.0, 1e-2)), ("Gs", (20.0, 1e-2, 0.7)),
    ("TLMQ", (50.0, 1e-4, 0.85)), ("La", (1e-6, 0.9)), ("Zarc", (30.0, 1e-3, 0.8)),
    ("W", (15.0,)), ("CPE", (1e-5, 0.8)), ("R", (5.0,)), ("C", (1e-6,)), ("L", (1e-6,)),
])
def test_impedance_py_elements_match_impedance_py_element_by_element(name, params):
    """impedance.py 1.7.1 (impedance.models.circuits.elements) is the reference: its
    element of the same name at the same parameters, to 1e-12. (impedance.py's CPE is
    1/(Q (j w)^alpha), as ours.)"""
    ipy = pytest.importorskip("impedance.models.circuits.elements")
    f = np.logspace(-3, 6, 40)
    ours = evaluate_element(name, f, *params)
    peer = getattr(ipy, name)(list(params), f)
    np.testing.assert_allclose(ours, peer, rtol=1e-12)
