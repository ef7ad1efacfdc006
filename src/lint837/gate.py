"""The pre-submit gate: split a batch into the claims to send and those to hold.

A clearinghouse or practice-management system calls this right before it
transmits. Holding a whole batch back for one bad claim delays every good
claim; sending everything sends the denials too. So each claim whose
findings reach the failing severity goes to HELD, every other to CLEAN.

How it works, in two passes over the input:

1. Lint it with every selected rule, noting each claim's range of segments
   and whether it is held (a finding at or above the threshold inside the
   claim, its batch findings included).
2. Stream it again and copy each claim, byte for byte, to its output, with
   what makes the output a valid interchange: the ISA, GS and ST headers
   and the transaction's header segments as they were, the billing
   provider, subscriber and patient loops the claim sits under, and fresh
   trailers (SE01, GE01 and IEA01 counted again; control numbers kept).
   HL segments are numbered again in each output so the hierarchy is
   consistent; no other segment changes.

Nothing is lost: every claim of the input is in exactly one output.
Transaction sets that are not 837P go to HELD unchanged. Segments outside
any claim that are not headers or parent loops (a billing provider with no
claim, stray segments) are not copied; the report counts them.
"""

from __future__ import annotations

import bisect
import logging
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from lint837.findings import ClaimVerdict, Finding, Severity
from lint837.linter import FileSummary, Linter
from lint837.model.envelope import IMPLEMENTATION
from lint837.reader import read_segments

logger = logging.getLogger(__name__)

CLEAN, HELD = "clean", "held"


@dataclass
class GateResult:
    """What the gate did with one batch.

    Every claim is kept only as its range of segments (two integers), so a
    batch of millions of claims costs megabytes, not gigabytes; a claim's
    full verdict is kept only when something was found in it.
    """

    claims: int = 0
    held: list[ClaimVerdict] = field(default_factory=list)
    outside: list[Finding] = field(default_factory=list)  # findings in no claim
    summary: FileSummary | None = None
    dropped_segments: int = 0  # outside claims, headers and parent loops
    written: dict[str, int] = field(default_factory=lambda: {CLEAN: 0, HELD: 0})
    # The first and last segment index of every claim, in input order.
    starts: array[int] = field(default_factory=lambda: array("q"))
    ends: array[int] = field(default_factory=lambda: array("q"))

    def as_dict(self) -> dict[str, object]:
        return {
            "claims": self.claims,
            "clean": self.claims - len(self.held),
            "held": [
                {
                    "claim": verdict.claim,
                    "segment_index": verdict.segment_index,
                    "findings": [f.as_dict() for f in verdict.findings],
                }
                for verdict in self.held
            ],
            "findings_outside_claims": [f.as_dict() for f in self.outside],
            "segments_not_copied": self.dropped_segments,
            "segments_written": dict(self.written),
        }


class _Judge:
    """Pass 1's bookkeeping: claim ranges, and the verdicts that found something.

    The linter yields a claim's findings (and envelope findings inside the
    claim, such as an unknown segment) before it tells the claim's verdict,
    so findings wait in ``pending`` until the next verdict places them.
    """

    def __init__(self, result: GateResult, name: str) -> None:
        self.result = result
        self.name = name
        self.noted: dict[int, ClaimVerdict] = {}  # by CLM segment index
        self.pending: list[Finding] = []

    def claim(self, verdict: ClaimVerdict) -> None:
        own = set(verdict.findings)
        for finding in self.pending:
            index = finding.location.segment_index
            if finding in own:
                continue
            if index is not None and (
                verdict.segment_index <= index <= verdict.last_index
            ):
                verdict.findings.append(finding)
            else:
                self.place(finding)
        self.pending.clear()
        self.result.claims += 1
        self.result.starts.append(verdict.segment_index)
        self.result.ends.append(verdict.last_index)
        if verdict.findings:
            self.noted[verdict.segment_index] = verdict

    def place(self, finding: Finding) -> None:
        """Give a finding to the claim whose segments hold it, if any."""
        index = finding.location.segment_index
        starts = self.result.starts
        position = -1 if index is None else bisect.bisect_right(starts, index) - 1
        if position < 0 or index is None or index > self.result.ends[position]:
            self.result.outside.append(finding)
            return
        start = starts[position]
        verdict = self.noted.get(start)
        if verdict is None:  # a claim clean of its own rules; a batch finding
            verdict = ClaimVerdict(
                self.name,
                finding.location.claim or "",
                start,
                [],
                last_index=self.result.ends[position],
            )
            self.noted[start] = verdict
        if finding not in verdict.findings:
            verdict.findings.append(finding)


