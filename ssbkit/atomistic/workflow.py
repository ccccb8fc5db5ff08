"""MD transport, one workflow for every front door: plan, run, analyse.

:func:`simulate_transport` is read -> supercell -> order -> plan -> MD at each
temperature -> :func:`transport_from_trajectories`; the ``ssbkit md run``
command, the study's ``[atomistic]`` section and the web app all call it.
:func:`plan_md` comes first: from an expected diffusivity (given, or the
stated default Arrhenius guess) it says how long each temperature must run
to reach a diffusive regime by the same rules the analysis applies
(:mod:`ssbkit.atomistic.diffusion`), and how long that takes on this device
(a timed probe of the loaded potential on the actual structure), so a run
that could never be diffusive is refused before it starts.

Each trajectory is analysed by :func:`ssbkit.atomistic.diffusion.analyse_diffusion`
(D from the MSD with honest intervals, Nernst-Einstein sigma = n q^2 D /
(k_B T H_R), science.md sections 1 and 5); the converged conductivities are
fitted to sigma T = A exp(-Ea / k_B T) and extrapolated to 300 K.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, require_positive
from ..progress import Progress, report
from ..records import Record

__all__ = [
    "MDPlan",
    "TransportResult",
    "plan_md",
    "measure_throughput",
    "transport_from_trajectories",
    "simulate_transport",
    "DEFAULT_D300_CM2_PER_S",
    "DEFAULT_EA_EV",
]

#: Default guess when no expected D is given: a fast Li conductor (sigma ~ 1 mS/cm at 300 K
#: corresponds to D ~ 1e-8 cm^2/s at ~3e22 Li/cm^3) with Ea = 0.3 eV. Stated in every plan.
DEFAULT_D300_CM2_PER_S = 1e-8
DEFAULT_EA_EV = 0.3
_KB_EV = 8.617333262e-5


@dataclass(frozen=True)
class MDPlan(Record):
    """How long each temperature must run for a diffusive regime, and how long that takes here.

    ``needed_ps[i]`` is the production time at ``temperatures_K[i]`` for the
    analysis to accept the run (diffusive rms >= one hop at half the run, and
    ``min_events`` hops), from ``expected_d_cm2_per_s[i]``; ``estimated_s`` is
    the wall time of the requested run at ``atom_steps_per_s``.
    """

    temperatures_K: tuple[float, ...]
    expected_d_cm2_per_s: tuple[float, ...]
    d_source: str
    needed_ps: tuple[float, ...]
    requested_ps: float
    equilibration_ps: float
    timestep_fs: float
    n_atoms: int
    n_mobile: int
    hop_A: float
    atom_steps_per_s: float
    throughput_source: str
    estimated_s: float
    too_short_K: tuple[float, ...]
    messages: tuple[str, ...] = field(default=())

    def summary(self) -> str:
        """The plan in a few lines (what the CLI prints before the run).

        Returns
        -------
        str
        """
        return "\n".join(self.messages)


@dataclass(frozen=True)
class TransportResult(Record):
    """Diffusion per temperature and the Arrhenius fit over the converged ones."""

    species: str
    temperatures: tuple[dict, ...]
    arrhenius: dict | None = None
    ea_eV: float | None = None
    ea_ci_eV: tuple[float, float] | None = None
    sigma_300K_S_per_cm: tuple[float, float, float] | None = None
    t_room_K: float = 300.0
    references: tuple[str, ...] = ()


def _needed_ps(d_cm2_per_s: float, hop_A: float, n_mobile: int, min_events: float) -> float:
    """Production time (ps) the analysis accepts for a true D: the 10-50 % window rules.

    Diffusive rms at half the run >= hop: 6 D (t / 2) >= hop^2; hops: N 6 D t / hop^2 >= min_events.
    """
    d = d_cm2_per_s / 1e-4  # Å^2/ps
    return max(hop_A**2 / (3.0 * d), min_events * hop_A**2 / (6.0 * d * max(n_mobile, 1)))


def measure_throughput(atoms, calculator, *, n_calls: int = 3) -> float:
    """Atom-steps per second of ``calculator`` on ``atoms`` (timed force calls after one warm-up).

    Parameters
    ----------
    atoms
        ASE Atoms (a copy is used).
    calculator
        ASE calculator.
    n_calls
        Timed force evaluations.

    Returns
    -------
    float
        Atoms x force calls per second (one MD step is one force call).
    """
    a = atoms.copy()
    a.calc = calculator
    a.get_forces()
    t0 = time.perf_counter()
    for i in range(n_calls):
        a.positions[0, 0] += 1e-4 * (i + 1)  # a new geometry each call: no cached result
        a.get_forces()
    return len(a) * n_calls / max(time.perf_counter() - t0, 1e-9)


def plan_md(
    n_atoms: int,
    n_mobile: int,
    temperatures_k: Sequence[float],
    *,
    time_ps: float,
    equilibration_ps: float = 1.0,
    timestep_fs: float = 2.0,
    hop_A: float = 2.5,
    expected_d_cm2_per_s: float | Sequence[float] | None = None,
    atom_steps_per_s: float | None = None,
    throughput_source: str = "",
    min_events: float = 20.0,
) -> MDPlan:
    """Run length needed for a diffusive regime at each temperature, and the time the request takes.

    Parameters
    ----------
    n_atoms, n_mobile
        Atoms in the supercell, and of the mobile species.
    temperatures_k
        MD temperatures, K.
    time_ps, equilibration_ps, timestep_fs
        The requested production and equilibration time (ps) and time step (fs).
    hop_A
        Hop length of the mobile ion, Å (the analysis default: nearest-neighbour distance).
    expected_d_cm2_per_s
        Expected tracer D at each temperature (or one value for all), e.g.
        from a probe or the literature; default the Arrhenius guess
        :data:`DEFAULT_D300_CM2_PER_S` at 300 K with :data:`DEFAULT_EA_EV`.
    atom_steps_per_s
        Throughput on this device (:func:`measure_throughput`); default the
        CPU figure of :data:`ssbkit.atomistic.md.CPU_ATOM_STEPS_PER_S`.
    throughput_source
        Where the throughput came from (for the message).
    min_events
        Fewest hops the analysis accepts.

    Returns
    -------
    MDPlan
        With ``too_short_K``, the temperatures whose requested time is below
        what they need, and the messages to print.

    Examples
    --------
    >>> p = plan_md(96, 40, [600.0], time_ps=1.0, expected_d_cm2_per_s=1e-5, hop_A=2.5)
    >>> round(p.needed_ps[0], 1), p.too_short_K
    (20.8, (600.0,))
    """
    from .md import CPU_ATOM_STEPS_PER_S

    temps = tuple(require_positive("temperature (K)", float(t)) for t in temperatures_k)
    if not temps:
        raise InputError("give at least one temperature")
    require_positive("time_ps", time_ps)
    if expected_d_cm2_per_s is None:
        ds = tuple(DEFAULT_D300_CM2_PER_S * math.exp(-DEFAULT_EA_EV / _KB_EV * (1 / t - 1 / 300.0))
                   for t in temps)
        src = (f"guess: D(300 K) = {DEFAULT_D300_CM2_PER_S:g} cm2/s, Ea = {DEFAULT_EA_EV:g} eV "
               "(a fast conductor; give expected_d_cm2_per_s for your material)")
    else:
        vals = [expected_d_cm2_per_s] * len(temps) if isinstance(expected_d_cm2_per_s, int | float) \
            else list(expected_d_cm2_per_s)
        if len(vals) != len(temps):
            raise InputError(f"{len(vals)} expected diffusivities for {len(temps)} temperatures")
        ds = tuple(require_positive("expected D (cm2/s)", float(v)) for v in vals)
        src = "given"
    rate = float(atom_steps_per_s or CPU_ATOM_STEPS_PER_S)
    tsrc = throughput_source or ("given" if atom_steps_per_s else "CPU figure (benchmarks/RESULTS.md)")
    needed = tuple(_needed_ps(d, hop_A, n_mobile, min_events) for d in ds)
    steps = (time_ps + equilibration_ps) * 1000.0 / timestep_fs
    est = n_atoms * steps * len(temps) / rate
    short = tuple(t for t, n in zip(temps, needed, strict=True) if time_ps < n)
    msgs = [f"plan: {n_atoms} atoms ({n_mobile} mobile), hop {hop_A:.2g} Å, D from {src}"]
    for t, d, n in zip(temps, ds, needed, strict=True):
        msgs.append(f"  {t:7.1f} K: expected D {d:.2g} cm2/s -> needs >= {n:.3g} ps of production "
                    f"({'ok' if time_ps >= n else 'requested ' + format(time_ps, 'g') + ' ps is too short'})")
    msgs.append(f"  requested {time_ps:g} ps + {equilibration_ps:g} ps equilibration x {len(temps)} "
                f"temperature(s): about {_hms(est)} at {rate:.0f} atom-steps/s ({tsrc})")
    return MDPlan(temperatures_K=temps, expected_d_cm2_per_s=ds, d_source=src, needed_ps=needed,
                  requested_ps=float(time_ps), equilibration_ps=float(equilibration_ps),
                  timestep_fs=float(timestep_fs), n_atoms=int(n_atoms), n_mobile=int(n_mobile),
                  hop_A=float(hop_A), atom_steps_per_s=rate, throughput_source=tsrc, estimated_s=est,
                  too_short_K=short, messages=tuple(msgs))


def _hms(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def transport_from_trajectories(
    trajectories: Sequence[str | Path | Sequence[str | Path]],
    temperatures_k: Sequence[float],
    *,
    species: str = "Li",
    frame_interval_ps: float | None = None,
    t_room_k: float = 300.0,
    report_unconverged: bool = False,
) -> TransportResult:
    """Diffusion analysis per trajectory and an Arrhenius fit over the converged ones.

    Parameters
    ----------
    trajectories
        One file per temperature, or a list of restart segments per temperature.
    temperatures_k
        Temperature of each, K.
    species
        Mobile ion.
    frame_interval_ps
        Time between frames, ps (else from the files).
    t_room_k
        Temperature of the extrapolation, K.
    report_unconverged
        Give D with its caveat where a run is not diffusive (never used in the fit).

    Returns
    -------
    TransportResult
        ``temperatures``: one row per trajectory (``converged``, ``verdict``,
        ``reasons``, ``D_cm2_per_s``, ``sigma_S_per_cm`` and errors); where two
        or more converged: ``arrhenius``, ``ea_eV``, ``ea_ci_eV``,
        ``sigma_300K_S_per_cm`` (value, low, high).
    """
    from ..transport import fit_arrhenius
    from .diffusion import REFERENCES, analyse_diffusion
    from .segments import read_trajectories

    if len(trajectories) != len(temperatures_k):
        raise InputError(f"{len(trajectories)} trajectories but {len(temperatures_k)} temperatures: give one each")
    rows: list[dict[str, Any]] = []
    for path, t in zip(trajectories, temperatures_k, strict=True):
        paths = [path] if isinstance(path, str | Path) else list(path)
        res = analyse_diffusion(read_trajectories(paths, frame_interval_ps=frame_interval_ps), species,
                                temperature_k=float(t), report_unconverged=report_unconverged)
        rows.append({"temperature_K": float(t), "trajectory": " + ".join(map(str, paths)),
                     "converged": bool(res.converged), "verdict": res.verdict, "reasons": list(res.reasons),
                     "caveat": res.caveat, "D_cm2_per_s": res.d_cm2_per_s, "D_err_cm2_per_s": res.d_err_cm2_per_s,
                     "D_ci_cm2_per_s": res.d_ci_cm2_per_s, "sigma_S_per_cm": res.sigma_S_per_cm,
                     "sigma_err_S_per_cm": res.sigma_err_S_per_cm, "haven_ratio": res.haven_ratio})
    out: dict[str, Any] = {"species": species, "temperatures": tuple(rows), "references": REFERENCES,
                           "t_room_K": float(t_room_k)}
    ok = [r for r in rows if r["converged"] and r["sigma_S_per_cm"]]
    if len(ok) >= 2:
        errs = [r["sigma_err_S_per_cm"] for r in ok]
        fit = fit_arrhenius([r["temperature_K"] for r in ok], [r["sigma_S_per_cm"] for r in ok],
                            y_err=errs if all(e and e > 0 for e in errs) else None, form="sigmaT")
        y, lo, hi = fit.confidence_interval(float(t_room_k))
        out |= {"arrhenius": fit.to_dict(), "ea_eV": fit.ea_ev, "ea_ci_eV": tuple(fit.ea_ci_ev),
                "sigma_300K_S_per_cm": (y, lo, hi)}
    return TransportResult(**out)


def simulate_transport(
    structure,
    temperatures_k: Sequence[float],
    *,
    time_ps: float,
    out_dir: str | Path,
    calculator: Any = "chgnet",
    device: str | None = "auto",
    threads: int | None = None,
    species: str = "Li",
    min_length_A: float = 10.0,
    expected_d_cm2_per_s: float | Sequence[float] | None = None,
    allow_short: bool = False,
    max_hours: float | None = None,
    atom_steps_per_s: float | None = None,
    analyse: bool = True,
    seed: int = 0,
    plan_only: bool = False,
    progress: Progress | None = None,
    **md_options: Any,
) -> dict[str, Any]:
    """Read, make a supercell, order, plan, run MD at each temperature and analyse the transport.

    Parameters
    ----------
    structure
        Structure file or object (partial occupancies are ordered with the potential).
    temperatures_k
        MD temperatures, K.
    time_ps
        Production time per temperature, ps.
    out_dir
        Folder of trajectories and checkpoints (a rerun resumes).
    calculator, device, threads
        See :func:`ssbkit.atomistic.calculators.load_calculator`.
    species
        Mobile ion.
    min_length_A
        Supercell: every perpendicular width at least this, Å.
    expected_d_cm2_per_s
        Expected D for the plan (see :func:`plan_md`).
    allow_short
        Run even when the plan says the time is too short for a diffusive regime.
    max_hours
        Refuse (before any MD) a request the plan estimates longer than this.
    atom_steps_per_s
        Throughput for the plan; default a timed probe of the potential here.
    analyse
        Run the diffusion analysis after the MD.
    seed
        Random seed (ordering, velocities, thermostat).
    plan_only
        Return after the plan (``runs`` empty), refusing nothing.
    progress
        ``progress(done, total, message)`` over all MD steps.
    **md_options
        Passed to :func:`ssbkit.atomistic.md.run_md` (timestep_fs, equilibration_ps,
        frame_interval_fs, thermostat, guards, ...).

    Returns
    -------
    dict
        ``formula``, ``n_atoms``, ``plan`` (:class:`MDPlan`), ``runs``
        (:class:`~ssbkit.atomistic.md.MDRun`), ``stopped`` (temperature, reason,
        message), ``notes``, ``transport`` (:class:`TransportResult`, when analysed).

    Raises
    ------
    InputError
        The plan says the run is too short (unless ``allow_short``) or too
        long; MD stopped at every temperature.
    """
    from .calculators import load_calculator
    from .md import MDStopped, run_md
    from .structures import make_supercell, order_structure, read_structure, to_atoms

    calc = load_calculator(calculator, device=device, threads=threads)
    s = read_structure(structure) if isinstance(structure, str | Path) else structure
    s = make_supercell(s, min_length_A=min_length_A)
    notes = []
    if not s.is_ordered:
        s = order_structure(s, calculator=calc, seed=seed).structure
        notes.append("partial occupancies ordered (lowest-energy of 5 random orderings)")
    plan = _plan_for(s, temperatures_k, time_ps, calc, species, expected_d_cm2_per_s, atom_steps_per_s,
                     md_options)
    report(progress, 0, 0, plan.summary())
    base = {"formula": s.composition.reduced_formula, "n_atoms": len(to_atoms(s)), "plan": plan, "notes": notes}
    if plan_only:
        return base | {"runs": [], "stopped": []}
    if plan.too_short_K and not allow_short:
        raise InputError(f"not started: {time_ps:g} ps is too short for a diffusive regime at "
                         f"{', '.join(f'{t:g}' for t in plan.too_short_K)} K (needs "
                         f"{max(plan.needed_ps):.3g} ps by the plan; allow_short / --allow-short runs it anyway)\n"
                         + plan.summary())
    if max_hours is not None and plan.estimated_s > 3600.0 * max_hours:
        raise InputError(f"not started: the plan estimates {plan.estimated_s / 3600:.1f} h (> {max_hours:g} h)\n"
                         + plan.summary())
    runs: list[Any] = []
    stopped: list[dict[str, Any]] = []
    for t in plan.temperatures_K:
        try:
            runs.append(run_md(s, temperature_k=t, time_ps=time_ps, out_dir=out_dir, calculator=calc,
                               mobile_species=(species,), seed=seed, progress=progress, **md_options))
        except MDStopped as exc:  # melting / blow-up at this T: report it, run the others
            stopped.append({"temperature_K": t, "reason": exc.reason, "message": str(exc)})
    if not runs:
        raise InputError("MD stopped at every temperature: " + "; ".join(x["message"] for x in stopped))
    doc: dict[str, Any] = base | {"runs": runs, "stopped": stopped}
    if analyse:
        doc["transport"] = transport_from_trajectories([r.trajectory for r in runs],
                                                       [r.temperature_K for r in runs], species=species)
    return doc


def _plan_for(s, temperatures_k, time_ps, calc, species, expected_d, atom_steps_per_s, md_options) -> MDPlan:
    """The plan for structure ``s``: hop length from the structure, throughput timed on this device."""
    import numpy as np

    from .structures import to_atoms

    atoms = to_atoms(s)
    sym = np.array(atoms.get_chemical_symbols())
    n_mobile = int((sym == species).sum())
    if n_mobile == 0:
        raise InputError(f"no {species} in {s.composition.reduced_formula}: nothing to diffuse")
    hop = 2.5
    if n_mobile >= 2:
        from ase.neighborlist import neighbor_list

        i, d = neighbor_list("id", atoms, 6.0)
        mob = sym[i] == species
        j = neighbor_list("j", atoms, 6.0)
        same = mob & (sym[j] == species)
        if same.any():
            nearest = [d[same & (i == k)].min() for k in np.flatnonzero(sym == species) if (same & (i == k)).any()]
            hop = float(np.median(nearest))
    src = ""
    if atom_steps_per_s is None:
        atom_steps_per_s = measure_throughput(atoms, calc)
        src = "timed on this device just now"
    return plan_md(len(atoms), n_mobile, temperatures_k, time_ps=time_ps,
                   equilibration_ps=float(md_options.get("equilibration_ps", 1.0)),
                   timestep_fs=float(md_options.get("timestep_fs", 2.0)), hop_A=hop,
                   expected_d_cm2_per_s=expected_d, atom_steps_per_s=atom_steps_per_s, throughput_source=src)
