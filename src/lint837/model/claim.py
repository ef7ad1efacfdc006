"""The claim model: billing provider, subscriber, patient, claim, lines.

Objects are built from the HL hierarchy while the file streams past, but
hold only the spans of segments they cover; every field is read from its
segment the first time it is asked for. A rule that never looks at a field
costs nothing for it, and any finding can point back at the raw segment.

Names, member ids and birth dates are protected health information: they
are reachable here for the user's own code, but no ``repr`` shows them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from itertools import compress, pairwise
from typing import NamedTuple

from lint837.model.envelope import TransactionSet
from lint837.model.loops import Index, index, label_positions
from lint837.model.memo import cached
from lint837.reader import Block, Segment, display

DIAGNOSIS_QUALIFIERS = frozenset({"ABK", "ABF", "BK", "BF"})
SERVICE_DATE = "472"
PRIOR_AUTHORIZATION = "G1"
REFERRAL = "9F"
ORIGINAL_REFERENCE = "F8"


@lru_cache(maxsize=4096)
def to_decimal(text: str) -> Decimal | None:
    """An X12 numeric value (R or N type) as a Decimal, None if not a number."""
    if not text:
        return None

    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


@lru_cache(maxsize=4096)
def to_date(text: str) -> datetime.date | None:
    """A CCYYMMDD value as a date, None if it is not a real date."""
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class ServiceFields:
    """What SV1 says, parsed once per distinct SV1 text."""

    qualifier: str = ""
    code: str = ""
    modifiers: tuple[str, ...] = ()
    charge: Decimal | None = None
    unit_basis: str = ""
    units_text: str = ""
    units: Decimal | None = None
    place: str = ""
    pointers: tuple[str, ...] = ()


NO_SERVICE = ServiceFields()


@lru_cache(maxsize=16384)
def parse_service(text: str, element: str, component: str) -> ServiceFields:
    """The fields of an SV1 segment (claims repeat the same SV1 text often)."""
    elements = text.split(element)
    elements += [""] * (8 - len(elements))
    procedure = elements[1].split(component)
    procedure += [""] * (2 - len(procedure))

    return ServiceFields(
        qualifier=procedure[0],
        code=procedure[1],
        modifiers=tuple(value for value in procedure[2:6] if value),
        charge=to_decimal(elements[2]),
        unit_basis=elements[3],
        units_text=elements[4],
        units=to_decimal(elements[4]),
        place=elements[5],
        pointers=tuple(value for value in elements[7].split(component) if value),
    )


@dataclass(frozen=True, slots=True)
class LineFacts:
    """What the batch rules read of a service line, from its raw texts.

    Batch rules run on every claim billing their codes, even when every
    other rule is skipped (see lint837.rules.keys); reading these from the
    texts spares building the claim's lines. ``ordinal`` is the line's
    place in :attr:`Claim.lines`, for reporting through the model.
    """

    ordinal: int
    number: str  # LX01
    fields: ServiceFields  # its first SV1
    date: datetime.date | None  # the first date of DTP*472
    dated_at: tuple[Block, int] | None  # where that DTP*472 is


@lru_cache(maxsize=4096)
def _first_date(text: str, element: str) -> datetime.date | None:
    """The first date of a DTP text's DTP03 (claims repeat dates often)."""
    parts = text.split(element, 4)
    return to_date(parts[3].partition("-")[0]) if len(parts) > 3 else None


@lru_cache(maxsize=4096)
def _codes_of(
    service_texts: tuple[str, ...], element: str, component: str
) -> frozenset[str]:
    return frozenset(
        parse_service(text, element, component).code
        for text in service_texts
        if text.startswith("SV1")
    )


