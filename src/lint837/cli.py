"""The command line: the only module that prints and sets exit codes.

Exit codes: 0 nothing at or above the failing severity; 1 findings; 2 a
usage, configuration or input error; 3 an internal error (a bug).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import BinaryIO, TextIO

import click

from lint837 import __version__, validation
from lint837 import baseline as baseline_module
from lint837 import gate as gates
from lint837.config import Settings, find_config, load_reference_data, load_settings
from lint837.config.settings import VALIDATORS
from lint837.drug_lines import DEFAULT_CODE, drug_lines
from lint837.errors import InputError, Lint837Error
from lint837.findings import Finding, Severity
from lint837.formatters import FORMATTERS
from lint837.formatters.lines import WRITERS
from lint837.language import describe
from lint837.linter import (
    STDIN,
    FileSummary,
    Linter,
    configured,
    events,
    load_rule_files,
)
from lint837.model import Claim
from lint837.perfile import Recipe, lint_in_processes
from lint837.reader import rereadable
from lint837.rules import REGISTRY, Rule

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

logger = logging.getLogger("lint837")

SEVERITIES = [severity.value for severity in Severity]


class _State:
    """What main() needs to know about the run after click has returned."""

    verbosity = 0
    handler: logging.Handler | None = None


def _configure_logging(verbosity: int) -> None:
    """Send lint837's log records to stderr at -v (INFO) or -vv (DEBUG)."""
    _State.verbosity = verbosity
    # main() can run again in one process: drop the handler of the last run.
    if _State.handler is not None:
        logger.removeHandler(_State.handler)
        _State.handler = None

    logger.setLevel(logging.NOTSET)
    if verbosity <= 0:
        return

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("lint837 %(levelname)s %(name)s: %(message)s")
    )
    logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbosity == 1 else logging.DEBUG)
    _State.handler = handler


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-v", "--verbose", count=True, help="Log to stderr (-vv for debug).")
@click.version_option(__version__, prog_name="lint837")
@click.pass_context
def cli(context: click.Context, verbose: int) -> None:
    """Lint X12 837P claim files before they go to the clearinghouse."""
    context.obj = {"verbose": verbose}
    _configure_logging(verbose)


def _split_codes(values: Sequence[str]) -> list[str]:
    return [code for value in values for code in value.split(",") if code.strip()]


CLAIM_FILE_SUFFIXES = (".837", ".x12", ".edi")
"""What a folder on the command line is searched for (case aside)."""


def _claim_files(names: Sequence[str]) -> list[str]:
    """The files to lint: files as given, folders searched for claim files.

    A folder is walked in sorted order, skipping hidden folders (.git), so
    that runs are repeatable; a folder with no claim file is only warned of.
    """
    files: list[str] = []
    for name in names:
        if name == STDIN or not os.path.isdir(name):
            files.append(name)
            continue
        found = sorted(
            str(path)
            for path in Path(name).rglob("*")
            if path.suffix.lower() in CLAIM_FILE_SUFFIXES
            and path.is_file()
            and not any(part.startswith(".") for part in path.relative_to(name).parts)
        )
        if not found:
            click.echo(
                f"lint837: {name}: no claim files ({', '.join(CLAIM_FILE_SUFFIXES)})",
                err=True,
            )
        files.extend(found)
    return files


@contextmanager
def _report_stream(output_file: Path | None, inputs: Sequence[str]) -> Iterator[TextIO]:
    """Standard output, or the report file (never one of the inputs)."""
    if output_file is None:
        yield sys.stdout
        return
    for name in inputs:
        if name != STDIN and Path(name).resolve() == output_file.resolve():
            raise click.UsageError(f"--output-file {output_file} is an input file")
    with output_file.open("w", encoding="utf-8") as stream:
        yield stream


_VALIDATE_OPTION = click.option(
    "--validate",
    type=click.Choice(VALIDATORS),
    default=None,
    help="Check the implementation guide, each 837 transaction set: fast "
    "(compiled from pyx12's map), pyx12 itself (slow, see -j) or none; X12 "
    "codes, and the gate holds their claims. Default: the configuration's "
    "validate, else fast.",
)


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(allow_dash=True))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(FORMATTERS)),
    default="text",
    show_default=True,
)
@click.option(
    "--statistics",
    is_flag=True,
    help="Count the findings of each rule instead of listing them "
    "(the same as --format statistics).",
)
@click.option(
    "-o",
    "--output-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to FILE instead of standard output.",
)
@click.option("--select", multiple=True, help="Rule codes or prefixes to run.")
@click.option("--ignore", multiple=True, help="Rule codes or prefixes to skip.")
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    default=None,
    help="Lowest severity that makes the exit code 1 (default: error).",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings fail.")
