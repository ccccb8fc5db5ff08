"""Molecular dynamics for transport: relax, equilibrate, NVT at a list of temperatures.

Runs ASE dynamics (Bussi, Langevin or Nose-Hoover-chain NVT; velocity-Verlet
NVE) under any ASE calculator (CHGNet by default, science.md section 5). Each run
writes an ASE trajectory of production frames and a checkpoint (the last state
with momenta and the step reached), so an interrupted run resumes where it
stopped and never duplicates a frame. Every frame interval the run is checked
for trouble and stopped with :class:`MDStopped` naming the cause:

- potential blow-up: non-finite energy or forces, two atoms closer than
  ``min_distance_A``, or the potential energy falling by more than
  ``max_epot_drop_eV_per_atom`` (the structure fell into a hole of the potential);
- temperature runaway: instantaneous T above ``max_temperature_factor`` x target;
- energy drift (NVE): total energy moving more than ``max_drift_eV_per_atom``;
- melting: root-mean-square displacement of the framework (every species but the
  mobile ones) above ``melt_rmsd_A`` - the host lattice flows.

The diffusion analysis of the trajectories is in :mod:`ssbkit.atomistic.diffusion`.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError, did_you_mean, require_positive
from ..jsonio import input_key, write_text_atomic
from ..progress import Progress, report
from ..records import Record
from .calculators import CHGNET_REFERENCE, calculator_info, calculator_name, load_calculator
from .structures import to_atoms, to_structure

__all__ = [
    "THERMOSTATS",
    "CPU_ATOM_STEPS_PER_S",
    "Guards",
    "MDRun",
    "MDStopped",
    "relax",
    "run_md",
    "estimate_md_seconds",
]

THERMOSTATS = ("bussi", "langevin", "nose-hoover", "nve")
#: Throughput of CHGNet 0.3.0 MD on one 2-core CPU, atom-steps per second
#: (benchmarks/RESULTS.md); used only to estimate run times.
CPU_ATOM_STEPS_PER_S = 300.0


class MDStopped(InputError):
    """An MD run stopped because the structure melted or the potential blew up."""

    def __init__(self, message: str, *, reason: str, step: int):
        super().__init__(message)
        self.reason = reason
        self.step = step


@dataclass(frozen=True)
class Guards(Record):
    """Thresholds that stop a run (see the module docstring); None disables one."""

    min_distance_A: float | None = 0.6
    max_temperature_factor: float | None = 3.0
    max_epot_drop_eV_per_atom: float | None = 1.0
    max_drift_eV_per_atom: float | None = 0.05
    melt_rmsd_A: float | None = 2.5


@dataclass(frozen=True)
class MDRun(Record):
    """One MD run at one temperature.

    Attributes
    ----------
    trajectory
        Path of the ASE trajectory of production frames (positions, momenta, energies).
    frame_interval_ps
        Time between saved frames, ps (give it to the diffusion analysis).
    mean_temperature_K, std_temperature_K
        Instantaneous temperature over the production frames.
    atom_steps_per_s
        Throughput of this call (atoms x steps / wall seconds).
    """

    temperature_K: float
    trajectory: str
    checkpoint: str
    n_atoms: int
    n_frames: int
    timestep_fs: float
    frame_interval_ps: float
    production_ps: float
    equilibration_ps: float
    thermostat: str
    calculator: str
    mean_temperature_K: float
    std_temperature_K: float
    wall_s: float
    atom_steps_per_s: float
    resumed: bool
    references: tuple[str, ...] = field(default=())
    calculator_info: dict = field(default_factory=dict)


def estimate_md_seconds(n_atoms: int, n_steps: int, atom_steps_per_s: float = CPU_ATOM_STEPS_PER_S) -> float:
    """Wall time (s) of ``n_steps`` MD steps on ``n_atoms`` atoms at the given throughput.

    Parameters
    ----------
    n_atoms
        Atoms.
    n_steps
        MD steps.
    atom_steps_per_s
        Throughput.

    Returns
    -------
    float
        Seconds.
    """
    return float(n_atoms) * float(n_steps) / float(atom_steps_per_s)


def relax(structure, *, calculator: Any = "chgnet", fmax_eV_per_A: float = 0.05, steps: int = 300,
          relax_cell: bool = True):
    """Relax positions (and the cell) with FIRE; returns ``(Structure, energy_eV)``.

    Parameters
    ----------
    structure
        Structure, Atoms or file.
    calculator
        Potential.
    fmax_eV_per_A
        Force convergence, eV/Å.
    steps
        Most FIRE steps.
    relax_cell
        Relax the cell too (Frechet filter).

    Returns
    -------
    tuple
        Relaxed pymatgen Structure and its energy, eV.
    """
    from ase.filters import FrechetCellFilter
    from ase.optimize import FIRE

    atoms = to_atoms(structure)
    atoms.calc = load_calculator(calculator)
    target = FrechetCellFilter(atoms) if relax_cell else atoms
    FIRE(target, logfile=None).run(fmax=fmax_eV_per_A, steps=steps)
    return to_structure(atoms), float(atoms.get_potential_energy())


def _dynamics(atoms, thermostat: str, t_k: float, dt_fs: float, seed: int):
    from ase import units

    dt = dt_fs * units.fs
    rng = np.random.default_rng(seed)
    if thermostat == "bussi":
        from ase.md.bussi import Bussi

        return Bussi(atoms, dt, temperature_K=t_k, taut=100 * units.fs, rng=rng)
    if thermostat == "langevin":
        from ase.md.langevin import Langevin

        return Langevin(atoms, dt, temperature_K=t_k, friction=1.0 / (1000 * units.fs), rng=rng)
    if thermostat == "nose-hoover":
        from ase.md.nose_hoover_chain import NoseHooverChainNVT

        return NoseHooverChainNVT(atoms, dt, temperature_K=t_k, tdamp=100 * units.fs)
    from ase.md.verlet import VelocityVerlet

    return VelocityVerlet(atoms, dt)


class _Monitor:
    """Checks a run every frame interval and follows the framework's unwrapped displacement."""

    def __init__(self, atoms, t_k: float, guards: Guards, mobile: tuple[str, ...], nve: bool):
        self.g, self.t_k, self.nve = guards, t_k, nve
        self.n = len(atoms)
        sym = np.array(atoms.get_chemical_symbols())
        self.frame = ~np.isin(sym, list(mobile))
        self.prev = atoms.get_positions()
        self.disp = np.zeros_like(self.prev)
        self.e0_pot = float(atoms.get_potential_energy()) / self.n
        self.e0_tot = self.e0_pot + float(atoms.get_kinetic_energy()) / self.n

    def check(self, atoms, step: int) -> None:
        from ase.geometry import find_mic

        g = self.g
        pos = atoms.get_positions()
        epot = float(atoms.get_potential_energy()) / self.n
        forces = atoms.get_forces()
        t_inst = float(atoms.get_temperature())
        where = f"at step {step} (T target {self.t_k:g} K)"
        if not (math.isfinite(epot) and np.all(np.isfinite(forces)) and np.all(np.isfinite(pos))):
            raise MDStopped(f"potential blow-up {where}: non-finite energy or forces", reason="blow-up", step=step)
        if g.min_distance_A:
            from ase.neighborlist import neighbor_list

            d = neighbor_list("d", atoms, g.min_distance_A)
            if len(d):
                raise MDStopped(
                    f"potential blow-up {where}: two atoms {float(d.min()):.2f} A apart "
                    f"(< {g.min_distance_A} A); lower the temperature or the time step",
                    reason="blow-up", step=step)
        if g.max_epot_drop_eV_per_atom and epot < self.e0_pot - g.max_epot_drop_eV_per_atom:
            raise MDStopped(
                f"potential blow-up {where}: potential energy fell {self.e0_pot - epot:.2f} eV/atom "
                "below its start (a hole in the potential)", reason="blow-up", step=step)
        if g.max_temperature_factor and t_inst > g.max_temperature_factor * self.t_k:
            raise MDStopped(
                f"temperature runaway {where}: instantaneous T = {t_inst:.0f} K; lower the time step",
                reason="temperature", step=step)
        if self.nve and g.max_drift_eV_per_atom:
            drift = abs(epot + float(atoms.get_kinetic_energy()) / self.n - self.e0_tot)
            if drift > g.max_drift_eV_per_atom:
                raise MDStopped(f"energy drift {where}: {drift:.3f} eV/atom in NVE; lower the time step",
                                reason="drift", step=step)
        d, _ = find_mic(pos - self.prev, atoms.cell, atoms.pbc)
        self.disp += d
        self.prev = pos
        if g.melt_rmsd_A and self.frame.any():
            u = self.disp[self.frame]
            u = u - u.mean(axis=0)
            rmsd = float(np.sqrt((u**2).sum(axis=1).mean()))
            if rmsd > g.melt_rmsd_A:
                raise MDStopped(
                    f"melting {where}: the framework moved {rmsd:.2f} A RMS from its start "
                    f"(> {g.melt_rmsd_A} A); this temperature is above the potential's melting point",
                    reason="melting", step=step)


