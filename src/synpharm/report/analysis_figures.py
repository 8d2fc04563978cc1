"""Figures of ``synpharm analyze``: QC per recording and pathway, LTP time course, input-output
curve, concentration-response fit (analysis_conventions.md 4d). Matplotlib is imported lazily.

The QC figure shows, for one channel and pathway of one file, each block's averaged sweep
(artefact blanked, baseline at 0, with scale bars) with the blanked span, fiber volley, slope
window (and its regression line), peak and onset marked -- where every sweep was measured --
and every sweep's slope and amplitude over time.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["write_figures"]


def write_figures(folder: Path, figures: dict[str, Any]) -> list[str]:
    """Draw every figure of ``figures`` into ``folder`` as PNG and SVG; the PNG names."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    makers = {
        "time_course": _time_course_figure,
        "input_output": _input_output_figure,
        "dose_response": _dose_response_figure,
        "group_time_course": _group_figure,
    }
    drawn: list[tuple[str, Any]] = []
    for name, data in figures.items():
        if not data:
            continue
        if name == "qc":
            drawn += [(_qc_name(entry), entry) for entry in data]
            continue
        drawn.append((name, (makers[name], data)))
    written = []
    for name, item in drawn:
        fig = _qc_figure(plt, item) if name.startswith("qc_") else item[0](plt, item[1])
        fig.savefig(folder / f"{name}.png", dpi=120)
        fig.savefig(folder / f"{name}.svg", metadata={"Date": None})
        plt.close(fig)
        written.append(f"{name}.png")
    return written


def _qc_name(entry: dict[str, Any]) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(entry["file"]).stem)
    return f"qc_{stem}_ch{entry['channel']}_pathway{entry['pathway'] + 1}"


def _mark_block(ax, block: dict[str, Any], colour: str) -> None:
    t, mv = np.asarray(block["time_ms"]), np.asarray(block["mV"])
    ax.axvspan(0.0, block["blank_ms"], color="0.85", lw=0)
    window = block.get("slope_window_ms")
    if window is not None:
        inside = (t >= window[0] - 1e-9) & (t <= window[1] + 1e-9)
        if inside.sum() >= 2:
            fit = np.polyfit(t[inside], mv[inside], 1)
            ax.plot(t[inside], np.polyval(fit, t[inside]), color="k", lw=2.2, alpha=0.6)
        ax.axvspan(window[0], window[1], color=colour, alpha=0.12, lw=0)
    for key, marker in (("volley_ms", "v"), ("peak_ms", "o"), ("onset_ms", "s")):
        if block.get(key) is not None:
            ax.plot(block[key], np.interp(block[key], t, mv), marker, color=colour, ms=6,
                    mfc="none", mew=1.4)  # fmt: skip


def _scale_bars(ax, span_mv: float) -> None:
    """An L-shaped scale bar (1 ms, a round voltage) in the lower right corner."""
    height = float(10 ** np.floor(np.log10(max(span_mv, 1e-6) / 2)))
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    x, y = x1 - 0.08 * (x1 - x0) - 1.0, y0 + 0.08 * (y1 - y0)
    ax.plot([x, x + 1.0, x + 1.0], [y, y, y + height], color="k", lw=1.5)
    ax.text(x + 0.5, y, "1 ms", ha="center", va="top", fontsize=7)
    ax.text(x + 1.1, y + height / 2, f"{height:g} mV", ha="left", va="center", fontsize=7)


