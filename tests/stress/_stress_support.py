"""The one private helper the stress tests need, imported here only: a move of the
runtime cache is a one-line change in this file."""

from __future__ import annotations

from riskreview._runtime import runtime as compiled_runtime

__all__ = ["compiled_runtime"]
