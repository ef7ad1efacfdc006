"""Baselines: accepted findings that stay quiet while new ones fail.

X12 has no comments, so a finding cannot be silenced next to its segment.
A baseline file records the findings a team has accepted, each by file,
claim (CLM01), rule and the fingerprint of its segment (a hash of the
segment's text), never by position: a claim that moves within its file, or
a segment renumbered by an insertion above it, stays accepted; a changed
segment or a new claim is new. Counts matter: a baseline holding one
accepted finding silences one, and a second identical one is new.

The file is JSON (``{"version": 1, "findings": [...]}``), sorted, so it
diffs well in review.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from lint837.errors import ConfigError
from lint837.findings import Finding

VERSION = 1

Entry = tuple[str, str, str, str]  # file, claim, rule, fingerprint


def relative(file: str) -> str:
    """A file as the baseline names it: relative to the working directory."""
    if file.startswith("<"):
        return file
    path = Path(file)
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def entry(finding: Finding) -> Entry:
    where = finding.location
    return (
        relative(where.file),
        where.claim or "",
        finding.rule,
        where.fingerprint or "",
    )


def write(path: Path, findings: Iterable[Finding]) -> int:
    """Write every finding as accepted; returns how many were written."""
    entries = sorted(entry(finding) for finding in findings)
    document = {
        "version": VERSION,
        "findings": [
            {"file": f, "claim": c, "rule": r, "fingerprint": p}
            for f, c, r, p in entries
        ],
    }
    path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    return len(entries)


class Baseline:
    """The accepted findings of a baseline file, used up as they match."""

    def __init__(self, entries: Iterable[Entry], source: str = "") -> None:
        self.remaining = Counter(entries)
        self.source = source
        self.suppressed = 0

    @classmethod
    def load(cls, path: Path) -> Baseline:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise ConfigError(
                f"cannot read baseline: {error.strerror}", source=str(path)
            ) from None
        except json.JSONDecodeError as error:
            raise ConfigError(
                f"baseline is not JSON: {error.msg}",
                source=str(path),
                line=error.lineno,
            ) from None
        if not isinstance(document, dict) or document.get("version") != VERSION:
            raise ConfigError(
                f"not a lint837 baseline (version {VERSION})", source=str(path)
            )
        entries = []
        for number, item in enumerate(document.get("findings", []), start=1):
            try:
                entries.append(
                    (item["file"], item["claim"], item["rule"], item["fingerprint"])
                )
            except (KeyError, TypeError):
                raise ConfigError(
                    "each finding needs file, claim, rule and fingerprint",
                    source=str(path),
                    key=f"findings[{number}]",
                ) from None
        return cls(entries, str(path))

    def accepts(self, finding: Finding) -> bool:
        """Whether the finding is accepted (and so used up) by the baseline."""
        key = entry(finding)
        if self.remaining[key] > 0:
            self.remaining[key] -= 1
            self.suppressed += 1
            return True
        return False
