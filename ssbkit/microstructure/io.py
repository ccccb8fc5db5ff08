"""Read and write labelled volumes: TIFF stacks, ``.npy`` and raw binary files.

TIFF files are written as ImageJ hyperstacks (axes ZYX) with the voxel size in
the ImageJ ``spacing``/``unit`` fields and the X/Y resolution tags, plus the
phase names in the ``Info`` field, so Fiji shows the right scale. On reading,
the voxel size comes from (in order) the ``voxel_um`` argument, the ImageJ
metadata (z from ``spacing``, x and y from the resolution tags, in the ImageJ
``unit``: nm, um, mm, cm or m), or the resolution tags when their unit is
centimetre. Anisotropic voxels are reported in ``info["spacing_um"]``.

Segmented tomography uses grey values (0, 85, 170, 255, ...); pass a label map
(``"0=pore,85=active,170=carbon"``) to turn them into ssbkit phase labels.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import FileFormatError, InputError, require_positive
from .phases import PHASE_NAMES, PHASES, LabelMap, LabelVolume, check_memory, parse_label_map

__all__ = ["read_volume", "write_volume", "read_image"]

_TIFF = (".tif", ".tiff")
_RAW = (".raw", ".bin", ".dat", ".vol")
#: Memory needed per voxel to read and map a volume (raw values + labels + work arrays).
READ_BYTES_PER_VOXEL = 16.0


_UNIT_UM = {"um": 1.0, "micron": 1.0, "microns": 1.0, "micrometer": 1.0, "nm": 1e-3, "nanometer": 1e-3,
            "mm": 1e3, "millimeter": 1e3, "cm": 1e4, "m": 1e6, "meter": 1e6}
#: Relative difference of the voxel edges above which a file's voxels count as anisotropic.
ANISOTROPY_TOL = 1e-3


def _tiff_spacing_um(tif) -> tuple[float, float, float] | None:
    """Voxel edges (z, y, x) in um from the ImageJ ``spacing``/``unit`` and the X/Y resolution tags.

    A missing z spacing is taken equal to x, missing x/y equal to z (ImageJ writes
    ``spacing`` only for stacks); ``None`` when the file states no length unit.
    """
    meta = tif.imagej_metadata or {}
    unit = str(meta.get("unit", "")).lower().replace("\\u00b5", "u").replace("µ", "u")
    page = tif.pages[0]
    scale = _UNIT_UM.get(unit) if meta.get("unit") else None
    unit_tag = page.tags.get("ResolutionUnit")
    if scale is None and unit_tag is not None and int(unit_tag.value) == 3 and not meta.get("unit"):
        scale = 1e4  # pixels per cm
    if scale is None:
        return None
    xy: list[float | None] = []
    for name in ("YResolution", "XResolution"):
        res = page.tags.get(name)
        num, den = res.value if res is not None else (0, 1)
        xy.append(scale * den / num if num > 0 else None)
    spacing = meta.get("spacing")
    z = float(spacing) * scale if spacing is not None and unit else None
    y, x = xy
    if x is None and y is None and z is None:
        return None
    x = x if x is not None else (y if y is not None else z)
    y = y if y is not None else x
    return (z if z is not None else x, y, x)  # type: ignore[return-value]


class _TiffLog(logging.Handler):
    """Collects tifffile's warnings about a damaged file (it logs them instead of raising)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage()[:200])


def _check_shape(path: Path, shape: tuple[int, ...], dtype: np.dtype, limit_bytes: int | None) -> None:
    """Empty or absurd volumes are refused from the header, before anything is allocated."""
    if len(shape) == 0 or any(int(n) <= 0 for n in shape):
        raise FileFormatError(f"{path}: the header describes an empty volume (shape {tuple(shape)})")
    if dtype.hasobject or dtype.itemsize == 0:
        raise FileFormatError(f"{path}: holds {dtype} values, not image data")
    n = math.prod(int(x) for x in shape)
    check_memory(n, max(READ_BYTES_PER_VOXEL, 2.0 * dtype.itemsize + 8.0), what=str(path), limit_bytes=limit_bytes)


def _promised_slices(tif, series) -> int:
    meta = tif.imagej_metadata or {}
    for key in ("images", "slices"):
        try:
            n = int(meta.get(key, 0))
        except (TypeError, ValueError):
            n = 0
        if n > 1:
            return n
    shape = tuple(series.shape)
    return math.prod(int(n) for n in shape[:-2]) if len(shape) >= 3 else 1


def _tiff_pages_present(tif, promised: int) -> list[np.ndarray]:
    """The 2-D planes that decode, in order, up to the first damaged one."""
    planes: list[np.ndarray] = []
    for k in range(promised):
        try:
            page = tif.pages[k]
            if page is None:
                break
            a = page.asarray()
        except Exception:  # noqa: BLE001 - a damaged page ends the readable part
            break
        if a.ndim != 2 or (planes and a.shape != planes[0].shape):
            break
        planes.append(a)
    return planes


