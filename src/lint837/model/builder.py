"""Stage 2 of the flow: blocks of segments in, claims and envelopes out.

The builder walks the segment keys once and acts only at the boundaries
that open a new model object: the envelope segments, HL, CLM and LX. Every
other segment just extends the object that is open, as a span of its block.
A claim is yielded as soon as the next boundary closes it, so memory holds
one claim at a time, whatever the size of the file.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from itertools import compress, count

from lint837.model.claim import (
    BillingProvider,
    Claim,
    Loop,
    Patient,
    Subscriber,
)
from lint837.model.envelope import (
    FunctionalGroup,
    Interchange,
    IssueKind,
    StructureIssue,
    TransactionSet,
)
from lint837.reader import Block, Delimiters, Segment

logger = logging.getLogger(__name__)

Event = Claim | TransactionSet | FunctionalGroup | Interchange | StructureIssue

# Segment ids of the 005010X222A1 guide (loops 1000A to 2440 and envelopes).
SEGMENT_IDS = frozenset(
    (
        "ISA IEA GS GE ST SE BHT NM1 PER HL PRV CUR N3 N4 REF SBR PAT DMG CLM "
        "DTP PWK CN1 AMT K3 NTE CR1 CR2 CRC HI HCP CAS OI MOA LX SV1 SV5 CR3 "
        "QTY MEA PS1 LIN CTP SVD LQ FRM"
    ).split()
)
ENVELOPE_IDS = ("ISA", "IEA", "GS", "GE", "ST", "SE")
BOUNDARY_IDS = (*ENVELOPE_IDS, "HL", "CLM", "BHT")
# Billing providers are few per file; a bound keeps a hostile file in check.
_PROVIDERS_KEPT = 256


_Handler = Callable[[Block, int], None]
_Table = dict[str, _Handler | None]


class _Stray(Loop):
    """Collects segments that arrive where no model object is open."""

    level = "ST"


def key_of(segment_id: str, element: str) -> str:
    """The three-character block key of a segment id."""
    return segment_id if len(segment_id) >= 3 else segment_id + element


def _kept(block: Block, k: int) -> Segment:
    """Segment ``k`` copied out, for an object that outlives the chunk."""
    return block.extract(k, k + 1).segment(0)


def build(blocks: Iterable[Block]) -> Iterator[Event]:
    """Turn a stream of blocks into claims, envelopes and structure issues."""
    return _Builder().run(blocks)


class _Builder:
    def __init__(self) -> None:
        self.out: list[Event] = []
        self.interchange: Interchange | None = None
        self.group: FunctionalGroup | None = None
        self.transaction: TransactionSet | None = None

        self.providers: OrderedDict[str, BillingProvider] = OrderedDict()
        self.subscriber: Subscriber | None = None
        self.patient: Patient | None = None
        self.claim: Claim | None = None

        self.open: Loop | None = _Stray()
        self.span_start = 0
        self.in_scope = False

        self.tables: dict[tuple[str, bool], _Table] = {}
        self.table: _Table = {}
        self.default: _Handler | None = self._unknown
        self.boundary_element = ""
        self.boundary_keys: frozenset[str] = frozenset()
        self.known_keys: frozenset[str] = frozenset()

    # -- the walk --------------------------------------------------------

    def run(self, blocks: Iterable[Block]) -> Iterator[Event]:
        out = self.out
        block: Block | None = None

        for block in blocks:
            self.span_start = 0
            self._retable(block.delimiters)
            keys = block.keys
            distinct = block.key_set if block.key_set is not None else keys
            if self.known_keys.issuperset(distinct):
                # Every segment is an 837P one: visit only the boundaries.
                is_boundary = self.boundary_keys.__contains__
                positions: Iterable[int] = compress(count(), map(is_boundary, keys))
            else:
                positions = range(len(keys))

            for k in positions:
                handler = self.table.get(keys[k], self.default)
                if handler is None:
                    continue
                handler(block, k)
                if out:
                    yield from out
                    out.clear()

            # The open object goes on in the next block; its span in this one ends here.
            self._switch(block, len(block), self.open)

        self._finish(block)
        yield from out
        out.clear()

    def _retable(self, delimiters: Delimiters) -> None:
        """Pick the dispatch table for the current state.

        Inside an in-scope transaction every 837P segment id has an entry
        and anything else goes to ``_unknown``. Inside a transaction that is
        out of scope only the envelope segments matter.
        """
        key = (delimiters.element, self.in_scope)
        table = self.tables.get(key)
        if table is None:
            table = self.tables[key] = self._make_table(delimiters.element)
        self.table = table

        element = delimiters.element
        if self.boundary_element != element:
            self.boundary_element = element
            self.boundary_keys = frozenset(key_of(i, element) for i in BOUNDARY_IDS)
            self.known_keys = frozenset(key_of(i, element) for i in SEGMENT_IDS)

        skipping = self.transaction is not None and not self.in_scope
        self.default = None if skipping else self._unknown

    def _make_table(self, element: str) -> _Table:
        handlers: dict[str, _Handler] = {
            "ISA": self._isa,
            "IEA": self._iea,
            "GS": self._gs,
            "GE": self._ge,
            "ST": self._st,
            "SE": self._se,
        }

        plain: frozenset[str] = frozenset()
        if self.in_scope:
            handlers.update(HL=self._hl, CLM=self._clm, BHT=self._bht)
            plain = SEGMENT_IDS.difference(handlers)

        table: _Table = {key_of(segment_id, element): None for segment_id in plain}
        table.update({key_of(sid, element): h for sid, h in handlers.items()})
        return table

    def _unknown(self, block: Block, k: int) -> None:
        """A key the table does not know: a bare short id, or not 837P."""
        segment = block.segment(k)
        segment_id = segment.id
        key = key_of(segment_id, block.delimiters.element)

        if key != block.keys[k] and key in self.table:
            handler = self.table[key]  # a two-letter id with no elements
            if handler is not None:
                handler(block, k)
            return

        if self.transaction is None:
            return  # outside any transaction: reported as stray by its span
        if 2 <= len(segment_id) <= 3 and segment_id.isalnum() and segment_id.isupper():
            self._issue(IssueKind.UNKNOWN_SEGMENT, segment, segment_id)
        else:
            self._issue(IssueKind.MALFORMED_SEGMENT, segment, segment_id[:8])

    # -- spans -------------------------------------------------------------

    def _switch(self, block: Block, k: int, loop: Loop | None) -> None:
        """End the open object's span at ``k``; ``loop`` takes over from ``k``.

        ``None`` drops what follows (the transaction header, which no rule
        reads); a :class:`_Stray` collects segments that have no place.
        """
        current = self.open
        start = self.span_start
        if current is not None and k > start:
            kind = current.__class__
            if kind is not Claim and kind is not _Stray:
                self._lines_outside_claims(block, start, k)
            if kind is BillingProvider:
                # A provider outlives its chunk: keep copies, not the chunk.
                current.spans.append((block.extract(start, k), 0, k - start))
            else:
                current.spans.append((block, start, k))
            if kind is _Stray:
                self._flush_stray(current)

        self.span_start = k
        self.open = loop

    def _flush_stray(self, stray: Loop) -> None:
        for segment in stray.segments:
            self._issue(IssueKind.OUTSIDE_ENVELOPE, segment, segment.id)
        stray.spans.clear()
        stray.__dict__.pop("segments", None)

    def _issue(self, kind: IssueKind, segment: Segment, detail: str = "") -> None:
        self.out.append(StructureIssue(kind, segment, detail, self.transaction))

    def _envelope_segment(self, block: Block, k: int) -> Segment:
        """An envelope segment: it belongs to no model object's span."""
        self._switch(block, k, _Stray())
        self.span_start = k + 1
        return _kept(block, k)

    # -- envelopes ---------------------------------------------------------

    def _isa(self, block: Block, k: int) -> None:
        self._end_interchange(block, k)
        header = self._envelope_segment(block, k)
        self.interchange = Interchange(header, block.delimiters)

    def _iea(self, block: Block, k: int) -> None:
        self._end_group(block, k)
        trailer = self._envelope_segment(block, k)
        if self.interchange is None:
            self._issue(IssueKind.OUTSIDE_ENVELOPE, trailer, "IEA")
            return

        self.interchange.trailer = trailer
        self.out.append(self.interchange)
        self.interchange = None

    def _gs(self, block: Block, k: int) -> None:
        self._end_group(block, k)
        header = self._envelope_segment(block, k)
        interchange = self._require_interchange(block, header)
        interchange.group_count += 1
        self.group = FunctionalGroup(header, interchange)

    def _ge(self, block: Block, k: int) -> None:
        self._end_transaction(block, k)
        trailer = self._envelope_segment(block, k)
        if self.group is None:
            self._issue(IssueKind.OUTSIDE_ENVELOPE, trailer, "GE")
            return

        self.group.trailer = trailer
        self.out.append(self.group)
        self.group = None

    def _st(self, block: Block, k: int) -> None:
        self._end_transaction(block, k)
        header = self._envelope_segment(block, k)

        group = self.group
        if group is None:
            interchange = self._require_interchange(block, header)
            self._issue(IssueKind.MISSING_GROUP, header, "ST")
            group = self.group = FunctionalGroup(None, interchange)

        group.transaction_count += 1
        transaction = TransactionSet(header, group)
        self.transaction = transaction
        self.in_scope = transaction.in_scope
        self.open = None  # BHT, 1000A and 1000B: read through the BHT handler
        self._retable(block.delimiters)

        if not self.in_scope:
            logger.info(
                "segment %d: skipping transaction %s %s (not 837P 005010X222)",
                header.index,
                transaction.code,
                transaction.implementation,
            )

    def _se(self, block: Block, k: int) -> None:
        if self.transaction is None:
            trailer = self._envelope_segment(block, k)
            self._issue(IssueKind.OUTSIDE_ENVELOPE, trailer, "SE")
            return
        self.transaction.trailer = _kept(block, k)
        self._end_transaction(block, k)
        self.span_start = k + 1

    def _bht(self, block: Block, k: int) -> None:
        if self.transaction is not None and self.transaction.beginning is None:
            beginning = self.transaction.beginning = _kept(block, k)
            self.transaction.creation_date = beginning.get(4)

    def _require_interchange(self, block: Block, header: Segment) -> Interchange:
        if self.interchange is None:
            self._issue(IssueKind.MISSING_INTERCHANGE, header, header.id)
            self.interchange = Interchange(None, block.delimiters)
        return self.interchange

    def _end_transaction(self, block: Block, k: int) -> None:
        self._end_claim()
        self._switch(block, k, _Stray())

        transaction = self.transaction
        if transaction is None:
            return

        if transaction.trailer is None:
            transaction.last_index = block.first_index + k - 1
        self.out.append(transaction)
        self.transaction = None
        self.in_scope = False
        self.providers.clear()
        self.subscriber = None
        self.patient = None
        self._retable(block.delimiters)

    def _end_group(self, block: Block, k: int) -> None:
        self._end_transaction(block, k)
        if self.group is not None:
            self.out.append(self.group)
            self.group = None

    def _end_interchange(self, block: Block, k: int) -> None:
        self._end_group(block, k)
        if self.interchange is not None:
            self.out.append(self.interchange)
            self.interchange = None

    def _finish(self, block: Block | None) -> None:
        """End of input: close whatever is still open (a truncated file)."""
        if block is None:
            return
        self._end_interchange(block, len(block))

    # -- hierarchy, claims and lines ----------------------------------------

    def _hl(self, block: Block, k: int) -> None:
        if self.claim is not None:
            self.out.append(self.claim)
            self.claim = None

        fields = block.texts[k].split(block.delimiters.element, 4)
        if len(fields) < 4:
            fields += [""] * (4 - len(fields))
        hl_id, parent_id, level = fields[1], fields[2], fields[3]

        loop: Loop
        if level == "22":
            parent = self.providers.get(parent_id)
            if parent is None:
                self._issue(IssueKind.HL_PARENT, block.segment(k), parent_id)
            loop = self.subscriber = Subscriber(hl_id, parent)
            self.patient = None
        elif level == "23":
            subscriber = self.subscriber
            if subscriber is None or subscriber.hl_id != parent_id:
                self._issue(IssueKind.HL_PARENT, block.segment(k), parent_id)
            loop = self.patient = Patient(subscriber)
        elif level == "20":
            loop = provider = BillingProvider()
            self.providers[hl_id] = provider
            if len(self.providers) > _PROVIDERS_KEPT:
                self.providers.popitem(last=False)
            self.subscriber = self.patient = None
        else:
            self._issue(IssueKind.HL_LEVEL, block.segment(k), level)
            loop = Loop()

        self._switch(block, k, loop)

    def _clm(self, block: Block, k: int) -> None:
        if self.claim is not None:
            self.out.append(self.claim)

        transaction = self.transaction
        assert transaction is not None  # in-scope tables exist only inside ST
        claim = self.claim = Claim(transaction, self.subscriber, self.patient)
        if self.subscriber is None:
            self._issue(IssueKind.CLAIM_WITHOUT_SUBSCRIBER, block.segment(k))
        transaction.claim_count += 1
        self._switch(block, k, claim)

    def _lines_outside_claims(self, block: Block, start: int, stop: int) -> None:
        """LX in an HL level before any CLM: a service line of no claim.

        Inside a claim, lines are cut lazily; LX is no boundary, so the
        spans of the other levels are searched for it as they close.
        """
        lx = "LX" + block.delimiters.element
        keys = block.keys
        if lx in keys[start:stop]:
            for k in range(start, stop):
                if keys[k] == lx:
                    self._issue(IssueKind.LINE_WITHOUT_CLAIM, block.segment(k))

    def _end_claim(self) -> None:
        """Queue the open claim; the caller's switch closes its last span."""
        if self.claim is not None:
            self.out.append(self.claim)
            self.claim = None
