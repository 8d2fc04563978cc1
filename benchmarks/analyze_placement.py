"""Slope noise of each placement on synthetic two-pathway LTP recordings (issue 15 acceptance).

Usage: ``.venv/bin/python benchmarks/analyze_placement.py [--seeds 0 1 2]`` (prints JSON).
Each seed writes a two-pathway slice recording (``tests/analysis/synthetic_slices.py``: 10 kHz,
0.30 / 0.25 mV fEPSPs on 20 uV noise, 5 % trial-to-trial amplitude variability, 20 min
baseline) and measures the per-sweep slope CV over the baseline sweeps of each pathway with:
the default placement on the average (``segment``: the widest linear segment of the 5-90 % rise),
the 20-80 % rise window of the average, the ``linear`` part of the rise found on the average,
per-sweep adaptive 20-80 % windows, and the best fixed window found by a grid search (0.1 ms
steps), anywhere from 1.2 to 5.5 ms and restricted to the 5-90 % and 5-95 % rise of the average
of the baseline sweeps.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "analysis"))

from synthetic_slices import RATE, two_pathway_ltp

from synpharm.analysis.fepsp import measure_fepsp, place_on_average
from synpharm.analysis.recordings import MeasureOptions, measure_recording
from synpharm.io import read_recording

METHODS = {
    "average_steadiest": {"slope_method": "steadiest"},
    "average_segment": {"slope_method": "segment"},
    "average_rise_20_80": {"slope_method": "rise"},
    "average_linear": {"slope_method": "linear"},
    "per_sweep_rise_20_80": {"placement": "per-sweep", "slope_method": "rise"},
}
#: Spans of the hand search: anywhere, and inside these fractions of the rise of the average.
HAND_SPANS = {"hand_best_in_rise_5_90": (0.05, 0.9), "hand_best_in_rise_5_95": (0.05, 0.95)}


def cv_percent(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(100.0 * finite.std(ddof=1) / finite.mean())


def best_fixed_window(sweeps, stimulus: float, blank: float, span: tuple[float, float]):
    """Lowest slope CV over fixed windows inside ``span`` [ms], 0.1 ms grid; (cv, window)."""
    best = (np.inf, None)
    for a in np.arange(span[0], span[1] - 0.29, 0.1):
        for b in np.arange(a + 0.3, span[1] + 1e-9, 0.1):
            window = (a * 1e-3, b * 1e-3)
            m = measure_fepsp(sweeps, RATE, stimulus, slope_method="window", window=window,
                              blank_duration=blank, min_snr=0.0)  # fmt: skip
            slope = -m.fepsp_slope
            if np.nanmean(slope) > 0:
                best = min(best, (cv_percent(slope), (round(a, 1), round(b, 1))))
    return best


def one_seed(seed: int, folder: Path) -> dict:
    path = folder / f"slice{seed}.npz"
    truth = two_pathway_ltp(path, seed=seed)
    recording = read_recording(path)
    baseline = truth["time"] < truth["induction"]
    out: dict = {"seed": seed}
    for name, options in METHODS.items():
        placed = {} if options.get("placement") else {"place_before": truth["induction"]}
        table = measure_recording(recording, MeasureOptions(pathways=2, **options, **placed))
        out[name] = {
            f"pathway{p + 1}": {
                "cv_percent": cv_percent(table.fepsp_slope[baseline & (truth["pathway"] == p)]),
                "window_ms": table.placements[p]["slope_window_ms"],
            }
            for p in (0, 1)
        }
    stimulus = table.placements[0]["stimulus_time_ms"] * 1e-3
    blank = table.placements[0]["blank_ms"] * 1e-3
    for label in ("hand_best_anywhere", *HAND_SPANS):
        out[label] = {}
        for p in (0, 1):
            rows = recording.sweeps[baseline & (truth["pathway"] == p)]
            span = (1.2, 5.5)
            if label in HAND_SPANS:
                rise, _ = place_on_average(rows, RATE, stimulus, rise_fraction=HAND_SPANS[label],
                                           blank_duration=blank)  # fmt: skip
                span = (round(rise.window[0] * 1e3, 1), round(rise.window[1] * 1e3, 1))
            cv, window = best_fixed_window(rows, stimulus, blank, span)
            out[label][f"pathway{p + 1}"] = {"cv_percent": cv, "window_ms": window}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    seeds = parser.parse_args().seeds
    with tempfile.TemporaryDirectory() as folder:
        results = [one_seed(seed, Path(folder)) for seed in seeds]
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