def _qc_traces(ax, entry: dict[str, Any]) -> None:
    low, high = 0.0, 0.0
    for k, block in enumerate(entry["blocks"]):
        colour = f"C{k % 10}"
        mv = np.asarray(block["mV"])
        ax.plot(block["time_ms"], mv, color=colour, lw=1.0, label=block["label"])
        _mark_block(ax, block, colour)
        t = np.asarray(block["time_ms"])
        after = mv[t > block["blank_ms"]]
        if after.size:
            low, high = min(low, float(after.min())), max(high, float(after.max()))
    span = max(high - low, 1e-3)
    ax.set_ylim(low - 0.15 * span, high + 0.15 * span)  # the artefact is blanked; clip the rest
    _scale_bars(ax, span)
    ax.set_xlabel("time from the stimulus [ms]")
    ax.set_ylabel("averaged sweep [mV]")
    ax.set_title("grey: blanked; shade: slope window; v volley, o peak, s onset", fontsize=7)
    if len(entry["blocks"]) <= 8:
        ax.legend(frameon=False, fontsize=6, loc="upper right")


def _qc_figure(plt, entry: dict[str, Any]):
    fig = plt.figure(figsize=(9, 4.2))
    grid = fig.add_gridspec(2, 2, width_ratios=(1.2, 1))
    traces = fig.add_subplot(grid[:, 0])
    slope, amplitude = fig.add_subplot(grid[0, 1]), fig.add_subplot(grid[1, 1])
    _qc_traces(traces, entry)
    x = np.asarray(entry["x"], dtype=float)
    slope.plot(x, np.asarray(entry["slope"], dtype=float), ".", ms=3, color="C0")
    slope.set_ylabel(f"slope [{entry['slope_unit']}]", fontsize=8)
    amplitude.plot(x, np.asarray(entry["amplitude_mV"], dtype=float), ".", ms=3, color="C1")
    amplitude.set_ylabel("amplitude [mV]", fontsize=8)
    amplitude.set_xlabel(entry["x_label"])
    slope.tick_params(labelbottom=False)
    if entry.get("induction_x") is not None:
        for ax in (slope, amplitude):
            ax.axvline(entry["induction_x"], color="0.3", lw=0.8, ls="--")
        slope.text(entry["induction_x"], 1.0, " induction", transform=slope.get_xaxis_transform(),
                   va="top", fontsize=7, color="0.3")  # fmt: skip
    if not np.isfinite(np.asarray(entry["slope"], dtype=float)).any():
        reasons = {b.get("commonest_flag") for b in entry["blocks"]} - {None}
        text = f"no sweep measured ({', '.join(sorted(reasons)) or 'no reason'})"
        for ax in (slope, amplitude):
            ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center",
                    fontsize=8, color="C3")  # fmt: skip
    name = entry["channel_name"]
    named = "" if name in (str(entry["channel"]), f"channel {entry['channel']}") else f" ({name})"
    fig.suptitle(
        f"{entry['file']}  channel {entry['channel']}{named}  pathway {entry['pathway'] + 1}",
        fontsize=9,
    )
    fig.tight_layout()
    return fig


def _time_course_figure(plt, data: dict[str, Any]):
    """``data``: {"groups": [{"name", "time_min", "mean", "sem"}]}."""
    fig, ax = plt.subplots(figsize=(7, 4.2))
    markers = "osD^v<>"
    for k, group in enumerate(data["groups"]):
        t, mean, sem = (np.asarray(group[n], dtype=float) for n in ("time_min", "mean", "sem"))
        ax.errorbar(t, mean, yerr=np.nan_to_num(sem), fmt=markers[k % len(markers)], ms=3.5,
                    color=f"C{k % 10}", label=group["name"], capsize=0, lw=0.8,
                    mfc="white" if k % 2 else None)  # fmt: skip
    ax.axhline(100.0, color="0.6", lw=0.8, ls="--")
    ax.axvline(0.0, color="0.3", lw=0.8)
    ax.set_xlabel("time from induction [min]")
    ax.set_ylabel("fEPSP slope [% of baseline]")
    ax.legend(frameon=False, fontsize=8, loc="upper left")
    fig.tight_layout()
    return fig


