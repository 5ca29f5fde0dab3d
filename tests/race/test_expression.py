"""The formula parser accepts ordinary math and refuses everything else with a message, never crashing."""

import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from core.race.expression import MAX_CHARS, ExpressionError, custom_surface, parse_expression
from core.race.surfaces import SURFACES

DOMAIN = ((-2.0, 2.0), (-1.0, 3.0))


def _balanced(depth: int) -> str:
    """A shallow but wide formula: a balanced sum with 2**depth leaves."""
    return "x" if depth == 0 else f"({_balanced(depth - 1)}+{_balanced(depth - 1)})"


def test_rosenbrock_text_equals_registered_rosenbrock_values_and_gradients():
    f = parse_expression("(1 - x)**2 + 100*(y - x**2)**2")
    ref = SURFACES["rosenbrock"].fn
    p = torch.tensor([[-1.2, 1.0], [0.3, 0.4]], dtype=torch.float64, requires_grad=True)
    (g1,) = torch.autograd.grad(f(p[:, 0], p[:, 1]).sum(), p)
    (g2,) = torch.autograd.grad(ref(p[:, 0], p[:, 1]).sum(), p)
    assert torch.allclose(g1, g2)


def test_functions_constants_and_precedence():
    f = parse_expression("sin(pi*x) + exp(-y) * 2**3 % 5 - -x + sqrt(abs(y))")
    x, y = torch.tensor(0.25, dtype=torch.float64), torch.tensor(-4.0, dtype=torch.float64)
    expected = math.sin(math.pi * 0.25) + (math.exp(4.0) * 8) % 5 + 0.25 + 2.0
    assert float(f(x, y)) == pytest.approx(expected)


def test_constant_formula_broadcasts_to_grid():
    s = custom_surface("3", DOMAIN)
    _, _, z = s.grid(5)
    assert z.shape == (5, 5) and float(z.max()) == 3.0


@pytest.mark.parametrize(
    "text, words",
    [
        ("__import__('os').system('ls')", "double underscores"),
        ("x.__class__", "double underscores"),
        ("x.real", "attribute"),
        ("(x).T", "attribute"),
        ("import os", "syntax"),
        ("open('f')", "not an allowed function"),
        ("eval('1')", "not an allowed function"),
        ("sin.__call__(x)", "double underscores"),
        ("z + 1", "unknown name 'z'"),
        ("torch.sin(x)", "attribute"),
        ("lambda: 1", "Lambda"),
        ("[x for x in y]", "ListComp"),
        ("x if y else 1", "IfExp"),
        ("'abc'", "not a number"),
        ("x < y", "Compare"),
        ("x ** 999", "exponent"),
        ("2 ** -100", "exponent"),
        ("sin(x, y)", "one argument"),
        ("sin(x=1)", "one argument"),
        ("x +", "syntax error"),
        ("", "empty"),
        ("x" + "+x" * 200, "characters"),
        ("-" * 100 + "x", "nested too deeply"),
        ("sin(" * 40 + "x" + ")" * 40, "nested too deeply"),
        (_balanced(6), "too complex"),
        ("1e999", "too large"),
        ("True + x", "not a number"),
        ("1j*x", "not a number"),
    ],
)
def test_hostile_or_wrong_input_is_refused_with_a_message(text, words):
    with pytest.raises(ExpressionError, match=words):
        parse_expression(text)


@pytest.mark.parametrize("text", ["log(x)", "1/(x + 2)", "sqrt(x)", "9**(9*9*9)", "x % 0", "exp(100*y)**10"])
def test_non_finite_on_the_domain_is_refused(text):
    with pytest.raises(ExpressionError, match="not finite"):
        custom_surface(text, DOMAIN)


def test_bad_domain_is_refused():
    with pytest.raises(ExpressionError, match="domain"):
        custom_surface("x", ((1.0, 1.0), (0.0, 1.0)))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=MAX_CHARS + 20))
def test_any_text_parses_or_raises_expression_error(text):
    try:
        s = custom_surface(text, DOMAIN)
    except ExpressionError as e:
        assert str(e)
    else:
        _, _, z = s.grid(7)
        assert torch.isfinite(z).all()


_ATOMS = st.sampled_from(
    [
        "x",
        "y",
        "pi",
        "e",
        "2",
        "0.5",
        "1e3",
        "__class__",
        "os",
        "x.real",
        "()",
        "[]",
        "sin",
        "exp",
        "open",
        "lambda:0",
        "'s'",
    ]
)
_OPS = st.sampled_from(["+", "-", "*", "/", "**", "%", "(", ")", ".", ",", " ", "sin(", "exp(", "log("])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_ATOMS, _OPS), min_size=1, max_size=40))
def test_formula_like_token_soup_parses_or_raises_expression_error(tokens):
    text = "".join(tokens)
    try:
        f = parse_expression(text)
    except ExpressionError as e:
        assert str(e)
    else:
        out = f(torch.linspace(-1, 1, 3, dtype=torch.float64), torch.zeros(3, dtype=torch.float64))
        assert out.shape == (3,)
