"""ENV rules over the fixtures: each broken file raises exactly its codes."""

from __future__ import annotations

import pytest

from conftest import lint_fixture, manifest

# The manifest names problems in words; the rule codes are the contract.
CODES = {
    "isa-length": "ENV001",
    "se-count": "ENV002",
    "st-se-control": "ENV003",
    "gs-ge-control": "ENV004",
    "isa-iea-control": "ENV005",
    "ge-count": "ENV006",
    "iea-count": "ENV007",
    "missing-trailer": "ENV008",
    "out-of-scope": "ENV009",
    "missing-header": "ENV010",
    "bad-segment": "ENV011",
    "hierarchy": "ENV012",
}

READABLE = {
    path: entry for path, entry in manifest().items() if not entry.get("not_x12")
}


@pytest.mark.parametrize("relative", sorted(READABLE))
def test_fixture_raises_exactly_its_envelope_codes(relative: str) -> None:
    expected = {CODES[name] for name in READABLE[relative].get("envelope_problems", [])}
    found = {f.rule for f in lint_fixture(relative) if f.rule.startswith("ENV")}
    assert found == expected


@pytest.mark.parametrize(
    ("relative", "rule", "segment_index", "element"),
    [
        ("broken/wrong_counts.837", "ENV002", 34, "SE01"),
        ("broken/wrong_counts.837", "ENV003", 34, "SE02"),
        ("broken/wrong_counts.837", "ENV004", 35, "GE02"),
        ("broken/wrong_counts.837", "ENV006", 35, "GE01"),
        ("broken/wrong_counts.837", "ENV005", 36, "IEA02"),
        ("broken/wrong_counts.837", "ENV007", 36, "IEA01"),
        ("broken/short_isa.837", "ENV001", 1, None),
        ("broken/truncated.837", "ENV008", 3, None),
        ("broken/hl_orphan.837", "ENV012", 34, None),
        ("broken/garbage_segment.837", "ENV011", 24, None),
    ],
)
def test_findings_point_at_segment_and_element(
    relative: str, rule: str, segment_index: int, element: str | None
) -> None:
    places = {
        (f.location.segment_index, f.location.element)
        for f in lint_fixture(relative)
        if f.rule == rule
    }
    assert (segment_index, element) in places


def test_truncated_file_reports_each_open_envelope() -> None:
    found = [f for f in lint_fixture("broken/truncated.837") if f.rule == "ENV008"]
    assert sorted(f.location.segment for f in found) == ["GS", "ISA", "ST"]


def test_envelope_findings_carry_their_loop() -> None:
    loops = {f.location.loop for f in lint_fixture("broken/wrong_counts.837")}
    assert loops == {"ST", "GS", "ISA"}
