"""synpharm: what will this drug do to synaptic plasticity?

>>> import synpharm as sp
>>> experiment = sp.load("ketamine_slice_ltp")  # a library name or a .toml path
>>> result = sp.run(experiment, cohort=12, seed=1)  # doctest: +SKIP
>>> result.summary()  # doctest: +SKIP
>>> result.to_dataframe()  # doctest: +SKIP
>>> sp.validate(only="SEED-KET-3").to_dataframe()  # doctest: +SKIP
>>> sp.analyze("recording.abf", protocol="ltp", induction="20 min")  # doctest: +SKIP
"""

from os import PathLike
from typing import Any

from synpharm._version import __version__

__all__ = [
    "Protocol",
    "Result",
    "__version__",
    "analyze",
    "library_protocol_path",
    "load",
    "run",
    "run_protocol",
    "validate",
]


def load(path_or_name: Any) -> Any:
    """An experiment (slice protocol or study) from a TOML file or a library name.

    See :func:`synpharm.experiments.load`.
    """
    from synpharm.experiments import load as load_experiment

    return load_experiment(path_or_name)


def run(experiment: Any, *, cohort: int | None = None, seed: int | None = None,
        progress: bool = False, **options: Any) -> Any:
    """Simulate an experiment (or the file or library name of one) and return its Result.

    ``cohort`` and ``seed`` override the experiment's own; the same input and seed give the
    same numbers. The result has ``summary()`` (a JSON-ready dict) and ``to_dataframe()``
    (tidy pandas tables of readouts or per-pulse measurements). See
    :func:`synpharm.experiments.run`.
    """
    from synpharm.experiments import run as run_experiment

    if isinstance(experiment, str | PathLike):  # a file or a library name
        experiment = load(experiment)
    return run_experiment(experiment, cohort=cohort, seed=seed, progress=progress, **options)


def validate(targets: Any = None, *, only: str | list[str] | None = None, seeds: int = 1,
             progress: bool = False) -> Any:
    """Run validation targets against the model and return the scorecard.

    Parameters
    ----------
    targets
        A targets file (TOML, format in ``docs/validation.md``) or a list of them; ``None``:
        the targets shipped with synpharm.
    only
        A target id or a list of ids to run (default: all).
    seeds
        Run each experiment at this many seeds; a target passes at >= 80 % of them.
    progress
        Print one line per experiment to stderr.

    Returns
    -------
    synpharm.validation.Scorecard
        ``to_dataframe()`` (one row per target and check: role, status, value, seed pass
        fraction), ``summary()`` and ``as_dict()`` (``scorecard.json``).
    """
    import sys

    from synpharm.validation import PACKAGE_TARGET_FILES, load_targets, run_targets

    if targets is None:
        targets = list(PACKAGE_TARGET_FILES)
    elif isinstance(targets, str | PathLike):
        targets = [targets]
    only = [only] if isinstance(only, str) else only

    def report(label: str) -> None:
        print(f"running {label}", file=sys.stderr)

    return run_targets([load_targets(t) for t in targets], only=only,
                       progress=report if progress else None, seeds=seeds)


def analyze(files: Any = (), protocol: str = "fepsp", **options: Any) -> Any:
    """Measure recordings (or re-summarise per-sweep tables) as ``synpharm analyze`` does.

    Parameters
    ----------
    files
        A recording (.abf, .nwb, .mat, .csv, .npy/.npz), a per-sweep table, or a list of them.
    protocol
        ``"fepsp"``, ``"ltp"``, ``"io"``, ``"ppr"`` or ``"spines"``.
    **options
        The options of ``synpharm analyze`` with underscores (``induction="20 min"``,
        ``slope_method="max"``, ``window="2.5-3.8 ms"``, ``sheet="experiment.csv"``...).

    Returns
    -------
    synpharm.analysis.workflow.RecordingAnalysis
        ``to_dataframe("summary" | "sweeps" | "timecourse" | "placements")``, ``summary``,
        ``document`` (what ``synpharm analyze --json`` prints). Nothing is written.
    """
    from pathlib import Path

    from synpharm.analysis.workflow import RecordingAnalysis, analyze_paths, settings_for

    settings = settings_for(protocol, **options)
    paths = [files] if isinstance(files, str | PathLike) else list(files)
    document, _, _, tables = analyze_paths([Path(p) for p in paths], settings)
    return RecordingAnalysis(document, tables)


def __getattr__(name: str) -> Any:  # lazy public API keeps `synpharm --help` fast
    if name == "Protocol":
        from synpharm.protocols import Protocol

        return Protocol
    if name == "Result":
        from synpharm.experiments import Result

        return Result
    if name == "library_protocol_path":
        from synpharm.protocols.library import library_protocol_path

        return library_protocol_path
    if name == "run_protocol":
        from synpharm.experiments.slice import run_protocol

        return run_protocol
    raise AttributeError(name)
