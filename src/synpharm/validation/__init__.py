"""Validation: published results as data, run against the model, reported as a scorecard.

- :func:`load_targets` reads a targets file (the packaged one is :data:`PACKAGE_TARGETS`;
  format in ``docs/validation.md``).
- :func:`run_targets` runs each target's experiment once and evaluates its checks.
- :class:`Scorecard` holds the outcomes; ``synpharm.report.scorecard`` prints and writes it.

Roles: ``calibration`` targets were used to fit parameters (``calibrated = "ID: ..."`` in the
parameter and compound files); ``validation`` targets never were. Both are reported separately.
"""

from pathlib import Path

from synpharm.validation._compare import CheckOutcome, Series
from synpharm.validation._evaluate import evaluate
from synpharm.validation._independence import calibration_overlaps
from synpharm.validation._runner import Scorecard, TargetOutcome, run_targets
from synpharm.validation._schema import COMPARISONS, Check, Target, TargetSet, load_targets

#: The targets shipped with synpharm (the published results of docs/validation.md, as data).
PACKAGE_TARGETS = Path(__file__).resolve().parent / "targets.toml"
#: The slice-physiology targets (PHYS-*), shipped in their own file (docs/physiology.md).
PHYSIOLOGY_TARGETS = Path(__file__).resolve().parent / "physiology_targets.toml"
#: Every targets file ``synpharm validate`` runs by default.
PACKAGE_TARGET_FILES = (PACKAGE_TARGETS, PHYSIOLOGY_TARGETS)

__all__ = [
    "COMPARISONS",
    "PACKAGE_TARGETS",
    "PACKAGE_TARGET_FILES",
    "PHYSIOLOGY_TARGETS",
    "Check",
    "CheckOutcome",
    "Scorecard",
    "Series",
    "Target",
    "TargetOutcome",
    "TargetSet",
    "calibration_overlaps",
    "evaluate",
    "load_targets",
    "run_targets",
]
