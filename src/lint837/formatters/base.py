"""The shape every findings formatter has: start, one call a finding, end."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from lint837.findings import ClaimVerdict, Finding, Severity
from lint837.linter import FileSummary
from lint837.rules import Rule


class Formatter:
    """Writes findings to ``stream`` as they arrive, totals at the end.

    ``rules`` are the rules of the run, for formats that describe them
    (SARIF); the others ignore them.
    """

    wants_claims = False  # True: give me each claim's verdict (claim())

    def __init__(
        self,
        stream: TextIO,
        rules: Sequence[Rule] = (),
        threshold: Severity = Severity.ERROR,
    ) -> None:
        self.stream = stream
        self.rules = list(rules)
        self.threshold = threshold  # the lowest severity that fails

    def start(self) -> None:
        """Called once before the first finding."""

    def finding(self, finding: Finding) -> None:
        """Write one finding."""
        raise NotImplementedError

    def claim(self, verdict: ClaimVerdict) -> None:
        """One claim's verdict, after its findings (when wants_claims)."""

    def end(self, summaries: Sequence[FileSummary]) -> None:
        """Called once after the last finding, with every file's summary."""
