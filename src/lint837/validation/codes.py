"""The one place pyx12's error codes become lint837 rule codes.

pyx12 reports each implementation-guide problem with a level and a code:
the 999's IK3 segment codes and IK4 element codes, the IK5/AK9 set and
group codes, the TA1 interchange codes, and a few of its own (``HL1``,
``HL2``, ``LX``, ``SEG1``). Releases after 4.0.0 rename some of them, so
lint837 pins pyx12 4.0.0 and translates here, and nowhere else; a new
pyx12 means a new table, not new rules.

Codes are ``X12`` + the level (1 segment, 2 element, 3 transaction set,
4 group, 5 interchange, 9 the validator itself) + two digits.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lint837.findings import Finding, Severity
from lint837.rules.base import Example, Reporter, Rule
from lint837.validation.problem import Level

PYX12_VERSION = "4.0.0"
"""The pyx12 release whose error codes this table translates."""


@dataclass(frozen=True, slots=True)
class ValidationCode:
    """A kind of implementation-guide problem, as ``lint837 rules`` lists it."""

    code: str
    name: str
    summary: str
    severity: Severity = Severity.ERROR
    fact: str | None = None  # the why, where it is not the guide's

    def as_rule(self) -> Rule:
        """The code as a rule the formatters can describe (SARIF's rule list).

        It has no subjects: the engine never calls it; pyx12 finds these.
        """

        def check(subject: object, report: Reporter) -> Iterator[Finding]:
            return iter(())

        check.__doc__ = f"{self.summary}\n\n{self.why}"
        return Rule(
            self.code,
            self.name,
            self.severity,
            self.summary,
            (),
            check,
            Example("", ""),
        )

    @property
    def why(self) -> str:
        if self.fact is not None:
            return self.fact
        return (
            "The 005010X222A1 implementation guide, as pyx12 4.0.0's 837P map "
            "encodes it. A clearinghouse rejects a transaction set with this "
            "problem in its 999 acknowledgement before any payer sees a claim "
            "(run `lint837 ack FILE` for the 999 pyx12 would send)."
        )


_TABLE: dict[tuple[Level, str], ValidationCode] = {
    # IK3: segment-level problems.
    (Level.SEGMENT, "1"): ValidationCode(
        "X12101", "unrecognized-segment", "A segment id the guide does not know."
    ),
    (Level.SEGMENT, "2"): ValidationCode(
        "X12102", "unexpected-segment", "A segment the guide does not allow here."
    ),
    (Level.SEGMENT, "3"): ValidationCode(
        "X12103",
        "required-segment-missing",
        "A required segment or loop is missing (reported at the next segment).",
    ),
    (Level.SEGMENT, "4"): ValidationCode(
        "X12104", "loop-repeats-too-often", "A loop occurs more often than allowed."
    ),
    (Level.SEGMENT, "5"): ValidationCode(
        "X12105", "segment-repeats-too-often", "A segment exceeds its maximum use."
    ),
    (Level.SEGMENT, "6"): ValidationCode(
        "X12106", "segment-not-in-set", "A segment not defined in the 837P."
    ),
    (Level.SEGMENT, "7"): ValidationCode(
        "X12107", "segment-out-of-order", "A segment out of its defined sequence."
    ),
    (Level.SEGMENT, "8"): ValidationCode(
        "X12108", "segment-has-element-errors", "A segment holds element errors."
    ),
    (Level.SEGMENT, "HL1"): ValidationCode(
        "X12121", "hl-numbering", "HL01 does not count up from 1 by one."
    ),
    (Level.SEGMENT, "HL2"): ValidationCode(
        "X12122", "hl-parent", "HL02 names no earlier HL as the parent."
    ),
    (Level.SEGMENT, "LX"): ValidationCode(
        "X12123", "lx-numbering", "LX01 does not count the claim's lines from 1."
    ),
    (Level.SEGMENT, "SEG1"): ValidationCode(
        "X12124", "bad-segment", "A segment that cannot be read (empty or no id)."
    ),
    # IK4: element-level problems.
    (Level.ELEMENT, "1"): ValidationCode(
        "X12201", "required-element-missing", "A required element is empty."
    ),
    (Level.ELEMENT, "2"): ValidationCode(
        "X12202",
        "conditional-element-missing",
        "An element a syntax note requires is empty.",
    ),
    (Level.ELEMENT, "3"): ValidationCode(
        "X12203", "too-many-elements", "More elements than the segment defines."
    ),
    (Level.ELEMENT, "4"): ValidationCode(
        "X12204", "element-too-short", "An element shorter than its minimum."
    ),
    (Level.ELEMENT, "5"): ValidationCode(
        "X12205", "element-too-long", "An element longer than its maximum."
    ),
    (Level.ELEMENT, "6"): ValidationCode(
        "X12206", "invalid-character", "An element with a character not allowed."
    ),
    (Level.ELEMENT, "7"): ValidationCode(
        "X12207", "invalid-code", "A code not in the element's code list."
    ),
    (Level.ELEMENT, "8"): ValidationCode(
        "X12208", "invalid-date", "An element that is not a valid date."
    ),
    (Level.ELEMENT, "9"): ValidationCode(
        "X12209", "invalid-time", "An element that is not a valid time."
    ),
    (Level.ELEMENT, "10"): ValidationCode(
        "X12210",
        "exclusion-violated",
        "Elements a syntax note says cannot appear together.",
    ),
    # IK5 / AK5: transaction-set problems.
    (Level.TRANSACTION, "2"): ValidationCode(
        "X12302", "transaction-trailer-missing", "The transaction set has no SE."
    ),
    (Level.TRANSACTION, "3"): ValidationCode(
        "X12303", "transaction-control-mismatch", "SE02 differs from ST02."
    ),
    (Level.TRANSACTION, "4"): ValidationCode(
        "X12304", "transaction-count-mismatch", "SE01 differs from the count."
    ),
    (Level.TRANSACTION, "23"): ValidationCode(
        "X12323", "transaction-control-repeated", "ST02 is not unique in the group."
    ),
    # AK9: group problems. Units close each set with a made-up GE and IEA,
    # so the count and control problems of 4, 5, 001 and 021 come only
    # from a file given to pyx12 whole (lint837 ack).
    (Level.GROUP, "3"): ValidationCode(
        "X12403", "group-not-closed", "A group or a set in it is never closed."
    ),
    (Level.GROUP, "4"): ValidationCode(
        "X12404", "group-control-mismatch", "GE02 differs from GS06."
    ),
    (Level.GROUP, "5"): ValidationCode(
        "X12405", "group-count-mismatch", "GE01 differs from the sets counted."
    ),
    (Level.GROUP, "6"): ValidationCode(
        "X12406", "group-control-repeated", "GS06 is not unique in the file."
    ),
    # TA1: interchange problems.
    (Level.INTERCHANGE, "001"): ValidationCode(
        "X12501", "interchange-control-mismatch", "IEA02 differs from ISA13."
    ),
    (Level.INTERCHANGE, "021"): ValidationCode(
        "X12521", "interchange-count-mismatch", "IEA01 differs from the groups."
    ),
    (Level.INTERCHANGE, "023"): ValidationCode(
        "X12523", "interchange-not-closed", "The file ends before its IEA."
    ),
    (Level.INTERCHANGE, "024"): ValidationCode(
        "X12524", "invalid-interchange", "The ISA header cannot be read."
    ),
    (Level.INTERCHANGE, "025"): ValidationCode(
        "X12525", "interchange-control-repeated", "ISA13 is not unique in the file."
    ),
}

UNKNOWN = ValidationCode(
    "X12998",
    "other-guide-problem",
    "A problem pyx12 reports with a code this table does not know.",
)
FAILED = ValidationCode(
    "X12999",
    "validator-failed",
    "pyx12 stopped on this transaction set instead of reporting on it.",
)

ENGINE_FAILURE = "ENGINE"
"""The code of the problem made when pyx12 raises instead of reporting."""
_TABLE[(Level.TRANSACTION, ENGINE_FAILURE)] = FAILED

NO_MAP = "NOMAP"
"""The code of the problem made for a set whose GS08 pyx12 has no map for."""
_TABLE[(Level.TRANSACTION, NO_MAP)] = ValidationCode(
    "X12997",
    "no-guide-map",
    "The set's guide release has no map: it was not validated.",
    Severity.WARNING,
    "pyx12 4.0.0 carries one 837P map of the 5010 guides, 005010X222A1: the "
    "release HIPAA adopts for professional claims, the 005010X222 guide with "
    "its Type 1 errata (45 CFR 162.1102). A set that declares another release "
    "in GS08 (005010X222, 005010X222A2) is linted by the rules but cannot be "
    "checked against the guide here, and a clearinghouse that takes only "
    "005010X222A1 rejects it for the release alone: declare 005010X222A1 in "
    "GS08 and ST03 unless the receiver asks for another.",
)

CODES: dict[str, ValidationCode] = {
    item.code: item for item in (*_TABLE.values(), UNKNOWN)
}
"""Every validation code, for ``lint837 rules`` and selection."""


SAME_AS: dict[str, str] = {
    "X12302": "ENV008",  # the set has no SE
    "X12303": "ENV003",  # SE02 is not ST02
    "X12304": "ENV002",  # SE01 is not the count
}
"""Validation codes that say what an envelope rule says, and that rule.

When the rule runs, its finding (which says what to send instead) stands
for both; the validation code reports only when the rule is not selected.
"""


def translate(level: Level, code: str) -> ValidationCode:
    """The lint837 code for a pyx12 problem of this level and code."""
    return _TABLE.get((level, code), UNKNOWN)
