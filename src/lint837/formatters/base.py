"""The shape every findings formatter has: start, one call a finding, end."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from lint837.findings import Finding
from lint837.linter import FileSummary
from lint837.rules import Rule


class Formatter:
    """Writes findings to ``stream`` as they arrive, totals at the end.

    ``rules`` are the rules of the run, for formats that describe them
    (SARIF); the others ignore them.
    """

    def __init__(self, stream: TextIO, rules: Sequence[Rule] = ()) -> None:
        self.stream = stream
        self.rules = list(rules)

    def start(self) -> None:
        """Called once before the first finding."""

    def finding(self, finding: Finding) -> None:
        """Write one finding."""
        raise NotImplementedError

    def end(self, summaries: Sequence[FileSummary]) -> None:
        """Called once after the last finding, with every file's summary."""
