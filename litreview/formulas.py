"""Formulas over numeric columns, parsed by a restricted AST walker (never ``eval``).

Allowed: numbers, column names, ``+ - * / ^`` (``**`` too), comparisons, parentheses and the
functions in :data:`FUNCTIONS` (``if(cond, then, else)`` included). No attribute access, no
subscripts, no other names, exponents bounded by :data:`MAX_EXPONENT`, at most
:data:`MAX_NODES` nodes. A formula evaluates a value for every sample at once: each input is a
number (a point, exact) or a list of samples (a range), and so is the result.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from litreview.errors import Conflict, InvalidInput

MAX_LENGTH = 1000
MAX_NODES = 200
MAX_EXPONENT = 100

Value = float | list[float]
Scalar = Callable[..., float]


def _if(cond: float, then: float, other: float) -> float:
    return then if cond else other


def _log(x: float, base: float = math.e) -> float:
    return math.log(x, base)


FUNCTIONS: dict[str, tuple[Scalar, int, int]] = {
    # name: (function of floats, fewest arguments, most arguments)
    "min": (min, 1, 20),
    "max": (max, 1, 20),
    "log": (_log, 1, 2),
    "exp": (math.exp, 1, 1),
    "sqrt": (math.sqrt, 1, 1),
    "round": (lambda x, n=0: float(round(x, int(n))), 1, 2),
    "abs": (abs, 1, 1),
    "if": (_if, 3, 3),
}

_BINARY: dict[type[ast.operator], Scalar] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}
_COMPARE: dict[type[ast.cmpop], Scalar] = {
    ast.Lt: lambda a, b: float(a < b),
    ast.LtE: lambda a, b: float(a <= b),
    ast.Gt: lambda a, b: float(a > b),
    ast.GtE: lambda a, b: float(a >= b),
    ast.Eq: lambda a, b: float(a == b),
    ast.NotEq: lambda a, b: float(a != b),
}
_IF_CALL = re.compile(r"\bif\s*\(")


def _power(base: float, exponent: float) -> float:
    if abs(exponent) > MAX_EXPONENT:
        raise ValueError(f"an exponent must be at most {MAX_EXPONENT}")
    return float(base**exponent)


def slug(name: str) -> str:
    """How a formula names a column: ``"P(success)"`` -> ``p_success``."""
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")


@dataclass(frozen=True)
class Formula:
    """A parsed formula: its text, the column names it reads (as slugs) and its tree."""

    text: str
    names: frozenset[str]
    tree: ast.expr

    def evaluate(self, inputs: Mapping[str, Value]) -> Value:
        """The value for these inputs (slug -> number or samples); ValueError if undefined."""
        return _Evaluator(inputs).visit(self.tree)


def parse_formula(text: str, known: set[str] | None = None, where: str = "formula") -> Formula:
    """Parse and check a formula: its syntax (422), and (when ``known`` is given) that each name
    is one of ``known``, the library's numeric columns (409: it depends on what they are)."""
    if len(text) > MAX_LENGTH:
        raise InvalidInput(f"{where}: longer than {MAX_LENGTH} characters", field=where)
    source = _IF_CALL.sub("if_(", text.replace("^", "**"))
    try:
        tree = ast.parse(source.strip(), mode="eval").body
    except SyntaxError as exc:
        raise InvalidInput(
            f"{where}: not a formula ({exc.msg} at column {exc.offset or 0}): {text!r}",
            field=where,
        ) from exc
    names: set[str] = set()
    functions: set[int] = set()
    count = 0
    for node in ast.walk(tree):
        count += 1
        _check_node(node, where)
        if isinstance(node, ast.Call):
            functions.add(id(node.func))
        elif isinstance(node, ast.Name) and id(node) not in functions:
            names.add(node.id)
    if count > MAX_NODES:
        raise InvalidInput(f"{where}: more than {MAX_NODES} parts", field=where)
    if known is not None:
        unknown = sorted(names - known)
        if unknown:
            raise Conflict(
                f"{where}: unknown name {unknown[0]!r} (columns: {', '.join(sorted(known))};"
                f" functions: {', '.join(FUNCTIONS)})",
                field=where,
            )
    return Formula(text, frozenset(names), tree)


_ALLOWED = (
    ast.BinOp,
    ast.UnaryOp,
    ast.Compare,
    ast.Call,
    ast.Name,
    ast.Constant,
    ast.Load,
    ast.USub,
    ast.UAdd,
    ast.Pow,
    *_BINARY,
    *_COMPARE,
)


def _check_node(node: ast.AST, where: str) -> None:
    if not isinstance(node, _ALLOWED):
        raise InvalidInput(
            f"{where}: {type(node).__name__} is not allowed (only numbers, column names, "
            "+ - * / ^, comparisons and the listed functions)",
            field=where,
        )
    if isinstance(node, ast.Constant) and (
        isinstance(node.value, bool) or not isinstance(node.value, int | float)
    ):
        raise InvalidInput(f"{where}: only numbers, not {node.value!r}", field=where)
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else None
        name = "if" if name == "if_" else name
        if name not in FUNCTIONS or node.keywords:
            raise InvalidInput(
                f"{where}: unknown function (known: {', '.join(FUNCTIONS)})", field=where
            )
        _, fewest, most = FUNCTIONS[name]
        if not fewest <= len(node.args) <= most:
            raise InvalidInput(f"{where}: {name}() takes {fewest} to {most} values", field=where)


class _Evaluator:
    def __init__(self, inputs: Mapping[str, Value]) -> None:
        self.inputs = inputs

    def visit(self, node: ast.expr) -> Value:
        if isinstance(node, ast.Constant):
            assert isinstance(node.value, int | float)
            return float(node.value)
        if isinstance(node, ast.Name):
            return self.inputs[node.id]
        if isinstance(node, ast.UnaryOp):
            sign = -1.0 if isinstance(node.op, ast.USub) else 1.0
            return _apply(lambda x: sign * x, [self.visit(node.operand)])
        if isinstance(node, ast.BinOp):
            op = _power if isinstance(node.op, ast.Pow) else _BINARY[type(node.op)]
            return _apply(op, [self.visit(node.left), self.visit(node.right)])
        if isinstance(node, ast.Compare):
            left = self.visit(node.left)
            result: Value = 1.0
            for cmp, right_node in zip(node.ops, node.comparators, strict=True):
                right = self.visit(right_node)
                test = _apply(_COMPARE[type(cmp)], [left, right])
                result = _apply(lambda a, b: float(a and b), [result, test])
                left = right
            return result
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        name = "if" if node.func.id == "if_" else node.func.id
        return _apply(FUNCTIONS[name][0], [self.visit(arg) for arg in node.args])


def _apply(function: Scalar, args: list[Value]) -> Value:
    """``function`` on points, or element-wise over samples (a point is broadcast)."""
    sizes = {len(a) for a in args if isinstance(a, list)}
    if not sizes:
        return float(function(*args))
    size = sizes.pop()
    columns = [a if isinstance(a, list) else [a] * size for a in args]
    out: list[float] = []
    for row in zip(*columns, strict=True):
        try:
            out.append(float(function(*row)))
        except (ValueError, ZeroDivisionError, OverflowError):
            out.append(math.nan)
    return out
