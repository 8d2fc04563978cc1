"""Side-by-side GB-LTP: synpharm against Brian2 on identical work (issue 7, part 3).

Runs, in one go and on this machine:

1. **Deterministic agreement (sigma = 0)** on a shortened protocol (default 0 min baseline,
   1 min post phase: "S120"): Brian2 at dt = 0.1 ms, synpharm, and the exact reference
   ``../shared/bench/reference_gb_ltp.py`` (no time step). Passes if the per-decile UP
   fractions agree within 0.01 and mean rho (end of HFS and end) within 0.005, or if synpharm
   is closer to the exact reference than Brian2 is.
2. **Noise (sigma = 2.8284)**: Brian2 with ``--brian2-seeds`` noise seeds vs synpharm with
   ``--synpharm-seeds`` seeds; mean rho and UP fraction must agree within 3 standard errors of
   the difference (run-to-run SD estimated from synpharm's seeds).
3. **Speed ratio**: Brian2's simulation-loop time on the shortened noisy protocol, extrapolated
   linearly in the number of steps to the full protocol (GB_LTP_SPEC.md section 6), against
   synpharm's measured wall time for the full protocol (N = 1,000, noise; median of repeats,
   JIT compilation excluded). Must be >= 1,000x.

Brian2 runs in a subprocess through the spec's own script ``../shared/bench/brian2_gb_ltp.py``
with ``--brian2-python`` (Brian2 2.9.0 does not import with numpy >= 2.4, so it may need its
own virtual environment; see docs/gb_ltp.md). Prints one JSON document; exit code 1 if a check
fails.

Usage::

    .venv/bin/python benchmarks/gb_ltp_vs_brian2.py --brian2-python /path/to/brian2-venv/bin/python
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import gb_ltp  # noqa: E402

FULL = {"baseline_min": 20.0, "post_min": 60.0}


def parse_args() -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--brian2-python", default=os.environ.get("SYNPHARM_BRIAN2_PYTHON"),
                    help="python with Brian2 installed (default: $SYNPHARM_BRIAN2_PYTHON, "
                         "else this interpreter)")
    ap.add_argument("--target", default="cpp_standalone",
                    choices=["cpp_standalone", "cython", "numpy", "auto"],
                    help="Brian2 code-generation target (cpp_standalone is Brian2's fastest "
                         "single-thread target)")
    ap.add_argument("--N", type=int, default=1000)
    ap.add_argument("--baseline-min", type=float, default=0.0)
    ap.add_argument("--post-min", type=float, default=1.0)
    ap.add_argument("--brian2-seeds", type=int, default=2, help="noisy Brian2 runs")
    ap.add_argument("--synpharm-seeds", type=int, default=20, help="noisy synpharm runs")
    ap.add_argument("--timing-repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=1,
                    help="numba threads for synpharm (Brian2 runs single-threaded)")
    return ap.parse_args()


def _brian2_python(given: str | None) -> str:
    python = given or sys.executable
    probe = subprocess.run([python, "-c", "import brian2"], capture_output=True, text=True)
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["?"])[-1]
        sys.exit(f"error: Brian2 does not import with {python} ({last}); create a venv with "
                 "'python -m venv VENV && VENV/bin/pip install brian2 \"numpy<2.4\"' and pass "
                 "--brian2-python VENV/bin/python")
    return python


def run_brian2(python: str, args: argparse.Namespace, sigma: float, noise_seed: int,
               dump: Path) -> dict:
    cmd = [python, str(gb_ltp.BENCH_DIR / "brian2_gb_ltp.py"), "--N", str(args.N),
           "--dt", "0.1", "--target", args.target, "--sigma", repr(sigma),
           "--noise-seed", str(noise_seed), "--baseline-min", repr(args.baseline_min),
           "--post-min", repr(args.post_min), "--dump", str(dump)]
    print("brian2:", " ".join(cmd[1:]), file=sys.stderr, flush=True)
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"error: Brian2 run failed:\n{done.stderr[-2000:]}")
    out = json.loads(done.stdout.strip().splitlines()[-1])
    data = np.load(dump)
    snap_t = data["snap_t"]
    k_hfs = int(np.argmin(np.abs(snap_t - out["protocol"]["T_s"] + 60.0 * args.post_min)))
    out["_rho_end"] = data["rho_end"]
    out["_rho_hfs"] = data["snap"][:, k_hfs]
    return out


def run_reference(args: argparse.Namespace, dump: Path) -> dict:
    cmd = [sys.executable, str(gb_ltp.BENCH_DIR / "reference_gb_ltp.py"), "--N", str(args.N),
           "--baseline-min", repr(args.baseline_min), "--post-min", repr(args.post_min),
           "--dump", str(dump)]
    print("reference:", " ".join(cmd[1:]), file=sys.stderr, flush=True)
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    data = np.load(dump)
    return {"json": json.loads(done.stdout.strip().splitlines()[-1]),
            "rho_end": data["rho_end"], "rho_hfs": data["rho_hfs"]}


def run_synpharm(gp, args: argparse.Namespace, sigma: float, noise_seed: int,
                 protocol: dict) -> dict:
    argv = ["--N", str(args.N), "--sigma", repr(sigma), "--noise-seed", str(noise_seed),
            "--baseline-min", repr(protocol["baseline_min"]),
            "--post-min", repr(protocol["post_min"]), "--no-snapshots"]
    bench_args = gb_ltp.parse_args(argv)
    rule, _ = gb_ltp.rule_for(gp, sigma)
    gb_ltp.warm_up(rule)
    return gb_ltp.run(gp, bench_args, rule)


def deterministic_check(gp, python: str, args: argparse.Namespace, tmp: Path) -> dict:
    short = {"baseline_min": args.baseline_min, "post_min": args.post_min}
    b2 = run_brian2(python, args, 0.0, 2, tmp / "b2_det.npz")
    ours = run_synpharm(gp, args, 0.0, 2, short)
    ref = run_reference(args, tmp / "ref.npz")
    rb, rs = b2["results"], ours["results"]
    decile_up = max(abs(a["up_fraction"] - b["up_fraction"])
                    for a, b in zip(rb["deciles"], rs["deciles"], strict=True))
    d_mean = abs(rb["mean_rho"] - rs["mean_rho"])
    d_hfs = abs(rb["mean_rho_end_hfs"] - rs["mean_rho_end_hfs"])
    err = {
        "synpharm_max_abs_error_end_hfs": float(np.abs(ours["rho_hfs"] - ref["rho_hfs"]).max()),
        "brian2_max_abs_error_end_hfs": float(np.abs(b2["_rho_hfs"] - ref["rho_hfs"]).max()),
        "synpharm_max_abs_error_end": float(np.abs(ours["rho_end"] - ref["rho_end"]).max()),
        "brian2_max_abs_error_end": float(np.abs(b2["_rho_end"] - ref["rho_end"]).max()),
    }
    within = decile_up <= 0.01 and d_mean <= 0.005 and d_hfs <= 0.005
    closer = (err["synpharm_max_abs_error_end_hfs"] <= err["brian2_max_abs_error_end_hfs"]
              and err["synpharm_max_abs_error_end"] <= err["brian2_max_abs_error_end"])
    return {
        "protocol": short, "N": args.N,
        "brian2": {"mean_rho": rb["mean_rho"], "mean_rho_end_hfs": rb["mean_rho_end_hfs"],
                   "up_fraction": rb["up_fraction"],
                   "decile_mean_rho_end_hfs": [d["mean_rho_end_hfs"] for d in rb["deciles"]]},
        "synpharm": {"mean_rho": rs["mean_rho"], "mean_rho_end_hfs": rs["mean_rho_end_hfs"],
                     "up_fraction": rs["up_fraction"],
                     "decile_mean_rho_end_hfs": [d["mean_rho_end_hfs"] for d in rs["deciles"]]},
        "exact_reference": {"mean_rho": ref["json"]["results"]["mean_rho"],
                            "mean_rho_end_hfs": ref["json"]["results"]["mean_rho_end_hfs"]},
        "max_decile_up_fraction_difference": decile_up,
        "mean_rho_difference": d_mean, "mean_rho_end_hfs_difference": d_hfs,
        "errors_against_exact_reference": err,
        "within_tolerance_of_brian2": within, "closer_to_exact_than_brian2": closer,
        "pass": bool(within or closer),
    }


def _agreement(b2_values: list[float], ours: np.ndarray) -> dict:
    sd = float(ours.std(ddof=1))  # run-to-run SD of one N-synapse run
    diff = float(np.mean(b2_values) - ours.mean())
    se = sd * math.sqrt(1.0 / len(b2_values) + 1.0 / ours.size)
    return {"brian2": b2_values, "synpharm_mean": float(ours.mean()), "synpharm_sd": sd,
            "difference": diff, "se_of_difference": se, "z": diff / se if se > 0 else 0.0,
            "pass": abs(diff) <= 3.0 * se}


def noise_check(gp, python: str, args: argparse.Namespace, tmp: Path) -> tuple[dict, list]:
    short = {"baseline_min": args.baseline_min, "post_min": args.post_min}
    sigma = gp.DP["sigma"]
    b2_runs = [run_brian2(python, args, sigma, 2 + k, tmp / f"b2_noise_{k}.npz")
               for k in range(args.brian2_seeds)]
    ours = [run_synpharm(gp, args, sigma, 100 + k, short)["results"]
            for k in range(args.synpharm_seeds)]
    out = {"protocol": short, "N": args.N, "sigma": sigma,
           "brian2_noise_seeds": [2 + k for k in range(args.brian2_seeds)],
           "synpharm_noise_seeds": [100 + k for k in range(args.synpharm_seeds)]}
    for key in ("up_fraction", "mean_rho", "mean_rho_end_hfs"):
        out[key] = _agreement([r["results"][key] for r in b2_runs],
                              np.array([r[key] for r in ours]))
    out["pass"] = all(out[k]["pass"] for k in ("up_fraction", "mean_rho"))
    return out, b2_runs


def speed_ratio(gp, args: argparse.Namespace, b2_runs: list) -> dict:
    loops = [r["timing"]["sim_loop_s"] for r in b2_runs]
    steps_short = b2_runs[0]["protocol"]["n_steps"]
    frame = gp.protocol(2, baseline_min=FULL["baseline_min"], post_min=FULL["post_min"])
    steps_full = round(frame["T"] / 1e-4)
    b2_full = float(np.mean(loops)) * steps_full / steps_short
    sigma = gp.DP["sigma"]
    walls = [run_synpharm(gp, args, sigma, 2, FULL)["timing"]["wall_s"]
             for _ in range(args.timing_repeats)]
    ours = float(np.median(walls))
    return {
        "N": args.N, "sigma": sigma,
        "brian2_target": b2_runs[0]["target"],
        "brian2_sim_loop_s_short": loops, "brian2_steps_short": steps_short,
        "brian2_steps_full": steps_full,
        "brian2_sim_loop_s_full_extrapolated": b2_full,
        "synpharm_wall_s_full_measured": walls, "synpharm_wall_s_full_median": ours,
        "synpharm_threads": args.threads,
        "ratio": b2_full / ours, "pass": b2_full / ours >= 1000.0,
    }


def main() -> None:
    args = parse_args()
    gp = gb_ltp.load_protocol_module()
    python = _brian2_python(args.brian2_python)
    import numba

    numba.set_num_threads(args.threads)
    started = time.perf_counter()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="gbltp_vs_") as folder:
        tmp = Path(folder)
        deterministic = deterministic_check(gp, python, args, tmp)
        noise, b2_runs = noise_check(gp, python, args, tmp)
        speed = speed_ratio(gp, args, b2_runs)
    report = {
        "benchmark": "GB-LTP synpharm vs Brian2",
        "host": {"cpus": os.cpu_count(), "cpu_model": gb_ltp._cpu_model(),
                 "load_average_1_5_15_min_before_and_after": [load_before, os.getloadavg()]},
        "brian2_version": b2_runs[0]["brian2_version"], "brian2_target": b2_runs[0]["target"],
        "deterministic": deterministic, "noise": noise, "speed": speed,
        "all_pass": bool(deterministic["pass"] and noise["pass"] and speed["pass"]),
        "script_wall_s": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(report, indent=1))
    print(f"speed ratio (Brian2 {speed['brian2_target']} loop extrapolated to the full protocol "
          f"/ synpharm full-protocol wall time, N = {args.N}, noise): "
          f"{speed['brian2_sim_loop_s_full_extrapolated']:.0f} s / "
          f"{speed['synpharm_wall_s_full_median']:.3f} s = {speed['ratio']:.0f}x",
          file=sys.stderr)
    sys.exit(0 if report["all_pass"] else 1)


if __name__ == "__main__":
    main()
