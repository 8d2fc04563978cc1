"""Circuits decide the sign of baclofen's effect on LTP (SEED-BAC-4, SEED-BAC-5), with ablations.

The same compound at the same concentration (baclofen 3 uM) and the same induction
(3 x 100 Hz) facilitates LTP in the dentate gyrus and suppresses it in CA1. No code path knows
the region: the ablations below change one parameter each (``ParameterSet.with_values``) and
must remove the effect through the mechanism the model claims (docs/circuits.md):

* DG: removing presynaptic GABA-B from interneuron terminals
  (``gabab_max_calcium_inhibition_gabaergic = 0``) removes the facilitation;
* CA1: removing the postsynaptic GIRK conductance (``girk_conductance_max = 0``) removes the
  suppression.

Small cohorts (6 slices) keep the file fast; thresholds leave room for their noise.
"""

from __future__ import annotations

import pytest

from synpharm.experiments.slice import run_protocol
from synpharm.preparations.ca1_slice import ca1_slice
from synpharm.preparations.dentate_gyrus import dentate_gyrus_slice
from synpharm.protocols import Protocol
from synpharm.protocols.library import LIBRARY

COHORT = 6
BACLOFEN = "baclofen 3 uM"


def _ltp_change(protocol_name: str, prep) -> float:
    """Mean LTP under baclofen minus mean control LTP [percentage points]."""
    protocol = Protocol.from_toml(LIBRARY / f"{protocol_name}.toml")
    result = run_protocol(protocol, cohort=COHORT, seed=3, prep=prep)
    ltp = {c.name: c.readouts["ltp_percent"].mean for c in result.conditions}
    return ltp[BACLOFEN] - ltp["control"]


def _ablated(factory, **values: float):
    prep = factory()
    return factory(prep.parameters.with_values(**values))


@pytest.fixture(scope="module")
def dg_change() -> float:
    return _ltp_change("dg_hfs_baclofen", dentate_gyrus_slice())


@pytest.fixture(scope="module")
def ca1_change() -> float:
    return _ltp_change("ca1_baclofen_ltp", ca1_slice())


def test_baclofen_facilitates_dentate_ltp(dg_change):
    """SEED-BAC-4: baclofen raises DG LTP after 3 x 100 Hz."""
    assert dg_change > 10.0


def test_baclofen_suppresses_ca1_ltp(ca1_change):
    """SEED-BAC-5 (CA1 half): baclofen lowers CA1 LTP after the same induction."""
    assert ca1_change < -20.0


def test_terminal_autoreceptor_ablation_removes_dentate_facilitation(dg_change):
    """Without GABA-B on interneuron terminals, baclofen no longer raises DG LTP."""
    ablated = _ltp_change(
        "dg_hfs_baclofen",
        _ablated(dentate_gyrus_slice, gabab_max_calcium_inhibition_gabaergic=0.0),
    )
    assert ablated < 5.0
    assert ablated < dg_change - 10.0


def test_girk_ablation_removes_ca1_suppression(ca1_change):
    """Without postsynaptic GIRK, baclofen barely changes CA1 LTP (presynaptic effects remain)."""
    ablated = _ltp_change("ca1_baclofen_ltp", _ablated(ca1_slice, girk_conductance_max=0.0))
    assert abs(ablated) < 12.0
    assert ablated > ca1_change + 20.0
