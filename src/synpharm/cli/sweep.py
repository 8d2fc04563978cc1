"""``synpharm sweep FILE.toml``: a grid of virtual experiments, in chunks, resumable, on Dask."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from synpharm.cli._preflight import OVERWRITE

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add the ``sweep`` command to ``app``."""
    app.command("sweep")(sweep)


def sweep(
    file: Annotated[Path, typer.Argument(help="Sweep file (TOML).", show_default=False)],
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Folder of the combined results [default: out/<sweep name>].",
            show_default=False,
        ),
    ] = None,
    store: Annotated[
        Path | None,
        typer.Option(
            "--store",
            help="Results store, one Parquet file per chunk; a re-run skips the chunks in it "
            "[default: out/<sweep name>.store].",
            show_default=False,
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            help="Run on a local Dask cluster of N worker processes (1 thread each).",
            show_default=False,
        ),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Run on the Dask distributed scheduler at ADDRESS (e.g. tcp://host:8786).",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Only print how many chunks there are and how many are already in the store.",
        ),
    ] = False,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the summary JSON to stdout.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress output on stderr.")
    ] = False,
    overwrite: Annotated[bool, OVERWRITE] = False,
) -> None:
    """Run the sweep in FILE: readouts.parquet/.csv and summary.json in --out."""
    from synpharm.cli.main import _user_errors

    with _user_errors():
        from synpharm.cli._preflight import check_store, default_out, prepare_out
        from synpharm.experiments.resources import check_sweep
        from synpharm.extras import require
        from synpharm.sweep import ChunkStore, load_sweep, plan_chunks

        require("parquet", "synpharm sweep")
        if workers is not None or scheduler is not None:
            require("dask", "--workers/--scheduler")

        grid = load_sweep(file)
        largest = check_sweep(grid)
        default = default_out(grid.name, "sweep.name")
        store_default = default.with_name(f"{default.name}.store")
        chunk_store = ChunkStore(check_store(store if store is not None else store_default))
        if dry_run:
            chunks = plan_chunks(grid)
            done = chunk_store.finished(c.key for c in chunks)
            typer.echo(f"{grid.name}: {len(chunks)} chunks, {len(done)} in {chunk_store.root}")
            typer.echo(f"largest chunk: {largest.describe()}")
            return
        out_dir = prepare_out(out, default, overwrite=overwrite)
        _run(grid, chunk_store, out_dir, workers, scheduler, json_output, quiet)


def _run(
    grid, chunk_store, out_dir: Path, workers, scheduler, json_output: bool, quiet: bool = False
) -> None:
    from synpharm.sweep import run_sweep, write_sweep_outputs

    run = run_sweep(
        grid, chunk_store, scheduler=scheduler, workers=workers, progress=not quiet
    )
    write_sweep_outputs(grid, run, chunk_store, out_dir)
    typer.echo(
        f"{grid.name}: {len(run.chunks)} chunks, {len(run.computed)} computed, "
        f"{len(run.reused)} reused from {chunk_store.root} ({run.executor}, "
        f"{run.wall_time:.1f} s)",
        err=True,
    )
    _warn_other_code(run, chunk_store)
    if json_output:
        typer.echo((out_dir / "summary.json").read_text(encoding="utf-8"), nl=False)
    typer.echo(f"wrote {out_dir}", err=True)


def _warn_other_code(run, chunk_store) -> None:
    """Say so when reused chunks were computed by other synpharm source code than this one."""
    from synpharm.sweep import code_digest

    current = code_digest()
    other = [k for k in run.reused if chunk_store.metadata(k).get("code") != current]
    if other:
        typer.echo(
            f"warning: {len(other)} reused chunks were computed by other synpharm code "
            f"(source digest differs from {current}); give a new --store to recompute them",
            err=True,
        )
