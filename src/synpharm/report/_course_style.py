"""Colours, markers and axis labels shared by the time-course and example-trace panels."""

from __future__ import annotations

from typing import Any

from synpharm.analysis.results import ResponseTable
from synpharm.style import OKABE_ITO, condition_colours

__all__ = ["MARKERS", "colours", "labels"]

#: One marker per condition (cycled), so that conditions stay distinguishable in grey scale.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")


def colours(result: Any) -> list[str]:
    """One colour per condition: by its drugs (:func:`synpharm.style.condition_colours`), and
    distinct where two conditions share drugs (e.g. the same drug in two baths)."""
    chosen = condition_colours([c.drugs for c in result.conditions])
    spare = iter([c for c in OKABE_ITO if c not in chosen] + ["#7f7f7f", "#bcbd22", "#17becf"])
    seen: set[str] = set()
    out = []
    for colour in chosen:
        if colour in seen:
            colour = next(spare, colour)
        seen.add(colour)
        out.append(colour)
    return out


#: Single-cell measures: (label for axes, trace axis label, trace unit scale, trace unit).
_RESPONSE_LABELS = {
    "ipsc_amplitude": ("IPSC amplitude", "current", 1e12, "pA"),
    "epsp_amplitude": ("EPSP amplitude", "membrane potential", 1e3, "mV"),
}


def labels(result: Any) -> tuple[str, str, float, str]:
    """Axis labels and trace scaling: (measure, trace quantity, SI-to-unit factor, unit)."""
    pulses = result.conditions[0].pulses if result.conditions else None
    if isinstance(pulses, ResponseTable) and pulses.measure in _RESPONSE_LABELS:
        return _RESPONSE_LABELS[pulses.measure]
    return ("fEPSP slope", "field potential", 1e3, "mV")


