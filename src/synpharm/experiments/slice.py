"""``simulate``: where preparation, compounds, protocol and engine meet.

:func:`run_protocol` builds a virtual cohort per condition, evaluates the declared drug effects
along the bath time course, integrates everything in one batch, synthesises the field recording
of every measured pulse and measures it with the same analysis functions used on real data.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from synpharm.analysis.input_output import io_groups
from synpharm.analysis.readouts import concentration_response, condition_readouts, reference_windows
from synpharm.analysis.results import ExperimentResult, PulseTable
from synpharm.compounds import Compound, citations, protocol_compounds
from synpharm.errors import InputError
from synpharm.experiments._field import (
    Recording,
    _measure,
    field_parameters,
    slice_field_sweeps,
    slice_nmda_fields,
)
from synpharm.experiments._somatic import measure_somatic
from synpharm.experiments.quantal import _gabab_available
from synpharm.model import slice_state as L
from synpharm.model.field_potential import field_waveform_from_parameters
from synpharm.model.population_drive import passive_cell_from_constants
from synpharm.pharmacology import (
    ExposureEvent,
    bath_concentration,
    drug_effects,
    unsimulated_records,
)
from synpharm.preparations import preparation
from synpharm.preparations.bath import (
    BathEffects,
    bath_effects,
    reference_bath,
    temperature_constants,
)
from synpharm.preparations.ca1_slice import (
    Preparation,
    draw_slices,
    recorded_field_gain,
    slice_constants,
)
from synpharm.preparations.quantal import QuantalPreparation
from synpharm.protocols import (
    Bath,
    Protocol,
    Schedule,
    bath_dict,
    build_schedule,
    check_stimulation_rate,
    drug_events_for,
)
from synpharm.solvers.run import EngineSettings, run_schedule

MEASURED_KINDS = ("test", "pp1", "pp2", "io")
def protocol_preparation(protocol: Protocol) -> Preparation | QuantalPreparation:
    """The protocol's preparation, with its ``[preparation]`` variant applied when it has one."""
    from synpharm.preparations.variants import apply_preparation

    where = f"{protocol.source_file}: preparation" if protocol.source_file else "preparation"
    variant = apply_preparation(protocol, None, Path("."), where, preparation)
    return variant if variant is not None else preparation(protocol.preparation)


_field_parameters = field_parameters


def _recording(params) -> Recording:
    return Recording(
        params["recording_sampling_rate"],
        params["recording_sweep_duration"],
        params["recording_stimulus_time"],
    )


def _compounds(protocol: Protocol) -> dict[str, Compound]:
    return protocol_compounds(protocol)


class DrugTimeline:
    """Declared drug effects per slice as a function of time (bath exchange, closed form)."""

    def __init__(
        self,
        protocol: Protocol,
        schedule: Schedule,
        compounds: dict[str, Compound],
        cohort: int,
        prep: Preparation,
    ) -> None:
        self._cohort = cohort
        self._max_inhibition = (
            prep.parameters["gabab_max_calcium_inhibition_glutamatergic"],
            prep.parameters["gabab_max_calcium_inhibition_gabaergic"],
        )
        self._conditions = []
        self._baths = [_condition_bath(protocol, k, prep) for k in range(len(protocol.conditions))]
        for condition in protocol.conditions:
            events = [
                ExposureEvent(e.time, compounds[e.compound], e.target_concentration,
                              e.exchange_time)
                for e in drug_events_for(schedule, condition)
            ]
            names = sorted({e.compound.name for e in events})
            by_name = {e.compound.name: e.compound for e in events}
            self._conditions.append((events, [by_name[n] for n in names], names))
        self._cache: dict[float, np.ndarray] = {}

    def __call__(self, time: float) -> np.ndarray:
        if time not in self._cache:
            rows = [
                _bathed(self._row(events, cs, names, time, self._max_inhibition), bath)
                for (events, cs, names), bath in zip(self._conditions, self._baths, strict=True)
            ]
            self._cache[time] = np.repeat(np.array(rows), self._cohort, axis=0)
        return self._cache[time]

    @staticmethod
    def _row(events, compounds, names, time, max_inhibition) -> np.ndarray:
        row = np.zeros(L.N_DRUG_COLUMNS)
        pairs = [
            (c, float(bath_concentration(time, events, c)))
            for c in compounds
        ]
        effects = drug_effects(pairs)
        occ_pre = float(effects.gabab_presynaptic_glutamatergic_occupancy)
        occ_gaba = float(effects.gabab_presynaptic_gabaergic_occupancy)
        row[L.PRE_CALCIUM] = 1.0 - max_inhibition[0] * occ_pre
        row[L.GABA_PRE_CALCIUM] = 1.0 - max_inhibition[1] * occ_gaba
        row[L.GIRK_OCCUPANCY] = float(effects.gabab_postsynaptic_occupancy)
        row[L.NMDA_AVAILABLE] = float(effects.nmda_glutamate_site_available)
        row[L.NAV_AVAILABLE] = float(effects.nav_available)
        row[L.GABA_PRE_OCCUPANCY] = occ_gaba
        row[L.GABAB_ANTAGONIST_BOUND] = 1.0 - float(_gabab_available(pairs, ()))
        row[L.AMPA_ANTAGONIST_BOUND] = 1.0 - float(effects.ampa_available)
        row[L.GABAA_BLOCKED] = 1.0 - float(effects.gabaa_available)
        blockers = [b for b in effects.nmda_blockers if float(b.concentration) > 0.0]
        if len(blockers) > 1:
            raise InputError(
                "conditions.drugs",
                "more than one NMDA open-channel blocker at once",
                "apply one channel blocker per condition",
            )
        if blockers:
            b = blockers[0]
            row[L.BLOCKER_CONCENTRATION] = float(b.concentration)
            row[L.BLOCKER_ON_RATE] = b.k_on
            row[L.BLOCKER_KD_0MV] = b.kd_0mV
            row[L.BLOCKER_VOLTAGE_E_FOLD] = b.voltage_e_fold
        return row


