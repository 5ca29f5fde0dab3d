"""Every page renders through app.py's navigation without an exception (Streamlit's AppTest, no browser).

Pages come from `core.catalog`, so a new tool is covered here as soon as it has its catalog entry.
"""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from core.builder.hand import EXAMPLES
from core.catalog import HOME, ROOT, TOOLS
from tests.app.navigate import through_app

APP = str(ROOT / "app.py")


def run_page(page: str) -> AppTest:
    return through_app(page)


def test_home_lists_every_tool_and_the_sidebar_shows_device_and_versions():
    at = run_page(HOME.page)
    assert not at.exception
    assert at.title[0].value == "NN Explorer"
    sidebar_text = " ".join(m.value for m in at.sidebar.markdown) + " ".join(c.value for c in at.sidebar.caption)
    assert "CPU" in sidebar_text or "GPU" in sidebar_text
    for library in ("torch", "transformers", "captum"):
        assert library in sidebar_text
    page_text = " ".join(m.value for m in at.markdown)
    for tool in TOOLS:
        assert tool.teaches.split()[0] in page_text


@pytest.mark.parametrize("tool", TOOLS, ids=[t.key for t in TOOLS])
def test_tool_page_renders_without_exception_or_error(tool):
    at = run_page(tool.page)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


# Each tool page: a widget to change, its key, and a new value (a user's change that must survive a visit elsewhere).
CHANGED = {
    "network-builder": ("selectbox", "builder.activation", ("relu", "sigmoid")),
    "bert-attention": ("text_area", "attention.text", ("Teachers put the demo on the projector.", "A class.")),
    "attributions": ("text_area", "attribution.text", ("A reviewer checks every number.", "Every one.")),
    "optimizer-race": ("slider", "race.li_extent", (0.5, 1.5)),
}


@pytest.mark.parametrize("tool", [t for t in TOOLS if t.key in CHANGED], ids=[t.key for t in TOOLS if t.key in CHANGED])
def test_a_page_opened_again_keeps_its_settings_and_works(tool):
    """Streamlit forgets the values of widgets a run does not draw unless they persist: coming back from another
    page once crashed (KeyError) or came back empty, and a second change made after coming back once was lost."""
    kind, key, values = CHANGED[tool.key]
    at = run_page(tool.page)
    if tool.key == "optimizer-race":  # a widget of a lazy tab: only drawn while its tab is open
        at.session_state["race.li_n"] = 11
        at.session_state["race.tab"] = "Network landscape"
        at.run()
    for value in values:  # the second round: the newest value comes back, not the first
        getattr(at, kind)(key=key).set_value(value).run()
        assert not at.exception, [e.value for e in at.exception]
        at.switch_page(HOME.page)
        at.run()
        at.switch_page(tool.page)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        assert not at.error, [e.value for e in at.error]
        assert getattr(at, kind)(key=key).value == value


def test_hand_mode_edits_and_choices_survive_a_visit_to_another_page(caplog):
    """A data editor's edits cannot be written back into its widget state: the editor restarts from its last
    matrix. Edit x of the second worked example, change its learning rate, visit Home, come back."""
    at = run_page("pages/network_builder.py")
    at.session_state["builder.tab"] = "Hand mode"  # tabs run only when open
    at.run()
    at.selectbox(key="builder.hand_example").set_value(list(EXAMPLES)[1]).run()
    assert any("Some tutorials print" in i.value for i in at.info)  # about the example's own numbers
    x_key = "builder.hand_x.1"
    at.session_state[x_key] = {"edited_rows": {0: {"0": 0.25}}, "added_rows": [], "deleted_rows": []}
    at.number_input(key="builder.hand_lr.1").set_value(0.5).run()
    edited = at.session_state["kept." + x_key + ".last"].copy()
    assert edited[0, 0] == 0.25
    assert not any("Some tutorials print" in i.value for i in at.info)  # not about numbers the user typed
    shown = [m.value for m in at.markdown if m.value.startswith("**Loss**")]
    at.switch_page(HOME.page)
    at.run()
    assert x_key not in at.session_state  # Streamlit dropped the editor's edits while the page was not drawn
    at.switch_page("pages/network_builder.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.selectbox(key="builder.hand_example").value == list(EXAMPLES)[1]
    assert at.number_input(key="builder.hand_lr.1").value == 0.5
    np.testing.assert_array_equal(at.session_state["kept." + x_key + ".last"], edited)
    assert [m.value for m in at.markdown if m.value.startswith("**Loss**")] == shown  # the same step, same numbers
    assert not [r for r in caplog.records if "created with a default value" in r.getMessage()]


def test_the_landscape_tabs_settings_survive_a_visit_to_another_page(caplog):
    race = "race."
    at = run_page("pages/optimizer_race.py")
    for key, value in (("tab", "Network landscape"), ("li_n", 11), ("net_steps", 20), ("net_plane", "own")):
        at.session_state[race + key] = value
    at.run()
    at.slider(key=race + "li_extent").set_value(0.5).run()
    at.switch_page(HOME.page)
    at.run()
    at.switch_page("pages/optimizer_race.py")
    at.run()  # the same tab is open again
    assert not at.exception, [e.value for e in at.exception]
    assert at.slider(key=race + "li_extent").value == 0.5 and at.slider(key=race + "li_n").value == 11
    assert at.radio(key=race + "net_plane").value == "own" and at.number_input(key=race + "net_steps").value == 20
    assert not [r for r in caplog.records if "created with a default value" in r.getMessage()]
