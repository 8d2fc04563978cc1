"""Dissection: why theta bursts do (not) potentiate in the CA1 slice model, burst by burst.

Usage: ``.venv/bin/python benchmarks/tbs_dissection.py [--slices N] [--seed S]`` (prints tables).
The dendritic Ca2+ spike mechanism is off in the default model: ``--set
dendritic_calcium_spikes=1`` turns it on (columns ``plat_ms``: time with the Ca2+ conductance
above the dendrite's passive load, ``plateaus``: such events per block); ``--gabaa-blocked
0.89`` removes the GABA-A conductance as picrotoxin 100 uM does; ``--kinds`` also takes
``hfs_100hz_20`` (PHYS-GABAA-1.ltp) and ``lfs_10hz`` (the first 5 s of PHYS-FDP-1's 10 Hz arm).

Runs an instrumented copy of the slice window integrator (the same compiled pieces as
:func:`synpharm.solvers._kernels.integrate_window`, one slice at a time, no plasticity noise)
from rest through three inductions: 1 x TBS (10 bursts of 4 pulses at 100 Hz, 200 ms apart),
the same bursts 2 s apart, and one 100 Hz train of 1 s. Per burst (or per 40-ms block of the
100 Hz train) it reports, averaged over slices: peak dendritic potential and peak spine
potential (dendrite + bAP), the mean NMDA Mg2+-unblocked fraction while NMDA channels are
open, the peak spine Ca2+ of the activated synapses (median and 90th percentile) against the
thresholds theta_d / theta_p, the time spent above theta_p, the feed-forward GABA-A
conductance delivered, the autoreceptor G protein and the resulting GABA release probability,
the interneuron ready pool, glutamate release (quanta), somatic spikes and dendritic spikes
(``dspikes``; :func:`synpharm.solvers._neuron.dendritic_spike`). At the end: the mean
early-phase change of the activated synapses from the fast gates (theta_d / theta_p) of the
rule; the slow phosphatase readout is not included.
"""

from __future__ import annotations

import argparse

import numpy as np
from numba import njit

from synpharm.model import slice_state as L
from synpharm.model.channels import release_probability
from synpharm.model.plasticity.calcium_rule import plasticity_step, quiet_plasticity
from synpharm.preparations.ca1_slice import ca1_slice, draw_slices, slice_constants
from synpharm.solvers._neuron import (
    bath_magnesium,
    decay_slice,
    neuron_step,
    nmda_calcium_drive,
    plateau_conductances,
    spine_voltage,
    vgcc_calcium,
)
from synpharm.solvers._presynaptic import _gaba_terminal_calcium, stimulate

#: per-stimulus columns
STIM = ("drive", "n_fire", "gaba", "p_gaba", "auto_g", "gaba_ready")
#: per-step columns
TRACE = ("v_dend", "v_spine", "unblock", "g_gabaa", "g_ampa", "g_nmda", "ca_max", "n_above_p",
         "n_above_d", "spikes", "dspikes", "kinase_max", "plateau", "g_girk", "g_kca")


