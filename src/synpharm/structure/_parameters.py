"""Spine parameter sets and the closed-form derivation of the kinetic rates from observables."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synpharm.errors import InputError
from synpharm.parameters import ParameterSet, load_parameter_set, package_parameter_file

__all__ = [
    "COLLAPSED",
    "MODIFIER_KEYS",
    "STATE_NAMES",
    "VISIBLE_STATES",
    "BaselineRates",
    "SpineParameters",
    "baseline_rates",
    "load_spine_parameters",
    "steady_state",
]

#: Spine states, in the order of the state index (0 = empty slot, no spine). ``collapsed``: a
#: spine that stress shrank below detection (not counted by imaging or histology) and that
#: BDNF-TrkB-ERK signalling can restore within minutes (Moda-Sava et al. 2019: ketamine rescues
#: the spines stress eliminated).
STATE_NAMES = ("absent", "new", "thin", "stubby", "mushroom", "collapsed")
NEW, THIN, STUBBY, MUSHROOM, COLLAPSED = 1, 2, 3, 4, 5
#: States seen by two-photon imaging and histology.
VISIBLE_STATES = (NEW, THIN, STUBBY, MUSHROOM)
N_STATES = len(STATE_NAMES)

#: Per-condition modifiers accepted by :func:`synpharm.structure.simulate_spines` (1 = none,
#: except ``collapse_rate``: thin -> collapsed [1/s], 0 = none).
MODIFIER_KEYS = (
    "formation_scale", "elimination_scale", "maturation_scale", "shrinkage_scale", "collapse_rate"
)
MODIFIER_DEFAULTS = {key: 0.0 if key == "collapse_rate" else 1.0 for key in MODIFIER_KEYS}

DAY = 86400.0


@dataclass(frozen=True)
class SpineParameters:
    """A spine parameter set (one region / preparation), read from ``spines_<name>.toml``.

    Attributes
    ----------
    name
        Preparation name, e.g. ``"mouse_mpfc_l5"``.
    values
        The parameter set (SI values with provenance).
    """

    name: str
    values: ParameterSet

    def __getitem__(self, key: str) -> float:
        return self.values[key]

    @property
    def segment_length_um(self) -> float:
        """Dendrite length per simulated segment [um]."""
        return self.values["segment_length"] * 1e6

    @property
    def conditions(self) -> tuple[str, ...]:
        """Names of the conditions declared in the file (``condition_<name>_<modifier>``)."""
        names = set()
        for key in self.values:
            for modifier in MODIFIER_KEYS:
                if key.startswith("condition_") and key.endswith(f"_{modifier}"):
                    names.add(key[len("condition_") : -len(modifier) - 1])
        return tuple(sorted(names))

    def condition_modifiers(self, condition: str) -> dict[str, float]:
        """Modifiers of a declared condition, e.g. ``{"formation_scale": 0.9, ...}``."""
        if condition not in self.conditions:
            raise InputError(
                "condition",
                f"{condition!r} is not declared for {self.name}",
                f"choose one of {', '.join(self.conditions) or '(none)'}",
            )
        prefix = f"condition_{condition}_"
        return {
            modifier: self.values[prefix + modifier]
            for modifier in MODIFIER_KEYS
            if prefix + modifier in self.values
        }

    def with_values(self, **values: float) -> SpineParameters:
        """A copy with some parameter values replaced (SI units), e.g. for ablations."""
        return SpineParameters(self.name, self.values.with_values(**values))

    def citations(self) -> dict[str, str]:
        """Parameter name -> citation or ``calibrated: ...``."""
        return self.values.citations()


@dataclass(frozen=True)
class BaselineRates:
    """Kinetic rates at baseline drive [1/s], derived from the observables of a parameter set.

    ``formation_per_um`` is in new spines per um of dendrite per second; the others are per spine.
    """

    formation_per_um: float
    new_elimination: float
    new_stabilisation: float
    thin_elimination: float
    stubby_elimination: float
    mushroom_elimination: float
    thin_to_stubby: float
    stubby_to_thin: float
    thin_to_mushroom: float
    mushroom_to_thin: float


def load_spine_parameters(name: str) -> SpineParameters:
    """Load a shipped spine parameter set, ``"mouse_mpfc_l5"`` or ``"rat_ca1_apical"``.

    Examples
    --------
    >>> params = load_spine_parameters("mouse_mpfc_l5")
    >>> round(steady_state(params)["density_per_10um"], 6)
    6.0
    """
    path = package_parameter_file(f"spines_{name}")
    if not path.is_file():
        raise InputError(
            "spine parameters",
            f"no parameter set {name!r}",
            "use 'mouse_mpfc_l5' or 'rat_ca1_apical'",
        )
    params = SpineParameters(name, load_parameter_set(path, name=f"spines_{name}"))
    baseline_rates(params)  # validates the observables
    return params


def _check_observables(params: SpineParameters) -> None:
    fractions = [params[k] for k in ("thin_fraction", "stubby_fraction", "mushroom_fraction")]
    if any(f < 0 for f in fractions) or abs(sum(fractions) - 1.0) > 1e-6:
        raise InputError(
            f"spines_{params.name}", f"class fractions {fractions} must be >= 0 and sum to 1", ""
        )
    positive = (
        "spine_density_per_10um",
        "formation_per_spine",
        "new_spine_elimination_rate",
        "segment_length",
    )
    for key in positive:
        if not params[key] > 0:
            raise InputError(f"spines_{params.name}.{key}", "must be positive", "")
    if not 0 < params["new_spine_survival_fraction"] < 1:
        raise InputError(
            f"spines_{params.name}.new_spine_survival_fraction", "must be in (0, 1)", ""
        )


def baseline_rates(params: SpineParameters) -> BaselineRates:
    """Rates that reproduce the parameter set's steady state exactly (docs/structure.md).

    With density ``D``, class fractions ``f_thin, f_stubby, f_mushroom``, formation per spine
    ``phi``, new-spine elimination ``e_N`` and survival ``s``:

    - formation ``F = phi * D``; stabilisation ``k_NT = s / (1 - s) * e_N``;
    - new spines at steady state ``N = F / (e_N + k_NT)``; stable thin ``T = f_thin D - N``;
    - the stabilised flux ``s F`` balances elimination of stable spines:
      ``e_T = s F / (T + r_S S + r_M M)``, ``e_S = r_S e_T``, ``e_M = r_M e_T``;
    - class balance: ``k_TS = (e_S + k_ST) S / T``, ``k_TM = (e_M + k_MT) M / T``.
    """
    _check_observables(params)
    density = params["spine_density_per_10um"] / 10.0  # per um
    formation = params["formation_per_spine"] * density
    e_new = params["new_spine_elimination_rate"]
    survival = params["new_spine_survival_fraction"]
    k_nt = survival / (1.0 - survival) * e_new
    new = formation / (e_new + k_nt)
    thin = params["thin_fraction"] * density - new
    stubby = params["stubby_fraction"] * density
    mushroom = params["mushroom_fraction"] * density
    if thin <= 0:
        raise InputError(
            f"spines_{params.name}",
            "new spines alone exceed the thin fraction at steady state",
            "lower formation_per_spine or raise thin_fraction",
        )
    r_s, r_m = params["stubby_elimination_ratio"], params["mushroom_elimination_ratio"]
    e_thin = survival * formation / (thin + r_s * stubby + r_m * mushroom)
    k_st, k_mt = params["stubby_to_thin_rate"], params["mushroom_to_thin_rate"]
    return BaselineRates(
        formation_per_um=formation,
        new_elimination=e_new,
        new_stabilisation=k_nt,
        thin_elimination=e_thin,
        stubby_elimination=r_s * e_thin,
        mushroom_elimination=r_m * e_thin,
        thin_to_stubby=(r_s * e_thin + k_st) * stubby / thin,
        stubby_to_thin=k_st,
        thin_to_mushroom=(r_m * e_thin + k_mt) * mushroom / thin,
        mushroom_to_thin=k_mt,
    )


def check_modifiers(modifiers: dict[str, float] | None) -> dict[str, float]:
    """All modifiers (missing ones at their default: 1.0, ``collapse_rate`` 0), validated."""
    result = dict(MODIFIER_DEFAULTS)
    for key, value in (modifiers or {}).items():
        if key not in MODIFIER_KEYS:
            raise InputError(
                f"modifiers.{key}", "is not a spine modifier", f"use {', '.join(MODIFIER_KEYS)}"
            )
        value = float(value)
        if not (np.isfinite(value) and value >= 0):
            raise InputError(f"modifiers.{key}", f"{value!r} must be finite and >= 0", "")
        result[key] = value
    return result


def modified_generator(params: SpineParameters, mods: dict) -> tuple[np.ndarray, np.ndarray]:
    """:func:`generator_matrices` of the baseline rates under constant condition modifiers."""
    return generator_matrices(
        baseline_rates(params),
        np.asarray(mods["formation_scale"]),
        np.asarray(mods["maturation_scale"]),
        np.asarray(mods["elimination_scale"]),
        mods["shrinkage_scale"],
        mods["collapse_rate"],
        params["collapsed_recovery_rate"],
    )


def generator_matrices(
    rates: BaselineRates,
    formation_factor: np.ndarray,
    maturation_factor: np.ndarray,
    elimination_factor: np.ndarray,
    shrinkage_factor: float | np.ndarray = 1.0,
    collapse_rate: float | np.ndarray = 0.0,
    recovery_rate: float | np.ndarray = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Per-spine generators ``Q`` (``(..., 6, 6)``, rows sum to 0) and formation per um [1/s].

    Factors multiply the baseline rates (broadcast together); state order is
    :data:`STATE_NAMES`. Q[i, j] is the rate from state i to state j. ``collapse_rate``
    (thin -> collapsed) and ``recovery_rate`` (collapsed -> thin) are rates [1/s]; collapsed
    spines are eliminated like thin ones.
    """
    shape = np.broadcast(
        formation_factor, maturation_factor, elimination_factor, collapse_rate, recovery_rate
    ).shape
    q = np.zeros((*shape, N_STATES, N_STATES))
    elim = np.broadcast_to(elimination_factor, shape)
    mat = np.broadcast_to(maturation_factor, shape)
    shrink = np.broadcast_to(shrinkage_factor, shape)
    q[..., NEW, 0] = rates.new_elimination * elim
    q[..., NEW, THIN] = rates.new_stabilisation * mat
    q[..., THIN, 0] = rates.thin_elimination * elim
    q[..., THIN, STUBBY] = rates.thin_to_stubby
    q[..., THIN, MUSHROOM] = rates.thin_to_mushroom * mat
    q[..., STUBBY, 0] = rates.stubby_elimination * elim
    q[..., STUBBY, THIN] = rates.stubby_to_thin * shrink
    q[..., MUSHROOM, 0] = rates.mushroom_elimination * elim
    q[..., MUSHROOM, THIN] = rates.mushroom_to_thin * shrink
    q[..., THIN, COLLAPSED] = np.broadcast_to(collapse_rate, shape)
    q[..., COLLAPSED, THIN] = np.broadcast_to(recovery_rate, shape)
    q[..., COLLAPSED, 0] = rates.thin_elimination * elim
    index = np.arange(N_STATES)
    q[..., index, index] = -q.sum(axis=-1)
    formation = rates.formation_per_um * np.broadcast_to(formation_factor, shape)
    return q, formation


