"""The Attributions page through Streamlit's AppTest: default views, method changes, refusals and bad input."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
import torch
from streamlit.testing.v1 import AppTest

from core.attribution.setup import AttributionSetup, apply_click
from core.catalog import ROOT
from core.settings import build
from core.setup_state import pack, to_query, unpack
from pages.kit import TRAINED_NETWORK
from tests.markdown import shown

PAGE = str(ROOT / "pages" / "attributions.py")


def K(name: str) -> str:
    return f"attribution.{name}"


def page(tab: str | None = None, **fields) -> AppTest:
    """The page opened from a link holding these set-up fields (a session's first set-up comes from its link), on
    `tab` (the first tab when None)."""
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.query_params.update(to_query(build(AttributionSetup, fields)))
    if tab is not None:
        at.session_state[K("tab")] = tab
    return at


def texts(elements) -> str:
    """The text the elements show (their Markdown rendered)."""
    return " ".join(shown(str(e.value)) for e in elements)


def test_default_text_view_shows_heatmap_bars_and_a_complete_verdict():
    at = page()
    at.run()
    assert not at.exception and not at.error
    assert "Complete" in texts(at.success)
    assert "cosine similarity" in texts(at.subheader)
    assert len(at.get("plotly_chart")) >= 3  # heatmap, bars, faithfulness curves
    assert [t.label for t in at.tabs][:2] == ["Faithfulness", "Compare methods"]


def test_changing_the_method_recomputes_and_deeplift_is_refused_on_bert():
    at = page()
    at.run()
    at.selectbox(key=K("method")).set_value("feature-ablation").run()
    assert not at.exception and not at.error
    assert "Feature Ablation" in texts(at.caption)
    at.selectbox(key=K("method")).set_value("deeplift").run()
    assert not at.exception and not at.error
    assert "GELU" in texts(at.warning)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("../no/such/folder", "folder"),
        ("not a model id!", "Hub id"),
    ],
)
def test_a_bad_model_source_shows_an_error_message_not_a_traceback(source, message):
    at = page(source=source)
    at.run()
    assert not at.exception
    assert message in texts(at.error)


def test_an_empty_text_shows_what_to_type():
    at = page(text="   ")
    at.run()
    assert not at.exception
    assert "empty" in texts(at.error)


def test_a_link_with_garbage_falls_back_to_defaults_with_warnings():
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.query_params["method"] = "rm -rf"
    at.query_params["n_steps"] = "-3"
    at.run()
    assert not at.exception and not at.error
    assert "Ignored link parameter" in texts(at.warning)
    assert at.selectbox(key=K("method")).value == "integrated-gradients"


def test_network_view_explains_the_network_trained_in_the_builder():
    from core.builder.trained import train_default_network

    at = page(subject="network")
    at.session_state[TRAINED_NETWORK.key] = train_default_network(epochs=5)
    at.run()
    assert not at.exception and not at.error
    assert "the network you trained in the Network builder" in texts(at.caption)
    assert "P(class 1)" in texts(at.subheader)


def test_network_view_explains_a_point_and_draws_maps_over_the_plane():
    at = page("Export", subject="network")
    at.run()
    assert not at.exception and not at.error
    assert "Complete" in texts(at.success)
    assert "outer ring" in texts(at.subheader)
    assert "completeness holds at 100%" in texts(at.caption)
    downloads = [d.proto.id for d in at.get("download_button")]
    expected = [
        f"-attribution.attribution{part}-integrated-gradients.{kind}"
        for part in ("", "-map")
        for kind in ("json", "csv")
    ]
    assert len(downloads) == 4 and all(d.endswith(e) for d, e in zip(downloads, expected, strict=True))
    at.selectbox(key=K("method")).set_value("deeplift").run()
    assert not at.exception and not at.error and "Complete" in texts(at.success)


def test_network_checks_run_from_their_buttons():
    at = page(subject="network")
    at.run()
    for tab, slot in (
        ("Baselines", "baselines"),
        ("Sanity check", "sanity"),
        ("Infidelity & sensitivity", "sensitivity"),
    ):
        at.session_state[K("tab")] = tab
        at.run()
        at.button(key=K(f"{slot}.run")).click().run()
        assert not at.exception and not at.error, slot
    assert "Max-sensitivity" in " ".join(m.label for m in at.metric)


def test_text_sanity_check_and_method_comparison_run_from_their_buttons():
    at = page("Sanity check", method="saliency")
    at.run()
    at.button(key=K("sanity.run")).click().run()
    assert not at.exception and not at.error
    at.session_state[K("tab")] = "Compare methods"
    at.run()
    at.button(key=K("compare.run")).click().run()
    assert not at.exception and not at.error
    assert any("Spearman" in str(c.value) for c in at.caption)


def test_a_bf16_run_shows_its_agreement_with_fp32():
    at = page(precision="bf16")
    at.run()
    assert not at.exception and not at.error
    assert "bf16 vs fp32: Spearman" in texts(at.info)


def test_a_long_text_is_truncated_with_a_warning():
    at = page(text="the cat sat on the mat " * 120, method="saliency")
    at.run()
    assert not at.exception and not at.error
    assert "only the first 256" in texts(at.warning)


def test_a_masked_lm_folder_offers_its_tasks_and_asks_for_a_mask(tiny_folder):
    folder = str(tiny_folder("masked-lm"))
    at = page(source=folder, text="the cat sat on the mat", task="masked-lm")
    at.run()
    assert not at.exception
    assert "[MASK]" in texts(at.error)
    at.text_area(key=K("text")).set_value("the cat [MASK] on the mat").run()
    assert not at.exception and not at.error
    assert "at position 3" in texts(at.subheader)
    assert "Top predictions" in texts(at.caption)


def point_result(at: AppTest):
    """The page's result at the explained point (from its per-session memo: the numbers the bars show)."""
    store = at.session_state["heavy.results"]
    return next(r for (slot, key), r in store.items() if slot == K("explain") and key[0] == "net")


def chart(at: AppTest, key: str) -> dict:
    return json.loads(next(c for c in at.get("plotly_chart") if c.proto.id.endswith(key)).proto.spec)


def numbers(values) -> np.ndarray:
    """A figure's data array as sent to the browser: a list, or Plotly's typed array {dtype, bdata (base64)}."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"])
    return np.asarray(values, dtype=float)


def test_a_baseline_at_the_explained_point_gives_all_zero_attributions():
    at = page(subject="network", net_baseline="point", baseline_x=2.0, baseline_y=1.5)
    at.run()
    assert not at.exception and not at.error
    result = point_result(at)
    np.testing.assert_allclose(result.scores, 0.0, atol=1e-6)
    np.testing.assert_allclose(numbers(chart(at, "net_bars")["data"][0]["y"]), 0.0, atol=1e-6)


def test_a_clicked_baseline_drives_the_attributions_and_completeness_holds_against_the_network():
    from core.attribution.network import default_features, train_default_network

    _last, fields = apply_click([{"x": -1.23456, "y": 0.5}], None, "baseline")
    at = page(subject="network", **fields)
    at.run()
    assert not at.exception and not at.error
    assert at.selectbox(key=K("net_baseline")).value == "point"
    assert at.number_input(key=K("baseline_x")).value == -1.235
    network = train_default_network()  # the page's default network, trained again: an independent forward pass
    with torch.no_grad():
        f = network.model(default_features(torch.tensor([[2.0, 1.5], [-1.235, 0.5]])))[:, 0].numpy()
    result = point_result(at)
    np.testing.assert_allclose([result.f_input[0], result.f_baseline[0]], f, rtol=1e-5)
    assert result.scores.sum() == pytest.approx(f[0] - f[1], rel=0.01)
    assert "Complete" in texts(at.success)
    marks = [t for t in chart(at, "maps")["data"] if t.get("name") == "baseline"]
    assert marks and (numbers(marks[0]["x"])[0], numbers(marks[0]["y"])[0]) == (-1.235, 0.5)


def test_a_long_text_travels_in_the_link_compressed_and_comes_back_whole():
    text = "the cat sat on the mat and purred, " * 100  # 3,500 characters: over the plain limit of a link
    at = page(text=text, method="saliency")
    at.run()
    assert not at.exception and not at.error
    assert "text" not in at.query_params and unpack(at.query_params["text.z"]) == text
    again = AppTest.from_file(PAGE, default_timeout=120)
    again.query_params.update(at.query_params)
    again.run()
    assert not again.exception and not again.error
    assert again.text_area(key=K("text")).value == text
    assert "only the first 256" in texts(again.warning)  # the model reads its first tokens: truncated, and said so


def test_garbage_in_the_compressed_text_of_a_link_warns_and_keeps_the_default_text():
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.query_params["text.z"] = "eNrtyMEJACAMBMFW0pqI4Ed9mP4x!!"
    at.run()
    assert not at.exception and not at.error
    assert "Ignored link parameter 'text': compressed value" in texts(at.warning)
    assert at.text_area(key=K("text")).value == AttributionSetup().text


def test_control_characters_in_a_linked_text_are_refused_with_a_message_not_a_traceback():
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.query_params["text.z"] = pack("\x00\x01\x1b" * 1000)
    at.run()
    assert not at.exception
    assert "empty" in texts(at.error)


def test_a_text_too_long_for_a_link_even_compressed_says_so():
    rng = np.random.default_rng(0)
    text = "".join(chr(c) for c in rng.integers(0x4E00, 0x9FFF, 6000))  # random CJK: barely compresses
    at = page(method="saliency")  # a text too long for a link reaches the page typed, not linked
    at.run()
    at.text_area(key=K("text")).set_value(text).run()
    assert not at.exception
    assert "too long for the page link even compressed" in texts(at.warning)
    assert "text.z" not in at.query_params and "text" not in at.query_params


def test_a_link_with_minutes_of_work_waits_for_a_click_and_starts_nothing_by_itself():
    """KernelSHAP with 2,000 samples from a shared link used to start at once on page load and run on after the
    tab closed (3.5 minutes of a core): it waits for a click now, with the estimate on the button."""
    from core.work import default_queue

    at = AppTest.from_file(PAGE, default_timeout=120)
    at.query_params.update({"method": "kernel-shap", "n_samples": "2000"})
    at.run()
    assert not at.exception and not at.error
    run = at.button(key=K("explain.run"))
    assert run.label.startswith("Run: KernelSHAP, 2,001 evaluations (≈")  # the samples and f(baseline)
    assert "starts when you ask" in texts(at.caption)
    assert "heavy.results" not in at.session_state or not at.session_state["heavy.results"]
    assert default_queue().running() == 0 and default_queue().waiting() == 0
    at.number_input(key=K("n_samples")).set_value(50).run()  # small enough to start by itself
    assert not at.exception and not at.error
    assert point_or_text_result(at).scores.shape == (1, 12)  # the default sentence's 12 tokens


def point_or_text_result(at: AppTest):
    return next(r for (slot, _key), r in at.session_state["heavy.results"].items() if slot == K("explain"))


FIVE_THOUSAND_WORDS = " ".join(f"word{i % 50}" for i in range(5000))  # 33,999 characters: over core.tokens' limit


@pytest.mark.parametrize(("field", "box"), [("text", "text_area"), ("text_b", "text_input")])
def test_a_pasted_text_too_long_to_read_is_refused_and_the_page_explains_nothing_else(field, box):
    at = page(method="saliency")
    at.run()
    getattr(at, box)(key=K(field)).set_value(FIVE_THOUSAND_WORDS).run()
    assert not at.exception
    assert "33,999 characters" in texts(at.error)  # refused, saying why and what to do
    assert "reset" not in texts(at.warning)  # not silently swapped for the default
    assert not [s for s in at.subheader if "Attributions to" in str(s.value)]  # no scores for another input
    assert at.session_state[K(field)] == FIVE_THOUSAND_WORDS


def test_a_long_text_b_is_truncated_with_a_notice_that_names_it():
    at = page(method="saliency", text_b="the dog lay on the rug " * 120)
    at.run()
    assert not at.exception and not at.error
    assert "Text B has 722 tokens; only the first 256 are used" in texts(at.warning)


@pytest.mark.parametrize("field", ["token", "token_b"])
def test_a_pasted_token_too_long_is_refused_not_replaced(field, tiny_folder):
    folder = str(tiny_folder("masked-lm"))
    at = page(source=folder, text="the cat [MASK] on the mat", task="masked-lm-contrast", token="cat", token_b="dog")
    at.run()
    at.text_input(key=K(field)).set_value("x" * 3000).run()
    assert not at.exception
    assert "is not one token" in texts(at.error)
    assert "reset" not in texts(at.warning)


def test_an_opened_network_export_is_explained_again_to_the_same_numbers():
    from core.attribution.explain import explain
    from core.attribution.export import export_record, read_export, to_json
    from core.attribution.network import NetworkTarget, network_problem, train_default_network
    from core.attribution.network_file import network_record
    from core.settings import flat_values
    from pages.attribution.state import OPENED_NETWORK

    network = train_default_network(seed=3, epochs=40)  # not the page's default network
    setup = AttributionSetup(subject="network", method="gradient-shap", point_x=-1.0, point_y=0.5)
    result = explain(network_problem(network, torch.tensor([[-1.0, 0.5]]), NetworkTarget()), setup.method)
    record = export_record(result, network.described, flat_values(setup), {}, None, network=network_record(network))
    opened = read_export(to_json(record))
    at = AppTest.from_file(PAGE, default_timeout=120)
    at.query_params.update(to_query(opened.setup))
    at.session_state[OPENED_NETWORK.key] = opened.network
    at.run()
    assert not at.exception and not at.error
    assert "opened from an export" in texts(at.caption)
    np.testing.assert_allclose(point_result(at).scores, result.scores, rtol=1e-5, atol=1e-7)
    at.button(key=K("close_export")).click().run()  # back to the session's network: other numbers
    assert not at.exception and "opened from an export" not in texts(at.caption)
    store = at.session_state["heavy.results"]
    latest = [r for (slot, key), r in store.items() if slot == K("explain") and key[0] == "net"][-1]
    assert not np.allclose(latest.scores, result.scores, rtol=1e-3)


@pytest.mark.parametrize(("tab", "slot"), [("Sanity check", "sanity"), ("Baselines", "baselines")])
def test_a_button_run_check_stays_until_its_inputs_change(tab, slot):
    at = page(tab=tab, method="saliency")
    at.run()
    at.button(key=K(f"{slot}.run")).click().run()
    shown_after_run = len(at.get("plotly_chart"))
    at.radio(key=K("reduce")).set_value("l2").run()  # not an input of the check: it stays
    assert len(at.get("plotly_chart")) == shown_after_run
    assert [b for b in at.button if b.key == K(f"{slot}.run")] == []
    at.text_area(key=K("text")).set_value("A dog barked at the mailman.").run()  # its input changed: asked again
    assert [b.key for b in at.button if b.key == K(f"{slot}.run")] == [K(f"{slot}.run")]


def test_the_faithfulness_explanation_names_special_tokens_for_a_text_only():
    network = page("Faithfulness", subject="network")
    network.run()
    assert "never removed" not in texts(network.markdown) and "grey band" in texts(network.markdown)
    text = page("Faithfulness")
    text.run()
    assert "[CLS]/[SEP] and the scored [MASK] are never removed" in texts(text.markdown)
