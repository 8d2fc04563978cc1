"""The stratum-pyramidale electrode: a passive observer, and a population spike that follows
the drive and the inhibition of the simulated slice."""

from __future__ import annotations

import numpy as np

from synpharm.experiments.slice import protocol_preparation, run_protocol
from synpharm.protocols import Protocol


def _io(site: str, intensities=(0.5, 1.0), repeats: int = 3) -> Protocol:
    return Protocol.from_dict({
        "experiment": {"name": "io", "recording_site": site},
        "steps": [{"type": "input_output", "intensities": list(intensities),
                   "repeats": repeats, "rate": "0.1 Hz"}],
    })


def _run(protocol: Protocol, **override: float):
    prep = protocol_preparation(protocol)
    if override:
        prep = type(prep)(prep.name, prep.parameters.with_values(**override))
    return run_protocol(protocol, cohort=3, seed=2, prep=prep).conditions[0]


def test_somatic_electrode_does_not_change_the_slice() -> None:
    """Recording the threshold-free soma leaves every fEPSP measurement identical."""
    radiatum = _run(_io("stratum_radiatum"))
    pyramidale = _run(_io("stratum_pyramidale"))
    np.testing.assert_array_equal(radiatum.pulses.fepsp_slope, pyramidale.pulses.fepsp_slope)
    assert radiatum.pulses.population_spike_amplitude is None
    assert "io_population_spike_100" in pyramidale.readouts
    assert "io_population_spike_100" not in radiatum.readouts
    assert "io_fepsp_slope_100" in radiatum.readouts


def test_blocking_feed_forward_gabaa_enlarges_and_repeats_the_population_spike() -> None:
    """GABA-A block (here: no feed-forward GABA-A conductance, a preparation override)
    lengthens the EPSP: more cells fire, and fire again (Wigstrom & Gustafsson 1983)."""
    protocol = _io("stratum_pyramidale", intensities=(1.0,), repeats=4)
    control = _run(protocol).pulses
    blocked = _run(protocol, feedforward_gabaa_conductance=0.0).pulses
    assert blocked.population_spike_amplitude.mean() > 3 * control.population_spike_amplitude.mean()
    assert blocked.population_spike_amplitude.mean() > 0.05e-3
    assert blocked.population_spike_count.max() >= 2
    assert blocked.population_spike_count.mean() > control.population_spike_count.mean() + 0.5


def test_input_output_figure_and_pulse_table_are_written(tmp_path) -> None:
    from synpharm.report.figures import save
    from synpharm.report.input_output import draw_input_output, has_input_output

    protocol = _io("stratum_pyramidale", intensities=(0.5, 1.0), repeats=1)
    result = run_protocol(protocol, cohort=2, seed=1)
    assert has_input_output(result)
    save(lambda figure: draw_input_output(figure, result), tmp_path / "io", (12.0, 3.0))
    assert (tmp_path / "io.png").stat().st_size > 0
    from synpharm.report.outputs import pulses_csv

    header = pulses_csv(result).splitlines()[0].split(",")
    assert header[-2:] == ["population_spike_amplitude_mV", "population_spike_count"]


def test_population_spike_reads_the_dendritic_spikes() -> None:
    """The population fires from the threshold-free soma, which the dendrite drives: with a
    drive whose maximal shocks cross the dendritic-spike threshold (300 contacts per cell, a
    preparation override), dendritic spikes enlarge the population spike at 100 %; without
    them (somatic amplitude 0) the same shocks give a smaller one."""
    protocol = _io("stratum_pyramidale", intensities=(1.0,), repeats=3)
    drive = {"synapses_per_neuron_at_max_stimulus": 300.0}
    with_spikes = _run(protocol, **drive).pulses
    without = _run(protocol, **drive, dendritic_spike_somatic_amplitude=0.0).pulses
    assert (with_spikes.population_spike_amplitude.mean()
            > 1.5 * without.population_spike_amplitude.mean())
