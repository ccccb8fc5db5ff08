"""Phase labels of a composite-electrode volume and the mapping from image values.

Every labelled volume in :mod:`ssbkit.microstructure` is a ``uint8`` array whose
values are the phase labels below. Segmented tomography uses other grey values
(``0, 85, 170, 255``); a :class:`LabelMap` turns them into ours and refuses
values it does not know.

Example
-------
>>> lm = parse_label_map("0=pore,85=active,170=carbon")
>>> lm.apply(np.array([0, 85, 170], dtype=np.uint8)).tolist()
[0, 1, 3]
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..errors import InputError, did_you_mean

__all__ = [
    "PORE",
    "ACTIVE",
    "ELECTROLYTE",
    "CARBON",
    "PHASES",
    "PHASE_NAMES",
    "PHASE_COLOURS",
    "phase_id",
    "phase_label",
    "LabelMap",
    "parse_label_map",
    "check_labels",
    "check_memory",
    "LabelVolume",
]

PORE = 0
ACTIVE = 1
ELECTROLYTE = 2
CARBON = 3

PHASES: tuple[int, ...] = (PORE, ACTIVE, ELECTROLYTE, CARBON)
PHASE_NAMES: dict[int, str] = {
    PORE: "pore",
    ACTIVE: "active",
    ELECTROLYTE: "electrolyte",
    CARBON: "carbon",
}
#: Colours used in every slice figure (pore white, active dark, SE blue, carbon black-grey).
PHASE_COLOURS: dict[int, str] = {
    PORE: "#ffffff",
    ACTIVE: "#b5472f",
    ELECTROLYTE: "#4c8fd6",
    CARBON: "#2b2b2b",
}

#: Smallest voxel edge accepted (um): 0.1 nm. Anything finer is a length in the wrong unit (m, mm).
MIN_VOXEL_UM = 1e-4

_ALIASES: dict[str, int] = {
    "pore": PORE,
    "pores": PORE,
    "void": PORE,
    "voids": PORE,
    "active": ACTIVE,
    "am": ACTIVE,
    "cam": ACTIVE,
    "active_material": ACTIVE,
    "electrolyte": ELECTROLYTE,
    "se": ELECTROLYTE,
    "solid_electrolyte": ELECTROLYTE,
    "carbon": CARBON,
    "cbd": CARBON,
    "carbon_binder": CARBON,
    "binder": CARBON,
}


def phase_id(name: str | int) -> int:
    """Phase label for a name (``"active"``, ``"se"``, ``"cbd"``, ...) or a label.

    Parameters
    ----------
    name : str or int
        Phase name, alias or label.

    Returns
    -------
    int
        Phase label.

    Raises
    ------
    InputError
        For an unknown name, with the closest valid one.
    """
    if isinstance(name, int | np.integer) and not isinstance(name, bool):
        if int(name) in PHASES:
            return int(name)
        raise InputError(f"phase label {name} is not one of {list(PHASES)} ({PHASE_NAMES})")
    key = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    if key.isdigit() and int(key) in PHASES:
        return int(key)
    if key not in _ALIASES:
        raise InputError(f"unknown phase '{name}'{did_you_mean(key, _ALIASES)}")
    return _ALIASES[key]


def phase_label(phase: str | int) -> int:
    """Label to select in a volume: an integer as given (any label), a name as :func:`phase_id`.

    Parameters
    ----------
    phase : str or int
        Label value, or an ssbkit phase name (``"pore"``, ``"se"``, ...).

    Returns
    -------
    int

    Raises
    ------
    InputError
        For an unknown name, a bool, a fraction or anything else.
    """
    if isinstance(phase, str):
        return phase_id(phase)
    if isinstance(phase, bool | np.bool_) or not isinstance(phase, int | np.integer):
        raise InputError(f"phase must be an integer label or a phase name such as 'pore', got {phase!r}")
    return int(phase)


@dataclass(frozen=True)
class LabelMap:
    """Map from image values (grey levels of a segmented image) to phase labels.

    Attributes
    ----------
    mapping
        ``{image value: phase label}``, e.g. ``{0: PORE, 85: ACTIVE, 170: CARBON}``.
    """

    mapping: Mapping[int, int]

    def apply(self, image: np.ndarray, *, source: str = "image") -> np.ndarray:
        """Return the ``uint8`` label volume; refuse values missing from the map.

        Parameters
        ----------
        image : numpy.ndarray
            Segmented image.
        source : str
            Name for messages.

        Returns
        -------
        numpy.ndarray
            uint8 phase labels.

        Raises
        ------
        InputError
            When ``image`` holds values the map does not name (lists them).
        """
        arr = np.asarray(image)
        if arr.dtype == bool:
            arr = arr.astype(np.uint8)
        if not np.issubdtype(arr.dtype, np.integer):
            if not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
                raise InputError(f"{source}: holds non-integer values; a segmented (labelled) image is needed")
            arr = arr.astype(np.int64)
        values = np.unique(arr)
        missing = [int(v) for v in values if int(v) not in self.mapping]
        if missing:
            shown = ", ".join(str(v) for v in missing[:8]) + (", ..." if len(missing) > 8 else "")
            raise InputError(
                f"{source}: values {shown} are missing from the label map "
                f"{self.describe()}; pass e.g. --labels 0=pore,85=active,170=carbon"
            )
        lut_size = int(values.max()) - int(values.min()) + 1
        if lut_size <= 1 << 20:
            offset = int(values.min())
            lut = np.zeros(lut_size, dtype=np.uint8)
            for v in values:
                lut[int(v) - offset] = self.mapping[int(v)]
            return lut[arr.astype(np.int64, copy=False) - offset] if offset else lut[arr]
        out = np.empty(arr.shape, dtype=np.uint8)
        for v in values:
            out[arr == v] = self.mapping[int(v)]
        return out

    def describe(self) -> str:
        """``"0=pore,85=active"`` form of the map.

        Returns
        -------
        str
        """
        return ",".join(f"{k}={PHASE_NAMES[v]}" for k, v in sorted(self.mapping.items()))

    def to_dict(self) -> dict[str, str]:
        """The map as ``{image value: phase name}``.

        Returns
        -------
        dict
            ``{image value: phase name}``.
        """
        return {str(k): PHASE_NAMES[v] for k, v in sorted(self.mapping.items())}


def parse_label_map(spec: str | Mapping[int | str, str | int] | None) -> LabelMap | None:
    """Build a :class:`LabelMap` from ``"0=pore,85=active"`` or ``{0: "pore", 85: "active"}``.

    ``None`` gives ``None`` (meaning: the image already holds ssbkit labels).

    Parameters
    ----------
    spec : str, mapping or None
        ``"0=pore,85=active"`` or ``{0: "pore"}``.

    Returns
    -------
    LabelMap or None
    """
    if spec is None:
        return None
    if isinstance(spec, LabelMap):
        return spec
    items: list[tuple[str, str | int]]
    if isinstance(spec, str):
        items = []
        for part in spec.replace(";", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if "=" not in part:
                raise InputError(f"label map entry '{part}' must read VALUE=PHASE, e.g. 85=active")
            key, val = part.split("=", 1)
            items.append((key.strip(), val.strip()))
    else:
        items = [(str(k), v) for k, v in spec.items()]
    mapping: dict[int, int] = {}
    for k, v in items:
        try:
            number = float(k)
        except ValueError:
            number = math.nan
        if not number.is_integer():
            raise InputError(f"label map key '{k}' must be an integer image value")
        value, phase = int(number), phase_id(v)
        if mapping.get(value, phase) != phase:
            raise InputError(f"label map gives image value {value} twice ({PHASE_NAMES[mapping[value]]} "
                             f"and {PHASE_NAMES[phase]}); each value maps to one phase")
        mapping[value] = phase
    if not mapping:
        raise InputError("label map is empty; give e.g. 0=pore,85=active,170=carbon")
    return LabelMap(mapping)


def check_labels(labels: np.ndarray, *, name: str = "labels") -> np.ndarray:
    """Return ``labels`` as a 3-D ``uint8`` array of ssbkit phase labels, or raise.

    Parameters
    ----------
    labels : numpy.ndarray
        Candidate label volume.
    name : str
        Name for messages.

    Returns
    -------
    numpy.ndarray
        uint8 labels.

    Raises
    ------
    InputError
        If the array is not 3-D, is empty or holds values other than 0..3.
    """
    arr = np.asarray(labels)
    if arr.ndim != 3:
        raise InputError(f"{name} must be a 3-D volume, got shape {arr.shape}")
    if arr.size == 0:
        raise InputError(f"{name} is empty (shape {arr.shape})")
    if arr.dtype == bool:
        return arr.astype(np.uint8)
    if arr.dtype != np.uint8:
        if not np.issubdtype(arr.dtype, np.integer):
            raise InputError(f"{name} must hold integer phase labels, got dtype {arr.dtype}")
        arr = arr.astype(np.int64)
    lo, hi = int(arr.min()), int(arr.max())
    if lo < 0 or hi > max(PHASES):
        raise InputError(
            f"{name} holds values {lo}..{hi}; phase labels are 0=pore,1=active,2=electrolyte,"
            "3=carbon (map other values with a label map)"
        )
    return arr.astype(np.uint8, copy=False)


def _physical_memory_bytes() -> int:
    try:
        return int(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return 8 << 30


def check_memory(n_voxels: int, bytes_per_voxel: float, *, what: str, limit_bytes: int | None = None) -> int:
    """Refuse a volume whose working memory would not fit.

    Parameters
    ----------
    n_voxels
        Number of voxels.
    bytes_per_voxel
        Peak working memory per voxel of the job.
    what
        Name of the input for the message.
    limit_bytes
        Allowed bytes; default half the physical memory.

    Returns
    -------
    int
        The estimate in bytes.

    Raises
    ------
    InputError
        With the estimate, when it exceeds the limit.
    """
    est = int(n_voxels * bytes_per_voxel)
    limit = int(limit_bytes if limit_bytes is not None else _physical_memory_bytes() // 2)
    if est > limit:
        raise InputError(
            f"{what}: {n_voxels:,} voxels need about {est / 2**30:.1f} GiB "
            f"({bytes_per_voxel:g} bytes/voxel), more than the {limit / 2**30:.1f} GiB allowed; "
            "use a smaller box or a coarser voxel"
        )
    return est


@dataclass(frozen=True, eq=False)
class LabelVolume:
    """A labelled voxel volume with its voxel size.

    Attributes
    ----------
    labels
        3-D ``uint8`` array of phase labels (axis 0: through the electrode,
        index 0 at the separator side, the last index at the current collector).
    voxel_um
        Voxel edge (um).
    source
        Where it came from (file name or ``"generated"``).
    particle_ids
        Optional ``int32`` array: active-material particle number (1-based) per
        voxel, 0 elsewhere (generated volumes have it).
    info
        Free-form metadata (recipe, targets, packing statistics).
    """

    labels: np.ndarray
    voxel_um: float = 1.0
    source: str = ""
    particle_ids: np.ndarray | None = None
    info: Mapping = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", check_labels(self.labels, name=self.source or "labels"))
        v = float(self.voxel_um)
        if not np.isfinite(v) or v <= 0:
            raise InputError(f"voxel_um of {self.source or 'volume'} must be > 0, got {self.voxel_um!r}")
        if v < MIN_VOXEL_UM:
            raise InputError(
                f"voxel_um of {self.source or 'volume'} is {v:g} um, below {MIN_VOXEL_UM * 1e3:g} nm (less than "
                "an atom): give it in micrometres (0.4 for a 400 nm voxel, not 4e-7)")
        object.__setattr__(self, "voxel_um", v)
        if self.info is None:
            object.__setattr__(self, "info", {})

    @property
    def shape(self) -> tuple[int, int, int]:
        return tuple(self.labels.shape)  # type: ignore[return-value]

    def fractions(self) -> dict[str, float]:
        """Volume fraction of each phase, by name.

        Returns
        -------
        dict
            ``{phase name: fraction}``.
        """
        counts = np.bincount(self.labels.ravel(), minlength=len(PHASES))[: len(PHASES)]
        return {PHASE_NAMES[p]: float(counts[p]) / self.labels.size for p in PHASES}

    def to_dict(self) -> dict:
        """Metadata (not the voxels) for JSON.

        Returns
        -------
        dict
        """
        return {
            "source": self.source,
            "shape": list(self.shape),
            "voxel_um": self.voxel_um,
            "box_um": [n * self.voxel_um for n in self.shape],
            "fractions": self.fractions(),
            "info": dict(self.info),
        }
