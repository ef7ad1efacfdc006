"""A fast implementation-guide validator, compiled from pyx12's own map.

pyx12 (:mod:`lint837.validation.reference`) walks its map node by node for
every segment, with a counter keyed by path strings; this module reads the
same map files once per process (the 837P map is picked through pyx12's
``maps.xml`` by ISA12, GS08 and GS01, as pyx12 does, so a new map shipped
with pyx12 is picked up without code changes) and compiles them into
plain tables: each segment a tuple of element checks, each loop its
children in the order pyx12 tries them, each counter a slot of one list of
integers. Validation is then lookups per segment, one transaction set at a
time, and reports what pyx12 reports, where it reports it:

* loop entry by segment id and qualifier, segments not found, segments
  and loops marked not used, required segments and loops missing (at the
  segment after the gap), repeat limits of segments and loops;
* element counts, required elements and composites, lengths, data types
  (N, R, DT, TM, ID/AN characters), internal and external code lists,
  the regular expressions of the map, the DTP and 1250/1251 date formats,
  syntax notes (P, R, C, E, L);
* what pyx12's reader checks: empty segments, bad segment ids, trailing
  element separators, HL numbering and parents, 2400 LX numbering, SE
  counts and control numbers.

Where pyx12 drops a problem (errors on the ISA, GS, ST and SE segments
themselves go nowhere in its JSON report), this module drops it too. Where
pyx12 raises instead of reporting (no map for the group, an ISA it cannot
read, a composite with more parts than the map, a trailer with no header
open), this module reports the one engine problem the reference does.

Which node a segment is depends only on where the walk starts, the id and
the qualifier, never on the counters: each walk is planned once and its
steps replayed against the counters of the moment (most walks only count,
when none of the segments they pass is due). A segment's elements are
checked by a memory of texts already checked, then by one pattern per node
that only texts without problems match (the accept path), and only then
one by one; every memory is bounded, so a batch of any size runs in flat
memory. On a generated batch (``tests/batchgen.py``, 1,000 claims a set)
this checks about 30,000 claims a second, cutting included, where pyx12
checks about 600-700.

Only 837P sets on the 005010X222 guide are validated (the rules skip the
others), and pyx12 4.0.0 maps one release of it, 005010X222A1: that is
the map the agreement tests hold. A set of another release gets
:func:`unmapped`'s problem instead; a map a later pyx12 adds for it would
be compiled the same way (the 837I map, 005010X223A2, compiles and agrees
with pyx12 on the public corpus's three 837I files it reads).
"""

from __future__ import annotations

import functools
import logging
import re
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from importlib.resources import files
from typing import Final, NamedTuple

from lint837.validation.codes import ENGINE_FAILURE, NO_MAP, PYX12_VERSION
from lint837.validation.problem import Level, Problem
from lint837.validation.units import MADE_UP, Unit

logger = logging.getLogger(__name__)

_ISA_LENGTH: Final = 106  # pyx12 reads the ISA as this many characters
_ENVELOPE: Final = frozenset({"ISA", "IEA", "GS", "GE", "ST", "SE"})
_TRAILERS: Final = frozenset({"SE", "GE", "IEA"})
# The loop the reference names for a problem of the whole envelope.
_ENVELOPE_LOOPS: Final = {
    Level.INTERCHANGE: "ISA",
    Level.GROUP: "GS",
    Level.TRANSACTION: "ST_LOOP",
}
# Valid segment ids that pyx12's reader does nothing special with (HL, LX and
# CLM are counted; the envelope is tracked).
_PLAIN: Final = frozenset(
    "AMT BHT CAS CN1 CR1 CR2 CR3 CRC CTP DMG DTP FRM HCP HI K3 LIN LQ MEA MOA N2 "
    "N3 N4 NM1 NTE OI PAT PER PRV PS1 PWK QTY REF SBR SV1 SV5 SVD".split()
)
# Ids known to pass pyx12's test of a segment id (_SEGMENT_ID).
_GOOD_IDS: Final = _ENVELOPE | {"HL", "CLM", "LX"}
_UNLIMITED: Final = 1 << 31
_SEGMENT_ID = re.compile(r"[A-Z][A-Z0-9]{1,2}\Z")
_NUMBER = re.compile(r"-?[0-9]+\Z")
_DECIMAL = re.compile(r"-?[0-9]*(\.[0-9]+)?\Z")
# The 5010 extended character set, as pyx12 checks it ("E" charset, 00501).
_BAD_CHARACTER = re.compile(r"""[^A-Z0-9!"&'()*+,\-./:;?= a-z%~@\[\]_{}\\|<>^`#$]""")
_DIGITS = re.compile(r"[0-9]+\Z")
_CONTROL: Final = tuple(
    chr(code) for code in (7, 9, 10, 11, 12, 13, 28, 29, 30, 31, *range(1, 7))
) + tuple(chr(code) for code in range(0x11, 0x18))
_DATE_TYPES: Final = ("RD8", "DT", "D8", "D6")
_DTP_FORMATS: Final = frozenset({"RD8", "D8", "D6", "DT", "TM"})


# --- the compiled map ------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class _Field:
    """One simple element or sub-element, with everything its check needs."""

    ref: str  # "SV101-2": the reference problems carry
    name: str
    usage: str
    data_element: str
    data_type: str
    min_len: int
    max_len: int
    codes: frozenset[str]
    code_list: tuple[str, ...]  # the codes in the map's order
    external: frozenset[str] | None  # an external code list, when the map names one
    checks_codes: bool
    pattern: re.Pattern[str] | None
    required_when_empty: bool
    typed: bool  # its format is another element's code (DTP03, or a 1251)
    # A value this matches in full has no problem at all (a shortcut for
    # free text and numbers; None where codes, dates or patterns decide).
    clean: re.Pattern[str] | None = None
    memo: dict[tuple[str, str, tuple[str, ...]], tuple[_Found, ...]] = field(
        default_factory=dict
    )
    ok: set[str] = field(default_factory=set)  # values found clean, untyped


