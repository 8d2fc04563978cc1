"""The figure of an in-vivo dosing study: one panel per assay, arms in colour."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["draw_invivo"]

DAY = 86400.0


def _mean_sem(values: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    finite = np.isfinite(values)
    n = finite.sum(axis=axis)
    mean = np.nanmean(values, axis=axis)
    sem = np.nanstd(values, axis=axis, ddof=1) / np.sqrt(np.maximum(n, 1))
    return mean, sem


#: line styles by arm, so that arms with identical curves stay visible on top of each other
_STYLES = ("-", "--", ":", "-.")


def _signaling_panel(ax, study, arms) -> None:
    for k, data in enumerate(arms):
        ax.plot(data.times / 3600.0, data.species["synaptic_protein"], label=data.arm.name,
                color=f"C{k}", ls=_STYLES[k % len(_STYLES)], lw=2.0)
    ax.set(xlabel="time after dose [h]", ylabel="synaptic protein [relative to baseline]",
           title="signalling: synaptic protein",
           xlim=(min(-1.0, data.times[0] / 3600.0), min(48.0, data.times[-1] / 3600.0)))


def _density_panel(ax, study, arms) -> None:
    days = np.array([t for _, t in study.sessions]) / DAY
    for k, data in enumerate(arms):
        density = data.imaging["density_per_10um"]
        mean, sem = _mean_sem(100.0 * (density / density[:, :1] - 1.0))
        ax.errorbar(days, mean, sem, marker="o", ms=3, capsize=2, label=data.arm.name,
                    color=f"C{k}")
    ax.axhline(0.0, color="0.6", lw=0.8)
    ax.set(xlabel="time after dose [days]", ylabel="density change from first session [%]",
           title="imaging: spine density")


def _turnover_panel(ax, study, arms) -> None:
    days = np.array([t for _, t in study.sessions]) / DAY
    middle = 0.5 * (days[1:] + days[:-1])
    single = middle.size == 1  # one interval: bars side by side instead of a time axis
    for k, data in enumerate(arms):
        colour = f"C{k}"
        for j, (key, style) in enumerate((("formation_rate", "-"), ("elimination_rate", "--"))):
            mean, sem = _mean_sem(100.0 * data.imaging[key])
            x = np.array([k + 0.3 * j]) if single else middle
            ax.errorbar(x, mean, sem, ls=style, marker="o" if j == 0 else "s", ms=3, capsize=2,
                        color=colour, label=f"{data.arm.name}: {key.split('_')[0]}")
    if single:
        ax.set_xticks(np.arange(len(arms)) + 0.15, [a.arm.name for a in arms], rotation=30,
                      ha="right", fontsize=6)
        ax.set(xlabel=f"interval {days[0]:g}-{days[1]:g} days (o formation, s elimination)",
               ylabel="% of spines per day", title="formation / elimination")
    else:
        ax.set(xlabel="interval midpoint [days]", ylabel="% of spines per day",
               title="formation (-) / elimination (--)", xscale="symlog")


def _bar_panel(ax, names, series, ylabel, title) -> None:
    x = np.arange(len(names))
    for i, values in enumerate(series):
        mean, sem = _mean_sem(values)
        ax.bar(x[i], mean, yerr=sem, color=f"C{i}", capsize=3, alpha=0.8)
        jitter = np.linspace(-0.2, 0.2, values.size)
        ax.plot(x[i] + jitter, values, ".", color="k", ms=2)
    ax.set(xticks=x, ylabel=ylabel, title=title)
    ax.set_xticklabels(names, rotation=20, ha="right")


def draw_invivo(figure, study, arms, conditions: list[Any]) -> None:
    """Draw the panels that the study's assays produced."""
    panels = ["signaling"]
    if study.sessions:
        panels += ["density", "turnover"]
    for label, _ in study.golgi_times:
        panels += [f"golgi_density:{label}", f"golgi_mushroom:{label}"]
    if study.slice_ltp is not None:
        panels.append("slice")
    columns = min(3, len(panels))
    rows = -(-len(panels) // columns)
    axes = np.atleast_1d(figure.subplots(rows, columns)).ravel()
    for ax in axes[len(panels):]:
        ax.set_visible(False)
    for ax, panel in zip(axes, panels, strict=False):
        _draw_panel(ax, panel, study, arms, conditions)
    from matplotlib.patches import Patch

    handles = [Patch(color=f"C{k}", label=a.arm.name) for k, a in enumerate(arms)]
    figure.legend(handles=handles, loc="outside lower center", ncol=min(len(arms), 6),
                  fontsize=7, title="arms (same colour in every panel)", title_fontsize=7)
    figure.suptitle(study.name)


def _draw_panel(ax, panel: str, study, arms, conditions) -> None:
    names = [a.arm.name for a in arms]
    kind, _, label = panel.partition(":")
    simple = {"signaling": _signaling_panel, "density": _density_panel,
              "turnover": _turnover_panel}
    if kind in simple:
        simple[kind](ax, study, arms)
    elif kind == "golgi_density":
        _bar_panel(ax, names, [a.golgi[label]["density_per_10um"] for a in arms],
                   "spine density [spines per 10 µm]", f"Golgi density at {label}")
    elif kind == "golgi_mushroom":
        _bar_panel(ax, names, [100.0 * a.golgi[label]["mushroom_fraction"] for a in arms],
                   "mushroom spines [%]", f"Golgi mushroom fraction at {label}")
    else:
        slices = [c for c in conditions if c.name.endswith(" slice")]
        _bar_panel(ax, [c.name.removesuffix(" slice") for c in slices],
                   [np.asarray(c.readouts["ltp_percent"].values) for c in slices],
                   "fEPSP slope 50-60 min [% of baseline]",
                   f"ex-vivo CA1 LTP ({study.slice_ltp.protocol})")
        ax.axhline(100.0, color="0.4", lw=0.8, ls=":")
