"""Human TMS studies: paired associative stimulation (PAS) and resting MEPs, crossover design.

A study TOML (``kind = "pas_crossover"``)::

    [study]
    kind = "pas_crossover"
    name = "pas25_baclofen_crossover"
    preparation = "human_motor_cortex"
    subjects = 24
    seed = 0
    washout = "7 days"                 # between the two sessions of a subject

    [[arms]]
    name = "placebo"                   # no compound: placebo
    [[arms]]
    name = "baclofen 50 mg"
    compound = "baclofen"
    dose = "50 mg p.o."
    site = "csf"                       # optional; PK site that reaches the receptors

    [session]                          # times relative to the dose
    baseline_mep = "-15 min"           # MEP block before the dose (test intensity set here)
    drug_mep = "85 min"                # MEP block after the drug, before PAS
    mep_trials = 20

    [pas]                              # omit for a resting-MEP study
    start = "90 min"
    interval = "25 ms"                 # median nerve -> TMS
    pairs = 90
    rate = "0.1 Hz"
    post_meps = ["0 min", "10 min", "20 min", "30 min"]   # after the end of PAS

Each subject receives every arm once, in a randomised, balanced order (double-blind: the
arm labels are only used for the analysis), sessions ``washout`` apart; residual drug from
the previous session is carried by the pharmacokinetic model. The readouts have one value per
subject, in the same subject order in every arm, so paired tests apply.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray
from scipy.stats import norm

from synpharm.errors import InputError
from synpharm.units import parse_quantity

__all__ = ["PasArm", "PasCrossoverStudy", "build_pas_crossover"]

FloatArray = NDArray[np.float64]
_STUDY_KEYS = {"kind", "name", "description", "preparation", "subjects", "seed", "washout"}
_ARM_KEYS = {"name", "compound", "dose", "site"}
_SESSION_KEYS = {"baseline_mep", "drug_mep", "mep_trials"}
_PAS_KEYS = {"start", "interval", "pairs", "rate", "post_meps"}
#: PAS pairings are grouped into this many blocks; calcium is computed once per block at the
#: block's mid-time drug concentration (numerical setting; see tests/science/test_pas*.py).
CALCIUM_BLOCKS = 3


@dataclass(frozen=True)
class PasArm:
    """One treatment arm: a compound and dose, or placebo (``compound`` None)."""

    name: str
    compound: str | None = None
    dose: Any = None  # synpharm.pharmacokinetics.Dose
    site: str | None = None


@dataclass(frozen=True)
class PasSchedule:
    """Session timing [s] relative to the dose, and the PAS protocol (None: resting study)."""

    baseline_mep: float
    drug_mep: float
    mep_trials: int
    pas_start: float | None = None
    interval: float = 0.025
    pairs: int = 90
    rate: float = 0.1
    post_meps: tuple[float, ...] = ()

    @property
    def pas_end(self) -> float:
        """End of the PAS block [s] (start + pairs / rate)."""
        assert self.pas_start is not None
        return self.pas_start + self.pairs / self.rate


def _table(data: Mapping[str, Any], key: str, allowed: set[str], source: str,
           required: bool = True) -> dict[str, Any]:
    table = data.get(key)
    if table is None and not required:
        return {}
    if not isinstance(table, Mapping):
        raise InputError(key, f"is missing or not a table (in {source})", f"write a [{key}] table")
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise InputError(key, f"unknown keys {unknown} (in {source})",
                         f"use only {sorted(allowed)}")
    return dict(table)


def _positive_int(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(field, f"{value!r} is not a positive whole number", "give e.g. 24")
    return value


def _arms(data: Mapping[str, Any], source: str) -> tuple[PasArm, ...]:
    from synpharm.compounds import load_compound
    from synpharm.pharmacokinetics import parse_dose, pharmacokinetic_model

    entries = data.get("arms")
    if not isinstance(entries, list) or len(entries) != 2:
        raise InputError("arms", f"a crossover needs exactly two [[arms]] (in {source})",
                         "declare a placebo arm and a drug arm")
    arms = []
    for i, entry in enumerate(entries):
        field = f"arms[{i}]"
        if not isinstance(entry, Mapping) or set(entry) - _ARM_KEYS or "name" not in entry:
            raise InputError(field, "needs a name (and compound, dose, site for a drug arm)",
                             f"use only {sorted(_ARM_KEYS)}")
        if ("compound" in entry) != ("dose" in entry):
            raise InputError(field, "compound and dose go together", "give both, or neither")
        if "compound" not in entry:
            arms.append(PasArm(str(entry["name"])))
            continue
        compound = load_compound(entry["compound"]).name
        dose = parse_dose(entry["dose"], f"{field}.dose")
        model = pharmacokinetic_model(compound, "human")
        site = entry.get("site") or next(s for s in ("effect_site", "csf", "plasma")
                                         if s in model.sites)
        if site not in model.sites:
            raise InputError(f"{field}.site", f"unknown site {site!r}",
                             f"use one of: {', '.join(model.sites)}")
        arms.append(PasArm(str(entry["name"]), compound, dose, site))
    if arms[0].name == arms[1].name:
        raise InputError("arms", "the two arms have the same name", "name them differently")
    return tuple(arms)


def _schedule(data: Mapping[str, Any], source: str) -> PasSchedule:
    session = _table(data, "session", _SESSION_KEYS, source)
    pas = _table(data, "pas", _PAS_KEYS, source, required=False)
    baseline = parse_quantity(session.get("baseline_mep", "-15 min"), "time",
                              "session.baseline_mep")
    drug = parse_quantity(session.get("drug_mep", "85 min"), "time", "session.drug_mep")
    trials = _positive_int(session.get("mep_trials", 20), "session.mep_trials")
    if baseline > 0 or drug <= 0:
        raise InputError("session", "baseline_mep must be at or before the dose and drug_mep "
                         "after it", "e.g. baseline_mep = '-15 min', drug_mep = '85 min'")
    if not pas:
        return PasSchedule(baseline, drug, trials)
    start = parse_quantity(pas.get("start", "90 min"), "time", "pas.start")
    interval = parse_quantity(pas.get("interval", "25 ms"), "time", "pas.interval")
    rate = parse_quantity(pas.get("rate", "0.1 Hz"), "frequency", "pas.rate")
    pairs = _positive_int(pas.get("pairs", 90), "pas.pairs")
    posts = pas.get("post_meps", ["0 min", "10 min", "20 min", "30 min"])
    if not isinstance(posts, list) or not posts:
        raise InputError("pas.post_meps", "must be a list of times", "e.g. ['0 min', '30 min']")
    post = tuple(parse_quantity(t, "time", f"pas.post_meps[{i}]") for i, t in enumerate(posts))
    if start < drug or not 0 < interval < 0.2 or not rate > 0 or min(post) < 0:
        raise InputError("pas", "needs start >= session.drug_mep, 0 < interval < 200 ms, "
                         "rate > 0 and post_meps >= 0", "e.g. start = '90 min', interval = '25 ms'")
    return PasSchedule(baseline, drug, trials, start, interval, pairs, rate, post)


@dataclass(frozen=True)
class PasCrossoverStudy:
    """A PAS (or resting-MEP) crossover study read from TOML; see the module docstring."""

    kind: ClassVar[str] = "pas_crossover"
    name: str
    description: str
    cohort: int
    seed: int
    washout: float
    arms: tuple[PasArm, ...]
    schedule: PasSchedule
    source_data: Mapping[str, Any]
    ablate_girk: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The TOML mapping the study was read from."""
        return copy.deepcopy(dict(self.source_data))

    def protocol_sha(self) -> str:
        """Hash of the study mapping (provenance)."""
        text = json.dumps(self.to_dict(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def build_pas_crossover(data: Mapping[str, Any], source: str = "<dict>") -> PasCrossoverStudy:
    """Build a :class:`PasCrossoverStudy` from its TOML mapping (``STUDY_KINDS`` entry)."""
    study = _table(data, "study", _STUDY_KEYS | {"ablate"}, source)
    if study.get("preparation", "human_motor_cortex") != "human_motor_cortex":
        raise InputError("study.preparation", f"{study.get('preparation')!r} is not supported "
                         "by pas_crossover", "use 'human_motor_cortex'")
    ablate = study.get("ablate", [])
    if not isinstance(ablate, list) or set(ablate) - {"GABAB_postsynaptic_GIRK"}:
        raise InputError("study.ablate", f"{ablate!r} cannot be ablated",
                         "use ablate = ['GABAB_postsynaptic_GIRK'] or leave it out")
    name = study.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InputError("study.name", "is missing", 'write name = "..."')
    unknown = sorted(set(data) - {"study", "arms", "session", "pas"})
    if unknown:
        raise InputError(source, f"unknown tables {unknown}", "use study, arms, session, pas")
    seed = study.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InputError("study.seed", f"{seed!r} is not a seed", "give a whole number >= 0")
    washout = parse_quantity(study.get("washout", "7 days"), "time", "study.washout")
    if not washout > 0:
        raise InputError("study.washout", "must be positive", "give e.g. '7 days'")
    return PasCrossoverStudy(
        name=name.strip(), description=str(study.get("description", "")),
        cohort=_positive_int(study.get("subjects", 24), "study.subjects"), seed=seed,
        washout=washout, arms=_arms(data, source), schedule=_schedule(data, source),
        source_data=copy.deepcopy(dict(data)), ablate_girk="GABAB_postsynaptic_GIRK" in ablate)


def quantile_factors(cv: float, classes: int) -> FloatArray:
    """Mid-quantiles of a log-normal with mean 1 and coefficient of variation ``cv``."""
    sigma = np.sqrt(np.log1p(cv**2))
    z = norm.ppf((np.arange(classes) + 0.5) / classes)
    factors = np.exp(sigma * z)
    return factors / factors.mean()
