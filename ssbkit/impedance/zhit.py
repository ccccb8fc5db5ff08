"""Z-HIT: the impedance modulus reconstructed from the phase, a second validity check.

For a causal, linear, stable (KK-compliant) system the logarithm of the modulus
follows from the phase phi(w) (Ehm et al., ACH - Models in Chemistry 137 (2000)
145; the "Z-HIT" approximation of the Hilbert transform):

    ln|Z(w)| ~ C + (2/pi) int_{w_ref}^{w} phi(x) d ln x + gamma d phi / d ln w,
    gamma = -pi/6.

The phase is smoothed with a cubic smoothing spline in ln w (penalty chosen by
GCV; scipy's ``make_smoothing_spline``), integrated exactly on the spline, and
the constant C is fitted by least squares to ln|Z| over the middle of the
measured band (the two outer tenths of the points in ln w are left out: the
approximation is worst there). Drift changes |Z| and phi inconsistently, so the
reconstructed modulus departs from the measured one. Unlike Lin-KK, Z-HIT does
not fit a model, so it cannot absorb a violation by adding elements.

The residual is (|Z| - |Z|_ZHIT)/|Z| (real and imaginary residuals as in
Lin-KK do not apply, the phase is not tested). ``valid`` means the largest
absolute residual over the band without the two outermost points at each end
is at most ``threshold`` (5 %). The approximation is not exact: for a single
RC, Z = R/(1 + j w tau), it gives at w tau = 1 ln|Z|_ZHIT - ln|Z| =
-2G/pi + pi/12 + (ln 2)/2 = 0.0253 relative to the low-frequency end (G,
Catalan's constant), so a threshold much below ~3 % rejects sharp RC arcs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..citations.registry import cite
from ..errors import InputError
from ..records import Record
from .spectrum import Spectrum, require_nonzero_z

__all__ = ["ZHITResult", "zhit_test"]

_GAMMA = -np.pi / 6.0


@dataclass(frozen=True, eq=False)
class ZHITResult(Record):
    """Outcome of a Z-HIT check.

    Attributes
    ----------
    frequency_hz : numpy.ndarray
        Frequencies (Hz), as in the spectrum.
    modulus_ohm, modulus_zhit_ohm : numpy.ndarray
        Measured and reconstructed |Z| (ohm).
    phase_smooth_rad : numpy.ndarray
        The smoothed phase used (rad).
    residual : numpy.ndarray
        (|Z| - |Z|_ZHIT) / |Z|.
    max_residual, rms_residual : float
        Largest absolute and rms residual over the judged band.
    threshold : float
        ``valid`` means ``max_residual <= threshold``.
    valid : bool
        The verdict.
    source : str
        The spectrum's source.
    references : tuple of str
        Citation keys.
    """

    frequency_hz: np.ndarray
    modulus_ohm: np.ndarray
    modulus_zhit_ohm: np.ndarray
    phase_smooth_rad: np.ndarray
    residual: np.ndarray
    max_residual: float
    rms_residual: float
    threshold: float
    valid: bool
    source: str = ""
    references: tuple[str, ...] = ("Ehm2000",)


def zhit_test(spectrum: Spectrum, *, threshold: float = 0.05) -> ZHITResult:
    """Reconstruct |Z| from the phase (Z-HIT) and compare it with the data.

    Parameters
    ----------
    spectrum : Spectrum
        The data (at least 8 points).
    threshold : float
        Largest relative modulus residual of a valid spectrum (default 5 %: the
        approximation itself is off by up to ~2.5 % at the corner of a single RC).

    Returns
    -------
    ZHITResult

    Examples
    --------
    >>> import numpy as np
    >>> from ssbkit.impedance.spectrum import make_spectrum
    >>> f = np.logspace(5, -1, 50)
    >>> z = 10 + 100 / (1 + (1j * 2 * np.pi * f * 1e-3) ** 0.9)
    >>> zhit_test(make_spectrum(f, z.real, z.imag, source="zarc")).valid
    True
    """
    from scipy.interpolate import make_smoothing_spline

    if not threshold > 0:
        raise InputError(f"threshold={threshold!r} must be > 0 (e.g. 0.02 for 2 % of |Z|)")
    if len(spectrum) < 8:
        raise InputError(f"{spectrum.source}: Z-HIT needs at least 8 points, got {len(spectrum)}")
    mod = require_nonzero_z(spectrum, "Z-HIT")
    order = np.argsort(spectrum.omega)
    x = np.log(spectrum.omega[order])
    phi = np.unwrap(np.angle(spectrum.z_ohm[order]))
    spline = make_smoothing_spline(x, phi)
    integral = spline.antiderivative()
    phi_s = spline(x)
    ln_rec = (2.0 / np.pi) * (integral(x) - integral(x[0])) + _GAMMA * spline.derivative()(x)
    ln_mod = np.log(mod[order])
    n = x.size
    cut = max(1, n // 10)
    mid = slice(cut, n - cut)
    offset = float(np.mean(ln_mod[mid] - ln_rec[mid]))
    rec = np.exp(ln_rec + offset)
    res = (mod[order] - rec) / mod[order]
    judged = np.abs(res[2 : n - 2])
    back = np.empty(n, dtype=int)
    back[order] = np.arange(n)
    return ZHITResult(
        frequency_hz=spectrum.frequency_hz, modulus_ohm=mod, modulus_zhit_ohm=rec[back],
        phase_smooth_rad=phi_s[back], residual=res[back], max_residual=float(judged.max()),
        rms_residual=float(np.sqrt(np.mean(judged**2))), threshold=threshold,
        valid=bool(judged.max() <= threshold), source=spectrum.source,
        references=(cite("Ehm2000"),),
    )
