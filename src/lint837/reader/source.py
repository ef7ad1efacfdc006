"""Turn an input (a path, bytes or a binary stream) into text chunks.

Text is decoded as Latin-1 so that one character is one byte: offsets
into the text are byte offsets into the file, at no cost. UTF-8 values
(names with accents) survive the round trip and are re-decoded only where
a value is shown (:func:`display`). UTF-16 files are transcoded with an
incremental decoder; their offsets count two bytes a character.
"""

from __future__ import annotations

import codecs
import logging
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

from lint837.errors import InputError

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1 << 18
_UTF8_BOM = codecs.BOM_UTF8
_PROBE = 4096


@dataclass(frozen=True, slots=True)
class Encoding:
    """How the bytes of a source map to the text the reader splits."""

    name: str
    origin: int  # bytes before the first character (a byte-order mark)
    width: int  # bytes per character, for offsets


SPOOL_IN_MEMORY = 64 << 20
"""Bytes of a non-seekable stream kept in memory before it goes to disk."""


@contextmanager
def rereadable(stream: BinaryIO) -> Iterator[BinaryIO]:
    """``stream`` if it can seek, else a spooled copy that can: for the
    callers that read an input twice (the rules, then a validator)."""
    if stream.seekable():
        yield stream
        return
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
        shutil.copyfileobj(stream, spool)
        spool.seek(0)
        yield spool  # type: ignore[misc]


def display(value: str) -> str:
    """Undo the Latin-1 reading for a value shown to a person."""
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def text_chunks(
    stream: BinaryIO, name: str, chunk_size: int = CHUNK_SIZE
) -> tuple[Encoding, Iterator[str]]:
    """Detect the encoding from the first bytes and stream the text.

    Raises InputError for input that cannot be X12: empty, binary, or
    starting with something other than an ISA, GS or ST segment.
    """
    head = stream.read(max(chunk_size, _PROBE))
    encoding = _detect(head, name)
    logger.debug("%s: reading as %s", name, encoding.name)

    if encoding.name == "latin-1":
        chunks = _latin1_chunks(stream, head[encoding.origin :], chunk_size)
    else:
        chunks = _utf16_chunks(stream, head, encoding.name, chunk_size)
    return encoding, chunks


def _detect(head: bytes, name: str) -> Encoding:
    if not head:
        raise InputError("empty input: expected an X12 interchange", source=name)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Encoding("utf-16", 2, 2)
    if head.startswith(b"I\x00S\x00A\x00"):
        return Encoding("utf-16-le", 0, 2)
    if head.startswith(b"\x00I\x00S\x00A"):
        return Encoding("utf-16-be", 0, 2)

    origin = len(_UTF8_BOM) if head.startswith(_UTF8_BOM) else 0
    body = head[origin:].lstrip()
    if not body:
        raise InputError("input holds only whitespace", source=name)
    if not body.startswith((b"ISA", b"GS", b"ST")) or not _is_separator(body):
        raise InputError(_not_x12_reason(body), source=name, offset=origin)
    return Encoding("latin-1", origin, 1)


def _is_separator(body: bytes) -> bool:
    position = 3 if body.startswith(b"ISA") else 2
    if len(body) <= position:
        return False
    char = body[position : position + 1]
    return not (char.isalnum() or char.isspace())


def _not_x12_reason(body: bytes) -> str:
    if body.startswith(b"%PDF"):
        kind = "a PDF document"
    elif body[:1] in (b"{", b"["):
        kind = "JSON"
    elif body[:1] == b"<":
        kind = "XML or HTML"
    elif body.startswith(b"PK\x03\x04"):
        kind = "a ZIP archive"
    elif b"\x00" in body[:_PROBE] or not body[:64].isascii():
        kind = "binary data"
    else:
        kind = "text that does not start with an ISA, GS or ST segment"
    return f"not an X12 file: found {kind} ({body[:16]!r}...)"


def _latin1_chunks(stream: BinaryIO, first: bytes, size: int) -> Iterator[str]:
    if first:
        yield first.decode("latin-1")
    while block := stream.read(size):
        yield block.decode("latin-1")


def _utf16_chunks(
    stream: BinaryIO, head: bytes, codec: str, size: int
) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(codec)(errors="replace")
    block = head
    while block:
        text = decoder.decode(block)
        if text:
            yield text
        block = stream.read(size)

    # Flush what the decoder held back (an incomplete character at the end).
    tail = decoder.decode(b"", final=True)
    if tail:
        yield tail
