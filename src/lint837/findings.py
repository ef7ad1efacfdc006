"""What a rule reports: a finding, with a severity and a location.

A finding is immutable and carries everything a formatter needs; its
dictionary form (:meth:`Finding.as_dict`) is the JSON contract that
clearinghouse scripts and the SARIF output rely on, so its keys only ever
grow.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import Enum
from typing import Any


class Severity(Enum):
    """How bad a finding is; ordered, so ``fail-on`` can compare."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank >= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank > other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank <= other.rank

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank


_RANKS = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding points: the segment, the element, the loop, the claim.

    ``segment_index`` is 1-based over the whole file (ISA is 1), ``offset``
    the byte offset of the segment, ``file_line`` and ``file_column`` the
    text position of the element (of the segment when ``element`` is None).
    ``claim`` is CLM01 and ``line`` LX01, when the finding is inside one.
    """

    file: str
    segment_index: int | None = None
    offset: int | None = None
    segment: str | None = None
    element: str | None = None
    loop: str | None = None
    claim: str | None = None
    line: str | None = None
    file_line: int | None = None
    file_column: int | None = None
    length: int | None = None  # characters of the segment (or element)
    # A short hash of the segment's text: the same segment gets the same one
    # wherever it moves (baselines match findings by it); it shows no data.
    fingerprint: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem a rule found."""

    rule: str
    severity: Severity
    message: str
    location: Location

    def as_dict(self) -> dict[str, Any]:
        """The finding as the flat JSON object of the output contract."""
        record: dict[str, Any] = {
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
        }
        record.update(asdict(self.location))
        return record


@dataclass
class ClaimVerdict:
    """One claim's outcome: where it is, and what was found in it.

    ``findings`` are those of the claim's own rules; batch findings that
    name the claim are added when the run ends (see Linter.finish).
    """

    file: str
    claim: str  # CLM01
    segment_index: int  # the CLM segment, 1-based over the file
    findings: list[Finding]
    last_index: int = 0  # the claim's last segment (end of its last line)
    payer: str = ""  # 2010BB NM109, the payer id

    @property
    def worst(self) -> Severity | None:
        """The most severe finding's severity, None for a clean claim."""
        return max((f.severity for f in self.findings), default=None)

    def fails(self, threshold: Severity = Severity.ERROR) -> bool:
        """Whether a finding reaches ``threshold`` (the gate's hold rule)."""
        worst = self.worst
        return worst is not None and worst >= threshold
