"""The optimizer race page: set-up from a link, knobs, bad input, every tab, with Streamlit's AppTest."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from core.catalog import ROOT
from pages.kit import TRAINED_NETWORK
from tests.markdown import shown

PAGE = str(ROOT / "pages" / "optimizer_race.py")
K = "race."


def page(params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown) + " ".join(e.value for e in at.error)


def test_default_race_renders_with_table_and_link():
    at = page()
    assert not at.error
    table = at.dataframe[0].value
    assert list(table["racer"]) == [
        "SGD lr=0.001",
        "SGD lr=0.001 (momentum=0.9)",
        "Adam lr=0.05",
        "RMSprop lr=0.01",
        "LBFGS lr=1",
    ]
    assert (table["steps"] == 300).all()
    assert "racers" not in at.query_params  # the default racers, unchanged, stay out of the link
    assert len(at.get("download_button")) == 2  # CSV and GIF
    assert table["evaluations"].iloc[-1] > 300  # LBFGS evaluates more than once per step


def test_link_reproduces_a_race_and_bad_link_values_warn():
    at = page(
        {
            "surface": "quadratic",
            "kappa": "25",
            "racers": "SGD lr=0.1,Adam lr=0.2 betas=0.8/0.9",
            "steps": "50",
            "noise": "abc",
            "start_x": "1.5",
            "start_y": "-1",
        }
    )
    assert any("noise" in w.value for w in at.warning)
    table = at.dataframe[0].value
    assert list(table["racer"]) == ["SGD lr=0.1", "Adam lr=0.2 (betas=0.8/0.9)"]
    assert (table["steps"] <= 50).all()
    # SGD with lr 0.1 on λ_max = 25 diverges: lr·λ = 2.5 > 2, said in the error
    assert any("2/λ_max = 0.08" in shown(e.value) for e in at.error)
    assert at.query_params["kappa"] == "25.0" and at.query_params["start_x"] == "1.5"


def test_unknown_optimizer_in_link_falls_back_with_a_warning():
    at = page({"racers": "Foo lr=1"})
    assert any("unknown optimizer 'Foo'" in shown(w.value) for w in at.warning)
    assert len(at.dataframe[0].value) == 5


def test_knob_change_changes_the_race():
    at = page()
    lr_inputs = [n for n in at.number_input if n.key and n.key.endswith(".lr")]
    lr_inputs[0].set_value(0.002).run()
    assert not at.exception
    assert at.dataframe[0].value["racer"].iloc[0] == "SGD lr=0.002"


def test_torch_refuses_nesterov_without_momentum_with_a_message():
    at = page({"racers": "SGD lr=0.001 nesterov=true,Adam lr=0.05"})
    assert any("Nesterov" in e.value for e in at.error) or any("Nesterov" in w.value for w in at.warning)
    assert not at.exception


@pytest.mark.parametrize(
    "formula, words",
    [
        ("__import__('os')", "double underscores"),
        ("log(x)", "not finite"),
        ("x +", "syntax"),
        ("open(x)", "not an allowed function"),
    ],
)
def test_bad_formula_is_an_error_message_not_a_crash(formula, words):
    at = page({"surface": "custom", "formula": formula})
    assert any(words in e.value for e in at.error), [e.value for e in at.error]


def test_good_formula_races():
    at = page({"surface": "custom", "formula": "(x - 1)**2 + 3*(y + 0.5)**2", "domain": "-3,3,-3,3", "steps": "100"})
    assert not at.error
    assert at.dataframe[0].value["distance to minimum"].min() < 0.1


def test_invalid_setup_values_are_reported():
    at = page({"steps": "0"})
    assert any("steps" in w.value for w in at.warning)
    at.number_input(key=K + "steps").set_value(5001)
    # the widget refuses values above its maximum itself; the set-up stays valid
    assert not at.exception


@pytest.mark.parametrize("tab", ["Inside a step", "Momentum"])
def test_other_tabs_render_and_rerun(tab):
    at = page()
    at.session_state[K + "tab"] = tab
    at.run()
    assert not at.exception and not at.error
    at.run()
    assert not at.exception


def test_inside_one_update_shows_adams_first_step():
    at = page({"racers": "Adam lr=0.05"})
    at.session_state[K + "tab"] = "Inside a step"
    at.run()
    body = " ".join(m.value for m in at.markdown)
    assert "first step = lr·sign(g)" in body and "(0.05, 0.05)" in body


def test_goh_button_adds_the_optimal_racers():
    at = page()
    at.session_state[K + "tab"] = "Momentum"
    at.run()
    at.button(key=K + "goh_fill").click().run()
    assert at.session_state[K + "surface"] == "quadratic"
    labels = [t for _, t in at.session_state[K + "racers"]]
    assert any("momentum=" in t for t in labels[-2:])
    assert not at.exception


def test_play_at_the_end_rewinds_and_advances():
    at = page({"steps": "120"})
    assert at.slider(key=K + "step").value == 120
    at.toggle(key=K + "playing").set_value(True).run()
    assert not at.exception
    assert at.slider(key=K + "step").value <= 2  # rewound to 0, then one tick of 120 // 60


@pytest.mark.parametrize(
    "params, words",
    [
        ({"surface": "custom", "domain": "1,2"}, "domain"),
        ({"start_x": "1e6", "start_y": "1e6"}, "outside the plotted domain"),
        ({"seed": "99999"}, "seed"),
        ({"kappa": "5000"}, "kappa"),
        ({"max_evals": "-3"}, "max_evals"),
    ],
)
def test_bad_domain_and_far_start_are_explained(params, words):
    at = AppTest.from_file(PAGE, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception
    messages = [shown(m.value) for m in (*at.warning, *at.error)]
    assert any(words in m for m in messages), messages


def test_setup_survives_a_visit_to_another_page():
    """Streamlit drops widget state of pages not drawn; the page refills it from the last set-up."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page("pages/optimizer_race.py").run()
    at.selectbox(key=K + "surface").set_value("beale").run()
    at.number_input(key=K + "steps").set_value(77).run()
    at.switch_page("pages/home.py").run()
    at.switch_page("pages/optimizer_race.py").run()
    assert not at.exception
    assert at.selectbox(key=K + "surface").value == "beale" and at.number_input(key=K + "steps").value == 77
    assert (at.dataframe[0].value["steps"] <= 77).all()


