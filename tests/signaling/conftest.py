"""Shared helpers for the signalling tests: a synthetic concentration curve (no PK layer)."""

from __future__ import annotations

import numpy as np
import pytest

from synpharm.signaling import load_network


def _bateman(times: np.ndarray, peak: float, absorption_half_life: float = 300.0,
            elimination_half_life: float = 1200.0) -> np.ndarray:
    """A Bateman curve [mol/m^3] peaking at ``peak``: a stand-in for a brain concentration."""
    ka, ke = np.log(2) / absorption_half_life, np.log(2) / elimination_half_life
    shape = np.exp(-ke * times) - np.exp(-ka * times)
    return peak * shape / shape.max()


@pytest.fixture(scope="session")
def network():
    return load_network("synaptic_signaling")


@pytest.fixture(scope="session")
def hours_grid():
    """0-30 h every 5 min [s]."""
    return np.linspace(0.0, 30 * 3600.0, 30 * 12 + 1)


@pytest.fixture(scope="session")
def bateman():
    """``bateman(times, peak)``: synthetic brain concentration curve [mol/m^3]."""
    return _bateman
