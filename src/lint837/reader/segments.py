"""Split text into segments, each with its position in the file.

This is the hot path. Each chunk of text is split with one ``str.split``
into a :class:`Block`: the segment texts, a three-character key per segment
(its id, plus the element separator for two-letter ids) and what it takes
to tell any segment's position. :class:`Segment` objects are views made on
demand: most segments of a claim file are never looked at past their key,
and building an object for each would cost more than the split itself.

Most files put exactly one line break after each terminator; such chunks
take a fast path where positions follow from the piece lengths alone.
Other layouts (indentation, blank lines, several segments a line) take the
general path, which records each segment's position as it goes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from itertools import accumulate
from operator import itemgetter

from lint837.errors import InputError
from lint837.reader.delimiters import Delimiters, guess_bare, sniff_isa
from lint837.reader.source import Encoding

logger = logging.getLogger(__name__)

# A segment's key: its first three characters (map() runs this in C).
_key = itemgetter(slice(0, 3))


class Block:
    """Positions of the segments split from one chunk of text.

    Offsets are kept in characters and turned into byte offsets with the
    encoding's origin and width. On the fast path every segment starts a
    line (or the chunk has no line break at all), so lines and columns are
    derived; on the general path they are recorded per segment.
    """

    __slots__ = (
        "_cumulative",
        "_last",
        "columns",
        "delimiters",
        "first_index",
        "first_line",
        "key_set",
        "keys",
        "line_start",
        "lines",
        "origin",
        "regular",
        "separator_length",
        "starts",
        "texts",
        "width",
    )

    def __init__(
        self, delimiters: Delimiters, first_index: int, origin: int, width: int
    ) -> None:
        self.delimiters = delimiters
        self.first_index = first_index
        self.origin = origin
        self.width = width

        self.starts: list[int] = []
        self.lines: list[int] | None = []
        self.columns: list[int] = []
        self.first_line = 1
        self.line_start = 0
        self.separator_length = 1
        self.regular = False

        self.texts: list[str] = []
        self.keys: list[str] = []
        self.key_set: set[str] | None = None  # the distinct keys, when known
        self._cumulative: list[int] | None = None
        self._last = (0, 0)  # (k, position) of the last position worked out

    def __len__(self) -> int:
        return len(self.texts)

    def segment(self, k: int) -> Segment:
        """The ``k``-th segment of this block (0-based) as a Segment."""
        return Segment(self.texts[k], self.first_index + k, self)

    def segments(self, start: int = 0, stop: int | None = None) -> list[Segment]:
        """Segments ``start`` to ``stop`` (exclusive) of this block."""
        texts = self.texts
        stop = len(texts) if stop is None else stop
        first = self.first_index
        return [Segment(texts[k], first + k, self) for k in range(start, stop)]

    def extract(self, start: int, stop: int) -> Block:
        """A small block holding copies of segments ``start`` to ``stop``.

        Objects that outlive their chunk (an envelope header, a billing
        provider) keep one of these, so they do not pin the whole chunk.
        """
        first = self.first_index + start
        small = Block(self.delimiters, first, 0, 1)
        small.texts = self.texts[start:stop]
        small.keys = self.keys[start:stop]

        indices = range(first, first + len(small.texts))
        small.starts = [self.offset(index) for index in indices]
        small.lines = [self.line(index) for index in indices]
        small.columns = [self.column(index) for index in indices]
        return small

    def _position(self, index: int) -> int:
        k = index - self.first_index
        if not self.regular:
            return self.starts[k]

        # Positions are asked for mostly in file order: walk on from the
        # last one rather than summing the whole block's lengths.
        last_k, last_position = self._last
        if k >= last_k:
            position = last_position + sum(map(len, self.texts[last_k:k]))
            position += (k - last_k) * self.separator_length
            self._last = (k, position)
            return self.starts[0] + position
        cumulative = self._cumulative
        if cumulative is None:
            cumulative = self._cumulative = list(
                accumulate(map(len, self.texts), initial=0)
            )
        return self.starts[0] + cumulative[k] + k * self.separator_length

    def offset(self, index: int) -> int:
        """Byte offset in the input of segment ``index``."""
        return self.origin + self._position(index) * self.width

    def line(self, index: int) -> int:
        """1-based text line of segment ``index``."""
        if self.lines is None:
            if self.separator_length == 1 and self.delimiters.segment != "\n":
                return self.first_line
            return self.first_line + index - self.first_index
        return self.lines[index - self.first_index]

    def column(self, index: int) -> int:
        """1-based text column of segment ``index``."""
        if not self.regular:
            return self.columns[index - self.first_index]
        if self.separator_length == 1 and self.delimiters.segment != "\n":
            return self._position(index) - self.line_start + 1
        return 1


class Segment:
    """One segment: its text (without the line breaks or indentation before it).

    Spaces before the terminator are kept: they belong to the last element.

    ``index`` is the 1-based count of segments in the file, the coordinate
    X12 tools report. Byte offset, line and column come from the block the
    segment was split from.
    """

    __slots__ = ("_elements", "block", "index", "text")

    def __init__(self, text: str, index: int, block: Block) -> None:
        self.text = text
        self.index = index
        self.block = block
        self._elements: list[str] | None = None

    @property
    def id(self) -> str:
        """The segment id (``CLM``, ``SV1``...)."""
        text = self.text
        cut = text.find(self.block.delimiters.element)
        return text if cut < 0 else text[:cut]

    @property
    def offset(self) -> int:
        """Byte offset of the segment's first character in the input."""
        return self.block.offset(self.index)

    @property
    def line(self) -> int:
        """1-based line of the segment's first character."""
        return self.block.line(self.index)

    @property
    def column(self) -> int:
        """1-based column of the segment's first character."""
        return self.block.column(self.index)

    @property
    def delimiters(self) -> Delimiters:
        return self.block.delimiters

    @property
    def elements(self) -> list[str]:
        """The elements, with the segment id at position 0 (so SV104 is [4])."""
        elements = self._elements
        if elements is None:
            elements = self._elements = self.text.split(self.block.delimiters.element)
        return elements

    def get(self, position: int) -> str:
        """Element ``position`` (1-based), or "" when it is absent."""
        elements = self.elements
        return elements[position] if position < len(elements) else ""

    def components(self, position: int) -> list[str]:
        """The components of composite element ``position``."""
        return self.get(position).split(self.block.delimiters.component)

    def component(self, position: int, component: int) -> str:
        """Component ``component`` (1-based) of element ``position``, or ""."""
        parts = self.components(position)
        return parts[component - 1] if component <= len(parts) else ""

    def element_offset(self, position: int) -> int:
        """Characters from the segment start to element ``position``."""
        elements = self.elements[: max(0, position)]
        return sum(len(value) + 1 for value in elements)

    def __repr__(self) -> str:
        return f"Segment({self.index}, {self.text[:40]!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Segment):
            return NotImplemented
        return self.index == other.index and self.block is other.block

    def __hash__(self) -> int:
        return hash(self.index)


