"""Read MD trajectories and unwrap positions across periodic boundaries.

Reads ASE ``.traj``, extended XYZ (``.xyz``, ``.extxyz``, ``.exyz``) and VASP
``XDATCAR`` files (optionally gzip-compressed) through :mod:`ase.io`, imported
inside the functions so that this module imports without ASE. The result is a
:class:`Trajectory`: cumulative, unwrapped Cartesian displacements of every
atom from the first frame, ready for the mean-squared-displacement analysis of
:mod:`ssbkit.atomistic.diffusion`.

Unwrapping works on fractional coordinates: between consecutive frames a
fractional step larger than half a cell vector is taken as a jump through the
boundary and corrected by the nearest integer (minimum image). This is exact
for wrapped and already unwrapped positions alike, provided no atom really
moves more than half a cell between two saved frames.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import FileFormatError, InputError, did_you_mean, require_positive

__all__ = [
    "Trajectory",
    "read_trajectory",
    "trajectory_from_frames",
    "trajectory_from_positions",
    "unwrap_fractional",
    "species_indices",
    "random_walk_trajectory",
]

_FORMATS = {".traj": "traj", ".xyz": "extxyz", ".extxyz": "extxyz", ".exyz": "extxyz"}
_TIME_KEYS = {"time_ps": 1.0, "time_fs": 1e-3}


@dataclass(frozen=True, eq=False)
class Trajectory:
    """An unwrapped MD trajectory.

    Attributes
    ----------
    symbols
        Chemical symbol of each atom.
    displacements_A
        Unwrapped Cartesian displacement of each atom from frame 0,
        shape ``(n_frames, n_atoms, 3)``, Å.
    cells_A
        Cell vectors (rows) of each frame, shape ``(n_frames, 3, 3)``, Å.
    positions0_A
        Cartesian positions of frame 0, shape ``(n_atoms, 3)``, Å.
    frame_interval_ps
        Time between saved frames, ps.
    source
        File name or a description.
    masses_amu
        Atomic masses, u.
    kinetic_temperature_K
        Temperature of each frame from stored momenta (None when absent).
    velocity_interval_ps
        Frame interval implied by the stored velocities (displacement between
        neighbouring frames over velocity), only when the two are strongly
        correlated (frames within the ballistic regime); else None.
    """

    symbols: tuple[str, ...]
    displacements_A: np.ndarray
    cells_A: np.ndarray
    positions0_A: np.ndarray
    frame_interval_ps: float
    source: str = ""
    masses_amu: np.ndarray | None = None
    kinetic_temperature_K: np.ndarray | None = None
    velocity_interval_ps: float | None = None
    warnings: tuple[str, ...] = field(default=())

    @property
    def n_frames(self) -> int:
        return int(self.displacements_A.shape[0])

    @property
    def n_atoms(self) -> int:
        return int(self.displacements_A.shape[1])

    @property
    def duration_ps(self) -> float:
        """Time spanned by the frames, ps."""
        return (self.n_frames - 1) * self.frame_interval_ps

    @property
    def mean_volume_A3(self) -> float:
        """Mean cell volume over the frames, Å^3."""
        return float(np.mean(np.abs(np.linalg.det(self.cells_A))))


def unwrap_fractional(frac: np.ndarray) -> np.ndarray:
    """Unwrap fractional coordinates across periodic boundaries.

    Parameters
    ----------
    frac
        Fractional coordinates, shape ``(n_frames, n_atoms, 3)``.

    Returns
    -------
    Continuous fractional coordinates: each step between frames is reduced
    to its minimum image (a jump by more than half a cell vector is a crossing).
    """
    frac = np.asarray(frac, dtype=float)
    steps = np.diff(frac, axis=0)
    steps -= np.round(steps)
    out = np.empty_like(frac)
    out[0] = frac[0]
    np.cumsum(steps, axis=0, out=out[1:])
    out[1:] += frac[0]
    return out


def _displacements(frac: np.ndarray, cells: np.ndarray) -> np.ndarray:
    """Cumulative Cartesian displacements from minimum-image fractional steps (cell of the later frame)."""
    steps = np.diff(frac, axis=0)
    steps -= np.round(steps)
    cart = np.einsum("tni,tij->tnj", steps, cells[1:])
    out = np.zeros((frac.shape[0],) + frac.shape[1:])
    np.cumsum(cart, axis=0, out=out[1:])
    return out


def trajectory_from_positions(
    positions_A,
    cells_A,
    symbols: Sequence[str],
    *,
    frame_interval_ps: float,
    source: str = "arrays",
    masses_amu=None,
) -> Trajectory:
    """Build a :class:`Trajectory` from Cartesian positions (wrapped or not).

    Parameters
    ----------
    positions_A
        Positions, shape ``(n_frames, n_atoms, 3)``, Å.
    cells_A
        Cell vectors as rows, shape ``(3, 3)`` or ``(n_frames, 3, 3)``, Å.
    symbols
        Chemical symbol of each atom.
    frame_interval_ps
        Time between frames, ps.
    source
        Description for messages.
    masses_amu
        Atomic masses, u (for the framework drift).

    Returns
    -------
    Trajectory
    """
    pos = np.asarray(positions_A, dtype=float)
    if pos.ndim != 3 or pos.shape[2] != 3:
        raise InputError(f"positions must have shape (n_frames, n_atoms, 3), got {pos.shape}")
    cells = np.asarray(cells_A, dtype=float)
    if cells.shape == (3, 3):
        cells = np.broadcast_to(cells, (pos.shape[0], 3, 3)).copy()
    if cells.shape != (pos.shape[0], 3, 3):
        raise InputError(f"cells must have shape (3, 3) or ({pos.shape[0]}, 3, 3), got {cells.shape}")
    if len(symbols) != pos.shape[1]:
        raise InputError(f"{len(symbols)} symbols for {pos.shape[1]} atoms")
    if not np.all(np.isfinite(pos)):
        raise InputError(f"{source}: positions contain NaN or infinite values")
    dets = np.linalg.det(cells)
    if np.any(np.abs(dets) < 1e-9):
        raise InputError(f"{source}: a frame has a degenerate (zero-volume) cell; periodic cells are required")
    frac = np.einsum("tnj,tji->tni", pos, np.linalg.inv(cells))
    return Trajectory(
        symbols=tuple(str(s) for s in symbols),
        displacements_A=_displacements(frac, cells),
        cells_A=cells,
        positions0_A=pos[0].copy(),
        frame_interval_ps=require_positive("frame interval (ps)", frame_interval_ps),
        source=source,
        masses_amu=None if masses_amu is None else np.asarray(masses_amu, dtype=float),
    )


def _interval_from_info(frames: Sequence, source: str) -> float | None:
    """Frame interval from ``atoms.info['time_ps']`` or ``['time_fs']`` when every frame has it."""
    for key, to_ps in _TIME_KEYS.items():
        if all(key in f.info for f in frames):
            t = np.array([float(f.info[key]) for f in frames]) * to_ps
            dt = np.diff(t)
            if np.any(dt <= 0) or not np.allclose(dt, dt[0], rtol=1e-3):
                raise FileFormatError(
                    f"{source}: the frame times in info['{key}'] are not evenly spaced; "
                    "resample the trajectory or pass the frame interval"
                )
            return float(dt[0])
    return None


def _velocity_checks(frames: Sequence, frac: np.ndarray, cells: np.ndarray):
    """Kinetic temperature per frame and the frame interval implied by the velocities (or None)."""
    if not all("momenta" in f.arrays for f in frames):
        return None, None
    from ase import units

    temps = np.array([f.get_temperature() for f in frames])
    v = np.array([f.get_velocities() for f in frames[1:-1]])  # Å per ASE time unit
    step = frac[2:] - frac[:-2]
    step -= np.round(step)
    dr = np.einsum("tni,tij->tnj", step, cells[1:-1])
    vv = float(np.sum(v * v))
    if vv <= 0:
        return temps, None
    corr = float(np.sum(dr * v)) / math.sqrt(float(np.sum(dr * dr)) * vv)
    if corr < 0.95:
        return temps, None
    dt_ase = float(np.sum(dr * v)) / vv / 2.0
    return temps, dt_ase / (1000.0 * units.fs)


def trajectory_from_frames(
    frames: Sequence, *, frame_interval_ps: float | None = None, source: str = "frames"
) -> Trajectory:
    """Build a :class:`Trajectory` from a sequence of :class:`ase.Atoms` frames.

    The frame interval is ``frame_interval_ps`` when given, else read from
    ``atoms.info['time_ps']`` (or ``'time_fs'``) of every frame.

    Parameters
    ----------
    frames
        ASE Atoms frames.
    frame_interval_ps
        Time between frames, ps (else from ``info``).
    source
        File name for messages.

    Returns
    -------
    Trajectory
    """
    if len(frames) < 3:
        raise InputError(f"{source}: {len(frames)} frame(s); an MSD analysis needs many frames (at least 3)")
    n = len(frames[0])
    symbols = frames[0].get_chemical_symbols()
    for i, f in enumerate(frames):
        if len(f) != n or f.get_chemical_symbols() != symbols:
            raise FileFormatError(f"{source}: frame {i} has different atoms than frame 0; atoms must stay the same")
        if not all(f.pbc):
            raise InputError(f"{source}: frame {i} is not periodic in all three directions")
    info_dt = _interval_from_info(frames, source)
    warnings: list[str] = []
    if frame_interval_ps is None:
        if info_dt is None:
            raise InputError(
                f"{source}: the frame interval is not stored in the file; give it (--frame-interval-ps)"
            )
        frame_interval_ps = info_dt
    elif info_dt is not None and not math.isclose(info_dt, frame_interval_ps, rel_tol=1e-3):
        warnings.append(f"given frame interval {frame_interval_ps:g} ps overrides {info_dt:g} ps stored in the file")
    cells = np.array([f.cell.array for f in frames], dtype=float)
    if np.any(np.abs(np.linalg.det(cells)) < 1e-9):
        raise InputError(f"{source}: a frame has no (zero-volume) cell; periodic cells are required")
    frac = np.array([f.get_scaled_positions(wrap=False) for f in frames])
    temps, v_dt = _velocity_checks(frames, frac, cells)
    if v_dt is not None and not math.isclose(v_dt, frame_interval_ps, rel_tol=0.25):
        warnings.append(
            f"the stored velocities imply {v_dt:.3g} ps between frames, not {frame_interval_ps:g} ps; "
            "check the frame interval"
        )
    return Trajectory(
        symbols=tuple(symbols),
        displacements_A=_displacements(frac, cells),
        cells_A=cells,
        positions0_A=frames[0].get_positions(),
        frame_interval_ps=require_positive("frame interval (ps)", frame_interval_ps),
        source=source,
        masses_amu=frames[0].get_masses(),
        kinetic_temperature_K=temps,
        velocity_interval_ps=v_dt,
        warnings=tuple(warnings),
    )


def _guess_format(path: Path) -> str | None:
    name = path.name
    for comp in (".gz", ".bz2", ".xz"):
        if name.endswith(comp):
            name = name[: -len(comp)]
    if "XDATCAR" in name.upper():
        return "vasp-xdatcar"
    return _FORMATS.get(Path(name).suffix.lower())


def read_trajectory(
    path: str | Path, *, frame_interval_ps: float | None = None, format: str | None = None
) -> Trajectory:
    """Read an MD trajectory file and unwrap it.

    Parameters
    ----------
    path
        ASE ``.traj``, extended XYZ (``.xyz``/``.extxyz``/``.exyz``) or VASP
        ``XDATCAR`` (also ``.gz``); other formats ASE knows are tried by name.
    frame_interval_ps
        Time between saved frames, ps. Needed unless every frame stores
        ``info['time_ps']`` or ``info['time_fs']`` (XDATCAR never does).
    format
        ASE format name, overriding the guess from the file name.

    Returns
    -------
    Trajectory

    Raises
    ------
    FileFormatError
        The file is missing or ASE cannot read it.
    InputError
        Too few frames, non-periodic cells, or no frame interval.
    """
    path = Path(path)
    if not path.is_file():
        raise FileFormatError(f"trajectory file {path} does not exist")
    fmt = format or _guess_format(path)
    try:
        from ase.io import read
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise InputError("reading trajectories needs ASE: pip install 'ssbkit[atomistic]'") from exc
    try:
        frames = read(str(path), index=":", format=fmt)
    except Exception as exc:  # ASE raises many types for a bad file
        hint = f" as '{fmt}'" if fmt else ""
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise FileFormatError(
            f"cannot read trajectory {path}{hint}: {msg} (valid: ASE .traj, extended XYZ, VASP XDATCAR)"
        ) from None
    if not isinstance(frames, list):
        frames = [frames]
    _check_frames(frames, path)
    return trajectory_from_frames(frames, frame_interval_ps=frame_interval_ps, source=str(path))


def _check_frames(frames: list, path: Path) -> None:
    """Refuse frames a damaged file can yield: unknown atomic numbers, non-finite positions or cells."""
    for i, atoms in enumerate(frames):
        z = np.asarray(atoms.numbers)
        if z.size and (z.min() < 1 or z.max() > 118):
            bad = int(z.max() if z.max() > 118 else z.min())
            raise FileFormatError(f"trajectory {path}, frame {i}: atomic number {bad} is not an element "
                                  "(damaged file?)")
        if not np.all(np.isfinite(atoms.positions)) or not np.all(np.isfinite(np.asarray(atoms.cell))):
            raise FileFormatError(f"trajectory {path}, frame {i}: positions or cell are not finite numbers")


def species_indices(traj: Trajectory, species: str) -> np.ndarray:
    """Indices of the atoms of one element; :class:`InputError` naming the elements present if none.

    Parameters
    ----------
    traj
        Trajectory.
    species
        Element symbol.

    Returns
    -------
    numpy.ndarray
        Atom indices.
    """
    idx = np.flatnonzero(np.array(traj.symbols) == species)
    if idx.size == 0:
        present = sorted(set(traj.symbols))
        raise InputError(f"species '{species}' is not in {traj.source or 'the trajectory'}" + did_you_mean(species, present))
    return idx


def random_walk_trajectory(
    *,
    n_atoms: int,
    n_frames: int,
    d_A2_per_ps: float,
    frame_interval_ps: float,
    box_A: float = 10.0,
    kind: str = "gaussian",
    hop_A: float = 2.0,
    vibration_A: float = 0.0,
    species: str = "Li",
    seed: int | None = None,
) -> Trajectory:
    """A synthetic random walk with known D in a cubic periodic box (wrapped positions), for validation.

    ``kind="gaussian"``: each Cartesian step is normal with variance
    2 D dt. ``kind="lattice"``: each frame every atom hops to one of its six
    simple-cubic neighbours at distance ``hop_A`` with probability
    p = 6 D dt / hop^2 (so MSD = 6 D t exactly). ``vibration_A`` adds
    uncorrelated thermal noise of that rms per axis to every position (an
    MSD intercept of 6 vibration^2).

    Parameters
    ----------
    n_atoms, n_frames
        Walkers and frames.
    d_A2_per_ps
        True D, Å^2/ps.
    frame_interval_ps
        Time between frames, ps.
    box_A
        Cubic box edge, Å.
    kind
        ``"gaussian"`` or ``"lattice"``.
    hop_A
        Lattice hop length, Å.
    vibration_A
        Thermal noise per axis, Å.
    species
        Element symbol.
    seed
        Random seed.

    Returns
    -------
    Trajectory
    """
    rng = np.random.default_rng(seed)
    dt = frame_interval_ps
    shape = (n_frames - 1, n_atoms, 3)
    if kind == "gaussian":
        steps = rng.normal(0.0, math.sqrt(2.0 * d_A2_per_ps * dt), size=shape)
    elif kind == "lattice":
        p = 6.0 * d_A2_per_ps * dt / hop_A**2
        if p > 1:
            raise InputError(f"hop probability {p:.3g} > 1: lower D or the frame interval")
        hop = rng.random(shape[:2]) < p
        axis = rng.integers(0, 3, size=shape[:2])
        sign = rng.choice([-1.0, 1.0], size=shape[:2])
        steps = np.zeros(shape)
        np.put_along_axis(steps, axis[..., None], (hop * sign * hop_A)[..., None], axis=2)
    else:
        raise InputError(f"random-walk kind '{kind}'" + did_you_mean(kind, ["gaussian", "lattice"]))
    pos = np.zeros((n_frames, n_atoms, 3))
    pos[0] = rng.random((n_atoms, 3)) * box_A
    pos[1:] = pos[0] + np.cumsum(steps, axis=0)
    if vibration_A > 0:
        pos += rng.normal(0.0, vibration_A, size=pos.shape)
    pos %= box_A
    return trajectory_from_positions(
        pos, np.eye(3) * box_A, [species] * n_atoms, frame_interval_ps=dt, source=f"random walk ({kind})"
    )


def __getattr__(name: str):
    """``join_trajectories`` and ``read_trajectories`` live in :mod:`ssbkit.atomistic.segments`."""
    if name in ("join_trajectories", "read_trajectories"):
        from . import segments

        return getattr(segments, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
