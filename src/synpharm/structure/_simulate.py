"""Stochastic simulation of individually tracked spines, batched over animals and segments.

Each dendrite segment holds a row of slots (more are added when formation outruns them); a slot
is empty (state 0) or holds one spine with a unique identity and a state (new, thin, stubby,
mushroom). Time advances in steps of at most ``max_step_s`` (default 1 h). Within a step the
rates are constant (the drives averaged over the step, exactly for piecewise-linear drives), and
every spine moves with the exact transition probabilities ``P = expm(Q h)`` of the
continuous-time Markov chain; new spines are Poisson with the exact mean of spines born during
the step and still present at its end, in each state (Van Loan: ``expm([[Q, I], [0, 0]] h)``
gives ``P`` and ``integral_0^h expm(Q s) ds``). Changes are stored as an event log, so the
population can be read at any step boundary.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from synpharm.errors import InputError
from synpharm.structure._parameters import (
    NEW,
    SpineParameters,
    _steady_densities,
    baseline_rates,
    check_modifiers,
    generator_matrices,
)
from synpharm.structure._sampling import SlotGrid, ordered_cumulative, run_steps

__all__ = ["DRIVE_NAMES", "SpinePopulation", "restoration_rate", "simulate_spines"]

#: Signaling inputs of the spine model (dimensionless, 1 = baseline): synaptic protein and BDNF
#: drive the slow formation (and elimination) of spines (lag ``drive_time_constant``) and the
#: stabilisation / enlargement of existing spines (lag ``maturation_time_constant``); ERK activity
#: (``erk``, downstream of TrkB) drives the fast restoration of collapsed spines (lag
#: ``restoration_time_constant``).
DRIVE_NAMES = ("synaptic_protein", "bdnf", "erk")

DriveInput = np.ndarray | Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class SpinePopulation:
    """A simulated spine population with identities, readable at every step boundary.

    Attributes
    ----------
    parameters
        The spine parameter set used.
    boundaries_s
        Step boundaries [s], shape ``(n_steps + 1,)``; the population is defined at these times.
    segment_length_um
        Dendrite length of every segment [um].
    initial_state, initial_ids
        Slots at time 0, shape ``(n_animals, segments_per_animal, n_slots)``; state 0 is empty,
        id 0 means no spine.
    event_step, event_segment, event_slot, event_state, event_id
        Changes during each step (a spine changed state, disappeared or appeared), in time
        order; ``event_segment`` indexes the flattened (animal, segment) axis.
    formation_per_um_per_day
        Mean formation rate in each step [new spines / um / day], shape ``(n_animals, n_steps)``.
    modifiers
        Condition modifiers applied.
    seed
        Seed of the simulation.
    """

    parameters: SpineParameters
    boundaries_s: np.ndarray
    segment_length_um: float
    initial_state: np.ndarray
    initial_ids: np.ndarray
    event_step: np.ndarray
    event_segment: np.ndarray
    event_slot: np.ndarray
    event_state: np.ndarray
    event_id: np.ndarray
    formation_per_um_per_day: np.ndarray
    modifiers: dict[str, float] = field(default_factory=dict)
    seed: int = 0

    @property
    def n_animals(self) -> int:
        """Number of animals."""
        return int(self.initial_state.shape[0])

    @property
    def segments_per_animal(self) -> int:
        """Number of dendrite segments per animal."""
        return int(self.initial_state.shape[1])

    def boundary_index(self, time_s: float, field_name: str = "time_s") -> int:
        """Index of the step boundary at ``time_s`` (within 1 ms)."""
        time_s = float(time_s)
        end = float(self.boundaries_s[-1])
        if not (math.isfinite(time_s) and -1e-3 <= time_s <= end + 1e-3):
            raise InputError(field_name, f"{time_s} s is outside the simulation (0 to {end} s)", "")
        index = int(np.argmin(np.abs(self.boundaries_s - time_s)))
        if abs(self.boundaries_s[index] - time_s) > 1e-3:
            raise InputError(
                field_name,
                f"the population was not recorded at {time_s} s",
                "put the time in times_s or record_times_s of simulate_spines",
            )
        return index

    def state_at(self, time_s: float) -> tuple[np.ndarray, np.ndarray]:
        """States and identities of all slots at ``time_s`` (the last step boundary at or before).

        Returns
        -------
        state, ids
            Arrays of shape ``(n_animals, segments_per_animal, n_slots)``.
        """
        index = self.boundary_index(time_s)
        n_events = int(np.searchsorted(self.event_step, index, side="left"))
        n_slots = self.initial_state.shape[2]
        state = self.initial_state.reshape(-1, n_slots).copy()
        ids = self.initial_ids.reshape(-1, n_slots).copy()
        if n_events:
            keys = self.event_segment[:n_events] * n_slots + self.event_slot[:n_events]
            _, last_reversed = np.unique(keys[::-1], return_index=True)
            last = n_events - 1 - last_reversed
            state[self.event_segment[last], self.event_slot[last]] = self.event_state[last]
            ids[self.event_segment[last], self.event_slot[last]] = self.event_id[last]
        return state.reshape(self.initial_state.shape), ids.reshape(self.initial_state.shape)


# ----------------------------------------------------------------------------- drives


def _check_times(times_s: np.ndarray) -> np.ndarray:
    times = np.asarray(times_s, dtype=np.float64)
    if times.ndim != 1 or times.size < 2:
        raise InputError("times_s", "needs at least two times in a 1-D array", "")
    if not np.all(np.isfinite(times)) or times[0] != 0.0 or np.any(np.diff(times) <= 0):
        raise InputError("times_s", "must start at 0 and increase strictly", "")
    return times


def _drive_array(name: str, value: DriveInput, times: np.ndarray, n_animals: int) -> np.ndarray:
    array = value(times) if callable(value) else value
    array = np.asarray(array, dtype=np.float64)
    if array.ndim == 1:
        array = np.broadcast_to(array, (n_animals, array.shape[0]))
    if array.shape != (n_animals, times.size):
        raise InputError(
            f"drive.{name}",
            f"shape {array.shape} is not (n_animals, n_times) = ({n_animals}, {times.size})",
            "give one value per time of times_s, for all animals or per animal",
        )
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise InputError(f"drive.{name}", "must be finite and >= 0 (1 = baseline)", "")
    return array


def _step_means(times: np.ndarray, values: np.ndarray, boundaries: np.ndarray) -> np.ndarray:
    """Exact mean of the piecewise-linear ``values(times)`` over each step, ``(n_animals, n)``."""
    widths = np.diff(times)
    integral = np.concatenate(
        [
            np.zeros((values.shape[0], 1)),
            np.cumsum(0.5 * (values[:, 1:] + values[:, :-1]) * widths, 1),
        ],
        axis=1,
    )
    k = np.clip(np.searchsorted(times, boundaries, side="right") - 1, 0, times.size - 2)
    offset = boundaries - times[k]
    slope = (values[:, k + 1] - values[:, k]) / widths[k]
    at_boundary = integral[:, k] + values[:, k] * offset + 0.5 * slope * offset**2
    return np.diff(at_boundary, axis=1) / np.diff(boundaries)


def _filtered_step_means(
    step_means: np.ndarray, start: np.ndarray, steps: np.ndarray, tau: float
) -> np.ndarray:
    """Step means of x with dx/dt = (u - x) / tau, u piecewise constant per step (exact)."""
    if tau <= 0:
        return step_means
    decay = np.exp(-steps / tau)
    weight = tau / steps * (1.0 - decay)
    out = np.empty_like(step_means)
    x = start.copy()
    for n in range(steps.size):
        u = step_means[:, n]
        out[:, n] = u + (x - u) * weight[n]
        x = u + (x - u) * decay[n]
    return out


def _drive_factor(gain_protein: float, gain_bdnf: float, protein, bdnf) -> np.ndarray:
    return np.maximum(0.0, 1.0 + gain_protein * (protein - 1.0) + gain_bdnf * (bdnf - 1.0))


def restoration_rate(params: SpineParameters, erk) -> np.ndarray:
    """Collapsed -> thin rate [1/s]: basal recovery plus a saturating ERK-driven restoration,
    ``r_0 + r_max x / (x + K)`` with ``x = max(0, erk - 1)`` (filtered ERK activity)."""
    rise = np.maximum(0.0, np.asarray(erk, dtype=np.float64) - 1.0)
    half = params["restoration_half_activation_erk"]
    return params["collapsed_recovery_rate"] + params["restoration_rate_max"] * rise / (
        rise + half
    )


def _factors(params: SpineParameters, slow, fast, mods: Mapping[str, float]):
    """Formation, maturation and elimination factors; ``slow`` and ``fast`` are the
    (synaptic protein, BDNF) drives filtered with the formation and the maturation lag."""
    formation = mods["formation_scale"] * _drive_factor(
        params["formation_gain_synaptic_protein"], params["formation_gain_bdnf"], *slow
    )
    maturation = mods["maturation_scale"] * _drive_factor(
        params["maturation_gain_synaptic_protein"], params["maturation_gain_bdnf"], *fast
    )
    elimination = mods["elimination_scale"] * _drive_factor(
        params["elimination_gain_synaptic_protein"], params["elimination_gain_bdnf"], *slow
    )
    return formation, maturation, elimination


def van_loan(q: np.ndarray, step_s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``expm(Q h)`` and ``integral_0^h expm(Q s) ds`` for stacked generators ``(..., n, n)``.

    These are the blocks of ``expm([[Q h, I h], [0, 0]])`` (Van Loan 1978); computed as
    ``exp(A)`` and ``h phi1(A)`` with ``A = Q h``, ``phi1(A) = sum_k A^k / (k + 1)!``, by scaling
    ``A`` to a 1-norm ``a`` below 1/2, a Taylor series truncated where ``a^(k+1)/(k+1)!``
    falls below 1e-18, and ``s``
    doublings ``phi1(2A) = (phi1(A) + exp(A) phi1(A)) / 2``, ``exp(2A) = exp(A)^2``. One ``s``
    for the whole stack keeps it vectorised. Agrees with :func:`scipy.linalg.expm` of the block
    matrix to round-off (tested).
    """
    h = np.asarray(step_s, dtype=np.float64)[..., None, None]
    scaled = q * h
    norm = float(np.abs(scaled).sum(axis=-2).max(initial=0.0))
    squarings = max(0, math.ceil(math.log2(norm / 0.5))) if norm > 0.5 else 0
    scaled = scaled / 2.0**squarings
    identity = np.broadcast_to(np.eye(q.shape[-1]), scaled.shape)
    exponential = identity.copy()
    phi1 = identity.copy()
    term = identity
    factorial = 1.0
    small = norm / 2.0**squarings
    n_terms = 1
    while small ** (n_terms + 1) / math.factorial(n_terms + 1) > 1e-18:
        n_terms += 1
    for order in range(1, n_terms + 1):
        term = term @ scaled
        factorial *= order
        exponential = exponential + term / factorial
        phi1 = phi1 + term / (factorial * (order + 1))
    for _ in range(squarings):
        phi1 = 0.5 * (phi1 + exponential @ phi1)
        exponential = exponential @ exponential
    return exponential, phi1 * h


