"""Lint claim files on Dask: findings and claims as bags of rows.

For a folder, a glob or a list of them, on any file system fsspec knows
(local, ``s3://``, ``gs://``, ``abfs://``...)::

    from lint837 import dask as lint837_dask

    findings = lint837_dask.lint_files("s3://lake/claims/2025/*.837", policy=p)
    findings.to_dataframe(meta=lint837_dask.FINDINGS_META).compute()

:func:`lint_files` gives a bag of one dict a finding, with the columns of
:data:`lint837.perfile.FINDING_COLUMNS` (those of the Spark table);
:func:`claims_of_files` one dict a claim. Paths are listed when the bag is
made, on the client (a folder stands for every file below it, names
starting with ``.`` or ``_`` aside, as on Spark); each task then opens and
streams its own files. Each file is linted as its own run, as ``lint837
check FILE`` lints it; a file that cannot be opened or linted becomes one
row of severity ``fatal`` and never fails the computation.

Options are those of ``lint837 check`` (see :mod:`lint837.spark`); each
worker thread builds its linter once and keeps it, so the files they name
must be readable on the workers. ``storage_options`` go to fsspec.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
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
    import dask.bag as db
    import fsspec
    from fsspec import AbstractFileSystem
    from fsspec.implementations.local import LocalFileSystem
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "lint837.dask needs dask and fsspec: pip install 'lint837[dask]'"
    ) from error

__all__ = [
    "CLAIMS_META",
    "FINDINGS_META",
    "claims_of_files",
    "lint_files",
    "list_files",
]

Table = Literal["findings", "claims"]

_DTYPES = {"string": "object", "long": "Int64"}  # Int64: integers with nulls

FINDINGS_META = {name: _DTYPES[kind] for name, kind in FINDING_COLUMNS}
"""Column dtypes for ``Bag.to_dataframe(meta=...)`` of the findings."""

CLAIMS_META = {name: _DTYPES[kind] for name, kind in CLAIM_COLUMNS}
"""Column dtypes for ``Bag.to_dataframe(meta=...)`` of the claims."""

_GLOB = ("*", "?", "[")

File = tuple[AbstractFileSystem, str]


def lint_files(
    paths: str | Sequence[str],
    *,
    storage_options: Mapping[str, Any] | None = None,
    npartitions: int | None = None,
    **options: Unpack[RunOptions],
) -> db.Bag:
    """A bag of the findings of the files ``paths`` names (lazy)."""
    return _linted(paths, storage_options, npartitions, "findings", options)


def claims_of_files(
    paths: str | Sequence[str],
    *,
    storage_options: Mapping[str, Any] | None = None,
    npartitions: int | None = None,
    **options: Unpack[RunOptions],
) -> db.Bag:
    """A bag of one row a claim of the files ``paths`` names (lazy)."""
    return _linted(paths, storage_options, npartitions, "claims", options)


def _linted(
    paths: str | Sequence[str],
    storage_options: Mapping[str, Any] | None,
    npartitions: int | None,
    table: Table,
    options: RunOptions,
) -> db.Bag:
    recipe = Recipe.of(**options)
    files = list_files(paths, storage_options)
    partitions = npartitions or max(1, min(len(files), 100))
    bag: db.Bag = db.from_sequence(files, npartitions=partitions)
    linted: db.Bag = bag.map_partitions(_lint_partition, recipe, table)
    return linted


def list_files(
    paths: str | Sequence[str], storage_options: Mapping[str, Any] | None = None
) -> list[File]:
    """Each file the paths name, with its file system, in order.

    A glob is expanded and a folder walked (sorted, hidden names skipped);
    a path that does not exist is kept, so that it gets its fatal row.
    """
    found: list[File] = []
    for path in [paths] if isinstance(paths, str) else paths:
        fs, stripped = fsspec.core.url_to_fs(path, **(storage_options or {}))
        found.extend((fs, name) for name in _expanded(fs, stripped))
    return found


def _expanded(fs: AbstractFileSystem, path: str) -> Iterator[str]:
    if any(mark in path for mark in _GLOB):
        infos: dict[str, Any] = fs.glob(path, detail=True)
    else:
        try:
            infos = {path: fs.info(path)}
        except FileNotFoundError:
            yield path
            return
    for name, info in sorted(infos.items()):
        if info.get("type") != "directory":
            yield name
            continue
        for inside in sorted(fs.find(name)):
            parts = inside[len(name) :].strip("/").split("/")
            if not any(part.startswith((".", "_")) for part in parts):
                yield inside


def _lint_partition(
    files: Sequence[File], recipe: Recipe, table: Table
) -> list[dict[str, Any]]:
    """Runs in a task: lint each file, one after the other."""
    linter = linter_for(recipe)  # built on the worker's first file, then kept
    names = rule_names(linter)
    rows: list[dict[str, Any]] = []
    for fs, name in files:
        path = fs.unstrip_protocol(name)
        shown = name if isinstance(fs, LocalFileSystem) else path
        opener = partial(fs.open, name, "rb")
        result = lint_file(linter, shown, opener, contain=True)
        if table == "claims":
            rows.extend(claim_rows(result, path, recipe.threshold))
        else:
            rows.extend(finding_rows(result, path, names))
    return rows
