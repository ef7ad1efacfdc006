"""Lint files one at a time, each as its own run: what scales out.

``lint837 check -j N``, :mod:`lint837.spark` and :mod:`lint837.dask` spread
files over processes and machines. Each file is linted as a run of its own,
so what a file gets never depends on the process that lints it or on the
files that share that process: the batch rules (BAT001, BAT002, UNT004 and
the units PA004 counts) look within one file, as ``lint837 check FILE``
does.

A :class:`Recipe` holds the options as plain values that pickle; each
process builds its linter from it once (:func:`linter_for`: the policy,
authorizations, rules files and reference data are read then, not per
file), and lints file after file with it (:func:`lint_file`). The rows of
:func:`finding_rows` and :func:`claim_rows` are the flat records the Spark
and Dask tables hold; :data:`FINDING_COLUMNS` and :data:`CLAIM_COLUMNS`
are their documented schema.
"""

from __future__ import annotations

import bisect
import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO, Unpack

from lint837 import validation
from lint837.api import Options
from lint837.config import Settings, load_settings
from lint837.errors import InputError
from lint837.findings import ClaimVerdict, Finding, Severity
from lint837.linter import FileSummary, Linter, configured
from lint837.rules.context import Context

__all__ = [
    "CLAIM_COLUMNS",
    "CRASHED",
    "FATAL",
    "FINDING_COLUMNS",
    "UNREADABLE",
    "FileResult",
    "Recipe",
    "RunOptions",
    "claim_rows",
    "finding_rows",
    "lint_file",
    "lint_in_processes",
    "linter_for",
    "rule_names",
]

logger = logging.getLogger(__name__)

FINDING_COLUMNS: tuple[tuple[str, str], ...] = (
    # The keys of Finding.as_dict (the JSON output's), in its order.
    ("rule", "string"),
    ("severity", "string"),  # info, warning, error; fatal: the file was not linted
    ("message", "string"),
    ("file", "string"),
    ("segment_index", "long"),
    ("offset", "long"),
    ("segment", "string"),
    ("element", "string"),
    ("loop", "string"),
    ("claim", "string"),
    ("line", "string"),
    ("file_line", "long"),
    ("file_column", "long"),
    ("length", "long"),
    ("fingerprint", "string"),
    # Added for tables: the file as its source names it (a URI), the payer
    # id (2010BB NM109) of the claim the finding is in, the rule's name.
    ("path", "string"),
    ("payer", "string"),
    ("rule_name", "string"),
)
"""The findings table: (column, type), type ``string`` or ``long`` (64-bit)."""

CLAIM_COLUMNS: tuple[tuple[str, str], ...] = (
    ("path", "string"),
    ("file", "string"),
    ("claim", "string"),  # CLM01
    ("payer", "string"),
    ("segment_index", "long"),  # the CLM segment
    ("last_index", "long"),  # the claim's last segment
    ("verdict", "string"),  # held: a finding at or above fail_on; else clean
    ("worst", "string"),  # the most severe finding's severity, null if none
    ("errors", "long"),
    ("warnings", "long"),
    ("infos", "long"),
)
"""The claims table, one row a claim, batch findings counted with theirs."""

FATAL = "fatal"
"""The severity of the row that stands for a file that could not be linted."""

UNREADABLE = ("IO001", "unreadable-file")
"""The rule code and name of that row for a file that is not X12 or not there."""

CRASHED = ("IO002", "internal-error")
"""... and for a file lint837 failed on (a bug: the row says which)."""


class RunOptions(Options, total=False):
    """The options of ``lint837 check`` (see :mod:`lint837.api`), and fail_on."""

    fail_on: str | Severity | None


