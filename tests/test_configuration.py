"""Configuration, policy and authorization files: found, applied, refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from lint837.cli import main
from lint837.config import load_authorizations, load_policy, load_settings
from lint837.config.policy import PayerKind
from lint837.errors import ConfigError
from lint837.rules import REGISTRY
from lint837.rules.examples import GOOD_CLAIM

from conftest import FIXTURES
from examples import example_file

NO_PA = FIXTURES / "rules/pa/missing_auth.837"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_the_documented_policy_form_works_as_written(tmp_path: Path) -> None:
    policy_file = tmp_path / "payers.toml"
    policy_file.write_text(
        "[payer.ACMEPA]\n"
        'name = "Acme Health Plan"\n'
        'prior_auth = ["J3420"]        # HCPCS codes that need REF*G1 for this payer\n'
        'ndc_required = ["J3420"]      # HCPCS codes that need the 2410 NDC\n'
    )
    policy = load_policy(policy_file).for_payer("ACMEPA")
    assert policy.name == "Acme Health Plan"
    assert policy.prior_auth == policy.ndc_required == frozenset({"J3420"})
    assert load_policy(policy_file).for_payer("OTHER").prior_auth == frozenset()


def test_policy_defaults_are_inherited(tmp_path: Path) -> None:
    policy_file = tmp_path / "payers.toml"
    policy_file.write_text(
        "[defaults]\nmaintenance_interval_days = 21\n\n"
        '[payer.STATEMCD]\nkind = "medicaid"\nmue = { J3420 = 2 }\n'
    )
    policy = load_policy(policy_file).for_payer("STATEMCD")
    assert policy.kind is PayerKind.MEDICAID
    assert policy.maintenance_interval_days == 21
    assert policy.mue == {"J3420": 2}


@pytest.mark.parametrize(
    ("text", "line", "key", "words"),
    [
        (
            '[payer.A]\nprior_auth = ["J3420"]\nprior_auht = ["J3420"]\n',
            3,
            "payer.A.prior_auht",
            "unknown key",
        ),
        (
            '[payer.A]\nprior_auth = "J3420"\n',
            2,
            "payer.A.prior_auth",
            "list of strings",
        ),
        (
            '[payer.A]\n\nndc_required = ["J34.20"]\n',
            3,
            "payer.A.ndc_required",
            "not a HCPCS",
        ),
        ('[payer.A]\nkind = "medicare-b"\n', 2, "payer.A.kind", "must be one of"),
        ('[payers.A]\nname = "x"\n', 1, "payers", "unknown table"),
        ('[payer.A]\nname = "x\n', 2, None, "not valid TOML"),
    ],
)
def test_policy_errors_name_file_line_and_key(
    tmp_path: Path, text: str, line: int, key: str | None, words: str
) -> None:
    policy_file = tmp_path / "payers.toml"
    policy_file.write_text(text)
    with pytest.raises(ConfigError) as raised:
        load_policy(policy_file)
    error = raised.value
    assert (error.source, error.line, error.key) == (str(policy_file), line, key)
    assert words in error.message


def test_a_bad_policy_exits_two_with_its_place(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    policy_file = tmp_path / "payers.toml"
    policy_file.write_text('[payer.ACMEPA]\nprior_auth = ["B12"]\n')
    code, out, err = run(capsys, "check", "--policy", str(policy_file), str(NO_PA))
    assert code == 2
    assert f"{policy_file}:2: payer.ACMEPA.prior_auth:" in err
    assert "Traceback" not in err and out == ""


def test_policy_from_the_command_line_turns_on_pa001(
    capsys: pytest.CaptureFixture[str],
) -> None:
    policy = str(FIXTURES / "policies/payers.toml")
    code, out, _ = run(
        capsys, "check", "--select", "PA001", "--policy", policy, str(NO_PA)
    )
    assert code == 1 and "PA001 [error]" in out
    code, out, _ = run(capsys, "check", "--select", "PA001", "--isolated", str(NO_PA))
    assert code == 0


def test_pyproject_is_found_from_the_file_upward(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    project = tmp_path / "project"
    batches = project / "batches" / "2025"
    batches.mkdir(parents=True)
    shutil.copy(FIXTURES / "policies/payers.toml", project / "payers.toml")
    shutil.copy(NO_PA, batches / "batch.837")
    (project / "pyproject.toml").write_text(
        '[project]\nname = "claims"\n\n'
        '[tool.lint837]\nselect = ["PA", "UNT003"]\nignore = ["PA003"]\n'
        'policy = "payers.toml"\n\n'
        '[tool.lint837.severity]\nPA001 = "warning"\n'
    )
    code, out, _ = run(capsys, "check", str(batches / "batch.837"))
    assert "PA001 [warning]" in out
    assert code == 0  # PA001 is only a warning here, and error is the default fail-on
    code, out, _ = run(
        capsys, "check", "--fail-on", "warning", str(batches / "batch.837")
    )
    assert code == 1


def test_lint837_toml_and_flags_that_win(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    shutil.copy(NO_PA, tmp_path / "batch.837")
    (tmp_path / "lint837.toml").write_text('select = ["ENV"]\nfail-on = "info"\n')
    code, out, _ = run(capsys, "check", str(tmp_path / "batch.837"))
    assert code == 0 and "PA001" not in out
    code, out, _ = run(capsys, "check", "--select", "ADM", str(tmp_path / "batch.837"))
    assert "ENV" not in out


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('select = ["NOPE"]\n', "matches no rule"),
        ('colour = "red"\n', "unknown key"),
        ('fail-on = "fatal"\n', "must be error, warning or info"),
        ('[severity]\nXYZ001 = "info"\n', "unknown rule"),
        ('[data]\nzipcodes = "z.toml"\n', "unknown data set"),
    ],
)
def test_bad_configuration_exits_two(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, words: str
) -> None:
    shutil.copy(NO_PA, tmp_path / "batch.837")
    (tmp_path / "lint837.toml").write_text(text)
    code, _, err = run(capsys, "check", str(tmp_path / "batch.837"))
    assert code == 2
    assert words in err and "lint837.toml" in err


def test_settings_resolve_paths_against_the_file(tmp_path: Path) -> None:
    config = tmp_path / "lint837.toml"
    config.write_text('policy = "p/payers.toml"\n[data]\nndcs = "d/ndcs.toml"\n')
    settings = load_settings(config)
    assert settings.policy == (tmp_path / "p/payers.toml").resolve()
    assert settings.data == {"ndcs": (tmp_path / "d/ndcs.toml").resolve()}


def test_a_data_file_of_the_users_replaces_the_shipped_one(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ndcs = tmp_path / "our_ndcs.toml"
    ndcs.write_text(
        '[meta]\nid = "our-ndcs"\ntitle = "ours"\nversion = "1"\ndate = "2026-12-01"\n'
        'source = "our formulary"\nconfirmed = true\n\n'
        '[[entries]]\nndc = "99999999999"\n'
    )
    (tmp_path / "lint837.toml").write_text('[data]\nndcs = "our_ndcs.toml"\n')
    shutil.copy(FIXTURES / "j3420/with_admin_ndc_pa.837", tmp_path / "batch.837")
    _, out, _ = run(capsys, "check", "--select", "NDC003", str(tmp_path / "batch.837"))
    assert "NDC003" in out and "00517003125" in out


def test_authorization_csv(tmp_path: Path) -> None:
    auths = tmp_path / "auths.csv"
    auths.write_text(
        "Auth Number,Member ID,HCPCS,Units,Start Date,End Date\n"
        "PA1,M1,J3420,6,2025-01-01,20250630\n"
    )
    loaded = load_authorizations(auths)
    record = loaded.by_number["PA1"]
    assert (record.member_id, record.hcpcs, str(record.units)) == ("M1", "J3420", "6")
    assert record.end.isoformat() == "2025-06-30"


@pytest.mark.parametrize(
    ("text", "line", "key"),
    [
        (
            "auth_number,member_id,hcpcs,units,start_date\nA,M,J3420,1,2025-01-01\n",
            1,
            "end_date",
        ),
        (
            "auth_number,member_id,hcpcs,units,start_date,end_date\nA,M,J3420,x,2025-01-01,2025-02-01\n",
            2,
            "units",
        ),
        (
            "auth_number,member_id,hcpcs,units,start_date,end_date\nA,M,B12,1,2025-01-01,2025-02-01\n",
            2,
            "hcpcs",
        ),
        (
            "auth_number,member_id,hcpcs,units,start_date,end_date\nA,M,J3420,1,2025-03-01,2025-02-01\n",
            2,
            "end_date",
        ),
        ("auth_number,member_id,hcpcs,units,start_date,end_date,payer\n", 1, "payer"),
    ],
)
def test_authorization_errors_name_line_and_column(
    tmp_path: Path, text: str, line: int, key: str
) -> None:
    auths = tmp_path / "auths.csv"
    auths.write_text(text)
    with pytest.raises(ConfigError) as raised:
        load_authorizations(auths)
    assert (raised.value.line, raised.value.key) == (line, key)


def test_auths_flag_turns_on_pa004(capsys: pytest.CaptureFixture[str]) -> None:
    scope = str(FIXTURES / "rules/pa/scope.837")
    code, out, _ = run(
        capsys,
        "check",
        "--select",
        "PA004",
        "--auths",
        str(FIXTURES / "auths/auths.csv"),
        scope,
    )
    assert code == 1 and "PA004" in out
    assert run(capsys, "check", "--select", "PA004", scope)[0] == 0


def test_an_explicit_config_file_wins_over_discovery(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    shutil.copy(NO_PA, tmp_path / "batch.837")
    (tmp_path / "lint837.toml").write_text('select = ["ENV"]\n')
    elsewhere = tmp_path / "other.toml"
    elsewhere.write_text('select = ["PA001"]\npolicy = "payers.toml"\n')
    shutil.copy(FIXTURES / "policies/payers.toml", tmp_path / "payers.toml")
    code, out, _ = run(
        capsys, "check", "--config", str(elsewhere), str(tmp_path / "batch.837")
    )
    assert code == 1 and "PA001" in out


def test_per_file_and_per_payer_ignores(tmp_path: Path) -> None:
    bad = GOOD_CLAIM.replace("CLM*EX1*33*", "CLM*EX1*35*")  # CLM004 for ACMEPA
    legacy = tmp_path / "legacy"
    legacy.mkdir()
    (legacy / "old.837").write_bytes(example_file(bad))
    (tmp_path / "new.837").write_bytes(example_file(bad))
    (tmp_path / "lint837.toml").write_text(
        '[per-file-ignores]\n"legacy/*.837" = ["CLM004"]\n'
    )
    assert main(["check", str(legacy / "old.837")]) == 0
    assert main(["check", str(tmp_path / "new.837")]) == 1

    (tmp_path / "lint837.toml").write_text('[per-payer-ignores]\nACMEPA = ["CLM"]\n')
    assert main(["check", str(tmp_path / "new.837")]) == 0
    (tmp_path / "lint837.toml").write_text(
        '[per-payer-ignores]\nOTHERPAYER = ["CLM"]\n'
    )
    assert main(["check", str(tmp_path / "new.837")]) == 1

    (tmp_path / "lint837.toml").write_text('[per-payer-ignores]\nACMEPA = ["NOPE"]\n')
    assert main(["check", str(tmp_path / "new.837")]) == 2


def _practice(root: Path, name: str, config: str | None, batch: Path = NO_PA) -> Path:
    """A folder holding a batch (the no-prior-auth one), and its configuration."""
    folder = root / name
    folder.mkdir()
    shutil.copy(batch, folder / "batch.837")
    shutil.copy(FIXTURES / "policies/payers.toml", folder / "payers.toml")
    if config is not None:
        (folder / "lint837.toml").write_text(config)
    return folder / "batch.837"


def test_each_file_takes_the_configuration_nearest_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    strict = _practice(
        tmp_path, "strict", 'select = ["PA001"]\npolicy = "payers.toml"\n'
    )
    quiet = _practice(tmp_path, "quiet", 'select = ["ENV"]\n')
    # No configuration: the defaults.
    bare = _practice(tmp_path, "bare", None, FIXTURES / "examples/b12_denials.837")

    code, out, _ = run(capsys, "check", "--format", "json", str(quiet), str(strict))
    by_file: dict[str, set[str]] = {}
    for finding in json.loads(out)["findings"]:
        by_file.setdefault(finding["file"], set()).add(finding["rule"])
    assert by_file == {str(strict): {"PA001"}}  # quiet.837 selects ENV: clean
    assert code == 1
    assert run(capsys, "check", str(quiet))[0] == 0

    # Alone, each file gets the same findings as beside the other.
    code, alone, _ = run(capsys, "check", "--format", "json", str(strict))
    assert {f["rule"] for f in json.loads(alone)["findings"]} == {"PA001"}

    # The file with none gets what the defaults find, beside a configured one.
    _, out, _ = run(capsys, "check", "--format", "json", str(quiet), str(bare))
    _, defaults, _ = run(capsys, "check", "--format", "json", "--isolated", str(bare))
    assert json.loads(out)["findings"] == json.loads(defaults)["findings"]
    assert len(json.loads(defaults)["findings"]) == 11


def test_each_configuration_fails_on_its_own_threshold(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lenient = _practice(
        tmp_path,
        "lenient",
        'select = ["PA001"]\npolicy = "payers.toml"\n[severity]\nPA001 = "warning"\n',
    )
    strict = _practice(
        tmp_path,
        "strict",
        'select = ["PA001"]\npolicy = "payers.toml"\n'
        'fail-on = "warning"\n[severity]\nPA001 = "warning"\n',
    )
    assert run(capsys, "check", str(lenient))[0] == 0  # a warning, error fails
    assert run(capsys, "check", str(strict))[0] == 1
    assert run(capsys, "check", str(lenient), str(strict))[0] == 1
    # --fail-on wins over every configuration.
    assert run(capsys, "check", "--fail-on", "error", str(lenient), str(strict))[0] == 0


def _shown(text: str) -> list[dict[str, str]]:
    """``--show-settings`` output: one mapping of key to value a block."""
    return [
        dict(line.split(": ", 1) for line in block.splitlines())
        for block in text.strip().split("\n\n")
    ]


def test_show_settings_says_what_each_file_would_be_linted_with(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    strict = _practice(
        tmp_path,
        "strict",
        'select = ["PA"]\npolicy = "payers.toml"\nfail-on = "warning"\n'
        '[severity]\nPA001 = "warning"\n',
    )
    bare = _practice(tmp_path, "bare", None)
    code, out, _ = run(capsys, "check", "--show-settings", str(strict), str(bare))
    assert code == 0  # nothing linted: the no-prior-auth batch would fail
    first, second = _shown(out)
    assert first["configuration"] == str(tmp_path / "strict" / "lint837.toml")
    assert first["files"] == str(strict)
    assert first["rules (4)"] == "PA001 PA002 PA003 PA004"
    assert first["severity"] == "PA001 = warning"
    assert first["fail-on"] == "warning"
    assert first["policy"] == str(tmp_path / "strict" / "payers.toml")
    assert first["validate"] == "fast (no guide code selected)"
    assert second["configuration"] == "none (the defaults apply)"
    assert second["files"] == str(bare)
    assert f"rules ({len(REGISTRY)})" in second
    assert second["fail-on"] == "error"
    assert second["policy"] == "none"

    # Flags win over every configuration, as they do when linting.
    _, out, _ = run(
        capsys,
        "check",
        "--show-settings",
        "--select",
        "PA001,X12",
        "--fail-on",
        "info",
        "--validate",
        "pyx12",
        str(strict),
    )
    (shown,) = _shown(out)
    assert shown["rules (1)"] == "PA001"
    assert shown["fail-on"] == "info"
    assert shown["validate"].startswith("pyx12 (")


def test_duplicates_are_compared_within_one_configuration(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Batch rules look across the files of a run: one configuration's."""
    one = _practice(tmp_path, "one", 'select = ["BAT001"]\n')
    shutil.copy(one, tmp_path / "one" / "again.837")
    other = _practice(tmp_path, "other", 'select = ["BAT001"]\n')

    _, out, _ = run(capsys, "check", str(one), str(tmp_path / "one" / "again.837"))
    assert "BAT001" in out  # the same claims twice under one configuration
    code, out, _ = run(capsys, "check", str(one), str(other))
    assert code == 0 and "BAT001" not in out


def test_sad_excluded_takes_hcpcs_codes(tmp_path: Path) -> None:
    policy_file = tmp_path / "payers.toml"
    policy_file.write_text('[payer.MEDICAREB]\nsad_excluded = ["J3420"]\n')
    policy = load_policy(policy_file)
    assert policy.for_payer("MEDICAREB").sad_excluded == {"J3420"}
    assert policy.for_payer("ACMEPA").sad_excluded == frozenset()

    policy_file.write_text('[payer.MEDICAREB]\n\nsad_excluded = ["B12"]\n')
    with pytest.raises(ConfigError) as raised:
        load_policy(policy_file)
    assert "payers.toml:3" in str(raised.value)
    assert "sad_excluded" in str(raised.value)
