"""Remembered verdicts never change what is found.

The engine skips a rule group on a claim whose verdict key already passed
it clean (lint837.rules.keys). Every test here lints the same input with
remembered verdicts and without, and requires the very same findings, in
the same order. The inputs put a clean claim first and a near copy that
breaks a rule after it, so a key that dropped what a rule reads would
hide the second claim's finding.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from lint837.config import load_policy
from lint837.errors import InputError
from lint837.language import compile_rules, load_rules
from lint837.language.schema import FIELDS, Type
from lint837.linter import Linter, events
from lint837.model import Claim, ServiceLine
from lint837.rules import REGISTRY, Rule
from lint837.rules.context import Context
from lint837.rules.examples import GOOD_CLAIM
from lint837.rules.keys import (
    claim_lines,
    claim_signature,
    covering,
    parts_key,
    payer,
)

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
    data: bytes,
    context: Callable[[], Context] = Context,
    rules: list[Rule] | None = None,
) -> list[dict[str, Any]]:
    """The findings with remembered verdicts, after checking they match without."""
    runs = []
    for remember in (True, False):
        # A new context each time: batch rules keep their state in it.
        linter = Linter(rules, context=context(), remember_verdicts=remember)
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


# --- payer rules: keys built from the parts of the claim their fields read ----

PAYER_RULES = [
    *load_rules(ROOT / "tests" / "rules" / "builtin_ports.rules"),
    *load_rules(ROOT / "tests" / "rules" / "benchmark_pack.rules"),
    *(
        rule
        for path in sorted((ROOT / "examples").glob("*.rules"))
        for rule in load_rules(path)
    ),
]


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: str(path.relative_to(ROOT)))
def test_payer_rules_get_the_same_findings_on_every_fixture(path: Path) -> None:
    policy = ROOT / "fixtures" / "policies" / "payers.toml"
    both_ways(
        path.read_bytes(),
        lambda: Context(policy=load_policy(policy)),
        [*REGISTRY.values(), *PAYER_RULES],
    )


def _claim_and_drug_line(data: bytes) -> tuple[Claim, ServiceLine]:
    claims = [e for e in events(io.BytesIO(data), "x") if isinstance(e, Claim)]
    line = next(line for line in claims[0].lines if line.code == "J3420")
    return claims[0], line


def _changed(value: str) -> str:
    """Another value of the same kind: a number or a date moves, text grows."""
    if len(value) == 8 and value.isdigit():
        return value[:6] + ("02" if value[6:] == "01" else "01")
    if value.replace(".", "", 1).isdigit():
        return str(Decimal(value) + 1)
    return value + "9" if value else "9"


def _field_cases() -> list[Any]:
    data = example_file(GOOD_CLAIM)
    claim, line = _claim_and_drug_line(data)
    context = Context()
    cases = []
    for root, subject in (("line", line), ("claim", claim), ("payer", claim)):
        for field in FIELDS[root].values():
            if field.where is None or field.type not in (
                Type.TEXT,
                Type.NUMBER,
                Type.DATE,
            ):
                continue
            value = field.read(subject, context)
            segment, element = field.where(subject)
            if value is None or segment is None or element is None:
                continue
            cases.append(
                pytest.param(
                    root, field, value, segment, element, id=f"{root}.{field.name}"
                )
            )
    return cases


# Beside the built-in rules, a payer rule may ride on a built-in verdict key
# that holds the parts it reads (lint837.rules.keys.HOLDS): run both ways.
BESIDE = pytest.mark.parametrize(
    "beside", [False, True], ids=["alone", "beside-built-ins"]
)


def _with_built_ins(rules: list[Rule], beside: bool) -> list[Rule]:
    return [*REGISTRY.values(), *rules] if beside else rules


@BESIDE
@pytest.mark.parametrize(
    ("root", "field", "value", "segment", "element"), _field_cases()
)
def test_a_payer_rule_sees_every_change_to_a_field_it_reads(
    root: str, field: Any, value: Any, segment: Any, element: str, beside: bool
) -> None:
    """Change the element a field is read from in the third claim only: the
    rule requiring the old value must fire there, remembered verdicts or not.

    A line field is read on every line (its value on the injection line is
    allowed too), so the key must hold the field's own parts, not the
    lines' codes by chance.
    """
    values = [value]
    if root == "line":
        claim, _ = _claim_and_drug_line(example_file(GOOD_CLAIM))
        other = field.read(claim.lines[0], Context())
        if other != value:
            values.append(other)
    name = f"{root}.{field.name}"
    condition = " or ".join(
        f"not exists {name}" if v is None else _equals(name, field, v) for v in values
    )
    scope = "each line" if root == "line" else "claim"

    rules = compile_rules(
        f'rule KEY001 "t"\n  severity error\n  for {scope}\n'
        f'  require {condition}\n  message "m"\n',
        "keys.rules",
    )

    changes_id = (root, field.name) == ("claim", "id")
    if root == "payer":  # the payer loop is outside the claim: another file
        data = example_file(GOOD_CLAIM + GOOD_CLAIM.replace("CLM*EX1*", "CLM*EX2*"))
        changed = example_file(GOOD_CLAIM.replace("CLM*EX1*", "CLM*EX9*"))
        data += _mutated(changed.decode(), segment, element).encode()
    else:
        third = _mutated(GOOD_CLAIM, segment, element)
        if changes_id:  # the claim id is what changes: EX1 becomes EX19
            data = example_file(GOOD_CLAIM * 2 + third)
        else:
            data = example_file(
                GOOD_CLAIM
                + GOOD_CLAIM.replace("CLM*EX1*", "CLM*EX2*")
                + third.replace("CLM*EX1*", "CLM*EX9*")
            )
    findings = both_ways(data, rules=_with_built_ins(rules, beside))
    flagged = [f["claim"] for f in findings if f["rule"] == "KEY001"]
    assert flagged == ["EX19" if changes_id else "EX9"]


def _equals(name: str, field: Any, value: Any) -> str:
    if field.type is Type.DATE:
        days = (date(2025, 3, 10) - value).days  # BHT04 of example files
        return f"days({name}, claim.created) = {days}"
    if field.type is Type.NUMBER:
        return f"{name} = {value}"
    return f'{name} = "{value}"'


def _mutated(text: str, segment: Any, element: str) -> str:
    """``text`` with the ``element`` (like SV104 or CLM05-1) of a segment changed."""
    segment_text = segment.text
    position, _, component = element[len(segment.id) :].partition("-")
    parts = segment_text.split("*")
    value = parts[int(position)]
    if component:
        pieces = value.split(":")
        pieces[int(component) - 1] = _changed(pieces[int(component) - 1])
        parts[int(position)] = ":".join(pieces)
    else:
        parts[int(position)] = _changed(value)
    # The last one: the J3420 line's segments come after the injection line's.
    before, found, after = text.rpartition(segment_text)
    assert found
    return before + "*".join(parts) + after


# (what a payer rule requires, what the third claim changes): reductions of
# dates, REF values and presence must still tell the third claim apart.
REDUCED_READS = [
    pytest.param(
        "count(other lines where other.date = line.date) = 1",
        (DRUG_DATE, DRUG + "D8*20250302~"),
        id="same-date",
    ),
    pytest.param("exists admin.code", (DRUG_DATE, DRUG + "D8*20250302~"), id="paired"),
    pytest.param(
        "not exists claim.referral or claim.referral != claim.prior_auth",
        ("REF*G1*PA12345~", "REF*G1*PA12345~\nREF*9F*PA12345~"),
        id="referral-equals-auth",
    ),
    pytest.param(
        "exists claim.prior_auth", ("REF*G1*PA12345~\n", ""), id="auth-present"
    ),
    pytest.param(
        "exists claim.prior_auth",
        ("REF*G1*PA12345~", "REF*9F*PA12345~"),
        id="auth-kind",
    ),
    pytest.param("exists line.ndc", ("LIN**N4*00517003125~\n", ""), id="ndc-present"),
    pytest.param(
        "claim.line_count = 2",
        ("CTP****1*ML~\n", "CTP****1*ML~\nLX*3~\nSV1*HC:85025*28*UN*1*11**1~\n"),
        id="line-count",
    ),
]


@BESIDE
@pytest.mark.parametrize(("require", "change"), REDUCED_READS)
def test_a_payer_rule_reading_less_than_values_is_still_sound(
    require: str, change: tuple[str, str], beside: bool
) -> None:
    rules = compile_rules(
        f'rule KEY002 "t"\n  severity error\n  for each J3420 line\n'
        f'  require {require}\n  message "m"\n',
        "keys.rules",
    )
    old, new = change
    assert old in GOOD_CLAIM
    third = GOOD_CLAIM.replace(old, new).replace("CLM*EX1*", "CLM*EX9*")
    data = example_file(GOOD_CLAIM + GOOD_CLAIM.replace("CLM*EX1*", "CLM*EX2*") + third)
    findings = both_ways(data, rules=_with_built_ins(rules, beside))
    assert [f["claim"] for f in findings if f["rule"] == "KEY002"] == ["EX9"]


def test_a_payer_rule_rides_on_the_smallest_key_holding_what_it_reads() -> None:
    clm, clm_and_services = (
        parts_key(frozenset({"clm"})),
        parts_key(frozenset({"clm", "services"})),
    )
    assert covering(clm, [claim_signature, claim_lines, payer]) is claim_lines
    assert covering(clm_and_services, [claim_lines, claim_signature]) is (
        claim_signature
    )
    assert covering(clm, [clm_and_services]) is clm_and_services
    # What no key holds, and keys that were not made from parts, stay apart.
    assert covering(parts_key(frozenset({"dates"})), [claim_signature]) is None
    assert covering(claim_lines, [claim_signature]) is None
