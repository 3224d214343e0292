"""Caseloads beyond one machine: the batch partition function on a Dask cluster.

:func:`evaluate_bag` evaluates a caseload with :mod:`dask.bag` over the same
per-case function as :func:`riskreview.batch.evaluate_many`: each partition of the
bag is a list of cases, and each Dask worker runs ``evaluate_many`` on it in its
own process. The answer is one :class:`~riskreview.batch.BatchResult` per case,
in input order, exactly as the in-process batch gives it.

Install the optional extra first: ``pip install 'riskreview[dask]'``.

How it runs:

* **Where.** With ``scheduler=None`` a local cluster of worker processes is
  started for the call and shut down after it (``distributed.LocalCluster``, one
  thread per worker: the engine serialises evaluations, so threads add nothing).
  It listens on this machine only, on free ports, with the dashboard off: it never
  takes Dask's usual ports (8786, 8787), so it runs beside any other cluster.
  With ``scheduler="tcp://host:8786"`` the call connects to a running Dask
  scheduler; every worker needs the same riskreview version installed (checked).
* **The pack.** The pack folder is read once, here, and its files are sent to
  every worker, which loads it pinned to its digest: workers need no shared
  folder, and a pack edited during the run cannot mix two policies in one batch.
* **The cases.** An iterable of cases (dicts, JSON text or :class:`~riskreview.Case`)
  is split into ``partitions`` parts; a path (or glob, or any URL ``fsspec``
  reads) is a JSON Lines file read by the workers themselves, one case a line,
  blank lines skipped; ``index`` then counts the non-blank lines from 0.
* **Faults.** A bad case is a ``case_error`` result, never a failed batch. If a
  native crash kills a worker, Dask retries that partition on another worker and
  finally gives up on it (``KilledWorker``); its cases are then evaluated here, in
  crash-isolated worker processes (``evaluate_many(workers=1)``), so a crash costs
  one case its answer, reported as ``crash``, as with the local batch. A case that
  hangs is not timed out on the cluster (Dask cannot stop a running task).

Every decision is gathered into memory here (a few kB of JSON per case)::

    from riskreview.batch import summarise
    from riskreview.scale import evaluate_bag

    results = evaluate_bag("caseload.jsonl", date(2026, 11, 23), partitions=64)
    print(summarise(results))
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import tempfile
import threading
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import attrs

from riskreview._api import check_as_of
from riskreview._version import VERSION
from riskreview.batch import BatchResult, check_timeout, cpu_count, evaluate_many, worker_count
from riskreview.errors import ArgumentValueError, RiskReviewError
from riskreview.pack import Pack, default_pack_path, load_pack

__all__ = ["evaluate_bag", "pack_files"]

_DEFAULT_EVALUATOR = "riskreview.batch:_evaluate_one"

#: One result without its index: (case_id, status, decision JSON, error).
_Row = tuple[str | None, str, str | None, str | None]


def _require_dask() -> tuple[Any, Any, Any]:
    """(dask, dask.bag, distributed), or an ImportError saying which extra to install."""
    try:
        import dask  # noqa: PLC0415 - optional dependency, imported when used
        import dask.bag  # noqa: PLC0415
        import distributed  # noqa: PLC0415
    except ImportError as error:
        raise ImportError(
            "riskreview.scale needs Dask and dask.distributed, which are optional: "
            "install them with  pip install 'riskreview[dask]'  "
            f"(could not import {error.name or 'dask'})"
        ) from error
    return dask, dask.bag, distributed


def pack_files(path: str | os.PathLike[str]) -> dict[str, bytes]:
    """Every file of the pack folder at ``path``, by relative POSIX path.

    Hidden files and ``__pycache__`` are left out. Written into any empty folder,
    the files load as the same pack, with the same digest.
    """
    root = Path(path)
    if not (root / "pack.yaml").is_file():
        raise FileNotFoundError(f"{root} is not a pack folder (no pack.yaml)")
    files: dict[str, bytes] = {}
    for file in sorted(root.rglob("*")):
        rel = file.relative_to(root)
        if file.is_file() and not any(p.startswith(".") or p == "__pycache__" for p in rel.parts):
            files[rel.as_posix()] = file.read_bytes()
    return files


def _write_pack(files: dict[str, bytes], root: Path) -> Path:
    for rel, data in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


# ---------------------------------------------------------------- packs from files

_packs: dict[str, Pack] = {}
_packs_lock = threading.Lock()


def _pack_from_files(files: dict[str, bytes], digest: str | None = None) -> Pack:
    """The pack these files hold, loaded once per process (and pinned to ``digest``)."""
    if digest is None:
        sha = hashlib.sha256()
        for name, data in sorted(files.items()):
            sha.update(name.encode() + b"\0" + data + b"\0")
        key = "files:" + sha.hexdigest()
    else:
        key = digest
    with _packs_lock:
        pack = _packs.get(key)
        if pack is None:
            with tempfile.TemporaryDirectory(prefix="riskreview-pack-") as tmp:
                pack = load_pack(_write_pack(files, Path(tmp)), digest=digest)
            _packs[key] = pack
        return pack


# ---------------------------------------------------------------- on the workers


def _evaluate_partition(
    items: list[Any],
    as_of: date,
    files: dict[str, bytes],
    digest: str,
    version: str,
    evaluator: str,
) -> list[_Row]:
    """Evaluate one partition in this worker process: the batch runner's own loop."""
    if version != VERSION:
        raise RiskReviewError(
            f"this Dask worker has riskreview {VERSION}; the client has {version}: "
            "install the same version everywhere"
        )
    pack = _pack_from_files(files, digest)
    return [
        (r.case_id, r.status, r.decision, r.error)
        for r in evaluate_many(items, as_of, pack, _evaluator=evaluator)
    ]


