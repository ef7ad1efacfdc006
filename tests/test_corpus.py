"""Every public 837 file of ../shared/corpus reads without a traceback.

837P 5010 files must yield the claim count INDEX.tsv gives; files their
project uses as negative tests must also raise the finding that shows
their defect. Other transactions are reported out of scope (ENV009).
"""

from __future__ import annotations

from collections import Counter

import pytest

from conftest import CORPUS, corpus_index, needs_corpus
from lint837.linter import FileSummary, Linter

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
    # TODO(#6): these break the implementation guide (missing or repeated
    # loops, bad codes, missing elements, segment order); expect their X12
    # findings here once implementation-guide validation lands.
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


def lint(row: dict[str, str]) -> tuple[Counter[str], FileSummary]:
    path = CORPUS / row["saved_path"]
    summary = FileSummary(str(path))
    codes = Counter(finding.rule for finding in Linter().lint_path(path, summary))
    return codes, summary


@pytest.mark.parametrize(
    "row", [r for r in ROWS if is_837p_5010(r)], ids=lambda r: r["saved_path"]
)
def test_837p_5010_yields_the_indexed_claim_count(row: dict[str, str]) -> None:
    codes, summary = lint(row)
    assert summary.claims == int(row["n_CLM"])
    assert "ENV009" not in codes or row["transaction"] != "837P"
    if row["intentionally_invalid"] == "yes":
        assert NEGATIVE[row["saved_path"]] <= set(codes)


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
