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

Expression (switch ``short_term_potentiation_presynaptic``; off by default): 0 adds ``u`` to
the weight of each release (``1 + E (h - 1 + z) + u``, a postsynaptic expression); 1 expresses
it presynaptically, as release probability. The decline of STP is a decrease in the
probability of transmitter release (paired-pulse ratios; Volianskis & Jensen 2003), and STP,
unlike LTP, changes the responses within high-frequency bursts (Volianskis, Collingridge &
Jensen 2013 PeerJ 1:e3). ``u`` multiplies the Ca2+-bound term of the cooperative release law
(:func:`release_half_power`): at low release probability release rises by ``1 + u``; like
post-tetanic potentiation (residual Ca2+, also a release-probability increase; Zucker &
Regehr 2002) it saturates at ``p_max`` and at the ready sites, so STP and PTP do not multiply
where release is already high.

Model, per synapse, an STP component ``u`` (0 at baseline):

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

__all__ = [
    "after_releases",
    "expected_after_stimuli",
    "induced",
    "release_half_power",
    "release_with_stp",
    "released",
]


@njit(cache=True, inline="always")
def release_half_power(half_power, u):
    """Half-activation term ``K^n`` of the release law at a synapse holding STP ``u``.

    STP raises the Ca2+ sensitivity of release: ``p = p_max Ca^n (1 + u) / (Ca^n (1 + u) +
    K^n)``, i.e. ``K^n`` is divided by ``1 + u``. At low release probability release rises by
    ``1 + u``; it stays below ``p_max`` however large ``u`` or the residual Ca2+ (PTP) are.

    Examples
    --------
    >>> release_half_power(3.0, 0.5)
    2.0
    """
    return half_power / (1.0 + u)


def release_with_stp(calcium: np.ndarray | float, half_power: np.ndarray | float,
                     u: np.ndarray | float, cooperativity: float,
                     maximum: float) -> np.ndarray:
    """Per-site release probability with STP ``u`` (NumPy form of the kernel's law).

    ``p = p_max x / (x + K^n)`` with ``x = Ca^n (1 + u)``.

    Examples
    --------
    >>> [float(release_with_stp(1.0, 3.0, u, 4.0, 1.0)) for u in (0.0, 1.0)]
    [0.25, 0.4]
    """
    x = np.asarray(calcium, dtype=float) ** cooperativity * (1.0 + np.asarray(u, dtype=float))
    return maximum * x / (x + np.asarray(half_power, dtype=float))


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