class Loop:
    """A run of segments that belong together, kept as spans of blocks.

    The first segment of the first span opens the loop (HL, CLM, LX).
    Lookups go through an index of (loop, segment id) built once from the
    block keys; a Segment is made only for what a caller asks for.
    """

    level = ""

    def __init__(self) -> None:
        self.spans: list[tuple[Block, int, int]] = []

    @property
    def own_spans(self) -> list[tuple[Block, int, int]]:
        """The spans this loop indexes (a claim leaves out its lines)."""
        return self.spans

    @cached
    def opening(self) -> Segment:
        """The segment that opened this loop."""
        block, start, _ = self.spans[0]
        return block.segment(start)

    @cached
    def segments(self) -> list[Segment]:
        """Every segment of this loop and the loops nested in it, in order."""
        found: list[Segment] = []
        for block, start, stop in self.own_spans:
            found.extend(block.segments(start, stop))
        return found

    @cached
    def index(self) -> Index:
        """Where each (loop, segment id) sits, in file order."""
        return index(self.level, self.own_spans)

    @cached
    def labelled(self) -> list[tuple[str, Segment]]:
        """Each segment with the implementation-guide loop it sits in."""
        return [
            (loop, block.segment(k))
            for loop, _, block, k in label_positions(self.level, self.own_spans)
        ]

    def loop_of(self, segment: Segment) -> str:
        """The loop id (``"2310B"``, ``"2410"``...) of one of our segments."""
        found = self.find_loop(segment)
        return found if found is not None else self.level

    def find_loop(self, segment: Segment) -> str | None:
        """The loop id of ``segment`` if it is one of ours, else None."""
        for loop, _, block, k in label_positions(self.level, self.own_spans):
            if block.first_index + k == segment.index:
                return loop
        return None

    def scan(self, segment_id: str, qualifier: str = "") -> Segment | None:
        """The first ``segment_id`` anywhere in the loop, by a raw scan.

        Cheaper than the index for segments that occur in one loop only
        (SBR in 2000B, HI in 2300); element 1 must equal ``qualifier``.
        """
        found = self.scan_at(segment_id, qualifier)
        return found[0].segment(found[1]) if found is not None else None

    def scan_text(self, segment_id: str, qualifier: str = "") -> str | None:
        """The text of the first ``segment_id`` (element 1 = ``qualifier``).

        What :meth:`scan` finds, as a plain string.
        """
        found = self.scan_at(segment_id, qualifier)
        return found[0].texts[found[1]] if found is not None else None

    def scan_element(
        self, segment_id: str, qualifier: str, position: int
    ) -> str | None:
        """Element ``position`` of what :meth:`scan` finds ("" when absent),
        None when it finds nothing; no Segment is made."""
        found = self.scan_at(segment_id, qualifier)
        if found is None:
            return None
        block, k = found
        elements = block.texts[k].split(block.delimiters.element, position + 1)
        return elements[position] if position < len(elements) else ""

    def scan_at(self, segment_id: str, qualifier: str = "") -> tuple[Block, int] | None:
        """Where :meth:`scan` finds its segment, searched at C speed."""
        for block, start, stop in self.own_spans:
            element = block.delimiters.element
            key = segment_id if len(segment_id) == 3 else segment_id + element
            prefix = segment_id + element + qualifier + element
            keys, texts = block.keys, block.texts
            k = start
            while True:
                try:
                    k = keys.index(key, k, stop)
                except ValueError:
                    break
                if not qualifier or texts[k].startswith(prefix):
                    return block, k
                k += 1
        return None

    def scan_all(self, segment_id: str) -> list[Segment]:
        """Every ``segment_id`` anywhere in the loop, by a raw scan."""
        found = []
        for block, start, stop in self.own_spans:
            element = block.delimiters.element
            key = segment_id if len(segment_id) == 3 else segment_id + element
            keys = block.keys
            found += [block.segment(k) for k in range(start, stop) if keys[k] == key]

        return found

    def holds(self, segment_id: str) -> bool:
        """Whether the loop has a ``segment_id`` segment (a raw scan)."""
        for block, start, stop in self.own_spans:
            key = (
                segment_id
                if len(segment_id) == 3
                else segment_id + block.delimiters.element
            )
            if key in block.keys[start:stop]:
                return True
        return False

    def in_loop(self, loop: str, segment_id: str) -> list[Segment]:
        """Segments with ``segment_id`` that sit directly in ``loop``."""
        return [block.segment(k) for block, k in self.index.get((loop, segment_id), ())]

    def first(self, loop: str, segment_id: str, qualifier: str = "") -> Segment | None:
        """The first ``segment_id`` in ``loop`` (with element 1 = qualifier)."""
        for block, k in self.index.get((loop, segment_id), ()):
            if not qualifier:
                return block.segment(k)
            parts = block.texts[k].split(block.delimiters.element, 2)
            if len(parts) > 1 and parts[1] == qualifier:
                return block.segment(k)
        return None


