"""DG vs CA1 LTP under baclofen, side by side, with the ablations that prove the mechanism.

Runs the library protocols ``dg_hfs_baclofen`` and ``ca1_baclofen_ltp`` (control vs baclofen
3 uM, 3 x 100 Hz; the CA1 protocol also has a 10 uM arm, drawn in grey) and the same
protocols with one parameter removed: GABA-B on interneuron
terminals in the dentate gyrus (``gabab_max_calcium_inhibition_gabaergic = 0``) and the
postsynaptic GIRK conductance in CA1 (``girk_conductance_max = 0``). Writes
``dg_vs_ca1_baclofen.png``/``.svg`` and ``summary.json`` (LTP per condition: mean, SEM, n) into
the output folder (default: this example's folder).

    .venv/bin/python examples/dg_vs_ca1_baclofen/make_figure.py [--out DIR] [--cohort N]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

import synpharm as sp
from synpharm.io.staging import staged_folder
from synpharm.preparations.ca1_slice import ca1_slice
from synpharm.preparations.dentate_gyrus import dentate_gyrus_slice
from synpharm.protocols import Protocol
from synpharm.protocols.library import LIBRARY
from synpharm.report.outputs import slope_percent_of_baseline
from synpharm.style import OKABE_ITO, rc_context

HERE = Path(__file__).resolve().parent
COLOURS = {"control": "black", "baclofen 3 uM": OKABE_ITO[3]}  # Okabe-Ito (synpharm.style)


def _run(protocol_name: str, prep, cohort: int, seed: int):
    protocol = Protocol.from_toml(LIBRARY / f"{protocol_name}.toml")
    return sp.run(protocol, cohort=cohort, seed=seed, prep=prep)


def _time_course(condition, result):
    """1-min bins of the test-pulse slope [% of the 10 min before induction]: minutes, mean, SEM."""
    p = condition.pulses
    percent = slope_percent_of_baseline(p, result.induction_time, result.drug_time)
    test = p.kind == "test"
    minutes = np.floor((p.time[test] - result.induction_time) / 60.0)
    values = percent[:, test]
    keep = minutes >= -10.0  # the pre-induction baseline onwards (drug already in the bath)
    minutes, values = minutes[keep], values[:, keep]
    edges = np.unique(minutes)
    per_bin = np.array([np.nanmean(values[:, minutes == m], axis=1) for m in edges]).T
    sem = per_bin.std(axis=0, ddof=1) / np.sqrt(per_bin.shape[0])
    return edges + 0.5, per_bin.mean(axis=0), sem


def _ltp(result) -> dict[str, dict[str, float]]:
    out = {}
    for c in result.conditions:
        r = c.readouts["ltp_percent"]
        out[c.name] = {"mean": float(r.mean), "sem": float(r.sem), "n": int(r.values.size)}
    return out


def _panel(axes, result, title):
    for condition in result.conditions:
        t, mean, sem = _time_course(condition, result)
        colour = COLOURS.get(condition.name, "0.5")
        axes.fill_between(t, mean - sem, mean + sem, color=colour, alpha=0.25, lw=0)
        axes.plot(t, mean, color=colour, lw=1.5, label=condition.name)
    axes.axhline(100.0, color="0.6", lw=0.8, ls=":")
    axes.axvline(0.0, color="0.6", lw=0.8)
    axes.set_title(title, fontsize=10)
    axes.set_xlabel("time from induction [min]")
    axes.legend(fontsize=8, loc="lower right")


def _bars(axes, changes: dict[str, tuple[float, float]]):
    names = list(changes)
    values = [changes[n][0] for n in names]
    errors = [changes[n][1] for n in names]
    colours = [OKABE_ITO[2] if v > 0 else OKABE_ITO[3] for v in values]
    axes.bar(range(len(names)), values, yerr=errors, color=colours, capsize=3)
    axes.axhline(0.0, color="0.3", lw=0.8)
    axes.set_xticks(range(len(names)), names, fontsize=8)
    axes.set_ylabel("LTP, baclofen minus control [% points]")
    axes.set_title("baclofen effect, intact and ablated", fontsize=10)


def _change(ltp: dict[str, dict[str, float]]) -> tuple[float, float]:
    b, c = ltp["baclofen 3 uM"], ltp["control"]
    return b["mean"] - c["mean"], float(np.hypot(b["sem"], c["sem"]))


def main(out: Path, cohort: int, seed: int) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    dg, ca1 = dentate_gyrus_slice(), ca1_slice()
    runs = {
        "DG": _run("dg_hfs_baclofen", dg, cohort, seed),
        "DG,\nno terminal\nGABA-B": _run("dg_hfs_baclofen", dentate_gyrus_slice(
            dg.parameters.with_values(gabab_max_calcium_inhibition_gabaergic=0.0)), cohort, seed),
        "CA1": _run("ca1_baclofen_ltp", ca1, cohort, seed),
        "CA1,\nno GIRK": _run("ca1_baclofen_ltp", ca1_slice(
            ca1.parameters.with_values(girk_conductance_max=0.0)), cohort, seed),
    }
    ltp = {name: _ltp(result) for name, result in runs.items()}
    with rc_context():
        _figure(plt, runs, ltp, out, cohort, seed)
    return out


def _figure(plt, runs, ltp, out: Path, cohort: int, seed: int) -> None:
    figure, axes = plt.subplots(1, 3, figsize=(13, 4), gridspec_kw={"width_ratios": [1, 1, 0.8]})
    _panel(axes[0], runs["DG"], "dentate gyrus (perforant path -> granule cells)")
    _panel(axes[1], runs["CA1"], "CA1 (Schaffer collaterals)")
    axes[0].set_ylabel("fEPSP slope [% of pre-induction baseline]")
    axes[1].sharey(axes[0])
    _bars(axes[2], {name: _change(values) for name, values in ltp.items()})
    figure.suptitle("Baclofen 3 uM, 3 x 100 Hz: same compound, opposite sign "
                    f"(n = {cohort} virtual slices per condition)", fontsize=11)
    figure.tight_layout()
    with staged_folder(out) as folder:
        for suffix in ("png", "svg"):
            metadata = {"Software": None} if suffix == "png" else {"Date": None}
            figure.savefig(folder / f"dg_vs_ca1_baclofen.{suffix}", dpi=150, metadata=metadata)
        summary = {"cohort": cohort, "seed": seed, "ltp_percent": ltp}
        (folder / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    plt.close(figure)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE / "output")
    parser.add_argument("--cohort", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(main(args.out, args.cohort, args.seed))
