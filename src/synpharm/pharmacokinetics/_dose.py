"""Doses as typed values (amount, route, infusion duration), read from "10 mg/kg i.p."."""

from __future__ import annotations

import re
from dataclasses import dataclass

from synpharm.errors import InputError
from synpharm.units import parse_quantity

__all__ = ["ROUTES", "Dose", "parse_dose"]

#: canonical route -> accepted spellings (lower case, dots and spaces removed before matching)
ROUTES: dict[str, tuple[str, ...]] = {
    "oral": ("po", "oral", "orally", "bymouth", "peros"),
    "intraperitoneal": ("ip", "intraperitoneal"),
    "intravenous": ("iv", "intravenous", "intravenously"),
    "subcutaneous": ("sc", "subcutaneous"),
    "intramuscular": ("im", "intramuscular"),
}
_ROUTE_OF = {spelling: route for route, spellings in ROUTES.items() for spelling in spellings}
_DOSE = re.compile(
    r"^\s*(?P<amount>[0-9.eE+-]+\s*[A-Za-zµμ]+(?:\s*/\s*[A-Za-z]+)?)"
    r"\s+(?P<route>[A-Za-z. ]+?)"
    r"(?:\s+over\s+(?P<duration>.+?))?\s*$"
)
_EXAMPLE = "write e.g. '10 mg/kg i.p.', '50 mg p.o.' or '0.5 mg/kg IV over 40 min'"


@dataclass(frozen=True)
class Dose:
    """One administration of a compound.

    Attributes
    ----------
    amount
        Amount given: [kg] of compound, or [kg/kg] (mass per body mass) when ``per_body_mass``.
    per_body_mass
        Whether ``amount`` is per kilogram of body mass ("10 mg/kg").
    route
        One of :data:`ROUTES`: ``"oral"``, ``"intraperitoneal"``, ``"intravenous"``,
        ``"subcutaneous"``, ``"intramuscular"``.
    infusion_duration
        Zero-order infusion duration [s]; 0 for a bolus (and for every non-intravenous route).
    start
        Time of administration [s] on the time axis of the concentration time course
        (0 = the time origin; use it to superpose several doses).
    text
        The text the dose was read from (for reports).
    """

    amount: float
    per_body_mass: bool
    route: str
    infusion_duration: float = 0.0
    start: float = 0.0
    text: str = ""

    def __post_init__(self) -> None:
        if self.route not in ROUTES:
            raise InputError("dose.route", f"unknown route {self.route!r}",
                             f"use one of: {', '.join(ROUTES)}")
        if not self.amount >= 0:
            raise InputError("dose", f"amount {self.amount!r} is negative", "give a dose >= 0")
        if not self.infusion_duration >= 0:
            raise InputError("dose", "infusion duration is negative", "give a duration > 0")
        if self.infusion_duration > 0 and self.route != "intravenous":
            raise InputError("dose", f"an infusion 'over ...' needs the intravenous route, "
                             f"not {self.route}", "write e.g. '0.5 mg/kg IV over 40 min'")

    def amount_given(self, body_mass: float) -> float:
        """Amount [kg] given to a subject of ``body_mass`` [kg]."""
        return self.amount * body_mass if self.per_body_mass else self.amount


def _route(text: str, field: str) -> str:
    key = re.sub(r"[.\s]", "", text).lower()
    if key not in _ROUTE_OF:
        raise InputError(field, f"unknown route {text.strip()!r}",
                         "use p.o. (oral), i.p., i.v./IV, s.c. or i.m.")
    return _ROUTE_OF[key]


def parse_dose(text: str, field: str = "dose") -> Dose:
    """Read a dose string: amount with unit, route, optional infusion duration.

    Parameters
    ----------
    text
        ``"<amount> <route> [over <duration>]"``; the amount is a mass (``"50 mg"``) or a mass
        per body mass (``"10 mg/kg"``); the route is ``p.o.``/``oral``, ``i.p.``, ``i.v.``/``IV``,
        ``s.c.`` or ``i.m.``; ``over 40 min`` makes an intravenous dose a zero-order infusion.
    field
        Name of the field, for error messages.

    Returns
    -------
    Dose
        In internal units (kg or kg/kg; seconds).

    Raises
    ------
    InputError
        Missing route or unit, unknown route, infusion by a route other than intravenous.

    Examples
    --------
    >>> parse_dose("0.5 mg/kg IV over 40 min").infusion_duration
    2400.0
    >>> parse_dose("50 mg p.o.").route
    'oral'
    """
    if not isinstance(text, str):
        raise InputError(field, f"{text!r} is not a dose", _EXAMPLE)
    match = _DOSE.match(text)
    if match is None:
        raise InputError(field, f"cannot read {text!r} as a dose (amount, unit, route)", _EXAMPLE)
    amount_text = match["amount"].replace(" ", "")
    per_body_mass = "/" in amount_text
    kind = "dose" if per_body_mass else "mass"
    amount = parse_quantity(match["amount"], kind, field)
    route = _route(match["route"], field)
    duration = 0.0
    if match["duration"] is not None:
        duration = parse_quantity(match["duration"], "time", f"{field} (infusion duration)")
        if not duration > 0:
            raise InputError(field, f"infusion duration in {text!r} is not positive",
                             "give a duration such as '40 min'")
    if route != "intravenous" and duration > 0:
        raise InputError(field, f"{text!r}: only intravenous doses can be given 'over' a time",
                         "remove 'over ...' or use IV")
    return Dose(amount=amount, per_body_mass=per_body_mass, route=route,
                infusion_duration=duration, text=text.strip())
