"""Column layout of the batched state arrays handed to the compiled kernels.

The engine stores per-slice state in one float array ``slices[n_slices, N_SLICE_COLUMNS]`` and
drug effects in ``drugs[n_slices, N_DRUG_COLUMNS]`` so that compiled loops take few arguments.
These are indices, not parameters.
"""

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