def _read_tiff(path: Path, limit_bytes: int | None, allow_partial: bool, notes: list[str]):
    import tifffile

    log = _TiffLog()
    logger = logging.getLogger("tifffile")
    logger.addHandler(log)
    old_propagate, logger.propagate = logger.propagate, False
    try:
        with tifffile.TiffFile(path) as tif:
            series = tif.series[0]
            _check_shape(path, tuple(series.shape), np.dtype(series.dtype), limit_bytes)
            promised = _promised_slices(tif, series)
            _check_shape(path, (promised, *tuple(series.shape)[-2:]), np.dtype(series.dtype), limit_bytes)
            try:
                arr = series.asarray()
            except Exception as exc:  # noqa: BLE001 - zlib.error, struct.error, ValueError, IndexError ...
                arr = None
                first_error = f"{type(exc).__name__}: {str(exc)[:120]}"
            else:
                first_error = ""
            if arr is not None and arr.ndim == 2 and promised > 1:
                arr = None  # tifffile fell back to one page of a damaged stack
            if arr is None or (arr.ndim >= 3 and math.prod(arr.shape[:-2]) < promised):
                if sum(int(n) > 1 for n in tuple(series.shape)[:-2]) > 1:  # channels or frames too
                    raise FileFormatError(f"{path}: a damaged multi-dimensional stack (shape {tuple(series.shape)}, "
                                          f"{first_error or 'fewer planes than its header promises'})")
                arr = _partial_stack(path, tif, promised, allow_partial, notes, first_error or log.messages)
            voxel = _tiff_spacing_um(tif)
            info = (tif.imagej_metadata or {}).get("Info")
    except (FileFormatError, InputError):
        raise
    except Exception as exc:  # noqa: BLE001 - tifffile raises many foreign types on damaged files
        raise FileFormatError(f"{path}: not a readable TIFF stack ({type(exc).__name__}: {str(exc)[:200]})") from None
    finally:
        logger.removeHandler(log)
        logger.propagate = old_propagate
    if log.messages and not any("holds" in n for n in notes):
        notes.append(f"TIFF structure damaged ({log.messages[0]}); the pixel data were read in full")
    meta: dict[str, Any] = {}
    if info:
        try:
            meta = json.loads(info)
        except ValueError:
            notes.append("the ImageJ Info field is not valid JSON: phase names from it ignored")
        if not isinstance(meta, dict):
            meta = {}
    return arr, voxel, meta


def _partial_stack(path: Path, tif, promised: int, allow_partial: bool, notes: list[str], why) -> np.ndarray:
    planes = _tiff_pages_present(tif, promised)
    reason = why if isinstance(why, str) else (why[0] if why else "truncated file")
    if not planes:
        raise FileFormatError(f"{path}: no slice of the {promised} its header promises can be read ({reason})")
    if len(planes) >= promised:
        return np.stack(planes)
    msg = f"holds {len(planes)} readable slices of the {promised} its header promises (truncated or damaged: {reason})"
    if not allow_partial:
        raise FileFormatError(f"{path}: {msg}; pass allow_partial=True to use the readable slices")
    notes.append(f"{msg}; only the first {len(planes)} slices were read")
    return np.stack(planes)


def _read_npy(path: Path, limit_bytes: int | None, allow_partial: bool, notes: list[str]) -> np.ndarray:
    fmt = np.lib.format
    size = path.stat().st_size
    try:
        with open(path, "rb") as fh:
            version = fmt.read_magic(fh)
            if version == (1, 0):
                shape, fortran, dtype = fmt.read_array_header_1_0(fh)
            else:
                shape, fortran, dtype = fmt.read_array_header_2_0(fh)
            offset = fh.tell()
    except Exception as exc:  # noqa: BLE001 - ValueError, SyntaxError, UnicodeDecodeError, EOFError ...
        raise FileFormatError(f"{path}: not a readable .npy array ({type(exc).__name__}: {str(exc)[:200]})") from None
    shape = tuple(int(n) for n in shape)
    _check_shape(path, shape, dtype, limit_bytes)
    need = math.prod(shape) * dtype.itemsize
    have = size - offset
    if have < need:
        slice_bytes = need // shape[0]
        n_ok = have // slice_bytes if len(shape) == 3 and not fortran else 0
        msg = f"holds {have} of the {need} data bytes its header promises ({n_ok} of {shape[0]} slices complete)"
        if not (allow_partial and n_ok > 0):
            raise FileFormatError(f"{path}: {msg} (truncated file)")
        notes.append(f"{msg}; only the first {n_ok} slices were read")
        shape = (int(n_ok), *shape[1:])
        need = math.prod(shape) * dtype.itemsize
    elif have > need:
        notes.append(f"{have - need} bytes after the array data ignored")
    try:
        arr = np.fromfile(path, dtype=dtype, count=math.prod(shape), offset=offset)
        arr = arr.reshape(shape, order="F" if fortran else "C")
    except Exception as exc:  # noqa: BLE001
        raise FileFormatError(f"{path}: not a readable .npy array ({type(exc).__name__}: {str(exc)[:200]})") from None
    return arr


