"""The pre-submit gate: held and clean claims, nothing lost, valid outputs."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from lint837.cli import main
from lint837.errors import InputError
from lint837.linter import Linter, events
from lint837.model import Claim
from lint837.rules import envelope

from batchgen import write_batch
from conftest import CORPUS, FIXTURES, corpus_index

DEMO = FIXTURES / "examples" / "b12_denials.837"
# Envelope findings an output must never have: counts, control numbers,
# trailers, the hierarchy, segments outside an envelope.
BROKEN = {
    "ENV002",
    "ENV003",
    "ENV004",
    "ENV005",
    "ENV006",
    "ENV007",
    "ENV008",
    "ENV010",
    "ENV012",
}


def claims_of(data: bytes) -> Counter[tuple[str, ...]]:
    """Every claim of a file as its segment texts, CLM to its last line."""
    found: Counter[tuple[str, ...]] = Counter()
    if not data:  # no claim went there, and the input had no ISA to repeat
        return found
    for event in events(io.BytesIO(data), "x"):
        if isinstance(event, Claim):
            found[tuple(event.raw[1])] += 1
    return found


def envelope_problems(data: bytes) -> set[str]:
    try:
        findings = list(Linter(envelope.RULES).lint_stream(io.BytesIO(data), "out"))
    except InputError as error:  # pragma: no cover - shown in the assertion
        return {f"unreadable: {error}"}
    return {f.rule for f in findings} & BROKEN


def run_gate(
    tmp_path: Path, source: Path, *args: str
) -> tuple[int, bytes, bytes, dict]:
    clean, held, report = (
        tmp_path / "clean.837",
        tmp_path / "held.837",
        tmp_path / "r.json",
    )
    for path in (clean, held, report):
        path.unlink(missing_ok=True)
    code = main(
        [
            "gate",
            str(source),
            "--clean",
            str(clean),
            "--held",
            str(held),
            "--report",
            str(report),
            "--isolated",
            *args,
        ]
    )
    return code, clean.read_bytes(), held.read_bytes(), json.loads(report.read_text())


def assert_nothing_lost(source: bytes, clean: bytes, held: bytes) -> None:
    """Every claim of the input, segment for segment, in one output or the other."""
    assert claims_of(clean) + claims_of(held) == claims_of(source)


def test_the_demo_holds_both_claims_and_still_writes_a_clean_interchange(
    tmp_path: Path,
) -> None:
    code, clean, held, report = run_gate(tmp_path, DEMO)
    assert code == 1
    assert sum(claims_of(held).values()) == 2 and not claims_of(clean)
    assert clean.startswith(b"ISA*") and b"IEA*0*000000101~" in clean
    assert envelope_problems(clean) == set() and envelope_problems(held) == set()
    assert [c["claim"] for c in report["held"]] == ["B12DEMO01", "B12DEMO02"]
    assert_nothing_lost(DEMO.read_bytes(), clean, held)


@pytest.fixture(scope="module")
def broken_batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[str]]:
    """50,000 generated claims; every 7th has a CLM02 that does not balance."""
    buffer = io.BytesIO()
    write_batch(buffer, 50_000)
    out, broken, number = [], set(), 0
    for segment in buffer.getvalue().decode().split("~\n"):
        if segment.startswith("CLM*"):
            number += 1
            if number % 7 == 0:
                parts = segment.split("*")
                parts[2] += "1"
                segment = "*".join(parts)
                broken.add(parts[1])
        out.append(segment)
    path = tmp_path_factory.mktemp("gate") / "batch.837"
    path.write_bytes("~\n".join(out).encode())
    return path, broken


def test_the_benchmark_batch_loses_nothing_and_holds_exactly_the_bad_claims(
    tmp_path: Path, broken_batch: tuple[Path, set[str]]
) -> None:
    path, broken = broken_batch
    code, clean, held, report = run_gate(tmp_path, path)
    assert code == 1
    source = path.read_bytes()
    assert_nothing_lost(source, clean, held)
    assert sum(claims_of(clean).values()) == 50_000 - len(broken)
    assert {c["claim"] for c in report["held"]} == broken
    assert {texts[0].split("*")[1] for texts in claims_of(held)} == broken
    assert envelope_problems(clean) == set() and envelope_problems(held) == set()


def test_segments_are_copied_byte_for_byte(tmp_path: Path) -> None:
    source = DEMO.read_bytes()
    _, _, held, _ = run_gate(tmp_path, DEMO)
    for texts in claims_of(held):
        assert ("~\n".join(texts) + "~").encode() in source


def _corpus_837p() -> list[Path]:
    return [
        CORPUS / row["saved_path"]
        for row in corpus_index()
        if row["transaction"] == "837P"
        and any(
            version.startswith("005010X222")
            for version in (row["version_GS08"], row["version_ST03"])
        )
    ]


@pytest.mark.corpus
def test_every_corpus_claim_lands_in_exactly_one_output(tmp_path: Path) -> None:
    files = _corpus_837p()
    if not files:
        pytest.skip("../shared/corpus is not here")
    for path in files:
        source = path.read_bytes()
        code, clean, held, report = run_gate(tmp_path, path, "--fail-on", "warning")
        assert code in (0, 1), path
        assert_nothing_lost(source, clean, held)
        assert report["claims"] == sum(claims_of(source).values()), path
        if not envelope_problems(source):
            assert envelope_problems(clean) == set(), path
            assert envelope_problems(held) == set(), path


def test_other_transactions_are_held_unchanged(tmp_path: Path) -> None:
    paths = sorted((FIXTURES / "out_of_scope").glob("*.*"))
    assert paths
    for path in paths:
        _, clean, held, _ = run_gate(tmp_path, path)
        assert not claims_of(clean)
        assert b"ST*" in held, path


def test_an_existing_output_is_never_overwritten_silently(tmp_path: Path) -> None:
    clean, held = tmp_path / "clean.837", tmp_path / "held.837"
    clean.write_text("keep me")
    args = ["gate", str(DEMO), "--clean", str(clean), "--held", str(held)]
    assert main(args) == 2
    assert clean.read_text() == "keep me" and not held.exists()
    assert main([*args, "--overwrite"]) == 1
    assert clean.read_bytes().startswith(b"ISA")


def test_the_gate_sits_in_a_pipe(tmp_path: Path) -> None:
    held = tmp_path / "held.837"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "lint837.cli",
            "gate",
            "-",
            "--clean",
            "-",
            "--held",
            str(held),
        ],
        input=DEMO.read_bytes(),
        capture_output=True,
        check=False,
    )
    assert done.returncode == 1
    assert done.stdout.startswith(b"ISA") and b"IEA*0*" in done.stdout
    assert sum(claims_of(held.read_bytes()).values()) == 2
    assert b"2 claims, 0 clean, 2 held" in done.stderr
