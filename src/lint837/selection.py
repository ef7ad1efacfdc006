"""Which rules run, ruff's way: codes or prefixes, the most specific wins.

``--select PA --ignore PA003`` runs every PA rule but PA003;
``--ignore ENV --select ENV002`` runs ENV002 alone of the ENV family. When
a select and an ignore prefix are equally specific, ignore wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from lint837.errors import ConfigError

ALL = "ALL"


def selected(
    codes: Iterable[str], select: Sequence[str] = (ALL,), ignore: Sequence[str] = ()
) -> list[str]:
    """The codes that ``select`` and ``ignore`` leave, in their given order."""
    return [code for code in codes if _is_selected(code, select, ignore)]


def _is_selected(code: str, select: Sequence[str], ignore: Sequence[str]) -> bool:
    chosen = _specificity(code, select)
    dropped = _specificity(code, ignore)
    return chosen >= 0 and chosen > dropped


def _specificity(code: str, prefixes: Sequence[str]) -> int:
    best = -1
    for prefix in prefixes:
        if prefix == ALL:
            best = max(best, 0)
        elif code.startswith(prefix):
            best = max(best, len(prefix))
    return best


def check_selectors(
    selectors: Iterable[str], codes: Iterable[str], *, source: str, key: str
) -> list[str]:
    """Normalize selectors and refuse any that matches no known rule."""
    known = list(codes)
    normalized = []

    for selector in selectors:
        value = selector.strip().upper()
        if not value:
            continue
        if value != ALL and not any(code.startswith(value) for code in known):
            raise ConfigError(
                f"'{selector}' matches no rule code (see `lint837 rules`)",
                source=source,
                key=key,
            )
        normalized.append(value)
    return normalized
