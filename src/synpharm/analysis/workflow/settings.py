"""``synpharm analyze``: command-line text -> checked measurement options (SI units)."""

from __future__ import annotations

import math
from typing import Any

from synpharm.errors import InputError

__all__ = ["PRESETS", "apply_preset", "intensities", "measure_options", "time_option", "window"]

#: Named settings. ``invivo``: the in-vivo input-output convention of Slutsky-lab
#: ``fepsp_analyse`` (slope over 20-90 % of each trace's rise, amplitude from the response onset,
#: drifting baselines allowed; validated on tests/data/fepsp_invivo_io, docs/analysis.md).
PRESETS: dict[str, dict[str, Any]] = {
    "slice": {},
    "invivo": {
        "placement": "per-sweep",
        "slope_method": "rise",
        "rise": "20-90",
        "amplitude_from": "onset",
        "min_snr": 0.0,
        "max_baseline_noise": "1 mV",
    },
}

#: Defaults of the options a preset may set (None on the command line = not given).
DEFAULTS: dict[str, Any] = {
    "placement": "average",
    "slope_method": "steadiest",
    "rise": "20-80",
    "amplitude_from": "baseline",
    "min_snr": 5.0,
    "max_baseline_noise": "0.1 mV",
}


def apply_preset(settings: dict[str, Any]) -> dict[str, Any]:
    """Options not given take the preset's value, else the default (``--rise`` without
    ``--slope-method`` means ``--slope-method rise``)."""
    name = settings.get("preset") or "slice"
    if name not in PRESETS:
        raise InputError("--preset", f"unknown preset {name!r}", f"use one of {', '.join(PRESETS)}")
    out = dict(settings)
    if out.get("slope_method") is None and out.get("rise") is not None:
        out["slope_method"] = "rise"  # --rise alone asks for the rise window
    for key, default in DEFAULTS.items():
        if out.get(key) is None:
            out[key] = PRESETS[name].get(key, default)
    return out


def percent_range(text: str, field: str) -> tuple[float, float]:
    """``"20-90"`` -> (0.2, 0.9)."""
    try:
        low, high = (float(part) / 100.0 for part in text.replace("%", "").split("-"))
    except ValueError:
        raise InputError(field, f"{text!r} is not LOW-HIGH in percent", "e.g. 20-90") from None
    if not 0 < low < high < 1:
        raise InputError(field, f"{text!r} needs 0 < LOW < HIGH < 100", "e.g. 20-90")
    return low, high


def time_option(text: str | None, field: str) -> float | None:
    """``"20 min"`` -> 1200.0 [s]; None stays None."""
    if text is None:
        return None
    from synpharm.units import parse_quantity

    return parse_quantity(text, "time", field)


def window(
    text: str | None, field: str = "--window", example: str = "'2.5-3.8 ms'"
) -> tuple[float, float] | None:
    """``"2.5-3.8 ms"`` -> (2.5e-3, 3.8e-3) [s]."""
    if text is None:
        return None
    from synpharm.units import parse_quantity

    parts = text.strip().split()
    bounds = parts[0].split("-") if parts else []
    if len(parts) != 2 or len(bounds) != 2:
        raise InputError(field, f"{text!r} is not 'START-END UNIT'", f"e.g. {example}")
    start, end = (parse_quantity(f"{b} {parts[1]}", "time", field) for b in bounds)
    if not start < end:
        raise InputError(field, f"{text!r} is empty", "give START < END")
    return start, end


def _manual(settings: dict[str, Any]):
    """Hand-given places, one for all pathways or one per pathway (repeated options)."""
    from synpharm.analysis.recordings import Manual

    windows = [window(t) for t in settings.get("window") or []]
    peaks = [time_option(t, "--peak") for t in settings.get("peak") or []]
    volleys = [time_option(t, "--volley") for t in settings.get("volley") or []]
    n = max(len(windows), len(peaks), len(volleys))
    for name, values in (("--window", windows), ("--peak", peaks), ("--volley", volleys)):
        if len(values) not in (0, 1, n):
            raise InputError(name, f"given {len(values)} times", f"give it once or {n} times")

    def pick(values: list, k: int):
        return values[min(k, len(values) - 1)] if values else None

    return tuple(Manual(pick(windows, k), pick(peaks, k), pick(volleys, k)) for k in range(n))