@click.option(
    "--policy",
    type=click.Path(dir_okay=False, exists=False, path_type=Path),
    help="Payer policy TOML ([payer.ID] tables).",
)
@click.option(
    "--auths",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Authorizations on file (CSV) for PA004.",
)
@click.option(
    "--rules",
    "rules_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Payer rules file (repeatable); added to those the configuration names.",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Accepted findings (from --write-baseline): they stay quiet.",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Record every finding of this run as accepted, and exit 0.",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Configuration file for every file (default: for each file, the "
    "lint837.toml or pyproject.toml nearest it, from its folder upward).",
)
@click.option("--isolated", is_flag=True, help="Ignore configuration files.")
@click.option(
    "--show-settings",
    is_flag=True,
    help="Print, for each configuration FILES fall under, its files and the "
    "settings they would be linted with (flags applied), and lint nothing.",
)
@_VALIDATE_OPTION
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Lint files in N processes, each file a run of its own: batch rules "
    "then look within a file. With --validate, sets are validated in N "
    "processes too; a single file's while its rules run.",
)
def check(
    files: tuple[str, ...],
    output_format: str,
    statistics: bool,
    output_file: Path | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str | None,
    exit_zero: bool,
    policy: Path | None,
    auths: Path | None,
    rules_files: tuple[Path, ...],
    baseline: Path | None,
    write_baseline: Path | None,
    config_file: Path | None,
    isolated: bool,
    show_settings: bool,
    validate: str | None,
    jobs: int,
) -> None:
    """Lint FILES (or standard input with -) and report findings.

    A folder stands for the .837, .x12 and .edi files below it.
    """
    names = _claim_files(files) if files else [STDIN]
    if not names:
        return
    if statistics:
        output_format = "statistics"
    # One run per configuration: each file is linted under the configuration
    # nearest to it, as ruff does. Batch rules look across the files of a run.
    runs = [
        (
            Recipe(
                settings,
                select=tuple(_split_codes(select)) if select else None,
                ignore=tuple(_split_codes(ignore)) if ignore else None,
                policy=policy,
                authorizations=auths,
                rules_files=rules_files,
                fail_on=Severity(fail_on) if fail_on else None,
                validate=validate,
            ),
            members,
        )
        for settings, members in _configurations(names, config_file, isolated)
    ]
    if show_settings:
        for recipe, members in runs:
            click.echo(_described(recipe, members, baseline))
        return
    with _report_stream(output_file, names) as stream:
        _check(runs, stream, output_format, exit_zero, baseline, write_baseline, jobs)


