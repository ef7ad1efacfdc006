"""What a rule is, and the reporter it writes its findings through.

A rule is a check function plus its public description: a stable code, a
kebab-case name, a default severity, a one-line summary, and a docstring
that is the user documentation (what it checks, the fact behind it and its
source, a passing and a failing example). The engine decides which rules
run and at what severity; a rule only says what it found and where.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any

from lint837.findings import Finding, Location, Severity
from lint837.model import Claim, ServiceLine
from lint837.model.claim import Loop
from lint837.model.loops import ENVELOPE_LOOPS
from lint837.reader import Segment
from lint837.rules.context import Context


@dataclass(frozen=True, slots=True)
class Example:
    """A passing and a failing 837P snippet that the test suite runs.

    A snippet starting with ``ISA`` is a whole interchange; otherwise it is
    the inside of one claim (``CLM`` onward, optionally preceded by the
    subscriber's ``SBR`` and payer ``NM1*PR``), which the tests wrap in a
    standard envelope.
    """

    passing: str
    failing: str
    policy: str = ""  # payer policy TOML both snippets are linted with
    authorizations: str = ""  # authorization CSV both snippets are linted with


Check = Callable[[Any, "Reporter"], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    """A check and its public description.

    ``subjects`` are the model events the check receives (Claim,
    TransactionSet...); the engine calls it once for each.
    """

    code: str
    name: str
    severity: Severity
    summary: str
    subjects: tuple[type, ...]
    check: Check
    example: Example
    confirmed: bool = True  # False: rests on a fact marked UNCONFIRMED
    codes: frozenset[str] | None = None  # run only on claims billing these
    segments: frozenset[str] | None = None  # ... or holding these segments
    # What the verdict on a claim depends on (rules.keys); None: the claim
    # signature. A stateful rule looks across claims and always runs.
    key: Callable[[Claim], Hashable] | None = None
    stateful: bool = False
    origin: str | None = None  # file:line of a payer rule; None when built in

    @property
    def documentation(self) -> str:
        """The check's docstring: what it checks, why, and the source."""
        return inspect.cleandoc(self.check.__doc__ or "")

    @property
    def family(self) -> str:
        """The code less its three-digit number: PA, NDC, X12 (every code,
        built in, payer or implementation guide, ends in three digits)."""
        return self.code[:-3]


@dataclass
class Reporter:
    """Builds the findings of one rule in one file.

    ``severity`` is the rule's effective default (configuration may have
    changed it); ``forced`` is set when configuration overrides the rule's
    severity outright, including the cases where the rule picks one itself.
    """

    rule: Rule
    file: str
    severity: Severity
    forced: bool = False
    context: Context = field(default_factory=Context)

    def finding(
        self,
        message: str,
        segment: Segment | None,
        element: str | None = None,
        *,
        within: Loop | None = None,
        severity: Severity | None = None,
    ) -> Finding:
        """A finding at ``segment`` (element like ``"SV104"``), in ``within``."""
        location = self.locate(segment, element, within)
        return self.at(location, message, severity=severity)

    def at(
        self, location: Location, message: str, *, severity: Severity | None = None
    ) -> Finding:
        """A finding at a location kept from earlier (batch rules)."""
        if self.forced or severity is None:
            severity = self.severity
        return Finding(self.rule.code, severity, message, location)

    def locate(
        self, segment: Segment | None, element: str | None, within: Loop | None
    ) -> Location:
        claim, line = _claim_and_line(within)
        if segment is None:
            return Location(
                self.file,
                claim=claim.id if claim else None,
                line=line.number if line else None,
            )

        loop = ENVELOPE_LOOPS.get(segment.id) or _loop_of(segment, claim, line)
        column = segment.column
        length = len(segment.text)
        position = _element_position(segment.id, element)
        if position is not None:
            column += segment.element_offset(position)
            length = len(segment.get(position))

        return Location(
            file=self.file,
            segment_index=segment.index,
            offset=segment.offset,
            segment=segment.id,
            element=element,
            loop=loop,
            claim=claim.id if claim is not None else None,
            line=line.number if line is not None else None,
            file_line=segment.line,
            file_column=column,
            length=length,
            fingerprint=segment_fingerprint(segment.text),
        )


def segment_fingerprint(text: str) -> str:
    """16 hex digits of SHA-256 over a segment's text."""
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:16]


def _claim_and_line(within: Loop | None) -> tuple[Claim | None, ServiceLine | None]:
    if isinstance(within, ServiceLine):
        return within.claim, within
    if isinstance(within, Claim):
        return within, None
    return None, None


def _loop_of(
    segment: Segment, claim: Claim | None, line: ServiceLine | None
) -> str | None:
    """Find the loop of ``segment`` in the line, the claim or its parties."""
    owners: list[Loop | None] = [line, claim]
    if claim is not None:
        owners += [claim.subscriber, claim.patient, claim.billing_provider]

    for owner in owners:
        if owner is not None:
            found = owner.find_loop(segment)
            if found is not None:
                return found
    return None


def _element_position(segment_id: str, element: str | None) -> int | None:
    """``"SV107-2"`` → 7: the element number within its segment."""
    if not element or not element.startswith(segment_id):
        return None
    digits = element[len(segment_id) :].partition("-")[0]
    return int(digits) if digits.isdigit() else None


def rule(
    code: str,
    name: str,
    severity: Severity,
    summary: str,
    subjects: tuple[type, ...],
    example: Example,
    *,
    confirmed: bool = True,
    codes: Iterable[str] | None = None,
    segments: Iterable[str] | None = None,
    key: Callable[[Claim], Hashable] | None = None,
    stateful: bool = False,
) -> Callable[[Check], Rule]:
    """Declare a rule: decorates its check function.

    ``codes`` limits a claim rule to claims that bill one of these
    procedure codes, ``segments`` to claims that hold one of these
    segments (in 2300 or a line), so the engine can skip the others
    cheaply. ``key`` says what the rule's verdict on a claim depends on
    (see :mod:`lint837.rules.keys`); a ``stateful`` rule keeps state
    across claims, so its verdict is never taken from an earlier claim.
    """
    billed = frozenset(codes) if codes is not None else None
    held = frozenset(segments) if segments is not None else None

    def declare(check: Check) -> Rule:
        return Rule(
            code,
            name,
            severity,
            summary,
            subjects,
            check,
            example,
            confirmed,
            billed,
            held,
            key,
            stateful,
        )

    return declare
