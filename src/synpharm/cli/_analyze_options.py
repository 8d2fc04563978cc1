"""Command-line options of ``synpharm analyze`` (types with their help texts)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from synpharm.analysis.workflow import PROTOCOLS

Files = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Recordings (.abf, .nwb, .mat, .csv, .npy/.npz) or per-sweep tables "
        "(.parquet, or .csv with time and slope columns) to re-summarise.",
        show_default=False,
    ),
]

Protocol = Annotated[str, typer.Option(help=f"What the recordings are: {', '.join(PROTOCOLS)}.")]

SlopeMethod = Annotated[
    str | None,
    typer.Option(
        help="fEPSP slope: steadiest (the window between the fiber volley and 90 % of the "
        "amplitude of the average whose per-sweep slopes vary least over the baseline; "
        "default), segment (widest linear part of the rise, from the fiber volley to "
        "90 % of the amplitude, straight within one sweep's noise sd), rise "
        "(LOW-HIGH % of the amplitude; the default with --rise or --preset invivo), max "
        "(steepest 1 ms), linear (longest part within 5 % of the amplitude), window."
    ),
]

Rise = Annotated[
    str | None,
    typer.Option(help="Rise fractions in percent for --slope-method rise \\[default: 20-80]."),
]

Placement = Annotated[
    str | None,
    typer.Option(
        help="Where sweeps are measured: average (window, peak and volley found on the "
        "averaged sweep of each channel/pathway, used for every sweep) or per-sweep "
        "(adaptive) \\[default: average].",
        show_default=False,
    ),
]

Window = Annotated[
    list[str] | None,
    typer.Option(
        help="Slope window after the stimulus, e.g. '2.5-3.8 ms'; once for all pathways "
        "or once per pathway \\[default: found on the averaged sweep].",
        show_default=False,
    ),
]

Peak = Annotated[
    list[str] | None,
    typer.Option(
        help="Time after the stimulus at which the amplitude is read, e.g. '4.5 ms' "
        "(once, or once per pathway).",
        show_default=False,
    ),
]

Volley = Annotated[
    list[str] | None,
    typer.Option(
        help="Time after the stimulus at which the fiber volley is read, e.g. '1.6 ms'.",
        show_default=False,
    ),
]

Blank = Annotated[
    str | None,
    typer.Option(
        help="Artefact blanking after the stimulus, e.g. '1 ms' \\[default: from the artefact].",
        show_default=False,
    ),
]

Polarity = Annotated[str, typer.Option(help="Field polarity: negative, positive, auto.")]

SlopeSign = Annotated[
    str,
    typer.Option(help="Slope as magnitude (positive in the direction of the response) or signed."),
]

AmplitudeFrom = Annotated[
    str | None,
    typer.Option(
        help="fEPSP amplitude from the pre-stimulus baseline or the response onset "
        "(drifting in-vivo baselines): baseline, onset \\[default: baseline].",
        show_default=False,
    ),
]

Preset = Annotated[
    str | None,
    typer.Option(
        help="Named settings: slice, invivo (per-sweep 20-90 % rise from the response "
        "onset, --min-snr 0, --max-baseline-noise '1 mV').",
        show_default=False,
    ),
]

Sheet = Annotated[
    Path | None,
    typer.Option(
        help="Experiment sheet (CSV: file, slice, condition, pathways, induction, drug): "
        "per-slice LTP, group mean +- SEM and tests across slices.",
        show_default=False,
    ),
]

Variable = Annotated[
    str | None, typer.Option(help="MATLAB files: the traces variable.", show_default=False)
]

SamplingRate = Annotated[
    str | None,
    typer.Option(
        help="Samples per second (Hz, or e.g. '20 kHz') for files that do not state it.",
        show_default=False,
    ),
]

Units = Annotated[
    str | None,
    typer.Option(help="Units of files that do not state them (mV, uV, V, pA).", show_default=False),
]

Layout = Annotated[str, typer.Option(help="MATLAB arrays: samples_by_sweeps or sweeps_by_samples.")]

StimulusTime = Annotated[
    str | None,
    typer.Option(
        help="Stimulus time in each sweep, e.g. '5 ms' \\[default: from the file or "
        "the stimulus artefact].",
        show_default=False,
    ),
]

Induction = Annotated[
    str | None,
    typer.Option(
        help="LTP induction time from the recording start, e.g. '20 min' "
        "\\[default: the file's induction tag, else (with --join) the first protocol change "
        "or pause between the files, else the first pause in the sweep times].",
        show_default=False,
    ),
]

Drug = Annotated[
    str | None,
    typer.Option(
        help="Drug application time, e.g. '10 min' \\[default: the file's drug tag].",
        show_default=False,
    ),
]

Pathways = Annotated[int, typer.Option(help="Interleaved pathways (2: test/control).")]

Join = Annotated[
    bool,
    typer.Option(
        "--join",
        help="FILES are consecutive recordings of one slice: join them into one time course "
        "(in order of their start times, else as given); the induction is found where the "
        "sweep protocol changes between them.",
    ),
]

LtpWindow = Annotated[
    str | None,
    typer.Option(
        help="Also report LTP over this window after induction, e.g. '60-70 min' "
        "(ltp_percent is 50-60 min).",
        show_default=False,
    ),
]

Intensities = Annotated[
    str | None,
    typer.Option(
        help="Stimulus intensity of each group, e.g. '20,40,60,80,100 uA' (files that do "
        "not state it).",
        show_default=False,
    ),
]

MinSnr = Annotated[
    float | None,
    typer.Option(help="Sweeps with amplitude below this many baseline sds: NaN \\[default: 5]."),
]

MaxBaselineNoise = Annotated[
    str | None,
    typer.Option(help="Sweeps with a noisier baseline (sd) are NaN \\[default: 0.1 mV]."),
]

JsonOutput = Annotated[bool, typer.Option("--json", help="Print the JSON document to stdout.")]

Out = Annotated[
    Path | None,
    typer.Option(
        help="Output folder \\[default: out/analyze/<first file name>].", show_default=False
    ),
]
