"""CGP 52432: registered, cited, and a competitive GABA-B antagonist that reverses baclofen."""

from __future__ import annotations

import pytest

from synpharm.compounds import list_compounds, load_compound
from synpharm.pharmacology import GABAB_AGONIST_SITES, drug_effects

# IUPAC abridged standard atomic weights [g/mol]
ATOMIC_WEIGHT = {"C": 12.011, "H": 1.008, "Cl": 35.45, "N": 14.007, "O": 15.999, "P": 30.974}
FORMULA = {"C": 15, "H": 24, "Cl": 2, "N": 1, "O": 4, "P": 1}  # C15H24Cl2NO4P, free acid
UM = 1e-3  # 1 uM in mol/m^3


def test_registered_under_its_aliases():
    assert "cgp52432" in list_compounds()
    for alias in ("CGP 52432", "CGP-52432", "cgp52432", "CGP52432"):
        assert load_compound(alias).name == "cgp52432"


def test_molecular_weight_matches_formula():
    expected = sum(ATOMIC_WEIGHT[e] * n for e, n in FORMULA.items()) / 1000  # kg/mol
    assert load_compound("cgp52432").molecular_weight.value == pytest.approx(expected, abs=1e-5)


def test_competitive_gabab_antagonist_with_lanza_kd():
    (effect,) = load_compound("cgp52432").targets
    assert (effect.target, effect.mechanism) == ("GABAB", "competitive_antagonist")
    # Lanza et al. 1993: pA2 7.70 at GABA-B autoreceptors -> Kb = 10**-7.70 M
    assert effect.value("kd") == pytest.approx(10**-7.70 * 1e3, rel=0.01)
    assert "Lanza et al. 1993" in effect.parameters[0].source


def test_10_um_reverses_baclofen_at_every_gabab_site():
    baclofen, cgp = load_compound("baclofen"), load_compound("cgp52432")
    alone = drug_effects([(baclofen, 10 * UM)])
    both = drug_effects([(baclofen, 10 * UM), (cgp, 10 * UM)])
    for field in GABAB_AGONIST_SITES.values():
        assert getattr(alone, field) > 0.5
        assert getattr(both, field) < 0.05 * getattr(alone, field), field
    assert not both.ignored_effects
