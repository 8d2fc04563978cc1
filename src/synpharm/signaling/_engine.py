"""The engine: compile a declared network to NumPy and integrate it with a stiff adaptive solver.

Rate laws are compiled once per network into one function evaluating every reaction rate on a
batch of subjects (arrays of shape ``(n_batch,)``); ``dy/dt = N @ rates`` with the stoichiometry
matrix N. The time axis is split into *quiet* stretches (inputs constant: the BDF solver takes
steps as long as the dynamics allow, hours to days) and *active* stretches (inputs change between
grid points: steps no longer than the input grid spacing, so no drug pulse is stepped over).
Subjects are integrated together as one system with a block-diagonal Jacobian sparsity.
"""

from __future__ import annotations

import ast
import bisect
import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse
from scipy.integrate import solve_ivp

from synpharm.errors import InputError
from synpharm.signaling._network import Network, formula_names

__all__ = ["CompiledNetwork", "SignalingResult", "compile_network", "simulate_signaling"]

#: Relative and absolute tolerances of the BDF solver (levels are O(1)).
RTOL, ATOL = 1e-4, 1e-7
#: Drug-free equilibration horizon for ablated networks [s] (> 30 time constants of the slowest
#: declared process, synaptic proteins at 3.5 days).
EQUILIBRATION_TIME = 200 * 86400.0
#: Cohort size from which the Jacobian is treated as sparse (block diagonal over subjects).
SPARSE_FROM_BATCH = 8

RateFunction = Callable[[NDArray[np.float64], tuple[Any, ...], NDArray[np.float64]],
                        list[Any]]


def _power(base: Any, exponent: Any) -> Any:
    """``max(base, 0) ** exponent`` for floats and arrays (species are never negative; the
    solver's trial states can be, by round-off)."""
    if isinstance(base, float | int):
        return (base if base > 0.0 else 0.0) ** exponent
    return np.maximum(base, 0.0) ** exponent


class _Rename(ast.NodeTransformer):
    """Prefix names so that declared names can never shadow Python names."""

    def __init__(self, species: set[str], inputs: set[str]) -> None:
        self.species, self.inputs = species, inputs

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        node = self.generic_visit(node)  # type: ignore[assignment]
        if isinstance(node.op, ast.Pow):  # powers of round-off negatives are taken as 0
            call = ast.Call(func=ast.Name(id="_power", ctx=ast.Load()),
                            args=[node.left, node.right], keywords=[])
            return ast.copy_location(call, node)
        return node

    def visit_Name(self, node: ast.Name) -> ast.Name:
        prefix = "s_" if node.id in self.species else "u_" if node.id in self.inputs else "p_"
        return ast.copy_location(ast.Name(id=prefix + node.id, ctx=ast.Load()), node)


@dataclass(frozen=True)
class CompiledNetwork:
    """A network compiled for integration.

    Attributes
    ----------
    network
        The declaration it was compiled from.
    rates
        ``rates(y, p, u) -> list`` of reaction rates, in declaration order.
    species_derivative
        ``species_derivative(y, p, u) -> list`` of ``dy_i/dt``. Both take per-species values
        ``y``, parameter values ``p`` (declaration order) and input values ``u``, each either
        Python floats (one subject: fastest) or NumPy arrays of shape ``(n_batch,)``.
    stoichiometry
        Matrix N, shape ``(n_species, n_reactions)``.
    dependency
        Boolean ``(n_species, n_species)``: ``d(dy_i/dt)/dy_j`` may be non-zero.
    parameter_names
        Order of ``p``.
    """

    network: Network
    rates: RateFunction = field(repr=False)
    species_derivative: RateFunction = field(repr=False)
    stoichiometry: NDArray[np.float64] = field(repr=False)
    dependency: NDArray[np.bool_] = field(repr=False)
    parameter_names: tuple[str, ...] = ()

    def derivative(self, y: NDArray[np.float64], p: tuple[Any, ...], u: NDArray[np.float64]
                   ) -> NDArray[np.float64]:
        """``dy/dt`` for a species x batch state ``y`` and inputs ``u`` (inputs x batch)."""
        if y.shape[1] == 1:
            values = self.species_derivative(y[:, 0].tolist(), p, u[:, 0].tolist())
            return np.array(values, dtype=float).reshape(-1, 1)
        out = np.empty_like(y)
        for i, value in enumerate(self.species_derivative(y, p, u)):
            out[i] = value
        return out


