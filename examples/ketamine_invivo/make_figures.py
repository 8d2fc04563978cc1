"""Run the in-vivo ketamine studies of the library and write their outputs and figures here.

Usage (from the repository root)::

    .venv/bin/python examples/ketamine_invivo/make_figures.py [--out examples/ketamine_invivo]

Writes one folder per study (summary.json, readouts.csv, figure.png, figure.svg):

- ``ket_spines_mpfc_14d``: spine density over 14 days, saline vs ketamine 10 mg/kg i.p., with
  formation and elimination rates, and Golgi morphology at 24 h (SEED-KET-4, -5, -11);
- ``ket_rs_csds_spines``: (R)- vs (S)-ketamine in CSDS-susceptible mice (SEED-KET-7);
- ``ket_fsl_spines_ca1``: FSL vs FRL rats with S-ketamine (SEED-KET-6);
- ``ket_csds_slice_ltp``: ex-vivo CA1 LTP bars, control / CSDS / CSDS + ketamine (SEED-KET-2);
- ``ket_potentiation_then_ltp``: LTP after ketamine-induced potentiation (SEED-KET-10);
- ``ket_vep_ltp_mdd``: VEP P2 potentiation, placebo-ketamine crossover (SEED-KET-3);
- ``ket_spines_blockers_mpfc``: spine density at 1 d with rapamycin or ANA-12 held in the brain
  (spine halves of SEED-KET-8 and SEED-KET-9).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import synpharm as sp

STUDIES = (
    "ket_spines_mpfc_14d",
    "ket_rs_csds_spines",
    "ket_fsl_spines_ca1",
    "ket_csds_slice_ltp",
    "ket_potentiation_then_ltp",
    "ket_vep_ltp_mdd",
    "ket_spines_blockers_mpfc",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    args = parser.parse_args()
    for name in STUDIES:
        result = sp.run(sp.load(name))
        folder = result.write_outputs(args.out / name)
        print(f"wrote {folder}")


if __name__ == "__main__":
    main()
