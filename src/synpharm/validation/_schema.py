"""The targets file: published results as data (schema, reading, error messages).

A targets file is TOML with one ``[[targets]]`` table per published result::

    [[targets]]
    id = "LIT-BAC-2"
    role = "calibration"                 # or "validation"
    source = "Olpe, Baudry, Fagni & Lynch 1982 J Neurosci 2:698"
    experiment = "rat CA1 field potentials, baclofen 0.01-25 uM"
    claim = "no effect at 0.01-0.1 uM; clear reduction at 1 uM; >= 90 % at 25 uM"
    preparation = "ca1_slice"
    protocol = "baclofen_ca1_concentration_response"   # library name, file, or inline table

    [[targets.checks]]
    what = "no effect at 0.1 uM"
    compare = "range"
    condition = "baclofen 0.1 uM"
    readout = "baseline_change_percent"
    low = -10.0
    high = 10.0

A target passes when all of its checks pass. ``status = "pending"`` with a ``reason`` lists a
target whose experiment cannot be simulated yet. The comparison kinds and their fields are
documented in ``docs/validation.md`` and in :data:`REQUIRED_FIELDS`.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from synpharm.errors import InputError
from synpharm.safety import loads_toml, read_input_bytes

__all__ = ["COMPARISONS", "REQUIRED_FIELDS", "Check", "Target", "TargetSet", "load_targets"]

Compare = Literal[
    "range",
    "value",
    "sign",
    "greater",
    "ordering",
    "monotone",
    "ec50_range",
    "ratio_range",
    "paired_test",
    "effect_fraction",
    "equivalent",
    "not_significant",
    "spread",
]

#: Fields each comparison kind needs (besides ``compare``).
REQUIRED_FIELDS: dict[str, tuple[str, ...]] = {
    "range": ("readout", "condition"),
    "value": ("readout", "condition", "observed", "tolerance"),
    "sign": ("readout", "condition", "expected"),
    "greater": ("readout", "condition", "than_condition"),
    "ordering": ("readout", "conditions", "direction"),
    "monotone": ("readout", "conditions", "direction"),
    "ec50_range": ("compound", "low", "high"),
    "ratio_range": ("compound", "reference_compound", "low", "high"),
    "paired_test": ("readout", "condition", "than_readout", "expected"),
    "effect_fraction": ("readout", "condition", "versus", "than_condition", "than_versus"),
    "equivalent": ("readout", "condition", "versus", "margin"),
    "not_significant": ("readout", "condition", "versus"),
    "spread": ("readout", "condition", "statistic"),
}
#: Kinds that test a difference with a p value; without ``alpha`` they use :data:`DEFAULT_ALPHA`.
TESTED_KINDS = ("sign", "greater", "ordering", "paired_test", "equivalent", "not_significant")
#: Project convention (docs/validation.md): significance level when a check states none.
DEFAULT_ALPHA = 0.05
#: Project convention: a reference effect smaller than this (readout units) is "nothing to block".
DEFAULT_MIN_REFERENCE_EFFECT = 5.0
COMPARISONS = tuple(REQUIRED_FIELDS)


class Check(BaseModel):
    """One comparison of a simulated quantity with the published claim.

    Quantities are the mean over the virtual cohort of ``readout`` in ``condition``;
    ``versus`` turns it into the difference from another condition. See ``docs/validation.md``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    compare: Compare
    what: str = ""
    protocol: str | dict[str, Any] | None = None
    condition: str | None = None
    readout: str | None = None
    versus: str | None = None
    relative: bool = False
    than_condition: str | None = None
    than_protocol: str | dict[str, Any] | None = None
    than_readout: str | None = None
    than_versus: str | None = None
    conditions: list[str] | None = Field(default=None, min_length=2)
    direction: Literal["increasing", "decreasing"] | None = None
    expected: Literal["positive", "negative"] | None = None
    low: float | None = None
    high: float | None = None
    observed: float | None = None
    tolerance: float | None = Field(default=None, ge=0)
    margin: float | None = Field(default=None, ge=0)
    alpha: float | None = Field(default=None, gt=0, lt=1)
    min_reference_effect: float | None = Field(default=None, ge=0)
    min_n: int | None = Field(default=None, ge=2)
    #: a gate, not a claim (e.g. "the drug has an effect to block"): it must pass, and it may
    #: re-read a calibrated quantity (exempt from the calibration-independence check)
    precondition: bool = False
    analysis: str = "concentration_response"
    compound: str | None = None
    reference_compound: str | None = None
    unit: str = ""
    #: ``compare = "spread"``: the statistic over subjects (sample SD, max - min, or SD / |mean|)
    statistic: Literal["sd", "range", "cv"] | None = None

    @model_validator(mode="after")
    def _required(self) -> Check:
        missing = [f for f in REQUIRED_FIELDS[self.compare] if getattr(self, f) is None]
        bounded = ("range", "effect_fraction", "spread")
        if self.compare in bounded and self.low is None and self.high is None:
            missing.append("low or high")
        if missing:
            raise ValueError(f"compare = {self.compare!r} needs {', '.join(missing)}")
        if self.compare == "equivalent" and not self.margin:
            raise ValueError("compare = 'equivalent' needs margin > 0 (the equivalence bound)")
        if self.statistic is not None and self.compare != "spread":
            raise ValueError("statistic belongs to compare = 'spread' only")
        if self.compare == "spread" and self.versus is not None:
            raise ValueError("compare = 'spread' reads one condition: remove versus")
        if self.relative and self.versus is None:
            raise ValueError("relative = true needs versus (the reference condition)")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low {self.low} is above high {self.high}")
        return self


