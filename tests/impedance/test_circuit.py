"""Circuit language: both syntaxes, series/parallel rules, Jacobians, bad strings."""

from __future__ import annotations

import numpy as np
import pytest

from ssbkit.errors import InputError
from ssbkit.impedance.circuit import parse_circuit

F = np.logspace(-2, 6, 40)
W = 2 * np.pi * F


def test_impedancepy_and_boukamp_cdc_give_the_same_model_and_impedance():
    a = parse_circuit("R0-p(R1,CPE1)-CPE2")
    b = parse_circuit("R(RQ)Q")
    assert a.structure == b.structure == "R-p(R,CPE)-CPE"
    p = [10.0, 100.0, 1e-6, 0.9, 1e-4, 0.8]
    np.testing.assert_allclose(a.impedance(p, F), b.impedance(p, F), rtol=1e-14)


def test_nested_cdc_with_series_brackets_matches_impedancepy_string():
    a = parse_circuit("R0-p(C1,R1-p(R2,CPE2))")
    b = parse_circuit("R(C[R(RQ)])")
    assert a.structure == b.structure
    p = [5.0, 1e-9, 50.0, 200.0, 1e-5, 0.85]
    np.testing.assert_allclose(a.impedance(p, F), b.impedance(p, F), rtol=1e-14)


def test_randles_cell_matches_hand_written_formula():
    """R0 + 1/(i w C1 + 1/(R1 + W)) -- the textbook Randles circuit."""
    c = parse_circuit("R0-p(C1,R1-W1)")
    r0, c1, r1, s = 2.0, 2e-5, 30.0, 15.0
    zw = s * (1 - 1j) / np.sqrt(W)
    expect = r0 + 1 / (1j * W * c1 + 1 / (r1 + zw))
    np.testing.assert_allclose(c.impedance([r0, c1, r1, s], F), expect, rtol=1e-12)


def test_parameter_names_follow_labels_and_auto_numbering():
    assert parse_circuit("R0-p(R1,CPE1)-Wo2").param_names == (
        "R0", "R1", "CPE1_Q", "CPE1_n", "Wo2_Z0", "Wo2_tau")
    assert parse_circuit("R0-p(R1,CPE1)-Won2").param_names[-3:] == ("Won2_R", "Won2_tau",
                                                                   "Won2_n")
    assert parse_circuit("R(RC)").param_names == ("R0", "R1", "C2")
    assert str(parse_circuit("R(RC)")) == "R0-p(R1,C2)"


@pytest.mark.parametrize("text", ["R0-p(R1,CPE1)-CPE2", "R0-p(R1,C1)-p(R2-Wo1,C2)",
                                  "L0-R0-p(R1,CPE1)-TLMQS1", "p(R1,CPE1)-G1-Ws1", "R0-p(R1,C1)-TLMB1"])
def test_analytic_and_numeric_jacobians_match_central_differences(text):
    c = parse_circuit(text)
    rng = np.random.default_rng(3)
    p = np.array(c.defaults) * np.exp(rng.normal(0, 0.3, c.n_params))
    p = np.where(np.array(c.param_kinds) == "exponent", np.clip(p, 0.3, 0.95), p)
    z, jac = c.impedance_and_jacobian(p, F)
    np.testing.assert_allclose(z, c.impedance(p, F), rtol=1e-13)
    for k in range(c.n_params):
        h = 1e-6 * p[k]
        hi, lo = p.copy(), p.copy()
        hi[k] += h
        lo[k] -= h
        fd = (c.impedance(hi, F) - c.impedance(lo, F)) / (2 * h)
        # central differences carry round-off ~ eps |Z| / h on top of O(h^2)
        tol = 1e-5 * np.abs(fd) + 1e-7 * np.abs(z) / p[k]
        assert np.all(np.abs(jac[k] - fd) <= tol), c.param_names[k]


def test_unknown_element_suggests_the_closest_name():
    with pytest.raises(InputError, match="did you mean 'CPE'"):
        parse_circuit("R0-p(R1,CPR1)")
    with pytest.raises(InputError, match="unknown CDC letter 'X'"):
        parse_circuit("R(RX)")


@pytest.mark.parametrize("bad", ["", "R0-", "p(R1)", "R0-p(R1,C1", "R0-R0", "R(RQ", "R0-p(R1,C1))", "R0+C1"])
def test_malformed_strings_raise_input_error(bad):
    with pytest.raises(InputError):
        parse_circuit(bad)


def test_wrong_parameter_count_is_an_input_error():
    with pytest.raises(InputError, match="needs 3 parameters"):
        parse_circuit("R0-p(R1,C1)").impedance([1.0, 2.0], F)