def _check(
    recipes: Sequence[tuple[Recipe, list[str]]],
    stream: TextIO,
    output_format: str,
    exit_zero: bool,
    baseline: Path | None,
    write_baseline: Path | None,
    jobs: int,
) -> None:
    runs = [(recipe, recipe.build(), members) for recipe, members in recipes]

    # The formatter describes every rule any run has, and shows the strictest
    # threshold; each run fails on its own.
    described: dict[str, Rule] = {}
    for _, linter, _ in runs:
        for rule in linter.rules:
            described.setdefault(rule.code, rule)
        if linter.validator is not None:
            for code, item in validation.CODES.items():
                if code in linter.validation_codes:
                    described.setdefault(code, item.as_rule())
    strictest = min(recipe.threshold for recipe, _, _ in runs)
    formatter = FORMATTERS[output_format](stream, list(described.values()), strictest)
    summaries: list[FileSummary] = []
    failing = unreadable = 0
    written: list[Finding] = []

    formatter.start()
    for recipe, linter, members in runs:
        if formatter.wants_claims:
            linter.on_claim = formatter.claim
        threshold = recipe.threshold
        accepted_path = baseline or recipe.settings.baseline
        accepted = (
            baseline_module.Baseline.load(accepted_path) if accepted_path else None
        )

        def report(
            finding: Finding,
            summary: FileSummary | None,
            accepted: baseline_module.Baseline | None = accepted,
            threshold: Severity = threshold,
        ) -> int:
            """Show one finding unless the baseline accepts it; 1 if it fails."""
            if accepted is not None and accepted.accepts(finding):
                if summary is not None:
                    summary.findings[finding.severity.value] -= 1
                return 0
            if write_baseline is not None:
                written.append(finding)
            formatter.finding(finding)
            return int(finding.severity >= threshold)

        if jobs > 1 and len(members) > 1 and STDIN not in members:
            results = lint_in_processes(
                recipe, members, jobs, claims=formatter.wants_claims
            )
            for result in results:  # in input order, file by file
                summaries.append(result.summary)
                for event in [*result.events, *result.batch]:
                    if isinstance(event, Finding):
                        failing += report(event, result.summary)
                    else:
                        formatter.claim(event)
                if result.failure is not None:  # (each worker validated its files)
                    unreadable += 1
                    click.echo(f"lint837: {result.failure}", err=True)
        else:
            failed, lost = _lint_in_one_run(linter, members, summaries, report, jobs)
            failing, unreadable = failing + failed, unreadable + lost
        if accepted is not None and accepted.suppressed:
            click.echo(
                f"lint837: {accepted.suppressed} finding(s) accepted by "
                f"{accepted_path}",
                err=True,
            )

    formatter.end(summaries)
    if unreadable:
        raise SystemExit(EXIT_USAGE)
    if write_baseline is not None:
        count = baseline_module.write(write_baseline, written)
        click.echo(f"lint837: {count} finding(s) written to {write_baseline}", err=True)
        return
    if failing and not exit_zero:
        raise SystemExit(EXIT_FINDINGS)


def _configurations(
    names: Sequence[str], explicit: Path | None, isolated: bool
) -> list[tuple[Settings, list[str]]]:
    """The files of each configuration, in the order they first appear.

    With ``--config`` or ``--isolated`` every file shares one; otherwise each
    file takes the one nearest its folder (standard input: the working
    folder's), and files under the same one form one run.
    """
    if explicit is not None or isolated:
        return [(_settings(names[0], explicit, isolated), list(names))]
    governing: dict[Path, Path | None] = {}  # folder -> its configuration
    members: dict[Path | None, list[str]] = {}
    for name in names:
        folder = Path.cwd() if name == STDIN else Path(name).resolve().parent
        if folder not in governing:
            governing[folder] = find_config(folder)
        members.setdefault(governing[folder], []).append(name)
    runs = []
    for found, files in members.items():
        if found is not None:
            logger.info("configuration from %s for %d file(s)", found, len(files))
        runs.append((load_settings(found) if found else Settings(), files))
    return runs


def _described(recipe: Recipe, files: Sequence[str], baseline: Path | None) -> str:
    """What ``check --show-settings`` prints for the files of one configuration."""
    settings = recipe.settings
    linter = recipe.build()
    validate = recipe.validate or settings.validate
    checked = ""
    if linter.validator is not None:
        count = len(linter.validation_codes)
        checked = f" ({count} guide codes)" if count else " (no guide code selected)"

    def named(path: Path | None) -> str:
        return str(path) if path is not None else "none"

    def table(items: dict[str, frozenset[str]] | dict[str, Severity]) -> str:
        if not items:
            return "none"
        return "; ".join(
            f"{key} = {value.value}"
            if isinstance(value, Severity)
            else f"{key} = {' '.join(sorted(value)) or '(nothing)'}"
            for key, value in items.items()
        )

    source = str(settings.source) if settings.source else "none (the defaults apply)"
    lines = [
        f"configuration: {source}",
        f"files: {', '.join('<stdin>' if f == STDIN else f for f in files)}",
        f"rules ({len(linter.rules)}): {' '.join(r.code for r in linter.rules)}",
        f"validate: {validate}{checked}",
        f"severity: {table(linter.severities)}",
        f"fail-on: {recipe.threshold.value}",
        f"policy: {named(recipe.policy or settings.policy)}",
        f"auths: {named(recipe.authorizations or settings.auths)}",
        "rules files: "
        + (", ".join(map(str, [*settings.rules, *recipe.rules_files])) or "none"),
        f"baseline: {named(baseline or settings.baseline)}",
        "data: "
        + ("; ".join(f"{k} = {v}" for k, v in settings.data.items()) or "shipped"),
        f"per-file-ignores: {table(dict(linter.file_ignores))}",
        f"per-payer-ignores: {table(linter.payer_ignores)}",
    ]
    return "\n".join(lines) + "\n"


