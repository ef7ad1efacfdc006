"""BAT rules: what only shows across claims, and across the files of a run.

Payers compare each claim with what the patient had before: the same
service twice is a duplicate (CARC 18), and maintenance B12 more often
than monthly is over the frequency limit (CARC 119/151). These rules index
only J3420 and injection lines (a few small fields each), never claims.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from lint837.findings import Finding, Location, Severity
from lint837.model import Claim
from lint837.rules.base import Example, Reporter, rule
from lint837.rules.common import (
    INJECTION,
    J3420,
    billing_npi,
    drug_facts,
)
from lint837.rules.context import RunEnd
from lint837.rules.examples import GOOD_CLAIM

LOADING_DAYS = 30
LOADING_WEEKLY_LIMIT = 7


_INDEXED = frozenset({J3420, INJECTION})

# Where a service was first billed: (CLM01, LX01 or None, file). Kept as
# parts and worded only when a duplicate is found: most never are.
_Place = tuple[str, str | None, str]


@dataclass
class _Seen:
    """Lines and claim ids already billed in the run, by what makes a duplicate."""

    lines: dict[tuple[object, ...], _Place] = field(default_factory=dict)
    claims: dict[str, _Place] = field(default_factory=dict)


def _where(place: _Place) -> str:
    claim, line, file = place
    return f"claim {claim}" + (f" line {line}" if line else "") + f" ({file})"


@rule(
    "BAT001",
    "duplicate-service",
    Severity.ERROR,
    "The same J3420 or 96372 service, or the same claim id, is billed twice "
    "in the run.",
    (Claim,),
    Example(
        GOOD_CLAIM,
        GOOD_CLAIM.replace("CLM*EX1*33*", "CLM*EX1*41*")
        + "LX*3~\nSV1*HC:J3420*8*UN*1*11**1~\nDTP*472*D8*20250301~\n",
    ),
    codes=(J3420, INJECTION),
    stateful=True,
)
def duplicate_service(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """The same J3420 or 96372 service, or the same claim id, is billed twice.

    Two lines with the same patient, billing provider, code, date and
    modifiers hit the payer's duplicate logic (CARC 18) even when they are
    on different claims or in different files. For a drug, combine the
    units on one line; modifiers such as 76, 77 or 91 change this only
    where the payer allows. A claim id (CLM01) sent twice in one batch is
    also taken as a duplicate submission. Claims are compared across every
    file of the run; only J3420 and injection claims are indexed.

    Source: REFERENCE §7 ([S37][S35]).
    """
    seen = report.context.state("BAT001", _Seen)
    claim_id = claim.id
    first = seen.claims.get(claim_id)
    if first is not None:
        yield report.finding(
            f"claim id {claim_id} was already used by {_where(first)}: each claim "
            "needs its own CLM01",
            claim.clm,
            "CLM01",
            within=claim,
        )
    else:
        seen.claims[claim_id] = (claim_id, None, report.file)

    patient, npi = claim.patient_identity, billing_npi(claim)
    lines = seen.lines
    for facts in claim.line_facts:  # no line model: see UNT004
        fields = facts.fields
        if fields.code not in _INDEXED:
            continue
        modifiers = fields.modifiers
        if len(modifiers) > 1:
            modifiers = tuple(sorted(modifiers))
        key = (patient, npi, fields.code, facts.date, modifiers)
        earlier = lines.get(key)
        if earlier is None:
            lines[key] = (claim_id, facts.number, report.file)
            continue
        line = claim.lines[facts.ordinal]

        day = f"{line.date:%Y-%m-%d}" if line.date else "the same date"
        advice = (
            "combine the units on one line" if line.code == J3420 else "bill it once"
        )
        yield report.finding(
            f"duplicate {line.code} on {day}: already billed on {_where(earlier)}; "
            f"{advice} (CARC 18 risk)",
            line.sv1,
            "SV101-2",
            within=line,
        )


# A J3420 dose: the patient, the date, and where its DTP03 is as plain
# values (file, segment index, byte offset, CLM01, LX01, text line, column,
# length), worded as a Location only when reported. No reader block is
# kept, and a tuple of plain values is one the garbage collector stops
# tracking: the run keeps every dose.
_Dose = tuple[tuple[str, ...], datetime.date, str, int, int, str, str, int, int, int]


def _location(dose: _Dose) -> Location:
    _, _, file, index, offset, claim, line, file_line, column, length = dose
    return Location(
        file=file,
        segment_index=index,
        offset=offset,
        segment="DTP",
        element="DTP03",
        loop="2400",  # DTP*472 of a line sits in 2400
        claim=claim,
        line=line,
        file_line=file_line,
        file_column=column,
        length=length,
    )


def _day(dose: _Dose) -> datetime.date:
    return dose[1]


@dataclass
class _Doses:
    """J3420 doses of the run in file order, and each patient's interval."""

    found: list[_Dose] = field(default_factory=list)
    interval: dict[tuple[str, ...], int] = field(default_factory=dict)


