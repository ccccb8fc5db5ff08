"""What a fit is given: checked spectrum arrays and the residual weighting.

Shared by single fits (:mod:`.fit`) and joint fits of a series (:mod:`.globalfit`);
re-exported by :mod:`.fitresult`.
"""

from __future__ import annotations

import numpy as np

from ssbkit.errors import InputError

__all__ = ["WEIGHTINGS", "spectrum_arrays", "weights"]

WEIGHTINGS = ("unit", "modulus", "proportional")


def weights(z: np.ndarray, weighting: str) -> tuple[np.ndarray, np.ndarray]:
    """Standard deviations (sigma_re, sigma_im) of the residuals under ``weighting``.

    Parameters
    ----------
    z
        Measured complex impedance, ohm.
    weighting
        ``"unit"`` (sigma = 1), ``"modulus"`` (sigma = abs(Z), both parts) or
        ``"proportional"`` (sigma = abs(Z') and abs(Z''), each floored at 1e-3 abs(Z)).

    Returns
    -------
    sigma_re, sigma_im : numpy.ndarray
        Standard deviations of the real and imaginary residuals, ohm (``"unit"``: 1).

    Examples
    --------
    >>> import numpy as np
    >>> s_re, s_im = weights(np.array([3 + 4j]), "modulus")
    >>> float(s_re[0]), float(s_im[0])
    (5.0, 5.0)
    """
    if weighting == "unit":
        return np.ones(z.size), np.ones(z.size)
    if weighting == "modulus":
        return np.abs(z), np.abs(z)
    floor = 1e-3 * np.abs(z)
    return np.maximum(np.abs(z.real), floor), np.maximum(np.abs(z.imag), floor)


def spectrum_arrays(spectrum, z_ohm):
    """Checked ``(f_hz, z_ohm, source, temperature_c)`` from a Spectrum or from two arrays.

    Parameters
    ----------
    spectrum
        A :class:`~ssbkit.impedance.spectrum.Spectrum` (when ``z_ohm`` is None) or
        the frequencies, Hz.
    z_ohm
        Complex impedances, ohm, matching ``spectrum`` as frequencies; None to
        read both from the Spectrum.

    Returns
    -------
    f_hz : numpy.ndarray
        Frequencies, Hz (finite, > 0).
    z_ohm : numpy.ndarray
        Complex impedance, ohm (finite).
    source : str
        The spectrum's source ("" for arrays).
    temperature_c : float or None
        The spectrum's temperature, degC (None for arrays).

    Raises
    ------
    InputError
        Mismatched lengths, non-finite values or frequencies <= 0 Hz.

    Examples
    --------
    >>> f, z, src, t = spectrum_arrays([1.0, 10.0], [1 - 1j, 1 - 0.1j])
    >>> f.tolist(), src, t
    ([1.0, 10.0], '', None)
    """
    if z_ohm is None:
        try:
            f, z = spectrum.frequency_hz, spectrum.z_ohm
        except AttributeError:
            raise InputError("fit needs a Spectrum or the arrays f_hz, z_ohm") from None
        src = str(getattr(spectrum, "source", "") or "")
        t = getattr(spectrum, "temperature_c", None)
    else:
        f, z, src, t = spectrum, z_ohm, "", None
    f = np.asarray(f, dtype=float).ravel()
    z = np.asarray(z, dtype=complex).ravel()
    if f.shape != z.shape:
        raise InputError(f"{src or 'spectrum'}: {f.size} frequencies but {z.size} impedances")
    if not (np.all(np.isfinite(f)) and np.all(np.isfinite(z))):
        raise InputError(f"{src or 'spectrum'}: NaN or infinite values; drop those rows")
    if np.any(f <= 0):
        raise InputError(f"{src or 'spectrum'}: frequencies must be > 0 Hz")
    return f, z, src, t
