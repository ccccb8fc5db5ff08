"""The least-squares problem of one circuit fit: residuals, Jacobian, one optimiser run.

:class:`FitProblem` holds the weighted data and the map between the fitted
variables x (ln p for positive parameters, p for exponents and real ones) and
the parameters p; :meth:`FitProblem.run` is one optimisation from one start
(Levenberg-Marquardt first, the bounded trust-region method when LM wanders),
:meth:`FitProblem.good` the test that ends the multistart of :mod:`.fit`.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
from scipy.optimize import least_squares, leastsq

from .circuit import Circuit
from .elements import EXPONENT, POSITIVE

__all__ = ["FitProblem"]

_POOR_RMS = 0.03  # relative rms misfit above which more starts are tried
_LOG_SPAN = 25.0  # ln-space room of a positive parameter around its start value
_TOL = 1.49e-8  # relative tolerances on the parameters and the cost
_LM_SPAN = 7.0  # ln-space move beyond which an unbounded LM answer is not trusted


class FitProblem:
    """Weighted residuals of ``circuit`` against (f, z) with some parameters fixed.

    Parameters
    ----------
    circuit : Circuit
        The compiled circuit.
    f, z : numpy.ndarray
        Frequencies (Hz) and impedances (ohm) to fit.
    s_re, s_im : numpy.ndarray
        Standard deviations of the real and imaginary residuals (the weighting).
    fix : dict of int to float
        Fixed parameters by index.
    max_nfev : int
        Evaluation budget of one run.
    use_lm : bool
        Try Levenberg-Marquardt first.
    """

    def __init__(self, circuit: Circuit, f, z, s_re, s_im, fix: dict[int, float], *,
                 max_nfev: int, use_lm: bool = True) -> None:
        self.c, self.f, self.z = circuit, f, z
        self.fix, self.max_nfev, self.use_lm = fix, max_nfev, use_lm
        self.free = np.array([i not in fix for i in range(circuit.n_params)])
        self.kinds = np.array(circuit.param_kinds)
        self.is_log = (self.kinds == POSITIVE) & self.free
        self.w = 2 * np.pi * f
        self.n_f = f.size
        self.inv_s = np.empty(2 * self.n_f)  # residuals interleaved (Re, Im) per frequency
        self.inv_s[0::2], self.inv_s[1::2] = 1.0 / s_re, 1.0 / s_im
        self.z_c = np.ascontiguousarray(z)
        self.log_free = self.is_log[self.free]
        self.free_idx = np.flatnonzero(self.free)
        self.all_free = bool(self.free.all())
        self.log_pos = np.flatnonzero(self.log_free)
        kf = self.kinds[self.free]
        self.lb = np.where(kf == EXPONENT, 0.0, -np.inf)
        self.ub = np.where(kf == EXPONENT, 1.0, np.inf)
        self.info: dict = {}

    # ---------------------------------------------------------------- maps
    def to_p(self, x: np.ndarray, base: np.ndarray) -> np.ndarray:
        """Parameters from fitted variables (``base`` supplies the fixed ones).

        Parameters
        ----------
        x
            Fitted variables (ln p for positive parameters, p for the others).
        base
            Full parameter vector (SI) whose fixed entries are kept.

        Returns
        -------
        numpy.ndarray
            Full parameter vector, SI units.
        """
        if self.all_free:
            p = x.copy()
            p[self.log_pos] = np.exp(p[self.log_pos])  # overflow -> inf -> flagged later
            return p
        p = base.copy()
        p[self.free] = np.where(self.log_free, np.exp(x), x)
        return p

    def to_x(self, p: np.ndarray) -> np.ndarray:
        """Fitted variables from parameters.

        Parameters
        ----------
        p
            Full parameter vector, SI units.

        Returns
        -------
        numpy.ndarray
            The free parameters as fitted variables (ln p for positive ones).
        """
        pf = p[self.free]
        return np.where(self.log_free, np.log(np.maximum(pf, 1e-300)), pf)

    def jac_rows(self, x: np.ndarray, base: np.ndarray) -> np.ndarray:
        """Jacobian of the residuals, one row per fitted variable: shape (k, 2N).

        Parameters
        ----------
        x
            Fitted variables.
        base
            Full parameter vector supplying the fixed parameters.

        Returns
        -------
        numpy.ndarray
            Real Jacobian of the weighted residuals, shape ``(k, 2N)`` for k fitted
            variables and N frequencies (real and imaginary parts interleaved).
        """
        p = self.to_p(x, base)
        jac = self.c._fn(p, self.w)[1]
        jf = jac[self.free_idx] if self.free_idx.size < jac.shape[0] else jac
        jf *= np.where(self.log_free, p[self.free_idx], 1.0)[:, None]
        jr = jf.view(float)
        jr *= self.inv_s
        if not np.isfinite(jr.sum()):  # an element overflowed far from the data
            jr = np.nan_to_num(jr, nan=0.0, posinf=1e300, neginf=-1e300)
        return jr

    def residuals(self, x: np.ndarray, base: np.ndarray) -> np.ndarray:
        """Weighted residuals (huge, finite numbers where the model overflows).

        Parameters
        ----------
        x
            Fitted variables.
        base
            Full parameter vector supplying the fixed parameters.

        Returns
        -------
        numpy.ndarray
            Weighted residuals (Z_model - Z) / sigma, real and imaginary parts
            interleaved, length 2N (dimensionless).
        """
        r = np.subtract(self.c._fz(self.to_p(x, base), self.w), self.z_c).view(float)
        r *= self.inv_s
        if np.isfinite(r.sum()):
            return r
        return np.nan_to_num(r, nan=1e150, posinf=1e150, neginf=-1e150)

    def fun_jac(self, x: np.ndarray, base: np.ndarray):
        """(residuals, Jacobian (2N, k)) without the overflow guard on the residuals.

        Parameters
        ----------
        x
            Fitted variables.
        base
            Full parameter vector supplying the fixed parameters.

        Returns
        -------
        residuals : numpy.ndarray
            Weighted residuals, length 2N.
        jacobian : numpy.ndarray
            Their Jacobian, shape ``(2N, k)``.
        """
        r = np.subtract(self.c._fz(self.to_p(x, base), self.w), self.z_c).view(float) * self.inv_s
        return r, self.jac_rows(x, base).T

    # ---------------------------------------------------------------- one run
    def run(self, p_start: np.ndarray, lm: bool = True):
        """One optimisation from ``p_start``: (solution namespace, base parameter vector).

        Parameters
        ----------
        p_start
            Start parameter vector, SI units (fixed parameters are overwritten by their values).
        lm
            Try Levenberg-Marquardt first (falls back to bounded trust-region otherwise).

        Returns
        -------
        sol
            The optimiser's solution (``x``, ``cost``, ``status``, ``nfev``, ``message``).
        base : numpy.ndarray
            Full parameter vector holding the fixed parameters, for :meth:`to_p`.
        """
        base = p_start.copy()
        for i, v in self.fix.items():
            base[i] = v
        x0 = self.to_x(base)
        if lm and self.use_lm and x0.size <= 2 * self.n_f:
            sol = self._run_lm(x0, base)
            if sol is not None:
                return sol, base
        # positive parameters may move 11 decades from their start, no further
        lo = np.where(self.is_log[self.free], x0 - _LOG_SPAN, self.lb)
        hi = np.where(self.is_log[self.free], x0 + _LOG_SPAN, self.ub)
        x0 = np.clip(x0, self.lb + 1e-9, self.ub - 1e-9)
        sol = least_squares(self.residuals, x0, args=(base,),
                            jac=lambda x, b: self.jac_rows(x, b).T, bounds=(lo, hi),
                            method="trf", x_scale=1.0, xtol=_TOL, ftol=_TOL, gtol=_TOL,
                            max_nfev=self.max_nfev)
        return sol, base

    def _run_lm(self, x0: np.ndarray, base: np.ndarray):
        """Levenberg-Marquardt (MINPACK lmder) with exponents as n = sin^2(u).

        Its answer stands unless a parameter wandered more than three decades
        from its start (a poor start or a far local minimum): None then.
        """
        x0 = np.clip(x0, self.lb + 1e-9, self.ub - 1e-9)
        is_exp = self.kinds[self.free] == EXPONENT
        exp_idx = np.flatnonzero(is_exp)

        def y_to_x(y):
            x = y.copy()
            for i in exp_idx:
                x[i] = math.sin(y[i]) ** 2
            return x

        def jac_y(y):  # rows = variables (col_deriv): MINPACK's own layout, no copy
            jr = self.jac_rows(y_to_x(y), base)
            for i in exp_idx:
                jr[i] *= math.sin(2 * y[i])
            return jr

        y0 = x0.copy()
        y0[is_exp] = np.arcsin(np.sqrt(np.clip(x0[is_exp], 1e-6, 1 - 1e-6)))
        try:
            y, _, info_lm, mesg, ier = leastsq(
                lambda y: self.residuals(y_to_x(y), base), y0, Dfun=jac_y, col_deriv=True,
                full_output=True, xtol=_TOL, ftol=_TOL, maxfev=min(self.max_nfev, 150))
        except (ValueError, np.linalg.LinAlgError):
            return None
        fv = info_lm["fvec"]
        sol = SimpleNamespace(x=y_to_x(y), cost=0.5 * float(fv @ fv),
                              status=ier if ier in (1, 2, 3, 4) else 0,
                              nfev=info_lm["nfev"], message=mesg)
        moved = np.abs(sol.x - x0)[~is_exp]
        if sol.status > 0 and np.isfinite(sol.cost) and np.all(moved <= _LM_SPAN):
            return sol
        return None

    def good(self, sol, base: np.ndarray) -> bool:
        """Converged, and the misfit near the floor a free Voigt description of the same
        data reaches (so a poor local minimum is not taken for the answer).

        Parameters
        ----------
        sol
            A solution returned by :meth:`run`.
        base
            The matching base parameter vector.

        Returns
        -------
        bool
            True when the solution converged and its relative rms misfit is near the
            Voigt floor of :func:`~ssbkit.impedance.startvalues.describe_arcs`.
        """
        if sol.status <= 0 or not np.isfinite(sol.cost):
            return False
        zm = self.c._fz(self.to_p(sol.x, base), self.w)
        rms = float(np.sqrt(np.mean(np.abs(zm - self.z) ** 2 / np.abs(self.z) ** 2)))
        if "rms" not in self.info:
            from .startvalues import describe_arcs

            self.info.update(describe_arcs(self.f, self.z))
        return rms < min(_POOR_RMS, 1.05 * self.info["rms"] + 0.0005)
