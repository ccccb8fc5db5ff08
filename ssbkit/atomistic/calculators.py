"""A registry of interatomic potentials, each an ASE calculator, with the model recorded.

Three kinds (science.md section 5):

- **bundled**: weights inside a wheel, loaded offline by name: CHGNet
  (Deng et al. 2023, key ``Deng2023``) and SevenNet (Park et al. 2024, key
  ``Park2024``; the ``sevenn`` wheel carries 7net-0, 7net-0_22May2024 and
  7net-l3i5). Names: :data:`CALCULATOR_NAMES`.
- **by path**: models whose weights the user has on disk, named
  ``"<backend>:<path>"`` or ``load_calculator("<backend>", model_path=...)``:
  MACE (``mace``, package ``mace-torch``), MatterSim (``mattersim``), ORB
  (``orb``, package ``orb-models``), M3GNet / TensorNet through matgl
  (``m3gnet``, ``matgl``) and a SevenNet checkpoint (``sevennet``). Nothing is
  downloaded: a missing package or file is an :class:`~ssbkit.errors.InputError`
  saying what to install or where the file was looked for.
- **any ASE calculator** object, used as given.

Every calculator returned carries ``ssbkit_info`` (:func:`calculator_info`):
backend, model, package version, device, precision and reference key, recorded
with every MD run and campaign row. Heavy imports (torch, chgnet, sevenn, ase)
happen inside the functions.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

from ..errors import InputError, did_you_mean

__all__ = [
    "CALCULATOR_NAMES",
    "PATH_BACKENDS",
    "select_device",
    "load_calculator",
    "calculator_name",
    "calculator_info",
    "CHGNET_REFERENCE",
]

#: The reference behind the default potential.
CHGNET_REFERENCE = (
    "B. Deng et al., CHGNet as a pretrained universal neural network potential for "
    "charge-informed atomistic modelling, Nat. Mach. Intell. 5 (2023) 1031"
)

#: Bundled names accepted by :func:`load_calculator` -> (backend, model name, citation key).
CALCULATOR_NAMES: dict[str, tuple[str, str, str]] = {
    "chgnet": ("chgnet", "0.3.0", "Deng2023"),
    "chgnet-0.3.0": ("chgnet", "0.3.0", "Deng2023"),
    "chgnet-0.2.0": ("chgnet", "0.2.0", "Deng2023"),
    "chgnet-r2scan": ("chgnet", "r2scan", "Deng2023"),
    "sevennet": ("sevennet", "7net-0", "Park2024"),
    "sevennet-0": ("sevennet", "7net-0", "Park2024"),
    "7net-0": ("sevennet", "7net-0", "Park2024"),
    "sevennet-0-22may2024": ("sevennet", "7net-0_22May2024", "Park2024"),
    "sevennet-l3i5": ("sevennet", "7net-l3i5", "Park2024"),
    "7net-l3i5": ("sevennet", "7net-l3i5", "Park2024"),
    "emt": ("emt", "", ""),
}

#: Backends loaded from a weights file the user has: backend -> (package to import, pip name).
PATH_BACKENDS: dict[str, tuple[str, str]] = {
    "mace": ("mace", "mace-torch"),
    "mattersim": ("mattersim", "mattersim"),
    "orb": ("orb_models", "orb-models"),
    "m3gnet": ("matgl", "matgl"),
    "matgl": ("matgl", "matgl"),
    "sevennet": ("sevenn", "sevenn"),
}
PRECISIONS = ("float32", "float64")
_MODEL_CACHE: dict[tuple[str, str], Any] = {}


def select_device(device: str | None = "auto") -> str:
    """Pick the torch device: ``"cpu"``, ``"cuda"`` (or ``"cuda:N"``), or ``"auto"``.

    Parameters
    ----------
    device
        ``"auto"`` (or None) gives CUDA when torch sees a GPU, else the CPU.

    Returns
    -------
    str
        The device name.

    Raises
    ------
    InputError
        For an unknown name, or CUDA asked for where torch sees no GPU.
    """
    d = (device or "auto").strip().lower()
    if d not in ("auto", "cpu", "cuda") and not d.startswith("cuda:"):
        raise InputError(f"device must be 'auto', 'cpu' or 'cuda', got {device!r}"
                         + did_you_mean(d, ["auto", "cpu", "cuda"]))
    if d == "cpu":
        return "cpu"
    import torch

    has_cuda = bool(torch.cuda.is_available())
    if d == "auto":
        return "cuda" if has_cuda else "cpu"
    if not has_cuda:
        raise InputError(f"device {device!r} asked for, but torch sees no CUDA GPU here (use 'cpu' or 'auto')")
    return d


def _version(package: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return ""


def _tag(calc: Any, *, name: str, backend: str, model: str, package: str, device: str, precision: str,
         reference: str) -> Any:
    calc.ssbkit_name = name
    calc.ssbkit_info = {"name": name, "backend": backend, "model": model, "package": package,
                        "version": _version(package) if package else "", "device": device,
                        "precision": precision, "reference": reference}
    return calc


def _chgnet_calculator(model_name: str, device: str):
    """A CHGNet ASE calculator that skips the stress when a step needs only forces."""
    from chgnet.model import CHGNet
    from chgnet.model.dynamics import CHGNetCalculator

    class FastCHGNetCalculator(CHGNetCalculator):
        """CHGNetCalculator that derives the stress (a strain gradient) only on request."""

        def calculate(self, atoms=None, properties=None, system_changes=None, task=None):
            props = properties or ["energy", "forces", "stress"]
            if task is None:
                task = "efs" if "stress" in props else "ef"
            super().calculate(atoms, props, system_changes, task=task)

    key = (f"chgnet-{model_name}", device)
    with contextlib.redirect_stdout(io.StringIO()):
        if key not in _MODEL_CACHE:
            _MODEL_CACHE[key] = CHGNet.load(model_name=model_name, use_device=device, verbose=False)
        calc = FastCHGNetCalculator(model=_MODEL_CACHE[key], use_device=device, on_isolated_atoms="ignore")
    return _tag(calc, name=f"chgnet-{model_name}", backend="chgnet", model=model_name, package="chgnet",
                device=device, precision="float32", reference="Deng2023")


def _import(backend: str):
    """Import the backend's package or say how to install it."""
    import importlib

    module, pip_name = PATH_BACKENDS[backend]
    try:
        return importlib.import_module(module)
    except ImportError:
        raise InputError(f"calculator {backend!r} needs the package {pip_name!r}, which is not installed: "
                         f"pip install {pip_name}") from None


