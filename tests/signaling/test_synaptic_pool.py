"""The local synaptic (synaptoneurosome) protein pool: somatic supply plus local translation.

``synaptic_protein`` is supplied by the soma (``1 - local_translation_share``, unchanged by
mTORC1) and by local translation that rises steeply with mTORC1 output but at most
``local_translation_max_fold`` times its resting rate. Steady states follow in closed form.
"""

from __future__ import annotations

import numpy as np
import pytest

from synpharm.signaling import load_network, simulate_signaling

DAY = 86400.0
TIMES = np.linspace(0.0, 40 * DAY, 81)


@pytest.fixture(scope="module")
def network():
    return load_network("synaptic_signaling")


def test_full_mtorc1_block_leaves_the_somatic_supply(network):
    """Rapamycin-like block: the pool settles at 1 - share, not at 0 (closed form)."""
    params = network.parameters
    share = params["local_translation_share"]
    res = simulate_signaling(network, TIMES, {"mtorc1_inhibition": np.ones(TIMES.size)})
    assert res.species["mtorc1_active"][-1] < 1e-3
    assert res.species["synaptic_protein"][-1] == pytest.approx(1.0 - share, abs=2e-3)


def test_supply_is_bounded_by_the_maximal_local_induction(network):
    params = network.parameters
    share, fold = params["local_translation_share"], params["local_translation_max_fold"]
    res = simulate_signaling(network, TIMES, {"erk_direct_activation": np.ones(TIMES.size)})
    protein = res.species["synaptic_protein"]
    assert protein.max() <= 1.0 - share + share * fold + 1e-9
    assert protein[-1] > 1.0  # a sustained ERK drive does raise the pool


def test_local_pool_turns_over_faster_than_the_whole_proteome(network):
    """Residence half-life of the synaptic pool below the 2-5-day whole-protein half-lives
    (Cohen et al. 2013), so a translation burst moves it by tens of percent."""
    half_life_days = np.log(2.0) / network.parameters["k_synaptic_protein"] / DAY
    assert 0.25 < half_life_days < 2.0
