"""The ``synpharm`` command line.

Bad input (a protocol field, a unit, a compound name, a missing file) prints one line
``error: <field>: <problem>; <fix>`` on stderr and exits with code 2, writing no output files.
Heavy modules (NumPy-based simulation, matplotlib) are imported inside the commands so that
``synpharm --help`` stays fast.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from synpharm.errors import InputError

if TYPE_CHECKING:
    from synpharm.results import ExperimentResult

__all__ = ["app"]

app = typer.Typer(
    name="synpharm",
    help="Virtual experiments: drug effects on synaptic transmission and hippocampal LTP.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
compounds_app = typer.Typer(help="The compound library.", no_args_is_help=True)
app.add_typer(compounds_app, name="compounds")


def _register_commands() -> None:
    """Commands that live in their own modules (each module's ``register(app)`` adds them)."""
    for name in _COMMAND_MODULES:
        importlib.import_module(f"synpharm.cli.{name}").register(app)


#: modules of synpharm.cli that add commands; one line per module.
_COMMAND_MODULES: tuple[str, ...] = ("sweep", "analyze", "export")


@contextmanager
def _user_errors() -> Iterator[None]:
    """Turn bad user input into one ``error:`` line on stderr and exit code 2."""
    try:
        yield
    except InputError as error:
        _fail(str(error))
    except FileNotFoundError as error:
        _fail(f"{error.filename}: no such file" if error.filename else str(error))


def _fail(message: str) -> None:
    typer.echo(f"error: {' '.join(message.split())}", err=True)
    raise typer.Exit(code=2)


@app.command()
def run(
    file: Annotated[
        Path,
        typer.Argument(
            help="Protocol file (TOML) or the name of a library protocol (synpharm protocols).",
            show_default=False,
        ),
    ],
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the summary JSON to stdout instead of a table.")
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", help="Output folder [default: out/<protocol name>].", show_default=False
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option(
            help="Seed of the virtual cohort (overrides the protocol).", show_default=False
        ),
    ] = None,
    cohort: Annotated[
        int | None,
        typer.Option(help="Slices per condition (overrides the protocol).", show_default=False),
    ] = None,
    export_nwb: Annotated[
        bool,
        typer.Option(
            "--export-nwb", help="Also write the simulated field sweeps as recording.nwb."
        ),
    ] = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Make a declared compound effect the model does not simulate an error."
        ),
    ] = False,
) -> None:
    """Run the virtual experiment in FILE and write summary.json, pulses.csv and figures."""
    with _user_errors():
        from synpharm.studies import load_experiment

        protocol = load_experiment(_protocol_file(file))
        unsimulated = _unsimulated(protocol, strict)
        if cohort is not None and cohort < 1:
            raise InputError("--cohort", f"must be at least 1, got {cohort}", "give e.g. 12")
        if seed is not None and seed < 0:
            raise InputError("--seed", f"must be zero or positive, got {seed}", "give e.g. 0")
        out_dir = out if out is not None else Path("out") / protocol.name
        settings = {
            "cohort": protocol.cohort if cohort is None else cohort,
            "seed": protocol.seed if seed is None else seed,
            "progress": sys.stderr.isatty(),
        }
        if export_nwb:
            from synpharm.io import simulated

            simulated.check_exportable(protocol)
        if hasattr(protocol, "run"):  # a study (synpharm.studies)
            result = protocol.run(**settings)
            out_dir = result.write_outputs(out_dir)
        else:
            from synpharm.report import write_outputs
            from synpharm.simulate import run_protocol

            result = run_protocol(protocol, **settings)
            out_dir = write_outputs(result, out_dir, protocol=protocol)
            if export_nwb:
                simulated.export_nwb(
                    protocol, out_dir / "recording.nwb", cohort=settings["cohort"],
                    seed=settings["seed"],
                )
    if json_output:
        typer.echo(json.dumps(result.summary(), indent=2))
    else:
        _print_table(result)
    for text in unsimulated:
        typer.echo(f"warning: {text}", err=True)
    typer.echo(f"wrote {out_dir}", err=True)


def _unsimulated(protocol: Any, strict: bool) -> list[str]:
    """Declared compound effects the model does not simulate (an error with ``--strict``).

    The run prints one ``warning:`` line each after it succeeds; the same list is in
    summary.json (``provenance.unsimulated_effects``).
    """
    if hasattr(protocol, "run"):  # studies resolve their own compounds
        return []
    from synpharm.compounds import protocol_compounds
    from synpharm.pharmacology import unsimulated_effects

    texts = []
    for name, compound in protocol_compounds(protocol).items():
        for effect in unsimulated_effects(compound):
            if strict:
                raise InputError(f"compound {name!r}", effect.text(),
                                 "drop --strict, or remove the effect from the compound file")
            texts.append(effect.text())
    return texts


def _protocol_file(file: Path) -> Path:
    """``file`` itself, or the library protocol of that name when no such file exists."""
    if file.exists():
        return file
    from synpharm.protocols.library import library_protocol_path

    return library_protocol_path(str(file)) or file


