"""Measure check -j, Spark local[2] and a two-process Dask cluster, by hand.

Not a test (no timing belongs in the suite): run it with the spark and dask
extras installed, and Java for Spark::

    python tests/scale_out.py [--files 300] [--claims 200] [--small 1000]
        [--rounds 3]

It writes three sets of generated files to a temporary folder: a tenth of
``--small`` and ``--small`` batches of one claim, whose difference gives
what one more file costs and what a run costs however few its files; and
``--files`` batches of ``--claims`` claims, for throughput. Each way lints
each set ``--rounds`` times, the fastest round counts. The overhead is what
a file costs above linting it in this process. Starting the Spark session
and the Dask cluster is timed apart; the CLI's start is in its fixed cost.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from lint837.perfile import Recipe, lint_file, linter_for

from batchgen import write_batch


def make_files(folder: Path, count: int, claims: int) -> list[Path]:
    folder.mkdir(parents=True)
    made = []
    for number in range(count):
        stream = io.BytesIO()
        write_batch(stream, claims, j3420_every=3, seed=number)
        path = folder / f"batch{number:04d}.837"
        path.write_bytes(stream.getvalue())
        made.append(path)
    return made


def fastest(rounds: int, job: Callable[[], object]) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return min(times)


RULES_ALONE = Recipe(validate="none")  # the figures of the README's table


def in_process(files: list[Path]) -> None:
    linter = linter_for(RULES_ALONE)
    for path in files:
        lint_file(linter, str(path), partial(path.open, "rb"), claims=False)


def cli(files: list[Path], jobs: int) -> None:
    command = [sys.executable, "-m", "lint837.cli", "check", "--isolated"]
    command += ["--validate", "none"]  # the rules alone, as the README's table
    command += ["-j", str(jobs), "--format", "json", "-o", os.devnull]
    subprocess.run([*command, *map(str, files)], check=False)


Results = dict[str, dict[str, float]]  # way -> set of files -> seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--claims", type=int, default=200)
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        sets = {
            "few": make_files(root / "few", max(1, args.small // 10), 1),
            "tiny": make_files(root / "tiny", args.small, 1),
            "batches": make_files(root / "batches", args.files, args.claims),
        }
        for name, files in sets.items():
            size = sum(path.stat().st_size for path in files) / 1e6
            claims = 1 if name != "batches" else args.claims
            print(f"{name}: {len(files)} files of {claims} claims, {size:.1f} MB")
        results: Results = {}
        results["one process (in-process)"] = {
            name: fastest(args.rounds, partial(in_process, files))
            for name, files in sets.items()
        }
        # Not -j 1: one run over all files, batch rules looking across them,
        # which is other work (the generated batches share their patients).
        results["lint837 check -j 2"] = {
            name: fastest(args.rounds, partial(cli, files, 2))
            for name, files in sets.items()
        }
        results.update(spark_rounds(sets, args.rounds))
        results.update(dask_rounds(sets, args.rounds))
        summarize(results, sets)


def summarize(results: Results, sets: dict[str, list[Path]]) -> None:
    """Per way: fixed cost and cost a file (from the two sets of small files),
    the overhead a file over one process, and throughput on the batches."""
    few, tiny = len(sets["few"]), len(sets["tiny"])
    megabytes = sum(path.stat().st_size for path in sets["batches"]) / 1e6
    base = results["one process (in-process)"]
    base_slope = (base["tiny"] - base["few"]) / (tiny - few)
    print(f"\n{'':<28} {'fixed':>7} {'a file':>8} {'overhead':>9} {'batches':>9}")
    for way, seconds in results.items():
        slope = (seconds["tiny"] - seconds["few"]) / (tiny - few)
        fixed = seconds["tiny"] - slope * tiny
        batches = seconds["batches"]
        print(
            f"{way:<28} {fixed:6.2f}s {slope * 1000:6.2f}ms "
            f"{(slope - base_slope) * 1000:7.2f}ms "
            f"{len(sets['batches']) / batches:6.1f} files/s "
            f"{megabytes / batches:5.1f} MB/s ({batches:.2f} s)"
        )


def spark_rounds(sets: dict[str, list[Path]], rounds: int) -> Results:
    from pyspark.sql import SparkSession

    from lint837 import spark as lint_spark

    os.environ["PYSPARK_PYTHON"] = sys.executable
    start = time.perf_counter()
    session = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    print(f"Spark session start: {time.perf_counter() - start:.1f} s")

    def job(folder: str) -> None:
        frame = lint_spark.lint_files(session, folder, validate="none")
        frame.write.format("noop").mode("overwrite").save()

    try:
        first = fastest(1, partial(job, str(sets["few"][0].parent)))
        print(f"Spark first job (Python workers start): {first:.1f} s")
        return {
            "Spark local[2]": {
                name: fastest(rounds, partial(job, str(files[0].parent)))
                for name, files in sets.items()
            }
        }
    finally:
        session.stop()


def dask_rounds(sets: dict[str, list[Path]], rounds: int) -> Results:
    from distributed import Client, LocalCluster

    from lint837 import dask as lint_dask

    start = time.perf_counter()
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        print(f"Dask cluster start: {time.perf_counter() - start:.1f} s")

        def job(folder: str) -> None:
            found = lint_dask.lint_files(folder, validate="none")
            client.compute(found.count()).result()

        first = fastest(1, partial(job, str(sets["few"][0].parent)))
        print(f"Dask first computation: {first:.1f} s")
        return {
            "Dask, 2 processes": {
                name: fastest(rounds, partial(job, str(files[0].parent)))
                for name, files in sets.items()
            }
        }


if __name__ == "__main__":
    main()