@dataclass(frozen=True)
class Recipe:
    """How to build the linter of a run, in values that pickle.

    Paths are absolute and the configuration file is read where the recipe
    is made, so a bad option fails there, once; the files the options name
    must be readable wherever a linter is built from the recipe.
    """

    settings: Settings = field(default_factory=Settings)
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    policy: Path | None = None
    authorizations: Path | None = None
    rules_files: tuple[Path, ...] = ()
    fail_on: Severity | None = None
    validate: str | None = None  # the guide validator; the settings' if None

    @classmethod
    def of(cls, **options: Unpack[RunOptions]) -> Recipe:
        """A recipe from the API's options; ConfigError if they are wrong."""
        config = options.get("config")
        select, ignore = options.get("select"), options.get("ignore")
        fail_on = options.get("fail_on")
        recipe = cls(
            settings=load_settings(_absolute(config)) if config else Settings(),
            select=tuple(select) if select is not None else None,
            ignore=tuple(ignore) if ignore is not None else None,
            policy=_maybe_absolute(options.get("policy")),
            authorizations=_maybe_absolute(options.get("authorizations")),
            rules_files=tuple(_absolute(p) for p in options.get("rules_files", ())),
            fail_on=Severity(fail_on) if fail_on is not None else None,
            validate=options.get("validate"),
        )
        recipe.build()  # raise ConfigError here, not in a worker
        return recipe

    @property
    def threshold(self) -> Severity:
        """The severity that holds a claim: fail_on, else the configuration's."""
        return self.fail_on or self.settings.fail_on

    def build(self) -> Linter:
        """A new linter: reads the policy, authorizations, rules and data."""
        return configured(
            self.settings,
            select=self.select,
            ignore=self.ignore,
            policy=self.policy,
            authorizations=self.authorizations,
            rules_files=self.rules_files,
            validate=self.validate,
        )


def _absolute(path: str | Path) -> Path:
    return Path(path).resolve()


def _maybe_absolute(path: str | Path | None) -> Path | None:
    return None if path is None else _absolute(path)


_built = threading.local()


def linter_for(recipe: Recipe) -> Linter:
    """The linter of ``recipe``, built once per thread and kept.

    A linter swaps its run state file by file, so threads never share one.
    """
    known: list[tuple[Recipe, Linter]] = getattr(_built, "linters", [])
    for made, linter in known:
        if made == recipe:
            return linter
    linter = recipe.build()
    _built.linters = [*known[-3:], (recipe, linter)]
    return linter


@dataclass
class FileResult:
    """One file's run: what was found, in the order it was found."""

    summary: FileSummary
    # Findings and claim verdicts as the linter gave them (a claim's
    # findings, then its verdict), when verdicts were asked for.
    events: list[Finding | ClaimVerdict] = field(default_factory=list)
    batch: list[Finding] = field(default_factory=list)  # those of the run's end
    failure: str | None = None  # one line naming the file, if not fully read
    offset: int | None = None  # the byte the failure is at, where known
    crashed: bool = False  # the failure is a bug of lint837's

    @property
    def findings(self) -> list[Finding]:
        """Every finding: those of the file's content, then the batch ones."""
        found = [e for e in self.events if isinstance(e, Finding)]
        return found + self.batch

    @property
    def verdicts(self) -> list[ClaimVerdict]:
        return [e for e in self.events if isinstance(e, ClaimVerdict)]


def lint_file(
    linter: Linter,
    name: str,
    opener: Callable[[], BinaryIO],
    *,
    claims: bool = True,
    contain: bool = False,
) -> FileResult:
    """Lint one file as a run of its own, under ``name``.

    ``opener`` opens the file (once more to validate it, when the linter's
    configuration names a validator, whose findings follow the rules');
    ``claims`` keeps each
    claim's verdict. A file that cannot be opened or is not X12 gets a
    ``failure``, as the CLI's one-line error; with ``contain``, so does any
    other exception (logged), so that one bad file never stops a job.
    """
    result = FileResult(FileSummary(name))
    shared = linter.context
    # A fresh run: the same data, policy and authorizations, no batch state.
    linter.context = Context(
        data=shared.data, policy=shared.policy, authorizations=shared.authorizations
    )
    linter.on_claim = result.events.append if claims else None
    try:
        _run(linter, name, opener, result)
    except Exception as error:
        if not contain:
            raise
        logger.exception("lint837 failed on %s", name)
        result.failure = f"internal error: {type(error).__name__}: {error} (a bug)"
        result.crashed = True
    finally:
        linter.context, linter.on_claim = shared, None
    return result


def _run(
    linter: Linter, name: str, opener: Callable[[], BinaryIO], result: FileResult
) -> None:
    summary = result.summary
    try:
        with opener() as stream:
            for finding in linter.lint_stream(stream, name, summary):
                result.events.append(finding)
        if linter.validator is not None:
            with opener() as stream:  # read again, as the CLI does
                _validate(linter, stream, name, result)
    except InputError as error:
        summary.error, result.failure = error.message, str(error)
        result.offset = error.offset
    except OSError as error:
        summary.error = f"cannot open: {error.strerror or error}"
        result.failure = f"{name}: {summary.error}"

    for finding in linter.finish():
        summary.findings[finding.severity.value] += 1
        result.batch.append(finding)


