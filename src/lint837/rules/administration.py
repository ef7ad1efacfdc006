"""ADM rules: the drug and its administration, billed as a pair.

An office B12 shot is two lines: the drug (J3420) and the act of
injecting it (CPT 96372, intramuscular or subcutaneous). Payers pair them
by claim and date, check the route, and bundle E/M visits billed with the
injection.
"""

from __future__ import annotations

from collections.abc import Iterator

from lint837.findings import Finding, Severity
from lint837.model import Claim, ServiceLine
from lint837.reference import CodeSet
from lint837.rules.base import Example, Reporter, rule
from lint837.rules.common import (
    INJECTION,
    J3420,
    drug_lines,
    lines_of,
    modifier_element,
    modifier_positions,
    same_day,
)
from lint837.rules.examples import GOOD_CLAIM, MEDICARE

NURSE_VISIT = "99211"
SEPARATE_VISIT = "25"
ADMIN_LINE = "SV1*HC:96372*25*UN*1*11**1~"


def _injection_codes(report: Reporter) -> frozenset[str]:
    return report.context.data.injection_codes


@rule(
    "ADM001",
    "drug-without-administration",
    Severity.WARNING,
    "J3420 is billed without an administration code on the same date.",
    (Claim,),
    Example(GOOD_CLAIM, GOOD_CLAIM.replace(ADMIN_LINE, "SV1*HC:99213*25*UN*1*11**1~")),
    codes=(J3420,),
)
def drug_without_administration(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """J3420 is billed without an administration code on the same date.

    The drug code pays for the drug; the injection itself is billed with
    its own code, 96372 for an intramuscular or subcutaneous injection, on
    the same claim and date. A J3420 line alone usually means the
    administration was forgotten (lost revenue) or billed on another claim,
    which payers then cannot pair.

    Source: REFERENCE §2 ([S17][S45]).
    """
    injections = _injection_codes(report)
    for line in drug_lines(claim):
        if not same_day(line, injections):
            day = f" on {line.date:%Y-%m-%d}" if line.date else ""
            yield report.finding(
                f"J3420 billed without an administration code{day}: add 96372 "
                "(IM/SC injection) on the same date",
                line.sv1,
                "SV101-2",
                within=line,
            )


@rule(
    "ADM002",
    "administration-without-drug",
    Severity.WARNING,
    "96372 is billed with no drug line on the same date.",
    (Claim,),
    Example(
        GOOD_CLAIM,
        GOOD_CLAIM.replace("SV1*HC:J3420*8*UN*1*11**1~", "SV1*HC:99213*8*UN*1*11**1~")
        .replace("LIN**N4*00517003125~\n", "")
        .replace("CTP****1*ML~\n", ""),
    ),
    codes=(INJECTION,),
)
def administration_without_drug(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """96372 is billed with no drug line on the same date.

    96372 pays the injection, and "specify substance or drug" is part of
    its descriptor: the drug goes on its own line (a J or Q code, or a line
    with a 2410 NDC). A drug given at no cost (a sample) is still billed,
    at $0.01, so the payer knows what was injected; CGS instructs exactly
    that.

    Source: REFERENCE §2 ([S20][S21]).
    """
    for line in lines_of(claim, {INJECTION}):
        drugs = [
            other
            for other in line.same_day_lines()
            if other.code.startswith(("J", "Q")) or other.drug is not None
        ]
        if not drugs:
            yield report.finding(
                "96372 with no drug line on the same date: bill the drug too "
                "(J3420 at $0.01 if it was a no-cost sample)",
                line.sv1,
                "SV101-2",
                within=line,
            )


@rule(
    "ADM003",
    "route-mismatch",
    Severity.WARNING,
    "J3420 is paired only with an IV administration code, but the drug is IM/SC.",
    (Claim,),
    Example(GOOD_CLAIM, GOOD_CLAIM.replace("SV1*HC:96372*", "SV1*HC:96374*")),
    codes=(J3420,),
)
def route_mismatch(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """J3420 is paired only with an IV administration code.

    Cyanocobalamin injection is labelled for intramuscular or deep
    subcutaneous use; given IV it is excreted faster. An IV push or
    infusion code (96360-96379 other than 96372) as the only administration
    of a J3420 line contradicts the drug's route and is a known denial
    pattern. Which codes count as fitting the route is data
    (administration_codes.toml, ``drug_route_ok_for_j3420``).

    Source: cyanocobalamin label ([S10]); REFERENCE §2 ([S42]).
    """
    administration = report.context.data.administration
    injections = _injection_codes(report)

    for line in drug_lines(claim):
        paired = same_day(line, injections)
        if paired and not any(_fits_route(other, administration) for other in paired):
            for other in paired:
                yield report.finding(
                    f"{other.code} is an IV administration, but J3420 is given IM or "
                    "SC (label route): bill 96372 if it was an IM/SC injection",
                    other.sv1,
                    "SV101-2",
                    within=other,
                )


def _fits_route(line: ServiceLine, administration: CodeSet) -> bool:
    entry = administration.entry(line.code)
    return bool(entry and entry.get("drug_route_ok_for_j3420"))


@rule(
    "ADM004",
    "99211-with-injection",
    Severity.ERROR,
    "99211 and 96372 on the same date (Medicare does not pay both).",
    (Claim,),
    Example(
        MEDICARE + GOOD_CLAIM,
        MEDICARE
        + GOOD_CLAIM.replace("CLM*EX1*33*", "CLM*EX1*53*")
        + "LX*3~\nSV1*HC:99211*20*UN*1*11**1~\nDTP*472*D8*20250301~\n",
    ),
    codes=(NURSE_VISIT,),
)
def nurse_visit_with_injection(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """99211 and 96372 on the same date.

    Medicare does not pay the minimal nurse visit 99211 billed with an
    injection or infusion administration code on the same day, with or
    without modifier 25: the visit is part of the administration. An error
    for Medicare and Medicare Advantage claims (SBR09 MB or 16), a warning
    for other payers, many of which follow the same edit.

    Source: CMS CR 3631, Pub 100-04 ch. 12 §30.6.7 (REFERENCE §2,
    [S16a][S16b]).
    """
    medicare = report.context.is_medicare(claim)
    for line in lines_of(claim, {NURSE_VISIT}):
        if same_day(line, {INJECTION}):
            yield report.finding(
                "99211 billed with 96372 on the same date: Medicare pays the "
                "injection only; drop 99211 (or 96372)",
                line.sv1,
                "SV101-2",
                within=line,
                severity=None if medicare else Severity.WARNING,
            )


@rule(
    "ADM005",
    "em-modifier-25",
    Severity.WARNING,
    "An E/M visit with an injection lacks modifier 25, or 25 sits on the "
    "injection or drug.",
    (Claim,),
    Example(
        GOOD_CLAIM.replace("CLM*EX1*33*", "CLM*EX1*123*")
        + "LX*3~\nSV1*HC:99213:25*90*UN*1*11**1~\nDTP*472*D8*20250301~\n",
        GOOD_CLAIM.replace("CLM*EX1*33*", "CLM*EX1*123*")
        + "LX*3~\nSV1*HC:99213*90*UN*1*11**1~\nDTP*472*D8*20250301~\n",
    ),
    codes=(INJECTION, J3420),
)
def em_modifier_25(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """An E/M visit billed with an injection lacks modifier 25.

    A separately identifiable E/M visit (99202-99205, 99212-99215) on the
    day of an injection is payable only with modifier 25 on the E/M line;
    without it the visit is bundled into the injection. The modifier
    belongs on the E/M, never on 96372 or J3420: there it is an error.
    (99211 with an injection is ADM004's.)

    Source: REFERENCE §2 ([S16][S17]).
    """
    visits = report.context.data.em_codes.exact - {NURSE_VISIT}
    for line in lines_of(claim, visits):
        if same_day(line, {INJECTION}) and SEPARATE_VISIT not in line.modifiers:
            yield report.finding(
                f"{line.code} on the day of an injection needs modifier 25 "
                "(separately identifiable visit), or it is bundled",
                line.sv1,
                "SV101-2",
                within=line,
            )

    for line in lines_of(claim, {INJECTION, J3420}):
        for index, modifier in modifier_positions(line):
            if modifier == SEPARATE_VISIT:
                yield report.finding(
                    f"modifier 25 belongs on the E/M visit, not on {line.code}: "
                    "remove it here",
                    line.sv1,
                    modifier_element(line, index),
                    within=line,
                    severity=Severity.ERROR,
                )


@rule(
    "ADM006",
    "facility-pos",
    Severity.WARNING,
    "An injection or J3420 line billed by the physician in a facility "
    "place of service.",
    (Claim,),
    Example(
        GOOD_CLAIM, GOOD_CLAIM.replace("*11:B:1*", "*22:B:1*").replace("*11**1", "***1")
    ),
    codes=(INJECTION, J3420),
)
def facility_place_of_service(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """An injection or J3420 line billed in a facility place of service.

    Injection and infusion codes 96360-96379 are not meant to be reported
    by the physician in a facility (hospital outpatient 19/22, inpatient
    21, emergency 23, surgery center 24, ...): the facility bills them and
    supplies the drug. Payers deny the physician's line (CARC 5, 58 or 171).

    Source: CPT guidance via Regence policy 109; CMS facility rates
    (REFERENCE §2, [S18][S19a]).
    """
    facilities = report.context.data.facility_places
    for line in lines_of(claim, {INJECTION, J3420}):
        place = line.place_of_service
        if place in facilities and line.sv1 is not None:
            message = (
                f"{line.code} in facility place of service {place}: the facility "
                "bills the injection and the drug, not the physician"
            )
            # The place came from SV105 when the line has one, else from CLM05-1.
            if line.sv1.get(5):
                yield report.finding(message, line.sv1, "SV105", within=line)
            else:
                yield report.finding(message, claim.clm, "CLM05-1", within=line)


RULES = (
    drug_without_administration,
    administration_without_drug,
    route_mismatch,
    nurse_visit_with_injection,
    em_modifier_25,
    facility_place_of_service,
)