_Report = Callable[[Finding, FileSummary | None], int]


def _report_guide(
    found: Iterable[Finding], summary: FileSummary, report: _Report
) -> int:
    """Report a file's X12 findings; the number that fail."""
    failing = 0
    for finding in found:
        summary.findings[finding.severity.value] += 1
        failing += report(finding, summary)
    return failing


def _lint_in_one_run(
    linter: Linter,
    names: Sequence[str],
    summaries: list[FileSummary],
    report: _Report,
    jobs: int = 1,
) -> tuple[int, int]:
    """Lint every file in this process; (failing findings, unreadable files).

    Each file's guide findings follow its rules' when the linter has a
    validator. With ``jobs`` > 1 a file's sets are validated in ``jobs``
    processes while its rules run here; standard input's, after them.
    """
    failing = unreadable = 0
    for name in names:
        summary = FileSummary("<stdin>" if name == STDIN else name)
        summaries.append(summary)
        try:
            if name == STDIN and linter.validator is not None:
                # Read twice (the rules, then the validator): keep it aside.
                with _gate_input(STDIN) as kept:
                    for finding in linter.lint_stream(kept, summary.file, summary):
                        failing += report(finding, summary)
                    kept.seek(0)
                    found = linter.validate(kept, summary.file, jobs)
                    failing += _report_guide(found, summary, report)
                continue
            ahead = linter.validate_ahead(name, jobs) if jobs > 1 else None
            with ahead or nullcontext():
                for finding in linter.lint_path(name, summary):
                    failing += report(finding, summary)
                if ahead is not None:
                    failing += _report_guide(ahead, summary, report)
                elif linter.validator is not None:
                    with open(name, "rb") as stream:
                        found = linter.validate(stream, summary.file)
                        failing += _report_guide(found, summary, report)
        except InputError as error:
            summary.error = error.message
            unreadable += 1
            click.echo(f"lint837: {error}", err=True)

    # Batch findings come after the last file; count each in its file's summary.
    for finding in linter.finish():
        owner = next((s for s in summaries if s.file == finding.location.file), None)
        if owner is not None:
            owner.findings[finding.severity.value] += 1
        failing += report(finding, owner)
    return failing, unreadable


@cli.command()
@click.argument("batch", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--clean",
    "clean_path",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Where the claims to send go (- for standard output).",
)
@click.option(
    "--held",
    "held_path",
    required=True,
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Where the claims held back go (- for standard output).",
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a JSON report: counts, held claims and their findings.",
)
@click.option("--overwrite", is_flag=True, help="Replace output files that exist.")
@click.option(
    "--fail-on",
    type=click.Choice(SEVERITIES),
    default=None,
    help="Lowest severity that holds a claim back (default: error).",
)
@click.option("--select", multiple=True, help="Rule codes or prefixes to run.")
@click.option("--ignore", multiple=True, help="Rule codes or prefixes to skip.")
@click.option("--policy", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--auths", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--rules",
    "rules_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
)
@click.option(
    "--config", "config_file", type=click.Path(dir_okay=False, path_type=Path)
)
@click.option("--isolated", is_flag=True, help="Ignore configuration files.")
@_VALIDATE_OPTION
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Validate transaction sets in N processes (with --validate).",
)
def gate(
    batch: str,
    clean_path: str,
    held_path: str,
    report_path: Path | None,
    overwrite: bool,
    fail_on: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    policy: Path | None,
    auths: Path | None,
    rules_files: tuple[Path, ...],
    config_file: Path | None,
    isolated: bool,
    validate: str | None,
    jobs: int,
) -> None:
    """Split BATCH: claims with findings to HELD, the others to CLEAN.

    Each output is a valid interchange whose claim segments are those of
    the input, byte for byte. Exit code 0: nothing held; 1: claims held.
    """
    if clean_path == STDIN and held_path == STDIN:
        raise click.UsageError("only one of --clean and --held can be standard output")
    for target in (clean_path, held_path, report_path):
        exists = target is not None and str(target) != STDIN and Path(target).exists()
        if exists and not overwrite:
            raise click.UsageError(f"{target} exists; pass --overwrite to replace it")

    settings = _settings(batch, config_file, isolated)
    linter = configured(
        settings,
        select=_split_codes(select) if select else None,
        ignore=_split_codes(ignore) if ignore else None,
        policy=policy,
        authorizations=auths,
        rules_files=rules_files,
        validate=validate,
    )
    threshold = Severity(fail_on) if fail_on else settings.fail_on
    name = "<stdin>" if batch == STDIN else batch

    # A file's sets are validated in other processes while its rules run.
    ahead = linter.validate_ahead(batch, jobs) if jobs > 1 and batch != STDIN else None
    with _gate_input(batch) as source, ahead or nullcontext():
        head = source.read(4096)
        source.seek(0)
        terminator, suffix = gates.line_style(head)
        result = gates.judge(linter, source, name, threshold, jobs, ahead)
        source.seek(0)
        with _output(clean_path) as clean, _output(held_path) as held:
            gates.split(
                gates.segments(source, name), result, clean, held, terminator, suffix
            )

    if report_path is not None:
        with _output(str(report_path)) as handle:
            handle.write(json.dumps(result.as_dict(), indent=2).encode() + b"\n")
    held_count = len(result.held)
    total = result.claims
    click.echo(
        f"lint837 gate: {total} claim{'' if total == 1 else 's'}, "
        f"{total - held_count} clean, {held_count} held",
        err=True,
    )
    if held_count:
        raise SystemExit(EXIT_FINDINGS)


