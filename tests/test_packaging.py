"""The package as users get it: the README's commands, the built wheel."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    setup = text.split("## Set up and try it", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", setup)


def test_readme_has_the_two_setup_commands() -> None:
    check, tests = readme_commands()
    assert "lint837 check fixtures/" in check
    assert tests.endswith("python -m pytest")


def test_ci_runs_exactly_the_readme_test_command() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert readme_commands()[1] in script.splitlines()


@pytest.mark.skipif(
    subprocess.run(
        [sys.executable, "-m", "pip", "--version"], capture_output=True, check=False
    ).returncode
    != 0,
    reason="pip is not available",
)
def test_wheel_carries_grammars_and_data(tmp_path: Path) -> None:
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if built.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {built.stderr.strip()[-200:]}")
    (wheel,) = tmp_path.glob("lint837-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "lint837/grammars/README.md" in names
    assert "lint837/grammars/payer_rules.lark" in names
    assert "lint837/reference/data/j3420_ndcs.toml" in names
    assert "lint837/py.typed" in names


def test_readme_lists_every_rule() -> None:
    from lint837.rules import REGISTRY

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for rule in REGISTRY.values():
        assert f"| {rule.code} | {rule.name} |" in text
