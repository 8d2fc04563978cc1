"""PAS25 under oral baclofen 50 mg vs placebo (crossover): MEP time course and paired lines.

Usage: ``.venv/bin/python examples/pas25_baclofen/make_figures.py`` (about 5 s). Runs the study
in this folder (``pas25_baclofen_crossover.toml``, 24 virtual subjects, seed 0) and the
resting-MEP study of the library, and writes ``pas25/`` and ``resting_mep/`` next to this file:
``summary.json``, ``subjects.csv`` and ``mep_time_course.png``/``.svg`` (left: MEP amplitude as
% of the pre-PAS block, mean +- SEM per arm; right: each subject's post/pre MEP ratio under
placebo and baclofen, joined by a line). The same as
``synpharm run examples/pas25_baclofen/pas25_baclofen_crossover.toml --out ...``.
"""

from __future__ import annotations

from pathlib import Path

import synpharm as sp

HERE = Path(__file__).resolve().parent


def main() -> None:
    """Run both studies and write their outputs into this folder."""
    pas = sp.run(HERE / "pas25_baclofen_crossover.toml")
    pas.write_outputs(HERE / "pas25")
    resting = sp.run("baclofen_resting_mep")
    resting.write_outputs(HERE / "resting_mep")
    for result in (pas, resting):
        stats = result.analyses["crossover"]["readouts"]
        key = "mep_ratio" if "mep_ratio" in stats else "resting_mep_change_percent"
        print(f"{result.protocol_name}: {key} baclofen - placebo = "
              f"{stats[key]['paired_difference']:.3g} (paired p = {stats[key]['paired_p']:.2g})")


if __name__ == "__main__":
    main()
