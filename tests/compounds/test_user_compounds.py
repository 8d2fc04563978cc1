"""User compound files: from a path, a search folder or $SYNPHARM_COMPOUNDS; checked like built-ins;
declared effects the model does not simulate are reported."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from synpharm.cli.main import app
from synpharm.compounds import check_compound_file, list_compounds, load_compound
from synpharm.errors import InputError
from synpharm.pharmacology import SIMULATED_EFFECTS, drug_effects, unsimulated_effects

PACKAGE_DATA = Path(__file__).resolve().parents[2] / "src" / "synpharm" / "compounds" / "data"
USER = """
name = "lab_blocker"
aliases = ["LB-1"]
class = "NMDA receptor open-channel blocker"
description = "A lab's own compound."

[molecular_weight]
value = "250 g/mol"
kind = "molar_mass"
source = "lab notebook 2026"

[[targets]]
target = "NMDA"
mechanism = "open_channel_blocker"

[targets.kd_0mV]
value = "{kd}"
kind = "concentration"
source = "Doe 2026 J Lab 1:1"

[targets.k_on]
value = "1e5 /M/s"
kind = "second_order_rate"
source = "Doe 2026 J Lab 1:1"

[targets.voltage_e_fold]
value = "30 mV"
kind = "voltage"
source = "Doe 2026 J Lab 1:1"

[targets.trapping]
value = true
source = "Doe 2026 J Lab 1:1"

[[targets]]
target = "{second_target}"
mechanism = "{mechanism}"

[targets.ic50]
value = "5 uM"
kind = "concentration"
source = "Doe 2026 J Lab 1:1"

[targets.hill]
value = 1.0
kind = "dimensionless"
source = "Doe 2026 J Lab 1:1"
"""


def _write(folder: Path, name: str = "lab.toml", kd: str = "20 uM",
           second_target: str = "Kv1", mechanism: str = "channel_blocker") -> Path:
    path = folder / name
    path.write_text(USER.format(kd=kd, second_target=second_target, mechanism=mechanism))
    return path


def test_a_compound_loads_from_a_path_a_folder_and_the_environment(tmp_path, monkeypatch):
    path = _write(tmp_path)
    assert load_compound(str(path)).name == "lab_blocker"
    assert load_compound("lab.toml", [tmp_path]).name == "lab_blocker"
    assert load_compound("LB-1", [tmp_path]).name == "lab_blocker"
    with pytest.raises(InputError, match="unknown compound"):
        load_compound("LB-1")
    monkeypatch.setenv("SYNPHARM_COMPOUNDS", str(tmp_path))
    assert load_compound("lab_blocker").name == "lab_blocker"


def test_user_nmda_blocker_uses_the_open_channel_mechanism(tmp_path):
    effects = drug_effects([(load_compound(str(_write(tmp_path))), 0.01)])
    (blocker,) = effects.nmda_blockers
    assert blocker.kd_0mV == pytest.approx(0.02) and blocker.trapping


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"kd": "20 mV"}, "targets[0].kd_0mV"), ({"kd": "-20 uM"}, "targets[0].kd_0mV"),
     ({"mechanism": "allosteric_thing"}, "targets[1].mechanism")],
)
def test_bad_user_files_name_the_file_and_the_field(tmp_path, kwargs, field):
    with pytest.raises(InputError) as error:
        check_compound_file(_write(tmp_path, **kwargs))
    assert error.value.field == f"lab.toml.{field}"


def test_unsimulated_effects_are_named_with_a_reason(tmp_path):
    (effect,) = unsimulated_effects(load_compound(str(_write(tmp_path))))
    assert (effect.target, effect.mechanism) == ("Kv1", "channel_blocker")
    assert "no 'Kv1' target" in effect.reason


def test_every_library_compound_loads_and_declares_what_is_simulated():
    assert {"cnqx", "mk_801", "hnk_2r6r", "ttx", "cgp35348", "anisomycin"} <= set(list_compounds())
    for name in list_compounds():
        compound = load_compound(name)
        for effect in unsimulated_effects(compound):
            note = effect_note(compound, effect.target).lower()
            assert "not simulated" in note or "not used" in note, (name, effect.target)


def effect_note(compound, target: str) -> str:
    """The data file says in words that the effect is not simulated."""
    return " ".join(e.note for e in compound.targets if e.target == target)


def test_simulated_effects_include_the_signalling_inputs():
    from synpharm.signaling._drive import AGONIST_INPUTS, INHIBITOR_INPUTS

    for target in INHIBITOR_INPUTS:
        assert ("inhibitor", target) in SIMULATED_EFFECTS
    for target in AGONIST_INPUTS:
        assert ("agonist", target) in SIMULATED_EFFECTS


PROTOCOL = """
[experiment]
name = "user_compound"
cohort = 1
seed = 2

[compounds]
path = ["lab"]

[[conditions]]
name = "control"

[[conditions]]
name = "lab blocker"
compound = "{compound}"
concentration = "10 uM"

[[steps]]
type = "baseline"
duration = "2 min"
test_rate = "0.1 Hz"

[[steps]]
type = "wash_in"
duration = "3 min"
test_rate = "0.1 Hz"
exchange_time = "1 min"
"""


@pytest.mark.parametrize("compound", ["lab/lab.toml", "lab_blocker"])
def test_run_reports_unsimulated_effects_and_strict_refuses(tmp_path, compound):
    (tmp_path / "lab").mkdir()
    _write(tmp_path / "lab")
    protocol = tmp_path / "p.toml"
    protocol.write_text(PROTOCOL.format(compound=compound))
    runner = CliRunner()
    result = runner.invoke(app, ["run", str(protocol), "--out", str(tmp_path / "out"), "--json"])
    assert result.exit_code == 0, result.output
    assert "warning: lab_blocker: channel_blocker at Kv1 is not simulated" in result.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["provenance"]["unsimulated_effects"][0]["target"] == "Kv1"
    strict = runner.invoke(app, ["run", str(protocol), "--out", str(tmp_path / "o2"), "--strict"])
    assert strict.exit_code == 2 and not (tmp_path / "o2").exists()
    assert strict.stderr.startswith("error: compound 'lab")


def test_compounds_check_cli(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(app, ["compounds", "check", str(_write(tmp_path))])
    assert ok.exit_code == 0 and "1 simulated" in ok.stdout and "Kv1" in ok.stdout
    bad = runner.invoke(app, ["compounds", "check", str(_write(tmp_path, "bad.toml", kd="1 mV"))])
    assert bad.exit_code == 2
    assert bad.stderr.count("\n") == 1 and bad.stderr.startswith("error: bad.toml.targets[0]")