@contextmanager
def _gate_input(batch: str) -> Iterator[BinaryIO]:
    """The input as a seekable stream: standard input is spooled first."""
    if batch != STDIN:
        try:
            handle = open(batch, "rb")  # noqa: SIM115 - closed below
        except OSError as error:
            raise InputError(f"cannot open: {error.strerror}", source=batch) from None
        with handle:
            yield handle
        return
    with rereadable(sys.stdin.buffer) as spooled:
        yield spooled


@contextmanager
def _output(target: str) -> Iterator[BinaryIO]:
    """An output file written whole or not at all (a temporary, then renamed)."""
    if target == STDIN:
        yield sys.stdout.buffer
        sys.stdout.flush()
        return
    path = Path(target)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - renamed or removed below
        dir=path.parent, prefix=f".{path.name}.", delete=False
    )
    try:
        with handle:
            yield handle  # type: ignore[misc]
        os.replace(handle.name, path)
    except BaseException:
        os.unlink(handle.name)
        raise


def _settings(first: str, explicit: Path | None, isolated: bool) -> Settings:
    """The configuration for this run: explicit, found, or the defaults."""
    if explicit is not None:
        return load_settings(explicit)
    if isolated:
        return Settings()

    start = Path.cwd() if first == STDIN else Path(first).resolve().parent
    found = find_config(start)
    if found is None:
        return Settings()
    logger.info("configuration from %s", found)
    return load_settings(found)


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(WRITERS)),
    default="table",
    show_default=True,
)
@click.option(
    "--code", default=DEFAULT_CODE, show_default=True, help="HCPCS code to list."
)
def lines(files: tuple[str, ...], output_format: str, code: str) -> None:
    """List the drug lines (J3420 by default) of FILES, one row each."""
    names = files or (STDIN,)
    settings = _settings(names[0], None, isolated=False)
    administration = load_reference_data(settings.data).administration
    stdout = sys.stdout
    rows = (
        row
        for name in names
        for row in drug_lines(
            _claims(name), _display_name(name), administration, code.upper()
        )
    )

    WRITERS[output_format](rows, stdout)


def _display_name(name: str) -> str:
    return "<stdin>" if name == STDIN else name


def _claims(name: str) -> Iterator[Claim]:
    if name == STDIN:
        source = sys.stdin.buffer
        yield from (e for e in events(source, "<stdin>") if isinstance(e, Claim))
        return

    try:
        handle = open(name, "rb")  # noqa: SIM115 - closed by the with below
    except OSError as error:
        raise Lint837Error(f"cannot open: {error.strerror}", source=name) from None
    with handle:
        yield from (e for e in events(handle, name) if isinstance(e, Claim))


