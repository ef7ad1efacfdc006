"""Which implementation-guide loop each segment of a model object sits in.

The builder only cuts the file at hierarchy and claim boundaries (HL, CLM,
LX); the finer loops are named here, on demand, from the NM1 entity codes
and the segments that open a loop (005010X222A1 loop table).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from lint837.reader import Block

# Loop opened by an NM1 with this NM101, per enclosing level.
_NM1_LOOPS: dict[str, dict[str, str]] = {
    "HEADER": {"41": "1000A", "40": "1000B"},
    "2000A": {"85": "2010AA", "87": "2010AB", "PE": "2010AC"},
    "2000B": {"IL": "2010BA", "PR": "2010BB"},
    "2000C": {"QC": "2010CA"},
    "2300": {
        "DN": "2310A",
        "P3": "2310A",
        "82": "2310B",
        "77": "2310C",
        "DQ": "2310D",
        "PW": "2310E",
        "45": "2310F",
    },
    "2320": {
        "IL": "2330A",
        "PR": "2330B",
        "DN": "2330C",
        "P3": "2330C",
        "82": "2330D",
        "77": "2330E",
        "DQ": "2330F",
        "85": "2330G",
    },
    "2400": {
        "82": "2420A",
        "QB": "2420B",
        "77": "2420C",
        "DQ": "2420D",
        "DK": "2420E",
        "DN": "2420F",
        "P3": "2420F",
        "PW": "2420G",
        "45": "2420H",
    },
}

# Segments that open a loop of their own inside a level.
_OPENERS: dict[str, dict[str, str]] = {
    "2300": {"SBR": "2320"},
    "2320": {"SBR": "2320"},
    "2400": {"LIN": "2410", "SVD": "2430", "LQ": "2440"},
}

ENVELOPE_LOOPS = {
    "ISA": "ISA",
    "IEA": "ISA",
    "GS": "GS",
    "GE": "GS",
    "ST": "ST",
    "SE": "ST",
}


def segment_id(key: str, element: str) -> str:
    """A segment's id from its block key (its first three characters)."""
    return key[:2] if len(key) == 3 and key[2] == element else key


def label_positions(
    level: str, spans: Iterable[tuple[Block, int, int]]
) -> Iterator[tuple[str, str, Block, int]]:
    """(loop, segment id, block, k) for each segment of the spans.

    Works from the block keys, so no Segment is built; an NM1's entity code
    is read straight from its text.
    """
    current = level
    scope = level

    for block, start, stop in spans:
        keys, texts = block.keys, block.texts
        element = block.delimiters.element
        for k in range(start, stop):
            found = segment_id(keys[k], element)
            if found == "NM1":
                parts = texts[k].split(element, 2)
                entity = parts[1] if len(parts) > 1 else ""
                loop = _NM1_LOOPS.get(scope, {}).get(entity)
                if loop is None and scope != level:
                    loop = _NM1_LOOPS.get(level, {}).get(entity)
                if loop is not None:
                    current = loop
            else:
                opened = _OPENERS.get(scope, {}).get(found)
                if opened is not None:
                    current = scope = opened
            yield current, found, block, k


Index = dict[tuple[str, str], list[tuple[Block, int]]]


def index(level: str, spans: Iterable[tuple[Block, int, int]]) -> Index:
    """Where each (loop, segment id) of the spans sits, in file order."""
    found: Index = {}
    for loop, found_id, block, k in label_positions(level, spans):
        place = (loop, found_id)
        positions = found.get(place)
        if positions is None:
            found[place] = [(block, k)]
        else:
            positions.append((block, k))

    return found
