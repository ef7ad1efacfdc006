"""Stage 4 of the flow: findings in, text for people and machines out.

Formatters are the only library code that writes output, and they write
only to the stream they are given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from lint837.formatters.base import Formatter
from lint837.formatters.json import JsonFormatter
from lint837.formatters.text import TextFormatter

FORMATTERS: dict[str, Callable[[TextIO], Formatter]] = {
    "text": TextFormatter,
    "json": JsonFormatter,
}

__all__ = ["FORMATTERS", "Formatter", "JsonFormatter", "TextFormatter"]
