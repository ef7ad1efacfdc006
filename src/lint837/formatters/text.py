"""One finding a line, ``file:segment: CODE [severity] claim C line L: message``.

The number after the file is the 1-based segment index, the coordinate X12
tools count in.
"""

from __future__ import annotations

from collections.abc import Sequence

from lint837.findings import Finding, Severity
from lint837.formatters.base import Formatter
from lint837.linter import FileSummary


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


class TextFormatter(Formatter):
    """One line a finding, then a one-line total."""

    def finding(self, finding: Finding) -> None:
        where = finding.location
        position = (
            f"{where.file}:{where.segment_index}" if where.segment_index else where.file
        )

        subject = ""
        if where.claim is not None:
            subject = f"claim {where.claim} "
            if where.line is not None:
                subject += f"line {where.line} "
            subject = subject.rstrip() + ": "

        self.stream.write(
            f"{position}: {finding.rule} [{finding.severity.value}] "
            f"{subject}{finding.message}\n"
        )

    def end(self, summaries: Sequence[FileSummary]) -> None:
        totals = {s: sum(f.findings[s.value] for f in summaries) for s in Severity}
        count = sum(totals.values())
        claims = sum(f.claims for f in summaries)
        files = _plural(len(summaries), "file")
        unread = sum(1 for f in summaries if f.error is not None)
        # The reason for each unreadable file went to stderr already.
        tail = f" {_plural(unread, 'file')} could not be read." if unread else ""

        if count == 0:
            self.stream.write(
                f"No findings: {_plural(claims, 'claim')} in {files}.{tail}\n"
            )
            return

        parts = ", ".join(
            _plural(totals[s], s.value) for s in reversed(Severity) if totals[s]
        )
        self.stream.write(
            f"Found {_plural(count, 'finding')} ({parts}) in "
            f"{_plural(claims, 'claim')}, {files}.{tail}\n"
        )
