"""An evaluator module that kills the first worker process importing it, before the
worker reports ready: a worker that dies while starting.

The parent names a marker file in ``RISKREVIEW_TEST_DIE_ONCE``; the one worker that
manages to remove it dies, every later worker starts normally.
"""

from __future__ import annotations

import os

from riskreview.batch import _evaluate_one as evaluate

__all__ = ["evaluate"]

_MARKER = os.environ.get("RISKREVIEW_TEST_DIE_ONCE")
if _MARKER:
    try:
        os.unlink(_MARKER)
    except FileNotFoundError:
        pass
    else:
        os._exit(70)
