"""Numerics of the compiled plasticity rule: the fast forms equal the plain rule.

The slice kernels evaluate the kinase's Hill power without a ``pow`` call and the rule with
selects instead of branches (so that loops over synapses vectorise); these tests pin them to
the plain formulas: the same operations give the same bits, the Hill power differs from ``pow``
at round-off only.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synpharm.model.plasticity.calcium_rule import plasticity_step
from synpharm.model.plasticity.kinase import kinase_drive
from synpharm.preparations.ca1_slice import ca1_slice, slice_constants
from synpharm.solvers._synapse_rows import gate_step, spine_step

#: the CA1 constants (a type numba can cache)
RULE = slice_constants(ca1_slice())

calcium = st.floats(0.0, 50.0)
unit = st.floats(0.0, 1.0)


def _plain_step(rule, h: float, p: float, k: float, c: float, dt: float):
    """The rule as written in the docs, with branches and ``**`` (plain Python floats)."""
    drive = 0.0
    if c > rule.theta_d:
        x = (c / rule.kinase_half) ** rule.kinase_hill
        drive = x / (1.0 + x)
    p = p + dt * (rule.phosphatase_rate * c * (1.0 - p) - p / rule.phosphatase_tau)
    k = k + dt * (rule.kinase_rate * drive * (1.0 - k) - k / rule.kinase_tau)
    rate = 0.0
    if k > rule.kinase_threshold:
        rate += rule.gamma_p * (k - rule.kinase_threshold) * (rule.h_max - h)
    if k <= rule.kinase_veto:
        if c > rule.theta_d:
            rate -= rule.gamma_d * h
        if p > rule.phosphatase_threshold:
            rate -= rule.phosphatase_gamma * (p - rule.phosphatase_threshold) * h
    return h + dt * rate / rule.tau_h, p, k


@settings(max_examples=300, deadline=None)
@given(calcium, st.sampled_from([1.0, 2.5, 3.0, 4.0, 4.5, 5.0]))
def test_hill_drive_equals_the_power_formula(c, hill):
    """The integer drives 4 and 5 (products) equal ``x^n / (1 + x^n)`` to round-off; other
    coefficients take ``pow``, exactly as the formula; 0 at or below the floor."""
    x = (c / 3.5) ** hill
    expected = x / (1.0 + x) if c > 1.2 else 0.0
    got = kinase_drive(c, 3.5, hill, 1.2)
    assert got == pytest.approx(expected, rel=1e-14, abs=0.0)
    if hill not in (4.0, 5.0):
        assert got == expected


@settings(max_examples=300, deadline=None)
@given(st.floats(0.0, 2.4), unit, unit, calcium)
def test_branch_free_step_equals_the_branching_rule(h, p, k, c):
    """The select form of :func:`plasticity_step` takes the operations of the branching rule;
    with a Hill coefficient other than 4 (``pow`` in both) the results are the same bits."""
    rule = RULE._replace(kinase_hill=3.0)
    assert plasticity_step(rule, h, p, k, c, 2e-4) == _plain_step(rule, h, p, k, c, 2e-4)
    fast = plasticity_step(RULE, h, p, k, c, 2e-4)
    plain = _plain_step(RULE, h, p, k, c, 2e-4)
    for a, b in zip(fast, plain, strict=True):
        assert a == pytest.approx(b, rel=1e-13, abs=1e-300)


@pytest.mark.parametrize("hill", [4.0, 5.0, 3.0])
def test_vectorised_synapse_rows_equal_the_scalar_rule(hill):
    """:func:`spine_step` over rows of synapses equals the scalar rule synapse by synapse
    (Ca2+ update, time above theta_d, STP, plasticity), to the bit."""
    rule = RULE._replace(kinase_hill=hill)
    rng = np.random.default_rng(3)
    n = 257
    ca = rng.uniform(0.0, 6.0, n)
    above, stp = np.zeros(n), rng.uniform(0.0, 0.1, n)
    h, p, k = rng.uniform(0.5, 2.0, n), rng.uniform(0.0, 0.4, n), rng.uniform(0.0, 0.6, n)
    k[::7] = 0.0
    influx = np.where(rng.uniform(size=n) < 0.5, rng.uniform(0.0, 2e4, n), 0.0)
    dt, decay, ca_v = 2e-4, math.exp(-2e-4 / 0.014), 50.0
    ca_row, rows = ca.copy(), tuple(a.copy() for a in (above, stp, h, p, k))
    for _ in range(5):
        spine_step(rule, ca_row, rows, influx, ca_v, dt, decay)
    for i in range(n):
        ci, ai, si, hi, pi, ki = ca[i], above[i], stp[i], h[i], p[i], k[i]
        for _ in range(5):
            ci = ci * decay + dt * (ca_v + influx[i])
            if ci > rule.theta_d:
                ai += dt
            if ci > rule.theta_p:
                si = rule.stp_max
            hi, pi, ki = plasticity_step(rule, hi, pi, ki, ci, dt)
        assert (ca_row[i], rows[0][i], rows[1][i]) == (ci, ai, si)
        assert (rows[2][i], rows[3][i], rows[4][i]) == (hi, pi, ki)


@pytest.mark.parametrize("hill", [4.0, 5.0, 3.0])
def test_vectorised_pulse_gates_equal_the_scalar_rule(hill):
    """:func:`gate_step` (Ca2+ ``residual + x J + K`` of a pulse window) equals the scalar
    rule synapse by synapse, to the bit."""
    rule = RULE._replace(kinase_hill=hill)
    rng = np.random.default_rng(4)
    n = 131
    residual, x = rng.uniform(0.0, 2.0, n), rng.uniform(0.0, 1e-3, n)
    rows0 = (np.zeros(n), rng.uniform(0.0, 0.1, n), rng.uniform(0.5, 2.0, n),
             rng.uniform(0.0, 0.4, n), rng.uniform(0.0, 0.6, n))
    j, kv = rng.uniform(0.0, 4e3, 6), rng.uniform(0.0, 1.5, 6)
    decay = math.exp(-2e-4 / 0.014)
    r, rows = residual.copy(), tuple(a.copy() for a in rows0)
    for step in range(6):
        gate_step(rule, r, x, j[step], kv[step], rows, 2e-4, decay)
    for i in range(n):
        ri = residual[i]
        ai, si, hi, pi, ki = (a[i] for a in rows0)
        for step in range(6):
            ri *= decay
            xi = ri + x[i] * j[step] + kv[step]
            if xi > rule.theta_p:
                si = rule.stp_max
            if xi > rule.theta_d:
                ai += 2e-4
            hi, pi, ki = plasticity_step(rule, hi, pi, ki, xi, 2e-4)
        assert tuple(a[i] for a in rows) == (ai, si, hi, pi, ki)