def _step_kernels(rates, maturation, elimination, recovery, mods, steps):
    """Ordered cumulative transition probabilities ``(n_steps, n_animals, 6, 6)`` and the
    integral of the new-spine row ``(n_steps, n_animals, 5)``, computed once per distinct
    (maturation, elimination, recovery, step) - formation does not enter ``Q``."""
    keys = np.stack(
        np.broadcast_arrays(maturation, elimination, recovery, steps[:, None]), axis=-1
    )
    unique, inverse = np.unique(keys.reshape(-1, 4), axis=0, return_inverse=True)
    q, _ = generator_matrices(
        rates, np.ones(len(unique)), unique[:, 0], unique[:, 1], mods["shrinkage_scale"],
        mods["collapse_rate"], unique[:, 2],
    )
    transition, integral = van_loan(q, unique[:, 3])
    inverse = inverse.reshape(maturation.shape)
    return ordered_cumulative(transition)[inverse], integral[:, NEW, 1:][inverse]


def _animal_scales(cv: float, n_animals: int, rng: np.random.Generator) -> np.ndarray:
    """Mean-one log-normal factors on formation, one per animal (CV ``cv``)."""
    sigma = math.sqrt(math.log1p(cv**2))
    return np.exp(sigma * rng.standard_normal(n_animals) - 0.5 * sigma**2)


