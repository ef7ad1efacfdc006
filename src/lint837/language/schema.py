"""The fields a payer rule can read: names, types, meaning, and where they sit.

This table is the language's whole view of a claim. The compiler resolves
every field through it (so an unknown field is caught when the file is
loaded, with a suggestion), and ``lint837 rules --schema`` and the
documentation print it. It holds no names, member ids or birth dates: a
rule cannot show what it cannot read.

Roots: ``payer`` (the claim's payer and its policy), ``claim`` (loop
2300), ``line`` (the line a rule ranges over), ``admin`` (the line's
paired administration line), ``other`` (each line inside ``count(...)``)
and ``data`` (the reference lists).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

from lint837.model import Claim, ServiceLine
from lint837.model.claim import to_date
from lint837.reader import Segment
from lint837.rules.context import Context


class Type(Enum):
    """What a field or expression holds."""

    TEXT = "text"
    NUMBER = "number"
    DATE = "date"
    BOOL = "yes/no"
    TEXTS = "list of text"
    CODES = "code list"  # a reference list: exact codes and prefixes
    LINE = "line"


LINE_ROOTS = ("line", "admin", "other")
ROOTS = ("payer", "claim", *LINE_ROOTS, "data")

Value = Any  # str | Decimal | date | bool | list[str] | CodeSet | ServiceLine | None
Where = tuple[Segment | None, str | None]


@dataclass(frozen=True)
class Field:
    """One readable field: ``read`` gets the value, ``where`` its segment."""

    name: str
    type: Type
    doc: str
    read: Callable[[Any, Context], Value]
    where: Callable[[Any], Where] | None = None
    # The parts of the claim the value is read from (lint837.rules.keys.PARTS),
    # and those that decide whether it is there at all (None: the same).
    parts: tuple[str, ...] = ()
    presence: tuple[str, ...] | None = None
    # The part that decides whether two such fields are equal, when that
    # takes less than their values (dates: which date; REF02: which value).
    pattern: str | None = None


def _plain(code: str) -> str:
    """An ICD-10-CM code without punctuation: D51.0 and D510 are one code."""
    return "".join(filter(str.isalnum, code))


# --- payer: read from the claim -------------------------------------------------


def _payer_segment(claim: Claim) -> Segment | None:
    return claim.payer.segment if claim.payer is not None else None


def _sbr(claim: Claim) -> Segment | None:
    return claim.subscriber.sbr if claim.subscriber is not None else None


def _kind(claim: Claim, context: Context) -> str | None:
    kind = context.kind(claim)
    return kind.value if kind is not None else None


PAYER = (
    Field(
        "id",
        Type.TEXT,
        "Payer id, 2010BB NM109: what payer policies are keyed by.",
        lambda c, _: c.payer_id if c.payer is not None else None,
        lambda c: (_payer_segment(c), "NM109"),
        parts=("payer",),
    ),
    Field(
        "name",
        Type.TEXT,
        "The payer's name in the policy file, else 2010BB NM103.",
        lambda c, x: (
            x.payer(c).name or (c.payer.last_name if c.payer is not None else None)
        ),
        lambda c: (_payer_segment(c), "NM103"),
        parts=("payer",),
    ),
    Field(
        "kind",
        Type.TEXT,
        "medicare, medicare-advantage, medicaid or commercial: the policy's "
        "kind, else read from SBR09.",
        _kind,
        lambda c: (_sbr(c), "SBR09"),
        parts=("payer",),
    ),
    Field(
        "filing_indicator",
        Type.TEXT,
        "SBR09, the claim filing indicator (MB, 16, MC, CI...).",
        lambda c, _: c.filing_indicator if _sbr(c) is not None else None,
        lambda c: (_sbr(c), "SBR09"),
        parts=("payer",),
    ),
    Field(
        "prior_auth",
        Type.TEXTS,
        "Codes this payer's policy lists under prior_auth.",
        lambda c, x: sorted(x.payer(c).prior_auth),
        parts=("payer",),
    ),
    Field(
        "ndc_required",
        Type.TEXTS,
        "Codes this payer's policy lists under ndc_required.",
        lambda c, x: sorted(x.payer(c).ndc_required),
        parts=("payer",),
    ),
    Field(
        "sad_excluded",
        Type.TEXTS,
        "Codes this payer's policy lists under sad_excluded.",
        lambda c, x: sorted(x.payer(c).sad_excluded),
        parts=("payer",),
    ),
    Field(
        "supportive_diagnoses",
        Type.CODES,
        "Diagnoses that support J3420 for this payer: the policy's list, "
        "else the shipped one.",
        lambda c, x: x.payer(c).supportive_diagnoses or x.data.supportive_diagnoses,
        parts=("payer",),
    ),
    Field(
        "single_dose_ndcs",
        Type.TEXTS,
        "NDCs this payer's policy lists as single-dose.",
        lambda c, x: sorted(x.payer(c).single_dose_ndcs),
        parts=("payer",),
    ),
)


# --- claim ----------------------------------------------------------------------


def _first_reference(refs: list[Any]) -> str | None:
    return refs[0].value if refs else None


def _reference_where(refs: list[Any]) -> Where:
    return (refs[0].segment if refs else None, "REF02")


CLAIM = (
    Field(
        "id",
        Type.TEXT,
        "CLM01, the patient control number.",
        lambda c, _: c.id,
        lambda c: (c.clm, "CLM01"),
        parts=("clm_id",),
    ),
    Field(
        "charge",
        Type.NUMBER,
        "CLM02, the total charge.",
        lambda c, _: c.total_charge,
        lambda c: (c.clm, "CLM02"),
        parts=("clm",),
    ),
    Field(
        "place_of_service",
        Type.TEXT,
        "CLM05-1, the place of service.",
        lambda c, _: c.place_of_service,
        lambda c: (c.clm, "CLM05-1"),
        parts=("clm",),
    ),
    Field(
        "frequency",
        Type.TEXT,
        "CLM05-3: 1 original, 7 replacement, 8 void.",
        lambda c, _: c.frequency,
        lambda c: (c.clm, "CLM05-3"),
        parts=("clm",),
    ),
    Field(
        "prior_auth",
        Type.TEXT,
        "REF02 of 2300 REF*G1 (missing when there is no REF*G1).",
        lambda c, _: _first_reference(c.prior_authorizations),
        lambda c: _reference_where(c.prior_authorizations),
        parts=("layout", "refs"),
        pattern="ref_pattern",
        presence=("layout", "ref_qualifiers"),
    ),
    Field(
        "referral",
        Type.TEXT,
        "REF02 of 2300 REF*9F (missing when there is no REF*9F).",
        lambda c, _: _first_reference(c.referrals),
        lambda c: _reference_where(c.referrals),
        parts=("layout", "refs"),
        pattern="ref_pattern",
        presence=("layout", "ref_qualifiers"),
    ),
    Field(
        "diagnoses",
        Type.TEXTS,
        "The HI diagnosis codes in order, without punctuation.",
        lambda c, _: [_plain(d.code) for d in c.diagnoses],
        lambda c: (c.diagnosis_segment, None),
        parts=("hi",),
    ),
    Field(
        "principal_diagnosis",
        Type.TEXT,
        "HI01-2, the principal diagnosis, without punctuation.",
        lambda c, _: _plain(c.diagnoses[0].code) if c.diagnoses else None,
        lambda c: (c.diagnosis_segment, "HI01-2"),
        parts=("hi",),
    ),
    Field(
        "codes",
        Type.TEXTS,
        "Every procedure code the claim bills (SV101-2).",
        lambda c, _: sorted(c.procedure_codes),
        parts=("services",),
    ),
    Field(
        "line_count",
        Type.NUMBER,
        "How many service lines (LX) the claim has.",
        lambda c, _: Decimal(len(c.lines)),
        parts=("layout",),  # how many LX
    ),
    Field(
        "created",
        Type.DATE,
        "BHT04, the date the transaction was created.",
        lambda c, _: to_date(c.transaction.creation_date),
        parts=("created",),
    ),
)


# --- a service line (line, admin, other) -----------------------------------------


def _sv1(line: ServiceLine, element: str) -> Where:
    return (line.sv1 or line.lx, element if line.sv1 is not None else None)


def _drug_where(line: ServiceLine, element: str) -> Where:
    drug = line.drug
    if drug is None:
        return (None, None)
    if element.startswith("CTP"):
        return (drug.ctp, element)
    return (drug.lin, element)


def _ndc_quantity_text(line: ServiceLine) -> str | None:
    drug = line.drug
    return drug.quantity_text if drug is not None and drug.ctp is not None else None


def _pointed(line: ServiceLine) -> list[str]:
    found = (line.claim.diagnosis_at(pointer) for pointer in line.pointers)
    return [_plain(d.code) for d in found if d is not None]


def _date_where(line: ServiceLine) -> Where:
    date = line.service_date
    return (date.segment if date is not None else None, "DTP03")


LINE = (
    Field(
        "number",
        Type.TEXT,
        "LX01, the line number.",
        lambda line, _: line.number,
        lambda line: (line.lx, "LX01"),
        parts=("services",),
    ),
    Field(
        "code",
        Type.TEXT,
        "SV101-2, the procedure code (J3420, 96372...).",
        lambda line, _: line.code,
        lambda line: _sv1(line, "SV101-2"),
        parts=("services",),
    ),
    Field(
        "qualifier",
        Type.TEXT,
        "SV101-1, HC for HCPCS and CPT.",
        lambda line, _: line.qualifier,
        lambda line: _sv1(line, "SV101-1"),
        parts=("services",),
    ),
    Field(
        "modifiers",
        Type.TEXTS,
        "SV101-3 to SV101-6, the modifiers sent.",
        lambda line, _: list(line.modifiers),
        lambda line: _sv1(line, "SV101-3"),
        parts=("services",),
    ),
    Field(
        "charge",
        Type.NUMBER,
        "SV102, the line charge.",
        lambda line, _: line.charge,
        lambda line: _sv1(line, "SV102"),
        parts=("services",),
    ),
    Field(
        "unit_basis",
        Type.TEXT,
        "SV103: UN units, MJ minutes.",
        lambda line, _: line.unit_basis,
        lambda line: _sv1(line, "SV103"),
        parts=("services",),
    ),
    Field(
        "units",
        Type.NUMBER,
        "SV104, the units billed.",
        lambda line, _: line.units,
        lambda line: _sv1(line, "SV104"),
        parts=("services",),
    ),
    Field(
        "place_of_service",
        Type.TEXT,
        "SV105, else the claim's CLM05-1.",
        lambda line, _: line.place_of_service,
        lambda line: _sv1(line, "SV105"),
        parts=("services", "clm"),
    ),
    Field(
        "pointers",
        Type.TEXTS,
        "SV107, the diagnosis pointers.",
        lambda line, _: list(line.pointers),
        lambda line: _sv1(line, "SV107"),
        parts=("services",),
    ),
    Field(
        "diagnoses",
        Type.TEXTS,
        "The codes the line's pointers name, in pointer order, without punctuation.",
        lambda line, _: _pointed(line),
        lambda line: _sv1(line, "SV107"),
        parts=("services", "hi"),
    ),
    Field(
        "date",
        Type.DATE,
        "DTP*472 DTP03, the (first) date of service.",
        lambda line, _: line.date,
        _date_where,
        parts=("layout", "dates"),
        pattern="date_pattern",
    ),
    Field(
        "prior_auth",
        Type.TEXT,
        "REF02 of the line's 2400 REF*G1 (missing when there is none).",
        lambda line, _: _first_reference(line.prior_authorizations),
        lambda line: _reference_where(line.prior_authorizations),
        parts=("layout", "refs"),
        pattern="ref_pattern",
        presence=("layout", "ref_qualifiers"),
    ),
    Field(
        "ndc",
        Type.TEXT,
        "LIN03, the NDC of loop 2410 (missing without LIN).",
        lambda line, _: line.drug.ndc if line.drug is not None else None,
        lambda line: _drug_where(line, "LIN03"),
        parts=("layout", "drug"),
        presence=("layout",),
    ),
    Field(
        "ndc_qualifier",
        Type.TEXT,
        "LIN02, N4 for an 11-digit NDC.",
        lambda line, _: line.drug.qualifier if line.drug is not None else None,
        lambda line: _drug_where(line, "LIN02"),
        parts=("layout", "drug"),
        presence=("layout",),
    ),
    Field(
        "ndc_quantity",
        Type.NUMBER,
        "CTP04 as a number (missing without CTP or when not a number).",
        lambda line, _: line.drug.quantity if line.drug is not None else None,
        lambda line: _drug_where(line, "CTP04"),
        parts=("layout", "drug"),
    ),
    Field(
        "ndc_quantity_text",
        Type.TEXT,
        "CTP04 as sent (missing without CTP).",
        lambda line, _: _ndc_quantity_text(line),
        lambda line: _drug_where(line, "CTP04"),
        parts=("layout", "drug"),
        presence=("layout",),
    ),
    Field(
        "ndc_unit",
        Type.TEXT,
        "CTP05-1, the NDC unit of measure (ML, UN, GR, F2, ME).",
        lambda line, _: (
            line.drug.unit if line.drug is not None and line.drug.ctp else None
        ),
        lambda line: _drug_where(line, "CTP05-1"),
        parts=("layout", "drug"),
        presence=("layout",),
    ),
)


# --- data -----------------------------------------------------------------------

DATA = (
    Field(
        "supportive_diagnoses",
        Type.CODES,
        "Diagnoses that support J3420 (j3420_supportive_diagnoses.toml).",
        lambda _, x: x.data.supportive_diagnoses,
        parts=(),
    ),
    Field(
        "general_welfare",
        Type.CODES,
        "Fatigue, malaise, weight-loss codes that do not support B12 alone.",
        lambda _, x: x.data.general_welfare,
        parts=(),
    ),
    Field(
        "ndcs",
        Type.CODES,
        "Known cyanocobalamin 1,000 mcg/mL NDCs.",
        lambda _, x: x.data.ndcs,
        parts=(),
    ),
    Field(
        "injection_codes",
        Type.TEXTS,
        "Administration codes that inject a drug (96372 and the IV family).",
        lambda _, x: sorted(x.data.injection_codes),
        parts=(),
    ),
    Field(
        "em_codes",
        Type.CODES,
        "Evaluation and management visit codes.",
        lambda _, x: x.data.em_codes,
        parts=(),
    ),
    Field(
        "facility_places",
        Type.TEXTS,
        "Places of service that are facilities.",
        lambda _, x: sorted(x.data.facility_places),
        parts=(),
    ),
)

FIELDS: dict[str, dict[str, Field]] = {
    "payer": {f.name: f for f in PAYER},
    "claim": {f.name: f for f in CLAIM},
    **{root: {f.name: f for f in LINE} for root in LINE_ROOTS},
    "data": {f.name: f for f in DATA},
}

ROOT_DOCS = {
    "payer": "The claim's payer (2010BB) and its policy.",
    "claim": "The claim (loop 2300).",
    "line": "The line the rule ranges over (for each line).",
    "admin": "The line's paired administration line: the first other line on "
    "the same date billing an injection code (missing when there is none).",
    "other": "Each line counted inside count(...).",
    "data": "The reference lists shipped with lint837 (or your overrides).",
}

FUNCTIONS = {
    "days": "days(a, b): the days from date a to date b (b - a).",
    "len": "len(x): how many items a list holds, or characters a text.",
    "is_decimal": "is_decimal(x): whether a text is an X12 decimal with no "
    "needless zeros or trailing point (1, 0.5, 2.25; not 1.0 or 01).",
}


def paired_administration(line: ServiceLine, context: Context) -> ServiceLine | None:
    """The first other line on the line's date billing an injection code."""
    injections = context.data.injection_codes
    for other in line.same_day_lines():
        if other.code in injections:
            return other
    return None


def describe() -> str:
    """The schema as Markdown: what ``lint837 rules --schema`` prints."""
    out = ["# Fields of the payer rule language", ""]
    shown_line = False
    for root in ROOTS:
        out += [f"## {root}", "", ROOT_DOCS[root], ""]
        if root in LINE_ROOTS:
            if shown_line:
                out += [f"Same fields as `line`: `{root}.code`, `{root}.date`...", ""]
                continue
            shown_line = True
        out += ["| field | type | meaning |", "|---|---|---|"]
        out += [
            f"| `{root}.{f.name}` | {f.type.value} | {f.doc} |"
            for f in FIELDS[root].values()
        ]
        out.append("")
    out += ["## functions", ""]
    out += [f"- {text}" for text in FUNCTIONS.values()]
    return "\n".join(out) + "\n"


__all__ = [
    "FIELDS",
    "FUNCTIONS",
    "LINE_ROOTS",
    "ROOTS",
    "Field",
    "Type",
    "describe",
    "paired_administration",
]
