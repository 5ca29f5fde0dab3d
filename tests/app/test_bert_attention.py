"""The BERT attention page through AppTest: every view renders, bad input gets a message, caching holds."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import core.attention.extract
from core.attention.setup import VIEWS
from core.catalog import ROOT
from tests.markdown import shown

PAGE = str(ROOT / "pages" / "bert_attention.py")


def K(name: str) -> str:
    return f"attention.{name}"


def page(**query) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    return at


def problems(at: AppTest) -> list[str]:
    return [e.value for e in at.exception] + [e.value for e in at.error]


def test_default_page_shows_the_head_view_with_no_problems():
    at = page()
    assert not problems(at)
    assert "6 layers × 12 heads" in at.markdown[0].value
    (lines,) = at.get("iframe")  # the hover head view: a self-contained page, one line per weight drawn
    assert lines.proto.srcdoc.count("<line ") > 0 and "mouseenter" in lines.proto.srcdoc


@pytest.mark.parametrize("view", VIEWS)
def test_every_view_renders(view):
    at = page(view=view)
    assert not problems(at), view
    assert at.session_state[K("view")] == view


def test_switching_layer_and_heads_recomputes_no_attention(monkeypatch):
    calls = []
    original = core.attention.extract.extract
    monkeypatch.setattr(core.attention.extract, "extract", lambda *a, **k: calls.append(1) or original(*a, **k))
    at = page(text="A sentence only this test uses for counting.")
    first = len(calls)
    at.selectbox(key=K("layer")).select(3).run()
    at.multiselect(key=K("heads")).select(5).run()
    assert not problems(at)
    assert len(calls) == first <= 1
    assert at.session_state[K("heads")] == [1, 5]  # counted from 1, as the page shows them


@pytest.mark.parametrize("text, message", [("", "empty"), ("   \n ", "whitespace")])
def test_empty_text_gets_a_message(text, message):
    at = page()
    at.text_area(key=K("text")).set_value(text).run()
    assert not at.exception
    assert any(message in e.value for e in at.error)


def test_long_text_is_truncated_with_a_warning():
    at = page()
    at.text_area(key=K("text")).set_value("word " * 600).run()
    assert not problems(at)
    assert any("only the first 256" in w.value for w in at.warning)


def test_a_long_text_travels_compressed_in_the_link_and_reopens_the_same_page():
    text = " ".join(f"word{i}" for i in range(500))  # 3,889 characters, 1,336 compressed: over the old 1,000 cut
    at = page()
    at.text_area(key=K("text")).set_value(text).run()
    assert not problems(at) and "text" not in at.query_params
    reopened = page(**{"text.z": at.query_params["text.z"]})
    assert not problems(reopened)
    assert reopened.session_state[K("text")] == text
    assert not any("too long for the page link" in w.value for w in reopened.warning)


def test_a_text_too_long_for_a_link_even_compressed_says_so_and_the_page_works():
    rng = np.random.default_rng(0)
    text = "".join(chr(c) for c in rng.integers(0x4E00, 0x9FFF, 6000))  # random CJK: barely compresses
    at = page()
    at.text_area(key=K("text")).set_value(text).run()
    assert not problems(at)
    assert any(
        "text (6,000 characters) is too long for the page link even compressed" in shown(w.value) for w in at.warning
    )
    assert "text" not in at.query_params and "text.z" not in at.query_params


def test_unknown_model_gets_the_loaders_message():
    at = page()
    at.text_input(key=K("source")).set_value("/no/such/folder").run()
    assert not at.exception
    assert any("No model folder" in e.value for e in at.error)


def test_pair_words_and_excluded_specials():
    at = page(text="The cat sat on the mat.", text_b="It was unhappily tired.", granularity="words", special="exclude")
    assert not problems(at)
    assert at.session_state[K("pair")]
    assert at.get("button_group")  # the pair filter is offered for a pair
    summary = at.markdown[0].value
    assert "words" in summary and "special tokens removed" in summary and "renormalised" in summary


def test_flow_and_statistics_views_on_a_short_input():
    at = page(view="Aggregates")
    at.button_group(key=K("aggregate")).set_value("Flow").run()
    assert not problems(at)
    at = page(view="Head statistics", weighting="norm")
    assert not problems(at)


def test_classifier_from_a_folder_shows_class_probabilities_after_ablation(tiny_folder):
    folder = str(tiny_folder("classifier"))
    at = page(source=folder, text="the movie was good .", view="Ablation")
    assert not problems(at)
    at.multiselect(key=K("ablate")).select("L1 H2").run()
    assert not problems(at)
    assert any("Predicted class" in m.value for m in at.markdown)


def test_switched_off_heads_travel_in_the_link_and_come_back():
    at = page(view="Ablation")
    at.multiselect(key=K("ablate")).select("L2 H3").select("L6 H12").run()
    assert not problems(at)
    assert at.query_params["ablate"] == "L2 H3,L6 H12"
    reopened = page(view="Ablation", ablate=at.query_params["ablate"])
    assert not problems(reopened)
    assert reopened.multiselect(key=K("ablate")).value == ["L2 H3", "L6 H12"]
    headline = [m.value for m in at.markdown if m.value.startswith("**")]
    assert headline and headline == [m.value for m in reopened.markdown if m.value.startswith("**")]


def test_a_link_naming_a_head_the_model_lacks_leaves_it_out():
    at = page(view="Ablation", ablate="L2 H3,L7 H1")  # MiniLM has 6 layers
    assert not problems(at)
    assert at.multiselect(key=K("ablate")).value == ["L2 H3"]


def test_compare_explains_unequal_lengths():
    at = page(view="Compare", compare_text="A much longer sentence than the first one, with extra words.")
    assert not problems(at)
    assert any("same number" in i.value for i in at.info)


def test_garbage_link_parameters_fall_back_with_a_warning():
    at = page(layer="seven", special="nonsense")
    assert not problems(at)
    assert len([w for w in at.warning if "Ignored link parameter" in w.value]) == 2


def test_switching_to_a_smaller_model_keeps_choices_in_range(tiny_folder):
    at = page(view="Neuron view", layer="5", heads="11")
    at.selectbox(key=K("neuron-query")).select(10).run()
    at.text_input(key=K("source")).set_value(str(tiny_folder("masked-lm"))).run()
    at.text_area(key=K("text")).set_value("the cat [MASK] .").run()
    assert not problems(at)
    assert at.session_state[K("layer")] <= 2 and at.session_state[K("heads")][0] <= 4
    assert at.session_state[K("neuron-query")] < 6


@pytest.mark.parametrize("query", [{"layer": "99", "heads": "abc"}, {"heads": "50"}, {"layer": "0", "heads": "0,3"}])
def test_out_of_range_layer_or_heads_in_the_link_are_clamped_with_a_warning(query):
    at = page(view="Export", **query)
    assert not problems(at)
    assert any("does not exist" in w.value or "Ignored link parameter" in w.value for w in at.warning)
    assert 1 <= at.session_state[K("layer")] <= 6 and all(1 <= h <= 12 for h in at.session_state[K("heads")])
    link = dict(at.query_params)  # defaults (layer 1, head 1) are left out
    assert 1 <= int(link.get("layer", "1")) <= 6
    assert all(1 <= int(h) <= 12 for h in link.get("heads", "1").split(","))


def test_link_counts_layers_and_heads_from_1_like_the_page():
    at = page(layer="3", heads="2,12")
    assert not problems(at)
    assert at.session_state[K("layer")] == 3 and at.session_state[K("heads")] == [2, 12]
    at.selectbox(key=K("layer")).select(6).run()
    assert at.query_params["layer"] == "6" and at.query_params["heads"] == "2,12"


def test_export_names_the_selected_layer_and_heads_as_the_page_numbers_them():
    at = page(view="Export", layer="3", heads="2")
    assert not problems(at)
    assert any("Selected: layer 3, head 2 " in c.value for c in at.caption)


def test_json_export_of_every_map_at_256_tokens_is_capped_like_csv():
    at = page(view="Export", text="word " * 300)
    at.radio(key=K("export-scope")).set_value("all layers and heads").run()
    at.radio(key=K("export-format")).set_value("JSON").run()
    assert not problems(at)
    assert any("too many for JSON" in w.value for w in at.warning)


def charts(at: AppTest) -> list[dict]:
    import json

    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def test_compare_shares_one_colour_scale_and_honours_hidden_specials():
    at = page(view="Compare", special="hide")
    assert not problems(at)
    a, b = charts(at)[:2]
    assert a["data"][0]["zmax"] == b["data"][0]["zmax"] is not None
    assert not any("[CLS]" in t for t in a["layout"]["yaxis"]["ticktext"])
    assert any("hidden" in c.value for c in at.caption)


def test_compare_names_the_empty_second_sentence():
    at = page(view="Compare")
    at.text_input(key=K("compare_text")).set_value("  ").run()
    assert not at.exception
    assert any(e.value.startswith("Second sentence is empty") for e in at.error)


def test_head_fusion_is_offered_only_where_it_acts():
    at = page(view="Aggregates")
    assert at.selectbox(key=K("fusion"))  # rollout
    for what in ("Mean over heads", "Token through layers"):
        at.button_group(key=K("aggregate")).set_value(what).run()
        assert not problems(at)
        assert K("fusion") not in [s.key for s in at.selectbox]


def test_pair_with_empty_text_b_says_it_shows_one_sentence():
    at = page()
    at.toggle(key=K("pair")).set_value(True).run()
    assert not problems(at)
    assert any("Text B is empty" in w.value for w in at.warning)


def test_neuron_view_is_recomputed_only_for_a_new_query_row(monkeypatch):
    import core.attention.neuron

    calls = []
    original = core.attention.neuron.neuron_view
    monkeypatch.setattr(core.attention.neuron, "neuron_view", lambda *a, **k: calls.append(1) or original(*a, **k))
    at = page(view="Neuron view", text="Only the neuron cache test uses this sentence.")
    at.run()
    assert not problems(at) and len(calls) == 1
    at.selectbox(key=K("neuron-query")).select(2).run()
    assert len(calls) == 2


def test_a_views_own_settings_survive_switching_views_twice():
    """The Compare view's sentence came back as the default after a visit to another view (a value Streamlit had
    been given while the view was hidden stood in for the user's)."""
    at = page()
    for sentence in ("A dog barked.", "A bird sang."):
        at.session_state[K("view")] = "Compare"
        at.run()
        at.text_input(key=K("compare_text")).set_value(sentence).run()
        for view in ("Head view", "Model view", "Compare"):
            at.session_state[K("view")] = view
            at.run()
        assert not problems(at)
        assert at.text_input(key=K("compare_text")).value == sentence


def test_a_typed_model_name_is_shown_literally_in_the_loaders_message():
    at = page(source="__import__*x*")
    assert any("'__import__*x*' is neither a model folder" in shown(e.value) for e in at.error), problems(at)


def test_compare_says_when_the_second_sentence_is_truncated():
    at = page(view="Compare")
    at.text_input(key=K("compare_text")).set_value("word " * 600).run()
    assert not problems(at)
    assert any("Second sentence has 602 tokens; only the first 256 are used" in shown(w.value) for w in at.warning)


def test_a_pasted_text_too_long_to_read_is_refused_in_every_text_box():
    at = page()
    at.toggle(key=K("pair")).set_value(True).run()
    at.text_area(key=K("text_b")).set_value("a second sentence .").run()
    for box, name in (("text", "Text A"), ("text_b", "Text B")):
        at.text_area(key=K(box)).set_value("word " * 5000).run()
        assert [shown(e.value) for e in at.error] == [
            f"{name} has 25,000 characters; the limit is 20,000. Models read a few hundred tokens at most: "
            "paste a shorter passage."
        ]
        assert not at.get("iframe")  # no head view of another input
        at.text_area(key=K(box)).set_value("a short sentence .").run()
        assert not problems(at)