def _condition_bath(protocol: Protocol, k: int, prep: Preparation) -> BathEffects:
    condition = protocol.conditions[k]
    where = f"conditions[{k}].bath" if not condition.bath.is_empty else "experiment.bath"
    return bath_effects(prep.parameters, protocol.condition_bath(condition), where)


def _bathed(row: np.ndarray, bath: BathEffects) -> np.ndarray:
    """A drug-effect row in the condition's bath: the Ca2+ influx of glutamatergic and
    GABAergic terminals scaled (Dodge & Rahamimoff site occupancy), the bath Mg2+ set."""
    row[L.PRE_CALCIUM] *= bath.influx
    row[L.GABA_PRE_CALCIUM] *= bath.influx
    row[L.BATH_MAGNESIUM_CHANGE] = bath.magnesium_change
    return row


def _bath_constants(protocol: Protocol, prep: Preparation):
    """Kernel constants at the protocol's bath temperature (one temperature per run)."""
    temperatures = {protocol.condition_bath(c).temperature for c in protocol.conditions}
    if len(temperatures) > 1:
        raise InputError("conditions.bath.temperature", "differs between conditions, which "
                         "one run cannot simulate", "set the temperature once, in "
                         "[experiment.bath], and run other temperatures as their own protocol")
    bath = protocol.condition_bath(protocol.conditions[0])
    return temperature_constants(slice_constants(prep), prep.parameters, bath,
                                 "experiment.bath.temperature")


def _seeds(seed: int, n_conditions: int, cohort: int) -> list[np.random.SeedSequence]:
    return [
        np.random.SeedSequence(seed, spawn_key=(k, s))
        for k in range(n_conditions)
        for s in range(cohort)
    ]


def _example_masks(times, kinds, schedule: Schedule) -> dict[str, np.ndarray]:
    probe = PulseTable(times, kinds, np.zeros_like(times), *(np.zeros((1, times.size)),) * 3)
    masks = {}
    for label, (start, end) in reference_windows(
        probe, schedule.induction_time, schedule.drug_time
    ).items():
        mask = (kinds == "test") & (times >= start) & (times < end)
        if mask.any():
            masks[label] = mask
    return masks


def _progress_bar(total: float, enabled: bool):
    if not enabled:
        return None, None
    from synpharm.progress import start_progress

    return start_progress(total, "simulating", "s of protocol")


@dataclass(frozen=True)
class SliceRun:
    """The engine run of a slice protocol, before the recording is synthesised and measured.

    ``drive``, ``fire`` and ``nmda`` have shape ``(n_conditions * cohort, n_stimuli)``:
    synaptic drive, conducting axons and open NMDA conductance [S] per stimulus (rows
    condition-major, as ``seeds``).
    """

    prep: Preparation
    schedule: Schedule
    seeds: list[np.random.SeedSequence]
    population: Any
    drive: np.ndarray
    fire: np.ndarray
    soma: np.ndarray  # (rows, n_stimuli, n_samples) threshold-free soma [V]; 0 samples: none
    nmda: np.ndarray | None = None
    nmda_charge: np.ndarray | None = None  # NMDA synaptic charge per stimulus [C]
    constants: Any = None  # kernel constants of the run (bath temperature applied)
    timeline: DrugTimeline | None = None  # drug state of every row over the protocol


