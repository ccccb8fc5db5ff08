"""Fixtures of the fuzz suite: the harness module and small seeds cut from the real fixtures."""

from __future__ import annotations

import gzip
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).parent
CYCLING_FIX = HERE.parent / "cell" / "fixtures" / "cycling"


def load_harness():
    """The harness module (tests are not a package: load it by path)."""
    if "ssbkit_fuzz_harness" in sys.modules:
        return sys.modules["ssbkit_fuzz_harness"]
    spec = importlib.util.spec_from_file_location("ssbkit_fuzz_harness", HERE / "harness.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["ssbkit_fuzz_harness"] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="session")
def harness():
    """``harness.run_fuzz(reader, paths)``, ``harness.check_reader(...)``, ``harness.mutations(...)``."""
    return load_harness()


def cycling_seeds(folder: Path, *, head_lines: int = 150) -> list[Path]:
    """Small real seeds: the heads of the Neware regular and Maccor exports, and the .ndax file."""
    folder.mkdir(parents=True, exist_ok=True)
    nw = (CYCLING_FIX / "neware_regular_3cycles.csv").read_text().splitlines()[: head_lines + 30]
    (folder / "neware_regular_head.csv").write_text("\n".join(nw) + "\n")
    mc = gzip.open(CYCLING_FIX / "maccor_ddhms.txt.gz", "rt", encoding="latin-1").read().splitlines()
    (folder / "maccor_head.txt").write_text("\n".join(mc[: head_lines + 200]) + "\n", encoding="latin-1")
    (folder / "neware.ndax").write_bytes((CYCLING_FIX / "neware_ndc17.ndax").read_bytes())
    return [folder / "neware_regular_head.csv", folder / "maccor_head.txt", folder / "neware.ndax"]


def shared_cycling_seeds(folder: Path, shared: Path, *, head_lines: int = 3000) -> list[Path]:
    """Heads of the shared reference exports (flat Neware CSV, Maccor 'Cycle C' text), where present."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name in ("neware-export.csv", "maccor-export.txt"):
        src = shared / name
        if src.is_file():
            lines = src.read_bytes().split(b"\n")[:head_lines]
            (folder / name).write_bytes(b"\n".join(lines) + b"\n")
            out.append(folder / name)
    return out


def volume_seeds(folder: Path) -> list[Path]:
    """An ImageJ zlib TIFF written by ssbkit, a plain uncompressed multi-page TIFF and a .npy."""
    import tifffile

    from ssbkit.microstructure.io import write_volume
    from ssbkit.microstructure.phases import LabelVolume

    folder.mkdir(parents=True, exist_ok=True)
    lab = np.random.default_rng(1).integers(0, 4, (12, 20, 24)).astype(np.uint8)
    write_volume(folder / "ij_zlib.tif", LabelVolume(lab, 0.4))
    tifffile.imwrite(folder / "plain.tif", lab)
    np.save(folder / "vol.npy", lab)
    return [folder / "ij_zlib.tif", folder / "plain.tif", folder / "vol.npy"]


@pytest.fixture
def cycling_seed_files(tmp_path):
    return cycling_seeds(tmp_path / "cycling")


@pytest.fixture
def volume_seed_files(tmp_path):
    return volume_seeds(tmp_path / "volumes")