def _initial_grid(params, rates, start, animal_scale, mods, segments: int, rng) -> SlotGrid:
    """Stationary population of the rates at time 0: independent Poisson numbers per live state
    (exact for independent spines), in a grid with room for fluctuations and growth."""
    formation, maturation, elimination, recovery = start
    if np.any(elimination <= 0):
        raise InputError("drive", "eliminates no spines at time 0", "no steady state to start from")
    q0, f0 = generator_matrices(
        rates, formation * animal_scale, maturation, elimination, mods["shrinkage_scale"],
        mods["collapse_rate"], recovery,
    )
    live_per_segment = _steady_densities(q0, f0) * params.segment_length_um
    means = np.repeat(live_per_segment, segments, axis=0)  # (n_segments, 5)
    largest = float(means.sum(axis=1).max())
    grid = SlotGrid.empty(means.shape[0], int(np.ceil(1.5 * largest + 6.0 * np.sqrt(largest) + 8)))
    grid.place(rng.poisson(means))
    return grid


# ----------------------------------------------------------------------------- public API


def step_boundaries(times: np.ndarray, record_times_s, max_step_s: float) -> np.ndarray:
    """Sorted step boundaries: ``times`` and ``record_times_s``, long intervals split evenly."""
    points = [times]
    if record_times_s is not None:
        extra = np.atleast_1d(np.asarray(record_times_s, dtype=np.float64))
        if extra.ndim != 1 or not np.all(np.isfinite(extra)):
            raise InputError("record_times_s", "must be a 1-D array of finite times", "")
        if np.any(extra < 0) or np.any(extra > times[-1]):
            raise InputError("record_times_s", f"must lie within 0 to {times[-1]} s", "")
        points.append(extra)
    knots = np.unique(np.concatenate(points))
    knots = knots[np.concatenate([[True], np.diff(knots) > 1e-3])]
    knots[-1] = times[-1]
    pieces = np.maximum(1, np.ceil(np.diff(knots) / max_step_s - 1e-9)).astype(int)
    starts = np.repeat(knots[:-1], pieces)
    widths = np.repeat(np.diff(knots) / pieces, pieces)
    within = np.arange(pieces.sum()) - np.repeat(np.cumsum(pieces) - pieces, pieces)
    return np.append(starts + within * widths, knots[-1])


