"""The ``synpharm`` command line.

Bad input (a protocol field, a unit, a compound name, a missing file) prints one line
``error: <field>: <problem>; <fix>`` on stderr and exits with code 2, writing no output files.
Heavy modules (NumPy-based simulation, matplotlib) are imported inside the commands so that
``synpharm --help`` stays fast.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from synpharm.cli._errors import OneLineErrorGroup
from synpharm.cli._preflight import DRY_RUN, OVERWRITE
from synpharm.errors import InputError

if TYPE_CHECKING:
    from synpharm.analysis.results import ExperimentResult

__all__ = ["app"]

app = typer.Typer(
    name="synpharm",
    help="Virtual experiments: drug effects on synaptic transmission and hippocampal LTP.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=OneLineErrorGroup,
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


#: --quiet of the long-running commands.
_QUIET = typer.Option(
    "--quiet", "-q", help="No progress output on stderr (a bar on a terminal, lines on a pipe)."
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"synpharm {version('synpharm')}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Virtual experiments: drug effects on synaptic transmission and hippocampal LTP."""


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
    quiet: Annotated[bool, _QUIET] = False,
    baseline: Annotated[
        str,
        typer.Option(
            "--baseline",
            help="Baseline of the time-course figure: auto (pre-drug with a wash-in, else "
            "pre-induction), pre-drug or pre-induction.",
        ),
    ] = "auto",
    overwrite: Annotated[bool, OVERWRITE] = False,
    dry_run: Annotated[bool, DRY_RUN] = False,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Make a declared compound effect the model does not simulate an error."
        ),
    ] = False,
) -> None:
    """Run the virtual experiment in FILE and write summary.json, pulses.csv and figures."""
    with _user_errors():
        from synpharm.cli._preflight import default_out, prepare_out
        from synpharm.experiments import load_experiment
        from synpharm.experiments.resources import check_run

        protocol = load_experiment(_protocol_file(file))
        _check_run_options(protocol, cohort, seed, baseline, export_nwb)
        unsimulated = _unsimulated(protocol, strict)
        settings = {
            "cohort": protocol.cohort if cohort is None else cohort,
            "seed": protocol.seed if seed is None else seed,
            "progress": not quiet,
        }
        estimate = check_run(
            protocol, settings["cohort"], "cohort" if cohort is None else "--cohort"
        )
        if dry_run:
            typer.echo(f"{protocol.name}: {estimate.describe()}")
            return
        out_dir = prepare_out(out, default_out(protocol.name), overwrite=overwrite)
        result, out_dir = _run_and_write(protocol, settings, out_dir, baseline, export_nwb)
    if json_output:
        typer.echo(json.dumps(result.summary(), indent=2))
    else:
        _print_table(result)
    for text in unsimulated:
        typer.echo(f"warning: {text}", err=True)
    typer.echo(f"wrote {out_dir}", err=True)


def _check_run_options(
    protocol: Any, cohort: int | None, seed: int | None, baseline: str, export_nwb: bool
) -> None:
    """Reject bad ``run`` options with one error naming the option."""
    if cohort is not None and cohort < 1:
        raise InputError("--cohort", f"must be at least 1, got {cohort}", "give e.g. 12")
    if seed is not None and seed < 0:
        raise InputError("--seed", f"must be zero or positive, got {seed}", "give e.g. 0")
    if baseline not in ("auto", "pre-drug", "pre-induction"):
        raise InputError(
            "--baseline", f"unknown baseline {baseline!r}", "give auto, pre-drug or pre-induction"
        )
    if export_nwb:
        from synpharm.extras import require
        require("nwb", "--export-nwb")
        from synpharm.experiments import nwb_export

        nwb_export.check_exportable(protocol)


def _run_and_write(
    protocol: Any, settings: dict[str, Any], out_dir: Path, baseline: str, export_nwb: bool
) -> tuple[Any, Path]:
    """Simulate, write the output folder and its ``index.html``; (result, folder)."""
    from synpharm.experiments import run as run_experiment

    result = run_experiment(protocol, **settings)
    if protocol.kind != "slice_protocol":  # studies write their own tables and figure
        out_dir = result.write_outputs(out_dir)
    else:
        from synpharm.report import write_outputs

        out_dir = write_outputs(
            result, out_dir, protocol=protocol, baseline=baseline.replace("-", "_")
        )
        if export_nwb:
            from synpharm.experiments import nwb_export

            nwb_export.export_nwb(
                protocol, out_dir / "recording.nwb", cohort=settings["cohort"],
                seed=settings["seed"],
            )
    from synpharm.report.html import write_run_report
    from synpharm.safety import add_to_manifest

    write_run_report(out_dir)
    add_to_manifest(out_dir)
    return result, out_dir


