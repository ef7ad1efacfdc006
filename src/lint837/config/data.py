"""The reference data a run uses: the shipped lists, or the user's own.

Each list can be replaced, in configuration, by a file of the same shape:
``[tool.lint837.data] supportive-diagnoses = "our_dx.toml"``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from lint837.errors import ConfigError
from lint837.model.memo import cached
from lint837.reference import CodeSet, bundled, bundled_code_set, load_code_set

# name in configuration -> (shipped file, entry key)
DATA_SETS = {
    "supportive-diagnoses": ("j3420_supportive_diagnoses", "code"),
    "general-welfare-diagnoses": ("general_welfare_diagnoses", "code"),
    "ndcs": ("j3420_ndcs", "ndc"),
    "place-of-service": ("place_of_service", "code"),
    "administration-codes": ("administration_codes", "code"),
    "em-codes": ("em_codes", "code"),
    "mue": ("mue", "hcpcs"),
}


@dataclass(frozen=True)
class ReferenceData:
    """Every code list the rules consult."""

    supportive_diagnoses: CodeSet
    general_welfare: CodeSet
    foot_indications: CodeSet
    ndcs: CodeSet
    place_of_service: CodeSet
    administration: CodeSet
    em_codes: CodeSet
    mue: CodeSet

    @cached
    def injection_codes(self) -> frozenset[str]:
        """Administration codes that inject a drug (not vaccines)."""
        return frozenset(
            code
            for code, entry in self.administration.entries.items()
            if entry.get("route") != "vaccine"
        )

    @cached
    def facility_places(self) -> frozenset[str]:
        return self.place_of_service.where("facility", True)

    @cached
    def single_dose_ndcs(self) -> frozenset[str]:
        return self.ndcs.where("container", "single-dose")


def load_reference_data(overrides: Mapping[str, Path] | None = None) -> ReferenceData:
    """The shipped lists, each replaced by the user's file where given."""
    overrides = dict(overrides or {})
    unknown = set(overrides) - set(DATA_SETS)
    if unknown:
        name = sorted(unknown)[0]
        raise ConfigError(
            f"unknown data set {name!r}; known: {', '.join(sorted(DATA_SETS))}",
            key=f"data.{name}",
        )

    def code_set(name: str, table: str = "entries") -> CodeSet:
        shipped, key = DATA_SETS[name]
        path = overrides.get(name)
        if path is None:
            return bundled_code_set(shipped, key, table)
        return load_code_set(path, key, table)

    # The foot indications are a second table in the general-welfare file.
    welfare = overrides.get(
        "general-welfare-diagnoses", bundled("general_welfare_diagnoses")
    )
    return ReferenceData(
        supportive_diagnoses=code_set("supportive-diagnoses"),
        general_welfare=code_set("general-welfare-diagnoses"),
        foot_indications=load_code_set(welfare, "code", "foot_indications"),
        ndcs=code_set("ndcs"),
        place_of_service=code_set("place-of-service"),
        administration=code_set("administration-codes"),
        em_codes=code_set("em-codes"),
        mue=code_set("mue"),
    )
