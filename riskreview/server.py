"""riskreview over HTTP, for case-management systems not written in Python.

Needs the ``server`` extra (``pip install "riskreview[server]"``: Starlette and
uvicorn); without it, :func:`create_app` raises :class:`ServerUnavailableError`
and the rest of riskreview works as before. From the shell::

    riskreview serve --pack rules/england-wales --port 8787

or in Python, as an ASGI application for any ASGI server::

    import uvicorn
    from riskreview.server import create_app

    uvicorn.run(create_app(), host="127.0.0.1", port=8787)

Endpoints: ``POST /evaluate`` (a case as JSON; the decision, the same bytes as
``riskreview evaluate --json``), ``POST /explain?rule=CS-02``, ``POST /batch``
(JSON Lines in and out, streamed), ``GET /schema/case``, ``/schema/decision``,
``/schema/explanation``, ``/packs``, ``/health``, ``/openapi.json``, and
``POST /packs/reload`` when allowed. The integrator's guide describes each.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from typing import TYPE_CHECKING

from riskreview.errors import ArgumentError, ArgumentValueError, RiskReviewError
from riskreview.pack import Pack, default_pack, default_pack_path, load_pack

if TYPE_CHECKING:
    from starlette.applications import Starlette

__all__ = [
    "DEFAULT_MAX_BATCH",
    "DEFAULT_MAX_BODY",
    "DEFAULT_THREADS",
    "DEFAULT_TIMEOUT",
    "ServerUnavailableError",
    "check_installed",
    "create_app",
]

#: Bytes one case may take: the body of /evaluate and /explain, one line of /batch.
DEFAULT_MAX_BODY = 1 << 20
#: Cases (non-blank lines) one /batch request may hold.
DEFAULT_MAX_BATCH = 10_000
#: Seconds allowed to receive one case and decide it (per case in a batch).
DEFAULT_TIMEOUT = 10.0
#: Threads deciding at once (the engine runs one case at a time; reading and
#: writing JSON overlap it).
DEFAULT_THREADS = 4


class ServerUnavailableError(RiskReviewError, ImportError):
    """The ``server`` extra is not installed: ``pip install "riskreview[server]"``."""


def _missing() -> list[str]:
    return [name for name in ("starlette", "uvicorn") if importlib.util.find_spec(name) is None]


def check_installed() -> None:
    """Raise :class:`ServerUnavailableError` naming what to install when the
    ``server`` extra is missing."""
    missing = _missing()
    if missing:
        raise ServerUnavailableError(
            f"serving over HTTP needs {' and '.join(missing)}, which are not installed; "
            'install them with: pip install "riskreview[server]"'
        )


def _whole(name: str, value: object, example: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArgumentError(f"{name} must be a whole number such as {example}, "
                            f"got {type(value).__name__}")  # fmt: skip
    if value < 1:
        raise ArgumentValueError(f"{name} must be 1 or more, such as {example}, got {value}")
    return value


def create_app(
    pack: Pack | str | Path | None = None,
    *,
    max_body: int = DEFAULT_MAX_BODY,
    max_batch: int = DEFAULT_MAX_BATCH,
    timeout: float = DEFAULT_TIMEOUT,
    threads: int = DEFAULT_THREADS,
    allow_reload: bool = False,
) -> Starlette:
    """The ASGI application answering with ``pack`` (a Pack, a pack folder, or None
    for the default England & Wales pack).

    ``max_body`` bounds the bytes of one case, ``max_batch`` the cases of one
    batch request, ``timeout`` the seconds to receive and decide one case;
    ``threads`` decide at once. With ``allow_reload``, ``POST /packs/reload`` loads
    the pack's folder again and serves it once it passes its checks (no error from
    ``riskreview check``, every scenario passing); until then, and if it fails, the
    pack in service stays.

    >>> app = create_app(max_body=65536)
    >>> [route.path for route in app.routes][:3]
    ['/evaluate', '/explain', '/batch']
    """
    check_installed()
    max_body = _whole("max_body", max_body, "1048576")
    max_batch = _whole("max_batch", max_batch, "10000")
    threads = _whole("threads", threads, "4")
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise ArgumentError(f"timeout must be a number of seconds such as 10, "
                            f"got {type(timeout).__name__}")  # fmt: skip
    if not math.isfinite(timeout) or timeout <= 0:
        raise ArgumentValueError(
            f"timeout must be a finite number of seconds above 0 such as 10, got {timeout!r}"
        )
    if type(allow_reload) is not bool:
        raise ArgumentError(
            f"allow_reload must be True or False, got {type(allow_reload).__name__}"
        )
    if pack is None:
        served, folder = default_pack(), default_pack_path()
    elif isinstance(pack, Pack):
        served, folder = pack, Path(pack.path)
    elif isinstance(pack, str | Path):
        served = load_pack(pack)
        folder = Path(pack)
    else:
        raise ArgumentError(
            f"pack must be a riskreview.Pack, a pack folder or None, got {type(pack).__name__}"
        )
    from riskreview import _serve  # noqa: PLC0415 - needs the server extra

    settings = _serve.Settings(max_body, max_batch, float(timeout), threads, allow_reload)
    return _serve.build(served, folder, settings)