def _group_figure(plt, data: dict[str, Any]):
    """Group time courses (mean +- SEM over slices, % of baseline) and per-slice LTP."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.2), width_ratios=(2.2, 1))
    conditions = list(dict.fromkeys(c["condition"] for c in data["courses"]))
    for c in data["courses"]:
        k = conditions.index(c["condition"])
        control = c["role"] != "test"
        t, mean, sem = (np.asarray(c[n], dtype=float) for n in ("time_min", "mean", "sem"))
        label = f"{c['condition']} ({c['role']}, n = {max(c['n'], default=0)})"
        left.errorbar(t, mean, yerr=np.nan_to_num(sem), fmt="s" if control else "o", ms=3.5,
                      color=f"C{k % 10}", mfc="white" if control else None, lw=0.8, capsize=0,
                      label=label)  # fmt: skip
    left.axhline(100.0, color="0.6", lw=0.8, ls="--")
    left.axvline(0.0, color="0.3", lw=0.8)
    left.set_xlabel("time from induction [min]")
    left.set_ylabel("fEPSP slope [% of baseline]")
    left.legend(frameon=False, fontsize=7, loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2)
    for j, g in enumerate(data["groups"]):
        k = conditions.index(g["condition"])
        mean = np.nan if g["ltp_percent"] is None else g["ltp_percent"]
        right.bar(j, mean, yerr=g["sem"] or 0.0, color=f"C{k % 10}", capsize=3,
                  alpha=0.35 if g["role"] != "test" else 0.8)  # fmt: skip
        points = np.asarray(g.get("values", []), dtype=float)
        right.plot(np.full(points.size, j) + np.linspace(-0.15, 0.15, points.size), points,
                   "o", color="k", ms=3, mfc="white")  # fmt: skip
    right.axhline(100.0, color="0.6", lw=0.8, ls="--")
    right.set_xticks(range(len(data["groups"])))
    labels = [f"{g['condition']}\n{g['role']}" for g in data["groups"]]
    right.set_xticklabels(labels, fontsize=7, rotation=30, ha="right")
    right.set_ylabel("LTP, 50-60 min [% of baseline]")
    fig.tight_layout()
    return fig


def _input_output_figure(plt, data: dict[str, Any]):
    """``data``: {"series": [{"name", "points": [{"intensity", "fepsp_slope", ...}]}]}."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3.6))
    for k, series in enumerate(data["series"]):
        points = series["points"]
        x = [p["intensity"] for p in points]
        slope = [np.nan if p["fepsp_slope"] is None else p["fepsp_slope"] for p in points]
        volley = [
            np.nan if p["fiber_volley_amplitude"] is None else p["fiber_volley_amplitude"]
            for p in points
        ]
        left.plot(x, slope, "o-", color=f"C{k % 10}", ms=3, label=series["name"])
        right.plot(volley, slope, "o", color=f"C{k % 10}", ms=3)
    left.set_xlabel(data.get("intensity_label", "stimulus intensity"))
    left.set_ylabel("fEPSP slope [mV/ms]")
    right.set_xlabel("fiber volley amplitude [mV]")
    right.set_ylabel("fEPSP slope [mV/ms]")
    left.legend(frameon=False, fontsize=6)
    fig.tight_layout()
    return fig


def _dose_response_figure(plt, fit: dict[str, Any]):
    from synpharm.analysis.fitting import hill_equation

    fig, ax = plt.subplots(figsize=(4.5, 3.6))
    conc = np.asarray(fit["concentrations_uM"], dtype=float)
    ax.semilogx(conc, fit["responses"], "o", color="C0")
    grid = np.geomspace(conc.min() / 3, conc.max() * 3, 200)
    ax.semilogx(
        grid,
        hill_equation(grid, fit["ec50_uM"], fit["hill_slope"], fit["bottom"], fit["top"]),
        color="C0",
    )
    ax.set_xlabel("concentration [uM]")
    ax.set_ylabel(fit["readout"])
    ax.set_title(f"EC50 {fit['ec50_uM']:.3g} uM", fontsize=9)
    fig.tight_layout()
    return fig
