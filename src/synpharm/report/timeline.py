"""What the experimenter did and when, as a time-course figure marks it.

- **Drug bars**, step-aware: every compound is drawn over the span it is in the bath, read from
  the drug events of each condition (:func:`synpharm.protocols.drug_events_for`): a wash-in of
  the condition's drugs, a wash-in with its own ``drugs`` (e.g. MK-801 over CNQX), a wash-out
  of some or all compounds; the drugs of a protocol without a condition-dependent wash-in are
  in the bath from the start (pre-incubated slices) and their bar spans the whole recording.
  Compounds with the same span share one bar; concentrations of a series become a range.
- **Induction marks**: one per ``train`` step, from its first to its last pulse, labelled
  with what was delivered (``"3 × 100 Hz, 1 s"``, ``"900 pulses at 1 Hz"``, ``"1 × TBS ..."``).
- **Isolated NMDA readout**: whether every condition records with AMPA/kainate receptors
  blocked during its baseline (from the compounds' declared AMPA effect), so that the
  response a physiologist reads is the isolated NMDA response, not the fEPSP slope.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from synpharm.style import format_concentration

__all__ = [
    "AMPA_BLOCKED_BELOW",
    "THETA_BAND",
    "DrugBar",
    "InductionMark",
    "Timeline",
    "concentration_label",
    "drug_bars",
    "experiment_timeline",
    "induction_marks",
    "records_isolated_nmda",
    "train_label",
]

#: Burst rates [Hz] called theta-burst stimulation (the hippocampal theta rhythm, 4-10 Hz;
#: Larson, Wong & Lynch 1986 use 5 Hz).
THETA_BAND = (4.0, 10.0)

#: AMPA receptors count as blocked when less than this fraction is free of antagonist (the
#: >= 90 % fEPSP reduction of PHYS-AMPA-1 under CNQX/NBQX 10 uM).
AMPA_BLOCKED_BELOW = 0.1


@dataclass(frozen=True)
class DrugBar:
    """A drug application drawn above the time course: ``start``/``end`` [s] and its label."""

    start: float
    end: float
    label: str


@dataclass(frozen=True)
class InductionMark:
    """An induction step: first pulse ``start`` and last pulse ``end`` [s], and its label."""

    start: float
    end: float
    label: str


@dataclass(frozen=True)
class Timeline:
    """Everything the time-course figure marks: drug bars, induction steps, and whether the
    response shown is the isolated NMDA response (:func:`records_isolated_nmda`)."""

    bars: tuple[DrugBar, ...] = ()
    inductions: tuple[InductionMark, ...] = ()
    isolated_nmda: bool = False
    pair_intervals: tuple[float, ...] = ()  # [s] of the paired-pulse steps, in order


def experiment_timeline(result: Any, protocol: Any | None = None) -> Timeline:
    """The :class:`Timeline` of ``result`` (from ``protocol`` when given, else the result)."""
    steps = protocol.steps if protocol is not None else ()
    pairs = tuple(dict.fromkeys(s.interval for s in steps if s.type == "paired_pulse"))
    return Timeline(tuple(drug_bars(result, protocol)), tuple(induction_marks(result, protocol)),
                    records_isolated_nmda(result, protocol), pairs)


def concentration_label(name: str, concentrations_uM: Iterable[float]) -> str:
    """A compound with its concentration or range: ``'ketamine 3–600 µM'``.

    Examples
    --------
    >>> concentration_label("CNQX", [10.0])
    'CNQX 10 µM'
    >>> concentration_label("ketamine", [3.0, 600.0])
    'ketamine 3–600 µM'
    """
    values = sorted(set(concentrations_uM))
    low, high = format_concentration(values[0]), format_concentration(values[-1])
    if values[-1] == values[0]:
        return f"{name} {low}"
    if low.split()[1] == high.split()[1]:
        return f"{name} {low.split()[0]}–{high}"
    return f"{name} {low}–{high}"


def _compound_spans(events: Sequence[Any], end: float) -> list[tuple[str, float, float, float]]:
    """(compound, start [s], end [s], concentration [mol/m^3]) of each bath application."""
    spans: list[tuple[str, float, float, float]] = []
    open_: dict[str, tuple[float, float]] = {}
    for event in sorted(events, key=lambda e: e.time):
        name, target = event.compound, float(event.target_concentration or 0.0)
        if name in open_ and open_[name][1] != target:
            start, value = open_.pop(name)
            spans.append((name, start, float(event.time), value))
        if target > 0 and name not in open_:
            open_[name] = (float(event.time), target)
    spans += [(name, start, end, value) for name, (start, value) in open_.items()]
    return spans


def drug_bars(result: Any, protocol: Any | None = None) -> list[DrugBar]:
    """The drug bars of ``result``, ordered by onset (see the module docstring).

    Without ``protocol`` one bar names the conditions' drugs from the first wash-in
    (``result.drug_time``) to the last measured pulse; no bar without a wash-in.
    """
    if protocol is None:
        return _fallback_bars(result)
    from synpharm.protocols import build_schedule, drug_events_for

    schedule = build_schedule(protocol)
    by_span: dict[tuple[float, float], dict[str, set[float]]] = {}
    for condition in protocol.conditions:
        for name, start, end, value in _compound_spans(
            drug_events_for(schedule, condition), schedule.total_duration
        ):
            by_span.setdefault((start, end), {}).setdefault(name, set()).add(value * 1e3)
    return [
        DrugBar(start, end, "; ".join(concentration_label(n, v) for n, v in names.items()))
        for (start, end), names in sorted(by_span.items())
    ]


def _fallback_bars(result: Any) -> list[DrugBar]:
    if result.drug_time is None:
        return []
    levels: dict[str, set[float]] = {}
    for condition in result.conditions:
        for name, concentration in condition.drugs:
            levels.setdefault(name, set()).add(concentration * 1e3)
    ends = [float(np.max(c.pulses.time)) for c in result.conditions if len(c.pulses.time)]
    label = "; ".join(concentration_label(n, v) for n, v in levels.items())
    return [DrugBar(result.drug_time, max(ends, default=result.drug_time), label)]


def _hz(value: float) -> str:
    return f"{value:g} Hz"


def train_label(step: Any) -> str:
    """What a ``train`` step delivers, as a methods section says it.

    Examples
    --------
    >>> from synpharm.protocols import Train
    >>> train_label(Train(3, 100.0, 100, 20.0))
    '3 × 100 Hz, 1 s'
    >>> train_label(Train(1, 1.0, 900, 900.0))
    '900 pulses at 1 Hz'
    >>> train_label(Train(1, 100.0, 4, 20.0, bursts=10, burst_rate=5.0))
    '1 × TBS (10 bursts of 4 at 100 Hz, 5 Hz)'
    >>> train_label(Train(1, 100.0, 4, 20.0, bursts=10, burst_rate=0.5))  # not theta
    '10 bursts of 4 at 100 Hz, 0.5 Hz'
    """
    if step.bursts > 1:
        bursts = (f"{step.bursts} bursts of {step.pulses} at {_hz(step.frequency)}, "
                  f"{_hz(step.burst_rate)}")
        if THETA_BAND[0] <= step.burst_rate <= THETA_BAND[1]:
            return f"{step.n_trains} × TBS ({bursts})"
        return bursts if step.n_trains == 1 else f"{step.n_trains} × ({bursts})"
    seconds = step.pulses / step.frequency
    if step.pulses >= 50 and seconds <= 2 and step.frequency >= 20:
        return f"{step.n_trains} × {_hz(step.frequency)}, {seconds:g} s"
    one = f"{step.pulses} pulses at {_hz(step.frequency)}"
    return one if step.n_trains == 1 else f"{step.n_trains} × {one}"


def induction_marks(result: Any, protocol: Any | None = None) -> list[InductionMark]:
    """One mark per ``train`` step of ``protocol`` (first to last pulse of the step).

    Without ``protocol``: one mark ``"induction"`` at ``result.induction_time`` (zero length);
    none without induction.
    """
    if protocol is None:
        t = result.induction_time
        return [] if t is None else [InductionMark(t, t, "induction")]
    from synpharm.protocols import build_schedule

    schedule = build_schedule(protocol)
    marks = []
    for step, span in zip(protocol.steps, schedule.step_spans, strict=True):
        if span.type == "train":
            last = span.start + step.length - 1.0 / step.frequency
            marks.append(InductionMark(span.start, last, train_label(step)))
    return marks


def _bath_at(protocol: Any, time: float) -> list[list[tuple[str, float]]]:
    """Per condition: (compound, concentration [mol/m^3]) in the bath at ``time`` [s]."""
    from synpharm.protocols import build_schedule, drug_events_for

    schedule = build_schedule(protocol)
    baths = []
    for condition in protocol.conditions:
        spans = _compound_spans(drug_events_for(schedule, condition), schedule.total_duration)
        baths.append([(n, v) for n, start, end, v in spans if start <= time < end])
    return baths


def records_isolated_nmda(result: Any, protocol: Any | None = None) -> bool:
    """Whether the response of every condition is the isolated NMDA response.

    True when the simulated recordings carry ``nmda_conductance`` and, in every condition,
    AMPA/kainate receptors are blocked (available fraction < :data:`AMPA_BLOCKED_BELOW`) by
    the drugs in the bath just before the reference event (first wash-in, else induction,
    else the end of the recording) -- the baseline the responses are normalised to.
    """
    if not result.conditions or any(
        getattr(c.pulses, "nmda_conductance", None) is None for c in result.conditions
    ):
        return False
    from synpharm.compounds import load_compound
    from synpharm.pharmacology import drug_effects

    if protocol is not None:
        events = [t for t in (result.drug_time, result.induction_time) if t is not None]
        time = (events[0] if events else float("inf")) - 1e-6
        baths = _bath_at(protocol, time)
    else:
        baths = [list(c.drugs) for c in result.conditions]
    search = getattr(protocol, "compound_search", ())
    for bath in baths:
        pairs = [(load_compound(name, search), value) for name, value in bath]
        if not pairs or float(drug_effects(pairs).ampa_available) >= AMPA_BLOCKED_BELOW:
            return False
    return True