def _header(network: Network, parameter_names: tuple[str, ...], name: str) -> list[str]:
    lines = [f"def {name}(y, p, u):"]
    lines += [f"    s_{n} = y[{i}]" for i, n in enumerate(network.species_names)]
    lines += [f"    p_{n} = p[{i}]" for i, n in enumerate(parameter_names)]
    lines += [f"    u_{n} = u[{i}]" for i, n in enumerate(network.input_names)]
    return lines


def _term(coefficient: float, rate: str) -> str:
    if coefficient == 1.0:
        return f" + {rate}"
    if coefficient == -1.0:
        return f" - {rate}"
    return f" + ({coefficient!r}) * {rate}"


def _source(network: Network, parameter_names: tuple[str, ...],
            stoichiometry: NDArray[np.float64]) -> str:
    """Python source of ``rates`` and ``species_derivative`` (names prefixed s_, p_, u_)."""
    renamer = _Rename(set(network.species_names), set(network.input_names))
    expressions = [ast.unparse(renamer.visit(ast.parse(r.rate, mode="eval")))
                   for r in network.reactions]
    lines = _header(network, parameter_names, "rates")
    lines.append(f"    return [{', '.join(expressions)}]")
    lines += _header(network, parameter_names, "species_derivative")
    lines += [f"    r{j} = {expression}" for j, expression in enumerate(expressions)]
    derivatives = []
    for row in stoichiometry:
        terms = "".join(_term(float(c), f"r{j}") for j, c in enumerate(row) if c != 0)
        derivatives.append(f"0.0{terms}")
    lines.append(f"    return [{', '.join(derivatives)}]")
    return "\n".join(lines)


def _dependency(network: Network, stoichiometry: NDArray[np.float64]) -> NDArray[np.bool_]:
    index = {name: i for i, name in enumerate(network.species_names)}
    uses = np.zeros((len(network.reactions), len(index)), dtype=bool)
    for r, reaction in enumerate(network.reactions):
        for name in formula_names(reaction.rate):
            if name in index:
                uses[r, index[name]] = True
    return ((stoichiometry != 0).astype(int) @ uses.astype(int)) > 0


def compile_network(network: Network) -> CompiledNetwork:
    """Compile the rate laws of ``network`` into Python functions.

    The generated code depends only on the declaration (names, formulas, stoichiometry), not on
    parameter values, and is memoised on it.
    """
    species = {name: i for i, name in enumerate(network.species_names)}
    stoichiometry = np.zeros((len(species), len(network.reactions)))
    for r, reaction in enumerate(network.reactions):
        for name, number in reaction.reactants:
            stoichiometry[species[name], r] -= number
        for name, number in reaction.products:
            stoichiometry[species[name], r] += number
    key = (network.species_names, network.input_names, tuple(network.parameters),
           tuple((r.name, r.rate) for r in network.reactions), stoichiometry.tobytes())
    rates, derivative = _generated_functions(key, network, stoichiometry)
    return CompiledNetwork(network, rates, derivative, stoichiometry,
                           _dependency(network, stoichiometry), tuple(network.parameters))


_GENERATED: dict[tuple[Any, ...], tuple[RateFunction, RateFunction]] = {}


def _generated_functions(key: tuple[Any, ...], network: Network,
                         stoichiometry: NDArray[np.float64]
                         ) -> tuple[RateFunction, RateFunction]:
    """Memoised code generation (the only module-level store: a pure cache of compiled code)."""
    if key not in _GENERATED:
        namespace: dict[str, Any] = {"_power": _power}
        source = _source(network, tuple(network.parameters), stoichiometry)
        exec(compile(source, f"<network {network.name}>", "exec"), namespace)  # validated
        _GENERATED[key] = (namespace["rates"], namespace["species_derivative"])
    return _GENERATED[key]


@dataclass(frozen=True)
class SignalingResult:
    """Time courses of every species.

    Attributes
    ----------
    time
        Output times [s], shape ``(n_times,)``.
    species
        Name -> level; shape ``(n_times,)`` for one subject, ``(n_batch, n_times)`` for a batch.
        Normalised species are 1 at the drug-free baseline of the full network.
    inputs
        The input time courses used, same shapes.
    network
        Name of the network; ``ablations`` the reactions removed.
    """

    time: NDArray[np.float64]
    species: dict[str, NDArray[np.float64]]
    inputs: dict[str, NDArray[np.float64]]
    network: str
    ablations: tuple[str, ...] = ()