def _not_blank(line: str) -> bool:
    return bool(line.strip())


# ---------------------------------------------------------------- on the client


def evaluate_bag(
    cases: str | os.PathLike[str] | Iterable[Any],
    as_of: date,
    pack_path: str | os.PathLike[str] | None = None,
    *,
    scheduler: str | None = None,
    partitions: int | None = None,
    workers: int | None = None,
    timeout: float = 30.0,
    _evaluator: str = _DEFAULT_EVALUATOR,
) -> list[BatchResult]:
    """Evaluate a caseload on Dask; one result per case, in input order.

    ``cases`` is an iterable of cases, or the path of a JSON Lines file (one case a
    line). ``pack_path`` is a pack folder (default: the England & Wales pack).
    ``scheduler`` is the address of a running Dask scheduler; without it a local
    cluster of ``workers`` processes (default: the usable CPU cores; at most
    :data:`~riskreview.batch.WORKERS_PER_CPU` per core) runs the batch and is shut
    down afterwards. ``partitions`` is how many parts the caseload is split into
    (default: four per worker thread). ``timeout`` limits one case, in seconds (a
    finite number above 0, or None), when a partition whose worker died is
    evaluated here. Bad arguments are refused before any cluster starts.

    The results equal those of :func:`riskreview.batch.evaluate_many` on the same
    cases, pack and date.
    """
    check_as_of(as_of)
    if partitions is not None and partitions < 1:
        raise ValueError("partitions must be at least 1")
    check_timeout(timeout)
    if isinstance(workers, int) and not isinstance(workers, bool) and workers < 1:
        raise ArgumentValueError(
            f"workers must be at least 1 for a local cluster, got {workers}; "
            "pass a number of worker processes such as 2, or None for one per CPU core"
        )
    size = worker_count(workers if workers is not None else cpu_count())
    dask, bag, distributed = _require_dask()
    files = pack_files(pack_path if pack_path is not None else default_pack_path())
    pack = _pack_from_files(files)  # a bad pack fails here, before any cluster starts
    if isinstance(cases, str | os.PathLike):
        path: str | None = os.fspath(cases)
        items: list[Any] = []
        if os.path.isfile(cases) and os.path.getsize(cases) == 0:
            return []
    else:
        path, items = None, list(cases)
        if not items:
            return []
    results: list[BatchResult] = []
    with contextlib.ExitStack() as stack:
        if scheduler is None:
            cluster = stack.enter_context(_local_cluster(distributed, size))
            client = stack.enter_context(distributed.Client(cluster, set_as_default=False))
        else:
            client = stack.enter_context(distributed.Client(scheduler, set_as_default=False))
        if partitions is None:
            partitions = 4 * max(1, sum(client.nthreads().values()))
        if path is not None:
            blocksize = None
            if os.path.isfile(path):
                blocksize = max(1, math.ceil(os.path.getsize(path) / partitions))
            source = bag.read_text(path, blocksize=blocksize).map(str.strip).filter(_not_blank)
        else:
            source = bag.from_sequence(items, npartitions=min(partitions, len(items)))
        parts = source.to_delayed()
        [shared] = client.scatter([files], broadcast=True)
        run = dask.delayed(_evaluate_partition, pure=True)
        tasks = [run(part, as_of, shared, pack.digest, VERSION, _evaluator) for part in parts]
        futures = client.compute(tasks)
        for part, future in zip(parts, futures, strict=True):
            try:
                rows: list[_Row] = future.result()
            except distributed.KilledWorker:
                # the partition's cases are read here, not on the cluster: the worker
                # that held them may be the one that died, and a busy cluster may lose
                # the next one too
                cases_of_part = part.compute(scheduler="sync")
                rows = _isolated(cases_of_part, as_of, pack, files, timeout, _evaluator)
            future.release()
            start = len(results)
            results.extend(BatchResult(start + i, *row) for i, row in enumerate(rows))
    return results


def _local_cluster(distributed: Any, workers: int) -> Any:
    """A LocalCluster of ``workers`` processes on 127.0.0.1, every port free-chosen.

    ``dashboard_address=None`` does not turn the scheduler's HTTP server off: it
    falls back to port 8787, and warns when that is taken. The server always runs
    (it also answers health checks), so it is given port 0 (any free port), and the
    dashboard on it is turned off with the scheduler's ``dashboard=False``.
    """
    return distributed.LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        scheduler_port=0,
        dashboard_address="127.0.0.1:0",
        scheduler_kwargs={"dashboard": False},
    )


def _isolated(
    items: list[Any],
    as_of: date,
    pack: Pack,
    files: dict[str, bytes],
    timeout: float,
    evaluator: str,
) -> list[_Row]:
    """A partition whose Dask worker died, evaluated here one case at a time in worker
    processes of :mod:`riskreview.batch`, so a crash costs one case its answer."""
    with tempfile.TemporaryDirectory(prefix="riskreview-pack-") as tmp:
        local = attrs.evolve(pack, path=str(_write_pack(files, Path(tmp))))
        return [
            (r.case_id, r.status, r.decision, r.error)
            for r in evaluate_many(
                items, as_of, local, workers=1, timeout=timeout, _evaluator=evaluator
            )
        ]
