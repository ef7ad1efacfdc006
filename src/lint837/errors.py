"""The errors a user can cause, each carrying where it happened.

The CLI turns every :class:`Lint837Error` into one line on stderr and exit
code 2; anything else escaping the library is a bug (exit code 3).
"""

from __future__ import annotations


class Lint837Error(Exception):
    """Base of every error lint837 raises on purpose."""

    def __init__(self, message: str, *, source: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.source = source

    def __str__(self) -> str:
        if self.source is None:
            return self.message
        return f"{self.source}: {self.message}"


class InputError(Lint837Error):
    """The input cannot be read as X12: unopenable, empty, binary, not X12."""

    def __init__(
        self, message: str, *, source: str | None = None, offset: int | None = None
    ) -> None:
        super().__init__(message, source=source)
        self.offset = offset

    def __str__(self) -> str:
        where = self.source or "<input>"
        if self.offset is not None:
            where = f"{where}: byte {self.offset}"
        return f"{where}: {self.message}"


class ConfigError(Lint837Error):
    """A configuration, policy or data file is wrong; names file, line and key."""

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        key: str | None = None,
    ) -> None:
        super().__init__(message, source=source)
        self.line = line
        self.key = key

    def __str__(self) -> str:
        where = self.source or "<configuration>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        if self.key is not None:
            where = f"{where}: {self.key}"
        return f"{where}: {self.message}"