@dataclass(frozen=True, slots=True)
class Party:
    """An NM1 entity: a provider, a subscriber, a patient, a payer."""

    segment: Segment

    @property
    def entity(self) -> str:
        return self.segment.get(1)

    @property
    def last_name(self) -> str:
        """NM103: organization or last name (PHI for a person)."""
        return display(self.segment.get(3))

    @property
    def first_name(self) -> str:
        """NM104 (PHI for a person)."""
        return display(self.segment.get(4))

    @property
    def id_qualifier(self) -> str:
        return self.segment.get(8)

    @property
    def id(self) -> str:
        """NM109: NPI, member id, payer id... (a member id is PHI)."""
        return self.segment.get(9)

    def __repr__(self) -> str:
        return f"Party(entity={self.entity!r}, segment={self.segment.index})"


@dataclass(frozen=True, slots=True)
class Reference:
    """A REF segment: qualifier (REF01) and value (REF02)."""

    segment: Segment

    @property
    def qualifier(self) -> str:
        return self.segment.get(1)

    @property
    def value(self) -> str:
        return self.segment.get(2)


class Diagnosis(NamedTuple):
    """One code of the claim's diagnosis HI, in order (pointer = position)."""

    position: int  # 1-based, what SV107 points at
    qualifier: str  # ABK principal, ABF other (ICD-10-CM)
    code: str
    segment: Segment
    element: int  # HI element number (1 for HI01)


@lru_cache(maxsize=16384)
def parse_diagnoses(
    text: str, element: str, component: str
) -> tuple[tuple[int, str, str], ...]:
    """(element number, qualifier, code) of each filled element of an HI text."""
    found = []
    for number, value in enumerate(text.split(element)[1:], start=1):
        parts = value.split(component)
        if len(parts) >= 2 or parts[0]:
            found.append((number, parts[0], parts[1] if len(parts) > 1 else ""))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class ServiceDate:
    """DTP*472: a single date (D8) or a range (RD8)."""

    segment: Segment

    @property
    def qualifier(self) -> str:
        return self.segment.get(2)

    @property
    def text(self) -> str:
        return self.segment.get(3)

    @property
    def start(self) -> datetime.date | None:
        return to_date(self.text.partition("-")[0])

    @property
    def end(self) -> datetime.date | None:
        """The last date of service (the start for D8)."""
        if self.qualifier == "RD8":
            return to_date(self.text.partition("-")[2])
        return self.start


@dataclass(frozen=True, slots=True)
class DrugIdentification:
    """Loop 2410: LIN (NDC) and CTP (quantity and unit)."""

    lin: Segment
    ctp: Segment | None

    @property
    def qualifier(self) -> str:
        """LIN02, N4 for an 11-digit NDC."""
        return self.lin.get(2)

    @property
    def ndc(self) -> str:
        return self.lin.get(3)

    @property
    def quantity_text(self) -> str:
        return self.ctp.get(4) if self.ctp is not None else ""

    @property
    def quantity(self) -> Decimal | None:
        return to_decimal(self.quantity_text)

    @property
    def unit(self) -> str:
        """CTP05-1: F2, GR, ME, ML or UN."""
        return self.ctp.component(5, 1) if self.ctp is not None else ""


class BillingProvider(Loop):
    """Loop 2000A and its 2010A loops."""

    level = "2000A"

    @property
    def hl(self) -> Segment:
        return self.opening

    @property
    def hl_id(self) -> str:
        return self.hl.get(1)

    @cached
    def party(self) -> Party | None:
        """NM1*85 in 2010AA: the billing provider."""
        segment = self.first("2010AA", "NM1", "85")
        return Party(segment) if segment is not None else None

    @cached
    def npi(self) -> str:
        """NM109 of the billing provider when NM108 is XX (an NPI).

        Kept: the builder closes a provider's loop before the first claim
        under it is yielded, and never extends it after.
        """
        party = self.party
        return party.id if party is not None and party.id_qualifier == "XX" else ""


