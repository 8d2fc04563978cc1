"""Simulation of a PAS / resting-MEP crossover study: PK -> GABA-B -> calcium -> MEPs."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from synpharm.analysis.results import ConditionResult, Readout
from synpharm.experiments import cohort_and_seed
from synpharm.experiments.pas import CALCIUM_BLOCKS, quantile_factors
from synpharm.model.plasticity import closed_form as rule
from synpharm.preparations import human_motor_cortex as m1

if TYPE_CHECKING:
    from synpharm.experiments.pas import PasArm, PasCrossoverStudy
    from synpharm.parameters import ParameterSet

FloatArray = NDArray[np.float64]

__all__ = ["ArmCourse", "run_pas_crossover", "simulate_crossover"]


def run_pas_crossover(study: PasCrossoverStudy, *, cohort: int | None = None,
                      seed: int | None = None, progress: bool = False) -> Any:
    """Simulate the study (the ``pas_crossover`` runner of :func:`synpharm.experiments.run`)."""
    n, seed = cohort_and_seed(study, cohort, seed, minimum=2, what="subjects")
    return simulate_crossover(study, n, seed)


@dataclass(frozen=True)
class ArmCourse:
    """Per-subject MEP blocks of one arm, for tables and figures.

    ``times`` [s] relative to the dose, ``labels`` the block names, ``mep`` observed block means
    [V] and ``expected`` the noise-free MEPs [V], both ``(n_subjects, n_blocks)``.
    """

    times: FloatArray
    labels: tuple[str, ...]
    mep: FloatArray
    expected: FloatArray
    session: NDArray[np.int64]  # 0 or 1: which session of the subject this arm was
    pas_window: tuple[float, float] | None = None  # [s] start and end of PAS after the dose


def _concentration(study: PasCrossoverStudy, arm: PasArm, other: PasArm, sessions: Any,
                   pk: dict[str, Any], times: FloatArray, later: NDArray[np.bool_]
                   ) -> list[tuple[str, FloatArray]]:
    """(compound, concentration (n, t)) at the receptors: own dose and the previous session's."""
    from synpharm.pharmacokinetics import concentration_time_course

    found: list[tuple[str, FloatArray]] = []
    for source, start, mask in ((arm, 0.0, None), (other, -study.washout, later)):
        if source.compound is None:
            continue
        dose = replace(source.dose, start=start)
        c = concentration_time_course(source.compound, dose, "human", times, source.site,
                                      subjects=pk[source.compound])
        found.append((source.compound, c if mask is None else c * mask[:, None]))
    return found


def _occupancy(drugs: list[tuple[str, FloatArray]], shape: tuple[int, ...]
               ) -> tuple[FloatArray, FloatArray]:
    from synpharm.compounds import load_compound
    from synpharm.pharmacology import drug_effects

    if not drugs:
        return np.zeros(shape), np.zeros(shape)
    effects = drug_effects([(load_compound(name), c) for name, c in drugs])
    return (np.broadcast_to(effects.gabab_postsynaptic_occupancy, shape),
            np.broadcast_to(effects.gabab_presynaptic_glutamatergic_occupancy, shape))


def _pas_efficacy(params: ParameterSet, study: PasCrossoverStudy, subjects: m1.Subjects,
                  session_calcium: FloatArray, post: FloatArray, pre: FloatArray
                  ) -> FloatArray:
    """Early-phase efficacy ``(n, K)`` at the end of PAS, synapse classes K."""
    schedule = study.schedule
    classes = int(params["synapse_classes"])
    spread = quantile_factors(params["bap_amplitude_within_subject_cv"], classes)  # (K,)
    state = m1.gabab_state(params, post[..., None], pre[..., None], girk=not study.ablate_girk)
    shape = (subjects.n, post.shape[1], classes)
    _, calcium = m1.pairing_calcium(
        params,
        np.broadcast_to(subjects.afferent_arrival[:, None, None], shape),
        np.broadcast_to((subjects.afferent_calcium * session_calcium)[:, None, None], shape),
        subjects.bap_amplitude[:, None, None] * spread[None, None, :],
        m1.GababState(*(np.broadcast_to(a, shape) for a in state)),
        schedule.interval)
    durations = rule.threshold_times(params, calcium, m1.CALCIUM_GRID_STEP)  # (n, blocks, K)
    h = np.ones((subjects.n, classes))
    blocks = np.array_split(np.arange(schedule.pairs), post.shape[1])
    for b, block in enumerate(blocks):
        times = rule.ThresholdTimes(*(d[:, b, :] for d in durations))
        for _ in block:
            h = rule.early_phase_after_pairing(params, h, times, 1.0 / schedule.rate)
    return h


