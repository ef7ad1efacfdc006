"""MOD rules: the drug-wastage modifiers JW and JZ, and malformed modifiers.

Since July 2023 Medicare wants JZ (no drug discarded) or a JW line
(amount discarded) on separately payable drugs from single-dose
containers. Every cyanocobalamin listing we checked is a multi-dose vial,
so for J3420 these modifiers normally do not apply: JW is wrong, and JZ is
needed only if a single-dose NDC is billed.
"""

from __future__ import annotations

from collections.abc import Iterator

from lint837.findings import Finding, Severity
from lint837.model import Claim
from lint837.rules.base import Example, Reporter, rule
from lint837.rules.common import J3420, drug_lines, modifier_element, modifier_positions
from lint837.rules.examples import GOOD_CLAIM, MEDICARE

WASTED, NOT_WASTED = "JW", "JZ"

J_LINE = "SV1*HC:J3420*"


@rule(
    "MOD001",
    "jw-on-multidose",
    Severity.WARNING,
    "JW (drug wasted) on J3420, which comes in multi-dose vials.",
    (Claim,),
    Example(GOOD_CLAIM, GOOD_CLAIM.replace(J_LINE, "SV1*HC:J3420:JW*")),
    codes=(J3420,),
)
def jw_on_multidose(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """JW (drug wasted) on J3420, which comes in multi-dose vials.

    JW reports the amount of a single-dose container that was discarded.
    It never applies to multi-dose containers, and every cyanocobalamin
    1,000 mcg/mL listing checked is a multi-dose (or untyped) vial; payers
    deny JW on a multi-dose drug (CARC 4).

    Source: CMS JW/JZ policy; Noridian, Priority Health (REFERENCE §4,
    [S22][S23][S24]).
    """
    for line in drug_lines(claim):
        for index, modifier in modifier_positions(line):
            if modifier == WASTED:
                yield report.finding(
                    "JW (amount discarded) applies only to single-dose containers; "
                    "cyanocobalamin vials are multi-dose: remove JW",
                    line.sv1,
                    modifier_element(line, index),
                    within=line,
                )


@rule(
    "MOD002",
    "jz-jw-required",
    Severity.ERROR,
    "A single-dose J3420 NDC on a Medicare claim lacks JZ/JW, or a modifier "
    "the payer requires is missing.",
    (Claim,),
    Example(
        MEDICARE + GOOD_CLAIM.replace(J_LINE, "SV1*HC:J3420:JZ*"),
        MEDICARE + GOOD_CLAIM,
        '[payer.MEDICAREB]\nkind = "medicare"\nsingle_dose_ndcs = ["00517003125"]\n',
    ),
    codes=(J3420,),
)
def jz_jw_required(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """A single-dose J3420 NDC on a Medicare claim lacks JZ or JW.

    From 2023-07-01 Medicare Part B claims for separately payable drugs
    from single-dose containers need JZ when nothing was discarded, or the
    discarded amount on a JW line; from 2023-10-01 claims without either
    may be returned. Which J3420 NDCs are single-dose is data (the
    ``container`` of j3420_ndcs.toml, or the payer's ``single_dose_ndcs``).
    The same rule reports modifiers a payer's policy requires on J3420
    (``modifiers = { J3420 = ["JZ"] }``).

    Source: CMS JW/JZ FAQs via Noridian ([S22][S24]); REFERENCE §4.
    """
    context = report.context
    policy = context.payer(claim)
    single_dose = context.data.single_dose_ndcs | policy.single_dose_ndcs
    medicare = context.is_medicare(claim)
    required = policy.modifiers.get(J3420, frozenset())

    for line in drug_lines(claim):
        modifiers = set(line.modifiers)
        drug = line.drug
        if (
            medicare
            and drug is not None
            and drug.ndc in single_dose
            and not modifiers & {WASTED, NOT_WASTED}
        ):
            yield report.finding(
                f"NDC {drug.ndc} is a single-dose container: Medicare needs JZ (none "
                "discarded) or a JW line for the discarded amount",
                line.sv1,
                "SV101-3",
                within=line,
            )

        missing = sorted(required - modifiers)
        if missing:
            payer = policy.name or claim.payer_id
            yield report.finding(
                f"{payer} requires modifier {', '.join(missing)} on J3420",
                line.sv1,
                "SV101-3",
                within=line,
            )


@rule(
    "MOD003",
    "modifier-conflict",
    Severity.ERROR,
    "J3420 modifiers conflict (JW with JZ), repeat, or are malformed.",
    (Claim,),
    Example(GOOD_CLAIM, GOOD_CLAIM.replace(J_LINE, "SV1*HC:J3420:JW:JZ*")),
    codes=(J3420,),
)
def modifier_conflict(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """J3420 modifiers conflict, repeat, or are malformed.

    A modifier is two letters or digits. JW (discarded) and JZ (none
    discarded) exclude each other on one line, and a modifier appears once
    per line. Payers reject such lines (CARC 4). Modifier 25 on a drug
    line is reported by ADM005.

    Source: REFERENCE §4 ([S24c]); SV101-3..6 ([S33]).
    """
    for line in drug_lines(claim):
        seen: set[str] = set()
        for index, modifier in modifier_positions(line):
            element = modifier_element(line, index)
            if len(modifier) != 2 or not modifier.isalnum():
                yield report.finding(
                    f"modifier '{modifier}' is not two letters or digits",
                    line.sv1,
                    element,
                    within=line,
                )
            elif modifier in seen:
                yield report.finding(
                    f"modifier {modifier} is repeated on the line",
                    line.sv1,
                    element,
                    within=line,
                )
            elif {modifier} | seen >= {WASTED, NOT_WASTED}:
                yield report.finding(
                    "JW (discarded) and JZ (none discarded) exclude each other: "
                    "keep one",
                    line.sv1,
                    element,
                    within=line,
                )
            seen.add(modifier)


RULES = (jw_on_multidose, jz_jw_required, modifier_conflict)
