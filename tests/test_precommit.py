"""lint837 as a pre-commit hook, for real: a throwaway repository, the
pre-commit package, a bad batch refused and a clean one committed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from lint837.rules.examples import GOOD_CLAIM

from examples import example_file

ROOT = Path(__file__).resolve().parent.parent


def git(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=folder, capture_output=True, text=True, check=False
    )


@pytest.fixture
def hooked_repository(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    pre_commit = shutil.which("pre-commit") or str(
        Path(sys.executable).parent / "pre-commit"
    )
    if not Path(pre_commit).exists() or shutil.which("git") is None:
        pytest.skip("pre-commit or git is not installed")
    head = git(ROOT, "rev-parse", "HEAD")
    if head.returncode != 0:
        pytest.skip("the lint837 checkout is not a git repository")

    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Biller",
        "GIT_AUTHOR_EMAIL": "biller@example.invalid",
        "GIT_COMMITTER_NAME": "Biller",
        "GIT_COMMITTER_EMAIL": "biller@example.invalid",
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
    }
    repository = tmp_path / "batches"
    repository.mkdir()
    git(repository, "init", "-q")
    (repository / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        f"  - repo: {ROOT}\n"
        f"    rev: {head.stdout.strip()}\n"
        "    hooks:\n"
        "      - id: lint837\n"
    )
    subprocess.run(
        [pre_commit, "install"],
        cwd=repository,
        env=env,
        check=True,
        capture_output=True,
    )
    return repository, env


def commit(
    repository: Path, env: dict[str, str], name: str, data: bytes
) -> subprocess.CompletedProcess[str]:
    (repository / name).write_bytes(data)
    subprocess.run(["git", "add", "-A"], cwd=repository, env=env, check=True)
    return subprocess.run(
        ["git", "commit", "-q", "-m", f"add {name}"],
        cwd=repository,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_bad_batch_is_refused_and_a_clean_one_committed(
    hooked_repository: tuple[Path, dict[str, str]],
) -> None:
    repository, env = hooked_repository
    bad = GOOD_CLAIM.replace("CLM*EX1*33*", "CLM*EX1*35*")  # CLM02 off
    refused = commit(repository, env, "monday.837", example_file(bad))
    assert refused.returncode != 0
    output = refused.stdout + refused.stderr
    assert "CLM004" in output and "monday.837" in output
    assert git(repository, "log", "--oneline").stdout == ""  # nothing committed

    (repository / "monday.837").unlink()
    accepted = commit(repository, env, "tuesday.837", example_file(GOOD_CLAIM))
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "add tuesday.837" in git(repository, "log", "--oneline").stdout
