"""`synpharm protocols`: every slice-physiology protocol listed with its targets and a
one-line description (what is stimulated, where it is recorded, drugs, bath)."""

from __future__ import annotations

import tomllib

from typer.testing import CliRunner

from synpharm.cli.main import app
from synpharm.protocols.library import library_protocol_path, library_protocols


def test_listing_shows_description_and_the_targets_that_run_each_protocol():
    result = CliRunner().invoke(app, ["protocols"])
    assert result.exit_code == 0
    rows = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    assert "description" in rows["protocol"] and "targets" in rows["protocol"]
    assert "PHYS-MK801-1" in rows["phys_mk801"] and "MK-801 20 uM" in rows["phys_mk801"]
    assert "PHYS-VAR-1" in rows["control_ltp"]


def test_every_slice_physiology_protocol_says_what_is_stimulated_and_recorded():
    for name in (n for n in library_protocols() if n.startswith("phys_")):
        path = library_protocol_path(name)
        assert path is not None
        text = tomllib.loads(path.read_text(encoding="utf-8"))["experiment"]["description"]
        assert "Schaffer collateral" in text, name
        assert any(site in text for site in ("s. radiatum", "s. pyramidale", "NMDA")), name
