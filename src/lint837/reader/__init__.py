"""Stage 1 of the flow: bytes in, segments with positions out.

The reader knows X12 syntax (delimiters, segments, positions) and nothing
of claims.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import BinaryIO

from lint837.reader.delimiters import ISA_LENGTH, Delimiters, sniff_isa
from lint837.reader.segments import Block, Segment, split_segments
from lint837.reader.source import (
    CHUNK_SIZE,
    Encoding,
    display,
    rereadable,
    text_chunks,
)

__all__ = [
    "CHUNK_SIZE",
    "ISA_LENGTH",
    "Block",
    "Delimiters",
    "Encoding",
    "Segment",
    "display",
    "read_segments",
    "rereadable",
    "sniff_isa",
]

logger = logging.getLogger(__name__)


def read_segments(
    stream: BinaryIO, name: str, chunk_size: int = CHUNK_SIZE
) -> Iterator[Block]:
    """Stream the segments of one X12 input, a block per chunk of text.

    Raises :class:`lint837.errors.InputError` before the first segment when
    the input is not X12 at all. Memory use is bounded by ``chunk_size``
    (plus the longest segment), whatever the size of the input.
    """
    encoding, chunks = text_chunks(stream, name, chunk_size)
    return split_segments(chunks, encoding, name)