class Target(BaseModel):
    """A published result with the checks that decide whether the model reproduces it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$", max_length=64)
    role: Literal["calibration", "validation"]
    source: str = Field(min_length=3)
    claim: str = Field(min_length=3)
    experiment: str = ""
    preparation: str | dict[str, Any] = ""
    status: Literal["active", "pending"] = "active"
    expected: Literal["pass", "fail"] = "pass"
    reason: str | None = None
    protocol: str | dict[str, Any] | None = None
    assay: Literal["nmda_channel_block"] | None = None
    compounds: list[str] | None = None
    cohort: int | None = Field(default=None, ge=1)
    seed: int | None = Field(default=None, ge=0)
    checks: list[Check] = Field(default_factory=list)

    @property
    def preparation_variant(self) -> str | dict[str, Any] | None:
        """A ``[targets.preparation]`` table or a variant file (``*.toml``), else None."""
        if isinstance(self.preparation, dict):
            return self.preparation
        return self.preparation if self.preparation.endswith(".toml") else None

    @model_validator(mode="after")
    def _complete(self) -> Target:
        if self.status == "pending":
            if not self.reason:
                raise ValueError("a pending target needs a reason")
            return self
        if not self.checks:
            raise ValueError("an active target needs at least one [[targets.checks]] table")
        if self.expected == "fail" and not self.reason:
            raise ValueError("expected = 'fail' needs a reason (why the model misses the claim)")
        if self.assay == "nmda_channel_block" and not self.compounds:
            raise ValueError("assay 'nmda_channel_block' needs compounds = [...]")
        if self.assay is None and self.protocol is None:
            if any(c.protocol is None for c in self.checks):
                raise ValueError("give protocol (a library name, a file or an inline table)")
        return self


class TargetSet(BaseModel):
    """All targets of one file, plus the folder protocol paths are relative to."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    path: Path
    targets: list[Target]


def _field_name(index: int, entry: Any, location: tuple[Any, ...]) -> str:
    """``targets[ID].checks[2].low`` from a target's index and a pydantic error location."""
    label = entry.get("id", index) if isinstance(entry, dict) else index
    parts = [f"targets[{label}]"]
    for item in location:
        if isinstance(item, int):
            parts[-1] += f"[{item}]"
        elif not str(item).startswith("function-"):
            parts.append(str(item))
    return ".".join(parts)


def _target(index: int, entry: Any, path: Path) -> Target:
    try:
        return Target.model_validate(entry)
    except ValidationError as error:
        detail = error.errors()[0]
        field = _field_name(index, entry, tuple(detail["loc"]))
        message = detail["msg"].removeprefix("Value error, ")
        raise InputError(
            f"{path}: {field}", message, "see docs/validation.md for the targets format"
        ) from None


def load_targets(path: str | Path) -> TargetSet:
    """Read and check a targets file.

    Raises
    ------
    FileNotFoundError
        The file does not exist.
    InputError
        Not TOML, no ``[[targets]]``, a duplicate id or a malformed target; the message names
        the file, the target id and the field.
    """
    path = Path(path)
    try:
        data = loads_toml(read_input_bytes(path).decode("utf-8"), str(path))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        problem = f"is not a valid TOML file ({' '.join(str(error).split())})"
        raise InputError(str(path), problem, "fix the syntax") from None
    unknown = sorted(set(data) - {"targets", "schema_version"})
    if unknown:
        raise InputError(
            f"{path}: {unknown[0]}", "is not a targets-file section", "use [[targets]] tables"
        )
    if not isinstance(data.get("targets"), list) or not data["targets"]:
        raise InputError(str(path), "has no [[targets]] tables", "add at least one [[targets]]")
    targets = [_target(i, entry, path) for i, entry in enumerate(data["targets"])]
    seen: set[str] = set()
    for target in targets:
        if target.id in seen:
            raise InputError(f"{path}: targets[{target.id}].id", "appears twice", "make ids unique")
        seen.add(target.id)
    return TargetSet(path=path.resolve(), targets=targets)

