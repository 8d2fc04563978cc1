"""Compound library: one TOML data file per compound, every number with unit and citation.

Each compound declares its effects as ``[[targets]]`` entries with a mechanism type
(:data:`MECHANISMS`): ``agonist`` (Hill occupancy), ``competitive_antagonist`` (Kd),
``open_channel_blocker`` (Kd at 0 mV, k_on, Woodhull e-fold voltage, trapping) and
``channel_blocker`` (Hill inhibition). Values are converted to the internal SI convention of
:mod:`synpharm.units` on loading; each keeps a ``source`` citation or a ``calibrated`` tag.
The library knows nothing of circuits: :mod:`synpharm.pharmacology` turns concentrations into
the declared effects the biophysics consumes, and lists the declared effects no model consumes
(``unsimulated_effects``; data files say so in the effect's ``note``).

User compound files have the same format and checks: :func:`load_compound` takes a file path,
or a name found in extra folders (a protocol's ``[compounds] path``) and ``$SYNPHARM_COMPOUNDS``;
:func:`check_compound_file` is ``synpharm compounds check``.

Examples
--------
>>> from synpharm.compounds import load_compound
>>> round(load_compound("esketamine").effects(target="NMDA")[0].value("kd_0mV") * 1e3, 2)  # uM
0.3
"""

from synpharm.compounds._library import (
    COMPOUNDS_ENV,
    MECHANISMS,
    Compound,
    TargetEffect,
    check_compound_file,
    citations,
    compound_search_path,
    describe_compound,
    list_compounds,
    load_compound,
    load_compound_file,
    protocol_compounds,
)

__all__ = [
    "COMPOUNDS_ENV",
    "MECHANISMS",
    "Compound",
    "TargetEffect",
    "check_compound_file",
    "citations",
    "compound_search_path",
    "describe_compound",
    "list_compounds",
    "load_compound",
    "load_compound_file",
    "protocol_compounds",
]