def _steady_densities(q: np.ndarray, formation: np.ndarray) -> np.ndarray:
    """Live-state densities [per um] at steady state: 0 = F e_N + x A (x a row vector); the
    last one is the collapsed (invisible) state."""
    live = q[..., 1:, 1:]
    source = np.zeros((*formation.shape, live.shape[-1]))
    source[..., 0] = formation
    # x @ live = -source  ->  live^T x^T = -source^T
    return np.linalg.solve(np.swapaxes(live, -1, -2), -source[..., None])[..., 0]


def steady_state(params: SpineParameters, modifiers: dict[str, float] | None = None) -> dict:
    """Analytic steady state at baseline drive (drive = 1) with optional condition modifiers.

    Returns
    -------
    dict
        ``density_per_10um`` (visible spines), ``collapsed_per_10um`` (restorable pool),
        ``thin_fraction`` (new + thin), ``stubby_fraction``,
        ``mushroom_fraction``, ``new_fraction``, ``formation_per_spine_per_day`` and
        ``mean_lifetime_days`` (density / formation).
    """
    mods = check_modifiers(modifiers)
    q, formation = modified_generator(params, mods)
    if mods["elimination_scale"] <= 0:
        raise InputError("modifiers.elimination_scale", "0 leaves no steady state", "use > 0")
    x_all = _steady_densities(q, formation)
    x = x_all[:4]
    total = float(x.sum())
    per_spine = float(formation) / total * DAY if total > 0 else float("nan")
    return {
        "density_per_10um": 10.0 * total,
        "new_fraction": float(x[0] / total),
        "thin_fraction": float((x[0] + x[1]) / total),
        "stubby_fraction": float(x[2] / total),
        "mushroom_fraction": float(x[3] / total),
        "formation_per_spine_per_day": per_spine,
        "mean_lifetime_days": 1.0 / per_spine,
        "live_densities_per_um": x.tolist(),
        "collapsed_per_10um": float(10.0 * x_all[4]),
    }
