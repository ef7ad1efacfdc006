"""SARIF and GitHub annotations: valid, complete and stable."""

from __future__ import annotations

import io
import json
import shutil
import struct
import subprocess
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from lint837.cli import main
from lint837.findings import Finding, Location, Severity
from lint837.formatters import GithubFormatter, SarifFormatter
from lint837.linter import FileSummary, Linter
from lint837.rules import REGISTRY
from lint837.rules.examples import GOOD_CLAIM
from lint837.validation.codes import CODES, SAME_AS

from batchgen import write_batch
from conftest import FIXTURES, SHARED
from examples import example_file

SCHEMA = SHARED / "schemas" / "sarif-schema-2.1.0.json"
DEMO = FIXTURES / "examples" / "b12_denials.837"


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["check", "--isolated", *args])
    return code, capsys.readouterr().out


def validate(log: dict[str, Any]) -> None:
    if not SCHEMA.is_file():
        pytest.skip("../shared/schemas/sarif-schema-2.1.0.json is not here")
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text())
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_sarif_is_valid_and_holds_every_finding(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out = run_cli(capsys, "--format", "sarif", str(DEMO))
    assert code == 1
    log = json.loads(out)
    validate(log)
    _, text = run_cli(capsys, "--format", "json", str(DEMO))
    findings = json.loads(text)["findings"]

    [run] = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    # The rules, then the guide codes fast validation (the default) reports,
    # less those an envelope rule of the run says (SAME_AS).
    guide = [code for code in CODES if code not in SAME_AS]
    assert [rule["id"] for rule in rules] == [*REGISTRY, *guide]
    results = run["results"]
    assert len(results) == len(findings) == 11
    for result, finding in zip(results, findings, strict=True):
        assert result["ruleId"] == finding["rule"]
        assert rules[result["ruleIndex"]]["id"] == finding["rule"]
        assert result["message"]["text"] == finding["message"]
        assert (
            result["level"]
            == {"error": "error", "warning": "warning"}[finding["severity"]]
        )
        physical = result["locations"][0]["physicalLocation"]
        uri = physical["artifactLocation"]["uri"]
        assert uri.endswith("fixtures/examples/b12_denials.837")
        region = physical["region"]
        assert region["startLine"] == finding["file_line"]
        assert region["startColumn"] == finding["file_column"]
        names = [
            logical["name"] for logical in result["locations"][0]["logicalLocations"]
        ]
        assert names[0].startswith(f"claim {finding['claim']}")


def test_sarif_rules_carry_their_documentation() -> None:
    stream = io.StringIO()
    formatter = SarifFormatter(stream, list(REGISTRY.values()))
    formatter.start()
    formatter.end([])
    log = json.loads(stream.getvalue())
    validate(log)
    by_id = {rule["id"]: rule for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    pa001 = by_id["PA001"]
    assert pa001["name"] == "PriorAuthMissing"
    assert pa001["shortDescription"]["text"] == REGISTRY["PA001"].summary
    assert "Source:" in pa001["help"]["text"]
    assert pa001["fullDescription"]["text"] != pa001["shortDescription"]["text"]
    assert by_id["UNT003"]["defaultConfiguration"]["level"] == "warning"


def test_sarif_falls_back_to_byte_offsets_and_reports_unreadable_files() -> None:
    stream = io.StringIO()
    formatter = SarifFormatter(stream, [REGISTRY["ENV002"]])
    formatter.start()
    location = Location(
        "batch.837", segment_index=9, offset=812, segment="SE", length=10
    )
    formatter.finding(Finding("ENV002", Severity.ERROR, "SE01 is wrong", location))
    broken = FileSummary("broken.837", error="not an X12 file")
    formatter.end([FileSummary("batch.837"), broken])
    log = json.loads(stream.getvalue())
    validate(log)
    run = log["runs"][0]
    region = run["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"byteOffset": 812, "byteLength": 10}
    assert run["invocations"][0]["executionSuccessful"] is False
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert notes[0]["message"]["text"] == "not an X12 file"


def test_fingerprints_survive_moving_a_claim(tmp_path: Path) -> None:
    bad = GOOD_CLAIM.replace("CLM*EX1*33*", "CLM*EX1*35*")
    other = GOOD_CLAIM.replace("CLM*EX1*", "CLM*EX7*")
    path = tmp_path / "batch.837"

    def prints(snippet: str, target: Path = path) -> set[str]:
        target.write_bytes(example_file(snippet))
        stream = io.StringIO()
        formatter = SarifFormatter(stream, list(REGISTRY.values()))
        formatter.start()
        for finding in Linter().lint_path(target):
            formatter.finding(finding)
        formatter.end([FileSummary(str(target))])
        results = json.loads(stream.getvalue())["runs"][0]["results"]
        return {
            r["partialFingerprints"]["lint837/v1"]
            for r in results
            if r["ruleId"] == "CLM004"
        }

    before = prints(bad)
    assert len(before) == 1
    assert prints(other + bad) == before  # the claim moved down: same finding
    assert prints(bad, tmp_path / "other.837") != before  # another file


def test_github_annotations(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_cli(capsys, "--format", "github", str(DEMO))
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 11
    assert lines[0].startswith(f"::warning file={DEMO},line=26,col=")
    assert "title=UNT003 claim B12DEMO01 line 1::claim B12DEMO01 line 1: " in lines[0]
    assert any(line.startswith("::error ") for line in lines)


def test_github_escapes_what_the_runner_reads() -> None:
    stream = io.StringIO()
    location = Location("a,b:c%.837", file_line=3, file_column=5, length=2, claim="X")
    message = "100% wrong\nsecond line"
    GithubFormatter(stream).finding(Finding("CLM004", Severity.INFO, message, location))
    assert stream.getvalue() == (
        "::notice file=a%2Cb%3Ac%25.837,line=3,col=5,endColumn=7,title=CLM004 claim X"
        "::claim X: 100%25 wrong%0Asecond line\n"
    )


# --- JUnit: one test case a claim ------------------------------------------------


def test_junit_has_a_case_for_every_claim(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    clean = tmp_path / "clean.837"
    clean.write_bytes(example_file(GOOD_CLAIM))
    code, out = run_cli(capsys, "--format", "junit", str(DEMO), str(clean))
    assert code == 1
    root = ElementTree.fromstring(out)
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [str(DEMO), str(clean)]
    demo, good = suites
    assert [c.get("name") for c in demo.findall("testcase")] == [
        "claim B12DEMO01 (segment 21)",
        "claim B12DEMO02 (segment 33)",
    ]
    assert demo.get("failures") == "2"
    [case] = good.findall("testcase")
    assert case.find("failure") is None  # the clean claim passes
    assert root.get("tests") == "3" and root.get("failures") == "2"


def test_junit_puts_findings_below_the_threshold_in_the_output(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out = run_cli(capsys, "--format", "junit", "--fail-on", "warning", str(DEMO))
    first = ElementTree.fromstring(out).find("testsuite/testcase")
    assert first is not None
    failure = first.find("failure")
    assert failure is not None and failure.text is not None
    assert len(failure.text.splitlines()) == 7  # every finding is a warning or worse

    _, out = run_cli(capsys, "--format", "junit", str(DEMO))
    first = ElementTree.fromstring(out).find("testsuite/testcase")
    assert first is not None
    output = first.find("system-out")
    assert output is not None and output.text is not None
    assert len(output.text.splitlines()) == 6  # the warnings


def test_junit_places_batch_findings_with_their_claim(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """BAT002 is judged when the run ends; its finding joins claim EX3."""

    def on(day: str, claim: str) -> str:
        return GOOD_CLAIM.replace("0301", day).replace("CLM*EX1*", f"CLM*{claim}*")

    path = tmp_path / "often.837"
    path.write_bytes(
        example_file(on("0301", "EX1") + on("0405", "EX2") + on("0415", "EX3"))
    )
    _, out = run_cli(capsys, "--format", "junit", str(path))
    cases = ElementTree.fromstring(out).findall("testsuite/testcase")
    names = [str(c.get("name")).split(" (")[0] for c in cases]
    assert names == ["claim EX1", "claim EX2", "claim EX3"]
    third = ElementTree.tostring(cases[2], encoding="unicode")
    assert "BAT002" in third
    assert "BAT002" not in ElementTree.tostring(cases[1], encoding="unicode")


# --- HTML: a page people would rather look at than read ----------------------


CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def test_html_report_holds_totals_charts_held_claims_and_explanations(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, page = run_cli(capsys, "--format", "html", str(DEMO))
    assert code == 1
    assert page.startswith("<!doctype html>")
    for heading in (
        "Totals",
        "Where the findings are",
        "Held claims (2)",
        "Why each rule fired",
    ):
        assert heading in page
    assert page.count("<svg") == 2  # by rule, by payer
    assert "Claim B12DEMO01" in page and "Claim B12DEMO02" in page
    assert "id='rule-NDC002'" in page and "href='#rule-NDC002'" in page
    assert "http://" not in page and "https://" not in page  # self-contained
    assert "DOE" not in page and "JANE" not in page  # no patient names


def test_html_report_lists_the_first_held_claims_and_counts_the_rest(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    batch = io.BytesIO()
    write_batch(batch, 600, j3420_every=1)
    # A 12-digit LIN03 makes every claim's NDC malformed (NDC002, an error).
    broken = batch.getvalue().replace(b"*N4*", b"*N4*1")
    path = tmp_path / "held.837"
    path.write_bytes(broken)
    code, page = run_cli(capsys, "--format", "html", str(path))
    assert code == 1
    assert "Held claims (600)" in page
    assert page.count("<div class=claim>") == 500
    assert "and 100 more (see the JSON output)." in page


def test_html_report_renders_in_a_real_browser(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    _, page = run_cli(capsys, "--format", "html", str(DEMO))
    report, shot = tmp_path / "report.html", tmp_path / "report.png"
    report.write_text(page)
    done = subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1280,1400",
            f"--screenshot={shot}",
            report.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-500:]
    png = shot.read_bytes()
    assert png.startswith(b"\x89PNG")
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (1280, 1400)
    assert len(png) > 30_000  # a rendered page, not a blank one
