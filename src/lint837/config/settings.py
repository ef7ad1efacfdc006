"""Project configuration, the ruff way: ``[tool.lint837]`` or lint837.toml.

Searched from the linted file's folder upward: the first ``lint837.toml``,
or ``pyproject.toml`` that has a ``[tool.lint837]`` table, wins. Keys::

    [tool.lint837]
    select = ["ALL"]            # codes or prefixes
    ignore = ["CLM006"]
    fail-on = "error"           # error, warning or info
    policy = "payers.toml"      # paths are relative to this file
    auths = "auths.csv"

    [tool.lint837.severity]
    UNT003 = "info"

    [tool.lint837.data]
    supportive-diagnoses = "our_dx.toml"

In lint837.toml the same keys sit at the top level. Flags on the command
line win over the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from lint837.config.data import DATA_SETS
from lint837.config.toml import line_of, load
from lint837.errors import ConfigError
from lint837.findings import Severity

CONFIG_NAMES = ("lint837.toml", "pyproject.toml")
_KEYS = {
    "select",
    "ignore",
    "fail-on",
    "policy",
    "auths",
    "rules",
    "baseline",
    "severity",
    "data",
    "per-file-ignores",
    "per-payer-ignores",
    "validate",
}

VALIDATORS = ("none", "pyx12", "fast")
"""Implementation-guide validators ``validate`` may name (lint837.validation)."""


@dataclass(frozen=True)
class Settings:
    """Configuration as read from a file (or the defaults)."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fail_on: Severity = Severity.ERROR
    policy: Path | None = None
    auths: Path | None = None
    rules: tuple[Path, ...] = ()  # payer rules files (lint837.language)
    baseline: Path | None = None  # accepted findings (lint837.baseline)
    # Rule selectors ignored for files matching a pattern (relative to the
    # configuration's folder), and for claims of a payer (2010BB NM109).
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    per_payer_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    severity: dict[str, Severity] = field(default_factory=dict)
    data: dict[str, Path] = field(default_factory=dict)
    # The implementation-guide validator (VALIDATORS): the fast one agrees
    # with pyx12 on every file and edit the tests compare, so it is on.
    validate: str = "fast"
    source: Path | None = None


def find_config(start: Path) -> Path | None:
    """The configuration file that governs files in ``start`` (a folder)."""
    folder = start.resolve()
    for candidate in (folder, *folder.parents):
        for name in CONFIG_NAMES:
            path = candidate / name
            if path.is_file() and (name != "pyproject.toml" or _has_table(path)):
                return path
    return None


def _has_table(pyproject: Path) -> bool:
    try:
        document, _ = load(pyproject)
    except ConfigError:
        return False
    tool = document.get("tool")
    return isinstance(tool, dict) and "lint837" in tool


def load_settings(path: Path) -> Settings:
    """Read one configuration file; ConfigError names file, line and key."""
    document, text = load(path)
    table_name = "tool.lint837" if path.name == "pyproject.toml" else ""
    table: Any = document
    if table_name:
        table = document.get("tool", {}).get("lint837", {})

    def fail(key: str, message: str) -> NoReturn:
        line = line_of(text, table_name, key) if table_name else _top_line(text, key)
        raise ConfigError(message, source=str(path), line=line, key=key)

    unknown = set(table) - _KEYS
    if unknown:
        key = sorted(unknown)[0]
        fail(key, f"unknown key {key!r}; known keys: {', '.join(sorted(_KEYS))}")
    base = path.parent

    def strings(key: str) -> tuple[str, ...]:
        value = table.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            fail(key, "must be a list of rule codes or prefixes")
        return tuple(value)

    def severity(key: str, value: Any) -> Severity:
        try:
            return Severity(value)
        except ValueError:
            fail(key, f"must be error, warning or info; found {value!r}")

    def file(key: str) -> Path | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            fail(key, "must be a path (a string)")
        return (base / value).resolve()

    rules = table.get("rules", [])
    if isinstance(rules, str):
        rules = [rules]
    if not isinstance(rules, list) or not all(isinstance(v, str) for v in rules):
        fail("rules", "must be a list of rules file paths")

    def ignores(key: str) -> dict[str, tuple[str, ...]]:
        value = table.get(key, {})
        if not isinstance(value, dict):
            fail(key, "must be a table of pattern or payer id = [rule codes]")
        found = {}
        for name, selectors in value.items():
            if isinstance(selectors, str):
                selectors = [selectors]
            if not isinstance(selectors, list) or not all(
                isinstance(v, str) for v in selectors
            ):
                fail(key, f"{name} must be a list of rule codes or prefixes")
            found[str(name)] = tuple(selectors)
        return found

    overrides = table.get("severity", {})
    if not isinstance(overrides, dict):
        fail("severity", 'must be a table of CODE = "error" | "warning" | "info"')

    data = table.get("data", {})
    if not isinstance(data, dict):
        fail("data", "must be a table of data-set name = path")
    for name, value in data.items():
        if name not in DATA_SETS:
            fail(
                "data",
                f"unknown data set {name!r}; known: {', '.join(sorted(DATA_SETS))}",
            )
        if not isinstance(value, str):
            fail("data", f"{name} must be a path (a string)")

    validate = table.get("validate", Settings.validate)
    if validate not in VALIDATORS:
        fail("validate", f"must be one of {', '.join(VALIDATORS)}; found {validate!r}")

    return Settings(
        select=strings("select"),
        ignore=strings("ignore"),
        fail_on=severity("fail-on", table.get("fail-on", "error")),
        policy=file("policy"),
        auths=file("auths"),
        rules=tuple((base / value).resolve() for value in rules),
        baseline=file("baseline"),
        per_file_ignores=ignores("per-file-ignores"),
        per_payer_ignores=ignores("per-payer-ignores"),
        severity={
            code.upper(): severity("severity", v) for code, v in overrides.items()
        },
        data={name: (base / value).resolve() for name, value in data.items()},
        validate=validate,
        source=path,
    )


def _top_line(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.split("=", 1)[0].strip().strip('"') == key:
            return number
    return None
