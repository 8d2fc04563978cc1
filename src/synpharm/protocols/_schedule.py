"""From protocol steps to a timetable: every stimulus and every bath change, in seconds."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from synpharm.protocols._protocol import Protocol
from synpharm.protocols._steps import (
    Condition,
    InputOutput,
    PairedPulse,
    Step,
    Train,
    Wait,
    WashIn,
    WashOut,
)

__all__ = ["DrugEvent", "Schedule", "StepSpan", "build_schedule", "drug_events_for"]


@dataclass(frozen=True)
class DrugEvent:
    """A change of the bath concentration of one compound.

    Attributes
    ----------
    time
        Onset of the exchange [s] from the start of the protocol.
    compound
        Compound name; ``None`` in a condition-dependent event of a :class:`Schedule` (the
        condition's drugs for a wash-in, everything in the bath for a wash-out).
    target_concentration
        Concentration reached after the exchange [mol/m^3]; ``None`` for a condition-dependent
        wash-in (each condition's own concentration).
    exchange_time
        Time constant of the bath exchange [s] (0 = instant).
    condition_dependent
        True if the event depends on the condition; resolve with :func:`drug_events_for`.
    """

    time: float
    compound: str | None
    target_concentration: float | None
    exchange_time: float
    condition_dependent: bool


class StepSpan(NamedTuple):
    """Where a step lies in time: ``start`` and ``end`` [s] and its ``type`` (``"train"``...)."""

    start: float
    end: float
    type: str


@dataclass(frozen=True, eq=False)
class Schedule:
    """Every stimulus of a protocol, sorted by time. Arrays have shape ``(n_stimuli,)``.

    Attributes
    ----------
    stimulus_time
        Stimulus times [s] from the start of the protocol.
    stimulus_kind
        ``"test"``, ``"train"``, ``"pp1"``, ``"pp2"`` or ``"io"``.
    intensity
        Stimulus intensity as a fraction of the maximal stimulus.
    step_index
        Index of the step that delivers each stimulus.
    train_id
        Train number over the whole protocol (0, 1, ...), -1 for stimuli outside trains.
    drug_events
        Bath changes, some condition-dependent (see :func:`drug_events_for`).
    step_spans
        One :class:`StepSpan` per step.
    induction_time
        Onset of the first train [s], ``None`` without a train.
    drug_time
        Onset of the first wash-in [s], ``None`` without a wash-in.
    total_duration
        End of the last step [s].
    """

    stimulus_time: np.ndarray
    stimulus_kind: np.ndarray
    intensity: np.ndarray
    step_index: np.ndarray
    train_id: np.ndarray
    drug_events: tuple[DrugEvent, ...]
    step_spans: tuple[StepSpan, ...]
    induction_time: float | None
    drug_time: float | None
    total_duration: float

    def __len__(self) -> int:
        return int(self.stimulus_time.size)

    @property
    def induction_end_time(self) -> float | None:
        """Time of the last train pulse [s] (end of induction), ``None`` without a train."""
        train = self.stimulus_kind == "train"
        return float(self.stimulus_time[train].max()) if train.any() else None


class _Pulses(NamedTuple):
    time: np.ndarray
    kind: np.ndarray
    intensity: np.ndarray
    train: np.ndarray  # train number within the step, -1 outside trains


def _count_within(duration: float, rate: float) -> int:
    """Number of k >= 0 with k / rate < duration (tolerant to rounding of duration * rate)."""
    return math.floor(duration * rate - 1e-9) + 1


def _uniform(times: np.ndarray, kind: str, intensity: float | np.ndarray) -> _Pulses:
    return _Pulses(
        times,
        np.full(times.size, kind, dtype=object),
        np.broadcast_to(np.asarray(intensity, dtype=float), times.shape).copy(),
        np.full(times.size, -1, dtype=np.int64),
    )


def _test_pulses(step: Step, test_intensity: float) -> _Pulses:
    if step.test_rate == 0:  # a wash-in without stimulation
        return _uniform(np.zeros(0), "test", test_intensity)
    n = _count_within(step.duration, step.test_rate)
    return _uniform(np.arange(n) / step.test_rate, "test", test_intensity)


def _train_pulses(step: Train, test_intensity: float) -> _Pulses:
    pulse = np.arange(step.pulses) / step.frequency
    burst = np.arange(step.bursts) / step.burst_rate if step.bursts > 1 else np.zeros(1)
    train = np.arange(step.n_trains) * step.interval
    times = (train[:, None, None] + burst[None, :, None] + pulse[None, None, :]).ravel()
    pulses = _uniform(times, "train", test_intensity)
    per_train = step.bursts * step.pulses
    return pulses._replace(train=np.repeat(np.arange(step.n_trains), per_train))


def _paired_pulses(step: PairedPulse, test_intensity: float) -> _Pulses:
    first = np.arange(step.pairs) / step.rate
    times = np.column_stack([first, first + step.interval]).ravel()
    kinds = np.tile(np.array(["pp1", "pp2"], dtype=object), step.pairs)
    return _uniform(times, "", test_intensity)._replace(kind=kinds)


def _io_pulses(step: InputOutput, test_intensity: float) -> _Pulses:
    n = len(step.intensities) * step.repeats
    intensity = np.repeat(np.asarray(step.intensities, dtype=float), step.repeats)
    return _uniform(np.arange(n) / step.rate, "io", intensity)


def _step_pulses(step: Step, test_intensity: float) -> _Pulses:
    if isinstance(step, Train):
        return _train_pulses(step, test_intensity)
    if isinstance(step, PairedPulse):
        return _paired_pulses(step, test_intensity)
    if isinstance(step, InputOutput):
        return _io_pulses(step, test_intensity)
    if isinstance(step, Wait):
        return _uniform(np.zeros(0), "test", test_intensity)
    return _test_pulses(step, test_intensity)


def _resumed_after_train(pulses: _Pulses, step: Step) -> _Pulses:
    """Test pulses of a step that directly follows a train: stimulation resumes one test
    interval after the train, as after a tetanus in a slice (not at the train's end, which
    would make the first test pulse a late extra pulse of the train)."""
    if isinstance(step, (Train, PairedPulse, InputOutput, Wait)):
        return pulses
    shifted = pulses.time + 1.0 / step.test_rate
    keep = shifted < step.length - 1e-9
    return _Pulses(*(
        (shifted if name == "time" else np.asarray(values))[keep]
        for name, values in zip(pulses._fields, pulses, strict=True)
    ))  # fmt: skip


def _step_drug_events(step: Step, start: float) -> list[DrugEvent]:
    if isinstance(step, WashIn):
        if step.drugs is None:
            return [DrugEvent(start, None, None, step.exchange_time, True)]
        return [
            DrugEvent(start, d.compound, d.concentration, step.exchange_time, False)
            for d in step.drugs
        ]
    if isinstance(step, WashOut):
        if step.compounds is None:
            return [DrugEvent(start, None, 0.0, step.exchange_time, True)]
        return [DrugEvent(start, name, 0.0, step.exchange_time, False) for name in step.compounds]
    return []


def _frozen(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


def build_schedule(protocol: Protocol) -> Schedule:
    """Lay out the steps of ``protocol`` one after another and list every stimulus.

    Test pulses of a step fall at ``start + k / test_rate`` (first at the step start) while
    before the step end; right after a train the first comes one test interval after the step
    start (stimulation resumes at the test rate after a tetanus); trains, paired pulses and
    input-output pulses follow their step definitions. Train and paired pulses use the
    experiment's ``test_intensity``.

    Examples
    --------
    >>> from synpharm.protocols import Protocol
    >>> p = Protocol.from_dict({"experiment": {"name": "x"}, "steps": [
    ...     {"type": "baseline", "duration": "1 min", "test_rate": "0.05 Hz"},
    ...     {"type": "train", "n_trains": 3, "frequency": "100 Hz", "pulses": 100,
    ...      "interval": "20 s"}]})
    >>> s = build_schedule(p)
    >>> int((s.stimulus_kind == "train").sum()), s.induction_time
    (300, 60.0)
    """
    parts: list[tuple[_Pulses, int, int]] = []  # pulses, step index, first train id
    spans: list[StepSpan] = []
    events: list[DrugEvent] = []
    start, n_trains = 0.0, 0
    induction_time = drug_time = None
    for index, step in enumerate(protocol.steps):
        pulses = _step_pulses(step, protocol.test_intensity)
        if index and isinstance(protocol.steps[index - 1], Train):
            pulses = _resumed_after_train(pulses, step)
        parts.append((pulses._replace(time=pulses.time + start), index, n_trains))
        if isinstance(step, Train):
            n_trains += step.n_trains
            induction_time = start if induction_time is None else induction_time
        if isinstance(step, WashIn) and drug_time is None:
            drug_time = start
        events.extend(_step_drug_events(step, start))
        spans.append(StepSpan(start, start + step.length, step.type))
        start += step.length
    time = np.concatenate([p.time for p, _, _ in parts])
    order = np.argsort(time, kind="stable")
    train = np.concatenate([np.where(p.train >= 0, p.train + first, -1) for p, _, first in parts])
    step_index = np.concatenate([np.full(p.time.size, i, dtype=np.int64) for p, i, _ in parts])
    return Schedule(
        stimulus_time=_frozen(time[order]),
        stimulus_kind=_frozen(np.concatenate([p.kind for p, _, _ in parts]).astype(str)[order]),
        intensity=_frozen(np.concatenate([p.intensity for p, _, _ in parts])[order]),
        step_index=_frozen(step_index[order]),
        train_id=_frozen(train.astype(np.int64)[order]),
        drug_events=tuple(events),
        step_spans=tuple(spans),
        induction_time=induction_time,
        drug_time=drug_time,
        total_duration=start,
    )


def drug_events_for(schedule: Schedule | Protocol, condition: Condition) -> tuple[DrugEvent, ...]:
    """The bath changes one condition experiences, every event with a compound and target.

    A condition-dependent wash-in applies each of the condition's drugs; a wash-out without
    ``compounds`` removes every compound in the bath at that time. If the protocol has no
    condition-dependent wash-in, the condition's drugs are in the bath from time 0
    (pre-incubated slices, events at time 0 with ``exchange_time`` 0).
    """
    if isinstance(schedule, Protocol):
        schedule = build_schedule(schedule)
    resolved: list[DrugEvent] = []
    if not any(
        e.condition_dependent and e.target_concentration is None for e in schedule.drug_events
    ):
        resolved = [DrugEvent(0.0, d.compound, d.concentration, 0.0, True) for d in condition.drugs]
    bath = {e.compound: e.target_concentration for e in resolved}
    for event in schedule.drug_events:
        if event.compound is not None:
            new = [event]
        elif event.target_concentration is None:
            new = [
                DrugEvent(event.time, d.compound, d.concentration, event.exchange_time, True)
                for d in condition.drugs
            ]
        else:
            new = [
                DrugEvent(event.time, name, 0.0, event.exchange_time, True)
                for name, value in bath.items()
                if value
            ]
        for item in new:
            bath[item.compound] = item.target_concentration
        resolved.extend(new)
    return tuple(resolved)
