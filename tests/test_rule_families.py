"""Each rule family over its fixtures: exactly the expected codes and places.

``fixtures/rules/<family>/expected.toml`` lists, per file, every finding
of that family: rule, claim (CLM01), line (LX01), segment index and
element. Wording and severity are not compared here.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from lint837.config import load_authorizations, load_policy
from lint837.linter import Linter
from lint837.rules.context import Context

from conftest import FIXTURES

FAMILIES = ("clm", "unt", "adm", "dx", "pa", "ndc", "mod", "bat")

Place = tuple[str, str | None, str | None, int | None, str | None]


def cases() -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for family in FAMILIES:
        with (FIXTURES / "rules" / family / "expected.toml").open("rb") as handle:
            for name, case in tomllib.load(handle).items():
                found.append((family, name, case))
    return found


def lint(family: str, name: str, case: dict[str, Any]) -> set[Place]:
    folder = FIXTURES / "rules" / family
    context = Context()
    if "policy" in case:
        context.policy = load_policy(FIXTURES / case["policy"])
    if "auths" in case:
        context.authorizations = load_authorizations(FIXTURES / case["auths"])
    linter = Linter(context=context)
    findings = []
    for companion in case.get("together_with", []):
        findings += list(linter.lint_path(folder / companion))
    target = str(folder / name)
    findings += list(linter.lint_path(Path(target)))
    findings += list(linter.finish())
    prefix = family.upper()
    return {
        (
            f.rule,
            f.location.claim,
            f.location.line,
            f.location.segment_index,
            f.location.element,
        )
        for f in findings
        if f.rule.startswith(prefix) and f.location.file == target
    }


def expected(case: dict[str, Any]) -> set[Place]:
    return {
        (
            f["rule"],
            f.get("claim"),
            f.get("line"),
            f.get("segment_index"),
            f.get("element"),
        )
        for f in case["findings"]
    }


@pytest.mark.parametrize(
    ("family", "name", "case"),
    cases(),
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_family_finds_exactly_the_expected(
    family: str, name: str, case: dict[str, Any]
) -> None:
    found = lint(family, name, case)
    want = expected(case)
    assert sorted(found - want, key=str) == [], "unexpected findings"
    assert sorted(want - found, key=str) == [], "missing findings"


def test_every_rule_of_the_catalogue_is_exercised() -> None:
    exercised = {f["rule"] for _, _, case in cases() for f in case["findings"]}
    from lint837.rules import REGISTRY

    catalogue = {code for code in REGISTRY if not code.startswith("ENV")}
    assert catalogue <= exercised
