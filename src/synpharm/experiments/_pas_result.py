"""Result of a PAS crossover study: readouts, the crossover analysis, output files and figure."""

from __future__ import annotations

import io
import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from synpharm.analysis.results import ConditionResult, ExperimentResult
from synpharm.analysis.statistics import paired_t_test
from synpharm.errors import InputError
from synpharm.io.staging import staged_folder
from synpharm.safety import spreadsheet_writer

__all__ = ["PasCrossoverResult", "crossover_analysis", "two_period_crossover"]

_SVG_SALT = "synpharm"
_COLOURS = ("#000000", "#E69F00")  # Okabe-Ito: placebo black, drug orange


def two_period_crossover(treatment: ArrayLike, reference: ArrayLike, treatment_first: ArrayLike
                         ) -> dict[str, float]:
    """Two-period, two-sequence (AB/BA) crossover analysis of one readout.

    Parameters
    ----------
    treatment, reference
        Per-subject values under each arm, shape ``(n,)``, same subject order.
    treatment_first
        Per subject, whether the treatment arm came in period 1.

    Returns
    -------
    dict
        ``paired_difference`` (mean treatment - reference), ``paired_t``, ``paired_p``;
        ``treatment_effect`` and ``period_effect`` (period 1 - period 2) estimated from the
        within-subject period differences of the two sequences, ``sequence_t``,
        ``sequence_p`` (two-sample t test of those differences, the standard test of the
        treatment effect in a 2x2 crossover); ``carryover_p`` (subject sums compared between
        sequences); ``n`` and the sequence sizes. NaN where a sequence has < 2 subjects.
    """
    a, b = np.asarray(treatment, float), np.asarray(reference, float)
    first = np.asarray(treatment_first, bool)
    if a.shape != b.shape or a.shape != first.shape or a.ndim != 1:
        raise InputError("crossover", "treatment, reference and sequence must have equal shapes",
                         "pass one value per subject")
    with warnings.catch_warnings():  # near-identical arms (e.g. drug-free readouts): t is noise
        warnings.filterwarnings("ignore", "Precision loss", RuntimeWarning)
        return _crossover_tests(a, b, first)


def _crossover_tests(a: NDArray[np.float64], b: NDArray[np.float64],
                     first: NDArray[np.bool_]) -> dict[str, float]:
    t, p = paired_t_test(a, b)
    out = {"n": float(a.size), "paired_difference": float(np.nanmean(a - b)),
           "paired_t": t, "paired_p": p, "n_treatment_first": float(first.sum()),
           "n_reference_first": float((~first).sum())}
    period1 = np.where(first, a, b)
    period2 = np.where(first, b, a)
    half = 0.5 * (period1 - period2)
    ab, ba = half[first], half[~first]
    nan = float("nan")
    if ab.size < 2 or ba.size < 2:
        return out | {"treatment_effect": nan, "period_effect": nan, "sequence_t": nan,
                      "sequence_p": nan, "carryover_p": nan}
    seq_t, seq_p = _two_sample(ab, ba)
    sums = period1 + period2
    return out | {"treatment_effect": float(ab.mean() - ba.mean()),
                  "period_effect": float(ab.mean() + ba.mean()),
                  "sequence_t": seq_t, "sequence_p": seq_p,
                  "carryover_p": _two_sample(sums[first], sums[~first])[1]}


def _two_sample(a: NDArray[np.float64], b: NDArray[np.float64]) -> tuple[float, float]:
    """Student t test (pooled variance); NaN when both groups have no spread."""
    if np.ptp(a) <= 1e-12 * max(1.0, np.abs(a).max()) and np.ptp(b) <= 1e-12 * max(
            1.0, np.abs(b).max()):
        return float("nan"), float("nan")
    test = stats.ttest_ind(a, b, equal_var=True)
    return float(test.statistic), float(test.pvalue)


def crossover_analysis(conditions: list[ConditionResult], order: NDArray[np.int64]
                       ) -> dict[str, Any]:
    """Crossover analysis of every readout shared by the two arms (second arm vs first)."""
    reference, treatment = conditions
    treatment_first = order[:, 1] == 0
    per_readout = {}
    for name, readout in treatment.readouts.items():
        if name in reference.readouts:
            per_readout[name] = two_period_crossover(readout.values,
                                                     reference.readouts[name].values,
                                                     treatment_first)
    return {"crossover": {"treatment": treatment.name, "reference": reference.name,
                          "readouts": per_readout}}


