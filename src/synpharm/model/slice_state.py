"""Column layout of the batched state arrays handed to the compiled kernels.

The engine stores per-slice state in one float array ``slices[n_slices, N_SLICE_COLUMNS]`` and
drug effects in ``drugs[n_slices, N_DRUG_COLUMNS]`` so that compiled loops take few arguments.
These are indices, not parameters. :class:`SliceConstants` are the constants and
:class:`SlicePopulation` the arrays the solver integrates; a preparation fills them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

# per-slice state columns
V = 0  # membrane potential [V]
G_AMPA = 1  # summed AMPA conductance [S]
G_GABAA = 2  # feed-forward GABA-A conductance [S]
BAP = 3  # back-propagating AP depolarisation in the spines [V]
G_ADAPT = 4  # spike-frequency adaptation conductance [S]
REFRACTORY = 5  # remaining refractory time [s]
RESIDUAL = 6  # residual presynaptic Ca2+ (relative to control influx)
GABA_READY = 7  # fraction of interneuron release sites ready
GABAB_R = 8  # GABA-B receptor activation (Destexhe & Sejnowski)
GABAB_G = 9  # activated G protein
PROTEIN = 10  # plasticity-related protein level (0..1)
FIELD_GAIN = 11  # [V] field amplitude per unit synaptic drive
CALCIUM_SCALE = 12  # between-slice factor on spine Ca influx
SPIKES = 13  # spike count since the start
RECOVERY_CALCIUM = 14  # Ca2+ bound to the site of Ca-dependent recovery (Dittman et al. 2000)
V_DENDRITE = 15  # apical dendrite potential, where the synapses sit [V]
FEEDBACK_READY = 16  # fraction of feedback-interneuron release sites ready
AUTORECEPTOR_R = 17  # GABA-B autoreceptor activation on GABAergic terminals (synaptic GABA)
AUTORECEPTOR_G = 18  # G protein activated by the terminal autoreceptors
N_SLICE_COLUMNS = 19

# drug-effect columns (declared effects of the pharmacology layer)
PRE_CALCIUM = 0  # presynaptic Ca influx at glutamatergic terminals (1 = control)
GABA_PRE_CALCIUM = 1  # presynaptic Ca influx at GABAergic terminals (1 = control)
GIRK_OCCUPANCY = 2  # postsynaptic GABA-B occupancy by agonists (0..1)
NMDA_AVAILABLE = 3  # fraction of NMDA receptors free of competitive antagonist
BLOCKER_CONCENTRATION = 4  # open-channel blocker [mol/m^3]
BLOCKER_ON_RATE = 5  # [m^3/(mol s)]
BLOCKER_KD_0MV = 6  # [mol/m^3]
BLOCKER_VOLTAGE_E_FOLD = 7  # [V]
NAV_AVAILABLE = 8  # fraction of axonal Na+ channels not blocked
GABA_PRE_OCCUPANCY = 9  # agonist occupancy of the autoreceptors on GABAergic terminals (0..1)
GABAB_ANTAGONIST_BOUND = 10  # fraction of GABA-B receptors held by competitive antagonists
N_DRUG_COLUMNS = 11


class SliceConstants(NamedTuple):
    """Constants handed to the compiled kernels (SI units)."""

    dt: float
    site_recovery_time: float
    recovery_rate_boost: float
    recovery_kd: float
    recovery_calcium_increment: float
    recovery_calcium_tau: float
    release_cooperativity: float
    release_p_max: float
    nmda_open_per_vesicle: float
    residual_increment: float
    gaba_half_power: float
    interneuron_p: float
    ampa_per_quantum: float
    gabab_binding_per_release: float
    ffi_delay_steps: int
    ffi_conductance: float
    mg: float
    mg_slope: float
    mg_scale: float
    e_calcium: float
    e_leak: float
    ca_nmda_rate: float
    ca_vgcc_rate: float
    vgcc_half: float
    vgcc_slope: float
    girk_max: float
    gabab_syn: float
    gabab_kd: float
    g_leak_soma: float
    g_leak_dendrite: float
    g_coupling: float
    e_ampa: float
    e_nmda: float
    e_gabaa: float
    e_k: float
    capacitance_soma: float
    capacitance_dendrite: float
    v_reset: float
    v_threshold: float
    refractory: float
    bap_amplitude: float
    adaptation_increment: float
    ampa_tau: float
    gabaa_tau: float
    bap_tau: float
    adaptation_tau: float
    residual_tau: float
    gaba_recovery: float
    gabab_k2: float
    gabab_k3: float
    gabab_k4: float
    gamma_d: float
    gamma_p: float
    theta_p: float
    theta_d: float
    h_max: float
    tau_h: float
    nmda_tau: float
    calcium_tau: float
    nmda_per_open: float
    h_noise: float
    h_relaxation: float
    tag_threshold: float
    protein_threshold: float
    tau_protein: float
    tau_late: float
    gaba_max_inhibition: float
    autoreceptor_half_activation: float
    feedback_delay_steps: int
    feedback_conductance: float
    gaba_depletion: float
    interneuron_recruitment_loss: float


@dataclass(frozen=True)
class SlicePopulation:
    """Batched state of virtual slices: per-slice rows and per-synapse matrices (mutable arrays)."""

    slices: np.ndarray  # (n_slices, N_SLICE_COLUMNS)
    n_sites: np.ndarray  # (n_slices, n_synapses) int64
    ready: np.ndarray  # (n_slices, n_synapses) int64, ready release sites
    release_half_power: np.ndarray  # K^n of Dodge-Rahamimoff release per synapse
    recruitment_threshold: np.ndarray  # stimulus intensity (fraction of max) recruiting the axon
    safety_factor: np.ndarray  # axonal conduction safety factor
    ampa_weight: np.ndarray  # intrinsic quantal size (mean 1)
    nmda_weight: np.ndarray  # NMDA receptor content (mean 1)
    nmda_open: np.ndarray
    blocked: np.ndarray
    calcium: np.ndarray
    early: np.ndarray  # early-phase weight h (1 = baseline)
    late: np.ndarray  # late-phase weight z (0 = baseline)
    above: np.ndarray  # time above the depression threshold in the current window [s]
    rng: np.ndarray  # (n_slices,) uint64 stream states
