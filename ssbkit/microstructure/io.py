"""Read and write labelled volumes: TIFF stacks, ``.npy`` and raw binary files.

TIFF files are written as ImageJ hyperstacks (axes ZYX) with the voxel size in
the ImageJ ``spacing``/``unit`` fields and the X/Y resolution tags, plus the
phase names in the ``Info`` field, so Fiji shows the right scale. On reading,
the voxel size comes from (in order) the ``voxel_um`` argument, the ImageJ
metadata, or the resolution tags when their unit is micrometre or centimetre.

Segmented tomography uses grey values (0, 85, 170, 255, ...); pass a label map
(``"0=pore,85=active,170=carbon"``) to turn them into ssbkit phase labels.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import FileFormatError, InputError
from .phases import PHASE_NAMES, PHASES, LabelMap, LabelVolume, check_memory, parse_label_map

__all__ = ["read_volume", "write_volume", "read_image"]

_TIFF = (".tif", ".tiff")
_RAW = (".raw", ".bin", ".dat", ".vol")
#: Memory needed per voxel to read and map a volume (raw values + labels + work arrays).
READ_BYTES_PER_VOXEL = 16.0


def _tiff_voxel_um(tif) -> float | None:
    meta = tif.imagej_metadata or {}
    spacing = meta.get("spacing")
    unit = str(meta.get("unit", "")).lower().replace("\\u00b5", "u").replace("µ", "u")
    page = tif.pages[0]
    res = page.tags.get("XResolution")
    if spacing is not None:
        scale = {"um": 1.0, "micron": 1.0, "microns": 1.0, "nm": 1e-3, "mm": 1e3}.get(unit)
        if scale is not None:
            return float(spacing) * scale
    if res is not None and meta.get("unit"):
        num, den = res.value
        if num > 0 and unit in ("um", "micron", "microns"):
            return den / num
    if res is not None:
        unit_tag = page.tags.get("ResolutionUnit")
        num, den = res.value
        if unit_tag is not None and num > 0 and int(unit_tag.value) == 3:  # pixels per cm
            return 1e4 * den / num
    return None


def read_image(path: str | Path, *, shape: tuple[int, int, int] | None = None, dtype: str | None = None,
               byte_order: str = "<", limit_bytes: int | None = None) -> tuple[np.ndarray, float | None, dict]:
    """Read raw image values (not yet mapped to phases) and any voxel size stored with them.

    Returns
    -------
    values, voxel_um (or None), metadata
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    suffix = path.suffix.lower()
    meta: dict[str, Any] = {}
    voxel = None
    if suffix in _TIFF:
        import tifffile

        try:
            with tifffile.TiffFile(path) as tif:
                series = tif.series[0]
                check_memory(math.prod(series.shape), READ_BYTES_PER_VOXEL, what=str(path), limit_bytes=limit_bytes)
                arr = series.asarray()
                voxel = _tiff_voxel_um(tif)
                info = (tif.imagej_metadata or {}).get("Info")
                if info:
                    try:
                        meta = json.loads(info)
                    except ValueError:
                        meta = {}
        except (tifffile.TiffFileError, ValueError, OSError) as exc:
            raise FileFormatError(f"{path}: not a readable TIFF stack ({exc})") from None
    elif suffix == ".npy":
        try:
            arr = np.load(path, mmap_mode="r", allow_pickle=False)
        except (ValueError, OSError) as exc:
            raise FileFormatError(f"{path}: not a readable .npy array ({exc})") from None
        check_memory(arr.size, READ_BYTES_PER_VOXEL, what=str(path), limit_bytes=limit_bytes)
        arr = np.asarray(arr)
    elif suffix in _RAW or shape is not None:
        if shape is None or dtype is None:
            raise InputError(f"{path}: a raw volume needs its shape and dtype, e.g. --shape 100,100,100 --dtype uint8")
        try:
            dt = np.dtype(dtype).newbyteorder(byte_order) if np.dtype(dtype).itemsize > 1 else np.dtype(dtype)
        except TypeError:
            raise InputError(f"{path}: unknown dtype '{dtype}' (e.g. uint8, uint16, int32, float32)") from None
        shape = tuple(int(s) for s in shape)
        need = math.prod(shape) * dt.itemsize
        size = path.stat().st_size
        if size < need:
            raise FileFormatError(f"{path}: holds {size} bytes, shape {shape} of {dt} needs {need}")
        check_memory(math.prod(shape), READ_BYTES_PER_VOXEL, what=str(path), limit_bytes=limit_bytes)
        offset = size - need  # a header, if any, comes first
        arr = np.fromfile(path, dtype=dt, count=math.prod(shape), offset=offset).reshape(shape)
        meta["header_bytes"] = offset
    else:
        raise InputError(f"{path}: unknown volume format '{suffix}' (use .tif/.tiff, .npy, or .raw with --shape and --dtype)")
    if arr.ndim == 4 and 1 in arr.shape:
        arr = arr.reshape([s for s in arr.shape if s != 1])
    if arr.ndim != 3:
        raise FileFormatError(f"{path}: holds a {arr.ndim}-D image of shape {arr.shape}; a 3-D volume is needed")
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
        is assumed and recorded in ``info["voxel_um_assumed"]``.

    Raises
    ------
    InputError, FileFormatError
        Unknown format, wrong raw size, values missing from the label map,
        a volume too large for memory (with the estimate).
    """
    arr, file_voxel, meta = read_image(path, shape=shape, dtype=dtype, byte_order=byte_order, limit_bytes=limit_bytes)
    lmap = parse_label_map(labels)
    if lmap is None and isinstance(meta.get("ssbkit_phases"), Mapping):
        lmap = parse_label_map(meta["ssbkit_phases"])
    if lmap is None:
        lmap = LabelMap({p: p for p in PHASES})
    mapped = lmap.apply(arr, source=str(path))
    info: dict[str, Any] = {"label_map": lmap.to_dict()}
    if voxel_um is None:
        voxel_um = file_voxel
        if voxel_um is None:
            voxel_um = 1.0
            info["voxel_um_assumed"] = True
    return LabelVolume(mapped, float(voxel_um), source=str(path), info=info)


def write_volume(path: str | Path, volume: LabelVolume | np.ndarray, *, voxel_um: float | None = None) -> Path:
    """Write labels to ``.tif``/``.tiff`` (with voxel size and phase names), ``.npy`` or ``.raw``.

    A raw file is plain ``uint8`` in C order; remember its shape.
    """
    path = Path(path)
    if not isinstance(volume, LabelVolume):
        volume = LabelVolume(np.asarray(volume), voxel_um or 1.0, source=str(path))
    h = float(voxel_um or volume.voxel_um)
    suffix = path.suffix.lower()
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
    elif suffix in _RAW:
        volume.labels.tofile(path)
    else:
        raise InputError(f"{path}: unknown volume format '{suffix}' (use .tif, .tiff, .npy or .raw)")
    return path
