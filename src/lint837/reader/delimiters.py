"""The four X12 delimiters, taken from the ISA header of each interchange.

X12.5 fixes the ISA layout: 'ISA', the element separator at position 3,
sixteen elements, the component separator as ISA16 and the segment
terminator right after it. A well-formed ISA is therefore 106 characters
long; files whose padding was collapsed still carry all sixteen elements,
so the delimiters are found by walking the elements, not by fixed columns,
and the length is kept for the envelope rules to judge.
"""

from __future__ import annotations

from dataclasses import dataclass

ISA_LENGTH = 106
_ISA_ELEMENTS = 16
# ISA11 became the repetition separator in version 00501; before that it
# was the standards identifier (usually 'U').
_REPETITION_FROM_VERSION = "00501"


@dataclass(frozen=True, slots=True)
class Delimiters:
    """The delimiters one interchange uses."""

    element: str
    component: str
    segment: str
    repetition: str | None = None


@dataclass(frozen=True, slots=True)
class IsaHeader:
    """What sniffing an ISA segment tells: its delimiters and its length."""

    delimiters: Delimiters
    length: int


def sniff_isa(text: str) -> IsaHeader | None:
    """Read the delimiters from text that starts with an ISA segment.

    Returns None when the text does not hold a complete ISA header.
    """
    if len(text) < 4 or not text.startswith("ISA"):
        return None
    element = text[3]
    if element.isalnum() or element.isspace():
        return None

    # Walk to the separator before ISA16: the padding may be collapsed.
    position = 3
    for _ in range(_ISA_ELEMENTS - 1):
        position = text.find(element, position + 1)
        if position < 0:
            return None

    if position + 2 >= len(text):
        return None
    component = text[position + 1]
    terminator = text[position + 2]
    length = position + 3
    if terminator == "\r" and text[position + 3 : position + 4] != "\n":
        pass  # a bare carriage return ends each segment
    elif terminator in "\r\n":
        terminator = "\n"
    elif terminator.isalnum() or terminator == " ":
        return None

    fields = text[:position].split(element)
    return IsaHeader(
        Delimiters(element, component, terminator, _repetition(fields, element)),
        length,
    )


def _repetition(fields: list[str], element: str) -> str | None:
    if len(fields) < 13 or fields[12] < _REPETITION_FROM_VERSION:
        return None
    candidate = fields[11]
    if len(candidate) == 1 and not candidate.isalnum() and candidate != element:
        return candidate
    return None


def guess_bare(text: str) -> Delimiters | None:
    """Guess delimiters for text that starts at GS or ST, with no ISA.

    Such files exist (bare transaction sets written by test tools); the
    element separator follows the segment id and the terminator is the first
    punctuation that is neither that separator nor a usual component one.
    """
    if len(text) < 3 or text[:2] not in ("GS", "ST"):
        return None
    element = text[2]
    if element.isalnum() or element.isspace():
        return None

    for char in text[3:512]:
        if char in "\r\n":
            return Delimiters(element, ":", "\n")
        if char.isalnum() or char in (element, " ", ":", "^", ">", "|", ".", "-"):
            continue
        return Delimiters(element, ":", char)
    return None
