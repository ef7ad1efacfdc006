"""Authorizations on file: the payer-issued prior-auth numbers, from a CSV.

The CSV comes from a practice-management or authorization system; its
header names the columns (in any order, case and spaces ignored)::

    auth_number,member_id,hcpcs,units,start_date,end_date,npi

``npi`` may be absent or empty. Dates are YYYY-MM-DD or CCYYMMDD. Every
problem is a configuration error naming the file, the line and the column.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from lint837.config.policy import HCPCS
from lint837.errors import ConfigError

REQUIRED = ("auth_number", "member_id", "hcpcs", "units", "start_date", "end_date")
OPTIONAL = ("npi",)


@dataclass(frozen=True, slots=True)
class Authorization:
    """One authorization: which member, code, units and dates it covers."""

    number: str
    member_id: str
    hcpcs: str
    units: Decimal
    start: datetime.date
    end: datetime.date
    npi: str = ""
    line: int = 0  # its line in the CSV, for messages

    def covers(self, day: datetime.date) -> bool:
        """Whether ``day`` falls within the authorized dates."""
        return self.start <= day <= self.end


class AuthorizationFile:
    """The authorizations of one CSV, by number and by member."""

    def __init__(self, records: list[Authorization], source: str) -> None:
        self.source = source
        self.by_number: dict[str, Authorization] = {}
        self.by_member: dict[str, list[Authorization]] = {}
        for record in records:
            self.by_number[record.number] = record
            self.by_member.setdefault(record.member_id, []).append(record)

    def __len__(self) -> int:
        return len(self.by_number)

    def matching(
        self, member_id: str, hcpcs: str, day: datetime.date | None
    ) -> Iterator[Authorization]:
        """Authorizations of ``member_id`` for ``hcpcs`` that cover ``day``."""
        for record in self.by_member.get(member_id, ()):
            if record.hcpcs == hcpcs and (day is None or record.covers(day)):
                yield record


def load_authorizations(path: Path) -> AuthorizationFile:
    """Read an authorization CSV; ConfigError names file, line and column."""
    source = str(path)
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        raise ConfigError(f"cannot read: {error.strerror}", source=source) from None

    with handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise ConfigError(
                "empty file: expected a header row", source=source
            ) from None
        except (csv.Error, UnicodeDecodeError) as error:
            raise ConfigError(
                f"not a CSV file: {error}", source=source, line=1
            ) from None

        columns = _columns(header, source)
        records = []
        try:
            for row in reader:
                if any(cell.strip() for cell in row):
                    records.append(_record(row, columns, source, reader.line_num))
        except (csv.Error, UnicodeDecodeError) as error:
            raise ConfigError(
                f"not a CSV file: {error}", source=source, line=reader.line_num
            ) from None

    return AuthorizationFile(records, source)


def _columns(header: list[str], source: str) -> dict[str, int]:
    names = [cell.strip().lower().replace(" ", "_") for cell in header]
    unknown = [name for name in names if name and name not in REQUIRED + OPTIONAL]
    if unknown:
        raise ConfigError(
            f"unknown column {unknown[0]!r}; "
            f"columns are {', '.join(REQUIRED + OPTIONAL)}",
            source=source,
            line=1,
            key=unknown[0],
        )

    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise ConfigError(
            f"missing column {missing[0]!r}", source=source, line=1, key=missing[0]
        )

    return {name: names.index(name) for name in REQUIRED + OPTIONAL if name in names}


def _record(
    row: list[str], columns: dict[str, int], source: str, line: int
) -> Authorization:
    def cell(name: str) -> str:
        index = columns.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    def fail(name: str, message: str) -> ConfigError:
        return ConfigError(message, source=source, line=line, key=name)

    values = {name: cell(name) for name in REQUIRED}
    for name, value in values.items():
        if not value:
            raise fail(name, f"{name} is empty")

    hcpcs = values["hcpcs"].upper()
    if not HCPCS.match(hcpcs):
        raise fail("hcpcs", f"{hcpcs!r} is not a HCPCS or CPT code")

    try:
        units = Decimal(values["units"])
    except InvalidOperation:
        raise fail("units", f"units {values['units']!r} is not a number") from None
    if not units.is_finite() or units <= 0:
        raise fail("units", f"units must be above 0; found {values['units']!r}")

    start = _date(
        values["start_date"],
        fail("start_date", f"start_date {values['start_date']!r} is not a date"),
    )
    end = _date(
        values["end_date"],
        fail("end_date", f"end_date {values['end_date']!r} is not a date"),
    )
    if end < start:
        raise fail("end_date", "end_date is before start_date")

    return Authorization(
        values["auth_number"],
        values["member_id"],
        hcpcs,
        units,
        start,
        end,
        cell("npi"),
        line,
    )


def _date(text: str, error: ConfigError) -> datetime.date:
    digits = text.replace("-", "")
    if len(digits) != 8 or not digits.isdigit():
        raise error
    try:
        return datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise error from None
