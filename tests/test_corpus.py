"""Every public 837 file of ../shared/corpus reads without a traceback.

837P 5010 files must yield the claim count INDEX.tsv gives; files their
project uses as negative tests must also raise the finding that shows
their defect. Other transactions are reported out of scope (ENV009).
"""

from __future__ import annotations

from collections import Counter

import pytest

from lint837.linter import FileSummary, Linter
from lint837.rules import REGISTRY

from conftest import CORPUS, corpus_index, needs_corpus

pytestmark = [pytest.mark.corpus, needs_corpus()]

ROWS = corpus_index()


def is_837p_5010(row: dict[str, str]) -> bool:
    versions = (row["version_GS08"], row["version_ST03"])
    return row["transaction"] == "837P" and any(
        version.startswith("005010X222") for version in versions
    )


# What each negative test of the corpus is about, as lint837 reports it.
NEGATIVE = {
    "imsweb__x12-parser/x12_bad_first_line.txt": {"ENV001"},
    "imsweb__x12-parser/x12_bad_segment_identifier.txt": {"ENV011"},
    "imsweb__x12-parser/x12_no_isa_line.txt": {"ENV010"},
    # These break the implementation guide (missing or repeated loops, bad
    # codes, missing elements, segment order), which the rules here do not
    # check: tests/test_validation.py (NEGATIVE) holds their X12 findings.
    "imsweb__x12-parser/x12_bad_valid_code.txt": set(),
    "imsweb__x12-parser/x12_loop_errors1_exceeds_max_1_parent.txt": set(),
    "imsweb__x12-parser/x12_loop_errors2_exceeds_max_repeats_multiple_parents.txt": (
        set()
    ),
    "imsweb__x12-parser/x12_loop_errors3_missing_loops.txt": set(),
    "imsweb__x12-parser/x12_missing_elements.txt": set(),
    "imsweb__x12-parser/x12_missing_required_loop_in_one_repeat.txt": set(),
    "imsweb__x12-parser/x12_missing_required_loops_mult_repeats.txt": set(),
    "imsweb__x12-parser/x12_segment_errors.txt": set(),
    "imsweb__x12-parser/x12_segments_out_of_order.txt": set(),
    "Inteligenz__X12Parser/MissingEntityCode.txt": set(),
}


# Rules about J3420 and its administration: none may fire on the corpus,
# since no corpus file bills J3420 (INDEX.tsv, has_J3420 = no).
J3420_RULES = {
    code
    for code, rule in REGISTRY.items()
    if rule.codes is not None and "J3420" in rule.codes
} | {"ADM002", "ADM004"}

