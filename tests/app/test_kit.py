"""pages/kit.py: a tool's state from one declaration: link → widgets → validated set-up → link, warnings once,
changes asked for before the widgets exist, tabs that reopen where they were."""

from __future__ import annotations

from dataclasses import dataclass

from streamlit.testing.v1 import AppTest

from core.settings import setting


@dataclass(frozen=True)
class Ticks:
    features: tuple[str, ...] = setting(
        ("a",), "Features", kind="checkboxes", choices=("a", "b", "c"), names={"a": "A", "b": "B", "c": "C"}
    )


def toy_page():
    import streamlit as st

    from pages.kit import ToolState
    from tests.test_settings import Toy

    state = ToolState("toy", Toy)
    state.start()
    state.widget("shape")
    state.widget("points")
    state.widget("rate")
    state.widget("layers", choices=range(1, 9))
    st.button("XOR please", key="toy.ask", on_click=lambda: state.ask(shape="xor", points=200))
    setup = state.current()
    st.text(repr(setup))
    for name, tab in state.tabs("tab", ["first", "second"]).items():
        if tab.open:
            with tab:
                st.text(f"open: {name}")


def run(**query) -> AppTest:
    at = AppTest.from_function(toy_page, default_timeout=30)
    at.query_params.update(query)
    return at.run()


def test_a_link_fills_the_declared_widgets_and_stays_the_pages_link():
    at = run(shape="xor", points="300", rate="0.1", layers="3,1")
    assert not at.exception and not at.warning
    assert at.selectbox(key="toy.shape").value == "xor" and at.slider(key="toy.points").value == 300
    assert at.number_input(key="toy.rate").value == 0.1 and at.multiselect(key="toy.layers").value == [3, 1]
    assert dict(at.query_params) == {"shape": "xor", "points": "300", "rate": "0.1", "layers": "3,1"}
    assert "Toy(shape='xor', points=300, rate=0.1, layers=(3, 1)" in at.text[0].value


def test_a_changed_widget_changes_the_set_up_and_the_link():
    at = run()
    at.slider(key="toy.points").set_value(1000).run()
    assert dict(at.query_params) == {"points": "1000"} and "points=1000" in at.text[0].value


def test_what_was_wrong_in_a_link_is_said_once_and_the_rest_is_kept():
    at = run(shape="moons", points="300")
    assert len(at.warning) == 1 and "shape" in at.warning[0].value
    assert at.slider(key="toy.points").value == 300
    at.run()
    assert not at.warning


def test_a_change_asked_for_by_a_callback_is_in_the_widgets_before_they_are_drawn():
    at = run()
    at.button(key="toy.ask").click().run()
    assert at.selectbox(key="toy.shape").value == "xor" and at.slider(key="toy.points").value == 200
    assert dict(at.query_params) == {"shape": "xor", "points": "200"}


def test_values_that_are_only_wrong_together_are_reset_with_a_warning_that_says_why():
    at = run(shape="xor")
    at.session_state["toy.points"] = 101  # the slider's step never gives this; a widget state from elsewhere may
    at.run()
    assert any("even number of points" in w.value for w in at.warning)
    assert "points=100" in at.text[0].value and at.slider(key="toy.points").value == 100  # reset to its default


def test_the_open_tab_is_kept_in_the_session():
    at = run()
    assert "open: first" in [t.value for t in at.text]
    at.session_state["toy.tab"] = "second"
    at.run()
    assert "open: second" in [t.value for t in at.text]


def ticks_page():
    import numpy as np
    import streamlit as st

    from pages.kit import ToolState
    from tests.app.test_kit import Ticks

    state = ToolState("ticks", Ticks)
    state.start()
    state.widget("features")
    st.text(repr(state.current()))
    if st.toggle("Show the matrix", value=True, key="ticks.show"):
        st.text(repr(state.matrix("m", np.eye(2)).tolist()))


