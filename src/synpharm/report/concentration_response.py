"""Concentration-response figure: every data point, the Hill curve and its bootstrap CI band.

One panel per series (compound x readout). Points are per-slice (or per-cell) values at each
concentration, with the mean ± SEM beside them; control values are drawn at the left edge
(labelled "control") because a log axis has no zero. The curve is the four-parameter Hill fit
(:func:`synpharm.analysis.fitting.fit_hill`), the band the pointwise 95 % percentile interval
of fits to bootstrap resamples of the points (fixed seed: the same data give the same figure).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from synpharm.style import format_concentration

__all__ = [
    "Series",
    "draw_concentration_response",
    "draw_panel",
    "hill_band",
    "series_from_result",
    "series_from_sweep",
]

_BOOTSTRAP = 200


@dataclass(frozen=True)
class Series:
    """One concentration-response data set.

    Attributes
    ----------
    title
        Panel title, e.g. ``"baclofen"``.
    response
        Axis label of the response with its unit, e.g. ``"baseline inhibition [%]"``.
    concentrations_uM
        Concentration of each point [µM], shape ``(n,)`` (> 0).
    responses
        Response of each point, shape ``(n,)``.
    control
        Responses without drug, shape ``(m,)`` (may be empty).
    summary
        Fit numbers to print on the panel (e.g. ``"IC50 4.3 µM (95 % CI 3.3–5.5)"``).
    compound
        Name on the concentration axis (default: ``title``).
    """

    title: str
    response: str
    concentrations_uM: np.ndarray
    responses: np.ndarray
    control: np.ndarray
    summary: str = ""
    compound: str = ""


def hill_band(
    concentration: np.ndarray, response: np.ndarray, grid: np.ndarray, *, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Hill fit on ``grid`` and the pointwise 95 % bootstrap band.

    Returns
    -------
    tuple of numpy.ndarray
        ``(curve, low, high)``, each shape ``grid.shape``; NaN when no fit is possible.
    """
    from synpharm.analysis.fitting import fit_hill
    from synpharm.errors import InputError

    nan = np.full(grid.shape, np.nan)
    try:
        curve = fit_hill(concentration, response, n_bootstrap=0).predict(grid)
    except InputError:
        return nan, nan, nan
    rng = np.random.default_rng(seed)
    curves = []
    for _ in range(_BOOTSTRAP):
        pick = rng.integers(0, response.size, response.size)
        if np.unique(concentration[pick]).size < 4:
            continue
        try:
            fit = fit_hill(concentration[pick], response[pick], n_bootstrap=0)
        except (InputError, RuntimeError, ValueError):
            continue
        curves.append(fit.predict(grid))
    if len(curves) < _BOOTSTRAP // 2:
        return curve, nan, nan
    low, high = np.percentile(np.array(curves), [2.5, 97.5], axis=0)
    return curve, low, high


def series_from_result(result: Any) -> list[Series]:
    """The series of a slice or single-cell experiment, from its Hill fits (``analyses``).

    Each fit in ``result.analyses["concentration_response"]`` names a compound; its points are
    the per-slice ``baseline_change_percent`` values sign-flipped into inhibition, as fitted.
    """
    series = []
    for fit in result.analyses.get("concentration_response", []):
        conc, resp = [], []
        control = [
            -np.asarray(c.readouts["baseline_change_percent"].values, dtype=float)
            for c in result.conditions
            if not c.drugs and "baseline_change_percent" in c.readouts
        ]
        for c in result.conditions:
            if len(c.drugs) == 1 and c.drugs[0][0] == fit["compound"]:
                values = -np.asarray(c.readouts["baseline_change_percent"].values, dtype=float)
                conc.append(np.full(values.size, c.drugs[0][1] * 1e3))
                resp.append(values)
        ci = fit.get("ic50_ci_uM") or [np.nan, np.nan]
        series.append(
            Series(
                title=str(fit["compound"]),
                response="inhibition of the basal response [%]",
                concentrations_uM=np.concatenate(conc),
                responses=np.concatenate(resp),
                control=np.concatenate(control) if control else np.zeros(0),
                summary=_ic50_text(fit["ic50_uM"], ci, fit.get("hill_slope")),
            )
        )
    return series


