"""Virtual experiments shared by the science tests (each example protocol runs once)."""

from __future__ import annotations

import pytest

from synpharm.experiments.slice import run_protocol
from synpharm.protocols import Protocol
from synpharm.protocols.library import LIBRARY as EXAMPLES


def _run(name: str):
    return run_protocol(Protocol.from_toml(EXAMPLES / f"{name}.toml"))


def _means(result) -> dict[str, dict[str, float]]:
    return {c.name: {k: r.mean for k, r in c.readouts.items()} for c in result.conditions}


@pytest.fixture(scope="session")
def ketamine_series():
    result = _run("ketamine_slice_ltp")
    return result, _means(result)


@pytest.fixture(scope="session")
def control_3x():
    return _means(_run("control_ltp"))["control"]


@pytest.fixture(scope="session")
def control_1x():
    return _means(_run("control_ltp_1x"))["control"]


@pytest.fixture(scope="session")
def baclofen_series():
    result = _run("baclofen_ca1_concentration_response")
    return result, _means(result)


@pytest.fixture(scope="session")
def baclofen_pairs():
    return _means(_run("baclofen_paired_pulse"))


@pytest.fixture(scope="session")
def ketamine_pairs():
    return _means(_run("ketamine_paired_pulse"))