@njit(cache=False)
def _instrumented(c, s, n_steps, stim_step, intensity, gap, sl, drug, syn, rng, trace, rec):
    nmda_w, o, b, ca, h = syn.nmda_weight, syn.nmda_open, syn.blocked, syn.calcium, syn.early
    dt = c.dt
    n_syn = h.shape[1]
    decay_n = np.exp(-dt / c.nmda_tau)
    decay_ca = np.exp(-dt / c.calcium_tau)
    n_ring = max(c.ffi_delay_steps, c.feedback_delay_steps) + 1
    ring = np.zeros(n_ring)
    next_stim = 0
    scale = c.ca_nmda_rate * sl[s, L.CALCIUM_SCALE] * drug[s, L.NMDA_AVAILABLE]
    for step in range(n_steps):
        if next_stim < stim_step.shape[0] and stim_step[next_stim] == step:
            p_gaba = release_probability(_gaba_terminal_calcium(c, s, sl, drug),
                                         c.gaba_half_power, c.release_cooperativity,
                                         c.release_p_max)
            rec[next_stim, 3] = p_gaba
            rec[next_stim, 4] = sl[s, L.AUTORECEPTOR_G]
            rec[next_stim, 5] = sl[s, L.GABA_READY]
            drive, n_fire, gaba = stimulate(c, s, intensity[next_stim], gap[next_stim], sl,
                                            drug, syn, rng)
            rec[next_stim, 0] = drive
            rec[next_stim, 1] = n_fire
            rec[next_stim, 2] = gaba
            ring[(step + c.ffi_delay_steps) % n_ring] += gaba * c.ffi_conductance
            next_stim += 1
        sl[s, L.G_GABAA] += ring[step % n_ring] * (1.0 - drug[s, L.GABAA_BLOCKED])
        ring[step % n_ring] = 0.0
        v_sp = spine_voltage(sl, s)
        ca_drive, unblock = nmda_calcium_drive(c, v_sp, bath_magnesium(c, drug, s))
        ca_drive *= scale
        ca_v = vgcc_calcium(c, v_sp) * sl[s, L.CALCIUM_SCALE]
        g_open = 0.0
        ca_max = 0.0
        n_p = 0
        n_d = 0
        k_max = 0.0
        for i in range(n_syn):
            oi = o[s, i]
            influx = ca_v
            if oi > 1e-7:
                unblocked = oi * (1.0 - b[s, i]) * nmda_w[s, i]
                g_open += unblocked
                influx += ca_drive * unblocked
                o[s, i] = oi * decay_n
            x = ca[s, i] * decay_ca + dt * influx
            ca[s, i] = x
            ca_max = max(ca_max, x)
            if x > c.theta_d:
                n_d += 1
                if x > c.theta_p:
                    n_p += 1
            h[s, i], syn.phosphatase[s, i], syn.kinase[s, i] = plasticity_step(
                c, h[s, i], syn.phosphatase[s, i], syn.kinase[s, i], x, dt)
            k_max = max(k_max, syn.kinase[s, i])
        g_nmda = g_open * c.nmda_per_open * drug[s, L.NMDA_AVAILABLE]
        trace[step, 0] = sl[s, L.V_DENDRITE]
        trace[step, 1] = v_sp
        trace[step, 2] = unblock
        trace[step, 3] = sl[s, L.G_GABAA]
        trace[step, 4] = sl[s, L.G_AMPA]
        trace[step, 5] = g_nmda * unblock
        trace[step, 6] = ca_max
        trace[step, 7] = n_p
        trace[step, 8] = n_d
        neuron_step(c, s, sl, drug, g_nmda, unblock, dt)
        trace[step, 9] = sl[s, L.SPIKES]
        trace[step, 10] = sl[s, L.DSPIKES]
        trace[step, 11] = k_max
        g_ca = c.plateau_g_ca * sl[s, L.CA_GATE] ** 2
        trace[step, 12] = 1.0 if g_ca > c.g_leak_dendrite + c.g_coupling else 0.0
        g_gg = sl[s, L.GABAB_G] ** 4
        trace[step, 13] = (c.girk_max * drug[s, L.GIRK_OCCUPANCY]
                           + c.gabab_syn * g_gg / (g_gg + c.gabab_kd))
        trace[step, 14] = plateau_conductances(c, s, sl)[1]
        decay_slice(c, s, sl, dt)


def _control_drugs(n: int) -> np.ndarray:
    drug = np.zeros((n, L.N_DRUG_COLUMNS))
    for col in (L.PRE_CALCIUM, L.GABA_PRE_CALCIUM, L.NMDA_AVAILABLE, L.NAV_AVAILABLE):
        drug[:, col] = 1.0
    return drug


