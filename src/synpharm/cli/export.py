"""``synpharm export``: the signalling network as SBML and as a pathway diagram."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from synpharm.cli._preflight import OVERWRITE
from synpharm.safety import check_output_file

__all__ = ["register"]

export_app = typer.Typer(help="Export model declarations (SBML, pathway diagram).",
                         no_args_is_help=True)

_NETWORK_OPTION = typer.Option(
    "--network", help="Network name (shipped) or a network .toml file.")
_ABLATE_OPTION = typer.Option(
    "--ablate", help="Remove this reaction (repeat for several), e.g. creb_bdnf_transcription.",
    show_default=False)


def _network(name: str, ablate: list[str] | None):
    from synpharm.signaling import load_network

    return load_network(name).without(ablate or ())


@export_app.command("sbml")
def export_sbml(
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write the SBML file here [default: print it to stdout].",
        show_default=False)] = None,
    network: Annotated[str, _NETWORK_OPTION] = "synaptic_signaling",
    ablate: Annotated[list[str] | None, _ABLATE_OPTION] = None,
    overwrite: Annotated[bool, OVERWRITE] = False,
) -> None:
    """Write the signalling network as SBML Level 3 Version 2 (validated with libsbml)."""
    from synpharm.cli.main import _user_errors

    with _user_errors():
        from synpharm.extras import require
        from synpharm.signaling._sbml import sbml_errors, to_sbml, write_sbml

        require("sbml", "synpharm export sbml")
        if out is not None:
            check_output_file(out, overwrite=overwrite)
        declared = _network(network, ablate)
        if out is None:
            text = to_sbml(declared)
            errors = sbml_errors(text)
            if errors:
                raise RuntimeError(f"SBML export has {len(errors)} errors: {errors[0]}")
            typer.echo(text, nl=False)
            return
        write_sbml(declared, out)
    typer.echo(f"wrote {out}", err=True)


@export_app.command("diagram")
def export_diagram(
    out: Annotated[Path, typer.Option(
        "--out", help="Figure file, .png or .svg.", show_default=False)],
    network: Annotated[str, _NETWORK_OPTION] = "synaptic_signaling",
    ablate: Annotated[list[str] | None, _ABLATE_OPTION] = None,
    overwrite: Annotated[bool, OVERWRITE] = False,
) -> None:
    """Draw the pathway diagram generated from the network declaration."""
    from synpharm.cli.main import _user_errors
    from synpharm.errors import InputError

    with _user_errors():
        if out.suffix.lower() not in {".png", ".svg"}:
            raise InputError("--out", f"{str(out)!r} is not a .png or .svg file",
                             "give a file name ending in .png or .svg")
        if not out.parent.is_dir():
            raise InputError("--out", f"folder {str(out.parent)!r} does not exist",
                             "create it or give another path")
        check_output_file(out, overwrite=overwrite)
        from synpharm.signaling._diagram import draw_network

        temporary = out.with_name(f".partial.{out.name}")
        draw_network(_network(network, ablate), temporary)
        temporary.replace(out)
    typer.echo(f"wrote {out}", err=True)


def register(app: typer.Typer) -> None:
    """Add ``synpharm export sbml|diagram``."""
    app.add_typer(export_app, name="export")
