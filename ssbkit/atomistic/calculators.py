"""Interatomic potentials as ASE calculators: CHGNet by default, any ASE calculator by object.

CHGNet (Deng et al., Nat. Mach. Intell. 5 (2023) 1031) ships its pretrained
weights inside its wheel, so :func:`load_calculator` ("chgnet") reads a local
file and makes no network call. Any other universal potential (MACE, M3GNet /
TensorNet, SevenNet, ...) is used by passing its ASE calculator object, built
by the user where the user has its weights. science.md section 5.

Heavy imports (torch, chgnet, ase) happen inside the functions.
"""

from __future__ import annotations

import contextlib
import io
from typing import Any

from ..errors import InputError, did_you_mean

__all__ = ["CALCULATOR_NAMES", "select_device", "load_calculator", "calculator_name", "CHGNET_REFERENCE"]

#: The reference behind the default potential.
CHGNET_REFERENCE = (
    "B. Deng et al., CHGNet as a pretrained universal neural network potential for "
    "charge-informed atomistic modelling, Nat. Mach. Intell. 5 (2023) 1031"
)

#: Names accepted by :func:`load_calculator` -> (backend, model name).
CALCULATOR_NAMES: dict[str, tuple[str, str]] = {
    "chgnet": ("chgnet", "0.3.0"),
    "chgnet-0.3.0": ("chgnet", "0.3.0"),
    "chgnet-0.2.0": ("chgnet", "0.2.0"),
    "chgnet-r2scan": ("chgnet", "r2scan"),
    "emt": ("emt", ""),
}

_EXTERNAL = ("mace", "m3gnet", "tensornet", "sevennet", "matgl", "orb", "mattersim")
_MODEL_CACHE: dict[tuple[str, str], Any] = {}


def select_device(device: str | None = "auto") -> str:
    """Pick the torch device: ``"cpu"``, ``"cuda"`` (or ``"cuda:N"``), or ``"auto"``.

    ``"auto"`` (or None) gives CUDA when torch sees a GPU, else the CPU.

    Raises
    ------
    InputError
        For an unknown name, or CUDA asked for where torch sees no GPU.
    """
    d = (device or "auto").strip().lower()
    if d not in ("auto", "cpu", "cuda") and not d.startswith("cuda:"):
        raise InputError(f"device must be 'auto', 'cpu' or 'cuda', got {device!r}" + did_you_mean(d, ["auto", "cpu", "cuda"]))
    if d == "cpu":
        return "cpu"
    import torch

    has_cuda = bool(torch.cuda.is_available())
    if d == "auto":
        return "cuda" if has_cuda else "cpu"
    if not has_cuda:
        raise InputError(f"device {device!r} asked for, but torch sees no CUDA GPU here (use 'cpu' or 'auto')")
    return d


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

    key = (model_name, device)
    with contextlib.redirect_stdout(io.StringIO()):
        if key not in _MODEL_CACHE:
            _MODEL_CACHE[key] = CHGNet.load(model_name=model_name, use_device=device, verbose=False)
        calc = FastCHGNetCalculator(model=_MODEL_CACHE[key], use_device=device, on_isolated_atoms="ignore")
    calc.ssbkit_name = f"chgnet-{model_name}"
    return calc


def load_calculator(calculator: Any = "chgnet", *, device: str | None = "auto", threads: int | None = None) -> Any:
    """Return an ASE calculator.

    Parameters
    ----------
    calculator
        A name (``"chgnet"`` = CHGNet 0.3.0 with its bundled weights,
        ``"chgnet-0.2.0"``, ``"chgnet-r2scan"``, ``"emt"`` = ASE's effective-medium
        potential for tests on Al/Cu/Ag/Au/Ni/Pd/Pt), or any ASE calculator
        object (returned unchanged), e.g. a MACE or SevenNet calculator the user built.
    device
        ``"auto"``, ``"cpu"`` or ``"cuda"`` (see :func:`select_device`).
    threads
        CPU threads for torch (``torch.set_num_threads``, process-wide). On a
        CPU shared with other jobs, 1 thread is often several times faster than
        the default (benchmarks/RESULTS.md). None leaves torch's setting.

    Raises
    ------
    InputError
        Unknown name (with the closest valid one), or a potential that is not
        bundled (the message says to pass its ASE calculator object).
    """
    if threads is not None:
        if int(threads) < 1:
            raise InputError(f"threads must be >= 1, got {threads!r}")
        import torch

        torch.set_num_threads(int(threads))
    if not isinstance(calculator, str):
        if not hasattr(calculator, "get_potential_energy") and not hasattr(calculator, "calculate"):
            raise InputError(f"calculator must be a name or an ASE calculator, got {type(calculator).__name__}")
        return calculator
    name = calculator.strip().lower()
    if name not in CALCULATOR_NAMES:
        if any(name.startswith(e) for e in _EXTERNAL):
            raise InputError(
                f"calculator {calculator!r} is not bundled with ssbkit: build its ASE calculator "
                "with your weights and pass the object (calculator=...)"
            )
        raise InputError(f"unknown calculator {calculator!r}" + did_you_mean(name, CALCULATOR_NAMES))
    backend, model = CALCULATOR_NAMES[name]
    if backend == "emt":
        from ase.calculators.emt import EMT

        calc = EMT()
        calc.ssbkit_name = "emt"
        return calc
    return _chgnet_calculator(model, select_device(device))


def calculator_name(calc: Any) -> str:
    """A short name for the calculator (for records and reports)."""
    return str(getattr(calc, "ssbkit_name", type(calc).__name__))