@app.command()
def validate(
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the scorecard JSON to stdout instead of a table.")
    ] = False,
    targets: Annotated[
        list[Path] | None,
        typer.Option(
            "--targets",
            help="Targets file (TOML, format in docs/validation.md); repeat for several. "
            "Default: the targets shipped with synpharm.",
            show_default=False,
        ),
    ] = None,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only", help="Run only this target id; repeat for several.", show_default=False
        ),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="Write index.html, scorecard.json and one figure per target into this folder.",
            show_default=False,
        ),
    ] = None,
    seeds: Annotated[
        int,
        typer.Option(
            "--seeds",
            help="Run every target at N seeds; a target passes when it passes at >= 80 % of them.",
        ),
    ] = 1,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Exit 1 when a target expected to pass fails."
        ),
    ] = False,
) -> None:
    """Run the validation targets and print the scorecard.

    Exit 0 whether targets pass or not, unless --strict: then 1 when a target whose
    ``expected`` status is pass fails. Bad input exits 2.
    """
    with _user_errors():
        from synpharm.report.scorecard import (
            print_scorecard,
            scorecard_json,
            write_scorecard_report,
        )
        from synpharm.validation import PACKAGE_TARGETS, load_targets, run_targets

        sets = [load_targets(path) for path in (targets or [PACKAGE_TARGETS])]
        scorecard = run_targets(sets, only=only, progress=_stderr_progress(), seeds=seeds)
        if report is not None:
            write_scorecard_report(scorecard, report)
    if json_output:
        typer.echo(scorecard_json(scorecard), nl=False)
    else:
        print_scorecard(scorecard, file=sys.stdout)
    if report is not None:
        typer.echo(f"wrote {report}", err=True)
    unexpected = scorecard.unexpected_failures()
    if strict and unexpected:
        typer.echo(f"error: targets expected to pass fail: {', '.join(unexpected)}", err=True)
        raise typer.Exit(code=1)


def _stderr_progress():
    """One line per experiment on stderr when it is a terminal."""
    if not sys.stderr.isatty():
        return None
    return lambda label: typer.echo(f"running {label}", err=True)


@app.command("protocols")
def list_protocols() -> None:
    """List the library protocols (run one with: synpharm run NAME)."""
    import tomllib

    from rich.console import Console
    from rich.table import Table

    from synpharm.protocols.library import library_protocol_path, library_protocols

    table = Table(box=None)
    table.add_column("protocol", no_wrap=True)
    for heading in ("kind", "preparation", "arms"):
        table.add_column(heading, overflow="fold")
    for name in library_protocols():
        path = library_protocol_path(name)
        assert path is not None
        table.add_row(name, *_protocol_overview(tomllib.loads(path.read_text(encoding="utf-8"))))
    Console(file=sys.stdout).print(table)


def _protocol_overview(data: dict[str, Any]) -> tuple[str, str, str]:
    """(kind, preparation, number of conditions or arms) of a protocol or study document."""
    if "study" in data:
        study = data["study"]
        groups = next((data[k] for k in ("arms", "groups", "conditions") if k in data), [])
        return study.get("kind", "?"), study.get("preparation", "-"), str(len(groups) or "-")
    n = len(data.get("conditions", [])) + sum(
        len(s.get("concentrations", [])) for s in data.get("condition_series", [])
    )
    return "slice", data.get("experiment", {}).get("preparation", "ca1_slice"), str(n)


def _cell(readout: dict[str, Any]) -> str:
    mean, sem, n = readout["mean"], readout["sem"], readout["n"]
    if mean is None or mean != mean:  # NaN
        return f"- ({n})"
    if sem is None or sem != sem:
        return f"{mean:.3g} ({n})"
    return f"{mean:.3g} ± {sem:.2g} ({n})"


def _print_table(result: ExperimentResult) -> None:
    from rich.console import Console
    from rich.table import Table

    summary = result.summary()
    units: dict[str, str] = {}
    for condition in summary["conditions"]:
        for name, readout in condition["readouts"].items():
            units.setdefault(name, readout["unit"])
    table = Table(title=f"{summary['protocol']}: mean ± SEM (n)")
    table.add_column("condition")
    for name, unit in units.items():
        table.add_column(f"{name} [{unit}]", justify="right")
    for condition in summary["conditions"]:
        readouts = condition["readouts"]
        table.add_row(
            condition["name"],
            *(_cell(readouts[name]) if name in readouts else "" for name in units),
        )
    Console(file=sys.stdout).print(table)


@compounds_app.command("list")
def list_compounds() -> None:
    """List the compounds in the library."""
    with _user_errors():
        from synpharm.compounds import list_compounds as names

        for item in names():
            typer.echo(getattr(item, "name", item))


@compounds_app.command("show")
def show_compound(
    name: Annotated[str, typer.Argument(help="Compound name, e.g. ketamine.", show_default=False)],
) -> None:
    """Describe one compound (a name or a compound file): targets, affinities and sources."""
    with _user_errors():
        from synpharm.compounds import describe_compound, load_compound
        from synpharm.pharmacology import unsimulated_effects

        compound = load_compound(name)
        typer.echo(describe_compound(compound))
        for effect in unsimulated_effects(compound):
            typer.echo(f"  not simulated: {effect.mechanism} at {effect.target} - {effect.reason}")


@compounds_app.command("check")
def check_compound(
    file: Annotated[Path, typer.Argument(help="A compound file (TOML).", show_default=False)],
) -> None:
    """Validate a compound file with the same schema and unit checks as the built-ins."""
    with _user_errors():
        from synpharm.compounds import check_compound_file
        from synpharm.pharmacology import unsimulated_effects

        compound = check_compound_file(file)
        effects = unsimulated_effects(compound)
        typer.echo(f"{file}: {compound.name} ok, {len(compound.targets)} declared effects, "
                   f"{len(compound.targets) - len(effects)} simulated")
        for effect in effects:
            typer.echo(f"  not simulated: {effect.mechanism} at {effect.target} - {effect.reason}")


_register_commands()

if __name__ == "__main__":
    app()