def _read_raw(path: Path, shape, dtype, byte_order: str, limit_bytes: int | None, notes: list[str]) -> np.ndarray:
    if shape is None or dtype is None:
        raise InputError(f"{path}: a raw volume needs its shape and dtype, e.g. --shape 100,100,100 --dtype uint8")
    try:
        dt = np.dtype(dtype)
        dt = dt.newbyteorder(byte_order) if dt.itemsize > 1 else dt
    except (TypeError, ValueError):
        raise InputError(f"{path}: unknown dtype '{dtype}' (e.g. uint8, uint16, int32, float32)") from None
    try:
        shape = tuple(int(s) for s in shape)
    except (TypeError, ValueError):
        raise InputError(f"{path}: shape must be whole numbers, got {shape!r}") from None
    _check_shape(path, shape, dt, limit_bytes)
    need = math.prod(shape) * dt.itemsize
    size = path.stat().st_size
    if size < need:
        raise FileFormatError(f"{path}: holds {size} bytes, shape {shape} of {dt} needs {need}")
    offset = size - need  # a header, if any, comes first
    if offset:
        notes.append(f"the first {offset} bytes taken as a header (the file is larger than shape x dtype)")
    try:
        return np.fromfile(path, dtype=dt, count=math.prod(shape), offset=offset).reshape(shape)
    except Exception as exc:  # noqa: BLE001
        raise FileFormatError(f"{path}: not a readable raw volume ({type(exc).__name__}: {str(exc)[:200]})") from None


