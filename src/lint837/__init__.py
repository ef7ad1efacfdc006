"""lint837: a linter for X12 837P professional claims.

The flow is one-way: :mod:`lint837.reader` (bytes to segments),
:mod:`lint837.model` (segments to claims), :mod:`lint837.rules` (claims to
findings), :mod:`lint837.formatters` (findings to output).
"""

__version__ = "0.1.0"
