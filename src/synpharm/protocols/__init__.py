"""Virtual experiments as data: typed protocol steps read from TOML, and their timetable.

A protocol file has an ``[experiment]`` table, conditions and steps::

    [experiment]
    name = "ketamine_ltp"
    cohort = 12
    test_intensity = 0.5          # fraction of the maximal stimulus

    [[conditions]]
    name = "control"

    [[condition_series]]
    compound = "ketamine"
    concentrations = ["3 uM", "10 uM"]   # conditions "ketamine 3 uM", "ketamine 10 uM"

    [[steps]]
    type = "baseline"
    duration = "20 min"
    test_rate = "0.05 Hz"

    [[steps]]
    type = "wash_in"              # no drugs given: each condition's drugs
    duration = "20 min"
    test_rate = "0.05 Hz"
    exchange_time = "2 min"

    [[steps]]
    type = "train"
    n_trains = 3
    frequency = "100 Hz"
    duration = "1 s"              # or pulses = 100
    interval = "20 s"

    [[steps]]
    type = "record"
    duration = "60 min"
    test_rate = "0.05 Hz"

Step types: ``baseline``, ``wash_in``, ``wash_out``, ``train``, ``paired_pulse``,
``input_output``, ``record``, ``wait``. Every quantity carries a unit and is stored in the
internal SI unit (s, Hz, mol/m^3). Errors name the field, e.g. ``steps[2].frequency``
(indices count from 0).
"""

from synpharm.protocols._bath import Bath, bath_dict
from synpharm.protocols._protocol import Protocol, check_stimulation_rate, read_toml
from synpharm.protocols._schedule import (
    DrugEvent,
    Schedule,
    StepSpan,
    build_schedule,
    drug_events_for,
)
from synpharm.protocols._steps import (
    STEP_TYPES,
    Baseline,
    Condition,
    Drug,
    InputOutput,
    PairedPulse,
    Record,
    Step,
    Train,
    Wait,
    WashIn,
    WashOut,
)

__all__ = [
    "STEP_TYPES",
    "Baseline",
    "Bath",
    "Condition",
    "Drug",
    "DrugEvent",
    "InputOutput",
    "PairedPulse",
    "Protocol",
    "Record",
    "Schedule",
    "Step",
    "StepSpan",
    "Train",
    "Wait",
    "WashIn",
    "WashOut",
    "bath_dict",
    "build_schedule",
    "check_stimulation_rate",
    "drug_events_for",
    "read_toml",
]
