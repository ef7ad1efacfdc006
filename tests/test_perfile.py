"""Each file its own run: check -j, and the rows the Spark and Dask tables hold."""

from __future__ import annotations

import contextlib
import io
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pytest

from lint837 import api
from lint837.cli import main
from lint837.findings import Severity
from lint837.perfile import (
    CLAIM_COLUMNS,
    FATAL,
    FINDING_COLUMNS,
    FileResult,
    Recipe,
    claim_rows,
    finding_rows,
    lint_file,
    linter_for,
    rule_names,
)
from lint837.rules import REGISTRY

from conftest import FIXTURES, ROOT
from lake import JSON_KEYS, by_file, cli_rows, fixture_files, generate

ACROSS = [FIXTURES / "rules/bat/across/a.837", FIXTURES / "rules/bat/across/b.837"]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def opener(path: Path) -> Callable[[], BinaryIO]:
    return lambda: path.open("rb")


def lint(path: Path, recipe: Recipe | None = None) -> FileResult:
    linter = linter_for(recipe or Recipe())
    return lint_file(linter, str(path), opener(path))


def test_the_json_keys_lead_the_findings_columns() -> None:
    finding = api.lint_path(FIXTURES / "examples/b12_denials.837").findings[0]
    assert list(finding.as_dict()) == JSON_KEYS
    assert [n for n, _ in FINDING_COLUMNS[15:]] == ["path", "payer", "rule_name"]


def test_jobs_give_each_file_the_findings_it_gets_alone(tmp_path: Path) -> None:
    files = [*fixture_files(), *generate(tmp_path, 30)]
    code, out, err = run(
        "check", "--isolated", "-j", "2", "--format", "json", *map(str, files)
    )
    assert code == 2  # the unreadable fixtures, as without -j
    document = json.loads(out)
    assert document["findings"] == [
        {k: row[k] for k in JSON_KEYS}
        for row in cli_rows(files)
        if row["severity"] != FATAL
    ]
    assert [s["file"] for s in document["files"]] == list(map(str, files))
    unreadable = [s["file"] for s in document["files"] if s["error"]]
    assert unreadable == [str(p) for p in files if "not_x12" in str(p)]
    assert err.count("lint837: ") == len(unreadable)


def test_jobs_look_for_batch_duplicates_within_each_file_only() -> None:
    names = list(map(str, ACROSS))
    _, together, _ = run("check", "--isolated", "--format", "json", *names)
    _, apart, _ = run("check", "--isolated", "-j", "2", "--format", "json", *names)
    rules = [f["rule"] for f in json.loads(together)["findings"]]
    assert "BAT001" in rules
    assert "BAT001" not in [f["rule"] for f in json.loads(apart)["findings"]]


def test_jobs_keep_claims_for_junit_and_honour_options() -> None:
    names = [str(FIXTURES / "examples/b12_denials.837"), *map(str, ACROSS)]
    code, out, _ = run("check", "--isolated", "-j", "2", "--format", "junit", *names)
    _, alone, _ = run("check", "--isolated", "--format", "junit", *names)
    assert code == 1 and out.count("<testcase ") == alone.count("<testcase ") == 9
    code, out, _ = run(
        "check", "--isolated", "-j", "2", "--select", "DX", "--format", "json", *names
    )
    assert {f["rule"][:2] for f in json.loads(out)["findings"]} == {"DX"}


def test_a_file_is_a_run_of_its_own() -> None:
    linter = linter_for(Recipe())
    first, second = (lint_file(linter, str(p), opener(p)) for p in ACROSS)
    assert [f.rule for f in second.findings] == [
        f.rule for f in lint(ACROSS[1]).findings
    ]
    assert "BAT001" not in {f.rule for f in first.findings + second.findings}
    duplicates = lint(FIXTURES / "rules/bat/duplicates.837")
    assert "BAT001" in {f.rule for f in duplicates.findings}
    frequency = lint(FIXTURES / "rules/bat/frequency.837")
    assert {f.rule for f in frequency.batch} == {"BAT002"}  # at the run's end


