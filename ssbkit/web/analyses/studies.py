"""Studies: an uploaded study file run by the study pipeline, sandboxed in its job's folder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ssbkit.errors import InputError
from ssbkit.progress import Progress

from ..files import paths_outside
from .common import _named, software

__all__ = ["run_study_file"]


def run_study_file(path: Path, original_name: str, *, out_dir: Path,
                   progress: Progress | None = None) -> dict[str, Any]:
    """A study file -> its report and results (:func:`ssbkit.study.pipeline.run_study`), not recorded.

    The study runs in ``out_dir`` (its base folder too): a study uploaded to a
    server must not read the server's files, so paths that leave that folder
    are refused.

    Parameters
    ----------
    path, original_name
        The stored TOML file and its uploaded name.
    out_dir
        Folder for ``report.html`` and ``results.json``.
    progress
        ``progress(done, total, message)``: one step per section.

    Returns
    -------
    dict
        ``status`` per section, ``report`` (file name in ``out_dir``), ``elapsed_s``, ``software``.

    Raises
    ------
    InputError
        An invalid study, or one with paths outside its folder.
    """
    from ssbkit.study.config import load_study
    from ssbkit.study.pipeline import run_study

    with _named(path, original_name):
        study = load_study(path)
    bad = paths_outside({k: v for k, v in study.items() if not k.startswith("_")})
    if bad:
        raise InputError(f"{original_name}: paths outside the study's folder are not allowed on a server: "
                         + "; ".join(bad[:5]))
    out_dir.mkdir(parents=True, exist_ok=True)
    study["_base_dir"] = str(out_dir)
    with _named(path, original_name):
        res = run_study(study, out_dir, record=False, progress=progress)
    return {"source": original_name, "status": res.status, "report": res.report_path.name,
            "elapsed_s": res.results.get("elapsed_s"), "software": software(),
            "protocol": {"study": study.get("study", {})}}