def _parameter_values(network: Network, parameters: Mapping[str, ArrayLike] | None
                      ) -> dict[str, NDArray[np.float64]]:
    values = {name: np.asarray(network.parameters[name], dtype=float)
              for name in network.parameters}
    for name, value in (parameters or {}).items():
        if name not in values:
            raise InputError(f"parameters.{name}", f"is not a parameter of {network.name}",
                             "use names from the network's parameter file")
        array = np.asarray(value, dtype=float)
        if array.ndim > 1 or not np.all(np.isfinite(array)) or np.any(array < 0):
            raise InputError(f"parameters.{name}", "must be a finite value >= 0 or a 1-D array",
                             "give one value per subject")
        values[name] = array
    return values


def _input_values(network: Network, inputs: Mapping[str, ArrayLike], n_times: int
                  ) -> dict[str, NDArray[np.float64]]:
    values = {}
    for name, value in inputs.items():
        if name not in network.input_names:
            raise InputError(f"inputs.{name}", f"is not an input of {network.name}",
                             f"use one of: {', '.join(network.input_names)}")
        array = np.asarray(value, dtype=float)
        if array.shape[-1:] != (n_times,) or array.ndim > 2:
            raise InputError(f"inputs.{name}", f"has shape {array.shape}",
                             f"give (n_times,) or (n_batch, n_times) with n_times = {n_times}")
        if not np.all(np.isfinite(array)) or np.any(array < 0) or np.any(array > 1):
            raise InputError(f"inputs.{name}", "must lie in [0, 1]",
                             "inputs are fractions (block, occupancy, inhibition)")
        values[name] = array
    return values


def _batch_size(parameters: Mapping[str, NDArray[np.float64]],
                inputs: Mapping[str, NDArray[np.float64]]) -> int:
    sizes = {a.shape[0] for a in parameters.values() if a.ndim == 1}
    sizes |= {a.shape[0] for a in inputs.values() if a.ndim == 2}
    sizes.discard(1)
    if len(sizes) > 1:
        raise InputError("parameters/inputs", f"batch sizes {sorted(sizes)} differ",
                         "give every per-subject array the same length")
    return sizes.pop() if sizes else 1


def _breakpoints(times: NDArray[np.float64], u: NDArray[np.float64]) -> list[int]:
    """Grid indices where the solver restarts with a short first step: where an input starts to
    rise or fall after a constant or opposite-going stretch (a dose, a wash-in, a wash-out).
    Between them the adaptive steps grow as the dynamics allow."""
    if u.size == 0:
        return [0, times.size - 1]
    direction = np.sign(np.diff(u, axis=-1))  # (n_inputs, n_batch, n_times - 1)
    onset = (direction[..., 1:] != 0) & (direction[..., 1:] != direction[..., :-1])
    starts = np.flatnonzero(np.any(onset, axis=(0, 1))) + 1
    return sorted({0, times.size - 1, *starts.tolist()})


class _Interpolator:
    """Linear interpolation of inputs (n_inputs, n_batch, n_times) at a time t."""

    def __init__(self, times: NDArray[np.float64], u: NDArray[np.float64]) -> None:
        self.times = times.tolist()
        self.last = len(self.times) - 2
        values = np.ascontiguousarray(np.moveaxis(u, -1, 0))  # (n_times, n_inputs, n_batch)
        self.values = values
        self.slope = np.diff(values, axis=0) / np.diff(times)[:, None, None]
        self.constant = u.size == 0 or not np.any(self.slope)

    def __call__(self, t: float) -> NDArray[np.float64]:
        if self.constant:
            return self.values[0]
        i = min(max(bisect.bisect_right(self.times, t) - 1, 0), self.last)
        dt = min(max(t - self.times[i], 0.0), self.times[i + 1] - self.times[i])
        return self.values[i] + self.slope[i] * dt