def test_the_linter_is_built_once_a_thread() -> None:
    recipe = Recipe.of(policy=FIXTURES / "policies/payers.toml", select=["PA"])
    assert linter_for(recipe) is linter_for(
        Recipe.of(policy=FIXTURES / "policies/payers.toml", select=["PA"])
    )
    assert linter_for(recipe) is not linter_for(Recipe())
    other: list[object] = []
    thread = threading.Thread(target=lambda: other.append(linter_for(recipe)))
    thread.start()
    thread.join()
    assert other[0] is not linter_for(recipe)


def test_rows_name_the_payer_and_the_rule() -> None:
    path = FIXTURES / "examples/b12_denials.837"
    result = lint(path)
    rows = list(
        finding_rows(result, "file:" + str(path), rule_names(linter_for(Recipe())))
    )
    verdicts = {v.claim: v.payer for v in api.lint_path(path).claims}
    assert rows and all(row["payer"] == verdicts[row["claim"]] for row in rows)
    assert all(row["rule_name"] == REGISTRY[row["rule"]].name for row in rows)
    assert all(row["path"] == "file:" + str(path) for row in rows)


def test_claim_rows_count_every_finding_of_their_claim() -> None:
    path = FIXTURES / "rules/bat/frequency.837"
    result = lint(path)
    assert result.batch  # BAT002, at the run's end, counted with its claim
    rows = list(claim_rows(result, str(path), Severity.ERROR))
    report = api.lint_path(path)
    assert [(r["claim"], r["segment_index"]) for r in rows] == [
        (c.claim, c.segment_index) for c in report.claims
    ]
    for row, claim in zip(rows, report.claims, strict=True):
        counted = row["errors"] + row["warnings"] + row["infos"]
        assert counted == len(claim.findings)  # batch findings included
        assert row["verdict"] == ("held" if claim.fails() else "clean")
    assert sum(r["errors"] + r["warnings"] + r["infos"] for r in rows) == len(
        [f for f in result.findings if f.location.claim]
    )


@pytest.mark.parametrize(
    "name", sorted(p.name for p in (FIXTURES / "not_x12").iterdir())
)
def test_an_unreadable_file_is_one_fatal_row(name: str) -> None:
    path = FIXTURES / "not_x12" / name
    rows = list(finding_rows(lint(path), str(path), {}))
    assert by_file(rows) == by_file(cli_rows([path]))
    assert [row["severity"] for row in rows] == [FATAL]


def test_a_missing_file_and_a_crash_are_rows_not_exceptions(tmp_path: Path) -> None:
    linter = linter_for(Recipe())
    missing = tmp_path / "gone.837"
    result = lint_file(linter, str(missing), opener(missing), contain=True)
    [row] = finding_rows(result, str(missing), rule_names(linter))
    assert (row["rule"], row["message"]) == (
        "IO001",
        "cannot open: No such file or directory",
    )

    def broken() -> io.BytesIO:
        raise ZeroDivisionError("boom")

    crashed = lint_file(linter, "x.837", broken, contain=True)
    [row] = finding_rows(crashed, "x.837", rule_names(linter))
    assert (row["rule"], row["rule_name"], row["severity"]) == (
        "IO002",
        "internal-error",
        FATAL,
    )
    with pytest.raises(ZeroDivisionError):
        lint_file(linter, "x.837", broken)


def test_the_readme_documents_the_columns() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## On Spark and Dask", 1)[1].split("\n## ", 1)[0]
    assert f"| `{JSON_KEYS[0]}` … `{JSON_KEYS[-1]}` |" in section
    for name, kind in FINDING_COLUMNS[len(JSON_KEYS) :]:
        assert f"| `{name}` | {kind} |" in section
    for name, _ in CLAIM_COLUMNS:
        assert f"`{name}`" in section