def _block_times(study: PasCrossoverStudy) -> tuple[FloatArray, tuple[str, ...]]:
    s = study.schedule
    times = [s.baseline_mep, s.drug_mep]
    labels = ["baseline", "pre_pas" if s.pas_start is not None else "drug"]
    if s.pas_start is not None:
        times += [s.pas_end + t for t in s.post_meps]
        labels += [f"post_{t / 60:g}min" for t in s.post_meps]
    return np.array(times), tuple(labels)


def _simulate_arm(params: ParameterSet, study: PasCrossoverStudy, index: int,
                  subjects: m1.Subjects, pk: dict[str, Any], order: NDArray[np.int64],
                  session_draws: dict[str, FloatArray], rng: np.random.Generator
                  ) -> tuple[ArmCourse, dict[str, FloatArray]]:
    arm, other = study.arms[index], study.arms[1 - index]
    session = order[:, index]  # 0 or 1 per subject
    later = session == 1
    pick = np.arange(subjects.n)
    calcium_factor = session_draws["calcium"][pick, session]
    shift = session_draws["excitability"][pick, session]
    times, labels = _block_times(study)
    drugs = _concentration(study, arm, other, session, pk, np.maximum(times, 0.0), later)
    post_occ, pre_occ = _occupancy(drugs, (subjects.n, times.size))
    state = m1.gabab_state(params, post_occ, pre_occ, girk=not study.ablate_girk)
    dv = state.resting_potential - params["resting_potential"]  # (n, blocks)
    offset = shift + params["excitability_per_millivolt"] * dv[:, 0] * 1e3
    intensity = m1.intensity_for_test_mep(params, subjects, offset)
    h = np.ones((subjects.n, times.size))
    readouts: dict[str, FloatArray] = {}
    s = study.schedule
    if s.pas_start is not None:
        edges = s.pas_start + np.linspace(0, s.pairs / s.rate, CALCIUM_BLOCKS + 1)
        mids = 0.5 * (edges[1:] + edges[:-1])
        pas_drugs = _concentration(study, arm, other, session, pk, mids, later)
        post, pre = _occupancy(pas_drugs, (subjects.n, mids.size))
        h_end = _pas_efficacy(params, study, subjects, calcium_factor, post, pre).mean(axis=1)
        since = times[2:] - s.pas_end
        h[:, 2:] = rule.relax_early_phase(params, h_end[:, None], since[None, :])
        readouts["girk_occupancy_percent"] = 100 * post.mean(axis=1)
        readouts["early_phase_efficacy"] = h_end
        readouts["concentration_at_pas_uM"] = 1e3 * sum(
            (c for _, c in pas_drugs), np.zeros((subjects.n, mids.size)))[:, 0]
    expected = m1.mep_amplitude(params, subjects, intensity[:, None], h, dv, shift[:, None])
    observed = m1.observed_mep_block(params, expected, s.mep_trials, rng)
    readouts["resting_potential_change_mV"] = 1e3 * dv[:, 1]
    window = None if s.pas_start is None else (s.pas_start, s.pas_end)
    course = ArmCourse(times, labels, observed, expected, session, window)
    return course, readouts