def _write_checkpoint(atoms, ck: Path, state: dict) -> None:
    from ase.io import write

    tmp = ck.with_suffix(".tmp.traj")
    write(tmp, atoms, format="traj")
    tmp.replace(ck)
    write_text_atomic(ck.with_suffix(".json"), json.dumps(state))


def _truncate_trajectory(path: Path, n_frames: int) -> bool:
    """Cut the trajectory back to the ``n_frames`` its checkpoint counted; False if it holds fewer.

    A run killed outright can leave a trajectory that is empty (0 bytes) or
    ends in a partial frame; then the checkpoint cannot be trusted and the
    run starts again (never a failure).
    """
    from ase.io import Trajectory

    if n_frames == 0:
        path.unlink(missing_ok=True)
        return True
    if not path.exists() or path.stat().st_size == 0:
        return False
    try:
        frames = list(Trajectory(str(path)))
    except Exception:  # ASE raises several types for a cut file
        return False
    if len(frames) < n_frames:
        return False
    if len(frames) == n_frames:
        return True
    tmp = path.with_suffix(".tmp.traj")
    with Trajectory(str(tmp), "w") as t:
        for f in frames[:n_frames]:
            t.write(f)
    tmp.replace(path)
    return True


@dataclass
class _Schedule:
    """Steps of one run: equilibration, production, frame spacing (all in MD steps)."""

    t_k: float
    dt_fs: float
    every: int
    n_eq: int
    n_prod: int
    thermostat: str

    @property
    def n_total(self) -> int:
        return self.n_eq + self.n_prod