def _sevennet_calculator(model: str, device: str, *, from_path: bool):
    _import("sevennet")
    from sevenn.calculator import SevenNetCalculator

    if not from_path:  # only the checkpoints inside the wheel: never a download
        from sevenn.util import pretrained_name_to_path

        with contextlib.redirect_stdout(io.StringIO()):
            try:
                path = pretrained_name_to_path(model)
            except Exception:
                raise InputError(f"SevenNet model {model!r} is not in the installed sevenn wheel") from None
        if not Path(path).is_file():
            raise InputError(f"SevenNet model {model!r}: {path} is missing from the installed wheel")
    key = (f"sevennet-{model}", device)
    if key not in _MODEL_CACHE:  # loading takes seconds: one calculator per model and device
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            _MODEL_CACHE[key] = SevenNetCalculator(model, device=device)
    return _MODEL_CACHE[key]


def _path_calculator(backend: str, path: Path, device: str, precision: str):
    """Build a calculator of ``backend`` from a weights file (no download)."""
    if not path.exists():
        raise InputError(f"calculator {backend!r}: model file {path} does not exist")
    _import(backend)
    try:
        if backend == "mace":
            from mace.calculators import MACECalculator

            return MACECalculator(model_paths=str(path), device=device, default_dtype=precision)
        if backend == "mattersim":
            from mattersim.forcefield import MatterSimCalculator

            return MatterSimCalculator(load_path=str(path), device=device)
        if backend == "orb":
            import torch
            from orb_models.forcefield.calculator import ORBCalculator

            return ORBCalculator(torch.load(str(path), map_location=device, weights_only=False), device=device)
        if backend in ("m3gnet", "matgl"):
            import matgl
            from matgl.ext.ase import PESCalculator

            return PESCalculator(matgl.load_model(str(path)))
        return _sevennet_calculator(str(path), device, from_path=True)
    except InputError:
        raise
    except Exception as exc:  # each package fails its own way on a wrong file
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"calculator {backend!r} could not load {path}: {msg}") from None


def _split_spec(name: str, model_path: str | Path | None) -> tuple[str, Path | None]:
    if model_path is not None:
        return name, Path(model_path).expanduser()
    if ":" in name:
        backend, _, rest = name.partition(":")
        if backend in PATH_BACKENDS:
            return backend, Path(rest).expanduser()
    return name, None


