"""PA rules: prior authorization numbers, where they go and what they cover.

A payer that requires prior authorization for J3420 denies the line
without the number it issued (CARC 197, N54, M62). The number goes in 2300
REF*G1, which covers every line, and in 2400 REF*G1 only for a line whose
number differs (X12 RFI 2459). An authorization also has a scope: member,
code, units, dates and provider.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from lint837.findings import Finding, Severity
from lint837.model import Claim, Reference, ServiceLine
from lint837.model.claim import Loop
from lint837.rules.base import Example, Reporter, rule
from lint837.rules.common import J3420, drug_lines
from lint837.rules.examples import ACME_REQUIRES_PA, GOOD_CLAIM

MAX_LINE_AUTHORIZATIONS = 5
MAX_LENGTH = 50
PLACEHOLDER = re.compile(r"^(N/?A|NONE|PENDING|TBD|UNKNOWN|X+|0+|9+)$", re.IGNORECASE)


@rule(
    "PA001",
    "prior-auth-missing",
    Severity.ERROR,
    "The payer requires prior authorization for J3420 and the claim carries none.",
    (Claim,),
    Example(GOOD_CLAIM, GOOD_CLAIM.replace("REF*G1*PA12345~\n", ""), ACME_REQUIRES_PA),
    codes=(J3420,),
)
def prior_auth_missing(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """The payer requires prior authorization for J3420 and none is on the claim.

    Which payers require it is policy, not a rule of X12: Original
    Medicare has no PA program for J3420, while Medicaid programs and some
    Medicare Advantage plans do (Florida Medicaid required it for
    pernicious anemia). List the codes per payer in the policy file
    (``prior_auth = ["J3420"]``). The number goes in 2300 REF*G1 (all
    lines) or 2400 REF*G1 (that line). Without it: CARC 197 with N54/M62.

    Source: REFERENCE §6 ([S26][S38][S39]); X12 RFI 2459 ([S27]).
    """
    policy = report.context.payer(claim)
    if J3420 not in policy.prior_auth or claim.prior_authorizations:
        return

    payer = policy.name or claim.payer_id or "this payer"
    for line in drug_lines(claim):
        if not line.prior_authorizations:
            yield report.finding(
                f"{payer} requires prior authorization for J3420: add the number "
                "in REF*G1 (2300 for the claim, or 2400 for this line)",
                line.sv1,
                "SV101-2",
                within=line,
            )


@rule(
    "PA002",
    "line-auth-duplicates-claim",
    Severity.ERROR,
    "A line repeats the claim's REF*G1, or REF*G1 repeats beyond its limits.",
    (Claim,),
    Example(
        GOOD_CLAIM,
        GOOD_CLAIM.replace(
            "DTP*472*D8*20250301~\nLIN", "DTP*472*D8*20250301~\nREF*G1*PA12345~\nLIN"
        ),
    ),
    segments=("REF",),
)
def line_auth_duplicates_claim(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """A line repeats the claim's REF*G1, or REF*G1 repeats beyond its limits.

    The guide's note on 2400 REF*G1: use it only when the line's number
    differs from the one in 2300. One REF*G1 is allowed in 2300, up to five
    in 2400 (REF04 2U marks another payer's number). Repeating the claim's
    number on a line, or sending more, is a guide violation that some
    payers reject.

    Source: 005010X222A1 2300/2400 REF*G1 notes; X12 RFI 2459 (REFERENCE
    §5.3, [S26][S27]).
    """
    claim_level = claim.prior_authorizations
    for extra in claim_level[1:]:
        yield report.finding(
            "2300 allows one REF*G1; send one claim-level number and put other "
            "numbers on their lines",
            extra.segment,
            "REF01",
            within=claim,
        )

    claim_numbers = {ref.value for ref in claim_level}
    for line in claim.lines:
        references = line.prior_authorizations
        for extra in references[MAX_LINE_AUTHORIZATIONS:]:
            yield report.finding(
                f"a line allows at most {MAX_LINE_AUTHORIZATIONS} REF*G1",
                extra.segment,
                "REF01",
                within=line,
            )

        for ref in references:
            if ref.value and ref.value in claim_numbers:
                yield report.finding(
                    f"line REF*G1 '{ref.value}' repeats the claim-level number; "
                    "send a line-level number only when it differs (X12 RFI 2459)",
                    ref.segment,
                    "REF02",
                    within=line,
                )


@rule(
    "PA003",
    "auth-value-malformed",
    Severity.WARNING,
    "A prior authorization or referral number is empty, too long or a placeholder.",
    (Claim,),
    Example(GOOD_CLAIM, GOOD_CLAIM.replace("REF*G1*PA12345~", "REF*G1*PENDING~")),
    segments=("REF",),
)
def auth_value_malformed(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """A prior authorization or referral number is empty, too long or a placeholder.

    REF02 of REF*G1 (prior authorization) and REF*9F (referral) must carry
    the number the payer issued, at most 50 characters. Placeholders such
    as N/A, NONE, PENDING, TBD or zeros are denied as an invalid
    authorization (CARC 15), and a referral number that repeats the
    authorization number usually means one was copied into the other.
    An empty number is an error; the others are warnings.

    Source: 005010X222A1 REF02 (REFERENCE §5.2, §6, [S26]); CARC 15.
    """
    authorizations = {ref.value for ref in claim.prior_authorizations}
    references: list[tuple[Loop, Reference]] = [
        (claim, ref) for ref in claim.references
    ]
    references += [(line, ref) for line in claim.lines for ref in line.references]

    for owner, ref in references:
        if ref.qualifier not in ("G1", "9F"):
            continue

        problem = _problem(ref)
        if problem is not None:
            message, severity = problem
            yield report.finding(
                message, ref.segment, "REF02", within=owner, severity=severity
            )
        elif owner is claim and ref.qualifier == "9F" and ref.value in authorizations:
            yield report.finding(
                f"referral number '{ref.value}' is the prior authorization number; "
                "send the referral number the payer issued in REF*9F",
                ref.segment,
                "REF02",
                within=claim,
            )


def _problem(ref: Reference) -> tuple[str, Severity | None] | None:
    kind = "prior authorization" if ref.qualifier == "G1" else "referral"
    value = ref.value.strip()

    if not value:
        return f"REF*{ref.qualifier} has no {kind} number", Severity.ERROR
    if len(value) > MAX_LENGTH:
        return f"{kind} number is {len(value)} characters; REF02 holds at most 50", None
    if PLACEHOLDER.match(value):
        return (
            f"{kind} number '{value}' is a placeholder; send the number the payer "
            "issued, or hold the claim until it arrives",
            None,
        )
    return None


@dataclass
class _Used:
    """Units billed so far against each authorization number in the run."""

    units: dict[str, Decimal] = field(default_factory=dict)


@rule(
    "PA004",
    "auth-scope",
    Severity.ERROR,
    "The J3420 line is outside the authorization on file, or omits one on file.",
    (Claim,),
    Example(
        GOOD_CLAIM,
        GOOD_CLAIM.replace("REF*G1*PA12345~", "REF*G1*PA99999~"),
        authorizations=(
            "auth_number,member_id,hcpcs,units,start_date,end_date,npi\n"
            "PA12345,MEMBER0001,J3420,6,2025-01-01,2025-06-30,\n"
        ),
    ),
    codes=(J3420,),
    stateful=True,
)
def auth_scope(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """The J3420 line is outside the authorization on file, or omits it.

    Runs when an authorization export is given (``--auths FILE``: auth
    number, member id, HCPCS, units, start and end date, optional NPI). The
    line's REF*G1 (else the claim's) must be on file, for this member and
    this code, cover the date of service, and the units billed against it
    over the run must not exceed the units authorized; where the file names
    an NPI, the rendering (else billing) provider must match. A J3420 line
    with no number while the file holds a matching authorization is missing
    it. Payers deny these with CARC 15, 197, 198 or 302 and N54.

    Source: REFERENCE §6 ([S34][S35][S37]).
    """
    authorizations = report.context.authorizations
    if authorizations is None:
        return

    used = report.context.state("PA004", _Used)
    subscriber = claim.subscriber
    member = subscriber.party.id if subscriber and subscriber.party else ""

    for line in drug_lines(claim):
        refs = line.prior_authorizations or claim.prior_authorizations
        if not refs:
            for found in authorizations.matching(member, J3420, line.date):
                yield report.finding(
                    f"authorization {found.number} on file covers this J3420 line but "
                    "is not on the claim: add REF*G1",
                    line.sv1,
                    "SV101-2",
                    within=line,
                )
                break
            continue

        yield from _check_scope(claim, line, refs[0], member, used, report)


def _check_scope(
    claim: Claim,
    line: ServiceLine,
    ref: Reference,
    member: str,
    used: _Used,
    report: Reporter,
) -> Iterator[Finding]:
    authorizations = report.context.authorizations
    # auth_scope calls this only when an export was loaded.
    assert authorizations is not None

    number = ref.value
    found = authorizations.by_number.get(number)
    if found is None:
        yield report.finding(
            f"authorization '{number}' is not on file: check the number (CARC 15)",
            ref.segment,
            "REF02",
            within=line,
        )
        return

    if found.hcpcs != line.code:
        yield report.finding(
            f"authorization {number} is for {found.hcpcs}, not J3420",
            line.sv1,
            "SV101-2",
            within=line,
        )

    if line.date is not None and not found.covers(line.date):
        segment = line.service_date.segment if line.service_date else line.sv1
        yield report.finding(
            f"service date {line.date:%Y-%m-%d} is outside authorization {number} "
            f"({found.start:%Y-%m-%d} to {found.end:%Y-%m-%d}): CARC 302 risk",
            segment,
            "DTP03",
            within=line,
        )

    if found.member_id != member:
        yield report.finding(
            f"authorization {number} was issued for another member",
            ref.segment,
            "REF02",
            within=line,
        )

    npi = _provider_npi(claim)
    if found.npi and npi and found.npi != npi:
        yield report.finding(
            f"authorization {number} names another provider NPI than this claim's",
            ref.segment,
            "REF02",
            within=line,
        )

    units = line.units
    if units is not None and units > 0:
        # Units add up over the run: claims in any file can draw on one number.
        total = used.units.get(number, Decimal(0)) + units
        used.units[number] = total
        if total > found.units:
            yield report.finding(
                f"{total} J3420 units billed against authorization {number}, which "
                f"allows {found.units}: CARC 198 risk",
                line.sv1,
                "SV104",
                within=line,
            )


def _provider_npi(claim: Claim) -> str:
    rendering = claim.rendering_provider
    if rendering is not None and rendering.id_qualifier == "XX":
        return rendering.id
    provider = claim.billing_provider
    return provider.npi if provider is not None else ""


RULES = (
    prior_auth_missing,
    line_auth_duplicates_claim,
    auth_value_malformed,
    auth_scope,
)
