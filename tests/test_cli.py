"""The command line: formats, exit codes, stdin, errors, PHI, the lines table."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from lint837.cli import main

from conftest import FIXTURES

CLEAN = str(FIXTURES / "layouts/standard.837")
BROKEN = str(FIXTURES / "broken/wrong_counts.837")
OUT_OF_SCOPE = str(FIXTURES / "out_of_scope/institutional_5010.837")
JSON_KEYS = {
    "rule",
    "severity",
    "message",
    "file",
    "claim",
    "line",
    "segment_index",
    "offset",
    "segment",
    "element",
    "loop",
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_clean_file_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", CLEAN)
    assert code == 0
    assert "No findings" in out


def test_findings_exit_one_with_one_line_each(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "check", BROKEN)
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith(f"{BROKEN}:34: ENV002 [error] SE01 says 99")
    assert lines[-1].startswith("Found 6 findings (6 errors)")


def test_info_findings_do_not_fail_by_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "check", OUT_OF_SCOPE)
    assert code == 0
    assert "ENV009 [info]" in out
    code, _, _ = run(capsys, "check", "--fail-on", "info", OUT_OF_SCOPE)
    assert code == 1


def test_exit_zero_and_selection(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "check", "--exit-zero", BROKEN)[0] == 0
    code, out, _ = run(capsys, "check", "--select", "ENV002,ENV003", BROKEN)
    assert code == 1
    assert {line.split()[1] for line in out.splitlines()[:-1]} == {"ENV002", "ENV003"}
    # Without ENV002 and ENV003, the guide's own SE checks speak for them.
    code, out, _ = run(capsys, "check", "--ignore", "ENV00", BROKEN)
    assert (code, {line.split()[1] for line in out.splitlines()[:-1]}) == (
        1,
        {"X12303", "X12304"},
    )
    code, out, _ = run(capsys, "check", "--ignore", "ENV00,X12", BROKEN)
    assert code == 0


def test_unknown_selector_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", "--select", "NOPE1", CLEAN)
    assert code == 2
    assert "NOPE1" in err and "matches no rule" in err


def test_json_output_keeps_its_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "check", "--format", "json", "--select", "ENV", BROKEN, CLEAN
    )
    assert code == 1
    document = json.loads(out)
    assert set(document) == {"findings", "files"}
    assert len(document["findings"]) == 6
    for finding in document["findings"]:
        assert set(finding) >= JSON_KEYS
    assert [f["file"] for f in document["files"]] == [BROKEN, CLEAN]
    assert document["files"][1]["claims"] == 1


def test_json_with_no_findings_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--format", "json", CLEAN)
    assert code == 0
    assert json.loads(out)["findings"] == []


@pytest.mark.parametrize(
    "relative",
    [
        "not_x12/document.pdf",
        "not_x12/claims.json",
        "not_x12/empty.837",
        "not_x12/random.bin",
    ],
)
def test_non_x12_input_exits_two_with_one_line(
    capsys: pytest.CaptureFixture[str], relative: str
) -> None:
    path = str(FIXTURES / relative)
    code, _, err = run(capsys, "check", path)
    assert code == 2
    assert err.count("\n") == 1 and path in err
    assert "Traceback" not in err


def test_missing_file_exits_two(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "check", "no/such/file.837")
    assert code == 2
    assert "no/such/file.837" in err and "cannot open" in err


def test_unreadable_file_does_not_stop_the_others(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys, "check", "no/such/file.837", BROKEN)
    assert code == 2
    assert "ENV002" in out
    assert out.splitlines()[-1].endswith("1 file could not be read.")


def test_stdin_through_a_real_pipe() -> None:
    data = (FIXTURES / "broken/wrong_counts.837").read_bytes()
    done = subprocess.run(
        [sys.executable, "-m", "lint837.cli", "check", "--format", "json", "-"],
        input=data,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 1
    assert json.loads(done.stdout)["files"][0]["file"] == "<stdin>"


def test_verbose_logs_to_stderr_only(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "-vv", "check", OUT_OF_SCOPE)
    assert code == 0
    assert "skipping transaction" in err
    assert "skipping" not in out


def test_input_file_is_never_modified(capsys: pytest.CaptureFixture[str]) -> None:
    before = hashlib.sha256((FIXTURES / "broken/truncated.837").read_bytes()).digest()
    run(capsys, "check", str(FIXTURES / "broken/truncated.837"))
    after = hashlib.sha256((FIXTURES / "broken/truncated.837").read_bytes()).digest()
    assert before == after


def test_no_names_member_ids_or_birth_dates_in_output(
    capsys: pytest.CaptureFixture[str],
) -> None:
    paths = [str(p) for p in sorted((FIXTURES / "structure").glob("*.837"))]
    paths += [str(p) for p in sorted((FIXTURES / "broken").glob("*.837"))]
    outputs = "".join(run(capsys, "-vv", "check", "--format", "json", *paths)[1:])
    outputs += "".join(run(capsys, "lines", "--format", "json", *paths)[1:])
    # CLM01 (the claim id the submitter chose) is shown; names and ids are not.
    for secret in ("JANE", "WELLS", "EMMA", "ACM100200300", "19580412", "20090622"):
        assert secret not in outputs


def test_lines_table_lists_each_j3420_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "lines", str(FIXTURES / "j3420/with_admin_ndc_pa.837"))
    assert code == 0
    header, *rows = out.splitlines()
    assert header.split()[:3] == ["file", "claim", "LX"]
    assert len(rows) == 2
    assert "96372" in rows[0] and "00517003125" in rows[0]


def test_lines_json_resolves_pointers_and_pairs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(
        capsys, "lines", "--format", "json", str(FIXTURES / "j3420/iv_admin.837")
    )
    assert code == 0
    (row,) = json.loads(out)["lines"]
    assert row["administration_code"] == "96374"
    assert row["diagnoses"] == ["D510", "K912"]
    assert row["units"] == "1"
    assert row["claim_prior_auth"] == ["PA2025000101"]


def test_lines_csv_and_other_codes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "lines",
        "--format",
        "csv",
        "--code",
        "96372",
        str(FIXTURES / "j3420/with_admin_ndc_pa.837"),
    )
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["claim"] for row in rows] == ["DOEJ20250301", "ROEM20250303"]
    assert {row["line"] for row in rows} == {"1"}


def test_lines_without_admin_leaves_pairing_empty(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = run(
        capsys, "lines", "--format", "json", str(FIXTURES / "j3420/no_admin.837")
    )
    (row,) = json.loads(out)["lines"]
    assert row["administration_code"] == "" and row["administration_line"] == ""


def test_rules_and_explain(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "rules")
    assert code == 0 and "ENV002" in out and "se-segment-count" in out
    code, out, _ = run(capsys, "explain", "env002")
    assert code == 0 and "Source:" in out and "Fails:" in out
    assert run(capsys, "explain", "XYZ999")[0] == 2


def test_bad_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "check", "--format", "yaml", CLEAN)[0] == 2


def test_a_bug_exits_three_with_a_hint(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("lint837.linter.Linter.lint_path", broken)
    code, _, err = run(capsys, "check", CLEAN)
    assert code == 3
    assert "internal error" in err and "-v" in err and "Traceback" not in err
    code, _, err = run(capsys, "-v", "check", CLEAN)
    assert code == 3 and "Traceback" in err


def test_lines_refuses_what_is_not_x12(capsys: pytest.CaptureFixture[str]) -> None:
    pdf = str(FIXTURES / "not_x12/document.pdf")
    code, _, err = run(capsys, "lines", pdf)
    assert code == 2 and pdf in err and "Traceback" not in err
    code, _, err = run(capsys, "lines", "no/such/file.837")
    assert code == 2 and "cannot open" in err


def test_explain_says_when_a_rule_rests_on_an_unconfirmed_fact(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, out, _ = run(capsys, "explain", "UNT004")
    assert "not yet confirmed" in out
    _, out, _ = run(capsys, "explain", "CLM004")
    assert "not yet confirmed" not in out


def test_batch_findings_count_in_their_file(capsys: pytest.CaptureFixture[str]) -> None:
    folder = FIXTURES / "rules/bat/across"
    code, out, _ = run(
        capsys,
        "check",
        "--select",
        "BAT",
        "--format",
        "json",
        str(folder / "a.837"),
        str(folder / "b.837"),
    )
    document = json.loads(out)
    assert code == 1
    in_b = [f for f in document["findings"] if f["file"].endswith("b.837")]
    assert in_b and all(f["rule"].startswith("BAT") for f in in_b)
    counts = {
        entry["file"][-5:]: sum(entry["findings"].values())
        for entry in document["files"]
    }
    assert counts == {"a.837": 0, "b.837": len(in_b)}


def test_a_folder_stands_for_its_claim_files(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    batches = tmp_path / "batches"
    (batches / "march").mkdir(parents=True)
    (batches / ".git").mkdir()
    shutil.copy(BROKEN, batches / "march" / "b.X12")
    shutil.copy(CLEAN, batches / "a.837")
    shutil.copy(BROKEN, batches / ".git" / "hidden.837")  # hidden: skipped
    (batches / "notes.txt").write_text("not a claim file")
    code, out, _ = run(capsys, "check", "--isolated", "--format", "json", str(batches))
    assert code == 1
    read = [entry["file"] for entry in json.loads(out)["files"]]
    assert read == [str(batches / "a.837"), str(batches / "march" / "b.X12")]


def test_a_folder_without_claim_files_is_only_warned_of(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = run(capsys, "check", str(tmp_path))
    assert (code, out) == (0, "")
    assert "no claim files" in err


def test_output_file_gets_the_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    report = tmp_path / "lint837.json"
    code, out, _ = run(capsys, "check", "--format", "json", "-o", str(report), BROKEN)
    assert (code, out) == (1, "")
    assert len(json.loads(report.read_text())["findings"]) == 6


def test_output_file_never_replaces_an_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    batch = tmp_path / "batch.837"
    shutil.copy(BROKEN, batch)
    before = batch.read_bytes()
    code, _, err = run(capsys, "check", "-o", str(batch), str(batch))
    assert code == 2
    assert "is an input file" in err
    assert batch.read_bytes() == before


def test_statistics_count_each_rule_most_frequent_first(
    capsys: pytest.CaptureFixture[str],
) -> None:
    demo = str(FIXTURES / "examples" / "b12_denials.837")
    _, listed, _ = run(capsys, "check", "--isolated", "--format", "json", demo)
    expected = Counter(f["rule"] for f in json.loads(listed)["findings"])
    code, out, _ = run(capsys, "check", "--isolated", "--statistics", demo)
    assert code == 1
    rows = [line.split() for line in out.splitlines()[:-1]]
    assert {row[1]: int(row[0]) for row in rows} == expected
    assert [int(row[0]) for row in rows] == sorted(expected.values(), reverse=True)
    assert out.splitlines()[-1].startswith("Found 11 findings")