def run_slices(
    protocol: Protocol, cohort: int, seed: int, prep: Preparation, progress: bool = False
) -> SliceRun:
    """Integrate every condition x ``cohort`` slices of ``protocol`` through its schedule."""
    check_stimulation_rate(protocol, prep.max_stimulus_frequency)
    constants = _bath_constants(protocol, prep)
    schedule = build_schedule(protocol)
    timeline = DrugTimeline(protocol, schedule, _compounds(protocol), cohort, prep)
    seeds = _seeds(seed, len(protocol.conditions), cohort)
    population = draw_slices(prep, seeds)
    p = prep.parameters
    bar, callback = _progress_bar(schedule.total_duration, progress)
    try:
        recorded = run_schedule(
            constants,
            population,
            np.asarray(schedule.stimulus_time),
            np.asarray(schedule.intensity, dtype=float),
            np.asarray(schedule.stimulus_kind) == "train",
            timeline,
            EngineSettings(p["pulse_window"], p["train_tail"], p["isolation_gap"]),
            schedule.total_duration,
            callback,
            _soma_samples(protocol, prep),
        )
    finally:
        if bar is not None:
            bar.stop()
    return SliceRun(prep, schedule, seeds, population, recorded.drive, recorded.fire,
                    recorded.soma, recorded.nmda, recorded.nmda_charge, constants, timeline)


def _soma_samples(protocol: Protocol, prep: Preparation) -> int:
    """Steps of somatic trajectory needed after each stimulus (0 without a somatic electrode)."""
    if protocol.recording_site != "stratum_pyramidale":
        return 0
    p = prep.parameters
    return round((p["recording_sweep_duration"] - p["recording_stimulus_time"]) / prep.dt)


def _cohort_and_seed(protocol: Protocol, cohort: int | None, seed: int | None) -> tuple[int, int]:
    """The protocol's cohort and seed unless overridden; checked."""
    cohort = protocol.cohort if cohort is None else int(cohort)
    seed = protocol.seed if seed is None else int(seed)
    if cohort < 1:
        raise InputError("cohort", f"{cohort} slices", "give at least 1 slice per condition")
    if seed < 0:
        raise InputError("seed", f"{seed} is negative", "give a seed >= 0")
    return cohort, seed


def run_protocol(
    protocol: Protocol,
    cohort: int | None = None,
    seed: int | None = None,
    progress: bool = False,
    prep: Preparation | QuantalPreparation | None = None,
    nmda_field: bool = False,
) -> ExperimentResult:
    """Run a virtual experiment: every condition x ``cohort`` virtual slices.

    Parameters
    ----------
    protocol
        The experiment (conditions and steps).
    cohort, seed
        Override the protocol's cohort size and seed.
    progress
        Show a progress bar on stderr.
    prep
        Preparation override (ablations, parameter studies); default from the protocol.
        Single-connection preparations with quantal release (IPSCs, EPSPs) run in
        :func:`synpharm.experiments.quantal.run_quantal_protocol`.
    nmda_field
        Add the field of the NMDA current (its recorded charge,
        :mod:`synpharm.model.synaptic_field`) to the radiatum sweeps. Off by default: with the
        model's NMDA conductance the NMDA share of a test fEPSP in 1.3 mM Mg2+ is ~4 % of the
        slope, more than the < 5 % APV effect of Coan & Collingridge 1985 allows within noise
        (docs/physiology.md, PHYS-ION-1); the default field is the AMPA drive only.
    """
    cohort, seed = _cohort_and_seed(protocol, cohort, seed)
    prep = prep or protocol_preparation(protocol)
    if isinstance(prep, QuantalPreparation):
        from synpharm.experiments.quantal import run_quantal_protocol

        return run_quantal_protocol(protocol, prep, _compounds(protocol), cohort, seed)
    run = run_slices(protocol, cohort, seed, prep, progress)
    schedule = run.schedule
    p = prep.parameters
    kinds = np.asarray(schedule.stimulus_kind)
    measured = np.isin(kinds, MEASURED_KINDS)
    times = np.asarray(schedule.stimulus_time)[measured]
    table_args = (times, kinds[measured], np.asarray(schedule.intensity, dtype=float)[measured])
    rec = _recording(p)
    example_masks = _example_masks(table_args[0], table_args[1], schedule)
    if run.soma.shape[2]:
        example_masks.update(io_groups(*table_args, schedule.induction_time))
    waveform = field_waveform_from_parameters(_field_parameters())
    slopes, amplitudes, volleys, areas, examples = _radiatum(
        run, measured, times, waveform, rec, example_masks, nmda_field)
    spikes = _somatic(run, measured, waveform, rec, example_masks,
                      _perisomatic_available(run, times))
    if spikes is not None:
        examples = spikes.examples
    per_condition = []
    for k, condition in enumerate(protocol.conditions):
        rows = slice(k * cohort, (k + 1) * cohort)
        extra = () if spikes is None else (spikes.amplitude[rows], spikes.count[rows])
        nmda = run.nmda[rows][:, measured] if run.nmda is not None else None
        table = PulseTable(*table_args, slopes[rows], amplitudes[rows], volleys[rows], *extra,
                           nmda_conductance=nmda, fepsp_area=areas[rows])
        traces = {label: v[rows].mean(axis=0) for label, v in examples.items()}
        per_condition.append((condition, table, traces))
    trace_time = np.arange(round(rec.sweep_duration * rec.sampling_rate))
    trace_time = trace_time / rec.sampling_rate - rec.stimulus_time
    results = condition_readouts(
        per_condition, schedule.induction_time, schedule.drug_time, trace_time,
        induction_end=schedule.induction_end_time,
    )
    return ExperimentResult(
        protocol_name=protocol.name,
        conditions=results,
        induction_time=schedule.induction_time,
        drug_time=schedule.drug_time,
        provenance=_provenance(protocol, prep, _compounds(protocol), cohort, seed),
        analyses=concentration_response(results),
    )