def _readouts(course: ArmCourse, extra: dict[str, FloatArray], pas: bool) -> dict[str, Readout]:
    mep = course.mep
    out = {
        "mep_baseline_mV": Readout("mep_baseline_mV", 1e3 * mep[:, 0], "mV"),
        "mep_pre_pas_mV" if pas else "mep_drug_mV": Readout(
            "mep_pre_pas_mV" if pas else "mep_drug_mV", 1e3 * mep[:, 1], "mV"),
        "resting_mep_change_percent": Readout(
            "resting_mep_change_percent", 100 * (mep[:, 1] / mep[:, 0] - 1.0), "%"),
    }
    if pas:
        ratios = mep[:, 2:] / mep[:, 1:2]
        overall = mep[:, 2:].mean(axis=1) / mep[:, 1]
        out["mep_ratio"] = Readout("mep_ratio", overall, "1")
        for label, column in zip(course.labels[2:], ratios.T, strict=True):
            name = f"mep_ratio_{label.removeprefix('post_')}"
            out[name] = Readout(name, column, "1")
        out["pas_responder"] = Readout("pas_responder", (overall > 1.0).astype(float), "1")
    for name, values in extra.items():
        unit = "%" if name.endswith("percent") else "mV" if name.endswith("mV") else (
            "uM" if name.endswith("uM") else "1")
        out[name] = Readout(name, np.asarray(values, float), unit)
    return out


def _balanced_order(n: int, rng: np.random.Generator) -> NDArray[np.int64]:
    """Session index of each arm per subject ``(n, 2)``: half AB, half BA, random assignment."""
    first = np.zeros(n, dtype=np.int64)
    first[rng.permutation(n)[: n // 2]] = 1
    if n % 2:
        first[rng.permutation(np.flatnonzero(first == 0))[:1]] = rng.integers(0, 2)
    return np.stack([first, 1 - first], axis=1)


def simulate_crossover(study: PasCrossoverStudy, n: int, seed: int) -> Any:
    """Run the study for ``n`` subjects with ``seed``; returns a PasCrossoverResult."""
    from synpharm.experiments._pas_result import PasCrossoverResult, crossover_analysis
    from synpharm.pharmacokinetics import draw_subjects, pharmacokinetic_model

    params = m1.load_parameters()
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(6)]
    subjects = m1.draw_subjects(params, n, streams[0])
    compounds = sorted({a.compound for a in study.arms if a.compound is not None})
    pk = {c: draw_subjects(pharmacokinetic_model(c, "human"), n, streams[1]) for c in compounds}
    order = _balanced_order(n, streams[2])
    draws = [m1.draw_session_factors(params, n, streams[3]) for _ in range(2)]
    session_draws = {"calcium": np.stack([d[0] for d in draws], axis=1),
                     "excitability": np.stack([d[1] for d in draws], axis=1)}
    conditions, courses = [], []
    pas = study.schedule.pas_start is not None
    for index, arm in enumerate(study.arms):
        course, extra = _simulate_arm(params, study, index, subjects, pk, order, session_draws,
                                      streams[4 + index])
        courses.append(course)
        # drugs stays empty: an oral dose has no bath concentration (the dose is in provenance)
        conditions.append(ConditionResult(arm.name, (), None,  # type: ignore[arg-type]
                                          _readouts(course, extra, pas)))
    analyses = crossover_analysis(conditions, order)
    provenance = {
        "synpharm_study": "pas_crossover",
        "study": study.name,
        "cohort": n,
        "seed": seed,
        "protocol_sha": study.protocol_sha(),
        "preparation": "human_motor_cortex",
        "ablate": ["GABAB_postsynaptic_GIRK"] if study.ablate_girk else [],
        "parameters": params.citations(),
        "arms": [{"name": a.name, "compound": a.compound,
                  "dose": None if a.dose is None else a.dose.text, "site": a.site}
                 for a in study.arms],
        "sequence_first_arm": [study.arms[int(np.argmin(o))].name for o in order],
    }
    return PasCrossoverResult(study.name, conditions, None, None, provenance, analyses,
                              courses=tuple(courses), description=study.description)
