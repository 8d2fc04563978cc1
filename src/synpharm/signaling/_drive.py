"""From brain drug concentrations to the inputs of the synaptic signalling network.

Only declared compound effects are used (through :mod:`synpharm.pharmacology`):

- NMDA open-channel blockers (``open_channel_blocker`` at ``NMDA``): use-dependent block at the
  resting potential. Channels open a fraction ``Po`` of the time at rest; the blocker binds only
  Mg2+-free open pores, so its effective concentration is ``c / (1 + m(V))`` with the Jahr-Stevens
  Mg2+ term ``m(V) = [Mg] exp(-a V) / K_Mg``. The blocked fraction ``b`` follows
  ``db/dt = Po [k_on c/(1+m) (1-b) - k_off(V) b]`` (exact steps of
  :func:`~synpharm.pharmacology.open_channel_block_step`), i.e. at equilibrium
  ``b = (c/Kd(V)) / (1 + m + c/Kd(V))``. Interneurons (GluN2C/2D-rich) have a weaker Mg2+ block,
  so the same compound blocks them more at rest: the interneuron preference comes from Mg2+,
  not from a separate affinity.
- GABA-B agonists: postsynaptic GABA-B occupancy (``gabab_occupancy``).
- ``inhibitor`` effects at ``mTORC1`` and ``TrkB`` (rapamycin, ANA-12): Hill inhibition.
- ``agonist`` effects at ``ERK_pathway`` (an NMDA-independent ERK drive, if a compound declares
  one): Hill occupancy (``erk_direct_activation``).

Region parameters (resting potentials, Mg2+, GluN2C/2D Mg2+ relief, resting open probability)
live in ``src/synpharm/parameters/signaling_drive_<region>.toml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

from synpharm.compounds import Compound, load_compound
from synpharm.errors import InputError
from synpharm.parameters import ParameterSet, load_parameter_set, package_parameter_file
from synpharm.pharmacology import (
    OpenChannelBlocker,
    blocker_unbinding_rate,
    closed_channel_block_step,
    drug_effects,
    hill_inhibition,
    hill_occupancy,
    open_channel_block_step,
)

__all__ = ["AGONIST_INPUTS", "INHIBITOR_INPUTS", "drive_from_concentrations", "list_regions"]

#: compound target (mechanism "inhibitor") -> network input
INHIBITOR_INPUTS: dict[str, str] = {"mTORC1": "mtorc1_inhibition", "TrkB": "trkb_inhibition"}
#: compound target (mechanism "agonist") -> network input
AGONIST_INPUTS: dict[str, str] = {"ERK_pathway": "erk_direct_activation"}
_PREFIX = "signaling_drive_"


def list_regions() -> list[str]:
    """Regions with a drive parameter file (``signaling_drive_<region>.toml``)."""
    directory = Path(str(resources.files("synpharm.parameters")))
    return sorted(p.stem.removeprefix(_PREFIX) for p in directory.glob(f"{_PREFIX}*.toml"))


def _region_parameters(region: str) -> ParameterSet:
    if region not in list_regions():
        raise InputError("region", f"unknown region {region!r}",
                         f"use one of: {', '.join(list_regions())}")
    return load_parameter_set(package_parameter_file(f"{_PREFIX}{region}"))


def _mg_term(region: ParameterSet, voltage: float, relief: float = 1.0) -> float:
    """Jahr-Stevens ``[Mg] exp(-a V) / K_Mg`` (ratio of Mg2+-blocked to free open channels)."""
    return float(region["extracellular_magnesium"]
                 * np.exp(-region["mg_block_voltage_slope"] * voltage)
                 / region["mg_block_half_concentration"] / relief)


def _resting_block(blocker: OpenChannelBlocker, times: NDArray[np.float64], voltage: float,
                   mg_term: float, open_probability: float) -> NDArray[np.float64]:
    """Blocked fraction at rest along the time grid (starts unblocked), shape like the input.

    Each grid interval is one exact step of :func:`open_channel_block_step` over the open time
    ``Po dt`` at the interval's mean concentration, followed for a non-trapping blocker by
    :func:`closed_channel_block_step` over the closed time.
    """
    k_off = float(blocker_unbinding_rate(blocker.kd_0mV, blocker.k_on, voltage,
                                         blocker.voltage_e_fold))
    c = blocker.concentration
    c_free = 0.5 * (c[..., :-1] + c[..., 1:]) / (1.0 + mg_term)
    dt = np.diff(times)
    # one step from b = 0 and from b = 1 gives the affine map b -> a + g b of each interval
    start = open_channel_block_step(0.0, open_probability * dt, c_free, blocker.k_on, k_off)
    end = open_channel_block_step(1.0, open_probability * dt, c_free, blocker.k_on, k_off)
    closed = closed_channel_block_step(1.0, (1.0 - open_probability) * dt, k_off,
                                       blocker.trapping)
    offset, gain = start * closed, (end - start) * closed
    blocked = np.zeros_like(c)
    for i in range(dt.size):
        blocked[..., i + 1] = offset[..., i] + gain[..., i] * blocked[..., i]
    return blocked


def _concentration(value: ArrayLike, name: str, n_times: int) -> NDArray[np.float64]:
    array = np.asarray(value, dtype=float)
    if array.shape[-1:] != (n_times,) or array.ndim > 2:
        raise InputError(f"concentrations.{name}", f"has shape {array.shape}",
                         f"give (n_times,) or (n_batch, n_times) with n_times = {n_times}")
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise InputError(f"concentrations.{name}", "has negative or non-finite values",
                         "give concentrations >= 0 in mol/m^3 (10 uM = 0.01)")
    return array


def _compound(key: str | Compound) -> Compound:
    return key if isinstance(key, Compound) else load_compound(key)


def _nmda_inputs(pairs: list[tuple[Compound, NDArray[np.float64]]], times: NDArray[np.float64],
                 region: ParameterSet) -> dict[str, NDArray[np.float64]]:
    blockers = drug_effects(pairs).nmda_blockers if pairs else ()
    cells = {
        "nmda_block_pyramidal": (region["resting_potential_pyramidal"], 1.0,
                                 region["resting_open_probability_pyramidal"]),
        "nmda_block_interneuron": (region["resting_potential_interneuron"],
                                   region["interneuron_mg_block_relief"],
                                   region["resting_open_probability_interneuron"]),
    }
    out = {}
    for name, (voltage, relief, open_probability) in cells.items():
        total = sum((_resting_block(b, times, voltage, _mg_term(region, voltage, relief),
                                    open_probability) for b in blockers),
                    np.zeros(np.broadcast_shapes(*(c.shape for _, c in pairs))))
        out[name] = np.minimum(total, 1.0)
    return out


def _target_inputs(pairs: list[tuple[Compound, NDArray[np.float64]]], shape: tuple[int, ...]
                   ) -> dict[str, NDArray[np.float64]]:
    """Inhibitor and agonist inputs; several compounds at one target act independently."""
    remaining = {name: np.ones(shape) for name in (*INHIBITOR_INPUTS.values(),
                                                   *AGONIST_INPUTS.values())}
    for compound, c in pairs:
        for effect in compound.targets:
            if effect.mechanism == "inhibitor" and effect.target in INHIBITOR_INPUTS:
                fraction = hill_inhibition(c, effect.value("ic50"), effect.value("hill"))
                remaining[INHIBITOR_INPUTS[effect.target]] *= 1.0 - fraction
            elif effect.mechanism == "agonist" and effect.target in AGONIST_INPUTS:
                fraction = hill_occupancy(c, effect.value("ec50"), effect.value("hill"))
                remaining[AGONIST_INPUTS[effect.target]] *= 1.0 - fraction
    return {name: 1.0 - value for name, value in remaining.items()}


def drive_from_concentrations(concentrations: Mapping[str | Compound, ArrayLike],
                              times_s: ArrayLike, region: str = "mpfc"
                              ) -> dict[str, NDArray[np.float64]]:
    """Input time courses of the synaptic signalling network from brain drug concentrations.

    Parameters
    ----------
    concentrations
        Compound (name, alias or :class:`~synpharm.compounds.Compound`) -> concentration at the
        target [mol/m^3] on ``times_s``, shape ``(n_times,)`` or ``(n_batch, n_times)``
        (e.g. from the pharmacokinetics layer, site ``"brain"``).
    times_s
        Time grid [s], strictly increasing, shape ``(n_times,)``. NMDA block starts from zero at
        ``times_s[0]``.
    region
        Drive parameter set (:func:`list_regions`), e.g. ``"mpfc"`` or ``"ca1"``.

    Returns
    -------
    dict
        Input name -> values in [0, 1], shape broadcast from the concentrations:
        ``nmda_block_pyramidal``, ``nmda_block_interneuron``, ``gabab_occupancy``,
        ``mtorc1_inhibition``, ``trkb_inhibition``, ``erk_direct_activation``.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.linspace(0, 7200, 121)
    >>> drive = drive_from_concentrations({"ketamine": np.full(t.size, 0.01)}, t)
    >>> bool(drive["nmda_block_interneuron"][-1] > drive["nmda_block_pyramidal"][-1] > 0)
    True
    """
    times = np.asarray(times_s, dtype=float)
    if times.ndim != 1 or times.size < 2 or not np.all(np.diff(times) > 0):
        raise InputError("times_s", "must be a strictly increasing 1-D array of >= 2 times",
                         "e.g. np.linspace(0, 6 * 3600, 361)")
    region_parameters = _region_parameters(region)
    pairs = [(_compound(key), _concentration(value, str(key), times.size))
             for key, value in concentrations.items()]
    shape = np.broadcast_shapes(*(c.shape for _, c in pairs)) if pairs else (times.size,)
    pairs = [(compound, np.broadcast_to(c, shape).copy()) for compound, c in pairs]
    inputs = _nmda_inputs(pairs, times, region_parameters) if pairs else {
        "nmda_block_pyramidal": np.zeros(shape), "nmda_block_interneuron": np.zeros(shape)}
    effects = drug_effects(pairs) if pairs else None
    inputs["gabab_occupancy"] = (np.broadcast_to(effects.gabab_postsynaptic_occupancy,
                                                 shape).copy()
                                 if effects is not None else np.zeros(shape))
    inputs.update(_target_inputs(pairs, shape))
    return {name: np.clip(value, 0.0, 1.0) for name, value in inputs.items()}
