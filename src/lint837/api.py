"""The Python API, for in-process pre-submit hooks.

Lint a path, bytes or a binary stream and get a :class:`Report`: every
finding, one :class:`~lint837.findings.ClaimVerdict` a claim (with the
batch findings that name it), and a summary a file. A practice-management
system holds back ``report.held()`` and sends the rest::

    from lint837 import api

    report = api.lint_path("batch.837", policy="payers.toml")
    for verdict in report.held():
        print(verdict.claim, [f.rule for f in verdict.findings])

Options are those of ``lint837 check``: ``select``, ``ignore``, ``policy``,
``authorizations``, ``rules_files``, ``validate`` and ``jobs`` (the
implementation guide: fast validation by default), and ``config`` (a lint837.toml or
pyproject.toml; none is searched for unless given). A Report holds every
finding in memory; to stream a batch of millions of claims, use
:class:`lint837.linter.Linter` with ``on_claim`` as the CLI does.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, TypedDict, Unpack

from lint837.config import Settings, load_settings
from lint837.errors import InputError
from lint837.findings import ClaimVerdict, Finding, Severity
from lint837.linter import FileSummary, configured
from lint837.reader import rereadable

__all__ = ["Options", "Report", "lint", "lint_bytes", "lint_path", "lint_stream"]

Source = str | Path | bytes | tuple[str, BinaryIO]


class Options(TypedDict, total=False):
    """The keyword options of every function here (those of lint837 check)."""

    config: str | Path | None
    select: Sequence[str] | None
    ignore: Sequence[str] | None
    policy: str | Path | None
    authorizations: str | Path | None
    rules_files: Sequence[str | Path]
    validate: str
    jobs: int


@dataclass
class Report:
    """What one run found: findings, a verdict a claim, a summary a file."""

    findings: list[Finding] = field(default_factory=list)
    claims: list[ClaimVerdict] = field(default_factory=list)
    files: list[FileSummary] = field(default_factory=list)

    def held(self, threshold: Severity = Severity.ERROR) -> list[ClaimVerdict]:
        """Claims with a finding at or above ``threshold``: hold them back."""
        return [claim for claim in self.claims if claim.fails(threshold)]

    def passed(self, threshold: Severity = Severity.ERROR) -> list[ClaimVerdict]:
        """Claims with nothing at or above ``threshold``: safe to send."""
        return [claim for claim in self.claims if not claim.fails(threshold)]

    def failing(self, threshold: Severity = Severity.ERROR) -> bool:
        """Whether anything reaches ``threshold`` (the CLI's exit code 1)."""
        return any(f.severity >= threshold for f in self.findings)

    @property
    def errors(self) -> list[FileSummary]:
        """Files that could not be read as X12 (the CLI's exit code 2)."""
        return [summary for summary in self.files if summary.error is not None]


def lint(
    sources: Iterable[Source],
    *,
    config: str | Path | None = None,
    select: Sequence[str] | None = None,
    ignore: Sequence[str] | None = None,
    policy: str | Path | None = None,
    authorizations: str | Path | None = None,
    rules_files: Sequence[str | Path] = (),
    validate: str | None = None,
    jobs: int = 1,
) -> Report:
    """Lint every source in one run (batch rules look across all of them).

    A source is a path, bytes, or a ``(name, binary stream)`` pair. With
    ``validate="pyx12"`` or ``"fast"`` (or the configuration's ``validate``)
    the implementation guide is checked too, in ``jobs`` processes, and its X12
    findings join the report and the verdicts of the claims they are in.
    Raises ConfigError for bad options or configuration files; a source
    that is not X12 is reported in ``Report.errors``, not raised.
    """
    settings = load_settings(Path(config)) if config is not None else Settings()
    report = Report()
    linter = configured(
        settings,
        select=select,
        ignore=ignore,
        policy=Path(policy) if policy is not None else None,
        authorizations=Path(authorizations) if authorizations is not None else None,
        rules_files=[Path(path) for path in rules_files],
        validate=validate,
    )
    linter.on_claim = report.claims.append
    validator = linter.validator
    guide: list[Finding] = []

    for number, source in enumerate(sources, start=1):
        name, stream = _open(source, number)
        summary = FileSummary(name)
        report.files.append(summary)
        try:
            with stream:
                if validator is None:
                    report.findings.extend(linter.lint_stream(stream, name, summary))
                    continue
                with rereadable(stream) as kept:
                    report.findings.extend(linter.lint_stream(kept, name, summary))
                    kept.seek(0)
                    guide += linter.validate(kept, name, jobs)
        except InputError as error:
            summary.error = error.message

    # Guide findings, then batch findings, go to the claims they name.
    by_claim = {(c.file, c.claim): c for c in report.claims}
    for finding in [*guide, *linter.finish()]:
        report.findings.append(finding)
        where = finding.location
        verdict = by_claim.get((where.file, where.claim or ""))
        if verdict is not None:
            verdict.findings.append(finding)
        for summary in report.files:
            if summary.file == where.file:
                summary.findings[finding.severity.value] += 1
    return report


def _open(source: Source, number: int) -> tuple[str, BinaryIO]:
    if isinstance(source, bytes):
        return f"<bytes {number}>", io.BytesIO(source)
    if isinstance(source, tuple):
        return source
    try:
        return str(source), open(source, "rb")
    except OSError as error:
        raise InputError(
            f"cannot open: {error.strerror or error}", source=str(source)
        ) from None


def lint_path(path: str | Path, **options: Unpack[Options]) -> Report:
    """Lint one file (see :func:`lint` for the options)."""
    return lint([path], **options)


def lint_bytes(
    data: bytes, name: str = "<bytes>", **options: Unpack[Options]
) -> Report:
    """Lint an 837 held in memory, reported under ``name``."""
    return lint([(name, io.BytesIO(data))], **options)


def lint_stream(stream: BinaryIO, name: str, **options: Unpack[Options]) -> Report:
    """Lint a binary stream (a socket, a pipe, an upload), under ``name``."""
    return lint([(name, stream)], **options)
