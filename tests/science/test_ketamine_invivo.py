"""Ketamine's two time scales from one parameter set: the real in-vivo chain and ex-vivo slices.

Acute ketamine in the bath lowers CA1 LTP (SEED-KET-1, tests/science/test_slice_ltp.py); here
the same slice parameters, changed only through the declared coupling of synaptic protein and
condition, give the delayed in-vivo effects. Directions and sizes, not published numbers.
"""

from __future__ import annotations

import numpy as np
import pytest

from synpharm.experiments import load_experiment
from synpharm.experiments import run as run_experiment
from synpharm.experiments.invivo import exvivo_slice_parameters
from synpharm.experiments.slice import run_protocol
from synpharm.parameters import load_parameter_set, package_parameter_file
from synpharm.preparations.ca1_slice import Preparation, ca1_slice
from synpharm.protocols import Protocol
from synpharm.protocols.library import library_protocol_path

CSDS = load_parameter_set(package_parameter_file("conditions_csds_mouse"))


def _ltp(params, cohort: int = 3, seed: int = 5) -> float:
    protocol = Protocol.from_toml(library_protocol_path("control_ltp"))
    result = run_protocol(protocol, cohort=cohort, seed=seed, prep=Preparation("ca1_slice", params))
    return result.conditions[0].readouts["ltp_percent"].mean


@pytest.fixture(scope="module")
def slice_ltp():
    base = ca1_slice().parameters
    return {
        "control": _ltp(base),
        "csds": _ltp(exvivo_slice_parameters(base, 1.0, CSDS)),
        "csds_protein": _ltp(exvivo_slice_parameters(base, 1.3, CSDS)),
    }


def test_csds_nmda_deficit_impairs_exvivo_ltp(slice_ltp):
    assert slice_ltp["csds"] < slice_ltp["control"] - 10.0


def test_more_synaptic_protein_attenuates_the_csds_impairment(slice_ltp):
    """With a Li et al. 2010-sized protein rise (+30 %), SEED-KET-2's ordering follows."""
    assert slice_ltp["control"] > slice_ltp["csds_protein"] > slice_ltp["csds"] + 3.0


@pytest.fixture(scope="module")
def potentiation_study():
    study = load_experiment(library_protocol_path("ket_potentiation_then_ltp"))
    return run_experiment(study, cohort=2, seed=0)


def test_real_chain_raises_synaptic_protein_by_the_time_slices_are_made(potentiation_study):
    arms = potentiation_study.analyses["arms"]
    assert arms["vehicle"]["synaptic_protein_at_slice"] == 1.0
    assert arms["ketamine"]["synaptic_protein_at_slice"] > 1.0
    # the drug itself is long gone (brain peak in the tens of uM, hours before)
    assert 1.0 < arms["ketamine"]["ketamine_brain_peak_uM"] < 300.0


def test_vep_chain_leaves_little_drug_at_the_tetanus():
    study = load_experiment(library_protocol_path("ket_vep_ltp_mdd"))
    result = run_experiment(study, cohort=4, seed=0)
    ketamine = next(c for c in result.conditions if c.name == "ketamine")
    placebo = next(c for c in result.conditions if c.name == "placebo")
    residual = ketamine.readouts["drug_at_tetanus_uM"].mean
    assert 0.0 < residual < 1.0  # 3.5 h after 0.44 mg/kg, below the infusion peak
    assert 0.9 < ketamine.readouts["nmda_available"].mean < 1.0
    assert placebo.readouts["drug_at_tetanus_uM"].mean == 0.0
    np.testing.assert_array_equal(placebo.readouts["nmda_available"].values, 1.0)


# ---------------------------------------------------------------- two structural time scales


def _fsl_density_1h(with_ana12: bool) -> tuple[float, float, float]:
    """FSL rats, S-ketamine 15 mg/kg i.p.: expected visible density at 1 h (real PK and
    signalling, mean-field spines), the untreated FSL and the FRL density."""
    from synpharm.experiments._chain import DoseEvent, default_layers
    from synpharm.structure import load_spine_parameters
    from synpharm.structure._mean_field import expected_course
    from synpharm.structure._parameters import steady_state

    layers = default_layers()
    times = np.arange(0.0, 2 * 3600.0 + 1, 600.0)
    brain = {"s_ketamine": layers.concentration(
        "s_ketamine", [DoseEvent("s_ketamine", "15 mg/kg i.p.")], "rat", times, "brain")}
    if with_ana12:
        brain["ana_12"] = np.full(times.size, 4e-4)
    # levels relative to the drug-free animal, as in the in-vivo studies
    species = layers.signaling(brain, times, "ca1", ())
    params = load_spine_parameters("rat_ca1_apical")
    mods = params.condition_modifiers("fsl")
    drive = {"synaptic_protein": species["synaptic_protein"], "bdnf": species["bdnf"],
             "erk": species["erk_active"]}
    course = expected_course(params, times, drive, mods)
    at_1h = int(np.argmin(np.abs(course["times_s"] - 3600.0)))
    return (float(course["density_per_10um"][0, at_1h]),
            steady_state(params, mods)["density_per_10um"],
            steady_state(params)["density_per_10um"])


def test_s_ketamine_restores_the_fsl_deficit_within_an_hour_through_trkb():
    treated, fsl, frl = _fsl_density_1h(with_ana12=False)
    blocked, _, _ = _fsl_density_1h(with_ana12=True)
    deficit = frl - fsl
    assert deficit > 0.1 * frl
    assert treated - fsl > 0.5 * deficit          # most of the deficit back within 1 h
    assert blocked - fsl < 0.1 * (treated - fsl)  # not under TrkB block (ANA-12)
