"""The JSON Lines reader of ``POST /batch`` sees the same lines however the body is
cut into chunks, and never holds more than one case's worth of a long line."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from riskreview._serve_http import lines

TEXT = b'{"case_id": "A"}\n\n  \n{"case_id": "B"}\r\n' + b"x" * 40 + b'\n{"case_id": "C"}'
EXPECTED = [
    (1, b'{"case_id": "A"}'),
    (4, b'{"case_id": "B"}\r'),
    (5, None),  # 40 bytes, over the limit of 30
    (6, b'{"case_id": "C"}'),
]


def _read(chunks: list[bytes], limit: int) -> list[tuple[int, bytes | None]]:
    async def stream() -> AsyncIterator[bytes]:
        for piece in chunks:
            yield piece

    async def collect() -> list[tuple[int, bytes | None]]:
        return [item async for item in lines(stream(), limit)]

    return asyncio.run(collect())


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 16, 17, 29, 64, len(TEXT)])
def test_lines_are_the_same_however_the_body_is_chunked(size: int) -> None:
    chunks = [TEXT[i : i + size] for i in range(0, len(TEXT), size)]
    assert _read(chunks, 30) == EXPECTED


def test_a_line_exactly_at_the_limit_is_kept_one_byte_over_is_not() -> None:
    assert _read([b"a" * 30 + b"\n" + b"b" * 31 + b"\n"], 30) == [(1, b"a" * 30), (2, None)]


def test_a_long_last_line_without_a_newline_is_reported() -> None:
    assert _read([b'{"case_id": "A"}\n', b"y" * 50], 30) == [(1, b'{"case_id": "A"}'), (2, None)]


def test_an_empty_body_has_no_lines() -> None:
    assert _read([], 30) == [] and _read([b"", b"\n\n"], 30) == []