def split_segments(
    chunks: Iterable[str], encoding: Encoding, name: str
) -> Iterator[Block]:
    """Yield the segments of a text stream, a block per chunk of text.

    Delimiters are read again at each ISA. Whitespace around segments is
    skipped; a newline can itself be the terminator. Text after the last
    terminator is yielded as a final segment, so a truncated file loses
    nothing.
    """
    return _Splitter(encoding, name).run(chunks)


class _Splitter:
    def __init__(self, encoding: Encoding, name: str) -> None:
        self.origin = encoding.origin
        self.width = encoding.width
        self.name = name
        self.index = 0  # segments emitted so far
        self.position = 0  # characters consumed
        self.line = 1
        self.line_start = 0  # character position where the current line starts
        self.line_break = "\n"  # "\r" for old Mac files, which have no "\n"

    def run(self, chunks: Iterable[str]) -> Iterator[Block]:
        iterator = iter(chunks)
        text = self._skip_leading_space(iterator)
        delimiters = self._initial_delimiters(text)
        rest = ""

        while text is not None:
            pending = rest + text
            text = next(iterator, None)
            final = text is None
            while pending:
                blocks, switched, pending, rest = self._split(
                    pending, delimiters, final
                )
                for block in blocks:
                    if block.texts:
                        yield block

                # Unless an ISA changed the terminator, this text is done.
                if switched is None:
                    break
                logger.debug("%s: new delimiters %s", self.name, switched)
                delimiters = switched

    def _skip_leading_space(self, iterator: Iterator[str]) -> str | None:
        for chunk in iterator:
            stripped = chunk.lstrip()
            self._count_lines(chunk[: len(chunk) - len(stripped)], 0)
            self.position += len(chunk) - len(stripped)
            if stripped:
                return stripped
        return None

    def _count_lines(self, text: str, start: int) -> None:
        line_break = self.line_break
        newlines = text.count(line_break)
        if newlines:
            self.line += newlines
            self.line_start = self.position + start + text.rfind(line_break) + 1

    def _initial_delimiters(self, text: str | None) -> Delimiters:
        if text is None:
            raise InputError("input holds only whitespace", source=self.name)

        header = sniff_isa(text)
        if header is not None:
            return header.delimiters

        delimiters = guess_bare(text)
        if delimiters is None:
            raise InputError(
                "cannot find the delimiters: the ISA header is incomplete",
                source=self.name,
                offset=self.origin + self.position * self.width,
            )
        logger.info("%s: no ISA header; guessed %s", self.name, delimiters)
        return delimiters

    def _split(
        self, pending: str, delimiters: Delimiters, final: bool
    ) -> tuple[list[Block], Delimiters | None, str, str]:
        """Split ``pending``; return blocks, new delimiters, text left, rest."""
        terminator = delimiters.segment
        separator = self._likely_separator(pending, terminator)

        if separator is not None:
            pieces = pending.split(separator)
            rest = "" if final else pieces.pop()
            found = self._regular_keys(pieces, pending, separator, terminator, final)
            if found is not None:
                consumed = len(pending) - len(rest)
                block = self._fast(pieces, found, separator, delimiters, consumed)
                return [block], None, "", rest

        # General path: irregular layout, or an ISA that may change delimiters.
        pieces = pending.split(terminator)
        rest = "" if final else pieces.pop()
        return self._general(pieces, pending, delimiters, rest)

    @staticmethod
    def _likely_separator(text: str, terminator: str) -> str | None:
        """What separates segments if each sits alone on its own line.

        Single-character scans only; :meth:`_regular_keys` then checks the
        guess against the pieces it gives.
        """
        has_return = "\r" in text
        if terminator == "\n":
            return None if has_return else "\n"
        if "\n" not in text:
            return None if has_return else terminator
        return terminator + ("\r\n" if has_return else "\n")

    def _regular_keys(
        self,
        pieces: list[str],
        text: str,
        separator: str,
        terminator: str,
        final: bool,
    ) -> tuple[list[str], set[str]] | None:
        """The pieces' keys, and the distinct ones, if the layout is regular.

        Regular: every line break belongs to a separator, every terminator
        but one at the very end starts a separator, no segment is indented
        or blank, and no ISA opens a new interchange inside the text.
        """
        if final and pieces:
            tail = pieces[-1]
            if tail.endswith(terminator) and terminator != separator:
                tail = tail[: -len(terminator)]
            if tail:
                pieces[-1] = tail
            else:
                pieces.pop()

        separators = text.count(separator)
        if "\n" in separator and text.count("\n") != separators:
            return None
        if terminator != separator:
            terminators = text.count(terminator)
            if terminators == separators + 1:
                if not text.rstrip("\r\n").endswith(terminator):
                    return None
            elif terminators != separators:
                return None

        keys = list(map(_key, pieces))
        distinct = set(keys)
        if distinct and min(distinct) < "!":
            return None  # a blank or indented segment
        if "ISA" in distinct:
            later = keys[1:] if self.index == 0 else keys  # the file's first ISA
            if "ISA" in later:
                return None  # a new interchange: its delimiters are read anew
        return keys, distinct

    def _fast(
        self,
        pieces: list[str],
        keys: tuple[list[str], set[str]],
        separator: str,
        delimiters: Delimiters,
        consumed: int,
    ) -> Block:
        block = Block(delimiters, self.index + 1, self.origin, self.width)
        block.regular = True
        block.lines = None
        block.first_line = self.line
        block.line_start = self.line_start
        block.separator_length = len(separator)
        block.starts = [self.position]
        block.texts = pieces
        block.keys, block.key_set = keys

        if "\n" in separator:
            self.line += len(pieces)
            self.line_start = self.position + consumed
        self.position += consumed
        self.index += len(pieces)

        return block

    def _general(
        self, pieces: list[str], pending: str, delimiters: Delimiters, rest: str
    ) -> tuple[list[Block], Delimiters | None, str, str]:
        block = Block(delimiters, self.index + 1, self.origin, self.width)
        blocks = [block]
        newline_terminated = delimiters.segment in ("\n", "\r")
        if delimiters.segment == "\r" or ("\n" not in pending and "\r" in pending):
            self.line_break = "\r"
        pending_start = self.position

        for piece in pieces:
            body = piece.lstrip()
            if newline_terminated:
                body = body.rstrip("\r")
            if not body or body.isspace():
                self._count_lines(piece, 0)
                self._advance_piece(len(piece), newline_terminated)
                continue

            lead = len(piece) - len(piece.lstrip())
            if lead:
                self._count_lines(piece[:lead], 0)
            start = self.position + lead

            if body.startswith("ISA"):
                header = sniff_isa(pending[start - pending_start :])
                if header is not None and header.delimiters != delimiters:
                    # Another terminator: the caller splits the rest again.
                    if header.delimiters.segment != delimiters.segment:
                        self.position = start
                        left = pending[start - pending_start :]
                        return blocks, header.delimiters, left, ""
                    delimiters = header.delimiters
                    block = Block(delimiters, self.index + 1, self.origin, self.width)
                    blocks.append(block)

            self.index += 1
            block.texts.append(body)
            block.keys.append(body[:3])
            block.starts.append(start)
            block.columns.append(start - self.line_start + 1)
            lines = block.lines
            assert lines is not None
            lines.append(self.line)
            self._count_lines(piece[lead:], lead)
            self._advance_piece(len(piece), newline_terminated)

        return blocks, None, "", rest

    def _advance_piece(self, size: int, newline_terminated: bool) -> None:
        self.position += size + 1
        if newline_terminated:
            self.line += 1
            self.line_start = self.position
