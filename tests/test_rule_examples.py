"""Every rule's documented examples: the passing one passes, the failing fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from lint837.findings import Finding
from lint837.linter import Linter
from lint837.rules import REGISTRY, Rule

from conftest import example_context, lint_bytes
from examples import example_file

RULES = sorted(REGISTRY.values(), key=lambda rule: rule.code)


def run_example(rule: Rule, snippet: str, folder: Path) -> list[Finding]:
    linter = Linter([rule], context=example_context(rule, folder))
    findings, _ = lint_bytes(example_file(snippet), linter)
    return findings + list(linter.finish())


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_passing_example_raises_nothing_of_the_rule(rule: Rule, tmp_path: Path) -> None:
    assert run_example(rule, rule.example.passing, tmp_path) == []


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_failing_example_raises_the_rule(rule: Rule, tmp_path: Path) -> None:
    findings = run_example(rule, rule.example.failing, tmp_path)
    assert {finding.rule for finding in findings} == {rule.code}


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_passing_example_is_clean_for_every_rule(rule: Rule, tmp_path: Path) -> None:
    """The passing snippet is a model claim: no rule finds anything to warn of."""
    context = example_context(rule, tmp_path, authorizations=False)
    findings, _ = lint_bytes(
        example_file(rule.example.passing), Linter(context=context)
    )
    serious = [f for f in findings if f.severity.value != "info"]
    assert serious == []


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_rule_is_documented(rule: Rule) -> None:
    assert rule.code[:-3].isalpha() and rule.code[-3:].isdigit()
    assert rule.name == rule.name.lower() and " " not in rule.name
    assert rule.summary.endswith(".")
    assert "Source:" in rule.documentation


def test_codes_and_names_are_unique() -> None:
    assert len({rule.name for rule in RULES}) == len(RULES)
