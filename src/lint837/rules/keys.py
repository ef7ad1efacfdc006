"""Verdict keys: what a claim rule's verdict depends on, as a hashable value.

Claims in a batch repeat themselves: the same practice bills the same drug,
dose, codes and diagnoses for claim after claim. The engine remembers, per
rule group, the keys of claims on which the rules found nothing, and skips
those rules on a later claim with the same key. That is only right if two
claims with the same key always get the same verdict, so a key must hold
everything its rules read, and may drop only what they never look at.

Two kinds of key:

* :func:`claim_signature`, the default: the claim's own segments, CLM to
  the end of its last line, plus the subscriber's SBR and payer NM1 and the
  delimiters. Values that are unique to almost every claim are replaced by
  what the rules can tell about them: CLM01 is left out (only batch rules
  read it); each date becomes its checks (real date, range shape, after
  the file's creation date, longer than a day) and which other date of the
  claim it equals; each REF value becomes its checks (empty, blank, too
  long, a placeholder) and which other REF value it equals.
* Narrow keys for the general rules, which meet every claim: each names
  the few segments its rules read (the payer, CLM, HI, the lines' SV1).

A rule that reads anything else about a claim must say so here, or be
declared ``stateful`` (never skipped). ``tests/test_verdicts.py`` lints
every fixture with and without remembered verdicts and requires the same
findings, and pins each reduction above with a pair of claims that differ
only in what it keeps.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Hashable, Iterable, Iterator
from functools import cache, lru_cache
from itertools import compress, count
from typing import Any

from lint837.model import Claim
from lint837.model.claim import to_date
from lint837.rules.authorization import MAX_LENGTH, PLACEHOLDER

Key = Hashable
_MISSING: Any = object()

__all__ = [
    "PARTS",
    "Key",
    "claim_lines",
    "claim_signature",
    "diagnoses",
    "parts_key",
    "payer",
]


def _delimiters(claim: Claim) -> tuple[str, str, str | None]:
    delimiters = claim.spans[0][0].delimiters
    return delimiters.element, delimiters.component, delimiters.repetition


def payer(claim: Claim) -> Key:
    """The subscriber loop's SBR and payer NM1 (CLM001, CLM002)."""
    found: Key = claim.__dict__.get("_key_part_payer", _MISSING)
    if found is _MISSING:
        found = claim.__dict__["_key_part_payer"] = _payer(claim)
    return found


def _payer(claim: Claim) -> Key:
    subscriber = claim.subscriber
    if subscriber is None:
        return None
    party = subscriber.scan_text("NM1", "PR")
    if party is None:  # the model's fallbacks find the payer loop's NM1
        found = subscriber.payer
        party = found.segment.text if found is not None else None
    return (_delimiters(claim), subscriber.scan_text("SBR"), party)


def _without_id(text: str, element: str) -> str:
    parts = text.split(element, 2)
    return parts[0] if len(parts) < 3 else f"{parts[0]}{element}{element}{parts[2]}"


def _diagnosis_texts(claim: Claim) -> tuple[str, ...]:
    return tuple(_segments(claim, "HI" + claim.spans[0][0].delimiters.element))


@lru_cache(maxsize=4096)
def _line_pointers(
    service_texts: tuple[str, ...], element: str
) -> tuple[str | None, ...]:
    """Per line (cut at LX): SV107 as sent of its first SV1, None without SV1."""
    found: list[str | None] = []
    lx = "LX" + element
    for text in service_texts:
        if text.startswith(lx):
            found.append(None)
        elif found and found[-1] is None:
            elements = text.split(element)
            found[-1] = elements[7] if len(elements) > 7 else ""
    return tuple(found)


def diagnoses(claim: Claim) -> Key:
    """Every HI segment, and each line's SV107 (DX001, DX002, DX003)."""
    element, component, repetition = _delimiters(claim)
    return (
        (element, component, repetition),
        _diagnosis_texts(claim),
        _line_pointers(claim.service_texts, element),
    )


@lru_cache(maxsize=8192)
def _date_checks(qualifier: str, value: str, created: str) -> str:
    """What CLM005 can tell about a DTP03 value, as a short code."""
    start = to_date(value.partition("-")[0])
    end = to_date(value.partition("-")[2]) if qualifier == "RD8" else start
    made = to_date(created)
    flags = [
        start is None,
        end is None,
        start is not None and end is not None and end < start,
        start is not None and end is not None and end > start,
        made is not None and end is not None and end > made,
    ]
    return "".join("1" if flag else "0" for flag in flags) + str(value.count("-"))


@lru_cache(maxsize=8192)
def _date_parts(
    text: str, element: str, created: str
) -> tuple[str, datetime.date | None]:
    """A DTP text with DTP03 replaced by its checks, and its first date.

    The text comes with a ``#`` on the end, ready for which date it equals.
    """
    parts = text.split(element)
    if len(parts) < 4:
        return text + "#", None
    value = parts[3]
    parts[3] = _date_checks(parts[2], value, created)
    return element.join(parts) + "#", to_date(value.partition("-")[0])


