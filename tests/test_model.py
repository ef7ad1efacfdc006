"""The claim model: hierarchy, claim and line fields, loops, PHI in repr."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from lint837.errors import InputError
from lint837.model import Claim

from conftest import FIXTURES, claims_of, fixture_claims, manifest

EXPECTED = {
    path: entry for path, entry in manifest().items() if not entry.get("not_x12")
}


@pytest.mark.parametrize("relative", sorted(EXPECTED))
def test_claim_and_j3420_counts_match_the_manifest(relative: str) -> None:
    claims = fixture_claims(relative)
    assert len(claims) == EXPECTED[relative]["claims"]
    j3420 = [line for claim in claims for line in claim.lines if line.code == "J3420"]
    assert len(j3420) == EXPECTED[relative]["j3420_lines"]


@pytest.mark.parametrize(
    "relative", sorted(p for p in EXPECTED if p.startswith("layouts/"))
)
def test_every_layout_reads_to_the_same_claim(relative: str) -> None:
    reference = _summary(fixture_claims("layouts/standard.837")[0])
    assert _summary(fixture_claims(relative)[0]) == reference


def _summary(claim: Claim) -> tuple[object, ...]:
    line = claim.lines[1]
    assert line.drug is not None
    return (
        claim.id,
        claim.total_charge,
        claim.payer_id,
        [d.code for d in claim.diagnoses],
        [ref.value for ref in claim.prior_authorizations],
        line.code,
        line.units,
        line.pointers,
        line.date,
        line.drug.ndc,
        line.drug.quantity,
        line.drug.unit,
    )


def test_claim_fields() -> None:
    claim = fixture_claims("structure/patient_loop.837")[0]
    assert claim.id == "DOEJ20250301"
    assert claim.total_charge == Decimal("33")
    assert (claim.place_of_service, claim.frequency) == ("11", "1")
    assert claim.payer is not None
    assert (claim.payer.last_name, claim.payer.id_qualifier) == (
        "ACME HEALTH PLAN",
        "PI",
    )
    assert claim.payer_id == "ACMEPA"
    assert claim.filing_indicator == "CI"
    assert [(d.qualifier, d.code) for d in claim.diagnoses] == [
        ("ABK", "D510"),
        ("ABF", "K912"),
    ]
    assert [ref.value for ref in claim.prior_authorizations] == ["PA2025000101"]
    assert claim.rendering_provider is not None
    assert claim.rendering_provider.id == "1782045193"
    assert claim.billing_provider is not None
    assert claim.billing_provider.npi == "1648293052"


def test_service_line_fields() -> None:
    line = fixture_claims("structure/patient_loop.837")[0].lines[1]
    assert line.number == "2"
    assert (line.qualifier, line.code, line.modifiers) == ("HC", "J3420", [])
    assert line.charge == Decimal("8")
    assert (line.unit_basis, line.units) == ("UN", Decimal("1"))
    assert line.place_of_service == "11"
    assert line.pointers == ["1", "2"]
    assert line.date == datetime.date(2025, 3, 1)
    assert line.drug is not None
    assert (line.drug.qualifier, line.drug.ndc) == ("N4", "00517003125")
    assert (line.drug.quantity, line.drug.unit) == (Decimal("1"), "ML")
    assert [other.code for other in line.same_day_lines()] == ["96372"]


def test_patient_loop_belongs_to_its_subscriber() -> None:
    first, second = fixture_claims("structure/patient_loop.837")
    assert first.patient is None
    assert first.subscriber is not None and first.subscriber.is_patient
    assert second.patient is not None
    assert second.patient.subscriber is second.subscriber
    assert second.patient_party is not None
    assert second.patient_party.first_name == "EMMA"


def test_line_level_prior_authorization_and_referral() -> None:
    claim = fixture_claims("j3420/line_level_pa.837")[0]
    assert claim.prior_authorizations == []
    assert [ref.value for ref in claim.referrals] == ["RF7781234"]
    assert [ref.value for ref in claim.lines[1].prior_authorizations] == [
        "PA2025000777"
    ]


def test_range_service_date() -> None:
    line = fixture_claims("j3420/range_date.837")[0].lines[1]
    assert line.service_date is not None
    assert line.service_date.qualifier == "RD8"
    assert line.service_date.start == line.service_date.end == datetime.date(2025, 3, 1)
    assert line.units == Decimal("2")


def test_modifiers_in_order() -> None:
    claim = fixture_claims("j3420/modifiers.837")[0]
    assert [line.modifiers for line in claim.lines] == [["59"], ["JZ"]]


def test_loops_are_named_from_the_guide() -> None:
    claim = fixture_claims("structure/patient_loop.837")[0]
    loops = {
        segment.id + ("*" + segment.get(1) if segment.id == "NM1" else ""): loop
        for loop, segment in claim.labelled
    }
    assert loops["CLM"] == "2300"
    assert loops["NM1*82"] == "2310B"
    line = claim.lines[1]
    by_id = {segment.id: line.loop_of(segment) for segment in line.segments}
    assert by_id == {
        "LX": "2400",
        "SV1": "2400",
        "DTP": "2400",
        "LIN": "2410",
        "CTP": "2410",
    }


def test_repr_shows_no_protected_health_information() -> None:
    claim = fixture_claims("structure/patient_loop.837")[1]
    shown = repr(claim) + repr(claim.patient_party) + repr(claim.subscriber.party)
    for secret in ("WELLS", "EMMA", "DAVID", "ACM100200633", "20090622"):
        assert secret not in shown


def test_utf8_names_are_shown_decoded() -> None:
    claim = fixture_claims("layouts/utf8_bom.837")[0]
    assert claim.subscriber is not None and claim.subscriber.party is not None
    assert claim.subscriber.party.first_name == "RENÉE"


def test_each_claim_knows_its_transaction_set() -> None:
    data = (FIXTURES / "structure/multi_envelope.837").read_bytes()
    claims = claims_of(data, chunk_size=16)
    assert len({id(claim.transaction) for claim in claims}) == 4
    assert all(claim.transaction.in_scope for claim in claims)


def _readable_fixtures() -> list[str]:
    found = []
    for path in sorted(FIXTURES.rglob("*")):
        if path.suffix in (".837", ".x12", ".edi", ".txt") and "not_x12" not in str(
            path
        ):
            found.append(str(path.relative_to(FIXTURES)))
    return found


@pytest.mark.parametrize("relative", _readable_fixtures())
@pytest.mark.parametrize("chunk_size", [1 << 20, 97], ids=["whole", "tiny-chunks"])
def test_line_facts_are_what_the_lines_say(relative: str, chunk_size: int) -> None:
    """Read from the raw texts, the facts batch rules use match the model,
    also when lines cross the reader's blocks (97-character chunks)."""
    try:
        claims = fixture_claims(relative, chunk_size)
    except InputError:
        pytest.skip("not read as X12")
    for claim in claims:
        assert len(claim.line_facts) == len(claim.lines)
        for facts, line in zip(claim.line_facts, claim.lines, strict=True):
            assert claim.lines[facts.ordinal] is line
            assert (facts.number, facts.fields, facts.date) == (
                line.number,
                line.fields,
                line.date,
            )
            dated = line.service_date
            if dated is None:
                assert facts.dated_at is None
            else:
                assert facts.dated_at is not None
                block, k = facts.dated_at
                assert block.first_index + k == dated.segment.index
