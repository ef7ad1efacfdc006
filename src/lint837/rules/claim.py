"""CLM rules: the claim-level data every payer edits first.

These apply to every claim, whatever it bills: the payer identifier, the
claim filing indicator, CLM05, the total charge and, for drug and injection
lines, the service date.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal

from lint837.findings import Finding, Severity
from lint837.model import Claim, ServiceLine
from lint837.model.claim import to_date
from lint837.rules import keys
from lint837.rules.base import Example, Reporter, rule
from lint837.rules.common import J3420, drug_lines
from lint837.rules.examples import GOOD_CLAIM, MEDICARE, MEDICARE_EXCLUDES_J3420

FILING_INDICATORS = frozenset(
    "11 12 13 14 15 16 17 AM BL CH CI DS FI HM LM MA MB MC OF TV VA WC ZZ".split()
)
PAYER_ID_QUALIFIERS = ("PI", "XV")
FREQUENCIES = ("1", "7", "8")


@rule(
    "CLM001",
    "payer-identifier",
    Severity.ERROR,
    "The payer (2010BB NM1*PR) lacks its PI/XV qualifier or its payer id.",
    (Claim,),
    Example(
        "SBR*P*18*******CI~\nNM1*IL*1*DOE*JANE****MI*M1~\n"
        "NM1*PR*2*ACME HEALTH PLAN*****PI*ACMEPA~\n" + GOOD_CLAIM,
        "SBR*P*18*******CI~\nNM1*IL*1*DOE*JANE****MI*M1~\n"
        "NM1*PR*2*ACME HEALTH PLAN~\n" + GOOD_CLAIM,
    ),
    key=keys.payer,
)
def payer_identifier(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """The payer (2010BB NM1*PR) lacks its PI/XV qualifier or its payer id.

    Loop 2010BB names the payer the claim goes to: NM101 must be PR, NM108
    PI (payer identification) or XV (CMS plan id) and NM109 the payer id.
    The clearinghouse routes on NM109; without it the claim cannot reach
    the payer and comes back unprocessable (CARC 16, MA130).

    Source: 005010X222A1 loop 2010BB NM1 (REFERENCE §5.1, [S25]).
    """
    subscriber = claim.subscriber
    if subscriber is None:
        return

    payer = subscriber.payer
    if payer is None:
        yield report.finding(
            "no payer name (2010BB NM1*PR) in the subscriber loop; add "
            "NM1*PR with NM108 PI and the payer id in NM109",
            subscriber.sbr or subscriber.hl,
            within=claim,
        )
    elif payer.entity != "PR":
        yield report.finding(
            f"2010BB NM101 is '{payer.entity}'; the payer loop needs NM101=PR",
            payer.segment,
            "NM101",
            within=claim,
        )
    elif payer.id_qualifier not in PAYER_ID_QUALIFIERS:
        yield report.finding(
            f"payer NM108 is '{payer.id_qualifier}'; send PI (payer id) or XV "
            "(CMS plan id) with the payer id in NM109",
            payer.segment,
            "NM108",
            within=claim,
        )
    elif not payer.id:
        yield report.finding(
            "payer NM109 (payer id) is empty; send the id the clearinghouse routes on",
            payer.segment,
            "NM109",
            within=claim,
        )


@rule(
    "CLM002",
    "claim-filing-indicator",
    Severity.ERROR,
    "SBR09 is missing or not a valid claim filing indicator.",
    (Claim,),
    Example(
        GOOD_CLAIM,
        "SBR*P*18*******XX~\nNM1*IL*1*DOE*JANE****MI*M1~\n"
        "NM1*PR*2*ACME HEALTH PLAN*****PI*ACMEPA~\n" + GOOD_CLAIM,
    ),
    key=keys.payer,
)
def claim_filing_indicator(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """SBR09 is missing or not a valid claim filing indicator.

    SBR09 tells the payer which program the claim is filed under (MB
    Medicare Part B, 16 Medicare Advantage, MC Medicaid, CI commercial...).
    Payers and clearinghouses route and edit on it; a missing or unknown
    value is unprocessable. MA (Medicare Part A) on a professional claim is
    almost always a mistake for MB, so it is a warning.

    Source: 005010X222A1 2000B SBR09, code list 1032 (REFERENCE §5.1, [S25]).
    """
    subscriber = claim.subscriber
    sbr = subscriber.sbr if subscriber is not None else None
    if sbr is None:
        return

    value = sbr.get(9)
    if value not in FILING_INDICATORS:
        shown = f"'{value}'" if value else "empty"
        yield report.finding(
            f"SBR09 is {shown}: not a claim filing indicator; send one such as "
            "MB (Medicare Part B), 16 (Medicare Advantage), MC (Medicaid) or CI",
            sbr,
            "SBR09",
            within=claim,
        )
    elif value == "MA":
        yield report.finding(
            "SBR09 'MA' is Medicare Part A; a professional claim to Medicare "
            "is filed as MB (Part B) or 16 (Medicare Advantage)",
            sbr,
            "SBR09",
            within=claim,
            severity=Severity.WARNING,
        )


@rule(
    "CLM003",
    "clm05-location-frequency",
    Severity.ERROR,
    "CLM05 is not place of service, B and frequency 1/7/8, or a replacement "
    "lacks REF*F8.",
    (Claim,),
    Example(GOOD_CLAIM, GOOD_CLAIM.replace("*11:B:1*", "*11:B:7*")),
    key=keys.claim_lines,
)
def clm05_location_frequency(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """CLM05 is not place of service, B and frequency 1/7/8, or REF*F8 is missing.

    CLM05 is a composite: CLM05-1 the place of service (a CMS place-of-
    service code), CLM05-2 the qualifier B, CLM05-3 the claim frequency
    (1 original, 7 replacement, 8 void). A replacement or void must carry
    the payer's claim control number of the original in 2300 REF*F8, or
    the payer cannot match it and rejects it.

    Source: 005010X222A1 2300 CLM05 and REF*F8 notes (REFERENCE §5.2,
    [S25][S26]).
    """
    clm = claim.clm
    places = report.context.data.place_of_service
    place, qualifier, frequency = (
        claim.place_of_service,
        clm.component(5, 2),
        claim.frequency,
    )

    if place not in places:
        yield report.finding(
            f"CLM05-1 '{place}' is not a CMS place-of-service code (11 is the office)",
            clm,
            "CLM05-1",
            within=claim,
        )

    if qualifier != "B":
        yield report.finding(
            f"CLM05-2 is '{qualifier}'; a professional claim sends B",
            clm,
            "CLM05-2",
            within=claim,
        )

    if frequency not in FREQUENCIES:
        yield report.finding(
            f"CLM05-3 '{frequency}' is not a claim frequency: send 1 (original), "
            "7 (replacement) or 8 (void)",
            clm,
            "CLM05-3",
            within=claim,
        )
    elif frequency != "1" and not claim.original_references:
        kind = "replacement" if frequency == "7" else "void"
        yield report.finding(
            f"a {kind} claim (CLM05-3 {frequency}) needs REF*F8 with the payer's "
            "claim control number of the original claim",
            clm,
            "CLM05-3",
            within=claim,
        )


@rule(
    "CLM004",
    "total-charge-balance",
    Severity.ERROR,
    "CLM02 does not equal the sum of the line charges.",
    (Claim,),
    Example(GOOD_CLAIM, GOOD_CLAIM.replace("CLM*EX1*33*", "CLM*EX1*35*")),
    key=keys.claim_lines,
)
def total_charge_balance(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """CLM02 does not equal the sum of the line charges.

    The total claim charge must equal the sum of the SV102 line charges,
    to the cent. Payers and clearinghouses apply this as a front-end edit
    and reject the claim when it does not balance.

    Source: universal front-end edit; 005010X222A1 CLM02 and SV102
    (REFERENCE §5.2; the TR3 wording is unconfirmed).
    """
    total = claim.total_charge
    charges = [line.charge for line in claim.lines]

    if total is None:
        yield report.finding(
            f"CLM02 '{claim.clm.get(2)}' is not an amount",
            claim.clm,
            "CLM02",
            within=claim,
        )
        return

    if not charges:
        yield report.finding(
            "the claim has no service line (LX with SV1): every 837P claim "
            "bills at least one",
            claim.clm,
            "CLM02",
            within=claim,
        )
        return

    if any(charge is None for charge in charges):
        return  # a line without an amount: the guide validation reports it
    lines_total = sum((charge for charge in charges if charge is not None), Decimal(0))
    if total != lines_total:
        yield report.finding(
            f"CLM02 {total} does not equal the sum of the line charges "
            f"{lines_total}; send CLM02={lines_total} or correct the lines",
            claim.clm,
            "CLM02",
            within=claim,
        )


@rule(
    "CLM005",
    "service-date",
    Severity.ERROR,
    "A J3420 or injection line's service date is missing, invalid, reversed "
    "or after the file was created.",
    (Claim,),
    Example(
        GOOD_CLAIM,
        GOOD_CLAIM.replace("DTP*472*D8*20250301~\nLIN", "DTP*472*D8*20250230~\nLIN"),
    ),
    key=keys.claim_lines,
)
def service_date(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """A J3420 or injection line's service date is missing, invalid or late.

    Each drug and administration line carries its date of service in 2400
    DTP*472: D8 with one date, or RD8 with a range. The date must be a real
    date, a range must not end before it starts, and no service can be
    dated after the transaction was created (BHT04): payers deny that as
    CARC 110. A J3420 injection happens on one day, so a range of more
    than one day on a J3420 line is a warning: report each injection date
    on its own line.

    Source: 005010X222A1 2400 DTP*472 (REFERENCE §5.3, §7, [S25][S26]);
    CARC 110 ([S35]).
    """
    injections = report.context.data.injection_codes
    created = to_date(claim.transaction.creation_date)

    for line in claim.lines:
        if line.code == J3420 or line.code in injections:
            yield from _check_date(line, created, report)


def _check_date(
    line: ServiceLine, created: datetime.date | None, report: Reporter
) -> Iterator[Finding]:
    date = line.service_date
    if date is None:
        yield report.finding(
            f"{line.code} line has no service date: add DTP*472*D8*CCYYMMDD",
            line.sv1 or line.lx,
            within=line,
        )
        return

    segment = date.segment
    if date.qualifier not in ("D8", "RD8"):
        yield report.finding(
            f"DTP02 '{date.qualifier}' is not D8 or RD8; send D8 and the date",
            segment,
            "DTP02",
            within=line,
        )
        return

    text = date.text
    start, end = date.start, date.end
    well_formed = date.qualifier == "D8" or text.count("-") == 1
    if start is None or end is None or not well_formed:
        yield report.finding(
            f"service date '{text}' is not a real date (CCYYMMDD"
            + (", or CCYYMMDD-CCYYMMDD for RD8)" if date.qualifier == "RD8" else ")"),
            segment,
            "DTP03",
            within=line,
        )
    elif end < start:
        yield report.finding(
            f"service date range '{text}' ends before it starts",
            segment,
            "DTP03",
            within=line,
        )
    elif created is not None and end > created:
        yield report.finding(
            f"service date {end:%Y-%m-%d} is after the file's creation date "
            f"{created:%Y-%m-%d} (BHT04): a future service is denied (CARC 110)",
            segment,
            "DTP03",
            within=line,
        )
    elif line.code == J3420 and end > start:
        yield report.finding(
            f"J3420 billed over the range {text}; an injection is given on one "
            "day: bill each date on its own line with D8",
            segment,
            "DTP03",
            within=line,
            severity=Severity.WARNING,
        )


@rule(
    "CLM006",
    "narrative-segments",
    Severity.INFO,
    "K3 has no defined use in 837P, and an NTE on a J3420 line that has an "
    "NDC describes the drug twice.",
    (Claim,),
    Example(
        GOOD_CLAIM, GOOD_CLAIM.replace("HI*ABK:D510~", "HI*ABK:D510~\nK3*B12 SHOT~")
    ),
    segments=("K3", "NTE"),
)
def narrative_segments(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """K3 has no defined use in 837P; NTE repeats what the NDC already says.

    The K3 file information segment exists in the 837P guide only for
    data a future regulation may need; payers ignore it or reject it.
    On a J3420 line, the 2410 LIN/CTP loop already identifies the drug
    and its quantity, so a free-text NTE describing it is redundant and
    can contradict the coded data.

    Source: 005010X222A1 2300/2400 K3 and 2400 NTE notes (REFERENCE
    §5.2-5.3, [S26]).
    """
    for segment in claim.in_loop("2300", "K3"):
        yield report.finding(
            "K3 has no defined use in an 837P; remove it", segment, within=claim
        )

    for line in claim.lines:
        for segment in line.in_loop("2400", "K3"):
            yield report.finding(
                "K3 has no defined use in an 837P; remove it", segment, within=line
            )
        if line.code == J3420 and line.drug is not None:
            for segment in line.in_loop("2400", "NTE"):
                yield report.finding(
                    "the 2410 NDC already describes the drug; drop the NTE note",
                    segment,
                    within=line,
                )


@rule(
    "CLM007",
    "self-administered-exclusion",
    Severity.WARNING,
    "J3420 is on the payer's self-administered drug exclusion list.",
    (Claim,),
    Example(GOOD_CLAIM, MEDICARE + GOOD_CLAIM, MEDICARE_EXCLUDES_J3420),
    codes=(J3420,),
)
def self_administered_exclusion(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """J3420 is on the payer's self-administered drug (SAD) exclusion list.

    Medicare Part B pays for a drug given incident to a physician's service
    only if it is not usually self-administered. Each MAC publishes a SAD
    exclusion list, and a drug on it is denied as not covered however it
    was given (TrailBlazer listed J3420 from 2009-10-12). Which MACs list
    J3420 today is unconfirmed, so nothing is assumed: list the codes per
    payer in the policy file (``sad_excluded = ["J3420"]``), and the rule
    warns on each J3420 line billed to that payer. Bill the patient (with
    an advance beneficiary notice) or the plan that covers the drug.

    Source: REFERENCE §7 (CGS article A52527, [S8][S20]); which MACs list
    J3420 is unconfirmed: policy data.
    """
    policy = report.context.payer(claim)
    if J3420 not in policy.sad_excluded:
        return
    payer = policy.name or claim.payer_id or "this payer"
    for line in drug_lines(claim):
        yield report.finding(
            f"{payer} lists J3420 as a self-administered drug, which Part B does "
            "not cover: expect a non-covered denial; bill the patient (with an "
            "advance beneficiary notice) or the plan that covers it",
            line.sv1,
            "SV101-2",
            within=line,
        )


RULES = (
    payer_identifier,
    claim_filing_indicator,
    clm05_location_frequency,
    total_charge_balance,
    service_date,
    narrative_segments,
    self_administered_exclusion,
)
