"""Read TOML configuration and point errors at the file, line and key.

``tomllib`` reports syntax errors with a line but not where a key sits;
:func:`line_of` finds a key's line in the text so that a wrong value can be
reported as precisely as a syntax error.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from lint837.errors import ConfigError


def load(path: Path) -> tuple[dict[str, Any], str]:
    """The parsed document and its text; ConfigError if unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        reason = error.strerror or str(error)
        raise ConfigError(f"cannot read: {reason}", source=str(path)) from None
    except UnicodeDecodeError:
        raise ConfigError("not UTF-8 text", source=str(path)) from None

    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as error:
        place = re.search(r"\(at line (\d+)", str(error))
        line = int(place.group(1)) if place else None
        message = str(error).split(" (at ", 1)[0]
        raise ConfigError(
            f"not valid TOML: {message}", source=str(path), line=line
        ) from None


def line_of(text: str, table: str, key: str | None = None) -> int | None:
    """The line of ``key`` inside ``[table]`` (or of the table header)."""
    parts = [re.escape(part) for part in table.split(".")]
    dotted = r"\s*\.\s*".join(f'"?{part}"?' for part in parts)
    header = re.compile(r"^\s*\[+\s*" + dotted + r"\s*[\].]")

    lines = text.splitlines()
    start = None
    for number, line in enumerate(lines, start=1):
        if header.match(line):
            start = number
            break
    if start is None or key is None:
        return start

    pattern = re.compile(r'^\s*"?' + re.escape(key) + r'"?\s*=')
    for number in range(start + 1, len(lines) + 1):
        line = lines[number - 1]
        if re.match(r"^\s*\[", line):
            break
        if pattern.match(line):
            return number
    return start