def test_checkboxes_tick_one_box_per_choice_and_keep_the_choices_order():
    at = AppTest.from_function(ticks_page, default_timeout=30)
    at.query_params.update({"features": "c,a"})
    at.run()
    assert not at.exception and not at.warning and at.markdown[0].value == "**Features**"
    assert [(c.label, c.value) for c in at.checkbox] == [("A", True), ("B", False), ("C", True)]
    assert "features=('a', 'c')" in at.text[0].value and dict(at.query_params) == {"features": "a,c"}
    at.checkbox(key="ticks.features.b").check().run()
    at.checkbox(key="ticks.features.a").uncheck().run()
    assert "features=('b', 'c')" in at.text[0].value and dict(at.query_params) == {"features": "b,c"}


def test_a_matrix_editor_starts_again_from_its_last_matrix_after_a_run_that_did_not_draw_it():
    at = AppTest.from_function(ticks_page, default_timeout=30)
    at.run()
    assert at.text[1].value == "[[1.0, 0.0], [0.0, 1.0]]"
    at.session_state["ticks.m"] = {"edited_rows": {0: {"1": 5}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert at.text[1].value == "[[1.0, 5.0], [0.0, 1.0]]"
    at.toggle(key="ticks.show").set_value(False).run()
    assert "ticks.m" not in at.session_state  # Streamlit forgot the edits of the editor it did not draw
    at.toggle(key="ticks.show").set_value(True).run()
    assert at.text[1].value == "[[1.0, 5.0], [0.0, 1.0]]"


def following_page():
    """A toggle that shows whether there are few points, and the rate typed as text: widgets that follow the
    set-up; a widget that is no field, drawn from a Setting of its own."""
    import streamlit as st

    from core.settings import Setting
    from pages.kit import ToolState
    from pages.widgets import draw
    from tests.test_settings import Toy

    state = ToolState("toy", Toy, follow={"few": lambda s: s.points < 500, "rate": lambda s: f"{s.rate:g}"})
    state.start()
    st.toggle("Few points", key="toy.few")
    state.widget("points")
    state.widget("rate", kind="text")
    st.button("Many", key="toy.ask", on_click=lambda: state.ask(points=1000, rate=0.5))
    setup = state.current(rate=float(state.value("rate")))
    st.text(repr(setup))
    extra = draw(Setting("Knob", low=1, high=9), "toy.knob", whole=True)
    st.text(f"knob {extra!r}")


def test_widgets_that_follow_the_set_up_are_set_with_it_and_a_setting_of_no_field_draws_its_widget():
    at = AppTest.from_function(following_page, default_timeout=30)
    at.query_params.update({"points": "300", "rate": "0.25"})
    at.run()
    assert not at.exception and at.toggle(key="toy.few").value is True
    assert at.text_input(key="toy.rate").value == "0.25" and "rate=0.25" in at.text[0].value
    at.button(key="toy.ask").click().run()
    assert at.toggle(key="toy.few").value is False and at.text_input(key="toy.rate").value == "0.5"
    assert dict(at.query_params) == {"points": "1000", "rate": "0.5"}
    knob = at.number_input(key="toy.knob")
    assert knob.value == 1 and (knob.min, knob.max) == (1, 9) and at.text[1].value == "knob 1"


def lesson_page():
    import streamlit as st

    from pages.kit import ToolState
    from tests.test_settings import Lesson

    state = ToolState("lesson", Lesson)
    state.start()
    state.widget("shape")
    state.widget("rate")
    state.widget("epochs")
    st.button("Slow down", key="lesson.ask", on_click=lambda: state.ask(rate=0.001))
    st.text(repr(state.current()))


def test_a_groups_fields_are_widgets_and_link_parameters_by_their_own_names():
    at = AppTest.from_function(lesson_page, default_timeout=30)
    at.query_params.update({"epochs": "20"})
    at.run()
    assert not at.exception and not at.warning and at.number_input(key="lesson.epochs").value == 20
    at.number_input(key="lesson.rate").set_value(0.5).run()
    assert dict(at.query_params) == {"epochs": "20", "rate": "0.5"}
    assert "training=Training(rate=0.5, epochs=20)" in at.text[0].value
    at.button(key="lesson.ask").click().run()
    assert at.number_input(key="lesson.rate").value == 0.001 and dict(at.query_params)["rate"] == "0.001"