class Subscriber(Loop):
    """Loop 2000B: SBR, the subscriber (2010BA) and the payer (2010BB)."""

    level = "2000B"

    def __init__(self, hl_id: str, billing_provider: BillingProvider | None) -> None:
        self.spans = []
        self.hl_id = hl_id
        self.billing_provider = billing_provider

    @property
    def hl(self) -> Segment:
        return self.opening

    @cached
    def sbr(self) -> Segment | None:
        return self.scan("SBR")  # SBR occurs in 2000B only

    @property
    def filing_indicator(self) -> str:
        """SBR09, the claim filing indicator (MB Medicare B, MC Medicaid...)."""
        return self.sbr.get(9) if self.sbr is not None else ""

    @cached
    def party(self) -> Party | None:
        """NM1*IL, the subscriber (PHI)."""
        segment = self.scan("NM1", "IL")  # NM1*IL occurs in 2010BA only
        return Party(segment) if segment is not None else None

    @cached
    def payer(self) -> Party | None:
        """The 2010BB payer: NM1*PR, else the NM1 that follows NM1*IL.

        A payer NM1 with the wrong entity code is still the payer loop's
        NM1 by its place, so rules can say what is wrong with it.
        """
        segment = self.scan("NM1", "PR") or self.first("2010BB", "NM1")

        if segment is None:
            names = [
                pos
                for (_, sid), found in self.index.items()
                if sid == "NM1"
                for pos in found
            ]
            names.sort(key=lambda position: position[0].first_index + position[1])
            segment = names[1][0].segment(names[1][1]) if len(names) > 1 else None

        return Party(segment) if segment is not None else None

    @cached
    def demographics(self) -> Segment | None:
        """DMG: birth date and gender (PHI)."""
        return self.scan("DMG")  # DMG occurs in 2010BA only

    @property
    def is_patient(self) -> bool:
        """SBR02 = 18: the subscriber is the patient (no 2000C)."""
        return self.sbr is not None and self.sbr.get(2) == "18"


class Patient(Loop):
    """Loop 2000C: the patient when it is not the subscriber."""

    level = "2000C"

    def __init__(self, subscriber: Subscriber | None) -> None:
        self.spans = []
        self.subscriber = subscriber

    @property
    def hl(self) -> Segment:
        return self.opening

    @cached
    def party(self) -> Party | None:
        """NM1*QC, the patient (PHI)."""
        segment = self.scan("NM1", "QC")  # NM1*QC occurs in 2010CA only
        return Party(segment) if segment is not None else None

    @cached
    def demographics(self) -> Segment | None:
        return self.scan("DMG")  # DMG occurs in 2010CA only


