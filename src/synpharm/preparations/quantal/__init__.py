"""Single-connection preparations with quantal release, recorded in one postsynaptic cell.

- :func:`cultured_hippocampal_neurons`: evoked monosynaptic GABAergic IPSCs between cultured rat
  hippocampal neurons (whole-cell voltage clamp); presynaptic GABA-B autoreceptors activated by
  bath agonists and by the connection's own GABA.
- :func:`mossy_fiber_slice`: minimal-stimulation mossy-fibre EPSPs in guinea-pig CA3 pyramidal
  cells (intracellular current clamp); presynaptic GABA-B heteroreceptors and a postsynaptic
  GIRK conductance that hyperpolarises and shunts the cell.

Parameters live in ``parameters/<name>.toml``. The release engine is
:mod:`synpharm.solvers.quantal`; the experiment is composed in :mod:`synpharm.experiments.quantal`.
"""

from synpharm.preparations.quantal._postsynaptic import (
    PostsynapticState,
    postsynaptic_state,
    response_waveform,
)
from synpharm.preparations.quantal._preparation import (
    QUANTAL_PREPARATIONS,
    QuantalCells,
    QuantalPreparation,
    cultured_hippocampal_neurons,
    draw_cells,
    mossy_fiber_slice,
)
from synpharm.preparations.quantal._recording import (
    SweepLayout,
    sweep_layout,
    synthesize_sweeps,
)

__all__ = [
    "QUANTAL_PREPARATIONS",
    "PostsynapticState",
    "QuantalCells",
    "QuantalPreparation",
    "SweepLayout",
    "cultured_hippocampal_neurons",
    "draw_cells",
    "mossy_fiber_slice",
    "postsynaptic_state",
    "response_waveform",
    "sweep_layout",
    "synthesize_sweeps",
]