@lru_cache(maxsize=8192)
def _value_checks(value: str) -> str:
    """What the REF rules can tell about a REF02 value, as one letter."""
    stripped = value.strip()
    if not value:
        return "0"
    if not stripped:
        return "E"
    if len(stripped) > MAX_LENGTH:
        return "L"
    if PLACEHOLDER.match(stripped):
        return "P"
    return "V"


@lru_cache(maxsize=8192)
def _reference_parts(text: str, element: str) -> tuple[str, str]:
    """A REF text with REF02 replaced by its checks, and REF02 as sent."""
    parts = text.split(element)
    if len(parts) < 3:
        return text, ""
    value = parts[2]
    parts[2] = _value_checks(value)
    return element.join(parts), value


def _reduced(claim: Claim) -> tuple[str, ...]:
    """The claim's texts, one-off values reduced; worked out once a claim.

    A date keeps its checks and which earlier date of the claim it starts
    on (rules compare first dates of service; a date that is not real
    equals none); a REF value keeps its checks and which earlier REF value
    it repeats. A slice of it is a key too: which dates or values are equal
    within the slice still shows, so the slice holds all it needs.
    """
    found: tuple[str, ...] | None = claim.__dict__.get("_key_part_reduced")
    if found is None:
        found = claim.__dict__["_key_part_reduced"] = _reduce(claim)
    return found


def _reduce(claim: Claim) -> tuple[str, ...]:
    keys, texts = claim.raw
    element = claim.spans[0][0].delimiters.element
    created = claim.transaction.creation_date
    reduced = list(texts)  # raw is kept on the claim: never change it

    dates: dict[datetime.date, int] = {}
    for k in compress(count(), map("DTP".__eq__, keys)):  # found at C speed
        token, start = _date_parts(reduced[k], element, created)
        same = "-" if start is None else str(dates.setdefault(start, len(dates)))
        reduced[k] = token + same

    if "REF" in keys:
        values: dict[str, int] = {}
        for k in compress(count(), map("REF".__eq__, keys)):
            token, value = _reference_parts(reduced[k], element)
            reduced[k] = f"{token}#{values.setdefault(value, len(values))}"
    return tuple(reduced)


def claim_lines(claim: Claim) -> Key:
    """CLM without CLM01, the lines reduced, and REF*F8 for a replacement.

    CLM003 reads CLM05 and, for frequency 7 or 8, whether 2300 holds
    REF*F8; CLM004 CLM02 and the line charges; CLM005 the codes and
    dates of the lines and the file's creation date.
    """
    keys, texts = claim.raw
    element = claim.spans[0][0].delimiters.element
    element_lx = "LX" + element
    first = keys.index(element_lx) if element_lx in keys else len(keys)
    frequency = _frequency(texts[0], element, claim.spans[0][0].delimiters.component)
    replaces = frequency in ("7", "8") and bool(claim.original_references)
    return (
        _delimiters(claim),
        _without_id(texts[0], element),
        replaces,
        _reduced(claim)[first:],
    )


def _frequency(clm: str, element: str, component: str) -> str:
    """CLM05-3 of a CLM text (what :attr:`Claim.frequency` reads)."""
    elements = clm.split(element, 6)
    parts = elements[5].split(component) if len(elements) > 5 else [""]
    return parts[2] if len(parts) > 2 else ""


def claim_signature(claim: Claim) -> Key:
    """The claim's segments with its one-off values reduced (the default key)."""
    element = claim.spans[0][0].delimiters.element
    reduced = _reduced(claim)
    return (
        payer(claim),
        _delimiters(claim),
        _without_id(reduced[0], element),
        reduced[1:],
    )


# --- keys built from parts, for rules that say which parts of a claim they read ---


def _once(name: str, read: Callable[[Claim], Key]) -> Callable[[Claim], Key]:
    """``read``, worked out once per claim (kept in the claim's __dict__)."""
    slot = "_key_part_" + name

    def part(claim: Claim) -> Key:
        found: Key = claim.__dict__.get(slot, _MISSING)
        if found is _MISSING:
            found = claim.__dict__[slot] = read(claim)
        return found

    return part


# Parts are tuples of the texts as sent: a tuple of strings is one-to-one,
# and hashing it combines the hashes its strings keep, so a key costs
# little more than the slices it is made of.


def _texts(wanted: str) -> Callable[[Claim], tuple[str, ...]]:
    """The texts of the segments with this block key, in file order."""

    def part(claim: Claim) -> tuple[str, ...]:
        return tuple(_segments(claim, wanted))

    return part


def _segments(claim: Claim, wanted: str) -> Iterator[str]:
    """The texts of the segments with this block key, in file order."""
    keys, texts = claim.raw
    return compress(texts, map(wanted.__eq__, keys))


def _hi(claim: Claim) -> Key:
    return tuple(_segments(claim, "HI" + claim.spans[0][0].delimiters.element))


def _qualifiers(claim: Claim) -> Key:
    element = claim.spans[0][0].delimiters.element
    return tuple([*text.split(element, 2), ""][1] for text in _segments(claim, "REF"))


