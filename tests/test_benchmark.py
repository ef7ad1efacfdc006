"""Speed and memory of the hot path on a generated 50,000-claim batch.

Speed is measured, never asserted: each benchmark runs side by side with
the baseline, a bare read + ``str.split`` into segments and elements (the
least any X12 reader must do), and the session summary prints each
throughput as a share of the baseline's. Memory is asserted: the peak must
not grow with the file.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from lint837.language import load_rules
from lint837.linter import Linter
from lint837.model import Claim, build
from lint837.reader import CHUNK_SIZE, read_segments
from lint837.rules import REGISTRY, envelope
from lint837.validation import VALIDATORS

from batchgen import write_batch

CLAIMS = 50_000

# Filled by the benchmarks, printed by conftest's terminal summary.
RESULTS: dict[str, tuple[float, int]] = {}


@pytest.fixture(scope="session")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("batch") / "batch-50k.837"
    with path.open("wb") as handle:
        write_batch(handle, CLAIMS)
    return path


@pytest.fixture(scope="session")
def j3420_batch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same size of batch, every claim billing J3420 with 96372."""
    path = tmp_path_factory.mktemp("batch") / "batch-50k-j3420.837"
    with path.open("wb") as handle:
        write_batch(handle, CLAIMS, j3420_every=1)
    return path


def bare_split(path: Path) -> int:
    """The baseline: read, split into segments, split each into elements."""
    text = path.read_bytes().decode("latin-1")
    count = 0
    for segment in text.split("~"):
        count += len(segment.split("*"))
    return count


def lint(rules: object = None) -> Callable[[Path], int]:
    """A job linting a file with a new run of ``rules`` (all by default)."""

    def run(path: Path) -> int:
        return lint_with(Linter(rules), path)  # type: ignore[arg-type]

    return run


def lint_with(linter: Linter, path: Path) -> int:
    return sum(1 for _ in linter.lint_path(path)) + sum(1 for _ in linter.finish())


def measure(
    benchmark: pytest.FixtureRequest,
    name: str,
    job: Callable[[Path], int],
    path: Path,
    rounds: int = 5,
    warmup: int = 1,
) -> None:
    benchmark.group = "50k-claim batch"  # type: ignore[attr-defined]
    benchmark.pedantic(  # type: ignore[attr-defined]
        job, args=(path,), rounds=rounds, iterations=1, warmup_rounds=warmup
    )
    stats = benchmark.stats  # type: ignore[attr-defined]
    if stats is not None:
        # The fastest round: the least disturbed by whatever else the machine does.
        RESULTS[name] = (stats.stats.min, path.stat().st_size)


def test_baseline_bare_split(benchmark: pytest.FixtureRequest, batch: Path) -> None:
    measure(benchmark, "baseline: read + str.split", bare_split, batch, rounds=10)


def test_read_model_and_envelope_rules(
    benchmark: pytest.FixtureRequest, batch: Path
) -> None:
    measure(
        benchmark, "read + model + ENV rules", lint(envelope.RULES), batch, rounds=10
    )


def one_lookup_a_claim(path: Path) -> int:
    """The floor of a claim-by-claim engine: read, build every claim's model
    and look its texts up once in a set, running no rule.

    Any engine that skips rules on claims it has seen must do at least
    this (the model is the data flow's stage before the rules), so no
    every-rule figure can beat this one's.
    """
    seen: set[tuple[str, ...]] = set()
    with path.open("rb") as stream:
        for event in build(read_segments(stream, path.name)):
            if type(event) is Claim:
                texts = tuple(event.raw[1][1:])  # CLM onwards, CLM itself left out
                if texts not in seen:
                    seen.add(texts)
    return len(seen)


def test_floor_one_lookup_a_claim(
    benchmark: pytest.FixtureRequest, batch: Path
) -> None:
    measure(
        benchmark,
        "floor: read + model + one lookup a claim",
        one_lookup_a_claim,
        batch,
        rounds=5,
    )


def test_floor_on_the_j3420_batch(
    benchmark: pytest.FixtureRequest, j3420_batch: Path
) -> None:
    name = "floor on the J3420 batch"
    measure(benchmark, name, one_lookup_a_claim, j3420_batch, rounds=5)


# TODO(#3): the issue asks every rule to reach 0.4x of the baseline, and
# 0.3x when every claim bills J3420; measured in four runs on one day:
# 0.08-0.11x and 0.04-0.07x. The floor rows above bound what any
# claim-by-claim engine can reach in CPython: reading, building each
# claim's model and one set lookup a claim, with no rule run, reach
# 0.28-0.39x (0.39-0.52x on the J3420 batch; 0.47-0.49x on both on a
# quieter day). 0.4x is past that floor; 0.3x leaves about 5 us a J3420
# claim beyond it, in which its three batch rules alone must index each
# J3420 line (patient, provider, date, units). The mark can go with a
# compiled core for the hot path, or with targets revised against the floor.
def test_every_rule(benchmark: pytest.FixtureRequest, batch: Path) -> None:
    measure(benchmark, "every rule", lint(), batch, rounds=3)


