"""Lint a data lake of claim files on Spark: findings and claims as DataFrames.

In a notebook, for a folder (or a glob) of claim files::

    from lint837 import spark as lint837_spark

    findings = lint837_spark.lint_files(spark, "s3a://lake/claims/2025/", policy=p)
    findings.groupBy("rule", "rule_name", "severity").count().show()

:func:`lint_files` reads the files with the ``binaryFile`` source (a folder
stands for every file below it, names starting with ``.`` or ``_`` aside)
and :func:`lint_dataframe` takes a DataFrame that already holds them (a
path and a content column). Both are lazy: nothing runs until an action,
and then each task lints its own files inside ``mapInArrow``, one file at a
time; nothing is collected on the driver. :data:`FINDINGS_SCHEMA` is the
table's schema: the keys of the JSON output's findings, then ``path``,
``payer`` and ``rule_name``. :func:`claims_of_files` and
:func:`claims_of_dataframe` give one row a claim (:data:`CLAIMS_SCHEMA`),
with its verdict: held or clean, as ``lint837 gate`` would split it.

Each file is linted as its own run (see :mod:`lint837.perfile`): its
findings are those of ``lint837 check --format json FILE``, batch rules
looking within the file. A file that cannot be linted (not X12, empty, no
content) becomes one row of severity ``fatal`` (rule IO001, or IO002 where
lint837 failed: a bug); it never fails the job.

Options are those of ``lint837 check``: ``policy``, ``authorizations``,
``rules_files``, ``select``, ``ignore``, ``config``, and ``fail_on`` for
the claims' verdicts. They are checked on the driver when the DataFrame is
made; each Python worker then builds its linter once and keeps it, so the
files the options name must be readable there (any local file in local
mode; a shared mount on a cluster). No configuration file is searched for.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from functools import partial
from typing import Any, Literal, Unpack

from lint837.perfile import (
    CLAIM_COLUMNS,
    FINDING_COLUMNS,
    Recipe,
    RunOptions,
    claim_rows,
    finding_rows,
    lint_file,
    linter_for,
    rule_names,
)

try:
    import pyarrow as pa
    from pyspark.sql import DataFrame, SparkSession
    from pyspark.sql import functions as sf
    from pyspark.sql.types import (
        DataType,
        LongType,
        StringType,
        StructField,
        StructType,
    )
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "lint837.spark needs pyspark and pyarrow: pip install 'lint837[spark]'"
    ) from error

__all__ = [
    "CLAIMS_SCHEMA",
    "FINDINGS_SCHEMA",
    "claims_of_dataframe",
    "claims_of_files",
    "lint_dataframe",
    "lint_files",
    "read_files",
]

Table = Literal["findings", "claims"]

_SPARK_TYPES: dict[str, DataType] = {"string": StringType(), "long": LongType()}
_ARROW_TYPES = {"string": pa.string(), "long": pa.int64()}


def _struct(columns: Sequence[tuple[str, str]]) -> StructType:
    return StructType([StructField(name, _SPARK_TYPES[kind]) for name, kind in columns])


FINDINGS_SCHEMA = _struct(FINDING_COLUMNS)
"""One row a finding; every column nullable (see lint837.perfile.FINDING_COLUMNS)."""

CLAIMS_SCHEMA = _struct(CLAIM_COLUMNS)
"""One row a claim (see lint837.perfile.CLAIM_COLUMNS)."""

ROWS_PER_BATCH = 4096
"""Rows a task hands back to Spark at a time, so output streams too."""


def read_files(spark: SparkSession, paths: str | Sequence[str]) -> DataFrame:
    """The ``path`` and ``content`` of each file, as lint_dataframe takes them.

    Paths and globs as Spark reads them; a folder is walked to the bottom.
    """
    reader = spark.read.format("binaryFile").option("recursiveFileLookup", "true")
    found = reader.load(paths if isinstance(paths, str) else list(paths))
    return found.select("path", "content")


def lint_files(
    spark: SparkSession, paths: str | Sequence[str], **options: Unpack[RunOptions]
) -> DataFrame:
    """The findings of the files ``paths`` names (a lazy DataFrame)."""
    return lint_dataframe(read_files(spark, paths), **options)


def claims_of_files(
    spark: SparkSession, paths: str | Sequence[str], **options: Unpack[RunOptions]
) -> DataFrame:
    """One row a claim of the files ``paths`` names (a lazy DataFrame)."""
    return claims_of_dataframe(read_files(spark, paths), **options)


def lint_dataframe(
    files: DataFrame,
    *,
    path: str = "path",
    content: str = "content",
    **options: Unpack[RunOptions],
) -> DataFrame:
    """The findings of each file of ``files``: its ``path``, its ``content``.

    ``content`` may be binary (the binaryFile source) or a string (the
    ``text`` source with ``wholetext``: it is linted as UTF-8).
    """
    return _linted(files, path, content, "findings", Recipe.of(**options))


def claims_of_dataframe(
    files: DataFrame,
    *,
    path: str = "path",
    content: str = "content",
    **options: Unpack[RunOptions],
) -> DataFrame:
    """One row a claim of each file of ``files`` (see lint_dataframe)."""
    return _linted(files, path, content, "claims", Recipe.of(**options))


def _linted(
    files: DataFrame, path: str, content: str, table: Table, recipe: Recipe
) -> DataFrame:
    source = files.select(
        sf.col(path).cast("string").alias("path"),
        sf.col(content).cast("binary").alias("content"),
    )
    schema = FINDINGS_SCHEMA if table == "findings" else CLAIMS_SCHEMA
    return source.mapInArrow(partial(_lint_batches, recipe, table), schema)


def _lint_batches(
    recipe: Recipe, table: Table, batches: Iterable[pa.RecordBatch]
) -> Iterator[pa.RecordBatch]:
    """Runs in a task: lint each file of each batch, yield batches of rows."""
    columns = FINDING_COLUMNS if table == "findings" else CLAIM_COLUMNS
    schema = pa.schema([(name, _ARROW_TYPES[kind]) for name, kind in columns])
    rows: list[dict[str, Any]] = []
    for batch in batches:
        contents = batch.column("content")
        for index, path in enumerate(batch.column("path").to_pylist()):
            rows.extend(_rows(recipe, table, path, contents[index].as_py()))
            if len(rows) >= ROWS_PER_BATCH:
                yield pa.RecordBatch.from_pylist(rows, schema=schema)
                rows = []
    if rows:
        yield pa.RecordBatch.from_pylist(rows, schema=schema)


def _rows(
    recipe: Recipe, table: Table, path: str, data: bytes | None
) -> Iterator[dict[str, Any]]:
    linter = linter_for(recipe)  # built on the worker's first file, then kept
    name = local_name(path)
    result = lint_file(linter, name, partial(_opened, data), contain=True)
    if table == "claims":
        return claim_rows(result, path, recipe.threshold)
    return finding_rows(result, path, rule_names(linter))


def _opened(data: bytes | None) -> io.BytesIO:
    if data is None:
        raise OSError("the DataFrame holds no content for this file")
    return io.BytesIO(data)


def local_name(path: str) -> str:
    """The name a file is linted under: a local path as the CLI shows it.

    Spark names a local file ``file:/folder/name`` (never percent-encoded);
    other paths (``s3a://``, ``hdfs://``) are kept whole.
    """
    for prefix in ("file://", "file:"):
        if path.startswith(prefix):
            return path[len(prefix) :]
    return path
