"""GB-LTP benchmark on synpharm's multi-rate Graupner-Brunel engine (issue 7).

Same work, command-line options and JSON fields as ``../shared/bench/brian2_gb_ltp.py``
(spec: ``../shared/bench/GB_LTP_SPEC.md``). The protocol and the postsynaptic spike draws come
from ``../shared/bench/gb_ltp_protocol.py``, imported at run time; for large N the draws are
made chunk by chunk from the same generator stream, which gives the same spikes (checked
against ``gb_ltp_protocol.protocol`` whenever N <= --check-limit).

Usage::

    .venv/bin/python benchmarks/gb_ltp.py --N 10000                 # full protocol, noise
    .venv/bin/python benchmarks/gb_ltp.py --N 1000 --sigma 0        # deterministic check
    .venv/bin/python benchmarks/gb_ltp.py --N 1000000 --no-snapshots

Prints one JSON line. ``timing.wall_s`` is the run itself (inputs, integration, summary),
excluding import and JIT compilation, which are reported separately (``codegen_compile_s``;
``--cold-cache`` compiles into a fresh numba cache to measure a cold compile).
"""

from __future__ import annotations

import time

T_SCRIPT_START = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402
from types import ModuleType  # noqa: E402

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
BENCH_DIR = REPO.parent / "shared" / "bench"
SNAPSHOT_INTERVAL = 60.0  # s, as the Brian2 script's StateMonitor
REFERENCE_DT_MS = 0.1  # Brian2's step, used for the per-step cost figures


def load_protocol_module() -> ModuleType:
    """Import ``gb_ltp_protocol`` from ../shared/bench (never copied into the project)."""
    if not (BENCH_DIR / "gb_ltp_protocol.py").exists():
        sys.exit(f"error: {BENCH_DIR}/gb_ltp_protocol.py not found (the shared bench folder)")
    if str(BENCH_DIR) not in sys.path:
        sys.path.insert(0, str(BENCH_DIR))
    import gb_ltp_protocol

    return gb_ltp_protocol


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--N", type=int, default=1000, help="number of synapses")
    ap.add_argument("--dt", type=float, default=10.0,
                    help="longest step in ms while calcium is above a threshold (quiet "
                         "stretches are solved in closed form); default 10")
    ap.add_argument("--target", default="auto", choices=["auto", "numba"],
                    help="accepted for compatibility; synpharm always runs its numba kernels")
    ap.add_argument("--sigma", type=float, default=None,
                    help="noise amplitude (default: the DP set; 0 = deterministic, noise term "
                         "removed)")
    ap.add_argument("--seed", type=int, default=1,
                    help="seed of the post-spike draws (numpy default_rng)")
    ap.add_argument("--noise-seed", type=int, default=2, help="seed of the plasticity noise")
    ap.add_argument("--baseline-min", type=float, default=20.0)
    ap.add_argument("--post-min", type=float, default=60.0)
    ap.add_argument("--threads", type=int, default=0,
                    help="numba threads (0 = all cores of the machine)")
    ap.add_argument("--warm-cache", action="store_true",
                    help="accepted for compatibility: numba's on-disk cache is used by default")
    ap.add_argument("--cold-cache", action="store_true",
                    help="compile into a fresh numba cache directory (cold-compile timing)")
    ap.add_argument("--no-snapshots", action="store_true",
                    help="do not record mean rho every 60 s")
    ap.add_argument("--chunk", type=int, default=32_768, help="synapses per chunk")
    ap.add_argument("--check-limit", type=int, default=200_000,
                    help="check the chunked spike draws against gb_ltp_protocol.protocol(N) "
                         "when N <= this")
    ap.add_argument("--dump", default=None,
                    help="write per-synapse rho at the end of HFS and at T to this .npz file")
    return ap.parse_args(argv)


class PostSpikeDraws:
    """Inputs of synapses start..stop-1, drawn in order from the spec's generator stream.

    ``U = default_rng(seed).random((N, n_hfs))`` row-major: drawing the rows chunk by chunk
    from one generator yields the same numbers as one (N, n_hfs) call.
    """

    def __init__(self, gp: ModuleType, n: int, seed: int, hfs_times_ms: np.ndarray) -> None:
        self.gp, self.n, self.hfs_ms = gp, n, hfs_times_ms
        self.rng = np.random.default_rng(seed)
        self.next_row = 0
        self.seconds = 0.0

    def __call__(self, start: int, stop: int):
        from synpharm.solvers.gb_population import PostsynapticSpikes, SynapseChunk

        t0 = time.perf_counter()
        if start != self.next_row:
            raise RuntimeError("chunks must be requested in order")
        self.next_row = stop
        i = np.arange(start, stop)
        p = i / (self.n - 1.0)
        fire = self.rng.random((stop - start, self.hfs_ms.size)) < p[:, None]
        rows, k = np.nonzero(fire)
        indptr = np.zeros(stop - start + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=stop - start), out=indptr[1:])
        times = (self.hfs_ms[k] + self.gp.POST_LAG_MS) / 1000.0
        chunk = SynapseChunk(np.where(i % 2 == 0, 1.0, 0.0), PostsynapticSpikes(indptr, times))
        self.seconds += time.perf_counter() - t0
        return chunk


