"""The engine envelope: durable-rules' measured limits, which every compiled ruleset keeps.

ENGINE-NOTES.md records the measurements. :mod:`riskreview._compile` checks each
pack's rules against these limits when the pack loads, and :data:`BIG` is the
number that stands for an unknown value in a fact.
"""

from __future__ import annotations

BIG = 1_000_000_000
MAX_BOUND = BIG // 10  # no literal may come near the encoding of "unknown"
MAX_LANES = 400  # all lanes hang off one engine node; 513 children hang ruleset creation
LANE_PATHS = 56  # ≤ 64 matches per fact, less the catch-all and a margin
MAX_OBJECT_PROPS = 200  # engine crashes above ~254 properties on one object
MAX_SIBLINGS = 400  # ruleset creation hangs at 512 siblings under one node
MAX_FACT_BYTES = 4 * 2**20  # measured: 13 MB facts held; ~20 MB were dropped or crashed