# The general rules that fire on corpus files, each case checked by hand
# against the file (see the issue note): ICD-9 qualifiers BK/BF (DX002),
# CLM02 not the sum of the lines (CLM004; imsweb files keep CLM02 = 500),
# CLM05 and pointers written with '>' while ISA16 says ':' (CLM003, DX003),
# pointers to HI positions that do not exist (DX003), an empty SBR09
# (CLM002), an empty CLM05-2 (CLM003), a 7-digit NDC (NDC002), a K3
# (CLM006), an all-9s referral number (PA003), no NM1*PR because SBR is
# misspelt SB (CLM001).
GENERAL_FINDINGS = {
    "LinuxForHealth__x12/demo.837": {"DX002"},
    "LinuxForHealth__x12/demo.ambulance.example5.837": {"CLM003", "DX002"},
    "LinuxForHealth__x12/demo.autoaccident.837": {"DX002"},
    "LinuxForHealth__x12/demo.cob.2ndary.example4.837": {"CLM003", "DX003"},
    "LinuxForHealth__x12/demo.cob.example3.A.837": {"DX002"},
    "LinuxForHealth__x12/demo.cob.example3.B.837": {"DX002"},
    "LinuxForHealth__x12/demo.cob.example3.C.837": {"DX002"},
    "LinuxForHealth__x12/demo.cob.example4.837": {"DX002"},
    "LinuxForHealth__x12/demo.example1.837": {"DX002"},
    "LinuxForHealth__x12/demo.example11.837": {"CLM003", "DX003"},
    "LinuxForHealth__x12/demo.example12.837": {"CLM003", "DX003"},
    "LinuxForHealth__x12/demo.example2.837": {"DX002"},
    "LinuxForHealth__x12/demo.example6.837": {"CLM003", "DX003"},
    "LinuxForHealth__x12/demo.example7.837": {"DX002"},
    "LinuxForHealth__x12/demo.example8.837": {"DX002"},
    "LinuxForHealth__x12/demo.example9.837": {"CLM003", "DX003"},
    "imsweb__x12-parser/x12_ambiguous_loop.txt": {"CLM004", "DX003", "DX002"},
    "imsweb__x12-parser/x12_bad_first_line.txt": {"CLM004", "DX002"},
    "imsweb__x12-parser/x12_bad_segment_identifier.txt": {"CLM004", "DX002"},
    "imsweb__x12-parser/x12_bad_valid_code.txt": {"CLM004", "DX002"},
    "imsweb__x12-parser/x12_complex.txt": {"CLM004", "NDC002", "DX002"},
    "imsweb__x12-parser/x12_loop_errors1_exceeds_max_1_parent.txt": {"CLM004", "DX002"},
    "imsweb__x12-parser/x12_loop_errors2_exceeds_max_repeats_multiple_parents.txt": {
        "CLM004",
        "DX002",
    },
    "imsweb__x12-parser/x12_loop_errors3_missing_loops.txt": {"CLM004", "DX002"},
    "imsweb__x12-parser/x12_many_claims.txt": {"CLM004", "DX002"},
    "imsweb__x12-parser/x12_missing_elements.txt": {"CLM004", "CLM003", "DX002"},
    "imsweb__x12-parser/x12_missing_required_loop_in_one_repeat.txt": {
        "CLM004",
        "DX002",
    },
    "imsweb__x12-parser/x12_missing_required_loops_mult_repeats.txt": {
        "CLM004",
        "DX002",
    },
    "imsweb__x12-parser/x12_multiple_gs.txt": {"CLM004", "DX002"},
    "imsweb__x12-parser/x12_multiple_st.txt": {"CLM004", "DX002"},
    "imsweb__x12-parser/x12_multiple_transactions.txt": {"CLM004", "DX002"},
    "imsweb__x12-parser/x12_no_errors.txt": {"CLM004", "DX002"},
    "imsweb__x12-parser/x12_no_isa_line.txt": {"CLM004", "DX002"},
    "imsweb__x12-parser/x12_segment_errors.txt": {"CLM004", "DX003"},
    "imsweb__x12-parser/x12_segments_out_of_order.txt": {"CLM004", "DX002"},
    "imsweb__x12-parser/x12_valid.txt": {"CLM004", "DX002"},
    "imsweb__x12-parser/x12_writer_test.txt": {"CLM004", "DX003", "DX002"},
    "Inteligenz__X12Parser/Example1_2_And_3_Combined.txt": {"DX002", "CLM002"},
    "Inteligenz__X12Parser/Example1_HealthInsurance.txt": {"DX002"},
    "Inteligenz__X12Parser/Example2_Encounter.txt": {"DX002"},
    "Inteligenz__X12Parser/Example3_COB.txt": {"DX002", "CLM002"},
    "Inteligenz__X12Parser/MedicaidExample.txt": {"CLM004", "CLM003", "DX003", "PA003"},
    "Inteligenz__X12Parser/MissingEntityCode.txt": {
        "CLM004",
        "CLM003",
        "DX003",
        "PA003",
    },
    "Inteligenz__X12Parser/ST1309-XX.txt": {"CLM006", "DX002"},
    "Inteligenz__X12Parser/ProfessionalClaim1.txt": {"CLM004", "DX003", "DX002"},
    "apimeister__x12-types/005010_837.edi": {"DX002"},
    "mjkubba__edi/edi837P-demo-005010X222.edi": {"CLM004"},
    "daggubatikundan__EDI837/anesthesia.dat": {"CLM004"},
    "daggubatikundan__EDI837/sample_837P.edi": {"CLM004", "CLM001", "DX002"},
}


def lint(row: dict[str, str]) -> tuple[Counter[str], FileSummary]:
    path = CORPUS / row["saved_path"]
    summary = FileSummary(str(path))
    linter = Linter()
    findings = [*linter.lint_path(path, summary), *linter.finish()]
    return Counter(finding.rule for finding in findings), summary


@pytest.mark.parametrize(
    "row", [r for r in ROWS if is_837p_5010(r)], ids=lambda r: r["saved_path"]
)
def test_837p_5010_yields_the_indexed_claim_count(row: dict[str, str]) -> None:
    codes, summary = lint(row)
    assert summary.claims == int(row["n_CLM"])
    assert "ENV009" not in codes
    if row["intentionally_invalid"] == "yes":
        assert NEGATIVE[row["saved_path"]] <= set(codes)


@pytest.mark.parametrize(
    "row", [r for r in ROWS if is_837p_5010(r)], ids=lambda r: r["saved_path"]
)
def test_no_j3420_rule_fires_and_general_ones_are_the_checked_ones(
    row: dict[str, str],
) -> None:
    assert row["has_J3420"] == "no"
    codes = set(lint(row)[0])
    assert not codes & J3420_RULES
    general = {code for code in codes if not code.startswith("ENV")}
    assert general == GENERAL_FINDINGS.get(row["saved_path"], set())


@pytest.mark.parametrize(
    "row", [r for r in ROWS if not is_837p_5010(r)], ids=lambda r: r["saved_path"]
)
def test_other_transactions_are_reported_out_of_scope(row: dict[str, str]) -> None:
    codes, summary = lint(row)
    assert summary.claims == 0
    assert codes["ENV009"] >= 1
    assert summary.skipped_transactions == summary.transactions


def test_the_corpus_is_really_there() -> None:
    assert len([r for r in ROWS if is_837p_5010(r)]) >= 40
