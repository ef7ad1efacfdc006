"""The fast validator's accept path is sound: a text its pattern takes has no
element problem for the detailed check.

Every segment text of every fixture and 837P file of the shared corpus, and
mutated copies of each (elements emptied, lengthened, recoded, dates that
are not dates, extra elements, other separators), is tried against the
accept pattern of every node of its segment id; wherever the pattern
matches, the detailed check must find nothing (and not raise).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

from lint837.errors import InputError
from lint837.validation import fast
from lint837.validation.units import units

from conftest import CORPUS, FIXTURES, corpus_index

MAP = "837.5010.X222.A1.xml"

# Values an element is set to, one at a time: near misses of every check.
SWAPS = (
    "",
    " ",
    "X",
    "ZZ",
    "XX ",
    " 1",
    "1 ",
    "0",
    "-",
    ".",
    "-.5",
    "1.",
    "1.5",
    "-12",
    "12345678901234567890",
    "9" * 19,
    "1.23456789012345678",
    "20250101",
    "20250128",
    "20250129",
    "20250230",
    "20250229",
    "20240229",
    "20251301",
    "20250001",
    "20250100",
    "17991231",
    "18000101",
    "250101",
    "202501011200",
    "20250101-20250105",
    "20250105-20250230",
    "20250101-20250105-20250109",
    "0000",
    "2359",
    "2400",
    "2360",
    "120060",
    "1200599",
    "12005999",
    "123456789",
    "12345678",
    "1234567890",
    "A\tB",
    "a~b",
    "ÄB",
    "D8",
    "RD8",
    "TM",
    "DT",
    "MI",
    "XX",
    "HC",
    "IL",
    "USA",
    "11",
)


def texts() -> Iterator[tuple[str, str, str]]:
    """(segment text, element separator, sub-element separator), unique."""
    paths = sorted(FIXTURES.rglob("*.837"))
    paths += [
        CORPUS / row["saved_path"]
        for row in corpus_index()
        if row["transaction"] == "837P"
    ]
    seen: set[tuple[str, str, str]] = set()
    for path in paths:
        try:
            found = list(units(io.BytesIO(path.read_bytes()), path.name))
        except (InputError, UnicodeDecodeError, ValueError):
            continue
        for unit in found:
            isa = unit.segments[0]
            if len(isa) < 105:
                continue
            separator, sub = isa[3], isa[104]
            for text in unit.segments[2:-2]:
                key = (text, separator, sub)
                if key not in seen:
                    seen.add(key)
                    yield key


def mutations(text: str, separator: str, sub: str) -> Iterator[str]:
    fields = text.split(separator)
    yield text
    yield text + separator + "X"
    yield text + separator
    for k in range(1, len(fields)):
        yield separator.join(fields[:k])
        value = fields[k]
        for swap in (*SWAPS, value + "X" * 30, value + "9", value[:-1], value + " "):
            yield separator.join([*fields[:k], swap, *fields[k + 1 :]])
        yield separator.join([*fields[:k], value + sub, *fields[k + 1 :]])
        yield separator.join([*fields[:k], sub + value, *fields[k + 1 :]])
        yield separator.join([*fields[:k], f"{value}{sub}X{sub}Y", *fields[k + 1 :]])
        parts = value.split(sub)
        for j in range(len(parts)):
            for swap in ("", "X", "ZZ", "20250230", "9" * 19, parts[j] + "X" * 30):
                changed = sub.join([*parts[:j], swap, *parts[j + 1 :]])
                yield separator.join([*fields[:k], changed, *fields[k + 1 :]])


def nodes_by_id() -> dict[str, list[fast._Node]]:
    table = fast.compiled(MAP)
    top = table.start
    while top.parent is not None:
        top = top.parent
    found: dict[str, list[fast._Node]] = {}
    for node in fast._segments(top):
        found.setdefault(node.id, []).append(node)
    return found


Patterns = dict[str, list[tuple[re.Pattern[str], list[fast._Node]]]]


def patterns(separator: str, sub: str) -> Patterns:
    """By segment id, each accept pattern and the nodes that have it."""
    out: Patterns = {}
    for seg_id, nodes in nodes_by_id().items():
        by_pattern: dict[re.Pattern[str], list[fast._Node]] = {}
        for node in nodes:
            pattern = fast._accept(node, separator, sub)
            if pattern is not None:
                by_pattern.setdefault(pattern, []).append(node)
        out[seg_id] = list(by_pattern.items())
    return out


def test_an_accepted_text_has_no_element_problem() -> None:
    cache: dict[tuple[str, str], Patterns] = {}
    seen: set[tuple[str, str, str]] = set()
    accepted = tried = 0
    for text, separator, sub in texts():
        others = [(separator, sub, True)]
        if (separator, sub) != ("|", ">"):
            others.append(("|", ">", False))  # other separators: fewer mutations
        for new_separator, new_sub, every in others:
            if (new_separator, new_sub) not in cache:
                cache[new_separator, new_sub] = patterns(new_separator, new_sub)
            by_id = cache[new_separator, new_sub]
            swap = str.maketrans({separator: new_separator, sub: new_sub})
            base = text.translate(swap) if new_separator != separator else text
            candidates = mutations(base, new_separator, new_sub) if every else [base]
            group = by_id.get(base.split(new_separator, 1)[0], [])
            for mutated in candidates:
                if (mutated, new_separator, new_sub) in seen:
                    continue
                seen.add((mutated, new_separator, new_sub))
                for pattern, nodes in group:
                    tried += 1
                    if not pattern.fullmatch(mutated):
                        continue
                    accepted += 1
                    elements = mutated.split(new_separator)[1:]
                    for node in nodes:
                        found = fast._checked_segment(node, elements, new_sub)
                        assert found == [], (node, mutated, found)
    assert tried > 100_000 and accepted > 1_000  # the test tests something


def test_accept_patterns_are_built_for_most_nodes() -> None:
    """Most nodes have a pattern (else the accept path does little)."""
    nodes = [node for group in nodes_by_id().values() for node in group]
    built = [node for node in nodes if fast._accept(node, "*", ":") is not None]
    assert len(built) > 0.8 * len(nodes)
    assert all(fast._accept(node, "*", "*") is None for node in nodes)