def _radiatum(run: SliceRun, measured, times, waveform, rec, example_masks, nmda_field: bool):
    """Synthesise and measure the radiatum sweeps of the measured pulses (:func:`_measure`)."""
    gain = recorded_field_gain(run.population.slices, times)
    nmda = (slice_nmda_fields(run.nmda_charge[:, measured], gain, run.constants, waveform)
            if nmda_field else None)
    return _measure(run.drive[:, measured], run.fire[:, measured], gain, run.prep, waveform,
                    rec, run.seeds, example_masks, nmda)


def _perisomatic_available(run: SliceRun, times: np.ndarray) -> np.ndarray | None:
    """Fraction of the perisomatic feed-forward inhibition left by the drugs at each measured
    pulse, ``(rows, pulses)``: GABA-A receptors not blocked times interneurons still recruited
    (GIRK occupancy, as in the kernel's interneuron recruitment; GABA-B on the interneurons'
    terminals, depletion and the slice's inhibition scale are not applied); None without a somatic
    electrode or without perisomatic inhibition."""
    if (not run.soma.shape[2]
            or run.prep.parameters.get("perisomatic_feedforward_gabaa_conductance", 0.0) <= 0):
        return None
    loss = run.constants.interneuron_recruitment_loss
    rows = [run.timeline(float(t)) for t in times]
    return np.stack([(1.0 - r[:, L.GABAA_BLOCKED]) * (1.0 - loss * r[:, L.GIRK_OCCUPANCY])
                     for r in rows], axis=1)


def _somatic(run: SliceRun, measured, waveform, rec, example_masks, available=None):
    """Population-spike measures of the measured pulses; None without a somatic electrode."""
    if not run.soma.shape[2]:
        return None
    gain = run.population.slices[:, L.FIELD_GAIN, None]
    return measure_somatic(run.soma[:, measured], gain * run.drive[:, measured],
                           run.fire[:, measured], run.prep, _field_parameters(), waveform, rec,
                           run.seeds, example_masks, run.drive[:, measured],
                           passive_cell_from_constants(run.constants), available)


def _provenance(protocol, prep, compounds, cohort, seed) -> dict:
    import numba
    import scipy

    from synpharm._version import __version__

    return {
        "synpharm": __version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "numba": numba.__version__,
        "preparation": prep.name,
        "recording_site": protocol.recording_site,
        "cohort": cohort,
        "seed": seed,
        "compounds": {name: sorted(set(citations(c))) for name, c in compounds.items()},
        "unsimulated_effects": unsimulated_records(compounds),
        "calibrated_parameters": prep.parameters.calibrated(),
        "bath": _bath_provenance(protocol, prep),
        "integration_step_s": prep.dt,
        "protocol_sha": _digest(protocol.to_toml()),
    }


def _bath_provenance(protocol: Protocol, prep: Preparation) -> dict[str, dict[str, str]]:
    """Per condition, the ACSF simulated (unset fields filled from the preparation)."""
    reference = reference_bath(prep.parameters) or Bath()
    return {c.name: bath_dict(protocol.condition_bath(c).over(reference))
            for c in protocol.conditions}


def _digest(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()[:16]


__all__ = ["preparation", "run_protocol", "slice_field_sweeps"]
