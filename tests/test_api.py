"""The Python API a pre-submit hook calls."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from lint837 import api
from lint837.errors import ConfigError
from lint837.findings import Severity
from lint837.rules.examples import GOOD_CLAIM

from conftest import FIXTURES
from examples import example_file

DEMO = FIXTURES / "examples" / "b12_denials.837"


def test_a_path_gives_findings_and_a_verdict_a_claim() -> None:
    report = api.lint_path(DEMO)
    assert len(report.findings) == 11
    assert [c.claim for c in report.claims] == ["B12DEMO01", "B12DEMO02"]
    assert sum(len(c.findings) for c in report.claims) == 11
    assert [c.claim for c in report.held()] == ["B12DEMO01", "B12DEMO02"]
    assert report.failing() and not report.errors
    assert report.files[0].claims == 2


def test_bytes_and_streams_and_a_clean_claim() -> None:
    good = example_file(GOOD_CLAIM)
    report = api.lint_bytes(good, name="upload.837")
    assert report.findings == [] and not report.failing()
    [verdict] = report.passed()
    assert (verdict.file, verdict.claim, verdict.worst) == ("upload.837", "EX1", None)

    streamed = api.lint_stream(io.BytesIO(good), "pipe")
    assert [c.claim for c in streamed.claims] == ["EX1"]


def test_one_run_looks_across_sources_and_attaches_batch_findings() -> None:
    bad = GOOD_CLAIM.replace("CLM*EX1*", "CLM*EX2*")  # same patient, code, date
    report = api.lint([example_file(GOOD_CLAIM), example_file(bad)])
    duplicate = [f for f in report.findings if f.rule == "BAT001"]
    assert duplicate
    second = report.claims[1]
    assert second.claim == "EX2" and second.fails(Severity.ERROR)
    assert [c.claim for c in report.passed()] == ["EX1"]


def test_options_mirror_the_command_line(tmp_path: Path) -> None:
    rules = tmp_path / "acme.rules"
    rules.write_text(
        'rule ACME010 "JZ"\n  severity error\n  for each J3420 line\n'
        '  require "JZ" in line.modifiers\n  message "add JZ"\n'
    )
    report = api.lint_bytes(
        example_file(GOOD_CLAIM), rules_files=[rules], select=["ACME"]
    )
    assert [f.rule for f in report.findings] == ["ACME010"]
    with pytest.raises(ConfigError):
        api.lint_bytes(b"", select=["NOPE999"])


def test_input_that_is_not_x12_is_reported_not_raised() -> None:
    report = api.lint([b"%PDF-1.7 not a claim file"])
    assert report.claims == []
    [broken] = report.errors
    assert broken.error
