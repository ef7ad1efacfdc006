"""The engine: read, build the model, run the selected rules, yield findings.

This is the library entry point the CLI and the Python API stand on. It
never prints; it yields findings as soon as each claim or envelope is
complete, and counts what it read in a :class:`FileSummary`.
"""

from __future__ import annotations

import logging
import sys
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from lint837 import validation
from lint837.config import (
    Settings,
    load_authorizations,
    load_policy,
    load_reference_data,
)
from lint837.errors import ConfigError, InputError
from lint837.findings import ClaimVerdict, Finding, Severity
from lint837.language import load_rules
from lint837.model import Claim, Event, TransactionSet, build
from lint837.model.builder import key_of
from lint837.reader import CHUNK_SIZE, Block, read_segments
from lint837.rules import REGISTRY, Reporter, Rule
from lint837.rules.context import Context, RunEnd
from lint837.rules.keys import claim_signature, covering
from lint837.selection import ALL, check_selectors, selected
from lint837.validation import VALIDATORS, Validator
from lint837.validation.codes import CODES as VALIDATION_CODES
from lint837.validation.codes import SAME_AS

logger = logging.getLogger(__name__)

# A check and what it is called with (a reporter, or the summary).
_Check = tuple[Any, Any]
# A claim check in rule order: (order, check, reporter).
_Entry = tuple[int, Any, Reporter]

MAX_PLANS = 1024
"""Kinds of claim (delimiters, codes billed, segments held) planned at once."""

MAX_VERDICTS = 4096
"""Clean verdict keys remembered per rule group before it starts afresh."""


@dataclass(slots=True)
class _Group:
    """Rules of one plan that share a verdict key, and the keys they passed."""

    key: Callable[[Claim], Hashable]
    entries: list[_Entry]
    clean: set[Hashable] = field(default_factory=set)


@dataclass(slots=True)
class _Plan:
    """The rules one kind of claim meets, in order, grouped by verdict key."""

    delimiters: object  # kept so that the id in the plan's cache key stays its own
    entries: list[_Entry]
    stateful: list[_Entry]
    groups: list[_Group]


