"""Implementation-guide validation: the 005010X222A1 guide, checked per transaction set.

Validation sits beside the rules in the flow: it reads segments (from
``lint837.reader``) rather than claims, and its problems become ordinary
findings with ``X12`` codes (:mod:`lint837.validation.codes`). Two
validators report the same :class:`Problem` records, as the tests compare
them problem by problem: pyx12's own, the reference
(:mod:`lint837.validation.reference`), and the fast one compiled from its
map (:mod:`lint837.validation.fast`), which runs by default. Transaction
sets are independent, so they are checked in parallel processes when asked.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from queue import Full
from typing import BinaryIO

from lint837.errors import InputError
from lint837.findings import Finding, Location, Severity
from lint837.model.envelope import in_scope
from lint837.rules.base import segment_fingerprint
from lint837.validation import fast
from lint837.validation.codes import CODES, PYX12_VERSION, ValidationCode, translate
from lint837.validation.problem import Level, Problem
from lint837.validation.reference import acknowledge, validate
from lint837.validation.units import Unit, units

__all__ = [
    "CODES",
    "PYX12_VERSION",
    "VALIDATORS",
    "Ahead",
    "Level",
    "Problem",
    "Unit",
    "ValidationCode",
    "acknowledge",
    "findings",
    "units",
    "validate",
]

WINDOW = 4
"""Transaction sets in flight per process: enough to keep each busy."""


Validator = Callable[[Unit], list[Problem]]

VALIDATORS: dict[str, Validator] = {"pyx12": validate, "fast": fast.validate}
"""The validators by the name ``--validate`` and ``validate =`` use."""


def findings(
    stream: BinaryIO,
    name: str,
    *,
    jobs: int = 1,
    wanted: Callable[[str], bool] = lambda code: True,
    severities: dict[str, Severity] | None = None,
    validator: Validator = validate,
) -> Iterator[Finding]:
    """The guide findings of every 837 transaction set of a stream, in order.

    ``validator`` checks one set (pyx12's by default); ``jobs`` processes
    validate sets side by side (each loads the map once); ``wanted`` says
    which X12 codes to report; ``severities`` overrides a code's default
    severity. Raises InputError on input that is not X12.
    """
    said: set[tuple[str, int, str | None]] = set()  # header problems reported
    for unit, problems in _checked(units(stream, name), jobs, validator):
        seen: set[tuple[str, int, str | None]] = set()
        headers = unit.indexes[:2]  # the ISA and GS, in every set they head
        for problem in problems:
            code = translate(problem.level, problem.code)
            key = (code.code, problem.segment_index, problem.element)
            if not wanted(code.code) or key in seen or key in said:
                continue
            seen.add(key)
            if problem.segment_index in headers:
                said.add(key)
            severity = (severities or {}).get(code.code, code.severity)
            yield _finding(unit, problem, code, severity)


AHEAD_BATCH = 256
"""Findings sent back at a time by :class:`Ahead`'s process."""

AHEAD_WINDOW = 64
"""Batches :class:`Ahead`'s process may send before the caller reads them."""


class Ahead:
    """A file's guide findings, worked out in another process from now on.

    For a caller with other work to do on the same file, the rules: the
    other process reads and validates the file while the caller goes on,
    and iterating yields its findings, in order, as :func:`findings` would
    (raising InputError as it would). The other process validates the
    sets itself, or in a pool of ``jobs`` processes. At most ``window``
    batches of ``batch`` findings wait to be read: memory stays bounded
    however many problems the file has. Close it (or use it as a context
    manager) so that the process ends even when it is not read to the end.
    """

    def __init__(
        self,
        path: str,
        name: str,
        *,
        jobs: int,
        codes: frozenset[str],
        severities: dict[str, Severity],
        validator: Validator,
        batch: int = AHEAD_BATCH,
        window: int = AHEAD_WINDOW,
    ) -> None:
        context = multiprocessing.get_context()
        self._queue: multiprocessing.Queue[_Sent] = context.Queue(window)
        options = (jobs, codes, severities, validator, batch)
        # Not a daemon: with jobs > 1 it starts a pool of its own.
        self._process = context.Process(
            target=_validate_into, args=(self._queue, path, name, *options)
        )
        self._process.start()

    def __iter__(self) -> Iterator[Finding]:
        while (sent := self._queue.get()) is not None:
            if isinstance(sent, BaseException):
                raise sent
            yield from sent
        self._process.join()

    def close(self) -> None:
        """End the process and its pool if still at work (nobody will read it)."""
        pid = self._process.pid
        if pid is not None and self._process.is_alive():
            try:  # the process leads a group of its own: its pool is in it
                os.killpg(pid, signal.SIGTERM)
            except (AttributeError, ProcessLookupError, PermissionError):
                self._process.terminate()  # no groups here, or not yet one
        self._process.join()

    def __enter__(self) -> Ahead:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


_Sent = list[Finding] | BaseException | None


def _validate_into(
    queue: multiprocessing.Queue[_Sent],
    path: str,
    name: str,
    jobs: int,
    codes: frozenset[str],
    severities: dict[str, Severity],
    validator: Validator,
    size: int,
) -> None:
    """:class:`Ahead`'s process: the findings in batches of ``size``, then None.

    It leads a process group of its own, so that closing ends its pool too,
    and gives up when its caller has gone.
    """
    if hasattr(os, "setpgrp"):
        os.setpgrp()
    caller = os.getppid()

    def send(item: _Sent) -> None:
        while True:
            try:
                queue.put(item, timeout=1)
                return
            except Full:
                if os.getppid() != caller:  # nobody will ever read it
                    os._exit(1)

    batch: list[Finding] = []
    try:
        with open(path, "rb") as stream:
            found = findings(
                stream,
                name,
                jobs=jobs,
                wanted=codes.__contains__,
                severities=severities,
                validator=validator,
            )
            for finding in found:
                batch.append(finding)
                if len(batch) >= size:
                    send(batch)
                    batch = []
        send(batch)
    except InputError as error:
        send(error)
    except OSError as error:
        reason = error.strerror or str(error)
        send(InputError(f"cannot open: {reason}", source=path))
    except Exception as error:  # a bug: the caller raises it, as for its own
        send(RuntimeError(f"validation of {name} failed: {error!r}"))
    send(None)


def _checked(
    todo: Iterable[Unit], jobs: int, validator: Validator
) -> Iterator[tuple[Unit, list[Problem]]]:
    """Each 837P unit with its problems, in order; other sets skipped.

    The sets the rules skip (ENV009: 837I, 837D, 4010, other transactions)
    are not validated either. A set whose release pyx12 has no map for
    gets that one problem instead of the validator's engine error.
    """
    todo = (unit for unit in todo if _in_scope(unit))
    if jobs <= 1:
        for unit in todo:
            missing = fast.unmapped(unit)
            yield unit, [missing] if missing else validator(unit)
        return

    # A bounded window of futures: memory stays flat however long the file.
    pool = ProcessPoolExecutor(max_workers=jobs)
    try:
        pending: deque[tuple[Unit, Future[list[Problem]]]] = deque()
        for unit in todo:
            if missing := fast.unmapped(unit):
                known: Future[list[Problem]] = Future()
                known.set_result([missing])
                pending.append((unit, known))
                continue
            pending.append((unit, pool.submit(validator, unit.stripped())))
            if len(pending) >= jobs * WINDOW:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()
    finally:  # a reader that stops early waits for no set it will not read
        pool.shutdown(cancel_futures=True)


def _sep(unit: Unit) -> str:
    """The element separator: the fourth character of the ISA."""
    return unit.segments[0][3]


def _in_scope(unit: Unit) -> bool:
    """What the rules lint (:func:`lint837.model.envelope.in_scope`), read
    off the unit's ST and GS texts."""
    separator = _sep(unit)
    st = unit.segments[2].split(separator)
    release = st[3].strip() if len(st) > 3 else ""
    if not release:
        group = unit.segments[1].split(separator)
        release = group[8].strip() if len(group) > 8 else ""
    return st[0] == "ST" and in_scope(st[1] if len(st) > 1 else "", release)


# pyx12's text quotes the bad value; it stays only where the value is a
# code: a too-long or malformed element may hold a name, a member id or a
# birth date.
_SHOWS_VALUE = {"X12207", "X12997"}  # a bad code; a release (GS08)


def _redacted(detail: str, segment: str, separator: str, keep: str | None) -> str:
    """pyx12's text with every value of the segment blanked but ``keep``.

    pyx12 quotes values (a too-long name, a segment it did not expect,
    address and all); only the segment id, pyx12's own words and a bad code
    stay.
    """
    values = {
        value
        for element in segment.split(separator)[1:]
        for value in re.split(r"[^\w .'-]", element)
        if len(value.strip()) > 1
        and value != keep  # an initial or a digit tells nothing
    }
    for value in sorted(values, key=len, reverse=True):
        detail = re.sub(rf"(?<!\w){re.escape(value)}(?!\w)", "…", detail)
    return detail


def _finding(
    unit: Unit, problem: Problem, code: ValidationCode, severity: Severity
) -> Finding:
    k = unit.indexes.index(problem.segment_index)
    text = unit.segments[k]
    offset, line, column = unit.place(k)
    segment_id = text.split(_sep(unit), 1)[0]
    message = f"{code.summary.rstrip('.')} ({problem.element or segment_id})"
    keep = problem.value if code.code in _SHOWS_VALUE else None
    detail = _redacted(problem.text, text, unit.segments[0][3], keep)
    if detail:
        message += f": {detail}"
    return Finding(
        code.code,
        severity,
        message,
        Location(
            unit.source,
            problem.segment_index,
            offset,
            segment_id,
            problem.element,
            problem.loop,
            unit.claim_at(problem.segment_index),
            None,
            line,
            column,
            len(text),
            segment_fingerprint(text),
        ),
    )