def series_from_sweep(summary: Any, cells: Sequence[tuple[Any, dict]]) -> list[Series]:
    """The series of a sweep: one per Hill fit in ``summary["concentration_response"]``.

    ``cells`` are ``(chunk, {readout: (values, unit)})`` pairs; a chunk has ``protocol``,
    ``parameter_set``, ``seed``, ``cohort`` and ``drugs``.
    """
    series = []
    for fit in summary.get("concentration_response", []):
        group = (fit["protocol"], fit["parameter_set"], fit["seed"], fit["cohort"])
        conc, resp, control = [], [], []
        for chunk, readouts in cells:
            if (chunk.protocol, chunk.parameter_set, chunk.seed, chunk.cohort) != group:
                continue
            if "baseline_change_percent" not in readouts:
                continue
            values = -np.asarray(readouts["baseline_change_percent"][0], dtype=float)
            if not chunk.drugs:
                control.append(values)
            elif len(chunk.drugs) == 1 and chunk.drugs[0][0] == fit["compound"]:
                conc.append(np.full(values.size, chunk.drugs[0][1] * 1e3))
                resp.append(values)
        if not conc:
            continue
        ci = fit.get("ic50_ci_uM") or [np.nan, np.nan]
        series.append(
            Series(
                title=f"{fit['compound']}: {fit['protocol']}"
                + (f" ({fit['parameter_set']})" if fit["parameter_set"] != "default" else ""),
                response="inhibition of the basal response [%]",
                concentrations_uM=np.concatenate(conc),
                responses=np.concatenate(resp),
                control=np.concatenate(control) if control else np.zeros(0),
                summary=_ic50_text(fit["ic50_uM"], [np.nan if v is None else v for v in ci],
                                   fit.get("hill_slope")),
                compound=str(fit["compound"]),
            )
        )
    return series


def _ic50_text(ic50: float, ci: Sequence[float], slope: float | None) -> str:
    text = f"IC50 {format_concentration(ic50)}"
    if all(np.isfinite(ci)):
        text += f"\n95 % CI {ci[0]:.3g}–{format_concentration(ci[1])}"
    if slope is not None:
        text += f"\nHill slope {slope:.2g}"
    return text


def draw_concentration_response(figure: Any, series: Sequence[Series], columns: int = 0) -> None:
    """Draw one panel per series into ``figure`` (constrained layout), ``columns`` per row."""
    columns = columns or len(series)
    rows = -(-len(series) // columns)
    axes = figure.subplots(rows, columns, squeeze=False).ravel()
    for ax, s in zip(axes, series, strict=False):
        draw_panel(ax, s)
    for ax in axes[len(series):]:
        ax.set_axis_off()


def draw_panel(ax: Any, s: Series) -> None:
    """One concentration-response panel: points, mean ± SEM, control, Hill fit and band."""
    ok = np.isfinite(s.responses) & (s.concentrations_uM > 0)
    conc, resp = s.concentrations_uM[ok], s.responses[ok]
    levels = np.unique(conc)
    low, high = levels.min() / 3, levels.max() * 3
    grid = np.geomspace(levels.min() / 1.5, levels.max() * 1.5, 200)  # no extrapolation
    curve, band_low, band_high = hill_band(conc, resp, grid)
    shown = np.concatenate([resp, s.control[np.isfinite(s.control)], curve[np.isfinite(curve)]])
    pad = 0.12 * (np.ptp(shown) or 1.0)
    band_low = np.clip(band_low, shown.min() - pad, None)
    band_high = np.clip(band_high, None, shown.max() + pad)
    ax.fill_between(grid, band_low, band_high, color="#0072B2", alpha=0.2, lw=0,
                    label="95 % bootstrap band")
    ax.plot(grid, curve, color="#0072B2", linewidth=1.5, label="Hill fit")
    rng = np.random.default_rng(0)  # horizontal jitter only, for visibility
    jitter = 10 ** rng.uniform(-0.04, 0.04, conc.size)
    ax.plot(conc * jitter, resp, "o", color="0.45", markersize=2.5, alpha=0.6,
            label="single slices / cells")
    means = [resp[conc == c].mean() for c in levels]
    sems = [resp[conc == c].std(ddof=1) / np.sqrt((conc == c).sum()) if (conc == c).sum() > 1
            else 0.0 for c in levels]
    ax.errorbar(levels, means, yerr=sems, fmt="s", color="black", markersize=4, capsize=2,
                label="mean ± SEM")
    control = s.control[np.isfinite(s.control)]
    if control.size:
        ax.errorbar([low], [control.mean()], yerr=[control.std(ddof=1) / np.sqrt(control.size)
                    if control.size > 1 else 0.0], fmt="D", color="black", mfc="white",
                    markersize=4, capsize=2, label="control (no drug)")
    ax.set_xscale("log")
    ax.set_xlim(low / 1.5, high)
    ax.set_ylim(shown.min() - pad, shown.max() + pad)
    ax.set_xlabel(f"{s.compound or s.title} concentration [µM]")
    ax.set_ylabel(s.response)
    ax.set_title(s.title)
    if s.summary:
        ax.text(0.02, 0.97, s.summary, transform=ax.transAxes, va="top", fontsize=7)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7)
