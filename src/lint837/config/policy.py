"""Payer policy: what each payer requires, keyed by the 2010BB payer id.

A policy file is TOML, one table per payer id (NM109 of 2010BB)::

    [payer.ACMEPA]
    name = "Acme Health Plan"
    prior_auth = ["J3420"]        # HCPCS codes that need REF*G1
    ndc_required = ["J3420"]      # HCPCS codes that need the 2410 NDC

Optional keys (also allowed in a ``[defaults]`` table that every payer
inherits): ``kind`` (medicare, medicare-advantage, medicaid, commercial;
otherwise taken from SBR09), ``mue`` and ``mai`` (tables HCPCS -> units or
indicator), ``supportive_diagnoses`` (a list of codes, ``*`` prefixes
allowed, or the path of a data file), ``diagnosis_support`` (``"error"`` or
``"warning"``), ``modifiers`` (table HCPCS -> modifiers the payer requires),
``single_dose_ndcs``, ``maintenance_interval_days``, ``charge_floor`` and
``charge_ceiling`` (per unit), ``sad_excluded`` (HCPCS codes on the payer's
self-administered drug exclusion list). Anything else is a configuration
error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, NoReturn

from lint837.config.toml import line_of, load
from lint837.errors import ConfigError
from lint837.reference import CodeSet, DataInfo, load_code_set

HCPCS = re.compile(r"^(?:[A-Z]\d{4}|\d{4}[0-9A-Z])$")
NDC11 = re.compile(r"^\d{11}$")


class PayerKind(Enum):
    """What kind of program pays: drives the Medicare and Medicaid rules."""

    MEDICARE = "medicare"
    MEDICARE_ADVANTAGE = "medicare-advantage"
    MEDICAID = "medicaid"
    COMMERCIAL = "commercial"

    @property
    def is_medicare(self) -> bool:
        return self in (PayerKind.MEDICARE, PayerKind.MEDICARE_ADVANTAGE)


# SBR09 claim filing indicators that name the program (REFERENCE §5.1, §7).
FILING_KINDS = {
    "MB": PayerKind.MEDICARE,
    "MA": PayerKind.MEDICARE,
    "16": PayerKind.MEDICARE_ADVANTAGE,
    "MC": PayerKind.MEDICAID,
}


@dataclass(frozen=True)
class PayerPolicy:
    """One payer's requirements; every field has a neutral default."""

    payer_id: str = ""
    name: str = ""
    kind: PayerKind | None = None
    prior_auth: frozenset[str] = frozenset()
    ndc_required: frozenset[str] = frozenset()
    mue: Mapping[str, int] = field(default_factory=dict)
    mai: Mapping[str, int] = field(default_factory=dict)
    supportive_diagnoses: CodeSet | None = None
    diagnosis_support: str = "warning"
    modifiers: Mapping[str, frozenset[str]] = field(default_factory=dict)
    single_dose_ndcs: frozenset[str] = frozenset()
    maintenance_interval_days: int = 28
    charge_floor: Decimal = Decimal("0.50")
    charge_ceiling: Decimal = Decimal("100.00")
    # HCPCS codes on the payer's (MAC's) self-administered drug exclusion list.
    sad_excluded: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Policy:
    """All payers of a policy file, and the defaults for the others."""

    payers: Mapping[str, PayerPolicy] = field(default_factory=dict)
    defaults: PayerPolicy = PayerPolicy()
    source: str = ""

    def for_payer(self, payer_id: str) -> PayerPolicy:
        """The policy of ``payer_id``, else the defaults."""
        return self.payers.get(payer_id, self.defaults)


_LIST_KEYS = ("prior_auth", "ndc_required")


def load_policy(path: Path) -> Policy:
    """Read and check a policy file; ConfigError names file, line and key."""
    document, text = load(path)
    reader = _Reader(path, text)

    unknown = set(document) - {"payer", "defaults"}
    if unknown:
        key = sorted(unknown)[0]
        reader.fail(
            key,
            None,
            f"unknown table or key {key!r} (expected [payer.ID] or [defaults])",
        )

    defaults = reader.payer("defaults", document.get("defaults", {}), PayerPolicy())
    payers_table = document.get("payer", {})
    if not isinstance(payers_table, dict):
        reader.fail("payer", None, "must be tables like [payer.ACMEPA]")
    payers = {}
    for payer_id, table in payers_table.items():
        payers[payer_id] = reader.payer(
            f"payer.{payer_id}", table, replace(defaults, payer_id=payer_id)
        )

    return Policy(payers, defaults, str(path))


