"""Dendritic Ca2+ spikes of the CA1 dendrite (``solvers/_neuron.dendritic_calcium_step``).

Pinsky & Rinzel 1994 gating (``model/dendritic_calcium.py``) mapped onto the model's dendrite
by its passive load. Expected values come from the parameter file and closed forms, never
from the model's output:

* rest is a fixed point: the gates at their resting values carry no net current;
* no Ca2+ spike from one quantum or from a single test-pulse-sized EPSP;
* threshold: a sustained synaptic conductance fires an all-or-none regenerative event (a
  small step in conductance across the threshold adds tens of mV), absent without g_Ca;
* duration and decay: the Ca2+-activated K+ current repolarises the spike (without it the
  depolarisation lasts much longer); the pool then decays with its published time constant;
* a GABA-A shunt of the dendrite prevents the event that the same excitation fires without it;
* the dentate gyrus (no parameters) has no Ca2+ spikes; the rate functions are monotone.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synpharm.model import slice_state as L
from synpharm.model.dendritic_calcium import ca_gate_rates, resting_gates, steady_gate
from synpharm.preparations.ca1_slice import ca1_slice, slice_constants
from synpharm.preparations.dentate_gyrus import dentate_gyrus_slice
from synpharm.solvers import _neuron as N

DT = 2e-5


def _cell(c) -> tuple[np.ndarray, np.ndarray]:
    """A hand-built slice row at rest (gates at their resting values) and no drugs."""
    sl = np.zeros((1, L.N_SLICE_COLUMNS))
    sl[0, [L.V, L.V_DENDRITE, L.V_FREE]] = c.e_leak
    sl[0, [L.GABA_READY, L.FEEDBACK_READY, L.INHIBITION_SCALE, L.CALCIUM_SCALE]] = 1.0
    sl[0, L.CA_GATE], sl[0, L.KC_GATE] = resting_gates(c.e_leak)
    drug = np.zeros((1, L.N_DRUG_COLUMNS))
    drug[0, [L.PRE_CALCIUM, L.GABA_PRE_CALCIUM, L.NMDA_AVAILABLE, L.NAV_AVAILABLE]] = 1.0
    return sl, drug


def _run(c, sl, drug, duration: float, kick: float = 0.0, hold: float = 0.0,
         hold_until: float = math.inf, gabaa: float = 0.0) -> dict[str, np.ndarray]:
    """Step the kernel. ``kick`` [S] of AMPA conductance at t = 0 (decays with the AMPA
    time constant); ``hold`` [S] a constant AMPA conductance until ``hold_until`` [s];
    ``gabaa`` [S] a constant GABA-A conductance. Returns the traces."""
    n = round(duration / c.dt)
    out = {k: np.empty(n) for k in ("v_d", "s", "pool")}
    sl[0, L.G_AMPA] += kick
    for k in range(n):
        if hold and k * c.dt < hold_until:
            sl[0, L.G_AMPA] = max(sl[0, L.G_AMPA], hold)
        if gabaa:
            sl[0, L.G_GABAA] = gabaa
        N.neuron_step(c, 0, sl, drug, 0.0, 0.0, c.dt)
        N.decay_slice(c, 0, sl, c.dt)
        out["v_d"][k] = sl[0, L.V_DENDRITE]
        out["s"][k] = sl[0, L.CA_GATE]
        out["pool"][k] = sl[0, L.DENDRITIC_CALCIUM]
    return out


def _ca1():
    """The CA1 preparation with the Ca2+ spike switched on (off in the default model)."""
    prep = ca1_slice()
    return type(prep)(prep.name, prep.parameters.with_values(dendritic_calcium_spikes=1.0))


def _constants():
    return slice_constants(_ca1(), dt=DT)


def test_rest_is_a_fixed_point():
    c = _constants()
    sl, drug = _cell(c)
    out = _run(c, sl, drug, 0.1)
    assert np.abs(out["v_d"] - c.e_leak).max() < 1e-6
    assert out["pool"].max() < 1e-9


def test_one_quantum_and_a_test_pulse_fire_no_calcium_spike():
    prep = _ca1()
    c = slice_constants(prep, dt=DT)
    quantum = prep.parameters["quantal_conductance"]
    for g in (quantum, 10 * quantum):  # one quantum; an EPSP of ~3 mV in the dendrite
        sl, drug = _cell(c)
        out = _run(c, sl, drug, 0.05, kick=g)
        assert out["s"].max() < 0.05
        assert out["pool"].max() < 0.01


def _peak_depolarisation(c, hold: float) -> float:
    sl, drug = _cell(c)
    return float(_run(c, sl, drug, 0.06, hold=hold, hold_until=0.04)["v_d"].max())


def test_sustained_input_fires_an_all_or_none_calcium_spike():
    c = _constants()._replace(dspike_conductance=0.0)  # the fast Na+ spike aside
    passive = c._replace(plateau_g_ca=0.0)
    holds = np.linspace(1e-9, 12e-9, 23)
    active = np.array([_peak_depolarisation(c, g) for g in holds])
    without = np.array([_peak_depolarisation(passive, g) for g in holds])
    jumps = np.diff(active)
    k = int(np.argmax(jumps))
    # one step of 0.5 nS across the threshold adds > 20 mV, whereas the passive dendrite
    # moves by < 3 mV per step: regenerative, all-or-none
    assert jumps[k] > 0.020
    assert np.diff(without).max() < 0.003
    # below the threshold the Ca2+ current adds little; above it the event passes -30 mV
    assert np.all(active[: k + 1] - without[: k + 1] < 0.003)
    assert active[k + 1] > -0.030 > without[k + 1]


def test_calcium_activated_k_repolarises_the_spike_and_the_pool_decays_with_its_tau():
    c = _constants()
    sl, drug = _cell(c)
    out = _run(c, sl, drug, 0.15, hold=12e-9, hold_until=0.005)
    sl2, drug2 = _cell(c)
    no_kc = _run(c._replace(plateau_g_kc=0.0), sl2, drug2, 0.15, hold=12e-9, hold_until=0.005)
    threshold = -0.030

    def duration(v):
        return float((v > threshold).sum() * c.dt)

    d_kc, d_none = duration(out["v_d"]), duration(no_kc["v_d"])
    assert 0.002 < d_kc < 0.040  # a Ca2+ spike of milliseconds to tens of ms
    assert d_none > 2.0 * d_kc  # without I_K(C) the depolarisation lasts much longer
    # after the spike (gate back near rest) the pool decays exponentially with its tau
    late = np.flatnonzero(out["s"] < 0.02)
    late = late[late > np.argmax(out["pool"])]
    i, j = late[0], late[0] + round(0.02 / c.dt)
    ratio = out["pool"][j] / out["pool"][i]
    assert ratio == pytest.approx(math.exp(-(j - i) * c.dt / c.plateau_ca_tau), rel=0.02)


def test_gabaa_shunt_blocks_the_calcium_spike():
    c = _constants()
    hold = 12e-9
    sl, drug = _cell(c)
    fired = _run(c, sl, drug, 0.06, hold=hold, hold_until=0.04)
    sl, drug = _cell(c)
    shunted = _run(c, sl, drug, 0.06, hold=hold, hold_until=0.04, gabaa=20e-9)
    assert fired["v_d"].max() > -0.020
    assert shunted["v_d"].max() < -0.040
    assert shunted["s"].max() < 0.1


def test_relax_slice_returns_the_gates_to_rest_and_decays_the_pool():
    c = _constants()
    sl, drug = _cell(c)
    sl[0, L.CA_GATE], sl[0, L.KC_GATE], sl[0, L.DENDRITIC_CALCIUM] = 0.5, 0.4, 0.8
    N.relax_slice(c, 0, sl, drug, 0.01)
    s_rest, c_rest = resting_gates(c.e_leak)
    assert sl[0, L.CA_GATE] == pytest.approx(s_rest)
    assert sl[0, L.KC_GATE] == pytest.approx(c_rest)
    assert sl[0, L.DENDRITIC_CALCIUM] == pytest.approx(0.8 * math.exp(-0.01 / c.plateau_ca_tau))


def test_dentate_gyrus_and_the_default_ca1_model_have_no_calcium_spikes():
    for prep in (dentate_gyrus_slice(), ca1_slice()):
        c = slice_constants(prep)
        assert c.plateau_g_ca == 0.0 and c.plateau_g_kc == 0.0


def test_conductances_follow_the_load_mapping():
    p = _ca1().parameters
    c = slice_constants(_ca1())
    load = p["leak_conductance"] * (1 - p["soma_membrane_fraction"]) + p["soma_dendrite_coupling"]
    area = load / p["pinsky_rinzel_dendritic_load"]
    assert c.plateau_g_ca == pytest.approx(p["dendritic_calcium_conductance_density"] * area)
    assert c.plateau_g_kc == pytest.approx(p["dendritic_calcium_activated_k_density"] * area)


@settings(max_examples=50, deadline=None)
@given(st.floats(-40.0, 120.0), st.floats(0.1, 20.0))
def test_calcium_gate_activation_rises_with_depolarisation(u, step):
    assert steady_gate(*ca_gate_rates(u + step)) > steady_gate(*ca_gate_rates(u))
