"""JUnit XML: one test case a claim, for CI systems that chart test results.

Each file is a test suite and each claim (CLM01, at its CLM segment) a test
case. A claim fails when a finding reaches the failing severity
(``--fail-on``); findings below it are listed in the case's output.
Findings outside any claim (envelopes, structure) make an ``envelope``
case. Batch findings that arrive at the end of the run join their claim.
The document is written at the end, so it holds one entry a claim.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from lint837.findings import ClaimVerdict, Finding
from lint837.formatters.base import Formatter
from lint837.linter import FileSummary

ENVELOPE = "envelope"


def _line(finding: Finding) -> str:
    where = finding.location
    place = f"segment {where.segment_index}" if where.segment_index else where.file
    if where.element:
        place += f" {where.element}"
    if where.line is not None:
        place += f", line {where.line}"
    return f"{finding.rule} [{finding.severity.value}] {place}: {finding.message}"


class JunitFormatter(Formatter):
    """Collects claims and their findings, writes the XML at the end."""

    wants_claims = True

    def start(self) -> None:
        # file -> case name -> findings; dicts keep the order cases arrive in
        self._cases: dict[str, dict[str, list[Finding]]] = {}
        self._pending: list[Finding] = []  # a claim's findings, before its verdict
        self._claims: dict[tuple[str, str], str] = {}  # (file, CLM01) -> case name

    def finding(self, finding: Finding) -> None:
        where = finding.location
        if where.claim is None:
            self._case(where.file, ENVELOPE).append(finding)
        else:  # the claim's verdict brings it, or the run's end places it
            self._pending.append(finding)

    def claim(self, verdict: ClaimVerdict) -> None:
        name = f"claim {verdict.claim} (segment {verdict.segment_index})"
        self._claims.setdefault((verdict.file, verdict.claim), name)
        self._case(verdict.file, name).extend(verdict.findings)
        self._pending.clear()

    def _case(self, file: str, name: str) -> list[Finding]:
        return self._cases.setdefault(file, {}).setdefault(name, [])

    def end(self, summaries: Sequence[FileSummary]) -> None:
        # Batch findings, judged when the run ended: place them with their claim.
        for finding in self._pending:
            where = finding.location
            name = self._claims.get((where.file, str(where.claim)), ENVELOPE)
            self._case(where.file, name).append(finding)

        root = ET.Element("testsuites", name="lint837")
        total = failed = 0
        for summary in summaries:
            cases = self._cases.get(summary.file, {})
            suite = ET.SubElement(root, "testsuite", name=summary.file)
            suite_failed = 0
            if summary.error is not None:
                case = ET.SubElement(
                    suite, "testcase", classname=summary.file, name="read"
                )
                ET.SubElement(case, "error", message=summary.error)
                suite_failed += 1
            for name, findings in cases.items():
                suite_failed += self._write_case(suite, summary.file, name, findings)
            suite.set("tests", str(len(cases) + (summary.error is not None)))
            suite.set("failures", str(suite_failed))
            total += len(cases) + (summary.error is not None)
            failed += suite_failed
        root.set("tests", str(total))
        root.set("failures", str(failed))
        ET.indent(root)
        self.stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        self.stream.write(ET.tostring(root, encoding="unicode") + "\n")

    def _write_case(
        self, suite: ET.Element, file: str, name: str, findings: list[Finding]
    ) -> int:
        case = ET.SubElement(suite, "testcase", classname=file, name=name)
        failing = [f for f in findings if f.severity >= self.threshold]
        if failing:
            failure = ET.SubElement(
                case,
                "failure",
                type=failing[0].rule,
                message=f"{len(failing)} finding(s) at or above {self.threshold.value}",
            )
            failure.text = "\n".join(_line(f) for f in failing)
        rest = [f for f in findings if f.severity < self.threshold]
        if rest:
            ET.SubElement(case, "system-out").text = "\n".join(_line(f) for f in rest)
        return 1 if failing else 0