@rule(
    "BAT002",
    "maintenance-frequency",
    Severity.WARNING,
    "J3420 maintenance injections closer together than monthly.",
    (Claim, RunEnd),
    Example(
        GOOD_CLAIM,
        GOOD_CLAIM.replace("CLM*EX1*33*", "CLM*EX1*66*")
        + "LX*3~\nSV1*HC:96372*25*UN*1*11**1~\nDTP*472*D8*20250401~\n"
        + "LX*4~\nSV1*HC:J3420*8*UN*1*11**1~\nDTP*472*D8*20250401~\n"
        + "LX*5~\nSV1*HC:96372*25*UN*1*11**1~\nDTP*472*D8*20250410~\n"
        + "LX*6~\nSV1*HC:J3420*8*UN*1*11**1~\nDTP*472*D8*20250410~\n",
    ),
    codes=(J3420,),
    stateful=True,
)
def maintenance_frequency(
    subject: Claim | RunEnd, report: Reporter
) -> Iterator[Finding]:
    """J3420 maintenance injections closer together than monthly.

    B12 therapy starts with a loading phase (daily, then every other day,
    then weekly) and continues with a maintenance dose no more often than
    monthly; Medicare accepts more frequent doses only in the initial
    phase. Per patient, the first J3420 date of the run opens a 30-day
    loading phase; after it, doses less than 28 days apart (the payer's
    ``maintenance_interval_days``) are flagged, as frequency denials (CARC
    119/151, M86) follow. Inside the loading phase, more than 7 J3420
    lines within 7 days (more than one a day) is reported as information.
    Judged when the run ends, over every file, in date order.

    Source: BPM ch. 7 §40.1.2.4; Palmetto GBA; cyanocobalamin dosing
    (REFERENCE §1.2, [S6][S7][S11]).
    """
    doses = report.context.state("BAT002", _Doses)
    if isinstance(subject, Claim):
        _index(subject, report, doses)
        return

    # RunEnd: every file is read, so each patient's dates are complete.
    # A single dose opens the loading phase and is never reported.
    doses_of = Counter(dose[0] for dose in doses.found)
    by_patient: dict[tuple[str, ...], list[_Dose]] = {}
    for dose in doses.found:  # patients in the order of their first dose
        if doses_of[dose[0]] > 1:
            by_patient.setdefault(dose[0], []).append(dose)
    for patient, found in by_patient.items():
        yield from _judge(sorted(found, key=_day), doses.interval[patient], report)


def _index(claim: Claim, report: Reporter, doses: _Doses) -> None:
    patient = claim.patient_identity
    doses.interval[patient] = report.context.payer(claim).maintenance_interval_days

    for facts in drug_facts(claim):
        if facts.date is None or facts.dated_at is None:
            continue

        # What Reporter.locate would say of DTP03, read off the block now.
        block, k = facts.dated_at
        index = block.first_index + k
        parts = block.texts[k].split(block.delimiters.element, 4)
        if len(parts) > 3:
            column = len(parts[0]) + len(parts[1]) + len(parts[2]) + 3  # DTP03
            length = len(parts[3])
        else:
            column, length = sum(len(value) + 1 for value in parts), 0
        doses.found.append(
            (
                patient,
                facts.date,
                report.file,
                index,
                block.offset(index),
                claim.id,
                facts.number,
                block.line(index),
                block.column(index) + column,
                length,
            )
        )


def _judge(found: list[_Dose], interval: int, report: Reporter) -> Iterator[Finding]:
    start = found[0][1]
    loading_end = start + datetime.timedelta(days=LOADING_DAYS)
    previous: _Dose | None = None

    for number, dose in enumerate(found):
        day = dose[1]
        if day <= loading_end:
            week = [d for d in found[: number + 1] if (day - d[1]).days < 7]
            if len(week) > LOADING_WEEKLY_LIMIT:
                yield report.at(
                    _location(dose),
                    f"{len(week)} J3420 doses within 7 days during loading: check "
                    "the schedule",
                    severity=Severity.INFO,
                )
        elif previous is not None:
            gap = (day - previous[1]).days
            if gap < interval:
                yield report.at(
                    _location(dose),
                    f"J3420 on {day:%Y-%m-%d} only {gap} days after "
                    f"{previous[1]:%Y-%m-%d}; maintenance is at most monthly "
                    f"(every {interval} days)",
                )
        previous = dose


RULES = (duplicate_service, maintenance_frequency)
