"""``riskreview serve``: the HTTP service, started from the command line.

Kept apart from ``cli.py`` so that the command line never needs the ``server``
extra: Starlette and uvicorn are imported only when ``serve`` runs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import click

from riskreview.errors import PackError
from riskreview.pack import Pack, default_pack, load_pack
from riskreview.server import (
    DEFAULT_MAX_BATCH,
    DEFAULT_MAX_BODY,
    DEFAULT_THREADS,
    DEFAULT_TIMEOUT,
    ServerUnavailableError,
    check_installed,
    create_app,
)

_INPUT_ERROR = 2


class _Refused(click.ClickException):
    """One ``error:`` line per problem and exit code 2, as the other commands."""

    exit_code = _INPUT_ERROR

    def __init__(self, lines: Sequence[str]) -> None:
        super().__init__("; ".join(lines))
        self.lines = tuple(lines)

    def show(self, file: IO[Any] | None = None) -> None:
        for line in self.lines:
            click.echo(f"error: {line}", err=True, file=file)


def _load(path: Path | None) -> Pack:
    if path is not None and not (path / "pack.yaml").is_file():
        reason = "not a pack folder (no pack.yaml in it)" if path.exists() else "no such folder"
        raise _Refused([f"{path}: {reason}"])
    where = "the default pack" if path is None else f"pack {path}"
    try:
        return default_pack() if path is None else load_pack(path)
    except PackError as error:
        raise _Refused([f"{where}: {p}" for p in error.problems]) from None


def _seconds(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a number of seconds; write one such as 10")
    return value


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8787,
    show_default=True,
    help="Port to listen on (0: any free port, printed at start).",
)
@click.option(
    "--pack",
    "pack_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Policy pack folder (default: the England & Wales pack).",
)
@click.option(
    "--max-body",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_BODY,
    show_default=True,
    help="Bytes one case may take (a request body; a line of a batch).",
)
@click.option(
    "--max-batch",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_BATCH,
    show_default=True,
    help="Cases one batch request may hold.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    callback=_seconds,
    help="Seconds to receive and decide one case (503 past it).",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=DEFAULT_THREADS,
    show_default=True,
    help="Threads deciding at once.",
)
@click.option(
    "--allow-reload",
    is_flag=True,
    help="Open POST /packs/reload: load the pack folder again and serve it once it "
    "passes its checks.",
)
def serve(
    host: str,
    port: int,
    pack_dir: Path | None,
    max_body: int,
    max_batch: int,
    timeout: float,
    threads: int,
    allow_reload: bool,
) -> None:
    """Answer over HTTP, for systems not written in Python.

    POST a case as JSON to /evaluate for its decision (the bytes of `evaluate
    --json`); /explain?rule=ID, /batch (JSON Lines), /schema/case,
    /schema/decision, /packs, /health and /openapi.json describe the rest.
    Needs the server extra: pip install "riskreview[server]".
    """
    try:
        check_installed()
    except ServerUnavailableError as error:
        raise _Refused([str(error)]) from None
    import uvicorn  # noqa: PLC0415 - the server extra, only when serving

    pack = _load(pack_dir)
    app = create_app(
        pack,
        max_body=max_body,
        max_batch=max_batch,
        timeout=timeout,
        threads=threads,
        allow_reload=allow_reload,
    )
    click.echo(
        f"serving {pack.name} {pack.version} ({pack.digest}); reload "
        f"{'allowed' if allow_reload else 'off'}",
        err=True,
    )
    config = uvicorn.Config(
        app, host=host, port=port, http="h11", lifespan="off", server_header=False
    )
    try:
        uvicorn.Server(config).run()
    except KeyboardInterrupt:
        # uvicorn has shut down gracefully and raises Ctrl-C again: stopping a server
        # is how it ends, not a failure
        click.echo("stopped", err=True)
