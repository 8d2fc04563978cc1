"""validate --jobs: experiments run ahead in worker processes; scorecard equals the serial one."""

from __future__ import annotations

import json

import pytest
from tiny_targets import tiny_target

from synpharm.errors import InputError
from synpharm.validation import load_targets, run_targets
from synpharm.validation._parallel import plan
from synpharm.validation._runner import _Experiments, _selected

TARGETS = (tiny_target("LAB-A", "baclofen depresses the baseline")
           + tiny_target("LAB-B", "the same experiment, a second claim", high=-5.0)
           + tiny_target("LAB-C", "another drug", compound="ketamine", high=50.0))


def _sets(tmp_path):
    path = tmp_path / "lab.toml"
    path.write_text(TARGETS)
    return [load_targets(path)]


def test_parallel_scorecard_equals_serial(tmp_path):
    sets = _sets(tmp_path)
    serial_labels: list[str] = []
    serial = run_targets(sets, seeds=2, progress=serial_labels.append)
    parallel_labels: list[str] = []
    parallel = run_targets(sets, seeds=2, jobs=2, progress=parallel_labels.append)
    assert json.dumps(parallel.as_dict(), sort_keys=True, default=str) == \
        json.dumps(serial.as_dict(), sort_keys=True, default=str)
    assert [o.target.id for o in parallel.outcomes] == ["LAB-A", "LAB-B", "LAB-C"]
    assert sorted(parallel_labels) == sorted(serial_labels)  # every experiment ran once


def test_plan_lists_each_distinct_experiment_once(tmp_path):
    sets = _sets(tmp_path)
    todo = plan(_Experiments(None), _selected(sets, None), seeds=2)
    # LAB-A and LAB-B share one protocol: 2 protocols x 2 seeds
    assert len(todo) == 4
    assert len({key for key, _, _ in todo}) == 4


def test_jobs_must_be_positive(tmp_path):
    with pytest.raises(InputError, match="jobs"):
        run_targets(_sets(tmp_path), jobs=0)


@pytest.mark.parametrize("name", ["ket_fsl_spines_ca1", "ket_vep_ltp_mdd"])
def test_study_results_pickle_for_the_workers(name):
    """In-vivo and VEP study outcomes pickle (a worker of ``--jobs`` returns them; an outcome
    that does not pickle was silently run a second time by the serial pass)."""
    import pickle

    from synpharm.experiments import load_experiment
    from synpharm.experiments import run as run_experiment
    from synpharm.protocols.library import library_protocol_path

    result = run_experiment(load_experiment(library_protocol_path(name)))
    again = pickle.loads(pickle.dumps(result))
    assert again.summary() == result.summary()
