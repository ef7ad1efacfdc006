"""Stage 3 of the flow: rules read the model and report findings.

``REGISTRY`` is the explicit list of every built-in rule, by code, one
module a family. Codes are the public contract: users select, ignore and
override by them.
"""

from lint837.rules import (
    administration,
    authorization,
    batch,
    claim,
    diagnosis,
    envelope,
    modifiers,
    ndc,
    units,
)
from lint837.rules.base import Example, Reporter, Rule, rule

FAMILIES = (
    envelope,
    claim,
    units,
    administration,
    diagnosis,
    authorization,
    ndc,
    modifiers,
    batch,
)

REGISTRY: dict[str, Rule] = {
    checked.code: checked for family in FAMILIES for checked in family.RULES
}

__all__ = ["FAMILIES", "REGISTRY", "Example", "Reporter", "Rule", "rule"]