def _schedule(temperature_k, time_ps, timestep_fs, equilibration_ps, frame_interval_fs, thermostat) -> _Schedule:
    t_k = require_positive("temperature_k", temperature_k)
    require_positive("time_ps", time_ps)
    dt_fs = require_positive("timestep_fs", timestep_fs)
    if equilibration_ps < 0:
        raise InputError(f"equilibration_ps must be >= 0, got {equilibration_ps!r}")
    thermostat = thermostat.lower()
    if thermostat not in THERMOSTATS:
        raise InputError(f"unknown thermostat {thermostat!r}" + did_you_mean(thermostat, THERMOSTATS))
    every = max(1, int(round(frame_interval_fs / dt_fs)))
    n_eq = int(math.ceil(equilibration_ps * 1000 / dt_fs / every)) * every
    n_prod = int(math.ceil(time_ps * 1000 / dt_fs / every)) * every
    return _Schedule(t_k, dt_fs, every, n_eq, n_prod, thermostat)


def _start_or_resume(atoms, sch: _Schedule, calc, traj_path: Path, ck_path: Path, seed: int, resume: bool):
    """The state to continue from: (atoms, step, n_frames, resumed, key).

    A checkpoint made with the same inputs resumes (the trajectory is cut
    back to the frames the checkpoint counted); anything else starts again.
    """
    from ase.io import read
    from ase.md.velocitydistribution import MaxwellBoltzmannDistribution, Stationary

    inputs = {"formula": atoms.get_chemical_formula(), "n": len(atoms), "T": sch.t_k, "dt": sch.dt_fs,
              "every": sch.every, "n_eq": sch.n_eq, "n_prod": sch.n_prod, "thermostat": sch.thermostat,
              "calc": calculator_name(calc), "pos0": np.round(atoms.get_positions()[:4], 4).tolist(),
              "seed": seed}
    key = input_key(inputs)
    ck_json = ck_path.with_suffix(".json")
    if resume and ck_json.exists() and ck_path.exists():
        try:
            state = json.loads(ck_json.read_text())
        except ValueError:  # a checkpoint cut short: start again
            state = {}
        if state.get("key") == key and _truncate_trajectory(traj_path, int(state["n_frames"])):
            try:
                return read(ck_path), int(state["step"]), int(state["n_frames"]), True, key
            except Exception:  # a checkpoint cut short: start again
                pass
    for p in (traj_path, ck_path, ck_json):
        p.unlink(missing_ok=True)
    MaxwellBoltzmannDistribution(atoms, temperature_K=sch.t_k, rng=np.random.default_rng(seed))
    Stationary(atoms)
    return atoms, 0, 0, False, key


def _production(atoms, dyn, monitor, sch: _Schedule, traj_path: Path, ck_path: Path, key: str, step: int,
                n_frames: int, stop_at: int, temps: list[float], progress: Progress | None, label: str):
    """Step the dynamics to ``stop_at``: check, save production frames and a checkpoint every frame."""
    from ase.io import Trajectory

    steps_done = 0
    with Trajectory(str(traj_path), "a") as traj:
        while step < stop_at:
            dyn.run(sch.every)
            step += sch.every
            steps_done += sch.every
            monitor.check(atoms, step)
            if step > sch.n_eq:
                atoms.info["time_ps"] = (step - sch.n_eq) * sch.dt_fs / 1000.0
                traj.write(atoms)
                n_frames += 1
                temps.append(float(atoms.get_temperature()))
            _write_checkpoint(atoms, ck_path, {"key": key, "step": step, "n_frames": n_frames,
                                               "n_total": sch.n_total, "done": step >= sch.n_total})
            report(progress, step, sch.n_total, label)
    return step, n_frames, steps_done


