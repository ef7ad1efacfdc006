"""Remembered verdicts never change what is found.

The engine skips a rule group on a claim whose verdict key already passed
it clean (lint837.rules.keys). Every test here lints the same input with
remembered verdicts and without, and requires the very same findings, in
the same order. The inputs put a clean claim first and a near copy that
breaks a rule after it, so a key that dropped what a rule reads would
hide the second claim's finding.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lint837.errors import InputError
from lint837.linter import Linter
from lint837.rules import REGISTRY, Rule
from lint837.rules.context import Context
from lint837.rules.examples import GOOD_CLAIM

from conftest import CORPUS, example_context, lint_bytes
from examples import example_file

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted(
    path
    for path in (ROOT / "fixtures").rglob("*")
    if path.is_file() and path.suffix not in (".toml", ".csv", ".md")
)
RULES = sorted(REGISTRY.values(), key=lambda rule: rule.code)


def both_ways(
    data: bytes, context: Callable[[], Context] = Context
) -> list[dict[str, Any]]:
    """The findings with remembered verdicts, after checking they match without."""
    runs = []
    for remember in (True, False):
        # A new context each time: batch rules keep their state in it.
        linter = Linter(context=context(), remember_verdicts=remember)
        try:
            findings, _ = lint_bytes(data, linter)
        except InputError as error:
            runs.append([{"error": str(error)}])
            continue
        runs.append([f.as_dict() for f in findings + list(linter.finish())])
    remembered, fresh = runs
    assert remembered == fresh
    return remembered


def codes(findings: list[dict[str, Any]]) -> set[str]:
    return {finding["rule"] for finding in findings if "rule" in finding}


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_a_passing_example_remembered_does_not_hide_the_failing_one(
    rule: Rule, tmp_path: Path
) -> None:
    data = (
        example_file(rule.example.passing)
        + example_file(rule.example.passing)
        + example_file(rule.example.failing)
    )
    findings = both_ways(data, lambda: example_context(rule, tmp_path))
    assert rule.code in codes(findings)


DRUG = "SV1*HC:J3420*8*UN*1*11**1~\nDTP*472*"
DRUG_DATE = DRUG + "D8*20250301~"

# (what the third claim changes, the rule that must still see it)
NEAR_COPIES = [
    pytest.param(
        (DRUG_DATE, DRUG + "D8*20250302~"),
        "ADM001",
        id="drug-on-another-date",
    ),
    pytest.param(
        ("DTP*472*D8*20250301~", "DTP*472*D8*20250311~"),
        "CLM005",
        id="date-after-creation",
    ),
    pytest.param(
        ("DTP*472*D8*20250301~", "DTP*472*D8*20250230~"),
        "CLM005",
        id="date-not-real",
    ),
    pytest.param(
        (DRUG_DATE, DRUG + "RD8*20250301-20250302~"),
        "CLM005",
        id="range-over-two-days",
    ),
    pytest.param(
        (DRUG_DATE, DRUG + "RD8*20250302-20250301~"),
        "CLM005",
        id="range-reversed",
    ),
    pytest.param(("REF*G1*PA12345~", "REF*G1*TBD~"), "PA003", id="auth-placeholder"),
    pytest.param(("REF*G1*PA12345~", "REF*G1* ~"), "PA003", id="auth-blank"),
    pytest.param(
        ("REF*G1*PA12345~", "REF*G1*PA12345~\nREF*9F*PA12345~"),
        "PA003",
        id="referral-repeats-auth",
    ),
    pytest.param(
        ("LIN**N4", "REF*G1*PA12345~\nLIN**N4"),
        "PA002",
        id="line-repeats-claim-auth",
    ),
    pytest.param(
        ("CLM*EX1*33***11:B:1*", "CLM*EX1*33***11:B:7*"),
        "CLM003",
        id="replacement-without-f8",
    ),
    pytest.param(
        ("CLM*EX1*33***", "CLM*EX1*34***"), "CLM004", id="total-off-by-a-dollar"
    ),
    pytest.param(("HI*ABK:D510~", "HI*ABK:D51.0~"), "DX001", id="diagnosis-decimal"),
    pytest.param(
        ("SV1*HC:J3420*8*UN*1*11**1~", "SV1*HC:J3420*8*UN*1*11**2~"),
        "DX003",
        id="pointer-to-nothing",
    ),
]


@pytest.mark.parametrize(("change", "code"), NEAR_COPIES)
def test_a_near_copy_of_a_remembered_claim_is_judged_on_its_own(
    change: tuple[str, str], code: str
) -> None:
    old, new = change
    assert old in GOOD_CLAIM
    variant = GOOD_CLAIM.replace(old, new).replace("CLM*EX1*", "CLM*EX9*")
    snippet = GOOD_CLAIM + GOOD_CLAIM.replace("CLM*EX1*", "CLM*EX2*") + variant
    findings = both_ways(example_file(snippet))
    assert code in codes(findings)
    # The finding is on the third claim: the first two pass.
    flagged = {f["claim"] for f in findings if f["rule"] == code}
    assert flagged == {"EX9"}


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_fixture_gets_the_same_findings(path: Path) -> None:
    both_ways(path.read_bytes())


def test_the_corpus_gets_the_same_findings() -> None:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not here")
    files = sorted(path for path in CORPUS.rglob("*") if path.is_file())
    files = [path for path in files if path.name != "INDEX.tsv"]
    assert files
    for path in files:
        both_ways(path.read_bytes())


def test_memory_for_verdicts_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """With room for two keys per group, groups start afresh and findings hold."""
    import lint837.linter as engine

    monkeypatch.setattr(engine, "MAX_VERDICTS", 2)
    claims = [
        GOOD_CLAIM.replace("CLM*EX1*", f"CLM*EX{n}*").replace("0301", f"03{n:02d}")
        for n in range(1, 9)
    ]
    data = example_file("".join(claims) + claims[0].replace("*33***", "*34***"))
    linter = Linter()
    lint_bytes(data, linter)
    assert all(len(clean) <= 2 for clean in linter._verdicts.values())
    assert "CLM004" in codes(both_ways(data))
