"""pyx12 as the reference validator, one transaction set at a time.

pyx12 knows the 005010X222A1 guide from its 837P map and applies it
segment by segment. lint837 pins version 4.0.0 and works around what that
release does (see the issue behind this module, #6):

* ``x12n_document`` returns only a bool: the problems are read from its
  JSON report, never from its log, which is silenced while it runs (it
  logs every problem at ERROR level).
* It loads the 1.1 MB map on every call (about 0.45 s); maps are loaded
  once per process here and reused.
* It is fed the text lint837 has already read and checked (one segment a
  line, made-up GE and IEA), never a path: it reads files as ASCII and
  stops at an empty segment.
* Some malformed input makes it raise (IndexError, EngineError "Map not
  found", ...) instead of reporting: any exception becomes one X12999
  problem on the transaction set, never a crash.
* Its JSON gives a segment's position as ``cur_line``, counted from the
  ISA as 1 (``seg_count`` counts from the ST); a missing mandatory
  segment is reported at the segment after the gap.

Its context reader (slow, and with a loop-boundary bug in 4.0.0) is not
used: the loops come from the map node pyx12 walks to, through its
callback.
"""

from __future__ import annotations

import functools
import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO

from lint837.errors import InputError
from lint837.reader import read_segments
from lint837.validation.codes import ENGINE_FAILURE
from lint837.validation.problem import Level, Problem
from lint837.validation.units import Unit

logger = logging.getLogger(__name__)


def validate(unit: Unit) -> list[Problem]:
    """pyx12's problems with one transaction set, at the file's positions.

    Problems on the made-up GE and IEA are dropped: envelope trailers are
    the ENV rules' job.
    """
    loops: list[str | None] = []
    report = io.StringIO()
    try:
        with _pyx12() as (document, params):

            def seen(segment: Any, source: Any, node: Any, valid: bool) -> None:
                parent = node.get_parent() if node is not None else None
                loops.append(getattr(parent, "id", None))

            document.x12n_document(
                params,
                io.StringIO(unit.text),
                None,
                None,
                None,
                report,
                callback=seen,
            )
        if not report.getvalue():  # it refused the text before reading it
            raise ValueError("the interchange header")
        tree = json.loads(report.getvalue())
    except Exception as error:  # pyx12 raises on some malformed input
        logger.debug("pyx12 stopped on %s: %r", unit.source, error)
        return [
            Problem(
                Level.TRANSACTION,
                ENGINE_FAILURE,
                unit.first_index,
                None,
                None,
                # The type only: pyx12's own text may quote the segment.
                f"it raised {type(error).__name__}",
            )
        ]
    return [
        problem
        for problem in _problems(tree, unit, loops)
        if problem.segment_index != 0
    ]


def _problems(tree: Any, unit: Unit, loops: list[str | None]) -> Iterator[Problem]:
    """Walk pyx12's JSON report: interchange, group, set, segment, element."""

    def at(position: int) -> tuple[int, str | None]:
        """The file index and loop of the unit's ``position`` (ISA is 1)."""
        k = min(max(position, 1), len(unit.indexes)) - 1
        return unit.indexes[k], loops[k] if k < len(loops) else None

    for interchange in tree.get("interchanges", ()):
        for error in interchange.get("errors", ()):
            yield _problem(Level.INTERCHANGE, error, unit.indexes[0], None, "ISA")
        for group in interchange.get("groups", ()):
            for error in group.get("errors", ()):
                yield _problem(Level.GROUP, error, unit.indexes[1], None, "GS")
            for transaction in group.get("transactions", ()):
                # Set problems (counts, control numbers) sit on the SE if any.
                last = unit.indexes[-3]
                closed = unit.segments[-3].startswith("SE" + unit.segments[0][3])
                for error in transaction.get("errors", ()):
                    where = last if closed else unit.first_index
                    yield _problem(Level.TRANSACTION, error, where, None, "ST_LOOP")
                for segment in transaction.get("segments", ()):
                    yield from _segment_problems(segment, *at(segment["cur_line"]))


def _segment_problems(
    segment: dict[str, Any], index: int, loop: str | None
) -> Iterator[Problem]:
    for error in segment.get("errors", ()):
        yield _problem(Level.SEGMENT, error, index, None, loop)
    for element in segment.get("elements", ()):
        reference = f"{segment['seg_id']}{element['ele_pos']:02d}"
        if element.get("subele_pos"):
            reference += f"-{element['subele_pos']}"
        for error in element.get("errors", ()):
            yield _problem(Level.ELEMENT, error, index, reference, loop)


def _problem(
    level: Level,
    error: dict[str, Any],
    index: int,
    element: str | None,
    loop: str | None,
) -> Problem:
    value = error.get("err_val")
    return Problem(
        level,
        str(error.get("err_cde", "")),
        index,
        element,
        loop,
        str(error.get("err_str", "")),
        None if value is None else str(value),
    )


@contextmanager
def _pyx12() -> Iterator[tuple[Any, Any]]:
    """pyx12's document module and parameters, quiet and with cached maps."""
    import pyx12.map_if
    import pyx12.params
    import pyx12.x12n_document

    quiet = logging.getLogger("pyx12")
    level, load = quiet.level, pyx12.map_if.load_map_file
    params = _params()
    quiet.setLevel(logging.CRITICAL + 1)
    pyx12.map_if.load_map_file = functools.partial(_cached_map, load)
    try:
        yield pyx12.x12n_document, params
    finally:
        pyx12.map_if.load_map_file = load
        quiet.setLevel(level)


@functools.cache
def _params() -> Any:
    import pyx12.params

    return pyx12.params.params()


_MAPS: dict[tuple[str, str | None], Any] = {}


def _cached_map(load: Any, map_file: str, param: Any, map_path: Any = None) -> Any:
    """pyx12's map, loaded once per process (a map is only read once built)."""
    key = (map_file, map_path)
    found = _MAPS.get(key)
    if found is None:
        found = _MAPS[key] = load(map_file, param, map_path)
    return found


def acknowledge(stream: BinaryIO, name: str) -> str:
    """The 999 (or 997 for a 4010 file) pyx12 would answer this file with.

    The whole file goes to pyx12 at once, as a clearinghouse would take
    it, so envelope counts and control numbers count too. The text is the
    file as lint837 read it, one segment a line. Raises InputError on
    input that is not X12, or that pyx12 cannot acknowledge.
    """
    parts: list[str] = []
    for block in read_segments(stream, name):
        terminator = block.delimiters.segment
        end = terminator if terminator in "\r\n" else terminator + "\n"
        parts.extend(text + end for text in block.texts)

    answer = io.StringIO()
    try:
        with _pyx12() as (document, params):
            document.x12n_document(params, io.StringIO("".join(parts)), answer, None)
    except Exception as error:  # pyx12 raises on some malformed input
        raise InputError(
            f"pyx12 cannot acknowledge this file (it raised {type(error).__name__})",
            source=name,
        ) from None
    if not answer.getvalue():
        raise InputError("pyx12 wrote no acknowledgement for this file", source=name)
    return answer.getvalue()
