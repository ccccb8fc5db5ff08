"""Single points on many structures at once: batched where the potential supports it.

The screening use case: energies (and forces) of tens to thousands of
substituted variants of one cell. :func:`single_points` sends the structures
through the model in batches instead of one ASE calculator call each:

- **CHGNet** (Deng et al. 2023, key ``Deng2023``): crystal graphs built once,
  joined into a ``BatchedGraph``, one forward pass per batch; forces are the
  gradient of the batch's total energy without the double-backward graph that
  CHGNet's own ``predict_structure`` builds for training (``create_graph=True``),
  which on a CPU makes its batches *slower* than one structure at a time; with
  ``forces=False`` no gradient is taken at all.
- **SevenNet** (Park et al. 2024, key ``Park2024``): the wheel's model switched
  to batch mode, graphs collated with torch_geometric's ``Collater``.
- **any other ASE calculator**: one call per structure (the same numbers, no
  speed-up).

What batching buys depends on the device. On a GPU a forward pass of one small
cell leaves the device mostly idle, so batches run many cells in about the time
of one. On a CPU the arithmetic per structure is the same in a batch as alone
(it scales with bonds and angles), so batching only removes the per-call
overhead (graph construction, ASE bookkeeping), which is a small share
(benchmarks/bench_batch.py and RESULTS.md give the measured figures). The
larger CPU saving for ranking is ``forces=False``: no backward pass.

Energies and forces equal those of sequential calculator calls to float32
round-off (tests/atomistic/test_batch.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InputError

__all__ = ["SinglePoints", "single_points", "batch_backend"]


@dataclass(frozen=True)
class SinglePoints:
    """Energies (eV, total per structure) and forces (eV/Å, one array per structure) of a batch run."""

    energies_eV: np.ndarray
    forces_eV_per_A: tuple[np.ndarray, ...] | None
    backend: str
    batch_size: int
    n_atoms: tuple[int, ...] = field(default=())


def batch_backend(calc: Any) -> str:
    """Which batched path a calculator takes: ``"chgnet"``, ``"sevennet"`` or ``"sequential"``.

    Parameters
    ----------
    calc
        An ASE calculator.

    Returns
    -------
    str

    Examples
    --------
    >>> from ase.calculators.emt import EMT
    >>> batch_backend(EMT())
    'sequential'
    """
    mod = type(calc).__module__
    if mod.startswith("chgnet") or (hasattr(calc, "model") and type(calc.model).__module__.startswith("chgnet")):
        return "chgnet"
    if mod.startswith("sevenn") and hasattr(getattr(calc, "model", None), "set_is_batch_data"):
        return "sevennet"
    return "sequential"


def _chunks(n: int, size: int) -> list[slice]:
    return [slice(k, min(k + size, n)) for k in range(0, n, size)]


def _chgnet(model: Any, structures: list, batch_size: int, forces: bool):
    import torch
    from chgnet.model.model import BatchedGraph

    model.eval()
    energies: list[float] = []
    force_list: list[np.ndarray] = []
    for sl in _chunks(len(structures), batch_size):
        graphs = [model.graph_converter(s) for s in structures[sl]]
        n_at = torch.tensor([len(s) for s in structures[sl]], dtype=torch.float32)
        with torch.set_grad_enabled(forces):
            bg = BatchedGraph.from_graphs(graphs, bond_basis_expansion=model.bond_basis_expansion,
                                          angle_basis_expansion=model.angle_basis_expansion, compute_stress=False)
            pred = model._compute(bg, compute_force=False)
            e = pred["e"]
            if model.composition_model is not None:
                e = e + model.composition_model(graphs)
            total = e * n_at if model.is_intensive else e
            if forces:
                grads = torch.autograd.grad(total.sum(), bg.atom_positions)
                force_list += [-g.detach().cpu().numpy() for g in grads]
        energies += total.detach().cpu().numpy().astype(float).tolist()
    return np.array(energies), force_list


def _sevennet(calc: Any, atoms_list: list, batch_size: int, forces: bool):
    import torch
    from sevenn import _keys as keys
    from sevenn.atom_graph_data import AtomGraphData
    from sevenn.train.dataload import unlabeled_atoms_to_graph
    from torch_geometric.loader.dataloader import Collater

    model = calc.model
    energies: list[float] = []
    force_list: list[np.ndarray] = []
    collate = Collater([], follow_batch=None, exclude_keys=None)
    model.set_is_batch_data(True)
    try:
        for sl in _chunks(len(atoms_list), batch_size):
            chunk = atoms_list[sl]
            data = []
            for a in chunk:
                d = AtomGraphData.from_numpy_dict(unlabeled_atoms_to_graph(a, calc.cutoff, with_shift=False))
                if getattr(calc, "modal", None):
                    d[keys.DATA_MODALITY] = calc.modal
                data.append(d)
            batch = collate(data).to(calc.device)
            out = model(batch)
            energies += out[keys.PRED_TOTAL_ENERGY].detach().cpu().numpy().astype(float).ravel().tolist()
            if forces:
                f = out[keys.PRED_FORCE].detach().cpu()
                force_list += [x.numpy() for x in torch.split(f, [len(a) for a in chunk])]
    finally:
        model.set_is_batch_data(False)  # the calculator's own calls expect single-graph mode
    return np.array(energies), force_list


def _sequential(calc: Any, atoms_list: list, forces: bool):
    energies, force_list = [], []
    for a in atoms_list:
        b = a.copy()
        b.calc = calc
        energies.append(float(b.get_potential_energy()))
        if forces:
            force_list.append(np.array(b.get_forces()))
    return np.array(energies), force_list


def single_points(structures, calculator: Any = "chgnet", *, batch_size: int = 16, forces: bool = True,
                  device: str | None = "auto") -> SinglePoints:
    """Energies (and forces) of many ordered structures, batched where the potential allows.

    Parameters
    ----------
    structures
        Structures, ASE Atoms or files (ordered).
    calculator
        A registry name (:func:`ssbkit.atomistic.calculators.load_calculator`) or an ASE calculator.
    batch_size
        Structures per forward pass (CHGNet, SevenNet).
    forces
        Also return forces; False skips the backward pass (enough to rank by energy).
    device
        Torch device for a calculator given by name.

    Returns
    -------
    SinglePoints
        Total energies (eV), forces (eV/Å) or None, the path taken and the batch size.

    Raises
    ------
    InputError
        No structures, or a batch size below 1.

    Examples
    --------
    >>> from ase.build import bulk
    >>> r = single_points([bulk("Cu", "fcc", a=3.6), bulk("Cu", "fcc", a=3.7)], "emt", forces=False)
    >>> r.backend, r.energies_eV.shape
    ('sequential', (2,))
    """
    from .calculators import load_calculator
    from .structures import to_atoms, to_structure

    items = list(structures)
    if not items:
        raise InputError("single_points needs at least one structure")
    if int(batch_size) < 1:
        raise InputError(f"batch_size must be >= 1, got {batch_size!r}")
    calc = load_calculator(calculator, device=device)
    backend = batch_backend(calc)
    atoms_list = [to_atoms(s) for s in items]
    if backend == "chgnet":
        e, f = _chgnet(calc.model, [to_structure(a) for a in atoms_list], int(batch_size), forces)
    elif backend == "sevennet":
        e, f = _sevennet(calc, atoms_list, int(batch_size), forces)
    else:
        e, f = _sequential(calc, atoms_list, forces)
    return SinglePoints(e, tuple(f) if forces else None, backend, int(batch_size),
                        tuple(len(a) for a in atoms_list))