def induction_times(kind: str) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Stimulus times [s] and the (start, end) of each reported block."""
    pulses = np.arange(4) * 0.01
    if kind == "tbs_200ms":
        starts = np.arange(10) * 0.2
    elif kind == "tbs_2s":
        starts = np.arange(10) * 2.0
    elif kind == "lfs_10hz":  # PHYS-FDP-1's 10 Hz arm, first 5 s, 1-s blocks
        times = np.arange(50) * 0.1
        return times, [(t, t + 1.0) for t in np.arange(0, 5.0, 1.0)]
    elif kind == "hfs_100hz_20":  # PHYS-GABAA-1.ltp: 20 pulses at 100 Hz, 40-ms blocks
        times = np.arange(20) * 0.01
        return times, [(t, t + 0.04) for t in np.arange(0, 0.2, 0.04)]
    else:  # 100 Hz, 1 s, reported in 40-ms blocks
        times = np.arange(100) * 0.01
        return times, [(t, t + 0.04) for t in np.arange(0, 1.0, 0.2)]
    times = (starts[:, None] + pulses[None, :]).ravel()
    return times, [(t, t + 0.04) for t in starts]


def dissect(kind: str, n_slices: int, seed: int, intensity: float = 0.5,
            overrides: dict[str, float] | None = None, gabaa_blocked: float = 0.0) -> dict:
    """Per-block means over ``n_slices`` slices; ``overrides`` are counterfactual parameter
    values (diagnostic ablations only, never a model change)."""
    prep = ca1_slice()
    if overrides:
        prep = type(prep)(prep.name, prep.parameters.with_values(**overrides))
    c = slice_constants(prep)
    seeds = [np.random.SeedSequence(seed, spawn_key=(0, k)) for k in range(n_slices)]
    pop = draw_slices(prep, seeds)
    drug = _control_drugs(n_slices)
    drug[:, L.GABAA_BLOCKED] = gabaa_blocked
    times, blocks = induction_times(kind)
    n_steps = round(float(times[-1] + 0.6) / c.dt)
    steps = np.round(times / c.dt).astype(np.int64)
    gaps = np.diff(np.r_[-1e6, times])
    inten = np.full(times.size, intensity)
    syn = pop.synapses
    rows = []
    dh = []
    dh_gap = []
    k_end = []
    traces = []
    for s in range(n_slices):
        trace = np.zeros((n_steps, len(TRACE)))
        rec = np.zeros((times.size, len(STIM)))
        h0 = pop.early[s].copy()
        _instrumented(c, s, n_steps, steps, inten, gaps, pop.slices, drug, syn, pop.rng,
                      trace, rec)
        active = pop.nmda_open[s] > 0  # synapses that released at least once
        dh.append(float((pop.early[s] - h0)[active].mean() * 100))
        k_end.append(float((pop.kinase[s][active] > c.kinase_threshold).mean()))
        for i in range(pop.early.shape[1]):  # the slow readout over the next 60 s, closed form
            pop.early[s, i], pop.phosphatase[s, i], pop.kinase[s, i] = quiet_plasticity(
                c, pop.early[s, i], pop.phosphatase[s, i], pop.kinase[s, i], 60.0)
        dh_gap.append(float((pop.early[s] - h0)[active].mean() * 100))
        per_block = []
        for start, end in blocks:
            a, z = int(start / c.dt), int((end + 0.03) / c.dt)
            tr = trace[a:z]
            m = (times >= start - 1e-9) & (times < end - 1e-9)
            open_ = tr[:, 5] > 0
            g_ffi = tr[:, 3].sum() * c.dt / 1e-9 / 1e-3  # nS ms
            per_block.append([
                tr[:, 0].max() * 1e3, tr[:, 1].max() * 1e3,
                float(tr[open_, 2].mean()) if open_.any() else 0.0,
                tr[:, 6].max(), tr[:, 7].sum() * c.dt * 1e3, tr[:, 7].max(),
                tr[:, 8].max(), g_ffi, tr[:, 3].max() * 1e9,
                rec[m, 4].mean(), rec[m, 3].mean(), rec[m, 5].mean(), rec[m, 0].sum(),
                tr[-1, 9] - (trace[a - 1, 9] if a > 0 else 0.0),
                tr[-1, 10] - (trace[a - 1, 10] if a > 0 else 0.0), tr[:, 11].max(),
                tr[:, 12].sum() * c.dt * 1e3, float((np.diff(tr[:, 12]) > 0).sum()),
                tr[:, 0].mean() * 1e3, tr[:, 0].min() * 1e3, tr[:, 5].mean() * 1e9,
                tr[:, 4].mean() * 1e9, tr[:, 3].mean() * 1e9, tr[:, 13].mean() * 1e9,
                tr[:, 14].mean() * 1e9,
            ])
        rows.append(per_block)
        width = round(0.1 / c.dt)
        traces.append([trace[round(a / c.dt):round(a / c.dt) + width, 0] for a, _ in blocks[:3]])
    return {"blocks": np.array(rows).mean(axis=0), "dh_percent": float(np.mean(dh)),
            "dh_gap_percent": float(np.mean(dh_gap)), "kinase_above": float(np.mean(k_end)),
            "theta_d": c.theta_d, "theta_p": c.theta_p,
            "v_dend": np.array(traces).mean(axis=0), "dt": c.dt}


def figure(results: dict[str, dict], path: str) -> None:
    """Mean dendritic potential of bursts 1-3 (0-100 ms from burst onset), one panel per run."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(results), figsize=(4.2 * len(results), 3.4), sharey=True)
    for ax, (kind, out) in zip(np.atleast_1d(axes), results.items(), strict=True):
        t = np.arange(out["v_dend"].shape[1]) * out["dt"] * 1e3
        for k, v in enumerate(out["v_dend"]):
            ax.plot(t, v * 1e3, lw=1.2, label=f"burst {k + 1}" if kind != "hfs_100hz_1s"
                    else f"{k * 200}-{k * 200 + 100} ms")
        ax.set_title(kind)
        ax.set_xlabel("time from burst onset [ms]")
        ax.legend(frameon=False, fontsize=8)
    np.atleast_1d(axes)[0].set_ylabel("dendritic potential [mV]")
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def ipsp_paired_pulse(intervals: list[float], n_slices: int = 6, seed: int = 1,
                      antagonist: bool = False, overrides: dict[str, float] | None = None,
                      ) -> dict[float, tuple[float, float]]:
    """Feed-forward GABA release by the second of two volleys / the first, per interval [s].

    Returns, per interval, (total ratio, ratio of the autoreceptor factor alone: GABA release
    probability at the second volley / at the first). ``antagonist`` holds every GABA-B
    receptor with a competitive antagonist (CGP 35348 at a saturating dose; Davies et al. 1990).
    ``overrides`` are the counterfactual parameter values of ``--set``.
    """
    from synpharm.solvers._neuron import relax_slice

    prep = ca1_slice()
    if overrides:
        prep = type(prep)(prep.name, prep.parameters.with_values(**overrides))
    c = slice_constants(prep)
    out = {}
    for interval in intervals:
        pop = draw_slices(prep, [np.random.SeedSequence(seed, spawn_key=(0, k))
                                 for k in range(n_slices)])
        drug = _control_drugs(n_slices)
        if antagonist:
            drug[:, L.GABAB_ANTAGONIST_BOUND] = 1.0
        gaba, prob = np.zeros((n_slices, 2)), np.zeros((n_slices, 2))
        for s in range(n_slices):
            for k in range(2):
                prob[s, k] = release_probability(_gaba_terminal_calcium(c, s, pop.slices, drug),
                                                 c.gaba_half_power, c.release_cooperativity,
                                                 c.release_p_max)
                gaba[s, k] = stimulate(c, s, 0.5, interval if k else 1e6, pop.slices, drug,
                                       pop.synapses, pop.rng)[2]
                if k == 0:
                    relax_slice(c, s, pop.slices, drug, interval)
        out[interval] = (float((gaba[:, 1] / gaba[:, 0]).mean()),
                         float((prob[:, 1] / prob[:, 0]).mean()))
    return out


