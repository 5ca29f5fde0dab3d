"""pages/kit.py: a tool's state from one declaration: link → widgets → validated set-up → link, warnings once,
changes asked for before the widgets exist, tabs that reopen where they were."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


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
