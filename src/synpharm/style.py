"""Figure style shared by every synpharm figure: colour-blind-safe colours, units in brackets.

Colours follow Okabe & Ito (2008, "Color Universal Design"), distinguishable with the common
colour-vision deficiencies; a concentration series of one compound gets shades of one
perceptually uniform map (viridis), darker for higher concentrations, so the order reads
without the legend. Control (no drug) is black.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

__all__ = ["OKABE_ITO", "RC", "condition_colours", "format_concentration", "rc_context"]

#: Okabe-Ito palette without black (black is reserved for control).
OKABE_ITO: tuple[str, ...] = (
    "#E69F00",  # orange
    "#CC79A7",  # reddish purple
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
)

#: Matplotlib settings of every figure (reproducible SVG, readable fonts, safe colour cycle).
RC: dict[str, Any] = {
    "svg.hashsalt": "synpharm",
    "svg.fonttype": "path",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
}


def _cycle() -> Any:
    from cycler import cycler

    return cycler(color=("#000000", *OKABE_ITO))


def rc_context(overrides: dict[str, Any] | None = None) -> Any:
    """``matplotlib.rc_context`` with :data:`RC`, the Okabe-Ito colour cycle and ``overrides``."""
    import matplotlib

    return matplotlib.rc_context({**RC, "axes.prop_cycle": _cycle(), **(overrides or {})})


def format_concentration(value_uM: float) -> str:
    """A concentration in µM, or nM / mM where that reads better: ``'600 µM'``, ``'50 nM'``."""
    if value_uM >= 1000:
        return f"{value_uM / 1000:.3g} mM"
    if 0 < value_uM < 0.1:
        return f"{value_uM * 1000:.3g} nM"
    return f"{value_uM:.3g} µM"


def condition_colours(drugs: Sequence[Sequence[tuple[str, float]]]) -> list[str]:
    """One colour per condition from its drugs ``((compound, concentration), ...)``.

    Control (no drug) is black; single-compound series with three or more concentrations get
    viridis shades ordered by concentration; every other condition the next Okabe-Ito colour.
    """
    from matplotlib import colormaps

    series = Counter(d[0][0] for d in drugs if len(d) == 1)
    levels = {
        name: sorted({d[0][1] for d in drugs if len(d) == 1 and d[0][0] == name})
        for name, count in series.items()
        if count >= 3
    }
    colours, others = [], iter(OKABE_ITO * (1 + len(drugs) // len(OKABE_ITO)))
    shades = colormaps["viridis"]
    for d in drugs:
        if not d:
            colours.append("#000000")
        elif len(d) == 1 and d[0][0] in levels:
            ladder = levels[d[0][0]]
            position = ladder.index(d[0][1]) / max(len(ladder) - 1, 1)
            colours.append(_hex(shades(0.85 - 0.8 * position)))
        else:
            colours.append(next(others))
    return colours


def _hex(rgba: Sequence[float]) -> str:
    return "#" + "".join(f"{round(255 * c):02x}" for c in rgba[:3])
