"""SBML Level 3 Version 2 export of a declared network (python-libsbml).

Species become SBML species (amounts, ``hasOnlySubstanceUnits``, dimensionless: the levels are
normalised), parameters become global parameters in SI units with their citation in the notes,
and inputs become non-constant global parameters at their drug-free value 0, so that a
systems-biology tool can drive them with events or rules. Rate laws are exported verbatim
(``**`` written as ``^``), so the SBML model is the same ODE system the engine integrates.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from synpharm.errors import InputError
from synpharm.signaling._network import Network

__all__ = ["sbml_errors", "to_sbml", "write_sbml"]

#: parameter kind -> (SBML unit definition id, [(libsbml unit kind name, exponent)])
_UNITS = {
    "rate_constant": ("per_second", [("UNIT_KIND_SECOND", -1)]),
    "dimensionless": ("dimensionless", []),
}


def _check(status: int, what: str) -> None:
    import libsbml

    if status != libsbml.LIBSBML_OPERATION_SUCCESS:
        raise RuntimeError(f"libsbml could not set {what}: "
                           f"{libsbml.OperationReturnValue_toString(status)}")


def _notes(text: str) -> str:
    return f'<body xmlns="http://www.w3.org/1999/xhtml"><p>{escape(text)}</p></body>'


def _unit_definitions(model: object) -> None:
    import libsbml

    definition = model.createUnitDefinition()
    _check(definition.setId("per_second"), "unit per_second")
    unit = definition.createUnit()
    _check(unit.setKind(libsbml.UNIT_KIND_SECOND), "unit kind")
    _check(unit.setExponent(-1), "unit exponent")
    _check(unit.setScale(0), "unit scale")
    _check(unit.setMultiplier(1.0), "unit multiplier")


def _parameters(model: object, network: Network) -> None:
    for name in network.parameters:
        entry = network.parameters.parameter(name)
        if entry.kind not in _UNITS:
            raise InputError(f"parameters.{name}", f"kind {entry.kind!r} has no SBML unit here",
                             "use rate constants and dimensionless numbers in networks")
        parameter = model.createParameter()
        _check(parameter.setId(name), f"parameter {name}")
        _check(parameter.setValue(entry.value), f"value of {name}")
        _check(parameter.setUnits(_UNITS[entry.kind][0]), f"units of {name}")
        _check(parameter.setConstant(True), f"constant {name}")
        _check(parameter.setNotes(_notes(f"{entry.text}; {entry.provenance}")), f"notes {name}")
    for item in network.inputs:
        parameter = model.createParameter()
        _check(parameter.setId(item.name), f"input {item.name}")
        _check(parameter.setValue(0.0), f"value of {item.name}")
        _check(parameter.setUnits("dimensionless"), f"units of {item.name}")
        _check(parameter.setConstant(False), f"constant {item.name}")
        _check(parameter.setNotes(_notes(f"input (drug-driven, 0 = no drug): "
                                         f"{item.description}")), f"notes {item.name}")


def _species(model: object, network: Network) -> None:
    for item in network.species:
        species = model.createSpecies()
        _check(species.setId(item.name), f"species {item.name}")
        _check(species.setCompartment("neuron"), "compartment")
        _check(species.setInitialAmount(item.initial), f"initial {item.name}")
        _check(species.setSubstanceUnits("dimensionless"), "substance units")
        _check(species.setHasOnlySubstanceUnits(True), "hasOnlySubstanceUnits")
        _check(species.setBoundaryCondition(False), "boundaryCondition")
        _check(species.setConstant(False), "constant")
        _check(species.setNotes(_notes(f"{item.description} [{item.unit}]")), "notes")


def _reactions(model: object, network: Network) -> None:
    import libsbml

    species = set(network.species_names)
    for reaction_data in network.reactions:
        reaction = model.createReaction()
        _check(reaction.setId(reaction_data.name), f"reaction {reaction_data.name}")
        _check(reaction.setReversible(False), "reversible")
        for name, number in reaction_data.reactants:
            reference = reaction.createReactant()
            _check(reference.setSpecies(name), "reactant")
            _check(reference.setStoichiometry(number), "stoichiometry")
            _check(reference.setConstant(True), "constant")
        for name, number in reaction_data.products:
            reference = reaction.createProduct()
            _check(reference.setSpecies(name), "product")
            _check(reference.setStoichiometry(number), "stoichiometry")
            _check(reference.setConstant(True), "constant")
        for name in reaction_data.modifiers:
            if name in species:
                _check(reaction.createModifier().setSpecies(name), "modifier")
        formula = reaction_data.rate.replace("**", "^")
        math = libsbml.parseL3Formula(formula)
        if math is None:
            raise RuntimeError(f"libsbml cannot parse the rate of {reaction_data.name}: "
                               f"{libsbml.getLastParseL3Error()}")
        _check(reaction.createKineticLaw().setMath(math), f"kinetic law {reaction_data.name}")
        if reaction_data.description:
            _check(reaction.setNotes(_notes(reaction_data.description)), "notes")


def _document(network: Network) -> object:
    import libsbml

    document = libsbml.SBMLDocument(3, 2)
    model = document.createModel()
    _check(model.setId(network.name), "model id")
    _check(model.setName(network.name), "model name")
    _check(model.setTimeUnits("second"), "time units")
    _check(model.setExtentUnits("dimensionless"), "extent units")
    _check(model.setSubstanceUnits("dimensionless"), "substance units")
    ablated = f" Reactions removed: {', '.join(network.ablations)}." if network.ablations else ""
    _check(model.setNotes(_notes(network.description + ablated)), "model notes")
    _unit_definitions(model)
    compartment = model.createCompartment()
    _check(compartment.setId("neuron"), "compartment")
    _check(compartment.setSize(1.0), "compartment size")
    _check(compartment.setSpatialDimensions(3), "compartment dimensions")
    _check(compartment.setUnits("dimensionless"), "compartment units")
    _check(compartment.setConstant(True), "compartment constant")
    _parameters(model, network)
    _species(model, network)
    _reactions(model, network)
    return document


def to_sbml(network: Network) -> str:
    """The network as an SBML Level 3 Version 2 document (XML text)."""
    import libsbml

    return libsbml.writeSBMLToString(_document(network))


def sbml_errors(text: str) -> list[str]:
    """Errors (severity error or fatal) of libsbml's reading and consistency checks."""
    import libsbml

    document = libsbml.readSBMLFromString(text)
    document.checkConsistency()
    log = document.getErrorLog()
    return [log.getError(i).getMessage().strip() for i in range(log.getNumErrors())
            if log.getError(i).getSeverity() >= libsbml.LIBSBML_SEV_ERROR]


def write_sbml(network: Network, path: str | Path) -> Path:
    """Write the SBML document to ``path`` (written whole, after it validated without errors).

    Raises
    ------
    InputError
        The folder of ``path`` does not exist.
    RuntimeError
        libsbml reports errors (a bug: the declaration should always export cleanly).
    """
    path = Path(path)
    if path.is_dir():
        raise InputError("--out", f"{str(path)!r} is a folder", "give a file name: net.xml")
    if not path.parent.is_dir():
        raise InputError("--out", f"folder {str(path.parent)!r} does not exist",
                         "create it or give another path")
    text = to_sbml(network)
    errors = sbml_errors(text)
    if errors:
        raise RuntimeError(f"SBML export has {len(errors)} errors, first: {errors[0]}")
    temporary = path.with_name(f".{path.name}.partial")
    try:
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path
