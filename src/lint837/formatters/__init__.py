"""Stage 4 of the flow: findings in, text for people and machines out.

Formatters are the only library code that writes output, and they write
only to the stream they are given.
"""

from __future__ import annotations

from lint837.formatters.base import Formatter
from lint837.formatters.github import GithubFormatter
from lint837.formatters.html import HtmlFormatter
from lint837.formatters.json import JsonFormatter
from lint837.formatters.junit import JunitFormatter
from lint837.formatters.sarif import SarifFormatter
from lint837.formatters.statistics import StatisticsFormatter
from lint837.formatters.text import TextFormatter

FORMATTERS: dict[str, type[Formatter]] = {
    "text": TextFormatter,
    "json": JsonFormatter,
    "sarif": SarifFormatter,
    "github": GithubFormatter,
    "junit": JunitFormatter,
    "html": HtmlFormatter,
    "statistics": StatisticsFormatter,
}

__all__ = [
    "FORMATTERS",
    "Formatter",
    "GithubFormatter",
    "HtmlFormatter",
    "JsonFormatter",
    "JunitFormatter",
    "SarifFormatter",
    "StatisticsFormatter",
    "TextFormatter",
]
