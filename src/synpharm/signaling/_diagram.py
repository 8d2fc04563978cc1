"""Pathway diagram drawn from a network declaration (layered layout from the reaction graph).

Nodes are the inputs (drug effects) and species; an edge ``a -> b`` means ``a`` changes the net
production of ``b`` (as a reactant, or a modifier of a reaction making ``b``). Its sign comes
from the rate laws themselves: the derivative of ``d b/dt`` with respect to ``a`` at the
drug-free baseline (activation: arrow; inhibition: bar). Self-decay is not drawn. Layers are
longest paths from the inputs after removing the edges that close cycles (drawn dashed as
feedback), and the order within layers minimises crossings by barycentre sweeps.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from synpharm.errors import InputError
from synpharm.signaling._engine import compile_network
from synpharm.signaling._network import Network

__all__ = ["draw_network", "influence_edges", "layered_layout"]

_STEP = 1e-4  # finite-difference step for edge signs [level units]


def _derivative_at_baseline(network: Network, state: NDArray[np.float64],
                            inputs: NDArray[np.float64]) -> NDArray[np.float64]:
    compiled = compile_network(network)
    p = tuple(float(network.parameters[n]) for n in compiled.parameter_names)
    return np.array(compiled.species_derivative(state.tolist(), p, inputs.tolist()), dtype=float)


def influence_edges(network: Network) -> list[tuple[str, str, int]]:
    """``(source, target, sign)`` edges: sign +1 activation, -1 inhibition.

    Sign is that of ``d(d target/dt)/d source`` at the drug-free baseline (inputs probed at a
    small positive value, since they start at 0).
    """
    species = network.species_names
    base_state = np.array([s.initial for s in network.species])
    base_inputs = np.zeros(len(network.inputs))
    base = _derivative_at_baseline(network, base_state, base_inputs)
    edges: list[tuple[str, str, int]] = []
    sources = [(name, "species", i) for i, name in enumerate(species)] + \
        [(name, "input", i) for i, name in enumerate(network.input_names)]
    for name, kind, index in sources:
        state, inputs = base_state.copy(), base_inputs.copy()
        (state if kind == "species" else inputs)[index] += _STEP
        change = (_derivative_at_baseline(network, state, inputs) - base) / _STEP
        for target_index, value in enumerate(change):
            target = species[target_index]
            if target != name and abs(value) > 1e-12:
                edges.append((name, target, 1 if value > 0 else -1))
    return edges


def _feedback_edges(nodes: list[str], edges: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Edges that lie on a cycle and point back in declaration order (the declaration lists a
    pathway from its inputs downstream, so these are its feedback loops)."""
    successors: dict[str, set[str]] = {n: set() for n in nodes}
    for a, b in edges:
        successors[a].add(b)

    def reaches(start: str, goal: str) -> bool:
        seen, stack = {start}, [start]
        while stack:
            node = stack.pop()
            if node == goal:
                return True
            for child in successors[node] - seen:
                seen.add(child)
                stack.append(child)
        return False

    rank = {n: i for i, n in enumerate(nodes)}
    return {(a, b) for a, b in edges if rank[b] <= rank[a] and reaches(b, a)}


def _layers(nodes: list[str], forward: list[tuple[str, str]]) -> dict[str, int]:
    """Longest-path layer of each node on an acyclic edge list; sources next to their targets."""
    layer = dict.fromkeys(nodes, 0)
    for _ in nodes:
        changed = False
        for a, b in forward:
            if layer[b] < layer[a] + 1:
                layer[b], changed = layer[a] + 1, True
        if not changed:
            break
    targets_of = {n: [b for a, b in forward if a == n] for n in nodes}
    has_parent = {b for _, b in forward}
    for node in nodes:
        if targets_of[node] and node not in has_parent:
            layer[node] = min(layer[b] for b in targets_of[node]) - 1
    return layer