def check_draws(gp: ModuleType, n: int, seed: int, baseline_min: float, post_min: float,
                chunk: int) -> bool:
    """Chunked draws == gb_ltp_protocol.protocol(N) (spike owners, times, p, rho0)."""
    ref = gp.protocol(n, seed=seed, baseline_min=baseline_min, post_min=post_min)
    draws = PostSpikeDraws(gp, n, seed, ref["hfs_times_ms"])
    owners, times, rho0 = [], [], []
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        c = draws(start, stop)
        counts = np.diff(c.postsynaptic.indptr)
        owners.append(np.repeat(np.arange(start, stop), counts))
        times.append(c.postsynaptic.times)
        rho0.append(c.initial_efficacy)
    return bool(np.array_equal(np.concatenate(owners), ref["post_idx"])
                and np.array_equal(np.concatenate(times), ref["post_times"])
                and np.array_equal(np.concatenate(rho0), ref["rho0"]))


def rule_for(gp: ModuleType, sigma: float | None):
    """The project's DP rule (TOML), with the spec's parameters cross-checked."""
    from synpharm.model.plasticity.graupner_brunel import graupner_brunel_rule

    rule = graupner_brunel_rule()
    spec = {"calcium_decay_time": "tau_Ca", "calcium_per_presynaptic_spike": "C_pre",
            "calcium_per_postsynaptic_spike": "C_post", "presynaptic_calcium_delay": "D",
            "depression_threshold": "theta_d", "potentiation_threshold": "theta_p",
            "depression_rate": "gamma_d", "potentiation_rate": "gamma_p",
            "noise_amplitude": "sigma", "efficacy_time_constant": "tau",
            "efficacy_boundary": "rho_star"}
    matches = all(np.isclose(getattr(rule, ours), gp.DP[theirs], rtol=1e-12, atol=0.0)
                  for ours, theirs in spec.items())
    if sigma is not None:
        rule = rule._replace(noise_amplitude=float(sigma))
    return rule, matches


def warm_up(rule) -> float:
    """Compile (or load from the cache) the kernels for this argument signature [s]."""
    from synpharm.solvers.gb_population import PostsynapticSpikes, integrate_synapses

    t0 = time.perf_counter()
    post = PostsynapticSpikes(np.array([0, 1, 1], dtype=np.int64), np.array([0.01]))
    integrate_synapses(rule, np.array([0.0, 1.0]), np.array([0.0, 0.005, 0.01]), post,
                       np.array([0.5, 1.0]), seed=0)
    return time.perf_counter() - t0


