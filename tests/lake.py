"""A small data lake of claim files, and what the CLI says of each file.

The Spark, Dask and ``check -j`` tests lint the same files and compare
their rows with ``lint837 check --format json FILE`` run on each file alone
(each file is its own run there too). The lake holds every fixture, the
unreadable ones included, and generated batches, some of them damaged in
ways the rules catch.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from lint837.cli import main
from lint837.perfile import FATAL, FINDING_COLUMNS, UNREADABLE

from batchgen import write_batch
from conftest import FIXTURES

JSON_KEYS = [name for name, _ in FINDING_COLUMNS[:15]]
"""The findings table's columns that are the JSON output's keys."""

POLICY = FIXTURES / "policies" / "payers.toml"
AUTHS = FIXTURES / "auths" / "auths.csv"
ACME_RULES = FIXTURES.parent / "examples" / "acme.rules"

_DAMAGE: tuple[tuple[bytes, bytes], ...] = (
    (b"", b""),  # as generated
    (b"SV1*HC:J3420*8*UN*1*", b"SV1*HC:J3420*24*UN*3*"),  # units, charge, NDC
    (b"REF*G1*", b"REF*XX*"),  # no prior authorization on the first J3420 claim
    (b"\nSE*", b"\nSE*9"),  # a wrong segment count
    (b"HC:J3420*", b"HC:J3420:JW*"),  # JW on a multi-dose drug
    (b"~\n", b"~"),  # one long line: same findings, other positions
)


def fixture_files() -> list[Path]:
    """Every claim file of fixtures/, and every file of fixtures/not_x12."""
    claims = [
        path
        for path in FIXTURES.rglob("*")
        if path.suffix.lower() in (".837", ".x12", ".edi") and path.is_file()
    ]
    return sorted({*claims, *(FIXTURES / "not_x12").iterdir()})


def build(root: Path, count: int) -> list[Path]:
    """A folder of claim files: copies of the fixtures, and ``count`` generated."""
    copies = []
    for path in fixture_files():
        copy = root / "fixtures" / path.relative_to(FIXTURES)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, copy)
        copies.append(copy)
    return [*copies, *generate(root / "generated", count)]


def generate(folder: Path, count: int) -> list[Path]:
    """``count`` generated batches of 1 to 24 claims, one in six as made."""
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for number in range(count):
        stream = io.BytesIO()
        claims = 1 + (number * 7) % 24
        write_batch(stream, claims, j3420_every=1 + number % 4, seed=number)
        old, new = _DAMAGE[number % len(_DAMAGE)]
        data = stream.getvalue().replace(old, new, 1) if old else stream.getvalue()
        if number % 10 == 9:
            data = data[: len(data) * 2 // 3]  # truncated: missing trailers
        path = folder / f"batch{number:04d}.837"
        path.write_bytes(data)
        made.append(path)
    return made


def cli_rows(paths: Iterable[Path], *flags: str) -> list[dict[str, Any]]:
    """The CLI's findings of each file linted alone, as table rows.

    Only the JSON keys are kept; a file the CLI cannot read gives the row
    the tables give it, from the CLI's JSON (its error) and its stderr line
    (the byte the error is at).
    """
    rows: list[dict[str, Any]] = []
    for path in paths:
        out, err = io.StringIO(), io.StringIO()
        argv = ["check", "--isolated", "--format", "json", *flags, str(path)]
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main(argv)
        document = json.loads(out.getvalue())
        rows.extend(document["findings"])
        [summary] = document["files"]
        if summary["error"] is not None:
            rows.append(_fatal(summary, err.getvalue()))
    return rows


def _fatal(summary: dict[str, Any], stderr: str) -> dict[str, Any]:
    row = dict.fromkeys(JSON_KEYS)
    where = re.search(r": byte (\d+): ", stderr)
    row.update(
        rule=UNREADABLE[0],
        severity=FATAL,
        message=summary["error"],
        file=summary["file"],
        offset=int(where.group(1)) if where else None,
    )
    return row


def by_file(rows: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Rows grouped by file, keeping their order within each file.

    Spark and Dask keep a file's rows together and in order, but put files
    in an order of their own (Spark packs the largest first).
    """
    grouped: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        grouped.setdefault(row["file"], []).append({k: row[k] for k in JSON_KEYS})
    return grouped


def rule_counts(rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["rule"]] = counts.get(row["rule"], 0) + 1
    return counts
