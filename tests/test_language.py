"""The payer rule language: parsing, errors and hints, meaning, integration."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lint837.cli import main
from lint837.config import load_policy
from lint837.errors import ConfigError, InputError
from lint837.language import RulesError, compile_rules, describe, load_rules
from lint837.language.hints import HINTS
from lint837.language.schema import FIELDS
from lint837.linter import Linter, configured
from lint837.rules import REGISTRY
from lint837.rules.context import Context
from lint837.rules.examples import GOOD_CLAIM

from conftest import FIXTURES, lint_bytes
from examples import example_file

ROOT = Path(__file__).resolve().parent.parent
PORTS = Path(__file__).parent / "rules" / "builtin_ports.rules"
EXAMPLES = sorted((ROOT / "examples").glob("*.rules"))
# Built-in rule, and the language rules that say the same.
PORTED = {
    "PA001": ("PORT001",),
    "ADM001": ("PORT002",),
    "DX004": ("PORT003",),
    "NDC005": ("PORT004", "PORT005", "PORT006"),
}
POLICIES = [
    None,
    FIXTURES / "policies" / "payers.toml",
    *sorted((FIXTURES / "rules").glob("*/policy.toml")),
]
HEAD = 'rule ACME010 "Acme edit"\n  severity error\n'


def rule_text(scope: str, require: str, where: str = "", message: str = "m") -> str:
    text = HEAD + f"  for {scope}\n"
    if where:
        text += f"  where {where}\n"
    return text + f'  require {require}\n  message "{message}"\n'


def run(rules_text: str, snippet: str = GOOD_CLAIM) -> list[dict[str, object]]:
    rules = compile_rules(rules_text, "test.rules")
    findings, _ = lint_bytes(example_file(snippet), Linter(rules))
    return [finding.as_dict() for finding in findings]


# --- proof of expressiveness ------------------------------------------------------


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.name if p else "none")
def test_ported_rules_find_exactly_what_the_built_in_ones_find(
    policy: Path | None,
) -> None:
    ports = load_rules(PORTS)
    checked = 0
    for path in sorted(FIXTURES.rglob("*.837")):
        context = Context()
        if policy is not None:
            context.policy = load_policy(policy)
        linter = Linter([REGISTRY[code] for code in PORTED] + ports, context=context)
        try:
            findings = list(linter.lint_path(path))
        except InputError:
            continue
        for code, ports_of in PORTED.items():
            built_in = {_place(f) for f in findings if f.rule == code}
            ported = {_place(f) for f in findings if f.rule in ports_of}
            assert ported == built_in, (path, code)
            checked += len(built_in)
    assert checked > 20  # the fixtures do exercise these rules


def _place(finding: object) -> tuple[object, ...]:
    location = finding.location  # type: ignore[attr-defined]
    return (location.claim, location.line, location.segment_index, location.element)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_packs_load_and_run(path: Path) -> None:
    rules = load_rules(path)
    assert rules and all(rule.code not in REGISTRY for rule in rules)
    linter = Linter(rules)
    for fixture in sorted((FIXTURES / "j3420").glob("*.837")):
        for finding in linter.lint_path(fixture):
            assert finding.rule in {rule.code for rule in rules}


def test_example_packs_fire_where_they_should() -> None:
    medicaid = load_rules(ROOT / "examples" / "medicaid_ndc.rules")
    findings, _ = lint_bytes(
        (FIXTURES / "j3420" / "no_ndc.837").read_bytes(), Linter(medicaid)
    )
    assert [f.rule for f in findings] == ["MCD001"]

    acme = load_rules(ROOT / "examples" / "acme.rules")
    findings, _ = lint_bytes(example_file(GOOD_CLAIM), Linter(acme))
    assert [(f.rule, f.location.element) for f in findings] == [("ACME010", "SV101-2")]
    jz = GOOD_CLAIM.replace("SV1*HC:J3420*", "SV1*HC:J3420:JZ*")
    assert lint_bytes(example_file(jz), Linter(acme))[0] == []


# --- meaning ------------------------------------------------------------------------


def test_the_issue_example_reads_as_written() -> None:
    text = (
        'rule ACME010 "Acme requires JZ on B12 lines"\n'
        "  severity error\n"
        '  for each line where line.code = "J3420" and payer.id = "ACMEPA"\n'
        '  require "JZ" in line.modifiers\n'
        '  message "Acme requires JZ on J3420 (found {line.modifiers})"\n'
    )
    [rule] = compile_rules(text, "acme.rules")
    assert rule.codes == frozenset({"J3420"})  # gated from the where clause
    [finding] = run(text)
    assert finding["message"] == ("Acme requires JZ on J3420 (found none)")
    assert (finding["claim"], finding["line"], finding["element"]) == (
        "EX1",
        "2",
        "SV101-2",
    )


@pytest.mark.parametrize(
    ("require", "fires"),
    [
        ("line.units = 1", False),
        ("line.units > 1", True),
        ("line.units + 1 = 2", False),
        ("line.charge / line.units = 8", False),
        ("line.date = claim.created", True),
        ("days(line.date, claim.created) = 9", False),
        ("len(line.modifiers) = 0", False),
        ("count(lines) = 2", False),
        (
            'count(other lines where other.code = "96372" and other.date = line.date)'
            " = 1",
            False,
        ),
        ('count(lines where other.code = "99213") > 0', True),
        ('any of line.diagnoses in ["D510"]', False),
        ('all of line.diagnoses in ["E538"]', True),
        ("none of line.diagnoses in data.supportive_diagnoses", True),
        ("exists line.ndc and line.ndc in data.ndcs", False),
        ('exists admin.code and admin.code = "96372"', False),
        ("exists line.prior_auth", True),  # REF*G1 is at claim level
        ('claim.prior_auth = "PA12345" and not exists claim.referral', False),
        ('line.ndc_unit = "ML" and line.ndc_quantity = line.units', False),
        ('is_decimal(line.ndc_quantity_text) and not is_decimal("1.0")', False),
        ('payer.id = "ACMEPA" and payer.filing_indicator = "CI"', False),
        ("not exists payer.kind", False),  # CI names no program
        ('"J3420" in claim.codes and claim.principal_diagnosis = "D510"', False),
    ],
)
def test_expressions_mean_what_they_say(require: str, fires: bool) -> None:
    text = rule_text("each J3420 line", require)
    assert bool(run(text)) is fires


def test_a_missing_value_makes_a_comparison_false() -> None:
    # No NDC: the quantity is missing, so both comparisons are false.
    snippet = GOOD_CLAIM.replace("LIN**N4*00517003125~\nCTP****1*ML~\n", "")
    assert run(rule_text("each J3420 line", "line.ndc_quantity > 0"), snippet)
    assert run(rule_text("each J3420 line", "line.ndc_quantity <= 0"), snippet)
    assert not run(rule_text("each J3420 line", "not exists line.ndc"), snippet)


def test_claim_rules_point_at_the_claim_and_at_fields() -> None:
    [finding] = run(rule_text("claim", "claim.charge > 100"))
    assert (finding["segment"], finding["element"], finding["line"]) == (
        "CLM",
        None,
        None,
    )
    text = rule_text("claim", "claim.charge > 100") + "  at claim.charge\n"
    [finding] = run(text)
    assert finding["element"] == "CLM02"


def test_findings_are_ordinary_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "acme.rules"
    rules.write_text(rule_text("each J3420 line", '"JZ" in line.modifiers'))
    batch = tmp_path / "claim.837"
    batch.write_bytes(example_file(GOOD_CLAIM))

    assert (
        main(
            [
                "check",
                "--isolated",
                "--format",
                "json",
                "--rules",
                str(rules),
                str(batch),
            ]
        )
        == 1
    )
    report = json.loads(capsys.readouterr().out)
    [finding] = [f for f in report["findings"] if f["rule"] == "ACME010"]
    assert set(finding) == set(next(iter(report["findings"])))

    assert (
        main(
            [
                "check",
                "--isolated",
                "--rules",
                str(rules),
                "--ignore",
                "ACME",
                str(batch),
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "check",
                "--isolated",
                "--rules",
                str(rules),
                "--select",
                "ACME010",
                str(batch),
            ]
        )
        == 1
    )
    capsys.readouterr()


def test_configuration_names_rules_files(tmp_path: Path) -> None:
    (tmp_path / "acme.rules").write_text(
        rule_text("each J3420 line", '"JZ" in line.modifiers')
    )
    (tmp_path / "lint837.toml").write_text(
        'rules = ["acme.rules"]\nselect = ["ACME"]\n'
    )
    batch = tmp_path / "claim.837"
    batch.write_bytes(example_file(GOOD_CLAIM))
    assert main(["check", str(batch)]) == 1


# --- errors -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hint", "bad"),
    [(hint.text, example) for hint in HINTS for example in hint.examples],
)
def test_every_hint_is_given_for_its_examples(hint: str, bad: str) -> None:
    with pytest.raises(RulesError) as raised:
        compile_rules(bad, "bad.rules")
    error = raised.value
    assert error.hint == hint
    assert error.line is not None and error.line >= 1 and error.column >= 1
    assert str(error).startswith(f"bad.rules:{error.line}:{error.column}: ")


@pytest.mark.parametrize(
    ("require", "message", "hint"),
    [
        ("line.unit > 1", "unknown field 'line.unit'", "did you mean line.units?"),
        ("lines.units > 1", "unknown field 'lines.units'", "did you mean line.units?"),
        (
            'line.units = "1"',
            "cannot compare a number with a text",
            "write 1 without quotes",
        ),
        ("line.code = 1", "cannot compare a text with a number", 'quote it, "1"'),
        ("line.units", "a condition is needed here", "compare it"),
        ("line.__class__ = 1", "unknown field 'line.__class__'", None),
        ('open("x") = 1', "unknown function open()", None),
        ("count(lines where count(lines) > 1) > 0", "cannot sit inside", None),
        ("other.code = 1", "only there inside count", None),
    ],
)
def test_semantic_errors_point_at_the_text(
    require: str, message: str, hint: str | None
) -> None:
    with pytest.raises(RulesError) as raised:
        compile_rules(rule_text("each line", require), "bad.rules")
    error = raised.value
    assert message in str(error)
    if hint:
        assert hint in (error.hint or "")
    assert error.line == 4
    assert error.text == f"  require {require}"
    caret = str(error).splitlines()[2]
    assert caret.index("^") == 4 + error.column - 1


def test_message_placeholders_are_checked_at_load() -> None:
    with pytest.raises(RulesError) as raised:
        compile_rules(
            rule_text("each line", "line.units > 0", message="{line.cod}"), "x.rules"
        )
    assert raised.value.hint == "did you mean line.code?"
    assert raised.value.line == 5


def test_missing_clauses_are_named() -> None:
    with pytest.raises(RulesError, match="has no require clause"):
        compile_rules(HEAD + '  for claim\n  message "m"\n', "x.rules")


def test_codes_must_not_collide(tmp_path: Path) -> None:
    clash = tmp_path / "clash.rules"
    clash.write_text(rule_text("claim", "claim.charge > 0").replace("ACME010", "PA001"))
    with pytest.raises(ConfigError, match="built-in rule"):
        configured(rules_files=[clash])

    one, two = tmp_path / "one.rules", tmp_path / "two.rules"
    one.write_text(rule_text("claim", "claim.charge > 0"))
    two.write_text(rule_text("claim", "claim.charge > 1"))
    with pytest.raises(ConfigError, match="also defined in"):
        configured(rules_files=[one, two])
    with pytest.raises(RulesError, match="defined twice"):
        compile_rules(
            rule_text("claim", "x.y") * 0
            + (rule_text("claim", "claim.charge > 0") * 2),
            "x",
        )


def test_rules_check_validates_without_linting(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [arg for path in EXAMPLES for arg in ("--check", str(path))]
    assert main(["rules", *args]) == 0
    assert "all valid" in capsys.readouterr().out

    bad = tmp_path / "bad.rules"
    bad.write_text(rule_text("each line", "line.unit > 1"))
    assert main(["rules", "--check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:4:11: unknown field 'line.unit'" in err
    assert "hint: did you mean line.units?" in err


# --- the schema and its documentation ------------------------------------------


def test_schema_lists_every_field(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--schema"]) == 0
    out = capsys.readouterr().out
    for root in ("payer", "claim", "line", "data"):
        for name in FIELDS[root]:
            assert f"`{root}.{name}`" in out


def test_the_documentation_carries_the_current_schema() -> None:
    doc = (ROOT / "docs" / "rule-language.md").read_text()
    assert describe() in doc, (
        "run: lint837 rules --schema, and paste it into docs/rule-language.md"
    )


def test_no_field_reads_a_name_member_id_or_birth_date() -> None:
    names = {name for fields in FIELDS.values() for name in fields}
    assert not names & {
        "name_last",
        "first_name",
        "last_name",
        "member_id",
        "birth_date",
        "dob",
    }


def test_a_rule_is_bounded_in_size() -> None:
    huge = " or ".join(["line.units = 1"] * 300)
    with pytest.raises(RulesError, match="at most 400"):
        compile_rules(rule_text("each line", huge), "big.rules")


def test_explain_shows_a_payer_rule(capsys: pytest.CaptureFixture[str]) -> None:
    acme = str(ROOT / "examples" / "acme.rules")
    assert main(["explain", "ACME010", "--rules", acme]) == 0
    out = capsys.readouterr().out
    assert "Acme's 2025 drug policy" in out
    assert "acme.rules, line 4" in out


def test_the_language_package_runs_no_user_text_as_code() -> None:
    """No eval, exec, import or attribute lookup by name in the compiler."""
    for path in (ROOT / "src" / "lint837" / "language").glob("*.py"):
        code = path.read_text()
        for word in ("eval(", "exec(", "__import__", "getattr(self", " compile("):
            assert word not in code.replace("compile_rules(", ""), (path.name, word)
