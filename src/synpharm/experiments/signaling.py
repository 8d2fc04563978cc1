"""Study kind ``signaling_time_course``: signalling time courses of a virtual cohort after dosing.

```toml
[study]
kind = "signaling_time_course"
name = "ketamine_mtorc1_time_course"
network = "synaptic_signaling"     # default
region = "mpfc"                    # drive parameters (signaling_drive_<region>.toml)
species = "mouse"                  # pharmacokinetic model
cohort = 8                         # virtual animals (the same animals in every arm)
seed = 0
duration = "48 h"
sample_interval = "5 min"
rate_constant_cv = 0.2             # between-animal variability of every rate constant

[[arms]]
name = "saline"

[[arms]]
name = "ketamine 10 mg/kg"
doses = [{compound = "ketamine", dose = "10 mg/kg i.p."}]       # optional time = "30 min"
effect_reference = "saline"        # per-animal drug effect = this arm minus that arm

[[arms]]
name = "ketamine + rapamycin"
doses = [{compound = "ketamine", dose = "10 mg/kg i.p."}]
brain_concentrations = [{compound = "rapamycin", concentration = "10 nM"}]  # held constant
effect_reference = "rapamycin"
unblocked = "ketamine 10 mg/kg"    # its effect is 100 % for the *_remaining_percent readouts

[[arms]]
name = "ketamine, CREB->BDNF removed"
doses = [{compound = "ketamine", dose = "10 mg/kg i.p."}]
ablations = ["creb_bdnf_transcription"]
```

Doses go through :func:`synpharm.pharmacokinetics.concentration_time_course` (site "brain",
one individual per animal); ``brain_concentrations`` are held constant from time 0 (a
pretreatment at steady state). Every arm uses the same virtual animals (PK individuals and
rate constants), so arm differences are paired. Readouts are per animal, relative to the
animal's drug-free level at time 0 (see :data:`READOUTS`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from synpharm.analysis.results import ConditionResult, ExperimentResult, Readout
from synpharm.errors import InputError
from synpharm.signaling._drive import drive_from_concentrations
from synpharm.signaling._engine import simulate_signaling
from synpharm.signaling._network import Network, load_network
from synpharm.units import parse_quantity

__all__ = ["READOUTS", "SignalingStudy", "SignalingStudyResult", "build_signaling_study"]

#: readout name -> (unit, meaning)
READOUTS: dict[str, tuple[str, str]] = {
    "mtorc1_peak_time_h": ("h", "time of the largest mTORC1 change after dosing"),
    "mtorc1_peak_change_percent": ("%", "largest mTORC1 rise above the animal's baseline"),
    "mtorc1_change_3h_percent": ("%", "mTORC1 change at 3 h"),
    "mtorc1_3h_relative_to_peak_percent": ("%", "mTORC1 rise at 3 h as % of its peak rise"),
    "synaptic_protein_change_6h_percent": ("%", "synaptic protein change at 6 h"),
    "synaptic_protein_change_24h_percent": ("%", "synaptic protein change at 24 h"),
    "bdnf_peak_change_percent": ("%", "largest BDNF protein rise"),
    "bdnf_elevation_duration_h": ("h", "time BDNF stays above half of its peak rise"),
    "pcreb_peak_change_percent": ("%", "largest pCREB rise"),
    "camp_min_change_percent": ("%", "largest cAMP fall"),
}
#: arm readouts relative to its effect_reference arm (same animals): name -> (species, time)
EFFECTS: dict[str, tuple[str, float | None]] = {
    "mtorc1_effect_peak_percent": ("mtorc1_active", None),
    "synaptic_protein_effect_6h_percent": ("synaptic_protein", 6.0),
    "synaptic_protein_effect_24h_percent": ("synaptic_protein", 24.0),
}
_STUDY_KEYS = {"kind", "name", "description", "network", "region", "species", "cohort", "seed",
               "duration", "sample_interval", "rate_constant_cv"}
_ARM_KEYS = {"name", "doses", "brain_concentrations", "ablations", "effect_reference",
             "unblocked"}


@dataclass(frozen=True)
class Arm:
    """One arm: doses (compound, dose text, start [s]), constant brain concentrations
    (compound, mol/m^3), reactions removed, and the arms its effects are computed against."""

    name: str
    doses: tuple[tuple[str, str, float], ...] = ()
    brain_concentrations: tuple[tuple[str, float], ...] = ()
    ablations: tuple[str, ...] = ()
    effect_reference: str | None = None
    unblocked: str | None = None


def _list_of_tables(value: object, field: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise InputError(field, "must be a list of tables", "write [{compound = ..., ...}]")
    return value


def _dose_time(text: object, field: str) -> float:
    """Dose time after the start of the study [s]; the start is the drug-free baseline."""
    time = parse_quantity(text, "time", field)
    if time < 0:
        raise InputError(field, f"{text!r} is before the start", "give a time >= 0 s")
    return time


def _arm(table: object, field: str) -> Arm:
    if not isinstance(table, dict) or not isinstance(table.get("name"), str):
        raise InputError(field, "needs a name", "write name = \"...\"")
    unknown = sorted(set(table) - _ARM_KEYS)
    if unknown:
        raise InputError(field, f"unknown keys {unknown}", f"use {sorted(_ARM_KEYS)}")
    doses = tuple(
        (str(d.get("compound")), str(d.get("dose")),
         _dose_time(d.get("time", "0 s"), f"{field}.doses[{i}].time"))
        for i, d in enumerate(_list_of_tables(table.get("doses"), f"{field}.doses")))
    constant = tuple(
        (str(d.get("compound")), parse_quantity(d.get("concentration"), "concentration",
                                                f"{field}.brain_concentrations[{i}]"))
        for i, d in enumerate(_list_of_tables(table.get("brain_concentrations"),
                                              f"{field}.brain_concentrations")))
    ablations = table.get("ablations", [])
    if not isinstance(ablations, list) or not all(isinstance(a, str) for a in ablations):
        raise InputError(f"{field}.ablations", "must be a list of reaction names", "e.g. [\"x\"]")
    return Arm(table["name"], doses, constant, tuple(ablations),
               table.get("effect_reference"), table.get("unblocked"))


def _positive_int(value: object, field: str, default: int) -> int:
    value = default if value is None else value
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(field, f"{value!r} is not a whole number >= 0", "e.g. 8")
    return value


@dataclass(frozen=True)
class SignalingStudy:
    """A ``signaling_time_course`` study read from TOML (see module docstring)."""

    kind: ClassVar[str] = "signaling_time_course"
    name: str
    cohort: int
    seed: int
    network: Network = field(repr=False)
    region: str
    species: str
    duration: float
    sample_interval: float
    rate_constant_cv: float
    arms: tuple[Arm, ...]
    source: dict[str, Any] = field(repr=False, default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return self.source

    def times(self) -> NDArray[np.float64]:
        n = round(self.duration / self.sample_interval)
        return np.linspace(0.0, n * self.sample_interval, n + 1)



def run_signaling_study(study: SignalingStudy, *, cohort: int | None = None,
                        seed: int | None = None, progress: bool = False) -> SignalingStudyResult:
    """Simulate every arm for the same virtual animals (``signaling_time_course``)."""
    from synpharm.experiments import cohort_and_seed

    cohort, seed = cohort_and_seed(study, cohort, seed, what="animals")
    times = study.times()
    generator = np.random.default_rng(np.random.SeedSequence(seed))
    parameters = _draw_rate_constants(study.network, cohort, study.rate_constant_cv, generator)
    pk_seed = int(generator.integers(2**31))
    courses = {arm.name: _simulate_arm(study, arm, times, cohort, parameters, pk_seed)
               for arm in study.arms}
    return _result(study, times, courses, cohort, seed)


def _simulate_arm(study: SignalingStudy, arm: Arm, times: NDArray[np.float64], cohort: int,
                  parameters: dict[str, NDArray[np.float64]], pk_seed: int
                  ) -> dict[str, NDArray[np.float64]]:
    from synpharm.pharmacokinetics import concentration_time_course

    concentrations: dict[str, NDArray[np.float64]] = {}
    for index, (compound, dose, start) in enumerate(arm.doses):
        after = np.maximum(times - start, 0.0)
        c = concentration_time_course(compound, dose, study.species, after, site="brain",
                                      subjects=cohort, rng=pk_seed + index)
        c = np.where(times >= start, c, 0.0)
        concentrations[compound] = concentrations.get(compound, 0.0) + c
    for compound, value in arm.brain_concentrations:
        concentrations[compound] = concentrations.get(compound, 0.0) + np.full(
            (cohort, times.size), value)
    drive = drive_from_concentrations(concentrations, times, study.region) \
        if concentrations else {}
    drive = {k: np.broadcast_to(v, (cohort, times.size)) for k, v in drive.items()}
    result = simulate_signaling(study.network, times, drive, ablations=arm.ablations,
                                parameters=parameters)
    return {k: np.broadcast_to(v, (cohort, times.size)) for k, v in result.species.items()}


def _draw_rate_constants(network: Network, cohort: int, cv: float,
                         generator: np.random.Generator) -> dict[str, NDArray[np.float64]]:
    """Log-normal animal-to-animal variability (mean 1, coefficient of variation ``cv``) of every
    rate constant; dimensionless shares and gains stay at their declared values."""
    sigma = np.sqrt(np.log1p(cv**2))
    names = [n for n in network.parameters if network.parameters.parameter(n).kind
             == "rate_constant"]
    factors = np.exp(generator.normal(-0.5 * sigma**2, sigma, size=(len(names), cohort)))
    return {n: network.parameters[n] * factors[i] for i, n in enumerate(names)}


def _value_at(time_h: NDArray[np.float64], values: NDArray[np.float64], at: float
              ) -> NDArray[np.float64]:
    if at > time_h[-1]:
        return np.full(values.shape[0], np.nan)
    return np.array([np.interp(at, time_h, row) for row in values])


def _elevation_duration(time_h: NDArray[np.float64], change: NDArray[np.float64]
                        ) -> NDArray[np.float64]:
    out = np.zeros(change.shape[0])
    for i, row in enumerate(change):
        peak = row.max()
        if peak > 1e-9:
            above = time_h[row >= 0.5 * peak]
            out[i] = above[-1] - above[0]
    return out


def _readouts(time_h: NDArray[np.float64], course: dict[str, NDArray[np.float64]]
              ) -> dict[str, NDArray[np.float64]]:
    def change(name: str) -> NDArray[np.float64]:
        values = course[name]
        return 100.0 * (values - values[:, :1]) / values[:, :1]

    mtorc1, protein, bdnf = change("mtorc1_active"), change("synaptic_protein"), change("bdnf")
    peak_index = np.argmax(np.abs(mtorc1), axis=1)
    peak = mtorc1.max(axis=1)
    at_3h = _value_at(time_h, mtorc1, 3.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(peak > 1e-6, 100.0 * at_3h / peak, np.nan)
    return {
        "mtorc1_peak_time_h": time_h[peak_index],
        "mtorc1_peak_change_percent": peak,
        "mtorc1_change_3h_percent": at_3h,
        "mtorc1_3h_relative_to_peak_percent": relative,
        "synaptic_protein_change_6h_percent": _value_at(time_h, protein, 6.0),
        "synaptic_protein_change_24h_percent": _value_at(time_h, protein, 24.0),
        "bdnf_peak_change_percent": bdnf.max(axis=1),
        "bdnf_elevation_duration_h": _elevation_duration(time_h, bdnf),
        "pcreb_peak_change_percent": change("pcreb").max(axis=1),
        "camp_min_change_percent": change("camp").min(axis=1),
    }


def _effects(time_h: NDArray[np.float64], arm: dict[str, NDArray[np.float64]],
             reference: dict[str, NDArray[np.float64]]) -> dict[str, NDArray[np.float64]]:
    """Drug effect of an arm over its reference arm, in % of the drug-free level (time 0)."""
    out = {}
    for name, (species, at) in EFFECTS.items():
        difference = 100.0 * (arm[species] - reference[species]) / reference[species][:, :1]
        out[name] = difference.max(axis=1) if at is None else _value_at(time_h, difference, at)
    return out


def _result(study: SignalingStudy, times: NDArray[np.float64],
            courses: dict[str, dict[str, NDArray[np.float64]]], cohort: int, seed: int
            ) -> SignalingStudyResult:
    time_h = times / 3600.0
    readouts = {name: _readouts(time_h, course) for name, course in courses.items()}
    for arm in study.arms:
        if arm.effect_reference is not None:
            readouts[arm.name].update(_effects(time_h, courses[arm.name],
                                               courses[arm.effect_reference]))
    for arm in study.arms:
        if arm.unblocked is not None:
            full = readouts[arm.unblocked]
            for name in EFFECTS:
                with np.errstate(divide="ignore", invalid="ignore"):
                    remaining = 100.0 * readouts[arm.name][name] / full[name]
                readouts[arm.name][name.replace("_percent", "_remaining_percent")] = remaining
    conditions = [
        ConditionResult(
            name=arm.name, drugs=arm.brain_concentrations, pulses=None,  # type: ignore[arg-type]
            readouts={k: Readout(k, np.asarray(v, dtype=float), _unit(k))
                      for k, v in readouts[arm.name].items()})
        for arm in study.arms]
    provenance = {"study": study.name, "kind": "signaling_time_course", "cohort": cohort,
                  "seed": seed, "network": study.network.name, "region": study.region,
                  "species": study.species,
                  "parameters": study.network.parameters.citations()}
    means = {name: {k: v.mean(axis=0) for k, v in course.items()}
             for name, course in courses.items()}
    return SignalingStudyResult(protocol_name=study.name, conditions=conditions, analyses={},
                                provenance=provenance, time=times, mean_time_courses=means)


def _unit(name: str) -> str:
    return "h" if name.endswith("_h") else "%"


@dataclass(frozen=True, kw_only=True)
class SignalingStudyResult(ExperimentResult):
    """Per-animal readouts per arm (``conditions``) and the arm-mean time courses."""

    induction_time: float | None = None
    drug_time: float | None = None
    time: NDArray[np.float64] = field(repr=False)
    mean_time_courses: dict[str, dict[str, NDArray[np.float64]]] = field(repr=False)

    def summary(self) -> dict[str, Any]:
        return {
            "protocol": self.protocol_name,
            "conditions": [
                {"name": c.name,
                 "drugs": [{"compound": n, "brain_concentration_uM": v * 1e3}
                           for n, v in c.drugs],
                 "readouts": {k: r.as_dict() for k, r in c.readouts.items()}}
                for c in self.conditions],
            "provenance": self.provenance,
        }

    def write_outputs(self, out_dir: str | Path) -> Path:
        """``summary.json``, ``time_courses.csv`` (arm means) and ``time_courses.png/.svg``."""
        from synpharm.io.staging import staged_folder

        with staged_folder(out_dir) as staging:
            (staging / "summary.json").write_text(json.dumps(self.summary(), indent=2,
                                                             default=float), encoding="utf-8")
            (staging / "time_courses.csv").write_text(self._csv(), encoding="utf-8")
            figure = plot_time_courses(self.time, self.mean_time_courses)
            for suffix in (".png", ".svg"):
                figure.savefig(staging / f"time_courses{suffix}", dpi=150)
        return Path(out_dir)

    def _csv(self) -> str:
        names = sorted(next(iter(self.mean_time_courses.values())))
        lines = ["arm,time_h," + ",".join(names)]
        for arm, course in self.mean_time_courses.items():
            for i, t in enumerate(self.time):
                values = ",".join(f"{course[n][i]:.6g}" for n in names)
                lines.append(f"{_quoted(arm)},{t / 3600:.4g},{values}")
        return "\n".join(lines) + "\n"


def plot_time_courses(times: NDArray[np.float64],
                      courses: Mapping[str, Mapping[str, NDArray[np.float64]]],
                      species: tuple[str, ...] = ("mtorc1_active", "bdnf", "synaptic_protein",
                                                  "pcreb"),
                      hours: float | None = None, scale_to_peak: bool = False):
    """Figure with one panel per species, one line per arm (levels, 1 = baseline).

    With ``scale_to_peak`` each line is its change from time 0 divided by its largest change
    (compares the duration of elevations whose baselines differ, e.g. after an ablation).
    """
    from matplotlib.figure import Figure

    from synpharm.style import OKABE_ITO

    columns = 2 if len(species) > 2 else len(species)
    rows = -(-len(species) // columns)
    figure = Figure(figsize=(5.0 * columns, 3.2 * rows + 0.9), layout="constrained")
    axes = np.atleast_1d(figure.subplots(rows, columns, squeeze=False)).ravel()
    time_h = times / 3600.0
    shown = time_h <= (hours if hours is not None else time_h[-1])
    colours = ("#000000", *OKABE_ITO)
    styles = ("-", "--", "-.", ":")
    for ax, name in zip(axes, species, strict=False):
        for k, (arm, course) in enumerate(courses.items()):
            values = np.asarray(course[name])
            if scale_to_peak:
                change = values - values[0]
                values = change / change.max() if change.max() > 0 else change
            ax.plot(time_h[shown], values[shown], label=arm, color=colours[k % len(colours)],
                    linestyle=styles[(k // 2) % len(styles)], linewidth=1.6)
        ax.axhline(0.5 if scale_to_peak else 1.0, color="0.6", linewidth=0.6, linestyle=":")
        ax.set_title(name.replace("_", " "), fontsize=10)
        ax.set_xlabel("time after dosing [h]", fontsize=9)
        ax.set_ylabel("change / peak change" if scale_to_peak
                      else "level [relative to drug-free baseline]", fontsize=9)
    for ax in axes[len(species):]:
        ax.set_axis_off()
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="outside lower center", ncol=min(4, len(labels)),
                  fontsize=8, frameon=False)
    return figure


def _check_arm_links(arms: tuple[Arm, ...], where: str) -> None:
    names = [a.name for a in arms]
    if len(set(names)) != len(names):
        raise InputError(f"{where}.arms", "arm names repeat", "give each arm its own name")
    for arm in arms:
        for link in (arm.effect_reference, arm.unblocked):
            if link is not None and link not in names:
                raise InputError(f"{where}.arms[{arm.name}]", f"refers to unknown arm {link!r}",
                                 f"use one of: {', '.join(names)}")
        if arm.unblocked is not None and arm.effect_reference is None:
            raise InputError(f"{where}.arms[{arm.name}]", "unblocked needs effect_reference",
                             "name the arm this arm's effect is measured against")


def build_signaling_study(data: Mapping[str, Any], source: str = "<dict>") -> SignalingStudy:
    """Build a ``signaling_time_course`` study from its TOML mapping (see module docstring)."""
    table = dict(data.get("study", {}))
    unknown = sorted(set(table) - _STUDY_KEYS)
    if unknown:
        raise InputError("study", f"unknown keys {unknown} (in {source})",
                         f"use {sorted(_STUDY_KEYS)}")
    if not isinstance(data.get("arms", []), list):
        raise InputError("arms", f"is not a list of tables (in {source})", "write [[arms]] tables")
    arms = tuple(_arm(t, f"arms[{i}]") for i, t in enumerate(data.get("arms", [])))
    if not arms:
        raise InputError("arms", f"no [[arms]] (in {source})", "declare at least one arm")
    _check_arm_links(arms, "study")
    cv = table.get("rate_constant_cv", 0.2)
    if isinstance(cv, bool) or not isinstance(cv, int | float) or not 0 <= cv < 2:
        raise InputError("study.rate_constant_cv", f"{cv!r} is not in [0, 2)", "e.g. 0.2")
    if _positive_int(table.get("cohort"), "study.cohort", 8) < 1:
        raise InputError("study.cohort", "is 0", "give at least 1 animal")
    duration = parse_quantity(table.get("duration", "48 h"), "time", "study.duration")
    interval = parse_quantity(
        table.get("sample_interval", "5 min"), "time", "study.sample_interval"
    )
    steps = duration / interval if interval > 0 else math.nan
    if not (steps >= 1 and abs(steps - round(steps)) < 1e-9 * steps):
        raise InputError("study.duration", "is not a whole number (>= 1) of sample intervals",
                         "make study.duration a multiple of study.sample_interval")
    study = SignalingStudy(
        name=str(table.get("name", "signaling_time_course")),
        cohort=_positive_int(table.get("cohort"), "study.cohort", 8),
        seed=_positive_int(table.get("seed"), "study.seed", 0),
        network=load_network(str(table.get("network", "synaptic_signaling"))),
        region=str(table.get("region", "mpfc")),
        species=str(table.get("species", "mouse")),
        duration=duration,
        sample_interval=interval,
        rate_constant_cv=float(cv),
        arms=arms,
        source=json.loads(json.dumps(dict(data), default=str)),
    )
    if not 0 < study.sample_interval < study.duration:
        raise InputError("study.sample_interval", "must be positive and shorter than duration",
                         "e.g. '5 min' for a '48 h' study")
    for arm in arms:
        study.network.without(arm.ablations)  # unknown reaction names fail here
    return study


def _quoted(text: str) -> str:
    """A CSV text cell, quoted, with spreadsheet formulas escaped."""
    from synpharm.safety import spreadsheet_cell

    return '"' + str(spreadsheet_cell(text)).replace('"', '""') + '"'
