"""Cut a file into transaction sets that a validator can check one by one.

Each transaction set is independent of the others, so validators run it
on its own, in another process if need be. A :class:`Unit` carries the
set's segments wrapped in the headers of its interchange (ISA) and group
(GS), closed by a made-up GE and IEA that count one set: envelope counts
and control numbers across the whole file are the ENV rules' job. Each
segment of the unit keeps its index in the file, so what a validator
reports lands on the file's own positions.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from itertools import compress
from typing import BinaryIO

from lint837.reader import CHUNK_SIZE, Block, read_segments

MADE_UP = 0
"""The file index of a segment the unit made up (the closing GE and IEA)."""

Place = tuple[int, int, int]
"""Where a segment is in the file: byte offset, text line, column."""


@dataclass(frozen=True, slots=True)
class Unit:
    """One transaction set, ready for a validator.

    ``segments`` are the texts in order (ISA, GS, ST ... SE, GE, IEA);
    ``indexes`` the 1-based index of each in the file, :data:`MADE_UP` for
    the closing GE and IEA; ``claims`` the first and last index and CLM01
    of each claim, in file order. Where a segment is in the file (byte
    offset, line, column) is worked out only for the few that a problem is
    reported on (:meth:`place`): from ``headers`` for the ISA and GS, from
    the reader's blocks in ``spans`` for the others. A unit sent to another
    process goes :meth:`stripped` of its blocks.
    """

    source: str
    terminator: str
    segments: tuple[str, ...]
    indexes: tuple[int, ...]
    claims: tuple[tuple[int, int, str], ...]
    headers: tuple[Place, Place] = ((0, 0, 0), (0, 0, 0))
    spans: tuple[tuple[Block, int, int], ...] = ()  # block, first and last index

    @property
    def text(self) -> str:
        """The unit as X12 text, one segment a line (pyx12 counts lines)."""
        end = self.terminator if self.terminator in "\r\n" else self.terminator + "\n"
        return end.join(self.segments) + end

    @property
    def first_index(self) -> int:
        """The file index of the ST."""
        return self.indexes[2]

    def claim_at(self, index: int) -> str | None:
        """CLM01 of the claim holding the segment at ``index``, if any."""
        k = bisect.bisect_right(self.claims, index, key=_first) - 1
        if k >= 0 and self.claims[k][0] <= index <= self.claims[k][1]:
            return self.claims[k][2]
        return None

    def place(self, k: int) -> Place:
        """Byte offset, line and column of the unit's ``k``-th segment.

        Zeros for the made-up GE and IEA, and in a stripped unit.
        """
        if k < 2:
            return self.headers[k]
        index = self.indexes[k]
        for block, first, last in self.spans:
            if first <= index <= last:
                return (block.offset(index), block.line(index), block.column(index))
        return (0, 0, 0)

    def stripped(self) -> Unit:
        """The unit without the reader's blocks: light to send to a process."""
        return replace(self, spans=())


def _first(claim: tuple[int, int, str]) -> int:
    return claim[0]


@dataclass
class _Open:
    """The transaction set being read."""

    texts: list[str]
    indexes: list[int]
    claims: list[tuple[int, int, str]] = field(default_factory=list)
    spans: list[tuple[Block, int, int]] = field(default_factory=list)
    claim: tuple[int, str] | None = None

    def take(self, block: Block, start: int, stop: int) -> None:
        """Segments ``start`` to ``stop`` (excluded) of ``block``, as they are."""
        if stop <= start:
            return
        first = block.first_index
        self.texts += block.texts[start:stop]
        self.indexes += range(first + start, first + stop)
        if self.spans and self.spans[-1][0] is block:
            self.spans[-1] = (block, self.spans[-1][1], first + stop - 1)
        else:
            self.spans.append((block, first + start, first + stop - 1))

    def close_claim(self, last: int) -> None:
        if self.claim is not None:
            self.claims.append((self.claim[0], last, self.claim[1]))
            self.claim = None


# A header and where it is: (index, text, (offset, line, column)).
_Header = tuple[int, str, Place]


def units(stream: BinaryIO, name: str, chunk_size: int = CHUNK_SIZE) -> Iterator[Unit]:
    """The transaction sets of a stream, one :class:`Unit` each, as read.

    Sets outside an interchange or group are skipped (ENV010 and ENV008
    report them). Raises InputError on input that is not X12.

    Only the segments that open or close something (ISA, GS, ST, SE, HL,
    CLM) are looked at one by one; the others are taken in runs.
    """
    isa: _Header | None = None
    gs: _Header | None = None
    current: _Open | None = None
    element = terminator = ""

    for block in read_segments(stream, name, chunk_size):
        element, terminator = block.delimiters.element, block.delimiters.segment
        keys, texts = block.keys, block.texts
        marks = _marks(element)
        # The open set's segments from ``begin`` on are not taken yet: they are
        # taken in one run when it closes or the block ends.
        begin = 0
        first = block.first_index
        for k in compress(range(len(keys)), map(marks.__contains__, keys)):
            text = texts[k]
            segment_id = text.split(element, 1)[0]
            if segment_id != marks[keys[k]]:
                continue  # ISAX or CLMX: not one of ours
            index = first + k
            if segment_id in ("ISA", "GS"):
                header = (index, text, _place(block, index))
                isa, gs = (header, None) if segment_id == "ISA" else (isa, header)
                current = None
                continue
            if segment_id == "ST":
                current = _Open([], []) if isa and gs else None
                begin = k
            if current is None:
                continue
            if segment_id == "CLM":
                current.close_claim(index - 1)
                fields = text.split(element, 2)
                current.claim = (index, fields[1] if len(fields) > 1 else "")
            elif segment_id != "ST":  # HL or SE
                current.close_claim(index - 1)
            if segment_id == "SE":
                current.take(block, begin, k + 1)
                assert isa is not None and gs is not None
                yield _unit(name, terminator, element, isa, gs, current)
                current = None
        if current is not None:
            current.take(block, begin, len(keys))

    if current is not None and isa is not None and gs is not None:  # no SE
        current.close_claim(current.indexes[-1])
        yield _unit(name, terminator, element, isa, gs, current)


def _marks(element: str) -> dict[str, str]:
    """The segments units cut at, by their block key (first three characters)."""
    ids = ("ISA", "GS", "ST", "SE", "HL", "CLM")
    return {(segment_id + element)[:3]: segment_id for segment_id in ids}


def _place(block: Block, index: int) -> Place:
    return (block.offset(index), block.line(index), block.column(index))


def _unit(
    name: str,
    terminator: str,
    element: str,
    isa: _Header,
    gs: _Header,
    current: _Open,
) -> Unit:
    isa_fields, gs_fields = isa[1].split(element), gs[1].split(element)
    group = gs_fields[6] if len(gs_fields) > 6 else ""
    interchange = isa_fields[13] if len(isa_fields) > 13 else ""
    closing = (f"GE{element}1{element}{group}", f"IEA{element}1{element}{interchange}")
    return Unit(
        name,
        terminator,
        (isa[1], gs[1], *current.texts, *closing),
        (isa[0], gs[0], *current.indexes, MADE_UP, MADE_UP),
        tuple(current.claims),
        (isa[2], gs[2]),
        tuple(current.spans),
    )
