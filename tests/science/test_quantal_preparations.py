"""Single-connection preparations with quantal release against their targets (TARGETS.md).

SEED-BAC-1 (baclofen IPSC EC50 in culture) and SEED-BAC-2 (quantal analysis of mossy-fibre
EPSPs) are validation targets: no parameter was fitted to them. Expected values come from the
literature or from the qualitative claim, never from the model's own output; m and q are
estimated from the measured response amplitudes only.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats

from synpharm.errors import InputError
from synpharm.experiments.slice import run_protocol
from synpharm.preparations.quantal import mossy_fiber_slice, postsynaptic_state
from synpharm.protocols import Protocol
from synpharm.protocols.library import LIBRARY as EXAMPLES
from synpharm.report import summary_json

BACLOFEN_SERIES = [0.1, 0.3, 1, 3, 10, 30, 100]  # uM, as in the example


def _protocol(name: str) -> Protocol:
    return Protocol.from_toml(EXAMPLES / f"{name}.toml")


@pytest.fixture(scope="module")
def ipsc_series():
    return run_protocol(_protocol("baclofen_cultured_ipsc"))


@pytest.fixture(scope="module")
def ipsc_pairs():
    return {
        c.name: c.readouts for c in run_protocol(_protocol("ipsc_paired_pulse_gabab")).conditions
    }


@pytest.fixture(scope="module")
def mossy_fibre():
    result = run_protocol(_protocol("baclofen_mossy_fiber_quantal"))
    return result, {c.name: c.readouts for c in result.conditions}


def test_ipsc_inhibition_grows_with_baclofen_concentration(ipsc_series):
    """SEED-BAC-1: a monotone concentration-response, near-complete at 100 uM."""
    means = {
        c.concentration_uM: c.readouts["baseline_change_percent"].mean
        for c in ipsc_series.conditions
    }
    change = [means[c] for c in BACLOFEN_SERIES]
    assert all(b <= a + 5.0 for a, b in itertools.pairwise(change)), change
    assert change[-1] < -80.0
    assert abs(means[None]) < 10.0  # control: no drug, no change


def test_ipsc_ec50_seed_bac_1(ipsc_series):
    """SEED-BAC-1 (validation): Hill fit EC50 of IPSC reduction in 2.5-10 uM, CI reported."""
    fit = ipsc_series.analyses["concentration_response"][0]
    assert fit["compound"] == "baclofen" and fit["n_concentrations"] == 7
    low, high = fit["ic50_ci_uM"]
    assert low <= fit["ic50_uM"] <= high and np.isfinite([low, high]).all()
    assert 2.5 <= fit["ic50_uM"] <= 10.0
    assert fit["hill_slope"] > 0


def test_paired_pulse_depression_has_a_gabab_component(ipsc_pairs):
    """Davies et al. 1990: IPSC2 depressed at 200 ms; CGP 55845 removes the GABA-B part."""
    control, cgp = ipsc_pairs["control"], ipsc_pairs["CGP55845 1 uM"]
    assert control["ppr_200ms"].mean < 1.0
    assert cgp["ppr_200ms"].mean > control["ppr_200ms"].mean
    assert cgp["ppr_200ms"].welch_p < 0.05
    for interval in (50, 100, 200, 500, 1000):  # depletion remains with the antagonist
        assert cgp[f"ppr_{interval}ms"].mean < 1.0


def _change(readouts, name):
    return readouts[f"{name}_change_percent"]


ESTIMATORS = ("failures", "cv")


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_5_uM_baclofen_lowers_m_more_than_q(mossy_fibre, estimator):
    """SEED-BAC-2 (validation): at 5 uM the fractional fall of m exceeds that of q."""
    readouts = mossy_fibre[1]["baclofen 5 uM"]
    m = _change(readouts, f"quantal_content_{estimator}")
    q = _change(readouts, f"quantal_size_{estimator}")
    assert m.mean < 0 and m.welch_p < 0.05
    assert -m.mean > -q.mean


@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_1_uM_baclofen_lowers_m(mossy_fibre, estimator):
    """SEED-BAC-2 (validation): m falls at 1 uM."""
    m = _change(mossy_fibre[1]["baclofen 1 uM"], f"quantal_content_{estimator}")
    assert m.mean < 0 and m.welch_p < 0.05


@pytest.mark.xfail(
    strict=True,
    reason="SEED-BAC-2 q-at-1-uM not reproduced: in the passive membrane model the fast "
    "mossy-fibre EPSC is shunted less than the input resistance falls (quantal EPSP -5 % at "
    "GIRK occupancy 0.25), below what 12 cells x 150 sweeps resolve",
)
@pytest.mark.parametrize("estimator", ESTIMATORS)
def test_1_uM_baclofen_lowers_q(mossy_fibre, estimator):
    """SEED-BAC-2 (validation): q falls at 1 uM."""
    q = _change(mossy_fibre[1]["baclofen 1 uM"], f"quantal_size_{estimator}")
    assert q.mean < 0


@pytest.mark.parametrize(
    "name", [f"quantal_{x}_{e}" for x in ("content", "size") for e in ESTIMATORS]
)
def test_control_m_and_q_unchanged_within_noise(mossy_fibre, name):
    """Without a drug, the second window estimates the same m and q as the first."""
    values = _change(mossy_fibre[1]["control"], name).values
    values = values[np.isfinite(values)]
    assert values.size >= 8
    assert stats.ttest_1samp(values, 0.0).pvalue > 0.01
    assert abs(values.mean()) < 20.0


def test_estimators_agree_and_summary_is_reported(mossy_fibre):
    summary = mossy_fibre[0].analyses["quantal_analysis"]
    for condition in summary["conditions"]:
        window = condition["windows"]["pre_drug"]
        assert window["sweeps_per_cell"] >= 150
        ratio = window["agreement"]["quantal_content_failures_over_cv_mean"]
        assert 0.7 < ratio < 1.4, condition["condition"]


def test_passive_shunt_tends_to_the_input_resistance_ratio_for_slow_epscs():
    """The passive model reduces to q g_rest / (g_rest + g_GIRK) for slow synaptic currents."""
    prep = mossy_fiber_slice()
    slow = prep.parameters.with_values(response_decay_time=5.0, response_rise_time=0.05)
    slow_prep = type(prep)(**{**prep.__dict__, "parameters": slow})
    occupancy = 0.5
    state = postsynaptic_state(slow_prep, np.array([occupancy]))
    p = prep.parameters
    ratio = p["girk_conductance_max_relative"] * occupancy
    v_m = (p["resting_potential"] + ratio * p["potassium_reversal"]) / (1 + ratio)
    driving = (p["ampa_reversal"] - v_m) / (p["ampa_reversal"] - p["resting_potential"])
    assert state.quantal_scale[0] == pytest.approx(driving / (1 + ratio), rel=0.02)
    fast = postsynaptic_state(prep, np.array([occupancy])).quantal_scale[0]
    assert driving / (1 + ratio) < fast < driving


def test_unsupported_steps_name_the_field():
    protocol = Protocol.from_dict(
        {
            "experiment": {"name": "x", "preparation": "mossy_fiber_slice", "cohort": 2},
            "steps": [
                {"type": "baseline", "duration": "1 min", "test_rate": "0.1 Hz"},
                {
                    "type": "train",
                    "n_trains": 1,
                    "frequency": "100 Hz",
                    "pulses": 10,
                    "interval": "1 s",
                },
            ],
        }
    )
    with pytest.raises(InputError) as error:
        run_protocol(protocol)
    assert error.value.field == "steps[1].type"


def test_same_seed_same_summary():
    protocol = _protocol("ipsc_paired_pulse_gabab")
    first = summary_json(run_protocol(protocol, cohort=3, seed=7))
    assert first == summary_json(run_protocol(protocol, cohort=3, seed=7))
    assert first != summary_json(run_protocol(protocol, cohort=3, seed=8))