def judge(
    linter: Linter,
    stream: BinaryIO,
    name: str,
    threshold: Severity,
    jobs: int = 1,
    guide: Iterable[Finding] | None = None,
) -> GateResult:
    """Pass 1: lint the batch; decide, claim by claim, clean or held.

    When the linter's configuration names a validator, each transaction set
    is also validated (in ``jobs`` processes; the stream is read again) and
    a claim holding a guide problem is held like one with a failing
    finding: the clean output then carries no claim the clearinghouse's 999
    would reject for its own segments. Guide problems outside claims
    (headers, provider and subscriber loops) hold nothing; the report lists
    them. ``guide`` gives the guide findings when they are worked out
    elsewhere already (:meth:`Linter.validate_ahead`); the stream is then
    read once.
    """
    result = GateResult(summary=FileSummary(name))
    bookkeeper = _Judge(result, name)
    linter.on_claim = bookkeeper.claim
    for finding in linter.lint_stream(stream, name, result.summary):
        bookkeeper.pending.append(finding)
    for finding in [*bookkeeper.pending, *linter.finish()]:
        bookkeeper.place(finding)
    if guide is None and linter.validator is not None:
        stream.seek(0)
        guide = linter.validate(stream, name, jobs)
    if guide is not None:
        for finding in guide:
            assert result.summary is not None
            result.summary.findings[finding.severity.value] += 1
            bookkeeper.place(finding)
    result.held = [
        verdict
        for _, verdict in sorted(bookkeeper.noted.items())
        if verdict.fails(threshold)
    ]
    return result


class _Output:
    """One output interchange being written: what it has opened so far."""

    def __init__(self, stream: BinaryIO, suffix: str, terminator: str) -> None:
        self.stream = stream
        self.end = terminator + suffix
        self.isa: str | None = None  # the input ISA this output has opened
        self.groups = 0
        self.gs: str | None = None
        self.transactions = 0
        self.st: str | None = None
        self.segments = 0  # in the open transaction set
        self.hl = 0  # the last HL number given in the open transaction set
        # level -> ((input HL index, HL04), the HL01 given in this output)
        self.parents: dict[str, tuple[tuple[int, str], int]] = {}
        self.written = 0

    def write(self, text: str) -> None:
        self.stream.write((text + self.end).encode("latin-1", errors="replace"))
        self.written += 1
        if self.st is not None:
            self.segments += 1