def run_md(
    structure,
    *,
    temperature_k: float,
    time_ps: float,
    calculator: Any = "chgnet",
    device: str | None = "auto",
    out_dir: str | Path = ".",
    timestep_fs: float = 2.0,
    equilibration_ps: float = 1.0,
    frame_interval_fs: float = 100.0,
    thermostat: str = "bussi",
    mobile_species: tuple[str, ...] = ("Li",),
    guards: Guards | None = None,
    seed: int = 0,
    resume: bool = True,
    max_steps: int | None = None,
    progress: Progress | None = None,
    label: str | None = None,
) -> MDRun:
    """Equilibrate then run NVT (or NVE) MD at one temperature, saving frames and checkpoints.

    Parameters
    ----------
    structure
        Ordered structure (pymatgen Structure, ASE Atoms or a file).
    temperature_k
        Thermostat temperature, K (for NVE: the initial Maxwell-Boltzmann temperature).
    time_ps
        Production time, ps (frames are saved only in production).
    calculator, device
        Potential and device (:func:`ssbkit.atomistic.calculators.load_calculator`).
    out_dir
        Folder of ``md_<T>K.traj`` and its checkpoint.
    timestep_fs, equilibration_ps, frame_interval_fs
        Time step (fs), equilibration before production (ps), time between frames (fs).
    thermostat
        ``"bussi"`` (stochastic velocity rescaling, default), ``"langevin"``,
        ``"nose-hoover"`` (chain) or ``"nve"``.
    mobile_species
        Species left out of the melting check (the framework is the rest).
    guards
        Stop thresholds (:class:`Guards`).
    seed
        Random seed of the velocities and the thermostat.
    resume
        Continue from a checkpoint made with the same inputs (else start again).
    max_steps
        Stop after this many steps in this call (the checkpoint lets a later call go on).
    progress
        ``progress(step, total_steps, label)`` after every frame interval.
    label
        File stem (default ``md_<T>K``).

    Returns
    -------
    MDRun
        The trajectory, its frame interval, temperatures, throughput and the potential's record.

    Raises
    ------
    MDStopped
        Melting, potential blow-up, temperature runaway or NVE drift (the
        trajectory up to the last good frame stays on disk).
    """
    from ase.io import Trajectory

    sch = _schedule(temperature_k, time_ps, timestep_fs, equilibration_ps, frame_interval_fs, thermostat)
    calc = load_calculator(calculator, device=device)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = label or f"md_{sch.t_k:g}K"
    traj_path, ck_path = out / f"{stem}.traj", out / f"{stem}.checkpoint.traj"
    atoms, step, n_frames, resumed, key = _start_or_resume(to_atoms(structure), sch, calc, traj_path, ck_path,
                                                           seed, resume)
    atoms.calc = calc
    dyn = _dynamics(atoms, sch.thermostat, sch.t_k, sch.dt_fs, seed + step)
    monitor = _Monitor(atoms, sch.t_k, guards or Guards(), tuple(mobile_species), sch.thermostat == "nve")
    monitor.check(atoms, step)  # a start with atoms on top of each other is refused at once
    temps = [float(f.get_temperature()) for f in Trajectory(str(traj_path))] if resumed and traj_path.exists() \
        else []
    stop_at = sch.n_total if max_steps is None else min(sch.n_total, step + int(max_steps))
    t0 = time.perf_counter()
    step, n_frames, steps_done = _production(atoms, dyn, monitor, sch, traj_path, ck_path, key, step, n_frames,
                                             stop_at, temps, progress, f"MD {sch.t_k:g} K")
    wall = time.perf_counter() - t0
    info = calculator_info(calc)
    refs = (CHGNET_REFERENCE,) if "chgnet" in calculator_name(calc) else ()
    tt = np.array(temps) if temps else np.array([float("nan")])
    return MDRun(
        temperature_K=sch.t_k, trajectory=str(traj_path), checkpoint=str(ck_path), n_atoms=len(atoms),
        n_frames=n_frames, timestep_fs=sch.dt_fs, frame_interval_ps=sch.every * sch.dt_fs / 1000.0,
        production_ps=n_frames * sch.every * sch.dt_fs / 1000.0, equilibration_ps=sch.n_eq * sch.dt_fs / 1000.0,
        thermostat=sch.thermostat, calculator=calculator_name(calc), mean_temperature_K=float(np.mean(tt)),
        std_temperature_K=float(np.std(tt)), wall_s=wall,
        atom_steps_per_s=len(atoms) * steps_done / wall if wall > 0 else float("nan"),
        resumed=resumed, references=refs, calculator_info=info,
    )
