"""Quick fuzz slice of the cycling readers: the contract holds on a few hundred mutated real files."""

from __future__ import annotations

import pytest

from ssbkit.cell.cycling import read_cycler_file, summarize_cycles


def _read_and_summarise(path):
    data = read_cycler_file(path)
    summarize_cycles(data)  # the analysis must keep the contract too
    return data


def test_cycling_readers_keep_the_contract_on_mutated_fixtures(harness, cycling_seed_files):
    """0 foreign exceptions, 0 hangs, 0 silent changes (issue 10 'done when')."""
    report = harness.run_fuzz(_read_and_summarise, cycling_seed_files, rounds=3, timeout_s=10)
    assert report.n >= 250
    assert not report.bad, report.summary() + "\n" + "\n".join(f"{o.status} {o.mutation}: {o.detail}"
                                                               for o in report.bad[:10])
    assert report.counts["error"] > 0 and report.counts["same"] > 0  # the harness really mutated


def test_harness_flags_a_foreign_exception_a_hang_and_a_silent_change(harness, tmp_path):
    """The harness itself: each forbidden behaviour is caught (else a green run would mean nothing)."""
    p = tmp_path / "x.txt"
    p.write_text("a\n")

    def raises(path):
        raise IndexError("boom")

    def hangs(path):
        while True:
            pass

    assert harness.check_reader(raises, p).status == "foreign"
    assert harness.check_reader(hangs, p, timeout_s=0.2).status == "hang"

    class R:
        def __init__(self, v, notes=()):
            self.v, self.notes = v, notes

        def as_dict(self):
            return {"v": self.v}

    assert harness.check_reader(lambda _: R(2), p, original=R(1), expect="same").status == "silent"
    assert harness.check_reader(lambda _: R(2, ("fixed",)), p, original=R(1)).status == "noted"
    assert harness.check_reader(lambda _: R(1), p, original=R(1)).status == "same"


def test_mutations_are_deterministic(harness):
    data = b"t,v\n1.5,2.5\n3.5,4.5\n" * 10
    a = harness.mutations(data, seed=3)
    b = harness.mutations(data, seed=3)
    assert [m.data for m in a] == [m.data for m in b] and len({m.name for m in a}) > 20
    with pytest.raises(AssertionError):
        assert [m.data for m in harness.mutations(data, seed=4)] == [m.data for m in a]
