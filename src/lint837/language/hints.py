"""Plain-English hints for the mistakes analysts make in rules files.

Each hint carries the bad inputs it is meant for; the tests compile every
one and require the hint in the error, so a change to the grammar or the
compiler cannot silently orphan a hint.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

_RULE = 'rule ACME010 "Acme requires JZ"\n  severity error\n  for each J3420 line\n'
_TAIL = '  message "add JZ"\n'


@dataclass(frozen=True)
class Hint:
    """A hint, when it applies (to the text from the error on), and examples."""

    text: str
    applies: Callable[[str, Sequence[str], str], bool]
    examples: tuple[str, ...]


def _starts(*prefixes: str) -> Callable[[str, Sequence[str], str], bool]:
    return lambda rest, expected, line: rest.startswith(prefixes)


def _line_matches(pattern: str) -> Callable[[str, Sequence[str], str], bool]:
    compiled = re.compile(pattern)
    return lambda rest, expected, line: bool(compiled.search(line))


HINTS: tuple[Hint, ...] = (
    Hint(
        "a rule starts with rule, a code of capital letters ending in three "
        "digits (ACME010), and a title in double quotes",
        lambda rest, expected, line: (
            bool(re.match(r"\s*rule\b", line)) or list(expected) == ["STRING"]
        ),
        (
            'rule acme10 "Acme requires JZ"\n',
            "rule ACME010\n  severity error\n",
            'rule ACME10 "Acme requires JZ"\n',
        ),
    ),
    Hint(
        'compare with a single =, as in line.code = "J3420"',
        _line_matches(r"=="),
        (_RULE + '  require line.code == "J3420"\n' + _TAIL,),
    ),
    Hint(
        "write and, or and not instead of &&, || and !",
        _starts("&&", "||", "!", "&", "|"),
        (
            _RULE + '  require "JZ" in line.modifiers && line.units > 0\n' + _TAIL,
            _RULE + "  require !exists line.ndc\n" + _TAIL,
        ),
    ),
    Hint(
        "use != for not equal",
        _line_matches(r"<>|:="),
        (_RULE + '  require line.code <> "J3420"\n' + _TAIL,),
    ),
    Hint(
        "text goes in double quotes: \"JZ\", not 'JZ'",
        _starts("'"),
        (_RULE + "  require 'JZ' in line.modifiers\n" + _TAIL,),
    ),
    Hint(
        "close the text with a double quote on the same line",
        _line_matches(r'^[^"]*("[^"]*"[^"]*)*"[^"]*$'),
        (_RULE + '  require "JZ in line.modifiers\n' + _TAIL,),
    ),
    Hint(
        "severity is error, warning or info",
        _line_matches(r"^\s*severity\b"),
        ('rule ACME010 "x"\n  severity high\n  for claim\n',),
    ),
    Hint(
        "write for claim, for each line, or for each J3420 line",
        _line_matches(r"^\s*for\b"),
        (
            'rule ACME010 "x"\n  severity error\n  for each lines\n',
            'rule ACME010 "x"\n  severity error\n  for line\n',
        ),
    ),
    Hint(
        "a rule's clauses are severity, for, where, require, message, at and why",
        lambda rest, expected, line: bool(
            re.match(r"\s*(when|if|then|check|msg)\b", line)
        ),
        (_RULE + '  when payer.id = "ACMEPA"\n' + _TAIL,),
    ),
    Hint(
        'a list is written ["J3420", "J3421"], items separated by commas',
        _line_matches(r"\[[^\]]*\"\s+\""),
        (_RULE + '  require line.code in ["J3420" "J3421"]\n' + _TAIL,),
    ),
)


def hint_for(rest: str, expected: Sequence[str], line: str) -> str | None:
    """The first hint that applies to a syntax error, if any."""
    for hint in HINTS:
        if hint.applies(rest, expected, line):
            return hint.text
    return None