@dataclass(slots=True)
class _ClaimChecks:
    """Claim rules of one file: ungated ones, and gated ones by code and segment."""

    always: list[tuple[Rule, _Entry]] = field(default_factory=list)
    by_code: dict[str, list[tuple[Rule, _Entry]]] = field(default_factory=dict)
    by_segment: dict[str, list[tuple[Rule, _Entry]]] = field(default_factory=dict)
    plans: dict[tuple[int, frozenset[str], frozenset[str]], _Plan] = field(
        default_factory=dict
    )

    def __bool__(self) -> bool:
        return bool(self.always or self.by_code or self.by_segment)


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
        remember_verdicts: bool = True,
        on_claim: Callable[[ClaimVerdict], None] | None = None,
    ) -> None:
        self.rules = list(REGISTRY.values() if rules is None else rules)
        self.severities = dict(severities or {})
        self.context = context if context is not None else Context()
        self.chunk_size = chunk_size  # memory is a small multiple of this
        # Skip rules on a claim whose verdict key already passed them clean
        # (see lint837.rules.keys); off, every rule runs on every claim.
        self.remember_verdicts = remember_verdicts
        # Told each claim's verdict once its rules have run (junit, the API).
        self.on_claim = on_claim
        # Codes not run on files matching a pattern (relative to file_root),
        # and codes whose findings are dropped for a payer's claims.
        self.file_ignores: list[tuple[str, frozenset[str]]] = []
        self.file_root: Path | None = None
        self.payer_ignores: dict[str, frozenset[str]] = {}
        # The implementation-guide codes (lint837.validation) selected for
        # the run, for callers that validate beside the rules.
        self.validation_codes: frozenset[str] = frozenset(VALIDATION_CODES)
        # The validator configuration chose; the linter itself never runs it.
        self.validator: Validator | None = None
        self._verdicts: dict[tuple[str, Hashable, Hashable], set[Hashable]] = {}

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
        checks_claims = bool(claim_checks)

        for event in build(blocks):
            if type(event) is Claim:
                if self.on_claim is not None:
                    yield from self._judged(event, claim_checks, name, summary)
                    continue
                if not checks_claims:
                    continue
                findings = self._check_claim(event, claim_checks)
                if self.payer_ignores:
                    findings = self._payer_filtered(event, findings)
            else:
                checks = dispatch.get(type(event))
                if checks is None:
                    continue
                findings = (f for check, arg in checks for f in check(event, arg))

            for finding in findings:
                summary.findings[finding.severity.value] += 1
                yield finding

    def _judged(
        self, claim: Claim, checks: _ClaimChecks, name: str, summary: FileSummary
    ) -> Iterator[Finding]:
        """Check a claim, yield its findings, then tell its verdict."""
        findings = list(self._check_claim(claim, checks)) if checks else []
        if self.payer_ignores:
            findings = list(self._payer_filtered(claim, findings))
        for finding in findings:
            summary.findings[finding.severity.value] += 1
            yield finding
        assert self.on_claim is not None
        block, _, stop = claim.spans[-1]
        last = block.first_index + stop - 1
        verdict = ClaimVerdict(
            name, claim.id, claim.clm.index, findings, last, claim.payer_id
        )
        self.on_claim(verdict)

    def _check_claim(self, claim: Claim, checks: _ClaimChecks) -> Iterable[Finding]:
        """Run the claim rules that apply, skipping those that passed its key.

        The rules a claim meets are planned once per kind of claim (codes
        billed, segments held). Each group of rules sharing a verdict key
        is skipped when an earlier claim with that key passed it clean;
        stateful rules always run. Findings come in rule order. Most claims
        of a batch pass every group: they cost the keys and nothing more.
        """
        plan = self._plan(claim, checks)
        if not self.remember_verdicts:
            return self._run_entries(claim, plan.entries)

        missed = [
            (group, key)
            for group in plan.groups
            if (key := group.key(claim)) not in group.clean
        ]
        if not missed:
            return self._run_entries(claim, plan.stateful) if plan.stateful else ()
        return self._run_missed(claim, plan, missed)

    @staticmethod
    def _run_entries(claim: Claim, entries: Iterable[_Entry]) -> Iterator[Finding]:
        for _, check, reporter in entries:
            yield from check(claim, reporter)

    @staticmethod
    def _run_missed(
        claim: Claim, plan: _Plan, missed: list[tuple[_Group, Hashable]]
    ) -> Iterator[Finding]:
        """The stateful rules and the groups the claim's keys missed, in order;
        a group that finds nothing remembers the key as clean."""
        entries = plan.stateful + [
            entry for group, _ in missed for entry in group.entries
        ]
        entries.sort(key=_order)
        found: set[int] = set()
        for order, check, reporter in entries:
            for finding in check(claim, reporter):
                found.add(order)
                yield finding

        for group, key in missed:
            if not any(order in found for order, _, _ in group.entries):
                if len(group.clean) >= MAX_VERDICTS:
                    group.clean.clear()  # bounded memory: start afresh
                group.clean.add(key)

    def _plan(self, claim: Claim, checks: _ClaimChecks) -> _Plan:
        """The rules this kind of claim meets, made on first sight of the kind."""
        delimiters = claim.spans[0][0].delimiters
        codes, held = claim.billed_codes, claim.held_keys
        kind = (id(delimiters), codes, held)
        plan = checks.plans.get(kind)
        if plan is not None:
            return plan

        chosen = list(checks.always)
        for code in codes:
            chosen += checks.by_code.get(code, ())
        for segment_id, entries in checks.by_segment.items():
            if key_of(segment_id, delimiters.element) in held:
                chosen += entries

        # A rule chosen by a code and a segment runs once, in rule order.
        unique = sorted(
            {entry[0]: (rule, entry) for rule, entry in chosen}.values(),
            key=lambda item: item[1][0],
        )
        stateful = [entry for rule, entry in unique if rule.stateful]
        keys = {rule.key or claim_signature for rule, _ in unique if not rule.stateful}
        # A key whose parts another key of the plan holds gives way to it:
        # fewer keys a claim, the rules riding on the finer one.
        host = {key: covering(key, keys - {key}) or key for key in keys}
        for key in keys:  # a host may give way in turn; parts only grow
            while host[host[key]] is not host[key]:
                host[key] = host[host[key]]
        groups: dict[Callable[[Claim], Hashable], _Group] = {}
        for rule, entry in unique:
            if not rule.stateful:
                key = host[rule.key or claim_signature]
                group = groups.get(key)
                if group is None:
                    group = groups[key] = _Group(key, [])
                group.entries.append(entry)

        # Groups keep their clean keys across plans of the same delimiters:
        # one verdict, one rule set. Keys need not hold the delimiters then.
        for group in groups.values():
            orders = ",".join(str(order) for order, _, _ in group.entries)
            name = (orders, group.key, delimiters)
            group.clean = self._verdicts.setdefault(name, set())

        plan = _Plan(
            delimiters, [entry for _, entry in unique], stateful, list(groups.values())
        )
        if len(checks.plans) >= MAX_PLANS:
            checks.plans.clear()
        checks.plans[kind] = plan
        return plan

    def validate(self, stream: BinaryIO, name: str, jobs: int = 1) -> Iterator[Finding]:
        """The implementation-guide findings of a stream, by :attr:`validator`.

        Nothing when the configuration chose none. Only the run's selected
        X12 codes, at their configured severities; ``jobs`` processes.
        Raises InputError on input that is not X12.
        """
        if self.validator is None or not self.validation_codes:
            return iter(())
        return validation.findings(
            stream,
            name,
            jobs=jobs,
            wanted=self.validation_codes.__contains__,
            severities=self.severities,
            validator=self.validator,
        )

    def validate_ahead(self, path: str | Path, jobs: int) -> validation.Ahead | None:
        """:meth:`validate` for a file, begun now in another process.

        For a caller that lints the file's rules meanwhile; its sets are
        validated in ``jobs`` processes as :meth:`validate` does. None when
        there is nothing to validate (no validator, no guide code selected).
        """
        if self.validator is None or not self.validation_codes:
            return None
        return validation.Ahead(
            str(path),
            str(path),
            jobs=jobs,
            codes=self.validation_codes,
            severities=self.severities,
            validator=self.validator,
        )

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
        claims = _ClaimChecks()

        skipped = self._ignored_for(name)
        for order, rule in enumerate(self.rules):
            if rule.code in skipped:
                continue
            reporter = self._reporter(rule, name)
            for subject in rule.subjects:
                if subject is RunEnd:
                    continue
                if subject is not Claim:
                    dispatch.setdefault(subject, []).append((rule.check, reporter))
                    continue

                entry = (rule, (order, rule.check, reporter))
                if rule.codes is None and rule.segments is None:
                    claims.always.append(entry)
                for code in rule.codes or ():
                    claims.by_code.setdefault(code, []).append(entry)
                for segment_id in rule.segments or ():
                    claims.by_segment.setdefault(segment_id, []).append(entry)

        return dispatch, claims

    def _ignored_for(self, name: str) -> frozenset[str]:
        """The codes per-file ignores take off for the file ``name``."""
        if not self.file_ignores or name.startswith("<"):
            return frozenset()
        path = Path(name).resolve()
        if self.file_root is not None and path.is_relative_to(self.file_root):
            path = path.relative_to(self.file_root)
        posix = PurePosixPath(path.as_posix())
        found: set[str] = set()
        for pattern, codes in self.file_ignores:
            if posix.match(pattern):
                found |= codes
        return frozenset(found)

    def _payer_filtered(
        self, claim: Claim, findings: Iterable[Finding]
    ) -> Iterator[Finding]:
        ignored = self.payer_ignores.get(claim.payer_id, frozenset())
        return (f for f in findings if f.rule not in ignored)

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


