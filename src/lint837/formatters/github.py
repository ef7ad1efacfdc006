"""GitHub Actions workflow commands: one annotation a finding.

``::error file=F,line=L,col=C,endColumn=E,title=CODE::message`` shows the
finding on the pull request's diff. Errors and warnings keep their level;
info findings become notices. A file without lines (one long line of
segments) is annotated on line 1 at the element's column.
"""

from __future__ import annotations

from collections.abc import Sequence

from lint837.findings import Finding, Severity
from lint837.formatters.base import Formatter
from lint837.linter import FileSummary

COMMANDS = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFO: "notice",
}


def _data(text: str) -> str:
    """Escape a message the way the runner expects."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    """Escape a property value (file name, title)."""
    return _data(text).replace(":", "%3A").replace(",", "%2C")


class GithubFormatter(Formatter):
    """One workflow command a finding, then nothing: the job log shows them."""

    def finding(self, finding: Finding) -> None:
        where = finding.location
        properties = [f"file={_property(where.file)}"]
        if where.file_line is not None:
            properties.append(f"line={where.file_line}")
            if where.file_column is not None:
                properties.append(f"col={where.file_column}")
                if where.length:
                    properties.append(f"endColumn={where.file_column + where.length}")

        subject = ""
        if where.claim is not None:
            subject = f"claim {where.claim}"
            subject += f" line {where.line}: " if where.line is not None else ": "
        title = f"{finding.rule} {subject.rstrip(': ')}".strip()
        properties.append(f"title={_property(title)}")
        self.stream.write(
            f"::{COMMANDS[finding.severity]} {','.join(properties)}::"
            f"{_data(subject + finding.message)}\n"
        )

    def end(self, summaries: Sequence[FileSummary]) -> None:
        for summary in summaries:
            if summary.error is not None:
                self.stream.write(
                    f"::error file={_property(summary.file)}::{_data(summary.error)}\n"
                )
