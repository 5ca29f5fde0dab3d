"""Every tool page opened from a hostile link, through app.py's navigation: a warning, never an exception.

The core-level fuzz (tests/test_link_fuzz.py) covers every value; here each page runs whole, a few times: every
field of the link at once holding a hostile value (each run shifts which field gets which, so every field meets
several, plain and compressed), the links QA found crashing pages, and a few Hypothesis links. An unpaired
surrogate cannot travel in a real link (nor through AppTest), so none is sent.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from streamlit.testing.v1 import AppTest

from core.attention.setup import AttentionSetup
from core.attribution.setup import AttributionSetup
from core.builder.setup import BuilderSetup
from core.catalog import ROOT, TOOLS
from core.race.setup import RaceSetup
from core.settings import flat_types
from core.setup_state import PACKED, pack, quoted
from tests.app.navigate import through_app
from tests.markdown import rendered, shown
from tests.test_link_fuzz import assert_safe, link

APP = str(ROOT / "app.py")
SETUPS = {
    "network-builder": BuilderSetup,
    "optimizer-race": RaceSetup,
    "bert-attention": AttentionSetup,
    "attributions": AttributionSetup,
}
BY_KEY = {tool.key: tool for tool in TOOLS}
# Fields that choose what the page shows, kept fixed per run so that one hostile value cannot hide the rest of the
# page (a custom surface reads the formula and domain; a cheap method keeps the Attributions runs short), and the
# model source, which gets its own runs: a source that is no model stops a text page at its error message.
MODES = {
    "network-builder": [{}],
    "optimizer-race": [{"surface": "custom"}],
    "bert-attention": [{}],
    "attributions": [{"subject": "text", "method": "saliency"}, {"subject": "network", "method": "saliency"}],
}
HOSTILE = [
    "1e400",
    str(10**400),
    "-1",
    "nan",
    "\x00\x1b[2J",
    "**b**[l](https://example.com)$y$\u202e,%00",
    "x" * 2001,
    PACKED + pack("\x00\x01 é" * 2000),
    PACKED + "not compressed!",
]
ROUNDS = 3  # runs per page and mode; field i gets HOSTILE[(i + 3 * round) % len(HOSTILE)]


def open_page(key: str, params: dict[str, str]) -> AppTest:
    """The tool page opened from a link with `params`, through the app's navigation; fails on any exception."""
    at = through_app(BY_KEY[key].page, params)
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == [BY_KEY[key].title]
    for warning in at.warning:  # what the link held is shown literally: no markup in what the reader sees
        assert_safe(warning.value)
        assert rendered(warning.value)[1] <= {"p", "br"}, warning.value
    return at


def every_field(key: str, shift: int, mode: dict[str, str]) -> dict[str, str]:
    """A link in which every field but the mode and the source holds a hostile value (a compressed one under
    `<field>.z`)."""
    names = [name for name in flat_types(SETUPS[key]) if name not in mode and name != "source"]
    params = dict(mode)
    for i, name in enumerate(names):
        value = HOSTILE[(i + shift) % len(HOSTILE)]
        if value.startswith(PACKED):
            params[name + PACKED] = value[len(PACKED) :]
        else:
            params[name] = value
    return params


CASES = [(key, 3 * r, mode) for key in SETUPS for mode in MODES[key] for r in range(ROUNDS)]


@pytest.mark.parametrize(
    ("key", "shift", "mode"), CASES, ids=[f"{k}-{'-'.join(m.values()) or 'default'}-{s}" for k, s, m in CASES]
)
def test_a_page_whose_every_field_is_hostile_shows_warnings_and_works(key, shift, mode):
    at = open_page(key, every_field(key, shift, mode))
    assert at.warning  # the values it refused are named


@pytest.mark.parametrize(
    ("key", "source"),
    [("bert-attention", "../../etc/passwd"), ("attributions", "~nosuchuser/**b**[l](https://example.com)")],
)
def test_a_text_page_with_a_source_that_is_no_model_shows_the_error_and_its_widgets(key, source):
    at = open_page(key, {"source": source})
    assert at.error and at.text_input


@pytest.mark.parametrize(
    ("key", "params", "says"),
    [
        ("optimizer-race", {"racers": "LBFGS max_iter=inf"}, "max_iter = 'inf' is not a finite number"),
        ("optimizer-race", {"racers": "LBFGS history_size=1e400"}, "history_size = '1e400' is not a finite number"),
        ("optimizer-race", {"racers": "SGD optimizer=1"}, "'optimizer' cannot be set here"),
        ("bert-attention", {"source": "embedded\x00"}, "a control character"),
        ("attributions", {"source": "bert\x00"}, "a control character"),
    ],
)
def test_the_links_qa_found_crashing_a_page_load_it_with_a_clear_warning(key, params, says):
    at = open_page(key, params)
    assert not at.error, [e.value for e in at.error]
    value = next(iter(params.values()))
    assert any(says in shown(w.value) and quoted(value) in shown(w.value) for w in at.warning), [
        shown(w.value) for w in at.warning
    ]
    assert at.get("plotly_chart") or at.dataframe or at.get("iframe")  # it computed and drew the default set-up


def _sendable(params: dict[str, str]) -> dict[str, str]:
    """What a link can carry: text without unpaired surrogates."""
    return {k: v.encode("utf-8", "replace").decode("utf-8") for k, v in params.items()}


@pytest.mark.parametrize("key", list(SETUPS))
def test_a_few_random_hostile_links_open_every_page(key):
    @settings(
        max_examples=2, deadline=None, phases=[Phase.generate], database=None, suppress_health_check=list(HealthCheck)
    )
    @given(link(SETUPS[key]).map(lambda params: {**_sendable(params), **MODES[key][0]}))
    def check(params):
        open_page(key, params)

    check()
