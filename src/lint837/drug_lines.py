"""The drug lines of a batch, one row each, with what a biller checks.

For every service line billing a HCPCS code (J3420 by default) this gives
the payer, date, units, charge, modifiers, NDC data, the paired
administration line, the diagnoses the line points at and the prior
authorization numbers. No patient or member identity is included.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from lint837.model import Claim, ServiceLine
from lint837.reader import display
from lint837.reference import CodeSet

DEFAULT_CODE = "J3420"


@dataclass(frozen=True, slots=True)
class DrugLine:
    """One drug service line, as the ``lines`` command shows it."""

    file: str
    claim: str
    line: str
    segment_index: int
    payer_id: str
    payer_name: str
    service_date: str
    units: Decimal | None
    unit_basis: str
    charge: Decimal | None
    modifiers: tuple[str, ...]
    ndc: str
    ndc_quantity: Decimal | None
    ndc_unit: str
    administration_code: str
    administration_units: Decimal | None
    administration_line: str
    pointers: tuple[str, ...]
    diagnoses: tuple[str, ...]
    claim_prior_auth: tuple[str, ...]
    line_prior_auth: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        def plain(value: object) -> object:
            if isinstance(value, Decimal):
                return str(value)
            if isinstance(value, tuple):
                return list(value)
            return value

        return {name: plain(getattr(self, name)) for name in self.__slots__}


def drug_lines(
    claims: Iterable[Claim],
    file: str,
    administration: CodeSet,
    code: str = DEFAULT_CODE,
) -> Iterator[DrugLine]:
    """The lines billing ``code`` (SV101-1 HC), in file order."""
    for claim in claims:
        for line in claim.lines:
            if line.code == code and line.qualifier == "HC":
                yield _row(claim, line, file, administration)


def paired_administration(
    line: ServiceLine, administration: CodeSet
) -> ServiceLine | None:
    """The administration line on the same claim and date, IM/SC first."""
    candidates = [
        other
        for other in line.same_day_lines()
        if other.code in administration
        and (administration.entry(other.code) or {}).get("route") != "vaccine"
    ]

    # Codes fit for J3420's route (IM/SC) come first: False sorts before True.
    candidates.sort(
        key=lambda other: (
            not (administration.entry(other.code) or {}).get(
                "drug_route_ok_for_j3420", False
            )
        )
    )
    return candidates[0] if candidates else None


def _row(
    claim: Claim, line: ServiceLine, file: str, administration: CodeSet
) -> DrugLine:
    payer = claim.payer
    drug = line.drug
    admin = paired_administration(line, administration)

    diagnoses = []
    for pointer in line.pointers:
        diagnosis = claim.diagnosis_at(pointer)
        diagnoses.append(diagnosis.code if diagnosis is not None else f"?{pointer}")

    date = line.service_date
    sv1 = line.sv1
    return DrugLine(
        file=file,
        claim=claim.id,
        line=line.number,
        segment_index=sv1.index if sv1 is not None else line.lx.index,
        payer_id=payer.id if payer is not None else "",
        payer_name=display(payer.last_name) if payer is not None else "",
        service_date=date.text if date is not None else "",
        units=line.units,
        unit_basis=line.unit_basis,
        charge=line.charge,
        modifiers=tuple(line.modifiers),
        ndc=drug.ndc if drug is not None else "",
        ndc_quantity=drug.quantity if drug is not None else None,
        ndc_unit=drug.unit if drug is not None else "",
        administration_code=admin.code if admin is not None else "",
        administration_units=admin.units if admin is not None else None,
        administration_line=admin.number if admin is not None else "",
        pointers=tuple(line.pointers),
        diagnoses=tuple(diagnoses),
        claim_prior_auth=tuple(ref.value for ref in claim.prior_authorizations),
        line_prior_auth=tuple(ref.value for ref in line.prior_authorizations),
    )
