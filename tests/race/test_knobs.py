"""The knob table: every knob of every optimizer is asked for by widgets that hold its value and give it back, and
what the widgets can hold is what the racer parser accepts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.race.knobs import KNOB_KINDS, RacerError
from core.race.racers import SPECS, make_racer

KNOBS = [(name, knob) for name, spec in SPECS.items() for knob in spec.knobs]
IDS = [f"{name}.{knob.name}" for name, knob in KNOBS]


@pytest.mark.parametrize(("optimizer", "knob"), KNOBS, ids=IDS)
def test_each_knobs_widgets_hold_its_torch_default_within_their_bounds_and_give_it_back(optimizer, knob):
    asked, held = knob.asked(), knob.held(knob.default)
    assert len(asked) == len(held) == knob.how.parts
    assert all(widget.check(value) is None for widget, value in zip(asked, held, strict=True))
    assert knob.read(held) == knob.default
    assert knob.coerce(knob.read(held)) == knob.default
    assert make_racer(optimizer, **{knob.name: knob.read(held)}).value(knob.name) == knob.default


def test_the_widgets_of_each_kind_are_the_tables():
    assert {knob.kind for _, knob in KNOBS} == set(KNOB_KINDS)
    betas = SPECS["Adam"].knob("betas")
    assert [s.label for s in betas.asked()] == ["betas[0]", "betas[1]"] and betas.held((0.9, 0.999)) == (0.9, 0.999)
    assert SPECS["SGD"].knob("nesterov").asked()[0].kind == "checkbox"
    assert SPECS["LBFGS"].knob("line_search_fn").asked()[0].allowed() == ("none", "strong_wolfe")
    max_eval = SPECS["LBFGS"].knob("max_eval")  # None is torch's own default (1.25 · max_iter), shown as 0
    assert max_eval.held(None) == (0,) and max_eval.read((0,)) is None and max_eval.read((7,)) == 7
    assert max_eval.asked()[0].label == "max_eval (0 = torch default)" and max_eval.asked()[0].low == 0
    assert SPECS["LBFGS"].knob("history_size").held(20) == (20,) and isinstance(
        SPECS["LBFGS"].knob("history_size").held(20.0)[0], int
    )
    assert SPECS["SGD"].knob("lr").held(1) == (1.0,) and isinstance(SPECS["SGD"].knob("lr").held(1)[0], float)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(KNOBS), st.data())
def test_any_value_the_widgets_accept_is_a_value_the_racer_text_accepts(pair, data):
    """The widgets' bounds are the parser's: a widget never holds a value that the racer then refuses."""
    optimizer, knob = pair
    parts = []
    for widget in knob.asked():
        if widget.allowed() is not None:
            parts.append(data.draw(st.sampled_from(widget.allowed())))
        elif widget.kind == "checkbox":
            parts.append(data.draw(st.booleans()))
        elif knob.how.whole:
            parts.append(data.draw(st.integers(int(widget.low), int(widget.high))))
        else:
            parts.append(data.draw(st.floats(widget.low, widget.high)))
    value = knob.read(tuple(parts))
    racer = make_racer(optimizer, **{knob.name: value})
    assert racer.value(knob.name) == knob.coerce(value)
    assert knob.held(racer.value(knob.name)) == tuple(parts)


@pytest.mark.parametrize(("value", "words"), [(float("nan"), "finite"), (11.0, "outside"), (1e-6, "outside")])
def test_a_value_outside_the_widgets_bounds_is_refused_by_the_parser_too(value, words):
    lr = SPECS["SGD"].knob("lr")
    assert lr.asked()[0].check(value) is not None
    with pytest.raises(RacerError, match=words):
        lr.coerce(value)
