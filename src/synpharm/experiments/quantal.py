"""Virtual experiments on single-connection preparations with quantal release.

:func:`run_quantal_protocol` composes a :class:`~synpharm.preparations.quantal.QuantalPreparation`,
the compounds and a protocol: bath concentrations at every stimulus -> declared drug effects ->
event-driven release (:mod:`synpharm.solvers.quantal`) -> postsynaptic response -> virtual sweeps
with noise -> :func:`~synpharm.analysis.psc.measure_psc` (the function applied to real sweeps) ->
readouts (:mod:`synpharm.analysis.quantal_readouts`). Called by
:func:`synpharm.experiments.slice.run_protocol`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from synpharm.analysis.psc import measure_psc
from synpharm.analysis.quantal_readouts import condition_readouts, quantal_summary
from synpharm.analysis.readouts import concentration_response, reference_windows
from synpharm.analysis.results import ExperimentResult, ResponseTable
from synpharm.compounds import Compound, citations
from synpharm.errors import InputError
from synpharm.pharmacology import (
    ExposureEvent,
    bath_concentration,
    competitive_fraction_available,
    drug_effects,
)
from synpharm.preparations.quantal import (
    QuantalPreparation,
    draw_cells,
    postsynaptic_state,
    sweep_layout,
    synthesize_sweeps,
)
from synpharm.protocols import (
    InputOutput,
    Protocol,
    Schedule,
    Train,
    build_schedule,
    check_stimulation_rate,
    drug_events_for,
)
from synpharm.solvers.quantal import (
    AutoreceptorKinetics,
    ReleaseSettings,
    simulate_release,
)

__all__ = ["run_quantal_protocol"]

MEASURED_KINDS = ("test", "pp1", "pp2")
#: Competitive-antagonist target that blocks every GABA-B site (as in synpharm.pharmacology).
GABAB_ANTAGONIST_TARGET = "GABAB"


def _check_steps(protocol: Protocol, prep: QuantalPreparation) -> None:
    for i, step in enumerate(protocol.steps):
        if isinstance(step, Train | InputOutput):
            raise InputError(
                f"steps[{i}].type",
                f"{step.type!r} steps are not supported by the {prep.name} preparation",
                "use baseline, wash_in, wash_out, record, paired_pulse or wait steps",
            )


def _gabab_available(pairs: list[tuple[Compound, np.ndarray]], shape: tuple[int, ...]):
    """Fraction of GABA-B receptors free of competitive antagonists (synaptic GABA can bind)."""
    dose_ratio = np.ones(shape)  # Gaddum: 1 + sum of c/Kd over competitive antagonists
    for compound, c in pairs:
        for effect in compound.effects("competitive_antagonist", GABAB_ANTAGONIST_TARGET):
            free = competitive_fraction_available(c, effect.value("kd"))  # 1 / (1 + c/Kd)
            dose_ratio = dose_ratio + (1.0 / free - 1.0)
    return 1.0 / dose_ratio


def _drug_arrays(
    protocol: Protocol,
    schedule: Schedule,
    compounds: dict[str, Compound],
    prep: QuantalPreparation,
    times: np.ndarray,
) -> dict[str, np.ndarray]:
    """Per condition, along the stimuli: presynaptic and GIRK occupancy, autoreceptor share."""
    rows: dict[str, list[np.ndarray]] = {"presynaptic": [], "girk": [], "available": []}
    for condition in protocol.conditions:
        events = [
            ExposureEvent(e.time, compounds[e.compound], e.target_concentration, e.exchange_time)
            for e in drug_events_for(schedule, condition)
        ]
        used = {e.compound.name: e.compound for e in events}
        pairs = [(used[n], bath_concentration(times, events, used[n])) for n in sorted(used)]
        effects = drug_effects(pairs)
        rows["presynaptic"].append(
            np.broadcast_to(getattr(effects, prep.presynaptic_occupancy_field), times.shape)
        )
        rows["girk"].append(np.broadcast_to(effects.gabab_postsynaptic_occupancy, times.shape))
        rows["available"].append(_gabab_available(pairs, times.shape))
    return {key: np.array(value, dtype=float) for key, value in rows.items()}


def _release_settings(prep: QuantalPreparation) -> ReleaseSettings:
    p = prep.parameters
    auto = None
    if prep.autoreceptors:
        binding = -math.expm1(
            -p["gabab_k1"] * p["gabab_pulse_concentration"] * p["gabab_pulse_duration"]
        )
        auto = AutoreceptorKinetics(
            binding,
            p["gabab_k2"],
            p["gabab_k3"],
            p["gabab_k4"],
            p["autoreceptor_g_protein_half_activation"],
        )
    return ReleaseSettings(
        site_recovery_time=p["site_recovery_time"],
        release_probability_max=p["release_probability_max"],
        cooperativity=p["release_calcium_cooperativity"],
        quantal_cv=p["quantal_size_cv"],
        max_calcium_inhibition=p["gabab_max_calcium_inhibition"],
        max_sites=int(p["release_sites_max"]),
        autoreceptor=auto,
    )


def _example_masks(times, kinds, drug_time) -> dict[str, np.ndarray]:
    zeros = np.zeros((1, times.size))
    probe = ResponseTable(times, kinds, np.zeros_like(times), zeros, zeros, zeros, "", "", 1.0)
    masks = {}
    for label, (start, end) in reference_windows(probe, None, drug_time).items():
        mask = (kinds == "test") & (times >= start) & (times < end)
        if not mask.any():
            mask = (kinds == "pp1") & (times >= start) & (times < end)
        if mask.any():
            masks[label] = mask
    return masks


def _record(prep, layout, quantal_size, quanta, state, seeds, masks):
    """Synthesise and measure the sweeps of every cell; returns measures and example traces.

    ``quantal_size`` (n_rows,), ``quanta`` (n_rows, n_stimuli) and ``state`` are the rows of one
    condition; ``seeds`` their recording streams.
    """
    p = prep.parameters
    n_rows, n_stim = quanta.shape
    amplitude, noise, baseline = (np.empty((n_rows, n_stim)) for _ in range(3))
    examples: dict[str, list[np.ndarray]] = {label: [] for label in masks}
    for row in range(n_rows):
        rng = np.random.default_rng(seeds[row])
        response = quantal_size[row] * quanta[row] * state.quantal_scale[row]
        sweeps = synthesize_sweeps(prep, layout, response, state.baseline[row], rng)
        m = measure_psc(
            sweeps,
            layout.sampling_rate,
            layout.stimulus_time,
            direction=prep.direction,
            peak_window=(p["measurement_peak_window_start"], p["measurement_peak_window_end"]),
            baseline_duration=p["measurement_baseline_duration"],
            peak_width=p["measurement_peak_width"],
        )
        amplitude[row], noise[row], baseline[row] = m.amplitude, m.noise_amplitude, m.baseline
        for label, mask in masks.items():
            examples[label].append(sweeps[mask].mean(axis=0))
    return amplitude, noise, baseline, {k: np.array(v) for k, v in examples.items()}


def _drug_end(schedule: Schedule) -> float | None:
    """Onset of the first wash-out after the first wash-in [s], None without one."""
    if schedule.drug_time is None:
        return None
    for span in schedule.step_spans:
        if span.type == "wash_out" and span.start > schedule.drug_time:
            return span.start
    return None


def run_quantal_protocol(
    protocol: Protocol,
    prep: QuantalPreparation,
    compounds: dict[str, Compound],
    cohort: int,
    seed: int,
) -> ExperimentResult:
    """Run ``protocol`` on ``cohort`` virtual cells per condition (see module docstring).

    Cell ``s`` of condition ``k`` draws everything from
    ``np.random.SeedSequence(seed, spawn_key=(k, s))``: its properties, its release and its
    recording noise, so the same seed gives the same result bit for bit.
    """
    _check_steps(protocol, prep)
    check_stimulation_rate(protocol, prep.max_stimulus_frequency)
    schedule = build_schedule(protocol)
    kinds = np.asarray(schedule.stimulus_kind)
    measured = np.isin(kinds, MEASURED_KINDS)
    times = np.asarray(schedule.stimulus_time, dtype=float)[measured]
    kinds = kinds[measured]
    intensity = np.asarray(schedule.intensity, dtype=float)[measured]
    n_cond = len(protocol.conditions)
    streams = [
        np.random.SeedSequence(seed, spawn_key=(k, s)).spawn(3)
        for k in range(n_cond)
        for s in range(cohort)
    ]
    cells = draw_cells(prep, [s[0] for s in streams])
    by_condition = _drug_arrays(protocol, schedule, compounds, prep, times)
    drugs = {key: np.repeat(value, cohort, axis=0) for key, value in by_condition.items()}
    record = simulate_release(
        times,
        cells.n_sites,
        cells.release_half_power,
        drugs["presynaptic"],
        drugs["available"],
        _release_settings(prep),
        [s[1] for s in streams],
    )
    state = postsynaptic_state(prep, drugs["girk"])
    masks = _example_masks(times, kinds, schedule.drug_time)
    stimuli = (times, kinds, intensity)
    per_condition, trace_time = _record_conditions(
        protocol, prep, stimuli, cells, record, state, streams, masks, cohort)
    drug_end = _drug_end(schedule)
    results = condition_readouts(
        per_condition,
        schedule.drug_time,
        trace_time,
        quantal=prep.minimal_stimulation,
        drug_end=drug_end,
    )
    analyses = concentration_response(results)
    if prep.minimal_stimulation:
        analyses["quantal_analysis"] = quantal_summary(results, schedule.drug_time, drug_end)
    return ExperimentResult(
        protocol_name=protocol.name,
        conditions=results,
        induction_time=None,
        drug_time=schedule.drug_time,
        provenance=_provenance(protocol, prep, compounds, cohort, seed),
        analyses=analyses,
    )


def _record_conditions(protocol, prep, stimuli, cells, record, state, streams, masks, cohort):
    """Virtual sweeps of every condition, measured: (condition, table, mean traces) each."""
    times, kinds, intensity = stimuli
    per_condition = []
    for k, condition in enumerate(protocol.conditions):
        rows = slice(k * cohort, (k + 1) * cohort)
        layout = sweep_layout(prep, times, state.membrane_tau[k * cohort])
        amplitude, noise, baseline, examples = _record(
            prep,
            layout,
            cells.quantal_size[rows],
            record.quanta[rows],
            _rows(state, rows),
            [s[2] for s in streams[rows]],
            masks,
        )
        table = ResponseTable(times, kinds, intensity, amplitude, noise, baseline, prep.measure,
                              prep.unit, prep.unit_scale)
        traces = {label: v.mean(axis=0) for label, v in examples.items()}
        per_condition.append((condition, table, traces))
    return per_condition, layout.time - layout.stimulus_time


def _rows(state, rows: slice):
    return type(state)(state.quantal_scale[rows], state.baseline[rows], state.membrane_tau[rows])


def _provenance(protocol, prep, compounds, cohort, seed) -> dict[str, Any]:
    import hashlib

    import scipy

    from synpharm._version import __version__
    from synpharm.pharmacology import unsimulated_records

    return {
        "synpharm": __version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "preparation": prep.name,
        "recording": prep.recording,
        "cohort": cohort,
        "seed": seed,
        "compounds": {name: sorted(set(citations(c))) for name, c in compounds.items()},
        "unsimulated_effects": unsimulated_records(compounds),
        "calibrated_parameters": prep.parameters.calibrated(),
        "protocol_sha": hashlib.sha256(protocol.to_toml().encode()).hexdigest()[:16],
    }
