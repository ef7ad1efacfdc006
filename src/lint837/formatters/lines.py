"""Writers for the ``lines`` command: an aligned table, JSON or CSV."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import TextIO

from lint837.drug_lines import DrugLine

COLUMNS = (
    ("file", "file"),
    ("claim", "claim"),
    ("line", "LX"),
    ("payer_id", "payer"),
    ("payer_name", "payer name"),
    ("service_date", "date"),
    ("units", "units"),
    ("unit_basis", "basis"),
    ("charge", "charge"),
    ("modifiers", "modifiers"),
    ("ndc", "NDC"),
    ("ndc_quantity", "NDC qty"),
    ("ndc_unit", "NDC unit"),
    ("administration_code", "admin"),
    ("administration_units", "admin units"),
    ("administration_line", "admin LX"),
    ("diagnoses", "diagnoses"),
    ("claim_prior_auth", "PA (claim)"),
    ("line_prior_auth", "PA (line)"),
)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple):
        return " ".join(str(item) for item in value)
    return str(value)


def write_table(rows: Iterable[DrugLine], stream: TextIO) -> int:
    """An aligned text table; returns the number of rows written."""
    cells = [[_cell(getattr(row, name)) for name, _ in COLUMNS] for row in rows]
    headers = [title for _, title in COLUMNS]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]

    for values in (headers, *cells):
        line = "  ".join(
            value.ljust(width) for value, width in zip(values, widths, strict=True)
        )
        stream.write(line.rstrip() + "\n")
    return len(cells)


def write_json(rows: Iterable[DrugLine], stream: TextIO) -> int:
    """``{"lines": [...]}``, one object a row."""
    records = [row.as_dict() for row in rows]
    json.dump({"lines": records}, stream, indent=2)
    stream.write("\n")
    return len(records)


def write_csv(rows: Iterable[DrugLine], stream: TextIO) -> int:
    """CSV with a header row; lists are space-separated within a cell."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow([name for name, _ in COLUMNS])
    count = 0
    for row in rows:
        writer.writerow([_cell(getattr(row, name)) for name, _ in COLUMNS])
        count += 1
    return count


WRITERS: dict[str, Callable[[Iterable[DrugLine], TextIO], int]] = {
    "table": write_table,
    "json": write_json,
    "csv": write_csv,
}
