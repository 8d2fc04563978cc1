"""Running an in-vivo dosing study: per arm the chain, then the readouts of each assay.

Condition names: imaging ``"<arm> <session>"``, Golgi ``"<arm> golgi <time>"``, ex-vivo slice
``"<arm> slice"``. Every readout holds one value per animal (Golgi and slices use cohorts of
their own: a terminal assay cannot be followed by imaging). Welch tests are against the same
assay and time point of the first arm.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np

from synpharm.analysis.results import ConditionResult, Readout
from synpharm.errors import InputError
from synpharm.experiments import cohort_and_seed
from synpharm.experiments._chain import Layers, default_layers
from synpharm.experiments._result import StudyOutcome, condition, readout
from synpharm.experiments.invivo import (
    InVivoArm,
    InVivoStudy,
    _parameter_file,
    arm_course,
    condition_parameters,
    exvivo_slice_parameters,
    provenance,
    study_time_grid,
)

__all__ = ["run_invivo", "run_invivo_study"]


def run_invivo_study(
    study: InVivoStudy,
    *,
    cohort: int | None = None,
    seed: int | None = None,
    progress: bool = False,
    layers: Layers | None = None,
) -> StudyOutcome:
    """Simulate every arm; ``cohort`` is the number of animals per arm (``invivo_dosing``)."""
    n, seed = cohort_and_seed(study, cohort, seed, minimum=2, what="animals per arm")
    needs_spines = bool(study.sessions or study.golgi_times)
    layers = layers or default_layers(spines=needs_spines)
    return run_invivo(study, n, seed, layers)


@dataclass
class ArmData:
    """What one arm produced (for readouts and the figure)."""

    arm: InVivoArm
    times: np.ndarray
    concentrations: dict[str, np.ndarray]
    species: dict[str, np.ndarray]
    imaging: dict[str, np.ndarray] | None = None
    golgi: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    slice_conditions: list[ConditionResult] = field(default_factory=list)
    slice_protein: float = float("nan")


def _stream(seed: int, arm_index: int, assay: int) -> int:
    """An integer seed per (study seed, arm, assay), independent streams."""
    return int(np.random.SeedSequence([seed, arm_index, assay]).generate_state(1)[0])


def _event_times(study: InVivoStudy) -> list[float]:
    events = [t for _, t in study.sessions] + [t for _, t in study.golgi_times]
    if study.slice_ltp is not None:
        events.append(study.slice_ltp.time)
    return events


def _first_dose(study: InVivoStudy) -> float:
    doses = [e.time for a in study.arms for e in a.doses]
    return min(doses) if doses else 0.0


def _modifiers(params: Any, arm: InVivoArm) -> dict[str, float]:
    if arm.condition == "healthy":
        return {}
    if arm.condition not in params.conditions:
        raise InputError(
            f"arms[{arm.name}].condition",
            f"{arm.condition!r} is not declared for the spine set {params.name!r}",
            f"use one of: healthy, {', '.join(params.conditions) or '(none)'}",
        )
    return params.condition_modifiers(arm.condition)


def _spines(study, arm, k, data: ArmData, layers: Layers, n: int, seed: int) -> None:
    spines = layers.spines
    assert spines is not None and study.spines is not None
    params = spines["load_parameters"](study.spines)
    modifiers = _modifiers(params, arm)
    drive = {"synaptic_protein": data.species["synaptic_protein"], "bdnf": data.species["bdnf"]}
    if "erk_active" in data.species:  # fast restoration of collapsed spines (a missing drive is 1)
        drive["erk"] = data.species["erk_active"]
    origin = data.times[0]
    clock = data.times - origin

    def simulate(assay: int, segments: int):
        return spines["simulate"](params, clock, drive, n, segments,
                                  seed=_stream(seed, k, assay), modifiers=modifiers)

    if study.sessions:
        sessions = np.array([t for _, t in study.sessions]) - origin
        population = simulate(0, study.segments_per_animal)
        data.imaging = dict(spines["imaging"](population, sessions))
        # the same spines followed from the first session: fraction gained and lost since then
        since = [spines["imaging"](population, sessions[[0, j]]) for j in range(1, sessions.size)]
        for key in ("gained_fraction", "lost_fraction"):
            data.imaging[f"{key.split('_')[0]}_since_first"] = (
                np.stack([s[key][:, 0] for s in since], axis=1)
                if since else np.zeros((n, 0))
            )
    if study.golgi_times:
        population = simulate(1, study.golgi_segments_per_animal or study.segments_per_animal)
        for label, t in study.golgi_times:
            data.golgi[label] = spines["golgi"](population, t - origin)


def _slice(study: InVivoStudy, arm: InVivoArm, k: int, data: ArmData, layers: Layers,
           n: int, seed: int) -> None:
    from synpharm.experiments.slice import run_protocol
    from synpharm.preparations.ca1_slice import Preparation, ca1_slice
    from synpharm.protocols import Protocol
    from synpharm.protocols.library import library_protocol_path

    assay = study.slice_ltp
    assert assay is not None
    if assay.region == study.region:
        protein_course = data.species["synaptic_protein"]
    else:
        protein_course = arm_course(study, arm, data.times, layers, assay.region)[1][
            "synaptic_protein"
        ]
    protein = float(np.interp(assay.time, data.times, protein_course))
    base = ca1_slice().parameters
    params = exvivo_slice_parameters(base, protein, condition_parameters(arm.condition))
    path = library_protocol_path(assay.protocol)
    assert path is not None
    protocol = Protocol.from_toml(path)
    result = run_protocol(protocol, cohort=n, seed=_stream(seed, k, 2),
                          prep=Preparation("ca1_slice", params))
    data.slice_protein = protein
    for c in result.conditions:
        name = f"{arm.name} slice" if len(result.conditions) == 1 else f"{arm.name} slice {c.name}"
        readouts = dict(c.readouts)
        readouts["synaptic_protein"] = Readout("synaptic_protein", np.full(n, protein), "1")
        data.slice_conditions.append(
            ConditionResult(name, c.drugs, c.pulses, readouts, c.example_traces, c.trace_time)
        )


#: imaging keys read per session after the first: (key, readout name, unit)
_INTERVAL_READOUTS = (
    ("formation_rate", "formation_percent_per_day", "%/day"),
    ("elimination_rate", "elimination_percent_per_day", "%/day"),
    ("gained_since_first", "gained_since_first_percent", "%"),
    ("lost_since_first", "lost_since_first_percent", "%"),
)


def _imaging_conditions(study: InVivoStudy, arms: list[ArmData]) -> list[ConditionResult]:
    out = []
    reference = arms[0].imaging
    for data in arms:
        img = data.imaging
        assert img is not None and reference is not None
        density = img["density_per_10um"]
        for j, (label, _) in enumerate(study.sessions):
            ref_density = reference["density_per_10um"]
            values = {
                "spine_density_per_10um": (density[:, j], "1/10um", ref_density[:, j]),
                "density_change_percent": (
                    100.0 * (density[:, j] / density[:, 0] - 1.0), "%",
                    100.0 * (ref_density[:, j] / ref_density[:, 0] - 1.0),
                ),
            }
            if j > 0:
                for key, name, unit in _INTERVAL_READOUTS:
                    values[name] = (100.0 * img[key][:, j - 1], unit,
                                    100.0 * reference[key][:, j - 1])
            out.append(_condition(f"{data.arm.name} {label}", values, data is arms[0]))
    return out


def _golgi_conditions(study: InVivoStudy, arms: list[ArmData]) -> list[ConditionResult]:
    out = []
    for label, _ in study.golgi_times:
        reference = arms[0].golgi[label]
        for data in arms:
            g = data.golgi[label]
            values = {"spine_density_per_10um": (g["density_per_10um"], "1/10um",
                                                 reference["density_per_10um"])}
            for kind in ("thin", "stubby", "mushroom"):
                values[f"{kind}_percent"] = (100.0 * g[f"{kind}_fraction"], "%",
                                             100.0 * reference[f"{kind}_fraction"])
            out.append(_condition(f"{data.arm.name} golgi {label}", values, data is arms[0]))
    return out


def _condition(name: str, values: dict[str, tuple], is_reference: bool) -> ConditionResult:
    return condition(
        name,
        {
            key: readout(key, v, unit, None if is_reference else ref)
            for key, (v, unit, ref) in values.items()
        },
    )


def _descriptions(study: InVivoStudy, arms: list[ArmData], conditions) -> dict[str, dict]:
    by_arm = {
        a.arm.name: {
            "arm": a.arm.name,
            "condition": a.arm.condition,
            "doses": [{"compound": e.compound, "dose": e.dose, "time_h": e.time / 3600.0}
                      for e in a.arm.doses],
            "ablations": list(a.arm.ablations),
            "brain_concentrations_uM": {c: v * 1e3 for c, v in a.arm.brain_concentrations},
        }
        for a in arms
    }
    out = {}
    for c in conditions:
        arm = next(a for a in by_arm if c.name == a or c.name.startswith(f"{a} "))
        out[c.name] = by_arm[arm]
    return out


def _analyses(arms: list[ArmData]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for a in arms:
        entry: dict[str, Any] = {}
        protein = a.species["synaptic_protein"]
        peak = int(np.argmax(protein))
        entry["synaptic_protein_peak"] = float(protein[peak])
        entry["synaptic_protein_peak_time_h"] = float(a.times[peak] / 3600.0)
        for name, c in a.concentrations.items():
            entry[f"{name}_brain_peak_uM"] = float(c.max() * 1e3)
        if np.isfinite(a.slice_protein):
            entry["synaptic_protein_at_slice"] = a.slice_protein
        out[a.arm.name] = entry
    return {"arms": out}


def run_invivo(study: InVivoStudy, n: int, seed: int, layers: Layers) -> StudyOutcome:
    """Simulate every arm of ``study`` with ``n`` animals per arm and assay."""
    times = study_time_grid(_event_times(study), _first_dose(study))
    arms = []
    for k, arm in enumerate(study.arms):
        concentrations, species = arm_course(study, arm, times, layers)
        data = ArmData(arm, times, concentrations, species)
        if study.sessions or study.golgi_times:
            _spines(study, arm, k, data, layers, n, seed)
        if study.slice_ltp is not None:
            _slice(study, arm, k, data, layers, n, seed)
        arms.append(data)
    conditions: list[ConditionResult] = []
    if study.sessions:
        conditions += _imaging_conditions(study, arms)
    if study.golgi_times:
        conditions += _golgi_conditions(study, arms)
    for data in arms:
        conditions += _with_welch(data.slice_conditions, arms[0].slice_conditions)
    prov = provenance(study, n, seed)
    if study.slice_ltp is not None:
        prov["slice_calibrated_parameters"] = _parameter_file("ca1_slice").calibrated()
    from synpharm.experiments._invivo_figure import draw_invivo

    return StudyOutcome(
        protocol_name=study.name,
        conditions=conditions,
        provenance=prov,
        analyses=_analyses(arms),
        descriptions=_descriptions(study, arms, conditions),
        # a partial, not a lambda: the outcome pickles (validate --jobs returns it from a worker)
        draw=partial(draw_invivo, study=study, arms=arms, conditions=conditions),
    )


def _with_welch(conditions: list[ConditionResult], reference: list[ConditionResult]):
    """Slice readouts with Welch tests against the first arm's slices (same position)."""
    if conditions is reference:
        return conditions
    out = []
    for c, r in zip(conditions, reference, strict=True):
        readouts = {
            key: readout(key, value.values, value.unit, r.readouts[key].values)
            if key in r.readouts else value
            for key, value in c.readouts.items()
        }
        out.append(ConditionResult(c.name, c.drugs, c.pulses, readouts, c.example_traces,
                                   c.trace_time))
    return out
