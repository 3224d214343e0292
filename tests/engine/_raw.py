"""Driving raw durable-rules in a child process, so that a crash or a hang is an observation.

Each demonstration in ``test_edges.py`` is a short script run with ``python -c``
after :data:`PRELUDE`. A segmentation fault shows as a negative return code
(``-signal.SIGSEGV``), a hang as :class:`subprocess.TimeoutExpired` (the child is
killed), a silent loss as the value the script reports with ``report(...)``.
Nothing here imports riskreview: these scripts show what the bare engine does.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The repository root: child processes run here, so ``import riskreview`` finds the checkout.
ROOT = Path(__file__).resolve().parents[2]

PRELUDE = textwrap.dedent(
    '''
    import json, sys, threading, time
    import durable.engine as engine

    class Host(engine.Host):
        """A Host with no timer threads whose actions come from a dict."""

        def __init__(self, actions):
            self.actions = actions
            super().__init__()

        def _run(self):
            pass

        def get_action(self, name):
            return self.actions[name]

    def recording_host(conditions, name="rs"):
        """One rule per {rule name: condition on one fact}; returns (host, fired).

        ``fired`` collects [rule name, fact id] for every action that ran.
        """
        fired = []

        def recorder(rule):
            def record(c):
                fired.append([rule, c.m["id"]])
            return record

        host = Host({rule: recorder(rule) for rule in conditions})
        host.set_rulesets({name: {rule: {"all": [{"m": cond}], "run": rule}
                                  for rule, cond in conditions.items()}})
        return host, fired

    def quietly(call, *args):
        """call(*args); "no rule matched" (an ordinary outcome) comes back as a string."""
        try:
            return call(*args)
        except engine.MessageNotHandledException:
            return "not handled"

    def report(value):
        print("RESULT " + json.dumps(value), flush=True)
    '''
)


@dataclass(frozen=True)
class Run:
    """What a child process did: its return code and the value it reported."""

    returncode: int
    stdout: str
    stderr: str

    @property
    def result(self) -> Any:
        """The value passed to ``report`` (the last one), or ``None`` if none was."""
        lines = [ln for ln in self.stdout.splitlines() if ln.startswith("RESULT ")]
        return json.loads(lines[-1].removeprefix("RESULT ")) if lines else None

    @property
    def killed_by_signal(self) -> bool:
        """The process died of a signal (segmentation fault, floating point error…)."""
        return self.returncode < 0


def run_raw(body: str, timeout: float = 5.0, **values: Any) -> Run:
    """Run ``body`` after :data:`PRELUDE` in a fresh interpreter.

    Each keyword becomes a constant of the script (``N=255`` → ``N = 255``), so one
    body can run with and without the hazard. Raises
    :class:`subprocess.TimeoutExpired` (after killing the child) when the script does
    not finish within ``timeout`` seconds.
    """
    constants = "".join(f"{name} = {value!r}\n" for name, value in values.items())
    code = PRELUDE + "\n" + constants + textwrap.dedent(body)
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=ROOT,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


def run_python(code: str, timeout: float = 20.0) -> Run:
    """Run ``code`` as it is (no prelude) in a fresh interpreter."""
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=ROOT,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)
