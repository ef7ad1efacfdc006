"""Shared paths and helpers for the test suite."""

from __future__ import annotations

import csv
import io
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lint837.config import load_authorizations, load_policy
from lint837.linter import FileSummary, Linter
from lint837.model import Claim, build
from lint837.reader import read_segments
from lint837.rules import Rule
from lint837.rules.context import Context

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"

sys.path.insert(0, str(Path(__file__).resolve().parent))


def manifest() -> dict[str, dict[str, Any]]:
    with (FIXTURES / "MANIFEST.toml").open("rb") as handle:
        return tomllib.load(handle)


def corpus_index() -> list[dict[str, str]]:
    """INDEX.tsv rows, or [] where ../shared is absent."""
    index = CORPUS / "INDEX.tsv"
    if not index.exists():
        return []
    with index.open(newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def needs_corpus() -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        not (CORPUS / "INDEX.tsv").exists(), reason="../shared/corpus is absent"
    )


def claims_of(
    data: bytes, name: str = "test.837", chunk_size: int = 1 << 20
) -> list[Claim]:
    stream = io.BytesIO(data)
    events = build(read_segments(stream, name, chunk_size))
    return [event for event in events if isinstance(event, Claim)]


def fixture_claims(relative: str, chunk_size: int = 1 << 20) -> list[Claim]:
    return claims_of((FIXTURES / relative).read_bytes(), relative, chunk_size)


def lint_bytes(
    data: bytes, linter: Linter | None = None
) -> tuple[list[Any], FileSummary]:
    summary = FileSummary("test.837")
    linter = linter or Linter()
    findings = list(linter.lint_stream(io.BytesIO(data), "test.837", summary))
    return findings, summary


def example_context(rule: Rule, folder: Path, authorizations: bool = True) -> Context:
    """A context with the policy (and authorizations) a rule's examples use."""
    context = Context()
    if rule.example.policy:
        (folder / "policy.toml").write_text(rule.example.policy)
        context.policy = load_policy(folder / "policy.toml")
    if authorizations and rule.example.authorizations:
        (folder / "auths.csv").write_text(rule.example.authorizations)
        context.authorizations = load_authorizations(folder / "auths.csv")
    return context


def lint_fixture(relative: str, linter: Linter | None = None) -> Iterator[Any]:
    return (linter or Linter()).lint_path(FIXTURES / relative)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print benchmark throughputs as a share of the baseline's."""
    results = sys.modules.get("test_benchmark")
    found = getattr(results, "RESULTS", None)
    if not found:
        return
    write = terminalreporter.write_line
    terminalreporter.section("lint837 throughput")
    for name, (first, second) in found.items():
        if name.startswith("peak memory"):
            ratio = f"{second / first:.2f}x"
            if "chunk size" in name:
                ratio = f"{second / first:.1f} chunks"
            write(f"{name}: {first:,} / {second:,} ({ratio})")
            continue
        # Each job is compared with the baseline run on the same file.
        baseline = next(
            (
                v
                for k, v in found.items()
                if k.startswith("baseline") and v[1] == second
            ),
            None,
        )
        megabytes = second / first / 1e6
        share = f", {baseline[0] / first:.2f}x baseline" if baseline else ""
        plain = found.get("every rule")
        if name.startswith("every rule + 20") and plain is not None:
            share += f", {first / plain[0] - 1:+.0%} over every rule"
        reference = found.get("every rule + pyx12 validation, -j 2")
        if name.startswith("every rule + fast") and reference is not None:
            share += f", {reference[0] / first:.1f} times faster than with pyx12 -j 2"
        write(f"{name}: {first:.3f} s, {megabytes:.1f} MB/s{share}")
