"""NMDA-dependent short-term potentiation (STP): a use-dependent, decaying early component.

Potentiation of CA1 synapses after a tetanus has a transient phase (short-term potentiation,
STP, or transient LTP) that decays into the stable plateau (LTP). Its decay is caused by
synaptic activation, not by time: without test stimulation STP is stored for hours, and its
decay is prevented by blocking stimulus-evoked transmitter release, but not by blocking the
glutamate receptors (Volianskis & Jensen 2003 J Physiol 550:459). Its amplitude depends on
the stimulation frequency, whereas LTP grows with the number of stimuli; its decline is
slowed by NMDA receptor activation and prevented during high-frequency bursts (same source).
It is NMDA-receptor dependent (Volianskis et al. 2013 J Physiol 591:955: GluN2B/GluN2D-
containing receptors for its major component) and decays over tens of minutes of test pulses
(Erickson, Maramara & Lisman 2010 J Cogn Neurosci 22:2530: a slow component of 19 min).

Model, per synapse, an STP component ``u`` (0 at baseline) added to the expressed weight
(``h - 1 + z + u``):

* induction: spine Ca2+ above ``theta_p`` (the potentiation gate of :mod:`.calcium_rule`,
  NMDA-driven at test and train intensity) sets ``u`` to its ceiling ``u_max`` - all or none
  per synapse, so the amount depends on whether trains reach the gate (frequency), not on how
  many there are;
* decay: every release event of the synapse (at least one vesicle) while its Ca2+ is below
  ``theta_p`` multiplies ``u`` by ``1 - delta``; with no release (no stimulation, or release
  blocked) ``u`` is kept, and during a high-frequency train (Ca2+ above ``theta_p``) it does
  not decay.

After ``n`` release events ``u = u_max (1 - delta)^n`` (:func:`after_releases`); a synapse
releasing with probability ``p`` per stimulus keeps ``E[u] = u_max (1 - p delta)^N`` after ``N``
stimuli (:func:`expected_after_stimuli`), i.e. an e-fold decay in about ``1 / (p delta)``
stimuli, independent of their rate.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["after_releases", "expected_after_stimuli", "induced", "released"]


@njit(cache=True, inline="always")
def induced(u, calcium, theta_p, u_max):
    """STP of a synapse after a step with spine Ca2+ ``calcium``: ``u_max`` above theta_p.

    Examples
    --------
    >>> induced(0.0, 3.5, 3.0, 0.5), induced(0.2, 2.0, 3.0, 0.5)
    (0.5, 0.2)
    """
    if calcium > theta_p:
        return u_max
    return u


@njit(cache=True, inline="always")
def released(u, calcium, theta_p, decay):
    """STP of a synapse after one release event with spine Ca2+ ``calcium`` at the release.

    Decays by the fraction ``decay`` unless Ca2+ is above theta_p (NMDA-driven Ca2+ during a
    high-frequency train keeps it).

    Examples
    --------
    >>> round(released(0.5, 0.0, 3.0, 0.1), 6), released(0.5, 3.2, 3.0, 0.1)
    (0.45, 0.5)
    """
    if calcium > theta_p:
        return u
    return u * (1.0 - decay)


def after_releases(u_max: float, decay: float, n: np.ndarray | int) -> np.ndarray:
    """Closed form: STP after ``n`` release events below theta_p, ``u_max (1 - decay)^n``.

    Examples
    --------
    >>> float(after_releases(0.5, 0.1, 2))
    0.405
    """
    return u_max * (1.0 - decay) ** np.asarray(n, dtype=float)


def expected_after_stimuli(u_max: float, decay: float, p: float, n: np.ndarray | int) -> np.ndarray:
    """Expected STP after ``n`` stimuli at release probability ``p`` (independent releases).

    Each stimulus multiplies ``u`` by ``1 - decay`` with probability ``p``, so
    ``E[u] = u_max (1 - p decay)^n``.

    Examples
    --------
    >>> float(expected_after_stimuli(1.0, 0.1, 0.5, 1))
    0.95
    """
    return u_max * (1.0 - p * decay) ** np.asarray(n, dtype=float)