def _order(entry: _Entry) -> int:
    return entry[0]


def load_rule_files(paths: Sequence[Path]) -> dict[str, Rule]:
    """Compile payer rules files; their codes must be new and distinct.

    Raises ConfigError (naming the file, line and code) on a collision with
    a built-in rule or with a rule of another file.
    """
    found: dict[str, tuple[Rule, str]] = {}
    for path in paths:
        for rule in load_rules(path):
            where = rule.origin or str(path)
            if rule.code in REGISTRY:
                raise ConfigError(
                    f"rule {rule.code} has the code of a built-in rule; "
                    "give payer rules codes of their own (like ACME010)",
                    source=where,
                )
            if rule.code in found:
                raise ConfigError(
                    f"rule {rule.code} is also defined in {found[rule.code][1]}",
                    source=where,
                )
            found[rule.code] = (rule, where)
        logger.info("payer rules from %s", path)
    return {code: rule for code, (rule, _) in found.items()}


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
    rules_files: Sequence[Path] = (),
    chunk_size: int = CHUNK_SIZE,
    validate: str | None = None,
) -> Linter:
    """A linter set up from configuration; arguments given here win over it.

    ``validate`` names the implementation-guide validator (none, pyx12,
    fast; the configuration's by default): it is kept as
    :attr:`Linter.validator` for the callers that validate beside the rules.

    ``rules_files`` are payer rules files, added to those the configuration
    names. Raises ConfigError for selectors that match no rule, for
    unreadable or invalid policy, authorization, data and rules files, and
    for a rules file whose codes collide with a built-in rule or another's.
    """
    settings = settings or Settings()
    source = str(settings.source) if settings.source else "configuration"
    available = {**REGISTRY, **load_rule_files([*settings.rules, *rules_files])}
    # Validation codes (X12...) are selected, ignored and given a severity
    # like rules; they report only when validation is asked for.
    codes = [*available, *VALIDATION_CODES]
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

    unknown = [code for code in settings.severity if code not in codes]
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

    wanted = selected(codes, chosen or [ALL], dropped)
    rules = [available[code] for code in wanted if code in available]
    logger.info(
        "%d rules; policy %s; authorizations %s",
        len(rules),
        policy_path or "none",
        auths_path or "none",
    )

    linter = Linter(
        rules, severities=settings.severity, context=context, chunk_size=chunk_size
    )
    # A guide code that an envelope rule of the run already reports is left
    # to the rule (lint837.validation.codes.SAME_AS).
    linter.validator = VALIDATORS.get(validate or settings.validate)
    running = {rule.code for rule in rules}
    linter.validation_codes = frozenset(
        code
        for code in wanted
        if code in VALIDATION_CODES and SAME_AS.get(code) not in running
    )

    def expand(selectors: Sequence[str], key: str) -> frozenset[str]:
        valid = check_selectors(selectors, codes, source=source, key=key)
        return frozenset(selected(codes, valid)) if valid else frozenset()

    linter.file_ignores = [
        (pattern, expand(selectors, f"per-file-ignores.{pattern}"))
        for pattern, selectors in settings.per_file_ignores.items()
    ]
    linter.file_root = settings.source.parent.resolve() if settings.source else None
    linter.payer_ignores = {
        payer: expand(selectors, f"per-payer-ignores.{payer}")
        for payer, selectors in settings.per_payer_ignores.items()
    }
    return linter