class _Splitter:
    """Pass 2: copy each claim to its output with its envelopes and parents."""

    def __init__(
        self,
        held: set[int],
        result: GateResult,
        outputs: dict[str, BinaryIO],
        terminator: str,
        suffix: str,
    ) -> None:
        self.held = held
        self.starts, self.ends = result.starts, result.ends
        self.next_claim = 0  # claims come in input order: a cursor, not a dict
        self.outputs = {
            name: _Output(stream, suffix, terminator)
            for name, stream in outputs.items()
        }
        self.dropped = 0
        self.first_isa: str | None = None

    def run(self, blocks: Iterable[tuple[int, str, str]]) -> None:
        element = "*"
        isa = gs = st = None
        header: list[str] = []  # ST and the segments before the first HL
        loops: dict[str, tuple[int, list[str]]] = {}  # level -> (key, segments)
        current: str | None = None  # the loop segments now go to
        in_scope = True
        out_of_scope: list[str] = []
        claim_end = 0
        claim_output: _Output | None = None

        for index, key, text in blocks:
            if claim_output is not None and index <= claim_end:
                claim_output.write(text)  # the claim, byte for byte
                continue
            claim_output = None
            if key == "ISA":
                element = text[3] if len(text) > 3 else "*"
                isa, gs, st = text, None, None
                self.first_isa = self.first_isa or text
                continue
            identifier = text.split(element, 1)[0]
            if identifier == "IEA":
                self._close_interchange()
                isa = None
            elif identifier == "GS":
                gs = text
            elif identifier == "GE":
                self._close_group()
                gs = None
            elif identifier == "ST":
                st, header, loops, current = text, [text], {}, None
                parts = text.split(element)
                implementation = parts[3] if len(parts) > 3 else ""
                in_scope = parts[1:2] == ["837"] and (
                    implementation.startswith(IMPLEMENTATION)
                    or (gs or "").split(element)[-1].startswith(IMPLEMENTATION)
                )
                out_of_scope = [] if in_scope else [text]
            elif identifier == "SE":
                if not in_scope:
                    out_of_scope.append(text)
                    self._copy_transaction(HELD, isa, gs, out_of_scope)
                self._close_transaction()
                st, in_scope = None, True
            elif not in_scope:
                out_of_scope.append(text)
            elif identifier == "HL":
                level = text.split(element)[3] if text.count(element) >= 3 else ""
                if level == "20":
                    loops.pop("22", None)
                    loops.pop("23", None)
                elif level == "22":
                    loops.pop("23", None)
                loops[level] = (index, [text])
                current = level
            elif identifier == "CLM" and self._is_claim(index):
                destination = HELD if index in self.held else CLEAN
                out = self._open(destination, isa, gs, header)
                self._parents(out, loops, element)
                out.write(text)
                claim_end, claim_output = self.ends[self.next_claim - 1], out
                current = None  # segments after the claim belong to no loop
            elif current is not None:
                loops[current][1].append(text)
            elif st is not None and not loops:
                header.append(text)
            else:
                self.dropped += 1

        # A truncated input: close whatever is still open. An output that
        # got no claim is still an interchange: the input's ISA, no group.
        for out in self.outputs.values():
            if out.written == 0 and self.first_isa is not None:
                out.write(self.first_isa)
                out.isa, out.groups = self.first_isa, 0
            self._finish(out)

    def _is_claim(self, index: int) -> bool:
        """Whether the CLM at ``index`` starts the next claim pass 1 saw."""
        starts = self.starts
        while self.next_claim < len(starts) and starts[self.next_claim] < index:
            self.next_claim += 1
        if self.next_claim < len(starts) and starts[self.next_claim] == index:
            self.next_claim += 1
            return True
        return False

    def _open(
        self, name: str, isa: str | None, gs: str | None, header: list[str]
    ) -> _Output:
        out = self.outputs[name]
        if isa is not None and out.isa != isa:
            self._finish(out)
            out.write(isa)
            out.isa, out.groups = isa, 0
        if gs is not None and out.gs != gs:
            if out.gs is not None:
                self._close_group_of(out)
            out.write(gs)
            out.gs, out.transactions = gs, 0
            out.groups += 1
        if out.st is None or out.st != header[0] or out.segments == 0:
            out.st = header[0]
            out.segments = 0
            out.hl = 0
            out.parents = {}
            out.transactions += 1
            for text in header:
                out.write(text)
        return out

    def _parents(
        self, out: _Output, loops: dict[str, tuple[int, list[str]]], element: str
    ) -> None:
        """Write the billing provider, subscriber and patient loops a claim needs.

        A loop already written for an earlier claim of this output is reused
        while nothing above it changed; HL01 and HL02 are numbered afresh and
        HL04 says whether a child loop follows.
        """
        parent = ""
        changed = False
        for level in ("20", "22", "23"):
            if level not in loops:
                continue
            key, segments = loops[level]
            children = {"20": "1", "22": "1" if "23" in loops else "0"}.get(level, "0")
            known = out.parents.get(level)
            if not changed and known is not None and known[0] == (key, children):
                parent = str(known[1])
                continue
            changed = True  # every loop below is written again under this one
            out.hl += 1
            head = segments[0].split(element)
            head += [""] * (5 - len(head))
            head[1], head[2], head[4] = str(out.hl), parent, children
            out.write(element.join(head[:5]))
            for text in segments[1:]:
                out.write(text)
            out.parents[level] = ((key, children), out.hl)
            parent = str(out.hl)

    def _copy_transaction(
        self, name: str, isa: str | None, gs: str | None, segments: list[str]
    ) -> None:
        out = self._open(name, isa, gs, segments[:1])
        for text in segments[1:-1]:
            out.write(text)
        # SE is written by _close_transaction with the count.

    def _close_transaction(self) -> None:
        for out in self.outputs.values():
            if out.st is not None and out.segments > 0:
                element = out.st[2] if len(out.st) > 2 else "*"
                control = out.st.split(element)
                number = control[2] if len(control) > 2 else ""
                out.write(f"SE{element}{out.segments + 1}{element}{number}")
                out.st, out.segments = None, 0

    def _close_group_of(self, out: _Output) -> None:
        if out.st is not None:
            self._close_transaction()
        if out.gs is not None:
            element = out.gs[2] if len(out.gs) > 2 else "*"
            parts = out.gs.split(element)
            control = parts[6] if len(parts) > 6 else ""
            out.write(f"GE{element}{out.transactions}{element}{control}")
            out.gs = None

    def _close_group(self) -> None:
        for out in self.outputs.values():
            self._close_group_of(out)

    def _close_interchange(self) -> None:
        for out in self.outputs.values():
            self._finish(out)

    def _finish(self, out: _Output) -> None:
        if out.isa is None:
            return
        self._close_group_of(out)
        element = out.isa[3]
        control = out.isa.split(element)[13] if out.isa.count(element) >= 13 else ""
        out.write(f"IEA{element}{out.groups}{element}{control}")
        out.isa = None