def landscape_tab(trained=None, **state) -> AppTest:
    """The 'Network landscape' tab at a small grid, with a builder's network in the session if given."""
    at = AppTest.from_file(PAGE, default_timeout=240)
    if trained is not None:
        at.session_state[TRAINED_NETWORK.key] = trained
    at.query_params["tab"] = "Network landscape"  # a first visit opens the link's tab
    at.session_state[K + "li_n"] = 11
    at.session_state[K + "net_steps"] = 20
    for key, value in state.items():
        at.session_state[K + key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_landscape_tab_uses_the_builders_network_and_can_switch_to_the_default():
    from core.builder.trained import train_default_network
    from core.models import ModelSnapshot

    trained = train_default_network(epochs=7)
    before = ModelSnapshot.of(trained.model)
    at = landscape_tab(trained)
    body = texts(at)
    assert "Network builder's network: 2-4-2-1 tanh, circle, 7 epochs" in body and "25 parameters" in body
    assert "sigmoid + binary cross-entropy" in body
    assert not at.error
    assert len(at.get("plotly_chart")) == 3  # slice, eigen/random lines, racers on a plane
    assert ModelSnapshot.of(trained.model) == before
    at.radio(key=K + "net_source").set_value("default").run()
    assert not at.exception
    assert "default MLP: 2-16-16-1 ReLU" in texts(at) and "Network builder's network" not in texts(at)


def test_landscape_tab_without_a_builders_network_shows_the_default():
    at = landscape_tab()
    assert "default MLP: 2-16-16-1 ReLU" in texts(at)
    assert any("Network builder" in c.value for c in at.caption)


@pytest.mark.parametrize("dataset", ["spiral3", "bumps"])
def test_landscape_tab_on_a_three_class_or_regression_builder_network(dataset):
    from core.builder.setup import BuilderSetup
    from core.builder.trained import train_default_network

    at = landscape_tab(train_default_network(BuilderSetup(dataset=dataset), epochs=3), net_plane="own")
    assert f"{dataset}, 3 epochs" in texts(at)
    assert not at.error


def test_tune_sweeps_lbfgs_and_adam_with_a_progress_bar_and_offers_the_tuned_rates():
    at = page({"racers": "LBFGS lr=1,Adam lr=0.05", "steps": "20", "surface": "booth"})
    at.session_state[K + "tab"] = "Tune the rate"
    at.run()
    at.button(key=K + "tune.run").click().run()
    assert not at.exception and not at.error
    tuned = at.session_state[K + "tuned"]
    assert set(tuned) == {"LBFGS lr=1", "Adam lr=0.05"}
    assert list(at.dataframe[0].value["racer"]) == ["LBFGS lr=1", "Adam lr=0.05"]
    assert at.toggle(key=K + "use_tuned")


def test_a_diverged_builder_network_falls_back_to_the_default_with_a_message():
    import torch

    from core.builder.trained import train_default_network

    trained = train_default_network(epochs=1)
    with torch.no_grad():
        trained.model.linears[0].weight.fill_(float("nan"))  # this test's own network, as after a blow-up
    at = landscape_tab(trained)
    assert any("diverged" in w.value for w in at.warning)
    assert "default MLP: 2-16-16-1 ReLU" in texts(at)


def test_typed_formulas_and_racers_are_shown_literally_not_as_markdown():
    """`(x-1.5)**2` showed as `(x-1.5)*2` half in italics, and `__import__` lost its underscores."""
    at = page({"surface": "custom", "formula": "(x-1.5)**2 + y**2", "racers": "SGD lr=0.01,__import__ lr=1"})
    assert "f(x, y) = (x-1.5)**2 + y**2" in " ".join(shown(m.value) for m in at.markdown)
    assert any("'__import__'" in shown(w.value) for w in at.warning), [w.value for w in at.warning]
    at = page({"surface": "custom", "formula": "__import__(x)"})
    assert any("double underscores" in shown(e.value) for e in at.error)


def test_what_was_wrong_in_the_link_is_said_once():
    at = page({"noise": "abc", "steps": "40"})
    assert [w.value for w in at.warning if "noise" in w.value]
    at.number_input(key=K + "seed").set_value(3).run()
    assert not [w.value for w in at.warning if "noise" in w.value]
    assert at.query_params["steps"] == "40" and at.query_params["seed"] == "3"


def rows(at: AppTest) -> list[str]:
    return [text for _, text in at.session_state[K + "racers"]]


def test_twin_remove_and_add_change_the_racers_and_keep_the_others_knobs():
    at = page({"racers": "SGD lr=0.1,Adam lr=0.2", "steps": "30", "surface": "booth"})
    adam_lr = next(n for n in at.number_input if n.key.endswith(".lr") and n.value == 0.2)
    adam_lr.set_value(0.3).run()
    twin = next(b for b in at.button if b.key and ".twin" in b.key)
    twin.click().run()
    assert rows(at) == ["SGD lr=0.1", "SGD lr=0.1", "Adam lr=0.3"]
    assert list(at.dataframe[0].value["racer"]) == ["SGD lr=0.1 #1", "SGD lr=0.1 #2", "Adam lr=0.3"]
    next(b for b in at.button if b.key and ".remove" in b.key).click().run()
    at.selectbox(key=K + "add_choice").set_value("RMSprop").run()
    at.button(key=K + "add").click().run()
    assert rows(at) == ["SGD lr=0.1", "Adam lr=0.3", "RMSprop lr=0.01"]
    assert at.query_params["racers"] == "SGD lr=0.1,Adam lr=0.3,RMSprop lr=0.01" and not at.exception


def test_the_tuned_rates_race_while_the_editor_keeps_each_racers_own_rate():
    at = page({"racers": "Adam lr=0.05", "steps": "20", "surface": "booth"})
    at.session_state[K + "tab"] = "Tune the rate"
    at.run()
    at.button(key=K + "tune.run").click().run()
    best = at.session_state[K + "tuned"]["Adam lr=0.05"]
    at.toggle(key=K + "use_tuned").set_value(True).run()
    tuned = f"Adam lr={best:.6g}"
    assert rows(at) == ["Adam lr=0.05"] and at.query_params["racers"].startswith("Adam lr=")
    at.session_state[K + "tab"] = "Race"
    at.run()
    assert list(at.dataframe[0].value["racer"]) == [tuned]
    at.selectbox(key=K + "surface").set_value("himmelblau").run()  # any change: the editor still holds lr=0.05
    assert rows(at) == ["Adam lr=0.05"] and list(at.dataframe[0].value["racer"]) == [tuned]
    at.toggle(key=K + "use_tuned").set_value(False).run()
    assert list(at.dataframe[0].value["racer"]) == ["Adam lr=0.05"]


def test_a_custom_domain_and_the_chosen_start_survive_other_surfaces():
    at = page({"surface": "custom", "domain": "-3.0,3.0,-2.0,2.0", "start_x": "1.5", "start_y": "-1.0"})
    assert at.text_input(key=K + "domain").value == "-3, 3, -2, 2" and at.toggle(key=K + "own_start").value
    at.selectbox(key=K + "surface").set_value("booth").run()
    at.toggle(key=K + "own_start").set_value(False).run()
    assert "start_x" not in at.query_params and "domain" not in at.query_params
    at.selectbox(key=K + "surface").set_value("custom").run()
    assert at.text_input(key=K + "domain").value == "-3, 3, -2, 2" and at.query_params["domain"] == "-3.0,3.0,-2.0,2.0"
    assert at.number_input(key=K + "start_x").value == 1.5  # kept, unused while the start is the surface's own


def test_a_typed_domain_that_is_no_domain_is_reset_with_a_warning_that_says_why():
    at = page({"surface": "custom", "steps": "20"})
    at.text_input(key=K + "domain").set_value("4, -4, x").run()
    assert not at.exception
    assert any("domain: needs four numbers" in shown(w.value) for w in at.warning), [w.value for w in at.warning]
    assert at.text_input(key=K + "domain").value == "-4, 4, -4, 4" and "domain" not in at.query_params


def test_a_click_on_the_contour_starts_the_race_there_and_switches_choose_the_start_on():
    from streamlit.elements.plotly_chart import PlotlyState

    at = page({"steps": "30", "racers": "Adam lr=0.05"})
    assert at.toggle(key=K + "own_start").value is False
    at.session_state[K + "contour"] = PlotlyState(
        {"selection": {"points": [{"x": 0.51234, "y": -0.25}], "point_indices": [], "box": [], "lasso": []}}
    )
    at.run()
    assert not at.exception
    assert at.toggle(key=K + "own_start").value is True and at.number_input(key=K + "start_x").value == 0.512
    assert at.query_params["start_x"] == "0.512" and at.query_params["start_y"] == "-0.25"
    assert rows(at) == ["Adam lr=0.05"]
    at.number_input(key=K + "start_x").set_value(1.0).run()  # the click's selection stays: it does not move it back
    assert at.query_params["start_x"] == "1.0"


def test_landscape_extent_starts_where_the_valley_fills_the_slice_and_stays_where_the_user_puts_it():
    from core.race.landscape import fitting_extent
    from core.race.networks import default_network

    net = default_network()
    at = landscape_tab()
    assert at.slider(key=K + "li_extent").value == fitting_extent(net.problem, net.trained, net.start, 0) < 1
    assert any("At θ* the loss curves λ =" in c.value for c in at.caption)
    at.slider(key=K + "li_extent").set_value(1.0).run()
    assert not at.exception and at.slider(key=K + "li_extent").value == 1.0


def test_the_open_tab_is_in_the_link_and_a_link_opens_its_tab():
    at = page({"steps": "30"})
    assert "tab" not in at.query_params  # the first tab is the default: the link stays short
    race = at.session_state["heavy.results"]
    at.session_state[K + "tab"] = "Momentum"  # as a click on the tab does
    at.run()
    assert at.query_params["tab"] == "Momentum" and at.query_params["steps"] == "30"
    assert at.session_state["heavy.results"] is race and len([k for k in race if k[0] == K + "race"]) == 1
    shared = page({"steps": "30", "tab": "Momentum"})
    assert shared.session_state[K + "tab"] == "Momentum"
    assert any(m.label.startswith("best momentum") for m in shared.metric)  # the Momentum tab's own content ran
    assert page({"tab": "Nowhere"}).session_state[K + "tab"] == "Race"


def test_a_clicked_momentum_pair_is_run_and_drawn():
    at = page({"tab": "Momentum"})
    assert "the best momentum pair" in texts(at) and len(at.get("plotly_chart")) == 2  # the map and the path
    at.session_state[K + "goh_pick"] = (10.0, (0.05, 0.5))  # as a click on the map at κ = 10 stores it
    at.run()
    assert not at.exception and "`torch.optim.SGD(lr=0.05, momentum=0.5)`" in texts(at)
    assert "the pair you clicked" in texts(at)
    at.slider(key=K + "goh_kappa").set_value(20.0).run()  # another κ: its own best pair again
    assert "the best momentum pair" in texts(at)


def test_the_noise_fan_runs_on_the_work_queue_and_a_long_one_waits_for_a_click():
    at = page({"noise": "0.5", "steps": "50", "racers": "Adam lr=0.05"})
    assert len(at.get("plotly_chart")) == 4  # contour, metrics, 3-D surface and the fan, computed at once
    long = page({"noise": "0.5", "steps": "5000", "racers": "Adam lr=0.05"})
    assert len(long.get("plotly_chart")) == 3  # 8 seeds × 5,000 steps (~20 s) wait for Run
    assert long.button(key=K + "fan.run").label.startswith("Run: Adam lr=0.05 under 8 noise seeds")
    long.button(key=K + "fan.run").click().run()
    assert not long.exception and not long.error and len(long.get("plotly_chart")) == 4
