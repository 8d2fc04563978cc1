"""Results of a virtual experiment: per-pulse measurements per slice, readouts, provenance.

Everything here comes out of the simulation and the analysis functions; nothing is written in.
Arrays have shape ``(n_slices, n_pulses)`` unless stated otherwise. Units are SI internally
(V, s, V/s); :meth:`Readout.as_dict` gives values in the units named by ``unit``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np


def _micromolar(concentration: float) -> float:
    """mol/m^3 -> uM, rounded to 12 significant digits (hides binary rounding of '10 uM')."""
    return float(f"{concentration * 1e3:.12g}")


@dataclass(frozen=True)
class Readout:
    """A per-slice readout and its group statistics.

    Attributes
    ----------
    name
        e.g. ``"ltp_percent"``.
    values
        One value per slice (NaN where the slice gave none), shape ``(n_slices,)``, in ``unit``.
    unit
        Unit of ``values`` as reported (``"%"``, ``"mV/ms"``, ``"1"``).
    welch_t, welch_p
        Welch t-test against the control condition (NaN for the control itself).
    """

    name: str
    values: np.ndarray
    unit: str
    welch_t: float = float("nan")
    welch_p: float = float("nan")

    @property
    def n(self) -> int:
        return int(np.sum(np.isfinite(self.values)))

    @property
    def mean(self) -> float:
        return float(np.nanmean(self.values)) if self.n else float("nan")

    @property
    def sem(self) -> float:
        if self.n < 2:
            return float("nan")
        return float(np.nanstd(self.values, ddof=1) / np.sqrt(self.n))

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"mean": self.mean, "sem": self.sem, "n": self.n, "unit": self.unit}
        if np.isfinite(self.welch_p):
            out["welch_t_vs_control"] = self.welch_t
            out["p_vs_control"] = self.welch_p
        return out


@dataclass(frozen=True)
class PulseTable:
    """Per-pulse measurements of every slice in one condition.

    Attributes
    ----------
    time
        Stimulus times [s] from the start of the protocol, shape ``(n_pulses,)``.
    kind
        What each stimulus was: ``"test"``, ``"pp1"``, ``"pp2"``, ``"io"``, shape ``(n_pulses,)``.
        Train pulses are not measured and are not in the table.
    intensity
        Stimulus intensity as a fraction of the maximal stimulus, shape ``(n_pulses,)``.
    fepsp_slope
        Initial fEPSP slope [V/s] (numerically mV/ms), signed (negative for a negative-going
        fEPSP), shape ``(n_slices, n_pulses)``.
    fepsp_amplitude
        Baseline-to-negative-peak amplitude [V], shape ``(n_slices, n_pulses)``.
    fiber_volley_amplitude
        Presynaptic fiber-volley amplitude [V], shape ``(n_slices, n_pulses)``.
    population_spike_amplitude, population_spike_count
        Amplitude [V] and number of population spikes at a somatic electrode (stratum
        pyramidale), shape ``(n_slices, n_pulses)``; None without one.
    nmda_conductance
        Simulated recordings only (None for real ones): NMDA conductance [S] open just after each
        stimulus, free of antagonists and open-channel block, before the Mg2+ block -- the
        peak of an isolated NMDA EPSC in 0 Mg2+ (a virtual voltage-clamp readout, no recording
        noise), shape ``(n_slices, n_pulses)``.
    fepsp_area
        Area of the fEPSP in a fixed window after the stimulus [V s], positive for a
        negative-going fEPSP (:func:`synpharm.analysis.fepsp_area.fepsp_area`), shape
        ``(n_slices, n_pulses)``; None when not measured.
    """

    time: np.ndarray
    kind: np.ndarray
    intensity: np.ndarray
    fepsp_slope: np.ndarray
    fepsp_amplitude: np.ndarray
    fiber_volley_amplitude: np.ndarray
    population_spike_amplitude: np.ndarray | None = None
    population_spike_count: np.ndarray | None = None
    nmda_conductance: np.ndarray | None = None
    fepsp_area: np.ndarray | None = None


@dataclass(frozen=True)
class ResponseTable:
    """Per-stimulus amplitudes of a single-cell recording (IPSCs, EPSPs) in one condition.

    The counterpart of :class:`PulseTable` for whole-cell or intracellular recordings, measured
    with :func:`synpharm.analysis.psc.measure_psc`.

    Attributes
    ----------
    time, kind, intensity
        As in :class:`PulseTable`, shape ``(n_pulses,)``.
    amplitude
        Response amplitude, positive in the response direction, in SI units (A or V), shape
        ``(n_cells, n_pulses)``.
    noise_amplitude
        The same measure applied to the pre-stimulus noise of each sweep, shape
        ``(n_cells, n_pulses)``.
    baseline
        Holding current [A] or membrane potential [V] before each stimulus, shape
        ``(n_cells, n_pulses)``.
    measure
        What ``amplitude`` is, e.g. ``"ipsc_amplitude"`` or ``"epsp_amplitude"``.
    unit, unit_scale
        Display unit and the factor from SI to it (``"pA"``, 1e12; ``"mV"``, 1e3).
    """

    time: np.ndarray
    kind: np.ndarray
    intensity: np.ndarray
    amplitude: np.ndarray
    noise_amplitude: np.ndarray
    baseline: np.ndarray
    measure: str
    unit: str
    unit_scale: float


@dataclass(frozen=True)
class ConditionResult:
    """One condition (e.g. ``ketamine 10 uM``) of a virtual experiment."""

    name: str
    drugs: tuple[tuple[str, float], ...]  # (compound, concentration [mol/m^3]) pairs
    pulses: PulseTable | ResponseTable
    readouts: dict[str, Readout]
    example_traces: dict[str, np.ndarray] = field(default_factory=dict)  # label -> (n_samples,) [V]
    trace_time: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (n_samples,) [s]

    @property
    def compound(self) -> str | None:
        return "+".join(name for name, _ in self.drugs) if self.drugs else None

    @property
    def concentration_uM(self) -> float | None:
        return _micromolar(self.drugs[0][1]) if self.drugs else None


@dataclass(frozen=True)
class ExperimentResult:
    """All conditions of a virtual experiment plus provenance (versions, seed, citations)."""

    protocol_name: str
    conditions: list[ConditionResult]
    induction_time: float | None  # [s] onset of the first train, None without induction
    drug_time: float | None  # [s] onset of the first wash-in, None without drugs
    provenance: dict[str, Any]
    analyses: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """The JSON summary document (``summary.json`` and ``synpharm run --json``)."""
        return {
            "protocol": self.protocol_name,
            "conditions": [
                {
                    "name": c.name,
                    "compound": c.compound,
                    "concentration_uM": c.concentration_uM,
                    "drugs": [
                        {"compound": n, "concentration_uM": _micromolar(v)} for n, v in c.drugs
                    ],
                    "readouts": {k: r.as_dict() for k, r in c.readouts.items()},
                }
                for c in self.conditions
            ],
            **({"analyses": self.analyses} if self.analyses else {}),
            "provenance": self.provenance,
        }

    def to_dataframe(self, table: str = "readouts") -> Any:
        """The result as a tidy :class:`pandas.DataFrame` (one observation per row).

        Parameters
        ----------
        table
            ``"readouts"``: columns condition, subject (slice, cell, animal or person index),
            readout, value, unit. ``"summary"``: one row per condition and readout, columns
            condition, readout, mean, sem, n, unit, p_vs_control (Welch; NaN for the control
            and where no test applies). ``"pulses"``: the per-pulse measurements of slice protocols,
            columns condition, subject, pulse, time [s], kind, intensity, then one column per
            measure in SI units (e.g. ``fepsp_slope`` [V/s]).

        Examples
        --------
        >>> r = Readout("ltp_percent", np.array([150.0, 160.0]), "%")
        >>> c = ConditionResult("control", (), None, {"ltp_percent": r})
        >>> ExperimentResult("demo", [c], None, None, {}).to_dataframe()["value"].tolist()
        [150.0, 160.0]
        """
        import pandas as pd

        if table == "readouts":
            return pd.DataFrame(_readout_rows(self.conditions),
                                columns=["condition", "subject", "readout", "value", "unit"])
        if table == "summary":
            return pd.DataFrame(_summary_rows(self.conditions), columns=[
                "condition", "readout", "mean", "sem", "n", "unit", "p_vs_control"])
        if table == "pulses":
            frames = [_pulse_frame(c) for c in self.conditions if c.pulses is not None]
            return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        raise ValueError(f"table must be 'readouts', 'summary' or 'pulses', got {table!r}")


    def to_xarray(self, table: str = "pulses") -> Any:
        """The result as an :class:`xarray.Dataset` (needs the ``[xarray]`` extra).

        Parameters
        ----------
        table
            ``"pulses"``: per-pulse measurements of slice protocols, dimensions condition x
            slice x time (stimulus time [s]; ``kind`` and ``intensity`` along it), one variable
            per measure in SI units. ``"readouts"``: dimensions condition x subject, one
            variable per readout (every experiment kind).
        """
        from synpharm.analysis.labelled import pulses_dataset, readouts_dataset

        if table == "pulses":
            return pulses_dataset(self)
        if table == "readouts":
            return readouts_dataset(self)
        raise ValueError(f"table must be 'pulses' or 'readouts', got {table!r}")


def _readout_rows(conditions: list[ConditionResult]) -> list[tuple[str, int, str, float, str]]:
    return [
        (c.name, subject, name, float(value), r.unit)
        for c in conditions
        for name, r in c.readouts.items()
        for subject, value in enumerate(np.asarray(r.values, dtype=float))
    ]


def _summary_rows(conditions: list[ConditionResult]) -> list[tuple[Any, ...]]:
    return [(c.name, name, r.mean, r.sem, r.n, r.unit, r.welch_p)
            for c in conditions for name, r in c.readouts.items()]


def _pulse_frame(condition: ConditionResult) -> Any:
    """Long table of one condition's per-pulse measurements (subjects x pulses rows)."""
    import pandas as pd

    table = condition.pulses
    n_pulses = len(table.time)
    measures = {f.name: np.asarray(getattr(table, f.name)) for f in fields(table)
                if np.ndim(getattr(table, f.name)) == 2}
    n_subjects = next(iter(measures.values())).shape[0] if measures else 0
    columns: dict[str, Any] = {
        "condition": condition.name,
        "subject": np.repeat(np.arange(n_subjects), n_pulses),
        "pulse": np.tile(np.arange(n_pulses), n_subjects),
        "time": np.tile(np.asarray(table.time, dtype=float), n_subjects),
        "kind": np.tile(np.asarray(table.kind), n_subjects),
        "intensity": np.tile(np.asarray(table.intensity, dtype=float), n_subjects),
    }
    columns.update({name: values.reshape(-1) for name, values in measures.items()})
    return pd.DataFrame(columns)