@dataclass(frozen=True)
class PasCrossoverResult(ExperimentResult):
    """An :class:`~synpharm.analysis.results.ExperimentResult` of a PAS study, with the MEP
    blocks."""

    courses: tuple[Any, ...] = field(default=())  # ArmCourse per arm
    description: str = ""

    def write_outputs(self, out_dir: str | Path) -> Path:
        """Write summary.json, subjects.csv and mep_time_course.png/.svg into ``out_dir``."""
        with staged_folder(out_dir) as staging:
            (staging / "summary.json").write_text(
                json.dumps(self.summary(), indent=2, default=_json_number) + "\n", encoding="utf-8")
            (staging / "subjects.csv").write_text(self.subjects_csv(), encoding="utf-8",
                                                  newline="")
            write_figure(self, staging / "mep_time_course")
        return Path(out_dir)

    def subjects_csv(self) -> str:
        """One row per arm, subject and MEP block (observed and noise-free MEP)."""
        buffer = io.StringIO()
        writer = spreadsheet_writer(buffer, lineterminator="\n")
        writer.writerow(["arm", "subject", "session", "block", "time_after_dose_min",
                         "mep_mV", "expected_mep_mV"])
        for condition, course in zip(self.conditions, self.courses, strict=True):
            for subject in range(course.mep.shape[0]):
                for j, label in enumerate(course.labels):
                    writer.writerow([condition.name, subject, int(course.session[subject]) + 1,
                                     label, f"{course.times[j] / 60:.6g}",
                                     f"{1e3 * course.mep[subject, j]:.6g}",
                                     f"{1e3 * course.expected[subject, j]:.6g}"])
        return buffer.getvalue()


def _json_number(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value)}")


def _time_course_axes(axes: Any, result: PasCrossoverResult) -> None:
    for index, (condition, course) in enumerate(zip(result.conditions, result.courses,
                                                    strict=True)):
        reference = 1 if course.pas_window is not None else 0  # pre-PAS, or pre-drug block
        relative = 100 * course.mep / course.mep[:, reference:reference + 1]
        mean = relative.mean(axis=0)
        sem = relative.std(axis=0, ddof=1) / np.sqrt(relative.shape[0])
        minutes = course.times / 60
        axes.errorbar(minutes, mean, yerr=sem, marker="o", capsize=3, color=_COLOURS[index % 2],
                      label=f"{condition.name} (n = {relative.shape[0]})")
    axes.axhline(100, color="0.7", lw=0.8, ls="--")
    course = result.courses[0]
    if course.pas_window is not None:
        start, end = course.pas_window
        axes.axvspan(start / 60, end / 60, color="0.9", zorder=0, label="PAS")
    axes.set_xlabel("time after dose [min]")
    axes.set_ylabel("MEP amplitude [% of pre-PAS]" if course.pas_window is not None
                    else "MEP amplitude [% of pre-drug baseline]")
    axes.legend(frameon=False, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16),
                ncol=3)


def _paired_axes(axes: Any, result: PasCrossoverResult) -> None:
    readout = "mep_ratio" if "mep_ratio" in result.conditions[0].readouts else (
        "resting_mep_change_percent")
    values = [c.readouts[readout].values for c in result.conditions]
    for a, b in zip(*values, strict=True):
        axes.plot([0, 1], [a, b], color="0.75", lw=0.8, marker="o", ms=3)
    for index, v in enumerate(values):
        axes.errorbar([index], [v.mean()], yerr=[v.std(ddof=1) / np.sqrt(v.size)], marker="s",
                      ms=7, capsize=4, color=_COLOURS[index % 2], zorder=3)
    axes.set_xticks([0, 1], [c.name for c in result.conditions])
    axes.set_xlim(-0.4, 1.4)
    axes.axhline(1.0 if readout == "mep_ratio" else 0.0, color="0.7", lw=0.8, ls="--")
    stats_ = result.analyses["crossover"]["readouts"][readout]
    axes.set_title(f"paired t = {stats_['paired_t']:.2f}, p = {stats_['paired_p']:.2g}",
                   fontsize=8)
    axes.set_ylabel("MEP ratio (post / pre PAS)" if readout == "mep_ratio"
                    else "resting MEP change [%]")


def write_figure(result: PasCrossoverResult, stem: Path) -> None:
    """MEP time course per arm (mean +- SEM) and paired subject lines; PNG and SVG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    settings = {"svg.hashsalt": _SVG_SALT, "svg.fonttype": "path", "font.size": 9}
    with matplotlib.rc_context(settings):
        figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6),
                                             gridspec_kw={"width_ratios": [2.2, 1]})
        _time_course_axes(left, result)
        _paired_axes(right, result)
        figure.suptitle(result.protocol_name, fontsize=10)
        figure.tight_layout()
        figure.savefig(stem.with_suffix(".png"), dpi=150, metadata={"Software": None})
        figure.savefig(stem.with_suffix(".svg"), metadata={"Date": None, "Creator": None})
        plt.close(figure)
