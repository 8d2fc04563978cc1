"""CA1 Schaffer-collateral slice: constants for the compiled engine and virtual-slice draws.

The parameter values live in ``parameters/ca1_slice.toml`` (each with a citation or a
``calibrated`` tag). This module turns them into the constants the kernels need (some derived,
e.g. the fraction of NMDA receptors opened by one vesicle) and draws the between-slice and
between-synapse variability of a virtual cohort.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from synpharm.model import slice_state as L
from synpharm.model.channels import (
    mg_unblocked_fraction,
    nmda_open_increment,
    release_half_activation_power,
    vgcc_activation,
)
from synpharm.model.dendritic_calcium import resting_gates
from synpharm.model.slice_state import SliceConstants, SlicePopulation
from synpharm.parameters import ParameterSet, load_parameter_set, package_parameter_file


@dataclass(frozen=True)
class Preparation:
    """A slice preparation: its parameter set and the numerical windows of the engine."""

    name: str
    parameters: ParameterSet

    @property
    def dt(self) -> float:
        return self.parameters["integration_step"]

    @property
    def max_stimulus_frequency(self) -> float:
        """Fastest stimulation the fixed step resolves (>= 5 steps between pulses) [Hz]."""
        return 1.0 / (5.0 * self.dt)


def ca1_slice(parameters: ParameterSet | None = None) -> Preparation:
    """The CA1 Schaffer-collateral slice preparation (default parameters from its data file)."""
    params = parameters or load_parameter_set(package_parameter_file("ca1_slice"))
    return Preparation("ca1_slice", params)


def _single_release_peak(p: ParameterSet, rho: float, dt: float) -> float:
    """Peak spine Ca2+ per unit influx rate for one vesicle at rest (used for normalisation)."""
    tau_n, tau_c = 1.0 / p["nmda_beta"], p["calcium_decay_time"]
    t = np.arange(0.0, 0.3, dt)
    ca = rho * tau_n * tau_c / (tau_n - tau_c) * (np.exp(-t / tau_n) - np.exp(-t / tau_c))
    return float(ca.max())


def _single_bap_peak(p: ParameterSet, dt: float) -> float:
    """Peak spine Ca2+ per unit VGCC rate for one back-propagating AP from rest."""
    t = np.arange(0.0, 0.1, dt)
    v = p["resting_potential"] + p["bap_amplitude"] * np.exp(-t / p["bap_decay_time"])
    act = np.array([vgcc_activation(x, p["vgcc_half_activation"], p["vgcc_slope"]) for x in v])
    rate = act**2 * (p["calcium_reversal"] - v) / (p["calcium_reversal"] - p["resting_potential"])
    ca, out = 0.0, []
    for r in rate:
        ca = ca * math.exp(-dt / p["calcium_decay_time"]) + dt * r
        out.append(ca)
    return max(out)


#: kernel constants copied unchanged from the parameter file: constant -> parameter name
_COPIED: dict[str, str] = {
    "site_recovery_time": "site_recovery_time",
    "recovery_kd": "recovery_calcium_kd",
    "recovery_calcium_increment": "recovery_calcium_increment",
    "recovery_calcium_tau": "recovery_calcium_decay_time",
    "release_cooperativity": "release_calcium_cooperativity",
    "release_p_max": "release_probability_max",
    "residual_increment": "residual_calcium_increment",
    "interneuron_p": "interneuron_release_probability",
    "ffi_conductance": "feedforward_gabaa_conductance",
    "mg": "mg_concentration",
    "mg_slope": "mg_block_slope",
    "mg_scale": "mg_block_scale",
    "e_calcium": "calcium_reversal",
    "e_leak": "resting_potential",
    "vgcc_half": "vgcc_half_activation",
    "vgcc_slope": "vgcc_slope",
    "girk_max": "girk_conductance_max",
    "gabab_syn": "gabab_synaptic_conductance",
    "gabab_kd": "gabab_kd",
    "g_coupling": "soma_dendrite_coupling",
    "e_ampa": "ampa_reversal",
    "e_nmda": "nmda_reversal",
    "e_gabaa": "gabaa_reversal",
    "e_k": "potassium_reversal",
    "v_reset": "spike_reset",
    "v_threshold": "spike_threshold",
    "refractory": "refractory_period",
    "bap_amplitude": "bap_amplitude",
    "adaptation_increment": "adaptation_increment",
    "ampa_tau": "ampa_decay_time",
    "gabaa_tau": "gabaa_decay_time",
    "bap_tau": "bap_decay_time",
    "adaptation_tau": "adaptation_decay_time",
    "residual_tau": "residual_calcium_decay_time",
    "gaba_recovery": "interneuron_site_recovery_time",
    "gabab_k2": "gabab_k2",
    "gabab_k3": "gabab_k3",
    "gabab_k4": "gabab_k4",
    "gamma_d": "depression_rate",
    "gamma_p": "potentiation_rate",
    "theta_p": "potentiation_threshold",
    "theta_d": "depression_threshold",
    "h_max": "early_phase_max",
    "tau_h": "early_phase_time_constant",
    "calcium_tau": "calcium_decay_time",
    "h_noise": "early_phase_noise",
    "h_relaxation": "early_phase_relaxation",
    "tag_threshold": "tag_threshold",
    "protein_threshold": "protein_synthesis_threshold",
    "protein_summed": "protein_trigger_summed",
    "tau_protein": "protein_time_constant",
    "tau_late": "late_phase_time_constant",
    "gaba_max_inhibition": "gabab_max_calcium_inhibition_gabaergic",
    "autoreceptor_half_activation": "autoreceptor_g_protein_half_activation",
    "feedback_conductance": "feedback_gabaa_conductance",
    "gaba_depletion": "interneuron_release_depletion",
    "interneuron_recruitment_loss": "interneuron_gabab_recruitment_loss",
    "residual_slow_increment": "slow_residual_calcium_increment",
    "residual_slow_tau": "slow_residual_calcium_decay_time",
    "augmentation_increment": "augmentation_calcium_increment",
    "augmentation_tau": "augmentation_decay_time",
    "potentiation_increment": "post_tetanic_calcium_increment",
    "potentiation_tau": "post_tetanic_decay_time",
    "phosphatase_rate": "phosphatase_activation_rate",
    "phosphatase_tau": "phosphatase_deactivation_time",
    "phosphatase_threshold": "phosphatase_depression_threshold",
    "kinase_threshold": "kinase_potentiation_threshold",
    "kinase_veto": "kinase_veto_threshold",
    "kinase_tau": "kinase_deactivation_time",
    "kinase_rate": "kinase_activation_rate",
    "kinase_hill": "kinase_hill_coefficient",
    "kinase_half": "kinase_half_activation",
    "phosphatase_gamma": "phosphatase_depression_rate",
    "stp_max": "short_term_potentiation_max",
    "stp_decay": "short_term_potentiation_decay_per_release",
    "stp_presynaptic": "short_term_potentiation_presynaptic",
}


def slice_constants(prep: Preparation, dt: float | None = None) -> SliceConstants:
    """Kernel constants from a preparation; ``dt`` overrides the integration step (tests)."""
    p = prep.parameters
    dt = prep.dt if dt is None else dt
    return SliceConstants(dt=dt, **{k: p[name] for k, name in _COPIED.items()},
                          **_derived_constants(p, dt), **dendritic_spike_constants(p),
                          **plateau_constants(p))


def _derived_constants(p: ParameterSet, dt: float) -> dict[str, float | int]:
    """Kernel constants computed from several parameters (SI units)."""
    n_syn = p["synapses_per_slice"]
    per_neuron = p["synapses_per_neuron_at_max_stimulus"] / n_syn
    rho = nmda_open_increment(
        p["nmda_alpha"],
        p["nmda_beta"],
        p["transmitter_pulse_concentration"],
        p["transmitter_pulse_duration"],
    )
    rest_unblock = mg_unblocked_fraction(
        p["resting_potential"], p["mg_concentration"], p["mg_block_slope"], p["mg_block_scale"]
    )
    ca_nmda_rate = p["calcium_per_open_nmda_synapse"] / p["calcium_decay_time"]
    single_release = ca_nmda_rate * rest_unblock * _single_release_peak(p, rho, dt)
    ca_vgcc_rate = p["vgcc_to_nmda_calcium_ratio"] * single_release / _single_bap_peak(p, dt)
    gabab_binding = 1.0 - math.exp(
        -p["gabab_k1"] * p["gabab_pulse_concentration"] * p["gabab_pulse_duration"]
    )
    return dict(
        recovery_rate_boost=p["recovery_rate_max"] - 1.0 / p["site_recovery_time"],
        nmda_open_per_vesicle=rho,
        gaba_half_power=release_half_activation_power(
            p["interneuron_release_probability"],
            p["release_calcium_cooperativity"],
            p["release_probability_max"],
        ),
        ampa_per_quantum=p["quantal_conductance"] * per_neuron,
        gabab_binding_per_release=gabab_binding,
        ffi_delay_steps=max(1, round(p["feedforward_delay"] / dt)),
        ca_nmda_rate=ca_nmda_rate,
        ca_vgcc_rate=ca_vgcc_rate,
        g_leak_soma=p["leak_conductance"] * p["soma_membrane_fraction"],
        g_leak_dendrite=p["leak_conductance"] * (1.0 - p["soma_membrane_fraction"]),
        capacitance_soma=p["membrane_capacitance"] * p["soma_membrane_fraction"],
        capacitance_dendrite=p["membrane_capacitance"] * (1.0 - p["soma_membrane_fraction"]),
        nmda_tau=1.0 / p["nmda_beta"],
        nmda_per_open=p["nmda_to_ampa_conductance_ratio"]
        * p["quantal_conductance"]
        / rho
        * per_neuron,
        feedback_delay_steps=max(1, round(p["feedback_delay"] / dt)),
    )


def dendritic_spike_constants(p: ParameterSet) -> dict[str, float]:
    """Kernel constants of the dendritic spike (:func:`~synpharm.solvers._neuron.neuron_step`).

    The Na+ conductance of one dendritic spike is the peak ``g`` of ``g exp(-t / tau)`` on the
    dendrite that, started from rest, depolarises the soma by
    ``dendritic_spike_somatic_amplitude`` (the sourced observable; :func:`spike_conductance`).
    A parameter set without ``dendritic_spike_threshold`` (e.g. the dentate gyrus) has no
    dendritic spikes: threshold +inf, conductance 0.
    """
    if "dendritic_spike_threshold" not in p:
        return dict(dspike_threshold=math.inf, dspike_conductance=0.0, dspike_tau=1.0,
                    dspike_refractory=0.0, e_na=0.0)
    compartments = _compartments(p)
    return dict(
        dspike_threshold=p["dendritic_spike_threshold"],
        dspike_conductance=spike_conductance(
            compartments, p["dendritic_spike_somatic_amplitude"],
            p["dendritic_spike_decay_time"], p["sodium_reversal"], p["resting_potential"]),
        dspike_tau=p["dendritic_spike_decay_time"],
        dspike_refractory=p["dendritic_spike_refractory_period"],
        e_na=p["sodium_reversal"],
    )


def plateau_constants(p: ParameterSet) -> dict[str, float]:
    """Kernel constants of the dendritic Ca2+ spike / plateau (Pinsky & Rinzel 1994).

    The reduction is mapped by the dendrite's passive load: Pinsky & Rinzel's dendrite is
    loaded by ``pinsky_rinzel_dendritic_load`` (leak plus coupling per dendritic area,
    mS/cm^2), the model's by its dendritic leak plus the soma-dendrite coupling [S]; their
    ratio is the effective area [S per mS/cm^2] on which the published densities (g_Ca,
    g_K(C), g_K(AHP)) act. The pool gain converts their ``dCa/dt = -0.13 I_Ca`` (I in
    uA/cm^2, t in ms) into SI per unit ``s^2`` and driving force [V]; the opening rate of the
    slow AHP gate, per unit of their Ca, into one per unit of the model's pool. A parameter
    set without ``dendritic_calcium_conductance_density`` (e.g. the dentate gyrus), or with
    the switch ``dendritic_calcium_spikes`` at 0 (the default CA1 model, see its source), has
    no Ca2+ spikes (conductances 0).
    """
    if "dendritic_calcium_conductance_density" not in p or p["dendritic_calcium_spikes"] == 0.0:
        return dict(plateau_g_ca=0.0, plateau_g_kc=0.0, plateau_e_ca=0.0, plateau_ca_gain=0.0,
                    plateau_ca_tau=1.0, plateau_g_ahp=0.0, ahp_rate_per_pool=0.0,
                    ahp_max_rate=0.0, ahp_tau=1.0)
    load = (p["leak_conductance"] * (1.0 - p["soma_membrane_fraction"])
            + p["soma_dendrite_coupling"])
    area = load / p["pinsky_rinzel_dendritic_load"]  # S per (mS/cm^2)
    density = p["dendritic_calcium_conductance_density"]  # mS/cm^2 = uA/(cm^2 mV)
    return dict(
        plateau_g_ca=density * area,
        plateau_g_kc=p["dendritic_calcium_activated_k_density"] * area,
        plateau_e_ca=p["dendritic_calcium_spike_reversal"],
        # dCa/dt [1/ms] = influx [1/(ms uA/cm^2)] x density x s^2 x (E_Ca - V) [mV], with
        # the pool in units of its saturation level
        plateau_ca_gain=(p["dendritic_calcium_pool_influx"] * density * 1e3 * 1e3
                         / p["calcium_activated_k_saturation"]),
        plateau_ca_tau=p["dendritic_calcium_pool_decay_time"],
        # slow AHP: alpha_q = min(rate x Ca, max) with Ca in their units = pool x saturation
        plateau_g_ahp=p["dendritic_slow_ahp_density"] * area,
        ahp_rate_per_pool=(p["slow_ahp_gate_rate_per_calcium"]
                           * p["calcium_activated_k_saturation"]),
        ahp_max_rate=p["slow_ahp_gate_max_rate"],
        ahp_tau=p["slow_ahp_gate_closing_time"],
    )


def _compartments(p: ParameterSet) -> tuple[float, float, float, float, float]:
    """(g_L soma, g_L dendrite, coupling, C soma, C dendrite) of the two-compartment cell."""
    f = p["soma_membrane_fraction"]
    return (p["leak_conductance"] * f, p["leak_conductance"] * (1.0 - f),
            p["soma_dendrite_coupling"], p["membrane_capacitance"] * f,
            p["membrane_capacitance"] * (1.0 - f))


def somatic_peak(compartments: tuple[float, float, float, float, float], g_peak: float,
                 tau: float, e_rev: float, e_leak: float, dt: float = 2e-5) -> float:
    """Peak somatic depolarisation [V] from rest after a dendritic conductance
    ``g_peak exp(-t / tau)`` [S] with reversal ``e_rev`` (no other input; exponential Euler)."""
    gls, gld, gc, cs, cd = compartments
    vs = vd = e_leak
    g, decay_g = g_peak, math.exp(-dt / tau)
    relax_s = math.exp(-dt * (gls + gc) / cs)
    peak = 0.0
    for k in range(int(10.0 * (tau + cs / (gls + gc)) / dt)):
        g_d = gld + gc + g
        vd_inf = (gld * e_leak + gc * vs + g * e_rev) / g_d
        vd = vd_inf + (vd - vd_inf) * math.exp(-dt * g_d / cd)
        vs_inf = (gls * e_leak + gc * vd) / (gls + gc)
        vs = vs_inf + (vs - vs_inf) * relax_s
        g *= decay_g
        if vs - e_leak < peak and k * dt > tau:
            break  # past the somatic peak: the soma only relaxes from here
        peak = max(peak, vs - e_leak)
    return peak


@functools.lru_cache(maxsize=64)
def spike_conductance(compartments: tuple[float, float, float, float, float], amplitude: float,
                      tau: float, e_rev: float, e_leak: float) -> float:
    """Peak conductance [S] whose :func:`somatic_peak` is ``amplitude`` [V] (bisection)."""
    if amplitude <= 0.0:
        return 0.0
    if amplitude >= e_rev - e_leak:
        raise ValueError(f"somatic amplitude {amplitude} V is not below the driving force")
    low, high = 0.0, 1e-9
    while somatic_peak(compartments, high, tau, e_rev, e_leak) < amplitude:
        low, high = high, 2.0 * high
    for _ in range(24):
        mid = 0.5 * (low + high)
        if somatic_peak(compartments, mid, tau, e_rev, e_leak) < amplitude:
            low = mid
        else:
            high = mid
    return 0.5 * (low + high)


def _lognormal(rng: np.random.Generator, mean: float, cv: float, size) -> np.ndarray:
    sigma = math.sqrt(math.log1p(cv**2))
    return mean * rng.lognormal(-0.5 * sigma**2, sigma, size)


#: slice-level random effects: parameter -> (kind of draw, key of the drawn value)
_RANDOM_EFFECTS: dict[str, tuple[str, str]] = {
    "release_probability_between_slice_cv": ("lognormal", "release_scale"),
    "inhibition_between_slice_cv": ("lognormal", "inhibition_scale"),
    "spike_threshold_between_slice_sd": ("normal", "threshold_shift"),
    "expression_between_slice_cv": ("lognormal", "expression_scale"),
    "field_drift_between_slice_sd": ("normal", "field_drift"),
}
#: slice-state column of each drawn effect (release acts through the synapses' K^n instead)
_EFFECT_COLUMNS: dict[int, str] = {
    L.INHIBITION_SCALE: "inhibition_scale",
    L.THRESHOLD_SHIFT: "threshold_shift",
    L.EXPRESSION_SCALE: "expression_scale",
    L.FIELD_DRIFT: "field_drift",
}


def slice_random_effects(rng: np.random.Generator, p: ParameterSet) -> dict[str, float]:
    """One slice's draw of the slice-level random effects (hierarchical on the synapse draws).

    Factors (release probability, inhibition, expression) are log-normal with mean 1 and the
    parameter's CV; shifts (spike threshold [V], field drift rate [1/s]) are normal with mean 0
    and the parameter's SD. A parameter absent from the set (e.g. another preparation's data
    file) means no variability: factor 1, shift 0. The draw order is fixed (same seed, same
    slices).
    """
    drawn = {}
    for name, (kind, key) in _RANDOM_EFFECTS.items():
        spread = float(p.get(name, 0.0))
        if kind == "lognormal":
            drawn[key] = float(_lognormal(rng, 1.0, spread, 1)[0])
        else:
            drawn[key] = spread * float(rng.standard_normal())
    return drawn


def _release_half_power(p: ParameterSet, p0: np.ndarray) -> np.ndarray:
    """K^n of Dodge-Rahamimoff release giving resting release probabilities ``p0``."""
    p0 = np.clip(p0, 1e-3, 0.9)
    return (p["release_probability_max"] - p0) / p0


def recorded_field_gain(slices: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Field gain of every slice at every recorded time, ``(n_slices, n_times)`` [V].

    The slice's gain (electrode placement) times ``exp(drift t)``: the slow run-down (or
    run-up) of the recorded response over an experiment, with ``t`` [s] from the start.
    """
    drift = slices[:, L.FIELD_DRIFT, None] * np.asarray(times, dtype=float)[None, :]
    return slices[:, L.FIELD_GAIN, None] * np.exp(drift)


