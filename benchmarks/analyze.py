"""Benchmark: fEPSP measurement of 1,000 sweeps of 10 kHz, 100 ms traces (issue 6 acceptance).

Usage: ``.venv/bin/python benchmarks/analyze.py`` (prints JSON). The sweeps are synthesised with
the simulator's field-potential model (noise included) and measured the way ``synpharm
analyze`` measures a file: stimulus-artefact detection on the mean sweep, then slope, amplitude
and fiber volley of every sweep, for each slope convention and placement (on the average, per
sweep). Target: <= 2 s per convention, and for the whole ``synpharm analyze`` pipeline on a
1,000-sweep NumPy file (reading, measuring, summary, CSV and Parquet tables; and with the QC
figure), excluding Python start-up and imports.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import numpy as np

from synpharm.analysis.recordings import MeasureOptions, measure_recording
from synpharm.io import Recording
from synpharm.model.field_potential import (
    field_waveform_from_parameters,
    synthesize_field_sweeps,
)
from synpharm.parameters import load_parameter_set, package_parameter_file

N_SWEEPS = 1000
RATE = 10e3
DURATION = 0.1
STIMULUS = 0.01


def _sweeps() -> np.ndarray:
    wave = field_waveform_from_parameters(
        load_parameter_set(package_parameter_file("field_potential"))
    )
    rng = np.random.default_rng(0)
    scale = rng.uniform(0.5e-3, 1.5e-3, N_SWEEPS)
    return synthesize_field_sweeps(
        scale,
        0.2 * scale,
        waveform=wave,
        sampling_rate=RATE,
        sweep_duration=DURATION,
        stimulus_time=STIMULUS,
        rng=rng,
    )


def _recording(sweeps: np.ndarray) -> Recording:
    n = sweeps.shape[0]
    return Recording(
        sweeps=sweeps,
        sampling_rate=RATE,
        channel=np.zeros(n, dtype=np.intp),
        group=np.zeros(n, dtype=np.intp),
        sweep=np.arange(n, dtype=np.intp),
        channel_names=("field",),
        channel_units=("V",),
        source="benchmark.npy",
    )


def _best(function, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def _pipeline(sweeps: np.ndarray, with_figures: bool) -> float:
    from synpharm.analysis.workflow.files import analyze_files
    from synpharm.analysis.workflow.settings import apply_preset
    from synpharm.report.analysis_outputs import write_analysis

    names = ("rise", "window", "peak", "volley", "blank", "placement", "amplitude_from", "preset",
             "variable", "sampling_rate", "units", "stimulus_time", "induction", "drug",
             "intensities", "ltp_window", "min_snr", "max_baseline_noise", "sheet")  # fmt: skip
    given = {"protocol": "fepsp", "slope_method": None, "layout": "samples_by_sweeps",
             "pathways": 1, "polarity": "negative", "slope_sign": "magnitude"}  # fmt: skip
    settings = apply_preset({name: None for name in names} | given)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "sweeps.npz"
        np.savez(path, sweeps=sweeps * 1e3, sampling_rate=RATE, units="mV")

        def run() -> None:
            document, table, figures, tables = analyze_files([path], settings)
            shown = figures if with_figures else None
            write_analysis(Path(folder) / "out", document, table, shown, tables)

        run()  # imports (pint, pyarrow, matplotlib) outside the timing
        return _best(run)


def main() -> None:
    sweeps = _sweeps()
    recording = _recording(sweeps)
    report: dict[str, object] = {
        "n_sweeps": N_SWEEPS,
        "sampling_rate_hz": RATE,
        "sweep_duration_s": DURATION,
    }
    flags = {}
    for placement in ("average", "per-sweep"):
        for method in ("segment", "rise", "window", "max", "linear"):
            options = MeasureOptions(slope_method=method, placement=placement)
            table = measure_recording(recording, options)
            name = f"{placement}_{method}"
            flags[name] = int((table.flag != "").sum())
            report[f"measure_{name}_s"] = round(
                _best(lambda o=options: measure_recording(recording, o)), 3
            )
    report["flagged_sweeps"] = flags
    report["analyze_pipeline_npz_tables_s"] = round(_pipeline(sweeps, False), 3)
    report["analyze_pipeline_npz_with_qc_figure_s"] = round(_pipeline(sweeps, True), 3)
    report["target_s"] = 2.0
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