def _validate(linter: Linter, stream: BinaryIO, name: str, result: FileResult) -> None:
    """The guide findings of one file, each also in its claim's verdict."""
    verdicts = result.verdicts
    starts = [verdict.segment_index for verdict in verdicts]
    for finding in linter.validate(stream, name):
        result.summary.findings[finding.severity.value] += 1
        result.events.append(finding)
        index = finding.location.segment_index or 0
        k = bisect.bisect_right(starts, index) - 1
        if k >= 0 and index <= verdicts[k].last_index:
            verdicts[k].findings.append(finding)


def _owners(result: FileResult) -> dict[int, ClaimVerdict]:
    """The claim of each finding that is in one, by the finding's id()."""
    verdicts = result.verdicts
    owners = {id(f): verdict for verdict in verdicts for f in verdict.findings}
    for finding in result.batch:
        where = finding.location
        if where.claim is None:
            continue
        index = where.segment_index or 0
        found = [v for v in verdicts if v.claim == where.claim]
        inside = [v for v in found if v.segment_index <= index <= v.last_index]
        if inside or found:
            owners[id(finding)] = (inside or found)[0]
    return owners


def finding_rows(
    result: FileResult, path: str, names: Mapping[str, str]
) -> Iterator[dict[str, Any]]:
    """The file's findings as rows of FINDING_COLUMNS; a failure makes one.

    ``names`` maps rule codes to rule names (see :func:`rule_names`).
    """
    owners = _owners(result)
    for finding in result.findings:
        row = finding.as_dict()
        owner = owners.get(id(finding))
        row["path"] = path
        row["payer"] = (owner.payer or None) if owner is not None else None
        row["rule_name"] = names.get(finding.rule)
        yield row
    if result.failure is not None:
        code, name = CRASHED if result.crashed else UNREADABLE
        row = dict.fromkeys(column for column, _ in FINDING_COLUMNS)
        row.update(
            rule=code,
            severity=FATAL,
            message=result.summary.error or result.failure,
            file=result.summary.file,
            offset=result.offset,
            path=path,
            rule_name=name,
        )
        yield row


def claim_rows(
    result: FileResult, path: str, threshold: Severity
) -> Iterator[dict[str, Any]]:
    """One row of CLAIM_COLUMNS a claim, its batch findings counted with it."""
    later: dict[int, list[Finding]] = {}
    owners = _owners(result)
    for finding in result.batch:
        owner = owners.get(id(finding))
        if owner is not None:
            later.setdefault(id(owner), []).append(finding)

    for verdict in result.verdicts:
        findings = verdict.findings + later.get(id(verdict), [])
        counts = Counter(f.severity for f in findings)
        worst = max(counts, default=None)
        held = worst is not None and worst >= threshold
        yield {
            "path": path,
            "file": verdict.file,
            "claim": verdict.claim,
            "payer": verdict.payer or None,
            "segment_index": verdict.segment_index,
            "last_index": verdict.last_index,
            "verdict": "held" if held else "clean",
            "worst": worst.value if worst is not None else None,
            "errors": counts[Severity.ERROR],
            "warnings": counts[Severity.WARNING],
            "infos": counts[Severity.INFO],
        }


def rule_names(linter: Linter) -> dict[str, str]:
    """Rule code to rule name: the rules a linter runs, the guide codes it
    validates with, and the fatal rows."""
    names = {rule.code: rule.name for rule in linter.rules}
    if linter.validator is not None:
        names.update(
            (code, item.name)
            for code, item in validation.CODES.items()
            if code in linter.validation_codes
        )
    names.update(dict([UNREADABLE, CRASHED]))
    return names


_worker_recipe: list[Recipe] = []


def _start_worker(recipe: Recipe) -> None:
    _worker_recipe[:] = [recipe]
    linter_for(recipe)


def _lint_path(name: str, claims: bool) -> FileResult:
    linter = linter_for(_worker_recipe[0])
    return lint_file(linter, name, partial(_open, name), claims=claims)


def _open(name: str) -> BinaryIO:
    return open(name, "rb")


def lint_in_processes(
    recipe: Recipe, names: Sequence[str], jobs: int, *, claims: bool = False
) -> Iterator[FileResult]:
    """Lint the files ``names`` in ``jobs`` processes; results in input order.

    Each process builds its linter once. An exception that is a bug stops
    the run, as it would in one process.
    """
    pool = ProcessPoolExecutor(jobs, initializer=_start_worker, initargs=(recipe,))
    try:
        yield from pool.map(partial(_lint_path, claims=claims), names)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
