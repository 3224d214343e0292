"""Ctrl-C in a batch: held back while a result is written, acted on while the batch
waits, never lost in between (riskreview._batchio.Interrupts); SIGTERM and SIGHUP
alike."""

from __future__ import annotations

import os
import signal
from typing import Any

import pytest

from riskreview._batchio import Interrupts


class _LateCtrlC(Interrupts):
    """Ctrl-C arrives just as the batch lets go of it: after the check for one held
    back, before the wait begins."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "holding" and value is False:
            object.__setattr__(self, "pending", True)
        object.__setattr__(self, name, value)


def test_a_ctrl_c_arriving_as_the_batch_lets_go_stops_the_wait() -> None:
    interrupts = _LateCtrlC()
    waited = []
    with pytest.raises(KeyboardInterrupt), interrupts.allowed():
        waited.append(True)  # the wait for the next result: never reached
    assert waited == []
    assert interrupts.holding  # held back again for the writing that follows


def test_a_ctrl_c_held_back_while_writing_stops_the_next_wait() -> None:
    interrupts = Interrupts()
    interrupts._handle(2, None)  # while writing a result: held back, not raised
    assert interrupts.pending
    with pytest.raises(KeyboardInterrupt), interrupts.allowed():
        pytest.fail("the wait began although a Ctrl-C was held back")


def test_while_waiting_a_ctrl_c_stops_at_once() -> None:
    interrupts = Interrupts()
    with pytest.raises(KeyboardInterrupt), interrupts.allowed():
        interrupts._handle(2, None)


@pytest.mark.parametrize(("stop", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_a_service_managers_stop_is_held_back_as_ctrl_c_is(stop: int, code: int) -> None:
    with Interrupts() as interrupts:
        assert signal.getsignal(stop) == interrupts._handle  # else the kill ends the tests
        os.kill(os.getpid(), stop)  # while a result is written: held back
        assert interrupts.pending
        with pytest.raises(KeyboardInterrupt), interrupts.allowed():
            pytest.fail("the wait began although a stop was held back")
        os.kill(os.getpid(), signal.SIGINT)  # a second signal: the first one is told
    assert (interrupts.signum, interrupts.exit_code) == (stop, code)
    assert signal.getsignal(stop) is signal.SIG_DFL  # given back as it was


def test_a_stop_ignored_when_the_batch_starts_stays_ignored() -> None:
    """``nohup`` ignores SIGHUP: the batch leaves it so."""
    before = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with Interrupts() as interrupts:
            os.kill(os.getpid(), signal.SIGHUP)
            assert not interrupts.pending
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, before)
    assert interrupts.exit_code == 130  # none came: Ctrl-C's
