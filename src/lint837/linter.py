"""The engine: read, build the model, run the selected rules, yield findings.

This is the library entry point the CLI and the Python API stand on. It
never prints; it yields findings as soon as each claim or envelope is
complete, and counts what it read in a :class:`FileSummary`.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from lint837.errors import InputError
from lint837.findings import Finding, Severity
from lint837.model import Event, TransactionSet, build
from lint837.reader import CHUNK_SIZE, Block, read_segments
from lint837.rules import REGISTRY, Reporter, Rule

logger = logging.getLogger(__name__)

STDIN = "-"


@dataclass
class FileSummary:
    """What was read from one input, and what was found in it."""

    file: str
    segments: int = 0
    transactions: int = 0
    skipped_transactions: int = 0
    claims: int = 0
    findings: Counter[str] = field(default_factory=Counter)
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "segments": self.segments,
            "transactions": self.transactions,
            "skipped_transactions": self.skipped_transactions,
            "claims": self.claims,
            "findings": {s.value: self.findings[s.value] for s in Severity},
            "error": self.error,
        }


class Linter:
    """Runs a fixed set of rules over any number of inputs."""

    def __init__(
        self,
        rules: Iterable[Rule] | None = None,
        *,
        severities: Mapping[str, Severity] | None = None,
        settings: Any = None,
        chunk_size: int = CHUNK_SIZE,
    ) -> None:
        self.rules = list(REGISTRY.values() if rules is None else rules)
        self.severities = dict(severities or {})
        self.settings = settings
        self.chunk_size = chunk_size  # memory is a small multiple of this

    def lint_path(
        self, path: str | Path, summary: FileSummary | None = None
    ) -> Iterator[Finding]:
        """Lint one file; ``"-"`` reads standard input."""
        name = str(path)
        if name == STDIN:
            import sys

            return self.lint_stream(sys.stdin.buffer, "<stdin>", summary)
        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed by the generator
        except OSError as error:
            reason = error.strerror or str(error)
            raise InputError(f"cannot open: {reason}", source=name) from None
        return self._closing(handle, self.lint_stream(handle, name, summary))

    @staticmethod
    def _closing(handle: BinaryIO, findings: Iterator[Finding]) -> Iterator[Finding]:
        with handle:
            yield from findings

    def lint_stream(
        self, stream: BinaryIO, name: str, summary: FileSummary | None = None
    ) -> Iterator[Finding]:
        """Lint one binary stream. Raises InputError on non-X12 input."""
        summary = summary if summary is not None else FileSummary(name)
        blocks = self._counted(read_segments(stream, name, self.chunk_size), summary)
        dispatch = self._dispatch(name, summary)
        for event in build(blocks):
            checks = dispatch.get(type(event))
            if checks is None:
                continue
            for check, reporter in checks:
                for finding in check(event, reporter):
                    summary.findings[finding.severity.value] += 1
                    yield finding

    def _dispatch(
        self, name: str, summary: FileSummary
    ) -> dict[type, list[tuple[Any, Any]]]:
        """Checks by event type; transaction sets are always counted."""
        count = (self._count_transaction, summary)
        dispatch: dict[type, list[tuple[Any, Any]]] = {TransactionSet: [count]}
        for rule in self.rules:
            override = self.severities.get(rule.code)
            reporter = Reporter(
                rule,
                name,
                override or rule.severity,
                forced=override is not None,
                settings=self.settings,
            )
            for subject in rule.subjects:
                dispatch.setdefault(subject, []).append((rule.check, reporter))
        return dispatch

    @staticmethod
    def _counted(blocks: Iterable[Block], summary: FileSummary) -> Iterator[Block]:
        for block in blocks:
            summary.segments = block.first_index + len(block) - 1
            yield block

    @staticmethod
    def _count_transaction(
        transaction: TransactionSet, summary: FileSummary
    ) -> Iterator[Finding]:
        summary.transactions += 1
        summary.claims += transaction.claim_count
        if not transaction.in_scope:
            summary.skipped_transactions += 1
        return iter(())


def events(stream: BinaryIO, name: str) -> Iterator[Event]:
    """The model events of one stream, for tools that want the claims."""
    return build(read_segments(stream, name))
