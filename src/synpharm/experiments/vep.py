"""Human visual-evoked-potential (VEP) LTP after a dose: a placebo-controlled crossover study.

Study kind ``"vep_ltp_crossover"``. Every virtual subject takes part in every arm (e.g. placebo
and ketamine infusion, order counterbalanced, washout long enough that sessions do not
interact). In each session, hours after the dose, the P2 of the pattern-reversal VEP is recorded
in baseline blocks, a visual tetanus (~9 Hz for 2 min) is shown, and the P2 is recorded again in
post-tetanus blocks; P2 potentiation is the post/pre change in percent.

The chain is the one of the in-vivo studies: IV dose -> brain-tissue concentration (site
``brain``, the scale the signalling drives were calibrated on in rodents; docs/invivo.md)
(:mod:`synpharm.pharmacokinetics`) -> synaptic protein (:mod:`synpharm.signaling`) -> synaptic
AMPA/NMDA content and late-phase capture (``synaptic_protein_coupling.toml``) -> the project's
calcium rule applied to a cortical synapse population
(:mod:`synpharm.model.plasticity.closed_form`). Drug still
present at the tetanus blocks NMDA channels with the compound's own open-channel block
(equilibrium Woodhull block at the depolarised spine potential), so acute block lowers and
delayed protein synthesis raises plasticity, from the same parameters. A subject condition
(``condition = "major_depression"``) applies ``conditions_major_depression.toml``.

TOML::

    [study]
    kind = "vep_ltp_crossover"
    name = "ket_vep_ltp_mdd"
    condition = "major_depression"   # or "healthy"
    cohort = 30                      # subjects (each in every arm)
    seed = 0
    region = "mpfc"                  # signalling region used for cortex
    site = "brain"                   # pharmacokinetic site (default brain; or effect_site)
    dose_to_tetanus = "3.5 h"        # from the start of the infusion to the visual tetanus
    baseline_blocks = 2
    post_tetanus = ["2 min", "4 min", "6 min", "20 min", "22 min", "24 min"]

    [[arms]]
    name = "placebo"                 # active placebo: no modelled effect

    [[arms]]
    name = "ketamine"
    doses = [{compound = "ketamine", dose = "0.44 mg/kg IV over 40 min"}]
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Any, ClassVar

import numpy as np

from synpharm.errors import InputError
from synpharm.experiments import cohort_and_seed
from synpharm.experiments._chain import (
    DoseEvent,
    Layers,
    brain_exposure,
    default_layers,
    parse_dose_events,
    signaling_course,
)
from synpharm.experiments._result import StudyOutcome, condition, readout
from synpharm.experiments._vep_figure import draw_vep
from synpharm.model.plasticity.closed_form import (
    CalciumRule,
    advance_quiet,
    calcium_rule,
    tetanus_early_phase,
)
from synpharm.parameters import ParameterSet, load_parameter_set, package_parameter_file
from synpharm.units import parse_quantity

__all__ = ["VepArm", "VepStudy", "build_vep_study", "session_factors"]

CONDITIONS = {"healthy": None, "major_depression": "conditions_major_depression"}
#: ca1_slice.toml parameters the cortical model shares with the slice (rule, Mg2+ block, q spread)
_SLICE_KEYS = (
    "potentiation_threshold", "depression_threshold", "potentiation_rate", "depression_rate",
    "early_phase_time_constant", "early_phase_max", "early_phase_noise",
    "early_phase_relaxation", "tag_threshold", "protein_synthesis_threshold",
    "protein_time_constant", "late_phase_time_constant", "calcium_decay_time",
    "mg_block_slope", "mg_block_scale", "calcium_reversal", "quantal_size_cv",
)
QUIET_STEP = 20.0  # [s] re-evaluation interval of protein synthesis (the slice test-pulse rate)
_STUDY_KEYS = {
    "kind", "name", "description", "condition", "cohort", "seed", "region", "species",
    "dose_to_tetanus", "baseline_blocks", "post_tetanus", "site",
}


@dataclass(frozen=True)
class VepArm:
    """One arm of the crossover: a name and its doses (none for placebo)."""

    name: str
    doses: tuple[DoseEvent, ...] = ()


@dataclass(frozen=True)
class Subjects:
    """Traits of the virtual subjects, the same in every session."""

    calcium: np.ndarray  # (n, m) peak Ca2+ per stimulus at reference content [threshold units]
    weight: np.ndarray  # (n, m) intrinsic synaptic weight (mean 1)
    p2_gain: np.ndarray  # (n,) [V] P2 amplitude per unit mean weight
    protein_response: np.ndarray  # (n,) factor on (protein - 1)


@lru_cache(maxsize=4)
def _parameter_file(name: str) -> ParameterSet:
    return load_parameter_set(package_parameter_file(name))


def _lognormal(rng: np.random.Generator, mean: float, cv: float, size) -> np.ndarray:
    sigma = np.sqrt(np.log1p(cv**2))
    return mean * rng.lognormal(-0.5 * sigma**2, sigma, size)


def draw_subjects(vep: ParameterSet, slice_params: ParameterSet, n: int, seed: int) -> Subjects:
    """Draw ``n`` subjects (one RNG stream per subject from ``SeedSequence(seed)``)."""
    m = int(vep["synapses_per_subject"])
    rows = []
    for stream in np.random.SeedSequence(seed).spawn(n):
        rng = np.random.default_rng(stream)
        scale = _lognormal(rng, 1.0, vep["calcium_between_subject_cv"], 1)[0]
        calcium = vep["stimulus_calcium_median"] * np.exp(
            vep["stimulus_calcium_log_sd"] * rng.standard_normal(m)
        )
        weight = _lognormal(rng, 1.0, slice_params["quantal_size_cv"], m)
        gain = vep["p2_amplitude_median"] * np.exp(
            np.sqrt(np.log1p(vep["p2_amplitude_between_subject_cv"] ** 2))
            * rng.standard_normal()
        )
        response = _lognormal(rng, 1.0, vep["synaptic_protein_response_cv"], 1)[0]
        rows.append((scale * calcium, weight, gain, response))
    return Subjects(
        np.stack([r[0] for r in rows]),
        np.stack([r[1] for r in rows]),
        np.array([r[2] for r in rows]),
        np.array([r[3] for r in rows]),
    )


def _content(protein: np.ndarray, coupling: float) -> np.ndarray:
    return np.maximum(0.0, 1.0 + coupling * (protein - 1.0))


def _nmda_calcium_drive(v: np.ndarray, vep: ParameterSet, slice_params: ParameterSet):
    """Mg2+ unblock x Ca2+ driving force at spine potential ``v`` (as the slice kernel)."""
    unblock = 1.0 / (
        1.0
        + np.exp(-slice_params["mg_block_slope"] * v)
        * vep["mg_concentration"]
        / slice_params["mg_block_scale"]
    )
    e_ca, rest = slice_params["calcium_reversal"], vep["resting_potential"]
    return unblock * (e_ca - v) / (e_ca - rest)


def _nmda_available(concentrations: Mapping[str, float], v: np.ndarray) -> np.ndarray:
    """Fraction of NMDA channels free of open-channel blockers at equilibrium at ``v``."""
    from synpharm.compounds import load_compound
    from synpharm.pharmacology import drug_effects, open_channel_block_equilibrium

    pairs = [(load_compound(n), c) for n, c in sorted(concentrations.items()) if c > 0.0]
    available = np.ones_like(v)
    if not pairs:
        return available
    for blocker in drug_effects(pairs).nmda_blockers:
        c = float(np.asarray(blocker.concentration).ravel()[0])
        available = available * (
            1.0 - open_channel_block_equilibrium(c, blocker.kd_0mV, v, blocker.voltage_e_fold)
        )
    return available


def session_factors(
    protein: np.ndarray,
    concentrations: Mapping[str, float],
    subject_condition: ParameterSet | None,
    vep: ParameterSet,
    slice_params: ParameterSet,
    coupling: ParameterSet,
) -> dict[str, np.ndarray]:
    """Per-subject factors of one session from its synaptic protein and residual drug.

    Parameters
    ----------
    protein
        Synaptic protein at the tetanus (1 = healthy baseline), shape ``(n,)``.
    concentrations
        Compound -> concentration at the study's site at the tetanus [mol/m^3].
    subject_condition
        Condition parameters (``conditions_*.toml``) or None for healthy subjects.

    Returns
    -------
    dict
        ``ampa`` (AMPA content), ``calcium`` (factor on the Ca2+ jump per stimulus, including
        NMDA content, Mg2+ unblock at the depolarisation and residual channel block),
        ``capture`` (late-phase capture rate factor), ``nmda_available``, shape ``(n,)``.
    """
    ampa = _content(protein, coupling["ampa_content_per_synaptic_protein"])
    nmda = _content(protein, coupling["nmda_content_per_synaptic_protein"])
    rest, depol = vep["resting_potential"], vep["visual_response_depolarization"]
    v = rest + depol * ampa
    drive = _nmda_calcium_drive(v, vep, slice_params) / _nmda_calcium_drive(
        np.array(rest + depol), vep, slice_params
    )
    available = _nmda_available(concentrations, v)
    factor = 1.0 if subject_condition is None else subject_condition["plasticity_calcium_factor"]
    return {
        "ampa": ampa,
        "calcium": nmda * drive * available * factor,
        "capture": _content(protein, coupling["capture_rate_per_synaptic_protein"]),
        "nmda_available": available,
    }


def _block_amplitudes(subjects, ampa, h, z, rng, noise_cv, n_blocks):
    clean = subjects.p2_gain * ampa * np.mean(subjects.weight * (h + z), axis=1)
    return clean[:, None] * (1.0 + noise_cv * rng.standard_normal((clean.size, n_blocks)))


@dataclass(frozen=True)
class SessionResult:
    """P2 amplitudes of one arm for every subject."""

    baseline: np.ndarray  # (n, n_baseline_blocks) [V]
    post: np.ndarray  # (n, n_post_blocks) [V]
    post_times: np.ndarray  # (n_post,) [s] after the end of the tetanus

    @property
    def potentiation_percent(self) -> np.ndarray:
        return 100.0 * (self.post.mean(axis=1) / self.baseline.mean(axis=1) - 1.0)


def simulate_session(
    subjects: Subjects,
    factors: Mapping[str, np.ndarray],
    rule: CalciumRule,
    vep: ParameterSet,
    baseline_blocks: int,
    post_times: np.ndarray,
    rng: np.random.Generator,
) -> SessionResult:
    """Baseline blocks, visual tetanus, post-tetanus blocks for every subject (one session)."""
    n, m = subjects.calcium.shape
    h, z, protein = np.ones((n, m)), np.zeros((n, m)), np.zeros(n)
    noise = vep["p2_block_noise_cv"]
    baseline = _block_amplitudes(subjects, factors["ampa"], h, z, rng, noise, baseline_blocks)
    period = 1.0 / vep["tetanus_frequency"]
    n_stimuli = round(vep["tetanus_duration"] * vep["tetanus_frequency"])
    jump = subjects.calcium * factors["calcium"][:, None]
    h = tetanus_early_phase(h, jump, n_stimuli, period, rule, rng)
    post, now = [], 0.0
    for t in post_times:
        while now < t:
            step = min(QUIET_STEP, t - now)
            h, z, protein = advance_quiet(h, z, protein, step, rule, factors["capture"])
            now += step
        post.append(_block_amplitudes(subjects, factors["ampa"], h, z, rng, noise, 1)[:, 0])
    return SessionResult(baseline, np.stack(post, axis=1), np.asarray(post_times))


@dataclass(frozen=True)
class VepStudy:
    """A VEP-LTP crossover study read from TOML (see the module docstring)."""

    kind: ClassVar[str] = "vep_ltp_crossover"
    name: str
    description: str
    arms: tuple[VepArm, ...]
    subject_condition: str = "major_depression"
    cohort: int = 30
    seed: int = 0
    species: str = "human"
    site: str = "brain"
    region: str = "mpfc"
    dose_to_tetanus: float = 3.5 * 3600.0
    baseline_blocks: int = 2
    post_tetanus: tuple[float, ...] = (120.0, 240.0, 360.0)
    source: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self) -> dict[str, Any]:
        return self.source or {"study": {"kind": "vep_ltp_crossover", "name": self.name}}



def run_vep_study(study: VepStudy, *, cohort: int | None = None, seed: int | None = None,
                  progress: bool = False, layers: Layers | None = None) -> StudyOutcome:
    """Simulate every subject in every arm; conditions are the arms (paired subjects)."""
    n, seed = cohort_and_seed(study, cohort, seed, minimum=2, what="subjects")
    layers = layers or default_layers()
    return _run(study, n, seed, layers)


def _arm_course(study: VepStudy, arm: VepArm, layers: Layers):
    """Exposure and synaptic protein of an arm on a time grid up to the tetanus."""
    times = np.linspace(0.0, study.dose_to_tetanus, 241)
    concentrations = brain_exposure(layers, arm.doses, study.species, times, study.site)
    if concentrations:
        protein = signaling_course(layers, concentrations, times, study.region)["synaptic_protein"]
    else:
        protein = np.ones_like(times)
    return times, concentrations, protein


def _run(study: VepStudy, n: int, seed: int, layers: Layers) -> StudyOutcome:
    vep, slice_params = _parameter_file("vep_visual_cortex"), _parameter_file("ca1_slice")
    coupling = _parameter_file("synaptic_protein_coupling")
    condition_file = CONDITIONS[study.subject_condition]
    subject_condition = _parameter_file(condition_file) if condition_file else None
    rule = calcium_rule(slice_params)
    subjects = draw_subjects(vep, slice_params, n, seed)
    base_protein = (
        1.0 if subject_condition is None else subject_condition["synaptic_protein_factor"]
    )
    order = np.arange(n) % len(study.arms)  # counterbalanced: subject k starts with arm k mod A
    post_times = np.asarray(study.post_tetanus)
    conditions, courses, sessions = [], {}, {}
    for a, arm in enumerate(study.arms):
        times, concentrations, protein_course = _arm_course(study, arm, layers)
        courses[arm.name] = (times, concentrations, protein_course)
        at_tetanus = {k: float(v[-1]) for k, v in concentrations.items()}
        protein = base_protein * (1.0 + subjects.protein_response * (protein_course[-1] - 1.0))
        factors = session_factors(
            protein, at_tetanus, subject_condition, vep, slice_params, coupling
        )
        rng = np.random.default_rng(np.random.SeedSequence([seed, 1 + a]))
        session = simulate_session(
            subjects, factors, rule, vep, study.baseline_blocks, post_times, rng
        )
        sessions[arm.name] = session
        total_uM = sum(at_tetanus.values(), 0.0) * 1e3
        conditions.append(
            condition(
                arm.name,
                {
                    "p2_potentiation_percent": readout(
                        "p2_potentiation_percent", session.potentiation_percent, "%"
                    ),
                    "p2_baseline_uV": readout(
                        "p2_baseline_uV", 1e6 * session.baseline.mean(axis=1), "uV"
                    ),
                    "synaptic_protein": readout("synaptic_protein", protein, "1"),
                    "nmda_available": readout("nmda_available", factors["nmda_available"], "1"),
                    "drug_at_tetanus_uM": readout(
                        "drug_at_tetanus_uM", np.full(n, total_uM), "uM"
                    ),
                    "session": readout("session", 1.0 + (a - order) % len(study.arms), "1"),
                },
            )
        )
    return StudyOutcome(
        protocol_name=study.name,
        conditions=conditions,
        provenance=_provenance(study, n, seed, vep, coupling, subject_condition),
        analyses={"arms": {name: _arm_summary(s) for name, s in sessions.items()}},
        descriptions={
            arm.name: {
                "doses": [{"compound": e.compound, "dose": e.dose, "time_h": e.time / 3600.0}
                          for e in arm.doses],
                "condition": study.subject_condition,
            }
            for arm in study.arms
        },
        # a partial, not a lambda: the outcome pickles (validate --jobs returns it from a worker)
        draw=partial(draw_vep, study=study, courses=courses, sessions=sessions),
    )


def _arm_summary(session: SessionResult) -> dict[str, Any]:
    normalised = 100.0 * session.post / session.baseline.mean(axis=1, keepdims=True)
    return {
        "post_tetanus_min": (session.post_times / 60.0).tolist(),
        "p2_percent_of_baseline_mean": normalised.mean(axis=0).tolist(),
    }


def _provenance(study, n, seed, vep, coupling, subject_condition) -> dict[str, Any]:
    from synpharm._version import __version__

    cited = {f"vep_visual_cortex.{k}": v for k, v in vep.citations().items()}
    slice_params = _parameter_file("ca1_slice")
    cited |= {f"ca1_slice.{k}": slice_params.parameter(k).provenance for k in _SLICE_KEYS}
    cited |= {f"synaptic_protein_coupling.{k}": v for k, v in coupling.citations().items()}
    if subject_condition is not None:
        name = subject_condition.name
        cited |= {f"{name}.{k}": v for k, v in subject_condition.citations().items()}
    text = json.dumps(study.to_dict(), sort_keys=True, default=str)
    return {
        "synpharm": __version__,
        "study_kind": "vep_ltp_crossover",
        "cohort": n,
        "seed": seed,
        "protocol_sha": hashlib.sha256(text.encode()).hexdigest()[:16],
        "parameters": cited,
    }


def _positive_int(value: Any, field_name: str, minimum: int = 1) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise InputError(field_name, f"{value!r} is not an integer >= {minimum}",
                         f"give e.g. {max(minimum, 2)}")
    return value


def _arms(items: Any, source: str) -> tuple[VepArm, ...]:
    if not isinstance(items, list) or len(items) < 2:
        raise InputError("arms", f"needs at least two [[arms]] (in {source})",
                         "add e.g. a placebo and a ketamine arm")
    arms = []
    for k, item in enumerate(items):
        if not isinstance(item, Mapping) or not isinstance(item.get("name"), str):
            raise InputError(f"arms[{k}].name", "is missing", "name every arm")
        unknown = set(item) - {"name", "doses"}
        if unknown:
            raise InputError(f"arms[{k}]", f"unknown keys {sorted(unknown)}", "use name, doses")
        arms.append(VepArm(item["name"], parse_dose_events(item.get("doses"), f"arms[{k}].doses")))
    if len({a.name for a in arms}) != len(arms):
        raise InputError("arms", "two arms have the same name", "give every arm its own name")
    return tuple(arms)


def build_vep_study(data: Mapping[str, Any], source: str = "<dict>") -> VepStudy:
    """Build a :class:`VepStudy` from its TOML mapping (``STUDY_KINDS`` entry)."""
    table = dict(data["study"])
    unknown = set(table) - _STUDY_KEYS
    if unknown:
        raise InputError("study", f"unknown keys {sorted(unknown)} (in {source})",
                         f"use: {', '.join(sorted(_STUDY_KEYS))}")
    if set(data) - {"study", "arms"}:
        raise InputError(source, f"unknown tables {sorted(set(data) - {'study', 'arms'})}",
                         "use [study] and [[arms]]")
    name = table.get("name")
    if not isinstance(name, str) or not name:
        raise InputError("study.name", "is missing", "name the study")
    subject_condition = table.get("condition", "healthy")
    if not isinstance(subject_condition, str) or subject_condition not in CONDITIONS:
        raise InputError("study.condition", f"unknown condition {subject_condition!r}",
                         f"use one of: {', '.join(CONDITIONS)}")
    post = table.get("post_tetanus", ["2 min", "4 min", "6 min"])
    if not isinstance(post, list) or not post:
        raise InputError("study.post_tetanus", "needs a list of times", "e.g. ['2 min', '4 min']")
    post_times = tuple(
        parse_quantity(t, "time", f"study.post_tetanus[{k}]") for k, t in enumerate(post)
    )
    if any(t <= 0 for t in post_times) or list(post_times) != sorted(set(post_times)):
        raise InputError("study.post_tetanus", "times must be positive and increasing",
                         "list block times after the tetanus in order")
    dose_to_tetanus = parse_quantity(table.get("dose_to_tetanus", "3.5 h"), "time",
                                     "study.dose_to_tetanus")
    if dose_to_tetanus <= 0:
        raise InputError("study.dose_to_tetanus", "must be positive", "e.g. '3.5 h'")
    return VepStudy(
        name=name,
        description=str(table.get("description", "")),
        arms=_arms(data.get("arms"), source),
        subject_condition=subject_condition,
        cohort=_positive_int(table.get("cohort", 30), "study.cohort", 2),
        seed=_positive_int(table.get("seed", 0), "study.seed", 0),
        species=str(table.get("species", "human")),
        site=str(table.get("site", "brain")),
        region=str(table.get("region", "mpfc")),
        dose_to_tetanus=dose_to_tetanus,
        baseline_blocks=_positive_int(table.get("baseline_blocks", 2), "study.baseline_blocks"),
        post_tetanus=post_times,
        source=json.loads(json.dumps(dict(data), default=str)),
    )
