"""Typed, immutable protocol steps, drugs and conditions (read from TOML: :mod:`._step_parsing`).

Every value is stored in the internal SI unit of :mod:`synpharm.units` (s, Hz, mol/m^3).
Constructors validate values and raise :class:`~synpharm.errors.InputError` naming the field
relative to the object (``"duration"``); the TOML parsers prefix the location
(``"steps[2].duration"``). Indices in field names count from 0, like TOML arrays in Python.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from synpharm.errors import InputError
from synpharm.protocols._bath import Bath
from synpharm.safety import check_printable
from synpharm.units import parse_quantity, to_unit

__all__ = [
    "STEP_TYPES",
    "Baseline",
    "Condition",
    "Drug",
    "InputOutput",
    "PairedPulse",
    "Record",
    "Step",
    "Train",
    "Wait",
    "WashIn",
    "WashOut",
    "format_value",
    "within",
]

#: Units tried, in order, when writing a value back to TOML (the first that reads back exactly).
_DISPLAY_UNITS: dict[str, tuple[str, ...]] = {
    "time": ("min", "s", "ms"),
    "frequency": ("Hz",),
    "concentration": ("uM", "nM", "mM"),
}
#: Fallback units whose conversion factor to the internal unit is exactly one.
_EXACT_UNITS = {"time": "s", "frequency": "Hz", "concentration": "mol/m**3"}


def format_value(value: float, kind: str) -> str:
    """Write an internal value as a string with units that parses back to exactly ``value``.

    Examples
    --------
    >>> format_value(1200.0, "time")
    '20 min'
    """
    candidates = _DISPLAY_UNITS[kind]
    for need_at_least_one in (True, False):
        for unit in candidates:
            magnitude = to_unit(value, kind, unit)
            if need_at_least_one and abs(magnitude) < 1:
                continue
            text = f"{magnitude:.12g} {unit}"
            if parse_quantity(text, kind, "value") == value:
                return text
    return f"{value!r} {_EXACT_UNITS[kind]}"


def within(prefix: str, error: InputError) -> InputError:
    """The same error with its field placed inside ``prefix`` (``steps[2]`` + ``duration``)."""
    field = f"{prefix}.{error.field}" if error.field else prefix
    return InputError(field, error.problem, error.fix)


def _positive(value: float, kind: str, name: str) -> float:
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        shown = format_value(value, kind) if math.isfinite(value) else repr(value)
        raise InputError(
            name, f"must be positive and finite, got {shown}", f"give a positive {kind}"
        )
    return value


def _non_negative(value: float, kind: str, name: str) -> float:
    value = float(value)
    if not math.isfinite(value) or value < 0:
        shown = format_value(value, kind) if math.isfinite(value) else repr(value)
        raise InputError(
            name, f"must be zero or positive and finite, got {shown}", f"give a non-negative {kind}"
        )
    return value


def _count(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(name, f"{value!r} is not a whole number", "give an integer such as 3")
    if value < 1:
        raise InputError(name, f"must be at least 1, got {value}", "give a positive integer")
    return value


def _fraction(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(name, f"{value!r} is not a number", "give a fraction such as 0.5")
    value = float(value)
    if not (math.isfinite(value) and 0 < value <= 1):
        raise InputError(
            name,
            f"must be a fraction of the maximal stimulus in (0, 1], got {value!r}",
            "give a value such as 0.5",
        )
    return value


def _set(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


@dataclass(frozen=True)
class Drug:
    """A compound at a bath concentration.

    Parameters
    ----------
    compound
        Compound name as in the compound library (checked by the caller), e.g. ``"ketamine"``.
    concentration
        Bath concentration [mol/m^3] (numerically mM; 10 uM is 0.01).
    """

    compound: str
    concentration: float

    def __post_init__(self) -> None:
        if not isinstance(self.compound, str) or not self.compound.strip():
            raise InputError(
                "compound",
                f"{self.compound!r} is not a compound name",
                "give a name such as 'ketamine'",
            )
        _set(
            self,
            "concentration",
            _non_negative(self.concentration, "concentration", "concentration"),
        )


@dataclass(frozen=True)
class Condition:
    """One arm of a virtual experiment: a name, the drugs in the bath (none = control) and the
    ACSF fields this arm sets differently from ``[experiment.bath]`` (empty = the same)."""

    name: str
    drugs: tuple[Drug, ...] = ()
    bath: Bath = field(default_factory=Bath)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise InputError(
                "name",
                f"{self.name!r} is not a condition name",
                "give a name such as 'ketamine 10 uM'",
            )
        check_printable(self.name, "name")
        _set(self, "drugs", tuple(self.drugs))
        if not isinstance(self.bath, Bath):
            raise InputError("bath", f"{self.bath!r} is not a Bath", "give a Bath(...)")
        compounds = [drug.compound for drug in self.drugs]
        for compound in compounds:
            if compounds.count(compound) > 1:
                raise InputError(
                    "drugs", f"compound {compound!r} appears twice", "list each compound once"
                )


@dataclass(frozen=True)
class _TestPulses:
    """Test pulses at ``test_rate`` [Hz] for ``duration`` [s], first pulse at the step start."""

    type: ClassVar[str] = ""
    duration: float
    test_rate: float

    def __post_init__(self) -> None:
        _set(self, "duration", _positive(self.duration, "time", "duration"))
        _set(self, "test_rate", _positive(self.test_rate, "frequency", "test_rate"))

    @property
    def stimuli(self) -> float:
        """Stimuli one slice receives during the step."""
        return math.floor(self.duration * self.test_rate) + 1

    @property
    def length(self) -> float:
        """Time the step occupies [s]."""
        return self.duration


@dataclass(frozen=True)
class Baseline(_TestPulses):
    """Baseline: test pulses at ``test_rate`` [Hz] for ``duration`` [s] from the step start."""

    type: ClassVar[str] = "baseline"


@dataclass(frozen=True)
class Record(_TestPulses):
    """Recording after induction or drug application: test pulses, timed as in :class:`Baseline`."""

    type: ClassVar[str] = "record"


@dataclass(frozen=True)
class WashIn:
    """Bath application starting at the step onset, with test pulses during the step.

    ``drugs=None`` applies the drugs of each condition; a tuple applies the same drugs to every
    condition. ``exchange_time`` [s] is the time constant of the bath exchange (0 = instant).
    ``test_rate = 0`` is a wash-in without stimulation (pre-incubation: the drug equilibrates
    with the tissue while no synapse is activated, as before a use-dependent block is probed).
    """

    type: ClassVar[str] = "wash_in"
    duration: float
    test_rate: float
    exchange_time: float
    drugs: tuple[Drug, ...] | None = None

    def __post_init__(self) -> None:
        _set(self, "duration", _positive(self.duration, "time", "duration"))
        _set(self, "test_rate", _non_negative(self.test_rate, "frequency", "test_rate"))
        _set(self, "exchange_time", _non_negative(self.exchange_time, "time", "exchange_time"))
        if self.drugs is not None:
            _set(self, "drugs", tuple(self.drugs))

    @property
    def stimuli(self) -> float:
        """Stimuli one slice receives during the step (none when ``test_rate`` is 0)."""
        if self.test_rate == 0:
            return 0.0
        return math.floor(self.duration * self.test_rate) + 1

    @property
    def length(self) -> float:
        return self.duration


@dataclass(frozen=True)
class WashOut:
    """Wash-out of ``compounds`` (``None`` = every compound in the bath), with test pulses."""

    type: ClassVar[str] = "wash_out"
    duration: float
    test_rate: float
    exchange_time: float
    compounds: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        _set(self, "duration", _positive(self.duration, "time", "duration"))
        _set(self, "test_rate", _positive(self.test_rate, "frequency", "test_rate"))
        _set(self, "exchange_time", _non_negative(self.exchange_time, "time", "exchange_time"))
        if self.compounds is not None:
            _set(self, "compounds", tuple(self.compounds))
            for name in self.compounds:
                if not isinstance(name, str) or not name.strip():
                    raise InputError(
                        "compounds",
                        f"{name!r} is not a compound name",
                        "give names such as ['ketamine']",
                    )

    @property
    def stimuli(self) -> float:
        """Stimuli one slice receives during the step."""
        return math.floor(self.duration * self.test_rate) + 1

    @property
    def length(self) -> float:
        return self.duration


@dataclass(frozen=True)
class Train:
    """Induction: ``n_trains`` trains whose onsets are ``interval`` [s] apart.

    Each train is ``bursts`` bursts at ``burst_rate`` [Hz] of ``pulses`` pulses at
    ``frequency`` [Hz]. With ``bursts=1`` this is a tetanus (3 x 100 pulses at 100 Hz, 20 s
    apart); theta-burst stimulation is e.g. ``pulses=4, frequency=100 Hz, bursts=10,
    burst_rate=5 Hz``. The step ends one pulse period after the last pulse.
    """

    type: ClassVar[str] = "train"
    n_trains: int
    frequency: float
    pulses: int
    interval: float
    bursts: int = 1
    burst_rate: float | None = None

    def __post_init__(self) -> None:
        _count(self.n_trains, "n_trains")
        _count(self.pulses, "pulses")
        _count(self.bursts, "bursts")
        _set(self, "frequency", _positive(self.frequency, "frequency", "frequency"))
        _set(self, "interval", _positive(self.interval, "time", "interval"))
        if self.burst_rate is not None:
            _set(self, "burst_rate", _positive(self.burst_rate, "frequency", "burst_rate"))
        if self.bursts > 1 and self.burst_rate is None:
            raise InputError(
                "burst_rate",
                "is missing for a train of bursts",
                "give the burst repetition rate such as '5 Hz'",
            )
        if self.burst_rate is not None and self.bursts > 1:
            if 1 / self.burst_rate < self.pulses / self.frequency:
                raise InputError(
                    "burst_rate",
                    "bursts overlap: one burst lasts longer than the burst period",
                    "lower burst_rate or use fewer pulses",
                )
        if self.n_trains > 1 and self.interval < self.train_duration:
            one_train = format_value(self.train_duration, "time")
            raise InputError(
                "interval",
                "trains overlap: the interval between train onsets "
                f"is shorter than one train ({one_train})",
                "give a longer interval",
            )

    @property
    def train_duration(self) -> float:
        """Duration of one train [s], up to one pulse period after its last pulse."""
        bursts_span = (self.bursts - 1) / self.burst_rate if self.bursts > 1 else 0.0
        return bursts_span + self.pulses / self.frequency

    @property
    def stimuli(self) -> float:
        """Stimuli one slice receives during the step."""
        return float(self.n_trains) * self.bursts * self.pulses

    @property
    def length(self) -> float:
        return (self.n_trains - 1) * self.interval + self.train_duration


@dataclass(frozen=True)
class PairedPulse:
    """``pairs`` pulse pairs, ``interval`` [s] from first to second, pairs at ``rate`` [Hz]."""

    type: ClassVar[str] = "paired_pulse"
    interval: float
    pairs: int
    rate: float

    def __post_init__(self) -> None:
        _set(self, "interval", _positive(self.interval, "time", "interval"))
        _count(self.pairs, "pairs")
        _set(self, "rate", _positive(self.rate, "frequency", "rate"))
        if self.interval >= 1 / self.rate:
            raise InputError(
                "interval",
                "pairs overlap: the inter-pulse interval is not shorter "
                "than the time between pairs",
                "lower rate or shorten interval",
            )

    @property
    def stimuli(self) -> float:
        """Stimuli one slice receives during the step."""
        return 2.0 * self.pairs

    @property
    def length(self) -> float:
        return self.pairs / self.rate


@dataclass(frozen=True)
class InputOutput:
    """Input-output curve: ``repeats`` pulses per intensity (fraction of maximal), at ``rate``."""

    type: ClassVar[str] = "input_output"
    intensities: tuple[float, ...]
    repeats: int
    rate: float

    def __post_init__(self) -> None:
        if isinstance(self.intensities, str) or not isinstance(self.intensities, Sequence):
            raise InputError(
                "intensities",
                f"{self.intensities!r} is not a list",
                "give a list such as [0.2, 0.5, 1.0]",
            )
        if not self.intensities:
            raise InputError("intensities", "is empty", "give a list such as [0.2, 0.5, 1.0]")
        values = tuple(_fraction(v, f"intensities[{i}]") for i, v in enumerate(self.intensities))
        _set(self, "intensities", values)
        _count(self.repeats, "repeats")
        _set(self, "rate", _positive(self.rate, "frequency", "rate"))

    @property
    def stimuli(self) -> float:
        """Stimuli one slice receives during the step."""
        return float(len(self.intensities)) * self.repeats

    @property
    def length(self) -> float:
        return len(self.intensities) * self.repeats / self.rate


@dataclass(frozen=True)
class Wait:
    """No stimulation for ``duration`` [s]."""

    type: ClassVar[str] = "wait"
    duration: float

    def __post_init__(self) -> None:
        _set(self, "duration", _positive(self.duration, "time", "duration"))

    @property
    def stimuli(self) -> float:
        """Stimuli one slice receives during the step."""
        return 0.0

    @property
    def length(self) -> float:
        return self.duration


Step = Baseline | Record | WashIn | WashOut | Train | PairedPulse | InputOutput | Wait

#: TOML ``type`` -> step class.
STEP_TYPES: dict[str, type[Step]] = {
    cls.type: cls
    for cls in (Baseline, WashIn, WashOut, Train, PairedPulse, InputOutput, Record, Wait)
}