def _barycentre_order(layers: dict[int, list[str]], forward: list[tuple[str, str]]
                      ) -> dict[str, float]:
    """Order within layers by four sweeps of neighbour barycentres (fewer crossings)."""
    order = {n: float(i) for members in layers.values() for i, n in enumerate(members)}
    neighbours: dict[str, list[str]] = {n: [] for n in order}
    for a, b in forward:
        neighbours[a].append(b)
        neighbours[b].append(a)
    for _ in range(4):
        for index in sorted(layers):
            members = layers[index]
            centre = {n: float(np.mean([order[m] for m in neighbours[n]])) if neighbours[n]
                      else order[n] for n in members}
            members.sort(key=lambda n: centre[n])
            for i, n in enumerate(members):
                order[n] = i - (len(members) - 1) / 2
    return order


def layered_layout(nodes: list[str], edges: list[tuple[str, str]]
                   ) -> tuple[dict[str, tuple[float, float]], set[tuple[str, str]]]:
    """Positions ``(layer, rank)`` of each node and the feedback edges removed for layering."""
    feedback = _feedback_edges(nodes, edges)
    forward = [(a, b) for a, b in edges if (a, b) not in feedback]
    layer = _layers(nodes, forward)
    layers: dict[int, list[str]] = {}
    for node in nodes:
        layers.setdefault(layer[node], []).append(node)
    order = _barycentre_order(layers, forward)
    return {n: (float(layer[n]), order[n]) for n in nodes}, feedback


def _style(network: Network) -> dict[str, str]:
    colours = dict.fromkeys(network.input_names, "#f4cccc")
    for item in network.species:
        colours[item.name] = "#d9ead3" if item.name in {
            "synaptic_protein", "bdnf", "mtorc1_active"} else "#dae8fc"
    return colours


def draw_network(network: Network, path: str | Path | None = None, title: str | None = None):
    """Draw the pathway diagram; write PNG or SVG when ``path`` is given (by its suffix).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch

    if path is not None and Path(path).suffix.lower() not in {".png", ".svg"}:
        raise InputError("--out", f"{str(path)!r} is not a .png or .svg file",
                         "give a file name ending in .png or .svg")
    signed = influence_edges(network)
    nodes = [*network.input_names, *network.species_names]
    positions, feedback = layered_layout(nodes, [(a, b) for a, b, _ in signed])
    n_layers = int(max(x for x, _ in positions.values())) + 1
    height = max(len([n for n in nodes if positions[n][0] == k]) for k in range(n_layers))
    # top to bottom (layers are rows): a long pathway stays readable on a page or a screen
    xy = {n: (1.9 * rank, -1.0 * layer) for n, (layer, rank) in positions.items()}
    figure, axes = plt.subplots(figsize=(1.9 * height + 2.5, 0.85 * n_layers + 1.2))
    colours = _style(network)
    for a, b, sign in signed:
        is_feedback = (a, b) in feedback
        arrow = FancyArrowPatch(
            xy[a], xy[b], arrowstyle="-|>" if sign > 0 else "-[",
            connectionstyle=f"arc3,rad={0.35 if is_feedback else 0.08}",
            mutation_scale=14, shrinkA=16, shrinkB=18, linewidth=1.2,
            linestyle="--" if is_feedback else "-",
            color="#0072B2" if sign > 0 else "#D55E00", alpha=0.85)
        axes.add_patch(arrow)
    for node, (x, y) in xy.items():
        axes.text(x, y, node.replace("_", " "), ha="center", va="center", fontsize=10,
                  bbox={"boxstyle": "round,pad=0.35", "facecolor": colours[node],
                        "edgecolor": "#555555", "linewidth": 0.7})
    axes.set_xlim(-0.95 * height - 0.6, 0.95 * height + 0.6)
    axes.set_ylim(-(n_layers - 1) - 0.5, 0.5)
    axes.axis("off")
    axes.set_title(title or f"{network.name} (from the declaration)\nblue arrows activate, "
                   "orange bars inhibit, dashed = feedback; red boxes: drug inputs", fontsize=11)
    figure.tight_layout()
    if path is not None:  # no dates, fixed SVG ids: the same network gives the same file
        import matplotlib

        suffix = str(path).rsplit(".", 1)[-1].lower()
        metadata = {"svg": {"Date": None}, "png": {"Software": None}}.get(suffix)
        with matplotlib.rc_context({"svg.hashsalt": "synpharm"}):
            figure.savefig(path, dpi=150, metadata=metadata)
    return figure
