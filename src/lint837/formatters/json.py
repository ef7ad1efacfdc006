"""One JSON object: ``{"findings": [...], "files": [...]}``.

Findings are written as they arrive, so a batch of millions of claims is
never held in memory. Each finding has the keys of
:meth:`lint837.findings.Finding.as_dict`; they are a contract and only
ever grow.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from lint837.findings import Finding
from lint837.formatters.base import Formatter
from lint837.linter import FileSummary


class JsonFormatter(Formatter):
    """Streams the JSON document, one finding at a time."""

    def start(self) -> None:
        self.stream.write('{"findings": [')
        self._first = True

    def finding(self, finding: Finding) -> None:
        self.stream.write("\n  " if self._first else ",\n  ")
        self._first = False
        self.stream.write(json.dumps(finding.as_dict()))

    def end(self, summaries: Sequence[FileSummary]) -> None:
        files = json.dumps([summary.as_dict() for summary in summaries], indent=2)
        self.stream.write(f'{"" if self._first else chr(10)}], "files": {files}}}\n')
