"""Human primary motor cortex: layer-5 corticospinal neurons, PAS plasticity and the MEP.

The model (parameters: ``parameters/human_motor_cortex.toml``; equations documented in
``docs/human_pas.md``):

- **Membrane.** Postsynaptic GABA-B receptors open GIRK channels: a conductance
  ``g_GIRK = girk_conductance_max x occupancy`` in parallel with the leak moves the resting
  potential toward E_K and shunts the back-propagating action potential (bAP) by
  ``g_leak / (g_leak + g_GIRK)``. Presynaptic GABA-B receptors on the afferent terminals cut
  Ca2+ influx by ``max_inhibition x occupancy``, and release with its 4th power.
- **One PAS pairing.** The median-nerve volley reaches M1 at ``N20 + sensorimotor_delay``; the
  TMS pulse (``interval`` after the nerve stimulus) makes the layer-5 cell fire after
  ``tms_spike_latency``. Spine calcium (Graupner & Brunel 2012, cortical set) is the sum of a
  presynaptic NMDA part, whose influx follows the NMDA gating times the Mg2+-unblocked driving
  force ``B(V)(E_Ca - V)`` at the momentary dendritic potential (resting potential plus the
  bAP), and a postsynaptic part from voltage-gated Ca2+ channels opened by the bAP. Both decay
  with tau_Ca. Calcium is computed on a 0.05 ms grid for all subjects and pairings at once.
- **Plasticity.** The early-phase efficacy ``h`` (1 = baseline) of the associative synapses
  follows the project's calcium rule (:mod:`synpharm.model.plasticity.calcium_rule`) with its
  relaxation acting throughout, integrated exactly segment by segment
  (:func:`synpharm.model.plasticity.closed_form.early_phase_after_pairing`).
- **MEP.** Peak-to-peak amplitude is a Boltzmann function of the effective TMS drive,
  ``x = I (1 - f + f h) + k_V dV_rest + session shift`` (``f`` the share of drive through the
  plastic synapses), ``MEP = MEP_max / (1 + exp((I50 - x) / slope))``, observed with log-normal
  trial-to-trial variability.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray
from scipy.signal import lfilter

from synpharm.parameters import ParameterSet, load_parameter_set, package_parameter_file

__all__ = [
    "CALCIUM_GRID_STEP",
    "GababState",
    "Subjects",
    "draw_session_factors",
    "draw_subjects",
    "gabab_state",
    "intensity_for_test_mep",
    "load_parameters",
    "mep_amplitude",
    "observed_mep_block",
    "pairing_calcium",
]

FloatArray = NDArray[np.float64]

#: time step [s] of the calcium grid of one pairing
CALCIUM_GRID_STEP = 5e-5
#: duration [s] of the calcium grid after the TMS pulse (calcium back below theta_d long before)
_CALCIUM_WINDOW = 0.15


def load_parameters(**overrides: float) -> ParameterSet:
    """The shipped human M1 parameter set, optionally with values replaced (SI units)."""
    params = load_parameter_set(package_parameter_file("human_motor_cortex"))
    return params.with_values(**overrides) if overrides else params


# ----------------------------------------------------------------------------- subjects


@dataclass(frozen=True)
class Subjects:
    """Traits of ``n`` virtual subjects, arrays of shape ``(n,)``, SI units.

    Attributes
    ----------
    afferent_arrival
        Time [s] from the median-nerve stimulus to the afferent input in M1 (N20 + delay).
    afferent_calcium
        Relative size of the afferent NMDA calcium signal (1 = parameter set).
    bap_amplitude
        Dendritic bAP amplitude [V] at the associative synapses.
    mep_max, recruitment_half_intensity, recruitment_slope
        Boltzmann input-output curve: plateau [V], I50 and slope [fraction of maximal
        stimulator output].
    """

    afferent_arrival: FloatArray
    afferent_calcium: FloatArray
    bap_amplitude: FloatArray
    mep_max: FloatArray
    recruitment_half_intensity: FloatArray
    recruitment_slope: FloatArray

    @property
    def n(self) -> int:
        """Number of subjects."""
        return int(self.afferent_arrival.shape[0])


def _lognormal(rng: np.random.Generator, mean: float, cv: float, n: int) -> FloatArray:
    """Log-normal draws with the given mean and coefficient of variation."""
    sigma = np.sqrt(np.log1p(cv**2))
    return mean * np.exp(rng.normal(-0.5 * sigma**2, sigma, n))


def draw_subjects(params: ParameterSet, n: int, rng: np.random.Generator) -> Subjects:
    """Draw ``n`` subjects (between-subject variability as declared in the parameter set).

    Maximal MEPs are kept >= 1.5 x the test MEP amplitude (a test intensity giving 1 mV must
    exist; such subjects are not eligible in real PAS studies).
    """
    n20 = rng.normal(params["n20_latency"], params["n20_latency_between_subject_sd"], n)
    mep_max = _lognormal(rng, params["mep_max"], params["mep_max_between_subject_cv"], n)
    return Subjects(
        afferent_arrival=n20 + params["sensorimotor_delay"],
        afferent_calcium=_lognormal(rng, 1.0, params["afferent_calcium_between_subject_cv"], n),
        bap_amplitude=np.maximum(rng.normal(
            params["bap_amplitude"], params["bap_amplitude_between_subject_sd"], n), 0.0),
        mep_max=np.maximum(mep_max, 1.5 * params["test_mep_amplitude"]),
        recruitment_half_intensity=_lognormal(
            rng, params["recruitment_half_intensity"],
            params["recruitment_half_intensity_between_subject_cv"], n),
        recruitment_slope=_lognormal(rng, params["recruitment_slope"],
                                     params["recruitment_slope_between_subject_cv"], n),
    )


def draw_session_factors(params: ParameterSet, n: int, rng: np.random.Generator
                         ) -> tuple[FloatArray, FloatArray]:
    """Per-session state: afferent calcium factor (mean 1) and excitability shift, ``(n,)``."""
    plasticity = _lognormal(rng, 1.0, params["session_plasticity_cv"], n)
    excitability = rng.normal(0.0, params["session_excitability_sd"], n)
    return plasticity, excitability


# ----------------------------------------------------------------------------- GABA-B


class GababState(NamedTuple):
    """Effect of GABA-B occupancy on the layer-5 cell and the afferent terminals."""

    resting_potential: FloatArray  # [V]
    bap_scale: FloatArray  # bAP amplitude factor (shunt), 1 without drug
    release_scale: FloatArray  # afferent release factor, 1 without drug


def gabab_state(params: ParameterSet, postsynaptic_occupancy: FloatArray,
                presynaptic_occupancy: FloatArray, girk: bool = True) -> GababState:
    """Resting potential, bAP shunt and afferent release under GABA-B occupancy.

    Parameters
    ----------
    params
        Human M1 parameter set.
    postsynaptic_occupancy, presynaptic_occupancy
        Agonist occupancy [0, 1] of GIRK-coupled postsynaptic receptors and of receptors on
        glutamatergic (afferent) terminals, any broadcastable shapes.
    girk
        False removes the postsynaptic GIRK coupling (ablation).
    """
    g_leak = params["leak_conductance"]
    g_girk = params["girk_conductance_max"] * np.asarray(postsynaptic_occupancy, float) * girk
    rest = (g_leak * params["resting_potential"] + g_girk * params["potassium_reversal"]) / (
        g_leak + g_girk)
    inhibition = params["gabab_max_calcium_inhibition_glutamatergic"] * np.asarray(
        presynaptic_occupancy, float)
    release = (1.0 - inhibition) ** params["release_calcium_cooperativity"]
    return GababState(rest, g_leak / (g_leak + g_girk), release)


# ----------------------------------------------------------------------------- calcium


def _unblocked_drive(params: ParameterSet, voltage: FloatArray, mg: float | None = None
                     ) -> FloatArray:
    """NMDA Ca2+ drive B(V) (E_Ca - V): Mg2+-unblocked fraction (Jahr & Stevens) x driving force."""
    mg = params["mg_concentration"] if mg is None else mg
    block = 1.0 / (1.0 + np.exp(-params["mg_block_slope"] * voltage) * mg
                   / params["mg_block_scale"])
    return block * (params["calcium_reversal"] - voltage)


def _vgcc_drive(params: ParameterSet, voltage: FloatArray) -> FloatArray:
    """Voltage-gated Ca2+ drive at the bAP peak: Boltzmann activation x driving force."""
    activation = 1.0 / (1.0 + np.exp(-(voltage - params["vgcc_half_activation"])
                                     / params["vgcc_slope"]))
    return activation * (params["calcium_reversal"] - voltage)


def _filtered_nmda(params: ParameterSet, influx: FloatArray) -> FloatArray:
    """Calcium from an influx sampled on the grid: exact exponential filter, tau_Ca."""
    decay = np.exp(-CALCIUM_GRID_STEP / params["calcium_decay_time"])
    return lfilter([CALCIUM_GRID_STEP], [1.0, -decay], influx, axis=-1)


def _nmda_gating(params: ParameterSet, grid: FloatArray, onset: FloatArray) -> FloatArray:
    after = grid - onset[..., None]
    return np.where(after >= 0, np.exp(-np.maximum(after, 0.0) / params["nmda_decay_time"]), 0.0)


def _pre_only_peak(params: ParameterSet) -> float:
    """Peak NMDA calcium of an afferent spike alone at rest and the reference Mg2+ (norm)."""
    grid = np.arange(0.0, _CALCIUM_WINDOW, CALCIUM_GRID_STEP)
    gating = _nmda_gating(params, grid, np.zeros(1))
    rest = _unblocked_drive(params, np.asarray(params["resting_potential"]),
                            params["calcium_reference_mg"])
    return float(_filtered_nmda(params, gating * rest).max())


def pairing_calcium(params: ParameterSet, afferent_arrival: FloatArray,
                    afferent_calcium: FloatArray, bap_amplitude: FloatArray, state: GababState,
                    interval: float) -> tuple[FloatArray, FloatArray]:
    """Spine calcium of one PAS pairing (nerve stimulus at t = 0, TMS at ``interval``).

    Parameters
    ----------
    afferent_arrival, afferent_calcium, bap_amplitude
        Per subject and pairing, shape ``(n, p)`` (or broadcastable): arrival time [s],
        relative afferent calcium (subject x session factors), bAP amplitude [V].
    state
        :func:`gabab_state` for the same shape.
    interval
        Nerve-to-TMS interval [s] (25 ms for PAS25).

    Returns
    -------
    grid, calcium
        Times [s] ``(T,)`` and calcium (threshold units) ``(n, p, T)``.
    """
    grid = np.arange(0.0, interval + _CALCIUM_WINDOW, CALCIUM_GRID_STEP)
    shape = np.broadcast_shapes(np.shape(afferent_arrival), np.shape(state.resting_potential))
    rest = np.broadcast_to(state.resting_potential, shape)[..., None]
    spike = interval + params["tms_spike_latency"]
    bap = (np.broadcast_to(bap_amplitude * state.bap_scale, shape))[..., None]
    since_spike = grid - spike
    bap_shape = np.exp(-np.maximum(since_spike, 0.0) / params["bap_decay_time"])
    voltage = rest + np.where(since_spike >= 0, bap * bap_shape, 0.0)
    onset = np.broadcast_to(afferent_arrival, shape) + params["calcium_pre_delay"]
    influx = _nmda_gating(params, grid, onset) * _unblocked_drive(params, voltage)
    pre_scale = (params["calcium_pre_amplitude"] / _pre_only_peak(params)
                 * np.broadcast_to(afferent_calcium * state.release_scale, shape))
    pre = _filtered_nmda(params, influx) * pre_scale[..., None]
    reference = _vgcc_drive(
        params, np.asarray(params["resting_potential"] + params["bap_amplitude"]))
    post_size = params["calcium_post_amplitude"] * _vgcc_drive(params, rest + bap) / reference
    post = np.where(since_spike >= 0, post_size * np.exp(
        -np.maximum(since_spike, 0.0) / params["calcium_decay_time"]), 0.0)
    return grid, pre + post


# ----------------------------------------------------------------------------- MEP


def _drive(params: ParameterSet, intensity: FloatArray, h: FloatArray, voltage_shift: FloatArray,
           excitability_shift: FloatArray) -> FloatArray:
    share = params["plastic_drive_fraction"]
    return (intensity * (1.0 - share + share * h) + params["excitability_per_millivolt"]
            * voltage_shift * 1e3 + excitability_shift)


def mep_amplitude(params: ParameterSet, subjects: Subjects, intensity: FloatArray, h: FloatArray,
                  voltage_shift: FloatArray, excitability_shift: FloatArray) -> FloatArray:
    """Expected MEP peak-to-peak amplitude [V] (Boltzmann recruitment of corticospinal output).

    ``intensity`` is the TMS intensity (fraction of maximal stimulator output), ``h`` the
    early-phase efficacy of the plastic synapses, ``voltage_shift`` [V] the change of layer-5
    resting potential from drug, ``excitability_shift`` the session's excitability offset.
    Arrays have the subjects on their first axis, e.g. ``(n,)`` or ``(n, blocks)``.
    """
    drive = _drive(params, intensity, h, voltage_shift, excitability_shift)
    column = (-1,) + (1,) * (np.ndim(drive) - 1)  # subjects along the first axis
    half, slope = (subjects.recruitment_half_intensity.reshape(column),
                   subjects.recruitment_slope.reshape(column))
    return subjects.mep_max.reshape(column) / (1.0 + np.exp((half - drive) / slope))


def intensity_for_test_mep(params: ParameterSet, subjects: Subjects, excitability_shift: FloatArray
                   ) -> FloatArray:
    """TMS intensity giving the test MEP (1 mV) at the drug-free baseline of a session."""
    ratio = subjects.mep_max / params["test_mep_amplitude"] - 1.0
    return (subjects.recruitment_half_intensity - subjects.recruitment_slope * np.log(ratio)
            - excitability_shift)


def observed_mep_block(params: ParameterSet, expected: FloatArray, trials: int,
                       rng: np.random.Generator) -> FloatArray:
    """Mean of ``trials`` MEPs with log-normal trial-to-trial variability (mean = expected).

    ``expected`` has any shape; the result has the same shape [V].
    """
    sigma = np.sqrt(np.log1p(params["mep_trial_cv"] ** 2))
    noise = np.exp(rng.normal(-0.5 * sigma**2, sigma, (*np.shape(expected), trials)))
    return (np.asarray(expected)[..., None] * noise).mean(axis=-1)