def run(gp: ModuleType, args: argparse.Namespace, rule) -> dict:
    """One GB-LTP run; returns results, per-synapse rho and timings."""
    from synpharm.solvers.gb_population import simulate_population

    t_start = time.perf_counter()
    frame = gp.protocol(2, seed=args.seed, baseline_min=args.baseline_min,
                        post_min=args.post_min)  # shared times; N only affects the draws
    t_hfs_end, t_end = frame["t_post_start"], frame["T"]
    snaps = (np.arange(0.0, t_end, SNAPSHOT_INTERVAL) if not args.no_snapshots
             else np.zeros(0))
    record_times = np.unique(np.concatenate([snaps, [t_hfs_end, t_end]]))
    row_hfs = int(np.searchsorted(record_times, t_hfs_end))
    row_snaps = np.searchsorted(record_times, snaps)
    rho_hfs, rho_end = np.empty(args.N), np.empty(args.N)
    snap_sums = np.zeros(snaps.size)
    draws = PostSpikeDraws(gp, args.N, args.seed, frame["hfs_times_ms"])
    loop = {"s": 0.0, "post_spikes": 0, "t": time.perf_counter()}

    def consume(start: int, stop: int, rho: np.ndarray) -> None:
        rho_hfs[start:stop] = rho[row_hfs]
        rho_end[start:stop] = rho[-1]
        snap_sums[:] += rho[row_snaps].sum(axis=1)

    def inputs(start: int, stop: int):
        now = time.perf_counter()
        loop["s"] += now - loop["t"]  # time since the previous chunk's inputs were made
        chunk = draws(start, stop)
        loop["post_spikes"] += int(chunk.postsynaptic.times.size)
        loop["t"] = time.perf_counter()
        return chunk

    simulate_population(rule, args.N, inputs, frame["pre_times"], record_times, consume,
                        seed=args.noise_seed, chunk_size=args.chunk,
                        max_gated_step=args.dt * 1e-3)
    loop["s"] += time.perf_counter() - loop["t"]
    t_readout = time.perf_counter()
    i = np.arange(args.N)
    p, rho0 = i / (args.N - 1.0), np.where(i % 2 == 0, 1.0, 0.0)
    res = gp.summarize(rho_end, rho0, p, rho_hfs=rho_hfs)
    if snaps.size:
        res["mean_rho_trace_60s"] = [round(float(x), 6) for x in snap_sums / args.N]
    res["rho_min"] = float(rho_end.min())
    res["rho_max"] = float(rho_end.max())
    t_done = time.perf_counter()
    return {
        "results": res, "rho_hfs": rho_hfs, "rho_end": rho_end, "p": p, "rho0": rho0,
        "frame": frame, "n_post_spikes": loop["post_spikes"],
        "timing": {"setup_s": draws.seconds,
                   "sim_loop_s": loop["s"], "readout_s": t_done - t_readout,
                   "wall_s": t_done - t_start},
    }


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def benchmark(args: argparse.Namespace) -> dict:
    """Import, compile, check inputs, run; the JSON record of the Brian2 script's shape."""
    if args.N < 2:
        sys.exit("error: --N must be >= 2")
    if args.cold_cache:
        os.environ["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="gbltp_numba_")
    gp = load_protocol_module()
    t0 = time.perf_counter()
    import numba

    import synpharm.solvers.gb_population  # noqa: F401
    t_import = time.perf_counter() - t0
    if args.threads > 0:
        numba.set_num_threads(args.threads)
    rule, params_match = rule_for(gp, args.sigma)
    t_compile = warm_up(rule)
    checked = None
    if args.N <= args.check_limit:
        checked = check_draws(gp, args.N, args.seed, args.baseline_min, args.post_min,
                              args.chunk)
    out = run(gp, args, rule)
    timing = {"import_s": t_import, "codegen_compile_s": t_compile, **out["timing"]}
    timing["total_excl_import_s"] = t_compile + timing["wall_s"]
    frame = out["frame"]
    n_steps = round(frame["T"] / (REFERENCE_DT_MS * 1e-3))
    timing["sim_loop_us_per_step"] = 1e6 * timing["sim_loop_s"] / n_steps
    timing["sim_loop_ns_per_syn_step"] = 1e9 * timing["sim_loop_s"] / (n_steps * args.N)
    timing["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.dump:
        np.savez_compressed(args.dump, rho_end=out["rho_end"], rho_hfs=out["rho_hfs"],
                            rho0=out["rho0"], p=out["p"])
    return {
        "benchmark": "GB-LTP",
        "engine": "synpharm",
        "numba_version": numba.__version__,
        "numpy_version": np.__version__,
        "python": platform.python_version(),
        "host": {"machine": platform.machine(), "cpus": os.cpu_count(),
                 "cpu_model": _cpu_model()},
        "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "target": "numba",
        "threads": numba.get_num_threads(),
        "method": ("event-driven: exact calcium, closed-form cubic drift below thresholds, "
                   "ETD2 with exact OU noise above"),
        "N": args.N, "dt_ms": args.dt, "sigma": rule.noise_amplitude,
        "seed": args.seed, "noise_seed": args.noise_seed,
        "parameters_match_spec": params_match,
        "inputs_checked_against_gb_ltp_protocol": checked,
        "protocol": {"baseline_min": args.baseline_min, "post_min": args.post_min,
                     "T_s": frame["T"], "n_steps": n_steps,
                     "n_steps_note": f"equivalent steps of {REFERENCE_DT_MS} ms",
                     "n_pre_pulses": int(frame["pre_times"].size),
                     "n_post_spikes": out["n_post_spikes"],
                     "delay_ms_effective": rule.presynaptic_calcium_delay * 1e3,
                     "full_protocol": (args.baseline_min == 20 and args.post_min == 60)},
        "timing": {k: (round(v, 4) if isinstance(v, float) else v) for k, v in timing.items()},
        "results": out["results"],
    }


def main() -> None:
    print(json.dumps(benchmark(parse_args())), flush=True)


if __name__ == "__main__":
    main()
