"""Racers come from torch.optim signatures; racer text from links or text boxes is parsed, never evaluated."""

import inspect

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from core.race.racers import OPTIMIZERS, SPECS, RacerError, make_racer, parse_racer, racers_from_lines, with_lr


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_knob_defaults_are_the_torch_signature_defaults(name):
    spec = SPECS[name]
    params = inspect.signature(spec.cls.__init__).parameters
    for knob in spec.knobs:
        default = params[knob.name].default
        if knob.name == "line_search_fn":
            assert default is None and knob.default == "none"
        else:
            assert knob.default == (tuple(default) if isinstance(default, tuple) else default)
    opt = make_racer(name).build([torch.zeros(2, requires_grad=True)])
    assert type(opt) is spec.cls


@pytest.mark.parametrize(
    "text, words",
    [
        ("Foo lr=1", "unknown optimizer"),
        ("Adam lr", "knob=value"),
        ("Adam lr=abc", "not a float"),
        ("Adam lr=nan", "finite"),
        ("Adam lr=1e9", "outside"),
        ("Adam betas=0.9", "two numbers"),
        ("Adam momentum=0.9", "no hyperparameter 'momentum'"),
        ("SGD nesterov=maybe", "true or false"),
        ("LBFGS max_iter=2.5", "whole number"),
        ("LBFGS line_search_fn=armijo", "one of"),
        ("", "empty"),
        ("Adam __class__=1", "no hyperparameter"),
    ],
)
def test_bad_racer_text_is_refused_with_a_message(text, words):
    with pytest.raises(RacerError, match=words):
        parse_racer(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_text_is_a_racer_or_a_racer_error(text):
    try:
        racer = parse_racer(text)
    except RacerError as e:
        assert str(e)
    else:
        assert parse_racer(racer.to_text()) == racer


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from(OPTIMIZERS), lr=st.floats(1e-5, 10), data=st.data())
def test_racer_text_round_trips(name, lr, data):
    spec = SPECS[name]
    settings_ = {"lr": lr}
    for knob in spec.knobs:
        if knob.kind == "bool":
            settings_[knob.name] = data.draw(st.booleans())
        elif knob.kind == "float" and knob.name != "lr":
            settings_[knob.name] = data.draw(st.floats(knob.low, knob.high))
    racer = make_racer(name, **settings_)
    back = parse_racer(racer.to_text())
    assert back == racer
    assert with_lr(back, 0.5).lr == 0.5


def test_racers_typed_one_per_line_are_parsed_and_each_refused_line_says_why():
    text = "Adam lr=0.01 betas=0.9/0.999\n\n  SGD lr=0.5  \nFoo lr=1\nAdam lr=abc\nRMSprop lr=0.003"
    racers, refused = racers_from_lines(text, limit=5)  # the sixth line is beyond the limit
    assert racers == ("Adam lr=0.01", "SGD lr=0.5")
    assert refused == (
        "'Foo lr=1': unknown optimizer 'Foo'; choose from " + ", ".join(OPTIMIZERS) + ".",
        "'Adam lr=abc': lr = 'abc' is not a float value.",
    )
    assert racers_from_lines("", limit=5) == ((), ())


def test_adafactor_races_with_torchs_none_eps_and_muon_says_why_it_cannot():
    adafactor = make_racer("Adafactor")
    assert adafactor.value("eps") == (None, 1e-3) and adafactor.kwargs()["eps"] == (None, 1e-3)  # torch's default
    typed = parse_racer("Adafactor lr=0.05 eps=none/0.01")
    assert typed.to_text() == "Adafactor lr=0.05 eps=none/0.01" and parse_racer(typed.to_text()) == typed
    assert parse_racer("Adafactor eps=0/0.001") == adafactor  # 0 is how its widget shows none
    with pytest.raises(RacerError, match="Muon updates matrices only"):
        parse_racer("Muon lr=0.02")
    with pytest.raises(RacerError, match="sparse gradients only"):
        parse_racer("SparseAdam")


def test_every_optimizer_can_race_at_once():
    from core.race.setup import RaceSetup

    everyone = tuple(make_racer(name).to_text() for name in OPTIMIZERS)
    assert not RaceSetup(racers=everyone).validate()
    assert {n for n in dir(torch.optim) if isinstance(getattr(torch.optim, n), type)} - {"Optimizer"} <= set(
        OPTIMIZERS
    ) | {"Muon", "SparseAdam"}  # a new torch optimizer shows up here first
