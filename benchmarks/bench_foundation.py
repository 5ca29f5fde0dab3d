"""Foundation rows: model loading through the cache, tokenising and a forward pass through our wrappers."""

from __future__ import annotations

import os
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch

from benchmarks.common import Row, compare
from core.models import load_model
from core.tokens import encode

TEXT = "The quick brown fox jumps over the lazy dog, and the dog does not seem to mind at all."


def rows():
    import streamlit as st

    cached_load = st.cache_resource(show_spinner=False)(load_model)
    t0 = time.perf_counter()
    loaded = cached_load("embedded")
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(20):
        cached_load("embedded")
    hit = (time.perf_counter() - t0) / 20
    yield Row(
        "foundation",
        "load embedded model: cache hit vs first load",
        hit,
        first,
        "<= 0.01",
        note=f"first load {first:.2f} s",
    )

    tokenizer = loaded.tokenizer
    yield compare(
        "foundation",
        "encode() vs bare tokenizer call",
        lambda: encode(loaded, TEXT),
        lambda: tokenizer(TEXT, return_tensors="pt"),
        "<= 2.5",
        repeat=50,
        note="tokens, word ids, special mask and input checks on top",
    )

    def ours():  # what a page does: our tokenisation, then the forward with attentions
        enc = encode(loaded, TEXT)
        with torch.no_grad():
            return loaded.model(**enc.model_inputs(), output_attentions=True)

    def bare():
        with torch.no_grad():
            return loaded.model(**tokenizer(TEXT, return_tensors="pt"), output_attentions=True)

    yield compare(
        "foundation", "encode + forward with attentions vs bare transformers", ours, bare, "<= 1.1", repeat=30
    )