def _check_sizes(n_animals: int, segments_per_animal: int, max_step_s: float) -> None:
    if int(n_animals) != n_animals or n_animals < 1:
        raise InputError("n_animals", f"{n_animals!r}", "give a positive integer")
    if int(segments_per_animal) != segments_per_animal or segments_per_animal < 1:
        raise InputError(
            "segments_per_animal", f"{segments_per_animal!r}", "give a positive integer"
        )
    if not (math.isfinite(max_step_s) and max_step_s > 0):
        raise InputError("max_step_s", f"{max_step_s!r}", "give a positive step in seconds")


def _prepare_rates(params, times, drive, n_animals, mods, boundaries):
    unknown = set(drive) - set(DRIVE_NAMES)
    if unknown:
        raise InputError(
            f"drive.{sorted(unknown)[0]}", "is not a spine drive", f"use {DRIVE_NAMES}"
        )
    steps = np.diff(boundaries)
    lags = {
        "slow": params["drive_time_constant"],
        "fast": params["maturation_time_constant"],
        "erk": params["restoration_time_constant"],
    }
    filtered: dict[tuple[str, str], np.ndarray] = {}
    start = {}
    for name in DRIVE_NAMES:
        values = _drive_array(name, drive.get(name, np.ones(times.size)), times, n_animals)
        start[name] = values[:, 0]
        means = _step_means(times, values, boundaries)
        for lag in ("erk",) if name == "erk" else ("slow", "fast"):
            filtered[name, lag] = _filtered_step_means(
                means, values[:, 0].copy(), steps, lags[lag]
            )
    step_factors = (
        *_factors(
            params,
            (filtered["synaptic_protein", "slow"], filtered["bdnf", "slow"]),
            (filtered["synaptic_protein", "fast"], filtered["bdnf", "fast"]),
            mods,
        ),
        restoration_rate(params, filtered["erk", "erk"]),
    )
    at_start = (start["synaptic_protein"], start["bdnf"])
    start_factors = (
        *_factors(params, at_start, at_start, mods),
        restoration_rate(params, start["erk"]),
    )
    return step_factors, start_factors


