"""Implementation-guide validation with pyx12 4.0.0 as the reference."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest

from lint837 import api
from lint837.cli import main
from lint837.config.settings import VALIDATORS as SETTINGS_VALIDATORS
from lint837.errors import InputError
from lint837.findings import Finding
from lint837.validation import (
    CODES,
    PYX12_VERSION,
    VALIDATORS,
    Ahead,
    Level,
    Problem,
    Unit,
    findings,
    units,
)
from lint837.validation.reference import acknowledge

from batchgen import write_batch
from conftest import CORPUS, FIXTURES, corpus_index

pyx12 = pytest.importorskip("pyx12")

CLEAN = FIXTURES / "j3420" / "with_admin_ndc_pa.837"
# Files lint837 ships as correct 837Ps: pyx12 must find nothing in them.
CLEAN_FILES = [
    CLEAN,
    FIXTURES / "examples" / "b12_denials.837",
    FIXTURES / "layouts" / "newline_terminator.837",
]


def validated(data: bytes, jobs: int = 1) -> list[Finding]:
    return list(findings(io.BytesIO(data), "t.837", jobs=jobs))


def where(found: list[Finding]) -> set[tuple[str, int | None, str | None]]:
    return {(f.rule, f.location.segment_index, f.location.element) for f in found}


def test_pyx12_is_the_pinned_release() -> None:
    assert pyx12.__version__ == PYX12_VERSION


@pytest.mark.parametrize("path", CLEAN_FILES, ids=lambda path: path.name)
def test_a_correct_file_has_no_guide_problem(path: Path) -> None:
    assert validated(path.read_bytes()) == []


# (text of the clean file, what it becomes, what pyx12 reports at the first
# segment that differs, the claim that segment is in). The clean file holds
# one segment a line, so a segment's index is its line number.
MUTATIONS = [
    pytest.param(
        "SV1*HC:J3420*8*UN*1*11**1:2~",
        "SV1*HC:J3420*8*UN*1*ZZZ**1:2~",
        {("X12205", "SV105"), ("X12207", "SV105")},
        "DOEJ20250301",
        id="lengthen-an-element",
    ),
    pytest.param(
        "SBR*P*18*******CI~",
        "SBR*P*18*******QQ~",
        {("X12207", "SBR09")},
        None,  # the subscriber loop: no claim yet
        id="change-a-code",
    ),
    pytest.param(
        "DTP*472*D8*20250301~\nLIN",
        "DTP*472*D8*20250231~\nLIN",
        {("X12208", "DTP03")},
        "DOEJ20250301",
        id="impossible-date",
    ),
    pytest.param(
        "REF*G1*PA2025000101~",
        "REF*G1*PA2025000101~\nREF*G1*PA2025000101~",
        {("X12105", None)},
        "DOEJ20250301",
        id="repeat-a-segment",
    ),
    pytest.param(
        "NM1*PR*2*ACME HEALTH PLAN*****PI*ACMEPA~\nCLM*DOEJ",
        "CLM*DOEJ",
        {("X12103", None)},
        "DOEJ20250301",  # reported at the CLM after the gap
        id="drop-a-required-segment",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected", "claim"), MUTATIONS)
def test_a_broken_copy_gets_its_problem_at_its_segment(
    old: str, new: str, expected: set[tuple[str, str | None]], claim: str | None
) -> None:
    text = CLEAN.read_text()
    assert old in text
    broken = text.replace(old, new, 1)
    # The first line that differs is the segment pyx12 reports: the copy in
    # excess, or the segment after a gap (a missing one is reported there).
    line = next(
        n
        for n, (a, b) in enumerate(
            zip(text.splitlines(), broken.splitlines(), strict=False), 1
        )
        if a != b
    )
    found = validated(broken.encode())
    assert {(code, line, element) for code, element in expected} <= where(found)
    claims = {f.location.claim for f in found if f.location.segment_index == line}
    assert claims == {claim}


def test_values_that_may_be_patient_data_are_never_shown() -> None:
    text = CLEAN.read_text()
    name = "DOE" + "X" * 70  # NM103 allows 60 characters
    broken = text.replace("NM1*IL*1*DOE*JANE", f"NM1*IL*1*{name}*JANE", 1)
    found = validated(broken.encode())
    assert ("X12205", 16, "NM103") in where(found)
    shown = " ".join(f.message for f in found)
    assert name not in shown and "JANE" not in shown
    # A bad code is shown: it is what the biller must replace.
    coded = validated(text.replace("*CI~", "*QQ~", 1).encode())
    assert any("QQ" in f.message for f in coded if f.rule == "X12207")


def bad_places(tmp_path: Path, claims: int, lines: int = -1) -> Path:
    """A generated batch, 30 claims a set, in which ``lines`` lines (all by
    default) bill place of service ZZZ: two guide findings each."""
    path = tmp_path / "batch.837"
    with path.open("wb") as handle:
        write_batch(handle, claims, claims_per_transaction=30)
    path.write_bytes(path.read_bytes().replace(b"*11**1~", b"*ZZZ**1~", lines))
    return path


def test_processes_report_what_one_process_does(tmp_path: Path) -> None:
    data = bad_places(tmp_path, 120, 7).read_bytes()
    one, two = validated(data), validated(data, jobs=2)
    assert len(one) == 14  # two findings on each of the seven lines
    assert [f.as_dict() for f in two] == [f.as_dict() for f in one]


def ahead(path: Path, jobs: int = 2, **options: int) -> Ahead:
    return Ahead(
        str(path),
        "t.837",
        jobs=jobs,
        codes=frozenset(CODES),
        severities={},
        validator=VALIDATORS["fast"],
        **options,
    )


@pytest.mark.parametrize("jobs", [2, 3])
def test_ahead_gives_what_findings_gives_in_bounded_batches(
    tmp_path: Path, jobs: int
) -> None:
    path = bad_places(tmp_path, 120, 7)
    data = io.BytesIO(path.read_bytes())
    fast = findings(data, "t.837", validator=VALIDATORS["fast"])
    expected = [f.as_dict() for f in fast]
    assert len(expected) == 14
    # Two findings a batch, one batch waiting: the process waits on the reader.
    with ahead(path, jobs, batch=2, window=1) as found:
        assert [f.as_dict() for f in found] == expected


def test_ahead_raises_what_findings_raises(tmp_path: Path) -> None:
    text = tmp_path / "notes.837"
    text.write_text("not a claim file")
    with ahead(text) as found, pytest.raises(InputError, match="not an X12 file"):
        list(found)
    with ahead(tmp_path / "gone.837") as found, pytest.raises(InputError) as error:
        list(found)
    assert "cannot open" in str(error.value)
    assert error.value.source == str(tmp_path / "gone.837")


@pytest.mark.parametrize("jobs", [2, 3])
def test_ahead_closed_unread_ends_its_process_and_pool(
    tmp_path: Path, jobs: int
) -> None:
    path = bad_places(tmp_path, 60)
    found = ahead(path, jobs, batch=1, window=1)  # 120 findings: it must wait
    pid = found._process.pid
    assert pid is not None
    next(iter(found))  # the pool is at work
    found.close()
    assert not found._process.is_alive()
    # Nothing of its process group runs on (the pool's processes included).
    time.sleep(0.5)
    assert running_in_group(pid) == []


def running_in_group(group: int) -> list[int]:
    """The processes of a process group that are not zombies (Linux /proc)."""
    if not Path("/proc/self/stat").exists():
        pytest.skip("no /proc to read process groups from")
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it ended meanwhile
        if fields[0] != "Z" and int(fields[2]) == group:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.parametrize("jobs", ["2", "3"])
def test_check_in_processes_reports_what_one_process_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], jobs: str
) -> None:
    """With -j, a file is validated in other processes while its rules run:
    the report is the same, rules' findings first, then the guide's."""
    path = broken_file(tmp_path)
    assert main(["check", "--format", "json", str(path)]) == 1
    alone = json.loads(capsys.readouterr().out)
    assert main(["check", "--format", "json", "-j", jobs, str(path)]) == 1
    assert json.loads(capsys.readouterr().out) == alone
    rules = [f["rule"] for f in alone["findings"]]
    assert "X12207" in rules and rules[-1].startswith("X12")


def test_pyx12_raising_is_a_finding_not_a_crash() -> None:
    # pyx12 4.0.0 raises IndexError on this file's pointer layout.
    found = validated((FIXTURES / "rules" / "dx" / "pointers.837").read_bytes())
    assert [f.rule for f in found] == ["X12999"]
    assert "IndexError" in found[0].message


def test_other_transactions_are_not_validated() -> None:
    for path in sorted((FIXTURES / "out_of_scope").glob("*.*")):
        assert validated(path.read_bytes()) == [], path

    # An 837I with a bad code: pyx12 has its map and reports it, but the
    # rules skip the set (ENV009), and so does validation.
    data = (FIXTURES / "out_of_scope" / "institutional_5010.837").read_bytes()
    broken = data.replace(b"HI*ABK:", b"HI*QQQ:", 1)
    (unit,) = units(io.BytesIO(broken), "t.837")
    assert VALIDATORS["pyx12"](unit) != []
    assert validated(broken) == []


@pytest.mark.parametrize("validator", sorted(VALIDATORS))
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_release_pyx12_has_no_map_for_is_said_not_validated(
    validator: str, jobs: int
) -> None:
    data = CLEAN.read_bytes().replace(b"005010X222A1", b"005010X222A2")
    found = list(
        findings(io.BytesIO(data), "t.837", jobs=jobs, validator=VALIDATORS[validator])
    )
    assert [(f.rule, f.severity.value) for f in found] == [("X12997", "warning")]
    assert "GS08 is 005010X222A2" in found[0].message
    assert found[0].location.segment == "ST"


def test_input_that_is_not_x12_is_an_input_error() -> None:
    with pytest.raises(InputError):
        validated(b"%PDF-1.7 not a claim file")


def test_every_code_pyx12_reports_here_is_translated() -> None:
    assert all(code.startswith("X12") and len(code) == 6 for code in CODES)
    assert "X12998" in CODES  # what an unknown pyx12 code becomes


def test_the_acknowledgement_is_the_999_pyx12_writes() -> None:
    text = CLEAN.read_text().replace("*11**1:2~", "*ZZZ**1:2~", 1)
    answer = acknowledge(io.BytesIO(text.encode()), "t.837")
    segments = [segment.strip() for segment in answer.split("~") if segment.strip()]
    assert segments[2] == "ST*999*0001*005010X231"
    assert "IK3*SV1*28**8" in segments  # seg_count from the ST
    assert "IK5*R*5" in segments
    accepted = acknowledge(io.BytesIO(CLEAN.read_bytes()), "t.837")
    assert "IK5*A" in accepted and "AK9*A*1*1*1" in accepted


# What pyx12 reports for each negative test of the corpus whose defect is
# one of the implementation guide (checked against each file by hand).
NEGATIVE = {
    "imsweb__x12-parser/x12_bad_valid_code.txt": {"X12207"},
    "imsweb__x12-parser/x12_loop_errors1_exceeds_max_1_parent.txt": {"X12104"},
    "imsweb__x12-parser/x12_loop_errors2_exceeds_max_repeats_multiple_parents.txt": {
        "X12104"
    },
    "imsweb__x12-parser/x12_loop_errors3_missing_loops.txt": {"X12103"},
    "imsweb__x12-parser/x12_missing_elements.txt": {"X12201"},
    "imsweb__x12-parser/x12_missing_required_loop_in_one_repeat.txt": {"X12103"},
    "imsweb__x12-parser/x12_missing_required_loops_mult_repeats.txt": {"X12103"},
    "imsweb__x12-parser/x12_segment_errors.txt": {"X12103", "X12105"},
    "imsweb__x12-parser/x12_segments_out_of_order.txt": {"X12103"},
    "Inteligenz__X12Parser/MissingEntityCode.txt": {"X12101", "X12207"},
}


@pytest.mark.corpus
def test_corpus_negatives_get_their_guide_problems() -> None:
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not here")
    for name, expected in NEGATIVE.items():
        found = {f.rule for f in validated((CORPUS / name).read_bytes())}
        assert expected <= found, name


@pytest.mark.corpus
def test_every_corpus_837p_is_validated_without_a_crash() -> None:
    rows = [
        row
        for row in corpus_index()
        if row["transaction"] == "837P" and "005010X222" in row["version_GS08"]
    ]
    if not rows:
        pytest.skip("../shared/corpus is not here")
    for row in rows:
        path = CORPUS / row["saved_path"]
        try:
            found = validated(path.read_bytes())
        except InputError:
            continue  # not X12 by lint837's reading: ENV findings cover it
        assert all(f.rule in CODES for f in found), path


# --- the command line ---------------------------------------------------------


PYTHON_CLI = (sys.executable, "-m", "lint837.cli")


def broken_file(tmp_path: Path) -> Path:
    path = tmp_path / "broken.837"
    path.write_text(CLEAN.read_text().replace("*11**1:2~", "*ZZZ**1:2~", 1))
    return path


def test_check_reports_guide_problems_beside_the_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = broken_file(tmp_path)
    off = ["check", "--isolated", "--format", "json", "--validate=none", str(path)]
    assert main(off) == 0
    assert "X12" not in capsys.readouterr().out
    assert main(["check", "--isolated", "--select", "X12", str(path)]) == 1
    assert "X12207" in capsys.readouterr().out  # fast validation is the default
    args = ["check", "--isolated", "--format", "json", "--validate=pyx12", str(path)]
    assert main(args) == 1
    found = json.loads(capsys.readouterr().out)["findings"]
    assert {
        (f["rule"], f["segment_index"], f["element"], f["loop"]) for f in found
    } >= {
        ("X12205", 30, "SV105", "2400"),
        ("X12207", 30, "SV105", "2400"),
    }


def test_both_validators_are_named_the_same_everywhere() -> None:
    assert set(VALIDATORS) | {"none"} == set(SETTINGS_VALIDATORS)


@pytest.mark.parametrize("validator", ["pyx12", "fast"])
def test_check_with_either_validator_reports_the_same(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], validator: str
) -> None:
    path = broken_file(tmp_path)
    args = ["check", "--isolated", "--format", "json", "--select", "X12"]
    assert main([*args, f"--validate={validator}", str(path)]) == 1
    found = json.loads(capsys.readouterr().out)["findings"]
    assert {(f["rule"], f["segment_index"], f["element"]) for f in found} == {
        ("X12205", 30, "SV105"),
        ("X12207", 30, "SV105"),
    }


def test_guide_codes_are_selected_like_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(broken_file(tmp_path))
    base = ["check", "--isolated", "--validate=pyx12", "--format", "json"]
    assert main([*base, "--select", "X12207", path]) == 1
    rules = {f["rule"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert rules == {"X12207"}
    assert main([*base, "--ignore", "X12", "--select", "X12", path]) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []


def test_standard_input_is_read_for_the_rules_and_for_pyx12(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            *PYTHON_CLI,
            "check",
            "--isolated",
            "--validate=pyx12",
            "--select",
            "X12",
            "-",
        ],
        input=broken_file(tmp_path).read_bytes(),
        capture_output=True,
        check=False,
    )
    assert done.returncode == 1
    assert b"<stdin>:30: X12207" in done.stdout


def test_rules_and_explain_know_the_guide_codes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["rules"]) == 0
    listed = capsys.readouterr().out
    assert all(code in listed for code in CODES)
    assert main(["explain", "x12207"]) == 0
    assert "999" in capsys.readouterr().out


def test_ack_prints_the_999_and_says_whether_it_accepts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["ack", str(CLEAN)]) == 0
    assert "AK9*A*1*1*1" in capsys.readouterr().out
    assert main(["ack", str(broken_file(tmp_path))]) == 1
    assert "IK5*R*5" in capsys.readouterr().out
    assert main(["ack", str(FIXTURES / "not_x12" / "document.pdf")]) == 2


def test_the_configuration_can_ask_for_validation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = broken_file(tmp_path)
    config = tmp_path / "lint837.toml"
    config.write_text('validate = "pyx12"\nselect = ["X12207"]\n')
    assert main(["check", str(path)]) == 1
    assert "X12207" in capsys.readouterr().out
    assert main(["check", "--validate", "none", str(path)]) == 0
    config.write_text('validate = "pyx13"\n')
    assert main(["check", str(path)]) == 2
    assert "validate" in capsys.readouterr().err


@pytest.mark.parametrize("validator", ["pyx12", "fast"])
def test_the_gate_holds_what_the_999_would_reject(
    tmp_path: Path, validator: str
) -> None:
    """Hold the claim with a guide problem; pyx12 accepts the clean output."""
    source = tmp_path / "batch.837"
    source.write_text(CLEAN.read_text().replace("*11**1:2~", "*ZZZ**1:2~", 1))
    clean, held = tmp_path / "clean.837", tmp_path / "held.837"
    args = ["gate", str(source), "--clean", str(clean), "--held", str(held)]
    assert main([*args, "--isolated", "--select", "X12", "--validate", validator]) == 1

    assert "IK5*R" in acknowledge(io.BytesIO(source.read_bytes()), "in")
    accepted = acknowledge(io.BytesIO(clean.read_bytes()), "clean")
    assert "IK5*A" in accepted and "CLM*ROEM20250303*" in clean.read_text()
    assert "CLM*DOEJ20250301*" in held.read_text()
    assert "IK5*R" in acknowledge(io.BytesIO(held.read_bytes()), "held")


def test_the_gate_in_processes_splits_as_one_process_does(tmp_path: Path) -> None:
    """With -j the sets are validated while the rules run: same split."""
    source = broken_file(tmp_path)
    outputs = {}
    for jobs in ("1", "2"):
        clean, held, report = (tmp_path / f"{part}-{jobs}" for part in "chr")
        args = ["gate", str(source), "--clean", str(clean), "--held", str(held)]
        assert main([*args, "--report", str(report), "-j", jobs]) == 1
        outputs[jobs] = [path.read_bytes() for path in (clean, held, report)]
    assert outputs["2"] == outputs["1"]
    assert b"X12207" in outputs["1"][2]  # the report has the guide finding


class _Pipe(io.BytesIO):
    """A stream that cannot seek, like a socket or a pipe."""

    def seekable(self) -> bool:
        return False


def test_the_api_validates_and_gives_the_claims_their_guide_findings() -> None:
    data = CLEAN.read_text().replace("*11**1:2~", "*ZZZ**1:2~", 1).encode()
    for report in (
        api.lint_bytes(data, validate="pyx12", select=["X12"]),
        api.lint_stream(_Pipe(data), "pipe", validate="pyx12", select=["X12"]),
    ):
        assert {f.rule for f in report.findings} == {"X12205", "X12207"}
        assert [v.claim for v in report.held()] == ["DOEJ20250301"]
        assert [v.claim for v in report.passed()] == ["ROEM20250303"]
        assert report.files[0].findings["error"] == 2


def test_sarif_describes_the_guide_codes_it_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = broken_file(tmp_path)
    args = ["check", "--isolated", "--validate=pyx12", "--format", "sarif"]
    assert main([*args, str(path)]) == 1
    document = json.loads(capsys.readouterr().out)
    run = document["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    reported = [r for r in run["results"] if r["ruleId"].startswith("X12")]
    assert reported
    for result in reported:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    described = {rule["id"]: rule for rule in rules}
    assert described["X12207"]["properties"]["tags"][0] == "X12"
    assert "999" in described["X12207"]["fullDescription"]["text"]
    schema = CORPUS.parent / "schemas" / "sarif-schema-2.1.0.json"
    if schema.is_file():  # ../shared may be absent
        jsonschema.validate(document, json.loads(schema.read_text()))


def test_a_header_problem_is_reported_once_not_once_a_set(tmp_path: Path) -> None:
    path = tmp_path / "batch.837"
    with path.open("wb") as handle:
        write_batch(handle, 30, claims_per_transaction=10)  # three sets, one ISA

    def header_problem(unit: Unit) -> list[Problem]:
        problem = Problem(Level.INTERCHANGE, "025", unit.indexes[0], None, "ISA", "")
        return [problem]

    with path.open("rb") as stream:
        found = list(findings(stream, "b", validator=header_problem))
    assert [(f.rule, f.location.segment_index) for f in found] == [("X12525", 1)]


@pytest.mark.parametrize("chunk_size", [1 << 20, 97], ids=["whole", "tiny-chunks"])
def test_a_unit_knows_where_each_of_its_segments_is(chunk_size: int) -> None:
    data = CLEAN.read_bytes()
    starts = [0] + [n + 2 for n in range(len(data)) if data[n : n + 2] == b"~\n"]
    [unit] = units(io.BytesIO(data), "t.837", chunk_size)
    for k, index in enumerate(unit.indexes):
        if index == 0:  # the made-up GE and IEA
            assert unit.place(k) == (0, 0, 0)
            continue
        assert unit.place(k) == (starts[index - 1], index, 1)
        assert data[starts[index - 1] :].startswith(unit.segments[k].encode())
    assert unit.stripped().place(5) == (0, 0, 0) and unit.stripped().spans == ()
