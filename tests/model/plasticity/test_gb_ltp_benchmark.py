"""The GB-LTP benchmark script: its chunked inputs are the spec's inputs, its run is sane."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[3]
BENCH = REPO / "tests" / "data" / "bench"  # a copy of the benchmark's protocol module


@pytest.fixture(scope="module")
def gb_ltp():
    spec = importlib.util.spec_from_file_location("gb_ltp_benchmark",
                                                  REPO / "benchmarks" / "gb_ltp.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.BENCH_DIR = BENCH
    return module


@pytest.mark.parametrize(("n", "chunk"), [(2, 1), (37, 8), (500, 128), (500, 500)])
def test_chunked_spike_draws_equal_the_spec_protocol(gb_ltp, n, chunk):
    gp = gb_ltp.load_protocol_module()
    assert gb_ltp.check_draws(gp, n, 1, 0.0, 1.0, chunk)


def test_chunked_draws_differ_for_another_seed(gb_ltp):
    gp = gb_ltp.load_protocol_module()
    ref = gp.protocol(50, seed=1)
    other = gb_ltp.PostSpikeDraws(gp, 50, 2, ref["hfs_times_ms"])(0, 50)
    assert other.postsynaptic.times.size != ref["post_times"].size or not np.array_equal(
        other.postsynaptic.times, ref["post_times"])


def test_small_deterministic_run_reproduces_the_spec_picture(gb_ltp):
    """HFS drives every synapse to gamma_p / (gamma_p + gamma_d) ~ 0.617 whatever its start,
    then the drift carries it UP (GB_LTP_SPEC.md section 7, RESULTS.md section 3)."""
    gp = gb_ltp.load_protocol_module()
    args = gb_ltp.parse_args(["--N", "20", "--sigma", "0", "--baseline-min", "0",
                              "--post-min", "20"])
    rule, matches = gb_ltp.rule_for(gp, 0.0)
    out = gb_ltp.run(gp, args, rule)
    fixed_point = rule.potentiation_rate / (rule.potentiation_rate + rule.depression_rate)
    assert matches
    assert np.all(np.abs(out["rho_hfs"] - fixed_point) < 0.01)
    assert np.all(out["rho_end"] > out["rho_hfs"])
    assert out["results"]["up_fraction"] == 1.0
    assert len(out["results"]["mean_rho_trace_60s"]) == 21  # 0, 60, ..., 1200 s
