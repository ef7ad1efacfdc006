"""lint837.spark in local mode: the DataFrames hold what the CLI reports."""

from __future__ import annotations

import os
import shutil
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyspark")
pytest.importorskip("pyarrow")
pytest.importorskip("pandas")

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as sf

from lint837 import api
from lint837 import spark as lint_spark
from lint837.perfile import (
    CLAIM_COLUMNS,
    FATAL,
    FINDING_COLUMNS,
    RunOptions,
)
from lint837.rules import REGISTRY
from lint837.validation import CODES

from conftest import FIXTURES
from lake import (
    ACME_RULES,
    AUTHS,
    POLICY,
    build,
    by_file,
    cli_rows,
    rule_counts,
)

GENERATED = 240


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    if shutil.which("java") is None and "JAVA_HOME" not in os.environ:
        pytest.skip("no Java to run Spark with")
    # The Python workers must be this interpreter, with lint837 installed.
    python = os.environ.get("PYSPARK_PYTHON")
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("lint837-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    if python is None:
        os.environ.pop("PYSPARK_PYTHON", None)
    else:
        os.environ["PYSPARK_PYTHON"] = python


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every file of a folder: the fixtures and generated batches."""
    return build(tmp_path_factory.mktemp("lake"), GENERATED)


def rows(frame: DataFrame) -> list[dict[str, Any]]:
    return [row.asDict() for row in frame.toLocalIterator()]


def paths(files: list[Path]) -> list[str]:
    return [str(path) for path in files]


def lake_root(lake: list[Path]) -> Path:
    return lake[-1].parent.parent  # the folder above generated/


def test_the_schemas_are_the_documented_ones(spark: SparkSession) -> None:
    findings = lint_spark.lint_files(spark, str(FIXTURES / "j3420"))
    claims = lint_spark.claims_of_files(spark, str(FIXTURES / "j3420"))
    assert findings.schema == lint_spark.FINDINGS_SCHEMA
    assert claims.schema == lint_spark.CLAIMS_SCHEMA
    assert [(f.name, f.dataType.simpleString()) for f in findings.schema] == [
        (name, "bigint" if kind == "long" else kind) for name, kind in FINDING_COLUMNS
    ]
    assert claims.schema.names == [name for name, _ in CLAIM_COLUMNS]


def test_findings_are_the_clis_row_for_row(
    spark: SparkSession, lake: list[Path]
) -> None:
    found = rows(lint_spark.lint_files(spark, str(lake_root(lake))))
    # Spark hands no task a file of zero bytes: such a file gets no row.
    expected = cli_rows(path for path in lake if path.stat().st_size)
    assert len(found) == len(expected) > 500
    assert by_file(found) == by_file(expected)
    for row in found:
        assert row["path"] == f"file:{row['file']}"
        assert row["rule_name"] == (
            {**REGISTRY, **CODES}[row["rule"]].name
            if row["severity"] != FATAL
            else "unreadable-file"
        )
    # Fast validation is on by default, as in the CLI: X12 rows too.
    expected_rules = {"BAT001", "BAT002", "ENV002", "IO001", "X12101"}
    assert {row["rule"] for row in found} >= expected_rules


def test_options_mirror_the_command_line(spark: SparkSession, lake: list[Path]) -> None:
    files = [path for path in lake if path.parent.name in ("generated", "pa")]
    options: RunOptions = {
        "policy": str(POLICY),
        "authorizations": str(AUTHS),
        "rules_files": [str(ACME_RULES)],
    }
    folders = [
        str(lake_root(lake) / "generated"),
        str(lake_root(lake) / "fixtures/rules/pa"),
    ]
    found = rows(lint_spark.lint_files(spark, folders, **options))
    flags = ("--policy", str(POLICY), "--auths", str(AUTHS), "--rules", str(ACME_RULES))
    expected = cli_rows(files, *flags)
    assert by_file(found) == by_file(expected)
    assert {"PA001", "PA004", "ACME010"} <= set(rule_counts(found))

    narrowed = lint_spark.lint_files(
        spark, folders, select=["PA", "ACME"], ignore=["PA004"], **options
    )
    expected = cli_rows(files, *flags, "--select", "PA,ACME", "--ignore", "PA004")
    assert by_file(rows(narrowed)) == by_file(expected)
    assert set(rule_counts(expected)) == {
        "PA001",
        "PA002",
        "PA003",
        "ACME010",
        "ACME020",
    }


def test_a_bad_option_fails_on_the_driver(spark: SparkSession) -> None:
    from lint837.errors import ConfigError

    with pytest.raises(ConfigError):
        lint_spark.lint_files(spark, str(FIXTURES / "j3420"), select=["NOPE999"])


def test_unreadable_files_are_fatal_rows_and_the_job_goes_on(
    spark: SparkSession,
) -> None:
    unreadable = sorted((FIXTURES / "not_x12").iterdir())
    good = FIXTURES / "examples/b12_denials.837"
    found = rows(lint_spark.lint_files(spark, paths([*unreadable, good])))
    fatal = [row for row in found if row["severity"] == FATAL]
    # Spark drops files of zero bytes before any task sees them.
    empty = [path for path in unreadable if not path.stat().st_size]
    assert empty == [FIXTURES / "not_x12/empty.837"]
    assert sorted(row["file"] for row in fatal) == paths(
        [path for path in unreadable if path not in empty]
    )
    assert {row["rule"] for row in fatal} == {"IO001"}
    assert len(found) - len(fatal) == len(api.lint_path(good).findings)

    nothing = spark.createDataFrame(
        [("lake/gone.837", None)], "path string, content binary"
    )
    [row] = rows(lint_spark.lint_dataframe(nothing))
    assert (row["rule"], row["severity"], row["file"]) == (
        "IO001",
        FATAL,
        "lake/gone.837",
    )


def test_the_claims_table_agrees_with_the_findings(
    spark: SparkSession, lake: list[Path]
) -> None:
    claims = rows(lint_spark.claims_of_files(spark, str(lake_root(lake))))
    findings = rows(lint_spark.lint_files(spark, str(lake_root(lake))))

    # One row a claim, with the counts of the API's verdict (batch included).
    verdicts = {
        (verdict.file, verdict.segment_index): verdict
        for path in lake
        for verdict in api.lint_path(path).claims
    }
    assert len(claims) == len(verdicts) > 1000
    for claim in claims:
        verdict = verdicts[claim["file"], claim["segment_index"]]
        counts = Counter(f.severity.value for f in verdict.findings)
        assert (claim["claim"], claim["payer"] or "") == (verdict.claim, verdict.payer)
        assert (claim["errors"], claim["warnings"], claim["infos"]) == (
            counts["error"],
            counts["warning"],
            counts["info"],
        )
        assert claim["verdict"] == ("held" if verdict.fails() else "clean")

    # Every finding in a claim is counted by a claim of its file, id and payer.
    counted = Counter(
        (c["file"], c["claim"], c["payer"])
        for c in claims
        if c["payer"] is not None
        for _ in range(c["errors"] + c["warnings"] + c["infos"])
    )
    in_claims = Counter(
        (f["file"], f["claim"], f["payer"]) for f in findings if f["payer"] is not None
    )
    assert in_claims == counted
    assert {c["verdict"] for c in claims} == {"held", "clean"}


def test_a_dataframe_of_whole_text_files(spark: SparkSession) -> None:
    files = sorted((FIXTURES / "j3420").glob("*.837"))
    texts = spark.read.text(paths(files), wholetext=True).select(
        sf.col("_metadata.file_path").alias("path"), "value"
    )
    found = rows(lint_spark.lint_dataframe(texts, content="value"))
    assert by_file(found) == by_file(cli_rows(files))
