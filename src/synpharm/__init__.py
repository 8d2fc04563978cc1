"""synpharm: what will this drug do to synaptic plasticity?

>>> import synpharm as sp
>>> path = sp.library_protocol_path("ketamine_slice_ltp")
>>> protocol = sp.Protocol.from_toml(path)  # doctest: +SKIP
>>> result = sp.run_protocol(protocol, cohort=12, seed=1)  # doctest: +SKIP
"""

from typing import Any

__version__ = "0.1.0"
__all__ = ["Protocol", "__version__", "library_protocol_path", "run_protocol"]


def __getattr__(name: str) -> Any:  # lazy public API keeps `synpharm --help` fast
    if name == "Protocol":
        from synpharm.protocols import Protocol

        return Protocol
    if name == "library_protocol_path":
        from synpharm.protocols.library import library_protocol_path

        return library_protocol_path
    if name == "run_protocol":
        from synpharm.experiments.slice import run_protocol

        return run_protocol
    raise AttributeError(name)
