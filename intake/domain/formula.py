"""A small spreadsheet-formula language: enough for the models' formulas, nothing more.

Formulas are parsed into trees so that two spellings of the same formula compare
equal (`'2. Personeel'!F15` and `'2. Personeel'!$F$15`, `sum(f7:f14)` and
`SUM(F7:F14)`), and evaluated from the input cells so that no cached value is
ever trusted. Anything outside the supported subset parses as `Unsupported`, which
never equals an expected formula.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from intake.domain.cells import expand_range, split_address

_TOKEN = re.compile(
    r"""\s*(?:
    (?P<sheetref>(?:'(?:[^']|'')+'|[A-Za-z_][A-Za-z0-9_.]*)!\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?)
    |(?P<ref>\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?)(?![A-Za-z0-9_(])
    |(?P<number>\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
    |(?P<func>[A-Za-z_][A-Za-z0-9_.]*)\s*\(
    |(?P<op><>|<=|>=|[-+*/=<>(),^&])
    )""",
    re.VERBOSE,
)


# Excel's own limits: 8,192 characters and 64 levels of nesting. The token bound keeps
# left-deep chains (1+1+1+...) shallow enough to compare and evaluate without deep recursion.
MAX_FORMULA_CHARS = 8_192
MAX_DEPTH = 64
MAX_TOKENS = 400
# Only short formulas are cached: the cache holds at most CACHE_SIZE * CACHED_CHARS characters.
CACHE_SIZE = 4_096
CACHED_CHARS = 512


class FormulaError(ValueError):
    """The formula is outside the supported subset or a value cannot be computed."""


class FunctionUnsupported(FormulaError):
    """A defect of the schema, not of the workbook: never a silently skipped check."""


@dataclass(frozen=True)
class Num:
    value: float


@dataclass(frozen=True)
class Ref:
    sheet: str
    ref: str  # "F15" or "F7:F14", upper case, no $


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple


@dataclass(frozen=True)
class BinOp:
    op: str
    left: object
    right: object


@dataclass(frozen=True)
class Neg:
    operand: object


@dataclass(frozen=True)
class Unsupported:
    text: str


def _tokens(text: str) -> list[tuple[str, str]]:
    pos, out = 0, []
    text = text.strip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise FormulaError(f"cannot read formula at {text[pos:]!r}")
        kind = match.lastgroup or ""
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], sheet: str) -> None:
        self.tokens = tokens
        self.pos = 0
        self.sheet = sheet
        self.depth = 0

    def deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError(f"nested deeper than {MAX_DEPTH} levels")

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise FormulaError("formula ends too early")
        self.pos += 1
        return token

    def expect(self, op: str) -> None:
        kind, value = self.take()
        if kind != "op" or value != op:
            raise FormulaError(f"expected {op!r}, found {value!r}")

    def parse(self) -> object:
        node = self.comparison()
        if self.peek() is not None:
            raise FormulaError(f"unexpected {self.peek()[1]!r}")
        return node

    def comparison(self) -> object:
        node = self.additive()
        while (
            (tok := self.peek()) and tok[0] == "op" and tok[1] in ("=", "<>", "<", ">", "<=", ">=")
        ):
            self.take()
            node = BinOp(tok[1], node, self.additive())
        return node

    def additive(self) -> object:
        node = self.term()
        while (tok := self.peek()) and tok[0] == "op" and tok[1] in "+-":
            self.take()
            node = BinOp(tok[1], node, self.term())
        return node

    def term(self) -> object:
        node = self.unary()
        while (tok := self.peek()) and tok[0] == "op" and tok[1] in "*/":
            self.take()
            node = BinOp(tok[1], node, self.unary())
        return node

    def unary(self) -> object:
        tok = self.peek()
        if tok and tok[0] == "op" and tok[1] in "+-":
            self.take()
            self.deeper()
            operand = self.unary()
            self.depth -= 1
            return operand if tok[1] == "+" else Neg(operand)
        self.deeper()
        node = self.atom()
        self.depth -= 1
        return node

    def atom(self) -> object:
        kind, value = self.take()
        if kind == "number":
            return Num(float(value))
        if kind == "ref":
            return Ref(self.sheet, value.replace("$", "").upper())
        if kind == "sheetref":
            return Ref(*split_address(value))
        if kind == "func":
            name = value.upper().removeprefix("_XLFN.")
            args: list[object] = []
            if self.peek() != ("op", ")"):
                args.append(self.comparison())
                while self.peek() == ("op", ","):
                    self.take()
                    args.append(self.comparison())
            self.expect(")")
            return Call(name, tuple(args))
        if (kind, value) == ("op", "("):
            node = self.comparison()
            self.expect(")")
            return node
        raise FormulaError(f"unexpected {value!r}")


def parse(text: str, sheet: str) -> object:
    """Parse a formula (with or without `=`) written in `sheet`; never raises.

    Too long, too many tokens or nested too deep parses as `Unsupported`. Short formulas
    are cached (LRU, bounded): the trees are immutable and the same few formulas recur in
    every file, while a long-running watcher must not keep every odd formula it ever saw.
    """
    if len(text) <= CACHED_CHARS:
        return _parse_cached(text, sheet)
    return _parse(text, sheet)


def _parse(text: str, sheet: str) -> object:
    body = text.strip().removeprefix("=")
    if len(body) > MAX_FORMULA_CHARS:
        return Unsupported(body[:MAX_FORMULA_CHARS])
    try:
        tokens = _tokens(body)
        if len(tokens) > MAX_TOKENS:
            raise FormulaError(f"more than {MAX_TOKENS} tokens")
        return _Parser(tokens, sheet).parse()
    except (FormulaError, RecursionError):
        return Unsupported(body)


_parse_cached = lru_cache(maxsize=CACHE_SIZE)(_parse)


Resolver = Callable[[str, str], float]


def _numbers(node: object, resolve: Resolver) -> list[float]:
    if isinstance(node, Ref) and ":" in node.ref:
        return [resolve(node.sheet, ref) for ref in expand_range(node.ref)]
    return [evaluate(node, resolve)]


def evaluate(node: object, resolve: Resolver) -> float:
    """Compute a parsed formula; `resolve(sheet, ref)` gives the number in a cell."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Ref):
        if ":" in node.ref:
            raise FormulaError("a range outside a function")
        return resolve(node.sheet, node.ref)
    if isinstance(node, Neg):
        return -evaluate(node.operand, resolve)
    if isinstance(node, BinOp):
        left, right = evaluate(node.left, resolve), evaluate(node.right, resolve)
        return _binop(node.op, left, right)
    if isinstance(node, Call):
        return _call(node, resolve)
    raise FormulaError(f"cannot compute {getattr(node, 'text', node)!r}")


def _binop(op: str, left: float, right: float) -> float:
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if op == "/":
        if right == 0:
            raise FormulaError("#DEEL/0!")
        return left / right
    comparisons = {
        "=": left == right,
        "<>": left != right,
        "<": left < right,
        ">": left > right,
        "<=": left <= right,
        ">=": left >= right,
    }
    return float(comparisons[op])


def _call(node: Call, resolve: Resolver) -> float:
    if node.name == "IF":
        if len(node.args) not in (2, 3):
            raise FormulaError("IF takes two or three arguments")
        if evaluate(node.args[0], resolve):
            return evaluate(node.args[1], resolve)
        return evaluate(node.args[2], resolve) if len(node.args) == 3 else 0.0
    values = [v for arg in node.args for v in _numbers(arg, resolve)]
    if node.name == "SUM":
        return float(sum(values))
    if node.name == "MIN":
        return min(values) if values else 0.0
    if node.name == "MAX":
        return max(values) if values else 0.0
    raise FunctionUnsupported(f"function {node.name} is not supported")


# The functions `_call` computes; a schema that needs another is refused when loaded.
SUPPORTED_FUNCTIONS = frozenset({"IF", "SUM", "MIN", "MAX"})


def functions(node: object) -> set[str]:
    """The names of every function called in a formula tree."""
    if isinstance(node, Call):
        return {node.name} | {n for arg in node.args for n in functions(arg)}
    if isinstance(node, BinOp):
        return functions(node.left) | functions(node.right)
    if isinstance(node, Neg):
        return functions(node.operand)
    return set()


def references(node: object) -> list[Ref]:
    """Every cell reference in a formula tree, ranges included."""
    if isinstance(node, Ref):
        return [node]
    if isinstance(node, BinOp):
        return references(node.left) + references(node.right)
    if isinstance(node, Neg):
        return references(node.operand)
    if isinstance(node, Call):
        return [r for arg in node.args for r in references(arg)]
    return []
