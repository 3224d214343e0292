"""Hypothesis settings profiles for the whole suite.

``ci`` (the default) is derandomized and keeps no example database, so a run gives
the same examples every time and never flakes. ``long`` (``RISKREVIEW_PROFILE=long``)
draws fresh random examples, ten times as many: property tests that size their runs
with ``settings().max_examples`` grow tenfold with it (100,000 differential cases
instead of 10,000).
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile(
    "ci", max_examples=100, derandomize=True, database=None, deadline=None, print_blob=True
)
settings.register_profile(
    "long", max_examples=1_000, derandomize=False, database=None, deadline=None, print_blob=True
)

_PROFILE = os.environ.get("RISKREVIEW_PROFILE", "ci")
if _PROFILE not in ("ci", "long"):
    raise ValueError(f"RISKREVIEW_PROFILE must be 'ci' or 'long', got {_PROFILE!r}")
settings.load_profile(_PROFILE)

# With --doctest-modules every conftest.py would also be imported as a doctest module
# under the one name "conftest", which clashes between directories; they hold no doctests.
collect_ignore_glob = ["conftest.py", "*/conftest.py"]