@dataclass(frozen=True, slots=True, eq=False)
class _Composite:
    """A composite element and its sub-elements."""

    ref: str
    name: str
    usage: str
    parts: tuple[_Field, ...]
    memo: dict[tuple[str | None, str], tuple[_Found, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Key:
    """Where a segment's qualifier sits and the codes that select the node."""

    element: int  # 0-based
    part: int | None  # 0-based sub-element, or None for a simple element
    codes: frozenset[str | None]


class _Node:
    """A segment or loop of the map: built once; only its memory grows, bounded."""

    __slots__ = (
        "accept",
        "children",
        "end",
        "fields",
        "first",
        "id",
        "ids",
        "is_loop",
        "key",
        "limit",
        "loop",
        "memo",
        "missing_text",
        "name",
        "parent",
        "pos",
        "quiet",
        "slot",
        "syntax",
        "type_codes",
        "usage",
        "zeros",
    )

    def __init__(self, kind: str, element: ElementTree.Element, parent: _Node | None):
        self.is_loop = kind != "segment"
        self.id = element.get("xid") or ""
        self.name = _text(element, "name")
        self.usage = _text(element, "usage")
        self.pos = int(_text(element, "pos") or 0)
        self.parent = parent
        self.children: tuple[_Node, ...] = ()
        self.first: _Node | None = None
        self.fields: tuple[_Field | _Composite, ...] = ()
        self.key: _Key | None = None
        self.syntax: tuple[tuple[str, tuple[int, ...]], ...] = ()
        self.type_codes: tuple[str, ...] = ()
        self.slot = self.end = 0
        self.zeros: list[int] = []  # the counters below a loop, reset
        # Segment ids that can start this node, and whether the walk may pass
        # it by without a look (nothing required to record as missing).
        self.ids: frozenset[str] = frozenset()
        self.quiet = False
        self.missing_text = ""
        self.loop = parent.id if parent is not None else None  # the loop it is in
        self.memo: dict[str, tuple[_Found, ...]] = {}
        # Accept patterns by separators (:func:`_accept`), compiled when needed.
        self.accept: dict[tuple[str, str], re.Pattern[str] | None] = {}
        limit = _text(element, "repeat" if self.is_loop else "max_use")
        self.limit = _UNLIMITED if limit in ("", ">1", "&gt;1") else int(limit)

    def __repr__(self) -> str:
        return f"<{'loop' if self.is_loop else 'segment'} {self.id}>"


@dataclass(frozen=True, slots=True)
class _Map:
    """A compiled map: the GS node to start from, and the counter size."""

    transaction: str
    start: _Node
    slots: int
    paths: dict[str, int]
    keys: dict[str, tuple[tuple[int, int | None], ...]]  # qualifier places by id
    plans: dict[tuple[object, ...], _Plan]  # walks planned so far
    segments: tuple[_Node, ...] = ()  # every segment node, each with its memory
    # The separators the segment memories were filled under: a text means
    # another thing under another component separator, so they start afresh.
    remembered: list[tuple[str, str] | None] = field(default_factory=lambda: [None])

    def remember_for(self, separators: tuple[str, str]) -> None:
        """Keep the segment memories only if they were made under ``separators``."""
        if self.remembered[0] != separators:
            for node in self.segments:
                node.memo.clear()
            self.remembered[0] = separators


def _text(element: ElementTree.Element, tag: str) -> str:
    found = element.get(tag) or element.findtext(tag)
    return (found or "").strip()


def _resource(name: str) -> ElementTree.Element:
    with files("pyx12").joinpath("map", name).open("rb") as handle:
        return ElementTree.parse(handle).getroot()


@functools.cache
def _data_elements() -> dict[str, tuple[str, int, int]]:
    """Type, minimum and maximum length of each data element, by number."""
    return {
        item.get("ele_num", ""): (
            item.get("data_type", ""),
            int(item.get("min_len", "0")),
            int(item.get("max_len", "0")),
        )
        for item in _resource("dataele.xml").iter("data_ele")
    }


@functools.cache
def _external_codes() -> dict[str, frozenset[str]]:
    """pyx12's external code lists (states, country, pos ...), by id."""
    return {
        codeset.findtext("id") or "": frozenset(
            code.text or "" for code in codeset.iterfind("version/code")
        )
        for codeset in _resource("codes.xml").iter("codeset")
    }


@functools.cache
def _map_file(version: str, release: str, function: str) -> str | None:
    """The map pyx12's ``maps.xml`` names for ISA12, GS08 and GS01."""
    for group in _resource("maps.xml").iter("version"):
        if group.get("icvn") != version:
            continue
        for entry in group.iter("map"):
            if entry.get("vriic") == release and entry.get("fic") == function:
                return (entry.text or "").strip()
    return None


@functools.cache
def compiled(name: str) -> _Map:
    """The map file ``name``, compiled once per process."""
    root = _resource(name)
    top = _Node("loop", root, None)
    top.id, top.pos = "", 0
    paths: dict[str, int] = {}
    _build(top, root, "", paths)
    _summarize(top)
    start = _find(top, ("ISA_LOOP", "GS_LOOP", "GS"))
    keys: dict[str, set[tuple[int, int | None]]] = {}
    for node in _segments(top):
        if node.key is not None:
            keys.setdefault(node.id, set()).add((node.key.element, node.key.part))
    places = {seg_id: tuple(sorted(found, key=str)) for seg_id, found in keys.items()}
    segments = tuple(_segments(top))
    return _Map(
        root.get("xid") or "", start, len(paths) + 1, paths, places, {}, segments
    )


def _segments(node: _Node) -> Iterator[_Node]:
    for child in node.children:
        if child.is_loop:
            yield from _segments(child)
        else:
            yield child


def _summarize(node: _Node) -> None:
    """Fill in ``ids``, ``quiet`` and ``missing_text``, children first."""
    for child in node.children:
        _summarize(child)
    first = node.first
    if not node.is_loop:
        node.ids, node.quiet = frozenset({node.id}), node.usage != "R"
        node.missing_text = f'Mandatory segment "{node.name}" ({node.id}) missing'
    elif first is None:
        node.ids, node.quiet = frozenset(), True
    elif first.is_loop:
        inner = [child for child in node.children if child.is_loop]
        node.ids = frozenset().union(*(child.ids for child in inner))
        node.quiet = all(child.quiet for child in inner)
    else:
        node.ids, node.quiet = first.ids, node.usage != "R"
        node.missing_text = f'Mandatory loop "{node.name}" ({node.id}) missing'


def _find(node: _Node, ids: tuple[str, ...]) -> _Node:
    for child in node.children:
        if child.id == ids[0]:
            return child if len(ids) == 1 else _find(child, ids[1:])
    raise LookupError("/".join(ids))


def _build(
    node: _Node, element: ElementTree.Element, path: str, paths: dict[str, int]
) -> None:
    """Children of a loop in pyx12's order: by position, loops first."""
    loops = [_Node("loop", e, node) for e in element.findall("loop")]
    segments = [_Node("segment", e, node) for e in element.findall("segment")]
    for segment, source in zip(segments, element.findall("segment"), strict=True):
        _build_segment(segment, source)
    ordered = sorted([*loops, *segments], key=lambda child: child.pos)  # stable
    node.children = tuple(ordered)
    node.first = ordered[0] if ordered else None
    shared = {
        child.pos for child in ordered if sum(c.pos == child.pos for c in ordered) > 1
    }
    sources = {id(n): e for n, e in zip(loops, element.findall("loop"), strict=True)}
    for child in ordered:
        # Counters are keyed by path as pyx12 keys them: two segments at one
        # position are told apart by their first code, others may share.
        step = child.id
        if not child.is_loop and child.pos in shared:
            code = _guess_code(child)
            if code is not None:
                step += f"[{code}]"
        child_path = f"{path}/{step}"
        child.slot = paths.setdefault(child_path, len(paths) + 1)
        if child.is_loop:
            _build(child, sources[id(child)], child_path, paths)
        child.end = len(paths) + 1
        child.zeros = [0] * (child.end - child.slot - 1)


def _build_segment(node: _Node, element: ElementTree.Element) -> None:
    by_seq: dict[int, _Field | _Composite] = {}
    for item in element:
        if item.tag == "element":
            by_seq[int(_text(item, "seq"))] = _field(item, node.id, None)
        elif item.tag == "composite":
            by_seq[int(_text(item, "seq"))] = _composite(item, node.id)
    node.fields = tuple(by_seq[seq] for seq in sorted(by_seq))
    node.syntax = tuple(
        (rule[0], tuple(int(rule[k : k + 2]) for k in range(1, len(rule) - 1, 2)))
        for rule in (s.text or "" for s in element.findall("syntax"))
        if rule and rule[0] in "PRCLE"
    )
    node.type_codes = tuple(
        code
        for field in node.fields
        if isinstance(field, _Field) and field.data_element == "1250"
        for code in field.code_list
    )
    node.key = _key(node)


def _field(item: ElementTree.Element, segment: str, place: int | None) -> _Field:
    """A simple element (``place`` None) or the sub-element of the composite at
    ``place``; its reference is spelled as pyx12's report spells it."""
    number = _text(item, "data_ele")
    data_type, min_len, max_len = _data_elements().get(number, ("", 0, 0))
    valid = item.find("valid_codes")
    code_list = (
        tuple(c.text or "" for c in valid.findall("code")) if valid is not None else ()
    )
    external_id = valid.get("external") if valid is not None else None
    external = _external_codes().get(external_id) if external_id else None
    seq = int(_text(item, "seq"))
    usage = _text(item, "usage")
    regex = item.findtext("regex")
    return _Field(
        clean=None
        if code_list or regex or external_id is not None or usage == "N"
        else _clean(data_type, min_len, max_len),
        ref=f"{segment}{seq:02d}" if place is None else f"{segment}{place:02d}-{seq}",
        name=_text(item, "name"),
        usage=usage,
        data_element=number,
        data_type=data_type,
        min_len=min_len,
        max_len=max_len,
        codes=frozenset(code_list),
        code_list=code_list,
        external=external,
        checks_codes=bool(code_list) or external_id is not None,
        pattern=re.compile(regex, re.S) if regex else None,
        required_when_empty=usage == "R",
        typed=(segment == "DTP" and seq == 3 and place is None) or number == "1251",
    )


_ALLOWED: Final = r"""A-Z0-9!"&'()*+,\-./:;?= a-z%~@\[\]_{}\\|<>^`#$"""


def _clean(data_type: str, min_len: int, max_len: int) -> re.Pattern[str] | None:
    """A pattern only values without any problem match (see ``_Field.clean``)."""
    if data_type in ("AN", "ID") and 1 <= min_len <= max_len:
        last = _ALLOWED.replace(" ", "")
        return re.compile(f"[{_ALLOWED}]{{{min_len - 1},{max_len - 1}}}[{last}]")
    if data_type[:1] == "N" and min_len <= max_len:
        return re.compile(f"-?[0-9]{{{min_len},{max_len}}}")
    return None


def _composite(item: ElementTree.Element, segment: str) -> _Composite:
    usage = _text(item, "usage")
    place = int(_text(item, "seq"))
    parts = []
    for sub in item.findall("element"):
        part = _field(sub, segment, place)
        # The first sub-element of an optional composite may be empty (pyx12).
        required = part.usage == "R" and (int(_text(sub, "seq")) != 1 or usage == "R")
        parts.append(_replace_required(part, required))
    return _Composite(item.get("xid") or "", _text(item, "name"), usage, tuple(parts))


def _replace_required(item: _Field, required: bool) -> _Field:
    return replace(item, required_when_empty=required)


def _guess_code(node: _Node) -> str | None:
    """The first code of the element pyx12 tells same-place segments apart by."""
    fields = node.fields
    first = fields[0] if fields else None
    if isinstance(first, _Field) and first.data_type == "ID" and first.codes:
        return _first_code(first)
    if node.id == "ENT" and len(fields) > 1:
        second = fields[1]
        if isinstance(second, _Field) and second.data_type == "ID" and second.codes:
            return _first_code(second)
    if (
        isinstance(first, _Composite)
        and first.parts[0].data_type == "ID"
        and first.parts[0].codes
    ):
        return _first_code(first.parts[0])
    if node.id == "HL" and len(fields) > 2:
        third = fields[2]
        if isinstance(third, _Field) and third.codes:
            return _first_code(third)
    return None


def _first_code(field: _Field) -> str:
    return field.code_list[0]


def _key(node: _Node) -> _Key | None:
    """The qualifier a data segment must carry to be this node (pyx12's rule)."""
    fields = node.fields
    first = fields[0] if fields else None
    if (
        isinstance(first, _Field)
        and first.data_type == "ID"
        and first.usage == "R"
        and first.codes
    ):
        return _Key(0, None, frozenset(first.codes))
    if node.id == "ENT" and len(fields) > 1:
        second = fields[1]
        if isinstance(second, _Field) and second.data_type == "ID" and second.codes:
            return _Key(1, None, frozenset(second.codes))
    # The CTX qualifier is typed AN, and still selects the node (pyx12).
    if (
        isinstance(first, _Composite)
        and first.parts[0].codes
        and (first.parts[0].data_type == "ID" or node.id == "CTX")
    ):
        return _Key(0, 0, frozenset(first.parts[0].codes))
    if node.id == "HL" and len(fields) > 2:
        third = fields[2]
        if isinstance(third, _Field) and third.codes:
            return _Key(2, None, frozenset(third.codes))
    return None


# --- one transaction set ----------------------------------------------------------


@dataclass(slots=True)
class _Found:
    """A problem found at a position of the unit (0 is the ISA)."""

    position: int
    level: Level
    code: str
    element: str | None
    text: str
    value: str | None = None


@dataclass(slots=True)
class _Missing:
    """A required segment or loop not seen yet: reported if the walk moves on."""

    node: _Node
    text: str


class _Step(NamedTuple):
    """One thing a walk does, replayed against the counters of the moment.

    ``MISS``: ``node`` (a segment, or a loop's first one) is due if the count
    at ``slot`` is 0; ``SEGMENT``: ``node`` is counted and checked against its
    limit; ``LOOP``: the loop ``node`` is entered (the counters below it reset)
    at ``first``; ``LOST``: the segment is nowhere in the map.
    """

    kind: int
    node: _Node | None = None
    first: _Node | None = None
    slot: int = 0
    text: str = ""


_MISS, _SEGMENT, _LOOP, _LOST = range(4)
# The node a walk leads to, its steps, and for a quick walk (below) the
# slots its misses look at and the loop it enters, if any.
_Plan = tuple[
    "_Node | None", tuple[_Step, ...], "tuple[int, ...] | None", "_Node | None"
]
_PLAN_LIMIT: Final = 50_000
"""Walks remembered per map, at most (each is a start, an id and a qualifier)."""


class _Planner:
    """Where a segment leads from a node, and what the walk does on the way.

    Which node a segment is depends only on the node the walk starts from and
    the segment's id and qualifier, never on the counters: so each walk is
    planned once and its steps replayed (:class:`_Walker`).
    """

    __slots__ = ("steps",)

    def __init__(self) -> None:
        self.steps: list[_Step] = []

    def plan(self, start: _Node, seg_id: str, elements: list[str], sub: str) -> _Plan:
        position = start.pos
        loop = start if start.is_loop else _parent_loop(start)
        while True:
            hit = self._scan(loop, position, seg_id, elements, sub)
            if hit is not None:
                steps = tuple(self.steps)
                return (hit, steps, *_quick(hit, steps))
            if loop.parent is None:
                self.steps.append(_Step(_LOST))
                return None, tuple(self.steps), None, None
            position = loop.pos
            loop = _parent_loop(loop)

    def _scan(
        self, loop: _Node, position: int, seg_id: str, elements: list[str], sub: str
    ) -> _Node | None:
        for child in loop.children:
            if child.pos < position or (child.quiet and seg_id not in child.ids):
                continue
            if not child.is_loop:
                if _matches(child, seg_id, elements, sub):
                    if loop.parent is not None and self._loop_matches(
                        loop, seg_id, elements, sub
                    ):
                        return self._enter(loop, seg_id, elements, sub)
                    self.steps.append(_Step(_SEGMENT, child))
                    return child
                if child.usage == "R":
                    step = _Step(_MISS, child, None, child.slot, child.missing_text)
                    self.steps.append(step)
            elif self._loop_matches(child, seg_id, elements, sub):
                return self._enter(child, seg_id, elements, sub)
        return None

    def _loop_matches(
        self, loop: _Node, seg_id: str, elements: list[str], sub: str
    ) -> bool:
        first = loop.first
        if first is None:
            return False
        if first.is_loop:
            return any(
                child.is_loop and self._loop_matches(child, seg_id, elements, sub)
                for child in loop.children
            )
        if _matches(first, seg_id, elements, sub):
            return True
        if loop.usage == "R":
            self.steps.append(_Step(_MISS, first, None, loop.slot, loop.missing_text))
        return False

    def _enter(
        self, loop: _Node, seg_id: str, elements: list[str], sub: str
    ) -> _Node | None:
        first = loop.first
        if (
            first is not None
            and not first.is_loop
            and _matches(first, seg_id, elements, sub)
        ):
            self.steps.append(_Step(_LOOP, loop, first))
            return first
        for child in loop.children:
            if child.is_loop:
                found = self._enter(child, seg_id, elements, sub)
                if found is not None:
                    return found
        return None


def _quick(
    hit: _Node, steps: tuple[_Step, ...]
) -> tuple[tuple[int, ...] | None, _Node | None]:
    """A quick walk: misses, then one segment or loop in use. When none of
    its misses is due (their counts are not 0), it only counts: the slots
    its misses look at, and the loop it enters (None: it counts a segment).
    (None, None) for any other walk."""
    *misses, last = steps
    if any(step.kind != _MISS for step in misses):
        return None, None
    slots = tuple(step.slot for step in misses)
    if last.kind == _SEGMENT and last.node is hit and hit.usage != "N":
        return slots, None
    if (
        last.kind == _LOOP
        and last.first is hit
        and last.node is not None
        and last.node.usage != "N"
    ):
        return slots, last.node
    return None, None


class _Walker:
    """pyx12's walk over the map, with counters in one list of slots."""

    __slots__ = ("counts", "keys", "missing", "pending", "plans", "position", "simple")

    def __init__(self, table: _Map) -> None:
        self.counts = [0] * table.slots
        self.keys = table.keys
        # The ids told apart by one element or sub-element: its place.
        self.simple = {
            seg_id: places[0]
            for seg_id, places in table.keys.items()
            if len(places) == 1
        }
        self.plans = table.plans
        self.missing: list[_Missing] = []
        # Position -1: a "not used", which pyx12 files on the segment before.
        self.pending: list[_Found] = []
        self.position = 0

    def key(
        self, start: _Node, seg_id: str, elements: list[str], sub: str
    ) -> tuple[object, ...]:
        """What a walk's plan is remembered by: the start, id and qualifier."""
        places = self.keys.get(seg_id)
        if places is None:
            return (start, seg_id)
        return (start, seg_id, *_qualifiers(places, elements, sub))

    def walk(
        self,
        start: _Node,
        seg_id: str,
        elements: list[str],
        sub: str,
        key: tuple[object, ...],
        plan: _Plan | None,
    ) -> _Node | None:
        """The node the segment is, from ``start``; problems on the way pend.

        ``plan`` is the one remembered by ``key`` (None: not planned yet).
        """
        if plan is None:
            plan = _Planner().plan(start, seg_id, elements, sub)
            if len(self.plans) < _PLAN_LIMIT:
                self.plans[key] = plan
        node, steps = plan[0], plan[1]
        if self.missing:
            self.missing = []
        if self.pending:
            self.pending = []
        counts = self.counts
        for kind, step_node, first, slot, text in steps:
            if kind == _MISS:
                if counts[slot] < 1:
                    assert step_node is not None
                    self.missing.append(_Missing(step_node, text))
            elif kind == _SEGMENT:
                assert step_node is not None
                self._segment(step_node)
            elif kind == _LOOP:
                assert step_node is not None and first is not None
                self._loop(step_node, first)
            else:
                self._pend("1", f"Segment {seg_id} not found")
        return node

    def _segment(self, node: _Node) -> None:
        self.counts[node.slot] += 1
        if node.usage == "N":
            self._not_used(f"Segment {node.id} found but marked as not used")
        elif self.counts[node.slot] > node.limit:
            self._pend("5", f"Segment {node.id} exceeded max count")
        if self.missing:
            self.missing = [item for item in self.missing if item.node is not node]
            self._flush(node.pos)

    def _loop(self, loop: _Node, first: _Node) -> None:
        counts = self.counts
        if loop.usage == "N":
            self._not_used(f"Loop {loop.id} found but marked as not used")
        else:
            counts[loop.slot + 1 : loop.end] = loop.zeros
            counts[loop.slot] += 1
            if counts[loop.slot] > loop.limit:
                self._pend("4", f"Loop {loop.id} exceeded max count")
        counts[first.slot] += 1
        self._flush(None)

    def _pend(self, code: str, text: str) -> None:
        self.pending.append(_Found(self.position, Level.SEGMENT, code, None, text))

    def _not_used(self, text: str) -> None:
        self.pending.append(_Found(-1, Level.SEGMENT, "2", None, text))

    def _flush(self, keep: int | None) -> None:
        """Missing segments become problems, but those at ``keep`` (still due)."""
        if not self.missing:
            return
        for item in self.missing:
            if item.node.pos != keep:
                self._pend("3", item.text)
        self.missing = [item for item in self.missing if item.node.pos == keep]


def _qualifiers(
    places: tuple[tuple[int, int | None], ...], elements: list[str], sub: str
) -> tuple[str | None, ...]:
    """The values the map's nodes for a segment id are told apart by."""
    values: list[str | None] = []
    for element, part in places:
        if element >= len(elements):
            values.append(None)
        elif part is None:
            values.append(elements[element].rstrip(sub))
        else:
            parts = elements[element].split(sub)
            values.append(parts[part] if part < len(parts) else None)
    return tuple(values)


def _parent_loop(node: _Node) -> _Node:
    parent = node.parent
    assert parent is not None
    return parent


def _matches(node: _Node, seg_id: str, elements: list[str], sub: str) -> bool:
    if seg_id != node.id:
        return False
    key = node.key
    if key is None:
        return True
    if key.element >= len(elements):
        return None in key.codes
    value = elements[key.element]
    if key.part is None:
        return value.rstrip(sub) in key.codes
    parts = value.split(sub)
    return (parts[key.part] if key.part < len(parts) else None) in key.codes


# --- elements ------------------------------------------------------------------------


_UNSEEN: Final = re.compile("")  # no accept pattern compiled yet
_MEMO_LIMIT: Final = 512
"""Segment texts (and element values) remembered per map node, at most: the
same text gets the same problems, and a batch repeats many segments."""


def _segment_problems(
    node: _Node, line: str, elements: list[str], separator: str, sub: str
) -> tuple[_Found, ...]:
    """What pyx12 finds in a segment's elements (position 0: filled in later)."""
    memo = node.memo
    found = memo.get(line)
    if found is None:
        accept = node.accept.get((separator, sub), _UNSEEN)
        if accept is _UNSEEN:
            accept = _accept(node, separator, sub)
        if accept is not None and accept.fullmatch(line):
            found = ()
        else:
            found = tuple(_checked_segment(node, elements, sub))
        if len(memo) < _MEMO_LIMIT:
            memo[line] = found
    return found


def _checked_segment(node: _Node, elements: list[str], sub: str) -> list[_Found]:
    found: list[_Found] = []
    fields = node.fields
    if len(elements) > len(fields):
        found.append(
            _Found(0, Level.SEGMENT, "8", None, f"Too many elements in {node.id}")
        )
    types = node.type_codes
    if node.id == "DTP":
        date_format = elements[1].rstrip(sub) if len(elements) > 1 else ""
        types = (date_format,) if date_format in _DTP_FORMATS else ()
    for k, value in enumerate(elements[: len(fields)]):
        item = fields[k]
        if item.__class__ is _Field:
            assert isinstance(item, _Field)
            clean = item.clean
            typed = types if item.typed else ()
            # The common case, without a call: free text or a number that fits,
            # or a value already found clean.
            if (
                not typed
                and value
                and sub not in value
                and (value in item.ok or (clean is not None and clean.fullmatch(value)))
            ):
                continue
            found.extend(_checked_field(item, value, sub, typed))
        else:
            assert isinstance(item, _Composite)
            found.extend(_checked_composite(item, value, sub))
    for item in fields[len(elements) :]:
        if item.__class__ is _Field:
            assert isinstance(item, _Field)
            if item.required_when_empty and item.usage not in ("N", "S"):
                found.append(_element(item, "1", "is missing", None))
        else:
            assert isinstance(item, _Composite)
            found.extend(_checked_composite(item, None, sub))
    for rule, places in node.syntax:
        if not _syntax_holds(rule, places, elements, sub):
            text = f"Syntax error ({rule}{''.join(f'{p:02d}' for p in places)})"
            found.append(_Found(0, Level.SEGMENT, "8", None, text))
    return found


def _checked_composite(
    composite: _Composite, value: str | None, sub: str
) -> tuple[_Found, ...]:
    """:func:`_composite_problems`, from memory when it can."""
    if (
        value is not None
        and composite.usage != "N"
        and value.count(sub) >= len(composite.parts)
    ):
        raise _Raises("IndexError")  # pyx12 4.0.0 indexes past the parts
    found = composite.memo.get((value, sub))
    if found is None:
        found = tuple(_composite_problems(composite, value, sub))
        if len(composite.memo) < _MEMO_LIMIT:
            composite.memo[value, sub] = found
    return found


def _present(elements: list[str], place: int, sub: str) -> bool:
    return place <= len(elements) and elements[place - 1].rstrip(sub) != ""


def _syntax_holds(
    rule: str, places: tuple[int, ...], elements: list[str], sub: str
) -> bool:
    """X12 syntax notes: paired, required, exclusion, conditional, list."""
    if len(places) < 2:
        return False
    if rule in "CL" and not _present(elements, places[0], sub):
        return True
    rest = places[1:] if rule in "CL" else places
    present = sum(_present(elements, place, sub) for place in rest)
    if rule == "P":
        return present in (0, len(rest))
    if rule == "R":
        return present > 0
    if rule == "E":
        return present <= 1
    if rule == "C":
        return present == len(rest)
    return present > 0  # L


def _composite_problems(
    composite: _Composite, value: str | None, sub: str
) -> Iterator[_Found]:
    parts = value.split(sub) if value is not None else None
    empty = parts is None or all(part == "" for part in parts)
    if empty and composite.usage in ("N", "S"):
        return
    if composite.usage == "R" and empty:
        text = f'Mandatory composite "{composite.name}" ({composite.ref}) is missing'
        yield _Found(0, Level.SEGMENT, "8", None, text)
        return
    assert parts is not None
    if composite.usage == "N":
        text = f"Composite ({composite.ref}) is marked as Not Used"
        yield _Found(0, Level.SEGMENT, "8", None, text)
        return
    if len(parts) > len(composite.parts):
        text = f"Too many sub-elements in composite ({composite.ref})"
        yield _Found(0, Level.SEGMENT, "8", None, text)
    for k, part in enumerate(composite.parts):
        yield from _field_problems(part, parts[k] if k < len(parts) else None, "", ())


def _checked_field(
    item: _Field, value: str | None, sub: str, types: tuple[str, ...]
) -> tuple[_Found, ...]:
    """:func:`_field_problems`, by shortcut or memory when it can."""
    if not value:
        return tuple(_field_problems(item, value, sub, types))
    clean = item.clean
    if clean is not None and not types and sub not in value and clean.fullmatch(value):
        return ()
    key = (value, sub, types)
    found = item.memo.get(key)
    if found is None:
        found = tuple(_field_problems(item, value, sub, types))
        if len(item.memo) < _MEMO_LIMIT:
            item.memo[key] = found
        if not found and not types and sub not in value and len(item.ok) < _MEMO_LIMIT:
            item.ok.add(value)
    return found


def _field_problems(
    field: _Field, value: str | None, sub: str, types: tuple[str, ...]
) -> Iterator[_Found]:
    """pyx12's checks of one simple element, in its order."""
    if sub and value is not None and sub in value:
        yield _element(field, "6", "is an invalid composite", value)
        return
    if not value:
        if field.required_when_empty and field.usage not in ("N", "S"):
            yield _element(field, "1", "is missing", None)
        return
    if field.usage == "N":
        yield _element(field, "10", "is marked as Not Used", None)
        return
    yield from _length_problems(field, value)
    for character in _CONTROL:
        if character in value:
            yield _element(field, "6", "contains an invalid control character", None)
            return
    if (
        field.data_type in ("AN", "ID")
        and value[-1] == " "
        and len(value.rstrip()) >= field.min_len
    ):
        yield _element(field, "6", "has unnecessary trailing spaces", value)
    if (
        field.checks_codes
        and value not in field.codes
        and (field.external is None or value not in field.external)
    ):
        yield _element(field, "7", "is not a valid code", value)
    if not _type_holds(value, field.data_type):
        yield _type_problem(field, value, field.data_type)
    if types and not any(_type_holds(value, kind, extended=False) for kind in types):
        if "TM" in types:
            yield _element(field, "9", "contains an invalid time", value)
        elif any(kind in types for kind in _DATE_TYPES):
            yield _element(field, "8", "contains an invalid date", value)
    if field.pattern is not None and not field.pattern.search(value):
        yield _element(field, "7", "does not match the pattern", value)


def _length_problems(field: _Field, value: str) -> Iterator[_Found]:
    kind = field.data_type
    if kind and (kind == "R" or kind[0] == "N"):
        length = len(value.replace("-", "").replace(".", ""))
    else:
        length = len(value)
    if length < field.min_len:
        yield _element(field, "4", f"is too short ({length} < {field.min_len})", value)
    if length > field.max_len:
        yield _element(field, "5", f"is too long ({length} > {field.max_len})", value)


def _type_problem(field: _Field, value: str, kind: str) -> _Found:
    if kind in _DATE_TYPES:
        return _element(field, "8", "contains an invalid date", value)
    if kind == "TM":
        return _element(field, "9", "contains an invalid time", value)
    return _element(field, "6", f"is type {kind}, contains an invalid character", value)


def _element(field: _Field, code: str, what: str, value: str | None) -> _Found:
    text = f'Data element "{field.name}" ({field.ref}) {what}'
    return _Found(0, Level.ELEMENT, code, field.ref, text, value)


def _type_holds(value: str, kind: str, extended: bool = True) -> bool:
    """pyx12's data types: numbers, decimals, identifiers, dates and times."""
    if not kind:
        return True
    if kind[0] == "N":
        return _NUMBER.match(value) is not None
    if kind == "R":
        return _DECIMAL.match(value) is not None
    if kind in ("ID", "AN"):
        # Outside the element's own type (a 1250 format) pyx12 checks the
        # 4010 extended character set; for its own type, the 5010 one.
        return (_BAD_CHARACTER if extended else _BAD_4010).search(value) is None
    if kind == "RD8":
        if "-" not in value:
            return False
        if value.count("-") > 1:
            raise _Raises("ValueError")  # pyx12 unpacks the range in two
        start, _, end = value.partition("-")
        return _date_holds("D8", start) and _date_holds("D8", end)
    if kind in ("DT", "D8", "D6"):
        return _date_holds(kind, value)
    if kind == "TM":
        return _time_holds(value)
    return kind == "B"


_BAD_4010 = re.compile(r"""[^A-Z0-9!"&'()*+,\-./:;?= a-z%~@\[\]_{}\\|<>#$]""")


def _date_holds(kind: str, value: str) -> bool:
    if (kind == "D8" and len(value) != 8) or (kind == "D6" and len(value) != 6):
        return False
    if not _DIGITS.match(value) or len(value) not in (6, 8, 12):
        return False
    if len(value) == 6:
        value = ("20" if int(value[:2]) < 50 else "19") + value
    year, month, day = int(value[:4]), int(value[4:6]), int(value[6:8])
    if year < 1800 or not 1 <= month <= 12:
        return False
    if month in (4, 6, 9, 11):
        last = 30
    elif month == 2:
        last = 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    else:
        last = 31
    if not 1 <= day <= last:
        return False
    return len(value) != 12 or _time_holds(value[8:12])


def _time_holds(value: str) -> bool:
    if not _DIGITS.match(value):
        return False
    if value[0:2] > "23" or value[2:4] > "59":
        return False
    if len(value) > 4:
        return len(value) >= 6 and value[4:6] <= "59" and len(value) <= 8
    return True


# --- the accept path -----------------------------------------------------------------
#
# A segment text not in memory goes through its node's accept pattern first:
# one regular expression, compiled once per node and pair of separators, that
# only texts without any element problem match (a conservative subset: dates
# clearly valid, codes of the map, numbers and free text that fit). Where it
# matches (syntax notes included), the text has no element problem; anything
# else, or a node it cannot express, takes the detailed check.
# tests/test_fast_accept.py holds it to that: a match means the detailed
# check finds nothing.

# The characters pyx12 allows in an AN or ID element (the 5010 extended set).
_GOOD: Final = frozenset(
    c for c in map(chr, range(128)) if not _BAD_CHARACTER.search(c)
) - frozenset(_CONTROL)
# Separators a pattern can be built for: none that a value pattern spells out.
_PLAIN_SEPARATOR = re.compile(r"[^A-Za-z0-9.\- ]")
_DATE8: Final = r"(?:1[89]|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|1[0-9]|2[0-8])"
# A map regex plain enough to require in full (pyx12's search then finds it).
_SIMPLE_REGEX = re.compile(r"[\[\]0-9A-Za-z{},\-]+")


def _accept(node: _Node, separator: str, sub: str) -> re.Pattern[str] | None:
    """The node's accept pattern for these separators (None: it has none)."""
    key = (separator, sub)
    accept = node.accept
    if key in accept:
        return accept[key]
    pattern: re.Pattern[str] | None = None
    if (
        separator != sub
        and _PLAIN_SEPARATOR.fullmatch(separator)
        and _PLAIN_SEPARATOR.fullmatch(sub)
    ):
        source = _accept_segment(node, separator, sub)
        pattern = re.compile(source) if source is not None else None
    accept[key] = pattern
    return pattern


def _accept_segment(node: _Node, separator: str, sub: str) -> str | None:
    """The source of a node's accept pattern: its id, then its elements, each
    one unit (DTP02 and DTP03 one together: the format decides the date)."""
    fields = node.fields
    units: list[tuple[str, bool]] = []  # a unit's pattern; whether it may be absent
    k = 0
    while k < len(fields):
        item = fields[k]
        third = fields[2] if len(fields) > 2 else None
        if (
            node.id == "DTP"
            and k == 1
            and isinstance(item, _Field)
            and isinstance(third, _Field)
        ):
            dtp = _accept_dtp(item, third, separator, sub)
            if dtp is None:
                return None
            units.append(dtp)
            k += 2
            continue
        if node.id == "DTP" and k == 1:
            return None  # the format is not DTP02's codes: the detailed check
        if isinstance(item, _Field):
            kinds = node.type_codes if item.typed else ()
            value, empty = _accept_field(item, separator, sub, kinds)
        else:
            value, empty = _accept_composite(item, separator, sub)
        if value is None and not empty:
            return None
        units.append((_either(value, empty), empty))
        k += 1
    tail, optional = "", True
    sep = re.escape(separator)
    for unit, empty in reversed(units):
        optional = optional and empty
        tail = f"{sep}{unit}{tail}"
        if optional:
            tail = f"(?:{tail})?"
    notes = _accept_syntax(node, separator)
    if notes is None:
        return None
    return notes + re.escape(node.id) + tail


def _accept_syntax(node: _Node, separator: str) -> str | None:
    """The node's syntax notes as lookaheads from the start of the text.

    In a text the pattern takes, an element is present (pyx12's test: there,
    and not empty once trailing sub-element separators go) exactly when it
    is not empty: simple values hold no sub-element separator, composites
    start with a value.
    """
    sep = re.escape(separator)

    def there(place: int) -> str:
        return f"{re.escape(node.id)}(?:{sep}[^{sep}]*){{{place - 1}}}{sep}[^{sep}]"

    out = []
    for rule, places in node.syntax:
        if len(places) < 2:
            return None  # never holds: the detailed check reports it
        if rule == "P":
            every = "".join(f"(?={there(p)})" for p in places)
            none = "".join(f"(?!{there(p)})" for p in places)
            out.append(f"(?:{every}|{none})")
        elif rule == "R":
            out.append("(?=" + "|".join(there(p) for p in places) + ")")
        elif rule == "E":
            out.extend(
                f"(?!(?={there(a)}){there(b)})"
                for k, a in enumerate(places)
                for b in places[k + 1 :]
            )
        elif rule == "C":
            rest = "".join(f"(?={there(p)})" for p in places[1:])
            out.append(f"(?:(?!{there(places[0])})|{rest})")
        else:  # L
            rest = "|".join(there(p) for p in places[1:])
            out.append(f"(?:(?!{there(places[0])})|(?={rest}))")
    return "".join(out)


def _either(value: str | None, empty: bool) -> str:
    choices = ([value] if value is not None else []) + ([""] if empty else [])
    return "(?:" + "|".join(choices) + ")"


def _end(separator: str, sub: str) -> str:
    """Where a value ends: a separator or the end of the text."""
    return f"(?=[{re.escape(separator)}{re.escape(sub)}]|\\Z)"


def _empty_ok(field: _Field) -> bool:
    return not (field.required_when_empty and field.usage not in ("N", "S"))


def _accept_field(
    field: _Field, separator: str, sub: str, kinds: tuple[str, ...]
) -> tuple[str | None, bool]:
    """A pattern of the field's non-empty values without problems (None: no
    such pattern), and whether empty or absent is without problems."""
    empty = _empty_ok(field)
    if field.usage == "N":
        return None, empty
    if field.checks_codes:
        if kinds:
            return None, empty
        codes = sorted(
            (
                code
                for code in {*field.code_list, *(field.external or ())}
                if code
                and separator not in code
                and sub not in code
                and not any(_field_problems(field, code, sub, ()))
            ),
            key=lambda code: (-len(code), code),
        )
        if not codes:
            return None, empty
        return "(?:" + "|".join(map(re.escape, codes)) + ")", empty
    own = _accept_type(field, separator, sub)
    if own is None:
        return None, empty
    end = _end(separator, sub)
    if field.pattern is not None:
        if not _SIMPLE_REGEX.fullmatch(field.pattern.pattern):
            return None, empty
        own = f"(?=(?:{field.pattern.pattern}){end}){own}"
    if not kinds:
        return own, empty
    dates = []
    if "D8" in kinds or "DT" in kinds:
        dates.append(_DATE8)
    if "RD8" in kinds:
        dates.append(f"{_DATE8}-{_DATE8}")
    if not dates:
        return None, empty
    return f"(?=(?:{own}){end})(?:{'|'.join(dates)})", empty


def _accept_type(field: _Field, separator: str, sub: str) -> str | None:
    """Values of the field's data type and length, none with a problem."""
    kind, low, high = field.data_type, max(field.min_len, 1), field.max_len
    if low > high:
        return None
    if kind in ("AN", "ID"):
        good = sorted(_GOOD - {separator, sub})
        every = "".join(map(re.escape, good))
        last = "".join(re.escape(c) for c in good if c != " ")
        return f"[{every}]{{{low - 1},{high - 1}}}[{last}]"
    if kind[:1] == "N":
        return f"-?[0-9]{{{low},{high}}}"
    if kind == "R":
        end = _end(separator, sub)
        dotted = f"(?=[0-9.]{{{low + 1},{high}}}{end})[0-9]*\\.[0-9]+"
        return f"-?(?:[0-9]{{{low},{high}}}{end}|{dotted})"
    if kind == "DT":
        return _DATE8 if low <= 8 <= high else None
    if kind == "TM":
        clock = "(?:[01][0-9]|2[0-3])[0-5][0-9]"
        tails = {4: "", 6: "[0-5][0-9]", 8: "[0-5][0-9][0-9]{2}"}
        ok = [clock + tail for n, tail in tails.items() if low <= n <= high]
        return "(?:" + "|".join(ok) + ")" if ok else None
    return None


def _accept_composite(
    composite: _Composite, separator: str, sub: str
) -> tuple[str | None, bool]:
    """:func:`_accept_field` for a composite: its parts, joined by ``sub``."""
    empty = composite.usage in ("N", "S")
    if composite.usage == "N":
        return None, empty
    parts = [_accept_field(part, separator, sub, ()) for part in composite.parts]
    if any(value is None and not part_empty for value, part_empty in parts):
        return None, empty
    tail, optional = "", True
    subs = re.escape(sub)
    for value, part_empty in reversed(parts[1:]):
        optional = optional and part_empty
        tail = f"{subs}{_either(value, part_empty)}{tail}"
        if optional:
            tail = f"(?:{tail})?"
    first_value, first_empty = parts[0]
    # Not empty: the first part holds something (an empty composite is
    # pyx12's "missing", or skipped, not a check of its parts).
    start = f"(?![{re.escape(separator)}{subs}]|\\Z)"
    return f"{start}{_either(first_value, first_empty)}{tail}", empty


def _accept_dtp(
    format_field: _Field, date_field: _Field, separator: str, sub: str
) -> tuple[str, bool] | None:
    """DTP02 and DTP03 as one unit: each format code, then a date of it."""
    codes, _ = _accept_field(format_field, separator, sub, ())
    if codes is None or not format_field.checks_codes:
        return None
    sep = re.escape(separator)
    choices = []
    for code in format_field.code_list:
        if (
            not code
            or separator in code
            or sub in code
            or any(_field_problems(format_field, code, sub, ()))
        ):
            continue
        kinds = (code,) if code in _DTP_FORMATS else ()
        value, empty = _accept_field(date_field, separator, sub, kinds)
        if value is None:
            continue
        choices.append(f"{re.escape(code)}{sep}{_either(value, empty)}")
    if not choices:
        return None
    empty = _empty_ok(format_field) and _empty_ok(date_field)
    unit = "(?:" + "|".join(choices) + ")"
    if empty:
        unit = f"(?:{unit}|{sep})"  # both empty, DTP02 and DTP03 present
    return unit, empty


# --- the transaction set -------------------------------------------------------------


def validate(unit: Unit) -> list[Problem]:
    """The problems pyx12 reports with one transaction set, found fast.

    Positions are the file's; problems on the made-up GE and IEA are
    dropped, as :func:`lint837.validation.reference.validate` drops them.
    ``check`` runs it by default (``--validate=fast``).
    """
    isa = unit.segments[0]
    if not _readable(isa):
        # pyx12 refuses the file before reading it (the reference's ValueError).
        return [_engine(unit, "it raised ValueError")]
    separator, sub = isa[3], isa[104]
    name = _map_of(unit)
    if name is None:
        return [_engine(unit, "it raised EngineError")]  # "Map not found"
    if len(isa.split(separator)) != 17:
        return [_engine(unit, "it raised X12Error")]
    run = _Run(unit, compiled(name), separator, sub)
    try:
        run.all()
    except _Raises as error:
        logger.debug("pyx12 would stop on %s: %s", unit.source, error.kind)
        return [_engine(unit, f"it raised {error.kind}")]
    return run.problems()


def _readable(isa: str) -> bool:
    """An ISA pyx12 reads: its full length, version 00401 or 00501."""
    return len(isa) + 1 == _ISA_LENGTH and isa[84:89] in ("00401", "00501")


def _map_of(unit: Unit) -> str | None:
    """The map pyx12 picks for a unit by ISA12, GS08 and GS01; None if none."""
    isa = unit.segments[0]
    separator, sub = isa[3], isa[104]
    group = unit.segments[1].split(separator)
    return _map_file(
        _value(isa.split(separator)[1:], 12, sub) or "",
        _value(group[1:], 8, sub) or "",
        _value(group[1:], 1, sub) or "",
    )


def unmapped(unit: Unit) -> Problem | None:
    """A NO_MAP problem for a set pyx12 has no map for (its ISA readable).

    Both validators would only report pyx12's EngineError ("Map not
    found") on it; this says what it means, and that nothing was checked.
    """
    isa = unit.segments[0]
    if not _readable(isa) or _map_of(unit) is not None:
        return None
    release = _value(unit.segments[1].split(isa[3])[1:], 8, isa[104]) or ""
    why = f"GS08 is {release or '(empty)'}, which pyx12 {PYX12_VERSION} has no map for"
    return Problem(
        Level.TRANSACTION, NO_MAP, unit.first_index, None, None, why, release
    )


class _Raises(Exception):
    """Input on which pyx12 raises rather than reports (``kind``: what it raises).

    The reference turns that into one engine problem for the transaction
    set; this validator does the same, so the two stay interchangeable.
    """

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def _engine(unit: Unit, why: str) -> Problem:
    return Problem(Level.TRANSACTION, ENGINE_FAILURE, unit.first_index, None, None, why)


def _value(elements: list[str], place: int, sub: str) -> str | None:
    """An element as pyx12's ``get_value`` gives it: None when absent."""
    return elements[place - 1].rstrip(sub) if place <= len(elements) else None


def _number(text: str | None) -> int | None:
    try:
        return int(text)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


class _Run:
    """One pass over a unit: pyx12's reader checks and its walk, side by side."""

    def __init__(self, unit: Unit, table: _Map, separator: str, sub: str) -> None:
        self.unit, self.table = unit, table
        self.separator, self.sub = separator, sub
        self.separators = (separator, sub)
        table.remember_for(self.separators)
        self.walker = _Walker(table)
        self.found: list[_Found] = []
        self.loops: list[str | None] = []
        self.reader: list[_Found] = []  # the reader's problems not yet filed
        self.cursor: int | None = None  # where a segment problem lands (None: dropped)
        self.envelope: list[tuple[str, str | None]] = []
        self.hl: list[int] = []
        self.hl_count = self.lx_count = self.seg_count = 0
        self.groups = self.sets = 0  # GS in the ISA, ST in the GS
        self.count_lines = table.transaction == "837"
        self.node = table.start

    def all(self) -> None:
        """Each segment as pyx12 reads the unit's text: split again on the
        terminator (a segment may hold one), up to the first empty one.

        Each segment: pyx12's reader, then its walk, then its element checks
        (one loop, its invariants in locals: this runs for every segment).
        """
        text = self.unit.text
        terminator = text[_ISA_LENGTH - 1]
        separator, sub, separators = self.separator, self.sub, self.separators
        walker, loops, problems = self.walker, self.loops, self.found
        simple, plans, counts = walker.simple, walker.plans, walker.counts
        keys = walker.keys
        for position, piece in enumerate(text.split(terminator)):
            line = piece.lstrip("\r\n")
            if not line:  # pyx12 stops reading at an empty segment
                break
            if line[0] == " " or line[-1] == separator:
                line = self.edges(line)
            fields = line.split(separator)
            seg_id, elements = fields[0], fields[1:]
            plain = seg_id in _PLAIN
            if plain:  # most segments: only the reader's common checks
                self.seg_count += 1
                first = elements[0] if elements else ""
                if (not first or first[0] == sub) and self.is_empty(elements):
                    self.reader_problem("8", "Segment is empty")
            else:
                self.read(seg_id, elements)
                if seg_id == "ISA" or seg_id == "GS":
                    self.envelope_header(seg_id)
                    continue
            # The walk to the segment's node; its problems filed, its loop kept.
            start = self.node
            place = simple.get(seg_id)
            key: tuple[object, ...]
            if place is None:
                if seg_id in keys:
                    key = walker.key(start, seg_id, elements, sub)
                else:
                    key = (start, seg_id)
            else:  # as _qualifiers reads one place, without the call
                element, part = place
                value: str | None = None
                if element < len(elements):
                    if part is None:
                        value = elements[element].rstrip(sub)
                    else:
                        parts = elements[element].split(sub)
                        value = parts[part] if part < len(parts) else None
                key = (start, seg_id, value)
            plan = plans.get(key)
            node = None
            if plan is not None and plan[2] is not None:  # a quick walk, maybe
                node = plan[0]
                for slot in plan[2]:
                    if counts[slot] < 1:  # a miss is due: the full walk
                        node = None
                        break
            if node is not None:
                loop = plan[3]  # type: ignore[index]
                if loop is None:
                    slot = node.slot
                    counts[slot] += 1
                    if counts[slot] > node.limit:
                        what = f"Segment {node.id} exceeded max count"
                        pend = _Found(position, Level.SEGMENT, "5", None, what)
                        self.file_walk(position, [pend])
                else:  # as _Walker._loop, with nothing missing
                    slot = loop.slot
                    counts[slot + 1 : loop.end] = loop.zeros
                    counts[slot] += 1
                    if counts[slot] > loop.limit:
                        what = f"Loop {loop.id} exceeded max count"
                        pend = _Found(position, Level.SEGMENT, "4", None, what)
                        self.file_walk(position, [pend])
                    counts[node.slot] += 1
            else:
                walker.position = position
                node = walker.walk(start, seg_id, elements, sub, key, plan)
                if walker.pending:
                    self.file_walk(position, walker.pending)
                if node is None:  # pyx12 stays put, its reader's problems pend
                    loops.append(start.loop)
                    continue
            self.node = node
            loops.append(node.loop)
            if not plain and (seg_id == "ST" or seg_id in _TRAILERS):
                # pyx12 files the reader's problems of a trailer on the segment
                # before, those of the ST on the set; element problems of either
                # go to the envelope, which its report leaves out.
                if seg_id == "ST":
                    self.cursor = None
                self.flush_reader()
                self.cursor = None
                continue
            self.cursor = position
            if self.reader:
                self.flush_reader()
            found = node.memo.get(line)
            if found is None:
                # The accept pattern first (as _segment_problems, without a call).
                accept = node.accept.get(separators, _UNSEEN)
                if (
                    accept is not None
                    and accept is not _UNSEEN
                    and accept.fullmatch(line)
                ):
                    found = ()
                    if len(node.memo) < _MEMO_LIMIT:
                        node.memo[line] = found
                else:
                    found = _segment_problems(node, line, elements, separator, sub)
            if found:
                problems.extend(
                    _Found(position, f.level, f.code, f.element, f.text, f.value)
                    for f in found
                )
        for kind, _ in self.envelope:
            if kind == "ST":
                self.file(Level.TRANSACTION, "2", "SE missing")
            elif kind == "GS":
                self.file(Level.GROUP, "3", "GE missing")
            else:
                self.file(Level.INTERCHANGE, "023", "IEA missing")

    def file(self, level: Level, code: str, text: str) -> None:
        self.found.append(_Found(-2, level, code, None, text))

    def edges(self, line: str) -> str:
        """A leading space (stripped) and a trailing separator, as pyx12 reads."""
        if line[0] == " ":
            self.reader_problem("1", "Leading space")
            line = line.lstrip()
            if not line:
                raise _Raises("IndexError")  # pyx12 reads the last character
        if line[-1] == self.separator:
            self.reader_problem("SEG1", "Trailing element separators")
        return line

    def is_empty(self, elements: list[str]) -> bool:
        return not "".join(elements).replace(self.sub, "")

    def envelope_header(self, seg_id: str) -> None:
        """ISA and GS: pyx12 sets its walk there rather than walking to them."""
        if seg_id == "GS":
            self.start_group()
        self.loops.append(f"{seg_id}_LOOP")
        self.cursor = None
        self.flush_reader()

    def file_walk(self, position: int, pending: list[_Found]) -> None:
        """File the walk's problems; a "not used" goes where the cursor is."""
        for item in pending:
            if item.position == -1:
                if self.cursor is not None:
                    item.position = self.cursor
                    self.found.append(item)
            else:
                self.cursor = position
                self.found.append(item)

    def flush_reader(self) -> None:
        for item in self.reader:
            if item.level is not Level.SEGMENT:
                item.position = -2
                self.found.append(item)
            elif self.cursor is not None:
                item.position = self.cursor
                self.found.append(item)
        self.reader = []

    def start_group(self) -> None:
        counts = self.walker.counts
        counts[:] = [0] * len(counts)
        for path in ("/ISA_LOOP", "/ISA_LOOP/ISA", "/ISA_LOOP/GS_LOOP"):
            counts[self.table.paths[path]] = 1
        counts[self.table.start.slot] = 1
        self.node = self.table.start

    def read(self, seg_id: str, elements: list[str]) -> None:
        """pyx12's reader: empty segments, ids, HL and LX numbering, trailers."""
        sub = self.sub
        first = elements[0] if elements else ""
        if (not first or first[0] == sub) and self.is_empty(elements):
            self.reader_problem("8", "Segment is empty")
        if seg_id not in _GOOD_IDS and not _SEGMENT_ID.match(seg_id):
            self.reader_problem("1", "Segment identifier is invalid")
        if seg_id not in _ENVELOPE:
            self.seg_count += 1
        if seg_id == "ISA":
            self.envelope.append(("ISA", _value(elements, 13, sub)))
            self.groups = 0
        elif seg_id == "GS":
            self.envelope.append(("GS", _value(elements, 6, sub)))
            self.groups, self.sets = self.groups + 1, 0
        elif seg_id == "ST":
            self.sets += 1
            self.hl, self.hl_count = [], 0
            self.envelope.append(("ST", _value(elements, 2, sub)))
            self.seg_count = 1
        elif seg_id == "HL":
            self.hierarchy(elements)
        elif seg_id == "CLM" and self.count_lines:
            self.lx_count = 0
        elif seg_id == "LX" and self.count_lines:
            self.lx_count += 1
            if _value(elements, 1, sub) != str(self.lx_count):
                self.reader_problem("LX", "LX01 does not match the line count")
        if seg_id in _TRAILERS:
            self.trailer(seg_id, elements)

    def reader_problem(self, code: str, text: str) -> None:
        self.reader.append(_Found(0, Level.SEGMENT, code, None, text))

    def hierarchy(self, elements: list[str]) -> None:
        sub = self.sub
        self.hl_count += 1
        if self.hl_count != _number(_value(elements, 1, sub)):
            self.reader_problem("HL1", "HL01 does not match the HL count")
        if _value(elements, 2, sub) != "":
            parent = _number(_value(elements, 2, sub))
            if parent not in self.hl:
                self.reader_problem("HL2", "HL02 is not a valid parent")
            while self.hl and parent != self.hl[-1]:
                self.hl.pop()
        self.hl.append(self.hl_count)

    def trailer(self, seg_id: str, elements: list[str]) -> None:
        """SE, GE and IEA against their headers, as pyx12's reader checks them.

        A trailer with no header open makes pyx12 raise (IndexError): a unit
        without its SE holds the file's own GE and IEA before the made-up ones.
        """
        envelope, sub = self.envelope, self.sub
        if not envelope:
            raise _Raises("IndexError")
        control = _value(elements, 2, sub)
        count = _number(_value(elements, 1, sub))
        if seg_id == "SE":
            if envelope[-1] != ("ST", control):
                self.trailer_problem(Level.TRANSACTION, "3", "SE02 is not ST02")
            if count != self.seg_count + 1:
                self.trailer_problem(Level.TRANSACTION, "4", "SE01 is wrong")
        else:
            level = Level.GROUP if seg_id == "GE" else Level.INTERCHANGE
            if envelope[-1][0] != ("GS" if seg_id == "GE" else "ISA"):
                self.trailer_problem(level, "3" if seg_id == "GE" else "024", "Open")
                envelope.pop()
                if not envelope:
                    raise _Raises("IndexError")
            if envelope[-1][1] != control:
                self.trailer_problem(level, "4" if seg_id == "GE" else "001", "Id")
            inside = self.sets if seg_id == "GE" else self.groups
            if count != inside:
                self.trailer_problem(level, "5" if seg_id == "GE" else "021", "Count")
        envelope.pop()

    def trailer_problem(self, level: Level, code: str, text: str) -> None:
        self.reader.append(_Found(0, level, code, None, text))

    def problems(self) -> list[Problem]:
        unit = self.unit
        closed = unit.segments[-3].startswith("SE" + self.separator)
        at_level = {
            Level.INTERCHANGE: unit.indexes[0],
            Level.GROUP: unit.indexes[1],
            Level.TRANSACTION: unit.indexes[-3] if closed else unit.first_index,
        }
        out = []
        for item in self.found:
            loop: str | None
            if item.position == -2:
                index, loop = at_level[item.level], _ENVELOPE_LOOPS[item.level]
            else:
                # A line past the unit's segments (one held a terminator) is
                # placed on the last, as the reference places it.
                index = unit.indexes[min(item.position, len(unit.indexes) - 1)]
                loop = (
                    self.loops[item.position]
                    if item.position < len(self.loops)
                    else None
                )
            if index != MADE_UP:
                out.append(
                    Problem(
                        item.level,
                        item.code,
                        index,
                        item.element,
                        loop,
                        item.text,
                        item.value,
                    )
                )
        return out
