"""Compiled presynaptic step: axonal volley, release, site recovery, interneuron GABA release.

Glutamatergic terminals release binomially from their ready sites with a Ca2+-dependent
probability (Dodge & Rahamimoff 1967 cooperativity); empty sites refill with a Ca2+-dependent
rate (Dittman, Kreitzer & Regehr 2000). The Ca2+ that triggers release is the influx of the
action potential plus the residual Ca2+ of four pools that each action potential fills and
that decay with their own time constants (Zucker & Regehr 2002): fast and slow facilitation
(tens and hundreds of ms), augmentation (seconds) and post-tetanic potentiation (minutes).
Feed-forward interneurons are recruited with the afferent volley and feedback interneurons by
each spike of the principal cell; both release GABA with a probability set by the Ca2+ influx
of their terminals, which GABA-B autoreceptors lower (bath agonists and the released GABA
itself). State layout: :mod:`synpharm.model.slice_state`.
"""

from __future__ import annotations

import math

from numba import njit

from synpharm.model import slice_state as L
from synpharm.model._rng import binomial
from synpharm.model.channels import release_probability
from synpharm.model.plasticity.short_term import release_half_power as stp_half_power
from synpharm.model.plasticity.short_term import released as stp_after_release


@njit(cache=True, inline="always")
def _conducts(c, thr, safety, intensity, nav):
    return thr <= intensity and safety * nav >= 1.0


@njit(cache=True, inline="always")
def _refill_probability(c, recovery_calcium, gap):
    """Probability that an empty site refills during ``gap`` [s] (Dittman et al. 2000).

    Recovery rate k = k0 + (k_max - k0) D / (D + K_D) with D decaying (tau_D) over the gap; the
    rate is integrated over the gap with the mean of D. The slice state has already decayed D to
    its value ``recovery_calcium`` at the end of the gap, so the mean over the gap is
    ``D_end tau (exp(gap / tau) - 1) / gap``.
    """
    tau = c.recovery_calcium_tau
    if recovery_calcium <= 0.0:
        mean_d = 0.0
    else:
        mean_d = recovery_calcium * tau * math.expm1(min(gap / tau, 700.0)) / gap
    rate = 1.0 / c.site_recovery_time + c.recovery_rate_boost * mean_d / (mean_d + c.recovery_kd)
    return 1.0 - math.exp(-rate * gap)


@njit(cache=True, inline="always")
def terminal_calcium_influx(s, drug):
    """Ca2+ influx of one action potential at the glutamatergic terminals (1 = control).

    The one place where influx enters release, residual Ca2+ and Ca-dependent recovery:
    presynaptic GABA-B receptors (and any other modulation of the Cav2 channels) act here.
    """
    return drug[s, L.PRE_CALCIUM]


@njit(cache=True, inline="always")
def residual_calcium(sl, s):
    """Residual Ca2+ of the four enhancement pools (units of one control influx).

    Residual Ca2+ adds to the Ca2+ of the next action potential before the cooperative
    release law acts (residual-calcium hypothesis; Katz & Miledi 1968; Zucker & Regehr 2002).
    """
    return (sl[s, L.RESIDUAL] + sl[s, L.RESIDUAL_SLOW] + sl[s, L.AUGMENTATION]
            + sl[s, L.POTENTIATION])


@njit(cache=True, inline="always")
def _calcium_enters(c, s, sl, influx):
    """Each pool (and the Ca2+ sensor of site recovery) grows in proportion to the influx."""
    sl[s, L.RESIDUAL] += c.residual_increment * influx
    sl[s, L.RESIDUAL_SLOW] += c.residual_slow_increment * influx
    sl[s, L.AUGMENTATION] += c.augmentation_increment * influx
    sl[s, L.POTENTIATION] += c.potentiation_increment * influx
    sl[s, L.RECOVERY_CALCIUM] += c.recovery_calcium_increment * influx