def read_image(path: str | Path, *, shape: tuple[int, int, int] | None = None, dtype: str | None = None,
               byte_order: str = "<", limit_bytes: int | None = None,
               allow_partial: bool = False) -> tuple[np.ndarray, float | None, dict]:
    """Read raw image values (not yet mapped to phases) and any voxel size stored with them.

    Parameters
    ----------
    path
        ``.tif``/``.tiff``, ``.npy`` or raw binary.
    shape, dtype, byte_order
        Layout of a raw file.
    limit_bytes
        Memory allowed for the read (default half the physical memory); the
        header's shape is checked against it before anything is allocated.
    allow_partial
        For a truncated stack, return the complete slices (with a note)
        instead of refusing the file.

    Returns
    -------
    values, voxel_um (or None), metadata
        ``metadata["notes"]`` lists what was repaired or skipped; for a TIFF with
        anisotropic voxels ``metadata["spacing_um"]`` holds the (z, y, x) edges
        and ``voxel_um`` is the x edge.

    Raises
    ------
    InputError, FileFormatError
        Missing or damaged file (named), an empty volume, a stack shorter than
        its header (unless ``allow_partial``), a volume larger than memory.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise FileFormatError(f"{path}: file is empty")
    suffix = path.suffix.lower()
    notes: list[str] = []
    meta: dict[str, Any] = {}
    voxel = None
    if suffix in _TIFF:
        arr, voxel, meta = _read_tiff(path, limit_bytes, allow_partial, notes)
    elif suffix == ".npy":
        arr = _read_npy(path, limit_bytes, allow_partial, notes)
    elif suffix in _RAW or shape is not None:
        arr = _read_raw(path, shape, dtype, byte_order, limit_bytes, notes)
        meta["header_bytes"] = path.stat().st_size - arr.nbytes
    else:
        raise InputError(f"{path}: unknown volume format '{suffix}' (use .tif/.tiff, .npy, or .raw with --shape and --dtype)")
    if isinstance(voxel, tuple):
        if max(voxel) > (1 + ANISOTROPY_TOL) * min(voxel):
            meta["spacing_um"] = list(voxel)
        voxel = voxel[2]
    if arr.ndim == 4 and 1 in arr.shape:
        arr = arr.reshape([s for s in arr.shape if s != 1])
    if arr.ndim != 3:
        raise FileFormatError(f"{path}: holds a {arr.ndim}-D image of shape {arr.shape}; a 3-D volume is needed")
    meta = dict(meta)
    meta["notes"] = notes
    return arr, voxel, meta


def read_volume(
    path: str | Path,
    *,
    labels: str | Mapping[int | str, str | int] | LabelMap | None = None,
    voxel_um: float | None = None,
    shape: tuple[int, int, int] | None = None,
    dtype: str | None = None,
    byte_order: str = "<",
    limit_bytes: int | None = None,
    allow_partial: bool = False,
) -> LabelVolume:
    """Read a segmented volume as a :class:`LabelVolume`.

    Parameters
    ----------
    path
        ``.tif``/``.tiff`` stack, ``.npy`` array, or raw binary (``.raw``, ``.bin``,
        ``.dat``, ``.vol``) with ``shape`` and ``dtype`` given.
    labels
        Map from image values to phases, ``"0=pore,85=active,170=carbon"``. Without
        it the phase names stored by :func:`write_volume` are used, else the
        values must already be ssbkit labels (0 pore, 1 active, 2 electrolyte,
        3 carbon; a boolean image reads as pore/active).
    voxel_um
        Voxel edge (um); overrides the file. Without it and without metadata, 1 um
        is assumed and recorded in ``info["voxel_um_assumed"]``. A TIFF with
        anisotropic voxels gives the x edge, with the (z, y, x) edges in
        ``info["spacing_um"]`` (the solver takes them as ``spacing``; the
        measures refuse such a volume unless ``voxel_um`` is given).
    shape, dtype, byte_order
        Layout of a raw file.
    limit_bytes
        Memory allowed (default half the physical memory), checked from the
        header before anything is allocated.
    allow_partial
        Read the complete slices of a truncated stack (with a note in
        ``info["notes"]``) instead of refusing it.

    Returns
    -------
    LabelVolume
        Labels, voxel size and ``info`` (label map; ``notes`` on anything
        repaired or skipped).

    Raises
    ------
    InputError, FileFormatError
        Unknown format, wrong raw size, values missing from the label map,
        a volume too large for memory (with the estimate).
    """
    arr, file_voxel, meta = read_image(path, shape=shape, dtype=dtype, byte_order=byte_order,
                                       limit_bytes=limit_bytes, allow_partial=allow_partial)
    lmap = labels if isinstance(labels, LabelMap) else parse_label_map(labels)
    if lmap is None and isinstance(meta.get("ssbkit_phases"), Mapping):
        try:
            lmap = parse_label_map(meta["ssbkit_phases"])
        except (InputError, TypeError, ValueError) as exc:
            raise FileFormatError(f"{path}: the phase names stored in the file are damaged ({exc})") from None
    if lmap is None:
        lmap = LabelMap({p: p for p in PHASES})
    mapped = lmap.apply(arr, source=str(path))
    info: dict[str, Any] = {"label_map": lmap.to_dict()}
    if meta["notes"]:
        info["notes"] = list(meta["notes"])
    if voxel_um is None:
        voxel_um = file_voxel
        if voxel_um is None:
            voxel_um = 1.0
            info["voxel_um_assumed"] = True
        if "spacing_um" in meta:  # the measures take one voxel edge: say so, do not pick one silently
            info["spacing_um"] = list(meta["spacing_um"])
            info.setdefault("notes", []).append(
                "anisotropic voxels (z, y, x) = ({:g}, {:g}, {:g}) um".format(*meta["spacing_um"]))
    return LabelVolume(mapped, float(voxel_um), source=str(path), info=info)


def write_volume(path: str | Path, volume: LabelVolume | np.ndarray, *, voxel_um: float | None = None) -> Path:
    """Write labels to ``.tif``/``.tiff`` (with voxel size and phase names), ``.npy`` or ``.raw``.

    A raw file is plain ``uint8`` in C order; remember its shape.

    Parameters
    ----------
    path
        Output file; the suffix picks the format.
    volume
        Labels (or a :class:`LabelVolume`).
    voxel_um
        Voxel edge (um); default the volume's.

    Returns
    -------
    pathlib.Path
        The file written.
    """
    path = Path(path)
    if voxel_um is not None:
        voxel_um = require_positive("voxel_um", voxel_um)
    if not isinstance(volume, LabelVolume):
        volume = LabelVolume(np.asarray(volume), 1.0 if voxel_um is None else voxel_um, source=str(path))
    h = volume.voxel_um if voxel_um is None else voxel_um
    suffix = path.suffix.lower()
    if suffix not in (*_TIFF, ".npy", *_RAW):
        raise InputError(f"{path}: unknown volume format '{suffix}' (use .tif, .tiff, .npy or .raw)")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if suffix in _TIFF:
            import tifffile

            info = json.dumps({"ssbkit_phases": {str(p): PHASE_NAMES[p] for p in PHASES}, "voxel_um": h})
            tifffile.imwrite(
                path, volume.labels, imagej=True, resolution=(1.0 / h, 1.0 / h),
                metadata={"spacing": h, "unit": "um", "axes": "ZYX", "Info": info},
                compression="zlib",
            )
        elif suffix == ".npy":
            np.save(path, volume.labels)
        else:
            volume.labels.tofile(path)
    except OSError as exc:
        raise InputError(f"{path}: cannot write the volume ({exc.strerror or exc})") from None
    return path