def simulate_spines(
    params: SpineParameters,
    times_s: np.ndarray,
    drive: Mapping[str, DriveInput],
    n_animals: int,
    segments_per_animal: int,
    seed: int,
    modifiers: dict[str, float] | None = None,
    *,
    max_step_s: float = 3600.0,
    record_times_s: np.ndarray | None = None,
) -> SpinePopulation:
    """Simulate spine populations of ``n_animals`` x ``segments_per_animal`` dendrite segments.

    Parameters
    ----------
    params
        From :func:`synpharm.structure.load_spine_parameters`.
    times_s
        Time grid of the drives [s], starting at 0; the simulation ends at ``times_s[-1]``.
    drive
        ``"synaptic_protein"``, ``"bdnf"`` and ``"erk"`` (dimensionless, 1 = baseline) on
        ``times_s``, shape ``(n_times,)`` or ``(n_animals, n_times)``, or callables of
        ``times_s``; linear between grid points. A missing drive is 1.
    n_animals, segments_per_animal
        Cohort size and segments per animal.
    seed
        Seed of the random stream (same seed, same population, bit for bit).
    modifiers
        Condition modifiers (``formation_scale``, ``elimination_scale``, ``maturation_scale``,
        ``shrinkage_scale``; 1 = none; ``collapse_rate`` [1/s], 0 = none), e.g.
        ``params.condition_modifiers("csds_susceptible")``.
    max_step_s
        Largest step [s] (default 1 h).
    record_times_s
        Further times [s] at which readouts will be taken (imaging sessions, histology).

    The step boundaries are every time of ``times_s`` and ``record_times_s``, with intervals
    longer than ``max_step_s`` split evenly; readouts are possible at any boundary. (A very
    fine drive grid therefore costs speed: pass the drives on a grid of minutes to hours.)

    Returns
    -------
    SpinePopulation
        Starts at the stationary distribution of the rates at ``times_s[0]`` (conditions
        included) and records every change.

    Examples
    --------
    >>> import numpy as np
    >>> from synpharm.structure import load_spine_parameters
    >>> params = load_spine_parameters("mouse_mpfc_l5")
    >>> times = np.arange(15) * 86400.0
    >>> pop = simulate_spines(params, times, {}, n_animals=2, segments_per_animal=3, seed=1)
    >>> pop.state_at(86400.0)[0].shape[:2]
    (2, 3)
    """
    times = _check_times(times_s)
    _check_sizes(n_animals, segments_per_animal, max_step_s)
    mods = check_modifiers(modifiers)
    boundaries = step_boundaries(times, record_times_s, max_step_s)
    (formation, maturation, elimination, recovery), start = _prepare_rates(
        params, times, dict(drive), n_animals, mods, boundaries
    )
    rng = _generator(seed)
    rates = baseline_rates(params)
    animal_scale = _animal_scales(params["between_animal_density_cv"], n_animals, rng)
    grid = _initial_grid(params, rates, start, animal_scale, mods, segments_per_animal, rng)
    initial_state, initial_ids = grid.grid(grid.state).copy(), grid.grid(grid.ids).copy()
    length = params.segment_length_um
    form = rates.formation_per_um * formation.T * animal_scale  # (n_steps, n_animals)
    cumulative, survival = _step_kernels(
        rates, maturation.T, elimination.T, recovery.T, mods, np.diff(boundaries)
    )
    # round-off can leave -1e-20 in the integral; Poisson means must be >= 0
    births = np.maximum(form[..., None] * length * survival, 0.0)  # (n_steps, n_animals, 5)
    animal_of_segment = np.repeat(np.arange(n_animals), segments_per_animal)
    events = run_steps(grid, cumulative, births, animal_of_segment, rng)
    initial = _padded(initial_state, initial_ids, grid.n_slots, n_animals, segments_per_animal)
    return _population(params, boundaries, initial, events, form, mods, seed)


def _generator(seed: int) -> np.random.Generator:
    """The random stream of a run; InputError for a seed that is not a whole number >= 0."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError("seed", f"{seed!r} is not a whole number >= 0", "give e.g. seed=0")
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))


def _padded(state: np.ndarray, ids: np.ndarray, n_slots: int, n_animals: int,
            segments_per_animal: int) -> tuple[np.ndarray, np.ndarray]:
    """Initial spine states and ids padded to ``n_slots``, shape (animals, segments, slots)."""
    pad = n_slots - state.shape[1]
    shape = (n_animals, segments_per_animal, n_slots)
    return (np.pad(state, ((0, 0), (0, pad))).reshape(shape),
            np.pad(ids, ((0, 0), (0, pad))).reshape(shape))


def _population(params: SpineParameters, boundaries: np.ndarray, initial, events, form, mods,
                seed: int) -> SpinePopulation:
    """The :class:`SpinePopulation` record of a finished run."""
    return SpinePopulation(
        parameters=params,
        boundaries_s=boundaries,
        segment_length_um=params.segment_length_um,
        initial_state=initial[0],
        initial_ids=initial[1],
        event_step=events[0],
        event_segment=events[1],
        event_slot=events[2],
        event_state=events[3],
        event_id=events[4],
        formation_per_um_per_day=(form * 86400.0).T.copy(),
        modifiers=mods,
        seed=seed,
    )