HEADER = ("block", "Vd_max", "Vsp_max", "unblk", "Ca_max", "ms>thp", "n>thp", "n>thd",
          "GABAA_nSms", "GABAA_pk", "autoG", "p_gaba", "gaba_rdy", "quanta", "spikes",
          "dspikes", "K_max", "plat_ms", "plateaus", "Vd_mean", "Vd_min", "gNMDA_nS",
          "gAMPA_nS", "gGABAA_nS", "gGIRK_nS", "gKCa_nS")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slices", type=int, default=6)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--set", action="append", default=[],
                        help="counterfactual parameter NAME=VALUE (SI units; diagnostic only)")
    parser.add_argument("--kinds", default="tbs_200ms,tbs_2s,hfs_100hz_1s")
    parser.add_argument("--figure", help="write the dendritic-potential figure to this PNG")
    parser.add_argument("--gabaa-blocked", type=float, default=0.0,
                        help="fraction of the GABA-A conductance removed (picrotoxin 100 uM: 0.89)")
    parser.add_argument("--no-ipsc", action="store_true", help="skip the IPSC paired-pulse table")
    args = parser.parse_args()
    intervals = [0.05, 0.1, 0.2, 0.5, 1.0, 2.0]
    overrides = {k: float(v) for k, v in (a.split("=") for a in args.set)}
    if not args.no_ipsc:
        control = ipsp_paired_pulse(intervals, args.slices, args.seed, overrides=overrides)
        cgp = ipsp_paired_pulse(intervals, args.slices, args.seed, antagonist=True,
                                overrides=overrides)
        print("feed-forward GABA release, 2nd / 1st volley (intensity 0.5): interval, control "
              "(autoreceptor factor alone), all GABA-B receptors antagonist-bound")
        for t in intervals:
            print(f"  {t * 1e3:6.0f} ms  {control[t][0]:.3f} ({control[t][1]:.3f})  "
                  f"{cgp[t][0]:.3f}")
    results = {}
    for kind in args.kinds.split(","):
        out = results[kind] = dissect(kind, args.slices, args.seed, overrides=overrides,
                                      gabaa_blocked=args.gabaa_blocked)
        print(f"\n== {kind} ({args.slices} slices, seed {args.seed}); theta_d "
              f"{out['theta_d']}, theta_p {out['theta_p']}; mean early-phase change of "
              f"released synapses {out['dh_percent']:+.2f} % at 0.6 s after the last pulse, "
              f"{out['dh_gap_percent']:+.2f} % 60 s later (kinase/phosphatase closed form); "
              f"released synapses with K > theta_K+ at 0.6 s: {out['kinase_above']:.1%}")
        print(" ".join(f"{h:>9s}" for h in HEADER))
        for k, row in enumerate(out["blocks"]):
            print(f"{k + 1:>9d} " + " ".join(f"{v:9.3g}" for v in row))

    if args.figure:
        figure(results, args.figure)


if __name__ == "__main__":
    main()
