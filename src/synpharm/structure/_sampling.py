"""Sampling of spine slots: moves of existing spines and placement of new ones (vectorised).

Slots are a ``(n_segments, n_slots)`` grid stored flat; state 0 is an empty slot. In a step most
spines stay where they are, so a spine first draws one uniform number against the probability
of staying, and only the few that move look up the rest of their row of the transition matrix.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["SlotGrid", "ordered_cumulative"]

N_STATES = 6  # absent, new, thin, stubby, mushroom, collapsed (synpharm.structure._parameters)
#: For each state i: [i, the other states in increasing order] (staying is tried first).
ORDER = np.array([[i, *[j for j in range(N_STATES) if j != i]] for i in range(N_STATES)])


def ordered_cumulative(transition: np.ndarray) -> np.ndarray:
    """Cumulative transition probabilities in :data:`ORDER` (stay first), ``(..., 6, 6)``."""
    order = np.broadcast_to(ORDER, transition.shape)
    return np.cumsum(np.take_along_axis(transition, order, axis=-1), axis=-1)


@dataclass
class SlotGrid:
    """Spine slots of all segments: states (uint8) and identities (int64, 0 = none)."""

    n_segments: int
    n_slots: int
    state: np.ndarray  # (n_segments * n_slots,)
    ids: np.ndarray
    next_id: int = 1
    _base: np.ndarray | None = field(default=None, repr=False)

    @classmethod
    def empty(cls, n_segments: int, n_slots: int) -> SlotGrid:
        """A grid without spines."""
        size = n_segments * n_slots
        return cls(n_segments, n_slots, np.zeros(size, np.uint8), np.zeros(size, np.int64))

    def grid(self, array: np.ndarray) -> np.ndarray:
        """``array`` (state or ids) as ``(n_segments, n_slots)``."""
        return array.reshape(self.n_segments, self.n_slots)

    def grow(self, extra: int) -> None:
        """Add ``extra`` (at least half the current number of) empty slots per segment."""
        extra = max(int(extra), self.n_slots // 2, 1)
        pad = ((0, 0), (0, extra))
        self.state = np.pad(self.grid(self.state), pad).reshape(-1)
        self.ids = np.pad(self.grid(self.ids), pad).reshape(-1)
        self.n_slots += extra

    def move(self, cumulative: np.ndarray, animal_of_segment: np.ndarray, rng) -> np.ndarray:
        """Move every spine by its animal's ordered cumulative probabilities; flat moved slots."""
        occupied = np.flatnonzero(self.state)
        table = cumulative.reshape(-1, N_STATES)  # row = animal * N_STATES + state
        row = self._row_base(animal_of_segment).take(occupied) + self.state.take(occupied)
        uniform = rng.random(occupied.size)
        moving = np.flatnonzero(uniform >= table[:, 0].take(row))
        slots, row, uniform = occupied.take(moving), row.take(moving), uniform.take(moving)
        position = (uniform[:, None] >= table[row, : N_STATES - 1]).sum(axis=1)
        new_state = ORDER[row % N_STATES, np.maximum(position, 1)].astype(np.uint8)
        self.state[slots] = new_state
        self.ids[slots[new_state == 0]] = 0
        return slots

    def _row_base(self, animal_of_segment: np.ndarray) -> np.ndarray:
        """``animal * N_STATES`` for every slot (cached until the grid grows)."""
        if self._base is None or self._base.size != self.state.size:
            self._base = np.repeat(animal_of_segment.astype(np.int64) * N_STATES, self.n_slots)
        return self._base

    def place(self, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Put new spines (``counts`` per segment and live state, ``(n_segments, 5)``) in empty
        slots, lowest slot first; returns their (segment, slot) indices."""
        total = counts.sum(axis=1)
        rows = np.flatnonzero(total)
        if rows.size == 0:
            return rows, rows
        free = self.grid(self.state)[rows] == 0
        shortfall = int((total[rows] - free.sum(axis=1)).max())
        if shortfall > 0:
            self.grow(shortfall)
            free = self.grid(self.state)[rows] == 0
        rank = np.cumsum(free, axis=1)
        r, c = np.nonzero(free & (rank <= total[rows, None]))
        ends = np.cumsum(counts[rows], axis=1)[r]
        new_state = (1 + (rank[r, c][:, None] > ends).sum(axis=1)).astype(np.uint8)
        segment = rows[r]
        flat = segment * self.n_slots + c
        self.state[flat] = new_state
        self.ids[flat] = self.next_id + np.arange(flat.size)
        self.next_id += flat.size
        return segment, c


def run_steps(
    grid: SlotGrid,
    cumulative: np.ndarray,
    births: np.ndarray,
    animal_of_segment: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, ...]:
    """Advance ``grid`` through all steps; the event log (step, segment, slot, state, id).

    ``cumulative`` is ``(n_steps, n_animals, 6, 6)`` from :func:`ordered_cumulative`;
    ``births`` the mean number of new spines per segment in each live state at the end of
    each step, ``(n_steps, n_animals, 5)``.
    """
    log: list[list[np.ndarray]] = [[], [], [], [], []]
    for step in range(cumulative.shape[0]):
        moved = grid.move(cumulative[step], animal_of_segment, rng)
        moved_segment, moved_slot = np.divmod(moved, grid.n_slots)
        born_segment, born_slot = grid.place(rng.poisson(births[step][animal_of_segment]))
        segment = np.concatenate([moved_segment, born_segment])
        slot = np.concatenate([moved_slot, born_slot])
        flat = segment * grid.n_slots + slot
        log[0].append(np.full(flat.size, step, np.int32))
        log[1].append(segment)
        log[2].append(slot)
        log[3].append(grid.state[flat])
        log[4].append(grid.ids[flat])
    dtypes = (np.int32, np.int64, np.int64, np.uint8, np.int64)
    return tuple(
        np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype)
        for parts, dtype in zip(log, dtypes, strict=True)
    )
