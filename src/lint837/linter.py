"""The engine: read, build the model, run the selected rules, yield findings.

This is the library entry point the CLI and the Python API stand on. It
never prints; it yields findings as soon as each claim or envelope is
complete, and counts what it read in a :class:`FileSummary`.
"""

from __future__ import annotations

import logging
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from lint837.config import (
    Settings,
    load_authorizations,
    load_policy,
    load_reference_data,
)
from lint837.errors import ConfigError, InputError
from lint837.findings import Finding, Severity
from lint837.model import Claim, Event, TransactionSet, build
from lint837.model.builder import key_of
from lint837.reader import CHUNK_SIZE, Block, read_segments
from lint837.rules import REGISTRY, Reporter, Rule
from lint837.rules.context import Context, RunEnd
from lint837.selection import ALL, check_selectors, selected

logger = logging.getLogger(__name__)

# A check and what it is called with (a reporter, or the summary).
_Check = tuple[Any, Any]
_ClaimChecks = tuple[
    list[_Check],
    dict[str, list[tuple[int, _Check]]],
    dict[str, list[tuple[int, _Check]]],
]

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
    """Runs a fixed set of rules over any number of inputs: one run.

    Batch rules look across every input of the run; call :meth:`finish`
    after the last input for the findings they keep until the end.
    """

    def __init__(
        self,
        rules: Iterable[Rule] | None = None,
        *,
        severities: Mapping[str, Severity] | None = None,
        context: Context | None = None,
        chunk_size: int = CHUNK_SIZE,
    ) -> None:
        self.rules = list(REGISTRY.values() if rules is None else rules)
        self.severities = dict(severities or {})
        self.context = context if context is not None else Context()
        self.chunk_size = chunk_size  # memory is a small multiple of this

    def lint_path(
        self, path: str | Path, summary: FileSummary | None = None
    ) -> Iterator[Finding]:
        """Lint one file; ``"-"`` reads standard input."""
        name = str(path)
        if name == STDIN:
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
        dispatch, claim_checks = self._dispatch(name, summary)
        checks_claims = any(claim_checks)

        for event in build(blocks):
            if type(event) is Claim:
                if not checks_claims:
                    continue
                findings = self._check_claim(event, claim_checks)
            else:
                checks = dispatch.get(type(event))
                if checks is None:
                    continue
                findings = (f for check, arg in checks for f in check(event, arg))

            for finding in findings:
                summary.findings[finding.severity.value] += 1
                yield finding

    @staticmethod
    def _check_claim(claim: Claim, checks: _ClaimChecks) -> Iterator[Finding]:
        """Run the claim rules that apply: ungated ones, then gated ones.

        Gated rules are looked up by the codes the claim bills and the
        segments it holds, so a claim meets only the rules about it.
        """
        always, by_code, by_segment = checks
        for check, reporter in always:
            yield from check(claim, reporter)

        if not (by_code or by_segment):
            return

        # Keyed by rule order, so a rule chosen by a code and a segment runs once.
        chosen: dict[int, tuple[Any, Reporter]] = {}
        for code in claim.procedure_codes:
            for order, entry in by_code.get(code, ()):
                chosen[order] = entry
        if by_segment:
            held = claim.held_keys
            element = claim.spans[0][0].delimiters.element
            for segment_id, entries in by_segment.items():
                if key_of(segment_id, element) in held:
                    for order, entry in entries:
                        chosen[order] = entry

        # Run in rule order, whichever gate chose each rule.
        for order in sorted(chosen):
            check, reporter = chosen[order]
            yield from check(claim, reporter)

    def finish(self) -> Iterator[Finding]:
        """Findings that batch rules keep until every input has been read."""
        end = RunEnd()
        for rule in self.rules:
            if RunEnd in rule.subjects:
                yield from rule.check(end, self._reporter(rule, "<run>"))

    def _reporter(self, rule: Rule, name: str) -> Reporter:
        override = self.severities.get(rule.code)
        return Reporter(
            rule,
            name,
            override or rule.severity,
            forced=override is not None,
            context=self.context,
        )

    def _dispatch(
        self, name: str, summary: FileSummary
    ) -> tuple[dict[type, list[_Check]], _ClaimChecks]:
        """Checks by event type; claim checks split by what gates them."""
        count: _Check = (self._count_transaction, summary)
        dispatch: dict[type, list[_Check]] = {TransactionSet: [count]}
        always: list[_Check] = []
        by_code: dict[str, list[tuple[int, _Check]]] = {}
        by_segment: dict[str, list[tuple[int, _Check]]] = {}

        for order, rule in enumerate(self.rules):
            reporter = self._reporter(rule, name)
            entry = (rule.check, reporter)
            for subject in rule.subjects:
                if subject is RunEnd:
                    continue
                if subject is not Claim:
                    dispatch.setdefault(subject, []).append(entry)
                elif rule.codes is None and rule.segments is None:
                    always.append(entry)
                else:
                    for code in rule.codes or ():
                        by_code.setdefault(code, []).append((order, entry))
                    for segment_id in rule.segments or ():
                        by_segment.setdefault(segment_id, []).append((order, entry))

        return dispatch, (always, by_code, by_segment)

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


def configured(
    settings: Settings | None = None,
    *,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    policy: Path | None = None,
    authorizations: Path | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Linter:
    """A linter set up from configuration; arguments given here win over it.

    Raises ConfigError for selectors that match no rule and for unreadable
    or invalid policy, authorization and data files.
    """
    settings = settings or Settings()
    source = str(settings.source) if settings.source else "configuration"
    codes = list(REGISTRY)
    chosen = check_selectors(
        select if select is not None else settings.select,
        codes,
        source=source,
        key="select",
    )
    dropped = check_selectors(
        ignore if ignore is not None else settings.ignore,
        codes,
        source=source,
        key="ignore",
    )

    unknown = [code for code in settings.severity if code not in REGISTRY]
    if unknown:
        raise ConfigError(
            f"severity given for unknown rule {unknown[0]!r}",
            source=source,
            key=f"severity.{unknown[0]}",
        )

    context = Context(data=load_reference_data(settings.data))
    policy_path = policy or settings.policy
    if policy_path is not None:
        context.policy = load_policy(policy_path)
    auths_path = authorizations or settings.auths
    if auths_path is not None:
        context.authorizations = load_authorizations(auths_path)

    rules = [REGISTRY[code] for code in selected(codes, chosen or [ALL], dropped)]
    logger.info(
        "%d rules; policy %s; authorizations %s",
        len(rules),
        policy_path or "none",
        auths_path or "none",
    )

    return Linter(
        rules, severities=settings.severity, context=context, chunk_size=chunk_size
    )
