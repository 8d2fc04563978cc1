"""fEPSP area: the time integral of the field response in a fixed window after the stimulus.

The slope reads the first milliseconds of the fEPSP, where the fast AMPA current dominates;
the area also reads the slow part, where the NMDA current shows (Coan & Collingridge 1985
Neurosci Lett 53:21: an APV-sensitive late component in Mg2+-free ACSF). Measured the same way
on real and simulated sweeps: baseline = mean of the pre-stimulus samples; area = minus the
sum of the baseline-subtracted samples in ``[start, end)`` after the stimulus over the sampling
rate, so a negative-going fEPSP has a positive area [V s] (numerically mV ms x 1e-6).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from synpharm.errors import InputError

__all__ = ["fepsp_area"]


def _window_samples(
    n_samples: int, sampling_rate: float, stimulus_time: float, window: tuple[float, float]
) -> tuple[int, int, int]:
    start, end = (float(w) for w in window)
    if not 0 <= start < end:
        raise InputError("window", f"must satisfy 0 <= start < end, got {window} s",
                         "give e.g. (0.002, 0.025) s after the stimulus")
    first_post = int(np.ceil(stimulus_time * sampling_rate - 1e-9))
    lo = int(np.ceil((stimulus_time + start) * sampling_rate - 1e-9))
    hi = int(np.ceil((stimulus_time + end) * sampling_rate - 1e-9))
    if first_post < 2 or hi > n_samples:
        raise InputError(
            "window",
            f"{window} s after a stimulus at {stimulus_time} s does not fit a sweep of "
            f"{n_samples / sampling_rate} s with >= 2 baseline samples",
            "shorten the window or record longer sweeps",
        )
    return first_post, lo, hi


def fepsp_area(
    sweeps: ArrayLike, sampling_rate: float, stimulus_time: float, window: tuple[float, float]
) -> NDArray[np.float64]:
    """Area of the fEPSP of every sweep over a fixed window [V s].

    Parameters
    ----------
    sweeps
        Voltages [V], shape ``(n_sweeps, n_samples)`` or ``(n_samples,)``.
    sampling_rate, stimulus_time
        Samples per second [Hz]; time of the stimulus from the sweep start [s].
    window
        ``(start, end)`` [s after the stimulus]; start after the fibre volley, so that the
        area reads the synaptic response.

    Returns
    -------
    numpy.ndarray
        Area per sweep [V s], positive for a negative-going response, shape ``(n_sweeps,)``.

    Examples
    --------
    >>> import numpy as np
    >>> sweep = np.zeros(600); sweep[200:400] = -1e-3       # -1 mV for 10 ms at 20 kHz
    >>> float(fepsp_area(sweep, 20e3, 0.005, (0.002, 0.025))[0])  # doctest: +ELLIPSIS
    1.0000...e-05
    """
    data = np.atleast_2d(np.asarray(sweeps, dtype=float))
    first_post, lo, hi = _window_samples(data.shape[1], sampling_rate, stimulus_time, window)
    baseline = data[:, :first_post].mean(axis=1)
    return -(data[:, lo:hi] - baseline[:, None]).sum(axis=1) / sampling_rate
