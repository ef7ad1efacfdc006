"""UNT rules: J3420 units, unit basis, the MUE and the line charge.

J3420 is "injection, vitamin B-12 cyanocobalamin, up to 1000 mcg": one
unit is any amount up to 1,000 mcg, so units = ceil(dose in mcg / 1000),
always a whole number, and almost every covered dose is one unit a day.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from lint837.findings import Finding, Severity
from lint837.model import Claim
from lint837.rules.base import Example, Reporter, rule
from lint837.rules.common import (
    INJECTION,
    J3420,
    billing_npi,
    drug_facts,
    drug_lines,
    lines_of,
)
from lint837.rules.examples import GOOD_CLAIM

NO_COST = Decimal("0.01")
ZERO = Decimal(0)
ONE_UNIT = "SV1*HC:J3420*8*UN*1*"


@rule(
    "UNT001",
    "unit-basis",
    Severity.ERROR,
    "A J3420 or 96372 line is not billed in units (SV103 must be UN).",
    (Claim,),
    Example(GOOD_CLAIM, GOOD_CLAIM.replace("SV1*HC:J3420*8*UN*", "SV1*HC:J3420*8*MJ*")),
    codes=(J3420, INJECTION),
)
def unit_basis(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """A J3420 or 96372 line is not billed in units (SV103 must be UN).

    SV103 says what SV104 counts: UN units or MJ minutes (anesthesia). A
    drug and its injection are billed in units; minutes make the payer
    read the quantity wrongly or reject the line.

    Source: 005010X222A1 2400 SV103 (REFERENCE §5.3, [S25]).
    """
    for line in lines_of(claim, {J3420, INJECTION}):
        if line.unit_basis != "UN" and line.sv1 is not None:
            yield report.finding(
                f"{line.code} is billed in '{line.unit_basis}'; send SV103=UN (units)",
                line.sv1,
                "SV103",
                within=line,
            )


@rule(
    "UNT002",
    "whole-units",
    Severity.ERROR,
    "J3420 units are missing, zero or not a whole number.",
    (Claim,),
    Example(GOOD_CLAIM, GOOD_CLAIM.replace(ONE_UNIT, "SV1*HC:J3420*8*UN*0.5*")),
    codes=(J3420,),
)
def whole_units(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """J3420 units are missing, zero or not a whole number.

    One J3420 unit is any amount up to 1,000 mcg, so the units are
    ceil(dose / 1000 mcg): 100 mcg and 1,000 mcg are both 1 unit, 1,500
    mcg is 2. Fractions and zero are never right and are denied as
    invalid units (CARC 16, M53).

    Source: HCPCS J3420 descriptor (REFERENCE §1, [S1][S43]).
    """
    for line in drug_lines(claim):
        units = line.units
        if units is None or units <= 0 or units != units.to_integral_value():
            shown = line.units_text or "nothing"
            yield report.finding(
                f"J3420 units '{shown}' must be a whole number of at least 1: "
                "units = dose in mcg / 1000, rounded up (1,000 mcg -> 1)",
                line.sv1,
                "SV104",
                within=line,
            )


@rule(
    "UNT003",
    "units-above-typical",
    Severity.WARNING,
    "More than one J3420 unit on a line: check the dose.",
    (Claim,),
    Example(GOOD_CLAIM, GOOD_CLAIM.replace(ONE_UNIT, "SV1*HC:J3420*8*UN*3*")),
    codes=(J3420,),
)
def units_above_typical(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """More than one J3420 unit on a line: check the dose.

    Covered cyanocobalamin doses are 100 to 1,000 mcg an injection (the
    label schedule, the common 1,000 mcg regimen, Medicare's monthly
    maintenance), which is one unit. Much of a larger dose is excreted
    within 48 hours, so more units usually mean mcg were keyed as units.

    Source: REFERENCE §1.2 ([S6][S10][S11]).
    """
    for line in drug_lines(claim):
        units = line.units
        if units is not None and units > 1 and units == units.to_integral_value():
            yield report.finding(
                f"{units} units = up to {units * 1000:,} mcg on one day; covered doses "
                "are 100-1,000 mcg (1 unit): check the dose and units",
                line.sv1,
                "SV104",
                within=line,
            )


@dataclass
class _DailyUnits:
    """Running J3420 units per patient, billing NPI and date (MAI 2 and 3)."""

    totals: dict[tuple[object, ...], Decimal] = field(default_factory=dict)


@rule(
    "UNT004",
    "mue-daily-units",
    Severity.WARNING,
    "J3420 units for one patient and date exceed the MUE (value unconfirmed).",
    (Claim,),
    Example(GOOD_CLAIM, GOOD_CLAIM.replace(ONE_UNIT, "SV1*HC:J3420*8*UN*2*")),
    confirmed=False,
    codes=(J3420,),
    stateful=True,
)
def mue_daily_units(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """J3420 units for one patient and date exceed the MUE.

    A Medically Unlikely Edit is the most units one provider reports for
    one beneficiary on one date. With MAI 1 the edit applies to each line;
    with MAI 2 or 3 to the day's total across lines and claims, and units
    above it deny the line (MAI 2 cannot be appealed). The J3420 value is
    taken from the shipped mue.toml (1 unit, MAI 3: UNCONFIRMED, replace it
    with the CMS practitioner table) or the payer's policy (``mue``,
    ``mai``); that is why this rule warns rather than errs. Totals run
    across every file of the run, in file order.

    Source: CMS NCCI MUE mechanics (REFERENCE §1.1, [S15a][S15b]);
    value unconfirmed.
    """
    context = report.context
    policy = context.payer(claim)
    entry = context.data.mue.entry(J3420) or {}
    limit = policy.mue.get(J3420, entry.get("mue"))
    indicator = policy.mai.get(J3420, entry.get("mai", 1))

    if not isinstance(limit, int):
        return

    totals = context.state("UNT004", _DailyUnits).totals
    who: tuple[object, ...] | None = None  # patient and billing NPI, when needed
    for facts in drug_facts(claim):  # runs on every J3420 claim: no line model
        units = facts.fields.units
        if units is None or units <= ZERO:
            continue

        # MAI 1 limits each line; MAI 2 and 3 the day's total across claims.
        if indicator == 1:
            total = units
        else:
            if who is None:
                who = (claim.patient_identity, billing_npi(claim))
            key = (*who, facts.date)
            total = totals.get(key, ZERO) + units
            totals[key] = total

        if total > limit:
            line = claim.lines[facts.ordinal]
            scope = "on this line" if indicator == 1 else "for this patient and date"
            yield report.finding(
                f"J3420 units {total} {scope} exceed the MUE of {limit} (MAI "
                f"{indicator}); units above the MUE deny the whole line",
                line.sv1,
                "SV104",
                within=line,
            )


@rule(
    "UNT005",
    "line-charge-sanity",
    Severity.WARNING,
    "The J3420 charge per unit is zero or far from the drug's price.",
    (Claim,),
    Example(
        GOOD_CLAIM,
        GOOD_CLAIM.replace("SV1*HC:J3420*8*", "SV1*HC:J3420*800*").replace(
            "CLM*EX1*33*", "CLM*EX1*825*"
        ),
    ),
    codes=(J3420,),
)
def line_charge_sanity(claim: Claim, report: Reporter) -> Iterator[Finding]:
    """The J3420 charge per unit is zero or far from the drug's price.

    Medicare pays J3420 at ASP + 6 %, well under a dollar a unit. A charge
    per unit under the floor (default $0.50) or over the ceiling (default
    $100.00, both settable per payer: ``charge_floor``, ``charge_ceiling``)
    usually means a keying or units error. $0.01 is the convention for a
    drug given at no cost (a sample) with its administration billed, so it
    is reported as information only.

    Source: REFERENCE §1, §2 ([S20][S42]); thresholds are ours, settable.
    """
    policy = report.context.payer(claim)
    for line in drug_lines(claim):
        charge, units = line.charge, line.units
        if charge is None or line.sv1 is None:
            continue

        if charge <= 0:
            message = (
                f"J3420 charge {charge} must be above zero ($0.01 for a no-cost drug)"
            )
            yield report.finding(message, line.sv1, "SV102", within=line)
        elif charge == NO_COST:
            yield report.finding(
                "J3420 at $0.01 marks a drug given at no cost (a sample); bill it "
                "so only when that is the case",
                line.sv1,
                "SV102",
                within=line,
                severity=Severity.INFO,
            )
        elif units is not None and units > 0:
            per_unit = charge / units
            if per_unit < policy.charge_floor or per_unit > policy.charge_ceiling:
                yield report.finding(
                    f"J3420 charge {per_unit:.2f} a unit is outside "
                    f"{policy.charge_floor}-{policy.charge_ceiling}; check the "
                    "charge and the units",
                    line.sv1,
                    "SV102",
                    within=line,
                )


RULES = (
    unit_basis,
    whole_units,
    units_above_typical,
    mue_daily_units,
    line_charge_sanity,
)