class Claim(Loop):
    """Loop 2300 with its 2310/2320/2330 loops, and its service lines.

    The builder gives a claim one run of spans, CLM to the end of its last
    line; the lines are cut out at their LX segments when first asked for.
    """

    level = "2300"

    def __init__(
        self,
        transaction: TransactionSet,
        subscriber: Subscriber | None,
        patient: Patient | None,
    ) -> None:
        self.spans = []
        self.transaction = transaction
        self.subscriber = subscriber
        self.patient = patient

    def __repr__(self) -> str:
        return f"Claim({self.id!r}, segment={self.clm.index})"

    @property
    def clm(self) -> Segment:
        return self.opening

    @cached
    def raw(self) -> tuple[list[str], list[str]]:
        """Block keys and texts of every segment from CLM to the end of the
        last line, as plain strings (no Segment is made).

        For checks that only compare texts, such as the engine's verdict
        keys; a claim usually sits in one block, so this is two slices.
        """
        if len(self.spans) == 1:
            block, start, stop = self.spans[0]
            return block.keys[start:stop], block.texts[start:stop]

        keys: list[str] = []
        texts: list[str] = []
        for block, start, stop in self.spans:
            keys += block.keys[start:stop]
            texts += block.texts[start:stop]
        return keys, texts

    @cached
    def service_texts(self) -> tuple[str, ...]:
        """The LX and SV1 texts in file order: the lines' layout, raw."""
        keys, texts = self.raw
        wanted = {"SV1", "LX" + self.spans[0][0].delimiters.element}
        return tuple(compress(texts, map(wanted.__contains__, keys)))

    @cached
    def billed_codes(self) -> frozenset[str]:
        """The SV101-2 code of every SV1 in the claim, read from the raw texts.

        The same as :attr:`procedure_codes` unless a line holds two SV1
        segments, without cutting the claim into lines.
        """
        delimiters = self.spans[0][0].delimiters
        return _codes_of(self.service_texts, delimiters.element, delimiters.component)

    @cached
    def held_keys(self) -> frozenset[str]:
        """Block keys of every segment from CLM to the end of the last line."""
        return frozenset(self.raw[0])

    @cached
    def _parts(self) -> tuple[list[tuple[Block, int, int]], list[ServiceLine]]:
        """One pass over the claim: header spans and lines.

        Lines are cut at LX; each line's SV1 is parsed here, since every
        claim rule needs the codes and most need the charges or pointers.
        """
        header: list[tuple[Block, int, int]] = []
        lines: list[ServiceLine] = []
        # Segments go to the header until the first LX, then to the current line.
        spans = header
        line: ServiceLine | None = None

        for block, start, stop in self.spans:
            keys, texts = block.keys, block.texts
            delimiters = block.delimiters
            element = delimiters.element
            lx = "LX" + element
            cut = start

            for k in range(start, stop):
                key = keys[k]
                if key == lx:
                    if k > cut:
                        spans.append((block, cut, k))
                    line = ServiceLine(self)
                    lines.append(line)
                    spans = line.spans
                    cut = k
                elif key == "SV1" and line is not None and line.sv1_at is None:
                    line.sv1_at = (block, k)
                    line.take(parse_service(texts[k], element, delimiters.component))

            if stop > cut:
                spans.append((block, cut, stop))

        return header, lines

    @property
    def own_spans(self) -> list[tuple[Block, int, int]]:
        """2300 and its 2310/2320/2330 loops: the lines are not the claim's."""
        return self._parts[0]

    @property
    def lines(self) -> list[ServiceLine]:
        """The service lines (loop 2400), in file order."""
        return self._parts[1]

    @cached
    def procedure_codes(self) -> frozenset[str]:
        """Every SV101-2 code the claim bills."""
        return frozenset(self.lines_by_code)

    @cached
    def lines_by_code(self) -> dict[str, list[ServiceLine]]:
        """The claim's lines by their SV101-2 procedure code, in order."""
        found: dict[str, list[ServiceLine]] = {}
        for line in self.lines:
            found.setdefault(line.code, []).append(line)
        return found

    @cached
    def line_facts(self) -> tuple[LineFacts, ...]:
        """Each line's LX01, first SV1 and date of service, read from the texts.

        The same values as :attr:`lines` gives (a test holds them equal),
        without building the lines: a DTP*472 is looked for where
        :attr:`ServiceLine.service_date` finds it first, right after the
        LX; anywhere else, the line is asked.
        """
        found: list[LineFacts] = []
        for block, start, stop in self.spans:
            keys, texts = block.keys, block.texts
            element, component = block.delimiters.element, block.delimiters.component
            lx, dated = "LX" + element, f"DTP{element}{SERVICE_DATE}{element}"
            # Where each LX of the span is (found at C speed); a line ends
            # at the next LX.
            cuts = list(compress(range(start, stop), map(lx.__eq__, keys[start:stop])))
            cuts.append(stop)
            for k, end in pairwise(cuts):
                # The usual layout, LX SV1 DTP*472, read inline; else in full.
                if (
                    k + 2 < end
                    and keys[k + 1] == "SV1"
                    and texts[k + 2].startswith(dated)
                ):
                    parts = texts[k].split(element, 2)
                    fact = LineFacts(
                        len(found),
                        parts[1] if len(parts) > 1 else "",
                        parse_service(texts[k + 1], element, component),
                        _first_date(texts[k + 2], element),
                        (block, k + 2),
                    )
                else:
                    fact = self._line_facts(len(found), block, k, end, dated)
                found.append(fact)
        return tuple(found)

    def _line_facts(
        self, ordinal: int, block: Block, start: int, stop: int, dated: str
    ) -> LineFacts:
        keys, texts = block.keys, block.texts
        element, component = block.delimiters.element, block.delimiters.component
        parts = texts[start].split(element, 2)
        number = parts[1] if len(parts) > 1 else ""
        fields = NO_SERVICE
        for k in range(start + 1, stop):
            if keys[k] == "SV1":
                fields = parse_service(texts[k], element, component)
                break
        if fields is NO_SERVICE:  # none, or in the next block: the line knows
            fields = self.lines[ordinal].fields
        for k in range(start + 1, min(stop, start + 4)):
            if texts[k].startswith(dated):
                date = _first_date(texts[k], element)
                return LineFacts(ordinal, number, fields, date, (block, k))
        line = self.lines[ordinal]  # not in its usual place: the line knows
        service = line.service_date
        if service is None:
            return LineFacts(ordinal, number, fields, None, None)
        segment = service.segment
        at = (segment.block, segment.index - segment.block.first_index)
        return LineFacts(ordinal, number, fields, line.date, at)

    @cached
    def id(self) -> str:
        """CLM01, the patient control number the submitter assigned."""
        return self.clm.get(1)

    @property
    def billing_provider(self) -> BillingProvider | None:
        """The 2000A billing provider above the claim's subscriber."""
        subscriber = self.subscriber
        return subscriber.billing_provider if subscriber is not None else None

    @property
    def payer(self) -> Party | None:
        return self.subscriber.payer if self.subscriber is not None else None

    @cached
    def payer_id(self) -> str:
        """NM109 of the 2010BB payer: what payer policies are keyed by."""
        subscriber = self.subscriber
        if subscriber is None:
            return ""
        found = subscriber.scan_element("NM1", "PR", 9)  # what payer finds first
        if found is not None:
            return found
        payer = subscriber.payer
        return payer.id if payer is not None else ""

    @property
    def filing_indicator(self) -> str:
        """SBR09 of the claim's subscriber loop."""
        subscriber = self.subscriber
        return subscriber.filing_indicator if subscriber is not None else ""

    @property
    def patient_party(self) -> Party | None:
        """The person treated: the 2000C patient, else the subscriber (PHI)."""
        if self.patient is not None:
            return self.patient.party
        return self.subscriber.party if self.subscriber is not None else None

    @cached
    def patient_identity(self) -> tuple[str, ...]:
        """Who the claim is for, as a key (PHI: for comparing, never showing).

        The payer id and the subscriber's member id, plus the 2000C
        patient's name and birth date when the patient is a dependent.
        """
        subscriber = self.subscriber
        # NM109 of the subscriber's party (NM1*IL), read off its text.
        member = subscriber.scan_element("NM1", "IL", 9) if subscriber else None
        member = member or ""
        patient = self.patient
        if patient is None or patient.party is None:
            return (self.payer_id, member)

        birth = patient.demographics.get(2) if patient.demographics is not None else ""
        party = patient.party
        return (self.payer_id, member, party.last_name, party.first_name, birth)

    @property
    def total_charge(self) -> Decimal | None:
        return to_decimal(self.clm.get(2))

    @property
    def place_of_service(self) -> str:
        """CLM05-1, the facility code (place of service)."""
        return self.clm.component(5, 1)

    @property
    def frequency(self) -> str:
        """CLM05-3, 1 original, 7 replacement, 8 void."""
        return self.clm.component(5, 3)

    @cached
    def references(self) -> list[Reference]:
        """The REF segments of loop 2300 itself (not of 2310/2330 loops)."""
        if not self.holds("REF"):
            return []
        return [Reference(segment) for segment in self.in_loop("2300", "REF")]

    def references_of(self, qualifier: str) -> list[Reference]:
        """The 2300 REF segments with REF01 = ``qualifier``."""
        return [ref for ref in self.references if ref.qualifier == qualifier]

    @property
    def prior_authorizations(self) -> list[Reference]:
        """2300 REF*G1, which applies to every line of the claim."""
        return self.references_of(PRIOR_AUTHORIZATION)

    @property
    def referrals(self) -> list[Reference]:
        return self.references_of(REFERRAL)

    @property
    def original_references(self) -> list[Reference]:
        """REF*F8, the payer claim control number a replacement refers to."""
        return self.references_of(ORIGINAL_REFERENCE)

    @property
    def paperwork(self) -> list[Segment]:
        return self.in_loop("2300", "PWK")

    @cached
    def diagnosis_segment(self) -> Segment | None:
        """The HI that carries diagnoses (ABK/ABF), not condition codes."""
        for segment in self.scan_all("HI"):  # HI occurs in 2300 only
            if segment.component(1, 1) in DIAGNOSIS_QUALIFIERS:
                return segment
        return None

    @cached
    def diagnoses(self) -> list[Diagnosis]:
        """The diagnosis codes in order; a pointer names a code's position."""
        segment = self.diagnosis_segment
        if segment is None:
            return []

        # The position is the HI element number, so a skipped empty one shifts none.
        delimiters = segment.delimiters
        parsed = parse_diagnoses(segment.text, delimiters.element, delimiters.component)
        return [
            Diagnosis(number, qualifier, code, segment, number)
            for number, qualifier, code in parsed
        ]

    def diagnosis_at(self, pointer: str) -> Diagnosis | None:
        """The diagnosis an SV107 pointer names (HI01 is 1), or None."""
        if not pointer.isdigit():
            return None

        position = int(pointer)
        for diagnosis in self.diagnoses:
            if diagnosis.position == position:
                return diagnosis
        return None

    @cached
    def rendering_provider(self) -> Party | None:
        """NM1*82 in 2310B: the rendering provider of the claim."""
        segment = self.first("2310B", "NM1", "82")
        return Party(segment) if segment is not None else None

    def all_segments(self) -> Iterator[Segment]:
        """The claim's segments from CLM to the end of its last line."""
        yield from self.segments
        for line in self.lines:
            yield from line.segments


