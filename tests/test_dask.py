"""lint837.dask on a two-process LocalCluster: the bags hold what the CLI reports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("dask.bag")
pytest.importorskip("fsspec")
pytest.importorskip("distributed")

from distributed import Client, LocalCluster

from lint837 import api
from lint837 import dask as lint_dask
from lint837.perfile import CLAIM_COLUMNS, FATAL, FINDING_COLUMNS

from conftest import FIXTURES
from lake import POLICY, build, by_file, cli_rows, rule_counts

GENERATED = 240


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    """Two worker processes, one thread each."""
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as connected,
    ):
        assert len(connected.scheduler_info()["workers"]) == 2
        yield connected


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return build(tmp_path_factory.mktemp("lake"), GENERATED)


def test_findings_are_the_clis_row_for_row(client: Client, lake: list[Path]) -> None:
    root = lake[-1].parent.parent
    bag = lint_dask.lint_files(str(root))
    found = client.compute(bag).result()
    expected = cli_rows(lake)
    assert len(found) == len(expected) > 500
    assert by_file(found) == by_file(expected)
    assert all(list(row) == [n for n, _ in FINDING_COLUMNS] for row in found)
    assert all(row["path"] == f"file://{row['file']}" for row in found)
    empty = [row for row in found if row["file"].endswith("not_x12/empty.837")]
    assert [row["severity"] for row in empty] == [FATAL]  # Spark drops it; not here

    frame = client.compute(bag.to_dataframe(meta=lint_dask.FINDINGS_META)).result()
    assert list(frame.columns) == [name for name, _ in FINDING_COLUMNS]
    assert len(frame) == len(found)


def test_globs_options_and_missing_files(client: Client, lake: list[Path]) -> None:
    root = lake[-1].parent.parent
    files = sorted((root / "generated").glob("batch00[0-4]*.837"))
    bag = lint_dask.lint_files(
        [str(root / "generated" / "batch00[0-4]*.837"), str(root / "gone.837")],
        policy=POLICY,
        ignore=["UNT"],
    )
    found = client.compute(bag).result()
    flags = ("--policy", str(POLICY), "--ignore", "UNT")
    assert by_file(found) == by_file(cli_rows([*files, root / "gone.837"], *flags))
    assert "PA001" in rule_counts(found) and "UNT003" not in rule_counts(found)
    assert found[-1]["message"] == "cannot open: No such file or directory"


def test_the_claims_bag_has_the_apis_verdicts(client: Client) -> None:
    folder = FIXTURES / "rules"
    bag = lint_dask.claims_of_files(str(folder), npartitions=3)
    claims = client.compute(bag).result()
    expected = [
        verdict
        for path in sorted(folder.rglob("*.837"))
        for verdict in api.lint_path(path).claims
    ]
    assert sorted((c["file"], c["segment_index"]) for c in claims) == sorted(
        (str(v.file), v.segment_index) for v in expected
    )
    held = {(c["file"], c["segment_index"]) for c in claims if c["verdict"] == "held"}
    assert held == {(v.file, v.segment_index) for v in expected if v.fails()}
    assert all(list(row) == [n for n, _ in CLAIM_COLUMNS] for row in claims)
