"""Damaged input never crashes lint837: it is read, or refused with a message.

Each fixture is mutated many times with a fixed seed (bytes replaced,
dropped, doubled, delimiters swapped, truncated) and linted with every
rule; the only exception allowed is the package's own InputError.
"""

from __future__ import annotations

import io
import random

import pytest

from lint837.config import load_policy
from lint837.errors import InputError
from lint837.linter import Linter
from lint837.rules.context import Context

from conftest import FIXTURES, manifest

READABLE = sorted(p for p, e in manifest().items() if not e.get("not_x12"))
READABLE += sorted(
    str(p.relative_to(FIXTURES)) for p in FIXTURES.glob("rules/**/*.837")
)
NOISE = b"*~:^|>\n\r \x00\xff0123456789ABCDEFGHIJ"


def mutate(data: bytes, rng: random.Random) -> bytes:
    chars = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if not chars:
            break
        where = rng.randrange(len(chars))
        action = rng.random()
        if action < 0.4:
            chars[where] = rng.choice(NOISE)
        elif action < 0.6:
            del chars[where : where + rng.randint(1, 40)]
        elif action < 0.8:
            chars[where:where] = chars[where : where + rng.randint(1, 80)]
        else:
            del chars[where:]
    return bytes(chars)


@pytest.mark.parametrize("relative", READABLE)
def test_mutated_fixtures_never_crash(relative: str) -> None:
    data = (FIXTURES / relative).read_bytes()
    rng = random.Random(relative)
    context = Context(policy=load_policy(FIXTURES / "policies/payers.toml"))
    for _ in range(30):
        damaged = mutate(data, rng)
        linter = Linter(context=context)
        try:
            list(linter.lint_stream(io.BytesIO(damaged), relative))
            list(linter.finish())
        except InputError:
            pass
