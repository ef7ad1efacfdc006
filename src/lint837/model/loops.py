"""Which implementation-guide loop each segment of a model object sits in.

The builder only cuts the file at hierarchy and claim boundaries (HL, CLM,
LX); the finer loops are named here, on demand, from the NM1 entity codes
and the segments that open a loop (005010X222A1 loop table).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from lint837.reader import Segment

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


def label(level: str, segments: Iterable[Segment]) -> Iterator[tuple[str, Segment]]:
    """Pair each segment of a level (``"2300"``, ``"2400"``...) with its loop."""
    current = level
    scope = level
    for segment in segments:
        segment_id = segment.id
        if segment_id == "NM1":
            entity = segment.get(1)
            loop = _NM1_LOOPS.get(scope, {}).get(entity)
            if loop is None and scope != level:
                loop = _NM1_LOOPS.get(level, {}).get(entity)
            if loop is not None:
                current = loop
        else:
            opened = _OPENERS.get(scope, {}).get(segment_id)
            if opened is not None:
                current = scope = opened
        yield current, segment
