"""Compile a payer rules file into ordinary lint837 rules.

The file is parsed once with the LALR grammar in ``grammars/``, every field
is resolved through :mod:`lint837.language.schema`, types are checked, and
each rule becomes a Python closure over the claim model: no ``eval``, no
``exec``, no attribute looked up by a user's string at run time. A rule
holds at most :data:`MAX_NODES` expression nodes and ``count(...)`` does
not nest, so one rule on one claim costs at most a fixed number of steps
per pair of lines.

Errors name the file, line and column, show the line with a caret under
the offending text, and add a plain-English hint where a common mistake
is recognised (:mod:`lint837.language.hints`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeAlias

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput

from lint837.errors import ConfigError
from lint837.findings import Finding, Severity
from lint837.language.hints import hint_for
from lint837.language.schema import (
    FIELDS,
    FUNCTIONS,
    LINE_ROOTS,
    ROOTS,
    Type,
    Value,
    Where,
    paired_administration,
)
from lint837.model import Claim, ServiceLine
from lint837.rules.base import Example, Reporter, Rule
from lint837.rules.context import Context
from lint837.rules.keys import parts_key

# A node of lark's parse tree, a Tree or a Token: lark types its children
# loosely, so the compiler checks shapes itself.
Node: TypeAlias = Any

GRAMMAR = "payer_rules.lark"
MAX_NODES = 400
"""Expression nodes one rule may hold: bounds the work per claim."""

HCPCS = "HC"
# An X12 decimal without needless zeros or a trailing point (RFI 1924).
DECIMAL = re.compile(r"^(?:0|[1-9]\d*)(?:\.\d*[1-9])?$|^\.\d*[1-9]$")


class RulesError(ConfigError):
    """A rules file is wrong: file, line, column, the line, a caret, a hint."""

    def __init__(
        self,
        message: str,
        *,
        source: str,
        line: int,
        column: int,
        text: str = "",
        width: int = 1,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, source=source, line=line)
        self.column = column
        self.text = text
        self.width = max(1, width)
        self.hint = hint

    def __str__(self) -> str:
        out = f"{self.source}:{self.line}:{self.column}: {self.message}"
        if self.text:
            out += f"\n    {self.text}\n    {' ' * (self.column - 1)}{'^' * self.width}"
        if self.hint:
            out += f"\n  hint: {self.hint}"
        return out


def grammar_text() -> str:
    """The grammar, from the installed package or the source checkout."""
    packaged = resources.files("lint837") / "grammars" / GRAMMAR
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    checkout = Path(__file__).resolve().parents[3] / "grammars" / GRAMMAR
    return checkout.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def parser() -> Lark:
    return Lark(
        grammar_text(),
        parser="lalr",
        propagate_positions=True,
        maybe_placeholders=True,
    )


# --- evaluation -----------------------------------------------------------------


class Env:
    """What a compiled expression reads: the claim, the lines in play, context."""

    __slots__ = ("_admin", "claim", "context", "line", "other")

    def __init__(self, claim: Claim, context: Context) -> None:
        self.claim = claim
        self.context = context
        self.line: ServiceLine | None = None
        self.other: ServiceLine | None = None
        self._admin: list[ServiceLine | None] = []

    def at(self, line: ServiceLine) -> None:
        self.line = line
        self._admin = []

    def admin(self) -> ServiceLine | None:
        if not self._admin:
            line = self.line
            found = paired_administration(line, self.context) if line else None
            self._admin.append(found)
        return self._admin[0]

    def subject(self, root: str) -> Any:
        if root in ("claim", "payer"):
            return self.claim
        if root == "line":
            return self.line
        if root == "other":
            return self.other
        if root == "admin":
            return self.admin()
        return None  # data


Fn = Callable[[Env], Value]


@dataclass
class Expr:
    """A compiled expression: its closure, its type, and how big it is."""

    fn: Fn
    type: Type
    nodes: int = 1
    constant: Value = None
    is_constant: bool = False


def show(value: Value) -> str:
    """A value as a message shows it."""
    if value is None:
        return "none"
    if isinstance(value, list):
        return ", ".join(show(item) for item in value) if value else "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return (
            format(value.normalize(), "f")
            if value == value.to_integral()
            else str(value)
        )
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


# --- compilation ----------------------------------------------------------------


@dataclass
class _Scope:
    """Where an expression sits: which roots it may read."""

    lines: bool  # a line rule: line and admin are there
    counting: bool = False  # inside count(...): other is there


@dataclass
class _Compiler:
    source: str
    lines: list[str]
    defined: dict[str, str] = field(default_factory=dict)
    reading: set[str] = field(default_factory=set)  # parts the rule reads
    pattern: str | None = None  # set while compiling an equality of patterns

    # Errors ---------------------------------------------------------------------

    def fail(
        self,
        message: str,
        line: int,
        column: int,
        width: int = 1,
        hint: str | None = None,
    ) -> RulesError:
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return RulesError(
            message,
            source=self.source,
            line=line,
            column=column,
            text=text,
            width=width,
            hint=hint,
        )

    def fail_at(
        self, node: Node | Token, message: str, hint: str | None = None
    ) -> RulesError:
        if isinstance(node, Token):
            line, column = node.line or 1, node.column or 1
            width = len(str(node))
        else:
            line, column = node.meta.line, node.meta.column
            same_line = node.meta.end_line == line
            width = node.meta.end_column - column if same_line else 1
        return self.fail(message, line, column, width, hint)

    # Rules ----------------------------------------------------------------------

    def rules(self, tree: Node) -> list[Rule]:
        return [self.rule(node) for node in tree.children]

    def rule(self, node: Node) -> Rule:
        code_token, title_token, *clauses = node.children
        code, title = str(code_token), str(title_token)[1:-1]
        if code in self.defined:
            raise self.fail_at(
                code_token,
                f"rule {code} is defined twice (first at line {self.defined[code]})",
            )
        self.defined[code] = str(code_token.line)

        seen: dict[str, Node] = {}
        for clause in clauses:
            if clause.data in seen:
                hint = (
                    "join the conditions with and"
                    if clause.data in ("where", "require")
                    else None
                )
                raise self.fail_at(
                    clause, f"rule {code} has two {clause.data} clauses", hint
                )
            seen[clause.data] = clause

        for needed, example in (
            ("scope", "for each J3420 line"),
            ("severity", "severity warning"),
            ("require", 'require "JZ" in line.modifiers'),
            ("message", 'message "what is wrong and what to send"'),
        ):
            if needed not in seen:
                word = "for" if needed == "scope" else needed
                raise self.fail_at(
                    code_token,
                    f"rule {code} has no {word} clause",
                    f"add a line such as: {example}",
                )

        scope = seen["scope"].children[0]
        on_lines = scope.data != "claim_scope"
        # Which lines a rule ranges over hangs on the layout (LX), and for
        # each J3420 line on the lines' codes too.
        self.reading = {"layout"} if on_lines else set()
        if scope.data == "code_scope":
            self.reading.add("services")
        where = (
            self.condition(seen["where"].children[0], _Scope(on_lines))
            if "where" in seen
            else None
        )
        require = self.condition(seen["require"].children[0], _Scope(on_lines))
        # The verdict depends on what where and require read, nothing else.
        key = parts_key(frozenset(self.reading))
        message = self.message(seen["message"].children[0], _Scope(on_lines))
        locate = self.target(seen.get("at"), on_lines)
        severity = Severity(str(seen["severity"].children[0]))
        why = str(seen["why"].children[0])[1:-1] if "why" in seen else ""

        only = str(scope.children[0]) if scope.data == "code_scope" else None
        codes = {only} if only else (self.gate(where) if on_lines else None)
        check = _check(on_lines, only, where, require, message, locate)
        check.__doc__ = (
            f"{title}\n\n{why}\n\n" if why else f"{title}\n\n"
        ) + f"Source: payer rule in {self.source}, line {code_token.line}."

        return Rule(
            code=code,
            name=_kebab(title) or code.lower(),
            severity=severity,
            summary=title if title.endswith(".") else title + ".",
            subjects=(Claim,),
            check=check,
            example=Example("", ""),
            codes=frozenset(codes) if codes else None,
            key=key,
            origin=f"{self.source}:{code_token.line}",
        )

    def gate(self, where: tuple[Node, Expr] | None) -> set[str] | None:
        """Codes a line rule can only apply to, from ``line.code = "X"`` in where."""
        if where is None:
            return None
        tree, _ = where
        conjuncts = tree.children if tree.data == "and_expr" else [tree]
        for conjunct in conjuncts:
            if not isinstance(conjunct, Tree) or conjunct.data not in (
                "comparison",
                "membership",
            ):
                continue
            left, *rest = conjunct.children
            right = rest[-1]
            if not (isinstance(left, Tree) and left.data == "field"):
                continue
            if [str(t) for t in left.children] != ["line", "code"]:
                continue
            if (
                conjunct.data == "comparison"
                and str(rest[0]) == "="
                and right.data == "text"
            ):
                return {str(right.children[0])[1:-1]}
            if conjunct.data == "membership" and right.data == "list":
                items = [item for item in right.children if item is not None]
                if all(isinstance(i, Tree) and i.data == "text" for i in items):
                    return {str(i.children[0])[1:-1] for i in items}
        return None

    # Clauses --------------------------------------------------------------------

    def condition(self, tree: Node, scope: _Scope) -> tuple[Node, Expr]:
        expr = self.expr(tree, scope)
        if expr.type is not Type.BOOL:
            raise self.fail_at(
                tree,
                f"a condition is needed here, not a {expr.type.value}",
                "compare it, e.g. line.units > 1, or test it with exists",
            )
        if expr.nodes > MAX_NODES:
            raise self.fail_at(
                tree, f"the condition has {expr.nodes} parts; at most {MAX_NODES}"
            )
        return tree, expr

    def message(self, token: Token, scope: _Scope) -> Callable[[Env], str]:
        text = str(token)[1:-1]
        parts: list[str | Expr] = []
        position = 0
        for match in re.finditer(r"\{([^{}]*)\}|[{}]", text):
            parts.append(text[position : match.start()])
            position = match.end()
            column = (token.column or 1) + 1 + match.start()
            if match.group(1) is None:
                raise self.fail(
                    "unmatched brace in the message",
                    token.line or 1,
                    column,
                    hint="write {line.units} to show a value; braces come in pairs",
                )
            path = match.group(1).strip()
            names = path.split(".")
            if len(names) != 2:
                raise self.fail(
                    f"'{{{path}}}' is not a field",
                    token.line or 1,
                    column,
                    len(match.group(0)),
                    hint="a placeholder names one field, like {line.modifiers}",
                )
            parts.append(
                self.field_expr(
                    names[0], names[1], scope, token.line or 1, column + 1, len(path)
                )
            )
        parts.append(text[position:])

        def render(env: Env) -> str:
            return "".join(
                part if isinstance(part, str) else show(part.fn(env)) for part in parts
            )

        return render

    def target(self, clause: Node | None, on_lines: bool) -> Callable[[Env], Where]:
        default: Callable[[Env], Where]
        if on_lines:
            code = FIELDS["line"]["code"]
            assert code.where is not None

            def default(env: Env) -> Where:
                return code.where(env.line)  # type: ignore[misc]
        else:

            def default(env: Env) -> Where:
                return (env.claim.clm, None)

        if clause is None:
            return default

        target = clause.children[0]
        path = target.children[0]
        root, name = self.path(path)
        if root in ("other", "data") or (root in LINE_ROOTS and not on_lines):
            raise self.fail_at(path, f"a finding cannot point at {root}.{name}")
        found = self.lookup(root, name, path)
        where = found.where
        if where is None:
            raise self.fail_at(
                path,
                f"{root}.{name} has no place in the file to point at",
                "point at a field read from a segment, such as line.units",
            )
        whole = target.data == "segment_target"

        def locate(env: Env) -> Where:
            subject = env.subject(root)
            if subject is None:
                return default(env)
            segment, element = where(subject)
            if segment is None:
                return default(env)
            return (segment, None if whole else element)

        return locate

    # Expressions ----------------------------------------------------------------

    def path(self, tree: Node) -> tuple[str, str]:
        names = [str(token) for token in tree.children]
        if len(names) != 2:
            raise self.fail_at(
                tree,
                f"'{'.'.join(names)}' is not a field",
                "fields are one root and one name, like line.code or payer.id",
            )
        return names[0], names[1]

    def lookup(self, root: str, name: str, node: Node | Token) -> Any:
        if root not in FIELDS:
            close = difflib.get_close_matches(root, ROOTS, n=1)
            hint = (
                f"did you mean {close[0]}.{name}?"
                if close
                else f"roots are {', '.join(ROOTS)}"
            )
            raise self.fail_at(node, f"unknown field '{root}.{name}'", hint)
        fields = FIELDS[root]
        if name not in fields:
            close = difflib.get_close_matches(name, list(fields), n=1)
            hint = (
                f"did you mean {root}.{close[0]}?"
                if close
                else "lint837 rules --schema lists every field"
            )
            raise self.fail_at(node, f"unknown field '{root}.{name}'", hint)
        return fields[name]

    def field_expr(
        self, root: str, name: str, scope: _Scope, line: int, column: int, width: int
    ) -> Expr:
        token = Token("NAME", f"{root}.{name}", line=line, column=column)
        found = self.lookup(root, name, token)
        if root in ("line", "admin") and not scope.lines:
            raise self.fail(
                f"{root}.{name} is only there in a rule for each line",
                line,
                column,
                width,
                hint="write for each line (or for each J3420 line), or claim fields",
            )
        if root == "other" and not scope.counting:
            raise self.fail(
                f"{root}.{name} is only there inside count(...)",
                line,
                column,
                width,
                hint='count(lines where other.code = "96372") counts lines',
            )
        read = found.read
        if self.pattern is not None and found.pattern == self.pattern:
            self.reading.update(("layout", self.pattern))
        else:
            self.reading.update(found.parts)
        if root == "admin":  # the pairing reads codes, and which dates are equal
            self.reading.update(("layout", "services", "date_pattern"))

        def fn(env: Env) -> Value:
            subject = env.subject(root)
            if subject is None and root != "data":
                return None
            return read(subject, env.context)

        return Expr(fn, found.type)

    def expr(self, tree: Node | Token, scope: _Scope) -> Expr:
        if isinstance(tree, Token):  # pragma: no cover - the grammar wraps tokens
            raise self.fail_at(tree, f"unexpected {tree}")
        handler = _HANDLERS.get(tree.data)
        if handler is None:  # pragma: no cover - every grammar rule has a handler
            raise self.fail_at(tree, f"unsupported expression {tree.data}")
        return handler(self, tree, scope)

    def _text(self, tree: Node, scope: _Scope) -> Expr:
        value = str(tree.children[0])[1:-1]
        return Expr(lambda env: value, Type.TEXT, constant=value, is_constant=True)

    def _number(self, tree: Node, scope: _Scope) -> Expr:
        value = Decimal(str(tree.children[0]))
        return Expr(lambda env: value, Type.NUMBER, constant=value, is_constant=True)

    def _true(self, tree: Node, scope: _Scope) -> Expr:
        return Expr(lambda env: True, Type.BOOL, constant=True, is_constant=True)

    def _false(self, tree: Node, scope: _Scope) -> Expr:
        return Expr(lambda env: False, Type.BOOL, constant=False, is_constant=True)

    def _list(self, tree: Node, scope: _Scope) -> Expr:
        items = [
            self.expr(child, scope) for child in tree.children if child is not None
        ]
        for child, item in zip(
            [c for c in tree.children if c is not None], items, strict=True
        ):
            if item.type is not Type.TEXT:
                raise self.fail_at(
                    child,
                    f"lists hold text, not a {item.type.value}",
                    'quote each code: ["J3420", "96372"]',
                )
        nodes = 1 + sum(item.nodes for item in items)
        if all(item.is_constant for item in items):
            value = [item.constant for item in items]
            return Expr(lambda env: value, Type.TEXTS, nodes, value, True)
        fns = [item.fn for item in items]
        return Expr(lambda env: [fn(env) for fn in fns], Type.TEXTS, nodes)

    def _field(self, tree: Node, scope: _Scope) -> Expr:
        root, name = self.path(tree)
        first = tree.children[0]
        width = tree.meta.end_column - tree.meta.column
        return self.field_expr(
            root, name, scope, first.line or 1, first.column or 1, width
        )

    def _call(self, tree: Node, scope: _Scope) -> Expr:
        name_token, *arguments = tree.children
        name = str(name_token)
        args = [self.expr(a, scope) for a in arguments if a is not None]
        nodes = 1 + sum(a.nodes for a in args)
        if name not in FUNCTIONS:
            close = difflib.get_close_matches(name, list(FUNCTIONS), n=1)
            hint = f"did you mean {close[0]}(...)?" if close else None
            raise self.fail_at(
                name_token,
                f"unknown function {name}(); there are {', '.join(FUNCTIONS)}",
                hint or FUNCTIONS["days"],
            )
        if name == "days":
            if len(args) != 2 or any(a.type is not Type.DATE for a in args):
                raise self.fail_at(tree, "days() takes two dates", FUNCTIONS["days"])
            start, end = args[0].fn, args[1].fn

            def days(env: Env) -> Value:
                a, b = start(env), end(env)
                return None if a is None or b is None else Decimal((b - a).days)

            return Expr(days, Type.NUMBER, nodes)

        if name == "is_decimal":
            if len(args) != 1 or args[0].type is not Type.TEXT:
                raise self.fail_at(tree, "is_decimal() takes one text", FUNCTIONS[name])
            text = args[0].fn

            def is_decimal(env: Env) -> Value:
                value = text(env)
                return value is not None and DECIMAL.match(value) is not None

            return Expr(is_decimal, Type.BOOL, nodes)

        if len(args) != 1 or args[0].type not in (Type.TEXT, Type.TEXTS):
            raise self.fail_at(tree, "len() takes one list or text", FUNCTIONS["len"])
        inner = args[0].fn

        def length(env: Env) -> Value:
            value = inner(env)
            return None if value is None else Decimal(len(value))

        return Expr(length, Type.NUMBER, nodes)

    def _count(self, tree: Node, scope: _Scope) -> Expr:
        other, condition = tree.children
        if scope.counting:
            raise self.fail_at(tree, "count(...) cannot sit inside another count(...)")
        if other is not None and not scope.lines:
            raise self.fail_at(
                tree,
                "other lines means lines other than the rule's line",
                "use it in a rule for each line, or count(lines where ...)",
            )
        test: Fn | None = None
        nodes = 1
        if condition is not None:
            _, compiled = self.condition(condition, _Scope(scope.lines, counting=True))
            test, nodes = compiled.fn, 1 + compiled.nodes
        skip_own = other is not None
        self.reading.add("layout")  # count goes over the claim's lines

        def count(env: Env) -> Value:
            total = 0
            for line in env.claim.lines:
                if skip_own and line is env.line:
                    continue
                env.other = line
                if test is None or test(env):
                    total += 1
            env.other = None
            return Decimal(total)

        return Expr(count, Type.NUMBER, nodes)

    def _arithmetic(self, tree: Node, scope: _Scope) -> Expr:
        first = self.expr(tree.children[0], scope)
        steps: list[tuple[str, Expr]] = []
        for operator, operand in zip(
            tree.children[1::2], tree.children[2::2], strict=True
        ):
            steps.append((str(operator), self.expr(operand, scope)))
        for expr, node in [(first, tree.children[0])] + [
            (e, n) for (_, e), n in zip(steps, tree.children[2::2], strict=True)
        ]:
            if expr.type is not Type.NUMBER:
                raise self.fail_at(
                    node, f"arithmetic takes numbers, not a {expr.type.value}"
                )
        ops = [(_ARITHMETIC[op], e.fn) for op, e in steps]
        head = first.fn

        def arithmetic(env: Env) -> Value:
            value = head(env)
            for op, fn in ops:
                other = fn(env)
                if value is None or other is None:
                    return None
                value = op(value, other)
            return value

        return Expr(
            arithmetic, Type.NUMBER, 1 + first.nodes + sum(e.nodes for _, e in steps)
        )

    def _comparison(self, tree: Node, scope: _Scope) -> Expr:
        left_tree, operator, right_tree = tree.children
        op = str(operator)
        # Two dates (or two REF02 values) compared for equality only need to
        # know which equals which, not the values themselves.
        self.pattern = self._shared_pattern(left_tree, right_tree, op)
        try:
            left, right = self.expr(left_tree, scope), self.expr(right_tree, scope)
        finally:
            self.pattern = None
        if left.type is not right.type:
            raise self.fail_at(
                tree,
                f"cannot compare a {left.type.value} with a {right.type.value}",
                _mismatch_hint(left, right),
            )
        if left.type in (Type.TEXTS, Type.CODES, Type.LINE):
            raise self.fail_at(
                tree,
                f"a {left.type.value} cannot be compared with {op}",
                '"JZ" in line.modifiers tests a list; len(line.modifiers) counts it',
            )
        if left.type in (Type.TEXT, Type.BOOL) and op not in ("=", "!="):
            raise self.fail_at(
                operator, f"{left.type.value} compares with = or != only"
            )
        compare = _COMPARISONS[op]
        a, b = left.fn, right.fn

        def comparison(env: Env) -> Value:
            x, y = a(env), b(env)
            return x is not None and y is not None and compare(x, y)

        return Expr(comparison, Type.BOOL, 1 + left.nodes + right.nodes)

    def _shared_pattern(self, left: Node, right: Node, op: str) -> str | None:
        if op not in ("=", "!="):
            return None
        patterns = set()
        for side in (left, right):
            if not (isinstance(side, Tree) and side.data == "field"):
                return None
            names = [str(token) for token in side.children]
            found = FIELDS.get(names[0], {}).get(names[-1]) if len(names) == 2 else None
            if found is None or found.pattern is None:
                return None
            patterns.add(found.pattern)
        return patterns.pop() if len(patterns) == 1 else None

    def _collection(self, tree: Node, scope: _Scope) -> Expr:
        expr = self.expr(tree, scope)
        if expr.type not in (Type.TEXTS, Type.CODES):
            raise self.fail_at(
                tree,
                f"in needs a list on its right, not a {expr.type.value}",
                'write line.code in ["J3420", "J3421"], or compare with =',
            )
        if expr.is_constant and isinstance(expr.constant, list):
            frozen = frozenset(expr.constant)
            return Expr(lambda env: frozen, expr.type, expr.nodes, frozen, True)
        return expr

    def _membership(self, tree: Node, scope: _Scope, negate: bool = False) -> Expr:
        left_tree, right_tree = tree.children
        left, right = self.expr(left_tree, scope), self._collection(right_tree, scope)
        if left.type is not Type.TEXT:
            raise self.fail_at(
                left_tree,
                f"in tests one text against a list, not a {left.type.value}",
                "any of line.diagnoses in [...] tests each item of a list",
            )
        a, b = left.fn, right.fn

        def membership(env: Env) -> Value:
            x, y = a(env), b(env)
            if x is None or y is None:
                return False
            return (x in y) != negate

        return Expr(membership, Type.BOOL, 1 + left.nodes + right.nodes)

    def _non_membership(self, tree: Node, scope: _Scope) -> Expr:
        return self._membership(tree, scope, negate=True)

    def _quantified(self, tree: Node, scope: _Scope, quantifier: str) -> Expr:
        left_tree, right_tree = tree.children
        left, right = self.expr(left_tree, scope), self._collection(right_tree, scope)
        if left.type is not Type.TEXTS:
            raise self.fail_at(
                left_tree,
                f"{quantifier} of needs a list, not a {left.type.value}",
                "for one value write line.code in [...]",
            )
        a, b = left.fn, right.fn

        def quantified(env: Env) -> Value:
            items, pool = a(env), b(env)
            if items is None or pool is None:
                return False
            if quantifier == "any":
                return any(item in pool for item in items)
            if quantifier == "all":
                return all(item in pool for item in items)
            return not any(item in pool for item in items)

        return Expr(quantified, Type.BOOL, 1 + left.nodes + right.nodes)

    def _any_of(self, tree: Node, scope: _Scope) -> Expr:
        return self._quantified(tree, scope, "any")

    def _all_of(self, tree: Node, scope: _Scope) -> Expr:
        return self._quantified(tree, scope, "all")

    def _none_of(self, tree: Node, scope: _Scope) -> Expr:
        return self._quantified(tree, scope, "none")

    def _existence(self, tree: Node, scope: _Scope) -> Expr:
        before = set(self.reading)
        inner = self.expr(tree.children[0], scope)
        target = tree.children[0]
        if isinstance(target, Tree) and target.data == "field":
            # Whether a field is there may hang on less than its value.
            root, name = self.path(target)
            presence = FIELDS[root][name].presence
            if presence is not None:
                self.reading = before | set(presence)
                if root == "admin":
                    self.reading.update(("layout", "services", "date_pattern"))
        fn = inner.fn

        def existence(env: Env) -> Value:
            value = fn(env)
            return value is not None and value != []

        return Expr(existence, Type.BOOL, 1 + inner.nodes)

    def _negation(self, tree: Node, scope: _Scope) -> Expr:
        inner = self.expr(tree.children[0], scope)
        self._require_bool(tree.children[0], inner, "not")
        fn = inner.fn
        return Expr(lambda env: not fn(env), Type.BOOL, 1 + inner.nodes)

    def _require_bool(self, node: Node, expr: Expr, word: str) -> None:
        if expr.type is not Type.BOOL:
            raise self.fail_at(
                node,
                f"{word} joins conditions, not a {expr.type.value}",
                "compare the value, e.g. line.units > 1, or test it with exists",
            )

    def _and_expr(self, tree: Node, scope: _Scope) -> Expr:
        parts = [self.expr(child, scope) for child in tree.children]
        for child, part in zip(tree.children, parts, strict=True):
            self._require_bool(child, part, "and")
        fns = [part.fn for part in parts]
        return Expr(
            lambda env: all(fn(env) for fn in fns),
            Type.BOOL,
            1 + sum(p.nodes for p in parts),
        )

    def _or_expr(self, tree: Node, scope: _Scope) -> Expr:
        parts = [self.expr(child, scope) for child in tree.children]
        for child, part in zip(tree.children, parts, strict=True):
            self._require_bool(child, part, "or")
        fns = [part.fn for part in parts]
        return Expr(
            lambda env: any(fn(env) for fn in fns),
            Type.BOOL,
            1 + sum(p.nodes for p in parts),
        )


# Each expression node of the grammar, and the method that compiles it.
_HANDLERS: dict[str, Callable[[_Compiler, Node, _Scope], Expr]] = {
    "text": _Compiler._text,
    "number": _Compiler._number,
    "true": _Compiler._true,
    "false": _Compiler._false,
    "list": _Compiler._list,
    "field": _Compiler._field,
    "call": _Compiler._call,
    "count": _Compiler._count,
    "sum": _Compiler._arithmetic,
    "product": _Compiler._arithmetic,
    "comparison": _Compiler._comparison,
    "membership": _Compiler._membership,
    "non_membership": _Compiler._non_membership,
    "any_of": _Compiler._any_of,
    "all_of": _Compiler._all_of,
    "none_of": _Compiler._none_of,
    "existence": _Compiler._existence,
    "negation": _Compiler._negation,
    "and_expr": _Compiler._and_expr,
    "or_expr": _Compiler._or_expr,
}

_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "=": lambda a, b: bool(a == b),
    "!=": lambda a, b: bool(a != b),
    "<": lambda a, b: bool(a < b),
    "<=": lambda a, b: bool(a <= b),
    ">": lambda a, b: bool(a > b),
    ">=": lambda a, b: bool(a >= b),
}

_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b if b else None,
}


def _mismatch_hint(left: Expr, right: Expr) -> str | None:
    for a, b in ((left, right), (right, left)):
        if a.type is Type.NUMBER and b.is_constant and b.type is Type.TEXT:
            return f"that value is a number: write {b.constant} without quotes"
        if a.type is Type.TEXT and b.is_constant and b.type is Type.NUMBER:
            return f'that value is text: quote it, "{show(b.constant)}"'
        if a.type is Type.DATE and b.is_constant:
            return "compare dates with dates, or count days with days(a, b)"
    return None


def _kebab(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:48].rstrip("-")


def _check(
    on_lines: bool,
    only: str | None,
    where: tuple[Node, Expr] | None,
    require: tuple[Node, Expr],
    message: Callable[[Env], str],
    locate: Callable[[Env], Where],
) -> Callable[[Claim, Reporter], Iterator[Finding]]:
    applies = where[1].fn if where is not None else None
    holds = require[1].fn

    def check_claim(claim: Claim, report: Reporter) -> Iterator[Finding]:
        env = Env(claim, report.context)
        if (applies is None or applies(env)) and not holds(env):
            segment, element = locate(env)
            yield report.finding(message(env), segment, element, within=claim)

    def check_lines(claim: Claim, report: Reporter) -> Iterator[Finding]:
        env = Env(claim, report.context)
        lines = claim.lines_by_code.get(only, ()) if only else claim.lines
        for line in lines:
            if only and line.qualifier != HCPCS:
                continue
            env.at(line)
            if applies is not None and not applies(env):
                continue
            if holds(env):
                continue
            segment, element = locate(env)
            yield report.finding(message(env), segment, element, within=line)

    return check_lines if on_lines else check_claim


def compile_rules(text: str, source: str) -> list[Rule]:
    """Compile the text of a rules file; RulesError says where it is wrong."""
    lines = text.splitlines()
    try:
        tree = parser().parse(text)
    except UnexpectedInput as error:
        raise _syntax_error(error, text, lines, source) from None
    return _Compiler(source, lines).rules(tree)


def _syntax_error(
    error: UnexpectedInput, text: str, lines: list[str], source: str
) -> RulesError:
    line = getattr(error, "line", None)
    column = getattr(error, "column", None)
    if isinstance(error, UnexpectedEOF) or line is None or line < 1:
        line = max(1, len(lines))
        column = len(lines[-1]) + 1 if lines else 1
    column = column if isinstance(column, int) and column > 0 else 1
    here = lines[line - 1] if line <= len(lines) else ""
    rest = here[column - 1 :]

    token = getattr(error, "token", None)
    if isinstance(error, UnexpectedCharacters):
        found = f"unexpected character {rest[:1]!r}"
        width = 1
    elif isinstance(error, UnexpectedEOF) or token is None or token.type == "$END":
        found = "the file ends in the middle of a rule"
        width = 1
    else:
        found = f"unexpected {str(token)!r}"
        width = len(str(token))

    expected = sorted(
        getattr(error, "expected", None) or getattr(error, "allowed", None) or []
    )
    hint = hint_for(rest, expected, here)
    return RulesError(
        found,
        source=source,
        line=line,
        column=column,
        text=here,
        width=width,
        hint=hint,
    )


def load_rules(path: Path) -> list[Rule]:
    """Read and compile one rules file; RulesError or ConfigError on failure."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(
            f"cannot read rules file: {error.strerror}", source=str(path)
        ) from None
    except UnicodeDecodeError:
        raise ConfigError("rules file is not UTF-8 text", source=str(path)) from None
    return compile_rules(text, str(path))