class _Reader:
    """Checks one policy file's tables, failing with file, line and key."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text

    def fail(self, table: str, key: str | None, message: str) -> NoReturn:
        where = f"{table}.{key}" if key else table
        raise ConfigError(
            message,
            source=str(self.path),
            line=line_of(self.text, table, key),
            key=where,
        )

    def payer(self, table: str, values: Any, base: PayerPolicy) -> PayerPolicy:
        if not isinstance(values, dict):
            self.fail(table, None, "must be a table")

        readers = self._readers()
        unknown = set(values) - set(readers)
        if unknown:
            key = sorted(unknown)[0]
            self.fail(
                table,
                key,
                f"unknown key {key!r}; known keys: {', '.join(sorted(readers))}",
            )

        changes: dict[str, Any] = {
            key: readers[key](table, key, value) for key, value in values.items()
        }
        return replace(base, **changes)

    def _readers(self) -> dict[str, Callable[[str, str, Any], Any]]:
        """Each policy key and the method that checks and converts its value."""
        return {
            "name": self._name,
            "kind": self._kind,
            "prior_auth": self._prior_auth,
            "ndc_required": self._ndc_required,
            "mue": self._mue,
            "mai": self._mai,
            "supportive_diagnoses": self._supportive_diagnoses,
            "diagnosis_support": self._diagnosis_support,
            "modifiers": self._modifiers,
            "single_dose_ndcs": self._single_dose_ndcs,
            "maintenance_interval_days": self._maintenance_interval_days,
            "charge_floor": self._charge_floor,
            "charge_ceiling": self._charge_ceiling,
            "sad_excluded": self._sad_excluded,
        }

    def _name(self, table: str, key: str, value: Any) -> str:
        return self._string(table, key, value)

    def _kind(self, table: str, key: str, value: Any) -> PayerKind:
        kinds = [kind.value for kind in PayerKind]
        if value not in kinds:
            self.fail(table, key, f"must be one of {', '.join(kinds)}; found {value!r}")
        return PayerKind(value)

    def _prior_auth(self, table: str, key: str, value: Any) -> frozenset[str]:
        return self._hcpcs_list(table, key, value)

    def _ndc_required(self, table: str, key: str, value: Any) -> frozenset[str]:
        return self._hcpcs_list(table, key, value)

    def _sad_excluded(self, table: str, key: str, value: Any) -> frozenset[str]:
        return self._hcpcs_list(table, key, value)

    def _mue(self, table: str, key: str, value: Any) -> dict[str, int]:
        return self._hcpcs_numbers(table, key, value, minimum=0)

    def _mai(self, table: str, key: str, value: Any) -> dict[str, int]:
        found = self._hcpcs_numbers(table, key, value, minimum=1)
        if any(number not in (1, 2, 3) for number in found.values()):
            self.fail(table, key, "MAI values are 1, 2 or 3")
        return found

    def _supportive_diagnoses(self, table: str, key: str, value: Any) -> CodeSet:
        if isinstance(value, str):
            return load_code_set((self.path.parent / value).resolve())

        codes = self._strings(table, key, value)
        entries = {code.replace(".", ""): {"code": code} for code in codes}
        info = DataInfo(
            f"{table}-supportive-diagnoses",
            key,
            "",
            "",
            str(self.path),
            False,
            "",
            str(self.path),
        )

        exact = frozenset(code for code in entries if not code.endswith("*"))
        prefixes = tuple(code[:-1] for code in entries if code.endswith("*"))
        return CodeSet(info, entries, exact, prefixes)

    def _diagnosis_support(self, table: str, key: str, value: Any) -> str:
        if value not in ("error", "warning"):
            self.fail(table, key, f'must be "error" or "warning"; found {value!r}')
        return str(value)

    def _modifiers(self, table: str, key: str, value: Any) -> dict[str, frozenset[str]]:
        if not isinstance(value, dict):
            self.fail(table, key, 'must be a table like { J3420 = ["JZ"] }')

        found = {}
        for code, modifiers in value.items():
            self._check_hcpcs(table, key, code)
            listed = self._strings(table, key, modifiers)
            bad = [m for m in listed if len(m) != 2 or not m.isalnum()]
            if bad:
                self.fail(
                    table, key, f"modifier {bad[0]!r} is not two letters or digits"
                )
            found[code] = frozenset(listed)
        return found

    def _single_dose_ndcs(self, table: str, key: str, value: Any) -> frozenset[str]:
        listed = self._strings(table, key, value)
        bad = [ndc for ndc in listed if not NDC11.match(ndc)]
        if bad:
            self.fail(
                table, key, f"NDC {bad[0]!r} is not 11 digits (5-4-2, no hyphens)"
            )
        return frozenset(listed)

    def _maintenance_interval_days(self, table: str, key: str, value: Any) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            self.fail(
                table, key, f"must be a whole number of days >= 1; found {value!r}"
            )
        return int(value)

    def _charge_floor(self, table: str, key: str, value: Any) -> Decimal:
        return self._money(table, key, value)

    def _charge_ceiling(self, table: str, key: str, value: Any) -> Decimal:
        return self._money(table, key, value)

    # -- value checks --------------------------------------------------------

    def _string(self, table: str, key: str, value: Any) -> str:
        if not isinstance(value, str):
            self.fail(table, key, f"must be a string; found {type(value).__name__}")
        return str(value)

    def _strings(self, table: str, key: str, value: Any) -> list[str]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(table, key, "must be a list of strings")
        return [str(item).strip().upper() for item in value]

    def _check_hcpcs(self, table: str, key: str, code: str) -> None:
        if not HCPCS.match(code):
            self.fail(
                table,
                key,
                f"{code!r} is not a HCPCS or CPT code (a letter and 4 digits like "
                "J3420, or 5 characters like 96372)",
            )

    def _hcpcs_list(self, table: str, key: str, value: Any) -> frozenset[str]:
        codes = self._strings(table, key, value)
        for code in codes:
            self._check_hcpcs(table, key, code)
        return frozenset(codes)

    def _hcpcs_numbers(
        self, table: str, key: str, value: Any, *, minimum: int
    ) -> dict[str, int]:
        if not isinstance(value, dict):
            self.fail(table, key, "must be a table like { J3420 = 1 }")

        found = {}
        for code, number in value.items():
            self._check_hcpcs(table, key, code)
            if (
                not isinstance(number, int)
                or isinstance(number, bool)
                or number < minimum
            ):
                self.fail(table, key, f"{code} must be a whole number >= {minimum}")
            found[code] = int(number)
        return found

    def _money(self, table: str, key: str, value: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            self.fail(table, key, "must be an amount like 0.50")

        try:
            amount = Decimal(str(value))
        except ArithmeticError:
            amount = Decimal(-1)

        if not amount.is_finite() or amount < 0:
            self.fail(table, key, f"must be an amount >= 0; found {value!r}")
        return amount