class ServiceLine(Loop):
    """Loop 2400 with its 2410 (drug), 2420, 2430 and 2440 loops."""

    level = "2400"

    def __init__(self, claim: Claim) -> None:
        self.spans = []
        self.claim = claim
        self.sv1_at: tuple[Block, int] | None = None
        self.take(NO_SERVICE)

    def take(self, fields: ServiceFields) -> None:
        """Take the line's SV1 fields (plain attributes: rules read them a lot)."""
        self.fields = fields
        self.qualifier = fields.qualifier  # SV101-1: HC for HCPCS/CPT
        self.code = fields.code  # SV101-2: J3420, 96372...
        self.modifiers = list(fields.modifiers)  # SV101-3..6, empty ones left out
        self.charge = fields.charge  # SV102
        self.unit_basis = fields.unit_basis  # SV103: UN units, MJ minutes
        self.units_text = fields.units_text  # SV104 as sent
        self.units = fields.units  # SV104 as a Decimal, None if not a number
        self.pointers = list(fields.pointers)  # SV107, empty ones left out

    @property
    def lx(self) -> Segment:
        return self.opening

    def __repr__(self) -> str:
        return f"ServiceLine({self.number!r}, code={self.code!r})"

    @property
    def number(self) -> str:
        """LX01, the line number."""
        return self.lx.get(1)

    @cached
    def sv1(self) -> Segment | None:
        """The line's SV1 segment, found where the lines were cut."""
        if self.sv1_at is None:
            return None
        block, k = self.sv1_at
        return block.segment(k)

    @cached
    def procedure(self) -> list[str]:
        """SV101 components: qualifier, code, up to four modifiers, ..."""
        return self.sv1.components(1) if self.sv1 is not None else []

    @property
    def place_of_service(self) -> str:
        """SV105 when given, else the claim's CLM05-1."""
        return self.fields.place or self.claim.place_of_service

    @cached
    def service_date(self) -> ServiceDate | None:
        """DTP*472 of the line: its date of service."""
        block, start, stop = self.spans[0]
        keys, texts = block.keys, block.texts
        prefix = "DTP" + block.delimiters.element + SERVICE_DATE
        for k in range(start + 1, min(stop, start + 4)):
            if keys[k] == "DTP" and texts[k].startswith(prefix):
                return ServiceDate(block.segment(k))  # the usual place: after SV1

        segment = self.first("2400", "DTP", SERVICE_DATE)
        return ServiceDate(segment) if segment is not None else None

    @cached
    def date(self) -> datetime.date | None:
        """The first date of service."""
        return self.service_date.start if self.service_date is not None else None

    @cached
    def references(self) -> list[Reference]:
        """The REF segments of loop 2400 (not of 2410 or 2420)."""
        if not self.holds("REF"):
            return []
        return [Reference(segment) for segment in self.in_loop("2400", "REF")]

    @property
    def prior_authorizations(self) -> list[Reference]:
        """2400 REF*G1: only where the line's number differs from 2300's."""
        return [ref for ref in self.references if ref.qualifier == PRIOR_AUTHORIZATION]

    @cached
    def drug(self) -> DrugIdentification | None:
        """Loop 2410: the NDC (LIN) and its quantity (CTP), or None."""
        lin = self.scan("LIN")  # LIN and CTP occur in loop 2410 only
        if lin is None:
            return None
        return DrugIdentification(lin, self.scan("CTP"))

    @cached
    def rendering_provider(self) -> Party | None:
        """NM1*82 in 2420A: a rendering provider for this line only."""
        segment = self.first("2420A", "NM1", "82")
        return Party(segment) if segment is not None else None

    def same_day_lines(self) -> list[ServiceLine]:
        """The claim's other lines with the same first date of service."""
        date = self.date
        return [
            line
            for line in self.claim.lines
            if line is not self and date is not None and line.date == date
        ]
