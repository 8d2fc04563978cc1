"""Declared state of the batched slice model; the compiled kernels' layout is generated from it.

The solver stores per-slice state in one float array ``slices[n_slices, N_SLICE_COLUMNS]`` and
the drug effects in ``drugs[n_slices, N_DRUG_COLUMNS]``; the columns are the positions of the
names in :data:`SLICE_STATE` and :data:`DRUG_EFFECTS` (``L.V``, ``L.PRE_CALCIUM``, ...; indices,
not parameters). Per-synapse state travels as one :class:`Synapses` record. To add a state
variable, add a line to the declared list; every index follows.

:class:`SliceConstants` are the constants and :class:`SlicePopulation` the arrays the solver
integrates; a preparation fills them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

#: per-slice state: (column name, meaning [unit]), in column order
SLICE_STATE: tuple[tuple[str, str], ...] = (
    ("V", "membrane potential [V]"),
    ("G_AMPA", "summed AMPA conductance [S]"),
    ("G_GABAA", "feed-forward GABA-A conductance [S]"),
    ("BAP", "back-propagating AP depolarisation in the spines [V]"),
    ("G_ADAPT", "spike-frequency adaptation conductance [S]"),
    ("REFRACTORY", "remaining refractory time [s]"),
    ("RESIDUAL", "residual presynaptic Ca2+, fast facilitation component (1 = control influx)"),
    ("GABA_READY", "fraction of interneuron release sites ready"),
    ("GABAB_R", "GABA-B receptor activation (Destexhe & Sejnowski)"),
    ("GABAB_G", "activated G protein"),
    ("PROTEIN", "plasticity-related protein level (0..1)"),
    ("FIELD_GAIN", "field amplitude per unit synaptic drive [V]"),
    ("CALCIUM_SCALE", "between-slice factor on spine Ca influx"),
    ("SPIKES", "spike count since the start"),
    ("RECOVERY_CALCIUM", "Ca2+ bound to the site of Ca-dependent recovery (Dittman et al. 2000)"),
    ("V_DENDRITE", "apical dendrite potential, where the synapses sit [V]"),
    ("FEEDBACK_READY", "fraction of feedback-interneuron release sites ready"),
    ("AUTORECEPTOR_R", "GABA-B autoreceptor activation on GABAergic terminals (synaptic GABA)"),
    ("AUTORECEPTOR_G", "G protein activated by the terminal autoreceptors"),
    ("RESIDUAL_SLOW", "residual presynaptic Ca2+ of the slow facilitation component (F2)"),
    ("AUGMENTATION", "residual presynaptic Ca2+ behind augmentation (seconds)"),
    ("POTENTIATION", "residual presynaptic Ca2+ behind post-tetanic potentiation (minutes)"),
    ("V_FREE", "somatic potential without the spike threshold: the subthreshold trajectory "
     "shared by the pyramidal-cell population (synthesis of the population spike) [V]"),
    ("G_DSPIKE", "Na+ conductance of the dendritic spike (fast, local regenerative event) [S]"),
    ("DSPIKE_REFRACTORY", "remaining refractory time of the dendritic spike [s]"),
    ("DSPIKES", "dendritic spike count since the start"),
    ("CA_GATE", "activation s of the dendritic Ca2+ current (Pinsky-Rinzel; 0..1)"),
    ("KC_GATE", "voltage gate c of the dendritic Ca2+-activated K+ current (0..1)"),
    ("DENDRITIC_CALCIUM", "dendritic Ca2+ pool read by the Ca2+-activated K+ current, in "
     "units of its saturation level (Pinsky-Rinzel Ca / 250; 0 at rest)"),
    ("AHP_GATE", "gate q of the dendritic slow Ca2+-activated K+ current (Pinsky-Rinzel "
     "I_K(AHP); 0..1, 0 at rest)"),
    # slice-level random effects (draw_slices fills them; a hand-built row needs the factors at
    # 1, not 0: 0 would remove inhibition / plastic expression)
    ("INHIBITION_SCALE", "between-slice factor on interneuron GABA release (FF and feedback)"),
    ("THRESHOLD_SHIFT", "between-slice shift of the somatic spike threshold [V]"),
    ("EXPRESSION_SCALE", "between-slice factor on the expressed plastic weight change"),
    ("FIELD_DRIFT", "between-slice run-down/drift rate of the recorded field [1/s]"),
)

#: declared effects of the pharmacology layer, per slice: (column name, meaning [unit])
DRUG_EFFECTS: tuple[tuple[str, str], ...] = (
    ("PRE_CALCIUM", "presynaptic Ca influx at glutamatergic terminals (1 = control)"),
    ("GABA_PRE_CALCIUM", "presynaptic Ca influx at GABAergic terminals (1 = control)"),
    ("GIRK_OCCUPANCY", "postsynaptic GABA-B occupancy by agonists (0..1)"),
    ("NMDA_AVAILABLE", "fraction of NMDA receptors free of competitive antagonist"),
    ("BLOCKER_CONCENTRATION", "open-channel blocker [mol/m^3]"),
    ("BLOCKER_ON_RATE", "open-channel blocker binding rate [m^3/(mol s)]"),
    ("BLOCKER_KD_0MV", "open-channel blocker dissociation constant at 0 mV [mol/m^3]"),
    ("BLOCKER_VOLTAGE_E_FOLD", "voltage for an e-fold change of the blocker Kd [V]"),
    ("NAV_AVAILABLE", "fraction of axonal Na+ channels not blocked"),
    ("GABA_PRE_OCCUPANCY", "agonist occupancy of the autoreceptors on GABAergic terminals (0..1)"),
    ("GABAB_ANTAGONIST_BOUND", "fraction of GABA-B receptors held by competitive antagonists"),
    ("BATH_MAGNESIUM_CHANGE", "bath Mg2+ minus the reference ACSF Mg2+ [mol/m^3] (0 = ACSF)"),
    ("AMPA_ANTAGONIST_BOUND", "fraction of AMPA receptors held by competitive antagonists"),
    ("GABAA_BLOCKED", "fraction of the GABA-A conductance removed by antagonists and blockers"),
)


def columns(declared: tuple[tuple[str, str], ...]) -> dict[str, int]:
    """Column index of every declared name (its position in the list).

    Examples
    --------
    >>> columns((("V", "potential"), ("G", "conductance")))
    {'V': 0, 'G': 1}
    """
    return {name: index for index, (name, _) in enumerate(declared)}


# the generated layout: module constants read by the compiled kernels (frozen at compile time)
globals().update(columns(SLICE_STATE))
globals().update(columns(DRUG_EFFECTS))
N_SLICE_COLUMNS = len(SLICE_STATE)
N_DRUG_COLUMNS = len(DRUG_EFFECTS)


class Synapses(NamedTuple):
    """Per-synapse state of every slice, each array ``(n_slices, n_synapses)``, as one record.

    Arrays are mutated in place by the kernels.
    """

    n_sites: np.ndarray  # int64, release sites
    ready: np.ndarray  # int64, ready release sites
    release_half_power: np.ndarray  # K^n of Dodge-Rahamimoff release
    recruitment_threshold: np.ndarray  # stimulus intensity (fraction of max) recruiting the axon
    safety_factor: np.ndarray  # axonal conduction safety factor
    ampa_weight: np.ndarray  # intrinsic quantal size (mean 1)
    nmda_weight: np.ndarray  # NMDA receptor content (mean 1)
    nmda_open: np.ndarray  # open NMDA receptors (fraction)
    blocked: np.ndarray  # open-channel block (fraction)
    calcium: np.ndarray  # spine Ca2+ (threshold units)
    early: np.ndarray  # early-phase weight h (1 = baseline)
    late: np.ndarray  # late-phase weight z (0 = baseline)
    above: np.ndarray  # time above the depression threshold in the current window [s]
    phosphatase: np.ndarray  # slow Ca2+/calmodulin-activated phosphatase activation P (0..1)
    kinase: np.ndarray  # slow CaMKII-like kinase activation K (0..1), driven by Ca2+ above theta_p
    short_term: np.ndarray  # NMDA-dependent short-term potentiation u (0 = none)


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
    mg: float  # reference ACSF Mg2+ [mol/m^3]; the bath's is mg + drug[BATH_MAGNESIUM_CHANGE]
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
    dspike_threshold: float
    dspike_conductance: float
    dspike_tau: float
    dspike_refractory: float
    e_na: float
    plateau_g_ca: float  # dendritic Ca2+ conductance g_Ca [S] (0: no Ca2+ spikes)
    plateau_g_kc: float  # dendritic Ca2+-activated K+ conductance g_KC [S]
    plateau_e_ca: float  # reversal of the dendritic Ca2+ current [V]
    plateau_ca_gain: float  # pool influx per unit s^2 and driving force [1/(V s)], pool in
    # units of its saturation level (I_K(C) saturates at 1)
    plateau_ca_tau: float  # pool decay time [s]
    plateau_g_ahp: float  # dendritic slow Ca2+-activated K+ conductance g_AHP [S]
    ahp_rate_per_pool: float  # opening rate of its gate q per unit pool [1/s]
    ahp_max_rate: float  # ceiling of the opening rate [1/s]
    ahp_tau: float  # closing time of q [s]
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
    protein_summed: float  # 1: trigger on the summed tagged change (Luboeinski & Tetzlaff)
    tau_protein: float
    tau_late: float
    gaba_max_inhibition: float
    autoreceptor_half_activation: float
    feedback_delay_steps: int
    feedback_conductance: float
    gaba_depletion: float
    interneuron_recruitment_loss: float
    residual_slow_increment: float
    residual_slow_tau: float
    augmentation_increment: float
    augmentation_tau: float
    potentiation_increment: float
    potentiation_tau: float
    phosphatase_rate: float
    phosphatase_tau: float
    phosphatase_threshold: float
    kinase_threshold: float  # K above which the kinase potentiates
    kinase_veto: float  # K above which the kinase vetoes depression
    kinase_tau: float
    kinase_rate: float
    kinase_hill: float
    kinase_half: float  # spine Ca2+ of half-maximal kinase drive (threshold units)
    phosphatase_gamma: float
    stp_max: float
    stp_decay: float
    stp_presynaptic: float  # 1: STP raises release probability; 0: STP adds to the weight


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
    phosphatase: np.ndarray  # slow phosphatase activation P (0..1)
    kinase: np.ndarray  # slow kinase activation K (0..1)
    short_term: np.ndarray  # short-term potentiation u (0 = none)
    rng: np.ndarray  # (n_slices,) uint64 stream states

    @property
    def synapses(self) -> Synapses:
        """The per-synapse arrays (the same objects) as one record for the kernels."""
        return Synapses(self.n_sites, self.ready, self.release_half_power,
                        self.recruitment_threshold, self.safety_factor, self.ampa_weight,
                        self.nmda_weight, self.nmda_open, self.blocked, self.calcium, self.early,
                        self.late, self.above, self.phosphatase,
                        self.kinase, self.short_term)
