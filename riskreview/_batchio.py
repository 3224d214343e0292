"""Running ``riskreview batch``: one input read once, outputs put in place at the end.

* **The input** is ``-`` (stdin) or a path, which may be a pipe (``/dev/stdin``, a
  FIFO). It is read exactly once, as a stream. Its cases are counted beforehand
  only when it is a regular file, by reading it apart from the stream
  (``os.pread``), so counting never consumes a pipe; otherwise the total is
  unknown and progress shows a count alone.
* **The outputs** (decisions and errors) are each written to a hidden temporary
  file in the target's folder, and renamed over the target (``os.replace``) when
  the batch ends, finished or interrupted. A batch refused or failed leaves the
  targets as they were. A target that is a device or a pipe (``/dev/null``) is
  written directly: there is nothing to replace.
* **Checks first.** Before any output is opened the input must be readable and
  every output must be a file other than the input and than the other output,
  compared by device and inode, so a hard link, a symlink or the file stdin was
  redirected from is recognised.
* **Ctrl-C** (SIGINT) stops the batch between two results, never inside the
  writing of one: what was decided is kept, in input order, and the outputs are
  put in place holding exactly the cases before the interruption. SIGTERM and
  SIGHUP stop it in the same place, but put nothing in place (:class:`Stopped`):
  they come when no one is there to read that the files are partial.
* **The previous decisions** (``--previous``), a regular file, are read by the
  workers, each its share (:mod:`riskreview._rescan`); the lines that could not
  be used for a reason other than their ``stable_until`` are counted and named
  in one line on stderr and in the summary.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import select
import signal
import stat
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from pathlib import Path
from types import FrameType
from typing import IO, BinaryIO

import attrs
import orjson
from rich.progress import Progress

from riskreview import _leftovers, _seal
from riskreview._pool import PENDING, STOPS, Early, Pending
from riskreview._pool import start_early as early_workers
from riskreview._rescan import EVALUATOR, Rescan, sweep_beside
from riskreview.batch import (
    DECIDE,
    BatchResult,
    BatchSummary,
    _Tally,
    cpu_count,
    evaluate_many,
    worker_count,
)
from riskreview.pack import Pack, default_pack_path


class FileProblem(Exception):
    """A file the batch cannot use; the message is one line for the user."""


class Stopped(Exception):
    """SIGTERM or SIGHUP stopped the batch after ``decided`` cases: nothing was put in
    place, since no one may be there to read that the files are partial (a service
    manager's stop, a terminal closed): a reader of the outputs that does not look
    at the exit code goes on reading the last complete ones."""

    def __init__(self, signum: int, decided: int) -> None:
        name = signal.Signals(signum).name
        super().__init__(f"stopped by {name} after {decided} cases")
        self.signum = signum
        self.decided = decided


#: Seconds a pipe is waited on before the batch turns to its workers' answers.
_WAIT = 0.2
#: Seconds at most between two flushes of the outputs, so a reader sees progress.
_FLUSH = 1.0


@attrs.define
class Source:
    """The input: an open binary stream and what is known of it beforehand.

    ``pipe`` is true for a stream that may keep the batch waiting (a pipe, a FIFO,
    a terminal): it is read without blocking, so the batch goes on writing answers
    while the writer at the other end is slow.
    """

    stream: BinaryIO
    counting: Counting | None
    identity: tuple[int, int] | None
    pipe: bool = False

    @property
    def total(self) -> int | None:
        """The cases (non-blank lines) of a regular file, once counted (waits for the
        count); None for a pipe."""
        return None if self.counting is None else self.counting.result()

    def lines(self, numbers: deque[int]) -> Iterator[bytes | Pending]:
        """The non-blank lines, recording each one's line number in ``numbers``; from a
        pipe, :data:`~riskreview._pool.PENDING` whenever no line is ready yet."""
        found: Iterator[bytes | Pending] = self._pipe_lines() if self.pipe else iter(self.stream)
        number = 0
        for line in found:
            if isinstance(line, Pending):
                yield line
                continue
            number += 1
            if line.strip():
                numbers.append(number)
                yield line

    def _pipe_lines(self) -> Iterator[bytes | Pending]:
        fd = self.stream.fileno()
        pieces: list[bytes] = []
        while True:
            ready, _, _ = select.select([fd], [], [], _WAIT)
            if not ready:
                yield PENDING
                continue
            block = os.read(fd, 1 << 16)
            if not block:
                break
            start = 0
            while (end := block.find(b"\n", start)) != -1:
                pieces.append(block[start : end + 1])
                yield b"".join(pieces)
                pieces.clear()
                start = end + 1
            if start < len(block):
                pieces.append(block[start:])
        if pieces:
            yield b"".join(pieces)

    def close(self) -> None:
        """Close the input, unless it is stdin (the count done first: its file
        descriptor must not be another file's by then)."""
        if self.counting is not None:
            self.counting.result()
        if self.stream is not sys.stdin.buffer:
            self.stream.close()


class Counting:
    """The non-blank lines of a regular file, counted in a thread while the batch
    starts its workers (about half a second for 250,000 cases), by ``pread``: the
    batch's own reading of the file is not moved."""

    def __init__(self, fd: int) -> None:
        self.value: int | None = None
        start = os.lseek(fd, 0, os.SEEK_CUR)  # now, before the batch reads on
        self.thread = threading.Thread(target=self._count, args=(fd, start), daemon=True)
        self.thread.start()

    def _count(self, fd: int, start: int) -> None:
        with contextlib.suppress(OSError):  # unknown, as for a pipe
            self.value = count_lines(fd, start)

    def done(self) -> bool:
        """Whether the count is done."""
        return not self.thread.is_alive()

    def result(self) -> int | None:
        """The count, once done (None if the file could not be read to count it)."""
        self.thread.join()
        return self.value


def open_source(path: Path, *, count: bool = True) -> Source:
    """Open the input (``-`` for stdin); refuse one that cannot be read. Count its
    cases when it is a regular file (and ``count``)."""
    if str(path) == "-":
        stream = sys.stdin.buffer
    else:
        try:
            stream = path.open("rb")
        except FileNotFoundError:
            raise FileProblem(f"{path}: no such file") from None
        except IsADirectoryError:
            raise FileProblem(f"{path}: is a folder, expected a JSON Lines file") from None
        except OSError as error:
            raise FileProblem(f"{path}: cannot read it: {error.strerror}") from None
    try:
        fd = stream.fileno()
    except (OSError, ValueError):  # stdin replaced by an in-memory stream
        return Source(stream, None, None)
    info = os.fstat(fd)
    if stat.S_ISDIR(info.st_mode):
        stream.close()
        raise FileProblem(f"{path}: is a folder, expected a JSON Lines file")
    regular = stat.S_ISREG(info.st_mode)
    counting = Counting(fd) if count and regular else None
    return Source(stream, counting, (info.st_dev, info.st_ino), pipe=not regular)


def count_input(path: Path) -> int | None:
    """The non-blank lines of the regular file at ``path``; None for ``-`` or a pipe,
    which is not opened: counting would consume it."""
    if str(path) == "-":
        return None
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise FileProblem(f"{path}: is a folder, expected a JSON Lines file")
        if not stat.S_ISREG(info.st_mode):
            return None
        with path.open("rb") as stream:
            return count_lines(stream.fileno())
    except FileNotFoundError:
        raise FileProblem(f"{path}: no such file") from None
    except OSError as error:
        raise FileProblem(f"{path}: cannot read it: {error.strerror}") from None


def count_lines(fd: int, offset: int | None = None) -> int | None:
    """The non-blank lines of the regular file open as ``fd``, from ``offset`` on
    (its offset now when None), read without moving the offset (None where
    ``os.pread`` is missing)."""
    if not hasattr(os, "pread"):
        return None
    if offset is None:
        offset = os.lseek(fd, 0, os.SEEK_CUR)
    count, carry = 0, b""
    while block := os.pread(fd, 1 << 20, offset):
        offset += len(block)
        pieces = (carry + block).split(b"\n")
        carry = pieces.pop()
        count += sum(1 for piece in pieces if piece.strip())
    return count + (1 if carry.strip() else 0)


def _identity(path: Path) -> tuple[str | int, ...]:
    """What makes two paths one file: device and inode when it exists, else its real path."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return ("path", os.path.realpath(path))
    except OSError as error:
        raise FileProblem(f"{path}: cannot write it: {error.strerror}") from None
    return (info.st_dev, info.st_ino)


def check_distinct(source: Source, output: Path, errors: Path, *seal: Path) -> None:
    """Refuse an output that is the input, or two outputs in one file (``seal``: the
    decisions' seal, when there is one)."""
    seen: dict[tuple[str | int, ...], str] = {}
    if source.identity is not None:
        seen[source.identity] = "the input"
    named = [(output, "the decisions output (-o)")]
    named += [(path, "the seal of the decisions output") for path in seal]
    named.append((errors, "the errors file"))
    for target, name in named:
        key = _identity(target)
        if key in seen:
            raise FileProblem(f"{target}: is {seen[key]}; write to another file")
        seen[key] = name


class Output:
    """One output: a temporary file beside the target, put in place by :meth:`commit`.

    Written line by line when ``lines`` (the input is a pipe, whose writer may keep
    the batch waiting: a reader sees each decision at once), else in large blocks
    that the batch flushes every second or so.

    The temporary file is claimed (:mod:`riskreview._leftovers`) while the batch
    lives; those of the same target that a killed batch left are removed first
    (``swept``)."""

    def __init__(self, target: Path, *, lines: bool = True, hashed: bool = False) -> None:
        self.target = target
        self.lines = lines
        #: what is written counted in a SHA-256 (:attr:`digest`): for a file's seal
        self.hashing: _seal.Hashing | None = None
        self._hashed = hashed
        self.temp: Path | None = None
        self.syncing: threading.Thread | None = None
        self.swept: _leftovers.Swept = []
        try:
            info: os.stat_result | None = os.stat(target)
        except FileNotFoundError:
            info = None
        except OSError as error:
            raise FileProblem(f"{target}: cannot write it: {error.strerror}") from None
        if info is not None and stat.S_ISDIR(info.st_mode):
            raise FileProblem(f"{target}: is a folder; name a file to write")
        if info is not None and not stat.S_ISREG(info.st_mode):
            self.final = target  # a device or a pipe: nothing to replace
            self.stream = self._open(lambda: os.open(target, os.O_WRONLY | os.O_APPEND))
            return
        if info is not None and not os.access(target, os.W_OK):
            raise FileProblem(f"{target}: cannot write it: it is read-only")
        self.final = Path(os.path.realpath(target))  # a symlink is written through
        name = self.final.name
        self.swept = _leftovers.sweep(self.final.parent, _leftovers.temp_pattern(name))
        temp = self.final.with_name(_leftovers.temp_name(name))
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
        self.stream = self._open(lambda: os.open(temp, flags, 0o666))
        _leftovers.claim(self.stream.fileno())
        self.temp = temp
        if info is not None:
            os.chmod(temp, stat.S_IMODE(info.st_mode))

    def _open(self, opener: Callable[[], int]) -> IO[str]:
        try:
            fd = opener()
        except OSError as error:
            raise FileProblem(f"{self.target}: cannot write it: {error.strerror}") from None
        if not self._hashed:
            return open(fd, "w", encoding="utf-8", buffering=1 if self.lines else 1 << 20)
        # as open() stacks them, with the file's bytes counted under the buffer
        self.hashing = _seal.Hashing(fd)
        size = io.DEFAULT_BUFFER_SIZE if self.lines else 1 << 20
        buffered = io.BufferedWriter(self.hashing, buffer_size=size)
        return io.TextIOWrapper(buffered, encoding="utf-8", line_buffering=self.lines)

    def sync_soon(self) -> None:
        """Have what is written so far go to disk, in the background (the batch goes
        on writing): the last :meth:`commit` then waits only for what came after,
        not for the whole file. Call it after a flush."""
        if self.temp is None or (self.syncing is not None and self.syncing.is_alive()):
            return
        fd = self.stream.fileno()
        self.syncing = threading.Thread(target=_sync, args=(fd,), daemon=True)
        self.syncing.start()

    def _synced(self) -> None:
        if self.syncing is not None:
            self.syncing.join()
            self.syncing = None

    def finish(self) -> None:
        """Write out what is left and have it on disk: the step that fails when the
        disk is full (raises FileProblem), so taken for every output before any is
        put in place."""
        try:
            self.stream.flush()
            self._synced()
            if self.temp is not None:
                os.fsync(self.stream.fileno())
        except OSError as error:
            raise unwritable(error, self.target) from None

    def place(self) -> None:
        """Put the finished file in place of the target (while still open, so still
        claimed: no other batch can take it for left over meanwhile)."""
        try:
            if self.temp is not None:
                os.replace(self.temp, self.final)
                self.temp = None
        finally:
            self.stream.close()

    def discard(self) -> None:
        """Drop what was written; the target stays as it was."""
        self._synced()
        with contextlib.suppress(OSError):
            self.stream.close()
        if self.temp is not None:
            with contextlib.suppress(FileNotFoundError):
                self.temp.unlink()
            self.temp = None


def unwritable(error: OSError, *targets: Path) -> FileProblem:
    """The failure to write ``targets`` (a full disk, say): none is put in place."""
    named, them = ", ".join(map(str, targets)), "it" if len(targets) == 1 else "them"
    return FileProblem(
        f"{named}: cannot write {them}: {error.strerror or error}; no output was put in "
        "place, each is as it was"
    )


def _sync(fd: int) -> None:
    """``fdatasync``, its failure left for the last ``fsync`` to report."""
    with contextlib.suppress(OSError):
        os.fdatasync(fd)


@contextlib.contextmanager
def outputs(
    *targets: Path, lines: bool = True, hashed: bool = False
) -> Iterator[tuple[Output, ...]]:
    """Open every output (line by line or not, see :class:`Output`); put them all in
    place when the block ends, none if it fails or one cannot be finished. With
    ``hashed``, the first is counted in a SHA-256 as it is written, and its seal
    (:mod:`riskreview._seal`) written beside it once it is in place."""
    opened: list[Output] = []
    try:
        for number, target in enumerate(targets):
            opened.append(Output(target, lines=lines, hashed=hashed and number == 0))
        yield tuple(opened)
        for output in opened:
            output.finish()
    except BaseException:
        for output in opened:
            output.discard()
        raise
    # the first output's SHA-256, when it is a file to seal
    hashing = opened[0].hashing if opened and opened[0].temp is not None else None
    with _placing(opened):
        if hashing is not None:  # the last seal goes first: not of the file put in place
            _seal.remove(opened[0].final)
        for output in opened:
            output.place()
        if hashing is not None:
            try:
                _seal.write(opened[0].final, hashing.digest)
            except OSError as error:
                raise FileProblem(
                    f"{_seal.path_of(opened[0].final)}: cannot write the seal of the "
                    f"decisions ({error.strerror or error}); the outputs are in place "
                    "without it"
                ) from None


@contextlib.contextmanager
def _placing(opened: list[Output]) -> Iterator[None]:
    """Hold the folder of the first output written aside locked while the outputs are
    put in place: two batches writing the same files at once put theirs in place one
    after the other, so that a decisions file and its seal always come from one batch."""
    first = next((o.final for o in opened if o.temp is not None), None)
    fd = None
    if first is not None:
        with contextlib.suppress(OSError):
            fd = os.open(first.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        if fd is not None:
            _leftovers.claim(fd, wait=30.0)
        yield
    finally:
        if fd is not None:
            os.close(fd)


class Interrupts:
    """Ctrl-C held back except inside :meth:`allowed`, where the batch waits for its
    next result: a result is written whole, and counted, or not at all, and the
    outputs are put in place undisturbed. SIGTERM and SIGHUP (:data:`STOPS`) are
    held back and acted on in the same places, so that a batch a service manager
    stops ends cleanly (:class:`Stopped`), leaving no temporary file behind.

    Only in the main thread; a signal ignored when the batch started (``nohup``)
    stays ignored.
    """

    def __init__(self) -> None:
        self.holding = True
        self.pending = False
        #: the first of :data:`STOPS` that came, if one has
        self.signum: int | None = None
        self.previous: dict[int, Callable[[int, FrameType | None], object] | int | None] = {}

    @property
    def exit_code(self) -> int:
        """The exit code of a batch the signal stopped: 128 and its number (130 for
        Ctrl-C, 143 for SIGTERM), as a shell gives a process it ended."""
        return 128 + (self.signum or signal.SIGINT)

    def __enter__(self) -> Interrupts:
        with contextlib.suppress(ValueError):  # not the main thread: leave them as they are
            for signum in STOPS:
                if signal.getsignal(signum) is not signal.SIG_IGN:
                    self.previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, previous in self.previous.items():
            signal.signal(signum, previous if previous is not None else signal.SIG_DFL)
        self.previous.clear()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.signum is None:
            self.signum = signum
        if self.holding:
            self.pending = True
        else:
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def allowed(self) -> Iterator[None]:
        """Let Ctrl-C raise KeyboardInterrupt within the block (at once if it came before)."""
        if self.pending:
            raise KeyboardInterrupt
        self.holding = False
        try:
            if self.pending:  # it came between the check above and letting go: now
                raise KeyboardInterrupt
            yield
        finally:
            self.holding = True


@attrs.frozen
class Outcome:
    """How a batch run ended: its summary; whether Ctrl-C stopped it; the cases the
    input held when they could be counted beforehand; the line number of the last
    case written (0 when none was); what the previous decisions file held, when
    one was read by shares (see :meth:`riskreview._rescan.Rescan.report`)."""

    summary: BatchSummary
    interrupted: bool
    expected: int | None
    last_line: int
    previous: dict[str, object] | None = None

    def to_json(self, errors: Path) -> str:
        """The summary for machines: counts by status and action, the errors file,
        whether the batch was interrupted, the cases counted beforehand (null when the
        input was a stream) and the line number of the last case written."""
        extra = {
            "errors_file": str(errors),
            "interrupted": self.interrupted,
            "input_cases": self.expected,
            "last_line": self.last_line,
        }
        if self.previous is not None:
            extra["previous"] = self.previous
        return json.dumps(attrs.asdict(self.summary) | extra)

    def partial(self, output: Path, errors: Path) -> str:
        """What an interrupted batch left, in one line."""
        of = "" if self.expected is None else f" of {self.expected}"
        if self.last_line == 0:
            return f"interrupted before any case was decided: {output} and {errors} are empty"
        return (
            f"interrupted after {self.summary.total}{of} cases: {output} and {errors} are "
            f"partial, holding the cases of lines 1 to {self.last_line} only"
        )


#: Bytes of input a worker started early is counted for (about 100 cases).
EARLY_BYTES = 200_000


def start_early(
    cases: Path, pack: Path | None, workers: int | None, rescan: bool
) -> Early | None:
    """The workers a batch of the file ``cases`` will want, started before it loads
    the pack (whose folder is ``pack``, None for the default), so that they load
    theirs meanwhile; None when there is nothing to gain (no workers, or input
    from a pipe, whose size is not known): as many as the batch may take (one per
    core with ``workers`` None), at most one per ``EARLY_BYTES`` of input (a batch
    takes one per 100 cases, and a worker only when there is a case for it)."""
    if workers == 0 or str(cases) == "-":
        return None
    try:
        info = os.stat(cases)
    except OSError:
        return None  # the batch reports it
    if not stat.S_ISREG(info.st_mode):
        return None
    most = cpu_count() if workers is None else worker_count(workers)
    count = min(most, max(1, info.st_size // EARLY_BYTES))
    path = str(pack) if pack is not None else str(default_pack_path())
    evaluator = EVALUATOR if rescan else DECIDE
    return early_workers(path, evaluator, count)


def default_workers(total: int | None) -> int:
    """One worker per core, at most one per 100 cases when the number is known."""
    return cpu_count() if total is None else min(cpu_count(), max(1, total // 100))


def run(
    source: Source,
    output: Path,
    errors: Path,
    pack: Pack,
    as_of: date,
    workers: int | None,
    timeout: float,
    progress: Progress,
    previous: Mapping[str, str] | PreviousFile | None = None,
    early: Early | None = None,
    interrupts: Interrupts | None = None,
) -> Outcome:
    """Decide every case of ``source``: decisions to ``output``, the cases not decided
    to ``errors``, each with its line number, case id, status and error.

    Everything is checked before an output is opened; the outputs are put in place
    at the end, also when Ctrl-C stopped the batch (they then hold the cases before
    it, in order), and not at all when the batch failed. ``interrupts``: the
    caller's, already entered (else the batch holds Ctrl-C back itself).
    """
    beside = _folder_of(output)
    # a decisions file gets its seal beside it (not a device or a pipe)
    seals = (_seal.path_of(output),) if beside is not None else ()
    check_distinct(source, output, errors, *seals)
    check: _seal.Check | None = None
    sealed: _seal.Seal | None = None
    # a sealed previous file, and how it stood when the batch began to read it
    read_as: tuple[Path, _seal.Standing] | None = None
    numbers: deque[int] = deque()
    count = default_workers(source.total) if workers is None else workers
    rescan: Rescan | None = None
    swept = sweep_beside(beside)  # a killed rescan's folder, whether this is one or not
    if isinstance(previous, PreviousFile):
        try:
            sealed = _seal.expected(previous.path)
            if sealed is not None:
                # unless it stands as it did when sealed, its SHA-256 is worked out meanwhile
                read_as = (previous.path, _seal.standing(previous.path))
                if sealed.standing != read_as[1]:
                    check = _seal.Check(previous.path, sealed.digest)
        except _seal.SealProblem as problem:
            raise FileProblem(f"{problem}; nothing was written") from None
        except OSError as error:
            raise FileProblem(
                f"{previous.path}: cannot read the previous decisions ({error.strerror})"
            ) from None
        rescan = Rescan(previous.path, as_of, pack, beside, sealed=sealed is not None)
        results = rescan.results(source.lines(numbers), count, timeout, early)
    else:
        results = evaluate_many(
            source.lines(numbers),
            as_of,
            pack,
            workers=count,
            timeout=timeout,
            previous=previous,
            _early=early,
        )
    tally, last_line, interrupted = _Tally(), 0, False
    started = flushed = time.monotonic()
    leftover = contextlib.closing(rescan) if rescan is not None else contextlib.nullcontext()
    stops = Interrupts() if interrupts is None else contextlib.nullcontext(interrupts)
    with leftover, stops as held:  # the rescan's folder goes, whatever happens
        blocks = outputs(output, errors, lines=source.pipe, hashed=bool(seals))
        with contextlib.closing(results), blocks as (out, err):
            swept += [*out.swept, *err.swept, *(rescan.swept if rescan is not None else ())]
            if swept:
                progress.console.print(_swept(swept), markup=False, highlight=False)
            counting = source.counting  # the count still to come, if any
            if counting is not None and counting.done():
                counting = None
            total = None if counting is not None else source.total
            task = progress.add_task("deciding", total=total)
            while True:
                try:
                    with held.allowed():
                        result = next(results)
                except StopIteration:
                    interrupted = held.pending  # a Ctrl-C held back after the last case
                    break
                except KeyboardInterrupt:
                    interrupted = True
                    if held.signum not in (None, signal.SIGINT):
                        raise Stopped(held.signum, tally.total) from None  # none put in place
                    break
                line = numbers.popleft()
                now = time.monotonic()
                flushing = now - flushed > _FLUSH
                try:
                    _write(out.stream, err.stream, line, result)
                    if flushing:
                        out.stream.flush()
                        err.stream.flush()
                        out.sync_soon()
                except OSError as error:  # a full disk: the outputs are discarded
                    raise unwritable(error, output, errors) from None
                tally.add(result)
                last_line = line
                progress.advance(task)
                if flushing:
                    flushed = now
                    if counting is not None and counting.done():
                        progress.update(task, total=counting.result())
                        counting = None
            results.close()  # the workers stop before the outputs are put in place
            if check is not None:  # a previous file changed since: nothing put in place
                _check_seal(check, output, errors)
            if read_as is not None:  # nor one changed while it was read
                _check_standing(*read_as, output, errors)
        summary = tally.summary(round(time.monotonic() - started, 3))
    if rescan is None:
        return Outcome(summary, interrupted, source.total, last_line)
    problems = rescan.problems()
    if problems is not None:
        progress.console.print(problems, markup=False, highlight=False)
    report = rescan.report() | {"sealed": sealed is not None}
    return Outcome(summary, interrupted, source.total, last_line, report)


def _check_seal(check: _seal.Check, output: Path, errors: Path) -> None:
    """Raise FileProblem when the previous file read by ``check`` is not the one its
    seal was written for."""
    try:
        found = check.digest()
    except _seal.SealProblem as problem:
        raise FileProblem(f"{problem}; nothing was put in place") from None
    if found != check.expected:
        seal = _seal.path_of(check.path)
        raise FileProblem(
            f"{check.path}: is not the file its seal {seal.name} was written for (its "
            "SHA-256 differs): it was changed after the batch that wrote it, and its "
            f"decisions cannot be brought forward; nothing was put in place, {output} and "
            f"{errors} are as they were; run again without --previous to evaluate every "
            "case, or with the file as that batch wrote it"
        )


def _check_standing(
    previous: Path, read_as: _seal.Standing, output: Path, errors: Path
) -> None:
    """Raise FileProblem when the sealed previous file no longer stands as it did
    when the batch began to read it (written to or replaced meanwhile: the seal,
    checked against it then, vouches for none of what was read after)."""
    try:
        now = _seal.standing(previous)
    except OSError as error:
        now = None
        why = error.strerror
    else:
        why = "it was written to, replaced or touched"
    if now != read_as:
        raise FileProblem(
            f"{previous}: changed while the batch read it ({why}), so its seal "
            f"vouches for none of it; nothing was put in place, {output} and {errors} "
            "are as they were; run again"
        )


def _swept(swept: _leftovers.Swept) -> str:
    return (
        f"removed {len(swept)} temporary file(s) or folder(s) left by a batch that was "
        f"killed before its end: {_leftovers.shown(swept)}"
    )


@attrs.frozen
class PreviousFile:
    """The previous run's decisions, a regular file: read by the workers, by shares."""

    path: Path


def read_previous(path: Path) -> dict[str, str] | PreviousFile:
    """An earlier run's decisions: a regular file as a :class:`PreviousFile` (checked
    readable, read later by the workers), anything else (a pipe) read now, by case
    id (each line's JSON text, as written).

    Lines that are not decisions are passed over: their cases are evaluated again.
    Raises FileProblem when the file cannot be read.
    """
    try:
        with path.open("rb") as stream:
            if stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                return PreviousFile(path)
    except OSError as error:
        raise FileProblem(
            f"{path}: cannot read the previous decisions ({error.strerror})"
        ) from None
    found: dict[str, str] = {}
    try:
        with path.open("rb") as lines:
            for raw in lines:
                try:
                    data = orjson.loads(raw)
                except orjson.JSONDecodeError:
                    continue
                case_id = data.get("case_id") if isinstance(data, dict) else None
                if isinstance(case_id, str):
                    found[case_id] = raw.decode("utf-8").rstrip("\n")
    except OSError as error:
        raise FileProblem(
            f"{path}: cannot read the previous decisions ({error.strerror})"
        ) from None
    return found


def _folder_of(output: Path) -> Path | None:
    """The folder of an output that is a file (where the rescan keeps its temporary
    files, as the output's own temporary file), None for a device or a pipe."""
    try:
        info = os.stat(output)
    except FileNotFoundError:
        return Path(os.path.realpath(output)).parent
    except OSError:
        return None
    return Path(os.path.realpath(output)).parent if stat.S_ISREG(info.st_mode) else None


def _write(out: IO[str], err: IO[str], line: int, result: BatchResult) -> None:
    if result.decision is not None:
        out.write(result.decision + "\n")
        return
    record = {"line": line, "case_id": result.case_id, "status": result.status}
    err.write(json.dumps(record | {"error": result.error}, ensure_ascii=False) + "\n")