def measure_options(settings: dict[str, Any]):
    """:class:`~synpharm.analysis.recordings.MeasureOptions` from the command-line settings."""
    from synpharm.analysis.recordings import MeasureOptions
    from synpharm.units import parse_quantity

    noise = settings["max_baseline_noise"]
    max_sd = parse_quantity(noise, "voltage", "--max-baseline-noise")
    if not (math.isfinite(max_sd) and max_sd > 0):
        raise InputError("--max-baseline-noise", f"{noise!r} must be > 0", "e.g. '0.1 mV'")
    min_snr = settings["min_snr"]
    if not (math.isfinite(min_snr) and min_snr >= 0):
        raise InputError("--min-snr", f"{min_snr} must be a number >= 0", "e.g. 5")
    blank = time_option(settings.get("blank"), "--blank")
    if blank is not None and not (math.isfinite(blank) and blank >= 0):
        raise InputError("--blank", f"{blank} s must be >= 0", "e.g. '1 ms'")
    return MeasureOptions(
        slope_method=settings["slope_method"],
        rise_fraction=percent_range(settings["rise"], "--rise"),
        amplitude_reference=settings["amplitude_from"],
        stimulus_time=time_option(settings["stimulus_time"], "--stimulus-time"),
        blank_duration=blank,
        min_snr=min_snr,
        max_baseline_sd=max_sd,
        placement=settings["placement"],
        polarity=settings["polarity"],
        slope_sign=settings["slope_sign"],
        pathways=settings["pathways"],
        manual=_manual(settings),
    )


def check_times_fit(recordings, options) -> None:
    """A stated --stimulus-time or --window must lie inside the sweeps of every file."""
    for rec in recordings:
        duration = rec.sweeps.shape[1] / rec.sampling_rate
        stimulus = options.stimulus_time
        if stimulus is not None and not 0 < stimulus < duration:
            raise InputError(
                "--stimulus-time",
                f"{stimulus:g} s is outside the {duration:g} s sweeps of {rec.file_name}",
                "give the stimulus time from the sweep start",
            )
        start = stimulus if stimulus is not None else rec.stimulus_time
        for manual in options.manual:
            if manual.window is not None and (start or 0.0) + manual.window[1] > duration:
                raise InputError(
                    "--window",
                    f"ends at {(start or 0.0) + manual.window[1]:g} s, after the end of the "
                    f"{duration:g} s sweeps of {rec.file_name}",
                    "give START-END after the stimulus inside the sweep",
                )


def intensities(text: str | None) -> tuple[list[float], str] | None:
    """``"20,40,60,80,100 uA"`` -> ([20, 40, 60, 80, 100], "uA")."""
    if text is None:
        return None
    values, _, unit = text.strip().partition(" ")
    try:
        numbers = [float(v) for v in values.split(",") if v]
    except ValueError:
        numbers = []
    if not numbers or not unit.strip():
        raise InputError(
            "--intensities", f"{text!r} is not 'V1,V2,... UNIT'", "e.g. '20,40,60,80,100 uA'"
        )
    return numbers, unit.strip()


def with_intensities(recordings, stated: tuple[list[float], str] | None):
    """Intensity of every sweep from its group index (one stated value per group)."""
    if stated is None:
        return recordings
    import dataclasses

    import numpy as np

    values = np.asarray(stated[0])
    out = []
    for r in recordings:
        if int(r.group.max()) + 1 != values.size:
            raise InputError(
                "--intensities",
                f"{values.size} values for {int(r.group.max()) + 1} groups in {r.file_name}",
                "give one intensity per group (MATLAB cell column)",
            )
        out.append(dataclasses.replace(r, intensity=values[r.group].astype(float)))
    return out
