"""Can this text be a surface f(x, y)? A safe parser: Python's `ast` with a whitelist, evaluated with torch.

Nothing is passed to `eval`, `exec` or `sympify`: the text is parsed into an AST, every node is checked
against a small whitelist (numbers, x, y, pi, e, + − × ÷ ** %, and a few torch functions called by name), and
the checked tree is turned into a closure that calls torch. Length, nesting depth, node count and constant
exponents are bounded so that no input can hang or exhaust the server.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable

import torch
from torch import Tensor

from core.race.surfaces import Surface

MAX_CHARS = 300
MAX_NODES = 200
MAX_DEPTH = 30
MAX_EXPONENT = 64.0  # |constant exponent| allowed in a ** b; larger ones overflow everywhere anyway

FUNCTIONS: dict[str, Callable[[Tensor], Tensor]] = {
    "sin": torch.sin,
    "cos": torch.cos,
    "tan": torch.tan,
    "exp": torch.exp,
    "log": torch.log,
    "sqrt": torch.sqrt,
    "abs": torch.abs,
    "tanh": torch.tanh,
    "sinh": torch.sinh,
    "cosh": torch.cosh,
    "atan": torch.atan,
    "sigmoid": torch.sigmoid,
    "log1p": torch.log1p,
}
CONSTANTS = {"pi": math.pi, "e": math.e}
VARIABLES = ("x", "y")
_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.Mod: torch.remainder,
}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}


class ExpressionError(ValueError):
    """Text that is not an allowed f(x, y); the message says what is wrong and what is allowed."""


def _allowed() -> str:
    return (
        f"Use x, y, numbers, pi, e, + - * / ** % and {', '.join(sorted(FUNCTIONS))}, e.g. "
        "'(1 - x)**2 + 100*(y - x**2)**2'."
    )


def _depth(node: ast.AST) -> int:
    children = list(ast.iter_child_nodes(node))
    return 1 + max((_depth(c) for c in children), default=0)


def _build(node: ast.AST) -> Callable[[Tensor, Tensor], Tensor]:
    """A closure (x, y) -> value for one whitelisted node; raises ExpressionError for anything else."""
    if isinstance(node, ast.Expression):
        return _build(node.body)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise ExpressionError(f"'{node.value!r}' is not a number. {_allowed()}")
        try:
            value = float(node.value)
        except OverflowError:
            value = math.inf
        if not math.isfinite(value):
            raise ExpressionError("a number in the formula is too large to be a float.")
        constant = torch.tensor(value, dtype=torch.float64)  # a tensor: 1/0 or 9.0**999 give inf, not errors
        return lambda x, y: constant
    if isinstance(node, ast.Name):
        if node.id == "x":
            return lambda x, y: x
        if node.id == "y":
            return lambda x, y: y
        if node.id in CONSTANTS:
            constant = torch.tensor(CONSTANTS[node.id], dtype=torch.float64)
            return lambda x, y: constant
        raise ExpressionError(f"unknown name '{node.id}'. {_allowed()}")
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        if isinstance(node.op, ast.Pow):
            exponent = node.right.operand if isinstance(node.right, ast.UnaryOp) else node.right
            if (
                isinstance(exponent, ast.Constant)
                and isinstance(exponent.value, int | float)
                and abs(float(exponent.value)) > MAX_EXPONENT
            ):
                raise ExpressionError(f"the exponent {exponent.value} is too large (at most {MAX_EXPONENT:g}).")
        op, left, right = _BINARY[type(node.op)], _build(node.left), _build(node.right)
        return lambda x, y: op(left(x, y), right(x, y))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        op, operand = _UNARY[type(node.op)], _build(node.operand)
        return lambda x, y: op(operand(x, y))
    if isinstance(node, ast.Call):
        if isinstance(node.func, ast.Attribute):
            return _build(node.func)  # refused below, with the attribute named
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in FUNCTIONS:
            what = f"'{name}'" if name else "this kind of call"
            raise ExpressionError(f"{what} is not an allowed function. {_allowed()}")
        if len(node.args) != 1 or node.keywords:
            raise ExpressionError(f"{name}(...) takes exactly one argument.")
        fn, arg = FUNCTIONS[name], _build(node.args[0])
        return lambda x, y: fn(arg(x, y))
    if isinstance(node, ast.Attribute):
        raise ExpressionError(f"attribute access ('.{node.attr}') is not allowed. {_allowed()}")
    raise ExpressionError(f"'{type(node).__name__}' is not allowed in a formula. {_allowed()}")


def parse_expression(text: str) -> Callable[[Tensor, Tensor], Tensor]:
    """f(x, y) from text, as a function of two tensors (broadcasting like torch); raises ExpressionError."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError(f"the formula is empty. {_allowed()}")
    if len(text) > MAX_CHARS:
        raise ExpressionError(f"the formula has {len(text)} characters; at most {MAX_CHARS} are allowed.")
    if "__" in text:
        raise ExpressionError("double underscores are not allowed in a formula.")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        col = f" near character {e.offset}" if e.offset else ""
        raise ExpressionError(f"syntax error{col}: {e.msg}. {_allowed()}") from None
    except (ValueError, RecursionError, MemoryError):
        raise ExpressionError(f"the formula could not be read. {_allowed()}") from None
    if _depth(tree) > MAX_DEPTH:
        raise ExpressionError(f"the formula is nested too deeply (more than {MAX_DEPTH} levels).")
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise ExpressionError(f"the formula is too complex (more than {MAX_NODES} parts).")
    body = _build(tree)

    def fn(x: Tensor, y: Tensor) -> Tensor:
        return body(x, y).to(x.dtype) + 0 * (x + y)  # a formula without x or y still broadcasts

    return fn


def custom_surface(
    text: str,
    domain: tuple[tuple[float, float], tuple[float, float]],
    start: tuple[float, float] | None = None,
    grid: int = 61,
) -> Surface:
    """A Surface from user text; raises ExpressionError if f is not finite on a grid over the domain."""
    (x0, x1), (y0, y1) = domain
    if not (x0 < x1 and y0 < y1) or not all(map(math.isfinite, (x0, x1, y0, y1))):
        raise ExpressionError("the domain needs x_min < x_max and y_min < y_max (finite numbers).")
    fn = parse_expression(text)
    xs = torch.linspace(x0, x1, grid, dtype=torch.float64)
    ys = torch.linspace(y0, y1, grid, dtype=torch.float64)
    try:
        with torch.no_grad():
            z = fn(xs[None, :], ys[:, None])
    except (RuntimeError, ArithmeticError) as e:
        raise ExpressionError(f"f could not be computed on the domain ({e}).") from None
    bad = ~torch.isfinite(z)
    if bad.any():
        iy, ix = (int(i) for i in bad.nonzero()[0])
        raise ExpressionError(
            f"f is not finite at some points of the domain, e.g. f({xs[ix]:.3g}, {ys[iy]:.3g}) = "
            f"{z[iy, ix]:.3g}. "
            "Shrink the domain or guard the formula (e.g. log(1 + x**2) instead of log(x))."
        )
    flat = int(z.argmin())
    minimum = (float(xs[flat % grid]), float(ys[flat // grid]))
    return Surface(
        "custom",
        f"f(x, y) = {text.strip()}",
        fn,
        ((x0, x1), (y0, y1)),
        (minimum,),
        start or (x0 + 0.8 * (x1 - x0), y0 + 0.8 * (y1 - y0)),
        "",
        "Your function. The marked minimum is the lowest point of a 61×61 grid, not an exact one.",
    )
