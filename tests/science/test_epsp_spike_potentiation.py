"""EPSP-spike potentiation emerges from drive vs threshold, with nothing written in.

Inhibition (feed-forward GABA-A, GABA-B) is recruited by the afferent volley, so it follows the
number of conducting axons, while LTP raises only the excitatory weights; and after LTP a given
fEPSP comes from fewer, stronger inputs per cell, which spreads the cells' depolarisation more.
Both let more cells fire at the same fEPSP slope: the E-S curve (population spike vs fEPSP
slope) shifts left (Abraham, Gustafsson & Wigstrom 1987 J Physiol 394:367). The drive per cell
is raised by a preparation override so that the population reaches threshold (the default drive
does not: docs/physiology.md, PHYS-PS-1); this tests the mechanism, not the validation target.
"""

from __future__ import annotations

import numpy as np
import pytest

from synpharm.experiments.slice import protocol_preparation, run_protocol
from synpharm.protocols import Protocol

INTENSITIES = [0.4, 0.5, 0.6, 0.8, 1.0]
SEED = 3
#: slices per run; each slice is its own before/after comparison
COHORT = 24
#: the shift is tested against its own slice-to-slice spread, not a fixed amplitude: until
#: session 6 these tests compared the slice-mean curves at one seed against 0.05 mV, which
#: changes of a few hundredths of a mV (the per-cell reset, the PPF re-fit) flipped either
#: way (three of them were strict xfails). Session 6, measured after that at seeds 3 / 5 / 7
#: with 24 slices (mean shift in mV, t): with dendritic spikes +0.12 (5.4) / +0.12 (5.4) /
#: +0.13 (6.6) at the maximal slope, +0.11 (3.5) / +0.16 (4.6) / +0.17 (3.6) mid-curve;
#: without them +0.08 (3.7) / +0.10 (5.4) / +0.08 (3.9) and +0.11 (4.3) / +0.09 (3.9) /
#: +0.10 (4.2)
MIN_T = 3.0
IO = {"type": "input_output", "intensities": INTENSITIES, "repeats": 2, "rate": "0.2 Hz"}


def _es_shifts(**override: float) -> dict[str, np.ndarray]:
    """Per-slice E-S shift [mV]: each slice's population spike after LTP at the fEPSP slope of
    its own pre-LTP response, minus its pre-LTP spike there (positive: E-S potentiation), at
    the maximal intensity (``"max"``) and at 60 % (``"mid"``, below the spike's saturation)."""
    protocol = Protocol.from_dict({
        "experiment": {"name": "es", "recording_site": "stratum_pyramidale"},
        "steps": [
            {"type": "baseline", "duration": "5 min", "test_rate": "0.05 Hz"}, IO,
            {"type": "baseline", "duration": "2 min", "test_rate": "0.05 Hz"},
            {"type": "train", "n_trains": 3, "frequency": "100 Hz", "duration": "1 s",
             "interval": "20 s"},
            {"type": "record", "duration": "20 min", "test_rate": "0.05 Hz"}, IO,
        ],
    })
    prep = protocol_preparation(protocol)
    prep = type(prep)(prep.name, prep.parameters.with_values(**override))
    r = run_protocol(protocol, cohort=COHORT, seed=SEED, prep=prep).conditions[0].readouts
    levels = [round(100 * i) for i in INTENSITIES]

    def curve(phase: str, what: str) -> np.ndarray:
        """(intensity, slice) array of one readout; slopes made positive."""
        sign = -1.0 if what == "fepsp_slope" else 1.0
        return sign * np.array([r[f"{phase}_{what}_{lv}"].values for lv in levels])

    pre_slope, pre_spike = curve("io_pre", "fepsp_slope"), curve("io_pre", "population_spike")
    post_slope, post_spike = curve("io_post", "fepsp_slope"), curve("io_post", "population_spike")

    def shift(at: int) -> np.ndarray:
        out = []
        for j in range(pre_slope.shape[1]):     # slices (12), not synapses
            order = np.argsort(post_slope[:, j])
            post = np.interp(pre_slope[at, j], post_slope[order, j], post_spike[order, j])
            out.append(post - pre_spike[at, j])
        return np.array(out)

    return {"max": shift(-1), "mid": shift(2)}


def _t(values: np.ndarray) -> float:
    """Mean over slices in units of its standard error."""
    return float(values.mean() / (values.std(ddof=1) / np.sqrt(values.size)))


@pytest.fixture(scope="module")
def shifts_with_dendritic_spikes() -> dict[str, np.ndarray]:
    return _es_shifts(synapses_per_neuron_at_max_stimulus=300.0)


@pytest.mark.parametrize("where", ["max", "mid"])
def test_ltp_shifts_the_es_curve_left(shifts_with_dendritic_spikes: dict[str, np.ndarray],
                                      where: str) -> None:
    """With the model's per-cell dendritic spikes, at the maximal pre-LTP slope and in the
    middle of the curve, the post-LTP population spike is larger by more than three SEMs."""
    assert _t(shifts_with_dendritic_spikes[where]) > MIN_T


@pytest.fixture(scope="module")
def shifts_without_dendritic_spikes() -> dict[str, np.ndarray]:
    return _es_shifts(synapses_per_neuron_at_max_stimulus=300.0,
                      dendritic_spike_somatic_amplitude=0.0)


@pytest.mark.parametrize("where", ["max", "mid"])
def test_ltp_shifts_the_es_curve_left_without_dendritic_spikes(
        shifts_without_dendritic_spikes: dict[str, np.ndarray], where: str) -> None:
    """Inhibition and input spread alone (dendritic spikes ablated: amplitude 0) shift the curve
    too."""
    assert _t(shifts_without_dendritic_spikes[where]) > MIN_T
