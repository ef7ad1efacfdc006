"""Stage 3 of the flow: rules read the model and report findings.

``REGISTRY`` is the explicit list of every built-in rule, by code. Codes
are the public contract: users select, ignore and override by them.
"""

from lint837.rules import envelope
from lint837.rules.base import Example, Reporter, Rule, rule

REGISTRY: dict[str, Rule] = {checked.code: checked for checked in (*envelope.RULES,)}

__all__ = ["REGISTRY", "Example", "Reporter", "Rule", "rule"]
