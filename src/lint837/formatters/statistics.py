"""How often each rule fired: one line a rule, the most frequent first.

For a billing lead looking at a whole batch, the count per rule says where
to start; the findings themselves are in the other formats.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from lint837.findings import Finding, Severity
from lint837.formatters.base import Formatter
from lint837.formatters.text import TextFormatter
from lint837.linter import FileSummary


class StatisticsFormatter(Formatter):
    """Counts findings per rule; writes the table and the total at the end."""

    def start(self) -> None:
        self._counts: Counter[str] = Counter()
        self._severity: dict[str, Severity] = {}

    def finding(self, finding: Finding) -> None:
        self._counts[finding.rule] += 1
        worst = self._severity.get(finding.rule, finding.severity)
        self._severity[finding.rule] = max(worst, finding.severity)

    def end(self, summaries: Sequence[FileSummary]) -> None:
        names = {rule.code: rule.name for rule in self.rules}
        rows = sorted(self._counts.items(), key=lambda item: (-item[1], item[0]))
        width = max((len(f"{count:,}") for _, count in rows), default=1)
        for code, count in rows:
            severity = f"[{self._severity[code].value}]"
            line = f"{count:>{width},}  {code:<8} {severity:<9} {names.get(code, '')}"
            self.stream.write(line.rstrip() + "\n")
        TextFormatter(self.stream, self.rules, self.threshold).end(summaries)
