"""synpharm: what will this drug do to synaptic plasticity?

>>> import synpharm as sp
>>> experiment = sp.load("ketamine_slice_ltp")  # a library name or a .toml path
>>> result = sp.run(experiment, cohort=12, seed=1)  # doctest: +SKIP
>>> result.summary()  # doctest: +SKIP
>>> result.to_dataframe()  # doctest: +SKIP
"""

from os import PathLike
from typing import Any

from synpharm._version import __version__

__all__ = [
    "Protocol",
    "Result",
    "__version__",
    "library_protocol_path",
    "load",
    "run",
    "run_protocol",
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
