"""Signalling networks: reactions declared as data, solved by a stiff adaptive engine.

The synaptic network (``load_network("synaptic_signaling")``) links drug effects to the slow
biochemistry behind ketamine's delayed pro-plasticity and baclofen's cAMP effects:

- NMDA block at rest -> eEF2K inactivation -> eEF2 dephosphorylation -> BDNF translation
  (Autry et al. 2011 Nature 475:91);
- interneuron-preferring NMDA block -> disinhibition -> glutamate surge -> AMPA activation ->
  BDNF release;
- BDNF -> TrkB -> ERK and PI3K/Akt -> mTORC1 -> p70S6K / 4E-BP1 -> synaptic proteins
  (Li et al. 2010 Science 329:959), with p70S6K negative feedback on Akt;
- ERK and PKA -> CREB phosphorylation -> BDNF transcription (positive feedback);
- GABA-B -> Gi -| adenylyl cyclase -> cAMP -> PKA (baclofen).

Blockers act through inputs: rapamycin (mTORC1), ANA-12 (TrkB). Ablations remove named
reactions. The same declaration exports to SBML (:func:`to_sbml`) and draws its own pathway
diagram (:func:`draw_network`).

Examples
--------
>>> import numpy as np
>>> from synpharm.signaling import load_network, simulate_signaling
>>> net = load_network("synaptic_signaling")
>>> res = simulate_signaling(net, np.linspace(0, 3600, 7))
>>> float(res.species["mtorc1_active"][-1])
1.0
"""

from synpharm.signaling._drive import drive_from_concentrations, list_regions
from synpharm.signaling._engine import (
    CompiledNetwork,
    SignalingResult,
    compile_network,
    simulate_signaling,
)
from synpharm.signaling._network import (
    Input,
    Network,
    Reaction,
    Species,
    list_networks,
    load_network,
    load_network_file,
)

__all__ = [
    "CompiledNetwork",
    "Input",
    "Network",
    "Reaction",
    "SignalingResult",
    "Species",
    "compile_network",
    "draw_network",
    "drive_from_concentrations",
    "list_networks",
    "list_regions",
    "load_network",
    "load_network_file",
    "simulate_signaling",
    "to_sbml",
    "write_sbml",
]


def __getattr__(name: str):  # lazy: libsbml and matplotlib load only when used
    if name in {"to_sbml", "write_sbml"}:
        from synpharm.signaling import _sbml

        return getattr(_sbml, name)
    if name == "draw_network":
        from synpharm.signaling._diagram import draw_network

        return draw_network
    raise AttributeError(name)