# Issue #4 allows a pack of 20 payer rules to add at most 25 % to the
# every-rule run; the summary prints what it adds. Payer rules skip claims
# whose parts (the raw texts their fields read) already passed them, riding
# on a built-in verdict key where one holds those parts.
def test_every_rule_and_a_pack_of_20_payer_rules(
    benchmark: pytest.FixtureRequest, batch: Path
) -> None:
    pack = load_rules(Path(__file__).parent / "rules" / "benchmark_pack.rules")
    assert len(pack) == 20
    measure(
        benchmark,
        "every rule + 20 payer rules",
        lint([*REGISTRY.values(), *pack]),
        batch,
        rounds=3,
    )


def validated(validator: str, jobs: int = 1) -> Callable[[Path], int]:
    """A job linting a file with every rule and validating it, as ``check``
    does: with ``jobs`` > 1 the sets are validated in that many processes
    while the rules run."""

    def run(path: Path) -> int:
        linter = Linter()
        linter.validator = VALIDATORS[validator]
        ahead = linter.validate_ahead(path, jobs) if jobs > 1 else None
        try:
            count = lint_with(linter, path)
            if ahead is not None:
                return count + sum(1 for _ in ahead)
            with path.open("rb") as stream:
                return count + sum(1 for _ in linter.validate(stream, path.name))
        finally:
            if ahead is not None:
                ahead.close()

    return run


# TODO(#6): issue #6 asks every rule with fast validation to reach 0.3x of
# the baseline and to be 25 times faster than with pyx12 in two processes.
# The second is about reached with -j 2 on both sides (23-28 times in three
# runs, one process 14-19 times); the first is not: 0.03-0.07x. The walk
# checks each of the batch's 800,000 segments against the guide in Python
# (about 1.6 s, 32,000 claims a second, on a quiet day); 0.3x is about the
# floor rows' own time, which leaves nothing for the rules and the walk.
# The mark can go with a compiled walk, or with the target revised against
# the floor rows above.
def test_every_rule_and_fast_validation(
    benchmark: pytest.FixtureRequest, batch: Path
) -> None:
    measure(benchmark, "every rule + fast validation", validated("fast"), batch, 3)


def test_every_rule_and_fast_validation_in_two_processes(
    benchmark: pytest.FixtureRequest, batch: Path
) -> None:
    # Like for like with the pyx12 row below: the transaction sets are
    # validated in two processes while the rules run in this one.
    job = validated("fast", jobs=2)
    measure(benchmark, "every rule + fast validation, -j 2", job, batch, 3)


def test_every_rule_and_pyx12_validation_in_two_processes(
    benchmark: pytest.FixtureRequest, batch: Path
) -> None:
    # One to four minutes here, by the day: one round, no warm-up (each
    # process loads pyx12's map once, a second of the total).
    job = validated("pyx12", jobs=2)
    name = "every rule + pyx12 validation, -j 2"
    measure(benchmark, name, job, batch, rounds=1, warmup=0)


def test_every_rule_every_claim_j3420(
    benchmark: pytest.FixtureRequest, j3420_batch: Path
) -> None:
    measure(benchmark, "every rule, all claims J3420", lint(), j3420_batch, rounds=1)


def test_baseline_on_the_j3420_batch(
    benchmark: pytest.FixtureRequest, j3420_batch: Path
) -> None:
    measure(benchmark, "baseline on the J3420 batch", bare_split, j3420_batch)


def peak_memory(path: Path, chunk_size: int) -> int:
    linter = Linter(envelope.RULES, chunk_size=chunk_size)
    tracemalloc.start()
    try:
        for _ in linter.lint_path(path):
            pass
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_peak_memory_stays_flat_when_the_file_grows_tenfold(
    tmp_path: Path, batch: Path
) -> None:
    small = tmp_path / "small.837"
    with small.open("wb") as handle:
        write_batch(handle, CLAIMS // 10)
    assert batch.stat().st_size > 9 * small.stat().st_size
    # Small chunks put both files well past the first chunks, where the
    # reader's buffers reach their steady size.
    small_peak, large_peak = peak_memory(small, 16_384), peak_memory(batch, 16_384)
    RESULTS["peak memory, 5k / 50k claims, 16 KiB chunks (bytes)"] = (
        small_peak,
        large_peak,
    )
    assert large_peak < 1.2 * small_peak


def test_peak_memory_with_the_default_chunk(batch: Path) -> None:
    peak = peak_memory(batch, CHUNK_SIZE)
    # Printed as chunk size / peak: the peak is a small multiple of a chunk.
    RESULTS["peak memory, 50k claims, default chunk size / peak (bytes)"] = (
        CHUNK_SIZE,
        peak,
    )
    assert peak < 40 * CHUNK_SIZE
