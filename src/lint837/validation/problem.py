"""The record both validators report in: one implementation-guide problem.

pyx12 sorts what it finds by level (interchange, group, transaction set,
segment, element) and gives each a code; the segment and element codes are
those of the 999 acknowledgement (IK3 and IK4), the interchange codes those
of TA1. A :class:`Problem` keeps that level and code as pyx12 spells them,
so that the fast validator and pyx12 can be compared exactly and the
translation into lint837 rule codes lives in one place
(:mod:`lint837.validation.codes`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Level(Enum):
    """Where in the envelope a problem sits, as pyx12 reports it."""

    INTERCHANGE = "isa"
    GROUP = "gs"
    TRANSACTION = "st"
    SEGMENT = "seg"
    ELEMENT = "ele"


@dataclass(frozen=True, slots=True)
class Problem:
    """One implementation-guide problem, at a segment of the input.

    ``segment_index`` is 1-based over the whole file (ISA is 1), as every
    lint837 position is; ``element`` is the element's reference (``CLM05``,
    ``SV101-2``) or None for a problem of the whole segment; ``code`` is
    pyx12's error code at that level (IK3, IK4, IK5, AK9 or TA1 values, or
    pyx12's own such as ``HL1``); ``value`` the offending value, when the
    problem has one (never shown for fields that may hold patient data).
    """

    level: Level
    code: str
    segment_index: int
    element: str | None
    loop: str | None
    text: str
    value: str | None = None

    @property
    def kind(self) -> tuple[Level, str]:
        """What the two validators must agree on besides the position."""
        return (self.level, self.code)
