"""Result of a study (in-vivo dosing cohort, human crossover): readouts per subject and files.

Behaves like :class:`synpharm.analysis.results.ExperimentResult` for the validation runner and the
command line: ``conditions`` (arms, groups, time points) hold one value per animal or subject
in each :class:`~synpharm.analysis.results.Readout`, in the same subject order across conditions of
a
paired design.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from synpharm.analysis.results import ConditionResult, ExperimentResult, Readout
from synpharm.analysis.statistics import welch_t_test
from synpharm.io.staging import staged_folder
from synpharm.safety import spreadsheet_writer

__all__ = ["StudyOutcome", "condition", "readout"]

_SVG_SALT = "synpharm"


def readout(name: str, values: np.ndarray, unit: str, reference: np.ndarray | None = None):
    """A :class:`Readout` with a Welch test against ``reference`` values (if given)."""
    values = np.asarray(values, dtype=float)
    t, p = (math.nan, math.nan) if reference is None else welch_t_test(values, reference)
    return Readout(name, values, unit, t, p)


def condition(name: str, readouts: dict[str, Readout]) -> ConditionResult:
    """A study condition: no bath drugs, no pulse table."""
    return ConditionResult(name=name, drugs=(), pulses=None, readouts=readouts)  # type: ignore[arg-type]


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.floating | np.integer):
        return _clean(value.item())
    return value


@dataclass(frozen=True, kw_only=True)
class StudyOutcome(ExperimentResult):
    """All conditions of a study, what each condition was, and how to draw the figure.

    The :class:`~synpharm.experiments.Result` of the in-vivo and VEP studies.

    Attributes
    ----------
    protocol_name
        The study's name.
    conditions
        Conditions with per-subject readouts.
    provenance
        Versions, seed, cohort, study digest, parameter citations.
    analyses
        Study-level numbers (e.g. arm means over time) for summary.json.
    descriptions
        Per condition name: what it is (arm, dose, time point, assay), for summary.json.
    draw
        Draws the study figure into a :class:`matplotlib.figure.Figure` (None: no figure).
    """

    induction_time: float | None = None
    drug_time: float | None = None
    descriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    draw: Callable[[Any], None] | None = field(default=None, compare=False, repr=False)

    def summary(self) -> dict[str, Any]:
        """The JSON summary document (``summary.json``, ``synpharm run --json``)."""
        return _clean(
            {
                "protocol": self.protocol_name,
                "conditions": [
                    {
                        "name": c.name,
                        "compound": None,
                        "concentration_uM": None,
                        "drugs": [],
                        **self.descriptions.get(c.name, {}),
                        "readouts": {k: r.as_dict() for k, r in c.readouts.items()},
                    }
                    for c in self.conditions
                ],
                **({"analyses": self.analyses} if self.analyses else {}),
                "provenance": self.provenance,
            }
        )

    def readouts_csv(self) -> str:
        """One row per condition, subject and readout (long format)."""
        buffer = io.StringIO()
        writer = spreadsheet_writer(buffer, lineterminator="\n")
        writer.writerow(["condition", "subject", "readout", "value", "unit"])
        for c in self.conditions:
            for name, r in c.readouts.items():
                for k, value in enumerate(np.asarray(r.values, dtype=float)):
                    writer.writerow([c.name, k, name, f"{value:.10g}", r.unit])
        return buffer.getvalue()

    def write_outputs(self, out_dir: str | Path) -> Path:
        """Write ``summary.json``, ``readouts.csv`` and ``figure.png``/``.svg`` (all at once)."""
        out_dir = Path(out_dir)
        with staged_folder(out_dir) as folder:
            (folder / "summary.json").write_text(
                json.dumps(self.summary(), indent=2, sort_keys=False) + "\n", encoding="utf-8"
            )
            (folder / "readouts.csv").write_text(self.readouts_csv(), encoding="utf-8")
            if self.draw is not None:
                save_figure(self.draw, folder / "figure")
        return out_dir


def save_figure(draw: Callable[[Any], None], stem: Path, size=(9.0, 6.0)) -> None:
    """Draw a figure with ``draw(figure)`` and save ``stem.png`` and ``stem.svg`` reproducibly."""
    from matplotlib.figure import Figure

    from synpharm.style import rc_context

    with rc_context({"svg.hashsalt": _SVG_SALT, "font.size": 8}):
        figure = Figure(figsize=size, layout="constrained")
        draw(figure)
        figure.savefig(stem.with_suffix(".png"), dpi=120, metadata={"Software": None})
        figure.savefig(stem.with_suffix(".svg"), metadata={"Date": None})
