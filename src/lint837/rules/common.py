"""Small helpers the rule families share: which lines, which modifiers."""

from __future__ import annotations

from collections.abc import Iterator

from lint837.model import Claim, LineFacts, ServiceLine

J3420 = "J3420"
INJECTION = "96372"  # therapeutic injection, subcutaneous or intramuscular
HCPCS = "HC"


def drug_lines(claim: Claim) -> list[ServiceLine]:
    """The claim's J3420 lines (SV101-1 HC, SV101-2 J3420)."""
    return [
        line for line in claim.lines_by_code.get(J3420, ()) if line.qualifier == HCPCS
    ]


def drug_facts(claim: Claim) -> tuple[LineFacts, ...]:
    """What batch rules read of the claim's J3420 lines, without the lines.

    Worked out once per claim (kept in the claim's ``__dict__``, as the
    line facts are): UNT004 and BAT002 both read it on every J3420 claim.
    """
    found: tuple[LineFacts, ...] | None = claim.__dict__.get("_drug_facts")
    if found is None:
        found = claim.__dict__["_drug_facts"] = tuple(
            [
                facts
                for facts in claim.line_facts
                if facts.fields.code == J3420 and facts.fields.qualifier == HCPCS
            ]
        )
    return found


def lines_of(claim: Claim, codes: frozenset[str] | set[str]) -> Iterator[ServiceLine]:
    """The claim's lines billing one of ``codes``, in file order."""
    for line in claim.lines:
        if line.code in codes:
            yield line


def modifier_element(line: ServiceLine, index: int) -> str:
    """The element name of modifier number ``index`` (0-based): SV101-3..6."""
    return f"SV101-{index + 3}"


def modifier_positions(line: ServiceLine) -> Iterator[tuple[int, str]]:
    """(index, modifier) for each non-empty SV101-3..6, index 0-based."""
    for index, value in enumerate(line.procedure[2:6]):
        if value:
            yield index, value


def same_day(line: ServiceLine, codes: frozenset[str] | set[str]) -> list[ServiceLine]:
    """Other lines of the claim on the same date billing one of ``codes``."""
    return [other for other in line.same_day_lines() if other.code in codes]


def billing_npi(claim: Claim) -> str:
    """The NPI of the claim's billing provider, "" if there is none."""
    provider = claim.billing_provider
    return provider.npi if provider is not None else ""