def split(
    blocks: Iterable[tuple[int, str, str]],
    result: GateResult,
    clean: BinaryIO,
    held: BinaryIO,
    terminator: str,
    suffix: str,
) -> None:
    """Pass 2 over ``blocks`` (index, key, text), writing both outputs."""
    splitter = _Splitter(
        {verdict.segment_index for verdict in result.held},
        result,
        {CLEAN: clean, HELD: held},
        terminator,
        suffix,
    )
    splitter.run(blocks)
    result.dropped_segments = splitter.dropped
    result.written = {name: out.written for name, out in splitter.outputs.items()}


def segments(stream: BinaryIO, name: str) -> Iterator[tuple[int, str, str]]:
    """Every segment of the input as (index, block key, text)."""
    for block in read_segments(stream, name):
        first = block.first_index
        for k, (key, text) in enumerate(zip(block.keys, block.texts, strict=True)):
            yield first + k, key, text


def line_style(head: bytes) -> tuple[str, str]:
    """The segment terminator and what follows it (a line break or nothing).

    Read from the ISA, whose 106th character is the terminator; outputs
    write segments the same way.
    """
    text = head.decode("latin-1")
    start = text.find("ISA")
    if start < 0 or len(text) < start + 106:
        return "~", "\n"
    terminator = text[start + 105]
    after = text[start + 106 : start + 108]
    if after.startswith("\r\n"):
        return terminator, "\r\n"
    if after[:1] in ("\n", "\r") and after[:1] != terminator:
        return terminator, after[:1]
    return terminator, ""