_RULES_OPTION = click.option(
    "--rules",
    "rules_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also list the rules of this payer rules file (repeatable).",
)


@cli.command("rules")
@_RULES_OPTION
@click.option(
    "--check",
    "check_files",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Validate a payer rules file without linting anything (repeatable).",
)
@click.option("--schema", is_flag=True, help="Print the fields payer rules can read.")
def list_rules(
    rules_files: tuple[Path, ...], check_files: tuple[Path, ...], schema: bool
) -> None:
    """List every rule: code, name, default severity, summary."""
    if schema:
        click.echo(describe(), nl=False)
        return
    if check_files:
        found = load_rule_files(check_files)
        click.echo(f"{len(found)} rules in {len(check_files)} file(s): all valid")
        return

    for rule in {**REGISTRY, **load_rule_files(rules_files)}.values():
        click.echo(
            f"{rule.code}  {rule.name:<32} {rule.severity.value:<8} {rule.summary}"
        )
    # The implementation-guide codes, reported with --validate.
    for item in validation.CODES.values():
        click.echo(
            f"{item.code}  {item.name:<32} {item.severity.value:<8} {item.summary}"
        )


@cli.command()
@click.argument("code")
@_RULES_OPTION
def explain(code: str, rules_files: tuple[Path, ...]) -> None:
    """Show a rule's documentation and its examples."""
    rule = {**REGISTRY, **load_rule_files(rules_files)}.get(code.upper())
    guide = validation.CODES.get(code.upper())
    if guide is not None:
        click.echo(f"{guide.code} {guide.name} [{guide.severity.value}]\n")
        click.echo(f"{guide.summary}\n\n{guide.why}")
        return
    if rule is None:
        raise click.UsageError(f"no rule {code!r}; `lint837 rules` lists them")

    out: TextIO = sys.stdout
    out.write(f"{rule.code} {rule.name} [{rule.severity.value}]\n\n")
    out.write(rule.documentation + "\n")
    if not rule.confirmed:
        out.write(
            "\nThis rule rests on a fact not yet confirmed against a primary source.\n"
        )
    if rule.example.passing:
        out.write("\nPasses:\n" + _indent(rule.example.passing))
    if rule.example.failing:
        out.write("\nFails:\n" + _indent(rule.example.failing))


@cli.command()
@click.argument("batch", type=click.Path(dir_okay=False, allow_dash=True))
def ack(batch: str) -> None:
    """Print the 999 acknowledgement pyx12 would answer BATCH with.

    The 999 is what a clearinghouse sends back for an 837: accepted,
    accepted with errors, or rejected, set by set, with the segments and
    elements in error (IK3/IK4, which quote the bad values as the standard
    does). Exit code 0 when pyx12 accepts every set, 1 otherwise.
    """
    with _gate_input(batch) as stream:
        answer = validation.acknowledge(stream, "<stdin>" if batch == STDIN else batch)
    click.echo(answer, nl=False)
    # AK9*A: the group accepted; anything else (E, P, R) is not clean.
    groups = [part.strip() for part in answer.split("AK9")[1:]]
    if not all(group[1:2] == "A" for group in groups):
        raise SystemExit(EXIT_FINDINGS)


def _indent(text: str) -> str:
    return "".join(f"    {line}\n" for line in text.strip().splitlines())


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and map every outcome to an exit code."""
    _State.verbosity = 0
    try:
        cli.main(args=argv, prog_name="lint837", standalone_mode=False)
    except click.exceptions.Exit as done:
        return int(done.exit_code)
    except click.ClickException as error:
        error.show()
        return EXIT_USAGE
    except click.exceptions.Abort:
        click.echo("lint837: interrupted", err=True)
        return 130
    except Lint837Error as error:
        click.echo(f"lint837: {error}", err=True)
        return EXIT_USAGE
    except SystemExit as done:
        return int(done.code or 0)
    except BrokenPipeError:
        return EXIT_CLEAN
    except Exception as error:
        if _State.verbosity:
            traceback.print_exc()
        click.echo(
            f"lint837: internal error: {type(error).__name__}: {error} "
            "(a bug; rerun with -v for the traceback and report it)",
            err=True,
        )
        return EXIT_INTERNAL

    return EXIT_CLEAN


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()