def load_calculator(calculator: Any = "chgnet", *, device: str | None = "auto", threads: int | None = None,
                    model_path: str | Path | None = None, precision: str = "float32") -> Any:
    """Return an ASE calculator from the registry, a weights file, or as given.

    Parameters
    ----------
    calculator
        A bundled name (:data:`CALCULATOR_NAMES`: ``"chgnet"`` = CHGNet 0.3.0,
        ``"sevennet"`` = 7net-0, ``"sevennet-l3i5"``, ``"emt"`` = ASE's EMT for
        tests on Al/Cu/Ag/Au/Ni/Pd/Pt), ``"<backend>:<path>"`` with a backend
        of :data:`PATH_BACKENDS` (``"mace:/models/mace-mp-0.model"``), or any
        ASE calculator object (returned unchanged).
    device
        ``"auto"``, ``"cpu"`` or ``"cuda"`` (see :func:`select_device`).
    threads
        CPU threads for torch (``torch.set_num_threads``, process-wide). On a
        CPU shared with other jobs, 1 thread is often faster. None leaves it.
    model_path
        Weights file for a path backend (instead of ``"<backend>:<path>"``).
    precision
        ``"float32"`` or ``"float64"`` where the backend supports a choice (MACE);
        recorded in :func:`calculator_info`.

    Returns
    -------
    ase.calculators.calculator.Calculator
        With ``ssbkit_name`` and ``ssbkit_info`` set (for objects passed in, when settable).

    Raises
    ------
    InputError
        Unknown name (with the closest valid one), a missing package (with the
        pip command), a missing weights file, or weights the package cannot load.
    """
    if threads is not None:
        if int(threads) < 1:
            raise InputError(f"threads must be >= 1, got {threads!r}")
        import torch

        torch.set_num_threads(int(threads))
    if precision not in PRECISIONS:
        raise InputError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    if not isinstance(calculator, str):
        if not hasattr(calculator, "get_potential_energy") and not hasattr(calculator, "calculate"):
            raise InputError(f"calculator must be a name or an ASE calculator, got {type(calculator).__name__}")
        return calculator
    name, path = _split_spec(calculator.strip(), model_path)
    key = name.lower()
    if path is not None:
        if key not in PATH_BACKENDS:
            raise InputError(f"no loader for model files of {name!r}" + did_you_mean(key, PATH_BACKENDS))
        dev = select_device(device)
        calc = _path_calculator(key, path, dev, precision)
        package = PATH_BACKENDS[key][1]
        return _tag(calc, name=f"{key}:{path.name}", backend=key, model=str(path), package=package,
                    device=dev, precision=precision,
                    reference={"sevennet": "Park2024"}.get(key, ""))
    if key not in CALCULATOR_NAMES:
        if key in PATH_BACKENDS or any(key.startswith(b) for b in PATH_BACKENDS):
            raise InputError(f"calculator {calculator!r} has no weights bundled with ssbkit: give the model "
                             f"file as '<backend>:<path>' (backends: {', '.join(PATH_BACKENDS)}) or pass "
                             "the ASE calculator object")
        raise InputError(f"unknown calculator {calculator!r}" + did_you_mean(key, CALCULATOR_NAMES))
    backend, model, ref = CALCULATOR_NAMES[key]
    if backend == "emt":
        from ase.calculators.emt import EMT

        return _tag(EMT(), name="emt", backend="emt", model="", package="ase", device="cpu",
                    precision="float64", reference="")
    dev = select_device(device)
    if backend == "chgnet":
        return _chgnet_calculator(model, dev)
    calc = _sevennet_calculator(model, dev, from_path=False)
    return _tag(calc, name=f"sevennet-{model}", backend="sevennet", model=model, package="sevenn", device=dev,
                precision="float32", reference=ref)


def calculator_name(calc: Any) -> str:
    """A short name for the calculator (for records and reports).

    Parameters
    ----------
    calc
        An ASE calculator.

    Returns
    -------
    str
        ``ssbkit_name`` where set, else the class name.
    """
    return str(getattr(calc, "ssbkit_name", type(calc).__name__))


def calculator_info(calc: Any) -> dict[str, str]:
    """Backend, model, package version, device, precision and reference key of a calculator.

    Parameters
    ----------
    calc
        An ASE calculator (from :func:`load_calculator` or any other).

    Returns
    -------
    dict
        For a calculator not built here: its class name and module, the
        module's package version where known.
    """
    info = getattr(calc, "ssbkit_info", None)
    if info:
        return dict(info)
    mod = type(calc).__module__.split(".")[0]
    return {"name": calculator_name(calc), "backend": "ase-object", "model": type(calc).__name__,
            "package": mod, "version": _version(mod), "device": "", "precision": "", "reference": ""}
