"""The envelopes around claims: interchange, functional group, transaction set.

Each is reported to the rules when it closes, after the claims it holds,
with what its trailer declared and what the reader counted. A trailer that
never came (a truncated file) is ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from lint837.reader import Delimiters, Segment

IMPLEMENTATION = "005010X222"  # 837P; the A1 and A2 errata keep this prefix


def in_scope(code: str, implementation: str) -> bool:
    """True for a set lint837 lints: an 837 (ST01) on the 005010X222 guide
    (``implementation``: ST03, else GS08)."""
    return code == "837" and implementation.startswith(IMPLEMENTATION)


@dataclass(slots=True, eq=False)
class Interchange:
    """ISA … IEA. ``header`` is None for a file that starts without an ISA."""

    header: Segment | None
    delimiters: Delimiters
    trailer: Segment | None = None
    group_count: int = 0

    @property
    def control_number(self) -> str:
        return self.header.get(13).strip() if self.header is not None else ""


@dataclass(slots=True, eq=False)
class FunctionalGroup:
    """GS … GE. ``header`` is None for a transaction set with no GS."""

    header: Segment | None
    interchange: Interchange
    trailer: Segment | None = None
    transaction_count: int = 0

    @property
    def version(self) -> str:
        """GS08, the version and implementation the group declares."""
        return self.header.get(8) if self.header is not None else ""


@dataclass(slots=True, eq=False)
class TransactionSet:
    """ST … SE, with the facts the envelope rules and claim rules need."""

    header: Segment
    group: FunctionalGroup
    trailer: Segment | None = None
    last_index: int = 0  # index of the last segment read inside the set
    claim_count: int = 0
    beginning: Segment | None = None  # BHT
    creation_date: str = ""
    """BHT04, the date the submitter created the transaction (CCYYMMDD).

    Read once, when the builder meets the BHT: every claim's verdict key
    holds it.
    """

    @property
    def code(self) -> str:
        """ST01, the transaction set identifier (837, 276...)."""
        return self.header.get(1)

    @property
    def implementation(self) -> str:
        """ST03, else GS08: which implementation guide the set follows."""
        return self.header.get(3) or self.group.version

    @property
    def in_scope(self) -> bool:
        """True for an 837 built on the 005010X222 (837P) guide."""
        return in_scope(self.code, self.implementation)

    @property
    def segment_count(self) -> int:
        """Segments from ST to SE inclusive, as the reader counted them."""
        last = self.trailer.index if self.trailer is not None else self.last_index
        return last - self.header.index + 1


class IssueKind(StrEnum):
    """Structural facts the builder notices while cutting the file up."""

    OUTSIDE_ENVELOPE = "outside-envelope"  # a segment outside ISA/GS/ST
    MISSING_INTERCHANGE = "missing-interchange"  # GS or ST with no open ISA
    MISSING_GROUP = "missing-group"  # ST with no open GS
    UNKNOWN_SEGMENT = "unknown-segment"  # an id not in the 837P guide
    MALFORMED_SEGMENT = "malformed-segment"  # not an X12 segment id at all
    HL_PARENT = "hl-parent"  # HL02 names no open parent level
    HL_LEVEL = "hl-level"  # HL03 is not 20, 22 or 23
    CLAIM_WITHOUT_SUBSCRIBER = "claim-without-subscriber"
    LINE_WITHOUT_CLAIM = "line-without-claim"


@dataclass(frozen=True, slots=True)
class StructureIssue:
    """Something in the file's structure that is not where it should be."""

    kind: IssueKind
    segment: Segment
    detail: str = ""
    transaction: TransactionSet | None = field(default=None, compare=False)