_LIN, _CTP = _texts("LIN"), _texts("CTP")


def _drug(claim: Claim) -> Key:
    """The LIN texts and the CTP texts, each in file order."""
    return (_LIN(claim), _CTP(claim))


def _payer_part(claim: Claim) -> Key:
    subscriber = claim.subscriber
    if subscriber is None:
        return None
    found = payer(claim)  # kept on the claim: the CLM001 key reads it too
    assert isinstance(found, tuple)
    _, sbr, party = found
    return (sbr, party)


def _date_pattern(claim: Claim) -> Key:
    """Each DTP with its date reduced to its checks and which date it equals."""
    element = claim.spans[0][0].delimiters.element
    created = claim.transaction.creation_date
    dates: dict[datetime.date, int] = {}
    found = []
    for text in _segments(claim, "DTP"):
        token, start = _date_parts(text, element, created)
        same = "-" if start is None else str(dates.setdefault(start, len(dates)))
        found.append(token + same)
    return tuple(found)


def _reference_pattern(claim: Claim) -> Key:
    """Each REF with REF02 reduced to its checks and which value it repeats."""
    element = claim.spans[0][0].delimiters.element
    values: dict[str, int] = {}
    found = []
    for text in _segments(claim, "REF"):
        token, value = _reference_parts(text, element)
        found.append(f"{token}#{values.setdefault(value, len(values))}")
    return tuple(found)


PARTS: dict[str, Callable[[Claim], Key]] = {
    "clm_id": lambda claim: claim.raw[1][0],  # CLM01 as sent, with CLM
    "created": lambda claim: claim.transaction.creation_date,
    # Worked out once per claim, as several keys may hold them.
    **{
        name: _once(name, read)
        for name, read in {
            "layout": lambda claim: tuple(claim.raw[0]),
            "payer": _payer_part,
            "clm": lambda claim: _without_id(
                claim.raw[1][0], claim.spans[0][0].delimiters.element
            ),
            "services": lambda claim: claim.service_texts,
            "dates": _texts("DTP"),
            "date_pattern": _date_pattern,
            "hi": _hi,
            "refs": _texts("REF"),
            "ref_pattern": _reference_pattern,
            "ref_qualifiers": _qualifiers,
            "drug": _drug,
        }.items()
    },
}
"""Parts of a claim a key can be built from, each the raw texts it reads."""


# What each key holds, in parts: a rule reading only parts a key holds
# may share that key's verdict group (see covering). Only what the key
# surely holds is listed: claim_lines keeps the texts from the first LX
# on, so a malformed claim's SV1 or LIN before it would not be held, and
# "services" and "drug" are left out of it.
HOLDS: dict[Callable[[Claim], Key], frozenset[str]] = {
    payer: frozenset({"payer"}),
    claim_lines: frozenset({"clm"}),
    diagnoses: frozenset({"hi"}),
    claim_signature: frozenset(
        {
            "payer",
            "clm",
            "layout",
            "services",
            "hi",
            "drug",
            "date_pattern",
            "ref_pattern",
            "ref_qualifiers",
        }
    ),
}


READS: dict[Callable[[Claim], Key], frozenset[str]] = {}
"""The parts each key made by :func:`parts_key` reads."""


def covering(
    key: Callable[[Claim], Key], others: Iterable[Callable[[Claim], Key]]
) -> Callable[[Claim], Key] | None:
    """Of ``others``, the key holding fewest parts that holds all ``key`` reads.

    A rule keyed by ``key`` may join that key's verdict group: a claim the
    finer key calls clean is clean for the rule too. None when ``key`` was
    not made by :func:`parts_key` or no other key holds all it reads.
    """
    reads = READS.get(key)
    if reads is None:
        return None
    fits = [other for other in others if reads <= HOLDS.get(other, frozenset())]
    return min(fits, key=lambda other: len(HOLDS[other]), default=None)


@cache
def parts_key(parts: frozenset[str]) -> Callable[[Claim], Key]:
    """A key of the named parts.

    The delimiters are not in it: the engine keeps a verdict group's keys
    per set of delimiters. One function per set of parts, so that rules
    reading the same parts share one verdict group in the engine.
    """
    readers = [PARTS[name] for name in sorted(parts)]
    key: Callable[[Claim], Key]
    if not readers:  # reads nothing of the claim: the payer's policy alone

        def key(claim: Claim) -> Key:
            return ()
    elif len(readers) == 1:
        key = readers[0]  # one part is its own key: no call around it
    elif len(readers) == 2:
        first, second = readers

        def key(claim: Claim) -> Key:
            return (first(claim), second(claim))
    elif len(readers) == 3:
        first, second, third = readers

        def key(claim: Claim) -> Key:
            return (first(claim), second(claim), third(claim))
    else:

        def key(claim: Claim) -> Key:
            return tuple([read(claim) for read in readers])

    if len(readers) != 1:
        key.__name__ = "parts_key(" + ",".join(sorted(parts)) + ")"
    READS[key] = HOLDS[key] = parts
    return key
