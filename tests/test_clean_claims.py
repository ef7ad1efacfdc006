"""A correct J3420 claim passes silently, whoever the payer."""

from __future__ import annotations

from pathlib import Path

import pytest

from lint837.config import load_policy
from lint837.findings import Severity
from lint837.linter import Linter
from lint837.rules.context import Context

from conftest import FIXTURES

CLEAN = [
    "j3420/with_admin_ndc_pa.837",
    "layouts/standard.837",
    "structure/patient_loop.837",
]


@pytest.mark.parametrize("relative", CLEAN)
def test_clean_claim_raises_nothing_at_warning_or_above(relative: str) -> None:
    context = Context(policy=load_policy(FIXTURES / "policies/payers.toml"))
    linter = Linter(context=context)
    findings = [*linter.lint_path(FIXTURES / relative), *linter.finish()]
    assert [f for f in findings if f.severity >= Severity.WARNING] == []


def test_the_policy_makes_the_difference(tmp_path: Path) -> None:
    """Without its prior authorization the same claim fails for ACMEPA."""
    data = (FIXTURES / "j3420/with_admin_ndc_pa.837").read_bytes()
    stripped = data.replace(b"REF*G1*PA2025000101~\n", b"")
    assert stripped != data
    path = tmp_path / "no-pa.837"
    path.write_bytes(_fix_count(stripped))
    context = Context(policy=load_policy(FIXTURES / "policies/payers.toml"))
    rules = {f.rule for f in Linter(context=context).lint_path(path)}
    assert "PA001" in rules
    assert "PA001" not in {f.rule for f in Linter().lint_path(path)}


def _fix_count(data: bytes) -> bytes:
    text = data.decode("latin-1")
    lines = text.split("~\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("ST*"))
    end = next(i for i, line in enumerate(lines) if line.startswith("SE*"))
    parts = lines[end].split("*")
    parts[1] = str(end - start + 1)
    lines[end] = "*".join(parts)
    return "~\n".join(lines).encode("latin-1")


def test_the_readme_demonstration_finds_the_usual_denials() -> None:
    findings = list(Linter().lint_path(FIXTURES / "examples/b12_denials.837"))
    codes = {(f.location.claim, f.rule) for f in findings}
    assert codes == {
        ("B12DEMO01", "UNT003"),
        ("B12DEMO01", "UNT004"),
        ("B12DEMO01", "ADM001"),
        ("B12DEMO01", "DX004"),
        ("B12DEMO01", "NDC002"),
        ("B12DEMO01", "NDC005"),
        ("B12DEMO01", "MOD001"),
        ("B12DEMO02", "DX001"),
        ("B12DEMO02", "DX003"),
        ("B12DEMO02", "UNT004"),
        ("B12DEMO02", "ADM003"),
    }
