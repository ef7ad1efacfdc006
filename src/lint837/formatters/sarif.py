"""SARIF 2.1.0, for code scanning (GitHub, Azure DevOps, IDE viewers).

One run of one tool: the rules that ran, with their documentation, and a
result for each finding. A result points at the file's line and column
where the file has lines (the element's text span), else at the byte
offset and length of the segment; the claim, line and loop are logical
locations. Partial fingerprints hash what identifies a finding without its
position, so moving a claim within a file does not make it new.

Results are written as they arrive, so a batch of millions of claims is
never held in memory.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from lint837 import __version__
from lint837.findings import Finding, Severity
from lint837.formatters.base import Formatter
from lint837.linter import FileSummary
from lint837.rules import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/lint837/lint837"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


class SarifFormatter(Formatter):
    """Streams one SARIF log: the rules first, then one result a finding."""

    def __init__(
        self,
        stream: TextIO,
        rules: Sequence[Rule] = (),
        threshold: Severity = Severity.ERROR,
    ) -> None:
        super().__init__(stream, rules, threshold)
        self._index = {rule.code: number for number, rule in enumerate(self.rules)}
        self._first = True

    def start(self) -> None:
        driver = {
            "name": "lint837",
            "version": __version__,
            "informationUri": INFORMATION_URI,
            "rules": [_descriptor(rule) for rule in self.rules],
        }
        head = {"$schema": SCHEMA, "version": "2.1.0"}
        text = json.dumps(head)[:-1]
        self.stream.write(f'{text}, "runs": [{{"tool": {{"driver": ')
        self.stream.write(json.dumps(driver))
        self.stream.write('}, "results": [')

    def finding(self, finding: Finding) -> None:
        self.stream.write("\n  " if self._first else ",\n  ")
        self._first = False
        self.stream.write(json.dumps(self.result(finding)))

    def end(self, summaries: Sequence[FileSummary]) -> None:
        artifacts = [{"location": {"uri": _uri(s.file)}} for s in summaries]
        invocation = {
            "executionSuccessful": all(s.error is None for s in summaries),
            "toolExecutionNotifications": [
                {
                    "level": "error",
                    "message": {"text": s.error},
                    "locations": [_artifact_only(s.file)],
                }
                for s in summaries
                if s.error is not None
            ],
        }
        self.stream.write(
            f'{"" if self._first else chr(10)}], "artifacts": {json.dumps(artifacts)}, '
            f'"invocations": [{json.dumps(invocation)}]}}]}}\n'
        )

    def result(self, finding: Finding) -> dict[str, Any]:
        """The SARIF result of one finding."""
        where = finding.location
        result: dict[str, Any] = {
            "ruleId": finding.rule,
            "level": LEVELS[finding.severity],
            "message": {"text": finding.message},
            "locations": [_location(finding)],
            "partialFingerprints": {"lint837/v1": _fingerprint(finding)},
        }
        if finding.rule in self._index:
            result["ruleIndex"] = self._index[finding.rule]
        if where.segment is not None:
            result["properties"] = {
                "segment": where.segment,
                "element": where.element,
                "segmentIndex": where.segment_index,
            }
        return result


def _descriptor(rule: Rule) -> dict[str, Any]:
    documentation = rule.documentation
    # The documentation opens with the summary; the next paragraph says why.
    paragraphs = documentation.split("\n\n")
    why = paragraphs[1].replace("\n", " ") if len(paragraphs) > 1 else ""
    return {
        "id": rule.code,
        "name": _pascal(rule.name),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": why or rule.summary},
        "help": {"text": documentation or rule.summary},
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "tags": [rule.family, "payer-rule" if rule.origin else "built-in"],
            "confirmed": rule.confirmed,
        },
    }


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


def _uri(file: str) -> str:
    """A relative URI for a path under the working directory, else absolute."""
    if file.startswith("<"):
        return file.strip("<>")
    path = Path(file)
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.resolve().as_uri()


def _artifact_only(file: str) -> dict[str, Any]:
    return {"physicalLocation": {"artifactLocation": {"uri": _uri(file)}}}


def _location(finding: Finding) -> dict[str, Any]:
    where = finding.location
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(where.file)}}
    region: dict[str, Any] = {}
    if where.file_line is not None and where.file_column is not None:
        region = {"startLine": where.file_line, "startColumn": where.file_column}
        if where.length:
            region["endColumn"] = where.file_column + where.length
    elif where.offset is not None:
        region = {"byteOffset": where.offset}
        if where.length:
            region["byteLength"] = where.length
    if region:
        physical["region"] = region

    location: dict[str, Any] = {"physicalLocation": physical}
    logical = []
    if where.claim is not None:
        name = f"claim {where.claim}"
        if where.line is not None:
            name += f" line {where.line}"
        logical.append({"name": name, "kind": "claim"})
    if where.loop is not None:
        logical.append({"name": f"loop {where.loop}", "kind": "loop"})
    if logical:
        location["logicalLocations"] = logical
    return location


def _fingerprint(finding: Finding) -> str:
    """What identifies a finding regardless of where in the file it sits."""
    where = finding.location
    parts = (
        finding.rule,
        _uri(where.file),
        where.claim or "",
        where.line or "",
        where.segment or "",
        where.element or "",
        finding.message,
    )
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]
