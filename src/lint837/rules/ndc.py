"""NDC rules: the drug's National Drug Code and quantity in loop 2410.

Medicaid programs must collect the NDC, quantity and unit of measure of
physician-administered drugs (Deficit Reduction Act 2005) and many deny a
drug line without them; commercial payers increasingly ask too. The NDC
goes in LIN03 as 11 digits (5-4-2, zero-padded, no hyphens) after the
qualifier N4, and CTP04/CTP05 give the quantity and its unit.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lint837.config import PayerKind
from lint837.findings import Finding, Severity
from lint837.model import Claim
from lint837.rules.base import Example, Reporter, rule
from lint837.rules.common import J3420, drug_lines
from lint837.rules.examples import GOOD_CLAIM, MEDICAID

UNITS_OF_MEASURE = ("F2", "GR", "ME", "ML", "UN")
SOLUTION_UNITS = ("ML", "UN")
# X12 R type: no needless leading zero, no trailing zero after a point,
# no trailing point (RFI 1924): 1, 0.5, 1.25 are fine; 01, 1.50, 1. are not.
QUANTITY = re.compile(r"^(?:0|[1-9]\d*)(?:\.\d*[1-9])?$|^\.\d*[1-9]$")
NDC_LINES = "LIN**N4*00517003125~\nCTP****1*ML~\n"


@rule(
    "NDC001",
    "ndc-required",
    Severity.ERROR,
    "A J3420 line has no NDC (2410 LIN and CTP) where the payer requires it.",
    (Claim,),
    Example(MEDICAID + GOOD_CLAIM, MEDICAID + GOOD_CLAIM.replace(NDC_LINES, "")),
    codes=(J3420,),
)
def ndc_required(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """A J3420 line has no NDC (2410 LIN and CTP).

    Medicaid (SBR09 MC, or a policy ``kind = "medicaid"``) requires the
    NDC on physician-administered drugs, and so does any payer whose policy
    lists J3420 in ``ndc_required``: for them a missing NDC is an error
    (CARC 16 with M119). For others it is information: sending the NDC is
    good practice and costs nothing.

    Source: DRA 2005 (REFERENCE §7, [S40]); 005010X222A1 2410 (§5.3, [S26]).
    """
    context = report.context
    required = (
        J3420 in context.payer(claim).ndc_required
        or context.kind(claim) is PayerKind.MEDICAID
    )

    for line in drug_lines(claim):
        if line.drug is None:
            yield report.finding(
                "J3420 line has no NDC: add LIN**N4*<11-digit NDC> and "
                "CTP****<quantity>*ML (2410)"
                + (" - this payer requires it" if required else ""),
                line.sv1,
                within=line,
                severity=None if required else Severity.INFO,
            )


@rule(
    "NDC002",
    "ndc-format",
    Severity.ERROR,
    "LIN02 is not N4, or LIN03 is not an 11-digit NDC.",
    (Claim,),
    Example(
        GOOD_CLAIM, GOOD_CLAIM.replace("LIN**N4*00517003125~", "LIN**N4*0517-0031-25~")
    ),
    segments=("LIN",),
)
def ndc_format(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """LIN02 is not N4, or LIN03 is not an 11-digit NDC.

    The 837 carries the NDC in the 11-digit 5-4-2 form: each part
    zero-padded, no hyphens or spaces (0517-0031-25 becomes 00517003125),
    with qualifier N4. A 10-digit or hyphenated NDC is rejected (CARC 16,
    M119).

    Source: REFERENCE §1.3 ([S14][S28]); 005010X222A1 2410 LIN.
    """
    for line in claim.lines:
        drug = line.drug
        if drug is None:
            continue

        if drug.qualifier != "N4":
            yield report.finding(
                f"LIN02 is '{drug.qualifier}'; the NDC qualifier is N4",
                drug.lin,
                "LIN02",
                within=line,
            )

        ndc = drug.ndc
        if len(ndc) != 11 or not ndc.isdigit():
            digits = "".join(char for char in ndc if char.isdigit())
            hint = f" ({len(digits)} digits found)" if digits else ""
            yield report.finding(
                f"NDC '{ndc}' must be 11 digits, 5-4-2 zero-padded with no "
                f"hyphens{hint}: 0517-0031-25 -> 00517003125",
                drug.lin,
                "LIN03",
                within=line,
            )


@rule(
    "NDC003",
    "ndc-not-cyanocobalamin",
    Severity.WARNING,
    "The NDC on a J3420 line is not a known cyanocobalamin 1,000 mcg/mL product.",
    (Claim,),
    Example(GOOD_CLAIM, GOOD_CLAIM.replace("00517003125", "00002143380")),
    confirmed=False,
    codes=(J3420,),
)
def ndc_not_cyanocobalamin(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """The NDC on a J3420 line is not a known cyanocobalamin product.

    J3420 is cyanocobalamin, 1,000 mcg/mL. The shipped list
    (j3420_ndcs.toml) holds the package NDCs of the labelers found in the
    openFDA NDC directory; CMS's quarterly ASP NDC-HCPCS crosswalk is the
    authoritative source, so replace the file with it where you can. An NDC
    of another drug on the line is denied (CARC 16, M119).

    Source: openFDA NDC directory (REFERENCE §1.3, [S12][S13]); CMS ASP
    crosswalk ([S44]).
    """
    known = report.context.data.ndcs
    for line in drug_lines(claim):
        drug = line.drug
        if drug is None or not (len(drug.ndc) == 11 and drug.ndc.isdigit()):
            continue
        if drug.ndc not in known:
            yield report.finding(
                f"NDC {drug.ndc} is not a known cyanocobalamin 1,000 mcg/mL "
                "product for J3420: check the vial's NDC",
                drug.lin,
                "LIN03",
                within=line,
            )


@rule(
    "NDC004",
    "ndc-unit-of-measure",
    Severity.ERROR,
    "CTP05-1 is not a unit of measure (F2, GR, ME, ML, UN), or not ML/UN for J3420.",
    (Claim,),
    Example(GOOD_CLAIM, GOOD_CLAIM.replace("CTP****1*ML~", "CTP****1*MG~")),
    segments=("LIN",),
)
def ndc_unit_of_measure(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """CTP05-1 is not a valid unit of measure, or not ML/UN for J3420.

    The NDC quantity's unit is F2 (international unit), GR (gram), ME
    (milligram), ML (milliliter) or UN (unit). Cyanocobalamin is a solution
    reported in ML (or UN for whole vials); F2, GR and ME on a J3420 line
    are legal but almost surely wrong, so they are warnings.

    Source: 005010X222A1 2410 CTP05-1; X12 RFI 591 (REFERENCE §5.3,
    [S25][S30][S49]).
    """
    for line in claim.lines:
        drug = line.drug
        if drug is None or drug.ctp is None:
            continue

        unit = drug.unit
        if unit not in UNITS_OF_MEASURE:
            yield report.finding(
                f"CTP05-1 '{unit}' is not a unit of measure: send F2, GR, ME, ML or UN "
                "(ML for cyanocobalamin)",
                drug.ctp,
                "CTP05-1",
                within=line,
            )
        elif line.code == J3420 and unit not in SOLUTION_UNITS:
            yield report.finding(
                f"cyanocobalamin is a solution: report its quantity in ML (or UN "
                f"per vial), not {unit}",
                drug.ctp,
                "CTP05-1",
                within=line,
                severity=Severity.WARNING,
            )


@rule(
    "NDC005",
    "ndc-quantity",
    Severity.ERROR,
    "The NDC quantity (CTP04) is missing or malformed, or does not match the "
    "J3420 units.",
    (Claim,),
    Example(GOOD_CLAIM, GOOD_CLAIM.replace("CTP****1*ML~", "CTP****3*ML~")),
    codes=(J3420,),
)
def ndc_quantity(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """The NDC quantity (CTP04) is missing, malformed, or off the units.

    CTP04 is an X12 decimal: no commas, no needless leading or trailing
    zeros, no trailing point (RFI 1924); a wrong format is an error. At
    1,000 mcg per mL, each J3420 unit is at most 1 mL, so in ML the
    quantity lies above units - 1 and at most the units billed (1 unit:
    up to 1 mL; 2 units: more than 1 and up to 2 mL). A quantity outside
    that range means the units or the quantity are wrong: a warning.

    Source: REFERENCE §5.3 ([S29][S30]); J3420 descriptor (§1).
    """
    for line in drug_lines(claim):
        drug = line.drug
        if drug is None:
            continue

        if drug.ctp is None:
            yield report.finding(
                "2410 has the NDC but no CTP: add CTP****<quantity>*ML",
                drug.lin,
                within=line,
            )
            continue

        text = drug.quantity_text
        quantity = drug.quantity
        if quantity is None or quantity <= 0 or not QUANTITY.match(text):
            yield report.finding(
                f"NDC quantity '{text}' must be a plain number above 0, without "
                "commas or needless zeros (1, 0.5, 2.25)",
                drug.ctp,
                "CTP04",
                within=line,
            )
            continue

        # Only a quantity in ML converts to units (1 mL = 1,000 mcg = 1 unit).
        units = line.units
        if drug.unit != "ML" or units is None or units <= 0:
            continue
        if quantity > units or quantity <= units - 1:
            yield report.finding(
                f"NDC quantity {text} ML does not match {units} J3420 unit(s): "
                "1 mL = 1,000 mcg = 1 unit",
                drug.ctp,
                "CTP04",
                within=line,
                severity=Severity.WARNING,
            )


RULES = (
    ndc_required,
    ndc_format,
    ndc_not_cyanocobalamin,
    ndc_unit_of_measure,
    ndc_quantity,
)
