"""The in-vivo chain shared by dosing studies: dose -> exposure -> signalling -> structure.

Each link is a layer of its own package (:mod:`synpharm.pharmacokinetics`,
:mod:`synpharm.signaling`, :mod:`synpharm.structure`); this module only composes them. The
layers are reached through :class:`Layers`, a bundle of plain functions, so that tests can run a
study with stand-in curves; :func:`default_layers` imports the real packages lazily.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from synpharm.errors import InputError
from synpharm.units import parse_quantity

__all__ = [
    "DoseEvent",
    "Layers",
    "brain_exposure",
    "default_layers",
    "parse_dose_events",
    "signaling_course",
]

#: (compound, dose events, species, times [s], site) -> concentration [mol/m^3], (n_times,)
ConcentrationFn = Callable[[str, Sequence["DoseEvent"], str, np.ndarray, str], np.ndarray]
#: (concentrations by compound, times [s], region, ablations) -> species time courses (1 = base)
SignalingFn = Callable[
    [Mapping[str, np.ndarray], np.ndarray, str, tuple[str, ...]], Mapping[str, np.ndarray]
]


@dataclass(frozen=True)
class DoseEvent:
    """One administration: ``dose`` text as the pharmacokinetics layer reads it, at ``time``.

    Attributes
    ----------
    compound
        Compound name, e.g. ``"ketamine"``, ``"s_ketamine"``, ``"rapamycin"``.
    dose
        ``"10 mg/kg i.p."``, ``"0.44 mg/kg IV over 40 min"``.
    time
        Start of the administration [s] on the study clock (0 = the first dose).
    """

    compound: str
    dose: str
    time: float = 0.0


@dataclass(frozen=True)
class Layers:
    """The functions of the layers a dosing study composes (real ones or test stand-ins).

    ``spines`` is a mapping with ``load_parameters``, ``simulate``, ``imaging`` and ``golgi``
    (the :mod:`synpharm.structure` functions), or None when the study reads no spines.
    """

    concentration: ConcentrationFn
    signaling: SignalingFn
    spines: Mapping[str, Callable[..., Any]] | None = None


def _real_concentration(compound, events, species, times, site):
    from synpharm.pharmacokinetics import concentration_time_course, parse_dose

    # the layer's clock starts at 0; study times may start before the first dose (imaging at -1 d)
    origin = min(float(times[0]), *(e.time for e in events))
    doses = [dataclasses.replace(parse_dose(e.dose, "dose"), start=e.time - origin) for e in events]
    return concentration_time_course(compound, doses, species, times - origin, site)


def _real_signaling(concentrations, times, region, ablations):
    from synpharm.signaling import drive_from_concentrations, load_network, simulate_signaling

    inputs = drive_from_concentrations(dict(concentrations), times, region=region)
    result = simulate_signaling(load_network("synaptic_signaling"), times, inputs,
                                ablations=tuple(ablations))
    return result.species


def _real_spines() -> dict[str, Callable[..., Any]]:
    from synpharm import structure

    return {
        "load_parameters": structure.load_spine_parameters,
        "simulate": structure.simulate_spines,
        "imaging": structure.imaging_readouts,
        "golgi": structure.golgi_readouts,
    }


def default_layers(spines: bool = False) -> Layers:
    """The real layers (imported on first use); ``spines`` adds :mod:`synpharm.structure`."""
    return Layers(_real_concentration, _real_signaling, _real_spines() if spines else None)


def parse_dose_events(items: Any, field: str) -> tuple[DoseEvent, ...]:
    """Read ``[[...doses]]`` tables (``compound``, ``dose``, optional ``time``) into events."""
    if items is None:
        return ()
    if not isinstance(items, list):
        raise InputError(field, "is not a list of tables", "write [[arms.doses]] tables")
    events = []
    for k, item in enumerate(items):
        where = f"{field}[{k}]"
        if not isinstance(item, Mapping):
            raise InputError(where, "is not a table", "give compound, dose and time")
        unknown = set(item) - {"compound", "dose", "time"}
        if unknown:
            raise InputError(where, f"unknown keys {sorted(unknown)}", "use compound, dose, time")
        compound, dose = item.get("compound"), item.get("dose")
        if not isinstance(compound, str) or not compound:
            raise InputError(f"{where}.compound", "is missing", "name a compound, e.g. ketamine")
        if not isinstance(dose, str) or not dose:
            raise InputError(f"{where}.dose", "is missing", "give a dose such as '10 mg/kg i.p.'")
        _check_dose_text(dose, f"{where}.dose")
        time = parse_quantity(item.get("time", "0 h"), "time", f"{where}.time")
        events.append(DoseEvent(compound, dose, time))
    return tuple(events)


def _check_dose_text(text: str, field: str) -> None:
    try:
        from synpharm.pharmacokinetics import parse_dose
    except ImportError:  # pragma: no cover - the layer is part of the package
        return
    parse_dose(text, field)


def brain_exposure(
    layers: Layers, events: Sequence[DoseEvent], species: str, times: np.ndarray, site: str
) -> dict[str, np.ndarray]:
    """Concentration [mol/m^3] of every dosed compound at ``site``, shape ``(n_times,)`` each.

    Several doses of one compound superpose (linear pharmacokinetics).
    """
    by_compound: dict[str, list[DoseEvent]] = {}
    for event in events:
        by_compound.setdefault(event.compound, []).append(event)
    return {
        name: np.asarray(layers.concentration(name, group, species, times, site), dtype=float)
        for name, group in sorted(by_compound.items())
    }


def signaling_course(
    layers: Layers,
    concentrations: Mapping[str, np.ndarray],
    times: np.ndarray,
    region: str,
    ablations: tuple[str, ...] = (),
) -> dict[str, np.ndarray]:
    """Signalling species time courses (1 = baseline) for the given exposure."""
    species = layers.signaling(concentrations, times, region, ablations)
    return {
        name: np.broadcast_to(np.asarray(values, dtype=float), times.shape).copy()
        for name, values in species.items()
    }
