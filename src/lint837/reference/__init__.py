"""Reference data: code lists and values the rules check against.

Each list ships as a versioned TOML file in ``data/`` with a ``[meta]``
table (id, title, version, date, source, confirmed, note) and an array of
``entries``. A user replaces any of them with a file of the same shape.
Codes are written as they appear in the 837 (ICD-10 without the decimal
point); a code ending in ``*`` matches every code that starts with it.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from lint837.errors import ConfigError

logger = logging.getLogger(__name__)

_META_KEYS = ("id", "title", "version", "date", "source", "confirmed")


@dataclass(frozen=True, slots=True)
class DataInfo:
    """Where a data file comes from and how far it can be trusted."""

    id: str
    title: str
    version: str
    date: str
    source: str
    confirmed: bool
    note: str
    path: str


@dataclass(frozen=True, slots=True)
class CodeSet:
    """A set of codes with exact members and prefix patterns."""

    info: DataInfo
    entries: Mapping[str, Mapping[str, Any]]
    exact: frozenset[str]
    prefixes: tuple[str, ...]

    def __contains__(self, code: object) -> bool:
        if not isinstance(code, str):
            return False
        return code in self.exact or code.startswith(self.prefixes)

    def entry(self, code: str) -> Mapping[str, Any] | None:
        """The entry that matches ``code`` (exactly, else by prefix)."""
        found = self.entries.get(code)
        if found is not None:
            return found
        for prefix in self.prefixes:
            if code.startswith(prefix):
                return self.entries[prefix + "*"]
        return None

    def where(self, key: str, value: object) -> frozenset[str]:
        """The exact codes whose entry has ``key`` equal to ``value``."""
        return frozenset(
            code for code, entry in self.entries.items() if entry.get(key) == value
        )


def bundled(name: str) -> Path:
    """The path of a data file shipped with lint837 (``name`` without .toml)."""
    return Path(str(resources.files("lint837.reference") / "data" / f"{name}.toml"))


def load_table(
    path: Path, table: str = "entries"
) -> tuple[DataInfo, list[dict[str, Any]]]:
    """Read a data file: its meta table and the array of tables ``table``."""
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except OSError as error:
        raise ConfigError(
            f"cannot read data file: {error.strerror}", source=str(path)
        ) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"not valid TOML: {error}", source=str(path)) from None

    meta = document.get("meta")
    if not isinstance(meta, dict):
        raise ConfigError("missing [meta] table", source=str(path), key="meta")
    missing = [key for key in _META_KEYS if key not in meta]
    if missing:
        raise ConfigError(
            f"[meta] lacks {', '.join(missing)}", source=str(path), key="meta"
        )

    entries = document.get(table, [] if table != "entries" else None)
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ConfigError(
            f"needs an array of [[{table}]] tables", source=str(path), key=table
        )

    info = DataInfo(
        id=str(meta["id"]),
        title=str(meta["title"]),
        version=str(meta["version"]),
        date=str(meta["date"]),
        source=str(meta["source"]),
        confirmed=bool(meta["confirmed"]),
        note=str(meta.get("note", "")),
        path=str(path),
    )
    return info, entries


def load_code_set(path: Path, key: str = "code", table: str = "entries") -> CodeSet:
    """Read a data file whose entries (or other ``table``) are keyed by ``key``."""
    info, entries = load_table(path, table)
    by_code: dict[str, dict[str, Any]] = {}
    for number, entry in enumerate(entries, start=1):
        code = entry.get(key)
        if not isinstance(code, str) or not code:
            raise ConfigError(
                f"entry {number} has no {key!r} string",
                source=str(path),
                key=f"entries[{number}].{key}",
            )
        by_code[code] = entry

    exact = frozenset(code for code in by_code if not code.endswith("*"))
    prefixes = tuple(code[:-1] for code in by_code if code.endswith("*"))
    logger.debug(
        "loaded %s %s (%d entries) from %s", info.id, info.version, len(by_code), path
    )
    return CodeSet(info, by_code, exact, prefixes)


@cache
def bundled_code_set(name: str, key: str = "code", table: str = "entries") -> CodeSet:
    """A shipped code set, loaded once per process."""
    return load_code_set(bundled(name), key, table)