def _integrate(compiled: CompiledNetwork, p: tuple[Any, ...], y0: NDArray[np.float64],
               times: NDArray[np.float64], u: NDArray[np.float64]) -> NDArray[np.float64]:
    """Integrate from ``y0`` (species x batch) over ``times``; returns species x batch x times."""
    n_species, n_batch = y0.shape
    sparsity = None  # dense Jacobian for a few subjects; block-diagonal sparsity for cohorts
    if n_batch >= SPARSE_FROM_BATCH:
        pattern = sparse.csr_matrix(compiled.dependency | np.eye(n_species, dtype=bool))
        sparsity = sparse.kron(pattern, sparse.eye(n_batch), format="csr")
    interpolate = _Interpolator(times, u)

    def rhs(t: float, flat: NDArray[np.float64]) -> NDArray[np.float64]:
        y = flat.reshape(n_species, n_batch)
        return compiled.derivative(y, p, interpolate(t)).ravel()

    out = np.empty((n_species, n_batch, times.size))
    out[:, :, 0] = y0
    state = y0.ravel()
    breaks = _breakpoints(times, u)
    for start, end in itertools.pairwise(breaks):
        solution = solve_ivp(rhs, (times[start], times[end]), state, method="BDF",
                             t_eval=times[start:end + 1], rtol=RTOL, atol=ATOL,
                             jac_sparsity=sparsity, first_step=times[start + 1] - times[start])
        if not solution.success:
            raise RuntimeError(f"signalling solver failed: {solution.message}")
        out[:, :, start:end + 1] = solution.y.reshape(n_species, n_batch, -1)
        state = solution.y[:, -1]
    return out


def _baseline_state(compiled: CompiledNetwork, p: tuple[Any, ...], n_batch: int
                    ) -> NDArray[np.float64]:
    """Drug-free steady state: the declared initial values, re-equilibrated after ablations."""
    network = compiled.network
    y0 = np.repeat(np.array([[s.initial] for s in network.species]), n_batch, axis=1)
    zero = np.zeros((len(network.inputs), n_batch))
    if np.max(np.abs(compiled.derivative(y0, p, zero)), initial=0.0) < 1e-12:
        return y0
    times = np.array([0.0, EQUILIBRATION_TIME])
    u = np.zeros((len(network.inputs), n_batch, 2))
    return _integrate(compiled, p, y0, times, u)[:, :, -1]


def simulate_signaling(network: Network, times_s: ArrayLike,
                       inputs: Mapping[str, ArrayLike] | None = None,
                       ablations: tuple[str, ...] | list[str] = (),
                       parameters: Mapping[str, ArrayLike] | None = None) -> SignalingResult:
    """Integrate a signalling network driven by input time courses.

    Parameters
    ----------
    network
        From :func:`~synpharm.signaling.load_network`.
    times_s
        Output times [s], strictly increasing, shape ``(n_times,)`` with ``n_times >= 2``; the
        state at ``times_s[0]`` is the drug-free steady state.
    inputs
        Input name -> values in [0, 1] on ``times_s``, shape ``(n_times,)`` or
        ``(n_batch, n_times)`` (e.g. from :func:`~synpharm.signaling.drive_from_concentrations`).
        Missing inputs stay at 0 (no drug). Linear between grid points.
    ablations
        Reaction names to remove, e.g. ``("creb_bdnf_transcription",)``; the ablated network
        starts from its own drug-free steady state.
    parameters
        Parameter overrides, name -> value or ``(n_batch,)`` array (one per subject).

    Returns
    -------
    SignalingResult
        ``species[name]`` of shape ``(n_times,)``, or ``(n_batch, n_times)`` when any input or
        parameter has a batch axis.

    Raises
    ------
    InputError
        Unknown input, parameter or reaction name; values out of range; bad time grid.
    """
    times = np.asarray(times_s, dtype=float)
    if times.ndim != 1 or times.size < 2 or not np.all(np.diff(times) > 0) \
            or not np.all(np.isfinite(times)):
        raise InputError("times_s", "must be a strictly increasing 1-D array of >= 2 times",
                         "e.g. np.linspace(0, 6 * 3600, 361)")
    reduced = network.without(ablations)
    compiled = compile_network(reduced)
    p_values = _parameter_values(reduced, parameters)
    u_values = _input_values(reduced, inputs or {}, times.size)
    n_batch = _batch_size(p_values, u_values)
    batched = n_batch > 1 or any(a.ndim == 2 for a in u_values.values()) or \
        any(a.ndim == 1 for a in p_values.values())
    p = tuple(float(np.ravel(p_values[name])[0]) if n_batch == 1 else p_values[name]
              for name in compiled.parameter_names)
    u = np.zeros((len(reduced.inputs), n_batch, times.size))
    for i, name in enumerate(reduced.input_names):
        if name in u_values:
            u[i] = np.broadcast_to(u_values[name], (n_batch, times.size))
    y0 = _baseline_state(compiled, p, n_batch)
    y = _integrate(compiled, p, y0, times, u)
    species = {name: (y[i] if batched else y[i, 0]) for i, name in enumerate(reduced.species_names)}
    used = {name: (u[i] if batched else u[i, 0]) for i, name in enumerate(reduced.input_names)}
    return SignalingResult(times, species, used, network.name, reduced.ablations)
