"""Baselines: accepted findings stay quiet, new ones fail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lint837.cli import main
from lint837.rules.examples import GOOD_CLAIM

from examples import example_file

BAD_TOTAL = GOOD_CLAIM.replace("CLM*EX1*33*", "CLM*EX1*35*")  # CLM004
OTHER = GOOD_CLAIM.replace("CLM*EX1*", "CLM*EX2*").replace("0301", "0302")


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict]]:
    code = main(["check", "--isolated", "--format", "json", *args])
    return code, json.loads(capsys.readouterr().out)["findings"]


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # baselines name files relative to here
    return tmp_path


def test_accepted_findings_are_quiet_and_new_ones_fail(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = workspace / "batch.837"
    batch.write_bytes(example_file(BAD_TOTAL))
    code, findings = check(capsys, "--write-baseline", "baseline.json", "batch.837")
    assert code == 0 and [f["rule"] for f in findings] == ["CLM004"]
    saved = json.loads((workspace / "baseline.json").read_text())
    [entry] = saved["findings"]
    assert (entry["file"], entry["claim"], entry["rule"]) == (
        "batch.837",
        "EX1",
        "CLM004",
    )
    assert len(entry["fingerprint"]) == 16

    code, findings = check(capsys, "--baseline", "baseline.json", "batch.837")
    assert (code, findings) == (0, [])

    # A new claim with a new error fails; the accepted one stays quiet.
    new = OTHER.replace("CLM*EX2*33*", "CLM*EX2*36*")
    batch.write_bytes(example_file(BAD_TOTAL + new))
    code, findings = check(capsys, "--baseline", "baseline.json", "batch.837")
    assert code == 1
    assert [(f["rule"], f["claim"]) for f in findings] == [("CLM004", "EX2")]


def test_a_claim_that_moves_stays_accepted_a_changed_segment_does_not(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = workspace / "batch.837"
    batch.write_bytes(example_file(BAD_TOTAL))
    check(capsys, "--write-baseline", "baseline.json", "batch.837")

    batch.write_bytes(example_file(OTHER + BAD_TOTAL))  # moved down a claim
    assert check(capsys, "--baseline", "baseline.json", "batch.837") == (0, [])

    batch.write_bytes(example_file(BAD_TOTAL.replace("*35*", "*36*")))  # changed
    code, findings = check(capsys, "--baseline", "baseline.json", "batch.837")
    assert code == 1 and [f["rule"] for f in findings] == ["CLM004"]


def test_counts_matter_and_configuration_names_the_baseline(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    batch = workspace / "batch.837"
    batch.write_bytes(example_file(BAD_TOTAL))
    check(capsys, "--write-baseline", "accepted.json", "batch.837")
    (workspace / "lint837.toml").write_text('baseline = "accepted.json"\n')

    # The same finding twice (a copy of the claim): one is accepted, one is new.
    batch.write_bytes(example_file(BAD_TOTAL + BAD_TOTAL))
    code = main(["check", "--format", "json", "--select", "CLM", "batch.837"])
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert code == 1 and [f["rule"] for f in findings] == ["CLM004"]


def test_a_broken_baseline_is_a_configuration_error(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (workspace / "batch.837").write_bytes(example_file(GOOD_CLAIM))
    (workspace / "bad.json").write_text('{"version": 1, "findings": [{"file": "x"}]}')
    assert main(["check", "--isolated", "--baseline", "bad.json", "batch.837"]) == 2
    assert "bad.json: findings[1]" in capsys.readouterr().err