def _unsimulated(protocol: Any, strict: bool) -> list[str]:
    """Declared compound effects the model does not simulate (an error with ``--strict``).

    The run prints one ``warning:`` line each after it succeeds; the same list is in
    summary.json (``provenance.unsimulated_effects``).
    """
    if protocol.kind != "slice_protocol":  # studies resolve their own compounds
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
    if os.path.lexists(file):
        return file
    from synpharm.protocols.library import library_protocol_path

    try:
        return library_protocol_path(str(file)) or file
    except (OSError, ValueError):  # not a usable name: reading the file says why
        return file


_JOBS = typer.Option(
    "--jobs", help="Run the experiments in N worker processes (e.g. 2 on a 2-core machine); "
    "the scorecard is identical to the serial one.")


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
    quiet: Annotated[bool, _QUIET] = False,
    overwrite: Annotated[bool, OVERWRITE] = False,
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
    jobs: Annotated[int, _JOBS] = 1,
) -> None:
    """Run the validation targets and print the scorecard.

    Exit 0 whether targets pass or not, unless --strict: then 1 when a target whose
    ``expected`` status is pass fails. Bad input exits 2.
    """
    with _user_errors():
        from synpharm.cli._preflight import prepare_out
        from synpharm.report.scorecard import (
            print_scorecard,
            scorecard_json,
            write_scorecard_report,
        )
        from synpharm.validation import PACKAGE_TARGET_FILES, load_targets, run_targets

        sets = [load_targets(path) for path in (targets or PACKAGE_TARGET_FILES)]
        if report is not None:
            prepare_out(report, report, overwrite=overwrite, field="--report")
        progress = None if quiet else _stderr_progress()
        scorecard = run_targets(sets, only=only, progress=progress, seeds=seeds,
                                jobs=jobs)
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
    """One line per experiment on stderr (terminal or pipe), numbered, with the time so far."""
    import time

    start, count = time.monotonic(), [0]

    def report(label: str) -> None:
        count[0] += 1
        typer.echo(f"[{count[0]}] running {label} ({time.monotonic() - start:.0f} s)", err=True)

    return report


@app.command("protocols")
def list_protocols() -> None:
    """List the library protocols (run one with: synpharm run NAME)."""
    import tomllib

    from rich.console import Console
    from rich.table import Table

    from synpharm.protocols.library import library_protocol_path, library_protocols

    table = Table(box=None)
    table.add_column("protocol", no_wrap=True)
    for heading in ("kind", "preparation", "arms", "targets"):
        table.add_column(heading, no_wrap=True)
    table.add_column("description")
    targets = _targets_by_protocol()
    for name in library_protocols():
        path = library_protocol_path(name)
        assert path is not None
        kind, prep, arms, text = _protocol_overview(
            tomllib.loads(path.read_text(encoding="utf-8")))
        ids = targets.get(name, [])
        shown = " ".join(ids[:2]) + (f" +{len(ids) - 2}" if len(ids) > 2 else "")
        table.add_row(name, kind, prep, arms, shown or "-", text)
    Console(file=sys.stdout, width=None if sys.stdout.isatty() else 400).print(table)


def _protocol_overview(data: dict[str, Any]) -> tuple[str, str, str, str]:
    """(kind, preparation, number of conditions or arms, description) of a protocol or study."""
    if "study" in data:
        study = data["study"]
        groups = next((data[k] for k in ("arms", "groups", "conditions") if k in data), [])
        return (study.get("kind", "?"), study.get("preparation", "-"), str(len(groups) or "-"),
                study.get("description", ""))
    n = len(data.get("conditions", [])) + sum(
        len(s.get("concentrations", [])) for s in data.get("condition_series", [])
    )
    experiment = data.get("experiment", {})
    return ("slice", experiment.get("preparation", "ca1_slice"), str(n),
            experiment.get("description", ""))


def _targets_by_protocol() -> dict[str, list[str]]:
    """Library protocol name -> ids of the shipped validation targets that run it (the target
    files are read as TOML, without importing the validation package)."""
    import tomllib

    found: dict[str, list[str]] = {}
    folder = Path(__file__).resolve().parents[1] / "validation"
    for name in ("targets.toml", "physiology_targets.toml"):
        for target in tomllib.loads((folder / name).read_text(encoding="utf-8")).get("targets", []):
            runs = [target, *target.get("checks", [])]
            names = [r.get(k) for r in runs for k in ("protocol", "than_protocol")]
            for protocol in sorted({n for n in names if isinstance(n, str)}):
                found.setdefault(protocol, []).append(target["id"])
    return found


def _print_table(result: ExperimentResult) -> None:
    """The readouts per condition: wide on a wide terminal, else one block per readout."""
    from rich.console import Console

    from synpharm.report.tables import render_table

    console = Console(file=sys.stdout)
    table = render_table(result.summary(), width=console.width, terminal=console.is_terminal)
    if isinstance(table, str):
        typer.echo(table, nl=False)
    else:
        console.print(table)


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
