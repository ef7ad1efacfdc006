"""Every rule's documented examples: the passing one passes, the failing fails."""

from __future__ import annotations

import pytest

from conftest import lint_bytes
from examples import example_file
from lint837.linter import Linter
from lint837.rules import REGISTRY, Rule

RULES = sorted(REGISTRY.values(), key=lambda rule: rule.code)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_passing_example_raises_nothing_of_the_rule(rule: Rule) -> None:
    findings, _ = lint_bytes(example_file(rule.example.passing), Linter([rule]))
    assert findings == []


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_failing_example_raises_the_rule(rule: Rule) -> None:
    findings, _ = lint_bytes(example_file(rule.example.failing), Linter([rule]))
    assert {finding.rule for finding in findings} == {rule.code}


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.code)
def test_rule_is_documented(rule: Rule) -> None:
    assert rule.code[:-3].isalpha() and rule.code[-3:].isdigit()
    assert rule.name == rule.name.lower() and " " not in rule.name
    assert rule.summary.endswith(".")
    assert "Source:" in rule.documentation


def test_codes_and_names_are_unique() -> None:
    assert len({rule.name for rule in RULES}) == len(RULES)
