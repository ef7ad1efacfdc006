"""DX rules: the diagnosis codes and the pointers that tie lines to them.

ICD-10-CM codes go in the 2300 HI segment without the decimal point, the
principal one qualified ABK and the others ABF. Each line points at up to
four of them by position (SV107); those pointed codes are what a payer's
coverage edit (for J3420, LCD L33967 and its kin) looks at.
"""

from __future__ import annotations

from collections.abc import Iterator

from lint837.findings import Finding, Severity
from lint837.model import Claim, Diagnosis
from lint837.rules import keys
from lint837.rules.base import Example, Reporter, rule
from lint837.rules.common import J3420, drug_lines
from lint837.rules.examples import GOOD_CLAIM

MAX_DIAGNOSES = 12
MAX_POINTERS = 4
PRINCIPAL, OTHER = "ABK", "ABF"
ICD9_QUALIFIERS = frozenset({"BK", "BF"})


def _element(diagnosis: Diagnosis, component: int) -> str:
    return f"HI{diagnosis.element:02d}-{component}"


@rule(
    "DX001",
    "icd-no-decimal",
    Severity.ERROR,
    "An ICD-10 code in HI has a decimal point or another non-alphanumeric character.",
    (Claim,),
    Example(GOOD_CLAIM, GOOD_CLAIM.replace("HI*ABK:D510~", "HI*ABK:D51.0~")),
    key=keys.diagnoses,
)
def icd_no_decimal(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """An ICD-10 code in HI has a decimal point or another symbol.

    The 837 carries ICD-10-CM codes without the decimal point (D51.0 is
    sent as D510); the point, spaces or dashes make the code invalid and
    the claim is rejected at the front end.

    Source: 005010X222A1 HI notes (REFERENCE §5.2, [S26]).
    """
    for diagnosis in claim.diagnoses:
        code = diagnosis.code
        if code and not code.isalnum():
            fixed = "".join(char for char in code if char.isalnum())
            yield report.finding(
                f"diagnosis '{code}' must be sent without the decimal point or "
                f"symbols: {fixed}",
                diagnosis.segment,
                _element(diagnosis, 2),
                within=claim,
            )


@rule(
    "DX002",
    "hi-qualifiers",
    Severity.ERROR,
    "HI does not start with ABK, has codes not qualified ABF, more than 12 "
    "codes, or a repeated code.",
    (Claim,),
    Example(GOOD_CLAIM, GOOD_CLAIM.replace("HI*ABK:D510~", "HI*ABF:D510~")),
    key=keys.diagnoses,
)
def hi_qualifiers(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """HI qualifiers, count or repeats are wrong.

    The first diagnosis is the principal one, qualified ABK (ICD-10-CM
    principal); the others are ABF. BK/BF are the ICD-9 qualifiers, not
    valid for services since October 2015. One HI holds at most 12 codes,
    each once.

    Source: 005010X222A1 2300 HI (REFERENCE §5.2, [S25][S31]).
    """
    diagnoses = claim.diagnoses
    icd9 = [d for d in diagnoses if d.qualifier in ICD9_QUALIFIERS]
    if icd9:
        qualifiers = "/".join(sorted({d.qualifier for d in icd9}))
        yield report.finding(
            f"HI uses the ICD-9 qualifiers {qualifiers}; "
            "services since 2015-10-01 are coded in ICD-10-CM: send ABK for the "
            "principal diagnosis and ABF for the others",
            icd9[0].segment,
            _element(icd9[0], 1),
            within=claim,
        )

    seen: set[str] = set()
    for diagnosis in diagnoses:
        if diagnosis.position > MAX_DIAGNOSES:
            yield report.finding(
                f"HI holds more than {MAX_DIAGNOSES} diagnosis codes; an 837P "
                "claim carries at most 12",
                diagnosis.segment,
                f"HI{diagnosis.element:02d}",
                within=claim,
            )
            return

        expected = PRINCIPAL if diagnosis.position == 1 else OTHER
        if (
            diagnosis.qualifier != expected
            and diagnosis.qualifier not in ICD9_QUALIFIERS
        ):
            role = (
                "the principal diagnosis"
                if expected == PRINCIPAL
                else "other diagnoses"
            )
            yield report.finding(
                f"HI{diagnosis.element:02d}-1 is '{diagnosis.qualifier}'; {role} "
                f"take {expected} (ICD-10-CM)",
                diagnosis.segment,
                _element(diagnosis, 1),
                within=claim,
            )

        if diagnosis.code in seen:
            yield report.finding(
                f"diagnosis {diagnosis.code} is listed twice; send each code once "
                "and point lines at the first",
                diagnosis.segment,
                _element(diagnosis, 2),
                within=claim,
            )
        seen.add(diagnosis.code)


@rule(
    "DX003",
    "pointer-validity",
    Severity.ERROR,
    "A line's diagnosis pointer (SV107) is missing, points at no diagnosis, "
    "repeats, or there are more than four.",
    (Claim,),
    Example(
        GOOD_CLAIM,
        GOOD_CLAIM.replace("SV1*HC:J3420*8*UN*1*11**1~", "SV1*HC:J3420*8*UN*1*11**2~"),
    ),
    key=keys.diagnoses,
)
def pointer_validity(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """A diagnosis pointer (SV107) is missing, dangling, repeated or too many.

    SV107 lists one to four pointers, each the position (1-12) of a code
    in the claim's HI segment. A pointer to an empty position, a repeated
    pointer or a fifth pointer is invalid, and a line with no pointer has
    no diagnosis for the payer's coverage edit.

    Source: 005010X222A1 2400 SV107 (REFERENCE §5.3, [S25][S32]).
    """
    filled = {str(diagnosis.position) for diagnosis in claim.diagnoses}
    count = len(filled)

    for line in claim.lines:
        sv1 = line.sv1
        if sv1 is None:
            continue

        pointers = sv1.components(7)
        if not any(pointers):
            yield report.finding(
                f"line {line.number} ({line.code}) has no diagnosis pointer: point "
                "SV107 at its diagnosis in HI",
                sv1,
                "SV107",
                within=line,
            )
            continue

        seen: set[str] = set()
        for position, pointer in enumerate(pointers, start=1):
            element = f"SV107-{position}"
            if position > MAX_POINTERS:
                yield report.finding(
                    f"more than {MAX_POINTERS} diagnosis pointers on the line",
                    sv1,
                    element,
                    within=line,
                )
                break

            if pointer in seen:
                yield report.finding(
                    f"pointer {pointer} is repeated on the line",
                    sv1,
                    element,
                    within=line,
                )
            elif pointer not in filled or int(pointer) > MAX_DIAGNOSES:
                yield report.finding(
                    f"SV107 pointer '{pointer}' does not name a diagnosis in HI "
                    f"(the claim has {count})",
                    sv1,
                    element,
                    within=line,
                )
            seen.add(pointer)


@rule(
    "DX004",
    "j3420-diagnosis-support",
    Severity.WARNING,
    "The diagnoses a J3420 line points at do not support a B12 injection.",
    (Claim,),
    Example(GOOD_CLAIM, GOOD_CLAIM.replace("HI*ABK:D510~", "HI*ABK:R5383~")),
    confirmed=False,
    codes=(J3420,),
)
def diagnosis_support(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """The diagnoses a J3420 line points at do not support a B12 injection.

    Medicare covers B12 injections for documented deficiency and the
    conditions that cause it: pernicious and other B12-deficiency anemias,
    gastrectomy and malabsorption, Crohn's, chronic pancreatitis, some
    neuropathies, and premedication for pemetrexed or pralatrexate (LCD
    L33967 and its predecessors). Vitamins for general welfare (fatigue,
    malaise, weight loss, "energy" shots) are excluded (BPM ch. 15
    §50.4.3), and so are injections for foot tendons and ligaments (NCD
    150.6): denials CARC 50, 11 or 167. The supportive list is derived from
    ICD-9 policy lists and UNCONFIRMED: it is data
    (j3420_supportive_diagnoses.toml, or the payer's
    ``supportive_diagnoses``), and the rule warns unless the payer's policy
    sets ``diagnosis_support = "error"``.

    Source: REFERENCE §3 ([S1][S4][S5][S6][S9]); NCD 150.6.
    """
    context = report.context
    policy = context.payer(claim)
    supportive = policy.supportive_diagnoses or context.data.supportive_diagnoses
    excluded = (context.data.general_welfare, context.data.foot_indications)
    severity = Severity.ERROR if policy.diagnosis_support == "error" else None

    for line in drug_lines(claim):
        pointed = [claim.diagnosis_at(pointer) for pointer in line.pointers]
        # Judge the code, not its punctuation: a "D51.0" is DX001's to report.
        codes = ["".join(filter(str.isalnum, d.code)) for d in pointed if d is not None]
        if not codes or any(code in supportive for code in codes):
            continue

        shown = ", ".join(codes)
        if all(any(code in listed for listed in excluded) for code in codes):
            message = (
                f"J3420 points only at {shown}: B12 for fatigue, wellness, weight "
                "loss or foot tendons is excluded (BPM ch.15 §50.4.3; NCD 150.6)"
            )
        else:
            message = (
                f"J3420 points only at {shown}; none supports a B12 injection: "
                "point it at the deficiency or its cause (e.g. D51.0, E53.8, "
                "K90.x, K91.2, Z90.3)"
            )

        yield report.finding(message, line.sv1, "SV107", within=line, severity=severity)


RULES = (icd_no_decimal, hi_qualifiers, pointer_validity, diagnosis_support)
