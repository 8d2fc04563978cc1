"""Figures of the synaptic signalling network after ketamine (run from the repository root).

    .venv/bin/python examples/signaling/make_figures.py [OUT_DIR]

Runs the library study ``ket_signaling_mpfc`` (8 virtual mice, ketamine 10 mg/kg i.p. through the
mouse PK model, with rapamycin, ANA-12 and CREB->BDNF ablation arms) and writes, PNG and SVG:

- ``ketamine_time_courses``: mTORC1, BDNF, synaptic protein, pCREB (saline vs ketamine, 0-30 h);
- ``blockers``: the same with rapamycin and ANA-12 (0-8 h);
- ``creb_ablation``: BDNF and pCREB with and without the ``creb_bdnf_transcription`` reaction
  (0-12 h), and ``creb_ablation_scaled``: the BDNF change divided by its peak (the elevation is
  shorter without the CREB -> BDNF link);
- ``pathway``: the network diagram generated from the declaration;

plus ``synaptic_signaling.xml`` (SBML L3V2). Every number in the figures comes from the model.
"""

from __future__ import annotations

import sys
from pathlib import Path

import synpharm as sp
from synpharm.experiments.signaling import plot_time_courses
from synpharm.signaling import draw_network, load_network, write_sbml
from synpharm.style import rc_context

FIGURES = {
    "ketamine_time_courses": (("saline", "ketamine"),
                              ("mtorc1_active", "bdnf", "synaptic_protein", "pcreb"), 30.0, False),
    "blockers": (("ketamine", "rapamycin", "ketamine + rapamycin", "ANA-12",
                  "ketamine + ANA-12"), ("mtorc1_active", "synaptic_protein", "pcreb"), 8.0,
                 False),
    "creb_ablation": (("ketamine", "ketamine, CREB->BDNF removed"),
                      ("bdnf", "pcreb"), 12.0, False),
    "creb_ablation_scaled": (("ketamine", "ketamine, CREB->BDNF removed"),
                             ("bdnf",), 12.0, True),
}


def main(out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    result = sp.run("ket_signaling_mpfc")
    for name, (arms, species, hours, scaled) in FIGURES.items():
        courses = {arm: result.mean_time_courses[arm] for arm in arms}
        with rc_context():  # the shared figure style; no dates in the files (reproducible)
            figure = plot_time_courses(result.time, courses, species, hours=hours,
                                       scale_to_peak=scaled)
            figure.savefig(out_dir / f"{name}.png", dpi=150, metadata={"Software": None})
            figure.savefig(out_dir / f"{name}.svg", metadata={"Date": None})
    network = load_network("synaptic_signaling")
    for suffix in (".png", ".svg"):
        draw_network(network, out_dir / f"pathway{suffix}")
    write_sbml(network, out_dir / "synaptic_signaling.xml")
    print(f"wrote figures and SBML into {out_dir}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("examples/signaling/figures"))