def draw_slices(prep: Preparation, seeds: list[np.random.SeedSequence]) -> SlicePopulation:
    """Draw one virtual slice per seed: synapse properties and between-slice variability."""
    p = prep.parameters
    n_syn = int(p["synapses_per_slice"])
    rows = []
    for seq in seeds:
        rng = np.random.default_rng(seq)
        mean_p, shape = p["release_probability_mean"], p["release_probability_beta_shape"]
        p0 = rng.beta(shape, shape * (1.0 - mean_p) / mean_p, n_syn)
        sites = 1 + rng.poisson(p["release_sites_mean"] - 1.0, n_syn)
        rows.append(
            {
                "n_sites": np.minimum(sites, int(p["release_sites_max"])).astype(np.int64),
                "threshold": p["recruitment_threshold_median"]
                * np.exp(p["recruitment_threshold_log_sd"] * rng.standard_normal(n_syn)),
                "safety": p["conduction_safety_factor_median"]
                * np.exp(p["conduction_safety_factor_log_sd"] * rng.standard_normal(n_syn)),
                "ampa": _lognormal(rng, 1.0, p["quantal_size_cv"], n_syn),
                "nmda": _lognormal(rng, 1.0, p["nmda_synaptic_conductance_cv"], n_syn),
                "field_gain": float(
                    _lognormal(rng, p["field_gain"], p["field_gain_between_slice_cv"], 1)[0]
                ),
                "calcium_scale": float(_lognormal(rng, 1.0, p["calcium_between_slice_cv"], 1)[0]),
                "stream": int(rng.integers(0, 2**63 - 1)),
                # drawn last, so that the draws above do not depend on whether they exist
                **slice_random_effects(rng, p),
            }
        )
        rows[-1]["half_power"] = _release_half_power(p, p0 * rows[-1]["release_scale"])
    n = len(rows)
    slices = np.zeros((n, L.N_SLICE_COLUMNS))
    slices[:, L.V] = p["resting_potential"]
    slices[:, L.V_DENDRITE] = p["resting_potential"]
    slices[:, L.V_FREE] = p["resting_potential"]
    slices[:, L.GABA_READY] = 1.0
    slices[:, L.FEEDBACK_READY] = 1.0
    slices[:, L.CA_GATE], slices[:, L.KC_GATE] = resting_gates(p["resting_potential"])
    slices[:, L.FIELD_GAIN] = [r["field_gain"] for r in rows]
    slices[:, L.CALCIUM_SCALE] = [r["calcium_scale"] for r in rows]
    for column, key in _EFFECT_COLUMNS.items():
        slices[:, column] = [r[key] for r in rows]
    n_sites = np.stack([r["n_sites"] for r in rows])
    zeros = np.zeros((n, n_syn))
    return SlicePopulation(
        slices=slices,
        n_sites=n_sites,
        ready=n_sites.copy(),
        release_half_power=np.stack([r["half_power"] for r in rows]),
        recruitment_threshold=np.stack([r["threshold"] for r in rows]),
        safety_factor=np.stack([r["safety"] for r in rows]),
        ampa_weight=np.stack([r["ampa"] for r in rows]),
        nmda_weight=np.stack([r["nmda"] for r in rows]),
        nmda_open=zeros.copy(),
        blocked=zeros.copy(),
        calcium=zeros.copy(),
        early=np.ones((n, n_syn)),
        late=zeros.copy(),
        above=zeros.copy(),
        phosphatase=zeros.copy(),
        kinase=zeros.copy(),
        short_term=zeros.copy(),
        rng=np.array([r["stream"] for r in rows], dtype=np.uint64),
    )