@njit(cache=True)
def stimulate(c, s, intensity, gap, sl, drug, syn, rng):
    """Presynaptic volley, binomial release at every conducting synapse, transmitter actions.

    Returns (AMPA drive: summed weighted quanta times the fraction of AMPA receptors free of
    antagonist, number of conducting axons, interneuron GABA release).
    """
    n_sites, ready, k4, thr, safety = (syn.n_sites, syn.ready, syn.release_half_power,
                                       syn.recruitment_threshold, syn.safety_factor)
    a_w, h, z, o, u = syn.ampa_weight, syn.early, syn.late, syn.nmda_open, syn.short_term
    refill = _refill_probability(c, sl[s, L.RECOVERY_CALCIUM], gap)
    influx = terminal_calcium_influx(s, drug)
    ca_rel = influx * (1.0 + residual_calcium(sl, s))
    drive = 0.0
    n_fire = 0
    for i in range(n_sites.shape[1]):
        empty = n_sites[s, i] - ready[s, i]
        if empty > 0:
            ready[s, i] += binomial(rng, s, empty, refill)
        if not _conducts(c, thr[s, i], safety[s, i], intensity, drug[s, L.NAV_AVAILABLE]):
            continue
        n_fire += 1
        # STP expressed presynaptically (switch stp_presynaptic = 1; Volianskis & Jensen
        # 2003): it raises the Ca2+ sensitivity of release, bounded by p_max and the ready
        # sites; otherwise (0) it adds to the weight of each release
        u_pre = c.stp_presynaptic * u[s, i]
        p = release_probability(ca_rel, stp_half_power(k4[s, i], u_pre),
                                c.release_cooperativity, c.release_p_max)
        k = binomial(rng, s, ready[s, i], p)
        if k > 0:
            ready[s, i] -= k
            # the slice's expression capacity scales LTP/LTD (h, z), not STP
            plastic = (sl[s, L.EXPRESSION_SCALE] * (h[s, i] - 1.0 + z[s, i])
                       + u[s, i] - u_pre)
            drive += k * a_w[s, i] * (1.0 + plastic)
            # use-dependent decay of short-term potentiation (Volianskis & Jensen 2003)
            u[s, i] = stp_after_release(u[s, i], syn.calcium[s, i], c.theta_p, c.stp_decay)
            o[s, i] = 1.0 - (1.0 - o[s, i]) * (1.0 - c.nmda_open_per_vesicle) ** k
    _calcium_enters(c, s, sl, influx)
    # feed-forward interneurons: recruited with the axons, release scaled by GABA-B presynaptic
    recruited = n_fire / n_sites.shape[1] * _interneuron_recruitment(c, s, drug)
    p_gaba = release_probability(_gaba_terminal_calcium(c, s, sl, drug), c.gaba_half_power,
                                 c.release_cooperativity, c.release_p_max)
    released = sl[s, L.GABA_READY] * p_gaba
    sl[s, L.GABA_READY] -= released * c.gaba_depletion
    gaba = recruited * released / c.interneuron_p * sl[s, L.INHIBITION_SCALE]
    drive *= 1.0 - drug[s, L.AMPA_ANTAGONIST_BOUND]  # CNQX/NBQX: receptors held by antagonist
    sl[s, L.G_AMPA] += drive * c.ampa_per_quantum
    _gaba_binds(c, s, sl, drug, gaba)
    return drive, n_fire, gaba


@njit(cache=True, inline="always")
def _interneuron_recruitment(c, s, drug):
    """Fraction of interneurons still recruited when agonists act on their own GABA-B receptors.

    Somatodendritic GABA-B (GIRK) receptors of the interneurons hyperpolarise them; the
    recruited fraction falls linearly with the agonist occupancy of GIRK-coupled receptors.
    """
    return 1.0 - c.interneuron_recruitment_loss * drug[s, L.GIRK_OCCUPANCY]


@njit(cache=True, inline="always")
def _gaba_terminal_calcium(c, s, sl, drug):
    """Ca2+ influx at GABAergic terminals (1 = control): bath agonists and synaptic GABA.

    Bath agonist occupancy ``o`` and the activation by released GABA ``a = G / (G + G_half)``
    share one autoreceptor pool (``a`` acts on the receptors free of agonist and antagonist),
    so the influx is ``1 - a_max (o + a (1 - o) (1 - antagonist-bound))``.
    """
    g = sl[s, L.AUTORECEPTOR_G]
    synaptic = g / (g + c.autoreceptor_half_activation)
    free = (1.0 - drug[s, L.GABA_PRE_OCCUPANCY]) * (1.0 - drug[s, L.GABAB_ANTAGONIST_BOUND])
    return max(drug[s, L.GABA_PRE_CALCIUM] - c.gaba_max_inhibition * synaptic * free, 0.0)


@njit(cache=True, inline="always")
def _gaba_binds(c, s, sl, drug, gaba):
    """Released GABA (in units of one full interneuron volley) binds GABA-B receptors.

    Postsynaptic receptors (slow IPSP through GIRK) and the autoreceptors on the GABAergic
    terminals themselves (Destexhe & Sejnowski 1995 binding per release); antagonist-bound
    autoreceptors cannot bind.
    """
    sl[s, L.GABAB_R] += (1.0 - sl[s, L.GABAB_R]) * c.gabab_binding_per_release * gaba
    free = 1.0 - drug[s, L.GABAB_ANTAGONIST_BOUND]
    sl[s, L.AUTORECEPTOR_R] += ((1.0 - sl[s, L.AUTORECEPTOR_R])
                                * c.gabab_binding_per_release * gaba * free)


@njit(cache=True)
def feedback_volley(c, s, sl, drug, ring, step, n_ring):
    """Feedback interneurons fire after a spike of the principal cell population.

    Their GABA release (autoreceptor-modulated like the feed-forward terminals, own ready
    pool) is scheduled as a GABA-A conductance ``feedback_delay`` later. No-op without
    feedback inhibition (conductance 0).
    """
    if c.feedback_conductance <= 0.0:
        return
    p_gaba = release_probability(_gaba_terminal_calcium(c, s, sl, drug), c.gaba_half_power,
                                 c.release_cooperativity, c.release_p_max)
    released = sl[s, L.FEEDBACK_READY] * p_gaba
    sl[s, L.FEEDBACK_READY] -= released * c.gaba_depletion
    gaba = (released / c.interneuron_p * _interneuron_recruitment(c, s, drug)
            * sl[s, L.INHIBITION_SCALE])
    ring[(step + c.feedback_delay_steps) % n_ring] += gaba * c.feedback_conductance
    _gaba_binds(c, s, sl, drug, gaba)
