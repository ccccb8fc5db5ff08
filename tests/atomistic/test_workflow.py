"""Planning an MD run before it starts (ssbkit.atomistic.workflow)."""

from __future__ import annotations

import pytest

from ssbkit.atomistic.trajectory import random_walk_trajectory
from ssbkit.atomistic.workflow import MDPlan, plan_md
from ssbkit.errors import InputError


def test_plan_needs_one_hop_at_half_the_run():
    """Analytic: the analysis wants 6 D (t/2) >= hop^2 and N 6 D t / hop^2 >= 20 hops. D = 1e-5 cm^2/s =
    0.1 Å^2/ps, hop 2.5 Å: t >= 6.25 / 0.3 = 20.8 ps (40 ions make 20 hops sooner)."""
    p = plan_md(96, 40, [600.0, 800.0], time_ps=10.0, expected_d_cm2_per_s=[1e-5, 4e-5], hop_A=2.5,
                atom_steps_per_s=1000.0)
    assert p.needed_ps[0] == pytest.approx(6.25 / 0.3)
    assert p.needed_ps[1] == pytest.approx(6.25 / 1.2)
    assert p.too_short_K == (600.0,)
    # 96 atoms x (10 + 1) ps / 2 fs = 5500 steps, x 2 temperatures, at 1000 atom-steps/s
    assert p.estimated_s == pytest.approx(96 * 5500 * 2 / 1000.0)
    assert "too short" in p.summary() and "18 min" in p.summary()  # 1056 s
    assert MDPlan.from_json(p.to_json()) == p


def test_plan_agrees_with_the_analysis_on_a_walk_of_the_planned_length():
    """Synthetic ground truth: a walk of exactly the planned length (D = 0.1 Å^2/ps, hop 2 Å) is accepted
    in most runs; one of a fifth of it is refused for the hop criterion."""
    from ssbkit.atomistic.diffusion import analyse_diffusion

    p = plan_md(16, 16, [600.0], time_ps=1.0, expected_d_cm2_per_s=1e-5, hop_A=2.0)
    n_frames = int(p.needed_ps[0] * 1.1 / 0.1) + 1
    ok = sum(analyse_diffusion(random_walk_trajectory(n_atoms=16, n_frames=n_frames, d_A2_per_ps=0.1,
                                                      frame_interval_ps=0.1, box_A=12.0, seed=s),
                               "Li", hop_length=2.0).converged for s in range(10))
    assert ok >= 7
    short = random_walk_trajectory(n_atoms=16, n_frames=n_frames // 5, d_A2_per_ps=0.1, frame_interval_ps=0.1,
                                   box_A=12.0, seed=0)
    assert not analyse_diffusion(short, "Li", hop_length=2.0).converged


def test_plan_rejects_bad_input_and_states_its_guess():
    with pytest.raises(InputError, match="expected diffusivities"):
        plan_md(10, 4, [600.0, 700.0], time_ps=10.0, expected_d_cm2_per_s=[1e-5])
    p = plan_md(10, 4, [600.0], time_ps=10.0)
    assert p.d_source.startswith("guess") and "Ea = 0.3 eV" in p.summary()
