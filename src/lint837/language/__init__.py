"""Payer rules written by billing analysts, in a small language of their own.

A rules file (``--rules FILE``) holds edits such as "Acme wants modifier
JZ on J3420" that change more often than lint837 is released. The grammar
is ``grammars/payer_rules.lark``; the fields a rule may read are in
:mod:`lint837.language.schema`; :func:`load_rules` compiles a file into
ordinary :class:`~lint837.rules.Rule` objects, so their findings are
selected, reported and counted like any built-in rule's.
"""

from lint837.language.compiler import RulesError, compile_rules, load_rules
from lint837.language.schema import describe

__all__ = ["RulesError", "compile_rules", "describe", "load_rules"]
