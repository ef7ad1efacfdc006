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
from dataclasses import dataclass
from typing import BinaryIO

from lint837.reader import CHUNK_SIZE, read_segments

MADE_UP = 0
"""The file index of a segment the unit made up (the closing GE and IEA)."""


@dataclass(frozen=True, slots=True)
class Unit:
    """One transaction set, ready for a validator.

    ``segments`` are the texts in order (ISA, GS, ST ... SE, GE, IEA);
    ``indexes`` the 1-based index of each in the file, :data:`MADE_UP` for
    the closing GE and IEA; ``places`` the byte offset, text line and
    column of each (zeros for the made-up ones); ``claims`` the first and
    last index and CLM01 of each claim, in file order.
    """

    source: str
    terminator: str
    segments: tuple[str, ...]
    indexes: tuple[int, ...]
    places: tuple[tuple[int, int, int], ...]
    claims: tuple[tuple[int, int, str], ...]

    @property
    def text(self) -> str:
        """The unit as X12 text, one segment a line (pyx12 counts lines)."""
        end = self.terminator if self.terminator in "\r\n" else self.terminator + "\n"
        return "".join(segment + end for segment in self.segments)

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


def _first(claim: tuple[int, int, str]) -> int:
    return claim[0]


@dataclass
class _Open:
    """The transaction set being read."""

    texts: list[str]
    indexes: list[int]
    places: list[tuple[int, int, int]]
    claims: list[tuple[int, int, str]]
    claim: tuple[int, str] | None = None

    def close_claim(self, last: int) -> None:
        if self.claim is not None:
            self.claims.append((self.claim[0], last, self.claim[1]))
            self.claim = None


# A header and where it is: (index, text, (offset, line, column)).
_Header = tuple[int, str, tuple[int, int, int]]
_KEPT = frozenset({"ISA", "GS", "ST"})


def units(stream: BinaryIO, name: str, chunk_size: int = CHUNK_SIZE) -> Iterator[Unit]:
    """The transaction sets of a stream, one :class:`Unit` each, as read.

    Sets outside an interchange or group are skipped (ENV010 and ENV008
    report them). Raises InputError on input that is not X12.
    """
    isa: _Header | None = None
    gs: _Header | None = None
    current: _Open | None = None
    element = terminator = ""

    for block in read_segments(stream, name, chunk_size):
        element, terminator = block.delimiters.element, block.delimiters.segment
        for k, text in enumerate(block.texts):
            index = block.first_index + k
            segment_id = text.split(element, 1)[0]
            if segment_id not in _KEPT and current is None:
                continue
            place = (block.offset(index), block.line(index), block.column(index))
            if segment_id == "ISA":
                isa, gs, current = (index, text, place), None, None
            elif segment_id == "GS":
                gs, current = (index, text, place), None
            elif segment_id == "ST":
                current = _Open([text], [index], [place], []) if isa and gs else None
            elif current is not None:
                current.texts.append(text)
                current.indexes.append(index)
                current.places.append(place)
                if segment_id in ("HL", "CLM", "SE"):
                    current.close_claim(index - 1)
                if segment_id == "CLM":
                    fields = text.split(element, 2)
                    current.claim = (index, fields[1] if len(fields) > 1 else "")
                if segment_id == "SE":
                    assert isa is not None and gs is not None
                    yield _unit(name, terminator, element, isa, gs, current)
                    current = None

    if current is not None and isa is not None and gs is not None:  # no SE
        current.close_claim(current.indexes[-1])
        yield _unit(name, terminator, element, isa, gs, current)


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
        (isa[2], gs[2], *current.places, (0, 0, 0), (0, 0, 0)),
        tuple(current.claims),
    )
